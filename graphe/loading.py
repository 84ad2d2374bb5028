"""Write command: load RDF files — parse, SHACL-validate against the published graph, commit in one transaction.

Nothing is written unless every file parses and the whole change has no SHACL violation.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import GrapheError
from .rdf import DefaultGraph, NamedNode, Quad, parse_file
from .store import Revision, Store
from .validation import ValidationReport, Validator
from . import rdf


@dataclass(frozen=True)
class LoadResult:
    files: tuple[str, ...]
    triples: int  # triples in the files
    added: int  # triples new to the store
    revision: Revision | None  # None when nothing was new
    report: ValidationReport  # warnings only (a violation raises)


class ValidationFailed(GrapheError):
    """The change breaks the shapes; `report` holds every result."""

    def __init__(self, report: ValidationReport, what: str) -> None:
        count = len(report.violations)
        super().__init__(
            "VALIDATION_FAILED",
            f"{what} : refusé, {count} violation(s) des formes SHACL ; rien n'a été écrit.\n"
            + report.format("fr"),
            f"{what}: refused, {count} SHACL violation(s); nothing was written.\n" + report.format("en"),
            report.to_dict(),
        )
        self.report = report


def read_files(paths: Sequence[Path], base_iri: str, target: NamedNode) -> list[Quad]:
    """Parse every file (all must parse) into quads of `target`.

    Triples go to `target`; a quad file may only name `target` (or the default graph): data cannot be
    written into private graphs through a file."""
    if not paths:
        raise GrapheError("NO_INPUT", "Aucun fichier à charger.", "No file to load.")
    quads: list[Quad] = []
    for path in paths:
        for q in parse_file(path, base_iri):
            graph = q.graph_name
            if not (isinstance(graph, DefaultGraph) or graph == target):
                raise GrapheError(
                    "FORBIDDEN_GRAPH",
                    f"{path} : le graphe nommé {graph} n'est pas accepté ; seules les données publiées "
                    f"({target.value}) se chargent par fichier.",
                    f"{path}: the named graph {graph} is not accepted; only published data "
                    f"({target.value}) is loaded from files.")
            quads.append(Quad(q.subject, q.predicate, q.object, target))
    return quads


def validation_graph(store: Store | None, quads: Sequence[Quad], replace: bool = False):  # type: ignore[no-untyped-def]
    """The data graph SHACL sees: the new triples, plus what the store already says about every resource
    they point to (so references to published resources can be checked) and — unless the change replaces
    their descriptions (`replace`, as a publication does) — about their own subjects."""
    triples = list(quads)
    if store is not None:
        own = {str(q.subject): q.subject for q in quads}
        existing = [] if replace else store.describe(own.values(), store.graphs.public)
        known: dict[str, NamedNode] = {}
        # What the new triples point to, and what the subjects' existing triples point to (a city's
        # geometry, say): each is described so that its class can be checked.
        for q in (*quads, *existing):
            if isinstance(q.object, NamedNode) and q.object.value not in own:
                known.setdefault(q.object.value, q.object)
        triples.extend(existing)
        triples.extend(store.describe(known.values(), store.graphs.public))
    return rdf.to_rdflib_graph(triples)


def validate(store: Store | None, validator: Validator, quads: Sequence[Quad],
             replace: bool = False) -> ValidationReport:
    # The whole data graph is validated, then only the changed resources' results are kept: pySHACL's
    # `focus_nodes` skips qualified constraints (a French title among several titles, say).
    # Results about a referenced resource count only when nothing describes it (`dct:source <unknown>`):
    # a published resource's own results would only reflect the partial context given here.
    graph = validation_graph(store, quads, replace)
    focus = {str(rdf.to_rdflib_term(s)) for s in rdf.subjects(quads)}
    described = {str(s) for s in graph.subjects()}
    focus |= {q.object.value for q in quads if isinstance(q.object, NamedNode) and q.object.value not in described}
    report = validator.validate(graph)
    return ValidationReport(tuple(r for r in report.results if r.focus in focus))


def load_files(store: Store, validator: Validator, paths: Sequence[Path], base_iri: str,
               summary: str | None = None) -> LoadResult:
    """Load files into the published graph as one revision, or raise and change nothing."""
    names = tuple(str(p) for p in paths)
    quads = _dedupe(read_files(paths, base_iri, store.graphs.public))
    report = validate(store, validator, quads)
    if not report.conforms:
        raise ValidationFailed(report, ", ".join(names))
    present = set(store.describe(rdf.subjects(quads), store.graphs.public))
    new = [q for q in quads if q not in present]
    revision = None
    if new:
        revision = store.commit(new, summary=summary or f"chargement de {', '.join(p.name for p in paths)}",
                                notes=feed_notes(store, new))
    return LoadResult(names, len(quads), len(new), revision, report)


def feed_notes(store: Store, quads: Sequence[Quad]) -> dict[str, list[NamedNode]]:
    """For the change feed: the objects (no hash IRIs) a change creates, and those it changes."""
    objects = {q.subject.value: q.subject for q in quads
               if isinstance(q.subject, NamedNode) and "#" not in q.subject.value}
    existing = {s for s in objects if store.describe([objects[s]], store.graphs.public)}
    return {"created": [objects[s] for s in sorted(objects) if s not in existing],
            "changed": [objects[s] for s in sorted(existing)]}


def _dedupe(quads: list[Quad]) -> list[Quad]:
    seen: set[Quad] = set()
    out = []
    for q in quads:
        if q not in seen:
            seen.add(q)
            out.append(q)
    return out
