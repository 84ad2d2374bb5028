"""`/recherche`: the full-text search page — hits with their city, country and date, facets to narrow
them, a spelling suggestion, pages — through `search.query`, kept per public revision like every page
(`Site.page`)."""
from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from . import formats
from . import paging
from .paging import MAX_VALUES, PER_PAGE, STATUS_CODES
from .reading import Reader
from .site_texts import texts
from ..core.rdf import PREFIXES
from ..model.namespaces import GR, VOCABULARIES
from ..read.entities import Entity
from ..search import query as search_query

if TYPE_CHECKING:
    from .site import Site

DCT, SCHEMA, AIRO = PREFIXES["dct"], PREFIXES["schema"], PREFIXES["airo"]
FACETS = (("type", "facet_type"), ("themes", "facet_themes"), ("country", "facet_country"),
          ("city", "facet_city"), ("status", "facet_status"))
# Search URL parameters (short, French-neutral), one per facet.
_PARAMS = tuple(name for name, _ in FACETS)


class SearchPage:
    def __init__(self, site: Site) -> None:
        self.site = site

    def search(self, request: Request) -> Response:
        params = request.query_params
        text = params.get("q", "")
        sort = "date" if params.get("tri") == "date" else "relevance"
        chosen = {name: tuple(dict.fromkeys(v for v in params.getlist(name) if v))[:MAX_VALUES] for name in _PARAMS}
        page_number = paging.page_number(params.get("page"))
        key = ("search", text, sort, tuple(sorted(chosen.items())), page_number)
        return self.site.page(request, key, lambda lang, reader: self._search(lang, reader, text, sort, chosen,
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
        return search_query.search(self.site.graphe.search, text, flt, (page_number - 1) * PER_PAGE, PER_PAGE, sort)

    def _search(self, lang: str, reader: Reader, text: str, sort: str, chosen: dict[str, tuple[str, ...]],
                page_number: int) -> str:
        t = texts(lang)
        result = self._search_result(text, sort, chosen, page_number)
        shown = {h.id for h in result.hits} | {v for name in ("themes", "city", "status")
                                                 for v, _ in result.facets.get(name, [])[:30]}
        known = reader.entities(shown)
        hits = [{"href": self.site.href(h.id), "title": reader.name(known.get(h.id)) or h.id,
                 "type": t.get("type_" + h.type, h.type), "snippet": h.snippet, "lang": h.lang,
                 "meta": self._hit_meta(reader, known.get(h.id), lang)} for h in result.hits]

        def label(name: str, value: str) -> str:
            if name == "type":
                return t.get("type_" + value, value)
            if name == "country":
                return formats.country(value, lang)
            return reader.name(known.get(value)) or value

        def param_value(name: str, value: str) -> str:
            return STATUS_CODES.get(value, value) if name == "status" else value

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
        pages = paging.pagination(result.total, page_number, state, lang)
        suggestion = None
        if result.suggestion:
            suggestion = {"text": result.suggestion, "href": "/recherche?" + urlencode([("q", result.suggestion)])}
        colon = " : " if lang == "fr" else ": "
        title = t["search"] + colon + text if text else t["search"]
        here = "/recherche?" + urlencode(state + ([("page", str(page_number))] if page_number > 1 else []))
        return self.site.render("search.html", lang, title, here, alternates=self.site.rdf_alternates(here), q=text,
                           sort=sort, hits=hits, total=formats.number(result.total, lang),
                           count=result.total, facets=facets, pages=pages, suggestion=suggestion,
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
