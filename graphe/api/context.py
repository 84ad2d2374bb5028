"""Per-request context: the service, the reader's languages, and fresh DataLoaders (never shared)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from strawberry.dataloader import DataLoader

from ..read import entities
from ..core import readset
from ..publishing.accounts import Account
from ..read.entities import Entity
from ..core.negotiation import preferred
from ..service import Graphe


MISSING = object()


@dataclass
class Context:
    graphe: Graphe
    langs: tuple[str, ...] = ()  # from Accept-Language, most preferred first
    actor: Account | None = None  # the authenticated account, None for an anonymous reader
    _loaders: dict[object, DataLoader] = field(default_factory=dict)  # one per kind of value
    _revision: int | None = None
    _local: dict[tuple, Any] = field(default_factory=dict)  # values this request read: one view throughout
    _preferences: dict[tuple, tuple[str, ...]] = field(default_factory=dict)

    @property
    def revision(self) -> int:
        """The data revision this request reads (read once: one consistent view of the read cache)."""
        if self._revision is None:
            self._revision = self.graphe.store.revision().number
        return self._revision

    def preferences(self, lang: Sequence[str] | None) -> tuple[str, ...]:
        """A field's `lang` argument wins over the header; French, then English, close the list."""
        key = tuple(lang or ())
        found = self._preferences.get(key)
        if found is None:
            found = self._preferences[key] = entities.preferences([*key, *self.langs])
        return found

    def kept_entity(self, iri: str) -> Entity | None | object:
        """The entity (without its long texts) if this request or the read cache holds it at this revision
        (`MISSING` otherwise): resolvers answer at once, without an awaitable, when everything they need
        is kept — most reads of a busy service."""
        return self._kept_value(("entity", iri))

    def kept_related(self, pattern: str, key: str) -> list[Entity] | object:
        return self._kept_value((("related", pattern), key))

    def kept_long(self, iri: str) -> Entity | object:
        """The long texts of `iri` (`entities.LONG_TEXT`), as an entity of those values only."""
        return self._kept_value(("long", iri))

    def _kept_value(self, key: tuple) -> Any:
        value = self._local.get(key, MISSING)
        if value is MISSING:
            value = self.graphe.reads.peek(self.revision, key, MISSING)
            if value is not MISSING:
                self._local[key] = value
        return value

    def local(self, kind: object, key: str) -> Any:
        """A value `prefetch` made sure of (KeyError if it did not)."""
        return self._local[(kind, key)]

    def prefetch(self, keys: list[tuple], fetch: bool = True) -> bool:
        """Make sure this request holds every (kind, key) of `keys` — kind "entity" or ("related", pattern)
        —, reading what is missing in one batch per kind. With `fetch` false, nothing is read: False if
        something is neither held nor kept."""
        missing: dict[object, list[str]] = {}
        for key in dict.fromkeys(keys):
            if self._kept_value(key) is MISSING:
                missing.setdefault(key[0], []).append(key[1])
        if missing and not fetch:
            return False
        for kind, ks in missing.items():
            self._kept(kind, ks)
        return True

    async def entity(self, iri: str) -> Entity | None:
        return await self._load("entity", iri)

    async def entities(self, iris: Sequence[str]) -> list[Entity]:
        """The entities of `iris` that exist, in the given order (one batched query per level)."""
        loaded = await self._loader("entity").load_many(list(iris))
        return [e for e in loaded if e is not None]

    async def related(self, pattern: str, key: str) -> list[Entity]:
        """Entities ?s related to `key` (?k) by `pattern`; all keys of one level share one query."""
        return await self._load(("related", pattern), key)

    async def long(self, iri: str) -> Entity:
        return await self._load("long", iri)

    async def lookup(self, iris: Sequence[str]) -> Callable[[str], Entity]:
        """Load `iris` (those not held yet in one batch, shared with the other reads of this tick);
        returns a function giving each one's entity (empty if unknown)."""
        missing = [i for i in iris if self._kept_value(("entity", i)) is MISSING]
        if missing:
            await self._loader("entity").load_many(missing)
        return self._entity_of

    def lookup_now(self, iris: Sequence[str]) -> Callable[[str], Entity]:
        """`lookup`, what is missing read at once rather than with the tick's other reads (`plan`)."""
        self.prefetch([("entity", i) for i in iris])
        return self._entity_of

    def _entity_of(self, iri: str) -> Entity:
        return self._local.get(("entity", iri)) or Entity(iri)

    async def _load(self, kind: object, key: str) -> Any:
        return await self._loader(kind).load(key)

    def _loader(self, kind: object) -> DataLoader:
        """The request's DataLoader of a kind: every key asked in one tick is read in one batch."""
        loader = self._loaders.get(kind)
        if loader is None:
            async def load(keys: list[str]) -> list[Any]:
                return self._kept(kind, keys)

            loader = self._loaders[kind] = DataLoader(load_fn=load)
        return loader

    def _kept(self, kind: object, keys: list[str]) -> list[Any]:
        """The values of `keys`, kept per revision across requests: those not kept yet are read in one batch."""
        with readset.tracked():  # recorded from `_local` (`note_reads`)
            found = entities.read_many(self.graphe.reads, self.revision, self.graphe.store, kind, keys)
        self._local.update(found)
        return [found[(kind, k)] for k in keys]


    def note_reads(self) -> None:
        """Tell the request's read set (`readset`) what it read through this context: entities and their
        long texts by IRI, inverse relations as derived values (and their members by IRI)."""
        iris: list[str] = []
        for (kind, key), value in self._local.items():
            if kind in ("entity", "long"):
                iris.append(key)
            elif type(kind) is tuple and kind[0] == "related":
                readset.derived((kind, key), value)
                iris.extend(e.iri for e in value)
            else:  # a kind this does not know how to check again
                readset.untracked()
        readset.resources(iris)


def accept_language(header: str | None) -> tuple[str, ...]:
    """Language tags of an Accept-Language header, by decreasing quality (q=0 and `*` dropped)."""
    return tuple(tag for tag in preferred(header) if tag != "*")
