"""The store: revisions, atomic commits, named graphs, persistence, export round trips."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic

from graphe.core import rdf
from graphe.core.errors import GrapheError
from graphe.core.rdf import BlankNode, Literal, NamedNode, Quad
from graphe.service import Graphe
from graphe.core.settings import Settings
from graphe.store import GraphNames, OxigraphStore as Store, bind

BASE = "https://graphe.aimf.asso.fr/"


def test_every_commit_moves_the_revision_and_records_its_time() -> None:
    with Store(None, GraphNames.for_base(BASE)) as store:
        assert store.revision().number == 0 and store.revision().time is None
        g = store.graphs.public
        first = store.commit([Quad(NamedNode(BASE + "a"), NamedNode(BASE + "p"), Literal("1"), g)], summary="un")
        second = store.commit([], [Quad(NamedNode(BASE + "a"), NamedNode(BASE + "p"), Literal("1"), g)])
        assert (first.number, second.number) == (1, 2)
        assert store.revision() == second and second.time is not None and second.time >= first.time
        assert store.count(g) == 0


def test_a_failed_commit_writes_nothing() -> None:
    with Store(None, GraphNames.for_base(BASE)) as store:
        g = store.graphs.public
        store.commit([Quad(NamedNode(BASE + "a"), NamedNode(BASE + "p"), Literal("1"), g)])
        with pytest.raises(GrapheError):  # a blank node cannot be removed by DELETE DATA: refused up front
            store.commit([Quad(NamedNode(BASE + "b"), NamedNode(BASE + "p"), Literal("2"), g)],
                         [Quad(BlankNode("x"), NamedNode(BASE + "p"), Literal("1"), g)])
        assert store.revision().number == 1 and store.count(g) == 1


def test_private_graphs_are_invisible_to_public_reads() -> None:
    with Store(None, GraphNames.for_base(BASE)) as store:
        secret = Quad(NamedNode(BASE + "token"), NamedNode(BASE + "hash"), Literal("s3cret"), store.graphs.system)
        store.commit([secret])
        assert store.select('SELECT ?s WHERE { ?s ?p "s3cret" }') == []
        assert store.select('SELECT ?s WHERE { GRAPH ?g { ?s ?p "s3cret" } }') == []
        assert len(store.select('SELECT ?s WHERE { ?s ?p "s3cret" }', private=True)) == 1


def test_bind_writes_values_with_library_escaping() -> None:
    text = bind("SELECT ?s WHERE { ?s ?p ?o }", {"o": Literal('a"b\n'), "s": [NamedNode("https://x/1"),
                                                                          NamedNode("https://x/2")]})
    assert 'VALUES (?o ?s) { ("a\\"b\\n" <https://x/1>) ("a\\"b\\n" <https://x/2>) }' in text


def test_data_survives_a_restart_without_reparsing_the_seeds(tmp_path: Path, validator) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=tmp_path / "data")
    graphe = Graphe.open(settings, validator=validator)
    revision, triples = graphe.store.revision(), graphe.triple_count()
    graphe.close()
    assert revision.number >= 2 and triples > 500
    # The seed folder is gone: a restart that re-parsed the seeds would fail.
    reopened = Graphe.open(Settings(data_dir=tmp_path / "data", seeds_dir=tmp_path / "nowhere"))
    try:
        assert reopened.store.revision() == revision
        assert reopened.triple_count() == triples
    finally:
        reopened.close()


def test_a_second_process_on_the_same_directory_gets_a_clear_error(tmp_path: Path) -> None:
    with Store(tmp_path / "data", GraphNames.for_base(BASE)):
        with pytest.raises(GrapheError) as caught:
            Store(tmp_path / "data", GraphNames.for_base(BASE))
    assert caught.value.code == "STORE_LOCKED"


@pytest.mark.parametrize("name", ["ttl", "nt", "nq", "jsonld", "rdf"])
def test_load_export_load_gives_an_isomorphic_graph(seeded: Graphe, empty: Graphe, tmp_path: Path, name: str) -> None:
    fmt = rdf.format_named(name)
    if fmt.quads and seeded.store.graphs.public != empty.store.graphs.public:
        pytest.skip("N-Quads name their graph: they load back into a store with the same graph names")
    first = io.BytesIO()
    seeded.export(first, fmt)
    path = tmp_path / f"export{fmt.extensions[0]}"
    path.write_bytes(first.getvalue())
    empty.load([path])
    second = io.BytesIO()
    empty.export(second, fmt)
    original = _graph(seeded)
    assert len(original) > 500
    assert isomorphic(original, _graph(empty))
    assert isomorphic(original, _parse(second.getvalue(), fmt))


def _graph(graphe: Graphe) -> rdflib.Graph:
    return rdf.to_rdflib_graph(graphe.store.quads(graphe.store.graphs.public))


def _parse(data: bytes, fmt: rdf.Format) -> rdflib.Graph:
    return rdf.to_rdflib_graph(rdf.parse_bytes(data, fmt, BASE))


def test_ontology_graph_follows_the_ontology_file(empty: Graphe) -> None:
    assert empty.sync_ontology() is None  # already equal: no new revision
    assert empty.store.count(empty.store.graphs.ontology) == len(empty.ontology_quads())
    assert empty.store.ask("ASK { gr:Practice a owl:Class }")


def test_settings_reject_bad_values_with_a_clear_message() -> None:
    with pytest.raises(GrapheError) as caught:
        Settings.load({"GRAPHE_BASE_IRI": "graphe.example"})
    assert caught.value.code == "SETTINGS_INVALID" and "IRI de base" in caught.value.message_fr
    with pytest.raises(GrapheError):
        Settings.load({"GRAPHE_PORT": "huit-mille"})
    assert Settings.load({"GRAPHE_PORT": "9000"}, port=9100).port == 9100
    assert Settings.load({"GRAPHE_DATA": "/tmp/x"}).data_dir == Path("/tmp/x")


def _quads(n: int, graph):  # type: ignore[no-untyped-def]
    return [Quad(NamedNode(f"{BASE}s{i}"), NamedNode(BASE + "p"), Literal(str(i)), graph) for i in range(n)]


def test_a_big_addition_is_written_in_bulk_with_its_revision(tmp_path: Path) -> None:
    graphs = GraphNames.for_base(BASE)
    with Store(tmp_path / "store", graphs) as store:
        store.bulk_threshold = 100
        store.commit(_quads(10, graphs.public))  # small: one transaction
        revision = store.commit(_quads(500, graphs.public)[10:], summary="gros ajout")
        assert revision.number == 2 and store.count(graphs.public) == 500
        assert not (tmp_path / "store.redo").exists()
    with Store(tmp_path / "store", graphs) as store:
        assert store.revision().number == 2 and store.revision().summary == "gros ajout"
        assert store.count(graphs.public) == 500


def test_a_bulk_write_cut_short_is_completed_at_the_next_start(tmp_path: Path) -> None:
    graphs = GraphNames.for_base(BASE)
    with Store(tmp_path / "store", graphs) as store:
        store.bulk_threshold = 100
        store.commit(_quads(300, graphs.public))
    # The process dies in the middle of a second big addition: after its quads, before its revision.
    with Store(tmp_path / "store", graphs) as store:
        store.bulk_threshold = 100
        store._db = _Dying(store._db)
        with pytest.raises(SystemExit):
            store.commit(_quads(600, graphs.public)[300:])
        store._db = store._db.inner
        assert (tmp_path / "store.redo").exists() and store.count(graphs.public) == 600
        assert store.revision().number == 1
    with Store(tmp_path / "store", graphs) as store:  # the start completes the write, revision included
        assert store.count(graphs.public) == 600 and store.revision().number == 2
        assert not (tmp_path / "store.redo").exists()


class _Dying:
    """A database whose process is killed in the middle of a bulk write."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner = inner

    def bulk_load(self, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.inner.bulk_load(**kwargs)  # the quads are in, their revision record is not
        raise SystemExit("killed")

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.inner, name)


def test_a_refused_bulk_write_is_taken_back(tmp_path: Path) -> None:
    graphs = GraphNames.for_base(BASE)
    with Store(tmp_path / "store", graphs) as store:
        store.bulk_threshold = 100
        store.commit(_quads(50, graphs.public))

        class Full(_Dying):
            def bulk_load(self, **kwargs) -> None:  # type: ignore[no-untyped-def]
                self.inner.bulk_load(**kwargs)
                raise OSError("No space left on device")

        store._db = Full(store._db)
        with pytest.raises(GrapheError) as refused:
            store.commit(_quads(400, graphs.public)[50:])
        store._db = store._db.inner
        assert refused.value.code == "STORE_WRITE_FAILED"
        assert store.count(graphs.public) == 50 and store.revision().number == 1
        assert not (tmp_path / "store.redo").exists()


@pytest.mark.parametrize("on_disk", [False, True], ids=["in-memory", "on-disk"])
def test_a_graph_scan_gives_each_subject_quads_together(tmp_path: Path, on_disk: bool) -> None:
    """`quads(graph)` (what a search rebuild scans, `entities.grouped`) keeps a subject's quads together, even
    for a subject written to again after others — an in-memory Oxigraph alone iterates in insertion order."""
    graphs = GraphNames.for_base("https://graphe.aimf.asso.fr/")
    store = Store(tmp_path / "db" if on_disk else None, graphs)
    try:
        g = graphs.public
        s = [NamedNode(f"https://graphe.aimf.asso.fr/id/practice/p{i}") for i in range(5)]
        p = NamedNode("https://graphe.aimf.asso.fr/def#x")
        for round_ in range(3):  # each subject written to three times, the others in between
            store.commit([Quad(subject, p, Literal(f"{round_}"), g) for subject in s])
        order = [q.subject for q in store.quads(g)]
        switches = sum(1 for a, b in zip(order, order[1:]) if a != b)
        assert len(order) == 15 and switches == 4, order
    finally:
        store.close()
