"""Every GraphQL query of docs/graphql.md (the cookbook for city technicians) runs on the seeds without
errors, and every root field answers (the one about assessments may be an empty list: no seed has one)."""
from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from graphe.api.context import Context
from graphe.api.schema import build_schema
from graphe.service import Graphe

DOC = Path(__file__).resolve().parents[2] / "docs" / "graphql.md"
QUERIES = re.findall(r"```graphql\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_the_cookbook_has_its_questions() -> None:
    assert len(QUERIES) >= 7


@pytest.mark.parametrize("query", QUERIES, ids=[f"query-{i}" for i in range(len(QUERIES))])
def test_each_query_of_the_cookbook_answers(seeded: Graphe, query: str) -> None:
    result = asyncio.run(build_schema().execute(query, context_value=Context(seeded)))
    assert not result.errors, result.errors
    assert result.data and all(value is not None for value in result.data.values()), result.data


def test_the_cookbook_finds_what_it_says(seeded: Graphe) -> None:
    """The questions find the seeds' answers: Nantes's practices by theme, its framework compared with
    Montréal's declaration with matches, its criteria in order."""
    def run(i: int) -> dict:
        result = asyncio.run(build_schema().execute(QUERIES[i], context_value=Context(seeded)))
        return result.data

    assert run(0)["practices"]["totalCount"] >= 1
    assert run(1)["practice"]["city"]["name"] == "Nantes"
    assert run(2)["city"]["practices"]
    assert run(3)["compareCharters"]["matched"]
    orders = [c["order"] for c in run(4)["charter"]["criteria"]]
    assert len(orders) >= 7 and orders == sorted(orders)


def test_the_readme_command_answers(api) -> None:  # type: ignore[no-untyped-def]
    """The README's `curl` to /graphql, sent as written (its JSON body) to a running service."""
    import json

    import httpx

    readme = (DOC.parent.parent / "README.md").read_text(encoding="utf-8")
    body = re.search(r"curl -s localhost:8000/graphql -H 'Content-Type: application/json' \\\n\s+-d '(.*?)'", readme)
    assert body is not None
    answer = httpx.post(api.url + "/graphql", content=body.group(1), headers={"Content-Type": "application/json"})
    assert answer.status_code == 200 and answer.json()["data"]["practices"]["totalCount"] >= 1, answer.text
    assert json.loads(body.group(1))["query"].startswith("{ practices")
