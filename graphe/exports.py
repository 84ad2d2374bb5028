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

from . import rdf
from .filters import PRACTICE_STATUS, PracticeFilter, practice_query
from .rdf import GR, PREFIXES
from .store import Store

DUMP_FORMATS = ("ttl", "nt", "jsonld", "rdf")
DCT, SCHEMA, DCAT = PREFIXES["dct"], PREFIXES["schema"], PREFIXES["dcat"]

# The CSV of practices: stable IRIs first; multi-valued cells joined by " | ". `graphe import` reads it back.
CSV_COLUMNS = ["iri", "title_fr", "title_en", "summary_fr", "summary_en", "city", "city_name", "country", "themes",
               "status", "issued", "modified", "url", "adapted_from", "inspired_by", "charters", "keywords_fr"]
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


def practices_csv(store: Store, flt: PracticeFilter) -> Iterator[str]:
    """CSV text of the practices matching `flt` (the GraphQL filters), one row each, ordered by IRI."""
    where = practice_query(flt, "ID", False, ()).where()
    rows = store.select(f"""SELECT ?s
        (SAMPLE(?tfr) AS ?title_fr) (SAMPLE(?ten) AS ?title_en) (SAMPLE(?afr) AS ?summary_fr)
        (SAMPLE(?aen) AS ?summary_en) (SAMPLE(?city) AS ?c) (SAMPLE(?cname) AS ?city_name)
        (SAMPLE(?country) AS ?cc) (GROUP_CONCAT(DISTINCT STR(?theme); separator="{SEPARATOR}") AS ?themes)
        (SAMPLE(?status) AS ?st) (SAMPLE(?issued) AS ?iss) (SAMPLE(?modified) AS ?mod) (SAMPLE(?url) AS ?u)
        (GROUP_CONCAT(DISTINCT STR(?from); separator="{SEPARATOR}") AS ?adapted_from)
        (GROUP_CONCAT(DISTINCT STR(?insp); separator="{SEPARATOR}") AS ?inspired_by)
        (GROUP_CONCAT(DISTINCT STR(?charter); separator="{SEPARATOR}") AS ?charters)
        (GROUP_CONCAT(DISTINCT STR(?kw); separator="{SEPARATOR}") AS ?keywords)
      WHERE {{ {where}
        OPTIONAL {{ ?s <{DCT}title> ?tfr FILTER(langMatches(lang(?tfr), "fr")) }}
        OPTIONAL {{ ?s <{DCT}title> ?ten FILTER(langMatches(lang(?ten), "en")) }}
        OPTIONAL {{ ?s <{DCT}abstract> ?afr FILTER(langMatches(lang(?afr), "fr")) }}
        OPTIONAL {{ ?s <{DCT}abstract> ?aen FILTER(langMatches(lang(?aen), "en")) }}
        OPTIONAL {{ ?s <{GR}city> ?city OPTIONAL {{ ?city <{SCHEMA}addressCountry> ?country }}
                   OPTIONAL {{ ?city <{SCHEMA}name> ?cname FILTER(langMatches(lang(?cname), "fr")) }} }}
        OPTIONAL {{ ?s <{DCT}subject> ?theme }}
        OPTIONAL {{ ?s <{GR}status> ?status }}
        OPTIONAL {{ ?s <{DCT}issued> ?issued }}
        OPTIONAL {{ ?s <{DCT}modified> ?modified }}
        OPTIONAL {{ ?s <{SCHEMA}url> ?url }}
        OPTIONAL {{ ?s <{GR}adaptedFrom> ?from }}
        OPTIONAL {{ ?s <{GR}inspiredBy> ?insp }}
        OPTIONAL {{ ?s <{GR}appliesCharter> ?charter }}
        OPTIONAL {{ ?s <{DCAT}keyword> ?kw FILTER(langMatches(lang(?kw), "fr")) }}
      }} GROUP BY ?s ORDER BY ?s""")
    names = ["s", "title_fr", "title_en", "summary_fr", "summary_en", "c", "city_name", "cc", "themes", "st",
             "iss", "mod", "u", "adapted_from", "inspired_by", "charters", "keywords"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        values = [row[n].value if n in row else "" for n in names]
        values[9] = STATUS_CODES.get(values[9], values[9])
        writer.writerow(values)
        yield buffer.getvalue()
