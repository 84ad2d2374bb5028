"""pySHACL's internals, used by the compiled SHACL, are held by one module (`pyshacl_internals`): this fails
loudly on an upgrade, and checks that each internal still has the shape that module relies on."""
from __future__ import annotations

import inspect
from importlib.metadata import version

import rdflib

from graphe.validation.shacl import pyshacl_internals as internals
from imports_scan import imports

SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:datatype xsd:integer ;
    sh:minLength 2 ] ."""


def test_the_installed_pyshacl_is_the_release_the_adapter_was_checked_against() -> None:
    installed = version("pyshacl")
    assert installed == internals.ADAPTED_TO, (
        f"pySHACL {installed} installed, graphe/validation/shacl/pyshacl_internals.py was checked against "
        f"{internals.ADAPTED_TO}: run tests/validation/test_validation_compiled.py, fix the adapter, then update ADAPTED_TO")


def test_each_internal_has_the_shape_the_adapter_uses() -> None:
    graph = rdflib.Graph().parse(data=SHAPES, format="turtle")
    model = internals.shapes_graph(graph)
    shapes = [s for s in model.shapes if any(list(x) for x in s.target())]
    assert [str(s.node) for s in shapes] == ["http://example.org/S"] and not model.custom_constraints
    assert hasattr(shapes[0], "get_other_shape")
    min_length = rdflib.URIRef("http://www.w3.org/ns/shacl#minLength")
    assert min_length in internals.ALL_CONSTRAINT_PARAMETERS
    component_class = internals.CONSTRAINT_PARAMETERS_MAP[min_length]
    assert component_class.constraint_name() == "MinLengthConstraintComponent"
    assert list(inspect.signature(component_class.evaluate).parameters)[:4] == \
        ["self", "executor", "target_graph", "focus_value_nodes"]
    # A component run on found values: a one-letter value breaks sh:minLength 2, a longer one does not.
    property_shapes = [s for s in model.shapes if s.is_property_shape]
    component = component_class(property_shapes[0])
    focus = rdflib.URIRef("http://example.org/f")
    reports = internals.evaluate(component, rdflib.Graph(), {focus: {rdflib.Literal("a"), rdflib.Literal("abc")}})
    assert len(reports) == 1 and len(reports[0]) == 3
    assert internals.actual_datatype_check(rdflib.Literal("12", datatype=rdflib.XSD.integer), rdflib.XSD.integer)
    assert not internals.actual_datatype_check(rdflib.Literal("douze", datatype=rdflib.XSD.integer),
                                               rdflib.XSD.integer)
    assert len(internals.inoculate(rdflib.Graph(), rdflib.Graph())) == 0


def test_only_the_adapter_imports_pyshacl_internals() -> None:
    """Elsewhere, only `import pyshacl` (its public `validate`) is allowed."""
    found = [f"{path}:{line} {module}" for path, line, module in imports()
             if module.startswith("pyshacl.") and path != "validation/shacl/pyshacl_internals.py"]
    assert not found, found
