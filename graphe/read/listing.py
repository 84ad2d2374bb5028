"""Read side, lists: one filtered, ordered page of a class; its total; its facet counts. One query each.

A `ListQuery` is built by `filters.py` from what the reader asked; user values enter the SPARQL text only as
terms serialised by the RDF library (`values_block`), never as hand-spliced strings.
"""
from __future__ import annotations

import base64
import functools
import re
import threading
from collections import Counter
from collections.abc import Collection, Hashable, Sequence
from dataclasses import dataclass

from . import ordering
from ..core.errors import GrapheError
from .ordering import Cache, Order, all_rows, only, order, pattern_order, patched, text_order, value_order
from ..core.rdf import PREFIXES, NamedNode, Term
from .readcache import STALE
from ..store import Store

__all__ = ["ListQuery", "Patch", "what_en", "no_cache", "members", "followed", "Order", "Page", "decode_cursor", "encode_cursor", "facets", "iri_term", "ordered", "page",
           "page_size", "pattern_order", "text_order", "value_order", "values_block"]

MAX_PAGE = 100
DEFAULT_PAGE = 20


def values_block(var: str, terms: Sequence[Term]) -> str:
    """`VALUES ?var { t1 t2 … }`, each term written by the RDF library (N-Triples escaping)."""
    return f"VALUES ?{var} {{ {' '.join(str(t) for t in terms)} }}"


@dataclass(frozen=True)
class ListQuery:
    class_iri: str
    conditions: tuple[str, ...] = ()
    order: Order = Order()
    subclasses: bool = False  # also instances of subclasses (from the ontology graph)
    include_retired: bool = False  # retired objects stay readable, but out of default listings

    def where(self) -> str:
        typing = "a/rdfs:subClassOf*" if self.subclasses else "a"
        # MINUS rather than FILTER NOT EXISTS: the same answer here (?s is bound), three times faster on Oxigraph.
        retired = "" if self.include_retired else " MINUS { ?s prov:invalidatedAtTime ?retired }"
        return f"?s {typing} <{self.class_iri}> . " + " ".join(self.conditions) + retired


@dataclass(frozen=True)
class Page:
    iris: list[str]
    offset: int
    has_next: bool


def no_cache(key, compute, weight=None, fresh=False):  # type: ignore[no-untyped-def]
    return compute()


def members(store: Store, query: ListQuery, cached: Cache = no_cache) -> frozenset[str]:
    """The resources of the list, unordered, in one query (kept per revision with `cached`)."""
    where = query.where()
    return cached(members_key(query), lambda: member_set(store, where), weight=len)


def member_set(store: Store, where: str, subjects: Collection[str] | None = None) -> frozenset[str]:
    """The resources ?s for which `where` holds (among `subjects` only, when given)."""
    return frozenset(row["s"].value
                     for row in all_rows(store, f"SELECT DISTINCT ?s WHERE {{ {only(subjects)}{where} }}", "?s"))


def members_key(query: ListQuery) -> tuple[str, str]:
    return ("members", query.where())


def ordered(store: Store, query: ListQuery, cached: Cache = no_cache) -> tuple[str, ...]:
    """Every resource of the list, in its stable order: its members sorted on the key table of its order
    (`ordering.py`). With `cached` (`Graphe.cached`), members and key tables are kept per revision, and key
    tables are shared by every list sorted the same way."""
    return order(store, query.class_iri, members(store, query, cached), query.order, cached)


def page(iris: Sequence[str], offset: int, limit: int) -> Page:
    """The `limit` items after `offset` of an ordered list."""
    return Page(list(iris[offset:offset + limit]), offset, len(iris) > offset + limit)


def facets(store: Store, query: ListQuery, facet_patterns: dict[str, str],
           cached: Cache = no_cache) -> dict[str, list[tuple[Term, int]]]:
    """Counts of distinct resources per value of each facet over the filtered set, most frequent first.

    Each facet pattern binds ?value from ?s. Counted here from the list's members and one table per facet
    (every resource's values), both kept per revision: a new filter costs a count in Python, not a query
    grouping the whole graph (4 s for the practices of 100,000 sheets)."""
    found = members(store, query, cached)
    out: dict[str, list[tuple[Term, int]]] = {}
    for name, pattern in facet_patterns.items():
        table = cached(("facet", pattern), lambda pattern=pattern: facet_table(store, pattern),
                       weight=len, fresh=True)
        counts: Counter[Term] = Counter()
        for subject in found:
            counts.update(table.get(subject, ()))
        out[name] = sorted(counts.items(), key=lambda item: (-item[1], item[0].value))
    return out


def facet_table(store: Store, pattern: str, subjects: Collection[str] | None = None) -> dict[str, tuple[Term, ...]]:
    """Every resource's distinct values for one facet pattern (of `subjects` only, when given)."""
    table: dict[str, set[Term]] = {}
    for row in all_rows(store, f"SELECT DISTINCT ?s ?value WHERE {{ {only(subjects)}{pattern} }}", "?s ?value"):
        table.setdefault(row["s"].value, set()).add(row["value"])
    return {s: tuple(v) for s, v in table.items()}


# ------------------------------------------------------------------------------------------- patches

MAX_TOUCHED = 2000  # touched resources beyond which everything is computed again (a big import)
_FOLLOWED = {"members": 0, "list": 1}  # `Patch.follows`


class Patch:
    """Brings the derived values of revision `previous` (list members, sort-key tables, facet tables,
    ordered lists) to the current data from `touched`, the published resources whose own triples changed
    since (`Store.touched_since`), instead of computing them again; `RevisionCache.refresh` drives it.

    Why it is exact. Every triple of a resource outside `touched` is the same at both revisions. The value
    of a resource ?s in each of these tables is what a `where` clause finds for it (`SELECT ?s … WHERE {
    where }`), so for an untouched ?s it is unchanged as long as `where` reads nothing but triples of
    untouched resources. Then the new value is the old one with the entries of the touched resources
    replaced by what `where` finds for them alone (one query, `VALUES ?s { touched }`). `followed` decides
    what a `where` reads:
    - a sort key by text or value (`text_keys`, `value_keys`): ?s's own triples of one predicate — always;
    - a `where` whose triple patterns all have ?s as subject, with a plain predicate: ?s's own triples —
      always (e.g. the practice list, by status, charter, AI project, dates; the theme and status facets;
      the criteria's order pattern);
    - one that also goes through forward property paths from ?s (`dct:subject/skos:broader*`,
      `gr:city/schema:addressCountry`, `a/rdfs:subClassOf*`): it reads the triples of the resources those
      paths pass through as well. A walk from an untouched ?s that reaches a touched resource first crosses
      an edge from an untouched resource to it, over one of the path's predicates — a triple that exists
      at both revisions. So if no untouched resource links to a touched one over those predicates (one
      query tells which predicates do), no untouched ?s reads anything touched — e.g. publishing
      practices; but a touched theme concept or city that practices point to means computing again;
    - anything else (another subject than ?s — e.g. adoptions or assessments pointing to ?s —, inverse or
      negated paths, variable predicates, GRAPH, sub-queries, a ?s not bound by a required pattern): it is
      computed again.
    Ordered lists are derived from members and key tables (no store read): when both were patched, the
    old list with the touched resources moved (`ordering.reordered`), else sorted again. Blank nodes:
    a write never adds triples to an existing blank node (a parser names them afresh), so the touched named
    resources cover every change."""

    def __init__(self, store: Store, touched: Collection[str], previous: int, cached: Cache) -> None:
        self.store = store
        self.touched = frozenset(touched)
        self.previous = previous
        self.cached = cached  # `Graphe.cached` at the new revision
        self.olds: dict[Hashable, object] = {}  # values at `previous` of the kinds followed (set by refresh)
        self.patched: set[Hashable] = set()  # what was patched (statistics, tests)
        self._linking: frozenset[str] | None = None  # see `local`
        self._found: dict[str, frozenset[str]] = {}  # where → its touched members

    def follows(self, key: Hashable) -> int | None:
        """Values not kept fresh worth patching when read lately: members first (lists are sorted from them)."""
        return _FOLLOWED.get(key[0]) if type(key) is tuple and key else None  # type: ignore[index]

    def weight(self, key: Hashable, value: object) -> int:
        # (as their readers weigh them: `members`, and `api.connections.ordered`)
        return len(value) if key[0] == "members" else 1 + len(value) // 12  # type: ignore[index, arg-type]

    def __call__(self, key: Hashable, old: object) -> object:
        """The value of `key` now, from its value `old` at `previous`; `STALE` when that is not exact."""
        if not isinstance(key, tuple) or not key or len(self.touched) > MAX_TOUCHED:
            return STALE
        kind, touched = key[0], self.touched
        value: object = STALE
        if kind == "keys" and key[1] == "text":
            value = patched(old, touched, ordering.text_keys(self.store, key[2], key[3], touched))  # type: ignore[arg-type]
        elif kind == "keys" and key[1] == "value":
            value = patched(old, touched, ordering.value_keys(self.store, key[2], touched))  # type: ignore[arg-type]
        elif kind == "keys" and key[1] == "pattern" and self.local(ordering.pattern_where(key[2], key[3])):
            value = patched(old, touched, ordering.pattern_keys(self.store, key[2], key[3], touched))  # type: ignore[arg-type]
        elif kind == "facet" and self.local(key[1]):
            value = patched(old, touched, facet_table(self.store, key[1], touched))  # type: ignore[arg-type]
        elif kind == "members":
            value = self.members(key[1], old)  # type: ignore[arg-type]
        elif kind == "list":
            query: ListQuery = key[1]  # type: ignore[assignment]
            value = self.ordered(query, old)  # type: ignore[arg-type]
        if value is not STALE:
            self.patched.add(key)
        return value

    def ordered(self, query: ListQuery, old: tuple[str, ...]) -> tuple[str, ...]:
        """The list sorted again from its patched members and key table; or, when both were patched (the
        untouched members kept their place and key), the old list with the touched resources taken out
        and put back in where they now go (`ordering.reordered`)."""
        mkey = members_key(query)
        before = self.olds.get(mkey, STALE)
        now = self.cached(mkey, lambda: _or(self.members(mkey[1], before), lambda: member_set(self.store, mkey[1])),
                          weight=len)
        how = query.order
        keys = None if how.kind == "id" else ordering.key_table(self.store, query.class_iri, how, self.cached)
        exact = mkey in self.patched and (keys is None or ordering.table_key(query.class_iri, how) in self.patched)
        if not exact or len(self.touched) > len(old) // 8 + 64:  # (then sorting is as quick)
            return order(self.store, query.class_iri, now, how, self.cached)
        return ordering.reordered(old, self.touched, now, keys, how)

    def members(self, where: str, old: object) -> object:
        if old is STALE or not self.local(where):
            return STALE
        if where not in self._found:  # the touched members of every list to patch, in one query
            wheres = {k[1] for k in self.olds if k[0] == "members" and self.local(k[1])} | {where}  # type: ignore[index]
            self._found.update(touched_members(self.store, sorted(wheres), self.touched))
        self.patched.add(("members", where))
        return (old - self.touched) | self._found[where]  # type: ignore[operator]

    def local(self, where: str) -> bool:
        """Does `where` read, for an untouched ?s, only triples of untouched resources (see the class)?"""
        through = followed(where)
        if through is None:
            return False
        if not through or not self.touched:
            return True
        if self._linking is None:  # the predicates linking an untouched resource to a touched one, once
            terms = [NamedNode(t) for t in sorted(self.touched)]
            self._linking = frozenset(row["p"].value for row in self.store.select(
                f"SELECT DISTINCT ?p WHERE {{ {values_block('t', terms)} ?x ?p ?t "
                f"FILTER(?x NOT IN ({', '.join(str(t) for t in terms)})) }}"))
        return not through & self._linking


def touched_members(store: Store, wheres: Sequence[str], subjects: Collection[str]) -> dict[str, frozenset[str]]:
    """For each `where`, which of `subjects` it holds for: one query (a branch per `where`, each starting
    from `subjects`, so that no branch reads a whole class)."""
    if not subjects:
        return {where: frozenset() for where in wheres}
    branches = " UNION ".join(f"{{ {only(subjects)}{where} BIND({i} AS ?i) }}" for i, where in enumerate(wheres))
    found: dict[str, set[str]] = {where: set() for where in wheres}
    for row in all_rows(store, f"SELECT DISTINCT ?i ?s WHERE {{ {branches} }}", "?i ?s"):
        found[wheres[int(row["i"].value)]].add(row["s"].value)
    return {where: frozenset(s) for where, s in found.items()}


def _or(value: object, compute):  # type: ignore[no-untyped-def]
    return compute() if value is STALE else value


_PARSING = threading.Lock()  # (rdflib's parser keeps state while it parses)
_GROUPS = {"SelectQuery", "Distinct", "Project", "Filter", "Minus", "Join", "LeftJoin", "Union", "BGP", "ToMultiSet",
           "values", "Extend", "TrueFilter", "GroupGraphPatternSub", "TriplesBlock", "Function"}


# A VALUES block of IRIs only (`values_block`; an IRI holds no space, quote, brace or angle bracket).
_IRI_VALUES = re.compile(r"VALUES \?(\w+) \{ (?:<[^\s<>\"{}]*> )+\}")


def followed(where: str) -> frozenset[str] | None:
    """What a `where` clause reads for ?s besides ?s's own triples: the predicates of the forward property
    paths from ?s it goes through (none: only ?s's own triples); None when it reads anything else or
    cannot be told (see `Patch`). From rdflib's algebra of the query, once per shape: constant rows read
    nothing, so the lists of every theme (or city, charter…) share one parse (~9 ms each)."""
    return _followed(_IRI_VALUES.sub(r"VALUES ?\1 { <urn:graphe:value> }", where))


@functools.lru_cache(maxsize=512)
def _followed(where: str) -> frozenset[str] | None:
    from rdflib.paths import AlternativePath, MulPath, SequencePath
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import URIRef, Variable

    head = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())
    try:
        with _PARSING:
            algebra = translateQuery(parseQuery(f"{head}SELECT ?s WHERE {{ {where} }}")).algebra
    except Exception:  # noqa: BLE001 — rdflib raises plain exceptions; not understood: computed again
        return None
    triples: list[tuple] = []

    def walk(node: object) -> bool:
        if isinstance(node, CompValue):
            if not (node.name in _GROUPS or node.name.startswith("Builtin_") or node.name.endswith("Expression")):
                return False  # GRAPH, SERVICE, sub-queries, aggregates…: not looked into
            for name, value in node.items():
                if name in ("_vars", "PV") or (node.name == "values" and name == "res"):
                    continue  # (variables, constant rows)
                if name == "triples":
                    for flat in map(list, value):  # BGP: (s, p, o); TriplesBlock: [s, p, o, s, p, o…]
                        if len(flat) % 3:
                            return False
                        triples.extend(tuple(flat[i:i + 3]) for i in range(0, len(flat), 3))
                elif not walk(value):
                    return False
            return True
        if isinstance(node, (list, tuple)):
            return all(walk(item) for item in node)
        return not isinstance(node, dict)

    def bound(node: object) -> bool:
        """Is ?s bound by a required triple pattern (not only inside OPTIONAL, MINUS or EXISTS)?"""
        if not isinstance(node, CompValue):
            return False
        if node.name == "BGP":
            return any(t[0] == Variable("s") for t in node["triples"])
        if node.name == "Join":
            return bound(node.p1) or bound(node.p2)
        if node.name == "Union":
            return bound(node.p1) and bound(node.p2)
        if node.name in ("Minus", "LeftJoin"):
            return bound(node.p1)
        return node.name in ("SelectQuery", "Distinct", "Project", "Filter", "Extend") and bound(node.p)

    def forward(path: object, out: set[str]) -> bool:
        if isinstance(path, URIRef):
            out.add(str(path))
            return True
        if isinstance(path, (SequencePath, AlternativePath)):
            return all(forward(step, out) for step in path.args)
        if isinstance(path, MulPath):
            return forward(path.path, out)
        return False  # inverse or negated path, variable predicate

    if not walk(algebra) or not bound(algebra):
        return None
    through: set[str] = set()
    for subject, predicate, _ in triples:
        if subject != Variable("s"):
            return None
        if not isinstance(predicate, URIRef) and not forward(predicate, through):
            return None
    return frozenset(through)


# ------------------------------------------------------------------------------------------- cursors

def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    """The offset after which the next page starts (the cursor of an edge names its own position)."""
    if cursor is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        if not text.startswith("o:"):
            raise ValueError
        offset = int(text[2:])
        if offset < 0:
            raise ValueError
        return offset + 1
    except (ValueError, UnicodeError):
        raise GrapheError("BAD_USER_INPUT", f"Curseur de pagination invalide : « {cursor} ».",
                          f"Invalid pagination cursor: '{cursor}'.") from None


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE
    if first < 0 or first > MAX_PAGE:
        raise GrapheError("BAD_USER_INPUT", f"« first » doit être compris entre 0 et {MAX_PAGE} (reçu {first}).",
                          f"'first' must be between 0 and {MAX_PAGE} (got {first}).")
    return first


# What `iri_term` names, in English (the callers name it in French).
_WHAT_EN = {"identifiant": "identifier", "ville": "city", "charte": "charter", "critère": "criterion",
            "objet": "object", "pratique": "practice", "projet d'IA": "AI project", "thème": "theme",
            "organisation": "organisation", "dimension": "dimension", "nature": "kind", "risque": "risk",
            "statut": "status", "événement": "event",
            "plan d'action": "action plan"}


def what_en(what: str) -> str:
    """What `iri_term` and the API's messages name in French (« ville »), in English ("city")."""
    return _WHAT_EN.get(what, "resource")


def iri_term(value: str, what: str = "identifiant") -> NamedNode:
    """A user-given IRI as a term, or BAD_USER_INPUT."""
    try:
        return NamedNode(value)
    except ValueError:
        raise GrapheError("BAD_USER_INPUT", f"{what[:1].upper() + what[1:]} invalide : « {value} » n'est pas une "
                          "IRI absolue.", f"Invalid {_WHAT_EN.get(what, 'identifier')}: '{value}' is not an "
                          "absolute IRI.") from None
