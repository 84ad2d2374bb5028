"""CSV of practices: what `GET /export/practices.csv` writes (graphe.model.practice.CSV_COLUMNS) read back as sheets.

`iri` first (empty for a new practice), multi-valued cells joined by " | ", status as a code. Read-only
columns (`city_name`, `country`, `modified`) are ignored. UTF-8 with or without BOM, `;` or `,` (sniffed
from the header line), CRLF or LF. A spreadsheet row number names each sheet: "pratiques.csv:4".
"""
from __future__ import annotations

import csv
import io

from ..model.practice import CSV_COLUMNS, READ_ONLY_COLUMNS as READ_ONLY
from ..read.exports import unescape_cell
from .sheets import Entry, Sheet, Where, build, check_text, hint, invalid, known_keys, split_key

REQUIRED = ("iri", "title_fr")
MAX_CSV_CHARS = 50_000_000


def parse_csv(text: str, name: str) -> list[Sheet]:
    """One sheet per non-empty row; raise SHEET_INVALID naming the file, line (and row) and column."""
    text = text.removeprefix("\ufeff")
    check_text(text, name, limit=MAX_CSV_CHARS)
    if not text.strip():
        raise invalid(name, None, None, "fichier vide.", "empty file.")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise invalid(name, 1, None, f"en-tête CSV illisible — {exc}.",
                      f"unreadable CSV header — {exc}.") from None
    columns = check_header(header, name)
    sheets: list[Sheet] = []
    identities: dict[str, int] = {}
    line, row_number = reader.line_num + 1, 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise invalid(name, line, None, f"ligne CSV illisible — {exc}.", f"unreadable CSV line — {exc}.",
                          row=row_number + 1) from None
        row_number += 1
        where = Where(name, line, {"row": row_number})
        start, line = line, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        extra = [c for c in cells[len(header):] if c.strip()]
        blank = [i for i, col in enumerate(columns) if col is None and i < len(cells) and cells[i].strip()]
        if extra or blank:
            raise where.error(None, f"trop de cellules : {len(cells)} pour {len(header)} colonnes nommées "
                              "(une cellule contient-elle le séparateur sans guillemets ?).",
                              f"too many cells: {len(cells)} for {len(header)} named columns (does a cell hold "
                              "the delimiter without quotes?).", start)
        entries = [Entry(col, unescape_cell(cells[i]), start, cell=True) for i, col in enumerate(columns)
                   if col is not None and col not in READ_ONLY and i < len(cells)]
        sheet = build(entries, where, f"{name}:{row_number}")
        identity = sheet.iri or sheet.slug
        if identity:
            if identity in identities:
                raise where.error("iri", f"la pratique « {identity} » est déjà à la ligne {identities[identity]}.",
                                  f"practice '{identity}' is already on line {identities[identity]}.", start)
            identities[identity] = start
        sheets.append(sheet)
    return sheets


def check_header(header: list[str], name: str) -> list[str | None]:
    """The header's column names (None for a blank, trailing one); unknown, repeated or missing columns refused."""
    columns: list[str | None] = []
    for raw in header:
        col = raw.strip().lower()
        if not col:
            columns.append(None)
            continue
        if col not in READ_ONLY and split_key(col) is None:
            fr_hint, en_hint = hint(col, known_keys(CSV_COLUMNS))
            raise invalid(name, 1, raw, f"colonne inconnue « {raw} ».{fr_hint}", f"unknown column '{raw}'.{en_hint}")
        if col in columns:
            raise invalid(name, 1, raw, "colonne répétée.", "repeated column.")
        columns.append(col)
    for col in REQUIRED:
        if col not in columns:
            raise invalid(name, 1, col, f"colonne obligatoire « {col} » absente (colonnes attendues : "
                          f"{', '.join(CSV_COLUMNS)}).",
                          f"required column '{col}' missing (expected columns: {', '.join(CSV_COLUMNS)}).")
    return columns
