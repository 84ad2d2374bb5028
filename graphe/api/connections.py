"""Cursor connections (edges, pageInfo, totalCount), facet counts and the enums/inputs lists accept."""

import datetime as dt
import enum
from collections.abc import Callable
from typing import Any, Generic, Optional, TypeVar

import strawberry

from ..read import filters, listing, names
from ..read.listing import ListQuery
from ..service import Graphe
from .types import Concept, Theme

T = TypeVar("T")


def _enum(name: str, table: dict[str, str], description: str):  # type: ignore[no-untyped-def]
    return strawberry.enum(enum.Enum(name, {k: k for k in table}), description=description)


PracticeStatus = _enum("PracticeStatus", filters.PRACTICE_STATUS, "Étape du cycle de vie. / Lifecycle stage.")
Verdict = _enum("Verdict", filters.VERDICT, "Verdict d'une évaluation. / Assessment verdict.")
RiskLevel = _enum("RiskLevel", filters.RISK_LEVEL, "Niveau de risque (AI Act). / EU AI Act risk level.")
ImpactDimension = _enum("ImpactDimension", filters.IMPACT_DIMENSION, "Dimension d'impact. / Impact dimension.")
CriterionKind = _enum("CriterionKind", filters.CRITERION_KIND, "Nature d'un critère. / Criterion kind.")
CharterKind = _enum("CharterKind", filters.CHARTER_KIND, "Nature d'une charte. / Charter kind.")


@strawberry.enum(description="Sens du tri. / Sort direction.")
class Direction(enum.Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.enum(description="Clé de tri des pratiques (l'IRI départage toujours). / Practice sort key.")
class PracticeOrderField(enum.Enum):
    TITLE = "TITLE"
    ISSUED = "ISSUED"
    MODIFIED = "MODIFIED"
    ID = "ID"


@strawberry.enum(description="Clé de tri des villes. / City sort key.")
class CityOrderField(enum.Enum):
    NAME = "NAME"
    POPULATION = "POPULATION"
    ID = "ID"


@strawberry.enum(description="Clé de tri d'une liste (l'IRI départage toujours). / Sort key of a list.")
class SortField(enum.Enum):
    LABEL = "LABEL"
    DATE = "DATE"
    ID = "ID"


@strawberry.input(description="Tri d'une liste ; sans tri, l'ordre naturel de la liste. / List order.")
class Order:
    field: SortField = SortField.LABEL
    direction: Direction = Direction.ASC

    def parts(self) -> tuple[str, bool]:
        return self.field.value, self.direction.value == "DESC"


@strawberry.input(description="Tri des pratiques. / Practice order.")
class PracticeOrder:
    field: PracticeOrderField = PracticeOrderField.TITLE
    direction: Direction = Direction.ASC


@strawberry.input(description="Tri des villes. / City order.")
class CityOrder:
    field: CityOrderField = CityOrderField.NAME
    direction: Direction = Direction.ASC


# What a filter list takes, said once for every list that takes it (`read.names` resolves them all).
_AT_MOST = f" {names.MAX_VALUES} valeurs au plus. / At most {names.MAX_VALUES} values."
CITIES = ("Villes : IRI, nom dans toute langue ou identifiant court, sans tenir compte des accents ni de la casse "
          "(« geneve », « Montreal », « dakar ») ; un nom qu'aucune ville ne porte ne trouve rien. / Cities: IRI, "
          "name in any language or slug, ignoring accents and case; a name no city has finds nothing." + _AT_MOST)
COUNTRIES = ("Pays : code ISO 3166-1 alpha-2 (FR, MA) ou nom en français ou en anglais (« Maroc », « Morocco », "
             "« Sénégal ») ; un nom inconnu est une erreur BAD_USER_INPUT qui propose les pays proches. / Countries: "
             "ISO code or name in French or English; an unknown name is BAD_USER_INPUT suggesting close ones."
             + _AT_MOST)
THEMES = ("Thèmes : IRI, identifiant court (« ai », « data ») ou libellé ; les thèmes plus précis comptent aussi. "
          "/ Themes: IRI, slug or label; narrower themes included." + _AT_MOST)


@strawberry.input(description="Filtres des projets d'IA, combinés par ET ; les valeurs d'une liste par OU. "
                              "Critère, verdict et charte s'appliquent à une même évaluation. / AI project filters: "
                              "AND between fields, OR within a list; criterion, verdict and charter apply to one "
                              "same assessment.")
class AIProjectFilter:
    charters: Optional[list[strawberry.ID]] = strawberry.field(
        default=None, description="Évalués au regard d'un critère de ces chartes (IRI). / Assessed against a "
                                  "criterion of these charters (IRIs)." + _AT_MOST)
    criteria: Optional[list[strawberry.ID]] = strawberry.field(
        default=None, description="Évalués au regard de ces critères (IRI). / Assessed against these criteria.")
    verdicts: Optional[list[Verdict]] = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Avec ce verdict. / With this verdict.")
    risk_levels: Optional[list[RiskLevel]] = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Niveau de risque (AI Act). / Risk level.")
    cities: Optional[list[strawberry.ID]] = strawberry.field(default=None, description=CITIES)


@strawberry.input(description="Filtres des pratiques, combinés par ET ; les valeurs d'une liste par OU. "
                              "/ Practice filters: AND between fields, OR within a list.")
class PracticeFilter:
    themes: Optional[list[strawberry.ID]] = strawberry.field(default=None, description=THEMES)
    countries: Optional[list[str]] = strawberry.field(default=None, description=COUNTRIES)
    cities: Optional[list[strawberry.ID]] = strawberry.field(default=None, description=CITIES)
    charters: Optional[list[strawberry.ID]] = strawberry.field(default=None, description="Chartes appliquées (IRI). "
                                                              "/ Charters applied (IRIs).")
    statuses: Optional[list[PracticeStatus]] = None  # type: ignore[valid-type]
    has_ai_project: Optional[bool] = strawberry.field(default=None, description="Décrit un projet d'IA.")
    issued_after: Optional[dt.date] = strawberry.field(default=None, description="Publiée le ou après.")
    issued_before: Optional[dt.date] = strawberry.field(default=None, description="Publiée le ou avant.")

    def to_domain(self) -> filters.PracticeFilter:
        return filters.PracticeFilter(
            themes=tuple(self.themes or ()), countries=tuple(self.countries or ()),
            cities=tuple(self.cities or ()), charters=tuple(self.charters or ()),
            statuses=tuple(s.value for s in self.statuses or ()), has_ai_project=self.has_ai_project,
            issued_after=self.issued_after, issued_before=self.issued_before)


@strawberry.type(description="Pagination (curseurs opaques). / Pagination (opaque cursors).")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: Optional[str]
    end_cursor: Optional[str]


@strawberry.type
class Edge(Generic[T]):
    node: T
    cursor: str


@strawberry.type(description="Une page d'une liste. / One page of a list.")
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    graphe: strawberry.Private[Graphe]
    query: strawberry.Private[ListQuery]

    @strawberry.field(description="Nombre total d'éléments filtrés. / Total number of filtered items.")
    def total_count(self) -> int:
        return len(ordered(self.graphe, self.query))


def ordered(graphe: Graphe, query: ListQuery) -> tuple[str, ...]:
    """The whole ordered list, kept per revision: pages are slices of it, the total its length. Its IRIs
    are the strings of the list's members (kept apart, weighed there): a pointer each here, 8 bytes, where
    a unit of weight is about 100 (weighing it by its length evicted a tenth of the entities at 100,000
    practices once every theme × order was asked)."""
    found = graphe.cached(("list", query), lambda: listing.ordered(graphe.store, query, graphe.cached),
                          weight=lambda iris: 1 + len(iris) // 12)
    graphe.reads.peek(graphe.store.revision().number, listing.members_key(query))  # read with it: evicted with it
    return found


async def connect(info: strawberry.Info, cls, query: ListQuery, first: Optional[int], after: Optional[str],  # type: ignore[no-untyped-def]
                  node_type):
    """One page query, then the page's entities in one batch; builds the connection `cls`."""
    graphe: Graphe = info.context.graphe
    offset, result = _slice(graphe, query, first, after)
    return _connection(cls, graphe, query, offset, result, await info.context.lookup(result.iris), node_type)


def connect_now(context: Any, cls, query: ListQuery, first: Optional[int], after: Optional[str],  # type: ignore[no-untyped-def]
                node_type):
    """`connect` without awaiting: what the page lacks is read at once (`plan`'s root reads)."""
    offset, result = _slice(context.graphe, query, first, after)
    return _connection(cls, context.graphe, query, offset, result, context.lookup_now(result.iris), node_type)


def _slice(graphe: Graphe, query: ListQuery, first: Optional[int], after: Optional[str]) -> tuple[int, Any]:
    size = listing.page_size(first)
    offset = listing.decode_cursor(after)
    return offset, listing.page(ordered(graphe, query), offset, size)


def _connection(cls, graphe: Graphe, query: ListQuery, offset: int, result: Any,  # type: ignore[no-untyped-def]
                entity: Callable[[str], Any], node_type):
    edges = [Edge(node=node_type(entity=entity(iri)), cursor=listing.encode_cursor(offset + i))
             for i, iri in enumerate(result.iris)]
    info = PageInfo(has_next_page=result.has_next, has_previous_page=offset > 0,
                    start_cursor=edges[0].cursor if edges else None, end_cursor=edges[-1].cursor if edges else None)
    return cls(edges=edges, page_info=info, graphe=graphe, query=query)


@strawberry.type(description="Nombre de pratiques par thème. / Practices per theme.")
class ThemeCount:
    theme: Theme
    count: int


@strawberry.type(description="Nombre par pays. / Count per country.")
class CountryCount:
    country: str
    count: int


@strawberry.type(description="Nombre par valeur contrôlée. / Count per controlled value.")
class ConceptCount:
    value: Concept
    count: int


@strawberry.type(description="Comptes par facette sur l'ensemble filtré. / Facet counts over the filtered set.")
class PracticeFacets:
    themes: list[ThemeCount]
    countries: list[CountryCount]
    statuses: list[ConceptCount]


async def practice_facets(info: strawberry.Info, graphe: Graphe, query: ListQuery) -> PracticeFacets:
    """Facet counts in one query; the themes and statuses they name are loaded in one batch."""
    found = graphe.cached(("facets", query), lambda: listing.facets(graphe.store, query, filters.PRACTICE_FACETS,
                                                                     graphe.cached))
    entity = await info.context.lookup([v.value for v, _ in found["theme"] + found["status"]])

    return PracticeFacets(
        themes=[ThemeCount(theme=Theme(entity=entity(v.value)), count=n) for v, n in found["theme"]],
        countries=[CountryCount(country=v.value, count=n) for v, n in found["country"]],
        statuses=[ConceptCount(value=Concept(entity=entity(v.value)), count=n) for v, n in found["status"]])
