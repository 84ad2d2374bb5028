"""SHACL validation of Graphe data against ``ontology/shapes.ttl``.

The shapes and the ontology are parsed once by :class:`Validator` and reused for every call. Results are
returned as plain, immutable Python objects with both the French and the English message of the shape
that failed, so that callers (loader, API, CLI) never have to read a SHACL report graph themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cached_property
from pathlib import Path

import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from ..core import rdf
from .report import ValidationReport, ValidationResult
from ..core.rdf import Quad, Triple
from .shacl.compiler import Check, Plan, compile_shapes
from .shacl.reach import Reach, Unreachable, reach, shapes_key
from .shacl.pyshacl_internals import inoculate
from .shacl.runner import Found, run
from .shacl.terms import Conversion, LiteralForms, node_text

__all__ = ["ValidationReport", "ValidationResult", "Validator"]

SEVERITIES: dict[URIRef, str] = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


class Validator:
    """Validate RDF data against the Graphe shapes, with the Graphe ontology as pySHACL's ``ont_graph``.

    The shapes are compiled once into SPARQL queries (`graphe.validation.shacl`) run on a scratch in-memory Oxigraph
    holding the data and the ontology axioms pySHACL would mix in: the same results as pySHACL, over all focus
    nodes at once. A top-level shape the compiler cannot translate exactly is validated by pySHACL itself
    (``fallback`` says which and why), on in-memory graphs with ``do_owl_imports=False``: never the network.
    """

    def __init__(self, shapes: Graph, ontology: Graph, *, compiled: bool = True) -> None:
        """``compiled=False`` leaves every shape to pySHACL (the reference the compiled checks are tested
        against)."""
        self.shapes = shapes
        self.ontology = ontology
        self.reach_file: Path | None = None  # what `reach` found for these shapes, saved (`shacl.reach.save`)
        self._languages: dict[Node, dict[str, str]] = {}
        self._forms = LiteralForms()
        self._fixed: dict[Check, tuple[str, str, str, str]] = {}  # per check: severity, messages, shape
        self.plan = compile_shapes(shapes, self._forms) if compiled else Plan(fallback={None: "compiled=False"})
        # the RDFS/OWL axioms of the ontology, as pySHACL copies them into every data graph
        self._mixin = Conversion().quads(inoculate(Graph(), ontology))
        self._fallback_shapes = _without_targets(shapes, set(self.plan.tops)) if self.plan.fallback else None
        # SPARQL-based constraints (sh:sparql) need pySHACL's "advanced" mode.
        self._advanced = self._fallback_shapes is not None and (None, SH.sparql, None) in self._fallback_shapes

    @property
    def fallback(self) -> dict[Node, str]:
        """The top-level shapes pySHACL validates, each with the reason the compiler left it."""
        return dict(self.plan.fallback)

    @cached_property
    def reach(self) -> Reach | Unreachable:
        """What the checks read around a focus node (a big file is then validated in chunks), or why a chunk
        could not be given it (the file is then validated whole)."""
        try:
            key = shapes_key(self.shapes) if self.reach_file is not None and self.reach_file.exists() else None
            return reach(self.plan, self.reach_file, key)
        except Unreachable as why:
            return why

    @classmethod
    def from_directory(cls, ontology_dir: Path, *, compiled: bool = True) -> Validator:
        """Build a validator from ``graphe.ttl`` and ``shapes.ttl`` in ``ontology_dir``."""
        ontology_dir = Path(ontology_dir)
        ontology = Graph().parse(ontology_dir / "graphe.ttl", format="turtle")
        shapes = Graph().parse(ontology_dir / "shapes.ttl", format="turtle")
        validator = cls(shapes, ontology, compiled=compiled)
        validator.reach_file = ontology_dir / "reach.json"
        return validator

    def validate(self, data: Graph | Sequence[Quad | Triple], *,
                 focus_nodes: Iterable[Node] | None = None) -> ValidationReport:
        """Validate ``data`` (an rdflib graph, or pyoxigraph quads or triples; left unchanged) and return the
        flattened report.

        With ``focus_nodes``, only those nodes are validated (against the shapes that target them); the
        rest of ``data`` is still visible as context, e.g. for ``sh:class`` checks on referenced resources.
        """
        focus = None if focus_nodes is None else [n for n in focus_nodes if isinstance(n, (URIRef, BNode))]
        if focus is not None and not focus:
            return ValidationReport(())
        conversion = Conversion()
        graph = data if isinstance(data, Graph) else None
        if graph is not None:
            quads: Sequence[Quad] = conversion.quads(graph)
        else:
            quads = [q if type(q) is Quad else Quad(q.subject, q.predicate, q.object) for q in data]
        results = []
        if self.plan.checks:
            iris = None if focus is None else [str(n) for n in focus if isinstance(n, URIRef)]
            prepared = self._forms.prepare([*quads, *self._mixin])
            results = [self._compiled(found) for found in run(self.plan, prepared, iris, conversion)]
        if self._fallback_shapes is not None:
            results += self._pyshacl(graph if graph is not None else rdf.to_rdflib_graph(quads), focus)
        results.sort(key=result_order)
        return ValidationReport(tuple(results))

    def _compiled(self, found: Found) -> ValidationResult:
        check = found.check
        fixed = self._fixed.get(check)
        if fixed is None:
            severity = check.severity
            fixed = self._fixed[check] = (
                SEVERITIES.get(severity, _local_name(severity)) if isinstance(severity, URIRef) else "Violation",
                *_messages(list(check.messages)), node_text(check.shape))
        severity, message_fr, message_en, shape = fixed
        return ValidationResult(severity, found.focus, found.path, found.value, message_fr, message_en, shape,
                                check.component)

    def _pyshacl(self, data: Graph, focus: list[Node] | None) -> list[ValidationResult]:
        """pySHACL on the shapes the compiler left (the others have their targets removed)."""
        _conforms, report_graph, _text = pyshacl.validate(
            data,
            shacl_graph=self._fallback_shapes,
            ont_graph=self.ontology,
            inference="none",
            advanced=self._advanced,
            allow_warnings=True,
            inplace=False,
            do_owl_imports=False,
            meta_shacl=False,
            js=False,
            focus_nodes=focus,
        )
        if not isinstance(report_graph, Graph):  # pySHACL returns an exception object on failure
            raise RuntimeError(f"SHACL validation failed: {report_graph}")
        return [self._result(report_graph, node) for node in report_graph.subjects(RDF.type, SH.ValidationResult)]

    def _result(self, report: Graph, node: Node) -> ValidationResult:
        """Flatten one sh:ValidationResult node of a pySHACL report graph."""
        severity = report.value(node, SH.resultSeverity)
        focus = report.value(node, SH.focusNode)
        path = report.value(node, SH.resultPath)
        value = report.value(node, SH.value)
        shape = report.value(node, SH.sourceShape)
        component = report.value(node, SH.sourceConstraintComponent)
        messages = list(report.objects(node, SH.resultMessage))
        known: dict[str, str] = {}
        for source in (report.value(node, SH.sourceConstraint), shape):
            if source is not None:
                known.update(self._message_languages(source))
        message_fr, message_en = _messages([_retag(m, known) for m in messages])
        return ValidationResult(
            severity=SEVERITIES.get(severity, _local_name(severity)) if isinstance(severity, URIRef) else "Violation",
            focus=node_text(focus),
            path=None if path is None else (str(path) if isinstance(path, URIRef) else path.n3()),
            value=None if value is None else value.n3(),
            message_fr=message_fr,
            message_en=message_en,
            shape=node_text(shape),
            component=_local_name(component),
        )

    def _message_languages(self, source: Node) -> dict[str, str]:
        """Map each sh:message text of a shape (or of its SPARQL constraints) to its language tag."""
        if source not in self._languages:
            holders = [source, *self.shapes.objects(source, SH.sparql)]
            self._languages[source] = {
                str(m): m.language
                for holder in holders
                for m in self.shapes.objects(holder, SH.message)
                if isinstance(m, Literal) and m.language
            }
        return self._languages[source]


def result_order(r: ValidationResult) -> tuple[int, str, str, str, str]:
    """The order of a report's results: violations first, then by focus node, path, shape and value."""
    return (_SEVERITY_ORDER.get(r.severity, 9), r.focus, r.path or "", r.shape, r.value or "")


def _retag(message: Node, languages: dict[str, str]) -> Node:
    """Give back its language tag to a message pySHACL copied without it.

    pySHACL 0.40 rebuilds the messages of SPARQL-based constraints as plain literals (to substitute
    ``{?var}`` placeholders), dropping the tag; the text still matches the tagged ``sh:message``.
    """
    if isinstance(message, Literal) and not message.language and str(message) in languages:
        return Literal(str(message), lang=languages[str(message)])
    return message


def _messages(literals: list[Node]) -> tuple[str, str]:
    """Pick the French and English messages; each falls back to the other, then to pySHACL's own text."""
    french = english = engine = None
    for lit in literals:
        if not isinstance(lit, Literal):
            continue
        lang = (lit.language or "").lower()
        if lang == "fr" or lang.startswith("fr-"):
            french = french or str(lit)
        elif lang == "en" or lang.startswith("en-"):
            english = english or str(lit)
        elif not lang:
            engine = engine or str(lit)
    fallback = engine or ""
    return (french or english or fallback, english or french or fallback)


def _local_name(iri: Node | None) -> str:
    """The local name of an IRI (after the last '#' or '/')."""
    if iri is None:
        return ""
    text = str(iri)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf)


def _without_targets(shapes: Graph, compiled: set[Node]) -> Graph:
    """A copy of the shapes graph in which the compiled top-level shapes target nothing (pySHACL then only
    validates the others; nested shapes keep their definitions). Implicit class targets go too."""
    classes = {RDFS.Class, *shapes.transitive_subjects(RDFS.subClassOf, RDFS.Class),
               URIRef("http://www.w3.org/2002/07/owl#Class")}
    copy = Graph()
    for s, p, o in shapes:
        if s in compiled and (p in _TARGETS or (p == RDF.type and o in classes)):
            continue
        copy.add((s, p, o))
    return copy
