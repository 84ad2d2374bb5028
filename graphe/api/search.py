"""GraphQL face of full-text search: `search` (ranked hits, snippets, facets, suggestion) and `similar`."""

import enum
from typing import Annotated, Optional, Union

import strawberry

from ..read import filters, listing
from ..core.errors import GrapheError
from ..search import query as search_query
from ..read.names import Names
from .connections import CITIES, COUNTRIES, THEMES, ConceptCount, CountryCount, PageInfo, PracticeStatus, ThemeCount
from .types import ActionPlan, AIProject, Charter, City, Concept, Criterion, Event, Organisation, Practice, Theme

SearchTarget = Annotated[Union[Practice, AIProject, Charter, Criterion, City, Event, ActionPlan, Organisation],
                         strawberry.union("SearchTarget", description="Ce qu'une recherche trouve. / What a search finds.")]
_WRAP = {"practice": Practice, "ai_project": AIProject, "charter": Charter, "criterion": Criterion, "city": City,
         "event": Event, "action_plan": ActionPlan, "organisation": Organisation}


@strawberry.enum(description="Type d'objet indexé. / Indexed object type.")
class SearchType(enum.Enum):
    PRACTICE = "practice"
    AI_PROJECT = "ai_project"
    CHARTER = "charter"
    CRITERION = "criterion"
    CITY = "city"
    EVENT = "event"
    ACTION_PLAN = "action_plan"
    ORGANISATION = "organisation"


FACET_VALUES, MAX_FACET_VALUES = 50, 1000


@strawberry.enum(description="Ordre des résultats. / Order of the hits.")
class SearchOrder(enum.Enum):
    RELEVANCE = "relevance"
    DATE = "date"


@strawberry.input(description="Filtres combinés avec le texte. / Filters combined with the text.")
class SearchFilter:
    types: Optional[list[SearchType]] = None
    themes: Optional[list[strawberry.ID]] = strawberry.field(default=None, description=THEMES)
    countries: Optional[list[str]] = strawberry.field(default=None, description=COUNTRIES)
    cities: Optional[list[strawberry.ID]] = strawberry.field(default=None, description=CITIES)
    statuses: Optional[list[PracticeStatus]] = None  # type: ignore[valid-type]

    def to_domain(self, names: Names) -> search_query.Filters:
        return search_query.Filters(
            types=tuple(t.value for t in self.types or ()), themes=filters.named(names.themes, self.themes or ()),
            countries=tuple(code.value for code in filters.countries(self.countries or ())),
            cities=filters.named(names.cities, self.cities or ()),
            statuses=tuple(filters.PRACTICE_STATUS[s.value] for s in self.statuses or ()))


@strawberry.type(description="Un résultat. / One hit.")
class SearchHit:
    object: Optional[SearchTarget] = strawberry.field(description="L'objet trouvé. / The object found.")
    type: SearchType
    score: float
    snippet: str = strawberry.field(description="Extrait, mots trouvés entre <mark> (HTML échappé). / Snippet.")


@strawberry.type
class SearchEdge:
    node: SearchHit
    cursor: str


@strawberry.type(description="Nombre de résultats par type. / Hits per type.")
class TypeCount:
    type: SearchType
    count: int


@strawberry.type(description="Nombre de résultats par ville. / Hits per city.")
class CityCount:
    city: City
    count: int


@strawberry.type(description="Facettes : comptes sur tous les résultats, les valeurs les plus fréquentes d'abord "
                                 "(`facetLimit`). / Facets counted over every hit, most frequent values first.")
class SearchFacets:
    types: list[TypeCount]
    themes: list[ThemeCount]
    countries: list[CountryCount]
    cities: list[CityCount]
    statuses: list[ConceptCount]


@strawberry.type(description="Résultats d'une recherche. / Search results.")
class SearchConnection:
    edges: list[SearchEdge]
    page_info: PageInfo
    total_count: int
    facets: SearchFacets
    suggestion: Optional[str] = strawberry.field(
        description="Orthographe proche qui donnerait des résultats (« vouliez-vous dire… »), quand il n'y en a "
                    "aucun. / A close spelling that finds something, when nothing was found.")
    index_revision: int = strawberry.field(description="Révision des données que l'index reflète.")


@strawberry.type(description="Une pratique semblable. / A similar practice.")
class SimilarPractice:
    practice: Practice
    score: float


@strawberry.type
class SearchQuery:
    @strawberry.field(description="Recherche plein texte de tout ce que le graphe publie (pratiques, villes, chartes, "
                                  "critères, événements, plans d'action, projets d'IA, organisations). Mots simples "
                                  "(tous d'abord, puis certains), \"phrases\" entre guillemets, -mot exclu ; "
                                  "accents, ligatures, élisions, pluriels et une faute de frappe (mots de 5 lettres "
                                  "et plus) tolérés. / Full-text search of everything published.")
    async def search(self, info: strawberry.Info, text: str, filter: Optional[SearchFilter] = None,
                     first: Optional[int] = None, after: Optional[str] = None,
                     order_by: SearchOrder = SearchOrder.RELEVANCE,
                     facet_limit: Annotated[int, strawberry.argument(
                         description=f"Valeurs de chaque facette, les plus fréquentes d'abord (1 à {MAX_FACET_VALUES}). "
                                     "/ Values per facet, most frequent first.")] = FACET_VALUES) -> SearchConnection:
        size = listing.page_size(first)
        offset = listing.decode_cursor(after)
        if not 1 <= facet_limit <= MAX_FACET_VALUES:
            raise GrapheError("BAD_USER_INPUT", f"facetLimit : entre 1 et {MAX_FACET_VALUES}.",
                              f"facetLimit: between 1 and {MAX_FACET_VALUES}.", {"max": MAX_FACET_VALUES})
        flt = filter.to_domain(Names(info.context.graphe.store, info.context.graphe.cached)) if filter \
            else search_query.Filters()
        result = search_query.search(info.context.graphe.search, text, flt, offset, size, order_by.value)
        # Only the most frequent values are shown (a common word at 100,000 sheets has 4,000 cities: each a
        # city to load and to send, for a list nobody reads whole).
        result.facets = {name: values[:facet_limit] for name, values in result.facets.items()}
        entity = await info.context.lookup([h.id for h in result.hits] + [
            v for name in ("themes", "city", "status") for v, _ in result.facets.get(name, [])])
        edges = [SearchEdge(node=SearchHit(object=_WRAP[h.type](entity=entity(h.id)) if entity(h.id).props else None,
                                           type=SearchType(h.type), score=h.score, snippet=h.snippet),
                            cursor=listing.encode_cursor(offset + i)) for i, h in enumerate(result.hits)]
        facets = SearchFacets(
            types=[TypeCount(type=SearchType(v), count=n) for v, n in result.facets["type"]],
            themes=[ThemeCount(theme=Theme(entity=entity(v)), count=n) for v, n in result.facets["themes"]],
            countries=[CountryCount(country=v, count=n) for v, n in result.facets["country"]],
            cities=[CityCount(city=City(entity=entity(v)), count=n) for v, n in result.facets["city"]],
            statuses=[ConceptCount(value=Concept(entity=entity(v)), count=n) for v, n in result.facets["status"]])
        info_ = PageInfo(has_next_page=offset + len(edges) < result.total, has_previous_page=offset > 0,
                         start_cursor=edges[0].cursor if edges else None,
                         end_cursor=edges[-1].cursor if edges else None)
        return SearchConnection(edges=edges, page_info=info_, total_count=result.total, facets=facets,
                                suggestion=result.suggestion, index_revision=result.revision)

    @strawberry.field(description="Les pratiques les plus proches d'une pratique (texte et thèmes communs) : "
                                  "« d'autres villes ont fait ceci ». / Practices most like this one.")
    async def similar(self, info: strawberry.Info, id: strawberry.ID, first: Optional[int] = None) -> list[SimilarPractice]:
        listing.iri_term(id, "pratique")
        found = search_query.similar(info.context.graphe.search, id, listing.page_size(first or 5))
        if found is None:
            raise GrapheError("NOT_FOUND", f"Aucune pratique indexée n'a l'identifiant {id}.",
                              f"No indexed practice has the identifier {id}.")
        loaded = {e.iri: e for e in await info.context.entities([iri for iri, _ in found])}
        return [SimilarPractice(practice=Practice(entity=loaded[iri]), score=score)
                for iri, score in found if iri in loaded]
