"""The values of good-practice sheets, shared by every reader (`sheets`, `records`, the forms): where a value
comes from and the SHEET_INVALID error naming it, languages, references, dates, slugs, and what a value is in
words for error messages. French first, English complete."""
from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import GrapheError
from ..core.rdf import NamedNode


_LANG = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$")


_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$")


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


_FOLD = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O", "đ": "d",
                       "Đ": "D", "ł": "l", "Ł": "L", "ı": "i"})


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


def hint(key: str, known: Iterable[str]) -> tuple[str, str]:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    if close:
        return f" Vouliez-vous dire « {close[0]} » ?", f" Did you mean '{close[0]}'?"
    return "", ""


def slugify(title: str, max_length: int = 80) -> str:
    """ASCII slug of a title: accents folded, lower case, hyphens.

    "Nantes Débat de l'IA" → "nantes-debat-de-l-ia"."""
    text = unicodedata.normalize("NFKD", title.translate(_FOLD))
    text = "".join(c for c in text if not unicodedata.combining(c)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] if "-" in slug[:max_length] else slug[:max_length]
    return slug


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


@dataclass
class Entry:
    """One key of a header or one cell of a CSV row, with where it is."""
    key: str
    value: Any
    line: int | None
    item_lines: dict[Any, int] = field(default_factory=dict)  # list index or mapping key → line
    cell: bool = False  # a CSV cell: lists are joined by "|"


def wrong_type(where: Where, fld: str, wanted_fr: str, wanted_en: str, value: Any, line: int | None) -> GrapheError:
    return where.error(fld, f"type incorrect : il faut {wanted_fr}, pas {kind_of(value)}.",
                       f"wrong type: {wanted_en} expected, not {kind_of_en(value)}.", line)
