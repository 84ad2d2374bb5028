"""Benchmarks: `python -m bench.run --practices 1000 [--runs 3] [--quick] [--out BENCHMARKS.md]`.

Each figure is measured with its baseline in the same run and reported as a ratio; nothing is asserted.
"""
from __future__ import annotations

import argparse
import compileall
import io
import json
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import httpx
import pyoxigraph as ox

from bench import measure
from support.datagen import generate, seed_themes
from bench.measure import Figure, gql_body, timed

BASE = "https://graphe.aimf.asso.fr/"
LIST = """query($t: [ID!], $after: String) { practices(first: 20, after: $after, filter: {themes: $t}) {
  edges { node { id title city { name country } themes { label } } } } }"""
LIST_ORDERED = """query($t: [ID!], $after: String, $o: PracticeOrder, $n: Int) { practices(first: $n, after: $after,
  filter: {themes: $t}, orderBy: $o) { edges { node { id title city { name country } themes { label } } } } }"""
DETAIL = """query($id: ID!) { practice(id: $id) { title city { name } charters { title criteria { label } }
  adaptedFrom { title } adaptations { title } } }"""
NESTED = """query($n: Int) { practices(first: $n, orderBy: {field: ID}) { edges { node { title
  city { name charters { title criteria { label } } } } } } }"""
SEARCHES = ["énergie", "mobilité", "données", "transparence des décisions", "participation citoyenne",
            '"intelligence artificielle"', "sobriété énergétique", "capteurs", '"données ouvertes"', "habitants"]
SEARCH_PAGE = """query P%d_%d($q: String!) { search(text: $q, first: 20) { totalCount suggestion
  edges { node { snippet type object { ... on Practice { title city { name country } issued } } } }
  facets { types { type count } themes { theme { label } count } countries { country count }
           cities { city { name } count } statuses { value { label } count } } } }"""
SPARQL = {
    "page by theme": f"""PREFIX dct: <http://purl.org/dc/terms/> PREFIX gr: <https://graphe.aimf.asso.fr/def#>
        SELECT ?p ?d WHERE {{ ?p a gr:Practice ; dct:subject <{BASE}id/theme/energy> ; dct:issued ?d }}
        ORDER BY DESC(?d) LIMIT 20""",
    "count per country": """PREFIX gr: <https://graphe.aimf.asso.fr/def#> PREFIX schema: <https://schema.org/>
        SELECT ?c (COUNT(?p) AS ?n) WHERE { ?p a gr:Practice ; gr:city/schema:addressCountry ?c } GROUP BY ?c""",
    "one practice": f"DESCRIBE <{BASE}id/practice/gen-7>",
    "cities sharing a charter": """PREFIX gr: <https://graphe.aimf.asso.fr/def#>
        SELECT DISTINCT ?a ?b WHERE { ?x gr:charter ?c ; gr:adopter ?a . ?y gr:charter ?c ; gr:adopter ?b
        FILTER(STR(?a) < STR(?b)) }""",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Bancs d'essai de Graphe (rapport dans BENCHMARKS.md).")
    parser.add_argument("--practices", type=int, nargs="+", default=[1000],
                        help="taille(s) des données, en fiches ; une table par taille")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10, help="durée de chaque charge HTTP")
    parser.add_argument("--quick", action="store_true", help="1 000 fiches, 1 passe, charges de 3 s")
    parser.add_argument("--out", type=Path, default=Path("BENCHMARKS.md"))
    args = parser.parse_args(argv)
    if args.quick:
        args.practices, args.runs, args.seconds = [1000], 1, 3
    tables = []
    for size in args.practices:
        work = Path(tempfile.mkdtemp(prefix="graphe-bench-"))
        try:
            tables.append((size, run(argparse.Namespace(**{**vars(args), "practices": size}), work)))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    args.out.write_text(report(args, tables), encoding="utf-8")
    print(f"écrit : {args.out}")
    return 0


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run(args: argparse.Namespace, work: Path) -> list[Figure]:
    from graphe.service import Graphe
    from graphe.core.settings import Settings

    say(f"données : {args.practices} fiches…")
    data = work / "generated.ttl"
    data.write_text(generate(args.practices, seed=7), encoding="utf-8")
    seeds = sorted((measure.ROOT / "seeds").glob("*.ttl"))
    triples = len(list(ox.parse(path=str(data), base_iri=BASE)))
    imported = Figure("validated import (SHACL on; search index apart, see full reindex)", "triples/s",
                      goal="≥ 0.2 of Oxigraph's bulk load")
    for i in range(args.runs):
        say(f"import, passe {i + 1}…")
        raw = ox.Store(str(work / f"raw{i}"))
        imported.baseline.append(triples / timed(lambda: [raw.bulk_load(path=str(p), base_iri=BASE)
                                                          for p in (*seeds, data)]))
        raw = None  # released
        target = work / ("data" if i == 0 else f"data{i}")
        graphe = Graphe.open(Settings(data_dir=target), search="off")
        imported.values.append(triples / timed(lambda: graphe.load([data])))
        nested = [_queries(graphe, n) for n in (10, 100)]
        graphe.close()
    queries = Figure("store queries, nested query (practices→city→charters→criteria)", "queries",
                     values=[nested[1]], baseline=[nested[0]], goal="equal at 100 and at 10",
                     higher_is_better=False)
    sparql_base = _sparql_in_process(work / "data", args.runs)

    say("index plein texte…")  # (the service serves during a rebuild: tests/search/test_search.py)
    reindex = Figure("full reindex", "documents/s", goal="reported")
    for _ in range(args.runs):
        graphe = Graphe.open(Settings(data_dir=work / "data"), search="off")
        started = time.perf_counter()
        count = graphe.search.rebuild(graphe.store)
        reindex.values.append(count / (time.perf_counter() - started))
        graphe.close()

    say("démarrage à froid…")
    # The package's bytecode written first, as an installed package (and `dev.py`) has it: the bare app's
    # modules (Starlette, uvicorn) are compiled in site-packages, and Python may be told not to write any.
    compileall.compile_dir(str(measure.ROOT / "graphe"), quiet=1)
    cold = Figure("cold start to first GraphQL answer (persisted store)", "s", goal="≤ 2× a bare Starlette start",
                  higher_is_better=False)
    for _ in range(args.runs):
        bare = measure.bare_serve()
        cold.baseline.append(bare.ready)
        bare.stop()
        server = measure.graphe_serve(work / "data")
        cold.values.append(server.ready)
        server.stop()  # a stop saves the read cache: the next start at this revision takes it back
    cold.note = (f"first start, nothing saved yet: {cold.values[0]:.2f} s; then restarts" if args.runs > 1
                 else "first start, nothing saved yet")

    bare = measure.bare_serve()
    server = measure.graphe_serve(work / "data")
    settling = measure.settled(server)  # loads measure the steady state; the start is measured above
    say(f"service prêt après {settling:.1f} s de travail de démarrage")
    try:
        figures = _http(args, bare, server, sparql_base, work)
        memory = Figure("peak memory of graphe serve after the load runs", "MB", values=[server.peak_memory_mb()],
                        goal="≤ 1,500 MB", higher_is_better=False)
    finally:
        server.stop()
        bare.stop()
    return [imported, cold, *figures, reindex, queries, memory]


def _queries(graphe, n: int) -> int:  # type: ignore[no-untyped-def]
    import asyncio

    from graphe.api.context import Context
    from graphe.api.schema import build_schema

    schema = build_schema()
    while graphe.warming:  # the reads ahead after the import would be counted too
        time.sleep(0.05)
    graphe.reads.clear()  # counted cold: nothing kept from an earlier query
    before = graphe.store.queries
    asyncio.run(schema.execute(NESTED, variable_values={"n": n}, context_value=Context(graphe)))
    return graphe.store.queries - before


def _sparql_in_process(data: Path, runs: int) -> dict[str, list[float]]:
    """The baseline: the same queries on pyoxigraph in-process, serialised to JSON (or N-Triples)."""
    store = ox.Store(str(data / "store"))
    graphs = [ox.NamedNode(BASE + "graph/public"), ox.NamedNode(BASE + "graph/ontology")]
    out: dict[str, list[float]] = {}
    for name, query in SPARQL.items():
        def once() -> None:
            result = store.query(query, default_graph=graphs, named_graphs=graphs)
            if isinstance(result, ox.QueryTriples):
                ox.serialize(list(result), format=ox.RdfFormat.N_TRIPLES)
            else:
                result.serialize(io.BytesIO(), ox.QueryResultsFormat.JSON)
        out[name] = [timed(once) * 1000 for _ in range(max(5, runs * 5))]
    store = None  # releases the database (and its lock) for the server
    return out


VARIED = 20_000  # distinct requests per varied load: more than a run serves, so no answer is ever served twice
# Requests of a warm-up load before the varied list pages are measured, none of them measured after: the
# first page of each theme × order builds that list once (members, ordering) for every later reader — a
# cost of the service's first minutes, not of its steady state.
WARMUP = 5_000


def _http(args: argparse.Namespace, bare, server, sparql_base, work: Path) -> list[Figure]:  # type: ignore[no-untyped-def]
    rng = random.Random(3)
    themes = seed_themes()
    hot_body = gql_body(LIST, {"t": [BASE + "id/theme/energy"]})
    import base64
    # theme × page × order: each request of a varied run is new to the answer cache (lists, key tables and
    # entities derived for reading are still shared, as in real use).
    pages = max(1, args.practices // len(themes) // 20)
    combos = [(t, p, o, d, n) for t in themes for p in range(pages) for o in ("TITLE", "ISSUED", "ID")
              for d in ("ASC", "DESC") for n in range(16, 25)]  # pages of 16 to 24 practices (20 on average)
    rng.shuffle(combos)
    varied, warmup = ([gql_body(LIST_ORDERED, {"t": [BASE + "id/theme/" + t], "o": {"field": o, "direction": d}, "n": n,
                                               "after": base64.urlsafe_b64encode(f"o:{p * 20 - 1}".encode()).decode()
                                               if p else None}) for t, p, o, d, n in part]
                      for part in (combos[:VARIED], combos[VARIED:VARIED + WARMUP]))
    ids = list(range(args.practices))
    rng.shuffle(ids)
    details = [gql_body(DETAIL, {"id": f"{BASE}id/practice/gen-{i}"}) for i in ids[:VARIED]]
    figures = []
    for name, bodies, goal in (("GraphQL list page, hot (same query)", [hot_body], "≥ 0.3 of bare req/s; p99 ≤ 3× p50"),
                               (f"GraphQL list page, varied ({len(varied):,} theme × page × order × size)", varied,
                                "≥ 0.1 of bare req/s"),
                               (f"GraphQL detail, varied ({len(details):,} practices)", details, "≥ 0.1 of bare req/s")):
        say(f"charge : {name}…")
        figure = Figure(name, "req/s", goal=goal)
        warmed = ""
        if len(bodies) == 1:  # the same query repeated: measured once its answer exists (the first one is not)
            with httpx.Client(timeout=120) as client:
                first = timed(lambda: client.post(server.url + "/graphql", content=bodies[0].encode(),
                                                  headers={"content-type": "application/json"})) * 1000
            warmed = f"; measured after the query was asked once (first answer: {first:.0f} ms)"
        if bodies is varied and warmup:
            served = measure.wrk(server.url, "/graphql", warmup, args.seconds).requests
            warmed = f"; after a warm-up of {args.seconds} s ({served:,} other requests)"
        for run_ in range(args.runs):
            base = measure.wrk(bare.url, "/items", [hot_body], args.seconds)
            offset = (run_ * len(bodies)) // max(1, args.runs)  # each run starts on requests not served yet
            load = measure.wrk(server.url, "/graphql", bodies[offset:] + bodies[:offset], args.seconds)
            figure.baseline.append(base.rps)
            figure.values.append(load.rps)
            repeats = "" if len(bodies) == 1 else (
                f"; {load.requests:,} requests, {'none' if load.requests <= len(bodies) else 'some'} repeated")
            figure.note = (f"p50 {load.p50_ms:.1f} ms, p99 {load.p99_ms:.1f} ms (bare: p50 {base.p50_ms:.1f} ms)"
                           + repeats + warmed)
        figures.append(figure)

    say("pages…")
    practice_pages = [f"/id/practice/gen-{i}" for i in ids[:VARIED]]
    for name, paths, goal in (("practice page (HTML), hot (same page)", practice_pages[:1], "≥ 0.3 of bare req/s"),
                              (f"practice page (HTML), varied ({len(practice_pages):,} practices)", practice_pages,
                               "≥ 0.1 of bare req/s")):
        say(f"charge : {name}…")
        figure = Figure(name, "req/s", goal=goal)
        with httpx.Client(timeout=120) as client:
            first = timed(lambda: client.get(server.url + paths[0], headers={"Accept": "text/html"})) * 1000
        for run_ in range(args.runs):
            base = measure.wrk_pages(bare.url, ["/items"], args.seconds)
            offset = (run_ * len(paths)) // max(1, args.runs)
            load = measure.wrk_pages(server.url, paths[offset:] + paths[:offset], args.seconds)
            figure.baseline.append(base.rps)
            figure.values.append(load.rps)
            figure.note = (f"p50 {load.p50_ms:.1f} ms, p99 {load.p99_ms:.1f} ms (bare: p50 {base.p50_ms:.1f} ms); "
                           f"{load.requests:,} requests; first page {first:.0f} ms")
        figures.append(figure)
    # The search page against the GraphQL search asking what the page shows (hits with titles, facets with
    # labels), both computed (neither kept: a new operation name, a text new to the page cache by its spaces).
    page_ms, graphql_ms = [], []
    with httpx.Client(timeout=60) as client:
        for round_ in range(args.runs * 3):
            for i, text in enumerate(SEARCHES):
                page_ms.append(timed(lambda: client.get(server.url + "/recherche", params={
                    "q": text + " " * (round_ + 1)}, headers={"Accept": "text/html"})) * 1000)
                body = {"query": SEARCH_PAGE % (round_, i), "variables": {"q": text}}
                graphql_ms.append(timed(lambda: client.post(server.url + "/graphql", json=body)) * 1000)
    figures.append(Figure("search page (HTML) against the GraphQL search, same query (p50 latency)", "ms",
                          values=[statistics.median(page_ms)], baseline=[statistics.median(graphql_ms)],
                          goal="≤ 1.5× the GraphQL search", higher_is_better=False,
                          note=f"p99 {_p99(page_ms):.1f} ms (GraphQL p99 {_p99(graphql_ms):.1f} ms)"))

    say("recherche…")
    from graphe.search import query as sq
    from graphe.search.index import SearchIndex
    index = SearchIndex(work / "data" / "search")
    index._try_open()
    direct, api = [], []
    with httpx.Client(timeout=60) as client:
        floor = [timed(lambda: client.post(bare.url + "/items")) * 1000 for _ in range(50)]
        for round_ in range(args.runs * 3):
            for i, text in enumerate(SEARCHES):
                direct.append(timed(lambda: sq.search(index, text, sq.Filters(), 0, 10)) * 1000)
                # a new operation name each time: measured without the answer cache, like the direct search
                body = {"query": 'query S%d_%d { search(text: %s, first: 10) { totalCount edges { node { snippet } } } }'
                        % (round_, i, json.dumps(text))}
                api.append(timed(lambda: client.post(server.url + "/graphql", json=body)) * 1000)
    http_floor = statistics.median(floor)
    figures.append(Figure("search, mixed queries (p50 latency)", "ms", values=[statistics.median(api)],
                          baseline=[statistics.median(direct)], goal="≤ 1.5× whoosh in-process",
                          higher_is_better=False,
                          note=f"p99 {_p99(api):.1f} ms (direct p99 {_p99(direct):.1f} ms); "
                               f"HTTP floor (bare Starlette, same client) {http_floor:.2f} ms"))

    say("SPARQL…")
    with httpx.Client(timeout=60) as client:
        for name, query in SPARQL.items():
            # A comment makes each text new: the figure is the endpoint computing, not its per-revision answers.
            computed = [timed(lambda: client.get(server.url + "/sparql", params={"query": f"{query}\n# {name} {k}"}))
                        * 1000 for k in range(max(5, args.runs * 5))]
            kept = [timed(lambda: client.get(server.url + "/sparql", params={"query": query})) * 1000
                    for _ in range(max(5, args.runs * 5))]
            figures.append(Figure(f"SPARQL endpoint: {name}", "ms", values=[statistics.median(computed)],
                                  baseline=[statistics.median(sparql_base[name])], goal="≤ 1.3× pyoxigraph in-process",
                                  higher_is_better=False,
                                  note=f"asked again (answer kept per revision): {statistics.median(kept):.2f} ms; "
                                       f"HTTP floor {http_floor:.2f} ms"))
    return figures


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


NOTES = (Path(__file__).with_name("NOTES.md")).read_text(encoding="utf-8")


def report(args: argparse.Namespace, tables: list[tuple[int, list[Figure]]]) -> str:
    versions = {name: metadata.version(name) for name in ("pyoxigraph", "rdflib", "pyshacl", "strawberry-graphql",
                                                          "starlette", "uvicorn", "Whoosh-Reloaded")}
    sizes = " ".join(str(size) for size, _ in tables)
    lines = [
        "# Benchmarks",
        "",
        f"Généré par `python -m bench.run --practices {sizes} --runs {args.runs}"
        f"{' --quick' if args.quick else ''}` le {time.strftime('%Y-%m-%d %H:%M')} ; chaque chiffre est la médiane "
        f"de {args.runs} passe(s), avec son étendue, et son **rapport à une référence mesurée dans la même passe**.",
        "",
        f"Machine : {platform.machine()}, {__import__('os').cpu_count()} cœurs, Python {platform.python_version()}, "
        f"{platform.platform()}. Versions : " + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".",
        "Charge HTTP : wrk (Debian), 2 fils, 32 connexions, uvicorn (uvloop, httptools) à un processus ; "
        f"{args.seconds} s par mesure.",
    ]
    for size, figures in tables:
        lines += ["", f"## {size:,} fiches".replace(",", " "), "",
                  "| mesure | Graphe (médiane ± étendue) | référence | rapport | objectif | note |",
                  "|---|---|---|---|---|---|"]
        for f in figures:
            base = statistics.median(f.baseline) if f.baseline else None
            ratio = f"{f.ratio:.2f}" if f.ratio is not None else "—"
            lines.append(f"| {f.name} | {f.median:,.1f} ± {f.spread:,.1f} {f.unit} | "
                         f"{'—' if base is None else f'{base:,.1f} {f.unit}'} | {ratio} | {f.goal} | {f.note} |")
    return "\n".join(lines) + "\n" + NOTES


if __name__ == "__main__":
    sys.exit(main())
