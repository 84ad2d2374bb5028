"""GraphQL over HTTP: the protocol, protections, error format, batching, GraphiQL offline, schema drift."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from graphe.cli import codegen
from graphe.service import Graphe

BASE = "https://graphe.aimf.asso.fr/"
RESPONSE_JSON = "application/graphql-response+json"


def post(api, body, **headers):  # type: ignore[no-untyped-def]
    if isinstance(body, (dict, list)):
        return httpx.post(api.url + "/graphql", json=body, headers=headers, timeout=30)
    return httpx.post(api.url + "/graphql", content=body, headers=headers, timeout=30)


def error_of(response: httpx.Response) -> dict:
    errors = response.json()["errors"]
    assert errors and all("code" in e["extensions"] for e in errors)
    return errors[0]


def test_get_and_post_give_the_same_answer(api) -> None:  # type: ignore[no-untyped-def]
    query = '{ city(id: "%sid/city/dakar") { name country } }' % BASE
    by_get = httpx.get(api.url + "/graphql", params={"query": query}, headers={"Accept": "application/json"})
    by_post = post(api, {"query": query})
    assert by_get.status_code == by_post.status_code == 200
    assert by_get.json() == by_post.json() == {"data": {"city": {"name": "Dakar", "country": "SN"}}}
    asked = post(api, {"query": query}, Accept=RESPONSE_JSON)
    assert asked.headers["content-type"].startswith(RESPONSE_JSON)
    assert by_post.headers["content-type"].startswith("application/json")


def test_answers_are_compact_utf8_json(api) -> None:  # type: ignore[no-untyped-def]
    """Accents as UTF-8, not \\u escapes, and no spaces: what Starlette's JSONResponse wrote before orjson."""
    import json
    answer = post(api, {"query": "{ themes { label narrower { label } } }"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/json")
    expected = json.dumps(answer.json(), ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
    assert answer.content == expected
    assert "é".encode() in answer.content and b"\\u" not in answer.content


@pytest.mark.parametrize("case", [
    "syntax", "unknown-field", "missing-argument", "bad-variable",
])
def test_request_errors_are_400_with_graphql_response_json_and_200_with_json(api, case: str) -> None:  # type: ignore[no-untyped-def]
    body = {
        "syntax": {"query": "{ practices(first: 2 { totalCount }"},
        "unknown-field": {"query": "{ practices { nombreTotal } }"},
        "missing-argument": {"query": "{ city { name } }"},
        "bad-variable": {"query": "query($n: Int) { practices(first: $n) { totalCount } }", "variables": {"n": "dix"}},
    }[case]
    strict = post(api, body, Accept=RESPONSE_JSON)
    assert strict.status_code == 400
    assert "data" not in strict.json()
    legacy = post(api, body, Accept="application/json")
    assert legacy.status_code == 200
    error = error_of(strict)
    assert error["extensions"]["code"] in {"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT"}
    assert error["message"] == error["extensions"]["message_fr"] != error["extensions"]["message_en"]
    english = error_of(post(api, body, Accept=RESPONSE_JSON, **{"Accept-Language": "en"}))
    assert english["message"] == error["extensions"]["message_en"]


def test_french_messages_for_common_mistakes(api) -> None:  # type: ignore[no-untyped-def]
    assert "Le champ « nombreTotal » n'existe pas" in error_of(post(api, {"query": "{ practices { nombreTotal } }"}))["message"]
    assert error_of(post(api, {"query": "{ practices(first: 2 "}))["message"].startswith("Erreur de syntaxe GraphQL")


@pytest.mark.parametrize("case,status,code", [
    ("invalid-json", 400, "BAD_REQUEST"),
    ("not-json", 415, "UNSUPPORTED_MEDIA_TYPE"),
    ("no-query", 400, "BAD_REQUEST"),
    ("variables-not-object", 400, "BAD_REQUEST"),
    ("json-array", 400, "BAD_REQUEST"),
    ("too-large", 413, "PAYLOAD_TOO_LARGE"),
    ("not-acceptable", 406, "NOT_ACCEPTABLE"),
    ("mutation-by-get", 405, "METHOD_NOT_ALLOWED"),
    ("put", 405, "METHOD_NOT_ALLOWED"),
])
def test_malformed_http_requests_get_clear_status_codes(api, case: str, status: int, code: str) -> None:  # type: ignore[no-untyped-def]
    url = api.url + "/graphql"
    response = {
        "invalid-json": lambda: post(api, b'{"query": ', **{"Content-Type": "application/json"}),
        "not-json": lambda: post(api, b"{ practices { totalCount } }", **{"Content-Type": "text/plain"}),
        "no-query": lambda: post(api, {"variables": {}}),
        "variables-not-object": lambda: post(api, {"query": "{ stats { revision } }", "variables": [1]}),
        "json-array": lambda: post(api, [{"query": "{ stats { revision } }"}]),
        "too-large": lambda: post(api, {"query": "{ stats { revision } }" + " " * 300_000}),
        "not-acceptable": lambda: post(api, {"query": "{ stats { revision } }"}, Accept="text/csv"),
        "mutation-by-get": lambda: httpx.get(url, params={"query": "mutation { stats }"}),
        "put": lambda: httpx.put(url, json={"query": "{ stats { revision } }"}),
    }[case]()
    assert response.status_code == status, response.text
    assert error_of(response)["extensions"]["code"] == code


LIMITS = {
    "depth": ("{ practices { edges { node { adaptedFrom { adaptedFrom { adaptedFrom { adaptedFrom { adaptedFrom {"
              " adaptedFrom { adaptedFrom { adaptedFrom { title } } } } } } } } } } } }", "profondeur maximale"),
    "fan-out": ("{ practices(first: 100) { edges { node { city { practices { city { practices { city { practices {"
                " title } } } } } } } } } }", "trop coûteuse"),
    "aliases": ("{ " + " ".join(f"a{i}: stats {{ revision }}" for i in range(40)) + " }", "alias"),
    "tokens": ("{ stats { " + " ".join(["revision"] * 5000) + " } }", "taille maximale"),
}


@pytest.mark.parametrize("limit", sorted(LIMITS))
def test_depth_cost_alias_and_size_limits_refuse_before_running(api, rich: Graphe, limit: str) -> None:  # type: ignore[no-untyped-def]
    query, words = LIMITS[limit]
    before = rich.store.queries
    response = post(api, {"query": query}, Accept=RESPONSE_JSON)
    assert response.status_code == 400, response.text
    error = error_of(response)
    assert error["extensions"]["code"] in {"GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED"}
    assert words in error["message"]
    assert rich.store.queries == before  # refused before touching the store


def test_introspection_still_works_for_graphiql(api) -> None:  # type: ignore[no-untyped-def]
    from graphql import get_introspection_query
    response = post(api, {"query": get_introspection_query(descriptions=True)})
    assert response.status_code == 200 and "errors" not in response.json()
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"


@pytest.mark.parametrize("query,code", [
    ("{ practices(first: 1000) { totalCount } }", "BAD_USER_INPUT"),
    ('{ practices(after: "pas-un-curseur") { totalCount } }', "BAD_USER_INPUT"),
    ('{ practices(filter: {countries: ["Atlantide"]}) { totalCount } }', "BAD_USER_INPUT"),  # names do: « France »
    ('{ practice(id: "pas une IRI") { title } }', "BAD_USER_INPUT"),
    ('{ practice(id: "%sid/practice/nulle-part") { title } }' % BASE, "NOT_FOUND"),
    ('{ practice(id: "%sid/city/nantes") { title } }' % BASE, "NOT_FOUND"),
    ('{ compareCharters(a: "%sid/charter/x", b: "%sid/charter/y") { rows { match } } }' % (BASE, BASE), "NOT_FOUND"),
])
def test_application_errors_carry_a_code_and_a_french_message(api, query: str, code: str) -> None:  # type: ignore[no-untyped-def]
    response = post(api, {"query": query}, Accept=RESPONSE_JSON)
    assert response.status_code == 200
    body = response.json()
    assert "data" in body
    error = error_of(response)
    assert error["extensions"]["code"] == code and error["path"]
    assert error["message"] == error["extensions"]["message_fr"]


def test_unexpected_errors_are_masked_and_logged(api, rich, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    from graphe.read import reads

    def broken(store, cached=None):  # type: ignore[no-untyped-def]
        raise RuntimeError("détail interne secret")

    monkeypatch.setattr(reads, "stats", broken)
    rich.reads.clear()  # computed afresh, not served from the read cache
    response = post(api, {"query": "{ stats { revision } }"}, Accept=RESPONSE_JSON)
    assert response.status_code == 200
    error = error_of(response)
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "secret" not in response.text and "RuntimeError" not in response.text
    assert "détail interne secret" in caplog.text


def test_nested_levels_are_batched_not_one_query_per_item(api, rich: Graphe) -> None:  # type: ignore[no-untyped-def]
    query = """query($n: Int) { practices(first: $n, orderBy: {field: ID}) { edges { node { title
        city { name charters { title criteria { label } } } } } } }"""

    def queries_for(n: int) -> tuple[int, int]:
        rich.reads.clear()  # counted cold: nothing kept from an earlier request
        before = rich.store.queries
        data = post(api, {"query": query, "variables": {"n": n}}).json()["data"]
        nodes = [e["node"] for e in data["practices"]["edges"]]
        criteria = sum(len(ch["criteria"]) for p in nodes if p["city"] for ch in p["city"]["charters"])
        return rich.store.queries - before, (len(nodes), criteria)

    small, (n10, crit10) = queries_for(10)
    large, (n100, crit100) = queries_for(100)
    assert (n10, n100) == (10, 100) and crit100 > crit10 > 0
    assert small == large <= 5  # page, practices, cities, charters, criteria


def test_graphiql_page_and_assets_are_local(api) -> None:  # type: ignore[no-untyped-def]
    page = httpx.get(api.url + "/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert len(assets) >= 5
    assert not [a for a in assets if re.match(r"(https?:)?//", a)], assets
    assert not re.search(r"https?://(?!127\.0\.0\.1|localhost)", re.sub(r"<!--.*?-->", "", page.text))
    for asset in assets:
        response = httpx.get(api.url + asset)
        assert response.status_code == 200 and len(response.content) > 500, asset
        if asset.endswith(".css"):
            assert not re.search(r"url\((['\"]?)(https?:)?//", response.text), asset


CHROMIUM_SERVICES = {"accounts.google.com", "clients2.google.com", "update.googleapis.com",
                     "content-autofill.googleapis.com", "optimizationguide-pa.googleapis.com",
                     "safebrowsingohttpgateway.googleapis.com", "www.google.com", "clientservices.googleapis.com"}


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(not _chromium() and not os.environ.get("CI"), reason="Chromium absent (installé par .ci/run)")
def test_graphiql_runs_in_a_real_browser_with_no_network(api, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    browser = _chromium()
    assert browser, "Chromium must be installed in CI (.ci/run installs it)"
    netlog = tmp_path / "net.json"
    result = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=127.0.0.1",
         f"--log-net-log={netlog}", "--virtual-time-budget=15000", "--dump-dom", api.url + "/graphql"],
        capture_output=True, text=True, timeout=120)
    dom = result.stdout
    assert 'class="graphiql-container"' in dom, (dom[:2000], result.stderr[-2000:])
    assert "graphiql-editor" in dom
    # Every host contacted is this server, or one of Chromium's own services (never the page's doing).
    hosts = set(re.findall(r'"(?:url|original_url)":"https?://([^/":]+)', netlog.read_text(errors="replace")))
    assert hosts - {"127.0.0.1"} <= CHROMIUM_SERVICES, hosts


def test_committed_schema_and_namespaces_match_the_code() -> None:
    for path, text in codegen.artefacts().items():
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale: run python -m graphe.cli.codegen"
    sdl = codegen.SCHEMA_FILE.read_text(encoding="utf-8")
    for name in ("City", "Organisation", "Practice", "Charter", "Criterion", "AIProject", "Assessment", "Theme",
                 "Event"):
        assert re.search(rf"^type {name} \{{\n(?:.*\n)*?  id: ID!", sdl, flags=re.M), name


def test_anonymous_answers_are_kept_until_the_revision_moves(world_fresh) -> None:  # type: ignore[no-untyped-def]
    graphe, server = world_fresh
    query = {"query": '{ city(id: "%sid/city/casablanca") { name population } }' % BASE}
    first = post(server, query).json()
    before = graphe.store.queries
    assert post(server, query).json() == first and graphe.store.queries == before  # served again, no query
    from graphe.core.rdf import Literal, NamedNode, Quad
    casablanca, population = NamedNode(BASE + "id/city/casablanca"), NamedNode("https://graphe.aimf.asso.fr/def#population")
    old = [q for q in graphe.store.describe([casablanca], graphe.store.graphs.public) if q.predicate == population]
    graphe.store.commit([Quad(casablanca, population, Literal("3400000", datatype=old[0].object.datatype),
                              graphe.store.graphs.public)], old)
    graphe.after_write()
    time.sleep(1.1)  # a replica trusts the revision it read for one second
    assert post(server, query).json()["data"]["city"]["population"] == 3400000


@pytest.fixture
def world_fresh(fresh):  # type: ignore[no-untyped-def]
    from conftest import ThreadServer
    from graphe.app import create_app
    server = ThreadServer(create_app(fresh))
    yield fresh, server
    server.stop()


def test_identical_anonymous_queries_at_once_are_computed_once(world_fresh, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import asyncio
    import concurrent.futures
    from graphe.api.http import GraphQLEndpoint
    graphe, server = world_fresh
    real = GraphQLEndpoint._execute
    runs: list[int] = []

    async def slow(self, *args):  # type: ignore[no-untyped-def]
        runs.append(1)
        await asyncio.sleep(0.5)  # long enough for the other requests to arrive meanwhile
        return await real(self, *args)

    monkeypatch.setattr(GraphQLEndpoint, "_execute", slow)
    query = {"query": "{ practices(first: 3) { totalCount edges { node { title } } } }"}
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: post(server, query), range(6)))
    assert {a.status_code for a in answers} == {200} and len({a.text for a in answers}) == 1
    assert answers[0].json()["data"]["practices"]["totalCount"] > 0
    assert runs == [1]
    post(server, {**query, "operationName": None, "query": query["query"] + " "})  # another text: computed
    assert runs == [1, 1]
