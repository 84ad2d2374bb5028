"""A validation rule bounding how many objects a query may ask for, before anything runs.

Depth alone does not bound work: `practices { city { practices { city … } } }` fans out at every list. The
estimate multiplies, along each path, the size of every list: a connection's `first` (default 20), and
`LIST_FACTOR` for plain lists. A query whose estimate exceeds `MAX_COST` is refused with a French message.
"""
from __future__ import annotations

from typing import Any

from graphql import (FieldNode, FragmentSpreadNode, GraphQLError, GraphQLList, GraphQLNonNull, GraphQLObjectType,
                     InlineFragmentNode, IntValueNode, OperationDefinitionNode, SelectionSetNode, ValidationRule,
                     VariableNode)

MAX_COST = 20_000
LIST_FACTOR = 10
DEFAULT_FIRST = 20
MAX_PAGE = 100


def _unwrap(type_: Any) -> tuple[Any, bool]:
    is_list = False
    while isinstance(type_, (GraphQLNonNull, GraphQLList)):
        if isinstance(type_, GraphQLList):
            is_list = True
        type_ = type_.of_type
    return type_, is_list


class CostRule(ValidationRule):
    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        root = self.context.schema.get_root_type(node.operation)
        if root is None:
            return
        cost = self._cost(node.selection_set, root, 1, 0, set())
        if cost > MAX_COST:
            self.report_error(GraphQLError(
                f"Query too expensive: about {cost} objects requested, at most {MAX_COST}. "
                "Ask for fewer items per list or fewer nested lists.", node))

    def _first(self, field: FieldNode) -> int | None:
        for argument in field.arguments or ():
            if argument.name.value == "first":
                if isinstance(argument.value, IntValueNode):
                    return int(argument.value.value)
                if isinstance(argument.value, VariableNode):
                    return MAX_PAGE  # variables are not known yet: assume the largest page
        return None

    def _cost(self, selection_set: SelectionSetNode | None, parent: Any, multiplier: int, first: int,
              seen: set[str]) -> int:
        if selection_set is None or multiplier > MAX_COST * 10:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                field_def = parent.fields.get(selection.name.value) if isinstance(parent, GraphQLObjectType) else None
                if field_def is None:
                    continue
                target, is_list = _unwrap(field_def.type)
                size = 1
                child_first = self._first(selection)
                if selection.name.value == "edges":
                    size = first or DEFAULT_FIRST
                elif is_list:
                    size = LIST_FACTOR
                if not isinstance(target, GraphQLObjectType):
                    continue  # scalars and enums cost nothing more than their object
                child = multiplier * size
                total += child + self._cost(selection.selection_set, target, child, child_first or 0, seen)
            elif isinstance(selection, InlineFragmentNode):
                total += self._cost(selection.selection_set, parent, multiplier, first, seen)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                fragment = self.context.get_fragment(selection.name.value)
                if fragment is not None:
                    total += self._cost(fragment.selection_set, parent, multiplier, first,
                                        seen | {selection.name.value})
        return total
