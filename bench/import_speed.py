"""Validated import speed against Oxigraph's own bulk load of the same triples into the same named graph,
measured in the same run (issues 8 and 21).

    python -m bench.import_speed [--practices 1000 10000] [--runs 1] [--profile FILE]

For each size: generate the data (`support.datagen`); then, for each run, time Oxigraph's `bulk_load` of the
seeds and the file into a fresh on-disk store, into the published graph Graphe writes them to (baseline), and
`Graphe.load` of the file into a fresh, seeded Graphe (search off): the whole validated import — parse, SHACL,
commit. The two alternate which goes first. Each size runs in its own child process so that its peak memory
(RSS) is its own. Prints the medians in triples/s, the ratio (goal ≥ 0.4) and where the import's time went.

`figure(...)` gives the same measure to `bench/run.py`, leaving the stores of the last run behind.
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://graphe.aimf.asso.fr/"
PUBLIC = "https://graphe.aimf.asso.fr/graph/public"  # the graph Graphe writes published data into
ONTOLOGY = "https://graphe.aimf.asso.fr/graph/ontology"
GOAL = 0.4
STAGES: dict[str, float] = {}  # what the wrappers add to (wrapped once per process, however often asked)


def timed_stages() -> dict[str, float]:
    """Time the stages of `Graphe.load` by wrapping the functions it calls (each stage: its wall time in
    the importing process; SHACL run in a worker process shows as `shacl_wait_s`, the time spent waiting for it)."""
    from graphe.ingest import chunked, filescan, loading
    from graphe.store import OxigraphStore
    from graphe.validation.validator import Validator

    stages = STAGES
    stages.clear()

    def add(stage: str, start: float) -> None:
        stages[stage] = stages.get(stage, 0.0) + time.perf_counter() - start

    def wrap(owner: object, name: str, stage: str) -> None:
        inner = getattr(owner, name, None)
        if inner is None or getattr(inner, "_timed", False):
            return

        def timed(*args: object, **kwargs: object) -> object:
            start = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                add(stage, start)
        timed._timed = True  # type: ignore[attr-defined]
        setattr(owner, name, timed)

    def wrap_iter(owner: object, name: str, stage: str) -> None:
        inner = getattr(owner, name, None)
        if inner is None or getattr(inner, "_timed", False):
            return

        def timed(*args: object, **kwargs: object) -> object:
            it = iter(inner(*args, **kwargs))
            while True:
                start = time.perf_counter()
                try:
                    item = next(it)
                except StopIteration:
                    add(stage, start)
                    return
                add(stage, start)
                yield item
        timed._timed = True  # type: ignore[attr-defined]
        setattr(owner, name, timed)

    wrap(loading, "read_files", "scan_s")
    wrap(chunked, "scan", "scan_s")  # a big file's first reading
    wrap_iter(filescan.Scan, "chunks", "chunks_s")  # its second reading, chunk by chunk
    wrap(OxigraphStore, "describe", "store_reads_s")
    wrap(getattr(chunked, "_Chunks", object), "_witnesses", "witnesses_s")
    wrap(getattr(chunked, "_Chunks", object), "prepare", "prepare_s")
    wrap(Validator, "validate", "shacl_s")
    wrap(getattr(chunked, "_Chunks", object), "wait", "shacl_wait_s")
    wrap(OxigraphStore, "commit", "commit_s")
    wrap(OxigraphStore, "_apply", "bulk_load_s")
    return stages


def _bulk_baseline(store_dir: Path, files: list[Path]) -> float:
    """Oxigraph's bulk load of `files` into the published graph of a fresh store: seconds."""
    import pyoxigraph as ox

    raw = ox.Store(str(store_dir))
    start = time.perf_counter()
    for p in files:
        raw.bulk_load(path=str(p), base_iri=BASE, to_graph=ox.NamedNode(PUBLIC))
    raw.flush()
    elapsed = time.perf_counter() - start
    # (after the clock: the ontology graph Graphe also holds, for whoever queries the store afterwards)
    raw.bulk_load(path=str(ROOT / "ontology" / "graphe.ttl"), base_iri=BASE, to_graph=ox.NamedNode(ONTOLOGY))
    raw.flush()
    del raw
    return elapsed


def _graphe_load(data_dir: Path, data: Path, stages: dict[str, float], profile: Path | None) -> float:
    from graphe.core.settings import Settings
    from graphe.service import Graphe

    graphe = Graphe.open(Settings(data_dir=data_dir), search="off")
    try:
        assert graphe.store.graphs.public.value == PUBLIC, graphe.store.graphs.public
        graphe.validator.reach  # noqa: B018 — shapes parsed, compiled and analysed before the clock starts
        stages.clear()
        start = time.perf_counter()
        if profile is not None:
            import cProfile

            cProfile.runctx("graphe.load([data])", globals(), {"graphe": graphe, "data": data}, str(profile))
        else:
            graphe.load([data])
        return time.perf_counter() - start
    finally:
        graphe.close()


def measure(work: Path, data: Path, runs: int, profile: Path | None = None) -> dict[str, Any]:
    """`runs` interleaved pairs (bulk load, validated import) of `data`; the last pair's stores stay at
    `work / "raw"` and `work / "data"`. Times in seconds per run; stages: medians over the runs."""
    import pyoxigraph as ox

    stages = timed_stages()
    seeds = sorted((ROOT / "seeds").glob("*.ttl"))
    triples = sum(1 for _ in ox.parse(path=str(data), base_iri=BASE))
    bulk, loaded, per_run = [], [], []
    for i in range(runs):
        last = i == runs - 1
        raw_dir = work / ("raw" if last else f"raw.{i}")
        data_dir = work / ("data" if last else f"data.{i}")
        for d in (raw_dir, data_dir):
            shutil.rmtree(d, ignore_errors=True)
        for step in (("bulk", "graphe") if i % 2 == 0 else ("graphe", "bulk")):
            if step == "bulk":
                bulk.append(_bulk_baseline(raw_dir, [*seeds, data]))
            else:
                loaded.append(_graphe_load(data_dir, data, stages, profile if i == 0 else None))
                per_run.append(dict(stages))
        if not last:
            for d in (raw_dir, data_dir):
                shutil.rmtree(d, ignore_errors=True)
    names = sorted({k for r in per_run for k in r})
    medians = {k: statistics.median(r.get(k, 0.0) for r in per_run) for k in names}
    return {"triples": triples, "bulk_s": bulk, "load_s": loaded, "stages": medians}


def figure(practices: int, work: Path, data_file: Path, runs: int):  # type: ignore[no-untyped-def]
    """The validated import row: Graphe's triples/s against the bulk load's, same triples, same graph."""
    from bench.measure import Figure

    r = measure(work, data_file, max(1, runs))
    n = r["triples"]
    st = r["stages"]
    note = (f"{n} triplets ; import médian {statistics.median(r['load_s']):.2f} s, bulk_load "
            f"{statistics.median(r['bulk_s']):.2f} s ; étapes (médianes) : "
            + ", ".join(f"{k[:-2]} {v:.2f} s" for k, v in st.items()))
    return Figure(
        f"validated import (SHACL on), {practices} practices", "triples/s",
        values=[n / s for s in r["load_s"]], baseline=[n / s for s in r["bulk_s"]],
        goal=f"≥ {GOAL} of Oxigraph bulk_load into the same named graph", note=note,
        measures="Graphe.load of a generated file (parse, SHACL, all-or-nothing commit) against Oxigraph's "
                 "bulk_load of the seeds and the same file into the published graph of a fresh store",
        code="bench/import_speed.py:figure", goal_ratio=GOAL)


def measure_one(practices: int, runs: int, profile: Path | None) -> dict[str, Any]:
    from support.datagen import generate

    work = Path(tempfile.mkdtemp(prefix="graphe-import-"))
    try:
        data = work / "generated.ttl"
        data.write_text(generate(practices, seed=7), encoding="utf-8")
        r = measure(work, data, runs, profile)
        n = r["triples"]
        bulk_s, load_s = statistics.median(r["bulk_s"]), statistics.median(r["load_s"])
        return {"practices": practices, "triples": n, "bulk_s": bulk_s, "load_s": load_s,
                "bulk_runs": r["bulk_s"], "load_runs": r["load_s"],
                "bulk_tps": n / bulk_s, "load_tps": n / load_s, "ratio": bulk_s / load_s,
                "stages": r["stages"], "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Vitesse de l'import validé / validated import speed.")
    parser.add_argument("--practices", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--profile", type=Path, help="cProfile output of the first Graphe.load (one size only)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure_one(args.practices[0], args.runs, args.profile)))
        return 0
    print(f"{'fiches':>8} {'triplets':>10} {'bulk_load t/s':>14} {'import t/s':>12} {'ratio':>7} "
          f"{'bulk s':>8} {'import s':>9} {'RSS max Mo':>11}   (médianes ; bulk_load dans le graphe publié)")
    for n in args.practices:
        command = [sys.executable, "-m", "bench.import_speed", "--child", "--practices", str(n),
                   "--runs", str(args.runs)]
        if args.profile is not None:
            command += ["--profile", str(args.profile)]
        out = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(f"{n:>8} {r['triples']:>10} {r['bulk_tps']:>14,.0f} {r['load_tps']:>12,.0f} {r['ratio']:>7.3f} "
              f"{r['bulk_s']:>8.2f} {r['load_s']:>9.2f} {r['peak_rss_mb']:>11,.0f}", flush=True)
        print(f"{'':>8} passes : bulk {', '.join(f'{s:.2f}' for s in r['bulk_runs'])} s ; "
              f"import {', '.join(f'{s:.2f}' for s in r['load_runs'])} s", flush=True)
        print(f"{'':>8} étapes : " + ", ".join(f"{k[:-2]} {v:.2f} s" for k, v in r["stages"].items()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
