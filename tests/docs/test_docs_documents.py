"""docs/deployment.md's « Les documents » section, run as written: `graphe document add` stores the file and
prints the Turtle that `graphe load` then publishes; the published description then finds the file."""
from __future__ import annotations

import hashlib
import re
import shlex
from pathlib import Path

from graphe.cli import main as cli

DOC = Path(__file__).resolve().parents[2] / "docs" / "deployment.md"
SECTION = DOC.read_text(encoding="utf-8").split("## Les documents", 1)[1].split("\n## ", 1)[0]
COMMANDS = [line for block in re.findall(r"```sh\n(.*?)```", SECTION, re.S) for line in block.splitlines() if line]
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def test_the_commands_run_as_written(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "deliberation.pdf").write_bytes(PDF)
    assert [shlex.split(c)[1:3] for c in COMMANDS] == [["document", "add"], ["load", "deliberation.ttl"]]
    words = shlex.split(COMMANDS[0])
    assert words[-2] == ">"  # its standard output is the Turtle file
    assert cli.main(words[1:-2]) == 0
    out = capsys.readouterr()
    (tmp_path / words[-1]).write_text(out.out, encoding="utf-8")
    digest = hashlib.sha256(PDF).hexdigest()
    assert digest in out.out and "Document rangé" in out.err
    assert (tmp_path / "donnees" / "documents" / digest[:2] / digest).read_bytes() == PDF
    assert cli.main(shlex.split(COMMANDS[1])[1:]) == 0, capsys.readouterr()

    from graphe.core.settings import Settings
    from graphe.read.documents import by_checksum
    from graphe.service import Graphe

    graphe = Graphe.open(Settings.load(data_dir=str(tmp_path / "donnees")), search="off")
    try:
        found = by_checksum(graphe.store, digest)
    finally:
        graphe.close()
    assert found is not None and found.title == "Délibération du conseil métropolitain"
    assert found.media_type == "application/pdf"
    assert found.iri.endswith("/id/charter/nantes-metropole-cadre-de-confiance-ia/document/1")
