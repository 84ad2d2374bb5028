"""Read side, entities: what the published graph says about resources, fetched in batches.

One call = one SPARQL query, whatever the number of keys: the API's DataLoaders call these once per nested
level. Entities are plain values (`Entity`), languages are chosen by `pick`.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any
from dataclasses import dataclass, field

from ..core.rdf import PREFIXES, Literal, NamedNode, Quad, Term
from ..model.namespaces import GR
from ..store import Store

RDF_TYPE = PREFIXES["rdf"] + "type"
DEFAULT_LANGS = ("fr", "en")
# Predicates whose values are long texts (a practice's full description is 300 to 800 words): readers of
# lists and relations rarely ask for them, so the API reads them apart (`fetch(..., part=...)`).
LONG_TEXT = frozenset({PREFIXES["dct"] + "description", PREFIXES["schema"] + "description", GR.results,
                       GR.transferability})
_WITHOUT_LONG = "FILTER(?p NOT IN (%s))" % ", ".join(f"<{p}>" for p in sorted(LONG_TEXT))
_ONLY_LONG = "VALUES ?p { %s }" % " ".join(f"<{p}>" for p in sorted(LONG_TEXT))
_PARTS = {"all": "", "short": _WITHOUT_LONG, "long": _ONLY_LONG}


@dataclass(frozen=True, slots=True)
class Entity:
    """A resource and every (predicate → objects) the published graph gives it."""

    iri: str
    props: dict[str, Sequence[Term]] = field(default_factory=dict)  # lists while read, then tuples
    # What was derived from `props` (sorted references, chosen texts): entities are kept across requests
    # and read field by field, many times.
    _memo: dict[tuple, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def types(self) -> list[str]:
        return self.refs(RDF_TYPE)

    def is_a(self, class_iri: str) -> bool:
        return class_iri in self.refs(RDF_TYPE)

    def values(self, predicate: str) -> Sequence[Term]:
        return self.props.get(predicate, ())

    def refs(self, predicate: str) -> list[str]:
        key = ("refs", predicate)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = tuple(sorted(t.value for t in self.values(predicate) if isinstance(t, NamedNode)))
        return list(found)

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
        key = ("text", predicate, tuple(langs))
        try:
            return self._memo[key]
        except KeyError:
            found = self._memo[key] = pick(self.texts(predicate), langs)
            return found

    @property
    def weight(self) -> int:
        """Its size for a read cache, in units of about 100 bytes (one IRI in an ordered list is one)."""
        return 1 + sum(1 + len(t.value) // 100 for terms in self.props.values() for t in terms)


def forget(value: object) -> None:
    """A value leaves the read cache: what its entities memoised goes with it — links to other entities
    included (`graphe.api.fields`), which may make cycles (a practice and its adaptation, a charter and its
    criteria) between objects frozen out of the cyclic collector's sight (`core.collector.lasting_objects`):
    cleared, reference counting frees them."""
    if isinstance(value, Entity):
        _retire(value)
    elif isinstance(value, (list, tuple)):
        for item in value:
            if not isinstance(item, Entity):
                break  # a list of IRIs, not of entities
            _retire(item)


RETIRED = ("retired",)  # in an entity's memo once it left the read cache: no link is kept in it any more
CARRIED_KINDS = ("entity", "long")  # values made of their subject's own triples only (`renewal`)


class Touches:
    """The last public revision that touched each resource, since the service opened, as writes are noted
    (`Graphe.note_touches`): complete up to revision `known`."""

    LOG = 256  # notes remembered for `between` (older questions: None, the caller asks the store)

    def __init__(self, known: int) -> None:
        self.known = known
        self.last: dict[str, int] = {}
        # (revision noted before, revision noted, resources touched in between): replaced whole, read freely
        self._log: tuple[tuple[int, int, frozenset[str]], ...] = ()

    def add(self, last: dict[str, int], known: int) -> None:
        """`last` (resource → last public revision that touched it) covers every write from the last
        `known` to this one (callers note one at a time)."""
        if known <= self.known:
            return
        self.last.update(last)
        self._log = (*self._log[-(self.LOG - 1):], (self.known, known, frozenset(last)))
        self.known = known  # (last: a reader trusting `known` finds the rest in place)

    def between(self, since: int, now: int) -> frozenset[str] | None:
        """The resources touched after revision `since` up to `now` at least (a few later ones may be in),
        or None when the notes do not cover that span (not noted yet, or forgotten)."""
        log, known = self._log, self.known
        if now > known:
            return None
        if since >= known:
            return frozenset()
        if not log or log[0][0] > since:
            return None
        return frozenset().union(*(touched for _, upto, touched in log if upto > since))


def renewal(touches: Touches) -> Callable[[object, object, int, int], object]:
    """The read cache's `renew`: an entity (or its long texts) holds only its own subject's triples, so one
    read at a revision is still true at a newer one if no write touched its subject in between. It goes on
    as a new object: the old one may hold links to entities of its revision (`graphe.api.fields`), and
    requests of that revision may still add some. Taken on when first asked at the new revision, one entry
    at a time: a write no longer moves every entity kept (50,000 at 10,000 practices, 68 ms of the
    interpreter's lock per publication, profiled)."""
    from .readcache import STALE

    def renew(key: object, value: object, since: int, now: int) -> object:
        if not (type(key) is tuple and len(key) == 2 and key[0] in CARRIED_KINDS) or touches.known < now or \
                touches.last.get(key[1], -1) > since:  # type: ignore[call-overload]
            return STALE
        if isinstance(value, Entity):
            return Entity(value.iri, value.props)
        return value  # None: still no such resource
    return renew


def _retire(entity: Entity) -> None:
    entity._memo.clear()
    entity._memo[RETIRED] = True


def rank(entity: Entity) -> tuple[int, str]:
    """Sort key of a criterion in its charter: its `gr:order` (unranked last), then its IRI."""
    value = entity.literal(GR.order)
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


def fetch(store: Store, iris: Sequence[str], part: str = "all") -> dict[str, Entity]:
    """Every published triple of each resource, in one query — or only its `short` values (without the
    `LONG_TEXT` predicates), or only its `long` ones. Unknown IRIs are absent from the result."""
    if not iris:
        return {}
    rows = store.select(f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o {_PARTS[part]} }}", {"s": [NamedNode(i) for i in iris]})
    return _group(rows, "s")


def fetch_related(store: Store, keys: Sequence[str], pattern: str, part: str = "all") -> dict[str, list[Entity]]:
    """Entities ?s related to each key ?k by `pattern` (a graph pattern over ?k and ?s), with all their
    triples (or a `part`, as in `fetch`), in one query. Keys with nothing related map to an empty list."""
    if not keys:
        return {}
    rows = store.select(f"SELECT DISTINCT ?k ?s ?p ?o WHERE {{ {pattern} ?s ?p ?o {_PARTS[part]} }}",
                        {"k": [NamedNode(k) for k in keys]})
    related: dict[str, dict[str, Entity]] = {k: {} for k in keys}
    add = _adder()
    for row in rows:
        key, subject = row["k"].value, row["s"].value
        entity = related[key].get(subject)
        if entity is None:
            entity = related[key][subject] = Entity(subject)
        add(entity, row)
    for found in related.values():
        _settle(found.values())
    return {k: sorted(v.values(), key=lambda e: e.iri) for k, v in related.items()}


def grouped(quads: Iterable[Quad]) -> Iterator[Entity]:
    """The entities of a stream of quads in which each subject's quads come together (an index scan of one
    graph: `store.quads` where `store.quads_by_subject`), one at a time; blank-node subjects are skipped.
    (Written for speed: a rebuild of the search index runs it on every published quad.)"""
    shared: dict[object, object] = {}  # one object per predicate and per IRI value, as `_adder`
    share = shared.setdefault
    names: dict[NamedNode, str] = {}  # predicate → its IRI, computed once
    current: Entity | None = None
    props: dict | None = None
    last = None
    for subject, predicate, value, _ in quads:
        if subject != last:
            if current is not None:
                _settle((current,))
                yield current
            last = subject
            current = Entity(subject.value) if type(subject) is NamedNode else None
            props = current.props if current is not None else None
        if props is None:
            continue
        name = names.get(predicate)
        if name is None:
            name = names[predicate] = predicate.value
        if type(value) is NamedNode:
            value = share(value, value)
        props.setdefault(name, []).append(value)
    if current is not None:
        _settle((current,))
        yield current


def _group(rows: list[dict[str, Term]], var: str) -> dict[str, Entity]:
    out: dict[str, Entity] = {}
    add = _adder()
    for row in rows:
        subject = row[var].value
        entity = out.get(subject)
        if entity is None:
            entity = out[subject] = Entity(subject)
        add(entity, row)
    _settle(out.values())
    return out


def _settle(found: Iterable[Entity]) -> None:
    """Values as tuples once read: entities are kept many at a time, and a tuple is smaller than a list."""
    for entity in found:
        props = entity.props
        for predicate, values in props.items():
            props[predicate] = tuple(values)  # type: ignore[assignment]


def _adder() -> Callable[[Entity, dict[str, Term]], None]:
    """Adds a row's (?p, ?o) to an entity, sharing one object per predicate and per IRI value across the
    entities of one read: kept entities are many (list pages read them ahead), their IRIs much repeated."""
    shared: dict[object, object] = {}

    def add(entity: Entity, row: dict[str, Term]) -> None:
        predicate = row["p"].value
        predicate = shared.setdefault(predicate, predicate)
        value = row["o"]
        if type(value) is NamedNode:
            value = shared.setdefault(value, value)
        entity.props.setdefault(predicate, []).append(value)  # type: ignore[arg-type]
    return add


def source(store: Store, kind: object) -> tuple[Callable[[list[str]], dict], Callable[[Any], int], Any]:
    """How the API reads values of a kind, in one batch: "entity" (without its long texts), "long" (its
    long texts only), ("related", pattern) (`fetch_related`); with their weight for the read cache and
    the value of an absent key."""
    if kind == "entity":
        return (lambda ks: fetch(store, ks, "short")), _weight, None
    if kind == "long":
        return (lambda ks: fetch(store, ks, "long")), _weight, Entity("")
    pattern = kind[1]  # type: ignore[index]
    return (lambda ks: fetch_related(store, ks, pattern, "short")), (lambda es: 1 + sum(e.weight for e in es)), []


def rereadable(key: object) -> bool:
    """Is `key` a value `read_many` can read again by itself (an entity, its long texts, a relation)?"""
    return type(key) is tuple and len(key) == 2 and type(key[1]) is str and (
        key[0] in ("entity", "long") or (type(key[0]) is tuple and key[0][0] == "related"))


def read_many(cache: Any, revision: int, store: Store, kind: object, keys: Sequence[str]) -> dict[tuple, Any]:
    """The values of `keys` (as {(kind, key): value}), kept per revision in `cache` (a `RevisionCache`):
    only those not kept yet are read, in one batch."""
    fetch_, weight, default = source(store, kind)
    return cache.get_many(revision, [(kind, k) for k in keys],
                          lambda missing: {(kind, k): v for k, v in fetch_([m[1] for m in missing]).items()},
                          weight=weight, default=default)


def _weight(entity: Entity | None) -> int:
    return entity.weight if entity is not None else 1
