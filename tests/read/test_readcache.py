"""What is derived for reading is kept per revision: served again without a query, never stale after a write."""
from __future__ import annotations

import asyncio
import threading
import time

import pytest

from graphe.api.context import Context
from graphe.api.schema import build_schema
from graphe.read.readcache import RevisionCache
from graphe.service import Graphe, open_store

BASE = "https://graphe.aimf.asso.fr/"


def test_a_value_is_kept_for_its_revision_only() -> None:
    cache = RevisionCache()
    calls: list[int] = []
    assert cache.get(1, "k", lambda: calls.append(1) or "a") == "a"
    assert cache.get(1, "k", lambda: calls.append(1) or "b") == "a"
    assert cache.get(2, "k", lambda: calls.append(2) or "c") == "c"
    assert calls == [1, 2] and (cache.hits, cache.misses) == (1, 2)


def test_the_weight_bound_drops_the_least_recently_used() -> None:
    cache = RevisionCache(max_weight=10)
    for key in "abc":
        cache.get(1, key, lambda: [0] * 4, weight=len)
    assert len(cache) == 2 and cache.weight == 8  # "a" went out
    cache.get(1, "b", lambda: pytest.fail("b is kept"))
    cache.get(1, "huge", lambda: [0] * 11, weight=len)  # heavier than the bound: computed, not kept
    assert cache.weight <= 10 and len(cache) == 2


def test_a_value_read_lately_outlives_older_unread_ones() -> None:
    """Reads (`peek` as `get`) only mark an entry; a marked entry goes back to the end of the queue once
    instead of out — the least recently used approximately, at the price of a mark per read."""
    cache = RevisionCache(max_weight=3)
    for key in "abc":
        cache.get(1, key, lambda: key)
    assert cache.peek(1, "a") == "a"
    cache.get(1, "d", lambda: "d")
    assert [k in cache for k in "abcd"] == [True, False, True, True]  # "b", older than "a" but unread, out
    assert cache.peek(1, "c") == "c"
    cache.get(1, "e", lambda: "e")
    assert [k in cache for k in "acde"] == [True, True, False, True]  # "c", read, went back: "d" went out
    assert cache.peek(1, "a") == "a"
    cache.get(2, "g", lambda: "g")  # read, but of an older revision: no second chance
    assert "a" not in cache and cache.weight == 3 and len(cache) == 3


def test_one_put_gives_a_bounded_number_of_second_chances() -> None:
    """With every entry read lately, a put still evicts after `SECOND_CHANCES` rotations, not a whole turn
    of the queue under the lock."""
    from graphe.read.readcache import SECOND_CHANCES
    cache = RevisionCache(max_weight=1000)
    for i in range(1000):
        cache.get(1, i, lambda: i)
        cache.peek(1, i)
    cache.get(1, "new", lambda: "new")
    assert cache.weight == 1000 and "new" in cache
    assert SECOND_CHANCES not in cache and all(i in cache for i in range(SECOND_CHANCES))  # rotated, kept


def test_entities_leaving_the_cache_forget_their_links() -> None:
    """Entities linked to each other (a practice and its adaptation) would make a cycle out of the
    collector's sight once frozen: leaving the cache — replaced at a new revision, evicted, cleared —
    empties what they memoised."""
    from graphe.read.entities import RETIRED, Entity, forget
    cache = RevisionCache(max_weight=3, on_drop=forget)
    a, b, c = Entity("a"), Entity("b"), Entity("c")
    a._memo[("link", "p")], b._memo[("link", "q")] = (b,), (a,)
    cache.get(1, ("entity", "a"), lambda: a)
    cache.get(1, ("related", "b"), lambda: [b, c])
    cache.get(1, ("list", "iris"), lambda: ("x", "y"))
    cache.get(2, ("entity", "a"), lambda: Entity("a"))  # a new revision: the old entity is dropped
    assert a._memo == {RETIRED: True} and b._memo  # (and `plan` links nothing more into a retired entity)
    cache.get(2, "heavy", lambda: "h", weight=lambda _: 3)  # evicts everything else
    assert b._memo == {RETIRED: True} and len(cache) == 1
    kept = Entity("d")
    kept._memo["x"] = 1
    cache.get(2, ("entity", "d"), lambda: kept)
    cache.clear()
    assert kept._memo == {RETIRED: True} and len(cache) == 0


def test_one_computation_for_many_threads_asking_at_once() -> None:
    cache = RevisionCache()
    calls: list[int] = []
    results: list[str] = []

    def slow() -> str:
        calls.append(1)
        time.sleep(0.2)
        return "v"

    threads = [threading.Thread(target=lambda: results.append(cache.get(1, "k", slow))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["v"] * 8 and calls == [1]


def test_an_error_reaches_every_waiter_and_is_not_kept() -> None:
    cache = RevisionCache()
    with pytest.raises(ZeroDivisionError):
        cache.get(1, "k", lambda: 1 // 0)
    assert cache.get(1, "k", lambda: 5) == 5


def test_get_many_queries_only_what_is_missing() -> None:
    cache = RevisionCache()
    asked: list[list[str]] = []

    def compute(keys):  # type: ignore[no-untyped-def]
        asked.append(list(keys))
        return {k: k.upper() for k in keys if k != "none"}

    assert cache.get_many(1, ["a", "b", "none"], compute) == {"a": "A", "b": "B", "none": None}
    assert cache.get_many(1, ["b", "c", "none"], compute) == {"b": "B", "c": "C", "none": None}
    assert asked == [["a", "b", "none"], ["c"]]


PAGE = """query($t: [ID!]) { practices(first: 50, filter: {themes: $t}) { totalCount
  edges { node { id title city { name } } } facets { countries { country count } } } }"""

NEW = f"""@prefix gr: <https://graphe.aimf.asso.fr/def#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{BASE}id/practice/cache-test> a gr:Practice ; dct:title "Pratique ajoutée pour le cache"@fr ;
  dct:abstract "Une pratique ajoutée après une première lecture."@fr ; gr:city <{BASE}id/city/dakar> ;
  dct:subject <{BASE}id/theme/ai> ; gr:status gr:Idea ; dct:issued "2026-01-01"^^xsd:date ;
  gr:results "Aucun."@fr ; gr:transferability "Partout."@fr ; dct:source <{BASE}id/source/aimf-article-2024-nantes-ia> .
<{BASE}id/city/dakar> <https://schema.org/name> "Dakar (en)"@en .
"""


def test_lists_facets_and_entities_follow_a_write(fresh: Graphe, tmp_path) -> None:  # type: ignore[no-untyped-def]
    schema = build_schema()

    def read() -> dict:
        result = asyncio.run(schema.execute(PAGE, variable_values={"t": [BASE + "id/theme/ai"]},
                                            context_value=Context(fresh)))
        assert not result.errors, result.errors
        return result.data["practices"]  # type: ignore[index]

    def english_name() -> dict:
        query = '{ city(id: "%sid/city/dakar") { name(lang: "en") } }' % BASE
        return asyncio.run(schema.execute(query, context_value=Context(fresh))).data  # type: ignore[return-value]

    def cities_in_english() -> dict[str, str]:  # planned: a practice's city followed through its entity's link
        query = '{ practices(first: 100) { edges { node { city { id name(lang: "en") } } } } }'
        result = asyncio.run(schema.execute(query, context_value=Context(fresh)))
        return {e["node"]["city"]["id"]: e["node"]["city"]["name"] for e in result.data["practices"]["edges"]  # type: ignore[index]
                if e["node"]["city"]}

    assert english_name() == {"city": {"name": "Dakar"}}  # French, for want of English; now kept
    names = cities_in_english()
    assert cities_in_english() == names  # the second time through the links
    city = next(c for c, name in sorted(names.items()) if not name.endswith("(en)") and c != BASE + "id/city/dakar")
    first = read()
    before = fresh.store.queries
    assert read() == first and fresh.store.queries == before  # the list, its facets, its entities: kept
    (tmp_path / "new.ttl").write_text(NEW + f'<{city}> <https://schema.org/name> "Ville (en)"@en .\n', encoding="utf-8")
    fresh.load([tmp_path / "new.ttl"])
    time.sleep(1.1)  # a replica trusts the revision it read for one second
    after = read()
    assert after["totalCount"] == first["totalCount"] + 1
    assert BASE + "id/practice/cache-test" in [e["node"]["id"] for e in after["edges"]]
    senegal = {c["country"]: c["count"] for c in after["facets"]["countries"]}["SN"]
    assert senegal == {c["country"]: c["count"] for c in first["facets"]["countries"]}.get("SN", 0) + 1
    assert english_name() == {"city": {"name": "Dakar (en)"}}  # the city's entity, kept before, read again
    assert cities_in_english()[city] == "Ville (en)"  # the practices' entities are new, and so are their links


def test_values_kept_fresh_are_ready_for_the_next_revision() -> None:
    cache = RevisionCache()
    calls: list[str] = []
    cache.get(1, "keys", lambda: calls.append("keys") or len(calls), fresh=True)
    cache.get(1, "other", lambda: calls.append("other") or 0)
    assert cache.refresh(2) == 1 and calls == ["keys", "other", "keys"]
    assert cache.get(2, "keys", lambda: pytest.fail("computed by refresh already")) == 3  # len(calls)
    cache.clear()
    assert cache.refresh(3) == 0  # no longer kept: no longer refreshed


def test_the_sort_keys_of_lists_are_recomputed_after_a_write(fresh: Graphe, tmp_path) -> None:  # type: ignore[no-untyped-def]
    schema = build_schema()
    query = "{ practices(first: 5, orderBy: {field: ISSUED}) { edges { node { id } } } }"
    assert not asyncio.run(schema.execute(query, context_value=Context(fresh))).errors
    (tmp_path / "new.ttl").write_text(NEW, encoding="utf-8")
    fresh.load([tmp_path / "new.ttl"])
    fresh.refresh_reads().join(30)  # after_write started one; this one finds it done or does it
    before = fresh.store.queries
    result = asyncio.run(schema.execute(query, context_value=Context(fresh)))
    assert not result.errors
    # Nothing: the list's members (read with it) were patched, its sort keys patched, and the page's
    # entities read ahead after the write.
    assert fresh.store.queries - before == 0


def test_a_started_service_has_its_default_lists_and_facets_ready(fresh: Graphe) -> None:
    fresh.reads.clear()
    fresh.warm_reads().join(60)
    schema = build_schema()
    before = fresh.store.queries
    result = asyncio.run(schema.execute("{ practices(first: 3) { totalCount edges { node { id } } } stats { practicesByCountry { country count } } }",
                                        context_value=Context(fresh)))
    assert not result.errors, result.errors
    practices = fresh.store.select("SELECT (COUNT(?s) AS ?n) WHERE { ?s a <https://graphe.aimf.asso.fr/def#Practice> }")
    assert result.data["practices"]["totalCount"] == int(practices[0]["n"].value) > 0  # type: ignore[index]
    before += 1  # (the count just above)
    # Only the class totals: list order, facets and the page's entities were computed ahead.
    assert fresh.store.queries - before == 1


def test_healthz_says_when_the_read_cache_is_being_computed(fresh: Graphe) -> None:
    import threading

    import httpx
    from conftest import ThreadServer
    from graphe.app import create_app
    gate = threading.Event()
    server = ThreadServer(create_app(fresh))
    try:
        fresh._background(lambda: gate.wait(30), "graphe-test")
        assert httpx.get(server.url + "/healthz").json()["warming"] is True
        gate.set()
        fresh.warm_reads().join(60)
        for thread in fresh._threads:
            thread.join(30)
        assert httpx.get(server.url + "/healthz").json()["warming"] is False
    finally:
        gate.set()
        server.stop()


def test_the_read_cache_size_setting_bounds_the_cache(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """GRAPHE_READ_CACHE_MB reaches the cache (weights of about 100 bytes); a negative size is refused."""
    from graphe.core.errors import GrapheError
    from graphe.core.settings import Settings

    settings = Settings.load({"GRAPHE_READ_CACHE_MB": "3"}, data_dir=tmp_path / "data")
    assert settings.read_cache_mb == 3
    graphe = Graphe(settings, open_store(settings.in_memory()))
    try:
        assert graphe.reads.max_weight == 30_000
    finally:
        graphe.store.close()
    with pytest.raises(GrapheError) as refused:
        Settings.load({"GRAPHE_READ_CACHE_MB": "-1"})
    assert refused.value.code == "SETTINGS_INVALID"


def test_serving_puts_what_the_start_made_out_of_the_collectors_sight_then_enables_it() -> None:
    import gc

    from graphe.core.collector import SERVING_GC, tune_for_serving

    thresholds, enabled = gc.get_threshold(), gc.isenabled()
    gc.disable()  # as `graphe serve` does before its imports
    try:
        tune_for_serving()
        assert gc.isenabled() and gc.get_threshold() == SERVING_GC
        assert gc.get_freeze_count() > 10_000  # the modules, classes and functions of this process
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        if not enabled:
            gc.disable()


def test_entities_a_write_did_not_touch_go_on_to_the_next_revision(fresh: Graphe, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """After a write, untouched entities are carried to the new revision (not read again from the store),
    as new objects without the old revision's links; touched ones are read again."""
    from graphe.read import entities

    fresh.refresh_reads().join()  # the revision the reads are fresh for
    revision = fresh.store.revision().number
    dakar, nantes = BASE + "id/city/dakar", BASE + "id/city/nantes"
    kept = entities.read_many(fresh.reads, revision, fresh.store, "entity", [dakar, nantes])
    old_dakar = kept[("entity", dakar)]
    old_dakar._memo[("link one", "x")] = "a link of the old revision"
    (tmp_path / "rename.ttl").write_text(f'<{nantes}> <https://schema.org/name> "Nantes (en)"@en .\n', encoding="utf-8")
    fresh.load([tmp_path / "rename.ttl"])
    for thread in list(fresh._threads):
        thread.join()
    after = fresh.store.revision().number
    assert after == revision + 1
    carried = fresh.reads.peek(after, ("entity", dakar), None)
    assert carried is not None and carried is not old_dakar and carried.props == old_dakar.props
    assert ("link one", "x") not in carried._memo
    before = fresh.store.queries
    entities.read_many(fresh.reads, after, fresh.store, "entity", [dakar])
    assert fresh.store.queries == before  # carried: no store read
    renamed = entities.read_many(fresh.reads, after, fresh.store, "entity", [nantes])[("entity", nantes)]
    assert "Nantes (en)" in [t.value for t in renamed.values("https://schema.org/name")]


def test_entities_renew_at_a_newer_revision_only_when_no_write_touched_them_since() -> None:
    """An entity kept at revision r is served at a newer revision n when the writes noted up to n did not
    touch its subject after r — as a new object (the old one's links were of its revision), once; it is
    not when n is beyond what was noted, and a reader of an older revision never replaces a newer value."""
    from graphe.read import entities
    from graphe.read.entities import Entity

    touches = entities.Touches(0)
    cache = RevisionCache(renew=entities.renewal(touches), on_drop=entities.forget)
    for revision, iri in ((1, "a"), (2, "b"), (3, "c"), (3, "touched"), (0, "old")):  # revision of each entry
        cache.get(revision, ("entity", iri), lambda iri=iri: Entity(iri))
    cache.get(1, ("list", "x"), lambda: ["a"])  # not an entity: never renewed
    old_b = cache.peek(2, ("entity", "b"))
    old_b._memo[("link one", "p")] = "a link of revision 2"
    touches.add({"touched": 4, "a": 2, "c": 3}, 3)
    assert cache.peek(4, ("entity", "b")) is None  # revision 4 not noted yet: not renewed
    touches.add({"touched": 4, "a": 2, "c": 3}, 4)
    # "a" was touched at 2, after its entry (1): stale; "c" read at 3 after its touch; "old" never touched
    assert [cache.peek(4, ("entity", k)) is not None for k in ("a", "b", "c", "touched", "old")] == \
        [False, True, True, False, True]
    assert cache.peek(4, ("list", "x")) is None
    new_b = cache.peek(4, ("entity", "b"))
    assert new_b is not old_b and new_b.iri == "b" and ("link one", "p") not in new_b._memo
    assert old_b._memo == {entities.RETIRED: True}  # it left the cache: its links went with it
    assert cache.renewed == 3 and cache.peek(4, ("entity", "b")) is new_b  # once
    assert cache.get_many(4, [("entity", "a")], lambda keys: {k: Entity("a again") for k in keys}) == \
        {("entity", "a"): Entity("a again")}  # stale: read again
    cache.get(3, ("entity", "b"), lambda: Entity("b at 3"))  # a reader still at revision 3
    assert cache.peek(4, ("entity", "b")) is new_b
