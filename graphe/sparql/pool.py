"""Public SPARQL queries run in worker processes, on a snapshot of the published data.

A query that passes its time limit is stopped for real: its worker process is killed (its memory and CPU
freed) and replaced, while the other workers keep answering. Each worker opens an independent snapshot of
the store (a hard-linked backup on disk), remade when the revision moves; old ones are removed when no
worker reads them any more.
"""
from __future__ import annotations

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

from .. import rdf
from ..errors import GrapheError
from ..store import GraphNames, Store
from . import results

log = logging.getLogger(__name__)
START_TIMEOUT = 120.0


@dataclass(frozen=True)
class Job:
    query: str
    form: str  # SELECT | ASK | CONSTRUCT | DESCRIBE
    fmt: str  # json, xml, csv, tsv (SELECT/ASK) or ttl, nt, jsonld, rdf (CONSTRUCT/DESCRIBE)
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    max_rows: int


@dataclass(frozen=True)
class Answer:
    body: bytes = b""
    truncated: bool = False
    error: tuple[str, str, str, int] | None = None  # code, French, English, HTTP status


def execute(store: Store, job: Job, timeout: float | None = None) -> Answer:
    """Run one job on a store and serialise its result (at most `max_rows` rows or triples)."""
    result = store.public_query(job.query, [rdf.NamedNode(g) for g in job.default_graphs],
                                [rdf.NamedNode(g) for g in job.named_graphs], timeout=timeout)
    if job.form == "ASK":
        return Answer(results.ask(bool(result), job.fmt))
    if job.form == "SELECT":
        variables = [v.value for v in result.variables]
        rows = list(itertools.islice(([row[v] for v in variables] for row in result), job.max_rows + 1))
        return Answer(results.select(variables, rows[:job.max_rows], job.fmt), len(rows) > job.max_rows)
    triples = list(itertools.islice(result, job.max_rows + 1))
    return Answer(rdf.serialize(triples[:job.max_rows], rdf.format_named(job.fmt)) or b"",
                  len(triples) > job.max_rows)


def _worker_main(conn: Connection, snapshot: str, base_iri: str, prefix: str) -> None:
    store = Store.open_snapshot(Path(snapshot), GraphNames.for_base(base_iri, prefix))
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except EOFError:
            break
        if job is None:
            break
        try:
            answer = execute(store, job)
        except GrapheError as exc:
            status = exc.details.get("status", 400) if isinstance(exc.details, dict) else 400
            answer = Answer(error=(exc.code, exc.message_fr, exc.message_en, status))
        except Exception as exc:  # noqa: BLE001 — reported to the parent, which logs it
            answer = Answer(error=("SPARQL_ERROR", f"Erreur d'évaluation : {exc}", f"Evaluation error: {exc}", 400))
        conn.send(answer)
    store.close()


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    revision: int
    busy: bool = field(default=False)


class SparqlPool:
    def __init__(self, store: Store, base_iri: str, workdir: Path | None, size: int, timeout: float,
                 max_rows: int) -> None:
        self.store, self.base_iri, self.size = store, base_iri, size
        self.timeout, self.max_rows = timeout, max_rows
        self._own_dir = workdir is None
        self.workdir = Path(tempfile.mkdtemp(prefix="graphe-sparql-")) if workdir is None else workdir
        shutil.rmtree(self.workdir, ignore_errors=True)  # snapshots of an earlier run
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._ctx = multiprocessing.get_context("spawn")
        self._cond = threading.Condition()
        self._workers: list[_Worker] = []
        self._snapshots: dict[int, Path] = {}
        self._counter = itertools.count()

    # ------------------------------------------------------------------------------------ running

    def run(self, job: Job) -> Answer:
        """Blocking: run `job` in a worker within the time limit, or kill that worker and refuse."""
        deadline = time.monotonic() + self.timeout
        worker = self._acquire(deadline)
        worker.conn.send(job)
        remaining = max(0.0, deadline - time.monotonic())
        if worker.conn.poll(remaining):
            try:
                answer = worker.conn.recv()
            except EOFError:
                answer = None
            if answer is not None:
                self._release(worker)
                return answer
        self._kill(worker)
        raise GrapheError("QUERY_TIMEOUT",
                          f"Requête arrêtée après {self.timeout:g} s (limite de ce point d'accès) ; "
                          "simplifiez-la ou téléchargez les données complètes (/export).",
                          f"Query stopped after {self.timeout:g} s (this endpoint's limit); simplify it or "
                          "download the full data (/export).", {"status": 503})

    def _acquire(self, deadline: float) -> _Worker:
        revision = self.store.revision().number
        with self._cond:
            while True:
                self._retire_stale(revision)
                for worker in self._workers:
                    if not worker.busy and worker.revision == revision and worker.process.is_alive():
                        worker.busy = True
                        return worker
                if len(self._workers) < self.size:
                    break
                if not self._cond.wait(timeout=max(0.0, deadline - time.monotonic())):
                    raise GrapheError("SPARQL_BUSY", "Point d'accès SPARQL occupé ; réessayez dans un instant.",
                                      "SPARQL endpoint busy; try again in a moment.", {"status": 503})
            snapshot = self._snapshot(revision)
            placeholder = _Worker(process=None, conn=None, revision=revision, busy=True)  # type: ignore[arg-type]
            self._workers.append(placeholder)
        try:
            worker = self._spawn(snapshot, revision)
        except BaseException:
            with self._cond:
                self._workers.remove(placeholder)
                self._cond.notify_all()
            raise
        with self._cond:
            self._workers[self._workers.index(placeholder)] = worker
        return worker

    def _spawn(self, snapshot: Path, revision: int) -> _Worker:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(target=_worker_main, args=(child, str(snapshot), self.base_iri, self.store.graphs.prefix),
                                    name=f"graphe-sparql-{revision}", daemon=True)
        process.start()
        child.close()
        if not parent.poll(START_TIMEOUT) or parent.recv() != "ready":
            process.kill()
            raise GrapheError("SPARQL_UNAVAILABLE", "Le point d'accès SPARQL n'a pas pu démarrer.",
                              "The SPARQL endpoint could not start.", {"status": 503})
        return _Worker(process, parent, revision, busy=True)

    def _release(self, worker: _Worker) -> None:
        with self._cond:
            worker.busy = False
            self._cond.notify_all()

    def _kill(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        with self._cond:
            if worker in self._workers:
                self._workers.remove(worker)
            self._cond.notify_all()

    # ------------------------------------------------------------------------------------ snapshots

    def _snapshot(self, revision: int) -> Path:
        if revision not in self._snapshots:
            target = self.workdir / f"rev-{revision}-{next(self._counter)}"
            self._snapshots[revision] = self.store.snapshot(target)
        return self._snapshots[revision]

    def _retire_stale(self, revision: int) -> None:
        """Idle workers of an older revision stop; snapshots no worker reads any more are removed."""
        for worker in [w for w in self._workers if w.revision != revision and not w.busy]:
            self._stop(worker)
        in_use = {w.revision for w in self._workers} | {revision}
        for old in [r for r in self._snapshots if r not in in_use]:
            path = self._snapshots.pop(old)
            shutil.rmtree(path if path.is_dir() else path.parent, ignore_errors=True)

    def _stop(self, worker: _Worker) -> None:
        try:
            worker.conn.send(None)
        except OSError:
            pass
        worker.process.join(5)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join(5)
        worker.conn.close()
        self._workers.remove(worker)

    def close(self) -> None:
        with self._cond:
            for worker in list(self._workers):
                if worker.process is not None:
                    self._stop(worker)
            self._workers.clear()
        shutil.rmtree(self.workdir, ignore_errors=True)


class Forwarder:
    """With a remote store, public queries are forwarded to the SPARQL server, after the same checks, with
    the same time limit (given to the server too, and enforced on the connection) and the same row cap."""

    def __init__(self, store, timeout: float) -> None:  # type: ignore[no-untyped-def]
        self.store, self.timeout = store, timeout

    def run(self, job: Job) -> Answer:
        try:
            return execute(self.store, job, self.timeout)
        except GrapheError as exc:
            status = exc.details.get("status", 400) if isinstance(exc.details, dict) else 400
            return Answer(error=(exc.code, exc.message_fr, exc.message_en, status))

    def close(self) -> None:
        pass
