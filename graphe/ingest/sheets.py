"""Good-practice sheets sent as files: one practice per Markdown file (YAML header), or a CSV of practices.

Both formats parse into one value, `Sheet`; `sheet_quads` turns a sheet into the triples of `ontology/MODEL.md`
(Practice). Every *format* problem raises `GrapheError("SHEET_INVALID", …)` naming the file, the line and the
field, French first; *semantic* checks (does the city exist, mandatory properties) are left to SHACL.
The documented format is `docs/sheets.md`. The CSV reader is in `sheets_csv.py`.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import field, make_dataclass
from typing import Any

from ..core.errors import GrapheError
from ..core.rdf import NamedNode
from ..model.practice import BY_NAME, FIELDS, Field as PracticeField
from .values import (  # noqa: F401 — re-exported: the sheet readers' shared values
    Entry, Where, _LANG, _SLUG, date_text, fold, hint, invalid, kind_of, kind_of_en, lang_tag, ref, resolve, slugify, wrong_type)
from .records import read_records
MAX_CHARS = 1_000_000  # a Markdown sheet; a CSV may hold MAX_CSV_CHARS (see sheets_csv)


def _sheet_field(f: PracticeField) -> tuple[str, Any, Any]:
    kind = {"text": dict[str, str], "words": dict[str, list[str]], "refs": list[str],
            "records": list[dict[str, Any]], "date": dt.date | None}.get(f.kind, str | None)
    return f.name, kind, field(default_factory=dict) if f.multilingual else \
        field(default_factory=list) if f.many else None


# One value for a sheet from any channel (Markdown, CSV, GraphQL input): `source` names it in errors ("pratiques.csv:4");
# `iri` (absolute, or relative "id/practice/…") or `slug` ({base}id/practice/{slug}) identify it; then one attribute per
# field of the practice model: texts and keywords as dict lang → value ("fr" title required), references as slugs or
# IRIs, status as a code, dates as texts (issued as a date), records as lists of mappings part → value
# (`ingest/records.py`).
Sheet = make_dataclass("Sheet", [("source", str), ("iri", str | None, None), ("slug", str | None, None),
                                 *map(_sheet_field, FIELDS)])
Sheet.__module__ = __name__


# --------------------------------------------------------------------------------------------- the fields

MULTILINGUAL = tuple(f.name for f in FIELDS if f.multilingual)
KEYS = ("iri", "id", "lang", *(f.name for f in FIELDS))
STATUS_IRIS = BY_NAME["status"].codes()  # code → IRI
_STATUS_NAMES = {
    "idea": "IDEA", "idee": "IDEA",
    "pilot": "PILOT", "pilote": "PILOT", "experimentation": "PILOT",
    "in production": "IN_PRODUCTION", "en production": "IN_PRODUCTION", "production": "IN_PRODUCTION",
    "en service": "IN_PRODUCTION",
    "retired": "RETIRED", "discontinued": "RETIRED", "arretee": "RETIRED", "arrete": "RETIRED",
    "abandonnee": "RETIRED", "abandonne": "RETIRED",
}
STATUS_HELP = "IDEA, PILOT, IN_PRODUCTION, RETIRED (idée, pilote, en production, arrêtée)"

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")  # the shape's pattern
# C0 controls (but tab, LF, CR), lone surrogates, U+FFFE/U+FFFF: no RDF/XML export could carry them.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# --------------------------------------------------------------------------------------------- errors


def check_text(text: str, file: str, first_line: int = 1, limit: int = MAX_CHARS) -> None:
    """Refuse oversized input and characters no export could carry (NUL, other control characters)."""
    if len(text) > limit:
        raise invalid(file, None, None, f"fichier trop volumineux ({len(text)} caractères, {limit} au plus).",
                      f"file too large ({len(text)} characters, at most {limit}).")
    bad = _FORBIDDEN.search(text)
    if bad:
        line = first_line + text.count("\n", 0, bad.start())
        code = f"U+{ord(bad.group()):04X}"
        raise invalid(file, line, None, f"caractère interdit {code} (caractère de contrôle ou invalide).",
                      f"forbidden character {code} (a control or invalid character).")


# --------------------------------------------------------------------------------------------- values


def split_key(key: str) -> tuple[str, str | None] | None:
    """`title` → (title, None); `title_en` → (title, "en"); unknown → None."""
    key = key.strip().lower()
    if key in KEYS:
        return key, None
    for name in MULTILINGUAL:
        if key.startswith(name + "_") and _LANG.match(key[len(name) + 1:]):
            return name, key[len(name) + 1:]
    return None


def known_keys(extra: Iterable[str] = ()) -> list[str]:
    return [*KEYS, *(f"{n}_{lang}" for n in MULTILINGUAL for lang in ("fr", "en")), *extra]


def status_code(value: Any, where: Where, fld: str = "status", line: int | None = None) -> str:
    if isinstance(value, str):
        if value.strip() in STATUS_IRIS.values():
            return next(code for code, iri in STATUS_IRIS.items() if iri == value.strip())
        name = " ".join(re.sub(r"[-_]", " ", fold(value)).split())
        code = _STATUS_NAMES.get(name)
        if code:
            return code
    raise where.error(fld, f"statut inconnu « {value} » (valeurs admises : {STATUS_HELP}).",
                      f"unknown status '{value}' (allowed values: {STATUS_HELP}).", line)


def email(value: Any, where: Where, fld: str = "contact", line: int | None = None) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if text.lower().startswith("mailto:"):
        text = text[7:]
    if not _EMAIL.match(text):
        raise where.error(fld, f"adresse électronique invalide « {value} » (par exemple numerique@ville.fr).",
                          f"invalid e-mail address '{value}' (for example numerique@ville.fr).", line)
    return text


def web_url(value: Any, where: Where, fld: str = "url", line: int | None = None) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if re.match(r"^https?://[^\s/]", text, re.IGNORECASE):
        try:
            NamedNode(text)
            return text
        except ValueError:
            pass
    raise where.error(fld, f"adresse web invalide « {value} » (attendu : http://… ou https://…).",
                      f"invalid web address '{value}' (expected: http://… or https://…).", line)


# --------------------------------------------------------------------------------------------- building


def build(entries: list[Entry], where: Where, source: str, default_lang: str = "fr") -> Sheet:
    """The sheet of a header's keys or a CSV row's cells (already known to be known keys)."""
    sheet = Sheet(source=source)
    lang = default_lang
    for e in entries:
        if split_key(e.key) == ("lang", None) and e.value not in (None, ""):
            lang = lang_tag(e.value, where, e.key, e.line)
    seen: dict[tuple[str, str], int | None] = {}

    def put(mapping: dict, name: str, tag: str, value: Any, line: int | None, fld: str) -> None:
        if (name, tag) in seen:
            raise where.error(fld, f"« {name} » en langue « {tag} » est donné deux fois"
                              + (f" (déjà ligne {seen[(name, tag)]})." if seen[(name, tag)] else "."),
                              f"'{name}' in language '{tag}' is given twice"
                              + (f" (already line {seen[(name, tag)]})." if seen[(name, tag)] else "."), line)
        seen[(name, tag)] = line
        mapping[tag] = value

    for e in entries:
        parsed = split_key(e.key)
        assert parsed is not None
        name, tag = parsed
        if e.value is None or (isinstance(e.value, str) and not e.value.strip()):
            continue  # an empty value says nothing
        fld = BY_NAME.get(name)
        if fld is not None:
            read_field(sheet, fld, e, tag or lang, where, put)
        elif name == "iri":
            identify(sheet, e, where)
        elif name == "id":
            slug = e.value.strip() if isinstance(e.value, str) else None
            if slug is None or not _SLUG.match(slug):
                suggestion = slugify(str(e.value))
                raise where.error(e.key, f"identifiant invalide « {e.value} » : minuscules sans accents, chiffres "
                                  f"et tirets (par exemple « {suggestion or 'ma-pratique'} »).",
                                  f"invalid identifier '{e.value}': lower case without accents, digits and "
                                  f"hyphens (for example '{suggestion or 'my-practice'}').", e.line)
            if sheet.slug is not None and sheet.slug != slug:
                raise where.error(e.key, f"l'identifiant « {slug} » ne correspond pas à l'IRI ({sheet.iri}).",
                                  f"the identifier '{slug}' does not match the IRI ({sheet.iri}).", e.line)
            sheet.slug = slug
    if not any(t == "fr" or t.startswith("fr-") for t in sheet.title):
        raise where.error("title_fr" if where.extra.get("row") else "title",
                          "le titre en français est obligatoire (title ou title_fr).",
                          "the French title is required (title or title_fr).")
    return sheet


def read_field(sheet: Any, fld: PracticeField, e: Entry, lang: str, where: Where, put: Any) -> None:
    """One model field of a header key or CSV cell, checked and set on `sheet` (the kind decides how)."""
    kind = fld.kind
    if kind == "text":
        for t, text, line in texts(e, lang, where):
            put(getattr(sheet, fld.name), fld.name, t, text, line, e.key)
    elif kind == "words":
        for t, words, line in keyword_lists(e, lang, where):
            put(getattr(sheet, fld.name), fld.name, t, words, line, e.key)
    elif kind == "ref":
        setattr(sheet, fld.name, ref(e.value, where, e.key, e.line))
    elif kind == "refs":
        try:
            setattr(sheet, fld.name, unique(ref(v, where, e.key, line) for v, line in items(e, where)))
        except GrapheError:
            if isinstance(e.value, str) and re.search(r"[,;]" if e.cell else r"[,;|]", e.value):
                raise list_expected(e, where) from None
            raise
    elif kind == "status":
        setattr(sheet, fld.name, status_code(e.value, where, e.key, e.line))
    elif kind == "date":
        setattr(sheet, fld.name, dt.date.fromisoformat(date_text(e.value, where, e.key, True, e.line)))
    elif kind == "partial_date":
        setattr(sheet, fld.name, date_text(e.value, where, e.key, False, e.line))
    elif kind == "email":
        setattr(sheet, fld.name, email(e.value, where, e.key, e.line))
    elif kind == "url":
        setattr(sheet, fld.name, web_url(e.value, where, e.key, e.line))
    elif kind == "records":

        setattr(sheet, fld.name, read_records(e, fld, lang, where))
    else:  # a kind the model gained without a reader here
        raise AssertionError(f"no sheet reader for kind {kind!r}")


def list_expected(e: Entry, where: Where) -> GrapheError:
    if e.cell:
        return where.error(e.key, f"« {e.value} » : séparez les valeurs par « | » "
                           "(par exemple « ai | mobility »).",
                           f"'{e.value}': separate the values with '|' (for example 'ai | mobility').", e.line)
    return where.error(e.key, f"« {e.value} » : plusieurs valeurs s'écrivent en liste YAML (par exemple "
                       "[ai, mobility]).", f"'{e.value}': several values are written as a YAML list (for example "
                       "[ai, mobility]).", e.line)


def identify(sheet: Sheet, e: Entry, where: Where) -> None:
    value = ref(e.value, where, e.key, e.line)
    if _SLUG.match(value):
        slug, iri = value, None
    else:
        iri = value
        slug = value.rstrip("/").rsplit("/", 1)[-1] or None
        if slug is not None and not _SLUG.match(slug):
            slug = None
    if sheet.slug is not None and slug != sheet.slug:
        raise where.error(e.key, f"l'IRI « {value} » ne correspond pas à l'identifiant « {sheet.slug} ».",
                          f"the IRI '{value}' does not match the identifier '{sheet.slug}'.", e.line)
    sheet.iri, sheet.slug = iri, slug


def texts(e: Entry, lang: str, where: Where) -> list[tuple[str, str, int | None]]:
    """A text field's values: a text (in `lang`), or, for a key without a language, a mapping lang → text."""
    value = e.value
    if isinstance(value, dict) and not e.key.lower().startswith(tuple(f"{n}_" for n in MULTILINGUAL)):
        out = []
        for k, v in value.items():
            line = e.item_lines.get(k, e.line)
            tag = lang_tag(k, where, e.key, line)
            if v is None or (isinstance(v, str) and not v.strip()):
                continue
            if not isinstance(v, str):
                raise wrong_type(where, f"{e.key}.{k}", "un texte", "a text", v, line)
            out.append((tag, v.strip(), line))
        return out
    if not isinstance(value, str):
        raise wrong_type(where, e.key, "un texte (ou, sans langue dans le nom, un dictionnaire langue → texte)",
                         "a text (or, with no language in the key, a mapping language → text)", value, e.line)
    return [(lang, value.strip(), e.line)]


def keyword_lists(e: Entry, lang: str, where: Where) -> list[tuple[str, list[str], int | None]]:
    value = e.value
    if isinstance(value, dict) and "_" not in e.key:
        out = []
        for k, v in value.items():
            line = e.item_lines.get(k, e.line)
            words = word_list(Entry(f"{e.key}.{k}", v, line, cell=e.cell), where)
            if words:
                out.append((lang_tag(k, where, e.key, line), words, line))
        return out
    words = word_list(e, where)
    return [(lang, words, e.line)] if words else []


def word_list(e: Entry, where: Where) -> list[str]:
    out = []
    for v, line in items(e, where):
        if not isinstance(v, str):
            raise wrong_type(where, e.key, "un mot-clé (texte)", "a keyword (text)", v, line)
        out.append(v.strip())
    return unique(w for w in out if w)


def items(e: Entry, where: Where) -> list[tuple[Any, int | None]]:
    """The values of a list field: a YAML list, a single text, or a CSV cell joined by "|"."""
    value = e.value
    if isinstance(value, str):
        parts = value.split("|") if e.cell else [value]
        return [(p.strip(), e.line) for p in parts if p.strip()]
    if isinstance(value, list):
        out = []
        for i, v in enumerate(value):
            line = e.item_lines.get(i, e.line)
            if isinstance(v, (list, dict)):
                raise wrong_type(where, e.key, "un texte pour chaque élément", "a text for each item", v, line)
            if v is not None:
                out.append((v, line))
        return out
    raise wrong_type(where, e.key, "une liste", "a list", value, e.line)


def unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


