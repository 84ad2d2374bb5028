"""Compile a SHACL shapes graph into SPARQL checks, once, using pySHACL's own reading of the shapes.

pySHACL builds the shape objects and their constraint components (so targets, paths, severities, messages
and parameters are read exactly as it reads them); each component then becomes one query over all focus
nodes at once. A top-level shape (one with targets) is compiled whole — itself and its `sh:property` shapes —
or not at all: anything not translated exactly (see `expressions.Unsupported`) leaves that shape to pySHACL.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import rdflib
from rdflib.namespace import RDF, SH

from ...store import ScratchStore
from .pyshacl_internals import FUNCTION_TYPES, ReportableRuntimeError, ShapesGraph, shapes_graph
from .expressions import (TYPE_PATH, Names, Unsupported, component_test, components, conforms, focus_pattern, iri, path_of)
from .terms import LiteralForms

# Components whose test is run in Python, by pySHACL itself, on the (focus, value) rows of the query.
IN_PYTHON = {"PatternConstraintComponent", "MinInclusiveConstraintComponent", "MaxInclusiveConstraintComponent",
             "MinExclusiveConstraintComponent", "MaxExclusiveConstraintComponent",
             "LessThanConstraintComponent", "LessThanOrEqualsConstraintComponent"}
VALUE_TESTS = {"DatatypeConstraintComponent", "NodeKindConstraintComponent", "InConstraintComponent",
               "LanguageInConstraintComponent", "MinLengthConstraintComponent", "MaxLengthConstraintComponent",
               "OrConstraintComponent"}
_ADVANCED = (SH.rule, SH.target, SH.expression, SH.shapesGraph)
_AGGREGATES = re.compile(r"\b(GROUP|HAVING|LIMIT|OFFSET|COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT|FROM)\b", re.I)
_PROJECTION = re.compile(r"^\s*SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?((?:[?$]\w+\s*)+)(?:WHERE\s*)?\{", re.I)


@dataclass(frozen=True)
class Check:
    """One query and how to read its rows into results of one shape and constraint component."""

    top: Any  # the top-level shape whose focus nodes the query starts from
    shape: Any  # the source shape of the results
    component: str  # the local name of the SHACL constraint component
    severity: Any
    path: Any  # the result path (a property shape's path), or None
    messages: tuple[rdflib.Literal, ...]
    query: str
    kind: str  # "rows" (?f [?v] per result), "python" (pySHACL tests the rows), "sparql" (SHACL-SPARQL rows)
    evaluator: Any = None  # "python": the pySHACL component; "sparql": nothing
    other: str | None = None  # "python" pair components: a query of (?f ?p ?w), the compared values
    node_value: bool = False  # a node shape: the value of a result is its focus node

    @property
    def has_value(self) -> bool:
        """Do the rows of a "rows" query carry the value node (?v) after the focus node?"""
        return self.query.startswith("SELECT DISTINCT ?f ?v ")


@dataclass
class Plan:
    checks: list[Check] = field(default_factory=list)
    tops: dict[Any, str] = field(default_factory=dict)  # compiled top-level shape → ASK query for any focus
    fallback: dict[Any, str] = field(default_factory=dict)  # top-level shape → why pySHACL validates it


def compile_shapes(shapes: rdflib.Graph, forms: LiteralForms) -> Plan:
    """Compile every top-level shape of a copy of `shapes` (pySHACL adds its own triples to the graph)."""
    copy = rdflib.Graph()
    for t in shapes:
        copy.add(t)
    sg = shapes_graph(copy)
    plan = Plan()
    tops = [s for s in sg.shapes if any(list(x) for x in s.target())]  # as pySHACL: shapes with targets
    whole = _unsupported_everywhere(copy, sg)
    probe = ScratchStore()  # every query is parsed and run once, on nothing, before it is trusted
    for top in sorted(tops, key=lambda s: str(s.node)):
        if whole:
            plan.fallback[top.node] = whole
            continue
        try:
            checks = _compile_top(top, forms)
            ask = "ASK " + focus_pattern(top, "?f", Names())
            probe.ask(ask)
            for check in checks:
                for query in filter(None, (check.query, check.other)):
                    list(probe.select(query))
        except (Unsupported, ReportableRuntimeError, SyntaxError) as reason:
            plan.fallback[top.node] = str(reason) or type(reason).__name__
            continue
        plan.checks.extend(checks)
        plan.tops[top.node] = ask
    return plan


def _unsupported_everywhere(graph: rdflib.Graph, sg: ShapesGraph) -> str:
    functions = any((None, RDF.type, t) in graph for t in FUNCTION_TYPES)
    if any((None, p, None) in graph for p in _ADVANCED) or sg.custom_constraints or functions:
        return "SHACL advanced features (rules, functions, custom targets or components)"
    return ""


def _compile_top(top: Any, forms: LiteralForms) -> list[Check]:
    if top.deactivated:
        return []
    names = Names()
    focus = focus_pattern(top, "?f", names)
    return _compile_shape(top, top, focus, forms, names)


def _compile_shape(top: Any, shape: Any, focus: str, forms: LiteralForms, names: Names) -> list[Check]:
    """The checks of one shape evaluated on the focus nodes bound to ?f by `focus`."""
    if shape.deactivated:
        return []
    checks: list[Check] = []
    prop = shape.is_property_shape
    path = path_of(shape) if prop else ""

    def values_as(var: str) -> str:
        return f"?f {path} {var} ." if prop else f"BIND(?f AS {var})"

    values = values_as("?v")
    messages = tuple(m for m in shape.message if isinstance(m, rdflib.Literal))

    def check(component: str, query: str, kind: str = "rows", **extra: Any) -> None:
        if not messages and kind != "sparql":
            raise Unsupported(f"{shape.node}: no sh:message (pySHACL writes its own)")
        checks.append(Check(top.node, shape.node, component, shape.severity, shape.path() if prop else None,
                            messages, query, kind, node_value=not prop, **extra))

    for name, c in components(shape):
        if name == "PropertyConstraintComponent":
            if prop:
                raise Unsupported("sh:property on a property shape")
            for child in sorted(c.property_shapes, key=str):
                found = shape.get_other_shape(child)
                if found is None or not found.is_property_shape:
                    raise Unsupported(f"sh:property {child}")
                checks.extend(_compile_shape(top, found, focus, forms, names))
        elif name == "MinCountConstraintComponent":
            n = int(c.min_count.value)
            if n == 1:
                check(name, f"SELECT DISTINCT ?f WHERE {{ {focus} FILTER NOT EXISTS {{ {values} }} }}")
            elif n > 1:
                check(name, _count_query(focus, f"OPTIONAL {{ {values} }}", "?v", f"< {n}"))
        elif name == "MaxCountConstraintComponent":
            n = int(c.max_count.value)
            if n == 1 and prop:  # two different values (a self-join is cheaper than counting)
                check(name, f"SELECT DISTINCT ?f WHERE {{ {focus} {values} {values_as('?w')} "
                            "FILTER(!sameTerm(?v, ?w)) }")
            else:
                check(name, _count_query(focus, values, "?v", f"> {n}"))
        elif name == "ClassConstraintComponent":
            for k in sorted(c.class_rules, key=str):  # MINUS: the instances are found once, not per value
                check(name, f"SELECT DISTINCT ?f ?v WHERE {{ {focus} {values} "
                            f"MINUS {{ ?v {TYPE_PATH} {iri(k)} }} }}")
        elif name == "OrConstraintComponent":
            for head in c.or_list:  # one result per failing list
                test = component_test(name, _OneOr(c, head), "?v", forms, names)
                check(name, _failing_values(focus, values, test))
        elif name in VALUE_TESTS:
            check(name, _failing_values(focus, values, component_test(name, c, "?v", forms, names)))
        elif name == "UniqueLangConstraintComponent":
            if True in c.string_rules:
                if not prop:
                    raise Unsupported("sh:uniqueLang on a node shape")
                # one result per language used by two different values
                check(name, f"SELECT DISTINCT ?f ?l WHERE {{ {focus} {values} {values_as('?w')} "
                            "FILTER(isLiteral(?v) && isLiteral(?w) && !sameTerm(?v, ?w)) "
                            'BIND(LCASE(LANG(?v)) AS ?l) FILTER(?l != "" && ?l = LCASE(LANG(?w))) }')
        elif name == "QualifiedValueShapeConstraintComponent":
            if c.is_disjoint or not prop:
                raise Unsupported("sh:qualifiedValueShapesDisjoint, or a qualified count on a node shape")
            for value_shape in sorted(c.value_shapes, key=str):
                test = conforms(shape.get_other_shape(value_shape), "?v", forms, names)
                counted = f"OPTIONAL {{ {values} FILTER(COALESCE({test}, false)) }}"
                if c.min_count == 1:
                    check("QualifiedMinCountConstraintComponent", f"SELECT DISTINCT ?f WHERE {{ {focus} "
                          f"FILTER NOT EXISTS {{ {values} FILTER(COALESCE({test}, false)) }} }}")
                elif c.min_count is not None and c.min_count > 1:
                    check("QualifiedMinCountConstraintComponent",
                          _count_query(focus, counted, "?v", f"< {c.min_count}"))
                if c.max_count is not None:
                    check("QualifiedMaxCountConstraintComponent",
                          _count_query(focus, counted, "?v", f"> {c.max_count}"))
        elif name in IN_PYTHON:
            other = None
            if name.startswith("LessThan"):
                if not prop:
                    raise Unsupported(name)
                compared = " ".join(iri(p) for p in sorted(c.property_compare_set, key=str))
                other = f"SELECT DISTINCT ?f ?p ?w WHERE {{ {focus} VALUES ?p {{ {compared} }} ?f ?p ?w }}"
            check(name, f"SELECT DISTINCT ?f ?v WHERE {{ {focus} {values} }}", "python", evaluator=c, other=other)
        elif name == "SPARQLConstraintComponent":
            for helper in sorted(c.sparql_constraints, key=lambda h: str(h.node)):
                if not helper.deactivated:
                    checks.append(_sparql_check(top, shape, helper, names))
        else:
            raise Unsupported(name)
    return checks


class _OneOr:
    """An sh:or component restricted to one of its lists (each list gives its own results)."""

    def __init__(self, c: Any, head: Any) -> None:
        self.shape, self.or_list = c.shape, [head]


def _count_query(focus: str, pattern: str, var: str, test: str) -> str:
    return (f"SELECT ?f WHERE {{ {{ SELECT ?f (COUNT(DISTINCT {var}) AS ?n) WHERE {{ {focus} {pattern} }} "
            f"GROUP BY ?f }} FILTER(?n {test}) }}")


def _failing_values(focus: str, values: str, test: str) -> str:
    return f"SELECT DISTINCT ?f ?v WHERE {{ {focus} {values} FILTER(!COALESCE({test}, false)) }}"


def _sparql_check(top: Any, shape: Any, helper: Any, names: Names) -> Check:
    """A SHACL-SPARQL constraint over all focus nodes at once: the focus subquery binds $this. Only queries for
    which that join equals pySHACL's pre-binding of $this are taken (no subquery, aggregate, MINUS, VALUES…)."""
    text = helper.select_text
    helper.check_invalid_sparql(text)  # MINUS, VALUES, SERVICE: pySHACL refuses them at validation time
    if len(re.findall(r"\bSELECT\b", text, re.I)) != 1 or _AGGREGATES.search(text):
        raise Unsupported("SPARQL constraint with a subquery or an aggregate")
    templated = any("{?" in str(m) or "{$" in str(m) for m in helper.messages or ())
    if re.search(r"[?$](PATH|currentShape|shapesGraph|failure)\b", text) or templated:
        raise Unsupported("SPARQL constraint with pre-bound variables other than $this, or message templates")
    projected = _PROJECTION.match(text)
    variables = {v[1:] for v in projected.group(1).split()} if projected else set()
    if projected is None or "this" not in variables or variables - {"this", "path", "value"}:
        raise Unsupported("SPARQL constraint projection (only $this, ?path, ?value are compiled)")
    start = projected.end()
    focus = f"{{ SELECT DISTINCT ?this WHERE {focus_pattern(top, '?this', names)} }}"
    body = text[:start] + " " + focus + " " + text[start:]
    query = helper.apply_prefixes(f"SELECT DISTINCT ?this ?path ?value WHERE {{ {body} }}")
    messages = tuple(m for m in [*(helper.messages or ()), *shape.message] if isinstance(m, rdflib.Literal))
    if not messages:
        raise Unsupported(f"{shape.node}: no sh:message (pySHACL writes its own)")
    path = shape.path() if shape.is_property_shape else None
    return Check(top.node, shape.node, "SPARQLConstraintComponent", shape.severity, path, messages, query, "sparql",
                 node_value=not shape.is_property_shape)

