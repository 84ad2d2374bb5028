"""The open-data routes through the whole application: catalogue, VoID, entity pages, home page."""
from __future__ import annotations

import httpx
import pytest
import rdflib

BASE = "https://graphe.aimf.asso.fr/"
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")


@pytest.mark.parametrize("accept,parse_as", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                             ("application/rdf+xml", "xml"), ("application/n-triples", "nt"),
                                             ("text/html,application/xhtml+xml", "turtle")])
def test_catalogue_by_content_negotiation(api, accept: str, parse_as: str) -> None:  # type: ignore[no-untyped-def]
    for path in ("/catalog", "/dataset/graphe"):
        response = httpx.get(api.url + path, headers={"Accept": accept})
        assert response.status_code == 200 and "Accept" in response.headers["vary"]
        graph = rdflib.Graph().parse(data=response.content, format=parse_as)
        assert (rdflib.URIRef(BASE + "catalog"), rdflib.RDF.type, DCAT.Catalog) in graph
        assert (rdflib.URIRef(BASE + "dataset/graphe"), rdflib.RDF.type, DCAT.Dataset) in graph
    downloads = {str(o) for o in graph.objects(None, DCAT.downloadURL)}
    for href in downloads:  # every distribution the catalogue names is really there
        assert httpx.head(api.url + "/" + href.removeprefix(BASE)).status_code == 200, href


def test_void_counts_the_published_graph(api, rich) -> None:  # type: ignore[no-untyped-def]
    response = httpx.get(api.url + "/.well-known/void", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    triples = graph.value(rdflib.URIRef(BASE + "dataset/graphe"), VOID.triples)
    assert int(triples) == rich.store.count(rich.store.graphs.public)
    assert httpx.get(api.url + "/catalog", params={"format": "csv"}).status_code == 406


@pytest.mark.parametrize("accept,suffix,parse_as", [("text/turtle", ".ttl", "turtle"),
                                                    ("application/ld+json", ".jsonld", "json-ld"),
                                                    ("application/n-triples", ".nt", "nt"),
                                                    ("application/rdf+xml", ".rdf", "xml")])
def test_entity_iris_dereference_in_every_format(api, accept: str, suffix: str, parse_as: str) -> None:  # type: ignore[no-untyped-def]
    by_accept = httpx.get(api.url + "/id/city/nantes", headers={"Accept": accept})
    by_suffix = httpx.get(api.url + "/id/city/nantes" + suffix)
    for response in (by_accept, by_suffix):
        assert response.status_code == 200
        graph = rdflib.Graph().parse(data=response.content, format=parse_as)
        assert (rdflib.URIRef(BASE + "id/city/nantes"), rdflib.RDF.type, rdflib.URIRef("https://schema.org/City")) in graph
    html = httpx.get(api.url + "/id/city/nantes", headers={"Accept": "text/html"})
    assert html.status_code == 200 and "<html lang=\"fr\"" in html.text and "Nantes" in html.text
    assert httpx.get(api.url + "/id/city/atlantis", headers={"Accept": "text/turtle"}).status_code == 404


def test_home_page_links_every_public_channel(api) -> None:  # type: ignore[no-untyped-def]
    page = httpx.get(api.url + "/")
    assert page.status_code == 200 and '<html lang="fr"' in page.text
    for href in ("/graphql", "/sparql", "/catalog", "/export/graphe.ttl", "/export/practices.csv", "/def"):
        assert f'href="{href}"' in page.text
    assert "Full dump" in httpx.get(api.url + "/", headers={"Accept-Language": "en"}).text
