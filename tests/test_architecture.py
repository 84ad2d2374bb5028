"""The house's architecture as rules on its import graph: the layers and who may import an outside framework
(import-linter's contracts in pyproject.toml), and no import circle anywhere in the package."""
from __future__ import annotations

from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent


def test_the_import_contracts_hold() -> None:
    """Layers from the edges down to `core`; only `search/` imports a search engine, only `api/` the GraphQL
    framework (the contracts are in pyproject.toml, `[tool.importlinter]`)."""
    from importlinter.cli import EXIT_STATUS_SUCCESS, lint_imports

    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == EXIT_STATUS_SUCCESS


def _circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_no_import_circle() -> None:
    """Imports made inside functions count too (they are circles all the same); imports for type checking
    only do not (they never run)."""
    graph = grimp.build_graph("graphe", exclude_type_checking_imports=True)
    assert _circles(graph) == []


def test_the_circle_finder_finds_circles() -> None:
    graph = grimp.ImportGraph()
    for module in ("p.a", "p.b", "p.c", "p.d"):
        graph.add_module(module)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.c")
    graph.add_import(importer="p.c", imported="p.a")
    graph.add_import(importer="p.c", imported="p.d")
    assert _circles(graph) == [["p.a", "p.b", "p.c"]]


EDGES = ("api", "opendata", "web", "cli", "relay.py", "importing.py", "app.py")
STORE_READS = {"select", "ask", "construct", "quads", "describe", "contains", "count", "dump", "commit",
               "public_query", "last_touched", "touched_since"}
# The SPARQL endpoint's worker runs a reader's own query on its read-only snapshot: that is its whole job.
RAW_STORE_ALLOWED = {"graphe/opendata/sparql/worker.py"}


def _store_calls(path: Path, root: Path = ROOT) -> list[str]:
    """Calls `….store.select(…)` (and the other reads and writes of the store) in a file."""
    import ast

    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in STORE_READS:
            target = node.func.value
            name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
            if name == "store":
                found.append(f"{path.relative_to(root)}:{node.lineno} {ast.unparse(node.func)}")
    return found


def test_edges_reach_data_only_through_the_domain() -> None:
    """GraphQL, open data, pages and the CLI call the domain's functions (`service`, `read`, `publishing`…),
    never the store's queries themselves."""
    package = ROOT / "graphe"
    files = [p for edge in EDGES for p in ((package / edge).rglob("*.py") if (package / edge).is_dir()
                                           else [package / edge])]
    assert len(files) > 20
    calls = [c for f in files if str(f.relative_to(ROOT)) not in RAW_STORE_ALLOWED for c in _store_calls(f)]
    assert calls == []


def test_the_edge_check_sees_a_store_call(tmp_path: Path) -> None:
    sample = tmp_path / "edge.py"
    sample.write_text("def f(graphe, store):\n    graphe.store.select('ASK {}')\n    return store.quads(1)\n",
                      encoding="utf-8")
    assert _store_calls(sample, tmp_path) == ["edge.py:2 graphe.store.select", "edge.py:3 store.quads"]


def test_only_the_collector_module_touches_the_garbage_collector() -> None:
    """GC policy lives in `core/collector.py` (the measured policies, docs/architecture.md); library code
    elsewhere never imports `gc`."""
    from imports_scan import imports

    found = [f"{path}:{line}" for path, line, module in imports() if module == "gc" and path != "core/collector.py"]
    assert not found, found


# Tests that are about the whole house rather than one package stay at the top of tests/.
HOUSE_TESTS = {"test_architecture.py", "test_guarantees.py", "test_seeds.py", "test_bench_commands.py",
               *(f"test_bench_{b}.py" for b in ("import", "restart", "sparql", "virtuoso"))}  # one per bench module
EDGE_DIRS = {"docs"}  # tests of the guides: each runs a guide's commands and queries


def test_tests_mirror_the_packages() -> None:
    """tests/<package>/ for each package of graphe/ that has tests, and no other test folder."""
    packages = {p.parent.name for p in (ROOT / "graphe").glob("*/__init__.py")}
    folders = {p.name for p in (ROOT / "tests").iterdir() if p.is_dir() and any(p.glob("test_*.py"))}
    assert folders - packages <= EDGE_DIRS, folders - packages - EDGE_DIRS
    assert packages == folders - EDGE_DIRS, packages ^ (folders - EDGE_DIRS)
    loose = {p.name for p in (ROOT / "tests").glob("test_*.py")}
    assert loose == HOUSE_TESTS, loose ^ HOUSE_TESTS
    import tomllib
    pythonpath = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["pythonpath"]
    assert set(pythonpath) == {"tests", *(f"tests/{f}" for f in folders)}  # helpers shared by module name
