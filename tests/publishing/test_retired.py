"""Retired objects leave every list — root lists, GraphQL relations (planned or by graphql-core), the lists of
city and theme pages — and stay readable at their IRI, marked retired."""
from __future__ import annotations

import asyncio
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from conftest import BACKENDS, ThreadServer, settings_for
from graphe.publishing import accounts
from graphe.publishing.accounts import Account
from graphe.api.context import Context
from graphe.api.schema import build_schema
from graphe.app import create_app
from graphe.core.rdf import parse_bytes, format_named
from graphe.service import Graphe

BASE = "https://graphe.aimf.asso.fr/"
DAKAR = BASE + "id/city/dakar"
THEME = BASE + "id/theme/open-data"
CHARTER = BASE + "id/charter/nantes-metropole-charte-donnee-2019"
ORIGIN, ADAPTER = BASE + "id/practice/kiosques-origine", BASE + "id/practice/kiosques-reprise"

# Every relation that lists practices, seen from both ends of the retirement.
RELATIONS = """query($city: ID!, $charter: ID!, $origin: ID!, $adapter: ID!) {
  city(id: $city) { practices { id } }
  charter(id: $charter) { practices { id } }
  origin: practice(id: $origin) { retiredAt adaptations { id } inspired { id } }
  adapter: practice(id: $adapter) { retiredAt adaptedFrom { id } inspiredBy { id } }
  practices(first: 100) { totalCount edges { node { id } } }
  byTheme: practices(first: 100, filter: { themes: ["%s"] }) { edges { node { id } } }
}""" % THEME


def practice(iri: str, title: str, extra: str = "") -> list:
    text = f"""@prefix gr: <https://graphe.aimf.asso.fr/def#> . @prefix dct: <http://purl.org/dc/terms/> .
<{iri}> a gr:Practice ; dct:title "{title}"@fr ; dct:abstract "Des kiosques numériques itinérants."@fr ;
    gr:city <id/city/dakar> ; dct:subject <id/theme/open-data> ; gr:appliesCharter <{CHARTER}> ;
    dct:source <id/source/aimf-article-2024-nantes-ia> {extra} ."""
    return parse_bytes(text.encode(), format_named("ttl"), BASE)


@pytest.fixture(params=BACKENDS)
def world(request, validator) -> Iterator[tuple[Graphe, ThreadServer]]:  # type: ignore[no-untyped-def]
    graphe = Graphe.open(settings_for(request), validator=validator)
    admin = Account.local()
    for quads in (practice(ORIGIN, "Kiosques d'origine"),
                  practice(ADAPTER, "Kiosques repris", f"; gr:adaptedFrom <{ORIGIN}> ; gr:inspiredBy <{ORIGIN}>")):
        draft = graphe.write(admin, "submit", "", lambda w: w.submit(admin, quads))
        graphe.write(admin, "publish", draft.target, lambda w: w.publish(admin, draft.id))
    server = ThreadServer(create_app(graphe))
    yield graphe, server
    server.stop()
    graphe.close()


def over_http(server: ThreadServer) -> dict:
    response = httpx.post(server.url + "/graphql", timeout=60, json={
        "query": RELATIONS, "variables": {"city": DAKAR, "charter": CHARTER, "origin": ORIGIN, "adapter": ADAPTER}})
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def by_graphql_core(graphe: Graphe) -> dict:
    """The same answer without `plan` (graphql-core resolves every field): both paths follow one rule."""
    schema = build_schema(planned=False)
    graphe.reads.clear()
    result = asyncio.run(schema.execute(RELATIONS, context_value=Context(graphe, ()), variable_values={
        "city": DAKAR, "charter": CHARTER, "origin": ORIGIN, "adapter": ADAPTER}))
    assert not result.errors, result.errors
    return result.data  # type: ignore[return-value]


def listed(data: dict) -> dict[str, set[str]]:
    def ids(items: list[dict]) -> set[str]:
        return {i["id"] for i in items}
    return {"city": ids(data["city"]["practices"]), "charter": ids(data["charter"]["practices"]),
            "adaptations": ids(data["origin"]["adaptations"]), "inspired": ids(data["origin"]["inspired"]),
            "adaptedFrom": ids(data["adapter"]["adaptedFrom"]), "inspiredBy": ids(data["adapter"]["inspiredBy"]),
            "practices": ids([e["node"] for e in data["practices"]["edges"]]),
            "byTheme": ids([e["node"] for e in data["byTheme"]["edges"]])}


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Any]]) -> None:
        if tag == "a":
            self.hrefs.update(v for k, v in attrs if k == "href" and v)


def page_links(server: ThreadServer, path: str) -> set[str]:
    response = httpx.get(server.url + path, headers={"Accept": "text/html"}, timeout=30)
    assert response.status_code == 200
    parser = Links()
    parser.feed(response.text)
    return parser.hrefs


def local(iri: str) -> str:
    return "/" + iri.removeprefix(BASE)


def test_retired_practices_leave_every_list_and_stay_readable(world) -> None:  # type: ignore[no-untyped-def]
    graphe, server = world
    before = listed(over_http(server))
    assert before == listed(by_graphql_core(graphe))
    assert {ORIGIN, ADAPTER} <= before["city"] & before["charter"] & before["practices"] & before["byTheme"]
    assert before["adaptations"] == before["inspired"] == {ADAPTER}
    assert before["adaptedFrom"] == before["inspiredBy"] == {ORIGIN}
    for path in ("/id/city/dakar", "/id/theme/open-data"):
        assert {local(ORIGIN), local(ADAPTER)} <= page_links(server, path)

    admin = Account.local()
    for iri in (ORIGIN, ADAPTER):
        graphe.write(admin, "retire", iri, lambda w, iri=iri: w.retire(admin, iri, "Arrêtée"))

    planned, core = over_http(server), by_graphql_core(graphe)
    for data in (planned, core):
        after = listed(data)
        for name, found in after.items():
            assert not found & {ORIGIN, ADAPTER}, name
        assert after["city"] == before["city"] - {ORIGIN, ADAPTER}
        assert data["practices"]["totalCount"] == len(before["practices"]) - 2
        assert data["origin"]["retiredAt"] and data["adapter"]["retiredAt"]  # still readable by IRI
    for path in ("/id/city/dakar", "/id/theme/open-data"):
        links = page_links(server, path)
        assert not links & {local(ORIGIN), local(ADAPTER)}, path
    # The retired practice's own page still answers, and still names what it was adapted from.
    assert local(ORIGIN) in page_links(server, local(ADAPTER))
    turtle = httpx.get(server.url + local(ORIGIN), headers={"Accept": "text/turtle"}, timeout=30)
    assert turtle.status_code == 200
