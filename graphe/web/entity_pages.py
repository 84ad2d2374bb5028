"""The pages for people of a practice, a city, a charter, an AI project and the theme scheme, at their IRIs
(`pages.py` negotiates, then asks `EntityPages.page`; other kinds keep the generic page). Each is kept per
public revision and language."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from . import formats, html, map as world_map
from .reading import Reader
from .site_texts import texts
from ..core.errors import GrapheError
from ..core.rdf import PREFIXES
from ..model import practice
from ..model.namespaces import GR
from ..model.records import record_order
from ..publishing import documents
from ..read import filters, reads, relations as R
from ..read.entities import Entity, pick, rank
from ..search import query as search_query

if TYPE_CHECKING:
    from .site import Site

DCT, SCHEMA, SKOS, ORG = PREFIXES["dct"], PREFIXES["schema"], PREFIXES["skos"], PREFIXES["org"]
DCAT = PREFIXES["dcat"]
AIRO, AIACT, DPV, OWL, CV = (PREFIXES[p] for p in ("airo", "eu-aiact", "dpv", "owl", "cv"))
THEMES = "id/theme"  # the theme scheme, relative to the base IRI


class EntityPages:
    def __init__(self, site: Site) -> None:
        self.site = site

    def page(self, iri: str, types: Sequence[str], lang: str, alternates: Sequence[tuple[str, str, str]],
                    local: str) -> str | None:
        """The page for people of a practice, city, charter, AI project or the theme scheme; None for other
        kinds (the generic page shows them)."""
        builders = {GR.Practice: self._practice, SCHEMA + "City": self._city, GR.Charter: self._charter,
                    GR.AIProject: self._ai_project}
        build = next((builders[k] for k in types if k in builders), None)
        if build is None and iri == self.site.base + THEMES:
            build = self._themes
        if build is None:
            return None
        return self.site.graphe.cached(("page", "entity", iri, lang),
                                  lambda: build(self.site.reader(lang), iri, lang, alternates, local))

    def _common(self, reader: Reader, entity: Entity, lang: str) -> dict[str, Any]:
        retired = entity.literal(R.INVALIDATED)
        sources = reader.entities(entity.refs(DCT + "source"))
        publishers = reader.entities(s.ref(DCT + "publisher") for s in sources.values() if s.ref(DCT + "publisher"))
        source_rows = []
        for s in sources.values():
            publisher = reader.name(publishers.get(s.ref(DCT + "publisher") or ""))
            issued = s.literal(DCT + "issued")
            url = s.ref(SCHEMA + "url") or s.ref(DCT + "identifier") or s.literal(SCHEMA + "url")
            source_rows.append({"title": reader.name(s) or s.iri, "href": web_link(url) or self.site.href(s.iri),
                                "meta": " · ".join(p for p in (publisher, formats.date(issued, lang) if issued else "")
                                                   if p)})
        return {"retired": formats.date(retired, lang) if retired else None, "sources": source_rows,
                "permalink": entity.iri, "documents": self._documents(reader, entity, lang)}

    def _documents(self, reader: Reader, entity: Entity, lang: str) -> list[dict[str, str]]:
        """The documents a record carries: title, type, size, language, and the download link."""
        found = reader.entities(entity.refs(GR.document))
        rows = []
        for d in (found[i] for i in entity.refs(GR.document) if i in found):
            url = d.ref(DCAT + "downloadURL") or ""
            size = d.literal(DCAT + "byteSize")
            rows.append({"title": reader.name(d) or d.iri.rsplit("/", 1)[-1],
                         "href": html.url_path("/" + url[len(self.site.base):]) if url.startswith(self.site.base)
                         else web_link(url) or "", "type": documents.media_name(d.ref(DCAT + "mediaType") or ""),
                         "media": (d.ref(DCAT + "mediaType") or "").rsplit("media-types/", 1)[-1],
                         "size": documents.size_text(size, lang) if size and size.isdigit() else "",
                         "language": documents.language_name(d.ref(DCT + "language") or "", lang)
                         if d.ref(DCT + "language") else ""})
        return rows

    def _records(self, reader: Reader, e: Entity, lang: str) -> list[dict[str, Any]]:
        """A table per kind of record the practice has (outcomes, costs, partners), a column per part (those
        some row fills), numbers the reader's way, codes and organisations by their names."""
        tables = []
        for fld in practice.RECORD_FIELDS:
            iris = sorted(e.refs(fld.predicate), key=record_order)  # …/2 before …/10
            found = reader.entities(iris)
            rows = [found[i] for i in iris if i in found]
            if not rows:
                continue
            named = reader.entities({v for r in rows for p in fld.parts if p.kind in ("code", "ref")
                                     for v in r.refs(p.predicate)})
            parts = [p for p in fld.parts if any(r.values(p.predicate) for r in rows)]

            def cell(r: Entity, p: Any) -> dict[str, Any]:
                if p.kind == "text":
                    return in_language(r, p.predicate, reader.langs) or {"text": ""}
                if p.kind in ("code", "ref"):
                    target = r.ref(p.predicate)
                    if target is None:
                        return {"text": ""}
                    if p.kind == "code":
                        return {"text": reader.name(named.get(target)) or target.rsplit("#", 1)[-1]}
                    return self.site.link(reader, named.get(target), target)
                value = r.literal(p.predicate) or ""
                if p.kind == "decimal":
                    return {"text": formats.decimal(value, lang), "numeric": True}
                if p.kind == "partial_date":
                    return {"text": formats.date(value, lang)}
                return {"text": value}
            tables.append({"key": fld.name, "title": fld.fr if lang == "fr" else fld.en,
                           "columns": [(p.label(lang)[:1].upper() + p.label(lang)[1:], p.kind == "decimal")
                                       for p in parts],
                           "rows": [[cell(r, p) for p in parts] for r in rows]})
        return tables

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
            return {**self.site.link(reader, p), "city": reader.name(c) or ""}
        transfers = {
            "adapted_from": [practice_link(sources_of[i]) for i in e.refs(GR.adaptedFrom) if i in sources_of],
            "inspired_by": [practice_link(sources_of[i]) for i in e.refs(GR.inspiredBy) if i in sources_of],
            "adapted_by": [practice_link(p) for p in adapted_by], "inspired": [practice_link(p) for p in inspired]}
        similar = []
        try:
            found = search_query.similar(self.site.graphe.search, iri, 5) or []
            near = reader.entities(i for i, _ in found)
            similar = self.site.practice_cards(reader, [i for i, _ in found if i in near and not near[i].values(R.INVALIDATED)],
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
        machine = {tag.value.split("-")[0] for tag in e.values(GR.machineTranslation)}  # languages not reviewed
        texts_ = [(key, flagged(in_language(e, predicate, reader.langs), machine)) for key, predicate in (
            ("summary", DCT + "abstract"), ("problem", DCT + "description"), ("results_h", GR.results),
            ("transferability", GR.transferability))]
        slug = local.rsplit("/", 1)[-1]
        downloads = [(label, href, media) for label, href, media in alternates] + \
            [(t["csv_line"], "/export/practices.csv?" + urlencode([("ids", iri)]), "text/csv")]
        return self.site.render(
            "practice.html", lang, reader.name(e) or slug, local, alternates=alternates,
            title_lang=lang_of(e, DCT + "title", reader.langs), **self._common(reader, e, lang),
            city=self.site.link(reader, city) if city else None, country=formats.country(country, lang) if country else "",
            issued=formats.date(e.literal(DCT + "issued") or "", lang), period=period,
            verified=formats.date(e.literal(SCHEMA + "lastReviewed") or "", lang),
            review_due=formats.date(e.literal(GR.reviewDue) or "", lang), records=self._records(reader, e, lang),
            themes=[self.site.link(reader, themes[i]) for i in e.refs(DCT + "subject") if i in themes],
            status=reader.name(status) or "", sections=[(t[k], v) for k, v in texts_ if v],
            contact=e.literal(SCHEMA + "email") or e.ref(SCHEMA + "email"), website=web_link(e.ref(SCHEMA + "url")),
            charters=[self.site.link(reader, c) for c in charters.values()],
            projects=[self.site.link(reader, p) for p in projects.values()], transfers=transfers,
            graph=transfer_graph(reader.name(e) or slug, reader.name(city) or "", transfers),
            similar=[s for s in similar if s["href"] != self.site.href(iri)][:5], downloads=downloads)

    def _city(self, reader: Reader, iri: str, lang: str, alternates: Any, local: str) -> str:
        t = texts(lang)
        e = reader.entity(iri)
        assert e is not None
        row = self.site.city_row(reader, e, lang)
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
                              "role": role, "org": self.site.link(reader, org) if org else None})
        marker = [world_map.Marker(row["href"], row["name"], row["lon"], row["lat"])] \
            if row["lon"] is not None and row["lat"] is not None else []
        return self.site.render(
            "city.html", lang, row["name"], local, alternates=alternates, **self._common(reader, e, lang),
            feeds=self.site.feeds(lang, ("city", iri.rsplit("/", 1)[-1])),
            country=row["meta"], population=population_text, map=world_map.markers_view(marker, focus=row["href"])
            if marker else None, practices=self.site.practice_cards(reader, [p.iri for p in practices], lang),
            charters=[{**self.site.link(reader, charters.get(a.ref(GR.charter) or "")),
                       "date": adopted(a.literal(DCT + "date"), lang)}
                      for a in adoptions if a.ref(GR.charter) in charters],
            projects=[self.site.link(reader, p) for p in projects], roles=roles,
            administrations=[self.site.link(reader, a) for a in administrations.values()],
            events=[self.site.link(reader, ev) for ev in events], wikidata=web_link(e.ref(SCHEMA + "sameAs")),
            other_names=[text_value(lang_, value) for lang_, value in e.texts(SCHEMA + "alternateName")])

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
            matrix.append({**self.site.link(reader, project), "cells": cells})
        others = [c for c in self.site.ordered(filters.charter_query((), (), (), reader.langs)) if c != iri]
        other_names = reader.entities(others)
        return self.site.render(
            "charter.html", lang, reader.name(e) or iri, local, alternates=alternates,
            **self._common(reader, e, lang), description=e.text(DCT + "description", reader.langs),
            kind=reader.name(concepts.get(e.ref(GR.charterKind) or "")) or "",
            publisher=self.site.link(reader, concepts[e.ref(DCT + "publisher")]) if e.ref(DCT + "publisher") in concepts
            else None, issued=formats.date(e.literal(DCT + "issued") or "", lang),
            version=e.literal(OWL + "versionInfo") or "", website=web_link(e.ref(SCHEMA + "url")),
            criteria=[{"id": c.literal(GR.identifier) or str(c.literal(GR.order) or ""),
                       "label": c.text(SKOS + "prefLabel", reader.langs) or c.iri, "href": self.site.href(c.iri),
                       "anchor": "c-" + c.iri.rsplit("/", 1)[-1],
                       "definition": c.text(SKOS + "definition", reader.langs) or "",
                       "kind": reader.name(concepts.get(c.ref(GR.criterionKind) or "")) or "",
                       "dimension": reader.name(concepts.get(c.ref(GR.impactDimension) or "")) or ""}
                      for c in criteria],
            adopted=[{**self.site.link(reader, adopters.get(a.ref(GR.adopter) or "")),
                      "date": adopted(a.literal(DCT + "date"), lang),
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
                "criterion": c.text(SKOS + "prefLabel", reader.langs) or c.iri, "href": self.site.href(c.iri),
                "verdict": reader.name(concepts.get(a.ref(GR.verdict) or "")) or "",
                "justification": a.text(GR.justification, reader.langs) or ""})
        city = concepts.get(e.ref(AIRO + "isUsedWithinLocality") or "")
        deployer = concepts.get(e.ref(AIRO + "isDeployedBy") or "")
        practices = reader.related(R.PROJECT_PRACTICES, [iri])[iri]
        named = reader.entities(e.refs(DPV + "hasHumanInvolvement"))
        return self.site.render(
            "ai_project.html", lang, reader.name(e) or iri, local, alternates=alternates,
            **self._common(reader, e, lang), description=e.text(DCT + "description", reader.langs),
            purpose=e.text(GR.purposeDescription, reader.langs), city=self.site.link(reader, city) if city else None,
            deployer=self.site.link(reader, deployer) if deployer else None,
            risk=reader.name(concepts.get(e.ref(AIACT + "hasRiskLevel") or "")) or local_name(e.ref(AIACT + "hasRiskLevel")),
            status=reader.name(concepts.get(e.ref(GR.status) or "")) or "",
            data_sources=e.text(GR.dataSources, reader.langs), legal_basis=e.text(GR.legalBasisDescription, reader.langs),
            human=[reader.name(named.get(i)) or local_name(i) for i in e.refs(DPV + "hasHumanInvolvement")] +
            e.literals(DPV + "hasHumanInvolvement"),
            impact=[{"href": web_link(i), "text": i} for i in e.refs(DPV + "hasImpactAssessment")] +
            [{"href": None, "text": v} for v in e.literals(DPV + "hasImpactAssessment")],
            groups=[(self.site.link(reader, charters.get(k), k), rows) for k, rows in groups.items()],
            practices=[self.site.link(reader, p) for p in practices])

    def _themes(self, reader: Reader, iri: str, lang: str, alternates: Any, local: str) -> str:
        t = texts(lang)
        stats = self.site.graphe.cached("stats", lambda: reads.stats(self.site.graphe.store, self.site.graphe.cached))
        counts = {v.value: n for v, n in stats.practice_facets.get("theme", [])}
        return self.site.render("themes.html", lang, t["themes"], local, alternates=alternates,
                           tree=self.site.theme_tree(reader, counts))


def transfer_graph(name: str, city: str, transfers: dict[str, list[dict[str, str]]]) -> dict[str, Any] | None:
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
        return [{**item, "x": x, "y": round(step * (i + 1) - 20), "label": short(item["city"] or item["text"])}
                for i, item in enumerate(items)]
    return {"height": height, "left": column(left, 10), "right": column(right, 430),
            "centre": {"x": 220, "y": round(height / 2 - 20), "label": short(city or name)}}


def short(text: str, size: int = 22) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def in_language(entity: Entity, predicate: str, langs: Sequence[str]) -> dict[str, str] | None:
    """A text in the reader's language (or the first there is), with its language and direction."""
    found = entity.texts(predicate)
    if not found:
        return None
    for want in langs:
        for lang, value in found:
            if lang == want or lang.startswith(want + "-"):
                return text_value(lang, value)
    return text_value(*found[0])


def flagged(value: dict[str, Any] | None, machine: set[str]) -> dict[str, Any] | None:
    """A text marked when its language's texts are a machine translation nobody has reviewed."""
    if value is not None and value["lang"].split("-")[0] in machine:
        return {**value, "machine": True}
    return value


def adopted(value: str | None, lang: str) -> str:
    """« adoptée le 12 mars 2024 », « adoptée en mars 2024 » (a date known to the month or the year)."""
    if not value:
        return ""
    return texts(lang)["adopted_on" if len(value) >= 10 else "adopted_in"].format(date=formats.date(value, lang))


def text_value(lang: str, value: str) -> dict[str, str]:
    return {"text": value, "lang": lang, "dir": "rtl" if lang.split("-")[0].lower() in html.RTL else ""}


def web_link(url: str | None) -> str | None:
    """Only web addresses become links (a `javascript:` or `data:` IRI in the data stays text, or nothing)."""
    return url if url and url.lower().startswith(("https://", "http://")) else None


def lang_of(entity: Entity, predicate: str, langs: Sequence[str]) -> dict[str, str]:
    found = in_language(entity, predicate, langs)
    return {"lang": found["lang"], "dir": found["dir"]} if found else {"lang": "", "dir": ""}


def local_name(iri: str | None) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if iri else ""
