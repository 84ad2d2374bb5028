"""Write command: load RDF files — parse, SHACL-validate against the published graph, commit in one transaction.

Nothing is written unless every file parses and the whole change has no SHACL violation.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import GrapheError
from ..core.rdf import DefaultGraph, NamedNode, Quad, parse_file
from ..store import Revision, Store
from ..validation.report import ValidationReport
from ..core import rdf
from .base import LoadResult, ValidationFailed, feed_notes, file_sources, forbidden_graph, subjects_of  # noqa: F401


if TYPE_CHECKING:
    from ..validation.validator import Validator  # imported on first write only


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
            if type(graph) is not DefaultGraph and graph != target:
                raise forbidden_graph(path, graph, target)
            quads.append(Quad(q.subject, q.predicate, q.object, target))
    return quads


def validation_data(store: Store | None, quads: Sequence[Quad], replace: bool = False,
                    existing: Sequence[Quad] | None = None, own: dict[rdf.Term, None] | None = None) -> list[Quad]:
    """The data SHACL sees: the new triples, plus what the store already says about every resource they
    point to (so references to published resources can be checked) and — unless the change replaces their
    descriptions (`replace`, as a publication does) — about their own subjects (`existing`, when the caller
    already read it; `own`: those subjects, when it already listed them)."""
    data = list(quads)
    if store is not None:
        own = subjects_of(quads) if own is None else own
        if existing is None:
            existing = [] if replace else store.describe(own, store.graphs.public)
        # What the new triples point to, and what the subjects' existing triples point to (a city's
        # geometry, say): each is described so that its class can be checked.
        known = {o for q in (*quads, *existing) if type(o := q.object) is NamedNode and o not in own}
        data.extend(existing)
        data.extend(store.describe(sorted(known, key=str), store.graphs.public))
    return data


def validate(store: Store | None, validator: Validator, quads: Sequence[Quad],
             replace: bool = False, existing: Sequence[Quad] | None = None) -> ValidationReport:
    # The whole data graph is validated, then only the changed resources' results are kept.
    # Results about a referenced resource count only when nothing describes it (`dct:source <unknown>`):
    # a published resource's own results would only reflect the partial context given here.
    own = subjects_of(quads)
    data = validation_data(store, quads, replace, existing, own)
    described = own.keys() | {q.subject for q in data[len(quads):]}
    focus = {f"_:{s.value}" if isinstance(s, rdf.BlankNode) else s.value for s in own}
    focus |= {o.value for q in quads if type(o := q.object) is NamedNode and o not in described}
    report = validator.validate(data)  # results name a blank node `_:id`, like `focus`
    return ValidationReport(tuple(r for r in report.results if r.focus in focus))


CHUNKED_FROM_BYTES = 4 << 20  # files at least this big (together) are validated in chunks (`graphe.chunked`)


def load_files(store: Store, validator: Validator, paths: Sequence[Path], base_iri: str,
               summary: str | None = None) -> LoadResult:
    """Load files into the published graph as one revision, or raise and change nothing."""
    if paths and sum(_size(p) for p in paths) >= CHUNKED_FROM_BYTES:
        from .chunked import load_chunked
        from .filescan import Whole

        try:
            return load_chunked(store, validator, paths, base_iri, summary)
        except Whole:  # (data chunks cannot be given exactly what the shapes read): validated whole
            pass
    names = tuple(str(p) for p in paths)
    quads = _dedupe(read_files(paths, base_iri, store.graphs.public))
    existing = store.describe(subjects_of(quads), store.graphs.public)
    report = validate(store, validator, quads, existing=existing)
    if not report.conforms:
        raise ValidationFailed(report, ", ".join(names))
    present = set(existing)
    new = [q for q in quads if q not in present] if present else quads
    revision = None
    if new:
        revision = store.commit(new, summary=summary or f"chargement de {', '.join(p.name for p in paths)}",
                                notes=feed_notes(store, new, existing), sources=bulk_sources(paths, new, base_iri))
    return LoadResult(names, len(quads), len(new), revision, report)


def bulk_sources(paths: Sequence[Path], new: Sequence[Quad], base_iri: str) -> list[tuple[Path, str, str]]:
    """The files themselves, when the store may bulk-load them instead of the parsed quads: Turtle or
    N-Triples, nothing rewritten by `rdf.normalise`, no blank node (their names differ at each parse)."""
    if any(isinstance(q.subject, rdf.BlankNode) or isinstance(q.object, rdf.BlankNode) for q in new):
        return []
    if any(rdf.mentions(p, rdf.SCHEMA_HTTP.encode()) for p in paths):
        return []
    return file_sources(paths, base_iri)


def check_size(name: str, size: int, limit: int) -> None:
    """Refuse a file (or relayed body) over `limit` bytes before reading it (`Settings.import_max_mb`)."""
    if size > limit:
        raise GrapheError(
            "FILE_TOO_LARGE",
            f"{name} : {size / 2**20:.0f} Mo, plus que la taille maximale d'un import ({limit >> 20} Mo, "
            "réglage GRAPHE_IMPORT_MAX_MB) ; rien n'a été lu.",
            f"{name}: {size / 2**20:.0f} MB, more than the largest import allowed ({limit >> 20} MB, setting "
            "GRAPHE_IMPORT_MAX_MB); nothing was read.", {"status": 413, "size": size, "limit": limit})


def check_sizes(paths: Sequence[Path], limit: int) -> None:
    for path in paths:
        check_size(str(path), _size(path), limit)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # (reading it will say why)


def _dedupe(quads: list[Quad]) -> list[Quad]:
    return list(dict.fromkeys(quads))
