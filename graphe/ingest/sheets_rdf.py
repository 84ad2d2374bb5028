"""A sheet as RDF: the triples of a Practice, as `ontology/MODEL.md` says."""
from __future__ import annotations

from ..core.rdf import PREFIXES, RDF_TYPE, Literal, NamedNode, Quad
from ..model.namespaces import GR
from ..model.practice import FIELDS
from .records import checked, date_literal, record_quads
from .sheets import Sheet, Where, date_text, email, lang_tag, ref, resolve, slugify, status_code, web_url

XSD = PREFIXES["xsd"]

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

    for fld in FIELDS:
        value, name, predicate = getattr(sheet, fld.name), fld.name, fld.predicate
        if not value:
            continue
        if fld.kind == "text":
            for lang, text_ in value.items():
                add(predicate, text(text_, lang, name))
        elif fld.kind == "words":
            for lang, words in value.items():
                for word in words:
                    add(predicate, text(word, lang, name))
        elif fld.kind == "ref":
            add(predicate, resolve(ref(value, where, name), fld.target, base_iri))
        elif fld.kind == "refs":
            for item in value:
                add(predicate, resolve(ref(item, where, name), fld.target, base_iri))
        elif fld.kind == "status":
            add(predicate, NamedNode(fld.codes()[status_code(value, where, name)]))
        elif fld.kind == "date":
            add(predicate, Literal(value.isoformat(), datatype=NamedNode(XSD + "date")))
        elif fld.kind == "partial_date":
            add(predicate, date_literal(date_text(value, where, name, False)))
        elif fld.kind == "email":
            add(predicate, Literal(email(value, where, name)))
        elif fld.kind == "url":
            add(predicate, NamedNode(web_url(value, where, name)))
        elif fld.kind == "records":
            out.extend(record_quads(s, fld, checked(value, fld, where), base_iri))
        else:  # a kind the model gained without a mapping here
            raise AssertionError(f"no RDF mapping for kind {fld.kind!r}")
    return s.value, list(dict.fromkeys(out))


