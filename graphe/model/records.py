"""A practice's records (indicators, costs, partnerships: `records` fields of `model/practice.py`) in one CSV cell.

Records are separated by ` | `, a record's parts by ` ; `, each part written `key=value`; text parts carry their
language in the key (`name_fr=…`, `name_en=…`). A `|`, `;`, `=` or `\\` inside a value is written `\\|`, `\\;`,
`\\=`, `\\\\`, so that any text goes through a spreadsheet and back. The export (`read/exports.py`) writes it and
`graphe import` (`ingest/records.py`) reads it: both sides live here, below both.

    name_fr=Repas gaspillés ; value=6.5 ; unit=% ; baseline=9.6 | name_fr=Repas évités ; value=430
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .practice import Field

RECORD_SEPARATOR, PART_SEPARATOR, EQUALS, ESCAPE = "|", ";", "=", "\\"
_SPECIAL = (RECORD_SEPARATOR, PART_SEPARATOR, EQUALS, ESCAPE)


def record_order(iri: str) -> tuple[int, str]:
    """Records in their sheet's order: `…/cost/2` before `…/cost/10` (their IRIs' number, not their text)."""
    last = iri.rsplit("/", 1)[-1]
    return (int(last), iri) if last.isdigit() else (1 << 30, iri)


class CellError(ValueError):
    """A cell that is not `key=value ; …`: the French and English reasons."""

    def __init__(self, fr: str, en: str) -> None:
        super().__init__(en)
        self.fr, self.en = fr, en


def escape(text: str) -> str:
    return "".join(ESCAPE + c if c in _SPECIAL else c for c in text)


def write_cell(fld: Field, records: Sequence[Mapping[str, Any]]) -> str:
    """The cell of a field's records (each a mapping part → value; text parts a mapping lang → text)."""
    out = []
    for record in records:
        parts = []
        for part in fld.parts:
            value = record.get(part.name)
            if value in (None, "", {}):
                continue
            if part.multilingual:
                for lang in sorted(value, key=lambda tag: (tag != "fr", tag != "en", tag)):
                    parts.append(f"{part.name}_{lang}{EQUALS}{escape(value[lang])}")
            else:
                parts.append(f"{part.name}{EQUALS}{escape(str(value))}")
        if parts:
            out.append(f" {PART_SEPARATOR} ".join(parts))
    return f" {RECORD_SEPARATOR} ".join(out)


def read_cell(text: str) -> list[list[tuple[str, str]]]:
    """The records of a cell, each a list of (key, value) as written (trimmed, escapes undone); CellError if a
    part has no `=` or no key. A `\\` before any other character is kept as it is."""
    records: list[list[tuple[str, str]]] = []
    record: list[tuple[str, str]] = []
    key: list[str] | None = None  # the key read so far, once its `=` is met
    current: list[str] = []
    raw_part: list[str] = []  # the part as written, to quote it in an error

    def end_part() -> None:
        nonlocal key, current, raw_part
        written = "".join(raw_part).strip()
        if key is None:
            if written:
                raise CellError(f"« {written} » : chaque élément s'écrit clé=valeur (par exemple value=6.5).",
                                f"'{written}': each part is written key=value (for example value=6.5).")
        else:
            name = "".join(key).strip()
            if not name:
                raise CellError(f"« {written} » : clé manquante avant « = ».",
                                f"'{written}': key missing before '='.")
            record.append((name, "".join(current).strip()))
        key, current, raw_part = None, [], []

    i = 0
    while i < len(text):
        c = text[i]
        if c == ESCAPE and i + 1 < len(text) and text[i + 1] in _SPECIAL:
            current.append(text[i + 1])
            raw_part.append(text[i:i + 2])
            i += 2
            continue
        if c == EQUALS and key is None:
            key, current = current, []
        elif c == PART_SEPARATOR:
            end_part()
        elif c == RECORD_SEPARATOR:
            end_part()
            if record:
                records.append(record)
            record = []
        else:
            current.append(c)
        if c not in (PART_SEPARATOR, RECORD_SEPARATOR):
            raw_part.append(c)
        i += 1
    end_part()
    if record:
        records.append(record)
    return records
