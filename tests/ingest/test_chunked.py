"""Chunked validation of big files (`graphe.ingest.chunked`): the same report as validating the whole file at once,
with chunks forced tiny so that subjects, the resources they point to and their targets straddle chunks."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graphe.core.errors import GrapheError

from support.datagen import generate
from graphe.ingest import chunked, filescan, loading
from graphe.core import rdf
from graphe.ingest.loading import ValidationFailed, read_files, subjects_of, validate
from graphe.validation.report import ValidationReport
from graphe.service import Graphe
from graphe.core.settings import Settings

BASE = "https://graphe.aimf.asso.fr/"
GR, SKOS, DCT = "https://graphe.aimf.asso.fr/def#", "http://www.w3.org/2004/02/skos/core#", "http://purl.org/dc/terms/"
SOURCE = "<id/source/aimf-article-2024-nantes-ia>"

# Before the generated data: a practice pointing forward to a city the file defines later (valid).
EARLY = (f'<id/practice/early> a gr:Practice ; dct:title "Tôt"@fr ; dct:abstract "Résumé"@fr ; '
         f'dct:subject <id/theme/citizen-participation> ; gr:city <id/city/gen-1> ; dct:source {SOURCE} .\n')
# After it: violations whose evidence lies in other chunks, or in the store.
LATE = f"""
<id/practice/wrong-city> a gr:Practice ; dct:title "Ville fausse"@fr ; gr:city <id/charter/gen-0> ; dct:source {SOURCE} .
<id/practice/nowhere-1> a gr:Practice ; dct:title "Sans source 1"@fr ; gr:city <id/city/gen-2> ;
    dct:source <id/source/unknown-x> .
<id/practice/seed-city> a gr:Practice ; dct:title "Ville publiée"@fr ; dct:abstract "Résumé"@fr ;
    dct:subject <id/theme/citizen-participation> ; gr:city <id/city/nantes> ; dct:source {SOURCE} .
<id/practice/src-is-city> a gr:Practice ; dct:title "Source ville"@fr ; gr:city <id/city/gen-2> ;
    dct:source <id/city/gen-3> .
<id/criterion/extra> a gr:Criterion ; cv:isDerivedFrom <id/charter/gen-0> ; gr:identifier "9" ; gr:order 9 ;
    skos:prefLabel "Critère en plus"@fr ; gr:impactDimension gr:SocialImpact ; gr:criterionKind gr:Principle ;
    skos:exactMatch <id/criterion/gen-0-1> ; skos:closeMatch <id/criterion/gen-1-1> ; dct:source {SOURCE} .
<id/practice/nowhere-2> a gr:Practice ; dct:title "Sans source 2"@fr ; gr:city <id/city/gen-2> ;
    dct:source <id/source/unknown-x> .
<id/city/gen-4> schema:latitude "1.5"^^xsd:decimal .
"""


def dataset(tmp_path: Path, late: str = LATE, name: str = "data.ttl") -> Path:
    text = generate(3, seed=7, words=(5, 10))
    head, _, body = text.partition("\n\n")
    path = tmp_path / name
    path.write_text(head + "\n\n" + EARLY + body + late, encoding="utf-8")
    return path


@pytest.fixture
def graphe(validator) -> Iterator[Graphe]:  # type: ignore[no-untyped-def]
    g = Graphe.open(Settings(data_dir=None), validator=validator, search="off")
    yield g
    g.close()


@pytest.fixture
def tiny(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Chunks of a few quads, every load chunked; the sizes of the chunks validated."""
    sizes: list[int] = []
    monkeypatch.setattr(chunked, "CHUNK_QUADS", 7)
    monkeypatch.setattr(loading, "CHUNKED_FROM_BYTES", 0)
    validate_chunk = chunked._Chunks.validate

    def counted(self, chunk):  # type: ignore[no-untyped-def]
        sizes.append(len(chunk))
        return validate_chunk(self, chunk)
    monkeypatch.setattr(chunked._Chunks, "validate", counted)
    return sizes


def whole(g: Graphe, paths: list[Path]) -> ValidationReport:
    """The report of validating the files whole, as `load_files` does below the chunking size."""
    quads = list(dict.fromkeys(read_files(paths, BASE, g.store.graphs.public)))
    existing = g.store.describe(subjects_of(quads), g.store.graphs.public)
    return validate(g.store, g.validator, quads, existing=existing)


def chunked_report(g: Graphe, paths: list[Path]) -> ValidationReport:
    try:
        return chunked.load_chunked(g.store, g.validator, paths, BASE).report
    except ValidationFailed as failed:
        return failed.report


def keyed(report: ValidationReport) -> list[tuple[str, str, str | None, str, str | None]]:
    return [(r.severity, r.focus, r.path, r.shape.rsplit("#", 1)[-1], r.value) for r in report.results]


def test_chunked_report_equals_whole_report_across_chunks(graphe: Graphe, tmp_path: Path, tiny: list[int]) -> None:
    path = dataset(tmp_path)
    expected = whole(graphe, [path])
    before = graphe.store.revision().number
    got = chunked_report(graphe, [path])
    assert len(tiny) > 20  # many chunks (the scattered city comes last, with its own triples)
    assert got.results == expected.results
    found = set(keyed(got))
    city, charter, unknown = BASE + "id/city/", BASE + "id/charter/gen-0", BASE + "id/source/unknown-x"
    # sh:class on an object another chunk defines (and is not a city)
    assert ("Violation", BASE + "id/practice/wrong-city", GR + "city", "PracticeCityClassShape", f"<{charter}>") in found
    # sh:targetObjectsOf dct:source: a city of another chunk used as a source; an unknown source, once
    assert ("Violation", city + "gen-3", None, "SourceValueShape", f"<{city}gen-3>") in found
    assert [k for k in keyed(got) if k[1] == unknown] == [("Violation", unknown, None, "SourceValueShape", f"<{unknown}>")]
    # SHACL-SPARQL reading the charter of a criterion of another chunk
    assert any(k[1] == BASE + "id/criterion/extra" and k[2] == SKOS + "exactMatch" for k in found)
    assert not any(k[1] == BASE + "id/criterion/extra" and k[2] == SKOS + "closeMatch" for k in found)
    # sh:maxCount over the triples of one subject written in two places of the file
    assert any(k[1] == city + "gen-4" and k[3] == "CityLatitudeCountShape" for k in found)
    # forward references and references to the store are fine
    assert not any(k[0] == "Violation" and k[1] in (BASE + "id/practice/early", BASE + "id/practice/seed-city")
                   for k in found)
    assert graphe.store.revision().number == before  # refused: nothing written


@pytest.mark.parametrize("size", [1, 3, 50, 10_000])
def test_any_chunk_size_gives_the_whole_report(graphe: Graphe, tmp_path: Path, tiny: list[int],
                                               monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    monkeypatch.setattr(chunked, "CHUNK_QUADS", size)
    path = dataset(tmp_path)
    assert chunked_report(graphe, [path]).results == whole(graphe, [path]).results


def test_a_violation_in_the_last_chunk_writes_nothing(graphe: Graphe, tmp_path: Path, tiny: list[int]) -> None:
    late = f'<id/practice/last> a gr:Practice ; dct:title "Dernière"@fr ; gr:city <id/theme/x> ; dct:source {SOURCE} .\n'
    path = dataset(tmp_path, late)
    store = graphe.store
    before = (store.revision().number, sorted(str(q) for q in store.quads(store.graphs.public)))
    with pytest.raises(ValidationFailed) as refused:
        graphe.load([path])
    assert {r.focus for r in refused.value.report.violations} == {BASE + "id/practice/last"}
    assert len(tiny) > 20
    assert (store.revision().number, sorted(str(q) for q in store.quads(store.graphs.public))) == before


def test_a_file_changed_during_its_import_writes_nothing(graphe: Graphe, tmp_path: Path, tiny: list[int],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The commit reads the files again: a file edited after its validation would be written unvalidated.
    Its size or time then differs, and the import stops with FILE_CHANGED."""
    path = dataset(tmp_path, "")  # valid as it is validated
    store = graphe.store
    before = (store.revision().number, sorted(str(q) for q in store.quads(store.graphs.public)))
    report = chunked._Chunks.report

    def then_edited(self):  # type: ignore[no-untyped-def]
        with path.open("a", encoding="utf-8") as out:  # once every chunk was validated
            out.write('<id/practice/sneaked> a gr:Practice .\n')
        return report(self)
    monkeypatch.setattr(chunked._Chunks, "report", then_edited)
    with pytest.raises(GrapheError) as refused:
        graphe.load([path])
    assert refused.value.code == "FILE_CHANGED"
    assert (store.revision().number, sorted(str(q) for q in store.quads(store.graphs.public))) == before


def _loaded(validator, tmp_path: Path, name: str, paths: list[Path], threshold: int):  # type: ignore[no-untyped-def]
    g = Graphe.open(Settings(data_dir=tmp_path / name), validator=validator, search="off")
    g.store.bulk_threshold = threshold
    results = [g.load([p]) for p in paths]
    store = g.store
    quads = sorted(str(q) for q in store.quads(store.graphs.public))
    notes = sorted((r["k"].value, r["o"].value) for r in store.select(
        f"SELECT ?k ?o WHERE {{ GRAPH {store.graphs.system} {{ ?r ?k ?o FILTER(isIRI(?o)) }} }}", private=True))
    g.close()
    return [(r.triples, r.added, r.revision and r.revision.number, r.report.results) for r in results], quads, notes


@pytest.mark.parametrize("threshold", [10, 1_000_000])  # the bulk write (from the file) and the transaction
def test_a_chunked_load_writes_what_a_whole_load_writes(validator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                                        threshold: int) -> None:
    first = dataset(tmp_path, "", "first.ttl")
    # then again, with one practice given one more theme and one added: the store describes most subjects already
    text = first.read_text(encoding="utf-8").replace("dct:subject <id/theme/citizen-participation> ;",
                                                     "dct:subject <id/theme/citizen-participation> , <id/theme/generative-ai> ;", 1)
    second = tmp_path / "second.ttl"
    second.write_text(text + EARLY.replace("early", "new"), encoding="utf-8")
    monkeypatch.setattr(loading, "CHUNKED_FROM_BYTES", 1 << 40)
    expected = _loaded(validator, tmp_path, "whole", [first, second], threshold)
    monkeypatch.setattr(loading, "CHUNKED_FROM_BYTES", 0)
    monkeypatch.setattr(chunked, "CHUNK_QUADS", 5)
    assert _loaded(validator, tmp_path, "chunks", [first, second], threshold) == expected
    assert expected[0][1][1] == 7  # one more theme, and the new practice's 6 triples


def test_what_chunks_cannot_be_given_is_validated_whole(graphe: Graphe, tmp_path: Path, tiny: list[int]) -> None:
    blank = '<id/practice/gen-1> dct:relation [ rdfs:label "note"@fr ] .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
    path = dataset(tmp_path, "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n" + blank.splitlines()[0] + "\n")
    with pytest.raises(filescan.Whole):
        chunked.load_chunked(graphe.store, graphe.validator, [path], BASE)
    result = graphe.load([path])  # validated whole instead
    assert result.revision is not None and not tiny


def test_reach_of_the_shapes(validator) -> None:  # type: ignore[no-untyped-def]
    reach = validator.reach
    skos = "http://www.w3.org/2004/02/skos/core#"
    assert reach.values == {"http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "http://data.europa.eu/m8g/isDerivedFrom",
                            # a criterion mapping reads the SKOS triple of its subject criterion
                            skos + "exactMatch", skos + "closeMatch", skos + "relatedMatch"}
    # the value shapes of what a record owns, named under it (`sh:targetObjectsOf`): sources, documents, records
    gr = "https://graphe.aimf.asso.fr/def#"
    assert reach.incoming == {DCT + "source", gr + "document", gr + "outcome", gr + "cost", gr + "partnership"}


def test_the_saved_reach_is_the_one_computed_for_these_shapes(validator, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`ontology/reach.json` spares each process seconds of query analysis; it must say what the analysis
    says for the shapes and compiler of this commit (else: `python -m graphe.validation`), and a file
    written for other shapes is not believed."""
    import json

    from graphe.core.settings import PROJECT_ROOT
    from graphe.validation.shacl import reach as shacl_reach

    computed = shacl_reach._reach(validator.plan)
    key = shacl_reach.shapes_key(validator.shapes)
    saved = json.loads((PROJECT_ROOT / "ontology" / "reach.json").read_text(encoding="utf-8"))
    assert saved == {"shapes": key, "values": sorted(computed.values), "incoming": sorted(computed.incoming)}, \
        "ontology/reach.json is stale: run python -m graphe.validation"
    stale = tmp_path / "reach.json"
    stale.write_text(json.dumps({**saved, "shapes": "other shapes", "values": []}), encoding="utf-8")
    assert shacl_reach._read(stale, key) is None
    assert shacl_reach._read(stale, "other shapes") == shacl_reach.Reach(frozenset(), computed.incoming)


def test_a_file_is_searched_once_for_http_schema_org_and_rewritten_in_every_reading(
        graphe: Graphe, tmp_path: Path, tiny: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    path = dataset(tmp_path, "")
    path.write_text(path.read_text(encoding="utf-8").replace("<https://schema.org/>", "<http://schema.org/>"),
                    encoding="utf-8")
    searched: list[Path] = []
    for module in (filescan, rdf):
        real = module.mentions
        monkeypatch.setattr(module, "mentions", lambda p, needle, real=real: searched.append(p) or real(p, needle))
    result = chunked.load_chunked(graphe.store, graphe.validator, [path], BASE)
    assert len(tiny) > 3 and result.added > 0
    assert searched == [path]  # read twice (scan, then chunks), searched once: each search reads the whole file
    assert graphe.store.ask("ASK { ?c <https://schema.org/addressCountry> ?x }")
    assert not graphe.store.ask("ASK { ?s ?p ?o FILTER(STRSTARTS(STR(?p), 'http://schema.org/')) }")
