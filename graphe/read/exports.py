"""Dumps of the published graph (one file per format and revision, made once), the CSV of practices, and what
the Atom feeds read of the practices they list."""
from __future__ import annotations

import csv
import gzip
import io
import itertools
import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from ..core import rdf
from .filters import PRACTICE_STATUS, PracticeFilter, practice_query
from ..core.rdf import PREFIXES, NamedNode, Quad, Triple
from ..model import practice
from ..model.records import record_order, write_cell
from ..model.namespaces import GR
from ..store import Store

# N-Quads carries the graph names: the published data graph and the ontology graph (never a private one).
DUMP_FORMATS = ("ttl", "nt", "nq", "jsonld", "rdf")
DCT, SCHEMA, DCAT, SKOS = PREFIXES["dct"], PREFIXES["schema"], PREFIXES["dcat"], PREFIXES["skos"]
PROV = PREFIXES["prov"]

# The CSV of practices (`model.practice.CSV_COLUMNS`): stable IRIs first; multi-valued cells joined by " | ".
# `graphe.ingest.sheets_csv.parse_csv` reads it back (`practice.READ_ONLY_COLUMNS` are export-only).
CSV_COLUMNS = list(practice.CSV_COLUMNS)
SEPARATOR = " | "
STATUS_CODES = {iri: code for code, iri in PRACTICE_STATUS.items()}
# In the folder name of a revision's dumps: files written before the licence triple are not served again.
LAYOUT = 2


class Dumps:
    """Each format of the published graph, written once per revision from one consistent read. With `dataset`
    and `licence`, every dump also states `<dataset> dct:license <licence>` (in the data graph for N-Quads):
    whoever holds only the file still knows under what terms it may be reused."""

    def __init__(self, store: Store, folder: Path | None, dataset: str | None = None,
                 licence: str | None = None) -> None:
        self.store = store
        self._own = folder is None
        self.folder = Path(tempfile.mkdtemp(prefix="graphe-exports-")) if folder is None else folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self.licence = Triple(NamedNode(dataset), NamedNode(DCT + "license"), NamedNode(licence)) \
            if dataset and licence else None

    def path(self, fmt_name: str, gz: bool = False) -> tuple[Path, int]:
        """The file of `fmt_name` (gzipped or not) for the current revision, made if missing."""
        fmt = rdf.format_named(fmt_name)
        with self._lock:
            while True:
                revision = self.store.revision().number
                folder = self.folder / f"rev-{revision}.{LAYOUT}"
                target = folder / (f"graphe.{fmt.name}" + (".gz" if gz else ""))
                if target.exists():
                    return target, revision
                folder.mkdir(parents=True, exist_ok=True)
                tmp = target.with_name(target.name + ".partial")
                with tmp.open("wb") as raw:
                    out = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) if gz else raw
                    self._write(out, fmt)
                    if gz:
                        out.close()
                if self.store.revision().number != revision:  # a write landed meanwhile: dump again
                    tmp.unlink()
                    continue
                tmp.replace(target)
                self._prune(revision)
                return target, revision

    def _write(self, out: IO[bytes], fmt: rdf.Format) -> None:
        public = self.store.graphs.public
        if self.licence is None:
            self.store.dump(out, fmt, public)
        elif fmt.name in ("ttl", "nt", "nq"):
            # Line formats take one more statement after the store's own (fast) dump.
            self.store.dump(out, fmt, public)
            extra = Quad(*self.licence, public) if fmt.quads else self.licence
            out.write(b"\n" + ox.serialize([extra], format=fmt.ox))
        else:  # JSON-LD and RDF/XML are one document each: the extra triple goes into the same stream
            triples = (Triple(q.subject, q.predicate, q.object) for q in self.store.quads(public))
            ox.serialize(itertools.chain(triples, [self.licence]), out, format=fmt.ox)
        if fmt.quads:
            self.store.dump(out, fmt, self.store.graphs.ontology)

    def _prune(self, keep: int) -> None:
        for folder in self.folder.glob("rev-*"):
            if folder.name != f"rev-{keep}.{LAYOUT}":
                shutil.rmtree(folder, ignore_errors=True)

    def close(self) -> None:
        if self._own:
            shutil.rmtree(self.folder, ignore_errors=True)


# column → (predicate, language): one value per practice (a language-tagged text in exactly that language), and
# column → (predicate, language): every value, joined by " | "; both from the practice model.
_CSV_ONE: dict[str, tuple[str, str | None]] = {"modified": (DCT + "modified", None),
                                               "last_reviewed": (SCHEMA + "lastReviewed", None),
                                               "review_due": (GR.reviewDue, None)}
_CSV_MANY: dict[str, tuple[str, str | None]] = {}
for _column in CSV_COLUMNS:
    if (_found := practice.csv_column(_column)) is not None and _found[0].kind != "records":
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


# Export-only label columns (`model.practice.READ_ONLY_COLUMNS`): the French names of the resources an IRI
# column cites, in the same order, joined the same way — what a spreadsheet reader reads beside the IRIs.
LABEL_COLUMNS = {"themes_labels": "themes", "creator_label": "creator", "contributors_labels": "contributors",
                 "charters_labels": "charters", "adapted_from_labels": "adapted_from",
                 "inspired_by_labels": "inspired_by", "ai_projects_labels": "ai_projects",
                 "sources_labels": "sources"}
LABEL_PREDICATES = (SKOS + "prefLabel", DCT + "title", SCHEMA + "name", "http://xmlns.com/foaf/0.1/name",
                    PREFIXES["rdfs"] + "label")
_LABEL_CHUNK = 500  # IRIs per label query


def labels(store: Store, iris: Iterable[str], langs: Sequence[str] = ("fr", "en", "")) -> dict[str, str]:
    """IRI → its name in the first of `langs` it has ("" is an untagged name), by the first label predicate
    of LABEL_PREDICATES it has; IRIs without a name are left out."""
    wanted = sorted(set(iris))
    found: dict[str, dict[tuple[int, int], str]] = {}
    for start in range(0, len(wanted), _LABEL_CHUNK):
        values = " ".join(f"<{i}>" for i in wanted[start:start + _LABEL_CHUNK])
        predicates = " ".join(f"<{p}>" for p in LABEL_PREDICATES)
        rows = store.select(f"SELECT ?s ?p ?l WHERE {{ VALUES ?s {{ {values} }} VALUES ?p {{ {predicates} }} "
                            f"?s ?p ?l FILTER(isLiteral(?l)) }}")
        for row in rows:
            lang = getattr(row["l"], "language", None) or ""
            if lang in langs:
                rank = (LABEL_PREDICATES.index(row["p"].value), langs.index(lang))
                found.setdefault(row["s"].value, {}).setdefault(rank, row["l"].value)
    return {iri: ranked[min(ranked)] for iri, ranked in found.items()}


def practices_csv(store: Store, flt: PracticeFilter, delimiter: str = ",", bom: bool = False) -> Iterator[str]:
    """CSV text of the practices matching `flt` (the GraphQL filters), one row each, ordered by IRI. A
    spreadsheet asks for `delimiter=";"` and a `bom` (how Excel in French recognises UTF-8 and columns)."""
    where = practice_query(flt, "ID", False, ()).where()
    rows = store.select(_csv_query(where))
    variables = {col: f"v{i}" for i, col in enumerate(_CSV_ONE)}
    variables.update({col: f"m{i}" for i, col in enumerate(_CSV_MANY)})
    variables.update({"iri": "s", "city_name": "cname", "country": "cc"})
    names = [variables.get(col) for col in CSV_COLUMNS]
    status = CSV_COLUMNS.index("status")
    cited = [(CSV_COLUMNS.index(label), CSV_COLUMNS.index(source)) for label, source in LABEL_COLUMNS.items()]
    values_of = [[row[n].value if n is not None and n in row else "" for n in names] for row in rows]
    named = labels(store, (i for values in values_of for _, source in cited
                           for i in values[source].split(SEPARATOR) if i))
    owned = records(store, [values[0] for values in values_of])
    record_columns = [(CSV_COLUMNS.index(f.name), f) for f in practice.RECORD_FIELDS]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yield ("\ufeff" if bom else "") + buffer.getvalue()
    for values in values_of:
        buffer.seek(0)
        buffer.truncate()
        values[status] = STATUS_CODES.get(values[status], values[status])
        for label, source in cited:
            if values[source]:
                values[label] = SEPARATOR.join(named.get(i, "") for i in values[source].split(SEPARATOR))
        for column, fld in record_columns:
            values[column] = write_cell(fld, owned.get((values[0], fld.name), []))
        writer.writerow([escape_cell(v) for v in values])
        yield buffer.getvalue()


# ------------------------------------------------------------------------------------------- Atom feeds

def names_of(store: Store, iri: str, predicate: str) -> dict[str, str]:
    """The names (`predicate`) of one resource by language ("" untagged); empty if it has none (or is unknown)."""
    rows = store.select(f"SELECT ?l WHERE {{ ?x <{predicate}> ?l FILTER(isLiteral(?l)) }}", {"x": NamedNode(iri)})
    return {getattr(r["l"], "language", None) or "": r["l"].value for r in rows}


def city_countries(store: Store) -> frozenset[str]:
    """The country codes of the member cities."""
    return frozenset(r["c"].value for r in store.select(
        f"SELECT DISTINCT ?c WHERE {{ ?x a <{SCHEMA}City> ; <{SCHEMA}addressCountry> ?c }}"))


@dataclass(frozen=True)
class Dated:
    """A practice a feed may list, with what orders it there (xsd literals as text)."""
    iri: str
    issued: str | None
    modified: str | None
    retired: str | None


def practice_dates(store: Store, flt: PracticeFilter) -> list[Dated]:
    """Every practice matching `flt`, retired ones included (a feed says they were retired), with its dates."""
    query = replace(practice_query(flt, "ID", False, ()), include_retired=True)
    rows = store.select(f"""SELECT ?s (SAMPLE(?i_) AS ?i) (SAMPLE(?m_) AS ?m) (SAMPLE(?r_) AS ?r) WHERE {{
        {query.where()} OPTIONAL {{ ?s <{DCT}issued> ?i_ }} OPTIONAL {{ ?s <{DCT}modified> ?m_ }}
        OPTIONAL {{ ?s <{PROV}invalidatedAtTime> ?r_ }} }} GROUP BY ?s""")
    return [Dated(r["s"].value, *(r[k].value if k in r else None for k in ("i", "m", "r"))) for r in rows]


@dataclass
class Digest:
    """What a feed entry shows of a practice: texts by language, the city and the themes with their names."""
    iri: str
    titles: dict[str, str]
    summaries: dict[str, str]
    city: str | None = None
    city_names: dict[str, str] | None = None
    themes: list[tuple[str, dict[str, str]]] | None = None


def practice_digests(store: Store, iris: Sequence[str]) -> dict[str, Digest]:
    """The digests of `iris` (published practices), in two reads whatever their number."""
    public = store.graphs.public
    texts: dict[str, dict[str, dict[str, str]]] = {}
    refs: dict[str, dict[str, list[str]]] = {}
    wanted = {DCT + "title", DCT + "abstract", SCHEMA + "name", SKOS + "prefLabel"}
    for quads in (store.describe([NamedNode(i) for i in iris], public), None):
        if quads is None:  # second pass: the cities and themes the practices cite
            cited = {o for r in refs.values() for p in (GR.city, DCT + "subject") for o in r.get(p, [])}
            quads = store.describe([NamedNode(i) for i in sorted(cited)], public)
        for q in quads:
            s, p = q.subject.value, q.predicate.value
            if p in wanted and isinstance(q.object, ox.Literal):
                texts.setdefault(s, {}).setdefault(p, {}).setdefault(q.object.language or "", q.object.value)
            elif p in (GR.city, DCT + "subject") and isinstance(q.object, ox.NamedNode):
                refs.setdefault(s, {}).setdefault(p, []).append(q.object.value)
    out = {}
    for iri in iris:
        own, cites = texts.get(iri, {}), refs.get(iri, {})
        city = next(iter(cites.get(GR.city, [])), None)
        out[iri] = Digest(iri, own.get(DCT + "title", {}), own.get(DCT + "abstract", {}), city,
                          texts.get(city or "", {}).get(SCHEMA + "name", {}),
                          [(t, texts.get(t, {}).get(SKOS + "prefLabel", {}))
                           for t in sorted(cites.get(DCT + "subject", []))])
    return out


def records(store: Store, practices: Sequence[str]) -> dict[tuple[str, str], list[dict]]:
    """(practice IRI, field name) → its records (`records` fields of the model), in their order ({…}/cost/2
    after {…}/cost/1), each a mapping part → value as a sheet gives it (codes as codes, references as IRIs)."""
    fields = {f.predicate: f for f in practice.RECORD_FIELDS}
    found: dict[tuple[str, str], dict[str, dict]] = {}
    for start in range(0, len(practices), _LABEL_CHUNK):
        values = " ".join(f"<{i}>" for i in practices[start:start + _LABEL_CHUNK])
        links = " ".join(f"<{p}>" for p in fields)
        rows = store.select(f"SELECT ?s ?link ?r ?p ?o WHERE {{ VALUES ?s {{ {values} }} VALUES ?link {{ {links} }} "
                            f"?s ?link ?r . ?r ?p ?o }}")
        for row in rows:
            fld = fields[row["link"].value]
            parts = {p.predicate: p for p in fld.parts}
            part = parts.get(row["p"].value)
            if part is None:
                continue
            record = found.setdefault((row["s"].value, fld.name), {}).setdefault(row["r"].value, {})
            obj = row["o"]
            if part.multilingual:
                record.setdefault(part.name, {})[getattr(obj, "language", None) or "fr"] = obj.value
            elif part.kind == "code":
                record[part.name] = next((c for c, iri in part.codes().items() if iri == obj.value), obj.value)
            else:
                record[part.name] = obj.value
    return {key: [by_iri[r] for r in sorted(by_iri, key=record_order)] for key, by_iri in found.items()}
