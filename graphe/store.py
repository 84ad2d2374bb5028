"""The store: Oxigraph on disk (default) or in memory, named graphs, atomic commits and the revision log.

Graphs (IRIs derived from the base IRI):
- `graph/public`   — published data: what every public channel reads;
- `graph/ontology` — the Graphe ontology, public too;
- `graph/system`   — private: the revision log (later: accounts, drafts, audit — never public).

Every committed write adds one revision record to `graph/system` in the same transaction as the data, so the
store, its revision number and the revision's time always move together.
"""
from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from .errors import GrapheError
from .rdf import PREFIXES, Format, Literal, NamedNode, Quad, Term, Triple

SYS = "https://graphe.aimf.asso.fr/def/system#"
_XSD = PREFIXES["xsd"]
_REV_NUMBER = NamedNode(SYS + "number")
_REV_TIME = NamedNode(PREFIXES["prov"] + "generatedAtTime")
_REV_SUMMARY = NamedNode(PREFIXES["dct"] + "description")
_REV_ADDED = NamedNode(SYS + "added")
_REV_REMOVED = NamedNode(SYS + "removed")
_REV_TOUCHED = NamedNode(SYS + "touched")


Bindings = Mapping[str, "Term | Sequence[Term]"]
_WHERE = re.compile(r"\b(?:WHERE|ASK)\s*\{", re.IGNORECASE)


def bind(query: str, bindings: Bindings | None) -> str:
    """Open the query's first WHERE group with `VALUES (?a ?b) { (t1 t2) … }`.

    A list of terms for one variable gives one row per term (a batch, e.g. a DataLoader's keys); several
    lists must have the same length. Terms are serialised by the RDF library (N-Triples escaping)."""
    if not bindings:
        return query
    names = list(bindings)
    columns = [list(v) if isinstance(v, (list, tuple)) else [v] for v in bindings.values()]
    width = {len(c) for c in columns if len(c) != 1}
    if len(width) > 1:
        raise ValueError("binding lists of different lengths")
    rows = max(width) if width else 1
    columns = [c * rows if len(c) == 1 else c for c in columns]
    values = " ".join("(" + " ".join(str(col[i]) for col in columns) + ")" for i in range(rows))
    block = f"VALUES ({' '.join('?' + n for n in names)}) {{ {values} }} "
    match = _WHERE.search(query)
    if match is None:
        raise ValueError("query without WHERE clause cannot take bindings")
    return query[: match.end()] + " " + block + query[match.end():]


@dataclass(frozen=True)
class GraphNames:
    """The named graphs of one deployment."""

    public: NamedNode
    ontology: NamedNode
    system: NamedNode  # private: revision log and change feed
    accounts: NamedNode  # private: token hashes, roles
    workflow: NamedNode  # private: draft records, audit log
    history: NamedNode  # version records of published objects (read through the API's `history`)
    base: str

    @classmethod
    def for_base(cls, base_iri: str) -> GraphNames:
        def g(name: str) -> NamedNode:
            return NamedNode(base_iri + "graph/" + name)
        return cls(g("public"), g("ontology"), g("system"), g("accounts"), g("workflow"), g("history"), base_iri)

    def draft(self, draft_id: str) -> NamedNode:
        """The private graph holding one draft's triples."""
        return NamedNode(f"{self.base}graph/draft/{draft_id}")

    def version(self, entity: str, number: int) -> NamedNode:
        """The graph (and IRI) of one published version of an object."""
        return NamedNode(f"{entity}/version/{number}")

    @property
    def readable(self) -> tuple[NamedNode, ...]:
        """The graphs public channels may read."""
        return (self.public, self.ontology)


@dataclass(frozen=True)
class Revision:
    number: int
    time: dt.datetime | None
    summary: str = ""


class Store:
    """One Oxigraph database. Thread-safe for reads; writes are serialised by a lock."""

    def __init__(self, path: Path | None, graphs: GraphNames) -> None:
        self.path = path
        self.graphs = graphs
        self._write_lock = threading.Lock()
        self.queries = 0  # SPARQL queries run so far (tests and benchmarks count them)
        self._revision: Revision | None = None
        try:
            if path is None:
                self._db = ox.Store()
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._db = ox.Store(str(path))
        except OSError as exc:
            raise _open_error(path, exc) from None

    def close(self) -> None:
        if self.path is not None:
            self._db.flush()
        del self._db

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------------------------------- reading

    def select(self, query: str, bindings: Bindings | None = None, *,
               private: bool = False) -> list[dict[str, Term]]:
        """Run a SELECT. User values go in `bindings`: a variable name → a term, or a list of terms (a
        batch); they become a VALUES block written by the RDF library, never text spliced by hand."""
        solutions = self._query(query, bindings, private)
        names = [v.value for v in solutions.variables]
        return [{n: row[n] for n in names if row[n] is not None} for row in solutions]

    def ask(self, query: str, bindings: Bindings | None = None, *, private: bool = False) -> bool:
        return bool(self._query(query, bindings, private))

    def construct(self, query: str, bindings: Bindings | None = None, *,
                  private: bool = False) -> list[Triple]:
        return list(self._query(query, bindings, private))

    def _query(self, query: str, bindings: Bindings | None, private: bool):  # type: ignore[no-untyped-def]
        graphs = None if private else list(self.graphs.readable)
        self.queries += 1
        try:
            return self._db.query(bind(query, bindings), prefixes=PREFIXES, default_graph=graphs,
                                  named_graphs=graphs, use_default_graph_as_union=private)
        except SyntaxError as exc:
            raise GrapheError("QUERY_SYNTAX", f"Requête SPARQL invalide : {exc}",
                              f"Invalid SPARQL query: {exc}") from None

    def public_query(self, query: str, default_graphs: Sequence[NamedNode], named_graphs: Sequence[NamedNode]):  # type: ignore[no-untyped-def]
        """A reader's query, as written, over the given (public) graphs: the raw, lazy result — solutions
        (with `.variables`), a boolean, or triples. The caller checked the text first (`sparql.guard`)."""
        self.queries += 1
        try:
            return self._db.query(query, default_graph=list(default_graphs), named_graphs=list(named_graphs))
        except SyntaxError as exc:
            raise GrapheError("SPARQL_SYNTAX", f"Requête SPARQL invalide : {exc}", f"Invalid SPARQL query: {exc}",
                              {"status": 400}) from None

    def snapshot(self, target: Path) -> Path:
        """A consistent, independent copy for another process to read: a backup directory of the database
        (hard links, near instant) on disk, or an N-Quads file of the public graphs in memory mode."""
        if self.path is not None:
            self._db.backup(str(target))
            return target
        target.mkdir(parents=True, exist_ok=True)
        file = target / "public.nq"
        with file.open("wb") as out:
            quads = (q for g in self.graphs.readable for q in self._db.quads_for_pattern(None, None, None, g))
            ox.serialize(quads, out, format=ox.RdfFormat.N_QUADS)
        return file

    @classmethod
    def open_snapshot(cls, snapshot: Path, graphs: GraphNames) -> Store:
        if snapshot.is_dir():
            return cls(snapshot, graphs)
        store = cls(None, graphs)
        store._db.bulk_load(path=str(snapshot), format=ox.RdfFormat.N_QUADS)
        return store

    def quads(self, graph: NamedNode) -> Iterator[Quad]:
        return self._db.quads_for_pattern(None, None, None, graph)

    def describe(self, subjects: Iterable[Term], graph: NamedNode) -> list[Quad]:
        """Every quad of `graph` whose subject is one of `subjects`."""
        out: list[Quad] = []
        for s in subjects:
            out.extend(self._db.quads_for_pattern(s, None, None, graph))
        return out

    def contains(self, quad: Quad) -> bool:
        return quad in self._db

    def count(self, graph: NamedNode) -> int:
        rows = self._db.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
        return int(next(iter(rows))["n"].value)

    def is_empty(self) -> bool:
        return not any(True for _ in self._db.quads_for_pattern(None, None, None, self.graphs.public))

    def revision(self) -> Revision:
        """The last committed revision (kept in memory: this process is the store's only writer)."""
        if self._revision is None:
            self._revision = self._read_revision()
        return self._revision

    def _read_revision(self) -> Revision:
        rows = self._db.query(
            f"SELECT ?n ?t ?d WHERE {{ GRAPH {self.graphs.system} {{ ?r {_REV_NUMBER} ?n ; {_REV_TIME} ?t . "
            f"OPTIONAL {{ ?r {_REV_SUMMARY} ?d }} }} }} ORDER BY DESC(?n) LIMIT 1")
        for row in rows:
            summary = row["d"].value if row["d"] is not None else ""
            return Revision(int(row["n"].value), dt.datetime.fromisoformat(row["t"].value), summary)
        return Revision(0, None)

    def touched_since(self, revision: int) -> list[NamedNode]:
        """Published resources whose own triples changed in a revision after `revision`."""
        rows = self._db.query(
            f"SELECT DISTINCT ?s WHERE {{ GRAPH {self.graphs.system} {{ ?r {_REV_NUMBER} ?n ; {_REV_TOUCHED} ?s "
            f"FILTER(?n > {int(revision)}) }} }}")
        return [row["s"] for row in rows]

    def dump(self, output: IO[bytes], fmt: Format, graph: NamedNode) -> None:
        """Write `graph` to `output`; quad formats keep the graph name."""
        if fmt.quads:
            ox.serialize(self._db.quads_for_pattern(None, None, None, graph), output, format=fmt.ox)
        else:
            self._db.dump(output, fmt.ox, from_graph=graph,
                          prefixes=PREFIXES if fmt.name == "ttl" else None)

    # ----------------------------------------------------------------------------------------- writing

    def commit(self, add: Sequence[Quad], remove: Sequence[Quad] = (), summary: str = "",
               notes: Mapping[str, Sequence[Term]] | None = None) -> Revision:
        """Apply one change atomically — its quads and its revision record, all or nothing. `notes` adds
        facts to the revision record (e.g. the change feed's created / changed / retired objects)."""
        with self._write_lock:
            number = self.revision().number + 1
            now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
            record = NamedNode(f"{self.graphs.system.value}/revision/{number}")
            g = self.graphs.system
            log = [
                Quad(record, _REV_NUMBER, Literal(str(number), datatype=NamedNode(_XSD + "integer")), g),
                Quad(record, _REV_TIME, Literal(now.isoformat(), datatype=NamedNode(_XSD + "dateTime")), g),
                Quad(record, _REV_ADDED, Literal(str(len(add)), datatype=NamedNode(_XSD + "integer")), g),
                Quad(record, _REV_REMOVED, Literal(str(len(remove)), datatype=NamedNode(_XSD + "integer")), g),
            ]
            if summary:
                log.append(Quad(record, _REV_SUMMARY, Literal(summary), g))
            touched = {q.subject for q in (*add, *remove) if q.graph_name in self.graphs.readable}
            log.extend(Quad(record, _REV_TOUCHED, s, g) for s in touched if isinstance(s, NamedNode))
            for key, terms in (notes or {}).items():
                log.extend(Quad(record, NamedNode(SYS + key), t, g) for t in terms)
            try:
                if remove:
                    self._db.update(_update_text(remove, [*add, *log]))
                else:
                    self._db.extend([*add, *log])
            except OSError as exc:
                raise GrapheError("STORE_WRITE_FAILED", f"Écriture refusée par le stockage : {exc}",
                                  f"The store refused the write: {exc}") from None
            if self.path is not None:
                self._db.flush()
            self._revision = Revision(number, now, summary)
            return self._revision


def _update_text(remove: Sequence[Quad], add: Sequence[Quad]) -> str:
    """One SPARQL Update request (applied as one transaction); terms are written by the library."""
    if any(isinstance(t, ox.BlankNode) for q in remove for t in (q.subject, q.object)):
        raise GrapheError("BLANK_NODE_REMOVAL", "Impossible de retirer un nœud anonyme par requête.",
                          "Cannot remove a blank node through an update.")
    parts = [f"DELETE DATA {{ {_quads_text(remove)} }}"]
    if add:
        parts.append(f"INSERT DATA {{ {_quads_text(add)} }}")
    return " ;\n".join(parts)


def _quads_text(quads: Sequence[Quad]) -> str:
    by_graph: dict[str, list[str]] = {}
    for q in quads:
        by_graph.setdefault(str(q.graph_name), []).append(f"{q.subject} {q.predicate} {q.object} .")
    return " ".join(f"GRAPH {g} {{ {' '.join(lines)} }}" for g, lines in by_graph.items())


def _open_error(path: Path | None, exc: OSError) -> GrapheError:
    text = str(exc)
    if "lock" in text.lower():
        return GrapheError(
            "STORE_LOCKED",
            f"Le dossier de données {path} est déjà ouvert par un autre processus Graphe.",
            f"The data directory {path} is already open in another Graphe process.")
    return GrapheError("STORE_OPEN_FAILED", f"Ouverture du stockage {path} impossible : {text}",
                       f"Cannot open the store at {path}: {text}")
