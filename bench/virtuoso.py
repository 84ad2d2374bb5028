"""Graphe on a Virtuoso remote store against what its users would run instead (issue 21).

    python -m bench.virtuoso --practices 10000 [--runs 1] [--seconds 10]

- import: Graphe's validated import (SHACL on) of the generated file into its public graph on a Virtuoso
  remote store, against Virtuoso's own bulk loader (`ld_add` + `rdf_loader_run` + `checkpoint`) of the same
  file into the same named graph of another, fresh Virtuoso; both measured in the same run, in turn.
- GraphQL list hot / varied / detail: `graphe serve` on that remote store (after the import), against bare
  Starlette JSON (bench/bare.py), with the loads of bench/run.py `_http`.

Each Virtuoso lives in the work folder and is stopped at the end, failure or not; the command removes its
folder. `bench.run` may call `import_figure` and `graphql_figures` with its own work folder and data file.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pyoxigraph as ox

from bench import measure
from bench.measure import Figure, Process, timed
from bench.run import BASE, graphql_bodies
from support.datagen import generate
from support.virtuoso import Virtuoso

PUBLIC = BASE + "graph/public"
BUFFERS = 170_000  # 8 KiB pages (1.3 GB) for each Virtuoso: the 100,000-practice graph fits in memory
CODE = "bench/virtuoso.py"
# A commit is one transaction: the import's (1.8 M quads at 100,000 practices) passes Virtuoso's default
# limit on a transaction's log (TransactionAfterImageLimit, 50 MB: "SR325"). Raised, as virtuoso.ini would.
AFTER_IMAGE = "select __dbf_set('txn_after_image_limit', 2000000000);"


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


class _Process(Process):
    """`measure.Process`, whose child is stopped when its start fails or is interrupted (no orphan server)."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        try:
            super().__init__(*args, **kwargs)
        except BaseException:
            child = getattr(self, "process", None)
            if child is not None:
                child.kill()
                child.wait()
            raise


def bare_serve() -> Process:
    """`measure.bare_serve`, stopped on a failed start."""
    def probe(url: str) -> bool:
        return httpx.post(url + "/items", timeout=5).status_code == 200
    return _Process([sys.executable, "-m", "uvicorn", "bench.bare:app", "--port", "{port}", "--loop", "uvloop",
                     "--http", "httptools", "--log-level", "warning", "--no-access-log"], probe)


def remote_serve(data: Path, store_url: str) -> Process:
    """`graphe serve` on `data` (its search index, tokens) with the Virtuoso at `store_url` as its store."""
    def probe(url: str) -> bool:
        r = httpx.post(url + "/graphql", json={"query": "{ practices(first: 1) { edges { node { id } } } }"},
                       timeout=60)
        return r.status_code == 200 and "errors" not in r.json()
    return _Process([sys.executable, "-m", "graphe.cli", "serve", "--port", "{port}", "--data", str(data)], probe,
                   env={**measure.BENCH_ENV, "GRAPHE_STORE_QUERY_URL": store_url, "GRAPHE_STORE_UPDATE_URL": store_url})


def graphe_import(work: Path, data: Path, name: str) -> tuple[Virtuoso, float]:
    """A fresh Virtuoso, Graphe's seeds committed to it (not timed), then the timed validated import of
    `data`; returns the running server (the caller stops it) and the import's seconds."""
    from graphe.core.settings import Settings
    from graphe.service import Graphe

    server = Virtuoso.start(work / name, buffers=BUFFERS)
    try:
        server.isql(AFTER_IMAGE)
        graphe = Graphe.open(Settings(data_dir=work / f"{name}-data", store_query_url=server.url,
                                      store_update_url=server.url), search="off")
        try:
            graphe.validator.reach  # noqa: B018 — shapes compiled before the clock starts, as bench.import_speed
            seconds = timed(lambda: graphe.load([data]))
        finally:
            graphe.close()
    except BaseException:
        server.stop()
        raise
    return server, seconds


def bulk_import(work: Path, data: Path, name: str) -> float:
    """Virtuoso's own bulk loader of `data` into the public graph of a fresh Virtuoso: seconds."""
    server = Virtuoso.start(work / name, allowed=(data.parent,), buffers=BUFFERS)
    try:
        return timed(lambda: server.bulk_load([data], PUBLIC))
    finally:
        server.stop()
        shutil.rmtree(work / name, ignore_errors=True)


def import_figure(practices: int, work: Path, data: Path, runs: int = 1,
                  keep: list[Virtuoso] | None = None) -> Figure:
    """The import row; with `keep`, the last run's Virtuoso (Graphe's import in it) is appended to it
    running, for `graphql_figures`, instead of stopped."""
    triples = sum(1 for _ in ox.parse(path=str(data), base_iri=BASE))
    figure = Figure("import on Virtuoso (validated, SHACL on, remote store)", "triples/s",
                    goal="≥ 0.3 of Virtuoso's bulk loader", goal_ratio=0.3,
                    measures=f"Graphe's validated import of {practices:,} generated practices ({triples:,} triples) "
                             "into its public graph on a Virtuoso remote store, against Virtuoso's bulk loader "
                             "(ld_add + rdf_loader_run + checkpoint) of the same file into the same graph",
                    code=f"{CODE}:import_figure")
    seconds = []
    for i in range(runs):
        say(f"import sur Virtuoso, passe {i + 1}…")
        figure.baseline.append(triples / bulk_import(work, data, f"virtuoso-bulk{i}"))
        server, took = graphe_import(work, data, f"virtuoso-graphe{i}")
        seconds.append(took)
        figure.values.append(triples / took)
        if keep is not None and i == runs - 1:
            keep.append(server)
        else:
            server.stop()
            shutil.rmtree(work / f"virtuoso-graphe{i}", ignore_errors=True)
    figure.note = (f"Graphe {statistics.median(seconds):.1f} s, bulk loader "
                   f"{triples / statistics.median(figure.baseline):.1f} s for {triples:,} triples")
    return figure


def graphql_figures(practices: int, work: Path, data: Path, seconds: int = 10, runs: int = 1,
                    server: Virtuoso | None = None) -> list[Figure]:
    """GraphQL list hot / varied / detail of `graphe serve` on a Virtuoso remote store holding Graphe's import
    of `data` (`server`, or a fresh one imported here), against bare Starlette JSON, loads taken in turn."""
    own = server is None
    if server is None:
        server, _ = graphe_import(work, data, "virtuoso-serve")
    bare = graphe = None
    try:
        bare = bare_serve()
        graphe = remote_serve(work / "serve-data", server.url)
        say(f"service prêt après {measure.settled(graphe):.1f} s de travail de démarrage")
        return _loads(practices, seconds, runs, bare, graphe, server.process.pid)
    finally:
        for process in (graphe, bare):
            if process is not None:
                process.stop()
        if own:
            server.stop()


def _cpu(pid: int) -> float:
    """Processor seconds (user + system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _loads(practices: int, seconds: int, runs: int, bare: Process, server: Process,
           store_pid: int) -> list[Figure]:
    """The GraphQL loads of bench/run.py `_http`: the same queries, combinations, warm-up and order; the
    note adds the processor time per request of Virtuoso and of graphe serve (where a request's time goes)."""
    bodies = graphql_bodies(practices)
    hot_body, varied, warmup, details = bodies["hot"][0], bodies["varied"], bodies["warmup"], bodies["details"]
    figures = []
    rows = (("hot", "GraphQL list page on Virtuoso, hot (same query)", [hot_body], 0.3, None),
            ("varied", f"GraphQL list page on Virtuoso, varied ({len(varied):,} theme × page × order × size)",
             varied, 0.1, 5.0),
            ("detail", f"GraphQL detail on Virtuoso, varied ({len(details):,} practices)", details, 0.1, 5.0))
    for key, name, bodies, goal, tail in rows:
        say(f"charge : {name}…")
        figure = Figure(name, "req/s", goal=f"≥ {goal} of bare req/s" + (f"; p99 ≤ {tail:g}× p50" if tail else ""),
                        goal_ratio=goal, code=f"{CODE}:graphql_figures",
                        measures=f"wrk POSTs to /graphql of graphe serve on a Virtuoso remote store ({key} "
                                 "bodies of bench/run.py), against bare Starlette JSON, in turn")
        warmed = ""
        if len(bodies) == 1:
            with httpx.Client(timeout=120) as client:
                first = timed(lambda: client.post(server.url + "/graphql", content=bodies[0].encode(),
                                                  headers={"content-type": "application/json"})) * 1000
            warmed = f"; measured after the query was asked once (first answer: {first:.0f} ms)"
        if bodies is varied and warmup:
            served = measure.wrk(server.url, "/graphql", warmup, seconds).requests
            warmed = f"; after a warm-up of {seconds} s ({served:,} other requests)"
        p50s, p99s, store_ms, serve_ms = [], [], [], []
        for run_ in range(runs):
            base = measure.wrk(bare.url, "/items", [hot_body], seconds)
            offset = (run_ * len(bodies)) // max(1, runs)
            before = _cpu(store_pid), _cpu(server.process.pid)
            load = measure.wrk(server.url, "/graphql", bodies[offset:] + bodies[:offset], seconds)
            store_ms.append((_cpu(store_pid) - before[0]) * 1000 / max(1, load.requests))
            serve_ms.append((_cpu(server.process.pid) - before[1]) * 1000 / max(1, load.requests))
            figure.baseline.append(base.rps)
            figure.values.append(load.rps)
            p50s.append(load.p50_ms)
            p99s.append(load.p99_ms)
        p50, p99 = statistics.median(p50s), statistics.median(p99s)
        check = "" if tail is None else (f"; p99/p50 {p99 / p50:.1f} "
                                         f"({'met' if p99 <= tail * p50 else 'MISSED'}: ≤ {tail:g})")
        figure.note = (f"p50 {p50:.1f} ms, p99 {p99:.1f} ms{check}; processor per request: Virtuoso "
                       f"{statistics.median(store_ms):.2f} ms, graphe serve {statistics.median(serve_ms):.2f} ms"
                       + warmed)
        figure.tail = (p50, p99, tail)  # type: ignore[attr-defined]  (for the table and the test)
        figures.append(figure)
    return figures


def table(practices: int, figures: list[Figure]) -> str:
    lines = [f"## {practices:,} practices on Virtuoso".replace(",", " "), "",
             "| figure | Graphe (median) | baseline (median) | ratio | goal | met | note |",
             "|---|---|---|---|---|---|---|"]
    for f in figures:
        base = statistics.median(f.baseline) if f.baseline else float("nan")
        met = f.met
        tail = getattr(f, "tail", None)
        if tail is not None and tail[2] is not None and tail[1] > tail[2] * tail[0]:
            met = False
        lines.append(f"| {f.name} | {f.median:,.1f} {f.unit} | {base:,.1f} {f.unit} | "
                     f"{f.ratio:.3f} | {f.goal} | {'yes' if met else 'NO'} | {f.note} |")
    return "\n".join(lines)


def run(practices: int, work: Path, runs: int, seconds: int) -> list[Figure]:
    data = work / "generated.ttl"
    data.write_text(generate(practices, seed=7), encoding="utf-8")
    kept: list[Virtuoso] = []
    try:
        imported = import_figure(practices, work, data, runs, keep=kept)
        return [imported, *graphql_figures(practices, work, data, seconds, runs, server=kept[0])]
    finally:
        for server in kept:
            server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Graphe sur Virtuoso : import et GraphQL (issue 21).")
    parser.add_argument("--practices", type=int, nargs="+", default=[10000])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--seconds", type=int, default=10, help="durée de chaque charge HTTP")
    args = parser.parse_args(argv)
    # A termination stops the servers and removes the folders too (the `finally` blocks run on SystemExit).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    out = [f"Generated by `python -m bench.virtuoso --practices {' '.join(map(str, args.practices))} "
           f"--runs {args.runs} --seconds {args.seconds}` on {time.strftime('%Y-%m-%d %H:%M')}; medians of "
           f"{args.runs} run(s), each baseline measured in the same run."]
    for size in args.practices:
        work = Path(tempfile.mkdtemp(prefix="graphe-virtuoso-"))
        try:
            out += ["", table(size, run(size, work, args.runs, args.seconds))]
        finally:
            shutil.rmtree(work, ignore_errors=True)
    print("\n".join(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
