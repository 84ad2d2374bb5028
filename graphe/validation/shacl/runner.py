"""Run compiled SHACL checks on a scratch Oxigraph holding the data graph (and the ontology mixed in).

Top-level shapes without any focus node are skipped (one ASK each); the other checks run on a small thread
pool, their rows read in plan order, so that results come out in the same order every time.
"""
from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import rdflib
from rdflib.namespace import SH

from ...core.rdf import NamedNode, Quad
from ...store import ScratchStore
from .compiler import Check, Plan
from .pyshacl_internals import evaluate
from .expressions import FOCUS_MARK
from .terms import Conversion, node_text


_WORKERS = min(4, os.cpu_count() or 1)


@dataclass(frozen=True)
class Found:
    """One validation result of a compiled check: its focus node, value and path as `ValidationResult` writes
    them (see `terms.Conversion.focus_text`, `value_text`)."""

    check: Check
    focus: str
    value: str | None
    path: str | None


def run(plan: Plan, quads: Sequence[Quad], focus: Sequence[str] | None, terms: Conversion) -> Iterator[Found]:
    """Every result of the plan's checks on `quads`; `focus` restricts the focus nodes of the top-level shapes
    to those IRIs; `terms` names scratch-store terms as pySHACL would."""
    store = ScratchStore(quads)
    values = None if focus is None else " ".join(_iri_texts(focus))

    def restrict(query: str) -> str:
        if values is None:
            return query
        for var in ("?f", "?this"):
            query = query.replace(FOCUS_MARK.format(var=var), f"VALUES {var} {{ {values} }}")
        return query

    def evaluate(check: Check) -> list[Found]:
        query = restrict(check.query)
        if check.kind == "python":
            return list(_in_python(check, store, query, restrict, terms.back))
        if check.kind == "sparql":
            return list(_sparql_rows(check, store, query, terms.back))
        path, with_value = path_text(check.path), check.has_value
        return [Found(check, terms.focus_text(row[0]), terms.value_text(row[1]) if with_value else None, path)
                for row in store.select(query)]

    active = {top for top, ask in plan.tops.items() if store.ask(restrict(ask))}
    checks = [check for check in plan.checks if check.top in active]
    # pyoxigraph lets go of the GIL while Oxigraph evaluates: two queries at a time use a second core (on two
    # cores, about a quarter less time than one after the other)
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        for found in pool.map(evaluate, checks):
            yield from found


def _iri_texts(iris: Sequence[str]) -> Iterator[str]:
    for value in iris:
        try:
            yield str(NamedNode(value))
        except ValueError:  # not an IRI the data could hold: no focus node to keep
            continue


def path_text(path: rdflib.term.Node | None) -> str | None:
    """A result path as `ValidationResult.path` writes it: the property IRI (or a complex path's N3 form)."""
    return None if path is None else (str(path) if isinstance(path, rdflib.URIRef) else path.n3())


def _in_python(check: Check, store: ScratchStore, query: str, restrict: Any, back: Any) -> Iterator[Found]:
    """pySHACL's own component on the (focus → values) the query found (and, for property pairs, on a small
    rdflib graph of the compared values)."""
    values: dict[rdflib.term.Node, set[rdflib.term.Node]] = {}
    for f, v in store.select(query):
        values.setdefault(back(f), set()).add(back(v))
    if not values:
        return
    graph = rdflib.Graph()
    if check.other is not None:
        for f, p, w in store.select(restrict(check.other)):
            graph.add((back(f), back(p), back(w)))
    for _text, _node, triples in evaluate(check.evaluator, graph, values):
        parts = {p: o for _s, p, o in triples}
        value = parts[SH.value][1] if SH.value in parts else None
        yield Found(check, node_text(parts[SH.focusNode][1]), None if value is None else value.n3(),
                    path_text(check.path))


def _sparql_rows(check: Check, store: ScratchStore, query: str, back: Any) -> Iterator[Found]:
    """Rows of a SHACL-SPARQL constraint, read as pySHACL reads them (one result per distinct row)."""
    seen = set()
    for this, path, value in store.select(query):
        key = (this, path, value)
        if key in seen:
            continue
        seen.add(key)
        focus = back(this)
        found = back(value) if value is not None else (focus if check.node_value else None)
        yield Found(check, node_text(focus), None if found is None else found.n3(),
                    path_text(back(path) if path is not None else check.path))
