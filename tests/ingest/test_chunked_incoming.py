"""Chunked validation (`graphe.ingest.chunked`): the store's `?x P s` triples for `sh:targetObjectsOf P`, read once
for the whole import rather than asked chunk by chunk, give the same report either way."""
from __future__ import annotations

from pathlib import Path

import pytest

from graphe.core.rdf import NamedNode, Quad
from graphe.core.settings import Settings
from graphe.ingest import chunked, loading
from graphe.service import Graphe

from test_chunked import BASE, LATE, chunked_report, dataset, whole



@pytest.fixture
def graphe(validator):  # type: ignore[no-untyped-def]
    g = Graphe.open(Settings(data_dir=None), validator=validator, search="off")
    yield g
    g.close()


@pytest.mark.parametrize("read_all", [0.0, 1e9])
def test_incoming_read_once_or_per_chunk_gives_the_whole_report(graphe, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                 monkeypatch: pytest.MonkeyPatch, read_all: float) -> None:
    monkeypatch.setattr(loading, "CHUNKED_FROM_BYTES", 0)
    monkeypatch.setattr(chunked, "CHUNK_QUADS", 9)
    monkeypatch.setattr(chunked._Chunks, "read_all_incoming", read_all)
    path = dataset(tmp_path)
    expected = whole(graphe, [path])
    assert chunked_report(graphe, [path]).results == expected.results
    assert any(r.severity == "Violation" for r in expected.results)


@pytest.mark.parametrize("read_all", [0.0, 1e9])
def test_incoming_from_the_store_found_either_way(graphe, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                                  read_all: float) -> None:
    """A store triple `?x dct:source s` (`sh:targetObjectsOf dct:source`) with `s` a subject of the file: when
    the file mentions `?x` it is a witness; when it does not, only the whole data can tell (`Whole`)."""
    monkeypatch.setattr(loading, "CHUNKED_FROM_BYTES", 0)
    monkeypatch.setattr(chunked, "CHUNK_QUADS", 9)
    monkeypatch.setattr(chunked._Chunks, "read_all_incoming", read_all)
    public = graphe.store.graphs.public
    graphe.store.commit([Quad(NamedNode(BASE + "id/practice/stored"), NamedNode("http://purl.org/dc/terms/source"),
                              NamedNode(BASE + "id/city/gen-1"), public)])  # (written as is: no validation here)
    path = dataset(tmp_path, LATE)
    with pytest.raises(chunked.Whole):
        chunked.load_chunked(graphe.store, graphe.validator, [path], BASE)
    mentioned = dataset(tmp_path, LATE + "<id/practice/stored> <http://purl.org/dc/terms/title> \"x\"@fr .\n", "m.ttl")
    assert chunked_report(graphe, [mentioned]).results == whole(graphe, [mentioned]).results
