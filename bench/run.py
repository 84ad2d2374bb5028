"""Benchmarks: `python -m bench.run --practices 1000 [--runs 3] [--quick] [--out BENCHMARKS.md]`.

Each figure is measured with its baseline in the same run and reported as a ratio; nothing is asserted.
"""
from __future__ import annotations

import argparse
import compileall
import json
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from importlib import metadata
from collections.abc import Callable
from pathlib import Path

import httpx

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Bancs d'essai de Graphe (rapport dans BENCHMARKS.md).")
    parser.add_argument("--practices", type=int, nargs="+", default=[1000],
                        help="taille(s) des données, en fiches ; une table par taille")
    parser.add_argument("--runs", type=int, default=1,
                        help="passes par mesure ; à 1, une mesure à moins de 10 %% de son objectif est refaite "
                             "deux fois (médiane de 3)")
    parser.add_argument("--seconds", type=int, default=10, help="durée de chaque charge HTTP")
    parser.add_argument("--quick", action="store_true",
                        help="1 000 fiches, 1 passe sans reprise, charges de 3 s (le banc tourne, rien n'est tranché)")
    parser.add_argument("--no-virtuoso", action="store_true", help="sans les mesures sur Virtuoso")
    parser.add_argument("--out", type=Path, default=Path("BENCHMARKS.md"))
    args = parser.parse_args(argv)
    if args.quick:
        args.practices, args.runs, args.seconds = [1000], 1, 3
    args.confirm = not args.quick and args.runs == 1
    tables: list[tuple[int, list[Figure]]] = []
    failed = 0
    for size in args.practices:
        work = Path(tempfile.mkdtemp(prefix="graphe-bench-"))
        figures: list[Figure] = []
        try:
            run(argparse.Namespace(**{**vars(args), "practices": size}), work, figures)
        except Exception as error:  # noqa: BLE001 — what was measured is reported, with why the rest is not
            failed += 1
            say(f"échec à {size} fiches : {error!r}")
            figures.append(Figure(f"run stopped: {type(error).__name__}: {str(error)[:300]}", "", goal="—",
                                  code="bench/run.py:run", measures="the rows after this one were not measured"))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        tables.append((size, figures))
    args.out.write_text(report(args, tables), encoding="utf-8")
    print(f"écrit : {args.out}")
    return 1 if failed else 0


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def confirmed(produce: Callable[[], list[Figure]], args: argparse.Namespace) -> list[Figure]:
    """The figures `produce` measures; those landing within 10 % of their goal are measured twice more and
    reported as the median of the 3 passes (one pass on a shared machine does not decide them)."""
    figures = produce()
    close = [f for f in figures if f.close] if args.confirm else []
    for _ in range(2 if close else 0):
        again = {f.name: f for f in produce()}
        for figure in close:
            if figure.name in again:
                figure.values += again[figure.name].values
                figure.baseline += again[figure.name].baseline
    return figures


def run(args: argparse.Namespace, work: Path, figures: list[Figure]) -> list[Figure]:
    """Every row at one size, appended to `figures` as they are measured (a failure keeps those before it)."""
    from bench import import_speed, restart, sparql

    say(f"données : {args.practices} fiches…")
    data = work / "generated.ttl"
    data.write_text(generate(args.practices, seed=7), encoding="utf-8")
    say("import…")
    figures += confirmed(lambda: [import_speed.figure(args.practices, work, data, args.runs)], args)
    say("requêtes par niveau…")
    figures.append(_queries_per_level(work / "data"))
    say("index plein texte…")  # (the service serves during a rebuild: tests/search/test_search.py)
    figures.append(_reindex(work / "data", args.runs))
    say("redémarrages…")
    figures += confirmed(lambda: restart.figures(args.practices, work, work / "data", args.runs), args)

    remote: list = []  # Virtuoso holding Graphe's import, and Graphe served from it
    if not args.no_virtuoso:
        from bench import virtuoso

        say("import sur Virtuoso…")
        kept: list = []
        figures += confirmed(lambda: [virtuoso.import_figure(args.practices, work, data, args.runs, keep=kept)], args)
        for older in kept[:-1]:  # a row within 10 % of its goal imports three times: the last one is served
            older.stop()
        remote = [kept[-1]]

    bare = measure.bare_serve()
    server = measure.graphe_serve(work / "data")
    try:
        settling = measure.settled(server)  # loads measure the steady state; the start is measured above
        say(f"service prêt après {settling:.1f} s de travail de démarrage")
        figures += _http(args, bare, server, work)
        if remote:
            remote.append(virtuoso.remote_serve(work / "serve-data", remote[0].url))
            say(f"service sur Virtuoso prêt après {measure.settled(remote[1]):.1f} s de travail de démarrage")
        say("SPARQL…")
        figures += confirmed(lambda: sparql.figures(
            args.practices, server.url, work / "raw", runs=args.runs,
            virtuoso_url=remote[0].url if remote else None,
            graphe_on_virtuoso_url=remote[1].url if remote else None), args)
        figures.append(Figure("peak memory of graphe serve after the load runs", "MB", values=[server.peak_memory_mb()],
                              goal="≤ 1,500 MB", goal_ratio=1500, higher_is_better=False,
                              measures="the service's resident memory high-water mark (VmHWM) after every load above",
                              code="bench/measure.py:Process.peak_memory_mb"))
        server.stop()
        if remote:
            figures += graphql_loads(args, bare, remote[1], label=" on Virtuoso")
    finally:
        for process in (server, bare, *reversed(remote)):
            process.stop()
    if args.practices <= 10_000:
        figures += _mixed_load(args)
    return figures


def _queries_per_level(data: Path) -> Figure:
    from graphe.core.settings import Settings
    from graphe.service import Graphe

    graphe = Graphe.open(Settings(data_dir=data), search="off")
    try:
        nested = [_queries(graphe, n) for n in (10, 100)]
    finally:
        graphe.close()
    return Figure("store queries, nested query (practices→city→charters→criteria)", "queries",
                  values=[nested[1]], baseline=[nested[0]], goal="equal at 100 and at 10", goal_ratio=1.0,
                  higher_is_better=False, code="bench/run.py:_queries_per_level",
                  measures="store queries one GraphQL query makes for 100 practices four levels deep, against 10 "
                           "(a read per level and kind, not per object)")


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


def _reindex(data: Path, runs: int) -> Figure:
    from graphe.core.settings import Settings
    from graphe.service import Graphe

    reindex = Figure("full reindex", "documents/s", goal="reported", code="bench/run.py:_reindex",
                     measures="a full rebuild of the full-text index (tantivy) from the published graph")
    for _ in range(runs):
        graphe = Graphe.open(Settings(data_dir=data), search="off")
        started = time.perf_counter()
        count = graphe.search.rebuild(graphe.store)
        reindex.values.append(count / (time.perf_counter() - started))
        graphe.close()
    return reindex


VARIED = 20_000  # distinct requests per varied load: more than a run serves, so no answer is ever served twice
# Requests of a warm-up load before the varied list pages are measured, none of them measured after: the
# first page of each theme × order builds that list once (members, ordering) for every later reader — a
# cost of the service's first minutes, not of its steady state.
WARMUP = 5_000


def graphql_bodies(practices: int) -> dict[str, list[str]]:
    """The request bodies of the GraphQL loads: the hot list page, the varied pages (theme × page × order ×
    size, each new to the answer cache; lists, key tables and entities are still shared, as in real use),
    their warm-up, and the varied details."""
    import base64

    rng = random.Random(3)
    themes = seed_themes()
    pages = max(1, practices // len(themes) // 20)
    combos = [(t, p, o, d, n) for t in themes for p in range(pages) for o in ("TITLE", "ISSUED", "ID")
              for d in ("ASC", "DESC") for n in range(16, 25)]  # pages of 16 to 24 practices (20 on average)
    rng.shuffle(combos)
    varied, warmup = ([gql_body(LIST_ORDERED, {"t": [BASE + "id/theme/" + t], "o": {"field": o, "direction": d}, "n": n,
                                               "after": base64.urlsafe_b64encode(f"o:{p * 20 - 1}".encode()).decode()
                                               if p else None}) for t, p, o, d, n in part]
                      for part in (combos[:VARIED], combos[VARIED:VARIED + WARMUP]))
    ids = list(range(practices))
    rng.shuffle(ids)
    return {"hot": [gql_body(LIST, {"t": [BASE + "id/theme/energy"]})], "varied": varied, "warmup": warmup,
            "details": [gql_body(DETAIL, {"id": f"{BASE}id/practice/gen-{i}"}) for i in ids[:VARIED]],
            "pages": [f"/id/practice/gen-{i}" for i in ids[:VARIED]]}


def graphql_loads(args: argparse.Namespace, bare, server, label: str = "", code: str = "bench/run.py:graphql_loads"  # type: ignore[no-untyped-def]
                  ) -> list[Figure]:
    """The GraphQL rows against the bare app, same client, alternating: hot, varied and detail (req/s ratio),
    and the p99/p50 of each. `label` names the store (the Virtuoso rows reuse this)."""
    bodies = graphql_bodies(args.practices)
    if bodies["warmup"]:
        served = measure.wrk(server.url, "/graphql", bodies["warmup"], args.seconds).requests
        say(f"mise en route : {served:,} requêtes de pages variées, jamais rejouées")
    with httpx.Client(timeout=120) as client:  # the hot query's first answer, reported apart
        first = timed(lambda: client.post(server.url + "/graphql", content=bodies["hot"][0].encode(),
                                          headers={"content-type": "application/json"})) * 1000
    figures = []
    rows = (("hot", f"GraphQL list page{label}, hot (same query)", 0.3, 3.0,
             f"one list page (20 practices with city and themes) asked again and again, served from the answers "
             f"kept per revision; first answer {first:.0f} ms"),
            ("varied", f"GraphQL list page{label}, varied ({len(bodies['varied']):,} theme × page × order × size)", 0.1,
             5.0, "list pages never asked before (none repeated in a run), after a warm-up load of other pages"),
            ("details", f"GraphQL detail{label}, varied ({len(bodies['details']):,} practices)", 0.1, 5.0,
             "one practice with city, charters, criteria and adaptations, a different practice each request"))
    for key, name, goal, tail, what in rows:
        def once(key=key, name=name, goal=goal, tail=tail, what=what) -> list[Figure]:  # type: ignore[no-untyped-def]
            say(f"charge : {name}…")
            requests = bodies[key]
            offset = once.calls * len(requests) // 3  # each pass starts on requests not served yet
            once.calls += 1
            base = measure.wrk(bare.url, "/items", bodies["hot"], args.seconds)
            load = measure.wrk(server.url, "/graphql", requests[offset:] + requests[:offset], args.seconds)
            repeats = "" if len(requests) == 1 else (
                f"; {load.requests:,} requests, {'none' if load.requests <= len(requests) else 'some'} repeated")
            return [Figure(name, "req/s", values=[load.rps], baseline=[base.rps], goal=f"≥ {goal} of bare req/s",
                           goal_ratio=goal, code=code, measures=what + " — against a bare Starlette app writing a "
                           "fixed 20-item JSON list (bench/bare.py), wrk, 32 connections",
                           note=f"p50 {load.p50_ms:.1f} ms, p99 {load.p99_ms:.1f} ms (bare: p50 {base.p50_ms:.1f} ms)"
                                + repeats),
                    Figure(f"{name}: p99 / p50", "ms", values=[load.p99_ms], baseline=[load.p50_ms],
                           goal=f"p99 ≤ {tail:g}× p50", goal_ratio=tail, higher_is_better=False, code=code,
                           measures="the tail of the same load: its 99th latency percentile against its median")]
        once.calls = 0  # type: ignore[attr-defined]
        figures += confirmed(once, args)
    return figures


def _http(args: argparse.Namespace, bare, server, work: Path) -> list[Figure]:  # type: ignore[no-untyped-def]
    figures = graphql_loads(args, bare, server)

    say("pages…")
    paths = graphql_bodies(args.practices)["pages"]
    for name, chosen, goal, what in (
            ("practice page (HTML), hot (same page)", paths[:1], 0.3, "one practice's French page asked again and again"),
            (f"practice page (HTML), varied ({len(paths):,} practices)", paths, 0.1,
             "a different practice's French page each request (page, similar practices, feeds' links)")):
        def once(name=name, chosen=chosen, goal=goal, what=what) -> list[Figure]:  # type: ignore[no-untyped-def]
            say(f"charge : {name}…")
            offset = once.calls * len(chosen) // 3
            once.calls += 1
            with httpx.Client(timeout=120) as client:
                first = timed(lambda: client.get(server.url + chosen[offset], headers={"Accept": "text/html"})) * 1000
            base = measure.wrk_pages(bare.url, ["/items"], args.seconds)
            load = measure.wrk_pages(server.url, chosen[offset:] + chosen[:offset], args.seconds)
            return [Figure(name, "req/s", values=[load.rps], baseline=[base.rps], goal=f"≥ {goal} of bare req/s",
                           goal_ratio=goal, code="bench/run.py:_http",
                           measures=what + " — against the bare Starlette app, wrk, 32 connections",
                           note=f"p50 {load.p50_ms:.1f} ms, p99 {load.p99_ms:.1f} ms (bare: p50 {base.p50_ms:.1f} ms); "
                                f"{load.requests:,} requests; first page {first:.0f} ms")]
        once.calls = 0  # type: ignore[attr-defined]
        figures += confirmed(once, args)

    def search_page() -> list[Figure]:
        # The search page against the GraphQL search asking what the page shows (hits with titles, facets
        # with labels), both computed (neither kept: a new operation name, a text new to the page cache).
        page_ms, graphql_ms = [], []
        salt = search_page.calls = search_page.calls + 1  # type: ignore[attr-defined]
        with httpx.Client(timeout=60) as client:
            for round_ in range(3):
                for i, text in enumerate(SEARCHES):
                    page_ms.append(timed(lambda: client.get(server.url + "/recherche", params={
                        "q": text + " " * (salt * 3 + round_)}, headers={"Accept": "text/html"})) * 1000)
                    body = {"query": SEARCH_PAGE % (salt * 3 + round_, i), "variables": {"q": text}}
                    graphql_ms.append(timed(lambda: client.post(server.url + "/graphql", json=body)) * 1000)
        return [Figure("search page (HTML) against the GraphQL search, same query (p50 latency)", "ms",
                       values=[statistics.median(page_ms)], baseline=[statistics.median(graphql_ms)],
                       goal="≤ 1.5× the GraphQL search", goal_ratio=1.5, higher_is_better=False,
                       code="bench/run.py:_http", measures="the French search page against the GraphQL query asking "
                       "what it shows (hits, titles, facets), ten mixed searches, one client",
                       note=f"p99 {_p99(page_ms):.1f} ms (GraphQL p99 {_p99(graphql_ms):.1f} ms)")]
    search_page.calls = 0  # type: ignore[attr-defined]
    say("page de recherche…")
    figures += confirmed(search_page, args)

    def search() -> list[Figure]:
        from graphe.search import query as sq
        from graphe.search.index import SearchIndex

        index = SearchIndex(work / "data" / "search")
        index._try_open()
        direct, api = [], []
        salt = search.calls = search.calls + 1  # type: ignore[attr-defined]
        with httpx.Client(timeout=60) as client:
            for round_ in range(3):
                for i, text in enumerate(SEARCHES):
                    direct.append(timed(lambda: sq.search(index, text, sq.Filters(), 0, 10)) * 1000)
                    # a new operation name each time: measured without the answer cache, like the direct search
                    body = {"query": 'query S%d_%d { search(text: %s, first: 10) { totalCount edges { node { snippet } } } }'
                            % (salt * 3 + round_, i, json.dumps(text))}
                    api.append(timed(lambda: client.post(server.url + "/graphql", json=body)) * 1000)
        index.close()
        what = "ten mixed French searches (words, phrases, plurals) over GraphQL, "
        return [Figure("search over GraphQL against the same search in-process (p50 latency)", "ms",
                       values=[statistics.median(api)], baseline=[statistics.median(direct)],
                       goal="≤ 3× the engine in-process", goal_ratio=3.0, higher_is_better=False,
                       code="bench/run.py:_http", measures=what + "against the same search called in-process on "
                       "the same index (tantivy; the whoosh comparison is bench/search.py's)",
                       note=f"p99 {_p99(api):.1f} ms (in-process p99 {_p99(direct):.1f} ms)"),
                Figure("search over GraphQL: p99 / p50", "ms", values=[_p99(api)], baseline=[statistics.median(api)],
                       goal="p99 ≤ 5× p50", goal_ratio=5.0, higher_is_better=False, code="bench/run.py:_http",
                       measures="the tail of the same searches: 99th latency percentile against the median")]
    search.calls = 0  # type: ignore[attr-defined]
    say("recherche…")
    figures += confirmed(search, args)
    return figures


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def _mixed_load(args: argparse.Namespace) -> list[Figure]:
    """Issue 15's mixed load with a writer (bench/load.py), at the sizes it was set for (≤ 10,000 practices)."""
    from bench import load

    if args.quick:  # .ci/run runs `bench.load --quick` on its own
        return []
    say("charge mixte avec un rédacteur…")
    result = load.run(args.practices, seconds=60, connections=64)
    alone, loaded, writer = result["alone"], result["with_writer"], result["writer"]
    code, mix = "bench/load.py:run", ("64 connections of mixed reads (40 % list pages, 30 % details, 20 % searches, "
                                      "10 % SPARQL), 60 s")
    found = len(writer.published) - len(result["missing"])
    return [Figure("mixed reads: p99 with a writer / alone", "ms", values=[loaded.p99_ms], baseline=[alone.p99_ms],
                   goal="≤ 2× (issue 15)", goal_ratio=2.0, higher_is_better=False, code=code,
                   measures=mix + ", alone then while a writer publishes one practice a second",
                   note=f"alone {alone.rps:,.0f} req/s, p50 {alone.p50_ms:.1f} ms; with the writer {loaded.rps:,.0f} "
                        f"req/s, p50 {loaded.p50_ms:.1f} ms"),
            Figure("mixed reads: server errors (5xx) in both phases", "responses",
                   values=[alone.http_5xx + loaded.http_5xx], goal="0", goal_ratio=0.0, higher_is_better=False,
                   code=code, measures="responses 500–599 over both phases of the same load"),
            Figure("publications found on every channel afterwards", "publications", values=[found],
                   baseline=[len(writer.published)], goal="all (GraphQL, search, SPARQL, page)", goal_ratio=1.0,
                   code=code, measures="each practice the writer published, looked up on each channel after the load",
                   note=f"{len(writer.failures)} failed publications")]


VERSIONS = ("pyoxigraph", "tantivy", "rdflib", "pyshacl", "strawberry-graphql", "graphql-core", "starlette", "uvicorn")


def _cell(value: float, unit: str) -> str:
    return f"{value:,.{0 if abs(value) >= 100 else 2 if abs(value) < 10 else 1}f} {unit}".replace(",", " ")


def report(args: argparse.Namespace, tables: list[tuple[int, list[Figure]]]) -> str:
    """This run's report, and nothing else: every figure with what it measures, the code that runs it, its
    baseline from the same run, its goal and whether it holds. History lives in bench/NOTES.md."""
    import os

    versions = {name: metadata.version(name) for name in VERSIONS}
    sizes = " ".join(str(size) for size, _ in tables)
    command = f"python -m bench.run --practices {sizes}" + (f" --runs {args.runs}" if args.runs != 1 else "") + \
        (" --quick" if args.quick else "") + (" --no-virtuoso" if args.no_virtuoso else "")
    lines = [
        "# Benchmarks",
        "",
        f"Généré par `{command}` le {time.strftime('%Y-%m-%d %H:%M')}. Chaque ligne compare Graphe à ce qu'un "
        "portail ou une ville ferait tourner à sa place, faisant le même travail, **mesuré dans la même passe** ; "
        "le rapport est Graphe / référence. "
        + (f"Chaque mesure est la médiane de {args.runs} passes." if args.runs > 1 else
           "Une mesure à moins de 10 % de son objectif après une passe est refaite deux fois : la ligne donne "
           "alors la médiane des 3 passes et leur étendue." if args.confirm else "Une passe, sans reprise."),
        "",
        f"Machine : {platform.machine()}, {os.cpu_count()} cœurs, Python {platform.python_version()}, "
        f"{platform.platform()}. Versions : " + ", ".join(f"{k} {v}" for k, v in versions.items())
        + (f", {measure.virtuoso_version()}" if not args.no_virtuoso else "") + ".",
        "Charges HTTP : wrk (Debian), 2 fils, 32 connexions, uvicorn (uvloop, httptools) à un processus ; "
        f"{args.seconds} s par mesure.",
        "",
        "*English:* generated by the command above; each row compares Graphe with what a portal or a city would "
        "run instead, doing the same job, measured in the same run (ratio = Graphe / baseline); rows within 10 % "
        "of their goal after one pass are the median of 3 passes.",
    ]
    verdicts: list[tuple[int, Figure]] = []
    for size, figures in tables:
        lines += ["", f"## {size:,} fiches".replace(",", " "), "",
                  "| mesure (ce qu'elle mesure ; code) | Graphe | référence | rapport | objectif | tenu | passes | note |",
                  "|---|---:|---:|---:|---|---|---:|---|"]
        for f in figures:
            base = statistics.median(f.baseline) if f.baseline else None
            ratio = f"{f.ratio:.2f}" if f.ratio is not None else "—"
            value = "—" if not f.values else (
                _cell(f.median, f.unit) + (f" ± {_cell(f.spread, '').strip()}" if len(f.values) > 1 else ""))
            held = {True: "**oui**", False: "non", None: "—"}[f.met]
            code = f.code.split(":")[0]
            lines.append(f"| **{f.name}** — {f.measures} ([`{f.code}`]({code})) | {value} | "
                         f"{'—' if base is None else _cell(base, f.unit)} | {ratio} | {f.goal} | {held} | "
                         f"{len(f.values)} | {f.note} |")
            if f.met is not None:
                verdicts.append((size, f))
    lines += ["", "## Objectifs / Goals", ""]
    for size, _ in tables:
        held = [f for s, f in verdicts if s == size and f.met]
        missed = [f for s, f in verdicts if s == size and not f.met]
        lines.append(f"- **{size:,} fiches** : {len(held)} tenus sur {len(held) + len(missed)}".replace(",", " ")
                     + ("" if not missed else " ; manqués : " + "; ".join(
                         f"{f.name} ({f.ratio if f.ratio is not None else f.median:.2f}, objectif {f.goal})"
                         for f in missed)))
    lines += ["", "Ce que chaque changement a apporté, les passes précédentes et les bancs à part (charge mixte, "
              "recherche tantivy/whoosh, interférence, exécution planifiée) : [bench/NOTES.md](bench/NOTES.md) ; "
              "les mécanismes de performance gardés et leur gain : [docs/architecture.md](docs/architecture.md).",
              "*English:* what each change bought, earlier passes and the separate benches: bench/NOTES.md; the "
              "performance machinery kept and what it buys: docs/architecture.md."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
