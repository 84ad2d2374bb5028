"""Following changes: the Atom feeds (read by feedparser, as a feed reader would), the change feed's pages, the
N-Quads dump, the licence in every dump, the CSV for spreadsheets, and the pages' links to the feeds."""
from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import re
from collections.abc import Iterator

import feedparser
import httpx
import pyoxigraph as ox
import pytest
import rdflib

from conftest import BACKENDS, ThreadServer
from graphe.core.rdf import NamedNode
from graphe.ingest.sheets_csv import parse_csv
from graphe.model.practice import CSV_COLUMNS, READ_ONLY_COLUMNS
from graphe.service import Graphe
from test_workflow import PUBLISH, SUBMIT, Api, practice, served_with_dakar_and_secretariat

BASE = "https://graphe.aimf.asso.fr/"
ATOM = "application/atom+xml"
ASSET = "/flux/pratiques.atom"


def parsed(response: httpx.Response) -> feedparser.FeedParserDict:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(ATOM)
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")  # well-formed, as a feed reader sees it
    return feed


def when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, validator) -> Iterator[tuple[Graphe, ThreadServer, Api, Api]]:  # type: ignore[no-untyped-def]
    """A writable Graphe with the seeds, served, with a Dakar contributor and the secretariat."""
    yield from served_with_dakar_and_secretariat(request, validator)


# ------------------------------------------------------------------------------------------- Atom

def test_the_feed_of_every_practice(api, rich) -> None:  # type: ignore[no-untyped-def]
    feed = parsed(httpx.get(api.url + ASSET))
    assert feed.version == "atom10" and feed.feed.id == BASE + "flux/pratiques.atom"
    assert feed.feed.language == "fr" and feed.feed.title.startswith("Graphe")
    links = {link.rel: (link.href, link.get("type")) for link in feed.feed.links}
    assert links["self"] == (BASE + "flux/pratiques.atom", ATOM) and links["alternate"] == (BASE, "text/html")
    assert links["license"][0] == rich.settings.license
    entries = feed.entries
    assert len(entries) == 50  # 150 generated practices and the seeds: capped
    updated = [when(e.updated) for e in entries]
    assert updated == sorted(updated, reverse=True)  # newest first
    assert when(feed.feed.updated) == updated[0]
    assert len({e.id for e in entries}) == 50
    for e in entries:
        assert e.id.startswith(BASE + "id/practice/") and e.link == e.id  # the page is at the IRI
        assert e.title and e.title_detail.language == "fr"
        if "author_detail" in e:  # the owning city (a practice of an organisation has none: the feed's author)
            assert e.author_detail.href.startswith(BASE + "id/city/")
    assert sum("author_detail" in e for e in entries) > 40
    with_issued = [e for e in entries if "published" in e]
    assert with_issued  # dct:issued, when the practice has one
    for e in with_issued:
        issued = rich.store.select("SELECT ?d WHERE { ?p dct:issued ?d }", {"p": NamedNode(e.id)})
        assert when(e.published).date().isoformat() == issued[0]["d"].value[:10]


def test_feeds_per_city_theme_and_country(api, rich) -> None:  # type: ignore[no-untyped-def]
    nantes = parsed(httpx.get(api.url + "/flux/ville/nantes.atom"))
    assert nantes.feed.id == BASE + "flux/ville/nantes.atom" and "Nantes" in nantes.feed.title
    assert nantes.entries and {e.author_detail.href for e in nantes.entries} == {BASE + "id/city/nantes"}
    ai = parsed(httpx.get(api.url + "/flux/theme/ai.atom"))
    assert ai.entries
    for e in ai.entries:  # the theme or a narrower one
        assert any(t.term.startswith(BASE + "id/theme/") for t in e.tags)
    narrower = {r["t"].value for r in rich.store.select(
        "SELECT ?t WHERE { ?t skos:broader* ?ai }", {"ai": NamedNode(BASE + "id/theme/ai")})}
    assert all({t.term for t in e.tags} & narrower for e in ai.entries)
    morocco = parsed(httpx.get(api.url + "/flux/pays/ma.atom"))  # the code in any case; one feed id
    assert morocco.feed.id == BASE + "flux/pays/MA.atom"
    cities = {r["c"].value for r in rich.store.select("SELECT ?c WHERE { ?c schema:addressCountry 'MA' }")}
    assert morocco.entries and {e.author_detail.href for e in morocco.entries} <= cities
    english = parsed(httpx.get(api.url + "/flux/ville/nantes.atom", params={"lang": "en"}))
    assert english.feed.language == "en" and english.feed.title_detail.language == "en"
    assert [e.id for e in english.entries] == [e.id for e in nantes.entries]


@pytest.mark.parametrize("path", ["/flux/theme/atlantide.atom", "/flux/ville/atlantis.atom", "/flux/pays/ZZ.atom",
                                  "/flux/pays/FRA.atom", "/flux/ville/..%2F..%2Fetc.atom", "/flux/ville/nantes",
                                  "/flux/theme/" + "a" * 5000 + ".atom", "/flux/ville/N%C3%A9antes.atom",
                                  "/flux/theme/%00.atom", "/flux/ville/nantes%0A.atom", "/flux/pays/FR%0A.atom"])
def test_an_unknown_feed_is_a_coded_404(api, path: str) -> None:  # type: ignore[no-untyped-def]
    answer = httpx.get(api.url + path)
    assert answer.status_code == 404, answer.text
    error = answer.json()["error"]
    assert error["code"] == "NOT_FOUND" and error["message"].startswith("Aucun")
    english = httpx.get(api.url + path, headers={"Accept-Language": "en"}).json()["error"]["message"]
    assert english.startswith("No ")


def test_a_new_practice_heads_the_feeds_and_a_retired_one_says_so(world) -> None:  # type: ignore[no-untyped-def]
    graphe, server, dakar, aimf = world
    before = httpx.get(server.url + ASSET)
    etag = before.headers["etag"]
    assert httpx.get(server.url + ASSET, headers={"If-None-Match": etag}).status_code == 304
    assert httpx.get(server.url + "/flux/ville/dakar.atom", headers={"If-None-Match": etag}).status_code == 200
    draft = dakar.ok(SUBMIT, rdf=practice("suivie-par-atom", "Pratique suivie par Atom",
                                          extra='; dct:issued "2026-11-30"^^<http://www.w3.org/2001/XMLSchema#date>'))
    draft = draft["submitDraft"]
    aimf.ok(PUBLISH, id=draft["id"])
    revision_time = when(httpx.get(server.url + "/healthz").json()["revisionTime"])
    after = httpx.get(server.url + ASSET, headers={"If-None-Match": etag})
    assert after.headers["etag"] != etag  # a new revision: a new document
    for path in (ASSET, "/flux/ville/dakar.atom", "/flux/theme/open-data.atom", "/flux/pays/SN.atom"):
        first = parsed(httpx.get(server.url + path)).entries[0]
        assert first.id == draft["target"] == BASE + "id/practice/suivie-par-atom", path
        assert first.title == "Pratique suivie par Atom" and first.link == first.id
        assert when(first.updated) == revision_time and when(first.published) == dt.datetime(
            2026, 11, 30, tzinfo=dt.timezone.utc)
    assert draft["target"] not in {e.id for e in parsed(httpx.get(server.url + "/flux/ville/nantes.atom")).entries}
    aimf.ok('mutation($id: ID!) { retire(id: $id, reason: "fin") { number } }', id=draft["target"])
    retired = parsed(httpx.get(server.url + ASSET)).entries[0]
    assert retired.id == draft["target"] and retired.title.startswith("Retirée : ")
    retired_time = when(httpx.get(server.url + "/healthz").json()["revisionTime"])  # the retirement's revision
    assert when(retired.updated) == retired_time >= revision_time and "retirée le" in retired.summary


# ------------------------------------------------------------------------------------------- change feed

def test_the_change_feed_pages_with_next_links(world) -> None:  # type: ignore[no-untyped-def]
    graphe, server, _, _ = world
    whole = httpx.get(server.url + "/changes", params={"since": 0}).json()
    assert whole["next"] is None and whole["revision"] == graphe.store.revision().number
    assert len(whole["changes"]) >= 2  # the seeds and the writes of this module (at least one publication)
    seen, url, pages = [], "/changes?since=0&limit=1", 0
    while url:
        answer = httpx.get(server.url + url)
        body = answer.json()
        assert answer.status_code == 200 and len(body["changes"]) == 1 and body["limit"] == 1
        seen += body["changes"]
        pages += 1
        if body["next"]:
            assert answer.headers["link"] == f'<{body["next"]}>; rel="next"'
            assert body["next"] == f"/changes?since={body['changes'][-1]['revision']}&limit=1"
            assert body["revision"] == body["changes"][-1]["revision"]  # what to ask from next time
        else:
            assert "link" not in answer.headers and body["revision"] == whole["revision"]
        url = body["next"]
    assert seen == whole["changes"] and pages == len(whole["changes"])


@pytest.mark.parametrize("params", [{"since": "x"}, {"since": "-1"}, {"since": "+1"}, {"since": "١"},
                                    {"since": "9" * 40}, {"limit": "0"}, {"limit": "1001"}, {"limit": "deux"},
                                    {"limit": ""}, {"since": " 1"}])
def test_bad_paging_is_a_coded_400_in_french_first(world, params: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    _, server, _, _ = world
    answer = httpx.get(server.url + "/changes", params=params)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "BAD_USER_INPUT" and "doit être un nombre entier" in error["message"]
    english = httpx.get(server.url + "/changes", params=params, headers={"Accept-Language": "en"})
    assert "must be a whole number" in english.json()["error"]["message"]


# ------------------------------------------------------------------------------------------- dumps

def test_the_n_quads_dump_has_the_public_graphs_only(world) -> None:  # type: ignore[no-untyped-def]
    graphe, server, _, _ = world
    answer = httpx.get(server.url + "/export/graphe.nq")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/n-quads")
    packed = httpx.get(server.url + "/export/graphe.nq.gz")
    assert gzip.decompress(packed.content) == answer.content
    quads = list(ox.parse(answer.content, format=ox.RdfFormat.N_QUADS))
    by_graph: dict[str, int] = {}
    for q in quads:
        by_graph[q.graph_name.value] = by_graph.get(q.graph_name.value, 0) + 1
    public, ontology = graphe.store.graphs.public, graphe.store.graphs.ontology
    # Only the published graphs, whole; the data graph also states the dataset's licence.
    assert by_graph == {public.value: graphe.store.count(public) + 1, ontology.value: graphe.store.count(ontology)}
    licence = ox.Quad(ox.NamedNode(BASE + "dataset/graphe"), ox.NamedNode("http://purl.org/dc/terms/license"),
                      ox.NamedNode(graphe.settings.license), public)
    assert licence in quads
    assert b"graph/accounts" not in answer.content and b"graph/system" not in answer.content


# ------------------------------------------------------------------------------------------- CSV

def test_the_csv_for_spreadsheets(api) -> None:  # type: ignore[no-untyped-def]
    plain = httpx.get(api.url + "/export/practices.csv")
    for params in ({"excel": "1"}, {"sep": ";"}):
        excel = httpx.get(api.url + "/export/practices.csv", params=params)
        assert excel.status_code == 200 and excel.content.startswith("\ufeff".encode())
        assert excel.text.lstrip("\ufeff").split("\r\n", 1)[0] == ";".join(CSV_COLUMNS)
        rows = list(csv.reader(io.StringIO(excel.text.lstrip("\ufeff"), newline=""), delimiter=";"))
        assert rows == list(csv.reader(io.StringIO(plain.text, newline="")))  # the same cells
        # `graphe import` reads it back as it reads the plain CSV (BOM and `;` recognised).
        assert [s.iri for s in parse_csv(excel.text, "excel.csv")] == [s.iri for s in parse_csv(plain.text, "p.csv")]
    assert not plain.content.startswith("\ufeff".encode()) and plain.text.startswith("iri,")
    for params in ({"excel": "peut-être"}, {"sep": "|"}, {"sep": "\t"}):
        bad = httpx.get(api.url + "/export/practices.csv", params=params)
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "BAD_USER_INPUT"


def test_labels_stand_beside_the_iris(api, rich) -> None:  # type: ignore[no-untyped-def]
    # The label columns stay where they were appended (after `sources`, the 31st column); later ones follow them.
    labels_at = CSV_COLUMNS.index("sources") + 1
    assert labels_at == 31 and CSV_COLUMNS[labels_at:labels_at + 8] == READ_ONLY_COLUMNS[3:11]
    rows = list(csv.DictReader(io.StringIO(httpx.get(api.url + "/export/practices.csv").text)))
    nantes = next(r for r in rows if r["iri"] == BASE + "id/practice/nantes-cadre-de-confiance-ia")
    themes, labels = nantes["themes"].split(" | "), nantes["themes_labels"].split(" | ")
    assert len(themes) == len(labels) > 1
    assert dict(zip(themes, labels))[BASE + "id/theme/ai"] == "Intelligence artificielle"
    checked = 0
    for row in rows:
        for label, source in (("charters_labels", "charters"), ("sources_labels", "sources"),
                              ("contributors_labels", "contributors"), ("creator_label", "creator")):
            assert len(row[label].split(" | ")) == len(row[source].split(" | ")), (row["iri"], label)
            checked += bool(row[source])
    assert checked > 50 and any(row["sources_labels"].strip(" |") for row in rows)


# ------------------------------------------------------------------------------------------- discovery

@pytest.mark.parametrize("page,feeds", [("/", [ASSET]), ("/id/practice", [ASSET]),
                                        ("/id/practice?themes=" + BASE + "id/theme/ai&country=MA",
                                         [ASSET, "/flux/theme/ai.atom", "/flux/pays/MA.atom"]),
                                        ("/id/city/nantes", ["/flux/ville/nantes.atom"]),
                                        ("/id/theme/ai", ["/flux/theme/ai.atom"])])
def test_pages_link_their_feeds(api, page: str, feeds: list[str]) -> None:  # type: ignore[no-untyped-def]
    html = httpx.get(api.url + page, headers={"Accept": "text/html"})
    assert html.status_code == 200
    head = html.text.split("</head>", 1)[0]
    found = re.findall(r'<link rel="alternate" type="application/atom\+xml" title="([^"]+)" href="([^"]+)">', head)
    assert [href for _, href in found] == feeds
    assert all(title.startswith("Flux Atom") for title, _ in found)
    for href in feeds:
        parsed(httpx.get(api.url + href))
