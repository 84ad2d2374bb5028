"""strawberry's and graphql-core's internals, used by the planned execution, the schema and the endpoint, are
held by one module (`api/framework_internals.py`): this fails loudly on an upgrade, checks the shape of each
internal it relies on, and that no other module reaches into those frameworks' internals."""
from __future__ import annotations

import inspect
from importlib.metadata import version

from graphe.api import framework_internals as internals
from imports_scan import imports

PUBLIC = ("strawberry", "strawberry.types", "strawberry.extensions", "strawberry.dataloader", "graphql")


def test_the_installed_frameworks_are_the_releases_the_adapter_was_checked_against() -> None:
    for package, adapted in internals.ADAPTED_TO.items():
        assert version(package) == adapted, (
            f"{package} {version(package)} installed, graphe/api/framework_internals.py was checked against "
            f"{adapted}: run tests/api/test_graphql_plan.py, fix the adapter and its users, then update ADAPTED_TO")


def test_each_internal_has_the_shape_its_users_rely_on() -> None:
    from graphql import Executor, ValidationRule

    assert list(inspect.signature(internals.convert_argument).parameters)[:4] == \
        ["value", "type_", "scalar_registry", "config"]
    assert list(inspect.signature(internals.get_argument_values).parameters) == \
        ["type_def", "node", "variable_values", "fragment_variable_values", "hide_suggestions"]
    assert issubclass(internals.StrawberryGraphQLCoreExecutionContext, Executor)
    assert isinstance(internals.GraphQLCoreConverter.DEFINITION_BACKREF, str)
    assert issubclass(internals.MaybeNullValidationRule, ValidationRule)
    assert issubclass(internals.OneOfInputValidationRule, ValidationRule)
    assert {m.name for m in internals.OperationType} >= {"QUERY", "MUTATION", "SUBSCRIPTION"}
    assert issubclass(internals.InvalidOperationTypeError, Exception)
    assert issubclass(internals.CannotGetOperationTypeError, Exception)


def test_no_other_module_imports_framework_internals() -> None:
    found = [f"{path}:{line} {module}" for path, line, module in imports()
             if module.split(".")[0] in ("strawberry", "graphql") and module not in PUBLIC
             and path != "api/framework_internals.py"]
    assert not found, found
