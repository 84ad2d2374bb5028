"""Graphe for people: the pages a city technician searches, reads and compares with.

- `/` home: the search box first, figures, latest practices, themes, the member cities on a map, links for
  developers and portals;
- `/recherche` search (`search_page.py`; paging shared with the lists in `paging.py`): hits with snippets, facets as checkboxes (a plain GET form: it works without
  JavaScript and its URL is bookmarkable), sort, pages, "did you mean";
- `/id/practice`, `/id/city`, `/id/charter`, `/id/ai-project`: lists, paged and filterable;
- `/comparer?a=…&b=…`: two charters, criterion by criterion, with who asserted each match (`comparison.py`);
- the HTML of a practice, a city, a charter, an AI project and the theme scheme at their IRIs: `pages.py`
  negotiates, then asks `Site.entity_page` (`entity_pages.py`).

What pages say is in `site_texts.py`; how they read (one request at one revision), in `reading.py`.

Data comes only through the read side the GraphQL API uses: the same entity reads (`entities.read_many`, kept
per public revision), the same relation patterns (`read.relations`), lists (`read.filters`, `read.listing`),
comparison (`read.reads`) and search (`search.query`). Whole pages are kept per public revision too
(`Graphe.cached`): nothing to invalidate, and a draft can never show. Endpoints are plain functions: Starlette
runs them in its thread pool, off the event loop, each under a time budget (`deadline`).
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from . import formats, html, map as world_map
from .comparison import Comparison
from . import paging
from .paging import MAX_VALUES, PER_PAGE, STATUS_CODES, BadInput
from .search_page import SearchPage
from .entity_pages import EntityPages
from .reading import Reader, described_triples, to_float
from .site_texts import texts
from .templates import render
from ..core import deadline
from ..core.errors import GrapheError
from ..core.negotiation import MEDIA_TYPES, negotiate, page_language, weighted
from ..core.rdf import FORMATS, PREFIXES, serialize
from ..model.namespaces import GR, VOCABULARIES
from ..publishing.feed import feed_path
from ..read import entities, filters, listing, reads, relations as R
from ..read.entities import Entity, pick
from ..service import Graphe

log = logging.getLogger(__name__)

DCT, SCHEMA, SKOS, ORG = PREFIXES["dct"], PREFIXES["schema"], PREFIXES["skos"], PREFIXES["org"]
AIRO, AIACT, DPV, OWL = PREFIXES["airo"], PREFIXES["eu-aiact"], PREFIXES["dpv"], PREFIXES["owl"]
CV, RDF_TYPE = PREFIXES["cv"], PREFIXES["rdf"] + "type"
PAGE_TIMEOUT = 10.0  # seconds for one page's reads; most pages are kept and cost nothing
LATEST = 6

RDF_FORMATS = ("ttl", "jsonld", "nt", "rdf")
_FORMAT_LABELS = {"ttl": "Turtle", "jsonld": "JSON-LD"}
LISTS = {"practice": "practices", "city": "cities", "charter": "charters", "ai-project": "ai_projects"}  # → title


# ------------------------------------------------------------------------------------------- the site

class Site:
    def __init__(self, graphe: Graphe) -> None:
        self.graphe = graphe
        self.base = graphe.settings.base_iri
        self.entity_pages = EntityPages(self)
        self.comparison = Comparison(self)
        self.searching = SearchPage(self)
        self.entity_page = self.entity_pages.page

    # ------------------------------------------------------------------------------------- plumbing

    def reader(self, lang: str) -> Reader:
        return Reader(self.graphe, self.graphe.store.revision().number, entities.preferences((lang,)))

    def href(self, iri: str) -> str:
        """The local page of a Graphe IRI (other IRIs: themselves)."""
        if iri.startswith(self.base + "id/"):
            return html.url_path("/" + iri[len(self.base):])
        return iri

    def link(self, reader: Reader, entity: Entity | None, iri: str | None = None) -> dict[str, str]:
        iri = entity.iri if entity is not None else (iri or "")
        return {"href": self.href(iri), "text": reader.name(entity) or iri.rsplit("/", 1)[-1]}

    def page(self, request: Request, key: tuple, build: Callable[[str, Reader], str],
             described: Callable[[Reader], Iterable[str]] | None = None) -> Response:
        """A page kept per public revision and language (its key names everything else it depends on). With
        `described`, the page has RDF alternates (`?format=ttl|jsonld|nt|rdf`, or an RDF type asked by name in
        `Accept`): what the published graph says of the resources it shows (without their long texts)."""
        lang = reader_language(request)
        fmt = rdf_asked(request) if described is not None else None
        if fmt is not None:
            assert described is not None
            def rdf() -> bytes:
                reader = self.reader(lang)
                return serialize(described_triples(reader, described(reader)), FORMATS[fmt]) or b""
            body = self.graphe.cached(("page-rdf",) + key + (fmt,), rdf, weight=lambda b: 1 + len(b) // 100)
            return Response(body, media_type=MEDIA_TYPES[fmt], headers={"Vary": "Accept"})
        body = self.graphe.cached(("page",) + key + (lang,),
                                  lambda: build(lang, self.reader(lang)).encode("utf-8"),
                                  weight=lambda b: 1 + len(b) // 100)
        return HTMLResponse(body, headers={"Vary": "Accept-Language", "Content-Language": lang})

    def render(self, template: str, lang: str, title: str, request_path: str, **context: Any) -> str:
        return render(template, lang=lang, t=texts(lang), title=title, alternates=context.pop("alternates", ()),
                      feeds=context.pop("feeds", ()), switch=switch_href(request_path, lang), **context)

    def feeds(self, lang: str, *wanted: tuple[str, str]) -> list[tuple[str, str]]:
        """(title, href) of Atom feeds for a page's <head>: ("all", ""), ("theme"|"city", slug), ("country", code)."""
        what = {"all": ("pratiques nouvelles et mises à jour", "new and updated practices"),
                "theme": ("pratiques du thème", "practices of the theme"), "city": ("pratiques de la ville",
                "practices of the city"), "country": ("pratiques du pays", "practices of the country")}
        return [(("Flux Atom : " if lang == "fr" else "Atom feed: ") + what[kind][lang != "fr"],
                 html.url_path("/" + feed_path(kind, key))) for kind, key in wanted]

    @staticmethod
    def rdf_alternates(path: str) -> list[tuple[str, str, str]]:
        """Links to the RDF of a page (`path` with its query), one per format."""
        glue = "&" if "?" in path else "?"
        return [(_FORMAT_LABELS[n], path + glue + "format=" + n, MEDIA_TYPES[n]) for n in ("ttl", "jsonld")]

    # ------------------------------------------------------------------------------------- home

    def home(self, request: Request) -> Response:
        return self.page(request, ("home",), self._home)

    def _home(self, lang: str, reader: Reader) -> str:
        t = texts(lang)
        stats = self.graphe.cached("stats", lambda: reads.stats(self.graphe.store, self.graphe.cached))
        totals = stats.totals
        countries = stats.practice_facets.get("country", [])
        city_iris = list(self.ordered(filters.city_query((), "NAME", False, reader.langs)))
        cities = reader.entities(city_iris)
        city_countries = {e.literal(SCHEMA + "addressCountry") for e in cities.values()} - {None}
        figures = [(formats.number(totals.get(GR.Practice, 0), lang), t["n_practices"], "/id/practice"),
                   (formats.number(totals.get(SCHEMA + "City", 0), lang), t["n_cities"], "/id/city"),
                   (formats.number(len(city_countries | {str(v.value) for v, _ in countries}), lang),
                    t["n_countries"], None),
                   (formats.number(sum(totals.get(c, 0) for c in (GR.Charter,)), lang), t["n_charters"],
                    "/id/charter")]
        latest_iris = self.ordered(filters.practice_query(filters.PracticeFilter(), "ISSUED", True, reader.langs))
        latest = self.practice_cards(reader, list(latest_iris[:LATEST]), lang)
        theme_counts = {v.value: n for v, n in stats.practice_facets.get("theme", [])}
        tree = self.theme_tree(reader, theme_counts)
        city_rows = [self.city_row(reader, cities[i], lang) for i in city_iris if i in cities]
        markers = [world_map.Marker(r["href"], r["name"], r["lon"], r["lat"]) for r in city_rows
                   if r["lon"] is not None and r["lat"] is not None]
        dev = [(href, label[0 if lang == "fr" else 1]) for href, label in DEVELOPER_LINKS]
        alternates = [("DCAT-AP (Turtle)", "/catalog?format=ttl", "text/turtle"),
                      ("DCAT-AP (JSON-LD)", "/catalog?format=jsonld", "application/ld+json")]
        return self.render("home.html", lang, "Graphe", "/", alternates=alternates, figures=figures, latest=latest,
                           feeds=self.feeds(lang, ("all", "")),
                           themes=[n for n in tree if n["count"]], cities=city_rows,
                           map=world_map.markers_view(markers), developers=dev)

    # ------------------------------------------------------------------------------------- lists

    def list_page(self, request: Request) -> Response:
        kind = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        params = request.query_params
        order = params.get("ordre", "")
        page_number = paging.page_number(params.get("page"))
        chosen = {name: tuple(dict.fromkeys(v for v in params.getlist(name) if v))[:MAX_VALUES]
                  for name in ("themes", "country", "status")}
        key = ("list", kind, order, tuple(sorted(chosen.items())), page_number)
        return self.page(request, key, lambda lang, reader: self._list(lang, reader, kind, order, chosen,
                                                                       page_number),
                         described=lambda reader: self._list_window(reader, kind, order, chosen, page_number)[1].iris)

    def _list_query(self, reader: Reader, kind: str, order: str, chosen: dict[str, tuple[str, ...]]) -> listing.ListQuery:
        if kind == "practice":
            flt = filters.PracticeFilter(
                themes=chosen["themes"], countries=chosen["country"],
                statuses=tuple(s for s in chosen["status"] if s in VOCABULARIES["LifecycleStatus"]))
            return filters.practice_query(flt, "ISSUED" if order == "date" else "TITLE", order == "date", reader.langs)
        if kind == "city":
            return filters.city_query(chosen["country"], "POPULATION" if order == "population" else "NAME",
                                      order == "population", reader.langs)
        if kind == "charter":
            return filters.charter_query((), (), (), reader.langs)
        return filters.ai_project_query((), (), (), (), reader.langs)

    def _list_window(self, reader: Reader, kind: str, order: str, chosen: dict[str, tuple[str, ...]],
                     page_number: int) -> tuple[tuple[str, ...], listing.Page]:
        iris = self.ordered(self._list_query(reader, kind, order, chosen))
        return iris, listing.page(iris, (page_number - 1) * PER_PAGE, PER_PAGE)

    def _list(self, lang: str, reader: Reader, kind: str, order: str, chosen: dict[str, tuple[str, ...]],
              page_number: int) -> str:
        t = texts(lang)
        orders: list[tuple[str, str]] = []
        facets: list[dict[str, Any]] = []
        query = self._list_query(reader, kind, order, chosen)
        if kind == "practice":
            orders = [("", t["by_title"]), ("date", t["by_date"])]
            found = self.graphe.cached(("facets", query), lambda: listing.facets(
                self.graphe.store, query, filters.PRACTICE_FACETS, self.graphe.cached))
            names = reader.entities(v.value for v, _ in found["theme"] + found["status"])
            for name, key, values in (("themes", "facet_themes", found["theme"]),
                                      ("country", "facet_country", found["country"]),
                                      ("status", "facet_status", found["status"])):
                options = []
                for i, (v, n) in enumerate(values[:30]):
                    value = STATUS_CODES.get(v.value, v.value) if name == "status" else v.value
                    text = formats.country(v.value, lang) if name == "country" else \
                        (reader.name(names.get(v.value)) or v.value)
                    options.append({"value": value, "label": text, "count": formats.number(n, lang),
                                    "checked": value in chosen[name], "id": f"f-{name}-{i}"})
                if options:
                    facets.append({"name": name, "title": t[key], "options": options})
        elif kind == "city":
            orders = [("", t["by_name"]), ("population", t["by_population"])]
        iris, window = self._list_window(reader, kind, order, chosen, page_number)
        if kind == "practice":
            rows = self.practice_cards(reader, window.iris, lang)
        else:
            found = reader.entities(window.iris)
            rows = [self._row(reader, kind, found[i], lang) for i in window.iris if i in found]
        state = ([("ordre", order)] if order else []) + [(n, v) for n in chosen for v in chosen[n]]
        here = local_path = "/id/" + kind
        if state or page_number > 1:
            here = local_path + "?" + urlencode(state + ([("page", str(page_number))] if page_number > 1 else []))
        alternates = self.rdf_alternates(here)
        if kind == "practice":  # the same selection, whole, for a spreadsheet (GraphQL's filters, same names)
            same = [("themes", v) for v in chosen["themes"]] + [("countries", v) for v in chosen["country"]] + \
                [("statuses", v) for v in chosen["status"]]
            alternates.append(("CSV", "/export/practices.csv" + ("?" + urlencode(same) if same else ""), "text/csv"))
        title = t[LISTS[kind]]
        local = "/id/" + kind
        feeds = self.feeds(lang, ("all", "")) if kind == "practice" else []
        themes, countries = chosen["themes"], chosen["country"]  # one theme or country chosen: its feed too
        if feeds and len(themes) == 1 and themes[0].startswith(self.base + "id/theme/"):
            feeds += self.feeds(lang, ("theme", themes[0].rsplit("/", 1)[-1]))
        if feeds and len(countries) == 1 and re.fullmatch(r"[A-Za-z]{2}", countries[0]):
            feeds += self.feeds(lang, ("country", countries[0].upper()))
        return self.render("list.html", lang, title, local + ("?" + urlencode(state) if state else ""),
                           alternates=alternates, heading=title, rows=rows, total=formats.number(len(iris), lang), orders=orders,
                           feeds=feeds,
                           order=order, facets=facets, action=local,
                           pages=paging.pagination(len(iris), page_number, state, lang, local))

    def _row(self, reader: Reader, kind: str, entity: Entity, lang: str) -> dict[str, Any]:
        if kind == "city":
            row = self.city_row(reader, entity, lang)
            return {"href": row["href"], "title": row["name"], "meta": row["meta"], "summary": ""}
        meta = []
        if kind == "charter":
            publisher = entity.ref(DCT + "publisher")
            if publisher:
                meta.append(reader.name(reader.entity(publisher)) or "")
            issued = entity.literal(DCT + "issued")
            if issued:
                meta.append(formats.date(issued, lang))
        else:
            city = entity.ref(AIRO + "isUsedWithinLocality")
            if city:
                meta.append(reader.name(reader.entity(city)) or "")
        return {"href": self.href(entity.iri), "title": reader.name(entity) or entity.iri,
                "meta": " · ".join(m for m in meta if m), "summary": entity.text(DCT + "abstract", reader.langs) or ""}

    def ordered(self, query: listing.ListQuery) -> tuple[str, ...]:
        graphe = self.graphe
        return graphe.cached(("list", query), lambda: listing.ordered(graphe.store, query, graphe.cached),
                             weight=lambda iris: 1 + len(iris) // 12)

    def practice_cards(self, reader: Reader, iris: Sequence[str], lang: str) -> list[dict[str, Any]]:
        found = reader.entities(iris)
        cities = reader.entities(e.ref(GR.city) for e in found.values() if e.ref(GR.city))
        cards = []
        for iri in iris:
            e = found.get(iri)
            if e is None:
                continue
            city = cities.get(e.ref(GR.city) or "")
            meta = [reader.name(city) or ""]
            code = city.literal(SCHEMA + "addressCountry") if city else None
            if code:
                meta.append(formats.country(code, lang))
            issued = e.literal(DCT + "issued")
            if issued:
                meta.append(formats.date(issued, lang))
            cards.append({"href": self.href(iri), "title": reader.name(e) or iri,
                          "summary": e.text(DCT + "abstract", reader.langs) or "",
                          "meta": " · ".join(m for m in meta if m)})
        return cards

    def city_row(self, reader: Reader, city: Entity, lang: str) -> dict[str, Any]:
        code = city.literal(SCHEMA + "addressCountry") or ""
        lat, lon = city.literal(SCHEMA + "latitude"), city.literal(SCHEMA + "longitude")
        return {"href": self.href(city.iri), "name": reader.name(city) or city.iri,
                "meta": formats.country(code, lang), "lat": to_float(lat), "lon": to_float(lon)}

    def theme_tree(self, reader: Reader, counts: dict[str, int]) -> list[dict[str, Any]]:
        """Themes from the broadest down (each node: href, name, count with its narrower themes', children)."""
        themes = {e.iri: e for e in self.graphe.cached("themes", lambda: reads.theme_entities(self.graphe.store))
                  if not e.values(R.INVALIDATED)}
        children: dict[str | None, list[str]] = {}
        for iri, e in themes.items():
            parent = next((b for b in e.refs(SKOS + "broader") if b in themes), None)
            children.setdefault(parent, []).append(iri)

        def node(iri: str) -> dict[str, Any]:
            kids = sorted((node(k) for k in children.get(iri, [])), key=lambda n: n["name"].casefold())
            return {"href": self.href(iri), "iri": iri, "search": "/recherche?" + urlencode([("themes", iri)]),
                    "name": pick(themes[iri].texts(SKOS + "prefLabel"), reader.langs) or iri,
                    "own": counts.get(iri, 0), "count": counts.get(iri, 0) + sum(k["count"] for k in kids),
                    "children": kids}
        return sorted((node(i) for i in children.get(None, [])), key=lambda n: n["name"].casefold())

def rdf_asked(request: Request) -> str | None:
    """An RDF format for a page for people: `?format=` (ttl, jsonld, nt, rdf), or an RDF media type named in
    `Accept` and preferred there to HTML (a browser's `*/*` keeps the page: HTML is what these addresses are)."""
    asked = request.query_params.get("format")
    if asked is not None:
        if asked not in RDF_FORMATS:
            raise BadInput(f"« format » : {', '.join(RDF_FORMATS)}.", f"'format': {', '.join(RDF_FORMATS)}.")
        return asked
    accept = request.headers.get("accept")
    chosen = negotiate(accept)
    named = {v for v, q in weighted(accept) if q > 0}
    return chosen if chosen in RDF_FORMATS and MEDIA_TYPES[chosen] in named else None


def reader_language(request: Request) -> str:
    """`fr` or `en`: `?lang=`, else the first of them in `Accept-Language` (by q), else French."""
    return page_language(request.query_params.get("lang"), request.headers.get("accept-language"))


def switch_href(path: str, lang: str) -> str:
    """The same page in the other language (`lang=` replaced)."""
    other = "fr" if lang == "en" else "en"
    base, _, query = path.partition("?")
    kept = [p for p in query.split("&") if p and not p.startswith("lang=")]
    return base + "?" + "&".join(kept + [f"lang={other}"])


DEVELOPER_LINKS = [
    ("/graphql", ("GraphQL (GraphiQL dans le navigateur)", "GraphQL (GraphiQL in the browser)")),
    ("/sparql", ("Point d'accès SPARQL 1.1", "SPARQL 1.1 endpoint")),
    ("/catalog", ("Catalogue DCAT-AP", "DCAT-AP catalogue")),
    ("/export/graphe.ttl", ("Export complet (Turtle ; aussi .nt, .jsonld, .rdf, .gz)",
                            "Full dump (Turtle; also .nt, .jsonld, .rdf, .gz)")),
    ("/export/practices.csv", ("Les pratiques en CSV", "Practices as CSV")),
    ("/def", ("L'ontologie Graphe", "The Graphe ontology")),
    ("/changes", ("Les changements publiés (JSON)", "Published changes (JSON)")),
]


def _guard(endpoint: Callable[[Request], Response]) -> Callable[[Request], Response]:
    """Under a time budget; a bad input or a timeout is a French-first page with its code, never a trace."""
    def guarded(request: Request) -> Response:
        lang = reader_language(request)
        try:
            with deadline.budget(PAGE_TIMEOUT):
                return endpoint(request)
        except GrapheError as error:
            status = error.details.get("status", 400) if isinstance(error.details, dict) else 400
            title = texts(lang)["bad_input"] if status == 400 else f"{'Erreur' if lang == 'fr' else 'Error'} {status}"
            return HTMLResponse(html.message_page(title, [error.text(lang)], lang, code=error.code,
                                                  links=[("/", texts(lang)["home"])]), status_code=status)
        except Exception:  # noqa: BLE001 — logged, then masked
            log.exception("page %s failed", request.url.path)
            error = GrapheError("INTERNAL_ERROR", "Erreur interne ; elle a été journalisée.",
                                "Internal error; it has been logged.")
            return HTMLResponse(html.message_page(f"{'Erreur' if lang == 'fr' else 'Error'} 500", [error.text(lang)],
                                                  lang, code=error.code), status_code=500)
    return guarded


def routes(site: Site) -> list[BaseRoute]:
    """The pages for people (the entity pages are reached through `pages.py`'s negotiation)."""
    return [
        Route("/", _guard(site.home), methods=["GET", "HEAD"], name="home"),
        Route("/recherche", _guard(site.searching.search), methods=["GET", "HEAD"], name="search"),
        Route("/comparer", _guard(site.comparison.compare), methods=["GET", "HEAD"], name="compare"),
        *(Route(f"/id/{kind}", _guard(site.list_page), methods=["GET", "HEAD"], name=f"list-{kind}")
          for kind in LISTS),
    ]
