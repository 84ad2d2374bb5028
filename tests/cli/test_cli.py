"""The real `graphe` command and the real `graphe serve`, in child processes."""
from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import rdflib

from conftest import ROOT, run_cli, start_server
from graphe.core import settings as settings_module

NEW_CITY = """@prefix schema: <https://schema.org/> .
@prefix dct: <http://purl.org/dc/terms/> .
<id/city/lyon> a schema:City ; schema:name "Lyon"@fr ; schema:addressCountry "FR" ;
    dct:source <id/source/aimf-article-2024-nantes-ia> .
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


def test_every_environment_variable_is_documented_in_the_deployment_guide() -> None:
    guide = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    for variable in settings_module.ENVIRONMENT:
        assert variable in guide, variable


def _billion_laughs(levels: int) -> str:
    """The "billion laughs" RDF/XML: each entity ten of the previous (kept small here: should the refusal ever
    go, the test fails on the parse succeeding, not on the machine's memory)."""
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels + 1)]
    return ('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(entities) + "\n]>\n"
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">\n'
            f'<rdf:Description rdf:about="http://example.org/s"><ex:p>&lol{levels};</ex:p></rdf:Description>\n'
            "</rdf:RDF>\n")


def test_rdf_xml_with_a_dtd_is_refused_before_any_expansion(tmp_path: Path) -> None:
    from graphe.core import rdf
    from graphe.core.errors import GrapheError

    laughs = tmp_path / "rires.rdf"
    laughs.write_text(_billion_laughs(4), encoding="utf-8")
    external = tmp_path / "externe.rdf"
    external.write_text('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "file:///etc/passwd">\n'
                        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n', encoding="utf-8")
    fmt = rdf.format_named("rdf")
    for path in (laughs, external):
        # What `submitDraft` parses with, what `graphe load` reads whole, and the stream of big imports.
        for parse in (lambda: rdf.parse_bytes(path.read_bytes(), fmt, "https://example.org/", "brouillon"),
                      lambda: rdf.parse_file(path, "https://example.org/"),
                      lambda: list(rdf.stream_file(path, "https://example.org/"))):
            with pytest.raises(GrapheError) as refused:
                parse()
            assert refused.value.code == "DTD_REFUSED" and refused.value.details["line"] == 2
            assert "DOCTYPE" in refused.value.message_fr and "refused" in refused.value.message_en
    data = str(tmp_path / "data")
    _one_line_error(run_cli("load", str(laughs), "--data", data), "DTD_REFUSED")
    imported = run_cli("import", str(laughs), "--data", data)
    assert imported.returncode == 1 and "erreur [DTD_REFUSED]" in imported.stdout, imported.stdout
    plain = tmp_path / "ville.rdf"  # RDF/XML without a DTD still loads
    plain.write_text('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                     'xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/s">'
                     "<ex:p>x</ex:p></rdf:Description></rdf:RDF>\n", encoding="utf-8")
    assert len(rdf.parse_bytes(plain.read_bytes(), fmt, "https://example.org/")) == 1


def test_files_over_the_import_cap_are_refused_before_the_store_opens(tmp_path: Path) -> None:
    big = tmp_path / "gros.ttl"
    big.write_text("# " + "x" * (3 << 19) + "\n", encoding="utf-8")  # 1.5 MB of valid Turtle
    capped = {"GRAPHE_IMPORT_MAX_MB": "1"}
    for command in ("load", "validate", "import"):
        result = run_cli(command, str(big), "--data", str(tmp_path / "data"), env=capped)
        _one_line_error(result, "FILE_TOO_LARGE")
        assert "GRAPHE_IMPORT_MAX_MB" in result.stderr
        assert not (tmp_path / "data").exists()  # refused before the store was opened (or seeded)
    english = run_cli("--lang", "en", "load", str(big), "--memory", env=capped)
    assert "more than the largest import allowed" in english.stderr


def test_english_is_whole_argparse_included_and_french_is_the_default() -> None:
    for english in (run_cli("--lang", "en", "load"), run_cli("load", "--lang", "en"),
                    run_cli("load", env={"GRAPHE_LANG": "en"})):
        assert english.returncode == 2
        assert english.stderr.startswith("usage: graphe load"), english.stderr
        assert "graphe: error [USAGE]: the following arguments are required: FILE" in english.stderr
    help_en = run_cli("--lang", "en", "token", "create", "--help").stdout
    assert help_en.startswith("usage: ") and "options:" in help_en
    assert "show this help message and exit" in help_en and "who will use this token" in help_en
    assert not any(word in help_en for word in ("utilisation", "afficher", "jeton", "DOSSIER"))
    bad_choice = run_cli("--lang", "en", "export", "--format", "docx").stderr
    assert "argument --format: invalid choice: 'docx'" in bad_choice
    french = run_cli("load")
    assert french.stderr.startswith("utilisation : graphe load")
    assert "graphe : erreur [USAGE] : arguments obligatoires manquants : FICHIER" in french.stderr
    assert "afficher cette aide et quitter" in run_cli("token", "create", "--help").stdout
    assert "argument --format : choix invalide : 'docx'" in run_cli("export", "--format", "docx").stderr


def test_export_into_a_closed_pipe_stops_quietly(tmp_path: Path) -> None:
    process = subprocess.Popen([sys.executable, "-m", "graphe.cli", "export", "--format", "nt",
                                "--data", str(tmp_path / "data")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline().startswith(b"<")
    process.stdout.close()  # as `| head -1` does: the dump (≈ 200 KB) is far from written
    errors = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait(timeout=120) == 141
    assert "Traceback" not in errors and "Broken" not in errors and "erreur" not in errors, errors


def test_serve_says_the_port_is_taken_before_anything_else(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--port", str(port), "--data", str(tmp_path / "data"))
    _one_line_error(result, "PORT_IN_USE")
    assert f"Port {port} occupé" in result.stderr
    assert "Données initiales" not in result.stderr + result.stdout and not (tmp_path / "data").exists()


def test_progress_goes_line_by_line_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "graphe.cli", "reindex", "--data", str(tmp_path / "data")],
                            capture_output=True, cwd=ROOT)  # bytes: text mode would turn "\r" into "\n"
    assert result.returncode == 0, result.stderr
    assert b"\r" not in result.stderr
    bars = [line for line in result.stderr.decode().split("\n") if line.startswith("Indexation [")]
    assert bars
    done, total = bars[-1].rsplit(" ", 1)[1].split("/")
    assert done == total and int(total) > 0
    assert len(bars) <= 11  # one line per tenth at most, however many batches


def test_serve_speaks_english_from_its_first_line(tmp_path: Path) -> None:
    server = start_server("--data", str(tmp_path / "data"), "--lang", "en")
    try:
        assert "Seed data loaded:" in server.banner and f"listens on http://127.0.0.1:{server.port}/" in server.banner
        assert "Données" not in server.banner and "écoute" not in server.banner
    finally:
        server.stop()
