"""Terms for compiled SHACL validation: rdflib ↔ pyoxigraph, and literals as pySHACL sees them.

pySHACL reads literals through rdflib, which normalises well-typed lexical forms (`"01"^^xsd:integer` is
`"1"`) and flags ill-typed ones; Oxigraph, once a literal is stored, canonicalises numbers, booleans and dates
and maps every integer type to `xsd:integer`. So that the compiled checks see what pySHACL sees, every typed
literal (neither `xsd:string` nor language-tagged) is put into the scratch store in rdflib's normal form; when
Oxigraph would change that form, or when rdflib finds the literal ill-typed for its own datatype, a stand-in
literal is stored instead, whose datatype names the real one and whether it is well-formed:
`"lexical"^^<urn:graphe:shacl:literal:ok:{datatype}>` (or `…:bad:{datatype}`).
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

import rdflib

from ...core.rdf import BlankNode, Literal, NamedNode, Quad, Term, to_rdflib_term
from ...store import ScratchStore
from .pyshacl_internals import actual_datatype_check

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
STAND_IN = "urn:graphe:shacl:literal:"  # (data using such a datatype is itself stood in for)
STAND_IN_OK = STAND_IN + "ok:"
STAND_IN_BAD = STAND_IN + "bad:"
_CACHE_LIMIT = 200_000
_rdflib_log = logging.getLogger("rdflib.term")


def well_typed(literal: rdflib.Literal) -> bool:
    """pySHACL's own test of a literal against its datatype (not ill-typed, and of the expected Python type)."""
    if literal.ill_typed is True:
        return False
    return actual_datatype_check(literal, literal.datatype)


def stand_in_datatype(datatype: str, ok: bool) -> str:
    return (STAND_IN_OK if ok else STAND_IN_BAD) + datatype


class LiteralForms:
    """Maps typed literals to the form the scratch store must hold (see the module docstring); remembers its
    decisions across validations (the distinct typed values of a deployment — dates, numbers — are few)."""

    def __init__(self) -> None:
        self._forms: dict[Literal, Literal | None] = {}  # None: store the literal as it is

    def prepare(self, quads: Sequence[Quad]) -> Sequence[Quad]:
        typed = set()
        for q in quads:
            o = q.object
            if type(o) is Literal and not o.language and o.datatype.value != XSD_STRING:
                typed.add(o)
        known = self._forms
        forms = {o: known[o] for o in typed if o in known}
        if len(forms) < len(typed):
            forms.update(self._decide([o for o in typed if o not in forms]))
        changed = {o: form for o, form in forms.items() if form is not None}
        if not changed:
            return quads
        return [Quad(q.subject, q.predicate, changed[q.object], q.graph_name) if q.object in changed else q
                for q in quads]

    def form(self, literal: Literal) -> Literal:
        """The scratch form of one literal (e.g. a member of an sh:in list)."""
        if literal.language or literal.datatype.value == XSD_STRING:
            return literal
        known = self._forms  # (replaced, never cleared, when it grows too big: safe to read alongside)
        form = known[literal] if literal in known else self._decide([literal])[literal]
        return form or literal

    def _decide(self, literals: list[Literal]) -> dict[Literal, Literal | None]:
        normal: list[tuple[str, bool]] = []
        level = _rdflib_log.level
        _rdflib_log.setLevel(logging.CRITICAL)  # ill-typed literals are SHACL results, not log lines
        try:
            for lit in literals:
                seen = rdflib.Literal(lit.value, datatype=rdflib.URIRef(lit.datatype.value))
                normal.append((str(seen), well_typed(seen)))
        finally:
            _rdflib_log.setLevel(level)
        candidates = [Literal(text, datatype=lit.datatype) for lit, (text, _) in zip(literals, normal)]
        stored = ScratchStore.stored_forms(candidates)
        decided: dict[Literal, Literal | None] = {}
        for lit, (text, ok), candidate, kept in zip(literals, normal, candidates, stored):
            if ok and kept == candidate and not lit.datatype.value.startswith(STAND_IN):
                form = candidate
            else:
                form = Literal(text, datatype=NamedNode(stand_in_datatype(lit.datatype.value, ok)))
            decided[lit] = None if form == lit else form
        if len(self._forms) + len(decided) > _CACHE_LIMIT:
            self._forms = {}
        self._forms.update(decided)
        return decided


def to_rdflib(term: Term) -> rdflib.term.Identifier:
    """A scratch-store term as pySHACL would hold it (stand-ins back to their real datatype)."""
    if type(term) is Literal and not term.language:
        datatype = term.datatype.value
        for prefix in (STAND_IN_OK, STAND_IN_BAD):
            if datatype.startswith(prefix):
                level = _rdflib_log.level
                _rdflib_log.setLevel(logging.CRITICAL)
                try:
                    return rdflib.Literal(term.value, datatype=rdflib.URIRef(datatype[len(prefix):]))
                finally:
                    _rdflib_log.setLevel(level)
    return to_rdflib_term(term)


class Conversion:
    """rdflib terms into pyoxigraph ones, remembering the few that do not come back the same way (blank node
    ids pyoxigraph refuses, upper-case language tags it lower-cases) so that results name them as pySHACL does."""

    def __init__(self) -> None:
        self.blanks: dict[str, BlankNode] = {}
        self.originals: dict[Term, rdflib.term.Node] = {}

    def term(self, node: rdflib.term.Node) -> Term:
        if isinstance(node, rdflib.URIRef):
            return NamedNode(str(node))
        if isinstance(node, rdflib.BNode):
            key = str(node)
            if key not in self.blanks:
                try:
                    self.blanks[key] = BlankNode(key)
                except ValueError:
                    self.blanks[key] = BlankNode()
                    self.originals[self.blanks[key]] = node
            return self.blanks[key]
        if isinstance(node, rdflib.Literal):
            if node.language:
                converted = Literal(str(node), language=node.language)
                if converted.language != node.language:
                    self.originals[converted] = node
                return converted
            if node.datatype is not None:
                return Literal(str(node), datatype=NamedNode(str(node.datatype)))
            return Literal(str(node))
        raise ValueError(f"unsupported RDF term {node!r}")

    def quads(self, triples: Iterable[tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]]) -> list[Quad]:
        return [Quad(self.term(s), self.term(p), self.term(o)) for s, p, o in triples]

    def back(self, term: Term) -> rdflib.term.Node:
        """A scratch-store term as pySHACL names it."""
        original = self.originals.get(term)
        return original if original is not None else to_rdflib(term)

    def focus_text(self, term: Term) -> str:
        """A focus node as `ValidationResult.focus` writes it (IRIs, by far the most common, directly)."""
        if type(term) is NamedNode:
            return term.value
        return node_text(self.back(term))

    def value_text(self, term: Term) -> str:
        """A value as `ValidationResult.value` writes it: rdflib's N-Triples form of the term."""
        if type(term) is NamedNode and term not in self.originals:
            return f"<{term.value}>"
        return self.back(term).n3()


def node_text(node: rdflib.term.Node | None) -> str:
    """A plain IRI string, or `_:` and a blank node id, or a literal's lexical form; "" when absent."""
    if node is None:
        return ""
    if isinstance(node, rdflib.BNode):
        return f"_:{node}"
    return str(node)


def from_rdflib(node: rdflib.term.Node) -> Term:
    return Conversion().term(node)
