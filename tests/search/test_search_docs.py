"""Every GraphQL query of docs/search.md runs, without errors, on the seeds, and finds something."""
from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from graphe.api.context import Context
from graphe.api.schema import build_schema
from graphe.service import Graphe

DOC = Path(__file__).resolve().parents[2] / "docs" / "search.md"
QUERIES = re.findall(r"```graphql\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_the_guide_has_queries() -> None:
    assert len(QUERIES) >= 3


@pytest.mark.parametrize("query", QUERIES)
def test_each_query_of_the_guide_answers(seeded: Graphe, query: str) -> None:
    result = asyncio.run(build_schema().execute(query, context_value=Context(seeded)))
    assert not result.errors, result.errors
    assert result.data["search"]["edges"], result.data
