"""`python -m bench.virtuoso` at a tiny size: its rows and numbers, and nothing left behind."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_virtuoso_benchmark_prints_its_rows_and_cleans_up(tmp_path: Path) -> None:
    if shutil.which("virtuoso-t") is None or shutil.which("wrk") is None:
        if os.environ.get("CI"):
            raise AssertionError("virtuoso-t and wrk are needed: .ci/run installs them")
        pytest.skip("Virtuoso or wrk absent (installés par .ci/run)")
    done = subprocess.run([sys.executable, "-m", "bench.virtuoso", "--practices", "30", "--runs", "1",
                           "--seconds", "1"], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "TMPDIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ") and not line.startswith("| figure")]
    names = [row.split(" | ")[0][2:] for row in rows]
    assert len(rows) == 4, done.stdout
    assert names[0].startswith("import on Virtuoso") and "hot" in names[1] and "varied" in names[2] \
        and "detail" in names[3]
    for row in rows:
        cells = row.split(" | ")
        graphe, baseline, ratio = (float(re.sub(r"[^\d.]", "", c.split()[0])) for c in cells[1:4])
        assert graphe > 0 and baseline > 0 and ratio > 0, row
        assert cells[5] in ("yes", "NO"), row
    for row in rows[2:]:
        assert re.search(r"p50 [\d.]+ ms, p99 [\d.]+ ms; p99/p50 [\d.]+ \((met|MISSED)", row), row
    assert list(tmp_path.iterdir()) == []  # its folders (databases, data files) removed
    running = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert str(tmp_path) not in running  # no Virtuoso nor server left running
