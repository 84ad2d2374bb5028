"""What keeping whole pages per public revision buys: `python -m bench.pages [--practices 10000] [--pages 300]`.

The same practice pages (HTML, French), in process, three ways on one Graphe: rendered from the store (entity
reads not kept yet: a new revision's first reader), rendered from kept entity reads (the read cache the
GraphQL API fills, warm), and served from the page kept for the revision (`Site.entity_page`'s cache). The
HTTP rows of `bench.run` give the same pages under load; this gives the machinery's own figure
(docs/architecture.md). Nothing is asserted; the three bodies are checked equal.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.run import BASE
from support.datagen import generate


def run(practices: int, pages: int) -> dict[str, float]:
    from graphe.core.settings import Settings
    from graphe.service import Graphe
    from graphe.model.namespaces import GR
    from graphe.web.pages import _alternates
    from graphe.web.site import Site

    path = Path(tempfile.mkdtemp(prefix="graphe-pages-")) / "generated.ttl"
    path.write_text(generate(practices, seed=7), encoding="utf-8")
    graphe = Graphe.open(Settings(data_dir=None))
    try:
        graphe.load([path])
        graphe.search.wait(600)
        graphe.warm_reads().join()  # what a started service reads ahead (practices, cities, concepts)
        site = Site(graphe)
        iris = [f"{BASE}id/practice/gen-{i}" for i in random.Random(5).sample(range(practices), pages)]

        def timed(fn) -> tuple[float, str]:  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            body = fn()
            return (time.perf_counter() - started) * 1000, body

        first, again, kept = [], [], []
        for iri in iris:
            local = "/" + iri[len(BASE):]
            alternates = _alternates(local)
            render = lambda: site.entity_pages._practice(site.reader("fr"), iri, "fr", alternates, local)  # noqa: E731
            ms, a = timed(render)  # its long texts, relations and neighbours read from the store
            first.append(ms)
            ms, b = timed(render)  # every read kept: the template and the values it is given
            again.append(ms)
            site.entity_page(iri, [GR.Practice], "fr", alternates, local)  # computed once, kept
            ms, c = timed(lambda: site.entity_page(iri, [GR.Practice], "fr", alternates, local))
            kept.append(ms)
            assert a == b == c
        return {"first render": statistics.median(first), "from kept reads": statistics.median(again),
                "kept page": statistics.median(kept)}
    finally:
        graphe.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practices", type=int, default=10_000)
    parser.add_argument("--pages", type=int, default=300)
    args = parser.parse_args(argv)
    found = run(args.practices, args.pages)
    print(f"practice page (HTML, fr), {args.practices:,} practices, {args.pages} pages, median ms:")
    for name, ms in found.items():
        print(f"  {name:>16}: {ms:8.3f} ms")
    print(f"  kept page buys {found['from kept reads'] / found['kept page']:.0f}× over rendering from kept reads")
    return 0


if __name__ == "__main__":
    sys.exit(main())
