"""Read side, orders: how the resources of a list are sorted, in Python, from per-revision key tables.

SPARQL stores sort slowly on IRIs and strings (Oxigraph decodes every compared term: 0.4 s to order 10,000
practice IRIs) and know no French collation. So a list is fetched unordered (its members), and sorted here on
a key table — each resource's sort key for one property — which does not depend on the list's filters and
is kept per revision, shared by every list that sorts the same way. Sorting 100,000 keys takes milliseconds.

Rules, as the API documents them: resources without a key come last in both directions; ties are broken on
the IRI (ascending); text keys compare without case or accents first (« École » between « eau » and
« fable »), then with them; numbers compare as numbers, dates and times by their ISO text.
"""
from __future__ import annotations

import functools
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from .rdf import PREFIXES, Literal, NamedNode, Term
from .store import Store

XSD = PREFIXES["xsd"]
_NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "short", "byte",
                              "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
                              "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
Cache = Callable[..., Any]  # Graphe.cached(key, compute, weight=..., fresh=...)


@dataclass(frozen=True)
class Order:
    """How a list is sorted: by IRI (`kind` "id"), by a property's value ("value"), by a text property in the
    reader's languages ("text"), or by a SPARQL `pattern` binding ?k0 from ?s ("pattern")."""

    kind: str = "id"
    predicate: str = ""
    langs: tuple[str, ...] = ()
    pattern: str = ""
    descending: bool = False


def text_order(predicate: str, langs: Sequence[str], descending: bool = False) -> Order:
    """By a text property in the reader's languages (then any language), without case or accents first."""
    return Order("text", predicate, tuple(langs), descending=descending)


def value_order(predicate: str, descending: bool = False) -> Order:
    return Order("value", predicate, descending=descending)


def pattern_order(pattern: str, descending: bool = False) -> Order:
    return Order("pattern", pattern=pattern, descending=descending)


def sort(members: Iterable[str], keys: dict[str, tuple], descending: bool) -> tuple[str, ...]:
    """`members` in order of their key (`keys`), keyless last, ties by IRI ascending."""
    ordered = sorted(members)
    keyed = [s for s in ordered if s in keys]
    keyless = [s for s in ordered if s not in keys]
    keyed.sort(key=keys.__getitem__, reverse=descending)  # stable: equal keys keep the IRI order
    return tuple(keyed + keyless)


def order(store: Store, class_iri: str, members: Iterable[str], how: Order, cached: Cache) -> tuple[str, ...]:
    if how.kind == "id":
        return tuple(sorted(members, reverse=how.descending))
    if how.kind == "text":
        table = cached(("keys", "text", how.predicate, how.langs),
                       lambda: text_keys(store, how.predicate, how.langs), weight=len, fresh=True)
    elif how.kind == "value":
        table = cached(("keys", "value", how.predicate), lambda: value_keys(store, how.predicate), weight=len,
                       fresh=True)
    else:
        table = cached(("keys", "pattern", class_iri, how.pattern),
                       lambda: pattern_keys(store, class_iri, how.pattern), weight=len, fresh=True)
    return sort(members, table, how.descending)


def all_rows(store: Store, text: str, order_vars: str) -> list[dict[str, Term]]:
    """Every row of a SELECT, in chunks of the store's row cap when it has one (ordered, so chunks are stable)."""
    chunk = store.max_rows
    if not chunk:
        return store.select(text)
    out: list[dict[str, Term]] = []
    while True:
        rows = store.select(f"{text} ORDER BY {order_vars} LIMIT {int(chunk)} OFFSET {len(out)}")
        out.extend(rows)
        if len(rows) < chunk:
            return out


def value_keys(store: Store, predicate: str) -> dict[str, tuple]:
    return _smallest(all_rows(store, f"SELECT ?s ?v WHERE {{ ?s <{predicate}> ?v }}", "?s ?v"), "v")


def text_keys(store: Store, predicate: str, langs: Sequence[str]) -> dict[str, tuple]:
    """Per resource, the smallest text in its first preferred language that it has (else in any language)."""
    found: dict[str, list[tuple[str, tuple]]] = {}
    for row in all_rows(store, f"SELECT ?s ?t WHERE {{ ?s <{predicate}> ?t FILTER(isLiteral(?t)) }}", "?s ?t"):
        term = row["t"]
        found.setdefault(row["s"].value, []).append(((getattr(term, "language", None) or "").lower(),
                                                     text_key(term.value)))
    keys: dict[str, tuple] = {}
    for subject, texts in found.items():
        for want in langs:
            matching = [k for lang, k in texts if lang == want or lang.startswith(want + "-")]
            if matching:
                keys[subject] = min(matching)
                break
        else:
            keys[subject] = min(k for _, k in texts)
    return keys


def pattern_keys(store: Store, class_iri: str, pattern: str) -> dict[str, tuple]:
    return _smallest(all_rows(store, f"SELECT ?s ?k0 WHERE {{ ?s a <{class_iri}> . {pattern} }}", "?s ?k0"), "k0")


def _smallest(rows: Iterable[dict[str, Term]], var: str) -> dict[str, tuple]:
    """Per resource ?s, the smallest sort key of its values of `var` (rows without one give none)."""
    keys: dict[str, tuple] = {}
    for row in rows:
        if var in row:
            subject, key = row["s"].value, value_key(row[var])
            if subject not in keys or key < keys[subject]:
                keys[subject] = key
    return keys


def text_key(text: str) -> tuple:
    """Without case or accents first, then with them (a simple French collation): the lower-case text, its
    decomposed form without combining marks first."""
    lower = text.lower()
    if lower.isascii():  # nothing to decompose
        return (2, lower, lower)
    return (2, unicodedata.normalize("NFD", lower).translate(_combining_marks()), lower)


@functools.cache
def _combining_marks() -> dict[int, None]:
    """Every combining character, to delete with `str.translate` (1.6× a test per character; 912 of them,
    found in 0.05 s on first use)."""
    return dict.fromkeys(c for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c)))


def value_key(term: Term) -> tuple:
    """Numbers before dates and texts (numbers by value), IRIs last; a total order over any mix."""
    if isinstance(term, Literal):
        if term.datatype is not None and term.datatype.value in _NUMERIC:
            try:
                return (0, Decimal(term.value), "")
            except InvalidOperation:
                pass
        if term.language is None and term.datatype is not None and term.datatype.value.startswith(XSD) \
                and any(word in term.datatype.value for word in ("date", "Date", "time", "Time", "gYear")):
            return (1, term.value, "")
        return text_key(term.value)
    if isinstance(term, NamedNode):
        return (3, term.value, "")
    return (4, str(term), "")
