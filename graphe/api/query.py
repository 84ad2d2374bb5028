"""The root Query: one SPARQL query per root field; nested levels are batched by the context's loaders."""

from typing import Annotated, Optional

import strawberry

from ..read import filters, reads
from ..core import readset
from ..read.entities import Entity
from ..core.errors import GrapheError
from ..read.listing import iri_term, what_en
from ..core.rdf import PREFIXES
from ..model.namespaces import GR
from ..service import Graphe
from ..read.names import Names
from .connections import (CITIES as CITY_VALUES, COUNTRIES as COUNTRY_VALUES, THEMES as THEME_VALUES, AIProjectFilter, CharterKind, Order, CityOrder, Connection, ConceptCount, CountryCount, CriterionKind, ImpactDimension, PracticeFacets, PracticeFilter, PracticeOrder, RiskLevel, ThemeCount, Verdict, connect, connect_now, practice_facets)
from .plan import READ, Read
from .types import ActionPlan, AIProject, Charter, City, Concept, Criterion, CriterionMapping, Event, Organisation, Practice, Theme

SCHEMA, SKOS, ORG = PREFIXES["schema"], PREFIXES["skos"], PREFIXES["org"]
FIRST = "Nombre d'éléments (20 par défaut, 100 au plus). / Page size (default 20, at most 100)."
AFTER = "Curseur après lequel commencer. / Cursor to start after."
First = Annotated[Optional[int], strawberry.argument(description=FIRST)]
After = Annotated[Optional[str], strawberry.argument(description=AFTER)]


@strawberry.type
class PracticeConnection(Connection[Practice]):
    @strawberry.field(description="Comptes par thème, pays et statut de l'ensemble filtré. / Facet counts.")
    async def facets(self, info: strawberry.Info) -> PracticeFacets:
        return await practice_facets(info, self.graphe, self.query)


@strawberry.type(description="Une ligne de comparaison. / One comparison row.")
class AlignmentRow:
    a: Optional[Criterion]
    b: Optional[Criterion]
    match: Optional[str] = strawberry.field(description="EXACT, CLOSE, RELATED, ou null quand un côté manque. / "
                                                        "EXACT, CLOSE, RELATED, or null when a side is missing.")
    mapping: Optional[CriterionMapping] = strawberry.field(
        description="Qui affirme la correspondance, quand, sur quoi et pourquoi ; null quand aucune provenance n'est "
                    "publiée. / Who asserts the match, when, on what and why; null when no provenance is published.")


@strawberry.type(description="Deux cadres critère par critère. / Two frameworks, criterion by criterion.")
class CharterComparison:
    a: Optional[Charter]
    b: Optional[Charter]
    rows: list[AlignmentRow] = strawberry.field(description="Toutes les lignes, dans l'ordre des critères de A.")
    matched: list[AlignmentRow] = strawberry.field(description="Critères alignés. / Aligned criteria.")
    only_in_a: list[Criterion] = strawberry.field(description="Critères de A sans équivalent dans B.")
    only_in_b: list[Criterion] = strawberry.field(description="Critères de B sans équivalent dans A.")


@strawberry.type(description="Nombre de ressources publiées d'une classe. / Published resources of a class.")
class ClassCount:
    class_iri: str
    count: int


@strawberry.type(description="Statistiques du graphe publié. / Statistics of the published graph.")
class Stats:
    revision: int
    classes: list[ClassCount]
    practices_by_country: list[CountryCount]
    practices_by_theme: list[ThemeCount]
    practices_by_status: list[ConceptCount]


def _revision(info: strawberry.Info) -> int:
    """The revision number, as an answer shows it: such an answer is never served at another revision."""
    readset.untracked()
    return info.context.revision


def _graphe(info: strawberry.Info) -> Graphe:
    return info.context.graphe


async def _single(info: strawberry.Info, iri: str, class_iri: str, what: str) -> Entity:
    iri_term(iri, what)
    return _found(await info.context.entity(iri), iri, class_iri, what)


def _found(entity: Optional[Entity], iri: str, class_iri: str, what: str) -> Entity:
    if entity is None or not _is_a(entity, class_iri):
        raise GrapheError("NOT_FOUND", f"Aucune ressource de type {what} n'a l'identifiant {iri}.",
                          f"No {what_en(what)} has the identifier {iri}.")
    return entity


class _Lookup:
    """A root field finding one resource by IRI, the same way for its resolver and for `plan` (which reads
    the entity with the other root fields' in one batch)."""

    def __init__(self, wrapper, class_iri: str, what: str) -> None:  # type: ignore[no-untyped-def]
        self.wrapper, self.class_iri, self.what = wrapper, class_iri, what
        self.metadata = {READ: Read(self._read, self._needs)}

    async def resolve(self, info: strawberry.Info, iri: str):  # type: ignore[no-untyped-def]
        return self.wrapper(entity=await _single(info, iri, self.class_iri, self.what))

    def _needs(self, root, args):  # type: ignore[no-untyped-def]
        try:
            iri_term(args["id"], self.what)
        except GrapheError:
            return []  # `_read` raises it, and graphql-core reports it
        return [("entity", args["id"])]

    def _read(self, root, ctx, args):  # type: ignore[no-untyped-def]
        iri = args["id"]
        iri_term(iri, self.what)
        return self.wrapper(entity=_found(ctx.local("entity", iri), iri, self.class_iri, self.what))


class _Listing:
    """A root list field: its query (`make_query(context, **other arguments)`), paged into `cls` of
    `node_type`, the same way for its resolver and for `plan`."""

    def __init__(self, make_query, cls, node_type) -> None:  # type: ignore[no-untyped-def]
        self.make_query, self.cls, self.node_type = make_query, cls, node_type
        self.metadata = {READ: Read(self._read)}

    async def resolve(self, info: strawberry.Info, first: Optional[int], after: Optional[str],  # type: ignore[no-untyped-def]
                      **arguments):
        return await connect(info, self.cls, self.make_query(info.context, **arguments), first, after, self.node_type)

    def _read(self, root, ctx, args):  # type: ignore[no-untyped-def]
        query = self.make_query(ctx, **{k: v for k, v in args.items() if k not in ("first", "after")})
        return connect_now(ctx, self.cls, query, args.get("first"), args.get("after"), self.node_type)


def _is_a(entity: Entity, class_iri: str) -> bool:
    if entity.is_a(class_iri):
        return True
    return class_iri == ORG + "Organization" and any(
        t in entity.types for t in (ORG + "FormalOrganization", PREFIXES["cv"] + "PublicOrganisation"))


def _sort(order: Optional[Order]) -> tuple[Optional[str], bool]:
    return order.parts() if order is not None else (None, False)


def _names(ctx) -> Names:  # type: ignore[no-untyped-def]
    """How this request's filters read names (cities, themes): from the published graph, tables kept per
    revision like every read."""
    return Names(ctx.graphe.store, ctx.graphe.cached)


def _cities(ctx, countries: Optional[list[str]] = None, order_by: Optional[CityOrder] = None,  # type: ignore[no-untyped-def]
            names: Optional[list[str]] = None):
    order = order_by or CityOrder()
    return filters.city_query(countries or (), order.field.value, order.direction.value == "DESC",
                              ctx.preferences(None), cities=names or (), names=_names(ctx))


def _practices(ctx, filter: Optional[PracticeFilter] = None, order_by: Optional[PracticeOrder] = None):  # type: ignore[no-untyped-def]
    order = order_by or PracticeOrder()
    return filters.practice_query((filter or PracticeFilter()).to_domain(), order.field.value,
                                  order.direction.value == "DESC", ctx.preferences(None), _names(ctx))


def _charters(ctx, kinds=None, publishers=None, adopted_by=None, order_by=None):  # type: ignore[no-untyped-def]
    return filters.charter_query([k.value for k in kinds or ()], publishers or (), adopted_by or (),
                                 ctx.preferences(None), *_sort(order_by), names=_names(ctx))


def _criteria(ctx, charters=None, dimensions=None, kinds=None, order_by=None):  # type: ignore[no-untyped-def]
    return filters.criterion_query(charters or (), [d.value for d in dimensions or ()], [k.value for k in kinds or ()],
                                   ctx.preferences(None), *_sort(order_by))


def _ai_projects(ctx, risk_levels=None, cities=None, criteria=None, verdicts=None, order_by=None,  # type: ignore[no-untyped-def]
                 filter=None):
    flt = filter or AIProjectFilter()

    def both(direct, inside):  # type: ignore[no-untyped-def]
        return [*(direct or ()), *(inside or ())]
    return filters.ai_project_query(
        [r.value for r in both(risk_levels, flt.risk_levels)], both(cities, flt.cities), both(criteria, flt.criteria),
        [v.value for v in both(verdicts, flt.verdicts)], ctx.preferences(None), *_sort(order_by),
        charters=flt.charters or (), names=_names(ctx))


def _organisations(ctx, order_by=None):  # type: ignore[no-untyped-def]
    return filters.organisation_query(ctx.preferences(None), *_sort(order_by))


def _events(ctx, cities=None, order_by=None):  # type: ignore[no-untyped-def]
    return filters.event_query(cities or (), ctx.preferences(None), *_sort(order_by), names=_names(ctx))


def _action_plans(ctx, themes=None, order_by=None):  # type: ignore[no-untyped-def]
    return filters.action_plan_query(themes or (), ctx.preferences(None), *_sort(order_by), names=_names(ctx))


CITY, PRACTICE = _Lookup(City, SCHEMA + "City", "ville"), _Lookup(Practice, GR.Practice, "pratique")
CHARTER, AI_PROJECT = _Lookup(Charter, GR.Charter, "charte"), _Lookup(AIProject, GR.AIProject, "projet d'IA")
CITIES, PRACTICES = _Listing(_cities, Connection[City], City), _Listing(_practices, PracticeConnection, Practice)
CHARTERS = _Listing(_charters, Connection[Charter], Charter)
CRITERIA = _Listing(_criteria, Connection[Criterion], Criterion)
AI_PROJECTS = _Listing(_ai_projects, Connection[AIProject], AIProject)
ORGANISATIONS = _Listing(_organisations, Connection[Organisation], Organisation)
EVENTS = _Listing(_events, Connection[Event], Event)
EVENT = _Lookup(Event, SCHEMA + "Event", "événement")
ACTION_PLANS = _Listing(_action_plans, Connection[ActionPlan], ActionPlan)
ACTION_PLAN = _Lookup(ActionPlan, GR.ActionPlan, "plan d'action")


def _prefs(info: strawberry.Info) -> tuple[str, ...]:
    return info.context.preferences(None)


@strawberry.type
class Query:
    @strawberry.field(description="Une ville par son IRI. / A city by IRI.",
                      metadata=CITY.metadata)
    async def city(self, info: strawberry.Info, id: strawberry.ID) -> Optional[City]:
        return await CITY.resolve(info, id)

    @strawberry.field(description="Les villes. / Cities.", metadata=CITIES.metadata)
    async def cities(self, info: strawberry.Info, first: First = None,
               after: After = None,
               countries: Annotated[Optional[list[str]], strawberry.argument(description=COUNTRY_VALUES)] = None,
               order_by: Optional[CityOrder] = None,
               names: Annotated[Optional[list[str]], strawberry.argument(
                   description="Ces villes seulement, par nom ou identifiant court (ou IRI). / These cities only, "
                               "by name or slug (or IRI). " + CITY_VALUES)] = None) -> Connection[City]:
        return await CITIES.resolve(info, first, after, countries=countries, order_by=order_by, names=names)

    @strawberry.field(description="Une bonne pratique par son IRI. / A practice by IRI.",
                      metadata=PRACTICE.metadata)
    async def practice(self, info: strawberry.Info, id: strawberry.ID) -> Optional[Practice]:
        return await PRACTICE.resolve(info, id)

    @strawberry.field(description="Les bonnes pratiques, filtrées, triées, paginées, avec facettes. "
                                  "/ Practices: filtered, ordered, paged, with facets.",
                      metadata=PRACTICES.metadata)
    async def practices(self, info: strawberry.Info,
                  first: First = None,
                  after: After = None,
                  filter: Optional[PracticeFilter] = None,
                  order_by: Optional[PracticeOrder] = None) -> PracticeConnection:
        return await PRACTICES.resolve(info, first, after, filter=filter, order_by=order_by)

    @strawberry.field(description="Une charte par son IRI. / A charter by IRI.",
                      metadata=CHARTER.metadata)
    async def charter(self, info: strawberry.Info, id: strawberry.ID) -> Optional[Charter]:
        return await CHARTER.resolve(info, id)

    @strawberry.field(description="Les chartes et cadres. / Charters and frameworks.",
                      metadata=CHARTERS.metadata)
    async def charters(self, info: strawberry.Info, first: First = None, after: After = None,
                 kinds: Optional[list[CharterKind]] = None,  # type: ignore[valid-type]
                 publishers: Optional[list[strawberry.ID]] = None,
                 adopted_by: Optional[list[strawberry.ID]] = None,
                 order_by: Optional[Order] = None) -> Connection[Charter]:
        return await CHARTERS.resolve(info, first, after, kinds=kinds, publishers=publishers, adopted_by=adopted_by,
                                      order_by=order_by)

    @strawberry.field(description="Les critères, par charte puis rang. / Criteria, by charter then order.",
                      metadata=CRITERIA.metadata)
    async def criteria(self, info: strawberry.Info, first: First = None, after: After = None,
                 charters: Optional[list[strawberry.ID]] = None,
                 dimensions: Optional[list[ImpactDimension]] = None,  # type: ignore[valid-type]
                 kinds: Optional[list[CriterionKind]] = None,  # type: ignore[valid-type]
                 order_by: Optional[Order] = None) -> Connection[Criterion]:
        return await CRITERIA.resolve(info, first, after, charters=charters, dimensions=dimensions, kinds=kinds,
                                      order_by=order_by)

    @strawberry.field(description="Un projet d'IA par son IRI. / An AI project by IRI.",
                      metadata=AI_PROJECT.metadata)
    async def ai_project(self, info: strawberry.Info, id: strawberry.ID) -> Optional[AIProject]:
        return await AI_PROJECT.resolve(info, id)

    @strawberry.field(description="Les projets d'IA, filtrés par `filter` (charte, critère, verdict, risque, ville). "
                                  "Les arguments riskLevels, cities, criteria et verdicts valent les champs de même "
                                  "nom de `filter` (donnés des deux façons, leurs valeurs s'ajoutent). / AI projects, "
                                  "filtered by `filter`; the direct arguments are the filter's fields of the same "
                                  "name (given both ways, their values add up).",
                      metadata=AI_PROJECTS.metadata)
    async def ai_projects(self, info: strawberry.Info, first: First = None, after: After = None,
                    risk_levels: Optional[list[RiskLevel]] = None,  # type: ignore[valid-type]
                    cities: Annotated[Optional[list[strawberry.ID]], strawberry.argument(description=CITY_VALUES)] = None,
                    criteria: Optional[list[strawberry.ID]] = None,
                    verdicts: Optional[list[Verdict]] = None,  # type: ignore[valid-type]
                    order_by: Optional[Order] = None,
                    filter: Optional[AIProjectFilter] = None) -> Connection[AIProject]:
        return await AI_PROJECTS.resolve(info, first, after, risk_levels=risk_levels, cities=cities,
                                         criteria=criteria, verdicts=verdicts, order_by=order_by, filter=filter)

    @strawberry.field(description="Les thèmes, en arbre (thèmes de premier niveau, puis « narrower »). "
                                  "/ Themes as a tree: top themes, then their narrower ones.")
    def themes(self, info: strawberry.Info) -> list[Theme]:
        all_themes = reads.theme_entities(_graphe(info).store)
        langs = _prefs(info)
        top = [e for e in all_themes if not e.refs(SKOS + "broader")]
        return [Theme(entity=e) for e in sorted(top, key=lambda e: (e.text(SKOS + "prefLabel", langs) or "").lower())]

    @strawberry.field(description="Les organisations. / Organisations.",
                      metadata=ORGANISATIONS.metadata)
    async def organisations(self, info: strawberry.Info, first: First = None, after: After = None,
                            order_by: Optional[Order] = None) -> Connection[Organisation]:
        return await ORGANISATIONS.resolve(info, first, after, order_by=order_by)

    @strawberry.field(description="Les événements, du plus récent au plus ancien. / Events, newest first.",
                      metadata=EVENTS.metadata)
    async def events(self, info: strawberry.Info, first: First = None, after: After = None,
               cities: Annotated[Optional[list[strawberry.ID]], strawberry.argument(
                   description="Villes participantes ou hôtes. / Participating or host cities. " + CITY_VALUES)] = None,
               order_by: Optional[Order] = None) -> Connection[Event]:
        return await EVENTS.resolve(info, first, after, cities=cities, order_by=order_by)

    @strawberry.field(description="Un événement par son IRI. / An event by IRI.", metadata=EVENT.metadata)
    async def event(self, info: strawberry.Info, id: strawberry.ID) -> Optional[Event]:
        return await EVENT.resolve(info, id)

    @strawberry.field(description="Les plans d'action, par titre. / Action plans, by title.",
                      metadata=ACTION_PLANS.metadata)
    async def action_plans(self, info: strawberry.Info, first: First = None, after: After = None,
                           themes: Annotated[Optional[list[strawberry.ID]], strawberry.argument(
                               description=THEME_VALUES)] = None,
                           order_by: Optional[Order] = None) -> Connection[ActionPlan]:
        return await ACTION_PLANS.resolve(info, first, after, themes=themes, order_by=order_by)

    @strawberry.field(description="Un plan d'action par son IRI. / An action plan by IRI.",
                      metadata=ACTION_PLAN.metadata)
    async def action_plan(self, info: strawberry.Info, id: strawberry.ID) -> Optional[ActionPlan]:
        return await ACTION_PLAN.resolve(info, id)

    @strawberry.field(description="Compare deux cadres critère par critère, alignés par leurs correspondances. "
                                  "/ Compares two frameworks criterion by criterion, aligned by their mappings.")
    def compare_charters(self, info: strawberry.Info, a: strawberry.ID, b: strawberry.ID) -> CharterComparison:
        result = reads.compare_charters(_graphe(info).store, a, b)
        if result.a is None or result.b is None:
            missing = a if result.a is None else b
            raise GrapheError("NOT_FOUND", f"Aucune charte n'a l'identifiant {missing}.",
                              f"No charter has the identifier {missing}.")
        rows = [AlignmentRow(a=Criterion(entity=r.a) if r.a else None, b=Criterion(entity=r.b) if r.b else None,
                             match=r.match, mapping=CriterionMapping(entity=r.mapping) if r.mapping else None)
                for r in result.rows]
        return CharterComparison(
            a=Charter(entity=result.a), b=Charter(entity=result.b), rows=rows,
            matched=[r for r in rows if r.match], only_in_a=[r.a for r in rows if r.a and not r.b],
            only_in_b=[r.b for r in rows if r.b and not r.a])

    @strawberry.field(description="Comptes par classe, pays, thème et statut. / Counts per class, country, theme, status.")
    async def stats(self, info: strawberry.Info) -> Stats:
        graphe = _graphe(info)
        found = graphe.cached("stats", lambda: reads.stats(graphe.store, graphe.cached))
        facets = found.practice_facets
        entity = await info.context.lookup([v.value for v, _ in facets["theme"] + facets["status"]])
        return Stats(
            revision=_revision(info),
            classes=[ClassCount(class_iri=c, count=n) for c, n in sorted(found.totals.items())],
            practices_by_country=[CountryCount(country=v.value, count=n) for v, n in facets["country"]],
            practices_by_theme=[ThemeCount(theme=Theme(entity=entity(v.value)), count=n)
                                for v, n in facets["theme"]],
            practices_by_status=[ConceptCount(value=Concept(entity=entity(v.value)), count=n)
                                 for v, n in facets["status"]])
