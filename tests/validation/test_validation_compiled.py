"""The compiled validator (shapes as SPARQL on a scratch Oxigraph) gives exactly pySHACL's results.

Each case is validated twice — by the compiled checks and by pySHACL itself (`compiled=False`) — and the
multisets of (severity, focus, path, value, shape, component, messages) must be equal: on every example, the
seeds, the ontology, generated data, and generated data with one mutation per kind of constraint. Mutated data
is also given as pyoxigraph quads, as the loader gives it (pySHACL then gets the same rdflib conversion).
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from graphe.core import rdf
from graphe.validation.validator import ValidationReport, Validator

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY_DIR = ROOT / "ontology"
EXAMPLES = sorted((ONTOLOGY_DIR / "examples").glob("*/*.ttl"))
BASE = "https://graphe.aimf.asso.fr/"
GRSH = "https://graphe.aimf.asso.fr/shapes#"
PREFIXES = """@prefix gr: <https://graphe.aimf.asso.fr/def#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix org: <http://www.w3.org/ns/org#> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix cv: <http://data.europa.eu/m8g/> .
"""
P, C = "<id/practice/gen-0>", "<id/city/gen-0>"
E1, E2 = "<id/event/commission-villes-innovantes-nantes-2024>", "<id/event/nantes-digital-week-2024>"
M = "<id/membership/ville-de-nantes-presidence-commission-villes-innovantes>"

# id: (triples removed — (subject, predicate) —, Turtle added, shapes that must fail (local names))
MUTATIONS: dict[str, tuple[list[tuple[str, str]], str, set[str]]] = {
    "min-count": ([(P, "dct:abstract")], "", {"PracticeAbstractShape"}),
    "min-count-warning": ([(P, "dct:description")], "", {"PracticeDescriptionShape"}),
    "max-count": ([], f"{P} gr:city <id/city/gen-1> .", {"PracticeCityCountShape"}),
    "min-and-max-count": ([], f'{C} schema:addressCountry "BE" .', {"CityCountryShape"}),
    "datatype-other-type": ([], f'{P} dct:modified "2024"^^xsd:gYear .', {"PracticeModifiedDatatypeShape"}),
    "datatype-ill-typed": ([(C, "gr:population")], f'{C} gr:population "beaucoup"^^xsd:integer .',
                           {"CityPopulationDatatypeShape"}),
    "datatype-derived-integer": ([(C, "gr:population")], f'{C} gr:population "12000"^^xsd:int .',
                                 {"CityPopulationDatatypeShape"}),
    "datatype-non-canonical-valid": (
        [(C, "gr:population"), (C, "schema:latitude")],
        f'{C} gr:population "+012000"^^xsd:integer ; schema:latitude "45.50"^^xsd:decimal .', set()),
    "datatype-double-out-of-range": ([(C, "schema:latitude")], f'{C} schema:latitude "1e2"^^xsd:double .',
                                     {"CityLatitudeDatatypeShape", "CityLatitudeRangeShape"}),
    "datatype-plain-string": ([], f'{P} dct:modified "hier" .', {"PracticeModifiedDatatypeShape"}),
    "datatype-no-language": ([], f'{P} dct:description "texte sans langue" .', {"PracticeDescriptionLangStringShape"}),
    "class-wrong": ([], f"{P} dct:subject {C} .", {"PracticeSubjectClassShape"}),
    "class-dangling-reference": ([(P, "gr:city")], f"{P} gr:city <id/city/atlantis> .", {"PracticeCityClassShape"}),
    "class-literal": ([], f'{P} gr:appliesCharter "une charte" .', {"PracticeAppliesCharterClassShape"}),
    "class-subclass-in-data": ([], """<id/city/ville-nouvelle> a <https://example.org/MaVille> ;
        schema:name "Ville nouvelle"@fr ; schema:addressCountry "FR" .
        <https://example.org/MaVille> rdfs:subClassOf schema:City .""", {"KnownClassShape"}),
    "class-subclass-in-ontology": ([], f"{P} dct:creator <id/organisation/ville-de-nantes> .", set()),
    "node-kind-literal": ([], f'{P} schema:url "https://exemple.org/page" .', {"PracticeUrlIRIShape"}),
    "blank-node-resource": ([], '[] a gr:Source ; dct:title "Anonyme"@fr ; gr:sourceKind gr:PrimarySource .',
                            {"ResourceIRIShape"}),
    "blank-node-value": ([], f'{P} dct:source [ a gr:Source ; dct:title "Anonyme"@fr ] .',
                         {"ResourceIRIShape", "SourceKindShape"}),
    "blank-node-value-class": ([], f'{P} dct:subject [ skos:prefLabel "Thème anonyme"@fr ] .',
                               {"PracticeSubjectClassShape"}),
    "upper-case-language-tag": ([], f'{P} dct:title "Autre titre"@FR .', {"PracticeTitleUniqueLangShape"}),
    "literal-focus-node": ([], f'{P} dct:source "une source en texte" .', {"SourceValueShape"}),
    "in-list": ([(P, "gr:status")], f"{P} gr:status gr:Abandoned .", {"PracticeStatusValueShape"}),
    "in-unknown-class": ([], f"{P} a gr:Pratique .", {"KnownClassShape"}),
    "qualified-language": ([(P, "dct:title")], f'{P} dct:title "Only in English"@en .', {"PracticeTitleShape"}),
    "qualified-language-subtag": ([(P, "dct:title")], f'{P} dct:title "Titre québécois"@fr-ca .', set()),
    "unique-language": ([], f'{P} dct:title "Un autre titre"@fr .', {"PracticeTitleUniqueLangShape"}),
    "or-node-shape": ([(P, "gr:city")], "", {"PracticeOwnerShape"}),
    "or-datatypes": ([], f'{M} schema:startDate "2024-01"^^xsd:gYearMonth .', {"MembershipStartDateDatatypeShape"}),
    "pattern": ([(C, "schema:addressCountry")], f'{C} schema:addressCountry "fra" .', {"CityCountryCodeShape"}),
    "pattern-iri": ([], f"{C} schema:sameAs <https://exemple.org/ville> .", {"CitySameAsPatternShape"}),
    "pattern-warning": ([("<id/city/nantes#geometry>", "geo:asWKT")],
                        '<id/city/nantes#geometry> geo:asWKT "LINESTRING(1 2, 3 4)"^^geo:wktLiteral .',
                        {"GeometryWKTPointShape"}),
    "range": ([(C, "schema:latitude")], f'{C} schema:latitude "95.0"^^xsd:decimal .', {"CityLatitudeRangeShape"}),
    # (grsh:CityPopulationRangeShape was once attached to no node shape, so never evaluated: now it is)
    "range-population": ([(C, "gr:population")], f'{C} gr:population "-5"^^xsd:integer .',
                         {"CityPopulationRangeShape"}),
    "range-string": ([(C, "schema:latitude")], f'{C} schema:latitude "45" .',
                     {"CityLatitudeDatatypeShape", "CityLatitudeRangeShape"}),
    "max-length": ([], f'{P} dct:title "{"x" * 120}"@en .', {"PracticeTitleLengthShape"}),
    "less-than-or-equals": ([(E1, "schema:endDate")], f'{E1} schema:endDate "2024-09-10"^^xsd:date .',
                            {"EventDatesShape"}),
    "less-than-or-equals-two-values": ([(E1, "schema:endDate")],
                                       f'{E1} schema:endDate "2024-09-10"^^xsd:date , "2024-09-01"^^xsd:date .',
                                       {"EventDatesShape", "EventEndDateCountShape"}),
    # a year and a date do not compare (rdflib): pySHACL refuses the pair, and so do the compiled checks
    "less-than-or-equals-other-types": ([], f'{E2} schema:endDate "2024-11-01"^^xsd:date .', {"EventDatesShape"}),
    "sparql-self-adaptation": ([], f"{P} gr:adaptedFrom {P} .", {"PracticeAdaptedFromSelfShape"}),
    "sparql-self-inspiration": ([], f"{P} gr:inspiredBy {P} .", {"PracticeInspiredBySelfShape"}),
    "sparql-same-charter": ([], "<id/criterion/gen-0-0> skos:closeMatch <id/criterion/gen-0-1> .",
                            {"CriterionMatchSameCharterShape"}),
    "requirement-between-properties": ([(C, "gr:populationYear")], "", {"CityPopulationYearShape"}),
}


@pytest.fixture(scope="module")
def compiled() -> Validator:
    validator = Validator.from_directory(ONTOLOGY_DIR)
    assert validator.fallback == {}, validator.fallback  # every shape of shapes.ttl is compiled
    return validator


@pytest.fixture(scope="module")
def reference() -> Validator:
    return Validator.from_directory(ONTOLOGY_DIR, compiled=False)


@pytest.fixture(scope="module")
def base_turtle() -> str:
    """The seeds and a few generated practices (with charters, criteria, AI projects, assessments)."""
    from support.datagen import generate

    seeds = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.ttl")))
    return seeds + "\n" + generate(4, seed=5, words=(5, 12))


def results(report: ValidationReport) -> Counter:
    return Counter((r.severity, r.focus, r.path, r.value, r.shape, r.component, r.message_fr, r.message_en)
                   for r in report.results)


def assert_same(compiled: Validator, reference: Validator, data: Graph) -> Counter:
    mine, theirs = results(compiled.validate(data)), results(reference.validate(data))
    assert mine == theirs, f"compiled only: {mine - theirs}\npySHACL only: {theirs - mine}"
    return mine


def parse_all(turtle_parts: list[str]) -> Graph:
    graph = Graph()
    for part in turtle_parts:
        graph.parse(data=part, format="turtle", publicID=BASE)
    return graph


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_examples(compiled: Validator, reference: Validator, path: Path) -> None:
    found = assert_same(compiled, reference, Graph().parse(path, format="turtle"))
    expected = set(re.findall(r"^# expect: grsh:(\w+)\s*$", path.read_text(encoding="utf-8"), re.M))
    assert {key[4][len(GRSH):] for key in found if key[0] == "Violation"} == expected


def test_seeds_and_ontology(compiled: Validator, reference: Validator) -> None:
    seeds = parse_all([p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.ttl"))])
    found = assert_same(compiled, reference, seeds)
    assert found and not [key for key in found if key[0] == "Violation"]  # warnings only
    assert not assert_same(compiled, reference, compiled.ontology)


def test_generated_data(compiled: Validator, reference: Validator) -> None:
    from support.datagen import generate

    seeds = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.ttl"))]
    found = assert_same(compiled, reference, parse_all([*seeds, generate(40, seed=11, words=(5, 20))]))
    assert found and not [key for key in found if key[0] == "Violation"]


def mutate(base: str, removed: list[tuple[str, str]], added: str) -> Graph:
    """The base data without the (subject, predicate) triples named, plus the Turtle added."""
    graph = parse_all([base])
    namespaces = dict(re.findall(r"@prefix (\w+): <([^>]+)>", PREFIXES))
    for subject, predicate in removed:
        prefix, local = predicate.split(":")
        pattern = (URIRef(BASE + subject.strip("<>")), URIRef(namespaces[prefix] + local), None)
        assert (*pattern[:2], None) in graph, f"nothing to remove: {subject} {predicate}"
        graph.remove(pattern)
    graph.parse(data=PREFIXES + added, format="turtle", publicID=BASE)
    return graph


@pytest.mark.parametrize("case", sorted(MUTATIONS))
def test_mutation(compiled: Validator, reference: Validator, base_turtle: str, case: str) -> None:
    removed, added, failing = MUTATIONS[case]
    graph = mutate(base_turtle, removed, added)
    found = assert_same(compiled, reference, graph)
    assert failing <= {key[4][len(GRSH):] for key in found}, found
    if not failing:
        assert not [key for key in found if key[0] == "Violation"], found
    # the same data as the loader gives it: pyoxigraph quads of the published graph
    quads = rdf.parse_bytes(graph.serialize(format="nt", encoding="utf-8"), rdf.FORMATS["nt"], BASE)
    public = rdf.NamedNode(BASE + "graph/public")
    quads = [rdf.Quad(q.subject, q.predicate, q.object, public) for q in quads]
    mine = results(compiled.validate(quads))
    assert mine == results(reference.validate(rdf.to_rdflib_graph(quads)))


# ---------------------------------------------------------------- beyond shapes.ttl: other constraints, fallback

EX_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:ThingShape a sh:NodeShape ; sh:targetClass ex:Thing ; sh:targetNode ex:lonely , "a literal" ;
    sh:property ex:Size , ex:Code , ex:Tags , ex:Labels , ex:Notes , ex:Kind , ex:Friend , ex:Parts , ex:Span , ex:Off .
ex:Size a sh:PropertyShape ; sh:path ex:size ; sh:minExclusive 0 ; sh:maxExclusive 10 ;
    sh:message "taille"@fr, "size"@en .
ex:Code a sh:PropertyShape ; sh:path ex:code ; sh:minLength 2 ; sh:maxLength 4 ; sh:pattern "^[a-z]+$" ;
    sh:flags "i" ; sh:nodeKind sh:Literal ; sh:severity sh:Info ; sh:message "code"@fr, "code"@en .
ex:Tags a sh:PropertyShape ; sh:path ex:tag ; sh:in ( "a" "b"^^xsd:token 3 ex:c ) ; sh:minCount 2 ; sh:maxCount 3 ;
    sh:message "étiquettes"@fr, "tags"@en .
ex:Labels a sh:PropertyShape ; sh:path ex:label ; sh:languageIn ( "*" ) ; sh:uniqueLang true ;
    sh:qualifiedValueShape [ sh:languageIn ( "EN" ) ] ; sh:qualifiedMaxCount 1 ;
    sh:message "libellés"@fr, "labels"@en .
ex:Notes a sh:PropertyShape ; sh:path ex:note ; sh:or ( [ sh:datatype xsd:string ] [ sh:nodeKind sh:BlankNodeOrIRI ;
    sh:class ex:Note ] [ sh:severity sh:Warning ; sh:datatype xsd:integer ] ) ; sh:message "notes"@fr, "notes"@en .
ex:Kind a sh:PropertyShape ; sh:path ex:kind ; sh:datatype rdfs:Literal ; sh:nodeKind sh:IRIOrLiteral ;
    sh:message "genre"@fr, "kind"@en .
ex:Friend a sh:PropertyShape ; sh:path ex:friend ; sh:or ( [ sh:path ex:name ; sh:minCount 1 ; sh:datatype xsd:string ]
    [ sh:path ex:alias ; sh:maxCount 0 ] ) ; sh:qualifiedValueShape [ sh:class ex:Thing ] ; sh:qualifiedMinCount 2 ;
    sh:message "amis"@fr, "friends"@en .
ex:Parts a sh:PropertyShape ; sh:path ex:part ; sh:nodeKind sh:BlankNode ; sh:deactivated false ;
    sh:message "parties"@fr, "parts"@en .
ex:Span a sh:PropertyShape ; sh:path ex:start ; sh:lessThan ex:end ; sh:message "durée"@fr, "span"@en .
ex:Off a sh:PropertyShape ; sh:path ex:size ; sh:deactivated true ; sh:minCount 5 ; sh:message "non"@fr, "no"@en .
ex:ClassShape a sh:NodeShape, rdfs:Class ; sh:nodeKind sh:IRI ; sh:message "classe"@fr, "class"@en .
ex:Sub rdfs:subClassOf ex:Thing .
"""
EX_DATA = """@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:one a ex:Thing ; ex:size 0, 5, "7"^^xsd:decimal, "x" ; ex:code "ab", "ABCDE", "a1", "a", ex:iri ;
    ex:tag "a", "b"^^xsd:token, "03"^^xsd:integer, ex:c, "z" ; ex:label "x"@en, "y"@EN, "z"@en-GB, "w" ;
    ex:note "n", 5, "5.0"^^xsd:decimal, ex:n1, [ a ex:Note ], ex:n2 ; ex:kind "k", ex:k, [] ;
    ex:friend ex:two, ex:three, ex:four ; ex:part [], ex:p ; ex:start 1, 5 ; ex:end 3, "3" .
ex:two a ex:Sub ; ex:name "Two" ; ex:tag "a" .
ex:three ex:alias "3" .
ex:four ex:name 4 .
ex:n1 a ex:Note .
[] a ex:ClassShape .
ex:lonely ex:size 11 .
"""


def test_other_constraints_and_targets_match_pyshacl() -> None:
    shapes, ontology = Graph().parse(data=EX_SHAPES, format="turtle"), Graph()
    mine = Validator(shapes, ontology)
    assert mine.fallback == {}
    data = Graph().parse(data=EX_DATA, format="turtle")
    found = assert_same(mine, Validator(shapes, ontology, compiled=False), data)
    components = {key[5] for key in found}
    assert {"MinExclusiveConstraintComponent", "MaxExclusiveConstraintComponent", "MinLengthConstraintComponent",
            "MaxLengthConstraintComponent", "PatternConstraintComponent", "InConstraintComponent",
            "MaxCountConstraintComponent", "LanguageInConstraintComponent", "UniqueLangConstraintComponent",
            "QualifiedMaxCountConstraintComponent", "QualifiedMinCountConstraintComponent", "OrConstraintComponent",
            "DatatypeConstraintComponent", "NodeKindConstraintComponent", "LessThanConstraintComponent"} <= components


FALLBACK_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
ex:Compiled a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:a ; sh:minCount 1 ; sh:message "a"@fr, "a"@en .
ex:NoMessage a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:b ; sh:minCount 1 .
ex:HasValue a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:c ; sh:hasValue ex:v ; sh:message "c"@fr, "c"@en .
ex:Inverse a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path [ sh:inversePath ex:d ] ; sh:minCount 1 ;
    sh:message "d"@fr, "d"@en .
ex:Node a sh:NodeShape ; sh:targetSubjectsOf ex:e ; sh:node ex:Literal ; sh:message "e"@fr, "e"@en .
ex:Literal a sh:NodeShape ; sh:nodeKind sh:Literal .
ex:Grouped a sh:NodeShape ; sh:targetClass ex:Thing ; sh:sparql [ sh:select \"\"\"
    SELECT $this (COUNT(?x) AS ?n) WHERE { $this <http://example.org/f> ?x }
    GROUP BY $this HAVING (COUNT(?x) > 1)\"\"\" ;
    sh:message "f"@fr, "f"@en ] .
"""


def test_unsupported_shapes_fall_back_to_pyshacl() -> None:
    shapes, ontology = Graph().parse(data=FALLBACK_SHAPES, format="turtle"), Graph()
    mine = Validator(shapes, ontology)
    assert {str(s).rsplit("/", 1)[1] for s in mine.fallback} == {"NoMessage", "HasValue", "Inverse", "Node", "Grouped"}
    assert all(mine.fallback.values())  # each with its reason
    data = Graph().parse(data="""@prefix ex: <http://example.org/> .
        ex:x a ex:Thing ; ex:c ex:w ; ex:f 1, 2 ; ex:e 1 . ex:y ex:e 2 ; ex:a 1 .""", format="turtle")
    found = assert_same(mine, Validator(shapes, ontology, compiled=False), data)
    assert {key[4].rsplit("/", 1)[1] for key in found} >= {"Compiled", "NoMessage", "HasValue", "Inverse", "Node",
                                                            "Grouped"}
