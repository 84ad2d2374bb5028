"""Every use of strawberry's and graphql-core's internals, in one place (their public APIs — `strawberry`,
`strawberry.types`, `strawberry.extensions`, `strawberry.dataloader`, `graphql` — are used directly).

The schema (`schema`) runs strawberry's own validation rules in the order strawberry runs them; the endpoint
(`http`) tells a mutation sent by GET the way strawberry does. None of these names is published API:
`ADAPTED_TO` names the releases this module was checked against, and `tests/test_framework_internals.py` fails
loudly when the installed ones differ (then: run the GraphQL tests, fix what moved, update `ADAPTED_TO`).
"""
from __future__ import annotations

from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule
from strawberry.types.graphql import OperationType

ADAPTED_TO = {"strawberry-graphql": "0.341.2", "graphql-core": "3.3.2"}

__all__ = ["ADAPTED_TO", "CannotGetOperationTypeError", "InvalidOperationTypeError", "MaybeNullValidationRule",
           "OneOfInputValidationRule", "OperationType"]
