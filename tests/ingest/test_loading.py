"""Loading: valid files land as one revision; every bad input is refused with a clear error, store unchanged."""
from __future__ import annotations

from pathlib import Path

import pytest

from graphe.core.errors import GrapheError
from graphe.ingest.loading import ValidationFailed
from graphe.service import Graphe

PREFIXES = """@prefix gr: <https://graphe.aimf.asso.fr/def#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""

NEW_PRACTICE = PREFIXES + """
<id/practice/atelier-ia-agadir> a gr:Practice ;
    dct:title "Ateliers citoyens sur l'intelligence artificielle"@fr , "Citizen workshops on AI"@en ;
    dct:abstract "Des ateliers ouverts aux habitants pour débattre des usages de l'IA dans les services."@fr ;
    gr:city <id/city/agadir> ;
    dct:subject <id/theme/citizen-participation> ;
    dct:source <id/source/aimf-article-2024-nantes-ia> .
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(graphe: Graphe) -> tuple[int, int, frozenset]:
    store = graphe.store
    return (store.revision().number, graphe.triple_count(),
            frozenset(str(q) for q in store.quads(store.graphs.public)))


def test_valid_file_is_one_new_revision_with_relative_iris_resolved(fresh: Graphe, tmp_path: Path) -> None:
    before = fresh.store.revision().number
    result = fresh.load([write(tmp_path, "p.ttl", NEW_PRACTICE)])
    assert result.revision is not None and result.revision.number == before + 1
    assert result.added == result.triples == 7
    rows = fresh.store.select("SELECT ?t WHERE { ?p dct:title ?t ; gr:city ?c }",
                              {"c": _iri("https://graphe.aimf.asso.fr/id/city/agadir")})
    assert {r["t"].value for r in rows} == {"Ateliers citoyens sur l'intelligence artificielle",
                                            "Citizen workshops on AI"}
    # Loading the same file again adds nothing and moves no revision.
    again = fresh.load([write(tmp_path, "p.ttl", NEW_PRACTICE)])
    assert again.revision is None and fresh.store.revision().number == before + 1


def _iri(value: str):  # type: ignore[no-untyped-def]
    from graphe.core.rdf import NamedNode
    return NamedNode(value)


BAD_INPUTS = {
    "malformed-turtle": ("bad.ttl", PREFIXES + '<id/city/x> a schema:City ;\n  schema:name "Lyon@fr .\n',
                         "PARSE_ERROR", ["bad.ttl", "ligne 7"]),
    "unknown-class": ("unknown.ttl", NEW_PRACTICE.replace("a gr:Practice", "a gr:Practice , gr:Pratique"),
                      "VALIDATION_FAILED", ["Pratique"]),
    "missing-mandatory-title": ("no-title.ttl", NEW_PRACTICE.replace(
        """dct:title "Ateliers citoyens sur l'intelligence artificielle"@fr , "Citizen workshops on AI"@en ;""",
        ""), "VALIDATION_FAILED", ["atelier-ia-agadir", "title"]),
    "wrong-datatype": ("datatype.ttl", PREFIXES + """
<id/city/lyon> a schema:City ; schema:name "Lyon"@fr ; schema:addressCountry "FR" ;
    gr:population "beaucoup"^^xsd:integer ; gr:populationYear "2021"^^xsd:gYear ;
    dct:source <id/source/aimf-article-2024-nantes-ia> .
""", "VALIDATION_FAILED", ["lyon", "population", "beaucoup"]),
    "date-as-plain-string": ("date.ttl", NEW_PRACTICE.replace(
        "dct:source", 'dct:issued "le 3 mars" ;\n    dct:source'), "VALIDATION_FAILED", ["issued"]),
    "title-not-in-french": ("english.ttl", NEW_PRACTICE.replace(
        '"Ateliers citoyens sur l\'intelligence artificielle"@fr , ', ""), "VALIDATION_FAILED", ["français"]),
    "label-without-language": ("nolang.ttl", NEW_PRACTICE.replace(
        '"Ateliers citoyens sur l\'intelligence artificielle"@fr', '"Ateliers citoyens sur l\'IA"'),
        "VALIDATION_FAILED", ["title"]),
    "blank-node-resource": ("blank.ttl", NEW_PRACTICE + """
[] a gr:Source ; dct:title "Source anonyme"@fr ; gr:sourceKind gr:PrimarySource .
""", "VALIDATION_FAILED", ["nœud anonyme"]),
    "reference-to-unknown-city": ("nocity.ttl", NEW_PRACTICE.replace("id/city/agadir", "id/city/atlantis"),
                                  "VALIDATION_FAILED", ["atlantis"]),
    "jsonld-remote-context": ("remote.jsonld", """{
  "@context": "https://schema.org/",
  "@id": "https://graphe.aimf.asso.fr/id/city/lyon",
  "@type": "City", "name": "Lyon"
}""", "REMOTE_CONTEXT_REFUSED", ["contexte distant"]),
    "malformed-jsonld": ("broken.jsonld", '{\n  "@id": "https://x/a",\n  "name": \n}', "PARSE_ERROR",
                         ["broken.jsonld", "ligne 4"]),
    "malformed-rdfxml": ("broken.rdf", '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf='
                         '"http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n<rdf:Description>\n</rdf:RDF>\n',
                         "PARSE_ERROR", ["broken.rdf", "ligne 4"]),
    "private-named-graph": ("private.nq", '<https://x/a> <https://x/p> "v" '
                            '<https://graphe.aimf.asso.fr/graph/system> .\n', "FORBIDDEN_GRAPH", ["system"]),
    "unknown-extension": ("data.xlsx", "x", "UNKNOWN_FORMAT", [".xlsx"]),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_refused_and_changes_nothing(fresh: Graphe, tmp_path: Path, case: str) -> None:
    name, text, code, needles = BAD_INPUTS[case]
    before = snapshot(fresh)
    with pytest.raises(GrapheError) as caught:
        fresh.load([write(tmp_path, name, text)])
    error = caught.value
    assert error.code == code, error.message_fr
    for needle in needles:
        assert needle in error.message_fr, error.message_fr
    assert error.message_fr != error.message_en
    assert snapshot(fresh) == before


def test_parse_error_names_line_and_column(fresh: Graphe, tmp_path: Path) -> None:
    text = PREFIXES + "<id/city/x> a schema:City ;\n    schema:name \"Lyon\"@fr ;;; .\n<id/city/y> a .\n"
    with pytest.raises(GrapheError) as caught:
        fresh.load([write(tmp_path, "pos.ttl", text)])
    details = caught.value.details
    assert details["file"].endswith("pos.ttl") and details["line"] == 8 and details["column"] >= 1


def test_validation_report_lists_focus_property_value_in_french_and_english(fresh: Graphe, tmp_path: Path) -> None:
    bad = BAD_INPUTS["wrong-datatype"][1]
    with pytest.raises(ValidationFailed) as caught:
        fresh.load([write(tmp_path, "d.ttl", bad)])
    results = caught.value.report.violations
    population = [r for r in results if r.path == "https://graphe.aimf.asso.fr/def#population"]
    assert population, results
    assert population[0].focus == "https://graphe.aimf.asso.fr/id/city/lyon"
    assert "beaucoup" in (population[0].value or "")
    assert population[0].message_fr and population[0].message_en and population[0].message_fr != population[0].message_en


def test_one_bad_file_among_several_refuses_them_all(fresh: Graphe, tmp_path: Path) -> None:
    before = snapshot(fresh)
    good = write(tmp_path, "good.ttl", NEW_PRACTICE)
    bad = write(tmp_path, "bad.ttl", BAD_INPUTS["malformed-turtle"][1])
    with pytest.raises(GrapheError):
        fresh.load([good, bad])
    invalid = write(tmp_path, "invalid.ttl", BAD_INPUTS["wrong-datatype"][1])
    with pytest.raises(ValidationFailed):
        fresh.load([good, invalid])
    assert snapshot(fresh) == before


def test_http_schema_org_is_normalised_to_https(fresh: Graphe, tmp_path: Path) -> None:
    text = NEW_PRACTICE.replace("@prefix schema: <https://schema.org/>", "@prefix schema: <http://schema.org/>")
    text += "<id/practice/atelier-ia-agadir> schema:url <https://example.org/ateliers> .\n"
    fresh.load([write(tmp_path, "http.ttl", text)])
    assert fresh.store.ask("ASK { ?p <https://schema.org/url> ?u }")
    assert not fresh.store.ask("ASK { ?p <http://schema.org/url> ?u }")


def test_values_are_bound_as_terms_never_spliced(fresh: Graphe) -> None:
    from graphe.core.rdf import Literal
    hostile = Literal('x" } } ; DROP ALL ; SELECT * { ?s ?p "')
    assert fresh.store.select("SELECT ?s WHERE { ?s schema:name ?n }", {"n": hostile}) == []
    assert fresh.store.count(fresh.store.graphs.public) > 0


@pytest.mark.parametrize("kind", ["file", "quads"])
def test_a_big_load_is_bulk_written_with_its_revision_and_index(tmp_path: Path, validator, kind: str) -> None:  # type: ignore[no-untyped-def]
    """Past the store's bulk threshold, a load is written in bulk: from the file itself (Turtle without
    blank nodes) or from its quads (here, a file with a blank node); either way one revision, searchable."""
    from support.datagen import generate
    from graphe.core.settings import Settings
    graphe = Graphe.open(Settings(data_dir=tmp_path / "data"), validator=validator, search="sync")
    try:
        graphe.store.bulk_threshold = 100
        text = generate(30, seed=3)
        if kind == "quads":
            text += ('\n<id/practice/gen-1> <http://purl.org/dc/terms/relation> '
                     '[ <http://www.w3.org/2000/01/rdf-schema#label> "note"@fr ] .\n')
        (tmp_path / "gen.ttl").write_text(text, encoding="utf-8")
        before = graphe.store.revision().number
        result = graphe.load([tmp_path / "gen.ttl"])
        assert result.added > 100 and result.revision.number == before + 1
        assert not (tmp_path / "data" / "store.redo").exists()
        count = graphe.store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://graphe.aimf.asso.fr/def#Practice> }")
        assert int(count[0]["n"].value) >= 30
        from graphe.search import query as sq
        assert sq.search(graphe.search, "énergie", sq.Filters(), 0, 5).total > 0
        again = graphe.load([tmp_path / "gen.ttl"])  # nothing new: no revision
        assert again.revision is None or kind == "quads"  # (a blank node is new at every load)
    finally:
        graphe.close()
