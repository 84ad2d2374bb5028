"""What a SPARQL worker process does: check, evaluate and serialise one job at a time (`worker_main`).

Where the work runs. A worker process does everything a query costs: the check (`guard.check`, whose
pyparsing parse can be slow on hostile text), the choice of format, Oxigraph's evaluation and the
serialisation. The parent only waits on a pipe: at the time limit it kills the worker (memory and CPU
freed, whatever it was doing) and starts a replacement in the background.

Isolation. At start, a worker moves into a network namespace of its own (`unshare(CLONE_NEWNET)`): it has
no interface but a loopback that is down, so even a SERVICE that a check misread cannot connect anywhere
(pyoxigraph 0.5 has no switch to refuse SERVICE). Where the platform refuses (no privilege, not Linux) the
worker runs anyway, a warning is logged, and `status()` says so — `/healthz` reports it.

The parent side (lanes, time limits, snapshots) is `pool`.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import itertools
import os
import sys
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from ...core import rdf
from ...core.errors import GrapheError
from . import guard, results

CLONE_NEWNET = 0x40000000


@dataclass(frozen=True)
class Job:
    query: str
    accept: str  # the Accept header
    explicit: str | None  # the `format` parameter
    default_graphs: tuple[str, ...]  # default-graph-uri (the caller checked they are public)
    named_graphs: tuple[str, ...]  # named-graph-uri
    max_rows: int


@dataclass(frozen=True)
class Answer:
    body: bytes = b""
    truncated: bool = False
    error: tuple[str, str, str, int] | None = None  # code, French, English, HTTP status
    fmt: str = ""  # json, xml, csv, tsv (SELECT/ASK) or ttl, nt, jsonld, rdf (CONSTRUCT/DESCRIBE)
    checked: guard.Checked | None = None  # what the check decided (check-only jobs)
    graphs: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())  # the dataset it runs on: default, named
    stale: bool = False  # answered from an older revision's snapshot while the newest was being built
    # The triple patterns its query can read (`guard.patterns`): kept with the answer, which the service
    # carries to a newer revision while no write changes a triple they match. None: never carried.
    patterns: tuple[guard.Pattern, ...] | None = None


def prepare(job: Job, public: tuple[str, ...]) -> Answer:
    """The check of `job`, its format and dataset (the protocol's graphs, else the query's, else all
    public ones), as an Answer without a body; raises GrapheError for a refusal."""
    checked = guard.check(job.query, public)
    fmt = results.choose(checked.form, job.accept, job.explicit)
    default = job.default_graphs or checked.default_graphs or public
    named = job.named_graphs or checked.named_graphs or public
    return Answer(fmt=fmt, checked=checked, graphs=(tuple(default), tuple(named)))


def execute(store, plan: Answer, max_rows: int, timeout: float | None = None) -> Answer:  # type: ignore[no-untyped-def]
    """Run a prepared job on a store and serialise its result (at most `max_rows` rows or triples)."""
    assert plan.checked is not None
    form, fmt, patterns = plan.checked.form, plan.fmt, plan.checked.patterns
    result = store.public_query(plan.checked.text, [rdf.NamedNode(g) for g in plan.graphs[0]],
                                [rdf.NamedNode(g) for g in plan.graphs[1]], timeout=timeout, form=form)
    if form == "ASK":
        return Answer(results.ask(bool(result), fmt), fmt=fmt, patterns=patterns)
    if form == "SELECT":
        variables = [v.value for v in result.variables]
        rows = list(itertools.islice(([row[v] for v in variables] for row in result), max_rows + 1))
        return Answer(results.select(variables, rows[:max_rows], fmt), len(rows) > max_rows, fmt=fmt,
                      patterns=patterns)
    triples = list(itertools.islice(result, max_rows + 1))
    return Answer(rdf.serialize(triples[:max_rows], rdf.format_named(fmt)) or b"", len(triples) > max_rows,
                  fmt=fmt, patterns=patterns)


def refusal(exc: GrapheError) -> Answer:
    status = exc.details.get("status", 400) if isinstance(exc.details, dict) else 400
    return Answer(error=(exc.code, exc.message_fr, exc.message_en, status))


# ------------------------------------------------------------------------------------------ the worker

def isolate() -> tuple[bool, str]:
    """Move this process into a network namespace of its own; (done, why not)."""
    if not sys.platform.startswith("linux"):
        return False, f"pas de namespace réseau sur {sys.platform} / no network namespace on {sys.platform}"
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        if libc.unshare(CLONE_NEWNET) != 0:
            error = os.strerror(ctypes.get_errno())
            return False, f"unshare(CLONE_NEWNET) refusé / refused: {error}"
    except (OSError, AttributeError) as exc:
        return False, f"unshare indisponible / unavailable: {exc}"
    return True, "namespace réseau propre, sans interface / own network namespace, no interface"


def oxigraph_parses(text: str) -> None:
    """Have Oxigraph parse `text` too (an empty store: nothing to read; called only when isolated, since
    an ASK is evaluated at once)."""
    import pyoxigraph as ox

    try:
        ox.Store().query(text)
    except SyntaxError as exc:
        raise GrapheError("SPARQL_SYNTAX", f"Requête SPARQL invalide : {exc}", f"Invalid SPARQL query: {exc}",
                          {"status": 400}) from None
    except OSError:
        pass  # an evaluation error on an empty store: the text parsed


def worker_main(conn: Connection, public: tuple[str, ...], graph_args: tuple[str, str | None] | None) -> None:
    isolated, reason = isolate()
    import rdflib.plugins.sparql.algebra  # noqa: F401 — loaded before "ready", not during the first query
    conn.send(("ready", isolated, reason))
    store, opened = None, None
    while True:
        try:
            message = conn.recv()
        except EOFError:
            break
        if message is None:
            break
        snapshot, job, mode = message
        try:
            answer = prepare(job, public)
            if mode == "check":
                if isolated:
                    oxigraph_parses(answer.checked.text)  # type: ignore[union-attr]
            else:
                if snapshot != opened:
                    if store is not None:
                        store.close()
                    store, opened = None, None  # the older snapshot's files are released before the open
                    store = _open(Path(snapshot), graph_args)
                    opened = snapshot
                answer = execute(store, answer, job.max_rows)
        except GrapheError as exc:
            answer = refusal(exc)
        except RecursionError:
            answer = Answer(error=("SPARQL_TOO_COMPLEX", "Requête trop imbriquée ; simplifiez-la.",
                                   "Query too deeply nested; simplify it.", 400))
        except Exception as exc:  # noqa: BLE001 — an evaluation error is the query's answer, not a crash
            answer = Answer(error=("SPARQL_ERROR", f"Erreur d'évaluation : {exc}", f"Evaluation error: {exc}", 400))
        conn.send(answer)
    if store is not None:
        store.close()


def _open(snapshot: Path, graph_args: tuple[str, str | None] | None):  # type: ignore[no-untyped-def]
    from ...store import GraphNames, OxigraphStore

    assert graph_args is not None
    return OxigraphStore.open_snapshot(snapshot, GraphNames.for_base(*graph_args))
