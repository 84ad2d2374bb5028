"""The embedded store: Oxigraph on disk (default) or in memory; atomic commits with their revision record."""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from ..core import deadline, readset
from ..core.errors import GrapheError
from ..core.rdf import PREFIXES, Format, NamedNode, Quad, Term, Triple
from .base import (REV_NUMBER, REV_TOUCHED, Bindings, changed_triples, GraphNames, Revision, bind, public_revision_query, revision_query, revision_record, touches_public, last_touched_query, touched_query, update_text)
from .mirror import PublicMirror, copy_readable

logger = logging.getLogger(__name__)
Source = tuple[Path, str, str]  # a file to bulk-load: path, format ("ttl" or "nt"), base IRI


class OxigraphStore:
    """One Oxigraph database. Thread-safe for reads; writes are serialised by a lock."""

    max_rows: int | None = None  # no cap on the rows of one answer
    # `quads(graph)` gives each subject's quads together (on disk: the graph-subject index; in memory: sorted).
    quads_by_subject = True
    # Additions of at least this many quads (with nothing removed) are written in bulk behind a redo log:
    # Oxigraph's transactional write is the slowest step of a big import (5.1 s of 8 for 178,000 triples).
    bulk_threshold = 50_000

    def __init__(self, path: Path | None, graphs: GraphNames) -> None:
        self.path = path
        self.graphs = graphs
        self._write_lock = threading.Lock()
        self.queries = 0  # SPARQL queries run so far (tests and benchmarks count them)
        self.generation = 0  # commits begun and ended, each counted once (odd: one is running)
        self._revision: Revision | None = None  # the public revision
        self._private: Revision | None = None  # the last commit
        # What each public commit of this process touched, in memory (this process is the store's only
        # writer): the search index and the read cache ask after every write, and the query scans the
        # whole revision log (each record's touched subjects: an import of 10,000 practices is one record of
        # 30,000), 50 to 60 ms a time at 10,000 practices and growing with the history.
        # (the revision after which the log covers every public one, the log): replaced whole at each public
        # commit, before the revision moves, and read without the write lock — a reader asking what the last
        # write touched used to wait for the next write's flush.
        # Entries: (public revision, subjects touched, triples changed or None: see `changed_triples`).
        self._touched: tuple[int | None, tuple[tuple[int, frozenset[str], frozenset | None], ...]] = (None, ())
        self._mirror: PublicMirror | None = None  # the readable graphs kept apart, once a snapshot was asked for
        try:
            if path is None:
                self._db = ox.Store()
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._db = ox.Store(str(path))
        except OSError as exc:
            raise _open_error(path, exc) from None
        if path is not None:
            self._redo_pending()

    def close(self) -> None:
        if self._mirror is not None:
            self._mirror.close()
        if self.path is not None:
            self._db.flush()
        del self._db

    def __enter__(self) -> OxigraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------------------------------- reading

    def select(self, query: str, bindings: Bindings | None = None, *,
               private: bool = False) -> list[dict[str, Term]]:
        """Run a SELECT. User values go in `bindings`: a variable name → a term, or a list of terms (a
        batch); they become a VALUES block written by the RDF library, never text spliced by hand."""
        solutions = self._query(query, bindings, private)
        names = [v.value for v in solutions.variables]
        return [{n: v for n, v in zip(names, row) if v is not None} for row in solutions]  # zip: 1.5× row[n]

    def ask(self, query: str, bindings: Bindings | None = None, *, private: bool = False) -> bool:
        return bool(self._query(query, bindings, private))

    def construct(self, query: str, bindings: Bindings | None = None, *,
                  private: bool = False) -> list[Triple]:
        return list(self._query(query, bindings, private))

    def _query(self, query: str, bindings: Bindings | None, private: bool):  # type: ignore[no-untyped-def]
        deadline.check()  # a request past its time budget stops before its next read (outside one: never)
        readset.untracked()
        graphs = None if private else list(self.graphs.readable)
        self.queries += 1
        try:
            return self._db.query(bind(query, bindings), prefixes=PREFIXES, default_graph=graphs,
                                  named_graphs=graphs, use_default_graph_as_union=private)
        except SyntaxError as exc:
            raise GrapheError("QUERY_SYNTAX", f"Requête SPARQL invalide : {exc}",
                              f"Invalid SPARQL query: {exc}") from None

    def public_query(self, query: str, default_graphs: Sequence[NamedNode], named_graphs: Sequence[NamedNode],  # type: ignore[no-untyped-def]
                     timeout: float | None = None, *, form: str = "SELECT"):
        """A reader's query, as written, over the given (public) graphs: the raw, lazy result — solutions
        (with `.variables`), a boolean, or triples. The caller checked the text first (`sparql.guard`);
        `form` is not needed here (Oxigraph's result says what it is)."""
        readset.untracked()
        self.queries += 1
        try:
            return self._db.query(query, default_graph=list(default_graphs), named_graphs=list(named_graphs))
        except SyntaxError as exc:
            raise GrapheError("SPARQL_SYNTAX", f"Requête SPARQL invalide : {exc}", f"Invalid SPARQL query: {exc}",
                              {"status": 400}) from None

    def snapshot(self, target: Path) -> Path:
        """An independent copy of the readable graphs only (no draft, account or audit quad), for other
        processes to open read-only (`open_snapshot`). On disk, a backup of the public mirror (hard links,
        instant; see `PublicMirror`) holding exactly the public revision it was taken at. In memory (tests,
        small data): a new on-disk database at `target` written from each graph's dump (`mirror.copy_readable`)."""
        if self.path is None:
            target.mkdir(parents=True, exist_ok=True)
            copy = ox.Store(str(target))
            try:
                copy_readable(self._db, copy, self.graphs.readable, target.with_name(target.name + ".nt"))
                copy.flush()
            finally:
                del copy  # releases the database's lock: readers open it next
            return target
        with self._write_lock:
            if self._mirror is None:  # opened on the first snapshot: the CLI never pays for it
                self._mirror = PublicMirror(self)
        return self._mirror.backup(target)

    @classmethod
    def open_snapshot(cls, snapshot: Path, graphs: GraphNames) -> OxigraphStore:
        """A snapshot opened read-only: any number of processes can read it at once, none can write to it."""
        store = cls(None, graphs)
        store._db = ox.Store.read_only(str(snapshot))
        return store

    def quads(self, graph: NamedNode) -> Iterator[Quad]:
        readset.untracked()
        found = self._db.quads_for_pattern(None, None, None, graph)
        if self.path is None:
            # An in-memory Oxigraph iterates in insertion order, not by subject (measured: 500 shuffled quads of 50
            # subjects came back with 1,460 subject switches, against 49 on disk): a subject written to again after
            # others would come in pieces. Its data is in memory anyway: sorted, each subject's quads come together.
            return iter(sorted(found, key=lambda q: (type(q.subject) is not ox.NamedNode, q.subject.value)))
        return found

    def describe(self, subjects: Iterable[Term], graph: NamedNode) -> list[Quad]:
        """Every quad of `graph` whose subject is one of `subjects`."""
        readset.untracked()
        out: list[Quad] = []
        for s in subjects:
            out.extend(self._db.quads_for_pattern(s, None, None, graph))
        return out

    def contains(self, quad: Quad) -> bool:
        readset.untracked()
        return quad in self._db

    def count(self, graph: NamedNode) -> int:
        readset.untracked()
        rows = self._db.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
        return int(next(iter(rows))["n"].value)

    def is_empty(self) -> bool:
        readset.untracked()
        return not any(True for _ in self._db.quads_for_pattern(None, None, None, self.graphs.public))

    def revision(self) -> Revision:
        """The public revision: it moves only when published data changes (kept in memory: this process is
        the store's only writer)."""
        if self._revision is None:
            self._revision = self._read_revision(public_revision_query(self.graphs), "p")
        return self._revision

    def private_revision(self) -> Revision:
        """The last commit, private bookkeeping (drafts, audit, tokens) included."""
        if self._private is None:
            self._private = self._read_revision(revision_query(self.graphs), "n")
        return self._private

    def _read_revision(self, query: str, number: str) -> Revision:
        for row in self._db.query(query):
            summary = row["d"].value if row["d"] is not None else ""
            return Revision(int(row[number].value), dt.datetime.fromisoformat(row["t"].value), summary)
        return Revision(0, None)

    def touched_since(self, revision: int) -> list[NamedNode]:
        """Published resources whose own triples changed in a revision after `revision`."""
        last = self._logged(revision)
        if last is not None:
            return [NamedNode(s) for s in sorted(last)]
        rows = self._db.query(touched_query(self.graphs, revision))
        return [row["s"] for row in rows]

    def changes(self, revision: int) -> list[frozenset] | None:
        """The triples each public commit after `revision` added or removed (`base.changed_triples`), from
        the in-memory log without any lock; None when the log does not cover them or one was too big."""
        since, log = self._touched
        if since is None or revision < since:
            return None
        out = [changed for public, _, changed in log if public > revision]
        return None if any(changed is None for changed in out) else out  # type: ignore[return-value]

    def last_touched(self, revision: int) -> dict[str, int]:
        """`touched_since`, each resource with the last public revision that changed it."""
        last = self._logged(revision)
        if last is not None:
            return last
        rows = self._db.query(last_touched_query(self.graphs, revision))
        return {row["s"].value: int(row["last"].value) for row in rows}

    def _logged(self, revision: int) -> dict[str, int] | None:
        """From the in-memory log, if it covers every public revision after `revision` (else None)."""
        since, log = self._touched
        if since is None or revision < since:
            return None
        last: dict[str, int] = {}
        for public, subjects, _ in log:
            if public > revision:
                for subject in subjects:
                    last[subject] = public
        return last

    def dump(self, output: IO[bytes], fmt: Format, graph: NamedNode) -> None:
        """Write `graph` to `output`; quad formats keep the graph name."""
        readset.untracked()
        if fmt.quads:
            ox.serialize(self._db.quads_for_pattern(None, None, None, graph), output, format=fmt.ox)
        else:
            self._db.dump(output, fmt.ox, from_graph=graph,
                          prefixes=PREFIXES if fmt.name == "ttl" else None)

    # ----------------------------------------------------------------------------------------- writing

    def commit(self, add: Sequence[Quad], remove: Sequence[Quad] = (), summary: str = "",
               notes: Mapping[str, Sequence[Term]] | None = None, sources: Sequence[Source] = ()) -> Revision:
        """Apply one change atomically — its quads and its revision record, all or nothing. `notes` adds
        facts to the revision record (e.g. the change feed's created / changed / retired objects).
        `sources` may name files (path, "ttl" or "nt", base IRI) whose triples, in the public graph, are `add`
        plus triples the store holds already, without blank nodes: a bulk write then loads them directly.
        Returns the public revision after the commit (unchanged by a private one)."""
        with self._write_lock:
            self.generation += 1  # odd while this commit runs (readers comparing it see one state: `changes`)
            try:
                revision, follow = self._commit(add, remove, summary, notes, sources)
            finally:
                self.generation += 1
            # Shown once the generation is even again: the readers the new revision brings (many at once,
            # right after a publication) find a settled store rather than give up on a commit still running.
            self._revision = revision
            if follow and self._mirror is not None:
                self._mirror.changed(add, remove)
            return revision

    def _commit(self, add: Sequence[Quad], remove: Sequence[Quad], summary: str,
                notes: Mapping[str, Sequence[Term]] | None, sources: Sequence[Source]) -> tuple[Revision, bool]:
        """(The revision to show, whether the public mirror follows this commit's delta.)"""
        number = self.private_revision().number + 1
        public = self.revision().number + touches_public(self.graphs, add, remove)
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        log = revision_record(self.graphs, number, public, now, add, remove, summary, notes)
        bulk = not remove and self.path is not None and len(add) >= self.bulk_threshold
        # Too big to hold as a delta, or read again from files whose blank nodes get new names at each
        # parse: the public mirror is rebuilt from the store instead, at the next snapshot.
        rebuild = bulk or bool(sources) or getattr(add, "subjects", None) is not None
        if self._mirror is not None and rebuild:
            self._mirror.stale()
        try:
            if remove:
                self._db.update(update_text(remove, [*add, *log]))
            elif bulk:
                self._bulk(add, log, sources)
            else:
                self._db.extend([*add, *log])
        except OSError as exc:
            raise GrapheError("STORE_WRITE_FAILED", f"Écriture refusée par le stockage : {exc}",
                              f"The store refused the write: {exc}") from None
        if self.path is not None:
            self._db.flush()
        self._private = Revision(number, now, summary)
        if public != self.revision().number:
            since, entries = self._touched
            entries += ((public, frozenset(q.object.value for q in log if q.predicate == REV_TOUCHED),
                         changed_triples(self.graphs, add, remove)),)
            if since is None:
                since = self.revision().number
            if len(entries) > DELTA_LOG and entries[-DELTA_LOG - 1][2] is not None:
                old = entries[-DELTA_LOG - 1]  # (memory: older entries keep their subjects only)
                entries = (*entries[:-DELTA_LOG - 1], (old[0], old[1], None), *entries[-DELTA_LOG:])
            if len(entries) > TOUCHED_LOG:
                since, entries = entries[0][0], entries[1:]
            self._touched = (since, entries)
            return Revision(public, now, summary), not rebuild
        return self.revision(), False


    # ------------------------------------------------------------------------------------- bulk writes

    def _redo_dir(self) -> Path:
        assert self.path is not None
        return self.path.with_name(self.path.name + ".redo")

    def _bulk(self, add: Sequence[Quad], log: Sequence[Quad], sources: Sequence[Source]) -> None:
        """Write a big addition without a transaction, yet all or nothing after a crash: the addition (copies
        of its source files, or its quads) and its revision record first go to a redo folder synced to disk,
        then the addition is bulk-written, then the revision record is committed in a transaction, then the
        redo folder goes. A start that finds a redo folder writes it again (a quad added twice is there once).
        Meanwhile readers may see part of the addition before its revision is recorded."""
        redo = self._redo_dir()
        tmp = redo.with_name(redo.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        entries = []
        if sources:  # Oxigraph parses the files itself: no Python objects to convert (1.0 s instead of 2.0)
            for i, (path, fmt, base_iri) in enumerate(sources):
                shutil.copyfile(path, tmp / f"{i}.{fmt}")
                entries.append({"file": f"{i}.{fmt}", "format": fmt, "base_iri": base_iri})
        else:
            with (tmp / "add.nq").open("wb") as out:
                ox.serialize(add, out, format=ox.RdfFormat.N_QUADS)
            entries.append({"file": "add.nq", "format": "nq", "base_iri": None})
        # The revision record is bulk-written too, except its number: every reader of revisions joins on it,
        # so the record only exists once that one quad is committed — the commit point, in a transaction.
        with (tmp / "log.nq").open("wb") as out:
            ox.serialize([q for q in log if q.predicate != REV_NUMBER], out, format=ox.RdfFormat.N_QUADS)
        entries.append({"file": "log.nq", "format": "nq", "base_iri": None})
        with (tmp / "commit.nq").open("wb") as out:
            ox.serialize([q for q in log if q.predicate == REV_NUMBER], out, format=ox.RdfFormat.N_QUADS)
        (tmp / "manifest.json").write_text(json.dumps({"graph": self.graphs.public.value, "files": entries}))
        for file in tmp.iterdir():
            _sync(file)
        _sync(tmp)
        tmp.replace(redo)
        _sync(redo.parent)
        try:
            self._apply(redo)
        except OSError:
            # Refused (a full disk, say): take back what was written — every quad of `add` is new — so
            # that the refusal the caller reports is true now and after a restart.
            for quad in add:
                self._db.remove(quad)
            shutil.rmtree(redo)
            raise
        shutil.rmtree(redo)

    def _apply(self, redo: Path) -> None:
        manifest = json.loads((redo / "manifest.json").read_text())
        graph = NamedNode(manifest["graph"])
        for entry in manifest["files"]:
            fmt = _BULK_FORMATS[entry["format"]]
            self._db.bulk_load(path=str(redo / entry["file"]), format=fmt, base_iri=entry["base_iri"],
                               to_graph=None if fmt == ox.RdfFormat.N_QUADS else graph)
        self._db.extend(ox.parse(path=str(redo / "commit.nq"), format=ox.RdfFormat.N_QUADS))
        self._db.flush()

    def _redo_pending(self) -> None:
        redo = self._redo_dir()
        shutil.rmtree(redo.with_name(redo.name + ".tmp"), ignore_errors=True)  # the crash came before: unused
        if not redo.exists():
            return
        logger.warning("écriture en masse interrompue : reprise depuis %s / resuming an interrupted bulk write", redo)
        self._apply(redo)
        shutil.rmtree(redo)


DELTA_LOG = 256  # public commits whose changed triples are remembered (`changes`)
TOUCHED_LOG = 4096  # public commits remembered in memory (`touched_since`); older questions query the log

_BULK_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "nq": ox.RdfFormat.N_QUADS}


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _open_error(path: Path | None, exc: OSError) -> GrapheError:
    text = str(exc)
    if "lock" in text.lower():
        return GrapheError(
            "STORE_LOCKED",
            f"Le dossier de données {path} est déjà ouvert par un autre processus Graphe.",
            f"The data directory {path} is already open in another Graphe process.")
    return GrapheError("STORE_OPEN_FAILED", f"Ouverture du stockage {path} impossible : {text}",
                       f"Cannot open the store at {path}: {text}")
