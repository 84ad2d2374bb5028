"""The real `graphe` command and the real `graphe serve`, in child processes."""
from __future__ import annotations

from pathlib import Path

import httpx
import rdflib

from conftest import ROOT, run_cli, start_server
from graphe import settings as settings_module

NEW_CITY = """@prefix schema: <https://schema.org/> .
@prefix dct: <http://purl.org/dc/terms/> .
<id/city/lyon> a schema:City ; schema:name "Lyon"@fr ; schema:addressCountry "FR" ;
    dct:source <id/source/city-reference-data> .
"""


def _one_line_error(result, code: str) -> None:  # type: ignore[no-untyped-def]
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "erreur [" in line]
    assert len(errors) == 1 and errors[0].startswith(f"graphe : erreur [{code}]"), result.stderr


def test_help_is_in_french_and_lists_every_command() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    assert "utilisation : graphe" in result.stdout and "afficher cette aide" in result.stdout
    for command in ("serve", "load", "validate", "export", "stats", "reindex"):
        assert command in result.stdout
    usage = run_cli("exporter")
    assert usage.returncode == 2 and "erreur [USAGE]" in usage.stderr and "choix invalide" in usage.stderr


def test_load_stats_export_on_a_data_directory(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    stats = run_cli("stats", "--data", data)
    assert stats.returncode == 0, stats.stderr
    assert "Données initiales chargées" in stats.stderr  # an empty store is seeded first
    assert "Ville" in stats.stdout and "<https://schema.org/City>" in stats.stdout
    city_line = next(line for line in stats.stdout.splitlines() if "<https://schema.org/City>" in line)
    assert int(city_line.split()[0]) == 8

    (tmp_path / "lyon.ttl").write_text(NEW_CITY, encoding="utf-8")
    load = run_cli("load", str(tmp_path / "lyon.ttl"), "--data", data)
    assert load.returncode == 0, load.stderr
    assert "Chargé : 4 triplets nouveaux" in load.stdout

    out = tmp_path / "dump.nt"
    export = run_cli("export", "--format", "nt", "--output", str(out), "--data", data)
    assert export.returncode == 0, export.stderr
    graph = rdflib.Graph().parse(out, format="nt")
    assert (rdflib.URIRef("https://graphe.aimf.asso.fr/id/city/lyon"), rdflib.RDF.type,
            rdflib.URIRef("https://schema.org/City")) in graph


def test_bad_inputs_give_one_line_and_a_non_zero_exit(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    bad = tmp_path / "bad.ttl"
    bad.write_text('<a> <b> "unterminated .\n', encoding="utf-8")
    _one_line_error(run_cli("load", str(bad), "--data", data), "PARSE_ERROR")
    _one_line_error(run_cli("load", str(tmp_path / "missing.ttl"), "--data", data), "FILE_UNREADABLE")
    _one_line_error(run_cli("stats", "--data", data, "--base-iri", "pas-une-iri"), "SETTINGS_INVALID")
    english = run_cli("--lang", "en", "load", str(bad), "--data", data)
    assert "invalid Turtle syntax" in english.stderr


def test_validate_reports_without_writing(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    invalid = tmp_path / "lyon.ttl"
    invalid.write_text(NEW_CITY.replace('"FR"', '"France"'), encoding="utf-8")
    before = run_cli("stats", "--data", data).stdout
    result = run_cli("validate", str(invalid), "--data", data)
    assert result.returncode == 1
    assert "non conforme" in result.stdout and "addressCountry" in result.stdout
    assert run_cli("stats", "--data", data).stdout == before
    valid = tmp_path / "ok.ttl"
    valid.write_text(NEW_CITY, encoding="utf-8")
    assert run_cli("validate", str(valid), "--data", data).returncode == 0


def test_serve_seeds_an_empty_store_answers_healthz_and_persists(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    server = start_server("--data", data)
    try:
        assert f"écoute sur http://127.0.0.1:{server.port}/" in server.banner
        health = httpx.get(server.url + "/healthz").json()
        assert health["status"] == "ok" and health["revision"] >= 2 and health["triples"] > 500
        assert health["version"]
        missing = httpx.get(server.url + "/nulle-part", headers={"Accept-Language": "en"})
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "NOT_FOUND"
        assert missing.json()["error"]["message"].startswith("No resource")
    finally:
        server.stop()
    again = start_server("--data", data)
    try:
        assert "Données initiales chargées" not in again.banner
        again_health = httpx.get(again.url + "/healthz").json()
        assert (again_health["revision"], again_health["triples"]) == (health["revision"], health["triples"])
    finally:
        again.stop()


def test_every_environment_variable_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for variable in settings_module.ENVIRONMENT:
        assert variable in readme, variable
