"""What keeping each Atom feed per public revision buys: `python -m bench.feeds [--practices 10000] [--runs 20]`.

The same feeds (all practices, one city, one country, one theme; French), in process, on one Graphe: built from
the store each time (what every reader would pay without the kept feed) and served from the feed kept for the
revision (`opendata.atom.feed`). Nothing is asserted; the bodies are checked equal. The figure goes in
docs/architecture.md.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from support.datagen import generate

FEEDS = (("all", ""), ("city", "gen-1"), ("country", "FR"), ("theme", "ai"))


def run(practices: int, runs: int) -> dict[str, tuple[float, float]]:
    from graphe.core.settings import Settings
    from graphe.opendata import atom
    from graphe.service import Graphe

    path = Path(tempfile.mkdtemp(prefix="graphe-feeds-")) / "generated.ttl"
    path.write_text(generate(practices, seed=7), encoding="utf-8")
    graphe = Graphe.open(Settings(data_dir=None))
    try:
        graphe.load([path])
        graphe.warm_reads().join()
        found: dict[str, tuple[float, float]] = {}
        for kind, key in FEEDS:
            subject = atom.subject(graphe, kind, key)
            built, kept = [], []
            body = atom.feed(graphe, kind, key, "fr")  # computed once, kept for the revision
            for _ in range(runs):
                started = time.perf_counter()
                fresh = atom._build(graphe, kind, key, "fr", subject)  # noqa: SLF001 — the work the cache saves
                built.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                again = atom.feed(graphe, kind, key, "fr")
                kept.append((time.perf_counter() - started) * 1000)
                assert fresh == again == body
            found[f"{kind} {key}".strip()] = (statistics.median(built), statistics.median(kept))
        return found
    finally:
        graphe.close()
        path.unlink(missing_ok=True)
        path.parent.rmdir()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practices", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    found = run(args.practices, args.runs)
    print(f"Atom feeds (fr), {args.practices:,} practices, {args.runs} runs, median ms: built / kept")
    for name, (built, kept) in found.items():
        print(f"  {name:>12}: {built:9.3f} / {kept:7.3f} ms  (×{built / kept:,.0f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
