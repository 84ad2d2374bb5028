"""Mixed load with and without a writer: `python -m bench.load [--practices 1000] [--seconds 60] [--quick]`.

64 connections (wrk, Debian) send a mix of reads — GraphQL list pages and details, searches, SPARQL queries —
for `--seconds`, twice in one run: reads alone, then the same reads while a writer publishes one practice a
second (a contributor submits a draft, the secretariat publishes it: two GraphQL mutations). Reported: req/s,
p50 and p99 of the reads, their 5xx, the writer's publications and failures, and whether every published
practice is then found on every channel (GraphQL, search, SPARQL, its page, the change feed). The ratio
p99 with the writer / p99 without is the figure; nothing is asserted here.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx

from bench import measure
from support.datagen import generate, seed_themes

BASE = "https://graphe.aimf.asso.fr/"
LIST = """query($t: [ID!], $n: Int) { practices(first: $n, filter: {themes: $t}) {
  edges { node { id title city { name country } themes { label } } } } }"""
DETAIL = """query($id: ID!) { practice(id: $id) { title city { name } themes { label } adaptedFrom { title } } }"""
SEARCH = """query($q: String!) { search(text: $q, first: 10) { totalCount edges { node { snippet } } } }"""
WORDS = ["énergie", "mobilité", "données", "participation citoyenne", "capteurs", "habitants", "transparence",
         '"données ouvertes"', "sobriété", "numérique"]
SPARQL = [f"""PREFIX dct: <http://purl.org/dc/terms/> PREFIX gr: <https://graphe.aimf.asso.fr/def#>
    SELECT ?p ?t WHERE {{ ?p a gr:Practice ; dct:subject <{BASE}id/theme/{{theme}}> ; dct:title ?t }} LIMIT 20""",
          f"ASK {{ <{BASE}id/practice/gen-{{n}}> ?p ?o }}"]
SUBMIT = "mutation($rdf: String!) { submitDraft(rdf: $rdf) { id } }"
PUBLISH = "mutation($id: ID!) { publish(draft: $id) { revision } }"

LUA = r"""
requests = {REQUESTS}
counter = 0
tid = 0
local threads = {}
local made = 0
setup = function(thread)
  thread:set("tid", made)
  made = made + 1
  table.insert(threads, thread)
end
init = function(args)
  s5xx = 0
  s4xx = 0
  s503 = 0
  s503sparql = 0
  s504 = 0
  prepared = {}
  for i, r in ipairs(requests) do
    if r[1] == "POST" then
      prepared[i] = wrk.format("POST", r[2], {["Content-Type"] = "application/json"}, r[3])
    else
      prepared[i] = wrk.format("GET", r[2])
    end
  end
end
request = function()
  local r = prepared[((counter * 2 + tid) % #prepared) + 1]
  counter = counter + 1
  return r
end
response = function(status, headers, body)
  if status >= 500 then s5xx = s5xx + 1 elseif status >= 400 then s4xx = s4xx + 1 end
  if status == 503 then
    s503 = s503 + 1
    if string.find(body, "SPARQL_BUSY", 1, true) then s503sparql = s503sparql + 1 end
  elseif status == 504 then s504 = s504 + 1 end
end
done = function(summary, latency, requests)
  local five, four, busy, late, sparql = 0, 0, 0, 0, 0
  for _, t in ipairs(threads) do
    five = five + t:get("s5xx")
    four = four + t:get("s4xx")
    busy = busy + t:get("s503")
    late = late + t:get("s504")
    sparql = sparql + t:get("s503sparql")
  end
  io.write(string.format("RESULT %d %d %.3f %.3f %d %d %d %d %d %d\n", summary.requests, summary.duration,
                         latency:percentile(50) / 1000, latency:percentile(99) / 1000, five, four,
                         summary.errors.timeout + summary.errors.connect + summary.errors.read, busy, late, sparql))
end
"""


@dataclass
class Mixed:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    http_5xx: int
    http_4xx: int
    socket_errors: int
    http_503: int = 0  # of the 5xx: refused as busy
    http_504: int = 0  # of the 5xx: stopped at their time budget
    sparql_busy: int = 0  # of the 503: SPARQL_BUSY (the others: GRAPHQL_BUSY)


@dataclass
class Writer:
    published: list[tuple[str, str]] = field(default_factory=list)  # (slug, the word only its text has)
    failures: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


KINDS = ("lists", "details", "search", "sparql")


def requests_mix(practices: int, seed: int = 5, search: bool = True,
                 kinds: tuple[str, ...] = KINDS) -> list[tuple[str, str, str]]:
    """(method, path, body) of the reads, shuffled: 40 % lists, 30 % details, 20 % searches, 10 % SPARQL
    (without `search`: the same lists, details and SPARQL queries, no search; `kinds`: only those, to tell
    which kind of read a writer slows — the same requests as in the full mix)."""
    if not search:
        kinds = tuple(k for k in kinds if k != "search")
    rng = random.Random(seed)
    mix: list[tuple[str, str, str]] = []
    kind_of: list[str] = []
    themes = seed_themes()
    for i in range(400):
        body = {"query": LIST, "variables": {"t": [BASE + "id/theme/" + rng.choice(themes)], "n": rng.randint(10, 20)}}
        mix.append(("POST", "/graphql", json.dumps(body, ensure_ascii=False)))
        kind_of.append("lists")
    for i in range(300):
        body = {"query": DETAIL, "variables": {"id": f"{BASE}id/practice/gen-{rng.randrange(practices)}"}}
        mix.append(("POST", "/graphql", json.dumps(body, ensure_ascii=False)))
        kind_of.append("details")
    for i in range(200):
        body = {"query": SEARCH, "variables": {"q": rng.choice(WORDS)}}
        mix.append(("POST", "/graphql", json.dumps(body, ensure_ascii=False)))
        kind_of.append("search")
    for i in range(100):
        text = SPARQL[i % 2].replace("{theme}", rng.choice(themes)).replace("{n}", str(rng.randrange(practices)))
        mix.append(("GET", "/sparql?" + urlencode({"query": text}), ""))
        kind_of.append("sparql")
    order = list(range(len(mix)))
    rng.shuffle(order)
    return [mix[i] for i in order if kind_of[i] in kinds]


def wrk_mixed(url: str, mix: list[tuple[str, str, str]], seconds: int, connections: int) -> Mixed:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is needed (apt-get install wrk)")
    rows = ",".join("{" + ",".join(measure._lua(part) for part in r) + "}" for r in mix)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA.replace("{REQUESTS}", "{" + rows + "}"))
    try:
        out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "-s",
                              script.name, url], capture_output=True, text=True, timeout=seconds + 120).stdout
    finally:
        os.unlink(script.name)
    found = re.search(r"RESULT (\d+) (\d+) ([\d.]+) ([\d.]+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)", out)
    if found is None:
        raise RuntimeError(f"wrk gave no result: {out[-2000:]}")
    n, us, p50, p99, five, four, errors, busy, late, sparql = found.groups()
    return Mixed(int(n) / (int(us) / 1e6), float(p50), float(p99), int(n), int(five), int(four), int(errors),
                 int(busy), int(late), int(sparql))


def practice_turtle(slug: str, word: str) -> str:
    return f"""@prefix gr: <https://graphe.aimf.asso.fr/def#> . @prefix dct: <http://purl.org/dc/terms/> .
<id/practice/{slug}> a gr:Practice ; dct:title "Pratique {word} publiée sous charge"@fr ;
    dct:abstract "Une pratique publiée pendant le banc d'essai de charge, mot repère {word}."@fr ;
    gr:city <id/city/dakar> ; dct:subject <id/theme/open-data> ;
    dct:source <id/source/aimf-article-2024-nantes-ia> ."""


def write_loop(url: str, contributor: str, secretariat: str, stop: threading.Event, writer: Writer,
               run_id: str) -> None:
    """One publication a second (submit as the city, publish as the secretariat) until `stop`."""
    with httpx.Client(base_url=url, timeout=60) as client:
        k = 0
        while not stop.is_set():
            started = time.monotonic()
            slug, word = f"charge-{run_id}-{k}", f"zq{run_id}x{k}"
            k += 1
            try:
                draft = client.post("/graphql", json={"query": SUBMIT, "variables": {"rdf": practice_turtle(slug, word)}},
                                    headers={"Authorization": f"Bearer {contributor}"}).json()
                if "errors" in draft:
                    raise RuntimeError(draft["errors"][0]["extensions"].get("code"))
                done = client.post("/graphql", json={"query": PUBLISH, "variables": {"id": draft["data"]["submitDraft"]["id"]}},
                                   headers={"Authorization": f"Bearer {secretariat}"}).json()
                if "errors" in done:
                    raise RuntimeError(done["errors"][0]["extensions"].get("code"))
                writer.published.append((slug, word))
            except Exception as exc:  # noqa: BLE001 — counted and reported
                writer.failures.append(f"{slug}: {exc}")
            writer.latencies.append(time.monotonic() - started)
            stop.wait(max(0.0, 1.0 - (time.monotonic() - started)))


def found_everywhere(url: str, slug: str, word: str) -> dict[str, bool]:
    """Is the practice `slug` (whose text alone has `word`) found on every public channel?"""
    iri = f"{BASE}id/practice/{slug}"
    search = 'query($q: String!) { search(text: $q) { edges { node { object { ... on Practice { id } } } } } }'

    def graphql(client: httpx.Client) -> bool:
        body = client.post("/graphql", json={"query": DETAIL, "variables": {"id": iri}}).json()
        return bool((body.get("data") or {}).get("practice"))

    def searched(client: httpx.Client) -> bool:
        body = client.post("/graphql", json={"query": search, "variables": {"q": word}}).json()
        edges = ((body.get("data") or {}).get("search") or {}).get("edges", [])
        return any((e["node"]["object"] or {}).get("id") == iri for e in edges)

    def sparql(client: httpx.Client) -> bool:
        ask = client.get("/sparql", params={"query": f"ASK {{ <{iri}> ?p ?o }}"},
                         headers={"Accept": "application/sparql-results+json"})
        return ask.status_code == 200 and ask.json().get("boolean") is True

    def page(client: httpx.Client) -> bool:
        return client.get(f"/id/practice/{slug}", headers={"Accept": "text/html"}).status_code == 200

    found = {}
    with httpx.Client(base_url=url, timeout=60) as client:
        for name, check in (("graphql", graphql), ("search", searched), ("sparql", sparql), ("page", page)):
            try:
                found[name] = check(client)
            except httpx.HTTPError:
                found[name] = False
    return found


def prepare(work: Path, practices: int) -> tuple[Path, str, str]:
    """A data folder with the seeds and `practices` generated practices; two tokens (Dakar, secretariat)."""
    from graphe.publishing import accounts
    from graphe.service import Graphe
    from graphe.core.settings import Settings

    generated = work / "generated.ttl"
    generated.write_text(generate(practices, seed=7), encoding="utf-8")
    data = work / "data"
    graphe = Graphe.open(Settings(data_dir=data), search="off")
    try:
        graphe.load([generated])
        _, contributor = accounts.create(graphe.store, "contributor", "Banc d'essai (Dakar)", BASE + "id/city/dakar")
        _, secretariat = accounts.create(graphe.store, "secretariat", "Banc d'essai (secrétariat)")
    finally:
        graphe.close()
    return data, contributor, secretariat


def run(practices: int, seconds: int, connections: int, search: bool = True, kinds: tuple[str, ...] = KINDS) -> dict:
    work = Path(tempfile.mkdtemp(prefix="graphe-load-"))
    try:
        say(f"données : {practices} fiches…")
        data, contributor, secretariat = prepare(work, practices)
        server = measure.graphe_serve(data)
        try:
            measure.settled(server)
            mix = requests_mix(practices, search=search, kinds=kinds)
            say("échauffement…")
            wrk_mixed(server.url, mix, max(3, seconds // 6), connections)
            say(f"lectures seules, {seconds} s, {connections} connexions…")
            alone = wrk_mixed(server.url, mix, seconds, connections)
            say("les mêmes lectures avec un rédacteur qui publie chaque seconde…")
            writer, stop = Writer(), threading.Event()
            run_id = f"{int(time.time()) % 100000}"
            thread = threading.Thread(target=write_loop, args=(server.url, contributor, secretariat, stop, writer,
                                                               run_id))
            thread.start()
            try:
                loaded = wrk_mixed(server.url, mix, seconds, connections)
            finally:
                stop.set()
                thread.join(120)
            say("vérification : chaque pratique publiée sur chaque canal…")
            checks = {slug: found_everywhere(server.url, slug, word) for slug, word in writer.published}
            health = httpx.get(server.url + "/healthz", timeout=30).json()
            if os.environ.get("GRAPHE_LOAD_LOG"):  # the service's own log, to look into failures
                server.log.seek(0)
                Path(os.environ["GRAPHE_LOAD_LOG"]).write_bytes(server.log.read())
        except BaseException:
            server.log.seek(0)
            say(server.log.read()[-3000:].decode(errors="replace"))
            raise
        finally:
            server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    missing = {slug: [k for k, ok in c.items() if not ok] for slug, c in checks.items() if not all(c.values())}
    return {"practices": practices, "seconds": seconds, "connections": connections, "search": search, "kinds": kinds, "alone": alone,
            "with_writer": loaded, "writer": writer, "missing": missing, "health": health}


def report(result: dict) -> str:
    alone, loaded, writer = result["alone"], result["with_writer"], result["writer"]
    ratio = loaded.p99_ms / alone.p99_ms if alone.p99_ms else float("nan")
    lat = sorted(writer.latencies)
    rows = [
        "| reads | req/s | p50 ms | p99 ms | 5xx (503 of SPARQL, of GraphQL; 504) | 4xx | socket errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *(f"| {name} | {m.rps:,.0f} | {m.p50_ms:.1f} | {m.p99_ms:.1f} | {m.http_5xx} ({m.sparql_busy}, {m.http_503 - m.sparql_busy}; {m.http_504}) | "
          f"{m.http_4xx} | {m.socket_errors} |" for name, m in (("alone", alone),
                                                                ("with a writer (1 publication/s)", loaded))),
    ]
    found = len(writer.published) - len(result["missing"])
    return "\n".join([
        f"Mixed load, {result['practices']:,} practices, {result['connections']} connections, "
        f"{result['seconds']} s per phase "
        + ("(40 % GraphQL lists, 30 % details, 20 % searches, 10 % SPARQL)."
           if result.get("search", True) and tuple(result.get("kinds", KINDS)) == KINDS else
           f"(only {', '.join(k for k in result['kinds'] if result['search'] or k != 'search')} of the full mix)."),
        "", *rows, "",
        f"- read p99 with the writer / without: **{ratio:.2f}×** (goal ≤ 2×)",
        f"- writer: {len(writer.published)} publications, {len(writer.failures)} failures"
        + (f" (first: {writer.failures[0]})" if writer.failures else "")
        + (f"; submit + publish p50 {statistics.median(lat) * 1000:.0f} ms, max {lat[-1] * 1000:.0f} ms" if lat else ""),
        f"- found afterwards on every channel (GraphQL, search, SPARQL, page): {found} of {len(writer.published)}"
        + (f"; missing: {dict(list(result['missing'].items())[:3])}" if result["missing"] else ""),
        f"- public revision at the end: {result['health']['revision']}",
    ]) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Charge mixte de Graphe, avec et sans rédacteur.")
    parser.add_argument("--practices", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--quick", action="store_true", help="300 fiches, 8 s par phase")
    parser.add_argument("--no-search", action="store_true", help="le même mélange sans les recherches (diagnostic)")
    parser.add_argument("--kinds", default=",".join(KINDS),
                        help="seulement ces lectures du mélange, séparées par des virgules (diagnostic) : "
                             + ", ".join(KINDS))
    parser.add_argument("--out", type=Path, help="écrire le rapport (Markdown) dans ce fichier")
    args = parser.parse_args(argv)
    if args.quick:
        args.practices, args.seconds = 300, 8
    kinds = tuple(k for k in args.kinds.split(",") if k)
    if not kinds or set(kinds) - set(KINDS):
        parser.error(f"--kinds : parmi {', '.join(KINDS)}")
    text = report(run(args.practices, args.seconds, args.connections, search=not args.no_search, kinds=kinds))
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
