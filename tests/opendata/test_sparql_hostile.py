"""The public SPARQL endpoint under hostile and concurrent use: the evasion corpus, the workers' network
isolation, the pool under concurrency and saturation, snapshots of public graphs only, size caps."""
from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import BACKENDS, ThreadServer, settings_for
from graphe.app import create_app
from graphe.core.rdf import Literal, NamedNode, Quad
from graphe.service import Graphe
from graphe.core.settings import Settings
from graphe.opendata.sparql import guard, http as sparql_http, pool as sparql_pool, worker as sparql_worker
from graphe.opendata.sparql.pool import SparqlPool
from graphe.opendata.sparql.worker import Job
from test_sparql import listener, served, wait_warm  # noqa: F401 — listener: a fixture

BASE = "https://graphe.aimf.asso.fr/"
CORPUS = Path(__file__).with_name("sparql_evasions.txt")
TIMEOUT = 3.0
HEAVY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g"


def corpus() -> list[tuple[str, str]]:
    """(name, query text) of every case in the corpus file, in order."""
    cases: list[tuple[str, list[str]]] = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.startswith("=== "):
            cases.append((line[4:].strip(), []))
        elif cases:
            cases[-1][1].append(line)
    return [(name, "\n".join(lines).strip()) for name, lines in cases]


@pytest.fixture(scope="module", params=BACKENDS)
def hostile(request, validator) -> Iterator[tuple[ThreadServer, Graphe, object]]:  # type: ignore[no-untyped-def]
    graphe = Graphe.open(settings_for(request, sparql_timeout=TIMEOUT, sparql_max_rows=40), validator=validator)
    with served(graphe) as (server, pool):
        yield server, graphe, pool


@pytest.mark.parametrize("name,text", corpus(), ids=[name for name, _ in corpus()])
def test_every_evasion_gets_a_coded_4xx_and_opens_no_connection(hostile, listener, name: str, text: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    server, graphe, _ = hostile
    remote, accepted = listener
    graphs = graphe.store.graphs
    query = (text.replace("{remote_ns}", remote.rsplit("/", 1)[0] + "/").replace("{remote}", remote)
             .replace("{system}", graphs.system.value).replace("{accounts}", graphs.accounts.value)
             .replace("{workflow}", graphs.workflow.value).replace("{draft}", graphs.draft("d1").value)
             .replace("{nul}", "\x00").replace("{graphs}", graphs.prefix + "graph/"))
    before = graphe.triple_count()
    url = server.url + "/sparql"
    for response in (httpx.get(url, params={"query": query}, timeout=30),
                     httpx.post(url, content=query.encode(), headers={"Content-Type": "application/sparql-query"},
                                timeout=30)):
        assert 400 <= response.status_code < 500, (name, response.status_code, response.text)
        error = response.json()["error"]
        assert error["code"].startswith("SPARQL_") and error["message_fr"] and error["message_en"], error
    assert accepted == [] and graphe.triple_count() == before


@pytest.mark.parametrize("query", [
    'SELECT ?s WHERE { ?s ?p "SERVICE bif:contains DEFINE LOAD" }',
    f"PREFIX service: <{BASE}id/> ASK {{ service:x ?p ?o }}",
    "SELECT ?bif ?sql ?service WHERE { ?bif ?sql ?service } LIMIT 1",
    "SELECT * FROM <{public}> WHERE { ?s ?p ?o } LIMIT 1",
    "BASE <{graphs}> SELECT * FROM <public> WHERE { ?s ?p ?o } LIMIT 1",  # a relative graph IRI, resolved
    f"ASK {{ <{BASE}id/city/\\u0064akar> ?p ?o }}",  # a codepoint escape inside an IRI, expanded once
])
def test_standard_queries_that_look_suspicious_are_answered(hostile, query: str) -> None:  # type: ignore[no-untyped-def]
    server, graphe, _ = hostile
    graphs = graphe.store.graphs
    if "{graphs}" in query and not graphs.prefix.startswith("http"):
        pytest.skip("a relative IRI resolves against an http(s) base; this backend's test graphs are URNs")
    query = query.replace("{public}", graphs.public.value).replace("{graphs}", graphs.prefix + "graph/")
    response = httpx.get(server.url + "/sparql", params={"query": query}, timeout=30)
    assert response.status_code == 200, response.text


def test_a_too_long_query_text_is_refused_before_it_is_parsed() -> None:
    with pytest.raises(Exception) as refused:
        guard.check("ASK {}" + " " * guard.MAX_QUERY_CHARS, ("urn:g",))
    assert refused.value.code == "SPARQL_TOO_LARGE" and refused.value.details["status"] == 413


# ------------------------------------------------------------------------------------------ size caps

def test_bodies_and_urls_over_the_cap_are_413_in_french(hostile) -> None:  # type: ignore[no-untyped-def]
    server, _, _ = hostile
    url = server.url + "/sparql"
    big = "ASK {}" + " " * sparql_http.MAX_BODY_BYTES
    declared = httpx.post(url, content=big.encode(), headers={"Content-Type": "application/sparql-query"})
    form = httpx.post(url, data={"query": big})
    long_url = httpx.get(url, params={"query": "ASK {}" + "x" * sparql_http.MAX_URL_QUERY})
    text = httpx.post(url, content=("ASK {}" + " " * guard.MAX_QUERY_CHARS).encode(),
                      headers={"Content-Type": "application/sparql-query"})
    for response in (declared, form, long_url, text):
        assert response.status_code == 413, response.text
        error = response.json()["error"]
        assert error["code"] == "SPARQL_TOO_LARGE" and error["message"].startswith(("Requête trop longue",
                                                                                    "Adresse trop longue"))
    assert httpx.get(server.url + "/healthz").status_code == 200


def test_a_streamed_body_is_cut_at_the_cap_not_read_whole(hostile) -> None:  # type: ignore[no-untyped-def]
    """A chunked 40 MB body (no Content-Length), given to the app chunk by chunk: the app stops pulling
    right after the cap and answers 413."""
    import anyio

    _, graphe, pool = hostile
    app = create_app(graphe)
    chunk = b" " * 65536
    total = 40 * 1024 * 1024 // len(chunk)
    pulled: list[int] = []
    sent: list[dict] = []

    async def receive() -> dict:
        pulled.append(1)
        return {"type": "http.request", "body": b"ASK {}" if len(pulled) == 1 else chunk,
                "more_body": len(pulled) < total}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/sparql", "raw_path": b"/sparql", "query_string": b"",
             "headers": [(b"content-type", b"application/sparql-query")], "http_version": "1.1",
             "scheme": "http", "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1), "root_path": ""}
    anyio.run(app, scope, receive, send)
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 413
    assert len(pulled) <= sparql_http.MAX_BODY_BYTES // len(chunk) + 2 < total


# ------------------------------------------------------------------------------------------ isolation

class _Recorder(http.server.BaseHTTPRequestHandler):
    """A SPARQL endpoint on loopback that answers one empty result and records every request."""
    seen: list[str] = []

    def _answer(self) -> None:
        type(self).seen.append(self.path)
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        body = b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"uri","value":"http://remote/x"}}]}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def remote_endpoint() -> Iterator[tuple[str, list[str]]]:
    _Recorder.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql", _Recorder.seen
    server.shutdown()
    server.server_close()


def _permissive_check(query: str, public_graphs) -> guard.Checked:  # type: ignore[no-untyped-def]
    return guard.Checked("SELECT", (), (), query)


def unchecked_worker(conn, public, graph_args) -> None:  # type: ignore[no-untyped-def]
    """A worker whose check lets everything through: what runs if a check is ever wrong."""
    guard.check = _permissive_check
    sparql_worker.worker_main(conn, public, graph_args)


def unchecked_unisolated_worker(conn, public, graph_args) -> None:  # type: ignore[no-untyped-def]
    """The control: no check and no isolation; its SERVICE must reach the test's endpoint."""
    sparql_worker.isolate = lambda: (False, "control")
    unchecked_worker(conn, public, graph_args)


class UncheckedPool(SparqlPool):
    worker_main = staticmethod(unchecked_worker)


class ControlPool(SparqlPool):
    worker_main = staticmethod(unchecked_unisolated_worker)


def test_a_worker_cannot_connect_even_when_a_check_is_wrong(seeded, remote_endpoint, tmp_path) -> None:  # type: ignore[no-untyped-def]
    if seeded.settings.remote_store:
        pytest.skip("local workers only (a remote store runs queries in its own server)")
    remote, seen = remote_endpoint
    job = Job(f"SELECT * WHERE {{ SERVICE <{remote}> {{ ?s ?p ?o }} }}", "", "json", (), (), 10)
    control = ControlPool(seeded.store, BASE, tmp_path / "control", 1, 10.0, 10, reserve=0)
    try:
        answered = control.run(job)
    finally:
        control.close()
    assert answered.error is None and b"http://remote/x" in answered.body and len(seen) == 1  # the setup works
    pool = UncheckedPool(seeded.store, BASE, tmp_path / "isolated", 1, 10.0, 10, reserve=0)
    try:
        answer = pool.run(job)
        status = pool.status()
    finally:
        pool.close()
    if status["isolated"] is False:
        pytest.skip(f"no network isolation on this host: {status['reason']}")
    assert status["isolated"] is True and status["reason"]
    assert answer.error is not None and answer.error[3] == 400 and b"http://remote/x" not in answer.body
    assert len(seen) == 1  # only the control's request: the isolated worker reached nothing


# ------------------------------------------------------------------------------------------ snapshots

@pytest.fixture(scope="module")
def on_disk(tmp_path_factory, validator) -> Iterator[tuple[ThreadServer, Graphe, SparqlPool]]:  # type: ignore[no-untyped-def]
    """A Graphe on disk (snapshots are then separate databases, as in production) behind a real server."""
    graphe = Graphe.open(Settings(data_dir=tmp_path_factory.mktemp("data"), sparql_timeout=TIMEOUT,
                                  sparql_max_rows=40), validator=validator)
    with served(graphe) as (server, pool):
        yield server, graphe, pool


def test_snapshots_hold_the_published_graphs_only_and_cannot_be_written(on_disk, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from graphe.store import OxigraphStore

    _, graphe, _ = on_disk
    store = graphe.store
    secret = Quad(NamedNode(BASE + "token/7"), NamedNode(BASE + "hash"), Literal("s3cret"), store.graphs.accounts)
    store.commit([secret])
    path = store.snapshot(tmp_path / "snap")
    first = OxigraphStore.open_snapshot(path, store.graphs)
    second = OxigraphStore.open_snapshot(path, store.graphs)  # two readers at once: no lock between them
    try:
        graphs = {q.graph_name for q in first._db.quads_for_pattern(None, None, None, None)}
        assert graphs == set(store.graphs.readable)
        assert second.count(store.graphs.public) == store.count(store.graphs.public) > 0
        with pytest.raises((OSError, RuntimeError), match="read"):
            first._db.add(Quad(NamedNode(BASE + "x"), NamedNode(BASE + "p"), Literal("1"), store.graphs.public))
    finally:
        first.close()
        second.close()


def test_workers_stay_warm_across_revisions(on_disk, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server, graphe, pool = on_disk
    url = server.url + "/sparql"
    query = f"ASK {{ <{BASE}id/city/brest> ?p ?o }}"
    assert httpx.get(url, params={"query": query}).json()["boolean"] is False
    pids = {w.process.pid for w in pool._workers}
    (tmp_path / "brest.ttl").write_text('@prefix schema: <https://schema.org/> . @prefix dct: <http://purl.org/dc/terms/> .'
                                        '<id/city/brest> a schema:City ; schema:name "Brest"@fr ; schema:addressCountry "FR" ;'
                                        ' dct:source <id/source/aimf-article-2024-nantes-ia> .', encoding="utf-8")
    graphe.load([tmp_path / "brest.ttl"])
    assert httpx.get(url, params={"query": query}).json()["boolean"] is True
    assert {w.process.pid for w in pool._workers} == pids  # the new revision cost no process start
    snapshots = [p for p in pool.workdir.iterdir() if p.is_dir()]
    assert len(snapshots) <= 2  # older snapshots are removed once no running query reads them


# ------------------------------------------------------------------------------------------ concurrency

def _get(url: str, query: str, out: list, index: int) -> None:
    response = httpx.get(url, params={"query": query}, timeout=60)
    out[index] = (response.status_code, response.headers.get("retry-after"),
                  response.json().get("error", {}).get("code") if response.status_code != 200 else None)


def _concurrently(url: str, queries: list[str]) -> list[tuple[int, str | None, str | None]]:
    out: list = [None] * len(queries)
    threads = [threading.Thread(target=_get, args=(url, q, out, i)) for i, q in enumerate(queries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out


def test_concurrent_queries_all_answer(on_disk) -> None:  # type: ignore[no-untyped-def]
    server, _, _ = on_disk
    queries = [f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }} # client {i}" for i in range(8)]
    assert [status for status, _, _ in _concurrently(server.url + "/sparql", queries)] == [200] * 8


def test_simple_asks_answer_while_long_queries_hold_the_main_lane(on_disk) -> None:  # type: ignore[no-untyped-def]
    server, _, pool = on_disk
    url = server.url + "/sparql"
    heavy: list = [None] * pool.size
    threads = [threading.Thread(target=_get, args=(url, f"{HEAVY} # heavy {i}", heavy, i)) for i in range(pool.size)]
    for thread in threads:
        thread.start()
    while pool.status()["busy"] < pool.size:  # every main worker holds a heavy query
        time.sleep(0.05)
    asks = [httpx.get(url, params={"query": f"ASK {{ <{BASE}id/city/dakar> ?p ?o }} # {i}"}, timeout=60)
            for i in range(5)]
    for thread in threads:
        thread.join()
    assert [a.status_code for a in asks] == [200] * 5 and all(a.json()["boolean"] for a in asks)
    assert [code for _, _, code in heavy] == ["QUERY_TIMEOUT"] * pool.size


def test_a_saturated_pool_answers_a_coded_503_with_retry_after(on_disk) -> None:  # type: ignore[no-untyped-def]
    server, _, pool = on_disk
    answers = _concurrently(server.url + "/sparql", [f"{HEAVY} # saturating {i}" for i in range(pool.size + 2)])
    assert all(status == 503 for status, _, _ in answers), answers
    busy = [(retry, code) for _, retry, code in answers if code == "SPARQL_BUSY"]
    assert busy and all(retry and int(retry) > 0 for retry, _ in busy), answers
    assert {code for _, _, code in answers} <= {"SPARQL_BUSY", "QUERY_TIMEOUT"}
    wait_warm(pool)
    assert httpx.get(server.url + "/sparql", params={"query": "ASK {}"}).status_code == 200


def test_a_slow_snapshot_build_never_holds_readers_and_its_stale_answers_are_not_kept(on_disk, tmp_path,  # type: ignore[no-untyped-def]
                                                                                        monkeypatch) -> None:
    server, graphe, pool = on_disk
    url = server.url + "/sparql"
    query = f"ASK {{ <{BASE}id/city/quimper> ?p ?o }}"
    assert httpx.get(url, params={"query": query}).json()["boolean"] is False
    gate = threading.Event()
    real = graphe.store.snapshot
    monkeypatch.setattr(graphe.store, "snapshot", lambda target: gate.wait(20) and real(target))
    monkeypatch.setattr(sparql_pool, "FRESH_WAIT", 0.0)  # as when a build takes longer than a reader may wait
    (tmp_path / "quimper.ttl").write_text('@prefix schema: <https://schema.org/> . @prefix dct: <http://purl.org/dc/terms/> .'
                                          '<id/city/quimper> a schema:City ; schema:name "Quimper"@fr ; schema:addressCountry "FR" ;'
                                          ' dct:source <id/source/aimf-article-2024-nantes-ia> .', encoding="utf-8")
    graphe.load([tmp_path / "quimper.ttl"])
    try:
        stale = httpx.get(url, params={"query": query}, timeout=60)
        assert stale.status_code == 200 and stale.json()["boolean"] is False  # the previous snapshot answered
    finally:
        gate.set()
    revision = graphe.store.revision().number
    for _ in range(600):
        if revision in pool._snapshots:
            break
        time.sleep(0.05)
    assert httpx.get(url, params={"query": query}).json()["boolean"] is True  # the stale answer was not kept
