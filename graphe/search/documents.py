"""What the search index holds for each resource, built from the published graph (no search engine here)."""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from ..read import entities
from ..read.entities import Entity
from . import analysis
from .engine import TEXT_FIELDS, Doc
from ..core.rdf import PREFIXES, NamedNode
from ..model import practice
from ..model.namespaces import GR
from ..store import Store

DCT, SKOS, SCHEMA = PREFIXES["dct"], PREFIXES["skos"], PREFIXES["schema"]
DCAT, AIRO, CV, ORG = PREFIXES["dcat"], PREFIXES["airo"], PREFIXES["cv"], PREFIXES["org"]

RETIRED = PREFIXES["prov"] + "invalidatedAtTime"
# Class → kind. The first class an entity has, in this order, decides (a city is never a practice).
TYPES = {GR.Practice: "practice", GR.AIProject: "ai_project", GR.Charter: "charter",
         GR.Criterion: "criterion", SCHEMA + "City": "city", SCHEMA + "Event": "event",
         GR.ActionPlan: "action_plan", ORG + "FormalOrganization": "organisation",
         ORG + "Organization": "organisation", CV + "PublicOrganisation": "organisation"}


@dataclass(frozen=True)
class Recipe:
    titles: tuple[str, ...]  # names: the first is the title, all are exact names
    summary: tuple[str, ...]
    body: tuple[str, ...]
    city: str | None = None  # the predicate naming its city ("self": the resource is the city)
    tags: tuple[str, ...] = ()


# The records whose texts feed a practice's body: (link predicate, text predicates), from the model.
RECORD_TEXTS = practice.search_records("body")

RECIPES = {
    "practice": Recipe(practice.search_predicates("title"), practice.search_predicates("summary"),  # the model's
                       practice.search_predicates("body"), practice.search_predicates("city")[0],
                       practice.search_predicates("tags")),
    "ai_project": Recipe((DCT + "title",), (GR.purposeDescription,),
                         (DCT + "description", GR.dataSources, GR.legalBasisDescription),
                         AIRO + "isUsedWithinLocality"),
    "charter": Recipe((DCT + "title",), (), (DCT + "description",)),
    "criterion": Recipe((SKOS + "prefLabel",), (), (SKOS + "definition",)),
    "city": Recipe((SCHEMA + "name",), (), (SCHEMA + "description",), "self"),
    "event": Recipe((SCHEMA + "name",), (), (SCHEMA + "description",), SCHEMA + "location"),
    "action_plan": Recipe((DCT + "title",), (), (DCT + "description",)),
    "organisation": Recipe((SKOS + "prefLabel", SKOS + "altLabel"), (), (DCT + "description",)),
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
    names: list[str] = field(default_factory=list)  # every title and name, as written

    def for_engine(self) -> Doc:
        """The document as the engines index it: texts analysed once, here."""
        text = {}
        vocabulary: dict[str, None] = {}  # every raw word once, in order
        for name, (lang, _) in TEXT_FIELDS.items():
            raw = analysis.split((self.texts.get(name) if name in self.texts else getattr(self, name, "")) or "")
            text[name] = analysis.indexed_words(raw, lang)
            vocabulary.update(dict.fromkeys(raw))
        keywords = {"id": (self.id,), "type": (self.type,), "themes": tuple(self.themes),
                    "themes_all": tuple(self.themes_all), "city": (self.city,) if self.city else (),
                    "country": (self.country,) if self.country else (),
                    "status": (self.status,) if self.status else (),
                    "name": tuple(dict.fromkeys(k for k in map(analysis.name_key, self.names) if k))}
        spell = " ".join(dict.fromkeys(analysis.plain_words(list(vocabulary))))
        stored = json.dumps({"id": self.id, "type": self.type, "texts": self.texts, "themes": self.themes},
                            ensure_ascii=False).encode()
        return Doc(self.id, self.type, text, keywords, spell, self.issued or "", stored)


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
    owned = entities.fetch(store, sorted({r for e in found.values() for link, _ in RECORD_TEXTS for r in e.refs(link)}))
    docs, gone = [], []
    for iri in iris:
        entity = found.get(iri)
        kind = kind_of(entity) if entity is not None else None
        if entity is None or kind is None or entity.values(RETIRED):  # retired: readable, not searchable
            gone.append(iri)
            continue
        docs.append(_document(entity, kind, themes, cities, owned))
    return docs, gone


def everything(store: Store) -> Iterator[Document] | None:
    """Every indexable resource's document, read in one scan of the published graph (a rebuild: at 20,000
    practices 1 ms a document read in batches by IRI, against a few microseconds scanned); None where the
    store cannot give each subject's triples together (then `build` by batches)."""
    if not getattr(store, "quads_by_subject", False):
        return None
    themes = {e.iri: e for e in _themes(store)}
    city_iris = [r["s"].value for r in store.select("SELECT ?s WHERE { GRAPH ?g { ?s a ?c } }",
                                                     {"g": store.graphs.public, "c": NamedNode(SCHEMA + "City")})]
    cities = entities.fetch(store, city_iris)
    # A practice's records (indicators, costs) are subjects of their own, after it in the scan: read first.
    record_iris = [r["r"].value for r in store.select("SELECT DISTINCT ?r WHERE { GRAPH ?g { ?s ?link ?r } }", {
        "g": store.graphs.public, "link": [NamedNode(link) for link, _ in RECORD_TEXTS]})] if RECORD_TEXTS else []
    owned = entities.fetch(store, record_iris)

    def documents() -> Iterator[Document]:
        for entity in entities.grouped(store.quads(store.graphs.public)):
            kind = kind_of(entity)
            if kind is not None and not entity.values(RETIRED):
                yield _document(entity, kind, themes, cities, owned)
    return documents()


def prepare(batch: list[Document]) -> list[Doc]:
    """Documents as the engines index them (what a rebuild's helper process runs)."""
    return [d.for_engine() for d in batch]


def all_indexable(store: Store) -> list[str]:
    rows = store.select("SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s a ?c FILTER NOT EXISTS { ?s ?retired ?t } } }",
                        {"g": store.graphs.public, "c": [NamedNode(c) for c in TYPES], "retired": NamedNode(RETIRED)})
    return sorted(r["s"].value for r in rows)


def _themes(store: Store) -> list[Entity]:
    from ..read.reads import theme_entities
    return theme_entities(store)


def _cities(entity: Entity) -> Iterable[str]:
    kind = kind_of(entity)
    recipe = RECIPES.get(kind or "")
    if recipe is None or recipe.city is None:
        return []
    return [entity.iri] if recipe.city == "self" else entity.refs(recipe.city)


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


def _record_texts(entity: Entity, owned: dict[str, Entity]) -> dict[str, str]:
    out: dict[str, list[str]] = {}
    for link, predicates in RECORD_TEXTS:
        for r in entity.refs(link):
            if r in owned:
                for lang, text in _by_lang(owned[r], predicates).items():
                    out.setdefault(lang, []).append(text)
    return {lang: "\n".join(texts) for lang, texts in out.items()}


def _by_lang(entity: Entity, predicates: Iterable[str]) -> dict[str, str]:
    """All texts of the predicates, grouped as French (fr*, and untagged) or English (en*)."""
    out: dict[str, list[str]] = {"fr": [], "en": []}
    for predicate in predicates:
        for lang, value in entity.texts(predicate):
            out["en" if lang.startswith("en") else "fr"].append(value)
    return {lang: "\n".join(values) for lang, values in out.items() if values}


def _document(entity: Entity, kind: str, themes: dict[str, Entity], cities: dict[str, Entity],
              owned: dict[str, Entity] | None = None) -> Document:
    recipe = RECIPES[kind]
    doc = Document(entity.iri, kind)
    for name, predicates in (("title", recipe.titles), ("summary", recipe.summary), ("body", recipe.body)):
        for lang, text in _by_lang(entity, predicates).items():
            doc.texts[f"{name}_{lang}"] = text
    if kind == "practice" and owned:  # the texts of its records (an indicator's name, who funds it)
        for lang, text in _record_texts(entity, owned).items():
            key = f"body_{lang}"
            doc.texts[key] = f"{doc.texts[key]}\n{text}" if key in doc.texts else text
    doc.names = [value for p in recipe.titles for _, value in entity.texts(p)]
    doc.themes = entity.refs(DCT + "subject")
    doc.themes_all = sorted({a for t in doc.themes for a in _ancestors(t, themes)})
    doc.theme_labels = " ".join(value for t in doc.themes_all if t in themes
                                for _, value in themes[t].texts(SKOS + "prefLabel"))
    if recipe.city:
        doc.city = entity.iri if recipe.city == "self" else entity.ref(recipe.city)
        city = cities.get(doc.city or "")
        if city is not None:
            doc.city_name = " ".join(v for _, v in city.texts(SCHEMA + "name"))
            doc.country = city.literal(SCHEMA + "addressCountry")
    elif entity.literal(SCHEMA + "addressCountry"):  # an organisation
        doc.country = entity.literal(SCHEMA + "addressCountry")
    doc.tags = " ".join(v for p in recipe.tags for _, v in entity.texts(p))
    doc.status = entity.ref(GR.status)
    doc.issued = entity.literal(DCT + "issued")
    return doc
