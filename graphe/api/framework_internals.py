"""Every use of strawberry's and graphql-core's internals, in one place (their public APIs — `strawberry`,
`strawberry.types`, `strawberry.extensions`, `strawberry.dataloader`, `graphql` — are used directly).

The planned execution (`plan`) subclasses strawberry's execution context and converts arguments as strawberry
does; the schema (`schema`) runs strawberry's own validation rules in the order strawberry runs them; the
endpoint (`http`) tells a mutation sent by GET the way strawberry does. None of these names is published API:
`ADAPTED_TO` names the releases this module was checked against, and `tests/api/test_framework_internals.py` fails
loudly when the installed ones differ (then: run the differential tests of the plan, `tests/api/test_graphql_plan.py`,
fix what moved, update `ADAPTED_TO`).
"""
from __future__ import annotations

from graphql.execution.values import get_argument_values
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule
from strawberry.types.arguments import convert_argument
from strawberry.types.graphql import OperationType

ADAPTED_TO = {"strawberry-graphql": "0.341.2", "graphql-core": "3.3.2"}

__all__ = ["ADAPTED_TO", "CannotGetOperationTypeError", "GraphQLCoreConverter", "InvalidOperationTypeError",
           "MaybeNullValidationRule", "OneOfInputValidationRule", "OperationType",
           "StrawberryGraphQLCoreExecutionContext", "convert_argument", "get_argument_values"]
