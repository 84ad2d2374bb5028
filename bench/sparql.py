"""SPARQL endpoint against what a portal would run instead (issue 21):

- Graphe's /sparql on its embedded store vs a bare Starlette endpoint on pyoxigraph (bench/bare_sparql.py),
  same data in the same graphs;
- Graphe's /sparql on Virtuoso vs Virtuoso's own /sparql, same server and graphs;
- the engine gap, reported: Virtuoso's /sparql vs the bare pyoxigraph endpoint.

    python -m bench.sparql --practices 10000 [--runs 1] [--no-virtuoso]

Every endpoint is asked by the same client (httpx, GET, same Accept), alternately (A, B, A, B…) so that
the load of the machine falls on both alike; each Graphe query is made new (a trailing comment) so that
its per-revision kept answers do not answer it; the kept answer is timed apart (the figure's note).
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
from collections.abc import Callable
from pathlib import Path

import httpx

from bench import measure
from bench.measure import Figure, Process

BASE = "https://graphe.aimf.asso.fr/"
GRAPHS = (BASE + "graph/public", BASE + "graph/ontology")
ONTOLOGY = measure.ROOT / "ontology" / "graphe.ttl"  # what Graphe.sync_ontology loads
SEEDS = measure.ROOT / "seeds"
HERE = "bench/sparql.py"

QUERIES = {
    "page by theme": f"""PREFIX dct: <http://purl.org/dc/terms/> PREFIX gr: <https://graphe.aimf.asso.fr/def#>
        SELECT ?p ?d WHERE {{ ?p a gr:Practice ; dct:subject <{BASE}id/theme/energy> ; dct:issued ?d }}
        ORDER BY DESC(?d) LIMIT 20""",
    "count per country": """PREFIX gr: <https://graphe.aimf.asso.fr/def#> PREFIX schema: <https://schema.org/>
        SELECT ?c (COUNT(?p) AS ?n) WHERE { ?p a gr:Practice ; gr:city/schema:addressCountry ?c } GROUP BY ?c""",
    "one practice": f"DESCRIBE <{BASE}id/practice/gen-7>",
    "cities sharing a charter": """PREFIX gr: <https://graphe.aimf.asso.fr/def#>
        SELECT DISTINCT ?a ?b WHERE { ?x gr:charter ?c ; gr:adopter ?a . ?y gr:charter ?c ; gr:adopter ?b
        FILTER(STR(?a) < STR(?b)) }""",
    # A portal's dashboard: practices per theme and country, with the first and last publication dates.
    "heavier aggregate": """PREFIX dct: <http://purl.org/dc/terms/> PREFIX gr: <https://graphe.aimf.asso.fr/def#>
        PREFIX schema: <https://schema.org/>
        SELECT ?theme ?country (COUNT(?p) AS ?n) (MIN(?d) AS ?first) (MAX(?d) AS ?last)
        WHERE { ?p a gr:Practice ; dct:subject ?theme ; dct:issued ?d ; gr:city/schema:addressCountry ?country }
        GROUP BY ?theme ?country ORDER BY DESC(?n) ?theme ?country""",
}


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------ asking

def _accept(query: str) -> str:
    return "application/n-triples" if query.lstrip().upper().startswith(("DESCRIBE", "CONSTRUCT")) else \
        "application/sparql-results+json"


class Endpoint:
    """One /sparql URL, asked the same way as every other: GET, `query` (+ `extra` protocol parameters)."""

    def __init__(self, client: httpx.Client, url: str, extra: tuple[tuple[str, str], ...] = (),
                 fresh: bool = False) -> None:
        self.client, self.url, self.extra, self.fresh = client, url, extra, fresh
        self.asked = 0

    def ask(self, name: str, query: str, fresh: bool | None = None) -> tuple[float, int]:
        """Milliseconds to the whole body, and its size in lines (rows or triples, roughly)."""
        self.asked += 1
        if self.fresh if fresh is None else fresh:
            query = f"{query}\n# {name} {self.asked} {time.monotonic_ns()}"  # new text: not a kept answer
        started = time.perf_counter()
        response = self.client.get(self.url, params=[("query", query), *self.extra],
                                   headers={"Accept": _accept(query)})
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{self.url} answered {response.status_code} to {name}: {response.text[:500]}")
        return elapsed, _size(response)


def _size(response: httpx.Response) -> int:
    if "json" in response.headers.get("content-type", ""):
        return len(response.json()["results"]["bindings"])
    return sum(1 for line in response.text.splitlines() if line.strip())


def _interleaved(pairs: dict[str, tuple[Endpoint, Endpoint]], samples: int
                 ) -> dict[str, tuple[list[float], list[float], int, int]]:
    """Per query: A's times, B's times, A's and B's sizes — A and B asked in turn, starting with each alike."""
    out = {}
    for name, query in QUERIES.items():
        a, b = pairs[name]
        _, size_a = a.ask(name, query)  # warm-up: workers, snapshot, pages in memory
        _, size_b = b.ask(name, query)
        ta, tb = [], []
        for k in range(samples):
            first, second = (a, b) if k % 2 == 0 else (b, a)
            t1, _ = first.ask(name, query)
            t2, _ = second.ask(name, query)
            ta.append(t1 if first is a else t2)
            tb.append(t2 if first is a else t1)
        out[name] = (ta, tb, size_a, size_b)
    return out


def _kept(endpoint: Endpoint, samples: int) -> dict[str, float]:
    """Graphe's per-revision kept answers: the same text asked again."""
    out = {}
    for name, query in QUERIES.items():
        endpoint.ask(name, query, fresh=False)
        out[name] = statistics.median(endpoint.ask(name, query, fresh=False)[0] for _ in range(samples))
    return out


# ------------------------------------------------------------------------------------------ figures

def bare_serve(store_dir: Path) -> Process:
    """The bare pyoxigraph endpoint (bench/bare_sparql.py) on `store_dir`, served as Graphe is (uvicorn)."""
    def probe(url: str) -> bool:
        return httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=5).status_code == 200
    return Process([sys.executable, "-m", "uvicorn", "bench.bare_sparql:app", "--port", "{port}",
                    "--log-level", "warning", "--no-access-log"], probe, env={"GRAPHE_BARE_STORE": str(store_dir)})


def figures(practices: int, graphe_url: str, bare_store_dir: Path, *, virtuoso_url: str | None = None,
            graphe_on_virtuoso_url: str | None = None, runs: int = 1, samples: int = 7) -> list[Figure]:
    """The rows of issue 21 for SPARQL. Needs `graphe serve` on the embedded store at `graphe_url`, a
    pyoxigraph store at `bare_store_dir` holding the same data in the same graphs (served here, by the bare
    endpoint, which must open it alone); with `virtuoso_url` (its /sparql) and `graphe_on_virtuoso_url`
    (Graphe served from that Virtuoso), the Virtuoso rows too. `runs` passes of `samples` pairs each; each
    figure holds one median per pass."""
    import pyoxigraph as ox

    store = ox.Store(str(bare_store_dir))
    # Compacted, as a portal would after a bulk load: aggregates measured 25 % faster at 5,000 practices.
    store.optimize()
    store.flush()
    del store  # released: the bare endpoint opens it alone
    bare = bare_serve(bare_store_dir)
    try:
        return _figures(practices, graphe_url, bare.url, virtuoso_url, graphe_on_virtuoso_url, runs, samples)
    finally:
        bare.stop()


def _figures(practices: int, graphe_url: str, bare_url: str, virtuoso_url: str | None,
             graphe_on_virtuoso_url: str | None, runs: int, samples: int) -> list[Figure]:
    dataset = tuple(("default-graph-uri", g) for g in GRAPHS) + tuple(("named-graph-uri", g) for g in GRAPHS)
    with httpx.Client(timeout=120) as client:
        # Every text new, for every endpoint: Graphe keeps answers per revision, Virtuoso keeps compiled
        # queries per text (measured at 5,000 practices: 0.7-1 ms less on the same text).
        graphe = Endpoint(client, graphe_url + "/sparql", fresh=True)
        bare = Endpoint(client, bare_url + "/sparql", fresh=True)
        # Virtuoso's own endpoint asked over the graphs Graphe forwards to it (its default dataset is every
        # graph of the server, private bookkeeping included): the same job as Graphe's request to it.
        virtuoso = Endpoint(client, virtuoso_url, extra=dataset, fresh=True) if virtuoso_url else None
        on_virtuoso = Endpoint(client, graphe_on_virtuoso_url + "/sparql", fresh=True) \
            if graphe_on_virtuoso_url else None
        embedded: dict[str, Figure] = {}
        remote: dict[str, Figure] = {}
        gap: dict[str, Figure] = {}
        sizes: dict[str, dict[str, int]] = {name: {} for name in QUERIES}
        for name in QUERIES:
            embedded[name] = Figure(
                f"SPARQL endpoint, embedded store: {name}", "ms", goal="≤ 1.2× a bare pyoxigraph endpoint",
                higher_is_better=False, goal_ratio=1.2, code=f"{HERE}:figures",
                measures="GET /sparql to the whole JSON (N-Triples for DESCRIBE) body, query text new each time, "
                         "vs bench/bare_sparql.py on the same data bulk-loaded and optimized, same client, "
                         "alternated")
            if virtuoso:
                remote[name] = Figure(
                    f"SPARQL endpoint, Graphe on Virtuoso: {name}", "ms", goal="≤ 1.3× Virtuoso's own /sparql",
                    higher_is_better=False, goal_ratio=1.3, code=f"{HERE}:figures",
                    measures="GET /sparql of Graphe served from Virtuoso vs Virtuoso's /sparql on the same server "
                             "and graphs, same client, alternated")
                gap[name] = Figure(
                    f"SPARQL engine gap, Virtuoso vs pyoxigraph: {name}", "ms", goal="reported",
                    higher_is_better=False, code=f"{HERE}:figures",
                    measures="Virtuoso's own /sparql vs the bare pyoxigraph endpoint, same data, same client, "
                             "alternated (below 1: Virtuoso faster)")
        kept: dict[str, list[float]] = {name: [] for name in QUERIES}
        kept_remote: dict[str, list[float]] = {name: [] for name in QUERIES}
        for run in range(runs):
            say(f"SPARQL, passe {run + 1} : Graphe / pyoxigraph nu…")
            for name, (ta, tb, sa, sb) in _interleaved({n: (graphe, bare) for n in QUERIES}, samples).items():
                embedded[name].values.append(statistics.median(ta))
                embedded[name].baseline.append(statistics.median(tb))
                sizes[name].update(graphe=sa, bare=sb)
            for name, ms in _kept(graphe, samples).items():
                kept[name].append(ms)
            if virtuoso and on_virtuoso:
                say(f"SPARQL, passe {run + 1} : Graphe sur Virtuoso / Virtuoso…")
                for name, (ta, tb, sa, sb) in _interleaved({n: (on_virtuoso, virtuoso) for n in QUERIES},
                                                           samples).items():
                    remote[name].values.append(statistics.median(ta))
                    remote[name].baseline.append(statistics.median(tb))
                    sizes[name].update(on_virtuoso=sa, virtuoso=sb)
                for name, ms in _kept(on_virtuoso, samples).items():
                    kept_remote[name].append(ms)
                say(f"SPARQL, passe {run + 1} : Virtuoso / pyoxigraph nu…")
                for name, (ta, tb, _, _) in _interleaved({n: (virtuoso, bare) for n in QUERIES}, samples).items():
                    gap[name].values.append(statistics.median(ta))
                    gap[name].baseline.append(statistics.median(tb))
    for name in QUERIES:
        size = sizes[name]
        embedded[name].note = (f"asked again (answer kept per revision): {statistics.median(kept[name]):.2f} ms; "
                               f"{size['graphe']} vs {size['bare']} rows/triples; {practices} practices")
        if name in remote:
            remote[name].note = (f"asked again (kept): {statistics.median(kept_remote[name]):.2f} ms; "
                                 f"{size.get('on_virtuoso')} vs {size.get('virtuoso')} rows/triples")
            gap[name].note = f"{size.get('virtuoso')} vs {size['bare']} rows/triples"
    return [*embedded.values(), *remote.values(), *gap.values()]


# ------------------------------------------------------------------------------------------ standalone

def table(practices: int, rows: list[Figure]) -> str:
    lines = [f"### SPARQL, {practices} practices", "",
             "| figure | Graphe / tested (ms) | baseline (ms) | ratio | goal | met | note |",
             "|---|---:|---:|---:|---|---|---|"]
    for f in rows:
        ratio = f.ratio
        met = {True: "yes", False: "**no**", None: "—"}[f.met]
        lines.append(f"| {f.name} | {f.median:.2f} | {statistics.median(f.baseline):.2f} | "
                     f"{'' if ratio is None else f'{ratio:.2f}×'} | {f.goal} | {met} | {f.note} |")
    return "\n".join(lines) + "\n"


def _load_bare(store_dir: Path, data: Path) -> None:
    import pyoxigraph as ox

    store = ox.Store(str(store_dir))
    for path in (*sorted(SEEDS.glob("*.ttl")), data):
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=BASE, to_graph=ox.NamedNode(GRAPHS[0]))
    store.bulk_load(path=str(ONTOLOGY), format=ox.RdfFormat.TURTLE, base_iri=BASE, to_graph=ox.NamedNode(GRAPHS[1]))
    store.flush()
    del store  # released: the bare endpoint opens it alone


def _import(settings, files: list[Path]) -> None:  # type: ignore[no-untyped-def]
    from graphe.service import Graphe

    graphe = Graphe.open(settings, search="off")
    try:
        for path in files:
            graphe.load([path])
    finally:
        graphe.close()


def _pieces(data: Path, limit: int = 3_000_000) -> list[Path]:
    """The generated Turtle (one subject a line, prefixes first) cut into files of about `limit` bytes, in
    order: a commit to Virtuoso is one SPARQL update, which Virtuoso refuses past 10 MB of text."""
    lines = data.read_text(encoding="utf-8").splitlines(keepends=True)
    head = [line for line in lines if line.startswith("@prefix")]
    body = [line for line in lines if line.strip() and not line.startswith("@prefix")]
    pieces: list[list[str]] = [[]]
    size = 0
    for line in body:
        if size + len(line) > limit and pieces[-1]:
            pieces.append([])
            size = 0
        pieces[-1].append(line)
        size += len(line)
    out = []
    for i, piece in enumerate(pieces):
        path = data.with_name(f"{data.stem}-{i:04d}.ttl")
        path.write_text("".join(head + piece), encoding="utf-8")
        out.append(path)
    return out


def _serve(data_dir: Path, env: dict[str, str]) -> Process:
    def probe(url: str) -> bool:
        return httpx.get(url + "/healthz", timeout=60).status_code == 200
    # The time limit raised (10 s by default): at 100,000 practices an aggregate takes longer on pyoxigraph,
    # and the figure is the time of the answer, not a refusal.
    return Process([sys.executable, "-m", "graphe.cli", "serve", "--port", "{port}", "--data", str(data_dir)],
                   probe, env={"GRAPHE_SPARQL_TIMEOUT": "300", **env})


def _quiet(process: Process, timeout: float = 1800) -> None:
    """Until its start-up work is done (read cache ahead, search index), so that it does not weigh on the timings."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        health = httpx.get(process.url + "/healthz", timeout=60).json()
        if not health.get("warming") and health.get("search", {}).get("ready", True):
            return
        time.sleep(0.5)


def run(practices: int, runs: int, use_virtuoso: bool, work: Path, samples: int) -> list[Figure]:
    from graphe.core.settings import Settings
    from support.datagen import generate

    started: list[Callable[[], None]] = []
    try:
        say(f"données : {practices} fiches…")
        data = work / "generated.ttl"
        data.write_text(generate(practices, seed=7), encoding="utf-8")
        say("pyoxigraph nu : chargement en masse…")
        _load_bare(work / "bare", data)
        say("Graphe (stockage embarqué) : import…")
        _import(Settings(data_dir=work / "data"), [data])
        virtuoso_url = on_virtuoso_url = None
        if use_virtuoso:
            from support.virtuoso import Virtuoso

            say("Virtuoso : démarrage, import par Graphe…")
            # Page cache for the data (about 85,000 8-KiB pages a GiB): 1 GiB per 50,000 practices, at least 20,000.
            server = Virtuoso.start(work / "virtuoso", buffers=max(20_000, practices * 2))
            started.append(server.stop)
            remote = {"GRAPHE_STORE_QUERY_URL": server.url, "GRAPHE_STORE_UPDATE_URL": server.url}
            _import(Settings(data_dir=work / "vdata", store_query_url=server.url, store_update_url=server.url),
                    _pieces(data))
            server.isql("checkpoint;")
            virtuoso_url = server.url
        say("services…")
        graphe = _serve(work / "data", {})
        started.append(graphe.stop)
        if use_virtuoso:
            on_virtuoso = _serve(work / "vdata", remote)
            started.append(on_virtuoso.stop)
            on_virtuoso_url = on_virtuoso.url
            _quiet(on_virtuoso)
        _quiet(graphe)
        return figures(practices, graphe.url, work / "bare", virtuoso_url=virtuoso_url,
                       graphe_on_virtuoso_url=on_virtuoso_url, runs=runs, samples=samples)
    finally:
        for stop in reversed(started):
            try:
                stop()
            except Exception as exc:  # noqa: BLE001 — the others are stopped all the same
                say(f"arrêt : {exc}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="SPARQL : Graphe contre un point d'accès pyoxigraph nu et contre Virtuoso.")
    parser.add_argument("--practices", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--samples", type=int, default=7, help="paires de requêtes par requête et par passe")
    parser.add_argument("--no-virtuoso", action="store_true", help="seulement les lignes du stockage embarqué")
    args = parser.parse_args(argv)
    use_virtuoso = not args.no_virtuoso
    if use_virtuoso and shutil.which("virtuoso-t") is None:
        parser.error("virtuoso-t missing (apt-get install virtuoso-opensource-7-bin) — or --no-virtuoso")
    # A SIGTERM unwinds like an exception, so that the servers and files below are removed all the same.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = Path(tempfile.mkdtemp(prefix="graphe-bench-sparql-"))
    try:
        rows = run(args.practices, args.runs, use_virtuoso, work, args.samples)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(table(args.practices, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
