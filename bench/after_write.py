"""Reads after a write: `python -m bench.after_write [--practices 10000] [--runs 3]`.

After a publication moves the public revision, list pages need every practice, city, theme and charter
entity at the new revision. Measured in one run, alternately: the touched ones read ahead, then every
entity asked at the new revision, the untouched ones renewed from the older one (`entities.renewal`) —
against the baseline, every entity read again from the store (`reads.preload` at the new revision).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from support.datagen import generate

BASE = "https://graphe.aimf.asso.fr/"


def main(argv: list[str] | None = None) -> int:
    from graphe.read import entities, reads
    from graphe.core.rdf import Literal, NamedNode, Quad
    from graphe.read.readcache import RevisionCache
    from graphe.service import Graphe
    from graphe.core.settings import Settings

    parser = argparse.ArgumentParser(description="Lectures après une écriture : reprises contre relues.")
    parser.add_argument("--practices", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="graphe-after-write-"))
    data = work / "generated.ttl"
    data.write_text(generate(args.practices, seed=7), encoding="utf-8")
    graphe = Graphe.open(Settings(data_dir=work / "data"), search="off")
    graphe.load([data])
    store = graphe.store
    carried, baseline, moved = [], [], []
    try:
        for run in range(args.runs):
            before = store.revision().number
            touches = entities.Touches(before)
            cache = RevisionCache(max_weight=10**9, on_drop=entities.forget, renew=entities.renewal(touches))
            reads.preload(store, cache, before)
            everything = [key for key in list(cache._entries) if key[0] == "entity"]
            practice = NamedNode(f"{BASE}id/practice/gen-{run}")
            title = NamedNode("http://purl.org/dc/terms/title")
            store.commit([Quad(practice, title, Literal(f"Titre revu {run}", language="fr"), store.graphs.public)],
                         summary="bench")
            after = store.revision().number
            started = time.perf_counter()
            touched = store.last_touched(before)
            touches.add(touched, after)
            reads.preload(store, cache, after, known=sorted(touched))
            cache.get_many(after, everything, lambda keys: {})  # (all kept: renewed, or read ahead above)
            carried.append(time.perf_counter() - started)
            moved.append(cache.renewed)
            fresh = RevisionCache(max_weight=10**9)
            started = time.perf_counter()
            reads.preload(store, fresh, after)
            baseline.append(time.perf_counter() - started)
    finally:
        graphe.close()
    c, b = statistics.median(carried), statistics.median(baseline)
    print(f"| reads after a write ({args.practices:,} practices, {moved[-1]:,} entities renewed) | touched read "
          f"ahead, others renewed: {c * 1000:.0f} ms | read again: {b * 1000:.0f} ms | {c / b:.2f}× the time |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
