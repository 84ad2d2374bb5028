"""Read side, entities: what the published graph says about resources, fetched in batches.

One call = one SPARQL query, whatever the number of keys: the API's DataLoaders call these once per nested
level. Entities are plain values (`Entity`), languages are chosen by `pick`.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .rdf import GR, PREFIXES, Literal, NamedNode, Term
from .store import Store

RDF_TYPE = PREFIXES["rdf"] + "type"
DEFAULT_LANGS = ("fr", "en")


@dataclass(frozen=True)
class Entity:
    """A resource and every (predicate → objects) the published graph gives it."""

    iri: str
    props: dict[str, list[Term]] = field(default_factory=dict)

    @property
    def types(self) -> list[str]:
        return self.refs(RDF_TYPE)

    def is_a(self, class_iri: str) -> bool:
        return class_iri in self.refs(RDF_TYPE)

    def values(self, predicate: str) -> list[Term]:
        return self.props.get(predicate, [])

    def refs(self, predicate: str) -> list[str]:
        return sorted(t.value for t in self.values(predicate) if isinstance(t, NamedNode))

    def ref(self, predicate: str) -> str | None:
        found = self.refs(predicate)
        return found[0] if found else None

    def literal(self, predicate: str) -> str | None:
        found = sorted(t.value for t in self.values(predicate) if isinstance(t, Literal))
        return found[0] if found else None

    def literals(self, predicate: str) -> list[str]:
        return sorted(t.value for t in self.values(predicate) if isinstance(t, Literal))

    def texts(self, predicate: str) -> list[tuple[str, str]]:
        """(language, text) of every language-tagged value, sorted by language."""
        return sorted((t.language or "", t.value) for t in self.values(predicate) if isinstance(t, Literal))

    def text(self, predicate: str, langs: Sequence[str] = DEFAULT_LANGS) -> str | None:
        return pick(self.texts(predicate), langs)

    @property
    def weight(self) -> int:
        """Its size for a read cache, in units of about 100 bytes (one IRI in an ordered list is one)."""
        return 1 + sum(1 + len(t.value) // 100 for terms in self.props.values() for t in terms)


def rank(entity: Entity) -> tuple[int, str]:
    """Sort key of a criterion in its charter: its `gr:order` (unranked last), then its IRI."""
    value = entity.literal(GR + "order")
    try:
        return (int(value) if value is not None else 10**9, entity.iri)
    except ValueError:
        return (10**9, entity.iri)


def preferences(langs: Iterable[str] | None) -> tuple[str, ...]:
    """The reader's languages then French, then English (duplicates removed, lower case)."""
    out: list[str] = []
    for tag in [*(langs or ()), *DEFAULT_LANGS]:
        tag = tag.strip().lower()
        if tag and tag not in out:
            out.append(tag)
    return tuple(out)


def pick(texts: Sequence[tuple[str, str]], langs: Sequence[str]) -> str | None:
    """The text in the first preferred language (`fr` also matches `fr-ca`), else any text."""
    if not texts:
        return None
    for want in langs:
        for lang, value in texts:
            if lang == want or lang.startswith(want + "-"):
                return value
    for lang, value in texts:
        if not lang:
            return value
    return texts[0][1]


def fetch(store: Store, iris: Sequence[str]) -> dict[str, Entity]:
    """Every published triple of each resource, in one query. Unknown IRIs are absent from the result."""
    if not iris:
        return {}
    rows = store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", {"s": [NamedNode(i) for i in iris]})
    return _group(rows, "s")


def fetch_related(store: Store, keys: Sequence[str], pattern: str) -> dict[str, list[Entity]]:
    """Entities ?s related to each key ?k by `pattern` (a graph pattern over ?k and ?s), with all their
    triples, in one query. Keys with nothing related map to an empty list."""
    if not keys:
        return {}
    rows = store.select(f"SELECT DISTINCT ?k ?s ?p ?o WHERE {{ {pattern} ?s ?p ?o }}",
                        {"k": [NamedNode(k) for k in keys]})
    related: dict[str, dict[str, Entity]] = {k: {} for k in keys}
    for row in rows:
        key, subject = row["k"].value, row["s"].value
        entity = related[key].setdefault(subject, Entity(subject))
        entity.props.setdefault(row["p"].value, []).append(row["o"])
    return {k: sorted(v.values(), key=lambda e: e.iri) for k, v in related.items()}


def _group(rows: list[dict[str, Term]], var: str) -> dict[str, Entity]:
    out: dict[str, Entity] = {}
    for row in rows:
        subject = row[var].value
        entity = out.setdefault(subject, Entity(subject))
        entity.props.setdefault(row["p"].value, []).append(row["o"])
    return out
