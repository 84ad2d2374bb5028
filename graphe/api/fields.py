"""Field factories: one line per GraphQL field, each reading an `Entity` or following a relation in batch.

Every object type wraps an `Entity` in its private `entity` attribute; relations return other wrappers,
resolved lazily by name from `graphe.api.types` so that types may refer to each other freely.
"""

import functools
import importlib
from collections.abc import Callable, Iterable
from typing import Annotated, Any, Optional

import strawberry
from strawberry.types import Info

from ..core import readset
from ..read import relations
from ..read.entities import LONG_TEXT, RETIRED, Entity
from .context import MISSING
from .plan import READ, Read

TYPES = "graphe.api.types"
INVALIDATED = "http://www.w3.org/ns/prov#invalidatedAtTime"


@strawberry.type(description="Un texte dans une langue. / A text in one language.")
class Translation:
    lang: str = strawberry.field(description="Étiquette de langue (BCP 47, minuscules). / Language tag.")
    value: str


LANG_DOC = ("Langues préférées, dans l'ordre ; puis français, anglais, toute langue. / Preferred languages, in "
            "order; then French, English, any.")


def _lazy(type_name: str) -> Any:
    return Annotated[type_name, strawberry.lazy(TYPES)]


@functools.cache
def _type(type_name: str) -> Any:
    return getattr(importlib.import_module(TYPES), type_name)


def _wrap(type_name: str, entity: Entity) -> Any:
    return _type(type_name)(entity=entity)


live = relations.live  # one rule for both edges: a retired resource leaves every list


def _field(resolve: Callable[..., Any], read: Read, **options: Any) -> Any:
    """A strawberry field, with how `plan` reads it without graphql-core's per-field machinery."""
    return strawberry.field(resolver=resolve, metadata={READ: read}, **options)


def _root_field(resolve: Callable[[Any], Any], **options: Any) -> Any:
    """A field read from its object alone (`resolve(root)`), the same way by strawberry and by `plan`."""
    return _field(resolve, Read(lambda root, ctx, args: resolve(root)), **options)


def node_id(description: str = "IRI de la ressource. / The resource's IRI.") -> Any:
    def resolve(root: Any) -> strawberry.ID:
        return strawberry.ID(root.entity.iri)
    return _field(resolve, Read(lambda root, ctx, args: root.entity.iri), description=description,
                  graphql_type=strawberry.ID)


def _from(root: Any, info: Info, long: bool, use: Callable[[Entity], Any]) -> Any:
    """`use` applied to the entity holding the values: the root's own, or for long texts (`LONG_TEXT`)
    the root's long texts, read apart — now if kept, else batched with the level's other reads."""
    if not long:
        return use(root.entity)
    kept = info.context.kept_long(root.entity.iri)
    if kept is not MISSING:
        return use(kept)

    async def load() -> Any:
        return use(await info.context.long(root.entity.iri))
    return load()


def _held(root: Any, ctx: Any, long: bool) -> Entity:
    return ctx.local("long", root.entity.iri) if long else root.entity


def _long_needs(root: Any, args: dict) -> list[tuple]:
    return [("long", root.entity.iri)]


# Relations `plan` has followed are remembered in the entity (`_memo`), under ("link one" | "link many" |
# "link inverse", predicate or pattern) — one value shape per key, whatever type wraps the entity:
# an entity belongs to one revision (the read cache never gives it for another), and so do the entities
# it was linked to then. The next reader follows the link without asking the request or the read cache
# (two dictionaries of 100,000 keys) for each related entity.
def _linked(root: Any, link: tuple) -> Any:
    value = root.entity._memo.get(link, MISSING)
    if value is not MISSING:  # read without the request's context: the read set learns it here
        if link[0] == "link inverse":
            readset.derived((("related", link[1]), root.entity.iri), value)
            readset.resources([e.iri for e in value])
        else:  # every reference, those left out (absent, retired) included
            readset.resources(root.entity.refs(link[1]))
    return value


def _link(root: Any, link: tuple, value: Any) -> Any:
    memo = root.entity._memo
    if RETIRED not in memo:  # an entity out of the read cache would keep the linked ones alive, unweighed
        memo[link] = value
    return value


def text(predicate: str, description: str) -> Any:
    """The text in the reader's language (field `lang`, else Accept-Language, else fr → en → any)."""
    long = predicate in LONG_TEXT

    def resolve(root: Any, info: Info, lang: Annotated[Optional[list[str]], strawberry.argument(
            description=LANG_DOC)] = None) -> Optional[str]:
        langs = info.context.preferences(lang)
        return _from(root, info, long, lambda entity: entity.text(predicate, langs))

    def read(root: Any, ctx: Any, args: dict) -> Optional[str]:
        return _held(root, ctx, long).text(predicate, ctx.preferences(args.get("lang")))
    return _field(resolve, Read(read, _long_needs if long else None), description=description)


def translations(predicate: str, description: str) -> Any:
    long = predicate in LONG_TEXT

    def of(entity: Entity) -> list[Translation]:
        return [Translation(lang=lang, value=value) for lang, value in entity.texts(predicate)]

    def resolve(root: Any, info: Info) -> list[Translation]:
        return _from(root, info, long, of)
    return _field(resolve, Read(lambda root, ctx, args: of(_held(root, ctx, long)), _long_needs if long else None),
                  description=description + " — toutes les langues / all languages")


def texts(predicate: str, description: str) -> Any:
    """Several values (keywords): those in the preferred language present, else all."""
    def chosen(root: Any, langs: tuple[str, ...]) -> list[str]:
        values = root.entity.texts(predicate)
        for want in langs:
            found = [v for l, v in values if l == want or l.startswith(want + "-")]
            if found:
                return found
        return [v for _, v in values]

    def resolve(root: Any, info: Info, lang: Annotated[Optional[list[str]], strawberry.argument(
            description=LANG_DOC)] = None) -> list[str]:
        return chosen(root, info.context.preferences(lang))
    return _field(resolve, Read(lambda root, ctx, args: chosen(root, ctx.preferences(args.get("lang")))),
                  description=description)


def literal(predicate: str, description: str, convert: Callable[[str], Any] = str, kind: Any = str) -> Any:
    def resolve(root: Any) -> Any:
        value = root.entity.literal(predicate)
        if value is None:
            return None
        try:
            return convert(value)
        except ValueError:
            return None
    return _root_field(resolve, description=description, graphql_type=Optional[kind])


def literals(predicate: str, description: str) -> Any:
    def resolve(root: Any) -> list[str]:
        return root.entity.literals(predicate) + root.entity.refs(predicate)
    return _root_field(resolve, description=description)


def link(predicate: str, description: str) -> Any:
    """An IRI value given as a string (a web page, a Wikidata item)."""
    def resolve(root: Any) -> Optional[str]:
        return root.entity.ref(predicate)
    return _root_field(resolve, description=description)


def one(predicate: str, type_name: str, description: str) -> Any:
    def resolve(root: Any, info: Info) -> Any:
        target = root.entity.ref(predicate)
        if target is None:
            return None
        kept = info.context.kept_entity(target)
        if kept is not MISSING:  # answered now: no awaitable for graphql-core to schedule
            return _wrap(type_name, kept) if kept is not None else None

        async def load() -> Any:
            entity = await info.context.entity(target)
            return _wrap(type_name, entity) if entity is not None else None
        return load()

    link = ("link one", predicate)

    def needs(root: Any, args: dict) -> list[tuple]:
        target = root.entity.ref(predicate)
        return [] if target is None or _linked(root, link) is not MISSING else [("entity", target)]

    def read(root: Any, ctx: Any, args: dict) -> Any:
        entity = _linked(root, link)
        if entity is MISSING:
            target = root.entity.ref(predicate)
            entity = _link(root, link, None if target is None else ctx.local("entity", target))
        return _wrap(type_name, entity) if entity is not None else None
    return _field(resolve, Read(read, needs), description=description, graphql_type=Optional[_lazy(type_name)])


def many(predicate: str, type_name: str, description: str, order: Callable[[str], Any] | None = None) -> Any:
    """The resources `predicate` points at, in IRI order (or by `order(iri)`: records numbered 1, 2 … 10)."""
    def refs_of(root: Any) -> list[str]:
        found = root.entity.refs(predicate)
        return sorted(found, key=order) if order is not None else found

    def resolve(root: Any, info: Info) -> Any:
        refs = refs_of(root)
        kept = [info.context.kept_entity(r) for r in refs]
        if MISSING not in kept:
            return [_wrap(type_name, e) for e in live(e for e in kept if e is not None)]

        async def load() -> Any:
            return [_wrap(type_name, e) for e in live(await info.context.entities(refs))]
        return load()

    link = ("link many", predicate)

    def needs(root: Any, args: dict) -> list[tuple]:
        return [] if _linked(root, link) is not MISSING else [("entity", r) for r in refs_of(root)]

    def read(root: Any, ctx: Any, args: dict) -> list[Any]:
        found = _linked(root, link)
        if found is MISSING:
            held = (ctx.local("entity", r) for r in refs_of(root))
            found = _link(root, link, tuple(live(e for e in held if e is not None)))
        return [_wrap(type_name, e) for e in found]
    return _field(resolve, Read(read, needs), description=description, graphql_type=list[_lazy(type_name)])


def inverse(pattern: str, type_name: str, description: str,
            sort: Callable[[Entity], Any] | None = None) -> Any:
    """Resources ?s pointing at this one (?k) through `pattern` — batched per level."""
    def wrap(found: list[Entity]) -> list[Any]:
        found = live(found)
        return [_wrap(type_name, e) for e in (sorted(found, key=sort) if sort is not None else found)]

    def resolve(root: Any, info: Info) -> Any:
        kept = info.context.kept_related(pattern, root.entity.iri)
        if kept is not MISSING:
            return wrap(kept)  # type: ignore[arg-type]

        async def load() -> Any:
            return wrap(await info.context.related(pattern, root.entity.iri))
        return load()
    kind, link = ("related", pattern), ("link inverse", pattern)

    def read(root: Any, ctx: Any, args: dict) -> list[Any]:
        found = _linked(root, link)
        return wrap(found if found is not MISSING else _link(root, link, tuple(ctx.local(kind, root.entity.iri))))
    return _field(resolve, Read(read, lambda root, args: [] if _linked(root, link) is not MISSING
                                else [(kind, root.entity.iri)]),
                  description=description, graphql_type=list[_lazy(type_name)])


def concept(predicate: str, description: str) -> Any:
    """A controlled value (status, verdict, kind…): its concept with code and labels."""
    return one(predicate, "Concept", description)


def retired_at() -> Any:
    def resolve(root: Any) -> Optional[str]:
        return root.entity.literal(INVALIDATED)
    return _root_field(resolve, description="Date de retrait, si l'objet est retiré. / Retired at.")


def history() -> Any:
    def resolve(root: Any, info: Info) -> Any:
        return [_type("VersionInfo")(value=v) for v in info.context.graphe.workflow.history(root.entity.iri)]
    return strawberry.field(resolver=resolve, description="Versions publiées. / Published versions.",
                            graphql_type=list[_lazy("VersionInfo")])
