"""The embedded store's public mirror: the readable graphs kept apart, for the SPARQL workers' snapshots."""
from __future__ import annotations

import json
import logging
import shutil
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ..core.errors import GrapheError
from ..core.rdf import NamedNode, Quad
from .base import update_text

if TYPE_CHECKING:
    from .oxigraph import OxigraphStore

logger = logging.getLogger(__name__)

Delta = tuple[list[Quad], list[Quad]]  # one commit's readable-graph quads: added, removed


class PublicMirror:
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
            apply_delta(self.db, delta)
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
                    apply_delta(fresh, delta)
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
        blank_graphs = copy_readable(source, fresh, readable, self.dir.with_name(self.dir.name + ".nt"))
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


def apply_delta(db: ox.Store, delta: Delta) -> None:
    add, remove = delta
    if remove:
        db.update(update_text(remove, add))  # one transaction: removed, then added, as the store did
    elif add:
        db.extend(add)


def copy_readable(source: ox.Store, copy: ox.Store, graphs: Sequence[NamedNode], dump: Path) -> list[NamedNode]:
    """Bulk-write `graphs` from `source` into `copy`, graph by graph through an N-Triples file (Oxigraph end
    to end, no Python objects). Each graph is read at one point in time. Blank nodes get new labels: the
    graphs whose dump may hold one are returned (a byte search of each piece, cut between lines: a label
    never straddles two; literals saying "_:" count too). The search is made on the pieces read for the
    loader, not on the whole file mapped in memory: at 100,000 practices that mapping (648 MB) was the
    service's peak memory (1,523 MB, bench/NOTES.md)."""
    blank = []
    try:
        for graph in graphs:
            with dump.open("wb") as out:
                source.dump(out, ox.RdfFormat.N_TRIPLES, from_graph=graph)
            for piece in _pieces(dump):
                if b"_:" in piece and graph not in blank:
                    blank.append(graph)
                copy.bulk_load(piece, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
    finally:
        dump.unlink(missing_ok=True)
    return blank


# Oxigraph's bulk loader holds a large batch of its input in memory: the public graph at 100,000 practices
# (1.8 million triples) in one call raised the service's peak memory to 3.3 GB (bench/NOTES.md). Pieces of
# this size bound it — copying 178,350 triples (10,000 practices, 44 MB): peak 386 MB whole, 272 MB in
# pieces of 32 MB, 168 MB in pieces of 8 MB, in the same time (3.5–4.6 s) — cut between lines (whole triples).
PIECE_BYTES = 8 * 1024 * 1024


def _pieces(dump: Path) -> Iterator[bytes]:
    with dump.open("rb") as file:
        while chunk := file.read(PIECE_BYTES):
            yield chunk + file.readline()
