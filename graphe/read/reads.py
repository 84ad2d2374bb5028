"""Read side, composite answers: comparing two frameworks, the theme tree, statistics."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any
from dataclasses import dataclass

from . import entities, listing
from .entities import Entity, rank
from .filters import PRACTICE_FACETS, PracticeFilter, practice_query
from .listing import no_cache, iri_term
from .relations import MATCHES
from .ordering import Cache
from ..core.rdf import PREFIXES, Term
from ..model.namespaces import GR
from ..store import Store

CV, SKOS = PREFIXES["cv"], PREFIXES["skos"]


@dataclass(frozen=True)
class Alignment:
    """One row of a comparison: a criterion of A, of B, or both, how they match, and the gr:CriterionMapping
    that says who asserted the match, when and on what source (None when the match has no such record)."""

    a: Entity | None
    b: Entity | None
    match: str | None  # "EXACT" | "CLOSE" | "RELATED" | None
    mapping: Entity | None = None


@dataclass(frozen=True)
class Comparison:
    a: Entity | None
    b: Entity | None
    rows: list[Alignment]


def compare_charters(store: Store, a: str, b: str) -> Comparison:
    """The criteria of two frameworks side by side, aligned through their mappings (either direction), each with
    its provenance record, and the criteria that have no counterpart on either side. Three queries, whatever the
    sizes."""
    iri_term(a, "charte"), iri_term(b, "charte")
    charters = entities.fetch(store, [a, b])
    criteria = entities.fetch_related(store, [a, b], f"?s <{CV}isDerivedFrom> ?k .")
    ours = sorted(criteria.get(a, []), key=rank)
    theirs = sorted(criteria.get(b, []), key=rank)
    theirs_by_iri = {c.iri: c for c in theirs}
    records = entities.fetch_related(store, [c.iri for c in ours + theirs], f"?s <{GR.mappingSubject}> ?k .")
    by_pair = {(m.ref(GR.mappingSubject), m.ref(GR.mappingObject)): m for found in records.values() for m in found}
    order = {kind: i for i, (kind, _) in enumerate(MATCHES)}
    links: dict[tuple[str, str], str] = {}
    for x in ours:
        for kind, predicate in MATCHES:
            for target in x.refs(predicate):
                if target in theirs_by_iri:
                    links.setdefault((x.iri, target), kind)
    for y in theirs:
        for kind, predicate in MATCHES:
            for target in y.refs(predicate):
                links.setdefault((target, y.iri), kind)
    rows: list[Alignment] = []
    matched_b: set[str] = set()
    for x in ours:
        partners = [(t, k) for (s, t), k in links.items() if s == x.iri and t in theirs_by_iri]
        partners.sort(key=lambda p: (order[p[1]], rank(theirs_by_iri[p[0]])))
        if not partners:
            rows.append(Alignment(x, None, None))
        for target, kind in partners:
            record = by_pair.get((x.iri, target)) or by_pair.get((target, x.iri))
            rows.append(Alignment(x, theirs_by_iri[target], kind, record))
            matched_b.add(target)
    rows.extend(Alignment(None, y, None) for y in theirs if y.iri not in matched_b)
    return Comparison(charters.get(a), charters.get(b), rows)


def theme_entities(store: Store) -> list[Entity]:
    """Every concept of the published theme schemes, with its triples (one query)."""
    rows = store.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s a <{SKOS}Concept> }} ?s ?p ?o }}",
                        {"g": store.graphs.public})
    grouped: dict[str, Entity] = {}
    for row in rows:
        entity = grouped.setdefault(row["s"].value, Entity(row["s"].value))
        entity.props.setdefault(row["p"].value, []).append(row["o"])
    return sorted(grouped.values(), key=lambda e: e.iri)


def due_for_review(store: Store, today: str, city: str | None = None) -> list[tuple[str, str]]:
    """Published practices (not retired) whose review date (`gr:reviewDue`) is before `today` (YYYY-MM-DD),
    oldest first, with that date; only one city's when `city` is given."""
    day = dt.date.fromisoformat(today[:10]).isoformat()  # a date, whatever the caller gave
    where_city = "?p <%s> ?city ." % GR.city if city else ""
    bindings: dict[str, Any] = {"g": store.graphs.public}
    if city:
        bindings["city"] = iri_term(city, "ville")
    rows = store.select(f"""SELECT ?p ?due WHERE {{ GRAPH ?g {{ ?p a <{GR.Practice}> ; <{GR.reviewDue}> ?due . {where_city}
        FILTER NOT EXISTS {{ ?p <{PREFIXES["prov"]}invalidatedAtTime> ?gone }} }}
        FILTER(STR(?due) < "{day}") }} ORDER BY ?due ?p""", bindings)
    return [(r["p"].value, r["due"].value) for r in rows]


@dataclass(frozen=True)
class Stats:
    totals: dict[str, int]  # class IRI → count
    practice_facets: dict[str, list[tuple[Term, int]]]


def stats(store: Store, cached: Cache = no_cache) -> Stats:
    rows = store.select("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?c",
                        {"g": store.graphs.public})
    totals = {r["c"].value: int(r["n"].value) for r in rows}
    facets = listing.facets(store, practice_query(PracticeFilter(), "ID", False, ()), PRACTICE_FACETS, cached)
    return Stats(totals, facets)



def warm(store: Store, cached: Cache, stop: Callable[[], bool] = lambda: False) -> None:
    """Compute ahead what the first readers of a started service ask: the practice list in its default
    orders (title in French then English, publication date) and the statistics' facets. Their sort keys
    and facet tables are then kept fresh after every write."""
    for order in ("TITLE", "ISSUED"):
        if stop():
            return
        query = practice_query(PracticeFilter(), order, False, ("fr", "en"))
        listing.ordered(store, query, cached)
    if not stop():
        listing.facets(store, practice_query(PracticeFilter(), "ID", False, ()), PRACTICE_FACETS, cached)
    if not stop():  # the parser a write's patch needs (`listing.followed`): loaded now, not at the first write
        listing.followed(practice_query(PracticeFilter(), "ID", False, ()).where())


# What list pages show: practices, their cities, their themes and statuses (concepts), the charters.
PRELOADED = (PREFIXES["gr"] + "Practice", PREFIXES["gr"] + "City", SKOS + "Concept", PREFIXES["gr"] + "Charter")
PRELOAD_BATCH = 2000


def preload(store: Store, cache: Any, revision: int, stop: Callable[[], bool] = lambda: False,
            known: Sequence[str] | None = None) -> list[str]:
    """Read ahead, into `cache` at `revision`, the entities (without their long texts) of every resource of
    the `PRELOADED` classes — or of `known` resources, when the caller knows them —, in batches: varied list
    pages then read nothing from the store (what is kept already is not read again). Stops early when
    `stop()` says so (closing, or a newer revision). Returns the resources it did not get to."""
    if known is None:
        classes = " ".join(f"<{c}>" for c in PRELOADED)
        known = [r["s"].value for r in store.select(f"SELECT DISTINCT ?s WHERE {{ VALUES ?c {{ {classes} }} ?s a ?c }}")]
    for start in range(0, len(known), PRELOAD_BATCH):
        if stop():
            return list(known[start:])
        entities.read_many(cache, revision, store, "entity", known[start:start + PRELOAD_BATCH])
    return []
