"""The read side of the exports: the licence inside each dump, the N-Quads graphs, the spreadsheet dialect of
the CSV and its labels, and what the Atom feeds read."""
from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest

from graphe.core import rdf
from graphe.read.exports import DUMP_FORMATS, Dumps, labels, practice_dates, practice_digests, practices_csv
from graphe.read.filters import PracticeFilter
from graphe.service import Graphe

BASE = "https://graphe.aimf.asso.fr/"
DATASET = BASE + "dataset/graphe"
LICENCE = "https://www.etalab.gouv.fr/licence-ouverte-open-licence"


@pytest.mark.parametrize("name", DUMP_FORMATS)
def test_every_dump_states_the_licence(seeded: Graphe, name: str) -> None:
    fmt = rdf.format_named(name)
    statement = (ox.NamedNode(DATASET), ox.NamedNode("http://purl.org/dc/terms/license"), ox.NamedNode(LICENCE))
    for with_licence in (True, False):
        dumps = Dumps(seeded.store, None, DATASET, LICENCE) if with_licence else Dumps(seeded.store, None)
        try:
            path, _ = dumps.path(name)
            found = list(ox.parse(path.read_bytes(), format=fmt.ox))
        finally:
            dumps.close()
        triples = {(q.subject, q.predicate, q.object) for q in found}
        assert (statement in triples) is with_licence, name
        public = seeded.store.count(seeded.store.graphs.public)
        ontology = seeded.store.count(seeded.store.graphs.ontology) if fmt.quads else 0
        assert len(found) == public + ontology + with_licence
        if fmt.quads:  # the graph names kept: the licence belongs to the data graph
            graphs = {q.graph_name.value for q in found}
            assert graphs == {seeded.store.graphs.public.value, seeded.store.graphs.ontology.value}
            if with_licence:
                assert ox.Quad(*statement, seeded.store.graphs.public) in found


def test_the_spreadsheet_dialect(seeded: Graphe) -> None:
    plain = "".join(practices_csv(seeded.store, PracticeFilter()))
    excel = "".join(practices_csv(seeded.store, PracticeFilter(), ";", bom=True))
    assert excel.startswith("\ufeffiri;") and plain.startswith("iri,")
    assert list(csv.reader(io.StringIO(excel[1:], newline=""), delimiter=";")) == \
        list(csv.reader(io.StringIO(plain, newline="")))


def test_labels_prefer_french_then_english_then_untagged(seeded: Graphe) -> None:
    ai, nantes = BASE + "id/theme/ai", BASE + "id/city/nantes"
    found = labels(seeded.store, [ai, nantes, BASE + "id/theme/nothing-here"])
    assert found == {ai: "Intelligence artificielle", nantes: "Nantes"}
    assert labels(seeded.store, [ai], ("en",)) == {ai: "Artificial intelligence"}
    assert labels(seeded.store, []) == {}


def test_what_the_feeds_read(seeded: Graphe) -> None:
    dated = practice_dates(seeded.store, PracticeFilter(cities=(BASE + "id/city/nantes",)))
    iris = sorted(d.iri for d in dated)
    assert BASE + "id/practice/nantes-cadre-de-confiance-ia" in iris and all(d.retired is None for d in dated)
    digests = practice_digests(seeded.store, iris)
    assert set(digests) == set(iris)
    for digest in digests.values():
        assert digest.titles["fr"] and digest.city == BASE + "id/city/nantes" and digest.city_names["fr"] == "Nantes"
        assert digest.themes and all(names.get("fr") for _, names in digest.themes)
    assert practice_digests(seeded.store, []) == {}
