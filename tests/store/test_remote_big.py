"""The remote store's big writes and long reads, on a real Virtuoso: a commit too big for one request is
staged in requests of its own, yet applied all or nothing, the revision moving last; long VALUES lists are
asked in parts; an answer the server cut short is refused rather than taken as whole."""
from __future__ import annotations

import secrets

import httpx
import pytest

from graphe.core.errors import GrapheError
from graphe.core.rdf import Literal, NamedNode, Quad
from graphe.store import GraphNames
from graphe.store import remote
from graphe.store.remote import RemoteStore


@pytest.fixture
def graphs() -> GraphNames:
    return GraphNames.for_base(f"https://t{secrets.token_hex(4)}.graphe.test/")


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> None:
    """Staging at a tiny size: many staging requests, some cut by their bytes."""
    monkeypatch.setattr(remote, "INLINE_QUADS", 10)
    monkeypatch.setattr(remote, "STAGE_QUADS", 7)
    monkeypatch.setattr(remote, "STAGE_BYTES", 600)
    monkeypatch.setattr(remote, "INSERT_QUADS", 6)


def quads(graphs: GraphNames, n: int, word: str = "v") -> list[Quad]:
    return [Quad(NamedNode(f"{graphs.base}s{i}"), NamedNode(graphs.base + "p"), Literal(f"{word} « {i} » é"),
                 graphs.public) for i in range(n)]


def staging_graphs(store: RemoteStore) -> list[str]:
    rows = store.select(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                        f"FILTER(STRSTARTS(STR(?g), \"{store.graphs.prefix}graph/stage/\")) }}", private=True)
    return [r["g"].value for r in rows]


@pytest.mark.parametrize("graph_store", [True, False], ids=["graph-store-protocol", "insert-data"])
def test_a_big_commit_is_staged_then_applied_whole(virtuoso, graphs, small, graph_store) -> None:  # type: ignore[no-untyped-def]
    with RemoteStore(virtuoso, virtuoso, graphs) as store:
        if not graph_store:
            store._crud = ""  # as for a server other than Virtuoso: INSERT DATA requests
        sent: list[str] = []
        post = store._http.post
        store._http.post = lambda url, **kw: sent.append(url) or post(url, **kw)  # type: ignore[method-assign]
        first = quads(graphs, 40)
        assert store.commit(first).number == 1
        assert len(sent) > 5  # staged in several requests, then the update request
        assert any(u.endswith("-graph-crud") for u in sent) is graph_store
        assert store.count(graphs.public) == 40 and set(store.describe([q.subject for q in first], graphs.public)) == set(first)
        # a big change that removes and adds: deletions first, so a quad both removed and added stays
        second = quads(graphs, 30, "w")
        assert store.commit([*second, first[0]], first[:20]).number == 2
        assert set(store.quads(graphs.public)) == {first[0], *first[20:], *second}
        assert staging_graphs(store) == []


def test_a_big_commit_that_loses_the_race_writes_nothing(virtuoso, graphs, small) -> None:  # type: ignore[no-untyped-def]
    with RemoteStore(virtuoso, virtuoso, graphs) as a, RemoteStore(virtuoso, virtuoso, graphs) as b:
        a.commit(quads(graphs, 1, "a"))
        stale = type(a.revision())(0, None)
        b._revisions = lambda: (stale, stale)  # type: ignore[method-assign]  (b read revision 0)
        with pytest.raises(GrapheError) as caught:
            b.commit(quads(graphs, 50, "b"))
        assert caught.value.code == "CONFLICT"
        assert a.refresh().number == 1 and a.count(graphs.public) == 1 and staging_graphs(a) == []


def test_a_refused_staging_request_leaves_no_staging_and_no_revision(virtuoso, graphs, small) -> None:  # type: ignore[no-untyped-def]
    with RemoteStore(virtuoso, virtuoso, graphs) as store:
        store._graph_store()
        store._crud = store._crud.replace("-graph-crud", "-no-such-endpoint")  # type: ignore[union-attr]
        with pytest.raises(GrapheError):
            store.commit(quads(graphs, 50))
        assert store.refresh().number == 0 and store.count(graphs.public) == 0 and staging_graphs(store) == []


def test_long_values_lists_are_asked_in_parts(virtuoso, graphs, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(remote, "VALUES_BATCH", 4)
    with RemoteStore(virtuoso, virtuoso, graphs) as store:
        written = quads(graphs, 11)
        store.commit(written)
        subjects = [q.subject for q in written]
        assert set(store.describe(subjects, graphs.public)) == set(written)
        rows = store.select(f"SELECT DISTINCT ?p WHERE {{ GRAPH {graphs.public} {{ ?s ?p ?o }} }}",
                            {"s": subjects}, private=True)
        assert rows == [{"p": NamedNode(graphs.base + "p")}]  # one row, though every part found it
        counted = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graphs.public} {{ ?s ?p ?o }} }}",
                               {"s": subjects}, private=True)  # an aggregate: asked whole
        assert int(counted[0]["n"].value) == 11


def test_an_answer_cut_by_the_server_is_refused(virtuoso, graphs) -> None:  # type: ignore[no-untyped-def]
    with RemoteStore(virtuoso, virtuoso, graphs) as store:
        store._http.close()
        body = b'{"head": {"vars": ["s"]}, "results": {"bindings": []}}'
        store._http = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(
            200, content=body, headers={"content-type": remote.JSON_RESULTS, "X-SPARQL-MaxRows": "10000"})))
        with pytest.raises(GrapheError) as caught:
            store.select("SELECT ?s WHERE { ?s ?p ?o }")
        assert "ResultSetMaxRows" in caught.value.message_en


def test_a_write_too_big_for_one_server_transaction_says_what_to_raise(virtuoso, graphs) -> None:  # type: ignore[no-untyped-def]
    with RemoteStore(virtuoso, virtuoso, graphs) as store:
        store._http.close()
        store._http = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(
            500, text="Virtuoso 40005 Error SR325: Transaction aborted because it's log after image size went "
                      "above the limit")))
        with pytest.raises(GrapheError) as caught:
            store._post_update("INSERT DATA { }")
        assert caught.value.code == "STORE_WRITE_FAILED" and "TransactionAfterImageLimit" in caught.value.message_en
