"""Every use of strawberry's and graphql-core's internals, in one place (their public APIs — `strawberry`,
`strawberry.types`, `strawberry.extensions`, `strawberry.dataloader`, `graphql` — are used directly).

The schema (`schema`) runs strawberry's own validation rules in the order strawberry runs them, and subclasses
strawberry's execution context to break graphql-core's executor cycle at the end of an operation
(`ReleasingExecution` below); the endpoint (`http`) tells a mutation sent by GET the way strawberry does. None of these names is published API:
`ADAPTED_TO` names the releases this module was checked against, and `tests/api/test_framework_internals.py` fails
loudly when the installed ones differ (then: run the GraphQL tests, fix what moved, update `ADAPTED_TO`).
"""
from __future__ import annotations

from typing import Any

from graphql import ExecutionResult
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule
from strawberry.types.graphql import OperationType

ADAPTED_TO = {"strawberry-graphql": "0.341.2", "graphql-core": "3.3.2"}

__all__ = ["ADAPTED_TO", "CannotGetOperationTypeError", "InvalidOperationTypeError", "MaybeNullValidationRule",
           "OneOfInputValidationRule", "OperationType", "ReleasingExecution"]


class ReleasingExecution(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context, whose one reference cycle (graphql-core's `async_helpers` holds two of
    the executor's bound methods) is broken once the operation is done: otherwise every request's executor,
    with all it collected, waits for the cyclic collector (docs/architecture.md, "Performance machinery")."""

    def execute_operation(self, *args: Any, **kwargs: Any) -> Any:
        result = super().execute_operation(*args, **kwargs)
        if self.is_awaitable(result):
            async def released() -> Any:
                done = await result
                self._release(done)
                return done
            return released()
        self._release(result)
        return result

    def _release(self, result: Any) -> None:
        if isinstance(result, ExecutionResult):  # (incremental delivery goes on using the executor)
            self.async_helpers = None
