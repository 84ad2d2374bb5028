"""What a page for people reads, and how: one request's reads at one public revision, through the cache
the GraphQL API fills (`entities.read_many`, the relation patterns of `read.relations`), and the RDF of the
resources a page shows."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from . import html
from ..core.rdf import NamedNode, Triple
from ..read import entities, relations as R
from ..read.entities import Entity
from ..service import Graphe


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


def described_triples(reader: Reader, iris: Iterable[str]) -> list[Triple]:
    """What the published graph says of `iris` (their kept entities, long texts aside), as triples."""
    out = []
    for iri, entity in reader.entities(list(iris)).items():
        subject = NamedNode(iri)
        for predicate, values in entity.props.items():
            p = NamedNode(predicate)
            out.extend(Triple(subject, p, value) for value in values)
    return out


def to_float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
