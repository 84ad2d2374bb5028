"""The Graphe service: one store, its ontology and shapes, and the commands the edges (CLI, HTTP) call."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, IO, Any, TypeVar

from .read import entities
from .core import rdf, readset
from .core.collector import lasting_objects
from .core.errors import GrapheError
from .read.carrying import Carrying
from .read.readcache import RevisionCache
from .ingest.loading import LoadResult, ValidationFailed, load_files, read_files, validate
from .core.settings import Settings
from .store import GraphNames, OxigraphStore, Revision, Store
from .publishing.accounts import Account
from .search.index import SearchIndex
from .publishing.workflow import Workflow
from .validation.report import ValidationReport

if TYPE_CHECKING:
    from .validation.validator import Validator  # imported on first write only


SEED_SUFFIXES = {".ttl", ".nt", ".jsonld", ".rdf"}
T = TypeVar("T")


@dataclass(frozen=True)
class ClassCount:
    iri: str
    label_fr: str | None
    label_en: str | None
    count: int


def open_store(settings: Settings) -> Store:
    """The embedded Oxigraph (in `{data}/store`, or in memory), or the remote SPARQL server configured."""
    graphs = GraphNames.for_base(settings.base_iri, settings.graph_prefix)
    if settings.remote_store:
        from .store.remote import RemoteStore

        assert settings.store_query_url and settings.store_update_url
        return RemoteStore(settings.store_query_url, settings.store_update_url, graphs,
                           user=settings.store_user, password=settings.store_password)
    return OxigraphStore(settings.data_dir / "store" if settings.data_dir is not None else None, graphs)


PATCH_WINDOW = 8  # revisions back from which a kept list or table may be patched rather than computed
PATCHED_KINDS = ("keys", "facet", "members")  # derived values read from the store that a reader may patch
# How long a started service's read-ahead (`warm_reads`) waits for its first answer before it starts anyway.
# Started at once, it shared the interpreter with that first reader: restart to the first GraphQL answer at
# 100,000 practices 2.86 s with it at once, 1.48 s when it waits (medians of 7, alternated; bench/NOTES.md).
WARM_PATIENCE = 2.0


class Graphe(Carrying):
    """Opened once per process with its settings; every edge goes through it."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.search = SearchIndex(settings.data_dir / "search" if settings.data_dir is not None else None,
                                  settings.search_engine)
        self.lock = threading.RLock()  # one domain write at a time: check, then commit, then index
        self.closed = False
        self._opened_at = store.revision().number  # the oldest revision anything kept can be of
        self.touches = entities.Touches(self._opened_at)  # what writes touched since: entities kept renew
        self._touch_lock = threading.Lock()
        self.reads = RevisionCache(max_weight=settings.read_cache_mb * 10_000,  # weights: about 100 bytes
                                   on_drop=entities.forget, renew=self._renew)
        self._renew_entity = entities.renewal(self.touches)
        self._threads: list[threading.Thread] = []
        self._fresh_for = -1  # the public revision whose derived reads are computed (or being computed)
        self._refreshed = -1  # the last public revision a refresh round finished (or the start warmed)
        self._refresher: threading.Thread | None = None  # the refresh thread, while it has rounds to do
        self._refresh_lock = threading.Lock()
        self._patches: dict[tuple[int, int], Any] = {}  # (older revision, revision) → its `listing.Patch`
        self._unread: list[str] | None = None  # what the last read-ahead did not get to (None: it is to start)

    def cached(self, key: Hashable, compute: Callable[[], T], weight: Callable[[T], int] = lambda _: 1,
               fresh: bool = False) -> T:
        """A value derived from the data, computed once per revision (data only changes at a new one); with
        `fresh`, computed again in the background as soon as a write moves the revision."""
        revision = self.store.revision().number
        with readset.tracked():
            value = self.reads.get(revision, key, self._from_older(key, revision, compute), weight, fresh)
        readset.derived(key, value, lambda: self.cached(key, compute, weight, fresh))
        return value

    def kept(self, key: Hashable) -> Any:
        """The value `cached` keeps for `key` at the current revision, if it is at hand (None otherwise):
        nothing computed, no store read — callable on the event loop."""
        return self.reads.peek(self.store.revision().number, key, None, renew=False)

    def _from_older(self, key: Hashable, revision: int, compute: Callable[[], T]) -> Callable[[], T]:
        """`compute`, tried after patching the value kept at a recent older revision (`listing.Patch`): a
        reader who comes before the refresh round of a new revision (writes every second at 10,000
        practices) then pays a patch — a query bound to the touched resources — rather than a whole table
        (1 to 2 s for a sort-key table under load, with every other reader of the list waiting)."""
        if not (type(key) is tuple and key and key[0] in PATCHED_KINDS):
            return compute

        def run() -> T:
            from .read.listing import Patch
            from .read.readcache import STALE

            older = self.reads.older(key, revision)
            if older is not None and older[0] >= revision - PATCH_WINDOW:
                try:
                    value = self._patch(older[0], revision, Patch)(key, older[1])
                except Exception:  # noqa: BLE001 — computed whole instead
                    logging.getLogger(__name__).warning("patch of %r failed", key, exc_info=True)
                    value = STALE
                if value is not STALE:
                    return value  # type: ignore[return-value]
            return compute()
        return run

    def _patch(self, previous: int, revision: int, patch_class: type) -> Any:
        """One patch per pair of revisions, shared by the readers who need it (it remembers what it found)."""
        with self._refresh_lock:
            patch = self._patches.get((previous, revision))
            if patch is None:
                def at_revision(key, compute, weight=lambda _: 1, fresh=False):  # type: ignore[no-untyped-def]
                    return self.reads.get(revision, key, self._from_older(key, revision, compute), weight, fresh)

                patch = patch_class(self.store, set(self._touched_since(previous)), previous, at_revision)
                self._patches = {k: v for k, v in self._patches.items() if k[1] >= revision - 1}
                self._patches[(previous, revision)] = patch
            return patch

    def warm_reads(self, answered: threading.Event | None = None) -> threading.Thread:
        """Compute, in a thread, what the first readers of a started service will ask (`reads.warm`). The
        saved values are read back at once (readers may be waiting for them); the rest waits until
        `answered` is set (the service's first answer is sent) or `WARM_PATIENCE` has passed."""
        from .read import reads

        revision = self._fresh_for = self._refreshed = self.store.revision().number
        path = self._reads_file()
        # The saved values' keys claimed here, before the caller serves: a first reader waits for its list
        # from the file rather than compute it (a sort-key table: 2.6 s at 100,000 practices).
        saved = self.reads.claim_saved(path, revision) if path is not None else (lambda: 0)

        def run() -> None:
            try:
                with lasting_objects():
                    saved()
                    deadline = time.monotonic() + WARM_PATIENCE
                    while answered is not None and not answered.wait(0.05) and not self.closed \
                            and time.monotonic() < deadline:
                        pass  # (a close meanwhile does not wait for the patience)
                    if self.closed:
                        return
                    reads.warm(self.store, self.cached, stop=lambda: self.closed)
                    self._preload(revision)
            except Exception:  # noqa: BLE001 — a reader asking computes it again and sees the error
                logging.getLogger(__name__).warning("warming the read cache failed", exc_info=True)
        return self._background(run, "graphe-warm")

    @property
    def warming(self) -> bool:
        """Is the read cache being computed ahead (`warm_reads`, `refresh_reads`)?"""
        return any(t.is_alive() for t in self._threads)

    def _background(self, target: Callable[[], object], name: str) -> threading.Thread:
        """A thread reading the store for the read cache; `close` waits for it before closing the store."""
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return thread

    def refresh_reads(self) -> threading.Thread:
        """Bring what reads keep fresh (list members, sort keys, facets) to the current revision, in the
        background: first, the entities the writes did not touch go on to it (not read again), and the
        tables and lists of the last refreshed revision are patched from what the writes touched where that
        is exact (`listing.Patch`) rather than computed again. One refresh thread at a time: writes that come
        faster than rounds are taken together by the next round (concurrent rounds each recomputed from
        scratch what the other had not finished, and at 10,000 practices under a writer publishing every
        second they piled up and took the readers' processor)."""
        self._fresh_for = self.store.revision().number
        with self._refresh_lock:
            if self._refresher is None:
                self._refresher = self._background(self._refresh_rounds, "graphe-refresh")
            return self._refresher

    def _refresh_rounds(self) -> None:
        from .read import listing

        while not self.closed:
            revision = self.store.revision().number
            with self._refresh_lock:
                previous = self._refreshed
                if revision <= previous:
                    self._refresher = None  # under the lock: a write now starts a new thread
                    return
            with lasting_objects(collect=False):
                def at_revision(key, compute, weight=lambda _: 1, fresh=False):  # type: ignore[no-untyped-def]
                    return self.reads.get(revision, key, compute, weight, fresh)

                patch, touched = None, None
                if previous >= 0:
                    try:
                        touched = set(self._touched_since(previous))  # (notes the writes of another replica too)
                        patch = listing.Patch(self.store, touched, previous, at_revision)
                    except Exception:  # noqa: BLE001 — only a lost head start: readers compute them
                        logging.getLogger(__name__).warning("read cache not patched", exc_info=True)
                try:
                    self.reads.refresh(revision, stop=lambda: self.closed, patch=patch)
                    self._preload(revision, touched=touched)
                except Exception:  # noqa: BLE001 — readers compute what is missing and see any error
                    logging.getLogger(__name__).warning("read cache not refreshed", exc_info=True)
            with self._refresh_lock:
                self._refreshed = revision
        with self._refresh_lock:
            self._refresher = None

    def note_touches(self) -> None:
        """Learn what the writes since the last call touched (`entities.Touches`): from then on, the entities
        kept that they left alone are taken on to the new revision when asked (`entities.renewal`)."""
        with self._touch_lock:  # (one at a time: an older answer noted last would hide a newer touch)
            now = self.store.revision().number  # (first: what is read next covers at least this revision)
            if now > self.touches.known:
                self.touches.add(self.store.last_touched(self.touches.known), now)

    def _preload(self, revision: int, touched: Iterable[str] | None = None) -> None:
        """Read ahead the entities list pages show (`reads.preload`), until closed or the revision moves.
        After writes, only the resources they `touched` are read, and those an earlier read-ahead stopped
        by a write did not get to: the others kept renew when asked (`entities.renewal`). Asking the store
        for every resource of the classes again cost 10,000 rows a publication at 10,000 practices, 11 %
        of the serving process's time under a writer publishing every second."""
        from .read import reads
        known = None
        if touched is not None and self._unread is not None:  # (else: a start, or one stopped before its list)
            known = list(dict.fromkeys([*sorted(touched), *self._unread]))
        self._unread = None  # (until the list is known: if stopped before, the next one asks the store again)
        self._unread = reads.preload(self.store, self.reads, revision, known=known,
                                     stop=lambda: self.closed or self.store.revision().number != revision)

    @classmethod
    def open(cls, settings: Settings, *, seed: bool = True, say: Callable[[str], None] = lambda _: None,
             validator: Validator | None = None, search: str = "sync", lang: str = "fr") -> Graphe:
        """Open the store; bring its ontology up to date; on an empty store, load the seeds; then open the
        search index — `search` is "sync" (caught up before returning), "background" (the service answers
        while the index catches up or is rebuilt) or "off"."""
        store = open_store(settings)
        graphe = cls(settings, store)
        if validator is not None:
            graphe.validator = validator
        try:
            graphe.sync_ontology()
            if seed and store.is_empty():
                result = graphe.load_seeds()
                say(f"Seed data loaded: {result.added} triples ({len(result.files)} files)." if lang == "en" else
                    f"Données initiales chargées : {result.added} triplets ({len(result.files)} fichiers).")
            if search != "off":
                graphe.search.open(store, background=search == "background")
        except BaseException:
            store.close()
            raise
        return graphe

    def follow(self, interval: float = 2.0) -> None:
        """Keep the search index following the store's revisions written by others (other replicas on a
        shared SPARQL server): every `interval` seconds, catch up when the revision moved."""
        def loop() -> None:
            while not self._stop.wait(interval):
                try:
                    if self.search.ready and self.store.revision().number != self.search.revision:
                        with self.lock:
                            self.search.catch_up(self.store)
                        self.refresh_reads()
                except Exception:  # noqa: BLE001 — logged; the next round tries again
                    logging.getLogger(__name__).exception("search index catch-up failed")

        self._stop = threading.Event()
        threading.Thread(target=loop, name="graphe-follow", daemon=True).start()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if hasattr(self, "_stop"):
            self._stop.set()
        for thread in self._threads:
            thread.join(60)  # background reads finish (or stop at their next step) before the store closes
        self._save_reads()
        self.search.close()
        self.store.close()

    def _reads_file(self) -> Path | None:
        """Where the read cache is saved between runs: only beside an embedded store on disk (a shared
        remote store moves without us, so a saved cache would seldom match its revision)."""
        if self.settings.data_dir is None or self.store.path is None:
            return None
        return self.settings.data_dir / "reads.pickle"

    def _save_reads(self) -> None:
        """Keep the lists, their sort keys and facet tables for a restart at the same revision."""
        path = self._reads_file()
        if path is None:
            return
        try:
            # Lists first: a page reads its list only; members and sort keys make new lists; then facets.
            self.reads.save(path, self.store.revision().number, ("list", "members", "keys", "facet"))
        except Exception:  # noqa: BLE001 — only a lost head start
            logging.getLogger(__name__).warning("read cache not saved", exc_info=True)

    # ------------------------------------------------------------------------------------- ontology

    @cached_property
    def validator(self) -> Validator:
        """Parsed on first use only: reading needs no shapes, so start-up does not pay for them."""
        from .validation.validator import Validator
        return Validator.from_directory(self.settings.ontology_dir)

    def ontology_quads(self) -> list[rdf.Quad]:
        path = self.settings.ontology_dir / "graphe.ttl"
        return [rdf.Quad(q.subject, q.predicate, q.object, self.store.graphs.ontology)
                for q in rdf.parse_file(path, self.settings.base_iri)]

    def sync_ontology(self) -> Revision | None:
        """Make the ontology graph equal to `ontology/graphe.ttl` (a revision only when it changed)."""
        wanted = set(self.ontology_quads())
        current = set(self.store.quads(self.store.graphs.ontology))
        if wanted == current:
            return None
        return self.store.commit(sorted(wanted - current, key=str), sorted(current - wanted, key=str),
                                 "mise à jour de l'ontologie")

    # ------------------------------------------------------------------------------------- writing

    def seed_files(self) -> list[Path]:
        folder = self.settings.seeds_dir
        if not folder.is_dir():
            raise GrapheError("SEEDS_MISSING", f"Dossier des données initiales introuvable : {folder}.",
                              f"Seed folder not found: {folder}.")
        return sorted(p for p in folder.iterdir() if p.suffix in SEED_SUFFIXES)

    def load_seeds(self) -> LoadResult:
        return self.load(self.seed_files(), summary="données initiales (seeds)")

    def load(self, paths: Sequence[Path], summary: str | None = None) -> LoadResult:
        with self.lock:
            result = load_files(self.store, self.validator, paths, self.settings.base_iri, summary)
            self.after_write()
        return result

    @cached_property
    def workflow(self) -> Workflow:
        return Workflow(self.store, self.validator, self.lock)

    def write(self, actor: Account, action: str, target: str, command: Callable[[Workflow], T]) -> T:
        """Run a workflow command; index what it changed; audit a refusal of an authenticated actor."""
        try:
            with self.lock:
                result = command(self.workflow)
                self.after_write()
            return result
        except GrapheError as error:
            self.workflow.refused(actor, action, target, error)
            self.after_write()
            raise

    def after_write(self) -> None:
        """A write that moved the public revision brings the search index to it in the same step, and starts
        recomputing what reads keep fresh. A private write (draft, audit record, token) moves nothing
        public: nothing derived is recomputed, nothing public shows it happened."""
        revision = self.store.revision().number
        if revision == self._fresh_for:
            return
        # Readers of the new revision find the untouched entities at once, not after the search catch-up (a
        # tenth of a second or more, during which every reader read its entities again from the store: 40 %
        # of the serving process's time at 10,000 practices under a writer publishing every second).
        self.note_touches()
        if self.search.ready or self.search.revision >= 0:
            self.search.catch_up(self.store)
        self.refresh_reads()

    def validate_files(self, paths: Sequence[Path], *, with_store: bool = True) -> ValidationReport:
        quads = read_files(paths, self.settings.base_iri, self.store.graphs.public)
        return validate(self.store if with_store else None, self.validator, quads)

    # ------------------------------------------------------------------------------------- reading

    def triple_count(self) -> int:
        return sum(self.store.count(g) for g in self.store.graphs.readable)

    def class_counts(self) -> list[ClassCount]:
        rows = self.store.select(
            """SELECT ?class (COUNT(DISTINCT ?s) AS ?n) (SAMPLE(?fr) AS ?lfr) (SAMPLE(?en) AS ?len)
               WHERE { GRAPH ?data { ?s a ?class }
                       OPTIONAL { ?class rdfs:label ?fr FILTER(langMatches(lang(?fr), "fr")) }
                       OPTIONAL { ?class rdfs:label ?en FILTER(langMatches(lang(?en), "en")) } }
               GROUP BY ?class ORDER BY DESC(?n) ?class""",
            {"data": self.store.graphs.public})
        return [ClassCount(r["class"].value, _text(r.get("lfr")), _text(r.get("len")), int(r["n"].value))
                for r in rows]

    def export(self, output: IO[bytes], fmt: rdf.Format) -> None:
        self.store.dump(output, fmt, self.store.graphs.public)


def _text(term: object) -> str | None:
    return term.value if term is not None else None  # type: ignore[attr-defined]


__all__ = ["Graphe", "ClassCount", "ValidationFailed"]
