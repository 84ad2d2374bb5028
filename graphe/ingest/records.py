"""A practice's records (`records` fields: outcomes, costs, partner roles) read from any channel — a YAML list of
mappings, a CSV cell (`model/records.py`), a form's rows, a GraphQL input — into one value: a list of mappings
part → value (text parts: lang → text; decimals as canonical text; codes as codes), and into RDF.

Every format problem is a SHEET_INVALID naming the file, line and field (`outcomes[2].value`), French first; a
missing required part is left to the SHACL shapes (as every mandatory property), which name it in French too."""
from __future__ import annotations

import decimal
import re
from collections.abc import Callable
from typing import Any

from ..core.rdf import PREFIXES, RDF_TYPE, Literal, NamedNode, Quad
from ..model.practice import MAX_RECORDS, Field, Part
from ..model.records import CellError, read_cell
from .values import Entry, Where, date_text, fold, hint, lang_tag, ref, resolve, wrong_type

XSD = PREFIXES["xsd"]
MAX_DIGITS = 30  # a decimal's digits: enough for any budget or measure, not a denial of service for Decimal
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_LANG_SUFFIX = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$")
# Codes of a `code` part as people write them, folded (accents, case, "-"/"_" as spaces) → code.
_CODE_NAMES = {
    "one off": "ONE_OFF", "once": "ONE_OFF", "une fois": "ONE_OFF", "ponctuel": "ONE_OFF", "unique": "ONE_OFF",
    "per year": "PER_YEAR", "yearly": "PER_YEAR", "annual": "PER_YEAR", "par an": "PER_YEAR", "annuel": "PER_YEAR",
    "per month": "PER_MONTH", "monthly": "PER_MONTH", "par mois": "PER_MONTH", "mensuel": "PER_MONTH",
}

Record = dict[str, Any]


def read_records(e: Entry, fld: Field, lang: str, where: Where) -> list[Record]:
    """A field's records: a YAML list of mappings (or one mapping), a CSV cell, or values already read."""
    value = e.value
    if isinstance(value, str):
        try:
            cells = read_cell(value)
        except CellError as exc:
            raise where.error(e.key, exc.fr, exc.en, e.line) from None
        value = [dict_of(record, fld, e, where) for record in cells]
    elif isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise wrong_type(where, e.key, "une liste d'enregistrements (clé: valeur)", "a list of records (key: value)",
                         value, e.line)
    if len(value) > MAX_RECORDS:
        raise where.error(e.key, f"{len(value)} enregistrements : {MAX_RECORDS} au plus.",
                          f"{len(value)} records: at most {MAX_RECORDS}.", e.line)
    out = []
    for i, item in enumerate(value, 1):
        line = e.item_lines.get(i - 1, e.line)
        if item is None:
            continue
        if not isinstance(item, dict):
            raise wrong_type(where, f"{e.key}[{i}]", "un enregistrement (clé: valeur)", "a record (key: value)",
                             item, line)
        record = read_record(item, fld, lang, Where(where.file, where.line, {**where.extra, "record": i}),
                             f"{e.key}[{i}]", line)
        if record:
            out.append(record)
    return out


def dict_of(pairs: list[tuple[str, str]], fld: Field, e: Entry, where: Where) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key.lower() in out:
            raise where.error(e.key, f"« {key} » est donné deux fois dans un même enregistrement.",
                              f"'{key}' is given twice in one record.", e.line)
        out[key.lower()] = value
    return out


def read_record(item: dict, fld: Field, lang: str, where: Where, name: str, line: int | None,
                label_of: Callable[[str], str] | None = None) -> Record:
    """One record's parts, each checked by its kind; unknown keys refused with a hint. Errors name the part
    `label_of(key)` (a form names its own boxes), by default `{name}.{key}` ("outcomes[2].value")."""
    record: Record = {}
    by_name = {p.name: p for p in fld.parts}
    for key, value in item.items():
        text_key = str(key).strip().lower()
        part_name, tag = text_key, None
        if text_key not in by_name:
            base, _, suffix = text_key.partition("_")
            if base in by_name and by_name[base].multilingual and _LANG_SUFFIX.match(suffix):
                part_name, tag = base, suffix
            else:
                keys = [p.name for p in fld.parts] + [f"{p.name}_{t}" for p in fld.parts if p.multilingual
                                                      for t in ("fr", "en")]
                fr_hint, en_hint = hint(text_key, keys)
                raise where.error(name, f"clé inconnue « {key} » (clés admises : {', '.join(keys)}).{fr_hint}",
                                  f"unknown key '{key}' (allowed keys: {', '.join(keys)}).{en_hint}", line)
        if value is None or (isinstance(value, str) and not value.strip()) or value == {}:
            continue
        part = by_name[part_name]
        where_part = Where(where.file, where.line, {**where.extra, "part": part.name})
        label = label_of(text_key) if label_of is not None else f"{name}.{text_key}"
        if part.multilingual:
            texts = record.setdefault(part.name, {})
            for t, text in part_texts(value, tag or lang, where_part, label, line, tag is not None):
                if t in texts:
                    raise where_part.error(label, f"« {part.name} » en langue « {t} » est donné deux fois.",
                                           f"'{part.name}' in language '{t}' is given twice.", line)
                texts[t] = text
        else:
            record[part.name] = READERS[part.kind](value, part, where_part, label, line)
    return record


def part_texts(value: Any, lang: str, where: Where, label: str, line: int | None,
               tagged: bool) -> list[tuple[str, str]]:
    if isinstance(value, dict) and not tagged:
        out = []
        for k, v in value.items():
            if v is None or (isinstance(v, str) and not v.strip()):
                continue
            if not isinstance(v, str):
                raise wrong_type(where, f"{label}.{k}", "un texte", "a text", v, line)
            out.append((lang_tag(k, where, label, line), v.strip()))
        return out
    if not isinstance(value, str):
        raise wrong_type(where, label, "un texte (ou un dictionnaire langue → texte)",
                         "a text (or a mapping language → text)", value, line)
    return [(lang_tag(lang, where, label, line), value.strip())]


def decimal_text(value: Any, part: Part, where: Where, label: str, line: int | None) -> str:
    """A number as canonical xsd:decimal text ("9.6", "430", "-0.5"): YAML numbers, "9,6", "1 200 000"."""
    text = ""
    if isinstance(value, bool):
        text = ""
    elif isinstance(value, (int, float)):
        text = repr(value)
    elif isinstance(value, str):
        text = re.sub(r"[\s\u00a0\u202f]", "", value)
        if "," in text and "." not in text and text.count(",") == 1:
            text = text.replace(",", ".")  # the French decimal comma
    try:
        number = decimal.Decimal(text) if (_NUMBER.match(text) or re.fullmatch(r"[+-]?\d+(\.\d+)?e[+-]?\d+", text,
                                                                               re.I)) else None
    except decimal.InvalidOperation:
        number = None
    if number is None or not number.is_finite() or len(number.as_tuple().digits) > MAX_DIGITS \
            or abs(number.as_tuple().exponent) > MAX_DIGITS:  # type: ignore[arg-type]
        raise where.error(label, f"nombre invalide « {value} » (par exemple 6.5, 430 ou 1200000).",
                          f"invalid number '{value}' (for example 6.5, 430 or 1200000).", line)
    out = format(number, "f")
    if "." in out:
        out = out.rstrip("0").rstrip(".")
    return "0" if out in ("-0", "+0", "") else out.lstrip("+")


def plain_text(value: Any, part: Part, where: Where, label: str, line: int | None) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise wrong_type(where, label, "un texte", "a text", value, line)
    return str(value).strip()


def partial_date(value: Any, part: Part, where: Where, label: str, line: int | None) -> str:
    return date_text(value, where, label, False, line)


def currency(value: Any, part: Part, where: Where, label: str, line: int | None) -> str:
    text = value.strip().upper() if isinstance(value, str) else ""
    if not _CURRENCY.match(text):
        raise where.error(label, f"devise invalide « {value} » : un code ISO 4217 de trois lettres "
                          "(EUR, XOF, CAD…).",
                          f"invalid currency '{value}': an ISO 4217 code of three letters (EUR, XOF, CAD…).", line)
    return text


def code(value: Any, part: Part, where: Where, label: str, line: int | None) -> str:
    codes = part.codes()
    if isinstance(value, str):
        text = value.strip()
        if text in codes.values():
            return next(c for c, iri in codes.items() if iri == text)
        name = " ".join(re.sub(r"[-_]", " ", fold(text)).split())
        found = name.upper().replace(" ", "_") if name.upper().replace(" ", "_") in codes else _CODE_NAMES.get(name)
        if found in codes:
            return found
    allowed = ", ".join(codes)
    raise where.error(label, f"valeur inconnue « {value} » (valeurs admises : {allowed}).",
                      f"unknown value '{value}' (allowed values: {allowed}).", line)


def reference(value: Any, part: Part, where: Where, label: str, line: int | None) -> str:
    return ref(value, where, label, line)


READERS: dict[str, Callable[[Any, Part, Where, str, int | None], str]] = {
    "decimal": decimal_text, "string": plain_text, "partial_date": partial_date, "currency": currency,
    "code": code, "ref": reference}


def date_literal(value: str) -> Literal:
    """A date of the sheets (YYYY-MM-DD, YYYY-MM or YYYY) as its XSD literal (used by `sheets_rdf` too)."""
    kind = {10: "date", 7: "gYearMonth", 4: "gYear"}[len(value)]
    return Literal(value, datatype=NamedNode(PREFIXES["xsd"] + kind))


def record_quads(practice: NamedNode, fld: Field, records: list[Record], base_iri: str) -> list[Quad]:
    """The records as resources named under the practice ({practice}/{segment}/{n}, in their order), typed,
    linked from it."""
    out = []
    for n, record in enumerate(records, 1):
        r = NamedNode(f"{practice.value}/{fld.segment}/{n}")
        out += [Quad(practice, NamedNode(fld.predicate), r), Quad(r, RDF_TYPE, NamedNode(fld.record_class or ""))]
        for part in fld.parts:
            value = record.get(part.name)
            if value in (None, "", {}):
                continue
            p = NamedNode(part.predicate)
            if part.multilingual:
                out += [Quad(r, p, Literal(text, language=lang)) for lang, text in value.items()]
            elif part.kind == "decimal":
                out.append(Quad(r, p, Literal(value, datatype=NamedNode(XSD + "decimal"))))
            elif part.kind == "partial_date":
                out.append(Quad(r, p, date_literal(value)))
            elif part.kind == "code":
                out.append(Quad(r, p, NamedNode(part.codes()[value])))
            elif part.kind == "ref":
                out.append(Quad(r, p, resolve(value, part.target or "", base_iri)))
            else:
                out.append(Quad(r, p, Literal(value)))
    return out


def checked(records: Any, fld: Field, where: Where) -> list[Record]:
    """Records built by hand (a GraphQL input, a test) checked as a parsed sheet's are."""
    return read_records(Entry(fld.name, records, None), fld, "fr", where)
