"""Every SPARQL query of docs/opendata.md goes to the endpoint of a running service and answers rows; the
harvest commands (`curl …/changes`, an IRI read as Turtle) answer as the guide says."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import httpx
import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "opendata.md"
TEXT = DOC.read_text(encoding="utf-8")
QUERIES = re.findall(r"```sparql\n(.*?)```", TEXT, re.S)
COMMANDS = [line for block in re.findall(r"```sh\n(.*?)```", TEXT, re.S) for line in block.splitlines()
            if line.startswith("curl ")]


def test_the_guide_has_its_examples() -> None:
    assert len(QUERIES) >= 3 and len(COMMANDS) >= 2


@pytest.mark.parametrize("query", QUERIES, ids=[f"sparql-{i}" for i in range(len(QUERIES))])
def test_each_query_of_the_guide_answers_rows(api, query: str) -> None:  # type: ignore[no-untyped-def]
    answer = httpx.get(api.url + "/sparql", params={"query": query},
                       headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"]["bindings"], answer.text


def test_the_criteria_come_in_their_order(api) -> None:  # type: ignore[no-untyped-def]
    query = next(q for q in QUERIES if "gr:order" in q)
    rows = httpx.get(api.url + "/sparql", params={"query": query},
                     headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    assert [int(r["order"]["value"]) for r in rows] == list(range(1, len(rows) + 1)) and len(rows) == 7


@pytest.mark.parametrize("command", COMMANDS)
def test_each_harvest_command_answers(api, command: str) -> None:  # type: ignore[no-untyped-def]
    """The guide's `curl` lines, sent as written (headers included) to the test service's address."""
    words = shlex.split(command)
    url = next(w for w in words if w.startswith("http://127.0.0.1:8000"))
    headers = dict(words[i + 1].split(": ", 1) for i, w in enumerate(words) if w == "-H")
    answer = httpx.get(url.replace("http://127.0.0.1:8000", api.url), headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    if "/changes" in url:
        body = answer.json()
        assert body["revision"] >= 1 and body["changes"]
    else:
        assert answer.headers["content-type"].startswith("text/turtle") and "dct:title" in answer.text
