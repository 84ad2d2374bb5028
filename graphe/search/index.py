"""The search index: where it lives, which store revision it reflects, how it catches up or is rebuilt.

The index sits in `{data}/search` (in memory with an in-memory store) with `state.json` naming the store
revision it reflects. After every committed write, `catch_up` re-indexes what the revisions since then
touched, and records the new revision. A missing, corrupt or outdated index is rebuilt in
`search.building` and swapped in whole; meanwhile searches answer `SEARCH_UNAVAILABLE`.
"""
from __future__ import annotations

import gc
import json
import logging
import shutil
import threading
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage, RamStorage

from ..errors import GrapheError
from ..store import Store
from . import documents
from .analysis import SCHEMA_VERSION, schema

log = logging.getLogger(__name__)
BATCH = 500
Progress = Callable[[int, int], None]


class PrivateRamStorage(RamStorage):
    """An in-memory index whose writers' temporary files stay in memory too. whoosh puts them in a folder
    of the system's temporary directory named after the index ("MAIN.tmp"), the same for every process on
    the machine, so one writer's clean-up deleted the files of another (seen with two test runs at once);
    and the per-document writer never removes its folder, so a random name would leave one behind per
    write."""

    def temp_storage(self, name=None):  # type: ignore[no-untyped-def]
        return RamStorage()


def _open(path: Path):  # type: ignore[no-untyped-def]
    """The index in `path`, read with plain reads rather than mapped in memory: a common word at 100,000
    sheets touches most of the files, which then counted in the service's memory (hundreds of megabytes of
    the system's file cache, shared and reclaimable, but reported as the process's own)."""
    return FileStorage(str(path), supports_mmap=False).open_index()


class SearchIndex:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.RLock()  # one writer at a time (catch-up, rebuild)
        self._ix = None
        self._revision = -1
        self._thread: threading.Thread | None = None
        self.error: str | None = None
        self._values_lock = threading.Lock()
        self._values: tuple[object, int, dict[str, list]] | None = None  # (index, generation, tables)

    # ------------------------------------------------------------------------------------ state

    @property
    def revision(self) -> int:
        """The store revision the index reflects (-1: none yet)."""
        return self._revision

    @property
    def ready(self) -> bool:
        return self._ix is not None

    def index(self):  # type: ignore[no-untyped-def]
        ix = self._ix
        if ix is None:
            raise GrapheError("SEARCH_UNAVAILABLE",
                              "L'index de recherche est en cours de construction ; réessayez dans un instant.",
                              "The search index is being built; try again in a moment.")
        return ix

    def values_per_document(self, ix, searcher, fields: Sequence[str]) -> dict[str, list]:  # type: ignore[no-untyped-def]
        """Per field, each document's values (a tuple, or None), by document number, in `ix` as `searcher`
        reads it: built once per index generation, and kept. whoosh's facet categorizers build such a table
        at every search (≈ 0.6 s at 100,000 sheets for the five facets)."""
        reader = searcher.reader()
        generation = reader.generation()
        with self._values_lock:  # (built once when several searches ask at the same time)
            kept = self._values
            if kept is not None and kept[0] is ix and kept[1] == generation:
                return kept[2]
            tables = {}
            for name in fields:
                field = reader.schema[name]
                values: list = [None] * reader.doc_count_all()
                for btext in field.sortable_terms(reader, name):
                    text = field.from_bytes(btext)
                    alone = (text,)  # one tuple shared by the documents holding only this value
                    for doc in reader.postings(name, btext).all_ids():
                        held = values[doc]
                        values[doc] = alone if held is None else (*held, text)
                tables[name] = values
            if generation is not None:
                self._values = (ix, generation, tables)
            return tables

    def _state_file(self, folder: Path) -> Path:
        return folder / "state.json"

    def _write_state(self) -> None:
        if self.path is not None:
            tmp = self.path / "state.json.tmp"
            tmp.write_text(json.dumps({"revision": self._revision, "schema": SCHEMA_VERSION}), encoding="utf-8")
            tmp.replace(self._state_file(self.path))

    # ------------------------------------------------------------------------------------ opening

    def open(self, store: Store, *, background: bool = True) -> None:
        """Open the index and bring it up to date with the store (rebuild if needed), in a thread or not
        (opening the files is done in the thread too: the service starts answering without waiting)."""
        def start(store: Store) -> None:
            (self.catch_up if self._try_open() else self.rebuild)(store)

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
                gc.collect()
        return opened

    def _open_existing(self) -> bool:
        assert self.path is not None
        if not self.path.exists():
            log.info("no search index yet: it will be built")
            return False
        try:
            state = json.loads(self._state_file(self.path).read_text(encoding="utf-8"))
            if state.get("schema") != SCHEMA_VERSION:
                return False
            ix = _open(self.path)
            with ix.searcher() as searcher:
                searcher.doc_count()
            self._ix, self._revision = ix, int(state["revision"])
            return True
        except Exception as exc:  # noqa: BLE001 — anything wrong with the folder means: rebuild it
            log.warning("search index unusable (%s): it will be rebuilt", str(exc))
            return False

    def close(self) -> None:
        self.wait(30)
        ix, self._ix = self._ix, None
        if ix is not None:
            ix.close()

    # ------------------------------------------------------------------------------------ writing

    def rebuild(self, store: Store, progress: Progress | None = None) -> int:
        """Index every indexable resource into a fresh index, then swap it in. Returns the document count."""
        with self._lock:
            revision = store.revision().number
            iris = documents.all_indexable(store)
            if self.path is None:
                ix = PrivateRamStorage().create_index(schema())
            else:
                building = self.path.with_name(self.path.name + ".building")
                shutil.rmtree(building, ignore_errors=True)
                building.mkdir(parents=True)
                ix = whoosh_index.create_in(str(building), schema())
            done = 0
            writer = ix.writer(limitmb=128)
            try:
                for start in range(0, len(iris), BATCH):
                    docs, _ = documents.build(store, iris[start:start + BATCH])
                    for doc in docs:
                        writer.add_document(**_fields(doc))
                    done = min(len(iris), start + BATCH)
                    if progress:
                        progress(done, len(iris))
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            if self.path is not None:
                old = self.path.with_name(self.path.name + ".old")
                shutil.rmtree(old, ignore_errors=True)
                if self.path.exists():
                    self.path.rename(old)
                building.rename(self.path)
                shutil.rmtree(old, ignore_errors=True)
                ix = _open(self.path)
            self._ix, self._revision = ix, revision
            self._write_state()
            self.error = None
            if progress and not iris:
                progress(0, 0)
        self.catch_up(store)  # writes committed while rebuilding
        return len(iris)

    def catch_up(self, store: Store) -> int:
        """Re-index what changed since the recorded revision; record the store's revision. Returns the
        number of resources refreshed."""
        with self._lock:
            if self._ix is None:
                return self.rebuild(store)
            current = store.revision().number
            if current == self._revision:
                return 0
            touched = store.touched_since(self._revision)
            iris = documents.affected(store, touched)
            self._apply(store, iris)
            self._revision = current
            self._write_state()
            return len(iris)

    def _apply(self, store: Store, iris: Sequence[str]) -> None:
        writer = self._ix.writer()
        try:
            for start in range(0, len(iris), BATCH):
                docs, gone = documents.build(store, iris[start:start + BATCH])
                for iri in gone:
                    writer.delete_by_term("id", iri)
                for doc in docs:
                    writer.update_document(**_fields(doc))
            writer.commit()
        except BaseException:
            writer.cancel()
            raise


def _fields(doc: documents.Document) -> dict[str, object]:
    spell = " ".join(doc.texts.get(k, "") for k in ("title_fr", "summary_fr", "title_en", "summary_en"))
    fields: dict[str, object] = {
        "id": doc.id, "type": doc.type, "themes": " ".join(doc.themes), "themes_all": " ".join(doc.themes_all),
        "theme_labels": doc.theme_labels, "city_name": doc.city_name, "tags": doc.tags, "issued": doc.issued,
        "spell": spell + " " + doc.theme_labels + " " + doc.city_name + " " + doc.tags,
        **doc.texts,
    }
    for name in ("city", "country", "status"):
        value = getattr(doc, name)
        if value:
            fields[name] = value
    return fields
