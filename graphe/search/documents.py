"""What the search index holds for each resource, built from the published graph (no search engine here)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .. import entities
from ..entities import Entity
from ..rdf import GR, PREFIXES, NamedNode
from ..store import Store

DCT, SKOS, SCHEMA = PREFIXES["dct"], PREFIXES["skos"], PREFIXES["schema"]
DCAT, AIRO, CV = PREFIXES["dcat"], PREFIXES["airo"], PREFIXES["cv"]

RETIRED = PREFIXES["prov"] + "invalidatedAtTime"
TYPES = {GR + "Practice": "practice", GR + "AIProject": "ai_project", GR + "Charter": "charter",
         GR + "Criterion": "criterion"}


@dataclass(frozen=True)
class Recipe:
    title: str
    summary: tuple[str, ...]
    body: tuple[str, ...]
    city: str | None = None
    tags: tuple[str, ...] = ()


RECIPES = {
    "practice": Recipe(DCT + "title", (DCT + "abstract",), (DCT + "description", GR + "results", GR + "transferability"),
                       GR + "city", (DCAT + "keyword",)),
    "ai_project": Recipe(DCT + "title", (GR + "purposeDescription",),
                         (DCT + "description", GR + "dataSources", GR + "legalBasisDescription"),
                         AIRO + "isUsedWithinLocality"),
    "charter": Recipe(DCT + "title", (), (DCT + "description",)),
    "criterion": Recipe(SKOS + "prefLabel", (), (SKOS + "definition",)),
}


@dataclass
class Document:
    id: str
    type: str
    texts: dict[str, str] = field(default_factory=dict)  # title_fr, title_en, summary_fr … body_en
    themes: list[str] = field(default_factory=list)  # direct themes (facets)
    themes_all: list[str] = field(default_factory=list)  # with broader themes (filters)
    theme_labels: str = ""
    city: str | None = None
    city_name: str = ""
    country: str | None = None
    tags: str = ""
    status: str | None = None
    issued: str | None = None


def kind_of(entity: Entity) -> str | None:
    for class_iri, kind in TYPES.items():
        if entity.is_a(class_iri):
            return kind
    return None


def affected(store: Store, touched: Sequence[NamedNode]) -> list[str]:
    """Indexed resources to refresh: those touched, and those pointing at a touched one (a renamed city or
    theme changes the documents that show its name). One query."""
    if not touched:
        return []
    rows = store.select("SELECT DISTINCT ?s WHERE { ?s ?p ?t FILTER(isIRI(?s)) }", {"t": list(touched)})
    return sorted({r["s"].value for r in rows} | {t.value for t in touched})


def build(store: Store, iris: Sequence[str]) -> tuple[list[Document], list[str]]:
    """Documents for the indexable resources among `iris`; the rest (gone, or not indexable) to remove."""
    found = entities.fetch(store, list(iris))
    themes = {e.iri: e for e in _themes(store)}
    cities = entities.fetch(store, sorted({c for e in found.values() for c in _cities(e)}))
    docs, gone = [], []
    for iri in iris:
        entity = found.get(iri)
        kind = kind_of(entity) if entity is not None else None
        if entity is None or kind is None or entity.values(RETIRED):  # retired: readable, not searchable
            gone.append(iri)
            continue
        docs.append(_document(entity, kind, themes, cities))
    return docs, gone


def all_indexable(store: Store) -> list[str]:
    rows = store.select("SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s a ?c FILTER NOT EXISTS { ?s ?retired ?t } } }",
                        {"g": store.graphs.public, "c": [NamedNode(c) for c in TYPES], "retired": NamedNode(RETIRED)})
    return sorted(r["s"].value for r in rows)


def _themes(store: Store) -> list[Entity]:
    from ..reads import theme_entities
    return theme_entities(store)


def _cities(entity: Entity) -> Iterable[str]:
    kind = kind_of(entity)
    recipe = RECIPES.get(kind or "")
    return entity.refs(recipe.city) if recipe and recipe.city else []


def _ancestors(theme: str, themes: dict[str, Entity]) -> list[str]:
    out, todo = [], [theme]
    while todo:
        current = todo.pop()
        if current in out:
            continue
        out.append(current)
        if current in themes:
            todo.extend(themes[current].refs(SKOS + "broader"))
    return out


def _by_lang(entity: Entity, predicates: Iterable[str]) -> dict[str, str]:
    """All texts of the predicates, grouped as French (fr*, and untagged) or English (en*)."""
    out: dict[str, list[str]] = {"fr": [], "en": []}
    for predicate in predicates:
        for lang, value in entity.texts(predicate):
            out["en" if lang.startswith("en") else "fr"].append(value)
    return {lang: "\n".join(values) for lang, values in out.items() if values}


def _document(entity: Entity, kind: str, themes: dict[str, Entity], cities: dict[str, Entity]) -> Document:
    recipe = RECIPES[kind]
    doc = Document(entity.iri, kind)
    for name, predicates in (("title", (recipe.title,)), ("summary", recipe.summary), ("body", recipe.body)):
        for lang, text in _by_lang(entity, predicates).items():
            doc.texts[f"{name}_{lang}"] = text
    doc.themes = entity.refs(DCT + "subject")
    doc.themes_all = sorted({a for t in doc.themes for a in _ancestors(t, themes)})
    doc.theme_labels = " ".join(value for t in doc.themes_all if t in themes
                                for _, value in themes[t].texts(SKOS + "prefLabel"))
    if recipe.city:
        doc.city = entity.ref(recipe.city)
        city = cities.get(doc.city or "")
        if city is not None:
            doc.city_name = " ".join(v for _, v in city.texts(SCHEMA + "name"))
            doc.country = city.literal(SCHEMA + "addressCountry")
    doc.tags = " ".join(v for p in recipe.tags for _, v in entity.texts(p))
    doc.status = entity.ref(GR + "status")
    doc.issued = entity.literal(DCT + "issued")
    return doc
