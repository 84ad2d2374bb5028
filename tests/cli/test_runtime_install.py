"""Everything the service and the CLI import at run time is pinned in the runtime lock (requirements.lock), not
only in the test lock: a fresh install once died on `import httpx` while publishing. `.ci/smoke_runtime.py`
checks the same on a real runtime-only environment."""
from __future__ import annotations

import ast
import importlib.metadata
import re
import sys

from conftest import ROOT


def _imported_modules() -> set[str]:
    """Top-level names of the absolute imports of the package's modules (a parsed tree, not a text search)."""
    found: set[str] = set()
    for path in (ROOT / "graphe").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"graphe", "__future__"}


def _locked(lock: str) -> set[str]:
    names = set()
    for line in lock.splitlines():
        if match := re.match(r"^([A-Za-z0-9._-]+)==", line.strip()):
            names.add(_normal(match.group(1)))
    return names


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()  # PEP 503


def missing_from(lock: str) -> dict[str, list[str]]:
    """The third-party modules the package imports whose distribution the lock does not pin."""
    providers = importlib.metadata.packages_distributions()
    pinned = _locked(lock)
    missing = {}
    for module in sorted(_imported_modules()):
        dists = providers.get(module)
        assert dists, f"module {module} is imported by graphe but installed by no distribution"
        if not any(_normal(d) in pinned for d in dists):
            missing[module] = dists
    return missing


def test_every_module_the_package_imports_is_pinned_in_the_runtime_lock() -> None:
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    assert missing_from(lock) == {}


def test_the_check_sees_a_missing_runtime_dependency() -> None:
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    without = "\n".join(line for line in lock.splitlines() if not line.startswith("httpx=="))
    assert "httpx" in missing_from(without)


def test_the_smoke_reads_the_virtuoso_configuration_the_tests_use(tmp_path):
    """The runtime smoke (standard library only) reads the launcher's configuration from its source; a move of
    that configuration once failed CI after 28 s. Same text as the launcher writes, filled in."""
    import importlib.util

    from support import virtuoso

    spec = importlib.util.spec_from_file_location("smoke_runtime", ROOT / ".ci" / "smoke_runtime.py")
    smoke = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(smoke)
    text = smoke.virtuoso_ini(tmp_path, 1111, 2222)
    assert text == virtuoso.INI.format(d=tmp_path, sql=1111, http=2222, buffers=20000, dirty=12000, allowed="")
    assert "ServerPort = 127.0.0.1:2222" in text and "{" not in text
