"""Dereferenceable IRIs over real HTTP: content negotiation, HTML pages, errors, retired records, /def."""
from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import httpx
import pytest
import rdflib
from rdflib.namespace import OWL, RDF
from starlette.applications import Starlette

from graphe.web.pages import negotiate, routes
from graphe.core.rdf import PREFIXES, Literal, NamedNode, Quad
from graphe.service import Graphe

from conftest import BASE, ThreadServer

SCHEMA = rdflib.Namespace("https://schema.org/")
GEO = rdflib.Namespace(PREFIXES["geo"])
GR = rdflib.Namespace(PREFIXES["gr"])
NANTES = rdflib.URIRef(BASE + "id/city/nantes")
PRACTICE = "id/practice/nantes-debat-de-l-ia"
RDF_FORMATS = {  # media type → (suffix, rdflib parser)
    "text/turtle": (".ttl", "turtle"),
    "application/ld+json": (".jsonld", "json-ld"),
    "application/n-triples": (".nt", "nt"),
    "application/rdf+xml": (".rdf", "xml"),
}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.fixture(scope="module")
def server(seeded: Graphe) -> Iterator[ThreadServer]:
    srv = ThreadServer(Starlette(routes=routes(seeded)))
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def client(server: ThreadServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


def serve(graphe: Graphe) -> tuple[ThreadServer, httpx.Client]:
    srv = ThreadServer(Starlette(routes=routes(graphe)))
    return srv, httpx.Client(base_url=srv.url, timeout=30)


def parse(response: httpx.Response, parser: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=response.content, format=parser, publicID=BASE)


def commit(graphe: Graphe, *triples: tuple) -> None:
    graph = graphe.store.graphs.public
    graphe.store.commit([Quad(s, p, o, graph) for s, p, o in triples], summary="test")


# ------------------------------------------------------------------------------------- negotiation

@pytest.mark.parametrize("media_type", list(RDF_FORMATS))
def test_accept_gives_each_rdf_format(client: httpx.Client, media_type: str) -> None:
    r = client.get("/id/city/nantes", headers={"Accept": media_type})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media_type
    suffix, parser = RDF_FORMATS[media_type]
    assert r.headers["content-location"] == "/id/city/nantes" + suffix
    graph = parse(r, parser)
    assert (NANTES, RDF.type, SCHEMA.City) in graph
    assert (NANTES, SCHEMA.name, rdflib.Literal("Nantes", lang="fr")) in graph
    # the hash IRI of the city's geometry travels with the city
    geometry = rdflib.URIRef(BASE + "id/city/nantes#geometry")
    assert (NANTES, GEO.hasGeometry, geometry) in graph
    assert (geometry, RDF.type, GEO.Geometry) in graph
    assert any(True for _ in graph.triples((geometry, GEO.asWKT, None)))
    # nothing about other resources (their labels are for HTML only)
    assert {s for s in graph.subjects()} == {NANTES, geometry}


@pytest.mark.parametrize("media_type", list(RDF_FORMATS))
def test_suffix_gives_each_format_and_wins_over_accept(client: httpx.Client, media_type: str) -> None:
    suffix, parser = RDF_FORMATS[media_type]
    r = client.get("/" + PRACTICE + suffix, headers={"Accept": BROWSER})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media_type
    graph = parse(r, parser)
    practice = rdflib.URIRef(BASE + PRACTICE)
    assert (practice, RDF.type, GR.Practice) in graph
    assert (practice, rdflib.URIRef(PREFIXES["dct"] + "title"), rdflib.Literal("Nantes Débat de l'IA", lang="fr")) \
        in graph


def test_html_by_accept_and_by_suffix(client: httpx.Client) -> None:
    for path, accept in (("/id/city/nantes", BROWSER), ("/id/city/nantes.html", "text/turtle")):
        r = client.get(path, headers={"Accept": accept})
        assert r.status_code == 200
        assert r.headers["content-type"] == "text/html; charset=utf-8"
        assert r.headers["content-location"] == "/id/city/nantes.html"
        assert "<h1>Nantes</h1>" in r.text


@pytest.mark.parametrize("accept, expected", [
    (None, "ttl"),
    ("*/*", "ttl"),
    ("text/*", "ttl"),
    (BROWSER, "html"),
    ("text/html", "html"),
    ("application/xhtml+xml", "html"),
    ("text/html;q=0.4, text/turtle;q=0.9", "ttl"),
    ("text/turtle;q=0.5, application/ld+json", "jsonld"),
    ("application/json", "jsonld"),
    ("text/html;q=0, */*", "ttl"),
    ("application/n-triples;q=0.2, application/rdf+xml;q=0.3, image/png", "rdf"),
    ("TEXT/HTML; Q=1", "html"),
    ("text/turtle;q=abc, application/n-triples", "nt"),
    ("image/png", None),
    ("*/*;q=0", None),
    ("", "ttl"),
])
def test_negotiate(accept: str | None, expected: str | None) -> None:
    assert negotiate(accept) == expected


def test_q_values_over_http(client: httpx.Client) -> None:
    r = client.get("/id/city/nantes", headers={"Accept": "text/html;q=0.3, application/n-triples;q=0.8"})
    assert r.headers["content-type"].startswith("application/n-triples")
    r = client.get("/id/city/nantes", headers={"Accept": "*/*"})
    assert r.headers["content-type"].startswith("text/turtle")


def test_not_acceptable(client: httpx.Client) -> None:
    r = client.get("/id/city/nantes", headers={"Accept": "image/png", "Accept-Language": "en"})
    assert r.status_code == 406
    error = r.json()["error"]
    assert error["code"] == "NOT_ACCEPTABLE"
    assert "text/turtle" in error["message_fr"] and error["message"] == error["message_en"]
    assert "Accept" in r.headers["vary"]


def test_headers(client: httpx.Client) -> None:
    r = client.get("/" + PRACTICE, headers={"Accept": "text/turtle"})
    assert "Accept" in [v.strip() for v in r.headers["vary"].split(",")]
    link = r.headers["link"]
    for suffix, media_type in ((".html", "text/html"), (".ttl", "text/turtle"), (".jsonld", "application/ld+json"),
                               (".nt", "application/n-triples"), (".rdf", "application/rdf+xml")):
        assert f'</{PRACTICE}{suffix}>; rel="alternate"; type="{media_type}"' in link
    assert r.headers["x-content-type-options"] == "nosniff"
    html = client.get("/" + PRACTICE, headers={"Accept": "text/html"})
    assert "script-src" not in html.headers["content-security-policy"]  # default-src 'none': no script at all
    assert "default-src 'none'" in html.headers["content-security-policy"]


def test_head(client: httpx.Client) -> None:
    for accept in ("text/html", "text/turtle"):
        get = client.get("/id/city/nantes", headers={"Accept": accept})
        head = client.head("/id/city/nantes", headers={"Accept": accept})
        assert head.status_code == 200
        assert head.content == b""
        assert head.headers["content-type"] == get.headers["content-type"]
        assert head.headers["content-length"] == str(len(get.content))
        assert head.headers["vary"] == get.headers["vary"]
    assert client.head("/id/city/nowhere").status_code == 404
    assert client.head("/def").status_code == 200


def test_etag_gives_304(client: httpx.Client) -> None:
    r = client.get("/id/city/nantes.ttl")
    etag = r.headers["etag"]
    again = client.get("/id/city/nantes.ttl", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    html = client.get("/id/city/nantes.html")
    assert html.headers["etag"] != etag  # one tag per variant
    english = client.get("/id/city/nantes.html", headers={"Accept-Language": "en"})
    assert english.headers["etag"] != html.headers["etag"]


# ------------------------------------------------------------------------------------- HTML

CRITERION = "id/criterion/nantes-metropole-cadre-de-confiance-ia-1"


def test_html_page(client: httpx.Client) -> None:
    """A practice (like a city, a charter, an AI project) is shown as people read it (tests/web/test_site.py);
    other resources, e.g. a criterion, as a table of their properties named by the ontology."""
    r = client.get("/" + PRACTICE, headers={"Accept": BROWSER})
    assert r.status_code == 200
    page = r.text
    assert '<html lang="fr">' in page
    assert "<title>Nantes Débat de l&#39;IA — Graphe</title>" in page
    assert '<h1 lang="fr">Nantes Débat de l&#39;IA</h1>' in page
    assert '<a href="/id/city/nantes">Nantes</a> (France)' in page  # local link with its label, the country named
    assert ">Intelligence artificielle</a>" in page  # a theme's label
    assert f'<link rel="alternate" type="text/turtle" href="/{PRACTICE}.ttl">' in page
    assert f'<a href="/{PRACTICE}.jsonld" type="application/ld+json">JSON-LD</a>' in page
    assert "<script" not in page.lower()
    assert "https://" not in page.split("<body>")[0].replace(BASE, "")  # no external asset in <head>
    generic = client.get("/" + CRITERION, headers={"Accept": BROWSER}).text
    assert "<h1>Pas d&#39;identification biométrique ni de collecte de données sensibles</h1>" in generic
    assert ">Critère</a>" in generic  # the type, by its French label
    assert '<a href="/def#identifier"' in generic and ">identifiant</a>" in generic  # property label, ontology
    assert "<code>skos:definition</code>" not in generic and ">définition</a>" in generic  # reused terms too
    assert '<span lang="en" class="text">No biometric identification' in generic  # language shown
    assert "<script" not in generic.lower()


def test_html_generic_page_shows_hash_resources_external_links_and_citations(client: httpx.Client) -> None:
    """The generic page (organisations, criteria, sources…): its hash resources, web links, who cites it."""
    page = client.get("/id/organisation/ville-de-nantes", headers={"Accept": "text/html"}).text
    assert "<h2>Cité par</h2>" in page
    assert '<a href="/id/city/nantes"' in page  # Nantes is administered by it
    criterion = client.get("/" + CRITERION, headers={"Accept": "text/html"}).text
    assert '<a href="/id/criterion/declaration-de-montreal-3"' in criterion  # a mapped criterion, by its label


def test_html_in_english(client: httpx.Client) -> None:
    for headers, path in (({"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"}, "/" + PRACTICE),
                          ({}, f"/{PRACTICE}?lang=en"), ({"Accept-Language": "fr"}, f"/{PRACTICE}.html?lang=en")):
        page = client.get(path, headers={"Accept": "text/html", **headers}).text
        assert '<html lang="en">' in page
        assert '<h1 lang="en">Nantes Débat de l&#39;IA: a citizen debate on artificial intelligence</h1>' in page
        assert ">City</dt>" in page and "(France)" in page
        assert "Other formats" in page
    generic = client.get(f"/{CRITERION}?lang=en", headers={"Accept": "text/html"}).text
    assert ">Criterion</a>" in generic and ">identifier</a>" in generic
    french = client.get("/" + PRACTICE, headers={"Accept": "text/html", "Accept-Language": "de, fr;q=0.5"}).text
    assert '<html lang="fr">' in french


def test_hostile_literal_and_iri_are_escaped(fresh: Graphe) -> None:
    practice = NamedNode(BASE + "id/practice/hostile")
    dct, gr, schema = PREFIXES["dct"], PREFIXES["gr"], PREFIXES["schema"]
    commit(fresh,
           (practice, NamedNode(PREFIXES["rdf"] + "type"), NamedNode(gr + "Practice")),
           (practice, NamedNode(dct + "title"), Literal("<script>alert(1)</script>", language="fr")),
           (practice, NamedNode(dct + "abstract"), Literal('"><img src=x onerror=alert(2)>', language="fr")),
           (practice, NamedNode(gr + "city"), NamedNode(BASE + "id/city/nantes")),
           (practice, NamedNode(schema + "url"), NamedNode("javascript:alert(3)")))
    srv, client = serve(fresh)
    try:
        r = client.get("/id/practice/hostile", headers={"Accept": "text/html"})
        assert r.status_code == 200
        page = r.text
        assert '<h1 lang="fr">&lt;script&gt;alert(1)&lt;/script&gt;</h1>' in page
        assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; — Graphe</title>" in page
        assert "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in page  # (markupsafe writes " as &#34;)
        assert "<script" not in page.lower() and "<img" not in page.lower()
        assert 'href="javascript:' not in page and "javascript:" not in page  # only web IRIs are shown as links
        generic = client.get("/id/practice/hostile.html?lang=fr", headers={"Accept": "text/html"}).text
        assert 'href="javascript:' not in generic
        # the city page lists the hostile practice among those citing it, escaped too
        city = client.get("/id/city/nantes", headers={"Accept": "text/html"}).text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;</a>" in city and "<script" not in city.lower()
        # RDF keeps the text as it is
        graph = parse(client.get("/id/practice/hostile.ttl"), "turtle")
        assert rdflib.Literal("<script>alert(1)</script>", lang="fr") in set(graph.objects())
    finally:
        client.close()
        srv.stop()


def test_retired_entity_stays_readable(fresh: Graphe) -> None:
    practice = NamedNode(BASE + PRACTICE)
    invalidated = NamedNode(PREFIXES["prov"] + "invalidatedAtTime")
    commit(fresh, (practice, invalidated,
                   Literal("2025-03-12T10:00:00+00:00", datatype=NamedNode(PREFIXES["xsd"] + "dateTime"))))
    srv, client = serve(fresh)
    try:
        r = client.get("/" + PRACTICE, headers={"Accept": "text/html"})
        assert r.status_code == 200
        assert "Cette fiche a été retirée le 12 mars 2025." in r.text
        assert 'class="retired" role="note"' in r.text
        english = client.get(f"/{PRACTICE}?lang=en", headers={"Accept": "text/html"})
        assert "This record was retired on 12 March 2025." in english.text
        turtle = client.get("/" + PRACTICE, headers={"Accept": "text/turtle"})
        assert turtle.status_code == 200
        graph = parse(turtle, "turtle")
        assert any(True for _ in graph.triples((rdflib.URIRef(practice.value), rdflib.URIRef(invalidated.value),
                                                None)))
        other = client.get("/id/practice/nantes-cadre-de-confiance-ia", headers={"Accept": "text/html"})
        assert "retirée" not in other.text
    finally:
        client.close()
        srv.stop()


def test_new_revision_is_served(fresh: Graphe) -> None:
    """Caches (hash IRIs, ontology) follow the store's revision."""
    srv, client = serve(fresh)
    try:
        assert client.get("/id/city/nantes.ttl").text.count("#geometry") >= 1
        etag = client.get("/id/city/nantes.ttl").headers["etag"]
        extra = NamedNode(BASE + "id/city/nantes#centre")
        commit(fresh, (extra, NamedNode(PREFIXES["rdf"] + "type"), NamedNode(PREFIXES["geo"] + "Geometry")))
        r = client.get("/id/city/nantes.ttl", headers={"If-None-Match": etag})
        assert r.status_code == 200 and "nantes#centre" in r.text
    finally:
        client.close()
        srv.stop()


# ------------------------------------------------------------------------------------- errors

def test_unknown_iri_is_404(client: httpx.Client) -> None:
    page = client.get("/id/city/atlantis", headers={"Accept": BROWSER})
    assert page.status_code == 404
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert '<html lang="fr">' in page.text and "Ressource introuvable" in page.text
    assert "id/city/atlantis" in page.text
    english = client.get("/id/city/atlantis", headers={"Accept": BROWSER, "Accept-Language": "en"})
    assert "Resource not found" in english.text
    for headers, path in (({"Accept": "text/turtle"}, "/id/city/atlantis"), ({}, "/id/city/atlantis.ttl"),
                          ({"Accept": BROWSER}, "/id/city/atlantis.nt")):
        r = client.get(path, headers=headers)
        assert r.status_code == 404
        assert r.headers["content-type"] == "application/json"
        assert r.json()["error"]["code"] == "NOT_FOUND"


def raw_get(server: ThreadServer, target: str) -> tuple[int, bytes]:
    """Send the request target exactly as written (no client-side normalisation)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html\r\n"
                     "Connection: close\r\n\r\n".encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data


HOSTILE = [
    "/id/../../etc/passwd", "/id/city/../../def", "/id/city/%2e%2e/%2e%2e/etc/passwd", "/id/city%2F..%2F..%2Fdef",
    "/id/city/nantes%00", "/id/city/%3Cscript%3Ealert(1)%3C/script%3E", "/id/city/nan%20tes", "/id/city/nan tes",
    "/id/city/nantes%23geometry", "/id/city/nantes%3Fx", "/id/city//nantes", "/id/", "/id//", "/id/%",
    "/id/%E9", "/id/%C3%A9t%C3%A9", "/id/city/%25252e", "/id/city/nantes%0d%0aSet-Cookie:%20x=1",
    "/id/city/" + "a" * 5000, "/id/" + "x/" * 400, "/id/city/nantes\\..\\..", "/id/city/.ttl", "/id/.html",
    "/id/city/nantes.ttl.html", "/def.exe", "/def.%2e%2e", "/def.", "/id/city/nantes.%74tl",
    "/id/city/%F0%9F%92%A3", "/id/city/\u202enantes".encode().decode("latin-1"),
]


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_paths_never_fail(server: ThreadServer, target: str) -> None:
    status, data = raw_get(server, target)
    assert status in (200, 400, 404), (target, data[:300])
    assert b"Traceback" not in data and b"Internal" not in data
    assert b"Set-Cookie" not in data.split(b"\r\n\r\n")[0]


def test_percent_encoded_unreserved_characters_are_the_same_iri(server: ThreadServer) -> None:
    assert raw_get(server, "/id/city/nan%74es")[0] == 200


# ------------------------------------------------------------------------------------- ontology

def test_ontology_turtle(client: httpx.Client) -> None:
    r = client.get("/def", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-location"] == "/def.ttl"
    assert "gr:Practice a owl:Class" in r.text
    graph = parse(r, "turtle")
    assert (GR.Practice, RDF.type, OWL.Class) in graph
    assert (GR.Practice, rdflib.RDFS.label, rdflib.Literal("Bonne pratique", lang="fr")) in graph
    assert not any(str(s).startswith(BASE + "id/") for s in graph.subjects())  # the ontology only
    for suffix, (_, parser) in {s: v for s, v in ((v[0], v) for v in RDF_FORMATS.values())}.items():
        assert (GR.Practice, RDF.type, OWL.Class) in parse(client.get("/def" + suffix), parser)


def test_ontology_html(client: httpx.Client) -> None:
    r = client.get("/def", headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.headers["content-location"] == "/def.html"
    page = r.text
    assert '<html lang="fr">' in page
    assert '<section id="Practice"><h3>Bonne pratique <code class="muted">gr:Practice</code></h3>' in page
    assert "Fiche de bonne pratique d&#39;une ville" in page  # its comment
    assert '<section id="city"><h3>ville' in page  # properties
    assert "co-domaine" in page and "Idée" in page  # ranges; controlled vocabularies
    english = client.get("/def.html?lang=en").text
    assert '<html lang="en">' in english and "Good practice" in english
    assert client.get("/def", headers={"Accept": "text/html", "Accept-Language": "en"}).text == english
    # entity pages link their types to these entries
    assert client.get("/def.xyz").status_code == 404


# ------------------------------------------------------------------------------------- cost

def test_queries_per_page(seeded: Graphe, client: httpx.Client) -> None:
    client.get("/id/city/nantes.ttl")  # warm the per-revision hash IRI index
    for suffix, most in ((".ttl", 1), (".jsonld", 1), (".html", 3)):
        before = seeded.store.queries
        assert client.get("/id/city/nantes" + suffix).status_code == 200
        assert seeded.store.queries - before <= most, suffix
    client.get("/def.html")
    before = seeded.store.queries
    client.get("/def.html")
    client.get("/def.ttl")
    assert seeded.store.queries - before == 0  # cached per revision


def test_json_errors_are_json(client: httpx.Client) -> None:
    body = client.get("/id/city/atlantis.jsonld").content
    assert json.loads(body)["error"]["message_en"].startswith("No published resource")


def test_pages_come_from_templates_with_one_stylesheet_and_nothing_inline(client: httpx.Client, seeded: Graphe) -> None:
    """Jinja2 renders the pages (web/templates/); their style is /static/graphe.css, allowed as 'self'."""
    from graphe.web import templates

    assert {"base.html", "entity.html", "ontology.html", "message.html"} <= {p.name for p in templates.FOLDER.iterdir()}
    for path in ("/" + PRACTICE, "/def", "/id/city/nulle-part"):
        r = client.get(path, headers={"Accept": BROWSER})
        assert '<link rel="stylesheet" href="/static/graphe.css">' in r.text, path
        assert "<style" not in r.text and " style=" not in r.text, path
        assert "style-src 'self'" in r.headers["content-security-policy"]
        assert "unsafe-inline" not in r.headers["content-security-policy"], path

    from graphe.app import create_app

    full = ThreadServer(create_app(seeded))  # the whole service: its static files and security headers
    try:
        css = httpx.get(full.url + "/static/graphe.css", timeout=30)
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css") and "body{" in css.text
        for path in ("/", "/" + PRACTICE, "/nulle-part"):
            r = httpx.get(full.url + path, headers={"Accept": BROWSER}, timeout=30)
            assert '<link rel="stylesheet" href="/static/graphe.css">' in r.text, path
            assert "unsafe-inline" not in r.headers["content-security-policy"], path
    finally:
        full.stop()


def test_right_to_left_texts_are_marked(fresh: Graphe) -> None:
    """Arabic (and every right-to-left language) is shown with dir="rtl"; French and English are not."""
    dakar = NamedNode(BASE + "id/city/dakar")
    commit(fresh, (dakar, NamedNode(PREFIXES["schema"] + "alternateName"), Literal("داكار", language="ar")),
           (dakar, NamedNode(PREFIXES["schema"] + "alternateName"), Literal("דקאר", language="he-IL")))
    srv, client = serve(fresh)
    try:
        page = client.get("/id/city/dakar", headers={"Accept": "text/html"}).text
    finally:
        client.close()
        srv.stop()
    assert '<span lang="ar" dir="rtl" class="text">داكار</span>' in page
    assert '<span lang="he-il" dir="rtl" class="text">דקאר</span>' in page or \
        '<span lang="he-IL" dir="rtl" class="text">דקאר</span>' in page
    assert 'lang="fr" dir=' not in page and 'lang="en" dir=' not in page
