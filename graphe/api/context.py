"""Per-request context: the service, the reader's languages, and fresh DataLoaders (never shared)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from strawberry.dataloader import DataLoader

from .. import entities
from ..accounts import Account
from ..entities import Entity
from ..negotiation import preferred
from ..service import Graphe


MISSING = object()


@dataclass
class Context:
    graphe: Graphe
    langs: tuple[str, ...] = ()  # from Accept-Language, most preferred first
    actor: Account | None = None  # the authenticated account, None for an anonymous reader
    _entities: DataLoader[str, Entity | None] | None = None
    _related: dict[str, DataLoader[str, list[Entity]]] = field(default_factory=dict)
    _revision: int | None = None

    @property
    def revision(self) -> int:
        """The data revision this request reads (read once: one consistent view of the read cache)."""
        if self._revision is None:
            self._revision = self.graphe.store.revision().number
        return self._revision

    def preferences(self, lang: Sequence[str] | None) -> tuple[str, ...]:
        """A field's `lang` argument wins over the header; French, then English, close the list."""
        return entities.preferences([*(lang or ()), *self.langs])

    def kept_entity(self, iri: str) -> Entity | None | object:
        """The entity if the read cache holds it at this revision (`MISSING` otherwise): resolvers answer
        at once, without an awaitable, when everything they need is kept — most reads of a busy service."""
        return self.graphe.reads.peek(self.revision, ("entity", iri), MISSING)

    def kept_related(self, pattern: str, key: str) -> list[Entity] | object:
        return self.graphe.reads.peek(self.revision, (("related", pattern), key), MISSING)

    async def entity(self, iri: str) -> Entity | None:
        return await self._entities_loader().load(iri)

    async def entities(self, iris: Sequence[str]) -> list[Entity]:
        """The entities of `iris` that exist, in the given order (one batched query per level)."""
        loaded = await self._entities_loader().load_many(list(iris))
        return [e for e in loaded if e is not None]

    async def lookup(self, iris: Sequence[str]) -> Callable[[str], Entity]:
        """Load `iris` in one batch; returns a function giving each one's entity (empty if unknown)."""
        found = {e.iri: e for e in await self.entities(iris)}
        return lambda iri: found.get(iri) or Entity(iri)

    def _entities_loader(self) -> DataLoader[str, Entity | None]:
        if self._entities is None:
            async def load(keys: list[str]) -> list[Entity | None]:
                return self._kept("entity", keys, lambda ks: entities.fetch(self.graphe.store, ks),
                                  lambda e: e.weight if e is not None else 1, None)

            self._entities = DataLoader(load_fn=load)
        return self._entities

    async def related(self, pattern: str, key: str) -> list[Entity]:
        """Entities ?s related to `key` (?k) by `pattern`; all keys of one level share one query."""
        loader = self._related.get(pattern)
        if loader is None:
            async def load(keys: list[str]) -> list[list[Entity]]:
                return self._kept(("related", pattern), keys,
                                  lambda ks: entities.fetch_related(self.graphe.store, ks, pattern),
                                  lambda es: 1 + sum(e.weight for e in es), [])

            loader = self._related[pattern] = DataLoader(load_fn=load)
        return await loader.load(key)

    def _kept(self, kind: object, keys: list[str], fetch: Callable[[list[str]], dict],
              weight: Callable[[Any], int], default: Any) -> list[Any]:
        """The values of `keys`, kept per revision across requests: only those not kept yet are fetched,
        in one batch (`fetch` returns a dict; a key it leaves out gets `default`)."""
        found = self.graphe.reads.get_many(
            self.revision, [(kind, k) for k in keys],
            lambda missing: {(kind, k): v for k, v in fetch([m[1] for m in missing]).items()},
            weight=weight, default=default)
        return [found[(kind, k)] for k in keys]


def accept_language(header: str | None) -> tuple[str, ...]:
    """Language tags of an Accept-Language header, by decreasing quality (q=0 and `*` dropped)."""
    return tuple(tag for tag in preferred(header) if tag != "*")
