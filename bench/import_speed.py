"""Validated import speed against Oxigraph's own bulk load, measured in the same run (issue 8).

    python -m bench.import_speed [--practices 1000 10000] [--runs 1] [--profile FILE]

For each size: generate the data (`support.datagen`), time Oxigraph's `bulk_load` of the seeds and the file
into a fresh on-disk store (baseline), then `Graphe.load` of the file into a fresh, seeded Graphe (search
off): the whole validated import — parse, SHACL, commit. Each size runs in its own child process so that its
peak memory (RSS) is its own. Prints triples/s and the ratio; the goal is a ratio ≥ 0.2.
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://graphe.aimf.asso.fr/"


def timed_stages() -> dict[str, float]:
    """Time the stages of `Graphe.load` (wrapping the functions it calls): parse, store reads, SHACL, commit."""
    from graphe.ingest import chunked, loading
    from graphe.store import OxigraphStore
    from graphe.validation.validator import Validator

    stages: dict[str, float] = {}

    def wrap(owner: object, name: str, stage: str) -> None:
        inner = getattr(owner, name)

        def timed(*args: object, **kwargs: object) -> object:
            start = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                stages[stage] = stages.get(stage, 0.0) + time.perf_counter() - start
        setattr(owner, name, timed)

    wrap(loading, "read_files", "parse_s")
    wrap(chunked, "scan", "parse_s")  # a big file's first reading (chunks read it again as they go)
    wrap(OxigraphStore, "describe", "store_reads_s")
    wrap(Validator, "validate", "shacl_s")
    wrap(OxigraphStore, "commit", "commit_s")
    return stages


def measure_one(practices: int, runs: int, profile: Path | None) -> dict[str, float]:
    import pyoxigraph as ox

    from support.datagen import generate
    from graphe.service import Graphe
    from graphe.core.settings import Settings

    stages = timed_stages()

    work = Path(tempfile.mkdtemp(prefix="graphe-import-"))
    try:
        data = work / "generated.ttl"
        data.write_text(generate(practices, seed=7), encoding="utf-8")
        seeds = sorted((ROOT / "seeds").glob("*.ttl"))
        triples = sum(1 for _ in ox.parse(path=str(data), base_iri=BASE))
        bulk, loaded = [], []
        for i in range(runs):
            raw = ox.Store(str(work / f"raw{i}"))
            start = time.perf_counter()
            for p in (*seeds, data):
                raw.bulk_load(path=str(p), base_iri=BASE)
            bulk.append(time.perf_counter() - start)
            del raw
            graphe = Graphe.open(Settings(data_dir=work / f"data{i}"), search="off")
            graphe.validator.reach  # noqa: B018 — shapes parsed, compiled and analysed before the clock starts
            stages.clear()
            start = time.perf_counter()
            if profile is not None and i == 0:
                import cProfile

                cProfile.runctx("graphe.load([data])", globals(), {"graphe": graphe, "data": data},
                                str(profile))
            else:
                graphe.load([data])
            loaded.append(time.perf_counter() - start)
            graphe.close()
        best_bulk, best_load = min(bulk), min(loaded)
        return {"practices": practices, "triples": triples, "bulk_s": best_bulk, "load_s": best_load,
                "bulk_tps": triples / best_bulk, "load_tps": triples / best_load,
                "ratio": best_bulk / best_load, **stages,  # the stages of the last run
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
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
          f"{'bulk s':>8} {'import s':>9} {'RSS max Mo':>11}   dont : lecture, lectures du stockage, SHACL, écriture")
    for n in args.practices:
        command = [sys.executable, "-m", "bench.import_speed", "--child", "--practices", str(n),
                   "--runs", str(args.runs)]
        if args.profile is not None:
            command += ["--profile", str(args.profile)]
        out = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(f"{n:>8} {r['triples']:>10} {r['bulk_tps']:>14,.0f} {r['load_tps']:>12,.0f} {r['ratio']:>7.3f} "
              f"{r['bulk_s']:>8.2f} {r['load_s']:>9.2f} {r['peak_rss_mb']:>11,.0f}   "
              f"{r.get('parse_s', 0):.2f} s, {r.get('store_reads_s', 0):.2f} s, {r.get('shacl_s', 0):.2f} s, "
              f"{r.get('commit_s', 0):.2f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
