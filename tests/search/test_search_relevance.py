"""French relevance, evaluated: the queries of tests/search/relevance/cases.py on the seeds plus the sheets of
tests/search/relevance/corpus.ttl, on both engines. Each case says what a French speaker expects in the top 5."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graphe.search import query as sq
from graphe.search.engine import ENGINES
from graphe.service import Graphe
from graphe.core.settings import Settings
from relevance.cases import CASES, ORDERED

BASE = "https://graphe.aimf.asso.fr/"
CORPUS = Path(__file__).resolve().parent / "relevance" / "corpus.ttl"


@pytest.fixture(scope="module", params=ENGINES)
def engine(request: pytest.FixtureRequest, validator) -> Iterator[Graphe]:  # type: ignore[no-untyped-def]
    graphe = Graphe.open(Settings(data_dir=None, search_engine=request.param), validator=validator)
    graphe.load([CORPUS])
    yield graphe
    graphe.close()


def _ranked(graphe: Graphe, text: str, limit: int) -> tuple[list[str], int]:
    result = sq.search(graphe.search, text, sq.Filters(), 0, limit)
    return [h.id.removeprefix(BASE) for h in result.hits], result.total


def test_the_suite_is_as_large_as_promised() -> None:
    categories = {c for _, _, c in CASES}
    assert len(CASES) >= 40 and len(ORDERED) >= 8
    assert {"accents", "ligatures", "elisions", "stop words", "inflection", "hyphens", "phrases", "names",
            "negatives", "typos", "english", "exclusion"} <= categories
    assert len(set(CORPUS.read_text(encoding="utf-8").split("a gr:Practice")) ) - 1 >= 15


@pytest.mark.parametrize("text,expected,category", CASES, ids=[f"{c}:{t}" for t, _, c in CASES])
def test_top_five(engine: Graphe, text: str, expected: list[str], category: str) -> None:
    top, total = _ranked(engine, text, 5)
    if not expected:
        assert total == 0, (text, top)
    else:
        assert set(expected) <= set(top), (text, top)


@pytest.mark.parametrize("text,better,worse", ORDERED, ids=[t for t, _, _ in ORDERED])
def test_ranking(engine: Graphe, text: str, better: str, worse: str) -> None:
    ranked, _ = _ranked(engine, text, 1000)
    assert better in ranked and worse in ranked, (text, ranked[:10])
    assert ranked.index(better) < ranked.index(worse), (text, ranked[:10])
