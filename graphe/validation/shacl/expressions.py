"""SPARQL text for compiled SHACL: focus patterns, value tests, conformance of nested shapes.

Each builder returns SPARQL text, or raises `Unsupported` when it cannot express a rule exactly as pySHACL
evaluates it; the compiler then leaves the whole top-level shape to pySHACL. Value tests are boolean SPARQL
expressions over one variable; they mirror pySHACL 0.40's Python code, clause by clause (see each comment).
"""
from __future__ import annotations

import itertools
from typing import Any

import rdflib
from rdflib.namespace import RDF, RDFS, SH, XSD

from ...core.rdf import Literal
from .pyshacl_internals import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP, ConstraintLoadWarning
from .terms import LiteralForms, from_rdflib, stand_in_datatype

TYPE_PATH = f"<{RDF.type}>/<{RDFS.subClassOf}>*"
FOCUS_MARK = "#FOCUS {var}#"  # a comment line: replaced by a VALUES block when the focus is restricted
_NODE_KINDS = {
    SH.IRI: "isIRI({v})", SH.BlankNode: "isBlank({v})", SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))", SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
_ALLOWED_NESTED_SEVERITIES = {SH.Warning, SH.Info}  # pySHACL runs with allow_warnings: such shapes always conform


class Unsupported(Exception):
    """A rule the compiler does not translate (the shape falls back to pySHACL)."""


class Names:
    """Fresh SPARQL variable names."""

    def __init__(self) -> None:
        self._count = itertools.count(1)

    def fresh(self, stem: str = "x") -> str:
        return f"?_{stem}{next(self._count)}"


def components(shape: Any) -> list[tuple[str, Any]]:
    """The constraint components of a shape, built by pySHACL as `Shape.validate` builds them (one per
    component class, in the order of its parameters; a load warning skips one, a load error propagates)."""
    found: list[tuple[str, Any]] = []
    seen = set()
    for p, _ in shape.sg.predicate_objects(shape.node):
        cls = CONSTRAINT_PARAMETERS_MAP.get(p) if p in ALL_CONSTRAINT_PARAMETERS else None
        if cls is None or cls in seen:
            continue
        seen.add(cls)
        try:
            found.append((cls.constraint_name(), cls(shape)))
        except ConstraintLoadWarning:
            continue
    return found


def iri(node: Any) -> str:
    if not isinstance(node, rdflib.URIRef):
        raise Unsupported(f"not an IRI: {node!r}")
    text = str(node)
    if any(c in text for c in '<>"{}|^`\\ \n'):
        raise Unsupported(f"IRI not writable in SPARQL: {text!r}")
    return f"<{text}>"


def term(node: Any, forms: LiteralForms) -> str:
    """A constant of the shapes graph as SPARQL text, in its scratch-store form."""
    if isinstance(node, rdflib.URIRef):
        return iri(node)
    if isinstance(node, rdflib.Literal) and not node.language:
        converted = from_rdflib(node)
        assert isinstance(converted, Literal)
        return str(forms.form(converted))
    raise Unsupported(f"constant not compiled: {node!r}")


def path_of(shape: Any) -> str:
    """The SPARQL predicate of a property shape (plain IRI paths only)."""
    return iri(shape.path())


def focus_pattern(shape: Any, var: str, names: Names) -> str:
    """A group binding `var` to the focus nodes of a shape's own targets (pySHACL `Shape.focus_nodes`). A node
    may come out more than once (several types, several targets): queries using it ask for DISTINCT rows."""
    nodes, classes, implicit, objects_of, subjects_of = (list(x) for x in shape.target())
    branches = [f"{{ {var} {TYPE_PATH} {iri(c)} }}" for c in [*classes, *implicit]]
    branches += [f"{{ {var} {iri(p)} {names.fresh('o')} }}" for p in subjects_of]
    branches += [f"{{ {names.fresh('s')} {iri(p)} {var} }}" for p in objects_of]
    if nodes:
        if any(isinstance(n, rdflib.BNode) for n in nodes):
            raise Unsupported("blank node target")
        branches.append(f"{{ VALUES {var} {{ {' '.join(term(n, LiteralForms()) for n in nodes)} }} }}")
    if not branches:
        raise Unsupported("no target")
    mark = FOCUS_MARK.format(var=var)
    return f"{{\n{mark}\n{' UNION '.join(branches)} }}"


def component_test(name: str, c: Any, v: str, forms: LiteralForms, names: Names) -> str:
    """A boolean expression: does the value in `v` satisfy this (value-level) constraint component?"""
    shape = c.shape
    if name == "DatatypeConstraintComponent":
        return datatype_test(c.datatype_rule, v)
    if name == "NodeKindConstraintComponent":
        if c.nodekind_rule not in _NODE_KINDS:
            raise Unsupported("node kind")
        return _NODE_KINDS[c.nodekind_rule].format(v=v)
    if name == "InConstraintComponent":  # `v in in_vals`: term equality
        members = [f"sameTerm({v}, {term(m, forms)})" for m in sorted(c.in_vals, key=str)]
        return "(" + (" || ".join(members) or "false") + ")"
    if name == "LanguageInConstraintComponent":
        return language_in_test(shape, c, v)
    if name in ("MinLengthConstraintComponent", "MaxLengthConstraintComponent"):
        limit = c.string_rules[0].value  # only the first rule counts (allow_multi_rules is False)
        if not isinstance(limit, int) or limit < 0:
            raise Unsupported("length")
        if name == "MinLengthConstraintComponent":
            return "true" if limit == 0 else f"(!isBlank({v}) && STRLEN(STR({v})) >= {limit})"
        return f"(!isBlank({v}) && STRLEN(STR({v})) <= {limit})"
    if name == "ClassConstraintComponent":
        return "(" + " && ".join(f"EXISTS {{ {v} {TYPE_PATH} {iri(k)} }}" for k in sorted(c.class_rules, key=str)) + ")"
    if name == "OrConstraintComponent":
        return "(" + " && ".join(or_test(shape, lst, v, forms, names) for lst in c.or_list) + ")"
    raise Unsupported(name)


def datatype_test(rule: Any, v: str) -> str:
    """pySHACL `DatatypeConstraintComponent.evaluate`: a literal whose datatype is the rule and which is
    well-typed; plain literals are xsd:string; tagged ones rdf:langString; every literal is an rdfs:Literal."""
    if rule == RDFS.Literal:
        return f"isLiteral({v})"
    if rule == XSD.string:
        return f"(isLiteral({v}) && DATATYPE({v}) = <{XSD.string}>)"
    if rule == RDF.langString:
        return f'(isLiteral({v}) && LANG({v}) != "")'
    if rule == RDFS.Datatype:
        raise Unsupported("sh:datatype rdfs:Datatype")
    plain = iri(rule)
    ok = iri(rdflib.URIRef(stand_in_datatype(str(rule), True)))
    return f"(isLiteral({v}) && (DATATYPE({v}) = {plain} || DATATYPE({v}) = {ok}))"


def language_in_test(shape: Any, c: Any, v: str) -> str:
    """pySHACL `LanguageInConstraintComponent`: a tagged literal whose tag, or the tag's first part, lower-cased,
    is one of the list (lower-cased); `*` accepts any tag."""
    needs = set()
    for item in shape.sg.graph.items(c.string_rules[0]):
        if not isinstance(item, rdflib.Literal) or not isinstance(item.value, str):
            raise Unsupported("sh:languageIn member")
        needs.add(str(item.value).lower())
    tagged = f'isLiteral({v}) && LANG({v}) != ""'
    if "*" in needs:
        return f"({tagged})"
    if not needs:
        return "false"
    listed = ", ".join(str(Literal(n)) for n in sorted(needs))
    return (f"({tagged} && (LCASE(LANG({v})) IN ({listed}) || "
            f'LCASE(STRBEFORE(CONCAT(LANG({v}), "-"), "-")) IN ({listed})))')


def or_test(shape: Any, head: Any, v: str, forms: LiteralForms, names: Names) -> str:
    members = list(dict.fromkeys(shape.sg.graph.items(head)))
    if not members:
        raise Unsupported("empty sh:or")
    return "(" + " || ".join(conforms(shape.get_other_shape(m), v, forms, names) for m in members) + ")"


def conforms(shape: Any, v: str, forms: LiteralForms, names: Names) -> str:
    """Does the node in `v` conform to a nested shape (an sh:or member, a qualified value shape)?"""
    if shape is None:
        raise Unsupported("missing nested shape")
    if shape.deactivated or shape.severity in _ALLOWED_NESTED_SEVERITIES:
        return "true"
    tests = []
    for name, c in components(shape):
        if not shape.is_property_shape:
            tests.append(component_test(name, c, v, forms, names))
        elif name == "MinCountConstraintComponent":
            n = int(c.min_count.value)
            if n > 1:
                raise Unsupported("nested sh:minCount > 1")
            if n == 1:
                tests.append(f"EXISTS {{ {v} {path_of(shape)} {names.fresh('y')} }}")
        elif name == "MaxCountConstraintComponent":
            if int(c.max_count.value) != 0:
                raise Unsupported("nested sh:maxCount > 0")
            tests.append(f"NOT EXISTS {{ {v} {path_of(shape)} {names.fresh('y')} }}")
        else:
            y = names.fresh("y")
            test = component_test(name, c, y, forms, names)
            tests.append(f"NOT EXISTS {{ {v} {path_of(shape)} {y} FILTER(!COALESCE({test}, false)) }}")
    return "(" + (" && ".join(tests) or "true") + ")"
