"""`bench.import_speed`: the validated-import row measures Graphe against Oxigraph's bulk load into the same named
graph, and leaves the last run's stores where `bench/run.py` serves them (small sizes here)."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from bench import import_speed
from support.datagen import generate


def test_figure_compares_with_the_bulk_load_into_the_published_graph(tmp_path: Path) -> None:
    data = tmp_path / "generated.ttl"
    data.write_text(generate(20, seed=7, words=(5, 10)), encoding="utf-8")
    (tmp_path / "data").mkdir()  # a previous figure's stores are replaced
    figure = import_speed.figure(20, tmp_path, data, runs=2)
    assert figure.unit == "triples/s" and figure.goal_ratio == 0.4 and figure.code == "bench/import_speed.py:figure"
    assert len(figure.values) == len(figure.baseline) == 2 and figure.ratio is not None and figure.measures
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "generated.ttl", "raw"]  # other runs' stores gone
    raw = ox.Store.read_only(str(tmp_path / "raw"))
    public, ontology = ox.NamedNode(import_speed.PUBLIC), ox.NamedNode(import_speed.ONTOLOGY)
    triples = {(q.subject, q.predicate, q.object) for q in ox.parse(path=str(data), base_iri=import_speed.BASE)}
    assert triples <= {(q.subject, q.predicate, q.object) for q in raw.quads_for_pattern(None, None, None, public)}
    assert not list(raw.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    assert next(iter(raw.quads_for_pattern(None, None, None, ontology)), None) is not None
    del raw

    from graphe.core.settings import Settings
    from graphe.service import Graphe

    graphe = Graphe.open(Settings(data_dir=tmp_path / "data"), search="off")  # the imported store, whole
    try:
        assert graphe.store.graphs.public.value == import_speed.PUBLIC
        held = {(q.subject, q.predicate, q.object) for q in graphe.store.quads(graphe.store.graphs.public)}
        assert triples <= held
    finally:
        graphe.close()


def test_the_command_prints_the_ratio_and_the_stages(capsys) -> None:  # type: ignore[no-untyped-def]
    assert import_speed.main(["--practices", "30", "--runs", "1"]) == 0
    out = capsys.readouterr().out
    assert "ratio" in out and "étapes" in out and "scan" in out
