"""The public SPARQL endpoint with real clients, real worker processes, and a real network listener."""
from __future__ import annotations

import contextlib
import gzip
import io
import socket
import threading
import time
from collections.abc import Iterator
from xml.dom import minidom

import httpx
import pytest
import rdflib
from rdflib.compare import isomorphic
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POSTDIRECTLY, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from conftest import BACKENDS, ThreadServer, run_cli, settings_for
from graphe.core import rdf
from graphe.app import create_app
from graphe.read.exports import CSV_COLUMNS
from graphe.core.rdf import Literal, NamedNode, Quad
from graphe.service import Graphe

BASE = "https://graphe.aimf.asso.fr/"
CITIES = "PREFIX schema: <https://schema.org/> SELECT ?c ?n WHERE { ?c a schema:City ; schema:name ?n " \
         "FILTER(langMatches(lang(?n), 'fr')) } ORDER BY ?n"
CONSTRUCT = "PREFIX schema: <https://schema.org/> CONSTRUCT { ?c a schema:City ; schema:name ?n } " \
            "WHERE { ?c a schema:City ; schema:name ?n }"
TIMEOUT = 3.0
MAX_ROWS = 40


def sparql_pool_of(app) -> SparqlPool:  # type: ignore[no-untyped-def]
    """The pool (or forwarder) behind an app's /sparql route."""
    route = next(r for r in app.routes if getattr(r, "path", "") == "/sparql")
    return route.endpoint.__self__.pool


def wait_warm(pool) -> None:  # type: ignore[no-untyped-def]
    """Wait until every worker of the pool has started (a timing-free readiness wait)."""
    pool = getattr(pool, "checker", pool)
    for _ in range(600):
        status = pool.status()
        if status["starting"] == 0 and status["workers"] > 0:
            return
        time.sleep(0.1)
    raise AssertionError(f"SPARQL workers did not start: {pool.status()}")


@contextlib.contextmanager
def served(graphe: Graphe) -> Iterator[tuple[ThreadServer, object]]:
    """The app of `graphe` under a real server, its SPARQL workers all up (timings assume a warm endpoint),
    and its pool; closes the Graphe after."""
    app = create_app(graphe)
    server = ThreadServer(app)
    try:
        httpx.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=60)  # first worker up
        wait_warm(sparql_pool_of(app))
        yield server, sparql_pool_of(app)
    finally:
        server.stop()
        graphe.close()


@pytest.fixture(scope="module", params=BACKENDS)
def endpoint(request, validator) -> Iterator[tuple[ThreadServer, Graphe]]:  # type: ignore[no-untyped-def]
    graphe = Graphe.open(settings_for(request, sparql_timeout=TIMEOUT, sparql_max_rows=MAX_ROWS), validator=validator)
    with served(graphe) as (server, _):
        yield server, graphe


def client(server: ThreadServer, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    wrapper = SPARQLWrapper(server.url + "/sparql")
    wrapper.setQuery(query)
    wrapper.setReturnFormat(fmt)
    if method == "POST":
        wrapper.setMethod("POST")
    elif method == "POSTDIRECTLY":
        wrapper.setMethod("POST")
        wrapper.setRequestMethod(POSTDIRECTLY)
    return wrapper


@pytest.mark.parametrize("method", ["GET", "POST", "POSTDIRECTLY"])
def test_select_in_every_result_format(endpoint, method: str) -> None:  # type: ignore[no-untyped-def]
    server, _ = endpoint
    data = client(server, CITIES, JSON, method).query().convert()
    names = [b["n"]["value"] for b in data["results"]["bindings"]]
    assert len(names) == 8 and "Genève" in names and data["results"]["bindings"][0]["n"]["xml:lang"] == "fr"
    xml = client(server, CITIES, XML, method).query().convert()
    assert isinstance(xml, minidom.Document)
    assert len(xml.getElementsByTagName("result")) == 8
    for fmt in (CSV, TSV):
        text = client(server, CITIES, fmt, method).query().convert().decode()
        lines = text.strip().splitlines()
        assert len(lines) == 9 and ("Genève" in text)
    assert lines[0] == "?c\t?n" and '"Genève"@fr' in text


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_ask(endpoint, fmt: str) -> None:  # type: ignore[no-untyped-def]
    server, _ = endpoint
    yes = client(server, f"ASK {{ <{BASE}id/city/dakar> ?p ?o }}", fmt).query().convert()
    no = client(server, f"ASK {{ <{BASE}id/city/atlantis> ?p ?o }}", fmt).query().convert()
    if fmt == JSON:
        assert (yes["boolean"], no["boolean"]) == (True, False)
    else:
        assert [d.getElementsByTagName("boolean")[0].firstChild.data for d in (yes, no)] == ["true", "false"]


@pytest.mark.parametrize("fmt,parse_as", [(TURTLE, "turtle"), (N3, "turtle"), (JSONLD, "json-ld"), (RDFXML, "xml"),
                                          (XML, "xml")])
def test_construct_and_describe_in_every_rdf_format(endpoint, fmt: str, parse_as: str) -> None:  # type: ignore[no-untyped-def]
    server, _ = endpoint
    for query in (CONSTRUCT, f"DESCRIBE <{BASE}id/city/geneve>"):
        response = client(server, query, fmt).query()
        raw = response.response.read()
        graph = rdflib.Graph().parse(data=raw, format=parse_as)
        assert (rdflib.URIRef(BASE + "id/city/geneve"), rdflib.URIRef("https://schema.org/name"),
                rdflib.Literal("Genève", lang="fr")) in graph


def test_ntriples_by_accept_and_by_format_parameter(endpoint) -> None:  # type: ignore[no-untyped-def]
    server, graphe = endpoint
    by_accept = httpx.get(server.url + "/sparql", params={"query": CONSTRUCT}, headers={"Accept": "application/n-triples"})
    by_param = httpx.get(server.url + "/sparql", params={"query": CONSTRUCT, "format": "nt"})
    assert by_accept.headers["content-type"].startswith("application/n-triples")
    assert by_accept.text == by_param.text and len(rdflib.Graph().parse(data=by_accept.text, format="nt")) == len(graphe.store.construct(CONSTRUCT))


def test_graph_parameters_and_private_graphs(endpoint) -> None:  # type: ignore[no-untyped-def]
    server, graphe = endpoint
    store = graphe.store
    store.commit([Quad(NamedNode(BASE + "token/1"), NamedNode(BASE + "hash"), Literal("s3cret"), store.graphs.system)])
    url = server.url + "/sparql"
    for query in ('SELECT * WHERE { ?s ?p "s3cret" }', 'SELECT * WHERE { GRAPH ?g { ?s ?p "s3cret" } }'):
        assert httpx.get(url, params={"query": query}).json()["results"]["bindings"] == []
    graphs = httpx.get(url, params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"}).json()
    assert {b["g"]["value"] for b in graphs["results"]["bindings"]} == {g.value for g in store.graphs.readable}
    only_ontology = httpx.get(url, params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                                           "default-graph-uri": store.graphs.ontology.value}).json()
    assert int(only_ontology["results"]["bindings"][0]["n"]["value"]) == store.count(store.graphs.ontology)
    refused = httpx.get(url, params={"query": "ASK { ?s ?p ?o }", "named-graph-uri": store.graphs.system.value})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "SPARQL_GRAPH_REFUSED"


@pytest.fixture
def listener() -> Iterator[tuple[str, list]]:
    """A TCP listener on loopback that records every connection made to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    sock.settimeout(0.2)
    accepted: list = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
                accepted.append(conn)
                conn.close()
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/data", accepted
    stop.set()
    thread.join()
    sock.close()


@pytest.mark.parametrize("case", ["update-param", "update-body", "insert-as-query", "service", "load",
                                  "from-url", "from-named-url", "service-in-subquery"])
def test_refused_queries_never_open_a_connection(endpoint, listener, case: str) -> None:  # type: ignore[no-untyped-def]
    server, graphe = endpoint
    remote, accepted = listener
    url = server.url + "/sparql"
    before = graphe.triple_count()
    response = {
        "update-param": lambda: httpx.post(url, data={"update": f"LOAD <{remote}>"}),
        "update-body": lambda: httpx.post(url, content=f"INSERT DATA {{ <{BASE}x> <{BASE}p> 1 }}",
                                          headers={"Content-Type": "application/sparql-update"}),
        "insert-as-query": lambda: httpx.get(url, params={"query": f"INSERT DATA {{ <{BASE}x> <{BASE}p> 1 }}"}),
        "service": lambda: httpx.get(url, params={"query": f"SELECT * WHERE {{ SERVICE <{remote}> {{ ?s ?p ?o }} }}"}),
        "load": lambda: httpx.get(url, params={"query": f"LOAD <{remote}>"}),
        "from-url": lambda: httpx.get(url, params={"query": f"SELECT * FROM <{remote}> WHERE {{ ?s ?p ?o }}"}),
        "from-named-url": lambda: httpx.get(url, params={"query": f"SELECT * FROM NAMED <{remote}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"}),
        "service-in-subquery": lambda: httpx.post(url, data={"query": "PREFIX x: <http://127.0.0.1/> SELECT * WHERE "
                                                  f"{{ {{ SELECT * WHERE {{ service   <{remote}> {{ ?s ?p ?o }} }} }} }}"}),
    }[case]()
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"].endswith("_REFUSED")
    time.sleep(0.3)
    assert accepted == [] and graphe.triple_count() == before


def test_keywords_inside_strings_and_iris_are_not_refused(endpoint) -> None:  # type: ignore[no-untyped-def]
    server, _ = endpoint
    query = 'SELECT ?s WHERE { ?s ?p "SERVICE LOAD INSERT FROM" . ?s ?p <http://x/DELETE> } # DROP ALL'
    response = httpx.get(server.url + "/sparql", params={"query": query})
    assert response.status_code == 200 and response.json()["results"]["bindings"] == []


def test_a_heavy_query_is_stopped_while_a_simple_one_is_answered_at_once(endpoint) -> None:  # type: ignore[no-untyped-def]
    server, graphe = endpoint
    url = server.url + "/sparql"
    heavy = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g"
    outcome: dict = {}

    def run_heavy() -> None:
        started = time.monotonic()
        outcome["response"] = httpx.get(url, params={"query": heavy}, timeout=60)
        outcome["elapsed"] = time.monotonic() - started

    thread = threading.Thread(target=run_heavy)
    thread.start()
    time.sleep(0.5)
    started = time.monotonic()
    simple = httpx.get(url, params={"query": f"ASK {{ <{BASE}id/city/dakar> ?p ?o }}"}, timeout=60)
    simple_elapsed = time.monotonic() - started
    thread.join()
    assert simple.status_code == 200 and simple.json()["boolean"] is True
    assert simple_elapsed < TIMEOUT / 2
    assert outcome["response"].status_code == 503, outcome["response"].text
    assert outcome["response"].json()["error"]["code"] == "QUERY_TIMEOUT"
    # Oxigraph's worker is killed at the limit; Virtuoso may refuse at once a query it estimates too long.
    assert (0 if graphe.settings.remote_store else TIMEOUT - 0.5) < outcome["elapsed"] < TIMEOUT + 5
    again = httpx.get(url, params={"query": "ASK { ?s ?p ?o }"})  # the killed worker was replaced
    assert again.status_code == 200


def test_results_are_capped_and_the_response_says_so(endpoint) -> None:  # type: ignore[no-untyped-def]
    server, _ = endpoint
    url = server.url + "/sparql"
    big = httpx.get(url, params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert big.headers["X-Result-Truncated"] == "true" and big.headers["X-Result-Limit"] == str(MAX_ROWS)
    assert len(big.json()["results"]["bindings"]) == MAX_ROWS
    triples = httpx.get(url, params={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "nt"})
    assert triples.headers["X-Result-Truncated"] == "true" and len(triples.text.strip().splitlines()) == MAX_ROWS
    small = httpx.get(url, params={"query": CITIES})
    assert "X-Result-Truncated" not in small.headers


def test_syntax_errors_are_400_with_the_parser_message(endpoint) -> None:  # type: ignore[no-untyped-def]
    server, _ = endpoint
    response = httpx.get(server.url + "/sparql", params={"query": "SELECT ?s WHERE { ?s ?p }"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "SPARQL_SYNTAX" and "Requête SPARQL invalide" in error["message"]
    assert "1" in error["message"]  # the parser's position


def test_service_description_cors_and_preflight(endpoint) -> None:  # type: ignore[no-untyped-def]
    server, _ = endpoint
    url = server.url + "/sparql"
    description = httpx.get(url, headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=description.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (rdflib.URIRef(BASE + "sparql"), rdflib.RDF.type, sd.Service) in graph
    assert description.headers["Access-Control-Allow-Origin"] == "*"
    jsonld = httpx.get(url, headers={"Accept": "application/ld+json"})
    assert len(rdflib.Graph().parse(data=jsonld.text, format="json-ld")) == len(graph)
    preflight = httpx.options(url, headers={"Origin": "https://data.europa.eu", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204 and "POST" in preflight.headers["Access-Control-Allow-Methods"]


def test_a_new_revision_is_visible_at_the_next_query(endpoint, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server, graphe = endpoint
    url = server.url + "/sparql"
    query = f"ASK {{ <{BASE}id/city/lyon> ?p ?o }}"
    assert httpx.get(url, params={"query": query}).json()["boolean"] is False
    (tmp_path / "lyon.ttl").write_text('@prefix schema: <https://schema.org/> . @prefix dct: <http://purl.org/dc/terms/> .'
                                       '<id/city/lyon> a schema:City ; schema:name "Lyon"@fr ; schema:addressCountry "FR" ;'
                                       ' dct:source <id/source/aimf-article-2024-nantes-ia> .', encoding="utf-8")
    graphe.load([tmp_path / "lyon.ttl"])
    assert httpx.get(url, params={"query": query}).json()["boolean"] is True


def test_answers_are_kept_per_revision_and_failures_are_not(endpoint, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from graphe.opendata.sparql.pool import Forwarder, SparqlPool
    server, graphe = endpoint
    url = server.url + "/sparql"
    runs: list[str] = []
    for kind in (SparqlPool, Forwarder):  # the local worker pool, or the forwarder to a remote server
        monkeypatch.setattr(kind, "run", lambda self, job, real=kind.run: runs.append(job.query) or real(self, job))
    query = f"SELECT ?n WHERE {{ <{BASE}id/city/dakar> <https://schema.org/name> ?n }} # kept"
    first = httpx.get(url, params={"query": query})
    assert first.status_code == 200 and httpx.get(url, params={"query": query}).content == first.content
    assert len(runs) == 1
    assert httpx.get(url, params={"query": query, "format": "csv"}).text.startswith("n")  # another format: run
    assert len(runs) == 2
    for _ in range(2):  # an answer that fails where it runs (here a syntax error) is asked again each time
        assert httpx.get(url, params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p }"}).status_code == 400
    assert len(runs) == 4


@pytest.mark.parametrize("name,parse_as", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("rdf", "xml")])
def test_dumps_are_the_published_graph(endpoint, tmp_path, name: str, parse_as: str) -> None:  # type: ignore[no-untyped-def]
    """The published graph, and the licence triple: whoever holds only the file knows the terms of reuse."""
    server, graphe = endpoint
    public = rdf.to_rdflib_graph(graphe.store.quads(graphe.store.graphs.public))
    licence = (rdflib.URIRef(BASE + "dataset/graphe"), rdflib.DCTERMS.license, rdflib.URIRef(graphe.settings.license))
    assert licence not in public  # the dump adds it
    public.add(licence)
    plain = httpx.get(f"{server.url}/export/graphe.{name}")
    packed = httpx.get(f"{server.url}/export/graphe.{name}.gz")
    assert plain.status_code == packed.status_code == 200
    assert packed.headers["content-type"] == "application/gzip" and plain.headers["etag"]
    assert isomorphic(rdflib.Graph().parse(data=plain.content, format=parse_as), public)
    assert gzip.decompress(packed.content) == plain.content
    again = httpx.get(f"{server.url}/export/graphe.{name}", headers={"If-None-Match": plain.headers["etag"]})
    assert again.status_code == 304
    assert httpx.get(f"{server.url}/export/graphe.xlsx").status_code == 404


def test_the_cli_export_gives_the_same_graph(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = str(tmp_path / "data")
    out = tmp_path / "dump.ttl"
    assert run_cli("export", "--format", "ttl", "-o", str(out), "--data", data).returncode == 0
    graph = rdflib.Graph().parse(out, format="turtle")
    assert (rdflib.URIRef(BASE + "id/city/nantes"), rdflib.RDF.type, rdflib.URIRef("https://schema.org/City")) in graph
    packed = tmp_path / "dump.nt.gz"
    assert run_cli("export", "--format", "nt", "-o", str(packed), "--data", data).returncode == 0
    assert isomorphic(rdflib.Graph().parse(data=gzip.decompress(packed.read_bytes()), format="nt"), graph)


def test_practices_csv_has_stable_iris_first_and_follows_the_graphql_filters(api) -> None:  # type: ignore[no-untyped-def]
    import csv
    response = httpx.get(api.url + "/export/practices.csv", params={"countries": "FR,MA", "hasAiProject": "true"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == CSV_COLUMNS and CSV_COLUMNS[0] == "iri"
    query = """{ practices(first: 100, filter: {countries: ["FR", "MA"], hasAiProject: true}) { totalCount
        edges { node { id } } } }"""
    graphql = httpx.post(api.url + "/graphql", json={"query": query}).json()["data"]["practices"]
    assert {r["iri"] for r in rows} == {e["node"]["id"] for e in graphql["edges"]}
    assert len(rows) == graphql["totalCount"] > 0
    assert all(r["country"] in {"FR", "MA"} and r["iri"].startswith(BASE) for r in rows)
    assert [r["iri"] for r in rows] == sorted(r["iri"] for r in rows)
    bad = httpx.get(api.url + "/export/practices.csv", params={"statuses": "PEUT-ETRE"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "BAD_USER_INPUT"
