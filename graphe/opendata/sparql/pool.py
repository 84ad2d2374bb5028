"""Public SPARQL queries run in worker processes, on a snapshot of the published graphs only.

Where the work runs, and the isolation of the worker processes: see `worker`.

Snapshots. For each public revision the parent asks the store for a copy of the readable graphs (and
nothing else: no draft, account or audit quad): an on-disk Oxigraph database under the work folder, which
workers open read-only, so any number of them can read it at once and none can write. On a store on disk
the copy is a checkpoint (hard links) of the store's public mirror, kept in step with every public commit
(`store.mirror.PublicMirror`): about 3 ms at 10,000 practices, where building it from a dump took 5 to
7 s; an in-memory store (tests) still builds it from a dump. Workers stay warm across revisions: a job
names the snapshot to read, and a worker holding an older one switches on that job (an open, not a process
start). A snapshot no running job reads any more is removed. The copy is made in a background thread, one
at a time, always for the newest revision: a query waits for it when it should be ready within
`FRESH_WAIT`, else it is answered at once from the previous snapshot (`Answer.stale`, never kept in the
answer cache). A writer publishing every second thus never makes readers wait.

Lanes. `size` workers serve every query within the endpoint's time limit; `reserve` more (one by default)
only take a job when all of those are busy, and give it a short limit (`QUICK_LIMIT`): simple queries are
answered while heavy ones hold the main lane, and a heavy one that lands on the reserve is stopped early
with 503 SPARQL_BUSY and Retry-After. When every worker is busy a job waits a little (`queue_wait`), then
gets the same coded 503; so do jobs beyond `MAX_WAITING` waiters.
"""
from __future__ import annotations

import dataclasses
import itertools
import logging
import multiprocessing
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from ...core.errors import GrapheError
from .worker import Answer, Job, execute, refusal, worker_main

log = logging.getLogger(__name__)
START_TIMEOUT = 120.0  # a worker's start (imports) on a loaded host
QUICK_LIMIT = 1.0  # seconds a job may run on the reserved lane
QUEUE_WAIT = 3.0  # seconds a job waits for a free worker before a 503
MAX_WAITING = 32  # jobs waiting at once (each holds a thread) before a 503 at once
RESPAWN_PAUSE = 5.0  # after a worker failed to start, seconds before trying again
FRESH_WAIT = 2.0  # seconds a query waits for the newest revision's snapshot, when it can be ready by then


def busy(retry_after: int) -> GrapheError:
    return GrapheError("SPARQL_BUSY", "Point d'accès SPARQL occupé ; réessayez dans un instant.",
                       "SPARQL endpoint busy; try again in a moment.", {"status": 503, "retry_after": retry_after})


# ------------------------------------------------------------------------------------------ the pool

@dataclass(eq=False)
class _Worker:
    lane: str  # "main" | "quick"
    process: multiprocessing.process.BaseProcess | None = None
    conn: Connection | None = None
    busy: bool = False
    starting: bool = True
    snapshot: str | None = None  # the snapshot its current or last job reads
    started: float = field(default_factory=time.monotonic)


class SparqlPool:
    worker_main = staticmethod(worker_main)  # what a worker process runs (tests swap it for a control)

    def __init__(self, store, base_iri: str, workdir: Path | None, size: int, timeout: float,  # type: ignore[no-untyped-def]
                 max_rows: int, *, reserve: int = 1, queue_wait: float | None = None,
                 snapshots: bool = True) -> None:
        self.store, self.size, self.reserve = store, max(1, size), max(0, reserve)
        self.timeout, self.max_rows = timeout, max_rows
        self.quick_limit = min(timeout, QUICK_LIMIT)
        self.queue_wait = min(timeout, QUEUE_WAIT) if queue_wait is None else queue_wait
        self.public = tuple(g.value for g in store.graphs.readable)
        self._graph_args = (base_iri, store.graphs.prefix) if snapshots else None
        self._own_dir = workdir is None
        if snapshots:
            self.workdir = Path(tempfile.mkdtemp(prefix="graphe-sparql-")) if workdir is None else workdir
            shutil.rmtree(self.workdir, ignore_errors=True)  # snapshots of an earlier run
            self.workdir.mkdir(parents=True, exist_ok=True)
        self._ctx = multiprocessing.get_context("spawn")
        self._cond = threading.Condition()
        self._workers: list[_Worker] = []
        self._waiting = 0
        self._snapshots: dict[int, Path] = {}
        self._counter = itertools.count()
        self._builder: threading.Thread | None = None
        self._building: int | None = None  # the revision whose snapshot is being built
        self._build_started = 0.0
        self._build_seconds = 0.0  # how long the last build took
        self._build_error = ""
        self._isolation: tuple[bool | None, str] = (None, "aucun processus démarré / no worker started yet")
        self._failed_at = 0.0
        self._failure = ""
        self._closed = False

    # ------------------------------------------------------------------------------------ running

    def run(self, job: Job) -> Answer:
        """Blocking: check and run `job` in a worker within the time limit, or kill that worker and refuse."""
        return self._call(job, "run")

    def check(self, job: Job) -> Answer:
        """Blocking: only check `job` in a worker (for a store that runs it elsewhere); the Answer carries
        the decision (`checked`, `fmt`, `graphs`) or the refusal."""
        return self._call(job, "check")

    def _call(self, job: Job, mode: str, retry: bool = True) -> Answer:
        worker, limit = self._acquire()
        assert worker.conn is not None and worker.process is not None
        try:
            snapshot, fresh = self._snapshot_for(worker) if mode == "run" else (None, True)
        except BaseException:
            self._release(worker)
            raise
        try:
            worker.conn.send((snapshot, job, mode))
        except OSError:  # it died while idle (killed from outside): not this job's doing, another takes it
            self._kill(worker)
            if retry:
                return self._call(job, mode, retry=False)
            raise busy(int(RESPAWN_PAUSE)) from None
        try:
            if worker.conn.poll(limit):
                answer = worker.conn.recv()
                self._release(worker)
                return answer if fresh else dataclasses.replace(answer, stale=True)
        except (OSError, EOFError):  # the worker died under this job: its crash is this job's answer
            self._kill(worker)
            raise GrapheError("SPARQL_ERROR", "L'évaluation de cette requête a échoué ; simplifiez-la.",
                              "Evaluating this query failed; simplify it.", {"status": 400}) from None
        self._kill(worker)
        if worker.lane == "quick" and limit < self.timeout:
            raise busy(max(1, round(self.timeout)))
        raise GrapheError("QUERY_TIMEOUT",
                          f"Requête arrêtée après {self.timeout:g} s (limite de ce point d'accès) ; "
                          "simplifiez-la ou téléchargez les données complètes (/export).",
                          f"Query stopped after {self.timeout:g} s (this endpoint's limit); simplify it or "
                          "download the full data (/export).", {"status": 503})

    def _acquire(self) -> tuple[_Worker, float]:
        """An idle worker (main lane first) and the time limit of its lane; waits a little, never forever."""
        with self._cond:
            if self._closed or self._waiting >= MAX_WAITING:
                raise busy(1)
            self._waiting += 1
            try:
                deadline = time.monotonic() + self.queue_wait
                while True:
                    self._fill()
                    for lane, limit in (("main", self.timeout), ("quick", self.quick_limit)):
                        for worker in self._workers:
                            if worker.lane == lane and not worker.busy and not worker.starting:
                                worker.busy = True
                                return worker, limit
                    # A worker on its way counts as free soon: wait for it rather than refuse.
                    starting = any(w.starting for w in self._workers)
                    now = time.monotonic()
                    if not self._workers and now - self._failed_at < RESPAWN_PAUSE:
                        raise GrapheError("SPARQL_UNAVAILABLE",
                                          f"Le point d'accès SPARQL n'a pas pu démarrer : {self._failure}",
                                          f"The SPARQL endpoint could not start: {self._failure}",
                                          {"status": 503, "retry_after": int(RESPAWN_PAUSE)})
                    if self._closed or not starting and now >= deadline:
                        raise busy(max(1, round(self.quick_limit)))
                    self._cond.wait(1.0 if starting else deadline - now)
            finally:
                self._waiting -= 1

    def _fill(self) -> None:
        """Start, in the background, the workers each lane lacks (called with the lock held)."""
        if self._closed or time.monotonic() - self._failed_at < RESPAWN_PAUSE:
            return
        for lane, wanted in (("main", self.size), ("quick", self.reserve)):
            for _ in range(wanted - sum(1 for w in self._workers if w.lane == lane)):
                worker = _Worker(lane, busy=False, starting=True)
                self._workers.append(worker)
                threading.Thread(target=self._start, args=(worker,), name="graphe-sparql-start", daemon=True).start()

    def _start(self, worker: _Worker) -> None:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(target=self.worker_main, args=(child, self.public, self._graph_args),
                                    name=f"graphe-sparql-{worker.lane}", daemon=True)
        try:
            process.start()
            child.close()
            ready = parent.recv() if parent.poll(START_TIMEOUT) else None
        except (OSError, EOFError) as exc:
            ready = None
            self._failure = str(exc)
        with self._cond:
            accepted = bool(ready) and ready[0] == "ready" and not self._closed
            if accepted:
                worker.process, worker.conn, worker.starting = process, parent, False
                self._isolation = (bool(ready[1]), str(ready[2]))
                if not ready[1]:
                    log.warning("SPARQL : processus sans isolement réseau / worker without network isolation: %s",
                                ready[2])
            else:
                if worker in self._workers:
                    self._workers.remove(worker)
                if not self._closed:
                    self._failed_at = time.monotonic()
                    self._failure = self._failure or "le processus n'a pas répondu / the worker did not answer"
                    log.error("SPARQL : un processus n'a pas démarré / a worker did not start: %s", self._failure)
            self._cond.notify_all()
        if not accepted:
            if process.is_alive():
                process.kill()
            process.join(5)
            parent.close()

    def _release(self, worker: _Worker) -> None:
        with self._cond:
            worker.busy = False
            self._cond.notify_all()
        self._collect()

    def _kill(self, worker: _Worker) -> None:
        assert worker.process is not None and worker.conn is not None
        worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        with self._cond:
            if worker in self._workers:
                self._workers.remove(worker)
            self._fill()  # its replacement starts now, not at the next query
            self._cond.notify_all()
        self._collect()

    def status(self) -> dict[str, object]:
        """For /healthz: whether workers are cut off from the network (None before the first has started)
        and why, and how many are up, busy or starting. Starts the workers if none is up."""
        with self._cond:
            self._fill()
            isolated, reason = self._isolation
            return {"isolated": isolated, "reason": reason,
                    "workers": sum(1 for w in self._workers if not w.starting),
                    "busy": sum(1 for w in self._workers if w.busy),
                    "starting": sum(1 for w in self._workers if w.starting),
                    "waiting": self._waiting}

    # ------------------------------------------------------------------------------------ snapshots

    def _snapshot_for(self, worker: _Worker) -> tuple[str, bool]:
        """The snapshot `worker` should read, and whether it is the newest revision's (see the module's
        docstring); marked as read by that worker so that it is not removed under it."""
        revision = self.store.revision().number
        with self._cond:
            if revision not in self._snapshots:
                self._build_in_background()
                deadline = time.monotonic() + (self._fresh_wait(revision) if self._snapshots else START_TIMEOUT)
                while revision not in self._snapshots:
                    left = deadline - time.monotonic()
                    if self._build_error and self._builder is None or left <= 0 or self._closed:
                        break
                    self._cond.wait(min(left, 1.0))
            if revision in self._snapshots:
                path, fresh = self._snapshots[revision], True
            elif self._snapshots:
                path, fresh = self._snapshots[max(self._snapshots)], False
            else:
                raise GrapheError("SPARQL_UNAVAILABLE",
                                  f"Instantané des données indisponible : {self._build_error or 'en cours'}.",
                                  f"Data snapshot unavailable: {self._build_error or 'being built'}.",
                                  {"status": 503, "retry_after": 5})
            worker.snapshot = str(path)
            return str(path), fresh

    def _fresh_wait(self, revision: int) -> float:
        """How long to wait for `revision`'s snapshot: FRESH_WAIT if the build should end by then, else 0
        (the previous snapshot answers). Called with the lock held."""
        elapsed = time.monotonic() - self._build_started
        if self._building == revision:
            left = self._build_seconds - elapsed
        else:  # an older revision is being built (or none): this one comes after it
            left = (max(0.0, self._build_seconds - elapsed) if self._building is not None else 0.0) + \
                self._build_seconds
        return FRESH_WAIT if left <= FRESH_WAIT else 0.0

    def _build_in_background(self) -> None:
        """Start the builder thread unless it runs (called with the lock held)."""
        if self._builder is None and not self._closed:
            self._build_error = ""
            self._builder = threading.Thread(target=self._build_loop, name="graphe-sparql-snapshot", daemon=True)
            self._builder.start()

    def _build_loop(self) -> None:
        """Build the newest revision's snapshot until there is one: a build that ends after the revision
        moved on starts another, for the revision of then (intermediate ones are skipped)."""
        while True:
            with self._cond:
                revision = self.store.revision().number
                if revision in self._snapshots or self._closed:
                    self._builder, self._building = None, None
                    self._cond.notify_all()
                    return
                self._building, self._build_started = revision, time.monotonic()
            try:
                path = self.store.snapshot(self.workdir / f"rev-{revision}-{next(self._counter)}")
            except Exception as exc:  # noqa: BLE001 — reported to the queries waiting, and logged
                log.exception("SPARQL : instantané impossible / snapshot failed")
                with self._cond:
                    self._build_error = str(exc)
                    self._builder, self._building = None, None
                    self._cond.notify_all()
                return
            with self._cond:
                self._snapshots[revision] = path
                self._build_seconds = time.monotonic() - self._build_started
                self._cond.notify_all()
            self._collect()

    def _collect(self) -> None:
        """Remove the snapshots of older revisions that no running job reads (an idle worker holding one
        only reads the snapshot named by its next job)."""
        with self._cond:
            if not self._snapshots:
                return
            newest = max(self._snapshots)
            in_use = {w.snapshot for w in self._workers if w.busy}
            old = [r for r, p in self._snapshots.items() if r != newest and str(p) not in in_use]
            paths = [self._snapshots.pop(r) for r in old]
        for path in paths:
            shutil.rmtree(path, ignore_errors=True)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            workers = list(self._workers)
            self._workers.clear()
            builder = self._builder
            self._cond.notify_all()
        if builder is not None:
            builder.join(60)  # it reads the store, which the caller closes next
        for worker in workers:
            if worker.process is None or worker.conn is None:
                continue
            try:
                worker.conn.send(None)
            except OSError:
                pass
            worker.process.join(5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(5)
            worker.conn.close()
        if self._graph_args is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)


class Forwarder:
    """With a remote store, public queries are forwarded to the SPARQL server, after the same checks (made
    in an isolated worker, where Oxigraph must parse the text too), with the same time limit (given to the
    server too, and enforced on the connection) and the same row cap."""

    def __init__(self, store, timeout: float) -> None:  # type: ignore[no-untyped-def]
        self.store, self.timeout = store, timeout
        self.checker = SparqlPool(store, "", None, 2, timeout, 0, snapshots=False)

    def run(self, job: Job) -> Answer:
        started = time.monotonic()
        plan = self.checker.check(job)  # a busy or stopped checker raises, with its Retry-After
        if plan.error:
            return plan
        try:
            return execute(self.store, plan, job.max_rows, max(0.5, self.timeout - (time.monotonic() - started)))
        except GrapheError as exc:
            return refusal(exc)

    def status(self) -> dict[str, object]:
        return self.checker.status()

    def close(self) -> None:
        self.checker.close()
