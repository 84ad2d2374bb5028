"""`python -m bench.restart` (issue 21's restart rows) runs at a tiny size and reports both rows with numbers;
the bare strawberry app it compares with answers the probe's query shape."""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

from bench import restart


def test_restart_bench_reports_both_rows(capsys) -> None:  # type: ignore[no-untyped-def]
    before = set(Path(tempfile.gettempdir()).glob("graphe-restart-*"))
    assert restart.main(["--practices", "30", "--small", "20", "--runs", "1"]) == 0
    out = capsys.readouterr().out
    number = r"[\d.]+ s"
    assert re.search(rf"\| restart to first GraphQL answer, 30 practices \(persisted store\) \| {number} \| "
                     rf"{number} \| [\d.]+× \((met|missed)\) \| ≤ 1.5× the same restart at 20 \|", out), out
    assert re.search(rf"\| restart to first GraphQL answer, 30 practices, against a bare strawberry app \| "
                     rf"{number} \| {number} \| [\d.]+× \((met|missed)\) \| ≤ 2× ", out), out
    assert re.search(r"first starts \(search index built, nothing saved\): [\d.]+ s at 30 practices", out)
    assert set(Path(tempfile.gettempdir()).glob("graphe-restart-*")) == before  # its files removed


def test_bare_graphql_app_answers_the_probe() -> None:
    import asyncio

    import httpx

    from bench.bare_graphql import app

    async def ask() -> dict:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bare") as client:
            return (await client.post("/graphql", json={"query": restart.PROBE})).json()  # type: ignore[no-any-return]

    body = asyncio.run(ask())
    edges = body["data"]["practices"]["edges"]
    assert "errors" not in body and len(edges) == 20 and body["data"]["practices"]["totalCount"] == 20
    assert edges[0]["node"]["city"]["name"] and edges[0]["node"]["themes"][0]["label"]
