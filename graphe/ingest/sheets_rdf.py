"""A sheet as RDF: the triples of a Practice, as `ontology/MODEL.md` says."""
from __future__ import annotations

from ..core.rdf import PREFIXES, RDF_TYPE, Literal, NamedNode, Quad
from ..model.namespaces import GR
from .sheets import (ONE_REF, REF_LISTS, STATUS_IRIS, TEXTS, Sheet, Where, date_text, email, lang_tag, ref, resolve, slugify, status_code, web_url)

DCT, SCHEMA, DCAT, XSD = PREFIXES["dct"], PREFIXES["schema"], PREFIXES["dcat"], PREFIXES["xsd"]

# --------------------------------------------------------------------------------------------- RDF

def practice_iri(sheet: Sheet, base_iri: str) -> str:
    where = Where(sheet.source)
    if sheet.iri:
        return resolve(ref(sheet.iri, where, "iri"), "practice", base_iri).value
    slug = sheet.slug or slugify(french(sheet.title) or "")
    if not slug:
        raise where.error("id", "impossible de tirer un identifiant du titre : donnez « id ».",
                          "cannot derive an identifier from the title: give 'id'.")
    return resolve(ref(slug, where, "id"), "practice", base_iri).value


def french(texts_: dict[str, str]) -> str | None:
    if "fr" in texts_:
        return texts_["fr"]
    return next((v for k, v in sorted(texts_.items()) if k.lower().startswith("fr-")), None)


def sheet_quads(sheet: Sheet, base_iri: str) -> tuple[str, list[Quad]]:
    """The practice's IRI and its triples (default graph), as `ontology/MODEL.md` says.

    Relative references (slugs, `id/…`) resolve against `base_iri`. A sheet built by hand is checked like a
    parsed one (format only), naming `sheet.source`."""
    where = Where(sheet.source)
    if french(sheet.title) is None:
        raise where.error("title", "le titre en français est obligatoire (title ou title_fr).",
                          "the French title is required (title or title_fr).")
    s = NamedNode(practice_iri(sheet, base_iri))
    out: list[Quad] = [Quad(s, RDF_TYPE, NamedNode(GR.Practice))]

    def add(predicate: str, obj: NamedNode | Literal) -> None:
        out.append(Quad(s, NamedNode(predicate), obj))

    def text(value: str, lang: str, fld: str) -> Literal:
        return Literal(value, language=lang_tag(lang, where, fld))

    for name, predicate in TEXTS.items():
        for lang, value in getattr(sheet, name).items():
            add(predicate, text(value, lang, name))
    for name, (kind, predicate) in ONE_REF.items():
        value = getattr(sheet, name)
        if value:
            add(predicate, resolve(ref(value, where, name), kind, base_iri))
    for name, (kind, predicate) in REF_LISTS.items():
        for value in getattr(sheet, name):
            add(predicate, resolve(ref(value, where, name), kind, base_iri))
    if sheet.status:
        add(GR.status, NamedNode(STATUS_IRIS[status_code(sheet.status, where)]))
    if sheet.issued:
        add(DCT + "issued", Literal(sheet.issued.isoformat(), datatype=NamedNode(XSD + "date")))
    for name, predicate in (("start_date", SCHEMA + "startDate"), ("end_date", SCHEMA + "endDate")):
        value = getattr(sheet, name)
        if value:
            add(predicate, date_literal(date_text(value, where, name, False)))
    if sheet.contact:
        add(SCHEMA + "email", Literal(email(sheet.contact, where)))
    if sheet.url:
        add(SCHEMA + "url", NamedNode(web_url(sheet.url, where)))
    for lang, words in sheet.keywords.items():
        for word in words:
            add(DCAT + "keyword", text(word, lang, "keywords"))
    return s.value, list(dict.fromkeys(out))


def date_literal(value: str) -> Literal:
    kind = {10: "date", 7: "gYearMonth", 4: "gYear"}[len(value)]
    return Literal(value, datatype=NamedNode(XSD + kind))
