"""A throw-away, in-memory Oxigraph for one computation (SHACL validation): filled, queried, dropped.

It never touches the deployment's store. Queries see every graph of the scratch store as one default graph
(the union keeps duplicates: a triple in two graphs matches twice — callers ask for DISTINCT rows).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import pyoxigraph as ox

from ..core.rdf import Literal, NamedNode, Quad, Term

_PROBE = NamedNode("urn:graphe:scratch:probe")


class ScratchStore:
    """An in-memory RDF dataset for one computation."""

    def __init__(self, quads: Iterable[Quad] = ()) -> None:
        self._db = ox.Store()
        self.add(quads)

    def add(self, quads: Iterable[Quad]) -> None:
        self._db.extend(quads)

    def select(self, query: str) -> Iterator[tuple[Term | None, ...]]:
        """The rows of a SELECT (terms in the order of its variables; None for an unbound one)."""
        for row in self._db.query(query, use_default_graph_as_union=True):
            yield tuple(row)

    def ask(self, query: str) -> bool:
        return bool(self._db.query(query, use_default_graph_as_union=True))

    @staticmethod
    def stored_forms(literals: Sequence[Literal]) -> list[Literal]:
        """Each literal as the store gives it back: Oxigraph keeps numbers, booleans and dates in canonical
        form (`"01"^^xsd:integer` comes back as `"1"`, `xsd:int` as `xsd:integer`)."""
        db = ox.Store()
        db.extend(Quad(NamedNode(f"urn:graphe:scratch:{i}"), _PROBE, lit) for i, lit in enumerate(literals))
        stored: list[Literal] = list(literals)
        for quad in db.quads_for_pattern(None, _PROBE, None):
            stored[int(quad.subject.value.rsplit(":", 1)[1])] = quad.object
        return stored
