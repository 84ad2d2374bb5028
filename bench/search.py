"""Search at scale, both engines in one run: `python -m bench.search [--practices 100000] [--runs 3]`.

On the same generated data (one validated import), in one run:
- full reindex: tantivy's documents/s against whoosh's (same documents, same analysis);
- mixed queries with facets: over HTTP (`graphe serve`, tantivy), against the whoosh path (the same search
  in-process on a whoosh index: cheaper than HTTP, so the ratio is conservative) and against the same
  searches on tantivy in-process; p50 and p99;
- the index on disk (each engine) and the peak memory of `graphe serve` after the searches.
Prints Markdown rows for BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench import measure
from support.datagen import generate

# What people type: words, plurals without accents, phrases, stop words, a typo, an exclusion, a name.
SEARCHES = ["énergie", "mobilite", "données ouvertes", "transparence des décisions", "participation citoyenne",
            '"intelligence artificielle"', "sobriété énergétique", "capteurs -énergie", "la charte",
            "habitants", "mobilitee", "Geneve", "plan d'action", "collectivites"]

TYPOS = ["gouvernence", "mobilitee", "energei", "partcipation citoyenne", "trnasparence"]


def _du(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    from graphe.search import query as sq
    from graphe.search.index import SearchIndex
    from graphe.service import Graphe
    from graphe.core.settings import Settings

    parser = argparse.ArgumentParser(description="Recherche : tantivy et whoosh, mêmes données, même passe.")
    parser.add_argument("--practices", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="graphe-bench-search-"))
    try:
        data = work / "generated.ttl"
        data.write_text(generate(args.practices, seed=7), encoding="utf-8")
        graphe = Graphe.open(Settings(data_dir=work / "data"), search="off")
        graphe.load([data])
        rates: dict[str, float] = {}
        disk: dict[str, float] = {}
        for engine in ("tantivy", "whoosh"):
            index = SearchIndex(work / f"search-{engine}", engine)
            started = time.perf_counter()
            count = index.rebuild(graphe.store)
            rates[engine] = count / (time.perf_counter() - started)
            disk[engine] = _du(work / f"search-{engine}")
            index.close()
        graphe.close()
        shutil.rmtree(work / "data" / "search", ignore_errors=True)
        (work / "search-tantivy").rename(work / "data" / "search")  # the service opens it as it is

        direct: dict[str, list[float]] = {"tantivy": [], "whoosh": []}
        searched: list[float] = []
        suggested: list[float] = []
        for engine, folder in (("tantivy", work / "data" / "search"), ("whoosh", work / "search-whoosh")):
            index = SearchIndex(folder, engine)
            assert index._try_open(), engine
            for text in SEARCHES:  # opened and warmed once, like a running service
                sq.search(index, text, sq.Filters(), 0, 10)
            for _ in range(args.runs):
                for text in SEARCHES:
                    direct[engine].append(measure.timed(lambda: sq.search(index, text, sq.Filters(), 0, 10)) * 1000)
            if engine == "tantivy":  # "did you mean": the suggestion against the search it comes with
                with index.reading() as searcher:
                    for text in TYPOS * args.runs:
                        query = sq.build_query(text)
                        searched.append(measure.timed(lambda: searcher.search(query, None, 0, 10, facets=True)))
                        suggested.append(measure.timed(lambda: sq._suggest(searcher, text, sq.Filters())))
            index.close()

        server = measure.graphe_serve(work / "data")
        over_http: list[float] = []
        try:
            measure.settled(server)
            with httpx.Client(timeout=120) as client:
                for round_ in range(args.runs * 3):
                    for i, text in enumerate(SEARCHES):
                        # A new operation name each time: the search runs, no kept answer is served.
                        body = {"query": 'query S%d_%d { search(text: %s, first: 10) { totalCount suggestion '
                                         'facets { types { type count } themes { count } countries { country count } '
                                         'cities { count } statuses { count } } edges { node { snippet } } } }'
                                         % (round_, i, json.dumps(text))}
                        seconds = measure.timed(lambda: client.post(server.url + "/graphql", json=body))
                        over_http.append(seconds * 1000)
            memory = server.peak_memory_mb()
        finally:
            server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    http50, http99 = statistics.median(over_http), _p(over_http, 0.99)
    w50, t50 = statistics.median(direct["whoosh"]), statistics.median(direct["tantivy"])
    n = f"{args.practices:,} practices"
    print(f"| search over HTTP, mixed queries with facets, p50 ({n}) | {http50:.1f} ms | whoosh path in-process "
          f"{w50:.0f} ms; tantivy in-process {t50:.1f} ms | {http50 / w50:.3f}× whoosh (goal ≤ 0.05); "
          f"{http50 / t50:.2f}× tantivy in-process (goal ≤ 3) |")
    print(f"| search over HTTP, p99 ({n}) | {http99:.1f} ms | its p50 {http50:.1f} ms | {http99 / http50:.2f}× "
          f"(goal ≤ 5) |")
    print(f"| full reindex ({n}) | tantivy {rates['tantivy']:,.0f} documents/s | whoosh "
          f"{rates['whoosh']:,.0f} documents/s | {rates['tantivy'] / rates['whoosh']:.1f}× (goal ≥ 10) |")
    print(f"| index on disk; peak memory of `graphe serve` ({n}) | tantivy {disk['tantivy']:.0f} MB, whoosh "
          f"{disk['whoosh']:.0f} MB | serve peak {memory:.0f} MB | goal ≤ 1,536 MB |")
    s50, q50 = statistics.median(suggested) * 1000, statistics.median(searched) * 1000
    print(f"| \"did you mean\" on misspelt queries ({n}, tantivy in-process) | suggestion {s50:.2f} ms | "
          f"the search itself (hits and facets) {q50:.2f} ms | {s50 / q50:.2f}× (goal < 1) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
