"""A full scan in plain Python over the documents the engines index: what every search must find and count.

Matching is defined on the analysed terms (`engine.Doc`), the same input both engines receive, so an engine
that drops a hit (a top-N collector), miscounts a facet, or reads a query differently disagrees with it.
"""
from __future__ import annotations

from collections import Counter

from graphe.search import documents
from graphe.search.engine import FACET_FIELDS, TEXT_FIELDS, AnyOf, Bool, Doc, Everything, Fuzzy, Phrase, Query, Term
from graphe.search.engine import distance
from graphe.store import Store


def docs_of(store: Store) -> list[Doc]:
    built, _ = documents.build(store, documents.all_indexable(store))
    return [d.for_engine() for d in built]


def _tokens(doc: Doc, field: str) -> list[str]:
    if field in TEXT_FIELDS:
        return doc.text.get(field, "").split()
    if field == "spell":
        return doc.spell.split()
    return list(doc.keywords.get(field, ()))


def matches(doc: Doc, q: Query) -> bool:
    if isinstance(q, Everything):
        return True
    if isinstance(q, Term):
        return q.text in _tokens(doc, q.field)
    if isinstance(q, AnyOf):
        return bool(set(q.values) & set(_tokens(doc, q.field)))
    if isinstance(q, Phrase):
        tokens, n = _tokens(doc, q.field), len(q.terms)
        return any(tuple(tokens[i:i + n]) == q.terms for i in range(len(tokens) - n + 1))
    if isinstance(q, Fuzzy):
        return any(abs(len(t) - len(q.text)) <= 1 and distance(t, q.text) <= 1 for t in _tokens(doc, q.field))
    assert isinstance(q, Bool)
    if any(matches(doc, p) for p in q.must_not):
        return False
    if q.must:
        return all(matches(doc, p) for p in q.must)
    return not q.should or any(matches(doc, p) for p in q.should)


def scan(docs: list[Doc], query: Query, filters: Query | None) -> tuple[set[str], dict[str, dict[str, int]]]:
    """The ids matching, and the facet counts over them."""
    found = [d for d in docs if matches(d, query) and (filters is None or matches(d, filters))]
    facets = {name: dict(Counter(v for d in found for v in d.keywords.get(name, ()))) for name in FACET_FIELDS}
    return {d.id for d in found}, facets
