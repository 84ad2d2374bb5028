"""What every way of loading files shares (whole, `loading`; in chunks, `chunked`; the scan of large files,
`filescan`): the result, the refusal, the graph check, the subjects, the files as bulk sources and the
change feed's notes."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core import rdf
from ..core.errors import GrapheError
from ..core.rdf import NamedNode, Quad
from ..store import Revision, Store
from ..validation.report import ValidationReport


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


def forbidden_graph(path: Path, graph: rdf.Term, target: NamedNode) -> GrapheError:
    return GrapheError(
        "FORBIDDEN_GRAPH",
        f"{path} : le graphe nommé {graph} n'est pas accepté ; seules les données publiées "
        f"({target.value}) se chargent par fichier.",
        f"{path}: the named graph {graph} is not accepted; only published data "
        f"({target.value}) is loaded from files.")


def subjects_of(quads: Sequence[Quad]) -> dict[rdf.Term, None]:
    """The subjects of the quads, once each, in order (a dict used as an ordered set)."""
    return dict.fromkeys(q.subject for q in quads)


def file_sources(paths: Sequence[Path], base_iri: str) -> list[tuple[Path, str, str]]:
    """The files as the store may bulk-load them, when all are Turtle or N-Triples."""
    formats = [rdf.format_of(p).name for p in paths]
    if any(f not in ("ttl", "nt") for f in formats):
        return []
    return [(p, f, base_iri) for p, f in zip(paths, formats)]


def feed_notes(store: Store, quads: Sequence[Quad],
               existing: Sequence[Quad] | None = None) -> dict[str, list[NamedNode]]:
    """For the change feed: the objects (no hash IRIs) a change creates, and those it changes (`existing`:
    what the store held about the change's subjects, when the caller already read it)."""
    objects = {q.subject.value: q.subject for q in quads
               if isinstance(q.subject, NamedNode) and "#" not in q.subject.value}
    if existing is None:
        found = {s for s in objects if store.describe([objects[s]], store.graphs.public)}
    else:
        found = {q.subject.value for q in existing} & objects.keys()
    return {"created": [objects[s] for s in sorted(objects) if s not in found],
            "changed": [objects[s] for s in sorted(found)]}
