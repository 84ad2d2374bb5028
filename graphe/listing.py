"""Read side, lists: one filtered, ordered page of a class; its total; its facet counts. One query each.

A `ListQuery` is built by `filters.py` from what the reader asked; user values enter the SPARQL text only as
terms serialised by the RDF library (`values_block`), never as hand-spliced strings.
"""
from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import GrapheError
from .rdf import Literal, NamedNode, Term
from .store import Store

MAX_PAGE = 100
DEFAULT_PAGE = 20


def values_block(var: str, terms: Sequence[Term]) -> str:
    """`VALUES ?var { t1 t2 … }`, each term written by the RDF library (N-Triples escaping)."""
    return f"VALUES ?{var} {{ {' '.join(str(t) for t in terms)} }}"


@dataclass(frozen=True)
class Order:
    """Sort key: `pattern` binds the variables listed in `keys` (first found wins, per resource)."""

    pattern: str = ""
    keys: tuple[str, ...] = ()
    descending: bool = False

    def select_key(self) -> str:
        if not self.keys:
            return ""
        return f"(MIN(COALESCE({', '.join('?' + k for k in self.keys)})) AS ?key)"

    def order_by(self) -> str:
        if not self.keys:
            return "ORDER BY ?s"
        direction = "DESC" if self.descending else "ASC"
        # Resources without a key come last either way; ties are broken on the IRI.
        return f"ORDER BY (!BOUND(?key)) {direction}(?key) ?s"


@dataclass(frozen=True)
class ListQuery:
    class_iri: str
    conditions: tuple[str, ...] = ()
    order: Order = Order()
    subclasses: bool = False  # also instances of subclasses (from the ontology graph)
    include_retired: bool = False  # retired objects stay readable, but out of default listings

    def where(self) -> str:
        typing = "a/rdfs:subClassOf*" if self.subclasses else "a"
        retired = "" if self.include_retired else " FILTER NOT EXISTS { ?s prov:invalidatedAtTime ?retired }"
        return f"?s {typing} <{self.class_iri}> . " + " ".join(self.conditions) + retired


@dataclass(frozen=True)
class Page:
    iris: list[str]
    offset: int
    has_next: bool


def text_order(predicate: str, langs: Sequence[str], descending: bool = False) -> Order:
    """Order by a text property in the reader's languages (then any language), case-insensitively."""
    parts, keys = [], []
    for i, lang in enumerate(langs):
        parts.append(f"OPTIONAL {{ ?s <{predicate}> ?t{i} FILTER(langMatches(lang(?t{i}), {Literal(lang)})) "
                     f"BIND(LCASE(STR(?t{i})) AS ?k{i}) }}")
        keys.append(f"k{i}")
    parts.append(f"OPTIONAL {{ ?s <{predicate}> ?tany BIND(LCASE(STR(?tany)) AS ?kany) }}")
    keys.append("kany")
    return Order(" ".join(parts), tuple(keys), descending)


def value_order(predicate: str, descending: bool = False) -> Order:
    return Order(f"OPTIONAL {{ ?s <{predicate}> ?v0 }}", ("v0",), descending)


def page(store: Store, query: ListQuery, offset: int, limit: int) -> Page:
    """One page (`limit` items after `offset`) in a stable order; asks for one more to know if more follow."""
    select_key = query.order.select_key()
    # The key is computed in a sub-select, then ordered on: ORDER BY on an aggregate's alias is not
    # accepted by every SPARQL server (Virtuoso).
    text = (f"SELECT ?s {'?key' if select_key else ''} WHERE {{ {{ SELECT ?s {select_key} WHERE {{ "
            f"{query.where()} {query.order.pattern} }} GROUP BY ?s }} }} "
            f"{query.order.order_by()} LIMIT {int(limit) + 1} OFFSET {int(offset)}")
    rows = store.select(text)
    iris = [r["s"].value for r in rows]
    return Page(iris[:limit], offset, len(iris) > limit)


def total(store: Store, query: ListQuery) -> int:
    rows = store.select(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {query.where()} }}")
    return int(rows[0]["n"].value) if rows else 0


def facets(store: Store, query: ListQuery, facet_patterns: dict[str, str]) -> dict[str, list[tuple[Term, int]]]:
    """Counts of distinct resources per value of each facet, over the filtered set, in one query.

    Each facet pattern binds ?value from ?s."""
    if not facet_patterns:
        return {}
    unions = " UNION ".join(f"{{ {pattern} BIND({Literal(name)} AS ?facet) }}"
                            for name, pattern in facet_patterns.items())
    rows = store.select(f"SELECT ?facet ?value (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {query.where()} {unions} }} "
                        "GROUP BY ?facet ?value ORDER BY ?facet DESC(?n) ?value")
    out: dict[str, list[tuple[Term, int]]] = {name: [] for name in facet_patterns}
    for row in rows:
        out[row["facet"].value].append((row["value"], int(row["n"].value)))
    return out


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


def iri_term(value: str, what: str = "identifiant") -> NamedNode:
    """A user-given IRI as a term, or BAD_USER_INPUT."""
    try:
        return NamedNode(value)
    except ValueError:
        raise GrapheError("BAD_USER_INPUT", f"{what} invalide : « {value} » n'est pas une IRI absolue.",
                          f"Invalid {what}: '{value}' is not an absolute IRI.") from None
