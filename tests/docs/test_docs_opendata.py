"""Every SPARQL query of docs/opendata.md goes to the endpoint of a running service and answers rows; the
guide's `curl` commands (change feed and its pages, an IRI read as Turtle, Atom feeds, the N-Quads dump, the CSV
for spreadsheets) answer as the guide says."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import feedparser
import httpx
import pytest

BASE = "https://graphe.aimf.asso.fr/"
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


def test_the_mappings_come_with_who_asserted_them(api) -> None:  # type: ignore[no-untyped-def]
    query = next(q for q in QUERIES if "gr:CriterionMapping" in q)
    rows = httpx.get(api.url + "/sparql", params={"query": query},
                     headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    pairs = {(r["from"]["value"], r["to"]["value"]): r for r in rows}
    row = pairs[("Sobriété énergétique", "Développement soutenable")]
    assert row["strength"]["value"] == "Proche" and row["assertedBy"]["value"] == "Équipe éditoriale de Graphe"
    assert row["date"]["value"] == "2026-11-28" and "environnemental" in row["comment"]["value"]
    assert len({(r["from"]["value"], r["to"]["value"]) for r in rows}) == 8


@pytest.mark.parametrize("command", COMMANDS)
def test_each_harvest_command_answers(api, rich, command: str) -> None:  # type: ignore[no-untyped-def]
    """The guide's `curl` lines, sent as written (headers included) to the test service's address, each
    answering what the guide says it does."""
    words = shlex.split(command)
    url = next(w for w in words if w.startswith("http://127.0.0.1:8000"))
    headers = dict(words[i + 1].split(": ", 1) for i, w in enumerate(words) if w == "-H")
    answer = httpx.get(url.replace("http://127.0.0.1:8000", api.url), headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    if "/changes" in url:
        body = answer.json()
        assert body["revision"] >= 1 and body["changes"]
        if "limit=1" in url:  # the seeds and the generated practices: two revisions, so a next page
            assert len(body["changes"]) == 1 and body["next"] and answer.headers["link"].endswith('rel="next"')
    elif "/flux/" in url:
        feed = feedparser.parse(answer.content)
        assert answer.headers["content-type"].startswith("application/atom+xml") and not feed.bozo
        assert feed.entries and all(e.id.startswith(BASE + "id/practice/") for e in feed.entries)
        assert feed.feed.language == ("en" if "lang=en" in url else "fr")
    elif url.endswith(".nq"):
        assert answer.headers["content-type"].startswith("application/n-quads")
        licence = f"<{BASE}dataset/graphe> <http://purl.org/dc/terms/license> <{rich.settings.license}>"
        assert f"{licence} <{rich.store.graphs.public.value}> ." in answer.text
    elif "practices.csv" in url:
        assert answer.text.startswith("\ufeffiri;title_fr;") and "themes_labels" in answer.text.split("\r\n", 1)[0]
    else:
        assert answer.headers["content-type"].startswith("text/turtle") and "dct:title" in answer.text


def test_the_guide_shows_each_new_channel() -> None:
    for needle in ("/flux/pratiques.atom", "/flux/theme/", "/flux/ville/", "/flux/pays/", "limit=1", "graphe.nq",
                   "excel=1"):
        assert any(needle in c for c in COMMANDS), needle
