"""Read side, lists: one filtered, ordered page of a class; its total; its facet counts. One query each.

A `ListQuery` is built by `filters.py` from what the reader asked; user values enter the SPARQL text only as
terms serialised by the RDF library (`values_block`), never as hand-spliced strings.
"""
from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import GrapheError
from .ordering import Cache, Order, all_rows, order, pattern_order, text_order, value_order
from .rdf import NamedNode, Term
from .store import Store

__all__ = ["ListQuery", "no_cache", "members", "Order", "Page", "decode_cursor", "encode_cursor", "facets", "iri_term", "ordered", "page",
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
    return cached(members_key(query), lambda: frozenset(
        row["s"].value for row in all_rows(store, f"SELECT DISTINCT ?s WHERE {{ {where} }}", "?s")), weight=len)


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


def facet_table(store: Store, pattern: str) -> dict[str, tuple[Term, ...]]:
    """Every resource's distinct values for one facet pattern."""
    table: dict[str, set[Term]] = {}
    for row in all_rows(store, f"SELECT DISTINCT ?s ?value WHERE {{ {pattern} }}", "?s ?value"):
        table.setdefault(row["s"].value, set()).add(row["value"])
    return {s: tuple(v) for s, v in table.items()}


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
