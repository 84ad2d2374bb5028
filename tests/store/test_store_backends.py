"""The store contract, on both backends: embedded Oxigraph and a real Virtuoso server."""
from __future__ import annotations

import io
import secrets
from collections.abc import Iterator

import pytest
import rdflib

from graphe.core import rdf
from graphe.core.errors import GrapheError
from graphe.core.rdf import Literal, NamedNode, Quad
from graphe.store import GraphNames, OxigraphStore
from graphe.store.remote import RemoteStore


@pytest.fixture(params=["oxigraph", "virtuoso"])
def store(request) -> Iterator:  # type: ignore[no-untyped-def]
    base = f"https://t{secrets.token_hex(4)}.graphe.test/"  # every test its own graphs on the shared server
    if request.param == "oxigraph":
        with OxigraphStore(None, GraphNames.for_base(base)) as s:
            yield s
    else:
        url = request.getfixturevalue("virtuoso")
        with RemoteStore(url, url, GraphNames.for_base(base)) as s:
            yield s


def q(store, s: str, p: str, o, graph=None):  # type: ignore[no-untyped-def]
    b = store.graphs.base
    return Quad(NamedNode(b + s), NamedNode(b + p), o if not isinstance(o, str) else Literal(o),
                graph or store.graphs.public)


def test_commits_move_the_revision_and_record_it(store) -> None:  # type: ignore[no-untyped-def]
    assert store.revision().number == 0
    first = store.commit([q(store, "a", "p", "1"), q(store, "a", "title", Literal("Énergie « x »", language="fr"))],
                         summary="un", notes={"created": [NamedNode(store.graphs.base + "a")]})
    second = store.commit([q(store, "b", "p", Literal("true", datatype=NamedNode(rdf.PREFIXES["xsd"] + "boolean")))],
                          [q(store, "a", "p", "1")])
    assert (first.number, second.number) == (1, 2) and store.revision().number == 2
    assert store.count(store.graphs.public) == 2
    assert {t.value for t in store.touched_since(0)} == {store.graphs.base + "a", store.graphs.base + "b"}
    assert {t.value for t in store.touched_since(1)} == {store.graphs.base + "a", store.graphs.base + "b"}
    rows = store.select("SELECT ?o WHERE { ?s ?p ?o }", {"s": NamedNode(store.graphs.base + "b")})
    assert rows[0]["o"] == Literal("true", datatype=NamedNode(rdf.PREFIXES["xsd"] + "boolean"))
    title = store.select("SELECT ?o WHERE { ?s ?p ?o FILTER(langMatches(lang(?o), 'fr')) }")
    assert title[0]["o"] == Literal("Énergie « x »", language="fr")


def test_private_graphs_stay_private(store) -> None:  # type: ignore[no-untyped-def]
    secret = Literal("s3cret-" + secrets.token_hex(4))  # the Virtuoso server is shared by the whole run
    store.commit([q(store, "token", "hash", secret, store.graphs.accounts), q(store, "x", "p", "public")])
    assert store.select("SELECT ?s WHERE { ?s ?p ?v }", {"v": secret}) == []
    assert store.select("SELECT ?s WHERE { GRAPH ?g { ?s ?p ?v } }", {"v": secret}) == []
    assert len(store.select("SELECT ?s WHERE { GRAPH ?g { ?s ?p ?v } }", {"v": secret}, private=True)) == 1
    assert len(store.select('SELECT ?s WHERE { ?s ?p "public" }')) == 1


def test_values_are_bound_as_terms(store) -> None:  # type: ignore[no-untyped-def]
    hostile = 'x" } } ; DROP ALL ; SELECT * { ?s ?p "'
    store.commit([q(store, "a", "p", hostile)])
    assert len(store.select("SELECT ?s WHERE { ?s ?p ?o }", {"o": Literal(hostile)})) == 1
    assert store.count(store.graphs.public) == 1


def test_describe_contains_quads_and_dump(store) -> None:  # type: ignore[no-untyped-def]
    data = [q(store, "a", "p", "1"), q(store, "a", "q", NamedNode(store.graphs.base + "b")), q(store, "b", "p", "2")]
    store.commit(data)
    described = store.describe([NamedNode(store.graphs.base + "a")], store.graphs.public)
    assert set(described) == set(data[:2])
    assert store.contains(data[2]) and not store.contains(q(store, "z", "p", "1"))
    assert set(store.quads(store.graphs.public)) == set(data)
    out = io.BytesIO()
    store.dump(out, rdf.format_named("nt"), store.graphs.public)
    assert len(rdflib.Graph().parse(data=out.getvalue(), format="nt")) == 3
    assert not store.is_empty()


def test_a_refused_write_changes_nothing(store) -> None:  # type: ignore[no-untyped-def]
    store.commit([q(store, "a", "p", "1")])
    with pytest.raises(GrapheError):
        store.commit([q(store, "b", "p", "2")], [Quad(rdf.BlankNode("x"), NamedNode(store.graphs.base + "p"),
                                                      Literal("1"), store.graphs.public)])
    assert store.revision().number == 1 and store.count(store.graphs.public) == 1


def test_two_replicas_cannot_commit_the_same_revision(virtuoso) -> None:  # type: ignore[no-untyped-def]
    graphs = GraphNames.for_base(f"https://t{secrets.token_hex(4)}.graphe.test/")
    with RemoteStore(virtuoso, virtuoso, graphs) as a, RemoteStore(virtuoso, virtuoso, graphs) as b:
        a.commit([Quad(NamedNode(graphs.base + "x"), NamedNode(graphs.base + "p"), Literal("a"), graphs.public)])
        # b read revision 1 too; simulate the race: b writes as if it had read revision 0
        original = b._revisions
        stale = type(a.revision())(0, None)
        b._revisions = lambda: (stale, stale)  # type: ignore[method-assign]
        with pytest.raises(GrapheError) as caught:
            b.commit([Quad(NamedNode(graphs.base + "y"), NamedNode(graphs.base + "p"), Literal("b"), graphs.public)])
        assert caught.value.code == "CONFLICT"
        b._revisions = original  # type: ignore[method-assign]
        assert b.revision().number == 1 and b.count(graphs.public) == 1
        assert b.commit([Quad(NamedNode(graphs.base + "y"), NamedNode(graphs.base + "p"), Literal("b"),
                              graphs.public)]).number == 2


def test_both_backends_implement_the_store_protocol(store) -> None:  # type: ignore[no-untyped-def]
    """Every member of `graphe.store.Store` (what the domain may use) is on each backend, methods with the
    Protocol's parameters (names, kinds, which have defaults)."""
    import inspect
    import typing

    from graphe.store import Store

    def shape(function: object) -> list[tuple[str, object, bool]]:
        return [(p.name, p.kind, p.default is not inspect.Parameter.empty)
                for p in inspect.signature(function).parameters.values()]  # type: ignore[arg-type]

    members = [name for name in vars(Store) if not name.startswith("_") and callable(getattr(Store, name))]
    assert {"revision", "select", "commit", "changes", "describe"} <= set(members)
    for name in members:
        assert shape(getattr(type(store), name)) == shape(getattr(Store, name)), name
    for name in typing.get_type_hints(Store):
        assert hasattr(store, name), name


def test_a_select_that_mentions_construct_is_answered_as_a_select(store) -> None:  # type: ignore[no-untyped-def]
    """The form comes from the checker's parse, not from words in the text (a remote store once took this
    SELECT for a CONSTRUCT because of its literal)."""
    result = store.public_query('SELECT ?x WHERE { BIND("CONSTRUCT or DESCRIBE" AS ?x) }', [store.graphs.public], [],
                                timeout=10, form="SELECT")
    variables = list(result.variables)
    assert [v.value for v in variables] == ["x"]
    assert [row["x"].value for row in result] == ["CONSTRUCT or DESCRIBE"]
