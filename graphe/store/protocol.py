"""What every store offers the domain (`Store`): the embedded Oxigraph (`oxigraph.OxigraphStore`) and a remote
SPARQL 1.1 server (`remote.RemoteStore`) both implement it, checked by `tests/store/test_store_backends.py`."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Protocol

from ..core.rdf import Format, NamedNode, Quad, Term, Triple
from .base import Bindings, GraphNames, Revision


class Store(Protocol):
    graphs: GraphNames  # the named graphs: public, ontology, private ones
    queries: int  # queries run so far (tests and benchmarks count them)
    max_rows: int | None  # rows a query may return at most (None: no cap)
    quads_by_subject: bool  # can `describe` read a subject's quads directly (else through a query)?

    # ------------------------------------------------------------------------------- revisions
    def revision(self) -> Revision:
        """The public revision: it moves only when published data changes."""

    def private_revision(self) -> Revision:
        """The last commit, private bookkeeping included."""

    def touched_since(self, revision: int) -> list[NamedNode]:
        """Published resources whose own triples changed after `revision`."""

    def last_touched(self, revision: int) -> dict[str, int]:
        """`touched_since`, each with the last public revision that changed it."""

    def changes(self, revision: int) -> list[frozenset] | None:
        """The triples each public commit after `revision` added or removed; None when unknown."""

    # ------------------------------------------------------------------------------- reading
    def select(self, query: str, bindings: Bindings | None = None, *, private: bool = False) -> list[dict[str, Term]]:
        """Rows of a SELECT over the readable graphs (all graphs with `private`)."""

    def ask(self, query: str, bindings: Bindings | None = None, *, private: bool = False) -> bool: ...

    def construct(self, query: str, bindings: Bindings | None = None, *, private: bool = False) -> list[Triple]: ...

    def describe(self, subjects: Iterable[Term], graph: NamedNode) -> list[Quad]:
        """Every quad of `graph` whose subject is one of `subjects`."""

    def contains(self, quad: Quad) -> bool: ...

    def count(self, graph: NamedNode) -> int: ...

    def is_empty(self) -> bool: ...

    def quads(self, graph: NamedNode) -> Iterator[Quad]: ...

    def dump(self, output: IO[bytes], fmt: Format, graph: NamedNode) -> None: ...

    def public_query(self, query: str, default_graphs: Sequence[NamedNode], named_graphs: Sequence[NamedNode],
                     timeout: float | None = None, *, form: str = "SELECT") -> Any:
        """A public SPARQL query (checked by the caller, whose reading of its `form` — SELECT, ASK, CONSTRUCT,
        DESCRIBE — is given) on the given dataset."""

    def snapshot(self, target: Path) -> Path:
        """A read-only copy of the readable graphs for the SPARQL workers."""

    # ------------------------------------------------------------------------------- writing
    def commit(self, add: Sequence[Quad], remove: Sequence[Quad] = (), summary: str = "",
               notes: Mapping[str, Sequence[Term]] | None = None, sources: Sequence[Any] = ()) -> Revision:
        """One change, atomically, with its revision record; returns the public revision after it."""

    def close(self) -> None: ...
