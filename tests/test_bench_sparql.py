"""`python -m bench.sparql` end to end at a tiny size: every row of its table is there, with numbers, and
nothing is left behind (servers, temporary folders)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NUMBER = r"\d+(?:\.\d+)?"


def test_bench_sparql_table() -> None:
    from bench.sparql import QUERIES

    virtuoso = shutil.which("virtuoso-t") is not None
    if not virtuoso and os.environ.get("CI"):
        raise AssertionError("virtuoso-t missing: .ci/run installs virtuoso-opensource-7-bin")
    before = set(Path(tempfile.gettempdir()).glob("graphe-bench-sparql-*"))
    args = [sys.executable, "-m", "bench.sparql", "--practices", "30", "--runs", "1", "--samples", "1"]
    done = subprocess.run(args + ([] if virtuoso else ["--no-virtuoso"]), cwd=ROOT, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    kinds = ["SPARQL endpoint, embedded store"]
    if virtuoso:
        kinds += ["SPARQL endpoint, Graphe on Virtuoso", "SPARQL engine gap, Virtuoso vs pyoxigraph"]
    for kind in kinds:
        for name in QUERIES:
            row = re.search(rf"^\| {re.escape(kind)}: {re.escape(name)} \| ({NUMBER}) \| ({NUMBER}) \| ({NUMBER})× \|",
                            done.stdout, re.M)
            assert row, f"row missing: {kind}: {name}\n{done.stdout}"
            assert all(float(x) > 0 for x in row.groups())
    assert set(Path(tempfile.gettempdir()).glob("graphe-bench-sparql-*")) == before  # its folder removed
    if not virtuoso:
        pytest.skip("Virtuoso absent: only the embedded-store rows were checked")
