"""Every use of pySHACL's internals, in one place (its public API, `pyshacl.validate`, is used by the validator).

The compiled SHACL (`compiler`, `expressions`, `terms`, `runner`) reads pySHACL's own model of the shapes and
runs some of its constraint components on values found by SPARQL: these are not pySHACL's published API and
may change in any release. `ADAPTED_TO` names the release this module was checked against;
`tests/validation/test_pyshacl_internals.py` fails loudly when the installed one differs, and checks that each name
below still exists with the shape used here. After an upgrade: run the differential tests
(`tests/validation/test_validation_compiled.py`: compiled against pySHACL on every example, seed and mutation), fix this
module if needed, then update `ADAPTED_TO`.
"""
from __future__ import annotations

from typing import Any

import rdflib
from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
from pyshacl.constraints.core.value_constraints import DatatypeConstraintComponent
from pyshacl.consts import SH_JSFunction, SH_SHACLFunction, SH_SPARQLFunction
from pyshacl.errors import ConstraintLoadWarning, ReportableRuntimeError
from pyshacl.pytypes import SHACLExecutor
from pyshacl.rdfutil.inoculate import inoculate
from pyshacl.shapes_graph import ShapesGraph

ADAPTED_TO = "0.40.1"

__all__ = ["ADAPTED_TO", "ALL_CONSTRAINT_PARAMETERS", "CONSTRAINT_PARAMETERS_MAP", "ConstraintLoadWarning",
           "FUNCTION_TYPES", "ReportableRuntimeError", "ShapesGraph", "actual_datatype_check", "evaluate",
           "inoculate", "shapes_graph"]

FUNCTION_TYPES = (SH_SHACLFunction, SH_SPARQLFunction, SH_JSFunction)  # SHACL-AF functions: not compiled


def shapes_graph(graph: rdflib.Graph) -> ShapesGraph:
    """pySHACL's model of the shapes in `graph` (it adds triples of its own to `graph`: pass a copy)."""
    return ShapesGraph(graph)


def evaluate(component: Any, data: rdflib.Graph, values: dict) -> list:
    """Run one of pySHACL's constraint components on `values` (focus node → value nodes); its reports, each
    (text, node, triples)."""
    _conforms, reports = component.evaluate(SHACLExecutor(), data, values, [])
    return reports


def actual_datatype_check(literal: rdflib.Literal, datatype: Any) -> bool:
    """Is `literal` well formed for `datatype`, as pySHACL decides (`_assert_actual_datatype`, which uses no
    instance state)?"""
    return bool(DatatypeConstraintComponent._assert_actual_datatype(None, literal, datatype))  # type: ignore[arg-type]
