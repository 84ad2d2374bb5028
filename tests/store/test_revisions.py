"""Two revisions: the public one moves only when published data changes; private bookkeeping (drafts, audit
records, tokens, refused attempts) has its own counter, and never invalidates nor reveals anything public."""
from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from conftest import BACKENDS, ThreadServer
from graphe.publishing import accounts
from graphe.core.rdf import Literal, NamedNode, Quad
from graphe.service import Graphe
from graphe.store import SYS, GraphNames, OxigraphStore
from test_store_backends import store  # noqa: F401 — the store contract's fixture, both backends
from test_workflow import PUBLISH, SUBMIT, Api, practice, served_with_dakar_and_secretariat

BASE = "https://graphe.aimf.asso.fr/"


def _quad(store, name: str, graph: NamedNode) -> Quad:  # type: ignore[no-untyped-def]
    b = store.graphs.base
    return Quad(NamedNode(b + name), NamedNode(b + "p"), Literal(name), graph)


def test_private_commits_move_only_the_private_revision(store) -> None:  # type: ignore[no-untyped-def]
    g = store.graphs
    first = store.commit([_quad(store, "a", g.public)], summary="public")
    assert (first.number, store.revision().number, store.private_revision().number) == (1, 1, 1)
    made = store.revision().time
    for name in ("draft", "audit", "token"):
        returned = store.commit([_quad(store, name, g.workflow if name != "token" else g.accounts)])
        assert returned.number == 1  # a commit answers with the public revision after it
    assert store.revision().number == 1 and store.revision().time == made
    assert store.private_revision().number == 4
    assert store.touched_since(0) == [NamedNode(g.base + "a")] and store.touched_since(1) == []
    second = store.commit([_quad(store, "b", g.public)])
    assert second.number == 2 == store.revision().number and store.private_revision().number == 5
    assert [t.value for t in store.touched_since(1)] == [g.base + "b"]


def test_records_written_before_the_public_number_count_as_public() -> None:
    """A store written by an earlier Graphe (records without sys:public) keeps its numbers."""
    with OxigraphStore(None, GraphNames.for_base(BASE)) as store:
        store.commit([_quad(store, "a", store.graphs.public)])
        store.commit([_quad(store, "b", store.graphs.public)])
        old = [q for q in store.quads(store.graphs.system) if q.predicate.value == SYS + "public"]
        store._db.remove(old[0]) if len(old) == 1 else [store._db.remove(q) for q in old]  # as it was written then
        store._revision = store._private = None
        assert store.revision().number == 2 and store.private_revision().number == 2
        store.commit([_quad(store, "draft", store.graphs.workflow)])
        assert (store.revision().number, store.private_revision().number) == (2, 3)
        assert store.commit([_quad(store, "c", store.graphs.public)]).number == 3
        assert [t.value for t in store.touched_since(2)] == [store.graphs.base + "c"]


@pytest.fixture(params=BACKENDS)
def world(request, validator) -> Iterator[tuple[Graphe, ThreadServer, Api, Api]]:  # type: ignore[no-untyped-def]
    yield from served_with_dakar_and_secretariat(request, validator)


def _public_view(server: ThreadServer) -> tuple:
    """What an anonymous reader can observe of the data's state."""
    health = httpx.get(server.url + "/healthz").json()
    dump = httpx.get(server.url + "/export/graphe.ttl")
    changes = httpx.get(server.url + "/changes", params={"since": 0}).json()
    return health["revision"], health["revisionTime"], dump.headers.get("etag"), changes["revision"], \
        len(changes["changes"])


def test_contributor_activity_reveals_and_invalidates_nothing_public(world) -> None:  # type: ignore[no-untyped-def]
    graphe, server, dakar, aimf = world
    before = _public_view(server)
    private_before = graphe.store.private_revision().number
    refreshes = graphe._fresh_for
    draft = dakar.ok(SUBMIT, rdf=practice("discrete", "Une pratique en préparation"))["submitDraft"]
    dakar.code(PUBLISH, id=draft["id"])  # refused (a contributor cannot publish): audited, privately
    accounts.create(graphe.store, "contributor", "Autre service", BASE + "id/city/dakar")
    graphe.after_write()
    assert graphe.store.private_revision().number >= private_before + 3
    assert _public_view(server) == before
    assert graphe._fresh_for == refreshes  # nothing derived for public reads was recomputed
    published = aimf.ok(PUBLISH, id=draft["id"])["publish"]
    after = _public_view(server)
    assert published["revision"] == before[0] + 1 == after[0]
    assert after[2] != before[2] and after[4] == before[4] + 1


def test_what_writes_touched_is_answered_from_memory_as_the_log_says() -> None:
    """The embedded store remembers what its own public commits touched: the same answers as the revision
    log's query, for every starting revision it covers; before its first commit, the query answers."""
    from graphe.store.base import last_touched_query, touched_query

    with OxigraphStore(None, GraphNames.for_base(BASE)) as store:
        g = store.graphs
        store.commit([_quad(store, "a", g.public)])
        assert store._logged(0) is None or store._touched[0] == 0
        for name, graph in (("b", g.public), ("draft", g.workflow), ("a", g.public), ("c", g.ontology)):
            store.commit([_quad(store, name, graph)])
        for since in range(0, store.revision().number + 1):
            queried = {r["s"].value: int(r["last"].value) for r in store._db.query(last_touched_query(g, since))}
            assert store.last_touched(since) == queried, since
            assert sorted(t.value for t in store.touched_since(since)) == \
                sorted(r["s"].value for r in store._db.query(touched_query(g, since)))
        assert store._logged(store._touched[0]) is not None
        assert store.last_touched(1) == {g.base + "b": 2, g.base + "a": 3, g.base + "c": 4}


def test_the_triples_each_public_commit_changed_are_remembered() -> None:
    """`changes(r)`: per public commit after r, the public triples it added or removed (IRIs as text, other
    terms as one marker); private commits leave none; a commit too big to remember makes the span unknown."""
    from graphe.store import base

    with OxigraphStore(None, GraphNames.for_base(BASE)) as store:
        g, b = store.graphs, store.graphs.base
        store.commit([_quad(store, "a", g.public)])
        start = store.revision().number
        assert store.changes(start) == []
        store.commit([_quad(store, "draft", g.workflow)])  # private: no public revision, no entry
        linked = Quad(NamedNode(b + "a"), NamedNode(b + "q"), NamedNode(b + "c"), g.public)
        store.commit([linked], [_quad(store, "a", g.public)])
        assert store.changes(start) == [frozenset({(b + "a", b + "q", b + "c"), (b + "a", b + "p", base.OTHER)})]
        assert store.changes(start - 1) is None or len(store.changes(start - 1)) == 2
        big = [Quad(NamedNode(f"{b}n{i}"), NamedNode(b + "p"), Literal("x"), g.public)
               for i in range(base.MAX_DELTA + 1)]
        store.commit(big)
        assert store.changes(start) is None and store.changes(store.revision().number) == []
