"""Good-practice sheets sent as files: one practice per Markdown file (YAML header), or a CSV of practices.

Both formats parse into one value, `Sheet`; `sheet_quads` turns a sheet into the triples of `ontology/MODEL.md`
(Practice). Every *format* problem raises `GrapheError("SHEET_INVALID", …)` naming the file, the line and the
field, French first; *semantic* checks (does the city exist, mandatory properties) are left to SHACL.
The documented format is `docs/sheets.md`. The CSV reader is in `sheets_csv.py`.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, make_dataclass
from typing import Any

from ..core.errors import GrapheError
from ..core.rdf import NamedNode
from ..model.practice import BY_NAME, FIELDS, Field as PracticeField
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

_LANG = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$")
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")  # the shape's pattern
# C0 controls (but tab, LF, CR), lone surrogates, U+FFFE/U+FFFF: no RDF/XML export could carry them.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FOLD = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O", "đ": "d",
                       "Đ": "D", "ł": "l", "Ł": "L", "ı": "i"})


# --------------------------------------------------------------------------------------------- errors

def invalid(file: str, line: int | None, fld: str | None, fr: str, en: str, **extra: Any) -> GrapheError:
    """A SHEET_INVALID error: "fichier, ligne N, champ « f » : message", details file/line/field."""
    where_fr, where_en = file, file
    if line:
        where_fr, where_en = f"{where_fr}, ligne {line}", f"{where_en}, line {line}"
    if fld:
        where_fr, where_en = f"{where_fr}, champ « {fld} »", f"{where_en}, field '{fld}'"
    return GrapheError("SHEET_INVALID", f"{where_fr} : {fr}", f"{where_en}: {en}",
                       {"file": file, "line": line, "field": fld, **extra})


@dataclass
class Where:
    """Where a value comes from, to name it in an error."""
    file: str
    line: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def error(self, fld: str | None, fr: str, en: str, line: int | None = None) -> GrapheError:
        return invalid(self.file, line or self.line, fld, fr, en, **self.extra)


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


def hint(key: str, known: Iterable[str]) -> tuple[str, str]:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    if close:
        return f" Vouliez-vous dire « {close[0]} » ?", f" Did you mean '{close[0]}'?"
    return "", ""


# --------------------------------------------------------------------------------------------- values

def slugify(title: str, max_length: int = 80) -> str:
    """ASCII slug of a title: accents folded, lower case, hyphens.

    "Nantes Débat de l'IA" → "nantes-debat-de-l-ia"."""
    text = unicodedata.normalize("NFKD", title.translate(_FOLD))
    text = "".join(c for c in text if not unicodedata.combining(c)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] if "-" in slug[:max_length] else slug[:max_length]
    return slug


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


def lang_tag(value: Any, where: Where, fld: str, line: int | None = None) -> str:
    tag = value.strip().lower() if isinstance(value, str) else None
    if not tag or not _LANG.match(tag):
        raise where.error(fld, f"étiquette de langue invalide « {value} » (par exemple fr, en, fr-ca).",
                          f"invalid language tag '{value}' (for example fr, en, fr-ca).", line)
    return tag


def ref(value: Any, where: Where, fld: str, line: int | None = None) -> str:
    """A reference: a slug (`nantes`), an absolute IRI, or an IRI relative to the base (`id/city/nantes`)."""
    if not isinstance(value, str):
        raise where.error(fld, f"identifiant (slug) ou IRI attendu, pas {kind_of(value)}.",
                          f"an identifier (slug) or IRI expected, not {kind_of_en(value)}.", line)
    text = value.strip()
    if _SLUG.match(text):
        return text
    if text.startswith("id/") or _SCHEME.match(text):
        try:
            NamedNode(text if _SCHEME.match(text) else "https://example.org/" + text)
            return text
        except ValueError:
            pass
    fr_hint = f" : par exemple « {slugify(text)} »" if slugify(text) else ""
    en_hint = f": for example '{slugify(text)}'" if slugify(text) else ""
    raise where.error(fld, f"« {text} » n'est ni un identifiant (minuscules, chiffres, tirets{fr_hint}), ni une IRI.",
                      f"'{text}' is neither an identifier (lower case, digits, hyphens{en_hint}) nor an IRI.", line)


def resolve(value: str, kind: str, base_iri: str) -> NamedNode:
    if _SCHEME.match(value):
        return NamedNode(value)
    if value.startswith("id/"):
        return NamedNode(base_iri + value)
    return NamedNode(f"{base_iri}id/{kind}/{value}")


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


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in text if not unicodedata.combining(c)).lower().strip()


def date_text(value: Any, where: Where, fld: str, full: bool, line: int | None = None) -> str:
    """A date YYYY-MM-DD (or, unless `full`, YYYY-MM or YYYY), checked against the calendar."""
    original = value
    if isinstance(value, bool):
        value = None
    elif isinstance(value, dt.datetime):
        value = None
    elif isinstance(value, dt.date):
        value = value.isoformat()
    elif isinstance(value, int):
        value = f"{value:04d}" if 0 < value < 10000 else None
    text = value.strip() if isinstance(value, str) else ""
    m = _DATE.match(text)
    ok = bool(m) and (not full or m.group(3) is not None)
    if ok and m:
        year, month, day = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
        try:
            ok = year > 0 and bool(dt.date(year, month, day))
        except ValueError:
            ok = False
    if not ok:
        wanted_fr = "AAAA-MM-JJ" if full else "AAAA-MM-JJ, AAAA-MM ou AAAA"
        wanted_en = "YYYY-MM-DD" if full else "YYYY-MM-DD, YYYY-MM or YYYY"
        raise where.error(fld, f"date invalide « {original} » (format attendu : {wanted_fr}).",
                          f"invalid date '{original}' (expected format: {wanted_en}).", line)
    return text


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


_KINDS: tuple[tuple[type | tuple[type, ...] | None, str, str], ...] = (
    (dict, "un dictionnaire", "a mapping"), ((set, frozenset), "un ensemble", "a set"),
    ((list, tuple), "une liste", "a list"), (bool, "un booléen", "a boolean"),  # bool before int: a bool is an int
    ((int, float), "un nombre", "a number"), (None, "une valeur vide", "an empty value"), (str, "un texte", "a text"),
)


def _kind(value: Any, english: bool) -> str:
    for kind, fr, en in _KINDS:
        if (value is None) if kind is None else isinstance(value, kind):
            return en if english else fr
    name = type(value).__name__
    return f"a value of type {name}" if english else f"une valeur de type {name}"


def kind_of(value: Any) -> str:
    """What a value is, in French, for error messages (« une liste »)."""
    return _kind(value, False)


def kind_of_en(value: Any) -> str:
    return _kind(value, True)


# --------------------------------------------------------------------------------------------- building

@dataclass
class Entry:
    """One key of a header or one cell of a CSV row, with where it is."""
    key: str
    value: Any
    line: int | None
    item_lines: dict[Any, int] = field(default_factory=dict)  # list index or mapping key → line
    cell: bool = False  # a CSV cell: lists are joined by "|"


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
        from .records import read_records  # (records reads its parts with this module's readers)

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


def wrong_type(where: Where, fld: str, wanted_fr: str, wanted_en: str, value: Any, line: int | None) -> GrapheError:
    return where.error(fld, f"type incorrect : il faut {wanted_fr}, pas {kind_of(value)}.",
                       f"wrong type: {wanted_en} expected, not {kind_of_en(value)}.", line)


def unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


