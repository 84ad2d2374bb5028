"""Reads of the published graph that the open-data and web edges show as they are: a resource's triples and
those citing it, labels, the ontology, the catalogue's facts and figures. The edges call these; they never
query the store themselves (`tests/test_architecture.py`)."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence

from ..core.rdf import PREFIXES, Literal, NamedNode, Triple
from ..store import SYS, Store

_INVALIDATED = PREFIXES["prov"] + "invalidatedAtTime"
_POINT = re.compile(r"^\s*(?:<http://www\.opengis\.net/def/crs/OGC/1\.3/CRS84>\s*)?POINT\s*\(\s*"
                    r"([-+]?[\d.]+(?:[eE][-+]?\d+)?)\s+([-+]?[\d.]+(?:[eE][-+]?\d+)?)\s*\)\s*$", re.IGNORECASE)


# ------------------------------------------------------------------------------------------ resources

def hash_index(store: Store, base_iri: str) -> dict[str, list[str]]:
    """Entity IRI → its hash IRIs that are subjects of public triples (one scan)."""
    rows = store.select(
        'SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?prefix) '
        '&& CONTAINS(STR(?s), "#")) }', {"prefix": Literal(base_iri + "id/")})
    index: dict[str, list[str]] = {}
    for row in rows:
        value = row["s"].value
        index.setdefault(value.split("#", 1)[0], []).append(value)
    return {k: sorted(v) for k, v in index.items()}


def describe(store: Store, subject: NamedNode, hashes: Iterable[str]) -> list[Triple]:
    """Every public triple about the entity and its hash IRIs (one query), the entity's own first."""
    subjects = [subject, *(NamedNode(h) for h in hashes)]
    rows = store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", {"s": subjects})
    unique = {str(t): t for t in (Triple(r["s"], r["p"], r["o"]) for r in rows)}
    return sorted(unique.values(), key=lambda t: (t.subject != subject, str(t.subject), str(t.predicate),
                                                  str(t.object)))


def incoming(store: Store, iri: str, limit: int) -> tuple[list[tuple[str, str]], bool]:
    """Up to `limit` (subject, predicate) citing the entity, from other resources — not retired ones (a
    retired object leaves every list) —, and whether there are more."""
    rows = store.select(
        f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p ?o FILTER(isIRI(?s)) MINUS {{ ?s <{_INVALIDATED}> ?retired }} }} "
        f"ORDER BY ?p ?s LIMIT {limit + 2}", {"o": NamedNode(iri)})
    found = [(r["s"].value, r["p"].value) for r in rows
             if r["s"].value != iri and not r["s"].value.startswith(iri + "#")]
    return found[:limit], len(found) > limit


def labels(store: Store, iris: Iterable[str], predicates: Sequence[str]) -> dict[str, dict[str, list[tuple[str, str]]]]:
    """IRI → predicate → [(language, text)] of the literals `predicates` give each IRI (one query)."""
    known: dict[str, dict[str, list[tuple[str, str]]]] = {}
    iris = sorted(iris)
    if not iris:
        return known
    values = " ".join(str(NamedNode(p)) for p in predicates)
    rows = store.select(f"SELECT ?r ?p ?l WHERE {{ ?r ?p ?l VALUES ?p {{ {values} }} FILTER(isLiteral(?l)) }}",
                        {"r": [NamedNode(i) for i in iris]})
    for row in rows:
        text = row["l"]
        known.setdefault(row["r"].value, {}).setdefault(row["p"].value, []).append((text.language or "", text.value))
    return known


def ontology_triples(store: Store) -> list[Triple]:
    """The ontology graph, sorted."""
    return sorted(store.construct("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
                                  {"g": store.graphs.ontology}), key=str)


# ------------------------------------------------------------------------------------------ catalogue

def catalogue_facts(store: Store, base_iri: str) -> dict[str, list[tuple[str, str | None]]]:
    """One query for the AIMF's names and website, the theme scheme's title and every theme's labels:
    kind → [(value, language or None)]."""
    rows = store.select(
        """SELECT ?kind ?value WHERE {
             { ?aimf skos:prefLabel ?value BIND("name" AS ?kind) }
             UNION { ?aimf schema:url ?value BIND("url" AS ?kind) }
             UNION { ?scheme dct:title ?value BIND("scheme" AS ?kind) }
             UNION { ?theme skos:inScheme ?scheme ; skos:prefLabel ?value BIND("theme" AS ?kind) }
           } ORDER BY ?kind ?theme ?value""",
        {"aimf": NamedNode(base_iri + "id/organisation/aimf"), "scheme": NamedNode(base_iri + "id/theme")})
    facts: dict[str, list[tuple[str, str | None]]] = {}
    for row in rows:
        value = row["value"]
        lang = value.language if isinstance(value, Literal) else None
        facts.setdefault(row["kind"].value, []).append((value.value, lang or None))
    return facts


def city_points(store: Store) -> list[tuple[str, str]]:
    """(longitude, latitude) of every city's WKT point, as written in the data, ordered by city IRI."""
    rows = store.select("SELECT ?wkt WHERE { ?city a schema:City ; geo:hasGeometry/geo:asWKT ?wkt } "
                        "ORDER BY ?city ?wkt")
    points: list[tuple[str, str]] = []
    for row in rows:
        match = _POINT.match(row["wkt"].value)
        if match and (match[1], match[2]) not in points:
            points.append((match[1], match[2]))
    return points


def first_revision_time(store: Store) -> dt.datetime | None:
    """When this store's first revision was committed (read from the private revision log: a time only)."""
    rows = store.select(
        f"SELECT ?t WHERE {{ GRAPH ?log {{ ?r <{SYS}number> 1 ; prov:generatedAtTime ?t }} }} LIMIT 1",
        {"log": store.graphs.system}, private=True)
    return dt.datetime.fromisoformat(rows[0]["t"].value) if rows else None


def dataset_figures(store: Store, base_iri: str) -> tuple[list[str], int, int]:
    """For VoID: the properties the published data graph uses, its entities (IRIs under `{base}id/`) and
    its triples."""
    rows = store.select("SELECT DISTINCT ?p WHERE { GRAPH ?data { ?s ?p ?o } }", {"data": store.graphs.public})
    entities = store.select(
        """SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?data { ?s ?p ?o }
             FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?space)) }""",
        {"data": store.graphs.public, "space": Literal(base_iri + "id/")})
    return ([row["p"].value for row in rows], int(entities[0]["n"].value) if entities else 0,
            store.count(store.graphs.public))
