"""Load files validated in chunks of subjects: the same report as validating the whole file at once
(`loading.validate`), in memory bounded by a chunk rather than by the file.

Each chunk holds every triple of its subjects; its validation graph adds what the store says about them, and
what the compiled shapes read around them (`shacl.reach`): the `Reach.values` triples of every resource they point
to (from the files, and its whole description from the store, as `loading.validation_data` gives it), and, for
a `sh:targetObjectsOf P`, one triple `?x P subject` of the whole data when there is one. Results about the
chunk's subjects are kept; results about a resource nothing describes (`dct:source <unknown>`) are kept once.
Nothing is written unless every chunk conforms: the addition is one commit, read again from the files.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from ..core import collector
from ..core.errors import GrapheError
from .filescan import SUBCLASS_OF, Additions, Scan, Whole, scan
from .base import LoadResult, ValidationFailed, feed_notes, file_sources, subjects_of
from ..core.rdf import NamedNode, Quad
from ..validation.report import ValidationReport, ValidationResult
from ..validation.shacl.reach import Reach
from ..store import Store
from ..validation.validator import Validator, result_order

CHUNK_QUADS = 100_000  # quads of the files per chunk (tests make it tiny)


def load_chunked(store: Store, validator: Validator, paths: Sequence[Path], base_iri: str,
                 summary: str | None = None) -> LoadResult:
    """`loading.load_files`, chunk by chunk; `Whole` when the files must be validated whole."""
    reach = validator.reach
    if not isinstance(reach, Reach):
        raise Whole(str(reach))
    public = store.graphs.public
    if store.ask(f"ASK {{ GRAPH {public} {{ ?s {SUBCLASS_OF} ?o }} }}", private=True):
        raise Whole("rdfs:subClassOf in the store")
    stamps = _stamps(paths)
    with collector.paused():  # the scan's millions of lasting objects would be walked again and again
        found = scan(paths, base_iri, public, reach)
        state = _Chunks(store, validator, found, reach)
        for chunk in found.chunks(CHUNK_QUADS):
            state.validate(chunk)
    names = tuple(str(p) for p in paths)
    report = state.report()
    if not report.conforms:
        raise ValidationFailed(report, ", ".join(names))
    if _stamps(paths) != stamps:  # the commit reads the files again: they must be what was validated
        raise GrapheError("FILE_CHANGED", "Un fichier a changé pendant son import ; rien n'a été écrit. "
                          "Relancez l'import une fois le fichier stable.",
                          "A file changed while it was being imported; nothing was written. Import it again "
                          "once the file is stable.")
    new = Additions(found, state.skip, state.extra, state.added)
    revision = None
    if len(new):
        notes = {key: [nodes[k] for k in sorted(nodes)] for key, nodes in state.notes.items()}
        sources = [] if found.rewritten else file_sources(paths, base_iri)
        revision = store.commit(new, summary=summary or f"chargement de {', '.join(p.name for p in paths)}",
                                notes=notes, sources=sources)
    return LoadResult(names, state.triples, state.added, revision, report)


def _stamps(paths: Sequence[Path]) -> list[tuple[int, int]]:
    """Size and modification time of each file (what tells a file changed, as `make` and `rsync` do)."""
    return [(st.st_size, st.st_mtime_ns) for st in (p.stat() for p in paths)]


class _Chunks:
    """The running state of a chunked import: results, counts, and what the commit will need."""

    read_all_incoming = 1.0  # see `_store_incoming` (tests set 0: never, or a big number: always)

    def __init__(self, store: Store, validator: Validator, found: Scan, reach: Reach) -> None:
        self.store, self.validator, self.found = store, validator, found
        self.incoming = [NamedNode(p) for p in sorted(reach.incoming)]
        self.results: list[ValidationResult] = []
        self.elsewhere: dict[ValidationResult, int] = {}  # results about undescribed resources: most per chunk
        self.triples = self.added = 0
        self.skip: set[NamedNode] = set()  # subjects the store already described
        self.extra: list[Quad] = []  # their new quads
        self.notes: dict[str, dict[str, NamedNode]] = {"created": {}, "changed": {}}
        self._stored: dict[tuple[NamedNode, NamedNode], list[NamedNode]] | None = None  # see `_store_incoming`
        self._per_chunk = False

    def validate(self, chunk: list[Quad]) -> None:
        quads = list(dict.fromkeys(chunk))
        self.triples += len(quads)
        own = subjects_of(quads)
        existing, data = self.prepare(quads, own)
        self._absorb(self.validator.validate(data).results, own)
        self._additions(quads, own, existing)

    def prepare(self, quads: list[Quad], own: dict) -> tuple[list[Quad], list[Quad]]:  # type: ignore[type-arg]
        """(What the store says about the chunk's subjects, the chunk's validation data.)"""
        public = self.store.graphs.public
        existing = self.store.describe(own, public)
        data: list[Quad] = [*quads, *existing]
        pointed = {o for q in data if type(o := q.object) is NamedNode and o not in own}
        values = self.found.values
        for o in pointed:
            data.extend(values.get(o, ()))
        data.extend(self.store.describe(sorted(pointed, key=str), public))
        data.extend(self._witnesses(own))
        return existing, data

    def _absorb(self, results: Sequence[ValidationResult], own: dict) -> None:  # type: ignore[type-arg]
        mine = {s.value for s in own}
        counts = Counter(r for r in results if r.focus not in mine and self._undescribed(r.focus))
        for r, n in counts.items():
            self.elsewhere[r] = max(n, self.elsewhere.get(r, 0))
        self.results.extend(r for r in results if r.focus in mine)

    def _witnesses(self, own: dict) -> list[Quad]:  # type: ignore[type-arg]
        """For each subject and `sh:targetObjectsOf P`: one triple `?x P subject` of the whole data, if any."""
        found, out, missing = self.found, [], []
        for p in self.incoming:
            for s in own:
                x = found.incoming.get((p, s))
                if x is None:
                    missing.append((p, s))
                else:
                    out.append(Quad(x, p, s))
        if missing:  # the store's triples count when their subject is in the data: a subject or object of the files
            unsure = set()
            for key, x in self._store_incoming(missing):
                if x in found.subjects or x in found.objects:
                    found.incoming.setdefault(key, x)
                    out.append(Quad(x, key[0], key[1]))
                else:  # maybe pointed to by the store's description of a subject: only the whole data says
                    unsure.add(key)
            if unsure - set(found.incoming):
                raise Whole("sh:targetObjectsOf reached through the store")
        return out

    def _store_incoming(self, missing: list[tuple[NamedNode, NamedNode]]) -> list[tuple[tuple, NamedNode]]:  # type: ignore[type-arg]
        """The store's `?x P s` triples for the (P, s) pairs asked. Asked chunk by chunk, they cost a query of
        5 pairs per subject: 0.45 s per chunk of 100,000 quads, ≈ 15 s at 100,000 practices. When the store
        holds no more `P` triples than the files have pairs to ask about (a first import, always), they are
        read once instead, keeping those that point to a subject of the files (witnesses 0.88 → 0.03 s at
        10,000 practices, 15 → 0.4 s at 100,000)."""
        public, found = self.store.graphs.public, self.found
        if self._stored is None:
            rows = self.store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {public} {{ ?x ?p ?s }} }}",
                                     {"p": self.incoming}, private=True)
            n = int(rows[0]["n"].value) if rows else 0
            self._stored = {}
            cap = getattr(self.store, "max_rows", None)  # (an answer cut short would lose witnesses)
            self._per_chunk = (n > len(found.subjects) * len(self.incoming) * self.read_all_incoming
                               or (cap is not None and n >= cap))
            if not self._per_chunk:
                for row in self.store.select(f"SELECT ?x ?p ?s WHERE {{ GRAPH {public} {{ ?x ?p ?s }} }}",
                                             {"p": self.incoming}, private=True):
                    if row["s"] in found.subjects:
                        self._stored.setdefault((row["p"], row["s"]), []).append(row["x"])
        if not self._per_chunk:
            stored = self._stored
            return [(key, x) for key in missing for x in stored.get(key, ())]
        query = f"SELECT DISTINCT ?x ?p ?s WHERE {{ GRAPH {public} {{ ?x ?p ?s }} }}"
        rows = self.store.select(query, {"p": [p for p, _ in missing], "s": [s for _, s in missing]}, private=True)
        return [((row["p"], row["s"]), row["x"]) for row in rows]

    def _undescribed(self, focus: str) -> bool:
        try:
            node = NamedNode(focus)
        except ValueError:
            return False
        return node in self.found.objects and node not in self.found.subjects

    def _additions(self, quads: list[Quad], own: dict, existing: list[Quad]) -> None:  # type: ignore[type-arg]
        if not existing:
            self.added += len(quads)
            for s in own:
                if type(s) is NamedNode and "#" not in s.value:
                    self.notes["created"][s.value] = s
            return
        public = self.store.graphs.public
        present = set(existing)
        new = [t for q in quads if (t := Quad(q.subject, q.predicate, q.object, public)) not in present]
        self.skip.update(own)
        self.extra.extend(new)
        self.added += len(new)
        for key, nodes in feed_notes(self.store, new, existing).items():
            self.notes[key].update((n.value, n) for n in nodes)

    def report(self) -> ValidationReport:
        """Every result, in the order of a whole validation; those about undescribed resources only when the
        store does not describe them either."""
        results = list(self.results)
        for r, n in self.elsewhere.items():
            if not self.store.describe([NamedNode(r.focus)], self.store.graphs.public):
                results.extend([r] * n)
        return ValidationReport(tuple(sorted(results, key=result_order)))
