"""The modules each file of the `graphe` package imports, read from its syntax tree (for the tests that keep
a dependency inside one module: gc, pySHACL's internals, the GraphQL frameworks' internals)."""
from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "graphe"


def imports(package: Path = PACKAGE) -> Iterator[tuple[str, int, str]]:
    """(file relative to the package, line, module imported) for every import statement."""
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                yield str(path.relative_to(package)), node.lineno, node.module or ""
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    yield str(path.relative_to(package)), node.lineno, alias.name
