"""The embedded store: Oxigraph on disk (default) or in memory; atomic commits with their revision record."""
from __future__ import annotations

import datetime as dt
import json
import logging
import mmap
import os
import shutil
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from .. import deadline
from ..errors import GrapheError
from ..rdf import PREFIXES, Format, NamedNode, Quad, Term, Triple
from .base import (REV_NUMBER, REV_TOUCHED, Bindings, GraphNames, Revision, bind, public_revision_query, revision_query,
                   revision_record, touches_public, last_touched_query, touched_query, update_text)

logger = logging.getLogger(__name__)
Source = tuple[Path, str, str]  # a file to bulk-load: path, format ("ttl" or "nt"), base IRI


class OxigraphStore:
    """One Oxigraph database. Thread-safe for reads; writes are serialised by a lock."""

    max_rows: int | None = None  # no cap on the rows of one answer
    # Additions of at least this many quads (with nothing removed) are written in bulk behind a redo log:
    # Oxigraph's transactional write is the slowest step of a big import (5.1 s of 8 for 178,000 triples).
    bulk_threshold = 50_000

    def __init__(self, path: Path | None, graphs: GraphNames) -> None:
        self.path = path
        self.graphs = graphs
        self._write_lock = threading.Lock()
        self.queries = 0  # SPARQL queries run so far (tests and benchmarks count them)
        self._revision: Revision | None = None  # the public revision
        self._private: Revision | None = None  # the last commit
        # What each public commit of this process touched, in memory (this process is the store's only
        # writer): the search index and the read cache ask after every write, and the query scans the
        # whole revision log (each record's touched subjects: an import of 10,000 practices is one record of
        # 30,000), 50 to 60 ms a time at 10,000 practices and growing with the history.
        self._touched_log: list[tuple[int, frozenset[str]]] = []
        self._touched_from: int | None = None  # the log covers the public revisions after this one
        self._mirror: _PublicMirror | None = None  # the readable graphs kept apart, once a snapshot was asked for
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
        graphs = None if private else list(self.graphs.readable)
        self.queries += 1
        try:
            return self._db.query(bind(query, bindings), prefixes=PREFIXES, default_graph=graphs,
                                  named_graphs=graphs, use_default_graph_as_union=private)
        except SyntaxError as exc:
            raise GrapheError("QUERY_SYNTAX", f"Requête SPARQL invalide : {exc}",
                              f"Invalid SPARQL query: {exc}") from None

    def public_query(self, query: str, default_graphs: Sequence[NamedNode], named_graphs: Sequence[NamedNode],  # type: ignore[no-untyped-def]
                     timeout: float | None = None):
        """A reader's query, as written, over the given (public) graphs: the raw, lazy result — solutions
        (with `.variables`), a boolean, or triples. The caller checked the text first (`sparql.guard`)."""
        self.queries += 1
        try:
            return self._db.query(query, default_graph=list(default_graphs), named_graphs=list(named_graphs))
        except SyntaxError as exc:
            raise GrapheError("SPARQL_SYNTAX", f"Requête SPARQL invalide : {exc}", f"Invalid SPARQL query: {exc}",
                              {"status": 400}) from None

    def snapshot(self, target: Path) -> Path:
        """An independent copy of the readable graphs only (no draft, account or audit quad), for other
        processes to open read-only (`open_snapshot`). On disk, a backup of the public mirror (hard links,
        instant; see `_PublicMirror`) holding exactly the public revision it was taken at. In memory (tests,
        small data): a new on-disk database at `target` written from each graph's dump (`_copy_readable`)."""
        if self.path is None:
            target.mkdir(parents=True, exist_ok=True)
            copy = ox.Store(str(target))
            try:
                _copy_readable(self._db, copy, self.graphs.readable, target.with_name(target.name + ".nt"))
                copy.flush()
            finally:
                del copy  # releases the database's lock: readers open it next
            return target
        with self._write_lock:
            if self._mirror is None:  # opened on the first snapshot: the CLI never pays for it
                self._mirror = _PublicMirror(self)
        return self._mirror.backup(target)

    @classmethod
    def open_snapshot(cls, snapshot: Path, graphs: GraphNames) -> OxigraphStore:
        """A snapshot opened read-only: any number of processes can read it at once, none can write to it."""
        store = cls(None, graphs)
        store._db = ox.Store.read_only(str(snapshot))
        return store

    def quads(self, graph: NamedNode) -> Iterator[Quad]:
        return self._db.quads_for_pattern(None, None, None, graph)

    def describe(self, subjects: Iterable[Term], graph: NamedNode) -> list[Quad]:
        """Every quad of `graph` whose subject is one of `subjects`."""
        out: list[Quad] = []
        for s in subjects:
            out.extend(self._db.quads_for_pattern(s, None, None, graph))
        return out

    def contains(self, quad: Quad) -> bool:
        return quad in self._db

    def count(self, graph: NamedNode) -> int:
        rows = self._db.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
        return int(next(iter(rows))["n"].value)

    def is_empty(self) -> bool:
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

    def last_touched(self, revision: int) -> dict[str, int]:
        """`touched_since`, each resource with the last public revision that changed it."""
        last = self._logged(revision)
        if last is not None:
            return last
        rows = self._db.query(last_touched_query(self.graphs, revision))
        return {row["s"].value: int(row["last"].value) for row in rows}

    def _logged(self, revision: int) -> dict[str, int] | None:
        """From the in-memory log, if it covers every public revision after `revision` (else None)."""
        with self._write_lock:
            if self._touched_from is None or revision < self._touched_from:
                return None
            last: dict[str, int] = {}
            for public, subjects in self._touched_log:
                if public > revision:
                    for subject in subjects:
                        last[subject] = public
            return last

    def dump(self, output: IO[bytes], fmt: Format, graph: NamedNode) -> None:
        """Write `graph` to `output`; quad formats keep the graph name."""
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
                if self._touched_from is None:
                    self._touched_from = self.revision().number
                self._touched_log.append((public, frozenset(q.object.value for q in log if q.predicate == REV_TOUCHED)))
                if len(self._touched_log) > TOUCHED_LOG:
                    self._touched_from = self._touched_log.pop(0)[0]
                self._revision = Revision(public, now, summary)
                if self._mirror is not None and not rebuild:
                    self._mirror.changed(add, remove)
            return self._revision


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


Delta = tuple[list[Quad], list[Quad]]  # one commit's readable-graph quads: added, removed


class _PublicMirror:
    """A second on-disk Oxigraph database beside the store (`{store}.public/`) holding only the readable
    graphs, kept in step with the public revision, so that a snapshot for the SPARQL workers is a backup of
    it (hard links: 3 ms median at 10,000 practices) instead of a copy of every public quad (6 s). Derived
    data: it can always be rebuilt from the store, and is whenever it cannot be trusted.

    The marker. `{store}.public.rev` names the public revision (number and time) the mirror holds. A commit
    that changes readable graphs applies the same readable quads to the mirror (removed, then added: the
    store's own order within a commit), flushes it, then writes the marker — under the store's write lock,
    after the store's commit succeeded and was flushed. So a marker only ever names a revision the mirror
    holds on disk, and a process stopping anywhere in between leaves the marker behind the store (whatever
    the mirror got): at open (the first snapshot in a process) a marker missing or naming another revision
    than the store's means a rebuild. So does a commit the mirror could not take, a big write (bulk path,
    files read again) or blank nodes the store relabelled (SPARQL INSERT DATA): `stale` removes the marker.
    The time in the marker tells a store rebuilt from scratch up to the same number from the one it reflects.

    Rebuilds without holding the write lock. Under the lock: `pending` becomes an empty list and the marker
    goes; then, lock released, each readable graph is dumped and bulk-loaded into a new database while every
    commit appends its readable delta to `pending` (and writes nothing to the mirror); then, under the lock
    again, the deltas are applied in order, the mirror flushed, the marker written. Why the result is the
    readable graphs after the last commit, quad by quad: every commit before `pending` began is entirely in
    the store when the dump starts, and every commit after is in `pending`, in commit order. The dump reads
    each quad at some moment during the rebuild, i.e. as it stood after some prefix of `pending`. If a
    delta of `pending` names the quad, the last one that does decides its presence, whatever the dump said
    (adding or removing a quad twice changes nothing: the replay of commits the dump already saw is
    harmless); if none names it, nothing changed it during the rebuild and the dump is right. A big write
    during a rebuild (`stale`) drops `pending`: that rebuild is void and the next one starts over.
    Blank nodes: a bulk load gives them new labels, while deltas (and later commits) use the store's, so
    the rebuild replaces every blank-node quad it loaded by the store's own, read after the load — the same
    argument holds for them (read during the rebuild, `pending` replayed after).

    Snapshots take the write lock only for the backup, so that it copies a state matching the marker (no
    commit half applied); `lock` lets one snapshot or rebuild run at a time (commits never take it)."""

    def __init__(self, store: OxigraphStore) -> None:
        assert store.path is not None
        self.store = store
        self.dir = store.path.with_name(store.path.name + ".public")
        self.marker = store.path.with_name(store.path.name + ".public.rev")
        self.db: ox.Store | None = None  # open and equal to the readable graphs at the store's public revision
        self.pending: list[Delta] | None = None  # while a rebuild runs: the readable deltas of commits since
        self.lock = threading.Lock()
        self.closed = False

    # Called with the store's write lock held.

    def changed(self, add: Sequence[Quad], remove: Sequence[Quad]) -> None:
        """A commit that changed readable graphs succeeded: follow it (or note it for the rebuild running)."""
        if self.db is None and self.pending is None:
            return  # not in step (stale, never opened): the marker is behind, the next snapshot rebuilds
        readable = self.store.graphs.readable
        delta = ([q for q in add if q.graph_name in readable], [q for q in remove if q.graph_name in readable])
        if remove and any(isinstance(t, ox.BlankNode) for q in delta[0] for t in (q.subject, q.object)):
            # The store wrote them through SPARQL INSERT DATA, which gives blank nodes new labels: the mirror
            # cannot know them, and later commits name the store's. Rebuilt from the store instead.
            self.stale()
            return
        if self.pending is not None:
            self.pending.append(delta)
            return
        assert self.db is not None
        try:
            _apply(self.db, delta)
            self.db.flush()
            self._write_marker()
        except OSError as exc:  # the store's commit stands: the mirror, derived, is rebuilt later
            logger.warning("miroir public en retard, reconstruit au prochain instantané / public mirror behind, "
                           "rebuilt at the next snapshot: %s", exc)
            self.stale()

    def stale(self) -> None:
        """Stop following commits: the next snapshot rebuilds the mirror from the store."""
        self.pending = None  # a rebuild running is void: the next starts over
        self.db = None  # closes it (a rebuild deletes its files)
        self.marker.unlink(missing_ok=True)

    def _write_marker(self) -> None:
        revision = self.store.revision()
        tmp = self.marker.with_name(self.marker.name + ".tmp")
        tmp.write_text(json.dumps({"revision": revision.number,
                                   "time": revision.time.isoformat() if revision.time else None}))
        tmp.replace(self.marker)  # never half a marker

    def _marker_current(self) -> bool:
        revision = self.store.revision()
        try:
            mark = json.loads(self.marker.read_text())
        except (OSError, ValueError):
            return False
        return (isinstance(mark, dict) and mark.get("revision") == revision.number
                and mark.get("time") == (revision.time.isoformat() if revision.time else None)
                and (self.dir / "CURRENT").exists())

    # Called without it.

    def backup(self, target: Path) -> Path:
        """Copy the mirror to `target` (a new folder), rebuilding it first when it is not in step."""
        with self.lock:
            while True:
                with self.store._write_lock:
                    if self.closed:
                        raise GrapheError("STORE_CLOSED", "Stockage fermé : pas d'instantané.",
                                          "The store is closed: no snapshot.")
                    if self.db is None and self.pending is None and self._marker_current():
                        try:
                            self.db = ox.Store(str(self.dir))
                        except OSError as exc:  # damaged: rebuilt below
                            logger.warning("miroir public illisible, reconstruit / public mirror unreadable, "
                                           "rebuilt: %s", exc)
                    if self.db is not None:
                        target.parent.mkdir(parents=True, exist_ok=True)
                        self.db.backup(str(target))
                        return target
                    self.pending = []
                    self.marker.unlink(missing_ok=True)
                self._rebuild()

    def _rebuild(self) -> None:
        source = self.store._db  # held here: a close meanwhile does not pull it from under the dump
        fresh: ox.Store | None = None
        try:
            shutil.rmtree(self.dir, ignore_errors=True)
            fresh = ox.Store(str(self.dir))
            self._load(source, fresh)
            with self.store._write_lock:
                pending, self.pending = self.pending, None
                if pending is None or self.closed:
                    return  # a big write came meanwhile (`stale`), or the store closed: start over
                for delta in pending:
                    _apply(fresh, delta)
                fresh.flush()
                self._write_marker()
                self.db, fresh = fresh, None
        except BaseException:
            with self.store._write_lock:
                self.pending = None
            raise
        finally:
            del fresh

    def _load(self, source: ox.Store, fresh: ox.Store) -> None:
        readable = self.store.graphs.readable
        blank_graphs = _copy_readable(source, fresh, readable, self.dir.with_name(self.dir.name + ".nt"))
        for graph in blank_graphs:  # the store's blank-node labels, in place of the ones the bulk load gave
            blank = f"GRAPH {graph} {{ ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }}"
            fresh.update(f"DELETE {{ GRAPH {graph} {{ ?s ?p ?o }} }} WHERE {{ {blank} }}")
            fresh.extend(Quad(row[0], row[1], row[2], graph)
                         for row in source.query(f"SELECT ?s ?p ?o WHERE {{ {blank} }}"))

    def close(self) -> None:
        with self.store._write_lock:
            self.closed = True
            if self.db is not None:
                self.db.flush()
            self.db = None


def _apply(db: ox.Store, delta: Delta) -> None:
    add, remove = delta
    if remove:
        db.update(update_text(remove, add))  # one transaction: removed, then added, as the store did
    elif add:
        db.extend(add)


def _copy_readable(source: ox.Store, copy: ox.Store, graphs: Sequence[NamedNode], dump: Path) -> list[NamedNode]:
    """Bulk-write `graphs` from `source` into `copy`, graph by graph through an N-Triples file (Oxigraph end
    to end, no Python objects). Each graph is read at one point in time. Blank nodes get new labels: the
    graphs whose dump may hold one are returned (a byte search, 20 ms for 44 MB; literals saying "_:" too)."""
    blank = []
    try:
        for graph in graphs:
            with dump.open("wb") as out:
                source.dump(out, ox.RdfFormat.N_TRIPLES, from_graph=graph)
            if dump.stat().st_size:
                with dump.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
                    if data.find(b"_:") >= 0:
                        blank.append(graph)
            copy.bulk_load(path=str(dump), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
    finally:
        dump.unlink(missing_ok=True)
    return blank

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
