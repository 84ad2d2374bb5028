"""A practice as a web form: the form's fields, derived from the one practice model (`model/practice.py`), read
into the same `Sheet` Markdown and CSV give (so into RDF by the same code), read back from RDF (to edit a
draft or propose a new version of a published practice), checked with the SHACL shapes with each message
placed beside the field it concerns, and compared field by field (what a reviewer reads, not triples).

Form keys are the CSV columns' names: `title_fr`, `summary_en`, `themes`, `city`… Lists (themes, partners,
sources…) come as repeated values (checkboxes) or one text of values separated by commas; keywords likewise.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.errors import GrapheError
from ..core.rdf import PREFIXES, Literal, NamedNode, Quad
from ..ingest.loading import validate
from ..ingest.records import read_record
from ..ingest.sheets import Entry, Where, build, date_text, ref, resolve, web_url
from ..ingest.sheets_rdf import date_literal, sheet_quads
from ..model.namespaces import GR
from ..model.practice import FIELDS, MAX_RECORDS, RECORD_FIELDS, Field, Part
from ..store import Store

if TYPE_CHECKING:
    from ..validation.validator import Validator

LANGS = ("fr", "en")  # the languages a form has a box for (a sheet may carry more: they are kept)
SOURCE = "formulaire"
FORM = "form"  # the key of messages about the whole sheet rather than one field
# The fields a form shows as several lines of text.
LONG = ("summary", "body", "results", "transferability")
MAX_VALUES = 200  # values of one list field
MACHINE = "machine_translation"  # the form key flagging a language's texts as machine-translated, not reviewed
_LANG_TAG = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")
# Sources declared in the form itself, minted under the practice's IRI (`…/source/1`: the practice owns them):
# one row each of these boxes; a form shows the rows it has plus empty ones, up to MAX_SOURCES.
SOURCE_PARTS = ("title", "url", "date", "publisher", "kind")
SOURCE_KINDS = {"secondary": GR.SecondarySource, "primary": GR.PrimarySource}
MAX_SOURCES = 10
DCT, SCHEMA, RDF_TYPE = PREFIXES["dct"], PREFIXES["schema"], PREFIXES["rdf"] + "type"


LANG_NAMES = {"fr": {"fr": "français", "en": "anglais"}, "en": {"fr": "French", "en": "English"}}


@dataclass(frozen=True)
class FormField:
    key: str  # the form's (and CSV's) name: title_fr, themes…
    field: Field
    lang: str | None  # text and words: the language of this box

    def label(self, lang: str) -> str:
        text = self.field.fr if lang == "fr" else self.field.en
        if self.lang is None:
            return text
        return f"{text} ({LANG_NAMES[lang].get(self.lang, self.lang)})"


FORM_FIELDS: tuple[FormField, ...] = tuple(
    FormField(f"{f.name}_{lang}", f, lang) if f.multilingual else FormField(f.name, f, None)
    for f in FIELDS if f.kind != "records" for lang in (LANGS if f.multilingual else (None,)))
# Records (outcomes, costs, partner roles) come as rows, as the sources do: a box per part (per language for a
# text) and row, `outcome_name_fr_1`, `outcome_value_1`, `cost_amount_2`, `partner_organisation_1`.
_RECORD_KEY = re.compile(r"^(?P<row>[a-z]+)_(?P<part>[a-z]+)(?:_(?P<lang>[a-z]{2,3}(?:-[a-z0-9]{1,8})*))?_(?P<n>\d+)$")
_BY_ROW = {f.row: f for f in RECORD_FIELDS}
BY_KEY = {f.key: f for f in FORM_FIELDS}

Values = Mapping[str, Sequence[str]]  # form key → its values as sent


def split_values(values: Sequence[str]) -> list[str]:
    """A list box's values: comma-separated, trimmed, each once, at most MAX_VALUES."""
    out = [part.strip() for value in values for part in value.split(",")]
    return [v for v in dict.fromkeys(out) if v][:MAX_VALUES]


def read(values: Values, base_iri: str, city: str | None = None) -> tuple[str, list[Quad]]:
    """The practice a form describes: (its IRI, its triples). `city`: the contributor's, whatever the form
    says. SHEET_INVALID (with `field`, a form key) for a value of the wrong shape."""
    entries = []
    slug = (values.get("id") or [""])[0].strip()
    if slug:
        entries.append(Entry("id", slug, None))
    for f in form_fields(values):
        given = [v for v in values.get(f.key, ()) if v.strip()]
        if f.key == "city" and city is not None:
            given = [city]
        if not given:
            continue
        if f.field.kind in ("refs", "words"):
            entries.append(Entry(f.key, split_values(given), None))
        else:
            entries.append(Entry(f.key, given[0], None))
    entries += [Entry(f.name, rows, None) for f in RECORD_FIELDS if (rows := record_rows_read(values, f))]
    sheet = build(entries, Where(SOURCE), SOURCE)
    iri, quads = sheet_quads(sheet, base_iri)
    return iri, quads + inline_sources(values, iri, base_iri) + machine_translations(values, iri)


def record_key(fld: Field, part: Part, row: int, lang: str | None = None) -> str:
    return f"{fld.row}_{part.name}_{lang}_{row}" if lang else f"{fld.row}_{part.name}_{row}"


def record_label(part: Part, lang: str, box_lang: str | None) -> str:
    """A record box's label in `lang`: « Valeur », « Indicateur (anglais) »."""
    text = part.label(lang)
    text = text[:1].upper() + text[1:]
    return f"{text} ({LANG_NAMES[lang].get(box_lang, box_lang)})" if box_lang else text


def record_langs(values: Mapping[str, Sequence[str]], fld: Field, part: Part) -> list[str]:
    """The languages a text part has a box for: French, English, and any other its rows carry (kept)."""
    found = {m["lang"] for key in values if (m := _RECORD_KEY.match(key)) and m["row"] == fld.row
             and m["part"] == part.name and m["lang"]}
    return [*LANGS, *sorted(found - set(LANGS))]


def record_boxes(values: Mapping[str, Sequence[str]], fld: Field, row: int) -> list[tuple[str, Part, str | None]]:
    """(form key, part, language) of every box of one row."""
    return [(record_key(fld, part, row, lang), part, lang) for part in fld.parts
            for lang in (record_langs(values, fld, part) if part.multilingual else [None])]


def _first(values: Mapping[str, Sequence[str]], key: str) -> str:
    return (values.get(key) or [""])[0].strip()


def record_rows_read(values: Values, fld: Field) -> list[dict[str, Any]]:
    """A field's records from the form's rows (empty rows skipped), each checked part by part: an error names
    the box (`outcome_value_2`)."""
    out = []
    for row in range(1, MAX_RECORDS + 1):
        item: dict[str, Any] = {}
        for key, part, lang in record_boxes(values, fld, row):
            given = _first(values, key)
            if given:
                item[f"{part.name}_{lang}" if lang else part.name] = given
        if not item:
            continue
        out.append(read_record(item, fld, "fr", Where(SOURCE), fld.name, None,
                               label_of=lambda k, row=row: f"{fld.row}_{k}_{row}"))
    return out


def record_values(quads: Sequence[Quad], iri: str, base_iri: str) -> dict[str, list[str]]:
    """The form rows of the records minted under `iri` (the reverse of `record_rows_read`)."""
    out: dict[str, list[str]] = {}
    for fld in RECORD_FIELDS:
        minted = f"{iri}/{fld.segment}/"
        parts = {p.predicate: p for p in fld.parts}
        for q in quads:
            n = q.subject.value[len(minted):]
            part = parts.get(q.predicate.value)
            if not q.subject.value.startswith(minted) or not n.isdigit() or part is None:
                continue
            value = q.object.value
            lang = None
            if part.multilingual:
                lang = (q.object.language if isinstance(q.object, Literal) else None) or "fr"
            elif part.kind == "code":
                value = next((c for c, i in part.codes().items() if i == value), value)
            elif part.kind == "ref":
                prefix = f"{base_iri}id/{part.target}/"
                value = value[len(prefix):] if value.startswith(prefix) else value
            out[record_key(fld, part, int(n), lang)] = [value]
    return out


def record_rows(values: Mapping[str, Sequence[str]], fld: Field, empty: int = 2) -> list[int]:
    """The rows of a record field a form shows: those with a value, then `empty` more (within MAX_RECORDS)."""
    used = [row for row in range(1, MAX_RECORDS + 1)
            if any(_first(values, key) for key, _, _ in record_boxes(values, fld, row))]
    return list(range(1, min(MAX_RECORDS, max(used, default=0) + empty) + 1))


def form_fields(values: Mapping[str, Sequence[str]]) -> list[FormField]:
    """The boxes a form has: French and English for every text, and a box for every other language its
    values carry (a translation entered elsewhere is shown and kept, never dropped)."""
    out = list(FORM_FIELDS)
    for f in FIELDS:
        if not f.multilingual:
            continue
        extra = sorted(key[len(f.name) + 1:] for key in values
                       if key.startswith(f.name + "_") and _LANG_TAG.fullmatch(key[len(f.name) + 1:])
                       and key[len(f.name) + 1:] not in LANGS)
        out += [FormField(f"{f.name}_{lang}", f, lang) for lang in extra]
    return out


def machine_translations(values: Mapping[str, Sequence[str]], iri: str) -> list[Quad]:
    """`gr:machineTranslation "en"` for each language the form flags as machine-translated, not reviewed."""
    flagged = [tag for tag in dict.fromkeys(values.get(MACHINE, ())) if _LANG_TAG.fullmatch(tag) and tag != "fr"]
    return [Quad(NamedNode(iri), NamedNode(GR.machineTranslation), Literal(tag)) for tag in flagged]


def source_values(quads: Sequence[Quad], iri: str, base_iri: str) -> dict[str, list[str]]:
    """The form rows of the sources minted under `iri` (the reverse of `inline_sources`)."""
    out: dict[str, list[str]] = {}
    minted = iri + "/source/"
    for q in quads:
        row = q.subject.value[len(minted):]
        if not q.subject.value.startswith(minted) or not row.isdigit():
            continue
        part = _SOURCE_PART.get(q.predicate.value)
        value = q.object.value
        if part == "kind":
            value = next((k for k, v in SOURCE_KINDS.items() if v == value), value)
        elif part == "publisher" and value.startswith(base_iri + "id/organisation/"):
            value = value[len(base_iri + "id/organisation/"):]
        if part:
            out[source_key(part, int(row))] = [value]
    return out


def source_key(part: str, row: int) -> str:
    return f"source_{part}_{row}"


def inline_sources(values: Values, iri: str, base_iri: str) -> list[Quad]:
    """The sources a form's rows declare, minted under `iri`, and `iri dct:source` each."""
    where, out = Where(SOURCE), []
    practice = NamedNode(iri)
    for row in range(1, MAX_SOURCES + 1):
        given = {part: (values.get(source_key(part, row)) or [""])[0].strip() for part in SOURCE_PARTS}
        if not any(given[p] for p in ("title", "url", "date", "publisher")):
            continue
        if not given["title"]:
            raise where.error(source_key("title", row), "donnez le titre de la source.", "give the source's title.")
        s = NamedNode(f"{iri}/source/{row}")
        kind = SOURCE_KINDS.get(given["kind"] or "secondary")
        if kind is None:
            raise where.error(source_key("kind", row), "nature de source inconnue.", "unknown kind of source.")
        out += [Quad(s, NamedNode(RDF_TYPE), NamedNode(GR.Source)),
                Quad(s, NamedNode(DCT + "title"), Literal(given["title"], language="fr")),
                Quad(s, NamedNode(GR.sourceKind), NamedNode(kind)),
                Quad(practice, NamedNode(DCT + "source"), s)]
        if given["url"]:
            out.append(Quad(s, NamedNode(SCHEMA + "url"), NamedNode(web_url(given["url"], where,
                                                                            source_key("url", row)))))
        if given["date"]:
            out.append(Quad(s, NamedNode(DCT + "issued"),
                            date_literal(date_text(given["date"], where, source_key("date", row), False))))
        if given["publisher"]:
            slug = ref(given["publisher"], where, source_key("publisher", row))
            out.append(Quad(s, NamedNode(DCT + "publisher"), resolve(slug, "organisation", base_iri)))
    return out


def write(quads: Sequence[Quad], iri: str, base_iri: str) -> dict[str, list[str]]:
    """The form of a practice's triples (the reverse of `read`): short identifiers for references of this
    deployment, codes for the status, texts as they are."""
    out: dict[str, list[str]] = {"id": [iri.rsplit("/", 1)[-1]], **source_values(quads, iri, base_iri),
                                 **record_values(quads, iri, base_iri)}
    minted = iri + "/source/"
    by_predicate: dict[str, list[Field]] = {}
    for f in FIELDS:
        by_predicate.setdefault(f.predicate, []).append(f)
    for q in quads:
        if q.subject.value != iri:
            continue
        for f in by_predicate.get(q.predicate.value, ()):
            obj = q.object
            if f.kind == "records":
                continue  # the records' own rows (record_values)
            if f.multilingual:
                lang = (obj.language or "fr") if isinstance(obj, Literal) else "fr"
                out.setdefault(f"{f.name}_{lang}", []).append(obj.value)
            elif f.name == "sources" and obj.value.startswith(minted):
                continue  # a source of the form's own rows
            elif f.kind in ("ref", "refs"):
                prefix = f"{base_iri}id/{f.target}/"
                value = obj.value[len(prefix):] if obj.value.startswith(prefix) else obj.value
                out.setdefault(f.name, []).append(value)
            elif f.kind == "status":
                codes = {v: k for k, v in f.codes().items()}
                out.setdefault(f.name, []).append(codes.get(obj.value, obj.value))
            else:
                out.setdefault(f.name, []).append(obj.value)
    flags = [q.object.value for q in quads if q.subject.value == iri and q.predicate.value == GR.machineTranslation]
    if flags:
        out[MACHINE] = flags
    for f in form_fields(out):  # a text's boxes hold one value; keywords are one text
        if f.key in out and f.field.kind == "words":
            out[f.key] = [", ".join(out[f.key])]
        elif f.key in out and f.field.kind == "text":
            out[f.key] = ["\n\n".join(out[f.key])]
    return out


def check(store: Store, validator: Validator, iri: str, quads: Sequence[Quad],
          place: Any = None) -> dict[str, list[tuple[str, str]]]:
    """The SHACL shapes' violations of a record as it would be published, placed: form key → messages
    (French, English); what no field holds goes under `FORM`. `place(result)`: a form's own placing (a key or
    None), tried first."""
    public = [Quad(q.subject, q.predicate, q.object, store.graphs.public) for q in quads]
    report = validate(store, validator, public, replace=True)
    placed: dict[str, list[tuple[str, str]]] = {}
    for r in report.violations:
        key = FORM
        own = place(r) if place is not None else None
        row = r.focus[len(iri + "/source/"):] if r.focus.startswith(iri + "/source/") else ""
        part = _SOURCE_PART.get(r.path or "")
        record = _record_box(r.focus, r.path, r.value, iri)
        if own:
            key = own
        elif record:
            key = record
        elif row.isdigit() and part:
            key = source_key(part, int(row))
        elif place is None and r.focus == iri and r.path:
            fields = [f for f in FORM_FIELDS if f.field.predicate == r.path]
            if fields:
                lang = _lang_of(r.value)
                key = next((f.key for f in fields if f.lang == lang), fields[0].key)
        message = (r.message_fr, r.message_en)
        if message not in placed.get(key, []):
            placed.setdefault(key, []).append(message)
    return placed


def _record_box(focus: str, path: str | None, value: str | None, iri: str) -> str | None:
    """The form box a violation about one of the practice's records concerns (its row's first box if no
    part is named, as a missing record class)."""
    for fld in RECORD_FIELDS:
        n = focus[len(f"{iri}/{fld.segment}/"):] if focus.startswith(f"{iri}/{fld.segment}/") else ""
        if not n.isdigit():
            continue
        part = next((p for p in fld.parts if p.predicate == path), fld.parts[0])
        return record_key(fld, part, int(n), (_lang_of(value) or "fr") if part.multilingual else None)
    return None


def _lang_of(value: str | None) -> str | None:
    if value and value.startswith('"') and '"@' in value:
        return value.rsplit('"@', 1)[1].split("-")[0]
    return None


def accepts(key: str) -> bool:
    """Whether a form key belongs to the practice form (its boxes, any language of a text, sources, flags)."""
    return (key in BY_KEY or key in ("id", MACHINE) or key.startswith("source_") or _is_record_key(key)
            or any(key.startswith(f.name + "_") and _LANG_TAG.fullmatch(key[len(f.name) + 1:])
                   for f in FIELDS if f.multilingual))


def record_box(key: str) -> tuple[Field, Part, int, str | None] | None:
    """`outcome_value_2` → (outcomes, value, 2, None); not a record box → None."""
    m = _RECORD_KEY.match(key)
    if m is None or m["row"] not in _BY_ROW:
        return None
    fld = _BY_ROW[m["row"]]
    part = next((p for p in fld.parts if p.name == m["part"]), None)
    if part is None or (m["lang"] is not None) != part.multilingual or not 1 <= int(m["n"]) <= MAX_RECORDS:
        return None
    return fld, part, int(m["n"]), m["lang"]


def key_label(key: str, lang: str) -> str | None:
    """The label of a form box (a field's, or a record's: « Coûts 2 — Montant »), None for another key."""
    if key in BY_KEY:
        return BY_KEY[key].label(lang)
    found = record_box(key)
    if found is None:
        return None
    fld, part, row, box_lang = found
    return f"{fld.fr if lang == 'fr' else fld.en} {row} — {record_label(part, lang, box_lang)}"


def _is_record_key(key: str) -> bool:
    return record_box(key) is not None


def field_of(error: GrapheError) -> str:
    """The form key a reading error concerns (`FORM` if none)."""
    found = error.details.get("field") if isinstance(error.details, dict) else None
    return found if isinstance(found, str) and found != MACHINE and accepts(found) else FORM


def source_rows(values: Mapping[str, Sequence[str]], empty: int = 2) -> list[int]:
    """The source rows a form shows: those with a value, then `empty` more (within MAX_SOURCES)."""
    used = [row for row in range(1, MAX_SOURCES + 1)
            if any((values.get(source_key(p, row)) or [""])[0].strip() for p in SOURCE_PARTS if p != "kind")]
    last = max(used, default=0)
    return list(range(1, min(MAX_SOURCES, last + empty) + 1))


@dataclass(frozen=True)
class Change:
    key: str
    label_fr: str
    label_en: str
    before: str
    after: str


def changes(before: Mapping[str, Sequence[str]], after: Mapping[str, Sequence[str]],
            fields: Sequence[Any] = FORM_FIELDS) -> list[Change]:
    """What differs between two forms of a record, field by field, in the form's order (`fields`: its boxes,
    each with a `key` and a `label(lang)`), then its declared sources."""
    out = []
    for f in fields:
        old, new = ", ".join(before.get(f.key, ())), ", ".join(after.get(f.key, ()))
        if old != new:
            out.append(Change(f.key, f.label("fr"), f.label("en"), old, new))
    extra = [f for f in form_fields({**before, **after}) if f.lang not in (None, *LANGS)] if fields is FORM_FIELDS else []
    for f in extra:
        old, new = ", ".join(before.get(f.key, ())), ", ".join(after.get(f.key, ()))
        if old != new:
            out.append(Change(f.key, f.label("fr"), f.label("en"), old, new))
    old, new = ", ".join(before.get(MACHINE, ())), ", ".join(after.get(MACHINE, ()))
    if old != new:
        out.append(Change(MACHINE, "Traduction automatique, non relue", "Machine translation, not reviewed", old, new))
    for row in range(1, MAX_SOURCES + 1):
        for part in SOURCE_PARTS:
            key = source_key(part, row)
            old, new = ", ".join(before.get(key, ())), ", ".join(after.get(key, ()))
            if old != new:
                out.append(Change(key, f"Source {row} ({SOURCE_LABELS[part][0]})",
                                  f"Source {row} ({SOURCE_LABELS[part][1]})", old, new))
    if fields is FORM_FIELDS:
        out += record_changes(before, after)
    return out


def record_changes(before: Mapping[str, Sequence[str]], after: Mapping[str, Sequence[str]]) -> list[Change]:
    """The records' rows, box by box: « Résultats mesurés 2 (valeur) »."""
    out = []
    both = {**before, **after}
    for fld in RECORD_FIELDS:
        for row in range(1, MAX_RECORDS + 1):
            for key, part, lang in record_boxes(both, fld, row):
                old, new = ", ".join(before.get(key, ())), ", ".join(after.get(key, ()))
                if old != new:
                    in_fr = f", {LANG_NAMES['fr'].get(lang, lang)}" if lang else ""
                    in_en = f", {LANG_NAMES['en'].get(lang, lang)}" if lang else ""
                    out.append(Change(key, f"{fld.fr} {row} ({part.fr}{in_fr})", f"{fld.en} {row} ({part.en}{in_en})",
                                      old, new))
    return out


_SOURCE_PART = {DCT + "title": "title", SCHEMA + "url": "url", DCT + "issued": "date", DCT + "publisher": "publisher",
                GR.sourceKind: "kind"}
SOURCE_LABELS = {"title": ("titre", "title"), "url": ("adresse web", "web address"),
                 "date": ("date", "date"), "publisher": ("éditeur", "publisher"), "kind": ("nature", "kind")}


def published(store: Store, iri: str) -> list[Quad]:
    """The published description of a practice: its own triples, its form-declared sources' and its records'."""
    own = store.describe([NamedNode(iri)], store.graphs.public)
    owning = {DCT + "source", *(f.predicate for f in RECORD_FIELDS)}  # its sources and records, named under it
    minted = [q.object for q in own if q.predicate.value in owning and q.object.value.startswith(iri + "/")]
    return own + (store.describe(minted, store.graphs.public) if minted else [])
