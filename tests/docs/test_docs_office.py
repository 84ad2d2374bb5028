"""docs/office.md's commands, run as written (the person's identifier put in for `PERSONNE`)."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

from graphe.cli.main import main

DOC = Path(__file__).resolve().parents[2] / "docs" / "office.md"
TEXT = DOC.read_text(encoding="utf-8")
COMMANDS = [line for block in re.findall(r"```sh\n(.*?)```", TEXT, re.S) for line in block.splitlines() if line]


def _run(line: str, capsys) -> str:  # type: ignore[no-untyped-def]
    words = shlex.split(line)
    assert words[0] == "graphe"
    code = main(words[1:])
    out = capsys.readouterr()
    assert code == 0, out
    return out.out


def test_the_guide_names_every_page() -> None:
    for path in ("/connexion", "/invitation/", "/espace", "/espace/personnes", "/espace/jetons", "/espace/pratique",
                 "/espace/brouillons", "/espace/relecture", "/espace/fiche", "/espace/journal", "/espace/fichiers", "/espace/projet-ia"):
        assert f"`{path}" in TEXT, path


def test_the_commands_run_as_written(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    assert [shlex.split(c)[1:3] for c in COMMANDS] == [["person", "invite"], ["person", "list"],
                                                        ["person", "invite-again"], ["person", "disable"]]
    invited = _run(COMMANDS[0], capsys)
    link = re.search(r"^https://graphe\.example\.org/invitation/\S+$", invited, re.M)
    assert link and "Awa Diop" in invited
    listed = _run(COMMANDS[1], capsys)
    ident, role, state = listed.split()[:3]
    assert (role, state) == ("secretariat", "invitée") and "awa.diop@example.org" in listed
    again = _run(COMMANDS[2].replace("PERSONNE", ident), capsys)
    assert link.group(0) not in again and "/invitation/" in again
    assert "désactivé" in _run(COMMANDS[3].replace("PERSONNE", ident), capsys)
    assert "désactivée" in _run(COMMANDS[1], capsys)
