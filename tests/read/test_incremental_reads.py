"""Derived reads patched after a write (`listing.Patch`) equal the same values computed from scratch."""
from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator

import pytest

from graphe.read import listing, ordering
from graphe.api import connections
from graphe.api.context import Context
from graphe.api.schema import build_schema
from graphe.read.filters import (PRACTICE_FACETS, PracticeFilter, city_query, criterion_query, organisation_query, practice_query)
from graphe.core.rdf import PREFIXES, Literal, NamedNode, Quad
from graphe.service import Graphe
from graphe.core.settings import Settings

BASE = "https://graphe.aimf.asso.fr/"
GR, DCT, SKOS, SCHEMA, PROV, XSD = (PREFIXES[p] for p in ("gr", "dct", "skos", "schema", "prov", "xsd"))
PRACTICE, CITY, THEME = BASE + "id/practice/gen-", BASE + "id/city/gen-", BASE + "id/theme/"

QUERIES = [
    practice_query(PracticeFilter(), "TITLE", False, ("fr", "en")),
    practice_query(PracticeFilter(), "ISSUED", True, ()),
    practice_query(PracticeFilter(), "ID", False, ()),
    practice_query(PracticeFilter(themes=(THEME + "data",)), "TITLE", False, ("fr",)),
    practice_query(PracticeFilter(countries=("FR",)), "MODIFIED", False, ()),
    practice_query(PracticeFilter(statuses=("PILOT",)), "ISSUED", False, ()),
    practice_query(PracticeFilter(issued_after=dt.date(2021, 1, 1)), "TITLE", True, ("en", "fr")),
    practice_query(PracticeFilter(cities=(CITY + "1",)), "ID", True, ()),
    city_query(["FR"], "NAME", False, ("fr",)),
    city_query([], "POPULATION", True, ()),
    criterion_query([], [], []),
    organisation_query(("fr",)),
]
PAGE = """query($t: [ID!], $c: [String!]) { practices(first: 40, filter: {themes: $t, countries: $c},
  orderBy: {field: TITLE}) { totalCount edges { node { id title } }
  facets { themes { theme { id } count } countries { country count } statuses { value { id } count } } } }"""
PAGE_VARIABLES = [{}, {"t": [THEME + "data"]}, {"c": ["FR"]}]


@pytest.fixture()
def graphe(validator, tmp_path) -> Iterator[Graphe]:  # type: ignore[no-untyped-def]
    from support.datagen import generate

    path = tmp_path / "generated.ttl"
    path.write_text(generate(300, seed=5, words=(10, 20)), encoding="utf-8")
    graphe = Graphe.open(Settings(data_dir=None), validator=validator, search="off")
    graphe.load([path])
    _settle(graphe)
    yield graphe
    graphe.close()


def _settle(graphe: Graphe) -> None:
    for thread in list(graphe._threads):
        thread.join()


def _read(graphe: Graphe) -> None:
    """What readers ask, twice (a value read again is one worth patching): lists, members, facets."""
    for _ in range(2):
        for query in QUERIES:
            connections.ordered(graphe, query)
            if query.class_iri == GR + "Practice":
                listing.facets(graphe.store, query, PRACTICE_FACETS, graphe.cached)


def _pages(graphe: Graphe) -> list:
    schema = build_schema()
    out = []
    for variables in PAGE_VARIABLES:
        result = asyncio.run(schema.execute(PAGE, variable_values=variables, context_value=Context(graphe)))
        assert not result.errors, result.errors
        out.append(result.data)
    return out


def _objects(graphe: Graphe, subject: str, predicate: str) -> list:
    return [r["o"] for r in graphe.store.select(f"SELECT ?o WHERE {{ <{subject}> <{predicate}> ?o }}")]


def _quad(graphe: Graphe, s: str, p: str, o: object) -> Quad:
    return Quad(NamedNode(s), NamedNode(p), o if not isinstance(o, str) else NamedNode(o),  # type: ignore[arg-type]
                graphe.store.graphs.public)


def _replace(graphe: Graphe, subject: str, predicate: str, *new: object) -> tuple[list[Quad], list[Quad]]:
    old = [_quad(graphe, subject, predicate, o) for o in _objects(graphe, subject, predicate)]
    return [_quad(graphe, subject, predicate, o) for o in new], old


def _practice(graphe: Graphe, name: str, title: str, city: str, theme: str, issued: str) -> list[Quad]:
    s = BASE + "id/practice/" + name
    return [_quad(graphe, s, PREFIXES["rdf"] + "type", GR + "Practice"),
            _quad(graphe, s, DCT + "title", Literal(title, language="fr")),
            _quad(graphe, s, GR + "city", city), _quad(graphe, s, DCT + "subject", theme),
            _quad(graphe, s, GR + "status", GR + "Pilot"),
            _quad(graphe, s, DCT + "issued", Literal(issued, datatype=NamedNode(XSD + "date")))]


WRITES = {
    "publish a practice": lambda g: (_practice(g, "new-1", "Aaa nouvelle pratique", CITY + "0", THEME + "open-data",
                                               "2023-05-01"), []),
    "change a title": lambda g: _replace(g, PRACTICE + "3", DCT + "title", Literal("Zzz titre changé", language="fr")),
    "change a date": lambda g: _replace(g, PRACTICE + "4", DCT + "issued",
                                        Literal("2020-02-02", datatype=NamedNode(XSD + "date"))),
    "change themes": lambda g: _replace(g, PRACTICE + "5", DCT + "subject", THEME + "data-charters"),
    "change a city": lambda g: _replace(g, PRACTICE + "6", GR + "city", CITY + "1"),
    "retire a practice": lambda g: ([_quad(g, PRACTICE + "7", PROV + "invalidatedAtTime",
                                           Literal("2026-01-01T00:00:00Z", datatype=NamedNode(XSD + "dateTime")))], []),
    "rename a city": lambda g: _replace(g, CITY + "0", SCHEMA + "name", Literal("Aaaville", language="fr")),
    "move a city": lambda g: _replace(g, CITY + "2", SCHEMA + "addressCountry", Literal("FR")),
    "change a theme's broader": lambda g: _replace(g, THEME + "personal-data-protection", SKOS + "broader",
                                                   THEME + "data"),
    "publish two, reorder a criterion": lambda g: (
        _practice(g, "new-2", "Pratique deux", CITY + "2", THEME + "data-charters", "2024-01-01")
        + _practice(g, "new-3", "Éclairage public", CITY + "3", THEME + "ai", "2019-01-01")
        + _replace(g, BASE + "id/criterion/gen-0-0", GR + "order", Literal("9", datatype=NamedNode(XSD + "integer")))[0],
        _replace(g, BASE + "id/criterion/gen-0-0", GR + "order")[1]),
}


def _recorded(graphe: Graphe, monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """The text of every SELECT the store runs from now on (until the patch is undone)."""
    asked: list[str] = []
    select = graphe.store.select

    def counted(query, *args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(query)
        return select(query, *args, **kwargs)
    monkeypatch.setattr(graphe.store, "select", counted)
    return asked


def _scratch(graphe: Graphe, key: tuple) -> object:
    """The value of a read cache key computed from scratch on the store."""
    store = graphe.store
    if key[0] == "keys" and key[1] == "text":
        return ordering.text_keys(store, key[2], key[3])
    if key[0] == "keys" and key[1] == "value":
        return ordering.value_keys(store, key[2])
    if key[0] == "keys":
        return ordering.pattern_keys(store, key[2], key[3])
    if key[0] == "facet":
        return listing.facet_table(store, key[1])
    if key[0] == "members":
        return listing.member_set(store, key[1])
    return listing.ordered(store, key[1])


PRACTICE_ONLY = {"publish a practice", "change a title", "change a date", "change themes", "change a city",
                 "retire a practice"}


def test_patched_reads_equal_reads_computed_from_scratch(graphe: Graphe, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    scratch = Graphe(graphe.settings, graphe.store)  # same store, empty read cache
    reordered: list[str] = []
    original = ordering.reordered
    monkeypatch.setattr(ordering, "reordered", lambda *args: reordered.append(name) or original(*args))
    for name, write in WRITES.items():
        _read(graphe)
        _pages(graphe)
        add, remove = write(graphe)
        graphe.store.commit(add, remove, summary=name)
        graphe.after_write()
        _settle(graphe)
        revision = graphe.store.revision().number
        kept = {key: entry[1] for key, entry in list(graphe.reads._entries.items())
                if entry[0] == revision and isinstance(key, tuple) and key[0] in ("keys", "facet", "members", "list")}
        for query in QUERIES:  # lists read lately, and their members, are ready at the new revision
            assert ("list", query) in kept and listing.members_key(query) in kept, (name, query)
        assert any(key[0] == "facet" for key in kept) and any(key[0] == "keys" for key in kept)
        for key, value in kept.items():
            assert value == _scratch(graphe, key), (name, key)
        scratch.reads.clear()
        assert _pages(graphe) == _pages(scratch), name
    # Lists were patched in place (not sorted again) after each write touching practices only.
    assert PRACTICE_ONLY <= set(reordered)


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("by_iri", [False, True])
def test_a_list_patched_in_place_is_the_list_sorted_again(descending: bool, by_iri: bool) -> None:
    """`ordering.reordered` against `sort`: random keys with ties and keyless resources, random changes."""
    import random

    rng = random.Random(3)
    how = ordering.Order("id" if by_iri else "value", descending=descending)

    def table() -> dict[str, tuple]:
        return {s: (0, rng.randint(0, 9), "") for s in universe if rng.random() < 0.8}

    def ordered(members: set[str], keys: dict[str, tuple]) -> tuple[str, ...]:
        return tuple(sorted(members, reverse=descending)) if by_iri else ordering.sort(members, keys, descending)

    for _ in range(200):
        universe = [f"s{i:03}" for i in rng.sample(range(300), 60)]
        members, keys = set(rng.sample(universe, 40)), table()
        old = ordered(members, keys)
        changed = set(rng.sample(universe, rng.randint(0, 8)))
        members = (members - changed) | {s for s in changed if rng.random() < 0.6}
        fresh = table()
        keys = {s: k for s, k in keys.items() if s not in changed} | {s: fresh[s] for s in changed if s in fresh}
        assert ordering.reordered(old, changed, members, None if by_iri else keys, how) == ordered(members, keys)


def test_a_practice_only_write_is_patched_not_recomputed(graphe: Graphe, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """After publishing a practice, every derived value is brought up to date by queries bound to the
    touched resources — no list, key table or facet table is read whole again — in fewer queries than
    computing them again (then reading the lists) takes, and reading the lists afterwards asks nothing."""
    monkeypatch.setattr(graphe, "_preload", lambda revision: None)  # (entities: not what is counted here)
    asked = _recorded(graphe, monkeypatch)

    def publish(name: str) -> tuple[int, int]:
        """Queries to bring the reads to a new practice's revision, then to read the lists again."""
        _read(graphe)
        asked.clear()
        before = graphe.store.queries
        graphe.store.commit(_practice(graphe, name, "Pratique " + name, CITY + "0", THEME + "ai", "2023-01-01"))
        graphe.after_write()
        _settle(graphe)
        after = graphe.store.queries
        _read(graphe)
        return after - before, graphe.store.queries - after

    with monkeypatch.context() as recomputing:
        recomputing.setattr(listing.Patch, "__call__", lambda self, key, old: listing.STALE)
        recomputed = publish("new-a")
    refresh, reading = publish("new-b")
    assert [q for q in asked if "SELECT" in q and "VALUES ?s" not in q and "VALUES ?t" not in q] == []
    assert reading == 0
    assert refresh + reading < sum(recomputed), (refresh, recomputed)


@pytest.mark.parametrize("write", sorted(WRITES))
def test_a_reader_before_the_refresh_patches_what_it_asks(graphe: Graphe, write: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A reader who comes after a write and before its refresh round (writes every second) gets the values
    it asks patched from the older revision where exact — equal to those computed from scratch — and,
    when only practices changed, no table is read whole again."""
    _read(graphe)
    add, remove = WRITES[write](graphe)
    graphe.store.commit(add, remove, summary=write)  # no refresh round: the reader comes first
    revision = graphe.store.revision().number
    asked = _recorded(graphe, monkeypatch)
    _read(graphe)
    monkeypatch.undo()
    kept = [key for key in list(graphe.reads._entries) if type(key) is tuple and key[0] in ("keys", "facet", "members")
            and graphe.reads.peek(revision, key) is not None]
    assert kept
    for key in kept:
        assert graphe.reads.peek(revision, key) == _scratch(graphe, key), (write, key)
    if write in PRACTICE_ONLY:
        assert [q for q in asked if "SELECT" in q and "VALUES ?s" not in q and "VALUES ?t" not in q] == []
