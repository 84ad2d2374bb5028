"""Graphe for people: the pages a city technician searches, reads and compares with.

- `/` home: the search box first, figures, latest practices, themes, the member cities on a map, links for
  developers and portals;
- `/recherche` search: hits with snippets, facets as checkboxes (a plain GET form: it works without
  JavaScript and its URL is bookmarkable), sort, pages, "did you mean";
- `/id/practice`, `/id/city`, `/id/charter`, `/id/ai-project`: lists, paged and filterable;
- the HTML of a practice, a city, a charter, an AI project and the theme scheme at their IRIs (`pages.py`
  negotiates, then asks `Site.entity_page`), and `/comparer?a=…&b=…` (two charters, criterion by criterion).

Data comes only through the read side the GraphQL API uses: the same entity reads (`entities.read_many`, kept
per public revision), the same relation patterns (`read.relations`), lists (`read.filters`, `read.listing`),
comparison (`read.reads`) and search (`search.query`). Whole pages are kept per public revision too
(`Graphe.cached`): nothing to invalidate, and a draft can never show. Endpoints are plain functions: Starlette
runs them in its thread pool, off the event loop, each under a time budget (`deadline`).
"""
from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from . import formats, html, map as world_map
from .templates import render
from ..core import deadline
from ..core.errors import GrapheError
from ..core.negotiation import MEDIA_TYPES, negotiate, page_language, weighted
from ..core.rdf import FORMATS, PREFIXES, NamedNode, Triple, serialize
from ..model.namespaces import GR, VOCABULARIES
from ..read import entities, filters, listing, reads, relations as R
from ..read.entities import Entity, pick, rank
from ..search import query as search_query
from ..service import Graphe

log = logging.getLogger(__name__)

DCT, SCHEMA, SKOS, ORG = PREFIXES["dct"], PREFIXES["schema"], PREFIXES["skos"], PREFIXES["org"]
AIRO, AIACT, DPV, OWL = PREFIXES["airo"], PREFIXES["eu-aiact"], PREFIXES["dpv"], PREFIXES["owl"]
CV, RDF_TYPE = PREFIXES["cv"], PREFIXES["rdf"] + "type"
THEMES = "id/theme"  # the theme scheme, relative to the base IRI
PAGE_TIMEOUT = 10.0  # seconds for one page's reads; most pages are kept and cost nothing
PER_PAGE = 20
MAX_PAGE = 500  # a page number beyond is refused (deep paging is for the API and the dumps)
MAX_VALUES = 20  # values per facet a search URL may select
LATEST = 6

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "tagline": "Les bonnes pratiques des villes francophones de l'AIMF : chercher, lire, comparer, reprendre.",
        "figures": "En chiffres", "latest": "Dernières pratiques publiées", "member_cities": "Les villes membres",
        "map_caption": "Carte des villes membres", "map_city": "Situation de la ville",
        "developers": "Pour les développeurs et les portails de données", "n_practices": "pratiques",
        "n_cities": "villes", "n_countries": "pays", "n_charters": "chartes et cadres",
        "results": "Résultats", "no_result": "Aucun résultat.", "did_you_mean": "Vouliez-vous dire",
        "n_results": "{n} résultat(s)", "sort": "Trier par", "relevance": "pertinence", "date": "date",
        "filter": "Filtrer", "facet_type": "Type", "facet_themes": "Thèmes", "facet_country": "Pays",
        "facet_city": "Villes", "facet_status": "Étape", "clear_filters": "Effacer les filtres",
        "previous": "Page précédente", "next": "Page suivante", "page_n": "Page {n}", "pages": "Pages",
        "type_practice": "Pratique", "type_city": "Ville", "type_charter": "Charte", "type_criterion": "Critère",
        "type_event": "Événement", "type_ai_project": "Projet d'IA", "type_action_plan": "Plan d'action",
        "type_organisation": "Organisation",
        "summary": "En bref", "problem": "Le problème et l'action", "results_h": "Résultats",
        "transferability": "Pour la reprendre ailleurs", "contact": "Contact", "website": "Site web",
        "sources": "Sources", "transfers": "Qui a repris quoi", "adapted_from": "Adaptée de",
        "adapted_by": "Reprise et adaptée par", "inspired_by": "Inspirée de", "inspired": "A inspiré",
        "no_transfer": "Aucune reprise connue pour l'instant.", "similar": "Pratiques semblables",
        "cite": "Citer, télécharger", "permalink": "Lien permanent", "csv_line": "Ligne CSV (tableur)",
        "issued": "Publiée le", "period": "Mise en œuvre", "since": "depuis", "until": "jusqu'à",
        "status": "Étape", "charters_applied": "Chartes appliquées", "city": "Ville", "country": "Pays",
        "population": "Population", "inhabitants": "{n} habitants ({year})", "approx": "environ",
        "city_practices": "Ses pratiques", "city_charters": "Chartes adoptées", "memberships": "Rôles et réseaux",
        "city_projects": "Ses projets d'IA", "administration": "Administration", "none": "Aucune pour l'instant.",
        "wikidata": "Wikidata", "criteria": "Ses critères, dans l'ordre", "adopted_by": "Adoptée par",
        "assessed": "Projets d'IA évalués selon cette charte", "verdicts": "Verdict par critère",
        "publisher": "Émise par", "version": "Version", "kind": "Nature", "compare_with": "Comparer avec",
        "compare_button": "Comparer", "charter_a": "Charte A", "charter_b": "Charte B",
        "compare_title": "Comparer deux chartes, critère par critère", "match": "Correspondance",
        "exact": "équivalent", "close": "proche", "only_a": "seulement dans A", "only_b": "seulement dans B",
        "provenance": "Établie par", "asserted_in": "fiche du critère « {name} »", "choose": "Choisissez deux chartes.",
        "purpose": "Finalité", "risk": "Niveau de risque (règlement européen sur l'IA)", "deployer": "Déployé par",
        "data_sources": "Données utilisées", "legal_basis": "Base légale", "human": "Contrôle humain",
        "impact": "Analyses d'impact", "assessments": "Évaluation critère par critère", "verdict": "Verdict",
        "justification": "Justification", "criterion": "Critère", "no_assessment": "Aucune évaluation publiée.",
        "described_by": "Fiches qui le décrivent", "list_filters": "Filtres", "order": "Ordre",
        "by_title": "titre", "by_date": "date de publication", "by_name": "nom", "by_population": "population",
        "all": "Tous", "theme_tree": "Les thèmes, du plus large au plus précis",
        "practice_count": "{n} pratique(s)", "data": "Données (RDF)", "retired": "Cette fiche a été retirée le {date}.",
        "events": "Événements", "adopted_on": "adoptée le {date}", "adopted_in": "adoptée en {date}", "role_of": "{role} de {org}",
        "definition": "Définition", "dimension": "Dimension", "criteria_of": "{n} critère(s)",
        "bad_input": "Demande invalide", "other_names": "Autres noms", "transfer_graph": "Les reprises entre villes, en schéma",
    },
    "en": {
        "tagline": "Good practices of the AIMF's francophone cities: search, read, compare, reuse.",
        "figures": "In figures", "latest": "Latest practices", "member_cities": "Member cities",
        "map_caption": "Map of the member cities", "map_city": "Where the city is",
        "developers": "For developers and data portals", "n_practices": "practices", "n_cities": "cities",
        "n_countries": "countries", "n_charters": "charters and frameworks",
        "results": "Results", "no_result": "No result.", "did_you_mean": "Did you mean",
        "n_results": "{n} result(s)", "sort": "Sort by", "relevance": "relevance", "date": "date",
        "filter": "Filter", "facet_type": "Type", "facet_themes": "Themes", "facet_country": "Country",
        "facet_city": "Cities", "facet_status": "Stage", "clear_filters": "Clear filters",
        "previous": "Previous page", "next": "Next page", "page_n": "Page {n}", "pages": "Pages",
        "type_practice": "Practice", "type_city": "City", "type_charter": "Charter", "type_criterion": "Criterion",
        "type_event": "Event", "type_ai_project": "AI project", "type_action_plan": "Action plan",
        "type_organisation": "Organisation",
        "summary": "In short", "problem": "The problem and the action", "results_h": "Results",
        "transferability": "Reusing it elsewhere", "contact": "Contact", "website": "Website",
        "sources": "Sources", "transfers": "Who reused what", "adapted_from": "Adapted from",
        "adapted_by": "Reused and adapted by", "inspired_by": "Inspired by", "inspired": "Inspired",
        "no_transfer": "No known reuse yet.", "similar": "Similar practices",
        "cite": "Cite, download", "permalink": "Permanent link", "csv_line": "CSV line (spreadsheet)",
        "issued": "Published on", "period": "Implementation", "since": "since", "until": "until",
        "status": "Stage", "charters_applied": "Charters applied", "city": "City", "country": "Country",
        "population": "Population", "inhabitants": "{n} inhabitants ({year})", "approx": "about",
        "city_practices": "Its practices", "city_charters": "Charters adopted", "memberships": "Roles and networks",
        "city_projects": "Its AI projects", "administration": "Administration", "none": "None yet.",
        "wikidata": "Wikidata", "criteria": "Its criteria, in order", "adopted_by": "Adopted by",
        "assessed": "AI projects assessed against this charter", "verdicts": "Verdict per criterion",
        "publisher": "Issued by", "version": "Version", "kind": "Kind", "compare_with": "Compare with",
        "compare_button": "Compare", "charter_a": "Charter A", "charter_b": "Charter B",
        "compare_title": "Compare two charters, criterion by criterion", "match": "Match",
        "exact": "equivalent", "close": "close", "only_a": "only in A", "only_b": "only in B",
        "provenance": "Asserted by", "asserted_in": "record of criterion “{name}”", "choose": "Choose two charters.",
        "purpose": "Purpose", "risk": "Risk level (EU AI Act)", "deployer": "Deployed by",
        "data_sources": "Data used", "legal_basis": "Legal basis", "human": "Human oversight",
        "impact": "Impact assessments", "assessments": "Assessment criterion by criterion", "verdict": "Verdict",
        "justification": "Justification", "criterion": "Criterion", "no_assessment": "No published assessment.",
        "described_by": "Records describing it", "list_filters": "Filters", "order": "Order",
        "by_title": "title", "by_date": "publication date", "by_name": "name", "by_population": "population",
        "all": "All", "theme_tree": "Themes, from the broadest to the most specific",
        "practice_count": "{n} practice(s)", "data": "Data (RDF)", "retired": "This record was retired on {date}.",
        "events": "Events", "adopted_on": "adopted on {date}", "adopted_in": "adopted in {date}", "role_of": "{role} of {org}",
        "definition": "Definition", "dimension": "Dimension", "criteria_of": "{n} criterion/criteria",
        "bad_input": "Invalid request", "other_names": "Other names", "transfer_graph": "Reuses between cities, drawn",
    },
}
FACETS = (("type", "facet_type"), ("themes", "facet_themes"), ("country", "facet_country"),
          ("city", "facet_city"), ("status", "facet_status"))
# Search URL parameters (short, French-neutral) → the search filters' fields.
_PARAMS = {"type": "types", "themes": "themes", "country": "countries", "city": "cities", "status": "statuses"}
_STATUS_CODES = {iri: code for code, iri in VOCABULARIES["LifecycleStatus"].items()}
RDF_FORMATS = ("ttl", "jsonld", "nt", "rdf")
_FORMAT_LABELS = {"ttl": "Turtle", "jsonld": "JSON-LD"}
LISTS = {  # list path → (class, title key, search type for its facet links)
    "practice": (GR.Practice, "practices"), "city": (SCHEMA + "City", "cities"),
    "charter": (GR.Charter, "charters"), "ai-project": (GR.AIProject, "ai_projects"),
}


def texts(lang: str) -> dict[str, str]:
    return {**html.TEXTS[lang], **TEXTS[lang]}


class BadInput(GrapheError):
    def __init__(self, fr: str, en: str) -> None:
        super().__init__("BAD_USER_INPUT", fr, en)


@dataclass
class Reader:
    """One request's reads at one public revision, through the cache the GraphQL API fills."""

    graphe: Graphe
    revision: int
    langs: tuple[str, ...]

    def entities(self, iris: Iterable[str], long: bool = False) -> dict[str, Entity]:
        keys = sorted({i for i in iris if i})
        if not keys:
            return {}
        found = entities.read_many(self.graphe.reads, self.revision, self.graphe.store, "entity", keys)
        out = {k: found.get(("entity", k)) for k in keys}
        out = {k: e for k, e in out.items() if e is not None and e.props}
        if long and out:
            more = entities.read_many(self.graphe.reads, self.revision, self.graphe.store, "long", list(out))
            for k, e in list(out.items()):
                extra = more.get(("long", k))
                if extra is not None and extra.props:
                    out[k] = Entity(k, {**e.props, **extra.props})
        return out

    def entity(self, iri: str, long: bool = False) -> Entity | None:
        return self.entities([iri], long).get(iri)

    def related(self, pattern: str, keys: Sequence[str]) -> dict[str, list[Entity]]:
        if not keys:
            return {}
        kind = ("related", pattern)
        found = entities.read_many(self.graphe.reads, self.revision, self.graphe.store, kind, sorted(set(keys)))
        return {k: R.live(found.get((kind, k)) or []) for k in keys}

    def name(self, entity: Entity | None) -> str | None:
        if entity is None:
            return None
        for predicate in html.LABEL_PREDICATES:
            found = entity.text(predicate, self.langs)
            if found:
                return found
        return None


# ------------------------------------------------------------------------------------------- the site

class Site:
    def __init__(self, graphe: Graphe) -> None:
        self.graphe = graphe
        self.base = graphe.settings.base_iri

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

    def page(self, request: Request, key: tuple, build: Callable[[str, Reader], str], status: int = 200,
             described: Callable[[Reader], Iterable[str]] | None = None) -> Response:
        """A page kept per public revision and language (its key names everything else it depends on). With
        `described`, the page has RDF alternates (`?format=ttl|jsonld|nt|rdf`, or an RDF type asked by name in
        `Accept`): what the published graph says of the resources it shows (without their long texts)."""
        lang = html_lang(request)
        fmt = rdf_asked(request) if described is not None else None
        if fmt is not None:
            assert described is not None
            body = self.graphe.cached(("page-rdf",) + key + (fmt,), lambda: serialize(
                described_triples(self.reader(lang), described(self.reader(lang))), FORMATS[fmt]) or b"",
                weight=lambda b: 1 + len(b) // 100)
            return Response(body, media_type=MEDIA_TYPES[fmt], headers={"Vary": "Accept"})
        body = self.graphe.cached(("page",) + key + (lang,),
                                  lambda: build(lang, self.reader(lang)).encode("utf-8"),
                                  weight=lambda b: 1 + len(b) // 100)
        return HTMLResponse(body, status_code=status, headers={"Vary": "Accept-Language", "Content-Language": lang})

    def render(self, template: str, lang: str, title: str, request_path: str, **context: Any) -> str:
        return render(template, lang=lang, t=texts(lang), title=title, alternates=context.pop("alternates", ()),
                      switch=switch_href(request_path, lang), **context)

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
        city_iris = list(self._ordered(filters.city_query((), "NAME", False, reader.langs)))
        cities = reader.entities(city_iris)
        city_countries = {e.literal(SCHEMA + "addressCountry") for e in cities.values()} - {None}
        figures = [(formats.number(totals.get(GR.Practice, 0), lang), t["n_practices"], "/id/practice"),
                   (formats.number(totals.get(SCHEMA + "City", 0), lang), t["n_cities"], "/id/city"),
                   (formats.number(len(city_countries | {str(v.value) for v, _ in countries}), lang),
                    t["n_countries"], None),
                   (formats.number(sum(totals.get(c, 0) for c in (GR.Charter,)), lang), t["n_charters"],
                    "/id/charter")]
        latest_iris = self._ordered(filters.practice_query(filters.PracticeFilter(), "ISSUED", True, reader.langs))
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
                           themes=[n for n in tree if n["count"]], cities=city_rows,
                           map=world_map.markers_view(markers), developers=dev)

    # ------------------------------------------------------------------------------------- search

    def search(self, request: Request) -> Response:
        params = request.query_params
        text = params.get("q", "")
        sort = "date" if params.get("tri") == "date" else "relevance"
        chosen = {name: tuple(dict.fromkeys(v for v in params.getlist(name) if v))[:MAX_VALUES] for name in _PARAMS}
        page_number = _page_number(params.get("page"))
        key = ("search", text, sort, tuple(sorted(chosen.items())), page_number)
        return self.page(request, key, lambda lang, reader: self._search(lang, reader, text, sort, chosen,
                                                                         page_number),
                         described=lambda reader: [h.id for h in self._search_result(text, sort, chosen,
                                                                                     page_number).hits])

    def _search_result(self, text: str, sort: str, chosen: dict[str, tuple[str, ...]],
                       page_number: int) -> search_query.Result:
        flt = search_query.Filters(
            types=chosen["type"], themes=chosen["themes"], cities=chosen["city"],
            countries=tuple(c.upper() for c in chosen["country"]),
            statuses=tuple(VOCABULARIES["LifecycleStatus"].get(s, s) for s in chosen["status"]))
        # A text too long, or too many terms: a coded 400 page (`_guard`), like the API's answer.
        return search_query.search(self.graphe.search, text, flt, (page_number - 1) * PER_PAGE, PER_PAGE, sort)

    def _search(self, lang: str, reader: Reader, text: str, sort: str, chosen: dict[str, tuple[str, ...]],
                page_number: int) -> str:
        t = texts(lang)
        result = self._search_result(text, sort, chosen, page_number)
        error = None
        shown = {h.id for h in result.hits} | {v for name in ("themes", "city", "status")
                                                 for v, _ in result.facets.get(name, [])[:30]}
        known = reader.entities(shown)
        hits = [{"href": self.href(h.id), "title": reader.name(known.get(h.id)) or h.id,
                 "type": t.get("type_" + h.type, h.type), "snippet": h.snippet, "lang": h.lang,
                 "meta": self._hit_meta(reader, known.get(h.id), lang)} for h in result.hits]

        def label(name: str, value: str) -> str:
            if name == "type":
                return t.get("type_" + value, value)
            if name == "country":
                return formats.country(value, lang)
            return reader.name(known.get(value)) or value

        def param_value(name: str, value: str) -> str:
            return _STATUS_CODES.get(value, value) if name == "status" else value

        facets = []
        for name, title_key in FACETS:
            values = result.facets.get(name, [])[:30]
            selected = set(chosen[name])
            options = [{"value": param_value(name, v), "label": label(name, v), "count": formats.number(n, lang),
                        "checked": param_value(name, v) in selected or v in selected,
                        "id": f"f-{name}-{i}"} for i, (v, n) in enumerate(values)]
            if options:
                facets.append({"name": name, "title": t[title_key], "options": options})
        state = [("q", text)] + ([("tri", "date")] if sort == "date" else []) + \
            [(name, v) for name in _PARAMS for v in chosen[name]]
        pages = _pagination(result.total, page_number, state, lang)
        suggestion = None
        if result.suggestion:
            suggestion = {"text": result.suggestion, "href": "/recherche?" + urlencode([("q", result.suggestion)])}
        title = f"{t['search']} : {text}" if lang == "fr" and text else (f"{t['search']}: {text}" if text else t["search"])
        here = "/recherche?" + urlencode(state + ([("page", str(page_number))] if page_number > 1 else []))
        return self.render("search.html", lang, title, here, alternates=self.rdf_alternates(here), q=text, sort=sort, hits=hits, total=formats.number(result.total, lang),
                           count=result.total, facets=facets, pages=pages, suggestion=suggestion, error=error,
                           any_filter=any(chosen.values()), clear_href="/recherche?" + urlencode([("q", text)]))

    def _hit_meta(self, reader: Reader, entity: Entity | None, lang: str) -> str:
        if entity is None:
            return ""
        parts = []
        city = entity.ref(GR.city) or entity.ref(AIRO + "isUsedWithinLocality")
        if city:
            found = reader.entity(city)
            parts.append(reader.name(found) or "")
            code = found.literal(SCHEMA + "addressCountry") if found else None
            if code:
                parts.append(formats.country(code, lang))
        code = entity.literal(SCHEMA + "addressCountry")
        if code:
            parts.append(formats.country(code, lang))
        issued = entity.literal(DCT + "issued")
        if issued:
            parts.append(formats.date(issued, lang))
        return " · ".join(p for p in parts if p)

    # ------------------------------------------------------------------------------------- lists

    def list_page(self, request: Request) -> Response:
        kind = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        params = request.query_params
        order = params.get("ordre", "")
        page_number = _page_number(params.get("page"))
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
        iris = self._ordered(self._list_query(reader, kind, order, chosen))
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
                    value = _STATUS_CODES.get(v.value, v.value) if name == "status" else v.value
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
        title = t[LISTS[kind][1]]
        local = "/id/" + kind
        return self.render("list.html", lang, title, local + ("?" + urlencode(state) if state else ""),
                           alternates=alternates, heading=title, rows=rows, total=formats.number(len(iris), lang), orders=orders,
                           order=order, facets=facets, action=local,
                           pages=_pagination(len(iris), page_number, state, lang, local))

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

    def _ordered(self, query: listing.ListQuery) -> tuple[str, ...]:
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
                "meta": formats.country(code, lang), "lat": _float(lat), "lon": _float(lon)}

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

    # ------------------------------------------------------------------------------------- entities

    def entity_page(self, iri: str, types: Sequence[str], lang: str, alternates: Sequence[tuple[str, str, str]],
                    local: str) -> str | None:
        """The page for people of a practice, city, charter, AI project or the theme scheme; None for other
        kinds (the generic page shows them)."""
        builders = {GR.Practice: self._practice, SCHEMA + "City": self._city, GR.Charter: self._charter,
                    GR.AIProject: self._ai_project}
        build = next((builders[k] for k in types if k in builders), None)
        if build is None and iri == self.base + THEMES:
            build = self._themes
        if build is None:
            return None
        return self.graphe.cached(("page", "entity", iri, lang),
                                  lambda: build(self.reader(lang), iri, lang, alternates, local))

    def _common(self, reader: Reader, entity: Entity, lang: str) -> dict[str, Any]:
        retired = entity.literal(R.INVALIDATED)
        sources = reader.entities(entity.refs(DCT + "source"))
        publishers = reader.entities(s.ref(DCT + "publisher") for s in sources.values() if s.ref(DCT + "publisher"))
        source_rows = []
        for s in sources.values():
            publisher = reader.name(publishers.get(s.ref(DCT + "publisher") or ""))
            issued = s.literal(DCT + "issued")
            url = s.ref(SCHEMA + "url") or s.ref(DCT + "identifier") or s.literal(SCHEMA + "url")
            source_rows.append({"title": reader.name(s) or s.iri, "href": _web(url) or self.href(s.iri),
                                "meta": " · ".join(p for p in (publisher, formats.date(issued, lang) if issued else "")
                                                   if p)})
        return {"retired": formats.date(retired, lang) if retired else None, "sources": source_rows,
                "permalink": entity.iri}

    def _practice(self, reader: Reader, iri: str, lang: str, alternates: Any, local: str) -> str:
        t = texts(lang)
        e = reader.entity(iri, long=True)
        assert e is not None
        city = reader.entity(e.ref(GR.city) or "")
        country = city.literal(SCHEMA + "addressCountry") if city else None
        themes = reader.entities(e.refs(DCT + "subject"))
        status = reader.entity(e.ref(GR.status) or "")
        charters = reader.entities(e.refs(GR.appliesCharter))
        projects = reader.entities(e.refs(GR.describesProject))
        # The transfer graph: what this practice took up, and who took it up.
        sources_of = reader.entities(e.refs(GR.adaptedFrom) + e.refs(GR.inspiredBy))
        adapted_by = reader.related(R.ADAPTATIONS, [iri])[iri]
        inspired = reader.related(R.INSPIRED, [iri])[iri]
        cities = reader.entities([p.ref(GR.city) for p in [*sources_of.values(), *adapted_by, *inspired]
                                  if p.ref(GR.city)])

        def practice_link(p: Entity) -> dict[str, str]:
            c = cities.get(p.ref(GR.city) or "")
            return {**self.link(reader, p), "city": reader.name(c) or ""}
        transfers = {
            "adapted_from": [practice_link(sources_of[i]) for i in e.refs(GR.adaptedFrom) if i in sources_of],
            "inspired_by": [practice_link(sources_of[i]) for i in e.refs(GR.inspiredBy) if i in sources_of],
            "adapted_by": [practice_link(p) for p in adapted_by], "inspired": [practice_link(p) for p in inspired]}
        similar = []
        try:
            found = search_query.similar(self.graphe.search, iri, 5) or []
            near = reader.entities(i for i, _ in found)
            similar = self.practice_cards(reader, [i for i, _ in found if i in near and not near[i].values(R.INVALIDATED)],
                                          lang)
        except GrapheError:
            pass  # the index is being rebuilt: the page goes without
        start, end = e.literal(SCHEMA + "startDate"), e.literal(SCHEMA + "endDate")
        period = ""
        if start and end:
            period = f"{formats.date(start, lang)} – {formats.date(end, lang)}"
        elif start:
            period = f"{t['since']} {formats.date(start, lang)}"
        elif end:
            period = f"{t['until']} {formats.date(end, lang)}"
        texts_ = [(key, _text(e, predicate, reader.langs)) for key, predicate in (
            ("summary", DCT + "abstract"), ("problem", DCT + "description"), ("results_h", GR.results),
            ("transferability", GR.transferability))]
        slug = local.rsplit("/", 1)[-1]
        downloads = [(label, href, media) for label, href, media in alternates] + \
            [(t["csv_line"], "/export/practices.csv?" + urlencode([("ids", iri)]), "text/csv")]
        return self.render(
            "practice.html", lang, reader.name(e) or slug, local, alternates=alternates,
            title_lang=_lang_of(e, DCT + "title", reader.langs), **self._common(reader, e, lang),
            city=self.link(reader, city) if city else None, country=formats.country(country, lang) if country else "",
            issued=formats.date(e.literal(DCT + "issued") or "", lang), period=period,
            themes=[self.link(reader, themes[i]) for i in e.refs(DCT + "subject") if i in themes],
            status=reader.name(status) or "", sections=[(t[k], v) for k, v in texts_ if v],
            contact=e.literal(SCHEMA + "email") or e.ref(SCHEMA + "email"), website=_web(e.ref(SCHEMA + "url")),
            charters=[self.link(reader, c) for c in charters.values()],
            projects=[self.link(reader, p) for p in projects.values()], transfers=transfers,
            graph=_transfer_graph(reader.name(e) or slug, reader.name(city) or "", transfers),
            similar=[s for s in similar if s["href"] != self.href(iri)][:5], downloads=downloads)

    def _city(self, reader: Reader, iri: str, lang: str, alternates: Any, local: str) -> str:
        t = texts(lang)
        e = reader.entity(iri)
        assert e is not None
        row = self.city_row(reader, e, lang)
        population = e.literal(GR.population)
        population_text = ""
        if population:
            year = e.literal(GR.populationYear) or ""
            population_text = t["inhabitants"].format(n=formats.number(population, lang), year=year)
            if e.literal(GR.populationApproximate) == "true":
                population_text = f"{t['approx']} {population_text}"
        practices = reader.related(R.CITY_PRACTICES, [iri])[iri]
        adoptions = reader.related(R.CITY_ADOPTIONS, [iri])[iri]
        charters = reader.entities(a.ref(GR.charter) for a in adoptions if a.ref(GR.charter))
        projects = reader.related(R.CITY_AI_PROJECTS, [iri])[iri]
        events = reader.related(R.CITY_EVENTS, [iri])[iri]
        administrations = reader.entities(e.refs(GR.administeredBy))
        memberships = reader.related(R.ORGANISATION_MEMBERSHIPS, list(administrations))
        roles_orgs = reader.entities([m.ref(ORG + "role") for ms in memberships.values() for m in ms
                                      if m.ref(ORG + "role")] +
                                     [m.ref(ORG + "organization") for ms in memberships.values() for m in ms
                                      if m.ref(ORG + "organization")])
        roles = []
        for org_iri, ms in memberships.items():
            for m in ms:
                role = reader.name(roles_orgs.get(m.ref(ORG + "role") or "")) or \
                    (pick(m.texts(ORG + "role"), reader.langs) or "")
                org = roles_orgs.get(m.ref(ORG + "organization") or "")
                roles.append({"member": reader.name(administrations.get(org_iri)) or "",
                              "role": role, "org": self.link(reader, org) if org else None})
        marker = [world_map.Marker(row["href"], row["name"], row["lon"], row["lat"])] \
            if row["lon"] is not None and row["lat"] is not None else []
        return self.render(
            "city.html", lang, row["name"], local, alternates=alternates, **self._common(reader, e, lang),
            country=row["meta"], population=population_text, map=world_map.markers_view(marker, focus=row["href"])
            if marker else None, practices=self.practice_cards(reader, [p.iri for p in practices], lang),
            charters=[{**self.link(reader, charters.get(a.ref(GR.charter) or "")),
                       "date": _adopted(a.literal(DCT + "date"), lang)}
                      for a in adoptions if a.ref(GR.charter) in charters],
            projects=[self.link(reader, p) for p in projects], roles=roles,
            administrations=[self.link(reader, a) for a in administrations.values()],
            events=[self.link(reader, ev) for ev in events], wikidata=_web(e.ref(SCHEMA + "sameAs")),
            other_names=[_text_value(lang_, value) for lang_, value in e.texts(SCHEMA + "alternateName")])

    def _charter(self, reader: Reader, iri: str, lang: str, alternates: Any, local: str) -> str:
        e = reader.entity(iri, long=True)
        assert e is not None
        criteria = sorted(reader.related(R.CHARTER_CRITERIA, [iri])[iri], key=rank)
        concepts = reader.entities([c.ref(GR.criterionKind) for c in criteria if c.ref(GR.criterionKind)] +
                                   [c.ref(GR.impactDimension) for c in criteria if c.ref(GR.impactDimension)] +
                                   [e.ref(GR.charterKind) or "", e.ref(DCT + "publisher") or ""])
        adoptions = reader.related(R.CHARTER_ADOPTIONS, [iri])[iri]
        adopters = reader.entities(a.ref(GR.adopter) for a in adoptions if a.ref(GR.adopter))
        assessments = reader.related(R.CRITERION_ASSESSMENTS, [c.iri for c in criteria])
        projects = reader.entities(a.ref(GR.assessedProject) for found in assessments.values() for a in found
                                   if a.ref(GR.assessedProject))
        verdicts = reader.entities(a.ref(GR.verdict) for found in assessments.values() for a in found
                                   if a.ref(GR.verdict))
        matrix = []
        for project in sorted(projects.values(), key=lambda p: (reader.name(p) or "").casefold()):
            if project.values(R.INVALIDATED):
                continue
            cells = []
            for c in criteria:
                got = next((a for a in assessments.get(c.iri, []) if a.ref(GR.assessedProject) == project.iri), None)
                cells.append(reader.name(verdicts.get(got.ref(GR.verdict) or "")) if got else "")
            matrix.append({**self.link(reader, project), "cells": cells})
        others = [c for c in self._ordered(filters.charter_query((), (), (), reader.langs)) if c != iri]
        other_names = reader.entities(others)
        return self.render(
            "charter.html", lang, reader.name(e) or iri, local, alternates=alternates,
            **self._common(reader, e, lang), description=e.text(DCT + "description", reader.langs),
            kind=reader.name(concepts.get(e.ref(GR.charterKind) or "")) or "",
            publisher=self.link(reader, concepts[e.ref(DCT + "publisher")]) if e.ref(DCT + "publisher") in concepts
            else None, issued=formats.date(e.literal(DCT + "issued") or "", lang),
            version=e.literal(OWL + "versionInfo") or "", website=_web(e.ref(SCHEMA + "url")),
            criteria=[{"id": c.literal(GR.identifier) or str(c.literal(GR.order) or ""),
                       "label": c.text(SKOS + "prefLabel", reader.langs) or c.iri, "href": self.href(c.iri),
                       "anchor": "c-" + c.iri.rsplit("/", 1)[-1],
                       "definition": c.text(SKOS + "definition", reader.langs) or "",
                       "kind": reader.name(concepts.get(c.ref(GR.criterionKind) or "")) or "",
                       "dimension": reader.name(concepts.get(c.ref(GR.impactDimension) or "")) or ""}
                      for c in criteria],
            adopted=[{**self.link(reader, adopters.get(a.ref(GR.adopter) or "")),
                      "date": _adopted(a.literal(DCT + "date"), lang),
                      "decision": a.literal(GR.decisionReference) or ""}
                     for a in adoptions if a.ref(GR.adopter) in adopters],
            matrix=matrix, iri=iri,
            others=[(o, reader.name(other_names.get(o)) or o) for o in others if o in other_names])

    def _ai_project(self, reader: Reader, iri: str, lang: str, alternates: Any, local: str) -> str:
        e = reader.entity(iri, long=True)
        assert e is not None
        assessments = reader.related(R.PROJECT_ASSESSMENTS, [iri])[iri]
        criteria = reader.entities(a.ref(GR.criterion) for a in assessments if a.ref(GR.criterion))
        charters = reader.entities(c.ref(CV + "isDerivedFrom") for c in criteria.values() if c.ref(CV + "isDerivedFrom"))
        concepts = reader.entities([a.ref(GR.verdict) or "" for a in assessments] +
                                   [e.ref(AIACT + "hasRiskLevel") or "", e.ref(GR.status) or "",
                                    e.ref(AIRO + "isUsedWithinLocality") or "", e.ref(AIRO + "isDeployedBy") or ""])
        groups: dict[str, list[dict[str, str]]] = {}
        for a in sorted(assessments, key=lambda a: rank(criteria[a.ref(GR.criterion)])
                        if a.ref(GR.criterion) in criteria else (0, a.iri)):
            c = criteria.get(a.ref(GR.criterion) or "")
            if c is None:
                continue
            groups.setdefault(c.ref(CV + "isDerivedFrom") or "", []).append({
                "criterion": c.text(SKOS + "prefLabel", reader.langs) or c.iri, "href": self.href(c.iri),
                "verdict": reader.name(concepts.get(a.ref(GR.verdict) or "")) or "",
                "justification": a.text(GR.justification, reader.langs) or ""})
        city = concepts.get(e.ref(AIRO + "isUsedWithinLocality") or "")
        deployer = concepts.get(e.ref(AIRO + "isDeployedBy") or "")
        practices = reader.related(R.PROJECT_PRACTICES, [iri])[iri]
        named = reader.entities(e.refs(DPV + "hasHumanInvolvement"))
        return self.render(
            "ai_project.html", lang, reader.name(e) or iri, local, alternates=alternates,
            **self._common(reader, e, lang), description=e.text(DCT + "description", reader.langs),
            purpose=e.text(GR.purposeDescription, reader.langs), city=self.link(reader, city) if city else None,
            deployer=self.link(reader, deployer) if deployer else None,
            risk=reader.name(concepts.get(e.ref(AIACT + "hasRiskLevel") or "")) or _tail(e.ref(AIACT + "hasRiskLevel")),
            status=reader.name(concepts.get(e.ref(GR.status) or "")) or "",
            data_sources=e.text(GR.dataSources, reader.langs), legal_basis=e.text(GR.legalBasisDescription, reader.langs),
            human=[reader.name(named.get(i)) or _tail(i) for i in e.refs(DPV + "hasHumanInvolvement")] +
            e.literals(DPV + "hasHumanInvolvement"),
            impact=[{"href": _web(i), "text": i} for i in e.refs(DPV + "hasImpactAssessment")] +
            [{"href": None, "text": v} for v in e.literals(DPV + "hasImpactAssessment")],
            groups=[(self.link(reader, charters.get(k), k), rows) for k, rows in groups.items()],
            practices=[self.link(reader, p) for p in practices])

    def _themes(self, reader: Reader, iri: str, lang: str, alternates: Any, local: str) -> str:
        t = texts(lang)
        stats = self.graphe.cached("stats", lambda: reads.stats(self.graphe.store, self.graphe.cached))
        counts = {v.value: n for v, n in stats.practice_facets.get("theme", [])}
        return self.render("themes.html", lang, t["themes"], local, alternates=alternates,
                           tree=self.theme_tree(reader, counts))

    # ------------------------------------------------------------------------------------- compare

    def compare(self, request: Request) -> Response:
        a, b = request.query_params.get("a", ""), request.query_params.get("b", "")
        return self.page(request, ("compare", a, b), lambda lang, reader: self._compare(lang, reader, a, b),
                         described=lambda reader: self._compared(reader, a, b))

    def _compared(self, reader: Reader, a: str, b: str) -> list[str]:
        """The two charters and their criteria (whose descriptions carry the matches)."""
        known = reader.entities([a, b])
        if a not in known or b not in known or not known[a].is_a(GR.Charter) or not known[b].is_a(GR.Charter):
            return []
        found = reader.related(R.CHARTER_CRITERIA, [a, b])
        return [a, b] + [c.iri for c in found[a] + found[b]]

    def _compare(self, lang: str, reader: Reader, a: str, b: str) -> str:
        t = texts(lang)
        charters = list(self._ordered(filters.charter_query((), (), (), reader.langs)))
        names = reader.entities(charters)
        choices = [(c, reader.name(names.get(c)) or c) for c in charters if c in names]
        rows, error, heads = [], None, None
        if a and b:
            if a not in names or b not in names:
                error = t["choose"]
            else:
                comparison = reads.compare_charters(self.graphe.store, a, b)
                heads = (self.link(reader, comparison.a), self.link(reader, comparison.b))
                for row in comparison.rows:
                    provenance = []
                    if row.a is not None and row.b is not None:
                        for holder, other in ((row.a, row.b), (row.b, row.a)):
                            if other.iri in holder.refs(SKOS + "exactMatch") + holder.refs(SKOS + "closeMatch"):
                                provenance.append({"href": self.href(holder.iri), "text": t["asserted_in"].format(
                                    name=holder.text(SKOS + "prefLabel", reader.langs) or holder.iri)})
                    match = {"EXACT": "exact", "CLOSE": "close"}.get(row.match or "", "only_a" if row.b is None
                                                                   else "only_b")
                    rows.append({"a": _criterion_cell(self, reader, row.a), "b": _criterion_cell(self, reader, row.b),
                                 "match": match, "match_text": t[match], "provenance": provenance})
        elif a or b:
            error = t["choose"]
        here = "/comparer?" + urlencode([("a", a), ("b", b)])
        return self.render("compare.html", lang, t["compare_title"], here,
                           alternates=self.rdf_alternates(here) if heads else (), choices=choices, a=a, b=b, rows=rows, heads=heads, error=error)


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


def described_triples(reader: Reader, iris: Iterable[str]) -> list[Triple]:
    """What the published graph says of `iris` (their kept entities, long texts aside), as triples."""
    out = []
    for iri, entity in reader.entities(list(iris)).items():
        subject = NamedNode(iri)
        for predicate, values in entity.props.items():
            p = NamedNode(predicate)
            out.extend(Triple(subject, p, value) for value in values)
    return out


def _criterion_cell(site: Site, reader: Reader, c: Entity | None) -> dict[str, str] | None:
    if c is None:
        return None
    return {"href": site.href(c.iri), "label": c.text(SKOS + "prefLabel", reader.langs) or c.iri,
            "id": c.literal(GR.identifier) or str(c.literal(GR.order) or ""),
            "definition": c.text(SKOS + "definition", reader.langs) or ""}


def _transfer_graph(name: str, city: str, transfers: dict[str, list[dict[str, str]]]) -> dict[str, Any] | None:
    """Boxes and arrows for the transfer graph: sources on the left, this practice in the middle, the
    practices that took it up on the right (an SVG drawn by the template; the lists beside it say the same)."""
    left = transfers["adapted_from"] + transfers["inspired_by"]
    right = transfers["adapted_by"] + transfers["inspired"]
    if not left and not right:
        return None
    rows = max(len(left), len(right), 1)
    height = 20 + rows * 60

    def column(items: list[dict[str, str]], x: int) -> list[dict[str, Any]]:
        step = height / (len(items) + 1)
        return [{**item, "x": x, "y": round(step * (i + 1) - 20), "label": _short(item["city"] or item["text"])}
                for i, item in enumerate(items)]
    return {"height": height, "left": column(left, 10), "right": column(right, 430),
            "centre": {"x": 220, "y": round(height / 2 - 20), "label": _short(city or name)}}


def _short(text: str, size: int = 22) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _text(entity: Entity, predicate: str, langs: Sequence[str]) -> dict[str, str] | None:
    """A text in the reader's language (or the first there is), with its language and direction."""
    found = entity.texts(predicate)
    if not found:
        return None
    for want in langs:
        for lang, value in found:
            if lang == want or lang.startswith(want + "-"):
                return _text_value(lang, value)
    return _text_value(*found[0])


def _adopted(value: str | None, lang: str) -> str:
    """« adoptée le 12 mars 2024 », « adoptée en mars 2024 » (a date known to the month or the year)."""
    if not value:
        return ""
    return texts(lang)["adopted_on" if len(value) >= 10 else "adopted_in"].format(date=formats.date(value, lang))


def _text_value(lang: str, value: str) -> dict[str, str]:
    return {"text": value, "lang": lang, "dir": "rtl" if lang.split("-")[0].lower() in html.RTL else ""}


def _web(url: str | None) -> str | None:
    """Only web addresses become links (a `javascript:` or `data:` IRI in the data stays text, or nothing)."""
    return url if url and url.lower().startswith(("https://", "http://")) else None


def _lang_of(entity: Entity, predicate: str, langs: Sequence[str]) -> dict[str, str]:
    found = _text(entity, predicate, langs)
    return {"lang": found["lang"], "dir": found["dir"]} if found else {"lang": "", "dir": ""}


def _tail(iri: str | None) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if iri else ""


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _page_number(raw: str | None) -> int:
    if raw is None or raw == "":
        return 1
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise BadInput(f"« page » : un nombre entier entre 1 et {MAX_PAGE}.",
                       f"'page': an integer between 1 and {MAX_PAGE}.")
    return int(raw)


def _pagination(total: int, current: int, state: list[tuple[str, str]], lang: str,
                path: str = "/recherche") -> dict[str, Any] | None:
    t = texts(lang)
    last = min(MAX_PAGE, max(1, math.ceil(total / PER_PAGE)))
    if last == 1:
        return None

    def href(n: int) -> str:
        return path + "?" + urlencode(state + ([("page", str(n))] if n > 1 else []))
    numbers = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
    return {"previous": href(current - 1) if current > 1 else None,
            "next": href(current + 1) if current < last else None,
            "numbers": [{"n": n, "href": href(n), "current": n == current, "label": t["page_n"].format(n=n)}
                        for n in numbers]}


def html_lang(request: Request) -> str:
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
        lang = html_lang(request)
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
        Route("/recherche", _guard(site.search), methods=["GET", "HEAD"], name="search"),
        Route("/comparer", _guard(site.compare), methods=["GET", "HEAD"], name="compare"),
        *(Route(f"/id/{kind}", _guard(site.list_page), methods=["GET", "HEAD"], name=f"list-{kind}")
          for kind in LISTS),
    ]
