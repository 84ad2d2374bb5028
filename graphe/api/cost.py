"""Bounds on a GraphQL document, checked before graphql-core's own validation and before anything runs.

Depth alone does not bound work: `practices { city { practices { city … } } }` fans out at every list. The
estimate multiplies, along each path, the size of every list: a connection's `first` (default 20), and
`LIST_FACTOR` for plain lists. A query whose estimate exceeds `MAX_COST` is refused with a French message.

Fragments make a document's expanded size exponential in its length (twenty fragments each spreading the
next twice: 832 bytes, a million selections). Every figure here — cost, depth, aliases, selections once
fragments are expanded — is therefore computed once per fragment (and parent type, and enclosing page
size) and reused at every spread: the walk is linear in the document. A document whose expanded size
exceeds `MAX_SELECTIONS` is refused before graphql-core's rules ever see it. One of them,
OverlappingFieldsCanBeMerged, compares every pair of fields answering under one name in a selection
(990 `stats { revision }` side by side: 0.9 s): `MAX_REPEATS` bounds how many there may be.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (DocumentNode, FieldNode, FragmentDefinitionNode, FragmentSpreadNode, GraphQLError,
                     GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, InlineFragmentNode,
                     IntValueNode, OperationDefinitionNode, SelectionSetNode, VariableNode)

MAX_COST = 20_000
MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_SELECTIONS = 5_000  # the introspection query GraphiQL sends expands to 230
MAX_REPEATS = 50  # fields under one response name in one selection (inline fragments included)
LIST_FACTOR = 10
DEFAULT_FIRST = 20
MAX_PAGE = 100
_CAP = 10**15  # figures stop growing here: far above every limit, and no big integers to multiply


@dataclass(frozen=True, slots=True)
class Size:
    cost: int = 0  # objects asked for, for one object of the parent
    depth: int = 0  # nesting of fields with a selection (introspection fields not counted)
    aliases: int = 0
    selections: int = 0  # fields and spreads, fragments expanded
    repeats: int = 0  # the most fields under one response name in one selection

    def __add__(self, other: Size) -> Size:
        return Size(min(self.cost + other.cost, _CAP), max(self.depth, other.depth),
                    min(self.aliases + other.aliases, _CAP), min(self.selections + other.selections, _CAP),
                    max(self.repeats, other.repeats))


def _unwrap(type_: Any) -> tuple[Any, bool]:
    is_list = False
    while isinstance(type_, (GraphQLNonNull, GraphQLList)):
        if isinstance(type_, GraphQLList):
            is_list = True
        type_ = type_.of_type
    return type_, is_list


def _first(field: FieldNode) -> int | None:
    for argument in field.arguments or ():
        if argument.name.value == "first":
            if isinstance(argument.value, IntValueNode):
                try:
                    return max(0, min(int(argument.value.value), _CAP))
                except ValueError:
                    return MAX_PAGE
            if isinstance(argument.value, VariableNode):
                return MAX_PAGE  # variables are not known yet: assume the largest page
    return None


def _repeats(node: SelectionSetNode | None) -> int:
    """The most fields answering under one name in this selection, its inline fragments' included (named
    fragments are compared once per pair of fragments by graphql-core: not counted)."""
    counts: dict[str, int] = {}
    pending = [node]
    while pending:
        current = pending.pop()
        for selection in current.selections if current is not None else ():
            if isinstance(selection, FieldNode):
                name = (selection.alias or selection.name).value
                counts[name] = counts.get(name, 0) + 1
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
    return max(counts.values(), default=0)


class _Walk:
    """One document's figures, each fragment's computed once per (parent type, enclosing page size)."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode) -> None:
        self.schema = schema
        self.fragments: dict[str, FragmentDefinitionNode] = {}
        for definition in document.definitions:
            if isinstance(definition, FragmentDefinitionNode):
                self.fragments.setdefault(definition.name.value, definition)
        self.done: dict[tuple, Size] = {}
        self.open: set[tuple] = set()  # fragments being walked: a cycle counts nothing (NoFragmentCycles says it)

    def selection_set(self, node: SelectionSetNode | None, parent: Any, first: int) -> Size:
        total = Size(repeats=_repeats(node))
        for selection in node.selections if node is not None else ():
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, first)
            elif isinstance(selection, InlineFragmentNode):
                total += Size(selections=1) + self.selection_set(
                    selection.selection_set, self._condition(selection, parent), first)
            elif isinstance(selection, FragmentSpreadNode):
                total += Size(selections=1) + self.spread(selection.name.value, parent, first)
        return total

    def field(self, node: FieldNode, parent: Any, first: int) -> Size:
        name = node.name.value
        fields = getattr(parent, "fields", None)
        field_def = fields.get(name) if isinstance(fields, dict) else None
        target, is_list = _unwrap(field_def.type) if field_def is not None else (None, False)
        child_first = _first(node) or 0
        inner = self.selection_set(node.selection_set, target, child_first)
        size = 1
        if name == "edges":
            size = first or DEFAULT_FIRST
        elif is_list:
            size = LIST_FACTOR
        # Scalars and enums cost nothing more than their object.
        cost = min(size + size * inner.cost, _CAP) if isinstance(target, GraphQLObjectType) else 0
        nested = node.selection_set is not None and not name.startswith("__")
        return Size(cost, 1 + inner.depth if nested else 0, inner.aliases + (1 if node.alias else 0),
                    inner.selections + 1, inner.repeats)

    def spread(self, name: str, parent: Any, first: int) -> Size:
        fragment = self.fragments.get(name)
        if fragment is None:
            return Size()  # KnownFragmentNames reports it
        parent = self._condition(fragment, parent)
        key = (name, getattr(parent, "name", None), first)
        found = self.done.get(key)
        if found is None:
            if key in self.open:
                return Size()
            self.open.add(key)
            found = self.done[key] = self.selection_set(fragment.selection_set, parent, first)
            self.open.discard(key)
        return found

    def _condition(self, node: InlineFragmentNode | FragmentDefinitionNode, parent: Any) -> Any:
        condition = node.type_condition
        return self.schema.get_type(condition.name.value) if condition is not None else parent


def check(schema: GraphQLSchema, document: DocumentNode) -> list[GraphQLError]:
    """The bounds this document exceeds (empty if none), in linear time whatever its fragments."""
    walk = _Walk(schema, document)
    errors: list[GraphQLError] = []
    for node in document.definitions:
        if not isinstance(node, OperationDefinitionNode):
            continue
        size = walk.selection_set(node.selection_set, schema.get_root_type(node.operation), 0)
        name = node.name.value if node.name else "anonymous"
        if size.selections > MAX_SELECTIONS:
            errors.append(GraphQLError(f"Document too large: {size.selections} selections once fragments are "
                                       f"expanded, at most {MAX_SELECTIONS}.", node))
            continue  # the other figures say nothing more
        if size.repeats > MAX_REPEATS:
            errors.append(GraphQLError(f"A selection asks {size.repeats} times for one field, at most "
                                       f"{MAX_REPEATS}.", node))
            continue
        if size.depth > MAX_DEPTH:
            errors.append(GraphQLError(f"'{name}' exceeds maximum operation depth of {MAX_DEPTH}", node))
        if size.aliases > MAX_ALIASES:
            errors.append(GraphQLError(f"{size.aliases} aliases found. Allowed: {MAX_ALIASES}", node))
        if size.cost > MAX_COST:
            errors.append(GraphQLError(
                f"Query too expensive: about {size.cost} objects requested, at most {MAX_COST}. "
                "Ask for fewer items per list or fewer nested lists.", node))
    return errors
