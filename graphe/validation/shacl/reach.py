"""What the compiled checks read beyond a focus node's own triples, so that a big file can be validated in chunks.

Each query of a plan is parsed by rdflib and its triple patterns classified. A chunk of focus nodes needs, besides
their own triples: for each value node (an object of a focus node's triple), its triples with the `values`
predicates; and, for each `incoming` predicate P (a `sh:targetObjectsOf P`), whether some triple `?x P focus`
exists. Any other pattern (a constant or unrelated subject, a longer property path, every property of a value
node, the predicates of a value's values…) makes the plan unfit for chunks: `reach` then says why.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Any

from rdflib import Graph, URIRef, Variable
from rdflib.compare import to_isomorphic
from rdflib.namespace import RDF, RDFS
from rdflib.paths import MulPath, Path, SequencePath
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

from .compiler import Plan

_FOCUS = (Variable("f"), Variable("this"))


@dataclass(frozen=True)
class Reach:
    values: frozenset[str]  # predicates read on value nodes (rdf:type for sh:class)
    incoming: frozenset[str]  # predicates P of `?x P focus` patterns (sh:targetObjectsOf P)


class Unreachable(Exception):
    """The plan reads something a chunk cannot be given exactly (the message says what)."""


_known: dict[tuple[str, ...], Reach | Unreachable] = {}  # per set of queries: the same shapes are read once


def reach(plan: Plan, saved: FilePath | None = None, key: str | None = None) -> Reach:
    """What the plan's checks read around their focus nodes, or `Unreachable`. Analysing the queries takes
    seconds (rdflib's SPARQL parser): `saved` names a file holding the answer for the shapes and compiler
    whose digest is `key` (`shapes_key`; written by `save`, committed as `ontology/reach.json` and checked by
    a test); for any other shapes it is computed."""
    memo = (*sorted(str(s) for s in plan.fallback), *plan.tops.values(),
            *(q for c in plan.checks for q in (c.query, c.other) if q))
    if memo not in _known:
        found = _read(saved, key) if saved is not None and key is not None else None
        if found is None:
            try:
                found = _reach(plan)
            except Unreachable as why:
                found = why
        _known[memo] = found
    found = _known[memo]
    if isinstance(found, Unreachable):
        raise found
    return found


def shapes_key(shapes: Graph) -> str:
    """A digest of the shapes (blank nodes included, whatever their labels) and of the compiler's code: what
    the compiled queries, hence their reach, depend on. (The queries themselves are not: the compiler
    writes some parts in an order that changes from one process to the next.)"""
    digest = hashlib.sha256(str(to_isomorphic(shapes).graph_digest()).encode("ascii"))
    for source in sorted(FilePath(__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()


def _read(path: FilePath, key: str) -> Reach | Unreachable | None:
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(saved, dict) or saved.get("shapes") != key:
        return None  # written for other shapes or another compiler: computed again
    if "unreachable" in saved:
        return Unreachable(saved["unreachable"])
    return Reach(frozenset(saved["values"]), frozenset(saved["incoming"]))


def save(plan: Plan, key: str, path: FilePath) -> dict[str, Any]:
    """Write what `reach` finds for `plan` (compiled from shapes whose `shapes_key` is `key`) to `path`."""
    try:
        found = _reach(plan)
        out: dict[str, Any] = {"shapes": key, "values": sorted(found.values), "incoming": sorted(found.incoming)}
    except Unreachable as why:
        out = {"shapes": key, "unreachable": str(why)}
    path.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def _reach(plan: Plan) -> Reach:
    if plan.fallback:
        raise Unreachable("shapes validated by pySHACL: " + ", ".join(sorted(str(s) for s in plan.fallback)))
    values: set[str] = set()
    incoming: set[str] = set()
    queries = [*plan.tops.values(), *(q for c in plan.checks for q in (c.query, c.other) if q)]
    for query in dict.fromkeys(queries):
        try:
            algebra = translateQuery(parseQuery(query)).algebra
        except Exception as exc:  # noqa: BLE001 — rdflib cannot read it: no claim about what it reads
            raise Unreachable(f"query not analysed ({exc})") from None
        _classify(query, list(_patterns(algebra)), values, incoming)
    return Reach(frozenset(values), frozenset(incoming))


def _patterns(node: Any) -> Iterator[tuple[str, Any]]:
    """The triple patterns ("triple", (s, p, o)) and variable bindings ("bind", (var, expr)) of an algebra."""
    if isinstance(node, CompValue):
        if node.name == "Extend":
            yield "bind", (node.get("var"), node.get("expr"))
        for key, value in node.items():
            if key == "triples":
                for triple in value:
                    if len(triple) != 3:
                        raise Unreachable(f"triple pattern not read: {triple!r}")
                    yield "triple", tuple(triple)
            elif not key.startswith("_"):
                yield from _patterns(value)
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _patterns(item)


def _is_type_path(p: Any) -> bool:
    return (isinstance(p, SequencePath) and len(p.args) == 2 and p.args[0] == RDF.type
            and isinstance(p.args[1], MulPath) and p.args[1].path == RDFS.subClassOf and p.args[1].mod == "*")


def _classify(query: str, patterns: list[tuple[str, Any]], values: set[str], incoming: set[str]) -> None:
    focus, bound = set(_FOCUS), set()  # focus-node variables; value-node variables
    triples = [t for kind, t in patterns if kind == "triple"]
    uses = Counter(t for triple in triples for t in triple if isinstance(t, Variable))
    changed = True
    while changed:
        before = len(focus) + len(bound)
        for kind, (a, b, *rest) in patterns:
            if kind == "bind" and isinstance(b, Variable):
                (focus if b in focus else bound if b in bound else set()).add(a)
            elif kind == "triple" and a in focus and isinstance(b, (URIRef, Variable)) and isinstance(rest[0], Variable):
                bound.add(rest[0])
        changed = len(focus) + len(bound) != before
    for s, p, o in triples:
        if s in focus:
            ok = isinstance(p, (URIRef, Variable)) or _is_type_path(p)
        elif s in bound:
            ok = isinstance(p, URIRef) or _is_type_path(p)
            if ok:
                values.add(str(RDF.type) if isinstance(p, Path) else str(p))
        else:  # `?x P focus`, ?x used nowhere else: a target of the objects of P
            ok = o in focus and isinstance(p, URIRef) and isinstance(s, Variable) and uses[s] == 1
            if ok:
                incoming.add(str(p))
        if not ok:
            raise Unreachable(f"pattern {s.n3()} {p.n3() if hasattr(p, 'n3') else p} {o.n3()} in {query[:200]}")
