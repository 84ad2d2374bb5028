"""The SHACL shapes (ontology/shapes.ttl) against the examples, the ontology and MODEL.md.

Valid examples must conform; each invalid example must fail on exactly the shapes named by its
`# expect: grsh:…` lines, and on no other. The structural tests keep the shapes, the ontology and MODEL.md
from drifting apart.
"""
from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

from graphe.validation.validator import ValidationReport, ValidationResult, Validator

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY_DIR = ROOT / "ontology"
EXAMPLES = ONTOLOGY_DIR / "examples"
VALID = sorted((EXAMPLES / "valid").glob("*.ttl"))
INVALID = sorted((EXAMPLES / "invalid").glob("*.ttl"))

GRSH = Namespace("https://graphe.aimf.asso.fr/shapes#")
GR = Namespace("https://graphe.aimf.asso.fr/def#")
ID = "https://graphe.aimf.asso.fr/id/"
# OWL terms pySHACL copies from the ontology (ont_graph) into the data graph; KnownClassShape must accept them.
OWL_META = {OWL.Ontology, OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}
SHAPE_TYPES = (SH.NodeShape, SH.PropertyShape)


@pytest.fixture(scope="module")
def gv() -> Validator:
    return Validator.from_directory(ONTOLOGY_DIR)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "shapes.ttl", format="turtle")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "graphe.ttl", format="turtle")


def expected_shapes(path: Path) -> set[str]:
    names = re.findall(r"^# expect: grsh:(\w+)\s*$", path.read_text(encoding="utf-8"), re.M)
    return {str(GRSH[name]) for name in names}


def named_shapes(shapes: Graph) -> set[URIRef]:
    found = set()
    for kind in SHAPE_TYPES:
        found |= {s for s in shapes.subjects(RDF.type, kind) if isinstance(s, URIRef)}
    return found


# ---------------------------------------------------------------- examples

def test_examples_exist() -> None:
    assert len(VALID) >= 5 and len(INVALID) >= 13


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_example_conforms(gv: Validator, path: Path) -> None:
    report = gv.validate(Graph().parse(path, format="turtle"))
    assert report.conforms, report.format("en")
    assert not report.violations


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_example_fails_on_expected_shapes(gv: Validator, shapes: Graph, path: Path) -> None:
    expected = expected_shapes(path)
    assert expected, f"{path.name}: no '# expect: grsh:…' line"
    for iri in expected:  # an expectation naming a shape that does not exist could never be met
        assert URIRef(iri) in named_shapes(shapes), f"{path.name}: unknown shape {iri}"
    report = gv.validate(Graph().parse(path, format="turtle"))
    assert not report.conforms
    failed = {r.shape for r in report.violations}
    assert expected <= failed, f"missing {expected - failed}\n{report.format('en')}"
    assert failed <= expected, f"unexpected {failed - expected}\n{report.format('en')}"


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_examples_use_absolute_instance_iris(path: Path) -> None:
    graph = Graph().parse(path, format="turtle")
    subjects = {s for s in graph.subjects() if isinstance(s, URIRef)}
    assert subjects and all(str(s).startswith(ID) for s in subjects)
    assert not any(isinstance(s, BNode) for s in graph.subjects(RDF.type, None))


# ---------------------------------------------------------------- the shapes file itself

def test_ontology_and_shapes_parse(ontology: Graph, shapes: Graph) -> None:
    assert (URIRef("https://graphe.aimf.asso.fr/def"), RDF.type, OWL.Ontology) in ontology
    assert len(set(ontology.subjects(RDF.type, OWL.Class))) >= 15
    assert len(named_shapes(shapes)) > 100


def test_every_shape_is_named_under_grsh(shapes: Graph) -> None:
    for kind in SHAPE_TYPES:
        for shape in shapes.subjects(RDF.type, kind):
            assert isinstance(shape, URIRef) and str(shape).startswith(str(GRSH)), shape


def _message_holders(shapes: Graph) -> list[tuple[URIRef, Graph | object]]:
    """Every named shape that holds constraints, with the node carrying its messages (itself or its sh:sparql)."""
    holders = []
    for shape in named_shapes(shapes):
        sparql = shapes.value(shape, SH.sparql)
        if sparql is not None:
            holders.append((shape, sparql))
        elif (shape, SH.property, None) not in shapes:  # a class's node shape only groups property shapes
            holders.append((shape, shape))
    return holders


def test_every_constraint_has_one_french_and_one_english_message(shapes: Graph) -> None:
    holders = _message_holders(shapes)
    assert len(holders) > 100
    for shape, node in holders:
        messages = list(shapes.objects(node, SH.message))
        langs = sorted(m.language for m in messages if isinstance(m, Literal))
        assert langs == ["en", "fr"], f"{shape}: messages {messages}"
        french = next(m for m in messages if m.language == "fr")
        english = next(m for m in messages if m.language == "en")
        assert str(french) != str(english), shape
        assert shapes.value(shape, SH.severity) in (SH.Violation, SH.Warning), f"{shape}: no severity"


def test_recommended_presence_is_a_warning_and_value_errors_are_violations(shapes: Graph) -> None:
    for shape in named_shapes(shapes):
        severity = shapes.value(shape, SH.severity)
        if any((shape, p, None) in shapes for p in (SH.datatype, SH["in"], SH["class"], SH.pattern, SH.uniqueLang)):
            if shape not in (GRSH.GeometryWKTPointShape,):
                assert severity == SH.Violation, shape
        if (shape, SH.maxLength, None) in shapes:
            assert severity == SH.Warning, shape
    assert shapes.value(GRSH.PracticeStatusShape, SH.severity) == SH.Warning
    assert shapes.value(GRSH.PracticeTitleShape, SH.severity) == SH.Violation
    assert shapes.value(GRSH.ConceptPrefLabelEnglishShape, SH.severity) == SH.Warning


def test_known_class_list_is_the_ontology_class_list(shapes: Graph, ontology: Graph) -> None:
    listed = set(Collection(shapes, shapes.value(GRSH.KnownClassShape, SH["in"])))
    declared = set(ontology.subjects(RDF.type, OWL.Class))
    assert listed == declared | OWL_META
    # and every type the ontology itself uses (e.g. org:Role on the role concepts) is declared
    used = {o for s, o in ontology.subject_objects(RDF.type) if s != URIRef("https://graphe.aimf.asso.fr/def")}
    assert used - {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.Class} <= declared


def test_model_classes_are_accepted(shapes: Graph, ontology: Graph) -> None:
    model = (ONTOLOGY_DIR / "MODEL.md").read_text(encoding="utf-8")
    curies = set()
    for heading in re.findall(r"^### .*$", model, re.M):
        curies |= set(re.findall(r"`([a-z-]+:[A-Z]\w*)`", heading))
    curies |= set(re.findall(r"\(also `(org:FormalOrganization)`, `(cv:PublicOrganisation)`\)", model)[0])
    nm = ontology.namespace_manager
    # headings also name superclasses as explanations ("an `airo:AISystem`"): those are not data classes
    superclasses = {nm.normalizeUri(o) for o in ontology.objects(None, RDFS.subClassOf)}
    curies -= superclasses - {nm.normalizeUri(c) for c in ontology.subjects(RDF.type, OWL.Class)}
    accepted = {nm.normalizeUri(c) for c in Collection(shapes, shapes.value(GRSH.KnownClassShape, SH["in"]))}
    assert len(curies) >= 17
    assert curies <= accepted, curies - accepted


def test_every_class_is_targeted(shapes: Graph, ontology: Graph) -> None:
    targeted = set(shapes.objects(None, SH.targetClass))
    for cls in ontology.subjects(RDF.type, OWL.Class):
        if cls == URIRef("http://www.w3.org/ns/org#Role"):  # roles are ontology concepts, not data
            continue
        supers = set(ontology.transitive_objects(cls, RDFS.subClassOf))
        assert supers & targeted, f"no shape targets {cls}"


@pytest.mark.parametrize("shape, scheme", [
    ("PracticeStatusValueShape", "LifecycleStatus"), ("AIProjectStatusValueShape", "LifecycleStatus"),
    ("AssessmentVerdictValueShape", "Verdicts"), ("CriterionImpactDimensionValueShape", "ImpactDimensions"),
    ("CriterionKindValueShape", "CriterionKinds"), ("CharterKindValueShape", "CharterKinds"),
    ("MembershipRoleValueShape", "Roles"), ("SourceKindValueShape", "SourceKinds"),
    ("CostPeriodValueShape", "CostPeriods"),
])
def test_controlled_lists_match_the_ontology_schemes(shapes: Graph, ontology: Graph, shape: str, scheme: str) -> None:
    listed = set(Collection(shapes, shapes.value(GRSH[shape], SH["in"])))
    members = set(ontology.subjects(SKOS.inScheme, GR[scheme]))
    assert members and listed == members


# ---------------------------------------------------------------- the validator

def test_ontology_validated_as_data_conforms(gv: Validator, ontology: Graph) -> None:
    report = gv.validate(ontology)
    assert report.conforms, report.format("en")


def test_violation_messages_are_french_and_english(gv: Validator, shapes: Graph) -> None:
    report = gv.validate(Graph().parse(EXAMPLES / "invalid" / "practice-title-english-only.ttl"))
    [result] = report.violations
    assert result.shape == str(GRSH.PracticeTitleShape)
    assert result.component == "QualifiedMinCountConstraintComponent"
    assert result.severity == "Violation"
    assert result.focus == ID + "practice/example"
    assert result.path == "http://purl.org/dc/terms/title"
    assert result.message_fr == "Une bonne pratique doit avoir un titre en français (dct:title)."
    assert result.message_en.startswith("A practice must have a title in French")
    assert result.message_fr != result.message_en
    for lang in ("fr", "en"):
        [expected] = [m for m in shapes.objects(GRSH.PracticeTitleShape, SH.message) if m.language == lang]
        assert result.message(lang) == str(expected)


def test_result_value_is_ntriples_text(gv: Validator) -> None:
    report = gv.validate(Graph().parse(EXAMPLES / "invalid" / "city-bad-country-code.ttl"))
    [result] = report.violations
    assert result.value == '"fra"'
    assert result.path == "https://schema.org/addressCountry"
    report = gv.validate(Graph().parse(EXAMPLES / "invalid" / "practice-status-not-in-list.ttl"))
    assert report.violations[0].value == f"<{GR}Abandoned>"


def test_sparql_constraint_reports_path_and_value(gv: Validator) -> None:
    report = gv.validate(Graph().parse(EXAMPLES / "invalid" / "criterion-match-same-charter.ttl"))
    [result] = report.violations
    assert result.component == "SPARQLConstraintComponent"
    assert result.path == str(SKOS.exactMatch)
    assert result.value == f"<{ID}criterion/example-2>"
    assert "autre charte" in result.message_fr and "another charter" in result.message_en


def test_warnings_do_not_block(gv: Validator) -> None:
    data = Graph().parse(EXAMPLES / "valid" / "practice-adapted.ttl")
    practice = URIRef(ID + "practice/dakar-dialogue-ia-exemple")  # has no English title yet
    data.add((practice, URIRef("http://purl.org/dc/terms/title"), Literal("x" * 120, lang="en")))
    report = gv.validate(data)
    assert report.conforms
    assert str(GRSH.PracticeTitleLengthShape) in {w.shape for w in report.warnings}


def test_validate_does_not_mutate_data(gv: Validator) -> None:
    data = Graph().parse(EXAMPLES / "invalid" / "practice-adapted-from-itself.ttl")
    before = Graph()
    for triple in data:
        before.add(triple)
    gv.validate(data)
    assert len(data) == len(before) and isomorphic(data, before)


def test_focus_nodes_restrict_the_results(gv: Validator) -> None:
    data = Graph().parse(EXAMPLES / "invalid" / "city-population-without-year.ttl")
    assert not gv.validate(data).conforms
    assert gv.validate(data, focus_nodes=[URIRef(ID + "city/example")]).conforms
    assert not gv.validate(data, focus_nodes=[URIRef(ID + "city/other")]).conforms


def test_validation_never_touches_the_network(gv: Validator, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access during validation")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    data = Graph().parse(EXAMPLES / "valid" / "charter-criteria.ttl")
    data.add((URIRef(ID + "charter/declaration-de-montreal"), OWL.imports, URIRef("http://example.org/ontology")))
    assert gv.validate(data).conforms


def test_message_fallbacks() -> None:
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:EnglishOnly a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:a ; sh:minCount 1 ;
            sh:message "English only"@en .
        ex:NoMessage a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:b ; sh:minCount 1 .
    """, format="turtle")
    data = Graph().parse(data="<http://example.org/x> a <http://example.org/Thing> .", format="turtle")
    report = Validator(shapes, Graph()).validate(data)
    by_shape = {r.shape: r for r in report.results}
    english_only = by_shape["http://example.org/EnglishOnly"]
    assert english_only.message_fr == english_only.message_en == "English only"
    engine = by_shape["http://example.org/NoMessage"]
    assert engine.message_fr and engine.message_fr == engine.message_en  # pySHACL's own text
    assert engine.component == "MinCountConstraintComponent"


def test_report_format_and_dict(gv: Validator) -> None:
    report = gv.validate(Graph().parse(EXAMPLES / "invalid" / "city-bad-country-code.ttl"))
    lines = report.format("fr").splitlines()
    assert len(lines) == len(report.results) == 1
    assert lines[0].startswith(f"[Violation] <{ID}city/other> schema:addressCountry")
    assert "code ISO 3166-1" in lines[0] and '"fra"' in lines[0]
    assert "ISO 3166-1 alpha-2 code" in report.format("en")
    data = json.loads(json.dumps(report.to_dict()))
    assert data["conforms"] is False and data["violations"] == 1 and data["warnings"] == 0
    assert data["results"][0]["shape"] == str(GRSH.CityCountryCodeShape)


def test_report_conforms_ignores_warnings_and_infos() -> None:
    def result(severity: str) -> ValidationResult:
        return ValidationResult(severity, "urn:x", None, None, "fr", "en", "urn:s", "MinCountConstraintComponent")

    assert ValidationReport((result("Warning"), result("Info"))).conforms
    report = ValidationReport((result("Warning"), result("Violation")))
    assert not report.conforms and len(report.violations) == 1 and len(report.warnings) == 1
