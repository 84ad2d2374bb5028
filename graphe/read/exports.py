"""Dumps of the published graph (one file per format and revision, made once) and the CSV of practices."""
from __future__ import annotations

import csv
import gzip
import io
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from ..core import rdf
from .filters import PRACTICE_STATUS, PracticeFilter, practice_query
from ..core.rdf import PREFIXES
from ..model import practice
from ..model.namespaces import GR
from ..store import Store

DUMP_FORMATS = ("ttl", "nt", "jsonld", "rdf")
DCT, SCHEMA, DCAT = PREFIXES["dct"], PREFIXES["schema"], PREFIXES["dcat"]

# The CSV of practices (`model.practice.CSV_COLUMNS`): stable IRIs first; multi-valued cells joined by " | ".
# `graphe.ingest.sheets_csv.parse_csv` reads it back (city_name, country and modified are read-only).
CSV_COLUMNS = list(practice.CSV_COLUMNS)
SEPARATOR = " | "
STATUS_CODES = {iri: code for code, iri in PRACTICE_STATUS.items()}


class Dumps:
    """Each format of the published graph, written once per revision from one consistent read."""

    def __init__(self, store: Store, folder: Path | None) -> None:
        self.store = store
        self._own = folder is None
        self.folder = Path(tempfile.mkdtemp(prefix="graphe-exports-")) if folder is None else folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def path(self, fmt_name: str, gz: bool = False) -> tuple[Path, int]:
        """The file of `fmt_name` (gzipped or not) for the current revision, made if missing."""
        fmt = rdf.format_named(fmt_name)
        with self._lock:
            while True:
                revision = self.store.revision().number
                folder = self.folder / f"rev-{revision}"
                target = folder / (f"graphe.{fmt.name}" + (".gz" if gz else ""))
                if target.exists():
                    return target, revision
                folder.mkdir(parents=True, exist_ok=True)
                tmp = target.with_name(target.name + ".partial")
                with tmp.open("wb") as raw:
                    out = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) if gz else raw
                    self.store.dump(out, fmt, self.store.graphs.public)
                    if gz:
                        out.close()
                if self.store.revision().number != revision:  # a write landed meanwhile: dump again
                    tmp.unlink()
                    continue
                tmp.replace(target)
                self._prune(revision)
                return target, revision

    def _prune(self, keep: int) -> None:
        for folder in self.folder.glob("rev-*"):
            if folder.name != f"rev-{keep}":
                shutil.rmtree(folder, ignore_errors=True)

    def close(self) -> None:
        if self._own:
            shutil.rmtree(self.folder, ignore_errors=True)


# column → (predicate, language): one value per practice (a language-tagged text in exactly that language), and
# column → (predicate, language): every value, joined by " | "; both from the practice model.
_CSV_ONE: dict[str, tuple[str, str | None]] = {"modified": (DCT + "modified", None)}
_CSV_MANY: dict[str, tuple[str, str | None]] = {}
for _column in CSV_COLUMNS:
    if (_found := practice.csv_column(_column)) is not None:
        (_CSV_MANY if _found[0].many else _CSV_ONE)[_column] = (_found[0].predicate, _found[1])


def _csv_query(where: str) -> str:
    """One query (one consistent read). Single values are sampled in one group; each multi-valued column is
    grouped in its own sub-select, so that they do not multiply each other's rows."""
    def lang(var: str, tag: str | None) -> str:
        return f' FILTER(lang(?{var}) = "{tag}")' if tag else ""

    one = [(col, f"v{i}", pred, tag) for i, (col, (pred, tag)) in enumerate(_CSV_ONE.items())]
    many = [(col, f"m{i}", pred, tag) for i, (col, (pred, tag)) in enumerate(_CSV_MANY.items())]
    samples = " ".join(f"(SAMPLE(?{v}_) AS ?{v})" for _, v, _, _ in one)
    optionals = " ".join(f"OPTIONAL {{ ?s <{pred}> ?{v}_{lang(v + '_', tag)} }}" for _, v, pred, tag in one)
    city = ('OPTIONAL { ?s <' + GR.city + '> ?cityRef OPTIONAL { ?cityRef <' + SCHEMA + 'addressCountry> ?cc_ } '
            'OPTIONAL { ?cityRef <' + SCHEMA + 'name> ?cname_ FILTER(lang(?cname_) = "fr") } }')
    groups = " ".join(
        f'OPTIONAL {{ SELECT ?s (GROUP_CONCAT(DISTINCT STR(?{v}_); separator="{SEPARATOR}") AS ?{v}) '
        f"WHERE {{ ?s <{pred}> ?{v}_{lang(v + '_', tag)} }} GROUP BY ?s }}" for _, v, pred, tag in many)
    return (f"SELECT * WHERE {{ {{ SELECT ?s {samples} (SAMPLE(?cc_) AS ?cc) (SAMPLE(?cname_) AS ?cname) "
            f"WHERE {{ {where} {optionals} {city} }} GROUP BY ?s }} {groups} }} ORDER BY ?s")


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: str) -> str:
    """A cell a spreadsheet would run as a formula (`=HYPERLINK(…)`) is written with a leading apostrophe
    (OWASP CSV injection); `graphe import` removes it again (`unescape_cell`)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def unescape_cell(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


def practices_csv(store: Store, flt: PracticeFilter) -> Iterator[str]:
    """CSV text of the practices matching `flt` (the GraphQL filters), one row each, ordered by IRI."""
    where = practice_query(flt, "ID", False, ()).where()
    rows = store.select(_csv_query(where))
    variables = {col: f"v{i}" for i, col in enumerate(_CSV_ONE)}
    variables.update({col: f"m{i}" for i, col in enumerate(_CSV_MANY)})
    variables.update({"iri": "s", "city_name": "cname", "country": "cc"})
    names = [variables[col] for col in CSV_COLUMNS]
    status = CSV_COLUMNS.index("status")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        values = [row[n].value if n in row else "" for n in names]
        values[status] = STATUS_CODES.get(values[status], values[status])
        writer.writerow([escape_cell(v) for v in values])
        yield buffer.getvalue()
