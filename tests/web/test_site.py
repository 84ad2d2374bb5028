"""The pages for people over real HTTP: home, search, lists, a practice, a city, a charter, an AI project, the
theme tree and the comparison of two charters — values formatted for people, links between pages, nothing
loaded from elsewhere, pages kept per public revision. (In a real browser, with axe: test_browser.py.)"""
from __future__ import annotations

import csv
import io
import html
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urlencode

import httpx
import pytest

from graphe.core.rdf import PREFIXES, Literal, NamedNode
from graphe.service import Graphe

from conftest import BASE, ThreadServer
from test_pages import BROWSER, commit

PRACTICE = "/id/practice/nantes-debat-de-l-ia"
NANTES_FRAMEWORK = BASE + "id/charter/nantes-metropole-cadre-de-confiance-ia"
MONTREAL = BASE + "id/charter/declaration-de-montreal-ia-responsable"
NNBSP = "\u202f"  # the French thousands separator (CLDR)


def _app(graphe: Graphe) -> ThreadServer:
    from graphe.app import create_app

    graphe.search.wait(120)
    return ThreadServer(create_app(graphe))


def _browsing(graphe: Graphe) -> Iterator[httpx.Client]:
    server = _app(graphe)
    with httpx.Client(base_url=server.url, timeout=60, headers={"Accept": BROWSER}) as c:
        yield c
    server.stop()


@pytest.fixture(scope="module")
def client(seeded: Graphe) -> Iterator[httpx.Client]:
    yield from _browsing(seeded)


@pytest.fixture(scope="module")
def rich_client(rich: Graphe) -> Iterator[httpx.Client]:
    yield from _browsing(rich)


class Page(HTMLParser):
    """What a test reads of a page: every URL it loads or links to, ids in order, headings, checkboxes."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.loads: list[str] = []  # URLs the browser fetches by itself (scripts, styles, images)
        self.links: list[str] = []
        self.ids: list[str] = []
        self.checkboxes: list[dict[str, str | None]] = []
        self.headings: list[int] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("script", "img", "image", "iframe", "source", "use") and (a.get("src") or a.get("href")):
            self.loads.append(a.get("src") or a.get("href") or "")
        if tag == "link":
            (self.loads if a.get("rel") == "stylesheet" else self.links).append(a.get("href") or "")
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")
        if tag == "form":
            self.links.append(a.get("action") or "")
        if a.get("id"):
            self.ids.append(a["id"] or "")
        if tag == "input" and a.get("type") == "checkbox":
            self.checkboxes.append(a)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))


def get(client: httpx.Client, path: str, lang: str = "fr") -> str:
    r = client.get(path, headers={"Accept-Language": lang})
    assert r.status_code == 200, (path, r.status_code, r.text[:500])
    assert r.headers["content-type"].startswith("text/html")
    assert "unsafe-inline" not in r.headers["content-security-policy"]
    assert f'<html lang="{lang}">' in r.text
    return r.text


def local(url: str) -> bool:
    return url.startswith(("/", "#", "?")) and not url.startswith("//")


# ------------------------------------------------------------------------------------------- every page

PAGES = ["/", "/recherche?q=donnees", "/id/practice", "/id/city", "/id/charter", "/id/ai-project", "/id/theme",
         PRACTICE, "/id/city/nantes", "/id/charter/nantes-metropole-cadre-de-confiance-ia",
         "/comparer?" + urlencode([("a", NANTES_FRAMEWORK), ("b", MONTREAL)])]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_loads_only_local_files_and_has_its_landmarks(client: httpx.Client, path: str) -> None:
    for lang in ("fr", "en"):
        text = get(client, path, lang)
        page = Page(text)
        assert page.loads and all(local(u) for u in page.loads), page.loads
        assert page.headings and page.headings[0] == 1 and page.headings.count(1) == 1
        assert all(b - a <= 1 for a, b in zip(page.headings, page.headings[1:])), page.headings  # no level skipped
        assert '<a class="skip" href="#contenu">' in text and '<main id="contenu"' in text
        assert "<nav aria-label=" in text and "<footer>" in text
        assert " style=" not in text and "<style" not in text and "<script" not in text
        assert len(page.ids) == len(set(page.ids)), "ids are unique"
        other = "en" if lang == "fr" else "fr"
        assert f'lang={other}"' in text or f'lang={other}&' in text  # the language switch keeps the page


def test_home(client: httpx.Client, seeded: Graphe) -> None:
    text = get(client, "/")
    assert '<form class="search" role="search" method="get" action="/recherche">' in text
    assert text.index('role="search"') < text.index("En chiffres") < text.index("Dernières pratiques")
    practices = seeded.store.select("SELECT (COUNT(?s) AS ?n) WHERE { ?s a <%sPractice> }" % PREFIXES["gr"])
    assert f'<strong>{practices[0]["n"].value}</strong> pratiques' in text
    assert "<strong>8</strong> villes" in text
    page = Page(text)
    cities = [u for u in page.links if u.startswith("/id/city/")]
    assert len(set(cities)) == 8 and cities.count("/id/city/nantes") == 2  # on the map and in its list
    assert text.count('class="map-marker"') == 8 and "Carte des villes membres" in text
    assert '<a href="/id/city/nantes">Nantes</a> <span class="muted">(France)</span>' in text
    assert "Nantes Débat de l&#39;IA" in text and PRACTICE in page.links  # latest practices
    assert text.index("Les villes membres") < text.index('href="/sparql"') < text.index("<footer>")
    for href, media in (("/catalog?format=ttl", "text/turtle"), ("/catalog?format=jsonld", "application/ld+json")):
        assert f'<link rel="alternate" type="{media}" href="{href}">' in text
        assert client.get(href).headers["content-type"].startswith(media)
    english = get(client, "/", "en")
    assert "<strong>8</strong> cities" in english and "(Morocco)" in english and "Latest practices" in english


def test_search_finds_what_people_type_and_facets_refine(client: httpx.Client) -> None:
    text = get(client, "/recherche?q=donnees")
    total = int(re.search(r'<p role="status">(\d+) résultat', text).group(1))  # type: ignore[union-attr]
    assert total > 0 and "<mark>" in text
    page = Page(text)
    themes = [b for b in page.checkboxes if b["name"] == "themes"]
    assert themes and not any("checked" in b for b in themes)
    assert any(b["name"] == "country" and b["value"] == "FR" for b in page.checkboxes)
    assert re.search(r'<label for="f-country-\d+">France <span class="count">\(\d+\)</span></label>', text)
    chosen = themes[-1]["value"]
    refined = get(client, "/recherche?" + urlencode([("q", "donnees"), ("themes", chosen)]))
    narrowed = int(re.search(r'<p role="status">(\d+) résultat', refined).group(1))  # type: ignore[union-attr]
    assert 0 < narrowed <= total
    assert [b for b in Page(refined).checkboxes if b["value"] == chosen and "checked" in b]
    assert "Effacer les filtres" in refined
    # the URL is the state: asked again, the same page
    again = client.get("/recherche?" + urlencode([("q", "donnees"), ("themes", chosen)]))
    assert again.text == refined
    by_date = get(client, "/recherche?q=donnees&tri=date")
    assert '<option value="date" selected>' in by_date
    everything = get(client, "/recherche?q=")
    assert "résultat(s)" in everything and "Aucun résultat." not in everything


def test_search_pages_and_suggests(rich_client: httpx.Client) -> None:
    first = get(rich_client, "/recherche?q=&tri=date")
    assert '<nav class="pages" aria-label="Pages">' in first and 'rel="next"' in first
    nxt = re.search(r'<a href="([^"]+)" rel="next">', first).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    assert "page=2" in nxt and "tri=date" in nxt  # the state goes with the page
    second = get(rich_client, nxt)
    assert 'aria-current="page" aria-label="Page 2">2</a>' in second and 'rel="prev"' in second
    hits_1 = re.findall(r'<h3><a href="([^"]+)"', first)
    hits_2 = re.findall(r'<h3><a href="([^"]+)"', second)
    assert len(hits_1) == 20 and hits_2 and not set(hits_1) & set(hits_2)
    english = get(rich_client, "/recherche?q=intelligible")  # a word of an English text only
    assert '<p class="snippet" lang="en">' in english
    typo = get(rich_client, "/recherche?q=donnnnees+publiquues")
    assert "Aucun résultat." in typo or "Vouliez-vous dire" in typo


@pytest.mark.parametrize("query,code", [("page=0", "BAD_USER_INPUT"), ("page=abc", "BAD_USER_INPUT"),
                                        ("q=" + "mot+" * 300, "BAD_USER_INPUT"), ("page=999999", "BAD_USER_INPUT")])
def test_bad_search_input_is_a_coded_french_page(client: httpx.Client, query: str, code: str) -> None:
    r = client.get("/recherche?" + query)
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    assert f"<code>{code}</code>" in r.text and '<html lang="fr">' in r.text
    english = client.get("/recherche?" + query, headers={"Accept-Language": "en"})
    assert english.status_code == 400 and "Invalid request" in english.text


def test_practice_reads_as_a_sheet(client: httpx.Client) -> None:
    text = get(client, PRACTICE)
    assert '<h1 lang="fr">Nantes Débat de l&#39;IA</h1>' in text
    assert '<a href="/id/city/nantes">Nantes</a> (France)' in text
    order = [text.index(h) for h in ("<h2>En bref</h2>", "<h2>Le problème et l&#39;action</h2>", "<h2>Sources</h2>",
                                     "Qui a repris quoi", "Citer, télécharger")]
    assert order == sorted(order)
    assert '<a href="/id/theme/ai">Intelligence artificielle</a>' in text
    assert 'value="https://graphe.aimf.asso.fr/id/practice/nantes-debat-de-l-ia"' in text  # the permalink
    for suffix in (".ttl", ".jsonld"):
        assert f'href="{PRACTICE}{suffix}"' in text
        assert client.get(PRACTICE + suffix).status_code == 200
    line = re.search(r'<a href="(/export/practices\.csv\?[^"]+)" type="text/csv">', text).group(1)  # type: ignore[union-attr]
    rows = list(csv.DictReader(io.StringIO(client.get(line.replace("&amp;", "&")).text)))
    assert [r["iri"] for r in rows] == [BASE + PRACTICE[1:]]
    assert "Pratiques semblables" in text  # from the search index
    # content negotiation is unchanged at the same IRI
    turtle = client.get(PRACTICE, headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")


def test_transfers_between_cities_are_drawn(rich: Graphe, rich_client: httpx.Client) -> None:
    rows = rich.store.select(f"SELECT ?a ?b WHERE {{ ?a <{PREFIXES['gr']}adaptedFrom> ?b }} ORDER BY ?a LIMIT 1")
    adapted, source = rows[0]["a"].value, rows[0]["b"].value
    page = get(rich_client, "/" + adapted[len(BASE):])
    assert "Adaptée de" in page and f'href="/{source[len(BASE):]}"' in page
    assert '<figure class="transfer-graph">' in page and '<figcaption id="transfer-caption">' in page
    back = get(rich_client, "/" + source[len(BASE):])
    assert "Reprise et adaptée par" in back and f'href="/{adapted[len(BASE):]}"' in back


def test_city(client: httpx.Client, rich_client: httpx.Client) -> None:
    text = get(client, "/id/city/nantes")
    assert "<h1>Nantes</h1>" in text and "<dd>France</dd>" in text
    assert " habitants (" not in text  # no population without a source for it
    casablanca = get(client, "/id/city/casablanca")
    assert f"<dd>3{NNBSP}359{NNBSP}818 habitants (2014)</dd>" in casablanca
    assert "<dd>3,359,818 inhabitants (2014)</dd>" in get(client, "/id/city/casablanca", "en")
    assert "Présidence de <a href=\"/id/organisation/aimf-commission-villes-innovantes\">" in text
    assert f'href="{PRACTICE}"' in text  # its practices
    assert re.search(r'<a href="/id/charter/nantes-metropole-cadre-de-confiance-ia">[^<]+</a> '
                     r'<span class="muted">\(adoptée en mars 2024\)</span>', text)  # known to the month: « en »
    assert text.count('class="map-marker map-focus"') == 1 and 'aria-current="page"' in text
    english = get(client, "/id/city/nantes", "en")
    assert "Chair of" in english
    assert "environ " in get(rich_client, "/id/city/gen-1")  # an approximate population says so
    assert "environ " not in get(rich_client, "/id/city/gen-2")


def test_charter_lists_its_criteria_in_order_and_who_adopted_it(client: httpx.Client) -> None:
    text = get(client, "/id/charter/nantes-metropole-cadre-de-confiance-ia")
    anchors = re.findall(r'<li id="c-nantes-metropole-cadre-de-confiance-ia-(\d+)">', text)
    assert anchors == [str(i) for i in range(1, 8)]
    assert "Pas d&#39;identification biométrique" in text and "Critère d&#39;évaluation" in text
    assert 'Adoptée par' in text and '<a href="/id/city/nantes">Nantes</a>' in text
    assert '<form class="compare-with" method="get" action="/comparer">' in text


def test_compare_two_charters(client: httpx.Client) -> None:
    text = get(client, "/comparer?" + urlencode([("a", NANTES_FRAMEWORK), ("b", MONTREAL)]))
    assert text.count('<tr class="match-close">') == 3 and text.count('<tr class="match-related">') == 5
    assert '<tr class="match-only_b">' in text  # Montréal principles with no Nantes counterpart
    assert "seulement dans B" in text and "proche" in text and "apparenté" in text
    # Each match says who asserted it, when, from what and why (its gr:CriterionMapping).
    sobriety = re.search(r'<tr class="match-close">(?:(?!</tr>).)*Sobriété énergétique(?:(?!</tr>).)*</tr>', text, re.S)
    assert sobriety, text
    row = sobriety.group(0)
    assert '<a href="/id/organisation/graphe-equipe-editoriale">Équipe éditoriale de Graphe</a>' in row
    assert "le 28 novembre 2026" in row and '<a href="/id/mapping/nantes-ia-5-montreal-10">' in row
    assert "volet environnemental" in row and '<a href="/id/source/graphe-editorial-mappings">' in row
    english = get(client, "/comparer?" + urlencode([("a", NANTES_FRAMEWORK), ("b", MONTREAL)]), lang="en")
    assert "on 28 November 2026" in english and "environmental side" in english
    turtle = client.get("/comparer?" + urlencode([("a", NANTES_FRAMEWORK), ("b", MONTREAL), ("format", "ttl")]))
    assert turtle.status_code == 200 and turtle.text.count("CriterionMapping") >= 8, turtle.text[:300]
    empty = get(client, "/comparer")
    assert "<select id=\"a\" name=\"a\">" in empty and "match-" not in empty
    wrong = get(client, "/comparer?" + urlencode([("a", NANTES_FRAMEWORK), ("b", BASE + "id/charter/nulle")]))
    assert "Choisissez deux chartes." in wrong


def test_a_match_without_its_mapping_record_says_its_provenance_is_not_recorded(
        rich: Graphe, rich_client: httpx.Client) -> None:
    """Generated charters map criteria with bare skos:closeMatch triples: the comparison flags them as
    unattributed and points to the criterion record carrying them, instead of inventing an author."""
    skos, cv = PREFIXES["skos"], PREFIXES["cv"]
    row = rich.store.select(f"""SELECT ?x ?y ?label WHERE {{ ?c <{skos}closeMatch> ?d . ?c <{cv}isDerivedFrom> ?x ;
        <{skos}prefLabel> ?label . ?d <{cv}isDerivedFrom> ?y FILTER(?x != ?y) }} ORDER BY ?c LIMIT 1""")[0]
    text = get(rich_client, "/comparer?" + urlencode([("a", row["x"].value), ("b", row["y"].value)]))
    assert "Provenance non renseignée" in text and html.escape(row["label"].value).replace("&#x27;", "&#39;") in text
    assert "/id/mapping/" not in text


def test_ai_project_shows_its_assessment_per_criterion(rich: Graphe, rich_client: httpx.Client) -> None:
    gr = PREFIXES["gr"]
    rows = rich.store.select(f"SELECT ?p (COUNT(?a) AS ?n) WHERE {{ ?a <{gr}assessedProject> ?p }} "
                             "GROUP BY ?p ORDER BY DESC(?n) ?p LIMIT 1")
    project, count = rows[0]["p"].value, int(rows[0]["n"].value)
    text = get(rich_client, "/" + project[len(BASE):])
    assert "Évaluation critère par critère" in text and "Niveau de risque" in text
    assert text.count('<tr><th scope="row"><a href="/id/criterion/') == count
    listed = get(rich_client, "/id/ai-project")
    assert f'href="/{project[len(BASE):]}"' in listed or 'rel="next"' in listed


def test_lists_are_paged_filtered_and_sorted(rich_client: httpx.Client) -> None:
    first = get(rich_client, "/id/practice")
    assert len(re.findall(r'<li><a href="/id/practice/', first)) == 20 and 'rel="next"' in first
    french = get(rich_client, "/id/practice?country=FR")
    shown = re.findall(r'<span class="muted">[^<]*· France', french)
    assert shown and len(shown) == len(re.findall(r'<li><a href="/id/practice/', french))
    csv_href = re.search(r'<link rel="alternate" type="text/csv" href="([^"]+)">', french).group(1)  # type: ignore[union-attr]
    rows = list(csv.DictReader(io.StringIO(rich_client.get(csv_href.replace("&amp;", "&")).text)))
    total = int(re.search(r'<p role="status">(\d+) résultat', french).group(1))  # type: ignore[union-attr]
    assert len(rows) == total and {r["country"] for r in rows} == {"FR"}  # the same selection, whole
    cities = get(rich_client, "/id/city?ordre=population")
    assert '<option value="population" selected>' in cities
    assert get(rich_client, "/id/charter").count('<li><a href="/id/charter/') >= 3


def test_theme_tree_and_inverse_labels(client: httpx.Client) -> None:
    text = get(client, "/id/theme")
    data = text.index('<a href="/id/theme/data">')
    open_data = text.index('<a href="/id/theme/open-data">')
    closing = text.index("</ul>", data)
    assert data < open_data < closing  # "Données ouvertes" is nested under "Données"
    generic = get(client, "/id/theme/data")
    assert "thème plus précis" in generic and "thème plus large</a>)" not in generic


def test_retired_practice_keeps_its_page_and_leaves_every_list(fresh: Graphe) -> None:
    practice = NamedNode(BASE + PRACTICE[1:])
    server = _app(fresh)
    try:
        with httpx.Client(base_url=server.url, timeout=60, headers={"Accept": BROWSER}) as c:
            assert f'href="{PRACTICE}"' in get(c, "/id/practice")
            commit(fresh, (practice, NamedNode(PREFIXES["prov"] + "invalidatedAtTime"),
                           Literal("2025-03-12T10:00:00+00:00", datatype=NamedNode(PREFIXES["xsd"] + "dateTime"))))
            page = get(c, PRACTICE)
            assert "Cette fiche a été retirée le 12 mars 2025." in page
            for path in ("/id/practice", "/id/city/nantes", "/"):
                assert f'href="{PRACTICE}"' not in get(c, path), path
    finally:
        server.stop()


def test_pages_are_kept_per_public_revision(fresh: Graphe) -> None:
    server = _app(fresh)
    try:
        with httpx.Client(base_url=server.url, timeout=60, headers={"Accept": BROWSER}) as c:
            for path in ("/", PRACTICE, "/id/city/nantes", "/id/practice"):
                get(c, path)
                before = fresh.store.queries
                get(c, path)
                assert fresh.store.queries == before, path  # kept: no store read
            name = NamedNode(PREFIXES["schema"] + "name")
            commit(fresh, (NamedNode(BASE + "id/city/nantes"), name, Literal("Naoned", language="br")),
                   (NamedNode(BASE + "id/city/nantes"), NamedNode(PREFIXES["schema"] + "alternateName"),
                    Literal("نانت", language="ar")))
            page = get(c, "/id/city/nantes")
            assert '<span lang="ar" dir="rtl" class="text">نانت</span>' in page  # a new revision, read anew
    finally:
        server.stop()


def test_hostile_values_are_escaped_and_never_links(fresh: Graphe) -> None:
    practice = NamedNode(BASE + "id/practice/hostile")
    dct, gr, schema = PREFIXES["dct"], PREFIXES["gr"], PREFIXES["schema"]
    commit(fresh,
           (practice, NamedNode(PREFIXES["rdf"] + "type"), NamedNode(gr + "Practice")),
           (practice, NamedNode(dct + "title"), Literal("<script>alert(1)</script> données", language="fr")),
           (practice, NamedNode(dct + "abstract"), Literal('"><img src=x onerror=alert(2)> données', language="fr")),
           (practice, NamedNode(gr + "city"), NamedNode(BASE + "id/city/nantes")),
           (practice, NamedNode(schema + "url"), NamedNode("javascript:alert(3)")))
    fresh.search.catch_up(fresh.store)
    server = _app(fresh)
    try:
        with httpx.Client(base_url=server.url, timeout=60, headers={"Accept": BROWSER}) as c:
            for path in ("/id/practice/hostile", "/id/city/nantes", "/id/practice", "/recherche?q=alert"):
                text = get(c, path)
                assert "<script" not in text and "<img" not in text and "javascript:" not in text, path
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in get(c, "/recherche?q=alert")
    finally:
        server.stop()


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_turtle_and_json_ld_alternates(client: httpx.Client, path: str) -> None:
    import rdflib

    text = get(client, path)
    for media, parser in (("text/turtle", "turtle"), ("application/ld+json", "json-ld")):
        href = re.search(rf'<link rel="alternate" type="{re.escape(media)}" href="([^"]+)">', text)
        assert href, (path, media)
        answer = client.get(href.group(1).replace("&amp;", "&"))
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(media), href.group(1)
        graph = rdflib.Graph().parse(data=answer.content, format=parser, publicID=BASE)
        empty = '<p role="status">0 résultat(s)</p>' in text  # (the seeds hold no AI project)
        assert len(graph) > 0 or empty, href.group(1)
        if path.startswith(("/recherche", "/comparer")) or path.count("/") == 2 and path != "/id/theme":  # lists
            shown = {BASE + u[1:] for u in Page(text).links if re.fullmatch(r"/id/[a-z-]+/[^/?#]+", u)}
            assert empty or shown & {str(s) for s in graph.subjects()}, path  # the page's resources, described


def test_lists_negotiate_rdf_at_the_same_address(client: httpx.Client) -> None:
    import rdflib

    turtle = client.get("/id/city", headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=turtle.content, format="turtle")
    assert rdflib.URIRef(BASE + "id/city/nantes") in set(graph.subjects())
    for accept in ("*/*", BROWSER, "text/html"):  # a browser, curl: the page
        assert client.get("/id/city", headers={"Accept": accept}).headers["content-type"].startswith("text/html")
    bad = client.get("/id/city?format=xls")
    assert bad.status_code == 400 and "<code>BAD_USER_INPUT</code>" in bad.text
