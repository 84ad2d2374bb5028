"""docs/publishing.md's walkthrough, run as written: the token, the Markdown sheet imported as a draft then
published (a second run unchanged), the same sheet through `submitPractice` and `publish`, the CSV round trip."""
from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from conftest import ThreadServer
from graphe.app import create_app
from graphe.cli.main import main
from graphe.core.rdf import NamedNode
from graphe.core.settings import Settings
from graphe.publishing import accounts
from graphe.service import Graphe
from test_workflow import Api

DOC = Path(__file__).resolve().parents[2] / "docs" / "publishing.md"
WALK = DOC.read_text(encoding="utf-8").split("## Pas à pas / Walkthrough", 1)[1]
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", WALK, re.S)
BASE = "https://graphe.aimf.asso.fr/"


def _blocks(kind: str) -> list[str]:
    return [text for language, text in BLOCKS if language == kind]


def _run(line: str, capsys) -> str:  # type: ignore[no-untyped-def]
    words = shlex.split(line)
    assert words[0] == "graphe"
    assert main(words[1:]) == 0, capsys.readouterr()
    out = capsys.readouterr()
    return out.out + out.err


def test_the_walkthrough_runs_as_written(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    commands = [line for block in _blocks("sh") for line in block.splitlines() if line.strip()]
    assert len(commands) == 6 and len(_blocks("markdown")) == 1 and len(_blocks("graphql")) == 2
    (tmp_path / "fiche-dakar.md").write_text(_blocks("markdown")[0], encoding="utf-8")
    said = [_run(line, capsys) for line in commands[:4]]
    assert re.search(r"grp_\w+", said[0])  # the token, shown once
    assert "fiche-dakar.md : 1 brouillon(s)" in said[1]
    assert "fiche-dakar.md : 1 publié(s)" in said[2] and "fiche-dakar.md : 1 inchangé(s)" in said[3]
    export, reimport = (_run(line, capsys) for line in commands[4:])
    rows = (tmp_path / "pratiques.csv").read_text(encoding="utf-8")
    assert "Cartes ouvertes de Dakar" in rows
    assert re.search(r"pratiques\.csv : \d+ inchangé\(s\)", reimport) and "publié" not in reimport, reimport


def test_the_walkthrough_s_mutations_propose_then_publish(tmp_path) -> None:  # type: ignore[no-untyped-def]
    graphe = Graphe.open(Settings(data_dir=tmp_path / "donnees"))
    try:
        _, city_token = accounts.create(graphe.store, "contributor", "Service numérique de Dakar", BASE + "id/city/dakar")
        _, aimf_token = accounts.create(graphe.store, "secretariat", "Secrétariat AIMF")
        server = ThreadServer(create_app(graphe))
        try:
            propose, publish = _blocks("graphql")
            variables = json.loads(_blocks("json")[0])
            draft = Api(server, city_token).ok(propose, **variables)["submitPractice"]
            assert draft["state"] == "DRAFT" and draft["target"] == BASE + "id/practice/cartes-ouvertes-de-dakar-2"
            version = Api(server, aimf_token).ok(publish, id=draft["id"])["publish"]
            assert version["number"] == 1 and version["revision"] > 0
            seen = Api(server).ok("query($id: ID!) { practice(id: $id) { title city { name } } }", id=draft["target"])
            assert seen["practice"] == {"title": "Cartes ouvertes de Dakar (bis)", "city": {"name": "Dakar"}}
        finally:
            server.stop()
    finally:
        graphe.close()


def test_the_mapping_example_publishes_and_derives_its_skos_triple(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """docs/publishing.md's « Correspondances entre critères »: its Turtle file and its command, as written."""
    section = DOC.read_text(encoding="utf-8").split("## Correspondances entre critères", 1)[1].split("\n## ", 1)[0]
    [turtle] = re.findall(r"```turtle\n(.*?)```", section, re.S)
    [command] = [line for block in re.findall(r"```sh\n(.*?)```", section, re.S) for line in block.splitlines() if line]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "correspondance.ttl").write_text(turtle, encoding="utf-8")
    said = _run(command, capsys)
    assert "correspondance.ttl : 1 publié(s)" in said, said
    graphe = Graphe.open(Settings(data_dir=tmp_path / "donnees"), search="off")
    try:
        rows = graphe.store.select("SELECT ?m WHERE { ?c <http://www.w3.org/2004/02/skos/core#relatedMatch> ?m }",
                                   {"c": NamedNode(BASE + "id/criterion/nantes-metropole-cadre-de-confiance-ia-7")})
        assert [r["m"].value for r in rows] == [BASE + "id/criterion/declaration-de-montreal-9"]
    finally:
        graphe.close()
