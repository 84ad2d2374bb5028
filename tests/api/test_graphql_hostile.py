"""GraphQL under hostile use: documents that blow up, work that outlives its budget, a full pool, inputs that
used to be 500s, HEAD, a fuzz run, and graphql-http's audit of the GraphQL-over-HTTP specification."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphe.publishing import accounts
from graphe.api import cost, http
from graphe.service import Graphe

BASE = "https://graphe.aimf.asso.fr/"
AUDIT = Path(__file__).resolve().parent / "graphql_audit"


@pytest.fixture
def served(fresh: Graphe) -> Iterator[tuple[Graphe, object]]:
    """A writable Graphe behind its own server (tests here slow its store or fill its pool)."""
    from conftest import ThreadServer
    from graphe.app import create_app

    server = ThreadServer(create_app(fresh))
    yield fresh, server
    server.stop()


def post(url: str, body: object, **headers: str) -> httpx.Response:
    if isinstance(body, bytes):
        return httpx.post(url + "/graphql", content=body, headers={"Content-Type": "application/json", **headers},
                          timeout=30)
    return httpx.post(url + "/graphql", json=body, headers=headers, timeout=30)


def codes(response: httpx.Response) -> set[str]:
    return {e["extensions"]["code"] for e in response.json().get("errors", ())}


def doubling(n: int) -> str:
    """n fragments each spreading the next twice: 2^n selections once expanded."""
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(n))
    return f"{{ ...F0 }} {chain} fragment F{n} on Query {{ stats {{ revision }} }}"


# ----------------------------------------------------------------------------------- documents that blow up

def test_fragment_blow_up_is_refused_by_its_expanded_size(api) -> None:  # type: ignore[no-untyped-def]
    for n in (20, 40):  # 832 bytes took 11 s; 40 fragments would never have answered
        response = post(api.url, {"query": doubling(n)}, Accept="application/graphql-response+json")
        assert response.status_code == 400, response.text
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert error["message"].startswith("Requête trop grande")


def test_each_fragment_is_walked_once_and_the_bounds_keep_their_meaning(api, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from graphql import parse

    from graphe.api.schema import build_schema

    schema = build_schema()._schema
    walked: list[int] = []
    real = cost._Walk.selection_set

    def counting(self, node, parent, first):  # type: ignore[no-untyped-def]
        walked.append(1)
        return real(self, node, parent, first)

    monkeypatch.setattr(cost._Walk, "selection_set", counting)
    errors = cost.check(schema, parse(doubling(200)))
    assert len(walked) <= 2 * 202  # linear in the document (2^200 spreads expanded)
    assert [e.message for e in errors] == [
        f"Document too large: {10**15} selections once fragments are expanded, at most {cost.MAX_SELECTIONS}."]
    monkeypatch.undo()
    # Depth and aliases still count through fragments (as strawberry's limiters did, exponentially).
    deep = ("{ practices { edges { node { ...D } } } } fragment D on Practice { adaptedFrom { adaptedFrom { "
            "adaptedFrom { adaptedFrom { adaptedFrom { adaptedFrom { adaptedFrom { adaptedFrom { adaptedFrom { title"
            " } } } } } } } } } }")
    assert "profondeur maximale" in post(api.url, {"query": deep}).json()["errors"][0]["message"]
    aliased = "{ ...A ...B } fragment A on Query { %s } fragment B on Query { ...A }" % " ".join(
        f"a{i}: stats {{ revision }}" for i in range(20))
    assert "40 alias" in post(api.url, {"query": aliased}).json()["errors"][0]["message"]
    cycle = "{ cities { edges { node { ...A } } } } fragment A on City { ...B } fragment B on City { ...A }"
    assert codes(post(api.url, {"query": cycle})) == {"GRAPHQL_VALIDATION_FAILED"}


@pytest.mark.parametrize("query,words", [
    ("{ " + " ".join(["stats { revision }"] * 300) + " }", "fois le même champ"),  # quadratic in graphql-core
    ("{ cities { } }", "doit sélectionner au moins un champ"),  # graphql-core 3.3 parses it; the depth limiter broke
    ("{ ...Nope }", "Nope"),
])
def test_malformed_or_oversized_selections_are_validation_errors(api, query: str, words: str) -> None:  # type: ignore[no-untyped-def]
    response = post(api.url, {"query": query}, Accept="application/graphql-response+json")
    assert response.status_code == 400, response.text
    assert codes(response) == {"GRAPHQL_VALIDATION_FAILED"}
    assert words in response.json()["errors"][0]["message"]


# ----------------------------------------------------------------------- work off the loop, within its budget

def _slowed(graphe: Graphe, monkeypatch, marker: str, gate: threading.Event, entered: threading.Event) -> None:  # type: ignore[no-untyped-def]
    """The store's reads of `marker` (an IRI nothing else reads) wait for `gate`."""
    real = graphe.store.select

    def select(query, bindings=None, **kwargs):  # type: ignore[no-untyped-def]
        if marker in repr(bindings):
            entered.set()
            gate.wait(30)
        return real(query, bindings, **kwargs)

    monkeypatch.setattr(graphe.store, "select", select)


def test_the_loop_answers_while_an_operation_waits_on_the_store(served, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    graphe, server = served
    marker = BASE + "id/practice/lente"
    gate, entered = threading.Event(), threading.Event()
    _slowed(graphe, monkeypatch, marker, gate, entered)
    answers: list[httpx.Response] = []
    slow = threading.Thread(target=lambda: answers.append(post(server.url, {"query": '{ practice(id: "%s") { title } }'
                                                                                    % marker})))
    slow.start()
    try:
        assert entered.wait(30)
        # Before: the read ran on the event loop, and /healthz waited for it (here: for ever).
        health = httpx.get(server.url + "/healthz", timeout=10)
        assert health.status_code == 200
        other = post(server.url, {"query": "{ stats { revision } }"})
        assert other.status_code == 200 and "errors" not in other.json()
    finally:
        gate.set()
        slow.join(30)
    assert answers[0].status_code == 200 and codes(answers[0]) == {"NOT_FOUND"}


def test_an_operation_past_its_budget_stops_reading_and_answers_504(served, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import time

    graphe, server = served
    monkeypatch.setattr(http, "EXECUTION_TIMEOUT", 0.2)
    real = graphe.store.select
    reads: list[str] = []

    def select(query, bindings=None, **kwargs):  # type: ignore[no-untyped-def]
        if threading.current_thread().name.startswith("graphql"):
            reads.append(query)
            time.sleep(0.3)  # every read of an operation outlasts its whole budget
        return real(query, bindings, **kwargs)

    monkeypatch.setattr(graphe.store, "select", select)
    graphe.reads.clear()
    query = """{ practices(first: 5) { edges { node { title city { name charters { title criteria { label } } }
        themes { label } } } } }"""
    response = post(server.url, {"query": query}, Accept="application/graphql-response+json")
    assert response.status_code == 504, response.text
    assert codes(response) == {"QUERY_TIMEOUT"}
    assert response.json()["errors"][0]["message"].startswith("Requête interrompue")
    # The page is listed (its ordering may take a few reads), then the levels' entities are not read: each
    # level's read checks the deadline first. Before, all five levels were read, and answered 200.
    assert reads and len([r for r in reads if "?s ?p ?o" in r]) <= 1, reads


def test_a_full_pool_refuses_with_503_and_retry_after(fresh: Graphe, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from conftest import ThreadServer
    from graphe.app import create_app

    monkeypatch.setattr(http, "WORKERS", 1)
    monkeypatch.setattr(http, "QUEUE", 0)
    server = ThreadServer(create_app(fresh))
    marker = BASE + "id/practice/occupee"
    gate, entered = threading.Event(), threading.Event()
    _slowed(fresh, monkeypatch, marker, gate, entered)
    slow = threading.Thread(target=lambda: post(server.url, {"query": '{ practice(id: "%s") { title } }' % marker}))
    slow.start()
    try:
        assert entered.wait(30)
        refused = post(server.url, {"query": "{ stats { revision } }"})
        assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
        assert codes(refused) == {"GRAPHQL_BUSY"}
        assert refused.json()["errors"][0]["message"].startswith("Service GraphQL saturé")
        # A city at work has a lane of its own: anonymous load does not hold it back.
        _, token = accounts.create(fresh.store, "secretariat", "Secrétariat (voie à part)")
        signed = httpx.post(server.url + "/graphql", json={"query": "{ stats { revision } }"},
                            headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert signed.status_code == 200 and "errors" not in signed.json()
        gate.set()
        slow.join(30)
        # The slot is given back once the operation ends.
        assert post(server.url, {"query": "{ stats { revision } }"}).status_code == 200
    finally:
        gate.set()
        server.stop()


# ------------------------------------------------------------------------------ errors that should be answers

@pytest.fixture
def secretariat(served) -> tuple[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    graphe, server = served
    _, token = accounts.create(graphe.store, "secretariat", "Secrétariat (tests hostiles)")
    return server.url, {"Authorization": f"Bearer {token}"}


BAD_IDS = ["", "a>b", "a<b", "a b", "https://x/a b", "urn:x:\"y", "\\", "a\nb"]


@pytest.mark.parametrize("template", [
    '{ history(id: %s) { number } }',
    '{ draft(id: %s) { id } }',
    'mutation { publish(draft: %s) { number } }',
    'mutation { reject(draft: %s, reason: "non") { id } }',
    'mutation { retire(id: %s, reason: "non") { number } }',
])
def test_bad_ids_are_bad_user_input(secretariat, template: str) -> None:  # type: ignore[no-untyped-def]
    url, headers = secretariat
    for value in BAD_IDS:
        response = post(url, {"query": template % json.dumps(value)}, **headers)
        assert response.status_code == 200, (value, response.text)
        assert codes(response) == {"BAD_USER_INPUT"}, (value, response.text)
        error = response.json()["errors"][0]
        assert error["extensions"]["message_fr"].startswith(error["message"])  # (its first line)
        assert error["extensions"]["message_fr"] != error["extensions"]["message_en"]


@pytest.mark.parametrize("body,status,code", [
    # A lone surrogate cannot be written back in UTF-8: it was an HTTP 500 with a non-GraphQL body.
    (b'{"query": "query($t: String) { practices(filter: {text: $t}) { totalCount } }", "variables": {"t": "\\ud800"}}',
     400, "BAD_REQUEST"),
    (b'{"query": "{ city(id: \\"\\udfff\\") { name } }"}', 400, "BAD_REQUEST"),
    (b'{"query": "{ stats { revision } }", "extensions": "x"}', 400, "BAD_REQUEST"),
    (b'{"query": "{ stats { revision } }", "extensions": [1]}', 400, "BAD_REQUEST"),
    (b'{"query": "{ stats { revision } }", "operationName": "Nulle"}', 400, "GRAPHQL_VALIDATION_FAILED"),
    (b'{"query": "{ stats { revision } }", "variables": {"x": NaN}}', 400, "BAD_REQUEST"),
])
def test_bodies_that_were_500s_or_accepted_get_coded_answers(api, body: bytes, status: int, code: str) -> None:  # type: ignore[no-untyped-def]
    response = post(api.url, body, Accept="application/graphql-response+json")
    assert response.status_code == status, response.text
    assert codes(response) == {code}


def test_extensions_by_get_must_be_an_object(api) -> None:  # type: ignore[no-untyped-def]
    response = httpx.get(api.url + "/graphql", params={"query": "{ stats { revision } }", "extensions": "[]"})
    assert response.status_code == 400 and codes(response) == {"BAD_REQUEST"}


# --------------------------------------------------------------------------------------------- HEAD and bodies

def test_head_answers_like_get_without_a_body(api) -> None:  # type: ignore[no-untyped-def]
    params = {"query": '{ city(id: "%sid/city/dakar") { name } }' % BASE}
    got = httpx.get(api.url + "/graphql", params=params)
    head = httpx.head(api.url + "/graphql", params=params)
    assert head.status_code == got.status_code == 200
    assert head.content == b"" and head.headers["content-type"] == got.headers["content-type"]
    assert int(head.headers["content-length"]) == len(got.content)
    refused = httpx.put(api.url + "/graphql", json={"query": "{ stats { revision } }"})
    assert refused.status_code == 405 and "HEAD" in refused.headers["allow"]


def test_an_oversized_body_is_refused_while_it_arrives(api) -> None:  # type: ignore[no-untyped-def]
    """A chunked body (no Content-Length to refuse it by) past MAX_BODY is answered 413 without waiting for
    its end: before, the whole body was read first (here it never ends, so no answer came)."""
    import socket
    from urllib.parse import urlsplit

    address = urlsplit(api.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n")
        chunk = b'{"query": "' + b"x" * 65536
        for _ in range(http.MAX_BODY // len(chunk) + 2):
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer.partition(b"\r\n\r\n")[2]) < _length(answer):
            received = sock.recv(65536)  # the body is never finished: only an early answer comes
            assert received, answer
            answer += received
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), head
    assert json.loads(body)["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert json.loads(body)["errors"][0]["message"].startswith("Requête trop volumineuse")


def _length(answer: bytes) -> int:
    found = re.search(rb"content-length: *(\d+)", answer.partition(b"\r\n\r\n")[0], re.I)
    return int(found.group(1)) if found else 0


# ------------------------------------------------------------------------------------------------- fuzz run

def _sdl() -> str:
    from graphe.api.schema import sdl

    return sdl()


FUZZ = settings(max_examples=60, derandomize=True, database=None, deadline=None,
                suppress_health_check=list(HealthCheck))


def _fuzzed(url: str, query: str, headers: dict[str, str]) -> None:
    response = post(url, {"query": query}, **headers)
    assert response.status_code < 500, (query, response.text)
    body = response.json()
    assert "INTERNAL_SERVER_ERROR" not in {e.get("extensions", {}).get("code") for e in body.get("errors", ())}, (
        query, response.text)


def test_a_fuzz_run_anonymous_and_authenticated_gets_no_5xx(secretariat) -> None:  # type: ignore[no-untyped-def]
    import hypothesis_graphql as hg
    from hypothesis_graphql import Mode

    url, headers = secretariat
    sdl = _sdl()

    @FUZZ
    @given(query=hg.queries(sdl, allow_x00=False), anonymous=st.booleans())
    def queries(query: str, anonymous: bool) -> None:
        _fuzzed(url, query, {} if anonymous else headers)

    @FUZZ
    @given(query=hg.queries(sdl, mode=Mode.NEGATIVE))
    def invalid(query: str) -> None:
        _fuzzed(url, query, {})

    @FUZZ
    @given(query=hg.mutations(sdl, allow_x00=False))
    def mutations(query: str) -> None:
        _fuzzed(url, query, headers)

    queries()
    invalid()
    mutations()


# --------------------------------------------------------------------------------------- graphql-http's audit

@pytest.mark.skipif((not (AUDIT / "node_modules" / "graphql-http").is_dir() or not shutil.which("node"))
                    and not os.environ.get("CI"), reason="graphql-http absent: tests/api/graphql_audit/install.sh")
def test_graphql_http_audit_passes_at_every_level(api) -> None:  # type: ignore[no-untyped-def]
    run = subprocess.run(["node", str(AUDIT / "audit.mjs"), api.url + "/graphql"], capture_output=True, text=True,
                         timeout=300, cwd=AUDIT)
    assert run.returncode == 0, run.stderr
    results = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    assert len(results) > 30  # the audits ran
    failed = [r for r in results if r["status"] != "ok"]  # MUST, SHOULD and MAY alike
    assert not failed, failed


def test_several_operations_and_none_named_is_an_error(api) -> None:  # type: ignore[no-untyped-def]
    document = "query A { stats { revision } } query B { stats { revision } }"
    body = httpx.post(api.url + "/graphql", json={"query": document}).json()
    assert "data" not in body and body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "operationName" in body["errors"][0]["message"]
    named = httpx.post(api.url + "/graphql", json={"query": document, "operationName": "B"}).json()
    assert named["data"]["stats"]["revision"] >= 0


def test_a_bad_id_is_named_in_each_language(api) -> None:  # type: ignore[no-untyped-def]
    body = httpx.post(api.url + "/graphql", json={"query": '{ city(id: "a b") { name } }'},
                      headers={"Accept-Language": "en"}).json()
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == "Invalid city: 'a b' is not an absolute IRI."
    assert error["extensions"]["message_fr"] == "Ville invalide : « a b » n'est pas une IRI absolue."
