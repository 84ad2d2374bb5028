"""What every store backend shares: graph names, the revision record, bindings, the update text.

Graphs (IRIs derived from the base IRI): `graph/public` (published data) and `graph/ontology` are read by
public channels; `graph/system` (revision log, change feed), `graph/accounts`, `graph/workflow` (drafts,
audit), `graph/history` (versions) and `graph/draft/{id}` are private.

Every committed write adds one revision record to `graph/system` in the same transaction as the data, so the
store, its revision number and the revision's time always move together.

Two revisions. Each record carries the commit's sequence number (`sys:number`, the *private revision*: it
moves at every commit, drafts, audit records and tokens included) and the *public revision* after it
(`sys:public`), which moves only when the commit changes a graph public channels read (`readable`).
Everything derived for public reads (caches, ETags, dumps, SPARQL snapshots, the search index, the change
feed) is keyed by the public revision: a contributor's private activity neither invalidates nor reveals
anything public. Records written before `sys:public` existed count as public changes (public = number).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from ..core.errors import GrapheError
from ..core.rdf import PREFIXES, Literal, NamedNode, Quad, Term

SYS = "https://graphe.aimf.asso.fr/def/system#"
_XSD = PREFIXES["xsd"]
REV_NUMBER = NamedNode(SYS + "number")
REV_PUBLIC = NamedNode(SYS + "public")
_REV_TIME = NamedNode(PREFIXES["prov"] + "generatedAtTime")
_REV_SUMMARY = NamedNode(PREFIXES["dct"] + "description")
_REV_ADDED = NamedNode(SYS + "added")
_REV_REMOVED = NamedNode(SYS + "removed")
REV_TOUCHED = NamedNode(SYS + "touched")
_REV_TOUCHED = REV_TOUCHED


Bindings = Mapping[str, "Term | Sequence[Term]"]
_WHERE = re.compile(r"\b(?:WHERE|ASK)\s*\{", re.IGNORECASE)


def bind(query: str, bindings: Bindings | None) -> str:
    """Give the query's variables their values: a single IRI is written in place of its variable inside the
    WHERE group; every other binding opens that group with `VALUES (?a ?b) { (t1 t2) … }`.

    A list of terms for one variable gives one row per term (a batch, e.g. a DataLoader's keys); several
    lists must have the same length. Terms are serialised by the RDF library (N-Triples escaping).

    Why IRIs in place: Oxigraph plans `VALUES ?g {…} GRAPH ?g { … OPTIONAL … }` by evaluating the GRAPH
    pattern over every graph first, then joining: 378 ms on 400,000 quads where the same query with the
    IRI written in takes 0.05 ms (measured; pyoxigraph's own `substitutions` only binds projected
    variables). A variable that also appears outside the group (projection, ORDER BY) keeps its VALUES row."""
    if not bindings:
        return query
    match = _WHERE.search(query)
    if match is None:
        raise ValueError("query without WHERE clause cannot take bindings")
    start, end = match.end(), query.rfind("}")
    body = query[start:end]
    rest: dict[str, Term | Sequence[Term]] = {}
    for name, value in bindings.items():
        variable = re.compile(rf"[?$]{re.escape(name)}(?!\w)")
        if isinstance(value, NamedNode) and not variable.search(query[:start]) and not variable.search(query[end:]):
            body = variable.sub(lambda _: str(value), body)
        else:
            rest[name] = value
    query = query[:start] + body + query[end:]
    if not rest:
        return query
    names = list(rest)
    columns = [list(v) if isinstance(v, (list, tuple)) else [v] for v in rest.values()]
    width = {len(c) for c in columns if len(c) != 1}
    if len(width) > 1:
        raise ValueError("binding lists of different lengths")
    rows = max(width) if width else 1
    columns = [c * rows if len(c) == 1 else c for c in columns]
    values = " ".join("(" + " ".join(str(col[i]) for col in columns) + ")" for i in range(rows))
    block = f"VALUES ({' '.join('?' + n for n in names)}) {{ {values} }} "
    return query[:start] + " " + block + query[start:]


@dataclass(frozen=True)
class GraphNames:
    """The named graphs of one deployment."""

    public: NamedNode
    ontology: NamedNode
    system: NamedNode  # private: revision log and change feed
    accounts: NamedNode  # private: token hashes, roles
    workflow: NamedNode  # private: draft records, audit log
    history: NamedNode  # version records of published objects (read through the API's `history`)
    base: str  # the entities' base IRI ({base}id/…)
    prefix: str  # graphs and private records live under it (the base, unless several deployments share a server)

    @classmethod
    def for_base(cls, base_iri: str, prefix: str | None = None) -> GraphNames:
        prefix = prefix or base_iri

        def g(name: str) -> NamedNode:
            return NamedNode(prefix + "graph/" + name)
        return cls(g("public"), g("ontology"), g("system"), g("accounts"), g("workflow"), g("history"), base_iri,
                   prefix)

    def private(self, path: str) -> NamedNode:
        """IRI of a private record (account, draft, audit entry)."""
        return NamedNode(self.prefix + path)

    def draft(self, draft_id: str) -> NamedNode:
        """The private graph holding one draft's triples."""
        return NamedNode(f"{self.prefix}graph/draft/{draft_id}")

    def version(self, entity: str, number: int) -> NamedNode:
        """The public IRI of one published version of an object."""
        return NamedNode(f"{entity}/version/{number}")

    def version_graph(self, entity: str, number: int) -> NamedNode:
        """The graph holding that version's triples."""
        digest = hashlib.sha1(entity.encode()).hexdigest()[:20]
        return NamedNode(f"{self.prefix}graph/version/{digest}/{number}")

    @property
    def readable(self) -> tuple[NamedNode, ...]:
        """The graphs public channels may read."""
        return (self.public, self.ontology)


@dataclass(frozen=True)
class Revision:
    number: int
    time: dt.datetime | None
    summary: str = ""


def touches_public(graphs: GraphNames, add: Sequence[Quad], remove: Sequence[Quad]) -> bool:
    """Does this change write a graph that public channels read (so that the public revision moves)?"""
    if getattr(add, "subjects", None) is not None:  # a big import's additions, read from its files: public data
        return True
    readable = graphs.readable
    return any(q.graph_name in readable for q in add) or any(q.graph_name in readable for q in remove)


MAX_DELTA = 5_000  # public quads a commit may change and still be remembered triple by triple (`changed_triples`)
OTHER = "\x00"  # a literal or blank node in `changed_triples`: equal to no IRI a query names


def changed_triples(graphs: GraphNames, add: Sequence[Quad], remove: Sequence[Quad]) -> frozenset | None:
    """The (subject, predicate, object) the change adds to or removes from the readable graphs, IRIs as
    text and any other term as `OTHER` (graph names left out: a query's dataset is some of them); None
    when too many to remember, or not held as quads (a big import read from its files)."""
    if getattr(add, "subjects", None) is not None or len(add) + len(remove) > 4 * MAX_DELTA:
        return None
    readable = graphs.readable
    out = {(_text(q.subject), q.predicate.value, _text(q.object))
           for quads in (add, remove) for q in quads if q.graph_name in readable}
    return frozenset(out) if len(out) <= MAX_DELTA else None


def _text(term: Term) -> str:
    return term.value if isinstance(term, NamedNode) else OTHER


def revision_record(graphs: GraphNames, number: int, public: int, now: dt.datetime, add: Sequence[Quad],
                    remove: Sequence[Quad], summary: str, notes: Mapping[str, Sequence[Term]] | None) -> list[Quad]:
    """The quads of commit `number`, after which the public revision is `public`: when, how much, which
    published resources it touched, and notes."""
    record = NamedNode(f"{graphs.system.value}/revision/{number}")
    g = graphs.system
    log = [
        Quad(record, REV_NUMBER, Literal(str(number), datatype=NamedNode(_XSD + "integer")), g),
        Quad(record, REV_PUBLIC, Literal(str(public), datatype=NamedNode(_XSD + "integer")), g),
        Quad(record, _REV_TIME, Literal(now.isoformat(), datatype=NamedNode(_XSD + "dateTime")), g),
        Quad(record, _REV_ADDED, Literal(str(len(add)), datatype=NamedNode(_XSD + "integer")), g),
        Quad(record, _REV_REMOVED, Literal(str(len(remove)), datatype=NamedNode(_XSD + "integer")), g),
    ]
    if summary:
        log.append(Quad(record, _REV_SUMMARY, Literal(summary), g))
    # An addition may name its subjects itself (a big import's additions are read again from their file:
    # one pass over them less, and never all of them in memory at once)
    listed = getattr(add, "subjects", None)
    touched = set(listed) if listed is not None else {q.subject for q in add if q.graph_name in graphs.readable}
    touched.update(q.subject for q in remove if q.graph_name in graphs.readable)
    log.extend(Quad(record, _REV_TOUCHED, s, g) for s in touched if isinstance(s, NamedNode))
    for key, terms in (notes or {}).items():
        log.extend(Quad(record, NamedNode(SYS + key), t, g) for t in terms)
    return log


def _public_number() -> str:
    """Binds ?p, the public revision after record ?r (its number ?n for records older than `sys:public`)."""
    return f"OPTIONAL {{ ?r {REV_PUBLIC} ?p0 }} BIND(COALESCE(?p0, ?n) AS ?p)"


def revision_query(graphs: GraphNames) -> str:
    """The last commit (the private revision): ?n its number, ?t its time, ?d its summary."""
    return (f"SELECT ?n ?t ?d WHERE {{ GRAPH {graphs.system} {{ ?r {REV_NUMBER} ?n ; {_REV_TIME} ?t . "
            f"OPTIONAL {{ ?r {_REV_SUMMARY} ?d }} }} }} ORDER BY DESC(?n) LIMIT 1")


def public_revision_query(graphs: GraphNames) -> str:
    """The public revision (?p) and the commit that made it (the first record reaching ?p: ?t, ?d)."""
    return (f"SELECT ?p ?t ?d WHERE {{ GRAPH {graphs.system} {{ ?r {REV_NUMBER} ?n ; {_REV_TIME} ?t . "
            f"{_public_number()} OPTIONAL {{ ?r {_REV_SUMMARY} ?d }} }} }} ORDER BY DESC(?p) ?n LIMIT 1")


def touched_query(graphs: GraphNames, revision: int) -> str:
    """Published resources touched after public revision `revision`."""
    return (f"SELECT DISTINCT ?s WHERE {{ GRAPH {graphs.system} {{ ?r {REV_NUMBER} ?n ; {_REV_TOUCHED} ?s . "
            f"{_public_number()} FILTER(?p > {int(revision)}) }} }}")


def last_touched_query(graphs: GraphNames, revision: int) -> str:
    """Published resources touched after public revision `revision`, each with the last revision that did."""
    return (f"SELECT ?s (MAX(?p) AS ?last) WHERE {{ GRAPH {graphs.system} {{ ?r {REV_NUMBER} ?n ; "
            f"{_REV_TOUCHED} ?s . {_public_number()} FILTER(?p > {int(revision)}) }} }} GROUP BY ?s")


def update_text(remove: Sequence[Quad], add: Sequence[Quad]) -> str:
    """One SPARQL Update request (applied as one transaction); terms are written by the library."""
    if any(isinstance(t, ox.BlankNode) for q in remove for t in (q.subject, q.object)):
        raise GrapheError("BLANK_NODE_REMOVAL", "Impossible de retirer un nœud anonyme par requête.",
                          "Cannot remove a blank node through an update.")
    parts = [f"DELETE DATA {{ {quads_text(remove)} }}"]
    if add:
        parts.append(f"INSERT DATA {{ {quads_text(add)} }}")
    return " ;\n".join(parts)


def quads_text(quads: Sequence[Quad]) -> str:
    by_graph: dict[str, list[str]] = {}
    for q in quads:
        by_graph.setdefault(str(q.graph_name), []).append(f"{q.subject} {q.predicate} {q.object} .")
    return " ".join(f"GRAPH {g} {{ {' '.join(lines)} }}" for g, lines in by_graph.items())


