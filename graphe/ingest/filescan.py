"""Big RDF files as streams: a first reading notes what chunked validation needs, later readings give the quads
again, grouped by subject, without ever holding the whole file (see `graphe.ingest.chunked`)."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .base import forbidden_graph
from ..core.rdf import SCHEMA_HTTP, BlankNode, DefaultGraph, NamedNode, Quad, format_of, mentions, stream_file
from ..validation.shacl.reach import Reach

SUBCLASS_OF = NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")


class Whole(Exception):
    """The file cannot be validated in chunks exactly as a whole (the message says why): validate it whole."""


def read_stream(paths: Sequence[Path], base_iri: str, target: NamedNode,
                rewrites: Sequence[bool] = ()) -> Iterator[Quad]:
    """The quads of every file, in the default graph; a quad file may only name `target` (see `read_files`).
    `rewrites`: per file, whether it mentions `rdf.SCHEMA_HTTP`, when known (`stream_file`)."""
    for i, path in enumerate(paths):
        quads = stream_file(path, base_iri, rewrite=rewrites[i] if rewrites else None)
        if not format_of(path).quads:  # triples only, in the default graph: nothing to check per quad
            yield from quads
            continue
        for q in quads:
            graph = q.graph_name
            if type(graph) is not DefaultGraph:
                if graph != target:
                    raise forbidden_graph(path, graph, target)
                q = Quad(q.subject, q.predicate, q.object)
            yield q


@dataclass
class Scan:
    """What a first reading of the files found."""

    paths: Sequence[Path]
    base_iri: str
    target: NamedNode
    subjects: set[NamedNode] = field(default_factory=set)  # every subject
    objects: set[NamedNode] = field(default_factory=set)  # every object that is an IRI
    values: dict[NamedNode, list[Quad]] = field(default_factory=dict)  # per subject, its `Reach.values` triples
    incoming: dict[tuple[NamedNode, NamedNode], NamedNode] = field(default_factory=dict)  # (P, o) → one subject
    scattered: set[NamedNode] = field(default_factory=set)  # subjects whose triples are not all together
    # per file, does reading rewrite anything (`rdf.normalise`)? Searched once: each search reads the file
    rewrites: tuple[bool, ...] = ()

    @property
    def rewritten(self) -> bool:
        return any(self.rewrites)

    def stream(self) -> Iterator[Quad]:
        return read_stream(self.paths, self.base_iri, self.target, self.rewrites)

    def chunks(self, size: int) -> Iterator[list[Quad]]:
        """The quads again, in chunks of about `size` quads holding every triple of their subjects (the
        scattered subjects come last, together)."""
        scattered, late, chunk, last = self.scattered, [], [], None
        for q in self.stream():
            s = q.subject
            if scattered and s in scattered:
                late.append(q)
                continue
            if s != last and len(chunk) >= size:
                yield chunk
                chunk = []
            chunk.append(q)
            last = s
        if chunk:
            yield chunk
        if late:
            yield late


def scan(paths: Sequence[Path], base_iri: str, target: NamedNode, reach: Reach) -> Scan:
    """Read the files once (they must all parse) and note what chunks will need; `Whole` when the data holds
    blank nodes (named anew at each reading) or class axioms (`rdfs:subClassOf`: any of them may decide an
    `sh:class` anywhere)."""
    try:
        rewrites = tuple(mentions(path, SCHEMA_HTTP.encode()) for path in paths)
    except OSError:
        rewrites = ()  # (reading the file below says why, as `stream_file` words it)
    found = Scan(paths, base_iri, target, rewrites=rewrites)
    subjects, objects, values, incoming, scattered = (found.subjects, found.objects, found.values,
                                                      found.incoming, found.scattered)
    on_values = {NamedNode(p) for p in reach.values}
    on_objects = {NamedNode(p) for p in reach.incoming}
    last = None
    for q in found.stream():
        s, p, o = q.subject, q.predicate, q.object
        if s != last:
            if type(s) is BlankNode:
                raise Whole("blank node")
            if s in subjects:
                scattered.add(s)
            subjects.add(s)
            last = s
        kind = type(o)
        if kind is NamedNode:
            objects.add(o)
        elif kind is BlankNode:
            raise Whole("blank node")
        if p in on_values:
            values.setdefault(s, []).append(q)
        if p in on_objects:
            incoming.setdefault((p, o), s)
        if p == SUBCLASS_OF:
            raise Whole("rdfs:subClassOf in the data")
    return found


class Additions(Sequence[Quad]):
    """The quads an import adds, read again from its files when asked for: every quad of the files whose
    subject the store did not describe yet (`skip`), then `extra` (the new quads of the subjects it did).
    `subjects` are the subjects of the addition. A quad written twice in a file comes twice."""

    def __init__(self, found: Scan, skip: set[NamedNode], extra: list[Quad], count: int) -> None:
        self._scan, self._skip, self._extra, self._count = found, skip, extra, count
        self.subjects = (found.subjects - skip) | {q.subject for q in extra}

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Quad]:
        skip, target = self._skip, self._scan.target
        for q in self._scan.stream():
            if q.subject not in skip:
                yield Quad(q.subject, q.predicate, q.object, target)
        yield from self._extra

    def __getitem__(self, index):  # type: ignore[no-untyped-def, override]
        return list(self)[index]
