"""Code names the ontology's terms through the generated `GR` namespace, and only terms the ontology declares:
checked on the code's syntax trees (every `GR.name`, every `gr:name` and full Graphe IRI in a string), so a
typo or a class no resource has (`gr:City`) fails here rather than as an empty answer."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from graphe.cli import codegen
from graphe.model.namespaces import GR, NS

PACKAGE = Path(__file__).resolve().parents[2] / "graphe"
IN_TEXT = re.compile(r"(?<![\w:/.#-])gr:([A-Za-z_][\w-]*)|" + re.escape(NS) + r"([A-Za-z_][\w-]*)")


def _trees() -> list[tuple[Path, ast.AST]]:
    return [(path, ast.parse(path.read_text(encoding="utf-8"), str(path)))
            for path in sorted(PACKAGE.rglob("*.py")) if path.name != "namespaces.py"]


def test_every_term_code_names_is_declared_by_the_ontology() -> None:
    declared = {name for name, _ in codegen.ontology_terms()}
    assert {"Practice", "city", "adaptedFrom", "Idea"} <= declared and hasattr(GR, "Practice")
    unknown: list[str] = []
    for path, tree in _trees():
        where = path.relative_to(PACKAGE.parent)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "GR" \
                    and node.attr not in declared:
                unknown.append(f"{where}:{node.lineno} GR.{node.attr}")
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                for match in IN_TEXT.finditer(node.value):
                    name = match.group(1) or match.group(2)
                    if name not in declared:
                        unknown.append(f"{where}:{node.lineno} {match.group(0)}")
    assert not unknown, unknown


def test_no_code_builds_a_graphe_iri_by_hand() -> None:
    """`GR + "Practice"` escapes the check above: names go through `GR`."""
    built: list[str] = []
    for path, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and isinstance(node.left, ast.Name) \
                    and node.left.id in ("GR", "NS") and isinstance(node.right, ast.Constant):
                built.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert not built, built


def test_the_check_finds_an_undeclared_term() -> None:
    """The scan itself, on a sample: what it must report, and what it must let through."""
    sample = 'q = "?s a gr:City ; gr:city ?c"; r = GR.Pratice; ok = "<' + NS + 'Practice> mailto:gr:x"'
    tree = ast.parse(sample)
    attrs = [n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)]
    texts = [m.group(1) or m.group(2) for n in ast.walk(tree) if isinstance(n, ast.Constant)
             and isinstance(n.value, str) for m in IN_TEXT.finditer(n.value)]
    declared = {name for name, _ in codegen.ontology_terms()}
    assert attrs == ["Pratice"] and "Pratice" not in declared
    assert texts == ["City", "city", "Practice"] and "City" not in declared and {"city", "Practice"} <= declared


def test_controlled_vocabularies_are_the_ontology_s_concept_schemes() -> None:
    """The codes the API, the filters and the sheets use are the concepts' notations (generated), and a
    GraphQL enum lists exactly its scheme's codes."""
    import rdflib

    from graphe.api import connections
    from graphe.model.namespaces import VOCABULARIES
    from graphe.read import filters

    graph = rdflib.Graph().parse(codegen.ONTOLOGY_FILE, format="turtle")
    for scheme, concepts in VOCABULARIES.items():
        members = {str(c) for c in graph.subjects(rdflib.SKOS.inScheme, rdflib.URIRef(NS + scheme))}
        assert set(concepts.values()) == members, scheme
        for code, iri in concepts.items():
            notation = str(graph.value(rdflib.URIRef(iri), rdflib.SKOS.notation))
            assert code == notation.upper().replace("-", "_"), iri
    assert filters.PRACTICE_STATUS is VOCABULARIES["LifecycleStatus"]
    assert {v.name for v in connections.PracticeStatus} == set(VOCABULARIES["LifecycleStatus"])  # type: ignore[attr-defined]
    assert {v.name for v in connections.CriterionKind} == {"EVALUATION", "PRINCIPLE", "RED_LINE"}  # type: ignore[attr-defined]
