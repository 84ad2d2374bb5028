"""The search index: where it lives, which store revision it reflects, how it catches up or is rebuilt.

Whichever engine holds it (`engine.py`: tantivy by default, whoosh as the alternative), the index sits in
`{data}/search` (in memory with an in-memory store) with `state.json` naming the store revision it reflects,
the engine and its schema version (another engine or version: rebuilt at start). After every committed
write, `catch_up` re-indexes what the revisions since then touched, and records the new revision. A missing, corrupt or outdated index is rebuilt in
`search.building` and swapped in whole; meanwhile searches answer `SEARCH_UNAVAILABLE`.

The index checks itself: `state.json` also records each file's size and CRC-32 as written. Opening compares
them (a damaged file is found before any search reads it), and a search or catch-up that fails checks them
again (damage done while serving). Damage starts a rebuild in the background; searches answer
`SEARCH_REBUILDING` (HTTP 503 semantics) until it is done, never an internal error.
"""
from __future__ import annotations

import collections
import contextlib
import json
import logging
import multiprocessing
import os
import shutil
import threading
import time
import warnings
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ..core import readset
from ..core.collector import let_go
from ..core.errors import GrapheError
from ..store import Store
from . import documents
from .engine import ENGINES, Doc, Engine, Factory

# Bump when the analysis or the documents change: indexes built before are rebuilt at start.
DOCUMENTS_VERSION = 2

log = logging.getLogger(__name__)
BATCH = 500
PARALLEL_FROM = 5_000  # documents: a rebuild this large analyses in a helper process (≈ 1 s to start one)
AHEAD = 4  # batches analysed ahead of the engine
Progress = Callable[[int, int], None]
RETRY_AFTER = 10  # seconds a client is told to wait while the index is rebuilt
# A failing read re-checks unchanged files at most this often: a bug must not cost a full read per search.
VERIFY_INTERVAL = 30.0
STAT_INTERVAL = 0.5  # seconds between two looks at the files' sizes and times by searches


def rebuilding() -> GrapheError:
    return GrapheError("SEARCH_REBUILDING",
                       "L'index de recherche est en cours de reconstruction (il était endommagé) ; "
                       "réessayez dans un instant.",
                       "The search index is being rebuilt (it was damaged); try again in a moment.",
                       {"status": 503, "retry_after": RETRY_AFTER})



def factory(name: str) -> Factory:
    """The engine called `name` (imported only when chosen)."""
    if name == "tantivy":
        from .tantivy_engine import TANTIVY
        return TANTIVY
    if name == "whoosh":
        from .whoosh_engine import WHOOSH
        return WHOOSH
    raise ValueError(f"unknown search engine {name!r}: one of {', '.join(ENGINES)}")


class SearchIndex:
    def __init__(self, path: Path | None, engine: str = "tantivy") -> None:
        self.path = path
        self.factory = factory(engine)
        self._lock = threading.RLock()  # one writer at a time (catch-up, rebuild)
        self._ix = None
        self._revision = -1
        self._thread: threading.Thread | None = None
        self.error: str | None = None
        self._store: Store | None = None  # what a rebuild started by a failing read indexes from
        self._opened = False
        self._damage: str | None = None  # why the index is being rebuilt, while it is
        self._damage_lock = threading.Lock()
        self._sums: dict[tuple[str, int, int], int] = {}  # (name, size, mtime) → CRC-32: files are written once
        self._recorded: dict[str, list[int]] = {}  # name → [size, CRC-32] as written
        self._verified: tuple[tuple, float] | None = None  # (files' stat, when) of the last check that passed
        self._written_stat: tuple = ()  # `_stat()` when last written or checked at open
        self._stat_checked = -STAT_INTERVAL  # when `_changed_on_disk` last looked (time.monotonic)

    # ------------------------------------------------------------------------------------ state

    @property
    def revision(self) -> int:
        """The store revision the index reflects (-1: none yet)."""
        return self._revision

    @property
    def ready(self) -> bool:
        return self._ix is not None

    @property
    def status(self) -> str:
        """"ready" (searches answer), "rebuilding" (being opened, built or rebuilt: searches answer
        SEARCH_UNAVAILABLE or SEARCH_REBUILDING), "error" (the last build failed: see `error`), "off" (never
        opened)."""
        if self._ix is not None:
            return "ready"
        if self.error is not None and self._damage is None:
            return "error"
        return "rebuilding" if self._opened or self._damage is not None else "off"

    @property
    def version(self) -> str:
        return f"{self.factory.name}-{self.factory.schema_version}-{DOCUMENTS_VERSION}"

    def index(self) -> Engine:
        ix = self._ix
        if ix is None:
            if self._damage is not None:
                raise rebuilding()
            if self.error is not None:
                raise GrapheError("SEARCH_UNAVAILABLE",
                                  "L'index de recherche n'a pas pu être construit ; lancez « graphe reindex ».",
                                  "The search index could not be built; run `graphe reindex`.", {"status": 503})
            raise GrapheError("SEARCH_UNAVAILABLE",
                              "L'index de recherche est en cours de construction ; réessayez dans un instant.",
                              "The search index is being built; try again in a moment.",
                              {"status": 503, "retry_after": RETRY_AFTER})
        return ix

    @contextlib.contextmanager
    def reading(self) -> Iterator[Engine]:
        """The index, for one search. A read that fails other than with a GrapheError checks the files: if
        they are damaged, the index is rebuilt in the background and the search answers SEARCH_REBUILDING."""
        readset.untracked()  # an answer that searched is kept for this index revision only
        ix = self.index()
        if self._changed_on_disk() and self._damaged_since_open(wait=False):
            raise rebuilding()
        try:
            yield ix
        except GrapheError:
            raise
        except Exception as exc:
            if self._damaged_since_open():
                raise rebuilding() from exc
            raise

    def _changed_on_disk(self) -> bool:
        """Whether a file of the index changed size or time since written (tantivy reads mapped files and
        keeps decompressed blocks, so damage may not fail a read). Looked at once per `STAT_INTERVAL` at
        most: each stat call gives the interpreter lock away and waits to get it back, and under load the
        40-odd calls of a check cost a search 4 to 6 ms (profiled at 10,000 practices with a writer); a
        read that fails checks at once (`reading`)."""
        if self.path is None or not self._recorded:
            return False
        now = time.monotonic()
        if now - self._stat_checked < STAT_INTERVAL:
            return False
        self._stat_checked = now
        try:
            return self._stat() != self._written_stat
        except OSError:
            return True

    def _damaged_since_open(self, wait: bool = True) -> bool:
        """Whether the files on disk no longer match what was written (then a rebuild is started). Without
        `wait`, a check that would wait for a catch-up writing files says no: the files change because they
        are being written (searches waited for every catch-up here, a tenth of a second each, under a
        writer publishing every second); the next search checks them."""
        if self._damage is not None:
            return True
        if self.path is None or not self._recorded:
            return False  # in memory: nothing on disk to damage
        if not self._lock.acquire(blocking=wait):  # (not while a catch-up replaces files: they would seem missing)
            return False
        try:
            if self._damage is not None:
                return True
            try:
                stat = self._stat()
            except OSError as exc:
                self._start_rebuild(f"search index folder unreadable: {exc}")
                return True
            verified = self._verified
            if verified is not None and verified[0] == stat and time.monotonic() - verified[1] < VERIFY_INTERVAL:
                return False
            problem = self._verify(self.path, self._recorded, cached=False)
            if problem is None:
                self._verified = (stat, time.monotonic())
                self._written_stat = stat  # (same content: a touched file is not damage)
                return False
            self._start_rebuild(problem)
            return True
        finally:
            self._lock.release()

    def _start_rebuild(self, problem: str) -> None:
        """Drop the damaged index and rebuild it from the store in the background (once, however many
        searches found the damage)."""
        with self._damage_lock:
            if self._damage is not None:
                return
            log.error("search index damaged (%s): rebuilding it in the background", problem)
            self._damage, self._ix, self._revision = problem, None, -1
            store = self._store
            if store is None:
                return
            self._thread = threading.Thread(target=self._guarded, args=(self.rebuild, store),
                                            name="graphe-search-rebuild", daemon=True)
            self._thread.start()

    # ------------------------------------------------------------------------------------ checksums

    def _stat(self) -> tuple:
        """Size and time of the files as recorded (an engine may keep older files a while: not ours)."""
        assert self.path is not None
        base = str(self.path) + os.sep  # (os.stat on strings: a third of Path.stat's cost, once per search)
        return tuple((name, s.st_size, s.st_mtime_ns) for name in sorted(self._recorded)
                     for s in (os.stat(base + name),))

    def _crc(self, path: Path) -> int:
        crc = 0
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                crc = zlib.crc32(chunk, crc)
        return crc

    def _checksums(self, folder: Path, engine: Engine) -> dict[str, list[int]]:
        """Each index file's size and CRC-32, computed only for files not seen before (both engines write a
        file once, under a new name: a catch-up hashes its new segment only)."""
        sums, out = {}, {}
        for path in (folder / name for name in engine.files()):
            st = path.stat()
            key = (path.name, st.st_size, st.st_mtime_ns)
            crc = self._sums.get(key)
            if crc is None:
                crc = self._crc(path)
            sums[key] = crc
            out[path.name] = [st.st_size, crc]
        self._sums = sums
        return out

    def _verify(self, folder: Path, recorded: dict[str, list[int]], *, cached: bool) -> str | None:
        """What is wrong with the files against `recorded`, or None. Every byte is read (CRC-32 runs at
        about a gigabyte a second), unless `cached` and the file's size and time are as last hashed."""
        for name, (size, crc) in recorded.items():
            path = folder / name
            try:
                st = path.stat()
                if st.st_size != size:
                    return f"{name}: {st.st_size} bytes, {size} written"
                known = self._sums.get((name, st.st_size, st.st_mtime_ns)) if cached else None
                actual = known if known is not None else self._crc(path)
            except OSError as exc:
                return f"{name}: {exc}"
            if actual != crc:
                return f"{name}: content changed since written"
            self._sums[(name, st.st_size, st.st_mtime_ns)] = actual
        return None

    def _state_file(self, folder: Path) -> Path:
        return folder / "state.json"

    def _write_state(self) -> None:
        if self.path is not None:
            assert self._ix is not None
            self._recorded = self._checksums(self.path, self._ix)
            self._written_stat = self._stat()
            self._verified = None
            tmp = self.path / "state.json.tmp"
            tmp.write_text(json.dumps({"revision": self._revision, "schema": self.version,
                                       "files": self._recorded}), encoding="utf-8")
            tmp.replace(self._state_file(self.path))

    # ------------------------------------------------------------------------------------ opening

    def open(self, store: Store, *, background: bool = True) -> None:
        """Open the index and bring it up to date with the store (rebuild if needed), in a thread or not
        (opening the files is done in the thread too: the service starts answering without waiting)."""
        def start(store: Store) -> None:
            (self.catch_up if self._try_open() else self.rebuild)(store)

        self._store, self._opened = store, True
        if not background:
            start(store)
            return
        self._thread = threading.Thread(target=self._guarded, args=(start, store), name="graphe-search",
                                        daemon=True)
        self._thread.start()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _guarded(self, target: Callable[[Store], object], store: Store) -> None:
        try:
            target(store)
        except Exception as exc:  # noqa: BLE001 — logged; searches report SEARCH_UNAVAILABLE
            self.error = str(exc)
            log.exception("search index update failed")

    def _try_open(self) -> bool:
        if self.path is None:
            return False
        # whoosh leaves the files of an index it failed to open to the garbage collector: let them go quietly
        # (only then: a full pass at every start held the interpreter 60 ms while the service started).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            opened = self._open_existing()
        if not opened:
            let_go()
        return opened

    def _open_existing(self) -> bool:
        assert self.path is not None
        if not self.path.exists():
            log.info("no search index yet: it will be built")
            return False
        recorded = None
        try:
            state = json.loads(self._state_file(self.path).read_text(encoding="utf-8"))
            if state.get("schema") != self.version:
                log.info("search index of another engine or version (%s): it will be rebuilt", state.get("schema"))
                return False
            recorded = state.get("files")
            if not recorded:  # written before the index checked itself: nothing to check it against
                log.info("search index without checksums: it will be rebuilt")
                return False
            problem = self._verify(self.path, recorded, cached=True)
            if problem is not None:
                log.error("search index damaged (%s): rebuilding it", problem)
                self._damage = problem  # searches answer SEARCH_REBUILDING until the rebuild is done
                return False
            ix = self.factory.open(self.path)
            self._ix, self._revision, self._recorded = ix, int(state["revision"]), recorded
            self._written_stat = self._stat()
            return True
        except Exception as exc:  # noqa: BLE001 — anything wrong with the folder means: rebuild it
            log.warning("search index unusable (%s): it will be rebuilt", str(exc))
            if recorded:  # its files were checked and still do not open: damaged all the same
                self._damage = str(exc)
            return False

    def close(self) -> None:
        self.wait(30)
        ix, self._ix = self._ix, None
        if ix is not None:
            ix.close()

    # ------------------------------------------------------------------------------------ writing

    def rebuild(self, store: Store, progress: Progress | None = None) -> int:
        """Index every indexable resource into a fresh index, then swap it in. Returns the document count."""
        self._store = store
        try:
            return self._rebuild(store, progress)
        except Exception:
            self._damage = None  # no longer being rebuilt: failed (`status` says "error" when nothing is left)
            raise

    def _rebuild(self, store: Store, progress: Progress | None) -> int:
        with self._lock:
            revision = store.revision().number
            iris = documents.all_indexable(store)
            if self.path is None:
                ix = self.factory.create(None)
            else:
                building = self.path.with_name(self.path.name + ".building")
                shutil.rmtree(building, ignore_errors=True)
                ix = self.factory.create(building)
            done = 0
            writer = ix.writer(bulk=True)
            try:
                scanned = documents.everything(store)
                if scanned is not None:
                    prepared = (_prepared_elsewhere(scanned) if len(iris) >= PARALLEL_FROM
                                else (d.for_engine() for d in scanned))
                    for done, doc in enumerate(prepared, 1):
                        writer.add(doc)
                        if progress and done % BATCH == 0:
                            progress(min(done, len(iris)), len(iris))
                    if progress:
                        progress(len(iris), len(iris))
                else:
                    for start in range(0, len(iris), BATCH):
                        docs, _ = documents.build(store, iris[start:start + BATCH])
                        for doc in docs:
                            writer.add(doc.for_engine())
                        done = min(len(iris), start + BATCH)
                        if progress:
                            progress(done, len(iris))
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            if self.path is not None:
                ix.close()
                old = self.path.with_name(self.path.name + ".old")
                shutil.rmtree(old, ignore_errors=True)
                if self.path.exists():
                    self.path.rename(old)
                building.rename(self.path)
                shutil.rmtree(old, ignore_errors=True)
                ix = self.factory.open(self.path)
            self._revision = revision
            self._ix, self._damage, self.error = ix, None, None
            self._write_state()
            if progress and not iris:
                progress(0, 0)
        self.catch_up(store)  # writes committed while rebuilding
        return len(iris)

    def catch_up(self, store: Store) -> int:
        """Re-index what changed since the recorded revision; record the store's revision. Returns the
        number of resources refreshed."""
        self._store = store
        with self._lock:
            if self._damage is not None:
                return 0  # a rebuild is under way, and catches up when done
            if self._ix is None:
                return self.rebuild(store)
            current = store.revision().number
            if current == self._revision:
                return 0
            touched = store.touched_since(self._revision)
            iris = documents.affected(store, touched)
            failed: Exception | None = None
            try:
                self._apply(store, iris)
            except GrapheError:
                raise
            except Exception as exc:
                failed = exc
            if failed is not None:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ResourceWarning)
                    if self._damaged_since_open():  # the write itself is in the store: the rebuild indexes it
                        log.warning("search index catch-up failed on the damaged index: %s", str(failed))
                        failed = None  # (whoosh's files left open by the failed writer go with it, quietly)
                        let_go()
                        return 0
                raise failed
            self._revision = current
            self._write_state()
            return len(iris)

    def _apply(self, store: Store, iris: Sequence[str]) -> None:
        assert self._ix is not None
        writer = self._ix.writer()
        try:
            for start in range(0, len(iris), BATCH):
                docs, gone = documents.build(store, iris[start:start + BATCH])
                for iri in gone:
                    writer.delete(iri)
                for doc in docs:
                    writer.delete(doc.id)
                    writer.add(doc.for_engine())
            writer.commit()
        except BaseException:
            writer.cancel()
            raise


def _prepared_elsewhere(docs: Iterator[documents.Document]) -> Iterator[Doc]:
    """The documents analysed in a helper process while this one reads the store and feeds the engine:
    analysis is pure Python (the interpreter lock allows no second thread), and both take about as long
    (at 20,000 sheets: 6.7 s reading, 10.7 s analysing; bench/NOTES.md). In order; a few batches ahead."""
    # spawn, not fork: the service's threads (tantivy's, the refresh thread) hold locks a fork would copy.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        pending: collections.deque = collections.deque()
        batch: list[documents.Document] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) == BATCH:
                pending.append(pool.submit(documents.prepare, batch))
                batch = []
                while len(pending) > AHEAD:
                    yield from pending.popleft().result()
        if batch:
            pending.append(pool.submit(documents.prepare, batch))
        while pending:
            yield from pending.popleft().result()


