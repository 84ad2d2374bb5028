"""GraphQL answers are read through the request's DataLoaders over the revision-keyed read cache: one store
read per level and kind whatever the page size, long texts read apart and only when asked, each document
validated once."""
from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from graphe.api.context import Context
from graphe.api.schema import build_schema, format_error
from graphe.service import Graphe

BASE = "https://graphe.aimf.asso.fr/"


def run(schema, graphe: Graphe, query: str, variables: dict | None = None,  # type: ignore[no-untyped-def]
        langs: tuple[str, ...] = (), cold: bool = True) -> tuple[dict, int]:
    """The answer as a client sees it, and the number of store queries it took (cold: nothing kept)."""
    if cold:
        while graphe.warming:  # a service started on this Graphe may still be reading ahead into the cache
            time.sleep(0.01)
        graphe.reads.clear()
    before = graphe.store.queries
    result = asyncio.run(schema.execute(query, variable_values=variables, context_value=Context(graphe, langs)))
    answer: dict[str, Any] = {"data": result.data}
    if result.errors:
        answer["errors"] = [format_error(e) for e in result.errors]
    return answer, graphe.store.queries - before


def test_store_queries_per_level_do_not_grow_with_the_page(rich: Graphe) -> None:
    """One read per level and kind, whatever the page size (an async field, `matches`, included)."""
    schema = build_schema()
    query = """{ practices(first: %d, orderBy: {field: ID}) { edges { node { title
        city { name } charters { title criteria { label %s } } } } } }"""
    for extra in ("", "matches { match }"):
        counts = []
        for n in (3, 15):
            answer, reads = run(schema, rich, query % (n, extra))
            assert not answer.get("errors") and len(answer["data"]["practices"]["edges"]) == n, answer
            counts.append(reads)
        assert 0 < counts[1] <= counts[0], (extra, counts)


def test_long_texts_are_read_apart_in_one_batch_and_only_when_asked(rich: Graphe) -> None:
    """Entities are kept without their long texts (a practice's full description): a page asking for
    them reads them in one more query, whatever its size, and gets exactly what the store holds."""
    schema = build_schema()
    query = "query($n: Int) { practices(first: $n, orderBy: {field: ID}) { edges { node { id %s } } } }"
    short = [run(schema, rich, query % "title", {"n": n})[1] for n in (3, 30)]
    long = [run(schema, rich, query % "title body", {"n": n})[1] for n in (3, 30)]
    assert short[0] == short[1] and long == [short[0] + 1, short[1] + 1]
    answer, _ = run(schema, rich, query % "body bodyTranslations { lang value }", {"n": 30})
    nodes = [e["node"] for e in answer["data"]["practices"]["edges"]]
    stored = {r["s"].value: r["d"].value for r in rich.store.select(
        "SELECT ?s ?d WHERE { ?s a <https://graphe.aimf.asso.fr/def#Practice> ; <http://purl.org/dc/terms/description> ?d "
        "FILTER(LANG(?d) = 'fr') }")}
    assert sum(1 for n in nodes if n["body"]) >= 20
    for node in nodes:
        assert node["body"] == stored.get(node["id"])
        assert node["body"] is None or {"lang": "fr", "value": node["body"]} in node["bodyTranslations"]


def test_each_document_is_validated_once(rich: Graphe, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Validation is kept per parsed document (by identity, with the document), errors included."""
    from graphe.api import schema as module
    validated: list[int] = []
    real = module.validate_document

    def counting(schema, document, rules):  # type: ignore[no-untyped-def]
        validated.append(id(document))
        return real(schema, document, rules)

    monkeypatch.setattr(module, "validate_document", counting)
    schema = build_schema()
    for _ in range(3):
        answer, _ = run(schema, rich, "{ practices(first: 1) { totalCount } }", cold=False)
        assert answer["data"]["practices"]["totalCount"] > 0
        answer, _ = run(schema, rich, "{ practices(first: 1) { nombreTotal } }", cold=False)
        assert answer["data"] is None and "nombreTotal" in answer["errors"][0]["message"]
    assert len(validated) == 2


def test_a_request_leaves_nothing_for_the_cyclic_collector(rich: Graphe) -> None:
    """graphql-core's executor holds two of its own bound methods (a cycle): unbroken, every request's
    executor and all it collected waited for the cyclic collector (120 to 190 objects a request, young
    passes every few dozen requests under load). Broken at the end, reference counting frees it all."""
    import gc

    schema = build_schema()
    query = """query($t: [ID!], $o: PracticeOrder) { practices(first: 20, filter: {themes: $t}, orderBy: $o) {
        edges { node { id title city { name country } themes { label } } } } }"""
    variables = [{"t": [BASE + "id/theme/" + t], "o": {"field": f, "direction": "DESC"}}
                 for t in ("energy", "mobility", "ai") for f in ("TITLE", "ISSUED", "ID")]

    async def requests() -> int:
        for v in variables:  # first: lists, entities and validation kept
            assert not (await schema.execute(query, variable_values=v, context_value=Context(rich))).errors
        gc.collect()
        gc.disable()
        try:
            for v in variables * 3:
                result = await schema.execute(query, variable_values=v, context_value=Context(rich))
                assert not result.errors and result.data["practices"]["edges"]
            return gc.collect()
        finally:
            gc.enable()

    # Fewer than 10 objects a request (27 requests; unbroken, 120 to 190 each). A remote store's HTTP client
    # may leave a few of its own now and then.
    assert asyncio.run(requests()) < 10 * len(variables) * 3
