"""The public mirror behind SPARQL snapshots: a second on-disk database holding only the readable graphs,
kept in step commit by commit, rebuilt when it cannot be trusted (marker behind, big writes), without
losing the commits that land during a rebuild."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from graphe.core.rdf import BlankNode, Literal, NamedNode, Quad
from graphe.store import GraphNames, OxigraphStore
from graphe.store import mirror as store_mirror

BASE = "https://graphe.aimf.asso.fr/"
P = NamedNode(BASE + "def/p")


def q(subject: str, value: str, graph: NamedNode) -> Quad:
    return Quad(NamedNode(BASE + "id/" + subject), P, Literal(value), graph)


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[OxigraphStore]:
    with OxigraphStore(tmp_path / "store", GraphNames.for_base(BASE)) as opened:
        yield opened


def readable_now(store: OxigraphStore) -> set[str]:
    """A fresh read of the store's readable graphs (blank nodes with the store's labels)."""
    return {str(x) for g in store.graphs.readable for x in store._db.quads_for_pattern(None, None, None, g)}


def every_quad(db: ox.Store) -> set[str]:
    return {str(x) for x in db.quads_for_pattern(None, None, None, None)}


def mirror_quads(store: OxigraphStore) -> set[str]:
    assert store._mirror is not None and store._mirror.db is not None
    return every_quad(store._mirror.db)


def snapshot_quads(store: OxigraphStore, path: Path) -> set[str]:
    copy = OxigraphStore.open_snapshot(path, store.graphs)
    try:
        return every_quad(copy._db)
    finally:
        copy.close()


def private_quads(store: OxigraphStore) -> list[Quad]:
    g = store.graphs
    return [q("token/1", "s3cret", g.accounts), q("draft/1", "brouillon", g.workflow),
            q("practice/9", "pas encore publié", g.draft("d1")), q("practice/1/v1", "ancien", g.history)]


def test_the_mirror_holds_exactly_the_readable_graphs_through_commits(store: OxigraphStore, tmp_path: Path) -> None:
    g = store.graphs
    store.commit([q("city/paris", "Paris", g.public), q("class/City", "Ville", g.ontology)])
    store.snapshot(tmp_path / "first")  # opens the mirror
    blank = BlankNode("adresse1")
    steps: list[tuple[list[Quad], list[Quad]]] = [
        ([q("city/lyon", "Lyon", g.public), Quad(NamedNode(BASE + "id/city/lyon"), P, blank, g.public),
          Quad(blank, P, Literal("rue"), g.public)], []),
        (private_quads(store), []),  # private only: must not reach the mirror
        ([q("city/nice", "Nice", g.public), q("token/2", "autre secret", g.accounts)],
         [q("city/paris", "Paris", g.public)]),
        ([q("city/lyon", "Lyon", g.public)], [q("city/lyon", "Lyon", g.public)]),  # removed then added back
        ([Quad(blank, P, Literal("ville"), g.public)], []),  # the same blank node as before
        ([], [q("class/City", "Ville", g.ontology), q("draft/1", "brouillon", g.workflow)]),
    ]
    for add, remove in steps:
        store.commit(add, remove)
        assert mirror_quads(store) == readable_now(store)
    secrets = {str(x) for x in private_quads(store)} | {str(q("token/2", "autre secret", g.accounts))}
    assert not secrets & mirror_quads(store)
    assert str(q("city/lyon", "Lyon", g.public)) in mirror_quads(store)
    mark = json.loads((tmp_path / "store.public.rev").read_text())
    assert mark["revision"] == store.revision().number
    assert snapshot_quads(store, store.snapshot(tmp_path / "last")) == readable_now(store)


def test_a_snapshot_is_a_hard_linked_read_only_copy_without_private_quads(store: OxigraphStore,
                                                                          tmp_path: Path) -> None:
    g = store.graphs
    store.commit([q("city/paris", "Paris", g.public), *private_quads(store)])
    store.snapshot(tmp_path / "warm")  # builds the mirror
    store.commit([q("city/lyon", "Lyon", g.public)])
    first = store.snapshot(tmp_path / "snap")
    # A backup of the mirror: its files are hard links, not a copy of every quad.
    assert any(f.stat().st_nlink > 1 for f in first.iterdir() if f.is_file())
    before = snapshot_quads(store, first)
    assert before == readable_now(store)
    assert not {str(x) for x in private_quads(store)} & before
    store.commit([q("city/nice", "Nice", g.public)], [q("city/paris", "Paris", g.public)])
    reader = OxigraphStore.open_snapshot(first, g)
    try:
        assert every_quad(reader._db) == before  # a later commit leaves an earlier snapshot as it was
        with pytest.raises((OSError, RuntimeError), match="read"):
            reader._db.add(q("city/x", "x", g.public))
    finally:
        reader.close()
    assert snapshot_quads(store, store.snapshot(tmp_path / "after")) == readable_now(store)


def counting_loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = store_mirror.PublicMirror._load

    def load(self, source, fresh):  # type: ignore[no-untyped-def]
        calls.append(1)
        real(self, source, fresh)
    monkeypatch.setattr(store_mirror.PublicMirror, "_load", load)
    return calls


def warm_mirror(store: OxigraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Paris in the store, the mirror built; from then on the rebuilds are counted."""
    store.commit([q("city/paris", "Paris", store.graphs.public)])
    store.snapshot(tmp_path / "s1")
    return counting_loads(monkeypatch)


def test_blank_nodes_the_store_relabels_are_taken_from_the_store(store: OxigraphStore, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    g = store.graphs
    loads = warm_mirror(store, tmp_path, monkeypatch)
    # With a removal the store writes through SPARQL INSERT DATA, which gives blank nodes new labels.
    blank = BlankNode("adresse2")
    store.commit([Quad(blank, P, Literal("rue"), g.public), q("city/lyon", "Lyon", g.public)],
                 [q("city/paris", "Paris", g.public)])
    snap = store.snapshot(tmp_path / "s2")
    assert loads == [1]
    assert snapshot_quads(store, snap) == readable_now(store)
    [relabelled] = [x for x in store._db.quads_for_pattern(None, None, Literal("rue"), g.public)]
    store.commit([Quad(relabelled.subject, P, Literal("ville"), g.public)])  # names the store's label
    assert mirror_quads(store) == readable_now(store)


def test_a_marker_behind_the_store_means_a_rebuild(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    graphs = GraphNames.for_base(BASE)
    path, marker = tmp_path / "store", tmp_path / "store.public.rev"
    loads = counting_loads(monkeypatch)
    with OxigraphStore(path, graphs) as store:
        store.commit([q("city/paris", "Paris", graphs.public)])
        store.snapshot(tmp_path / "s1")
        behind = marker.read_text()
        # A stop between the mirror's flush and its marker: the mirror holds the commit, the marker not.
        store.commit([q("city/lyon", "Lyon", graphs.public)])
    marker.write_text(behind)
    with OxigraphStore(path, graphs) as store:
        assert len(loads) == 1
        store.snapshot(tmp_path / "s2")
        assert len(loads) == 2  # rebuilt
        assert mirror_quads(store) == readable_now(store)
    # A process that never asked for a snapshot (the CLI) writes: the mirror did not follow.
    with OxigraphStore(path, graphs) as store:
        store.commit([q("city/nice", "Nice", graphs.public)], [q("city/paris", "Paris", graphs.public)])
    with OxigraphStore(path, graphs) as store:
        snap = store.snapshot(tmp_path / "s3")
        assert len(loads) == 3
        assert snapshot_quads(store, snap) == readable_now(store)
        assert str(q("city/nice", "Nice", graphs.public)) in snapshot_quads(store, snap)
    # In step: a reopen trusts it.
    with OxigraphStore(path, graphs) as store:
        store.snapshot(tmp_path / "s4")
        assert len(loads) == 3


def test_commits_during_a_rebuild_are_not_lost(store: OxigraphStore, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    g = store.graphs
    blank = BlankNode("lieu7")
    store.commit([q(f"city/{i}", str(i), g.public) for i in range(20)] +
                 [Quad(blank, P, Literal("lieu"), g.public), q("class/City", "Ville", g.ontology)])
    before_dump, after_load = threading.Event(), threading.Event()
    loading, loaded = threading.Event(), threading.Event()
    real = store_mirror.PublicMirror._load

    def paused(self, source, fresh):  # type: ignore[no-untyped-def]
        loading.set()
        before_dump.wait(30)
        real(self, source, fresh)
        loaded.set()
        after_load.wait(30)
    monkeypatch.setattr(store_mirror.PublicMirror, "_load", paused)
    result: list[object] = []
    builder = threading.Thread(target=lambda: result.append(store.snapshot(tmp_path / "snap")))
    builder.start()
    try:
        assert loading.wait(30)
        # Seen by the dump and replayed after it: harmless twice.
        store.commit([q("city/lyon", "Lyon", g.public)], [q("city/3", "3", g.public)])
        store.commit(private_quads(store))
        store.commit([Quad(NamedNode(BASE + "id/city/4"), P, blank, g.public)])
        before_dump.set()
        assert loaded.wait(30)
        # After the dump: only the replay brings them.
        store.commit([q("city/nice", "Nice", g.public)], [q("city/lyon", "Lyon", g.public)])
        store.commit([q("city/3", "3", g.public)], [q("class/City", "Ville", g.ontology)])
        store.commit([Quad(blank, P, Literal("place"), g.public)])  # the store's blank node, not a copy
    finally:
        before_dump.set()
        after_load.set()
        builder.join(60)
    assert result and isinstance(result[0], Path)
    assert snapshot_quads(store, result[0]) == readable_now(store)
    assert mirror_quads(store) == readable_now(store)
    store.commit([q("city/marseille", "Marseille", g.public)])  # and in step after it
    assert mirror_quads(store) == readable_now(store)
    assert json.loads((tmp_path / "store.public.rev").read_text())["revision"] == store.revision().number


def test_a_bulk_commit_marks_the_mirror_stale(store: OxigraphStore, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    g = store.graphs
    loads = warm_mirror(store, tmp_path, monkeypatch)
    monkeypatch.setattr(store, "bulk_threshold", 10)
    store.commit([q(f"city/{i}", str(i), g.public) for i in range(12)])  # written in bulk
    assert not (tmp_path / "store.public.rev").exists()
    snap = store.snapshot(tmp_path / "s2")
    assert loads == [1]
    assert snapshot_quads(store, snap) == readable_now(store)
    assert str(q("city/11", "11", g.public)) in snapshot_quads(store, snap)
    store.commit([q("city/lyon", "Lyon", g.public)])  # small again: followed commit by commit
    assert mirror_quads(store) == readable_now(store) and loads == [1]


def test_a_bulk_commit_during_a_rebuild_starts_it_over(store: OxigraphStore, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    g = store.graphs
    store.commit([q("city/paris", "Paris", g.public)])
    loaded, resume = threading.Event(), threading.Event()
    loads: list[int] = []
    real = store_mirror.PublicMirror._load

    def paused(self, source, fresh):  # type: ignore[no-untyped-def]
        real(self, source, fresh)
        loads.append(1)
        loaded.set()
        resume.wait(30)
    monkeypatch.setattr(store_mirror.PublicMirror, "_load", paused)
    monkeypatch.setattr(store, "bulk_threshold", 10)
    result: list[object] = []
    builder = threading.Thread(target=lambda: result.append(store.snapshot(tmp_path / "snap")))
    builder.start()
    try:
        assert loaded.wait(30)
        store.commit([q(f"city/{i}", str(i), g.public) for i in range(12)])  # bulk: not held as a delta
        store.commit([q("city/lyon", "Lyon", g.public)])
    finally:
        resume.set()
        builder.join(60)
    assert loads == [1, 1]  # the first load was void
    assert result and snapshot_quads(store, result[0]) == readable_now(store)  # type: ignore[arg-type]
    assert mirror_quads(store) == readable_now(store)


def test_a_graph_bigger_than_a_piece_is_copied_whole_blank_nodes_included(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The copy goes to Oxigraph's bulk loader in pieces cut between lines (its memory bounded): every
    triple arrives, once, and blank nodes keep the store's labels."""
    monkeypatch.setattr(store_mirror, "PIECE_BYTES", 200)  # a few lines a piece
    graphs = GraphNames.for_base(BASE)
    source = ox.Store()
    quads = [q(f"s{i}", f"valeur « {i} » é", graphs.public) for i in range(300)]
    quads += [Quad(BlankNode("b1"), P, Literal("vide"), graphs.public),
              Quad(NamedNode(BASE + "id/x"), P, BlankNode("b1"), graphs.public)]
    quads += [q(f"o{i}", f"terme {i}", graphs.ontology) for i in range(300)]  # a graph without blank nodes
    source.extend(quads)
    copy = ox.Store(str(tmp_path / "copy"))
    blank = store_mirror.copy_readable(source, copy, [graphs.public, graphs.ontology], tmp_path / "dump.nt")
    assert blank == [graphs.public]
    assert len(copy) == len(source) == 602
    for graph in blank:  # what the mirror does after the copy (`PublicMirror._load`)
        pattern = f"GRAPH {graph} {{ ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }}"
        copy.update(f"DELETE {{ GRAPH {graph} {{ ?s ?p ?o }} }} WHERE {{ {pattern} }}")
        copy.extend(Quad(r[0], r[1], r[2], graph) for r in source.query(f"SELECT ?s ?p ?o WHERE {{ {pattern} }}"))
    assert every_quad(copy) == every_quad(source)
    assert not (tmp_path / "dump.nt").exists()


def test_blank_nodes_are_searched_in_every_piece(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The search for blank nodes reads the pieces the loader gets (never the whole dump mapped in memory:
    648 MB at 100,000 practices), all of them: here the only blank node comes in the last pieces."""
    monkeypatch.setattr(store_mirror, "PIECE_BYTES", 200)
    graphs = GraphNames.for_base(BASE)
    source = ox.Store(str(tmp_path / "source"))  # on disk, as the store: dumped in its indexes' order
    source.extend([q(f"s{i}", f"valeur {i}", graphs.public) for i in range(300)] +
                  [Quad(BlankNode("b1"), P, Literal("vide"), graphs.public)])  # a blank subject: dumped last
    with (tmp_path / "probe.nt").open("wb") as probe:
        source.dump(probe, ox.RdfFormat.N_TRIPLES, from_graph=graphs.public)
    pieces = list(store_mirror._pieces(tmp_path / "probe.nt"))
    assert len(pieces) > 50 and b"_:" not in b"".join(pieces[:-3])  # the premise: not in the first pieces
    copy = ox.Store(str(tmp_path / "copy"))
    assert store_mirror.copy_readable(source, copy, [graphs.public], tmp_path / "dump.nt") == [graphs.public]
    source.remove(Quad(BlankNode("b1"), P, Literal("vide"), graphs.public))
    assert store_mirror.copy_readable(source, ox.Store(), [graphs.public], tmp_path / "dump.nt") == []
