"""docs/deployment.md's command table, run: every `graphe …` row has a concrete invocation here (a new row
fails until it gets one), run on a data folder of its own; `serve` is checked through its parser (starting
it is `tests/cli/test_cli.py`'s)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from graphe.cli import main as cli

DOC = Path(__file__).resolve().parents[2] / "docs" / "deployment.md"
TABLE = DOC.read_text(encoding="utf-8").split("## La commande `graphe`", 1)[1].split("## ", 1)[0]
ROWS = re.findall(r"^\| `(graphe [^`]+)` \|", TABLE, re.M)
SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SEED = SEEDS / "00-sources.ttl"  # (conforms with the data it refers to, which a new folder loads first)
ALONE = SEEDS / "10-themes.ttl"  # (conforms on its own)
# The table's row → what runs here (FICHIER: a seed file; -o: a file in the test's folder).
RUN = {
    "graphe load FICHIER…": ["load", str(SEED)],
    "graphe validate FICHIER… [--seul]": ["validate", str(ALONE), "--seul"],
    "graphe export --format ttl\\|nt\\|nq\\|jsonld\\|rdf [-o FICHIER]": ["export", "--format", "nt", "-o", "{tmp}/out.nt"],
    "graphe stats": ["stats"],
    "graphe reindex": ["reindex"],
}


def test_every_row_has_its_run() -> None:
    assert set(ROWS) == {*RUN, "graphe serve [--host H] [--port P]"}


@pytest.mark.parametrize("row", list(RUN))
def test_each_command_of_the_table_runs(row: str, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    args = [a.replace("{tmp}", str(tmp_path)) for a in RUN[row]] + ["--data", str(tmp_path / "donnees")]
    assert cli.main(args) == 0, capsys.readouterr()
    if row.startswith("graphe export"):
        assert (tmp_path / "out.nt").stat().st_size > 1000


def test_serve_takes_the_options_the_table_names() -> None:
    parsed = cli.build_parser("fr").parse_args(["serve", "--host", "0.0.0.0", "--port", "8123"])
    assert (parsed.host, parsed.port) == ("0.0.0.0", 8123)
