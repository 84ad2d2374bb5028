"""`graphe token` and `graphe import`, on a data directory and while `graphe serve` holds it."""
from __future__ import annotations

import gzip
import json
import re
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import rdflib
import rdflib.compare

from conftest import ROOT, run_cli, start_server

BASE = "https://graphe.aimf.asso.fr/"
SHEETS = ROOT / "seeds" / "sheets"


def _token(output: str) -> str:
    return re.search(r"grp_[\w-]+", output).group()


def test_tokens_are_created_listed_and_revoked_and_only_hashes_are_kept(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    created = run_cli("token", "create", "--role", "contributor", "--city", BASE + "id/city/dakar",
                      "--name", "Service numérique de Dakar", "--data", data)
    assert created.returncode == 0, created.stderr
    token = _token(created.stdout)
    listed = run_cli("token", "list", "--data", data)
    assert "contributor" in listed.stdout and "Service numérique de Dakar" in listed.stdout and "actif" in listed.stdout
    assert token not in listed.stdout
    store_files = b"".join(p.read_bytes() for p in (tmp_path / "data" / "store").rglob("*") if p.is_file())
    assert token.encode() not in store_files  # only the SHA-256 of the token is stored
    account = listed.stdout.split()[0]
    assert run_cli("token", "revoke", account, "--data", data).returncode == 0
    assert "révoqué" in run_cli("token", "list", "--data", data).stdout
    bad = run_cli("token", "create", "--role", "contributor", "--name", "Sans ville", "--data", data)
    assert bad.returncode == 1 and "erreur [BAD_USER_INPUT]" in bad.stderr
    unknown = run_cli("token", "create", "--role", "contributor", "--city", BASE + "id/city/atlantis",
                      "--name", "x", "--data", data)
    assert unknown.returncode == 1 and "erreur [NOT_FOUND]" in unknown.stderr


def test_import_sheets_as_drafts_then_publish_with_a_report_per_file(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    files = sorted(str(p) for p in SHEETS.iterdir())
    drafts = run_cli("import", *files, "--data", data)
    assert drafts.returncode == 0, drafts.stderr
    assert "Import [" in drafts.stderr
    assert len([line for line in drafts.stdout.splitlines() if "brouillon(s)" in line]) == len(files)
    published = run_cli("import", "--publish", *files, "--data", data)
    assert published.returncode == 0, published.stderr
    assert all("publié(s)" in line for line in published.stdout.splitlines())
    again = run_cli("import", "--publish", *files, "--data", data)
    assert all("inchangé(s)" in line for line in again.stdout.splitlines())


def test_each_file_is_all_or_nothing(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    good = tmp_path / "bonne.csv"
    shutil.copy(SHEETS / "pratiques.csv", good)
    broken = tmp_path / "mauvaise.csv"
    lines = (SHEETS / "pratiques.csv").read_text(encoding="utf-8").splitlines()
    broken.write_text("\n".join([lines[0], lines[1], lines[2].replace("dakar", "atlantis", 1)
                                 if "dakar" in lines[2] else lines[2] + "|id/theme/atlantis"]) + "\n", encoding="utf-8")
    result = run_cli("import", "--publish", str(good), str(broken), "--data", data)
    assert result.returncode == 1
    report = result.stdout.splitlines()
    assert "publié(s)" in report[0] and "erreur [VALIDATION_FAILED]" in report[1] and "rien d'écrit" in report[1]
    csv_out = tmp_path / "export.csv"
    assert run_cli("export", "--format", "csv", "-o", str(csv_out), "--data", data).returncode == 0
    published = csv_out.read_text(encoding="utf-8")
    assert published.count("Exemple") == 2  # the good file's two rows, none of the broken file's


def test_exported_csv_imports_back_unchanged(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    out = tmp_path / "pratiques.csv"
    assert run_cli("export", "--format", "csv", "-o", str(out), "--data", data).returncode == 0
    rerun = run_cli("import", "--publish", str(out), "--data", data)
    assert rerun.returncode == 0, rerun.stderr
    assert "3 inchangé(s)" in rerun.stdout


def test_token_and_import_work_while_the_service_runs(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    server = start_server("--data", data)
    try:
        created = run_cli("token", "create", "--role", "secretariat", "--name", "Collègue", "--data", data)
        assert created.returncode == 0, created.stderr
        assert "commande envoyée" in created.stderr
        token = _token(created.stdout)
        who = httpx.post(server.url + "/graphql", json={"query": "{ drafts { id } }"},
                         headers={"Authorization": f"Bearer {token}"})
        assert who.status_code == 200 and who.json() == {"data": {"drafts": []}}
        imported = run_cli("import", "--publish", str(SHEETS / "pratiques.csv"), "--data", data)
        assert imported.returncode == 0, imported.stderr
        search = httpx.post(server.url + "/graphql", json={"query": '{ search(text: "Exemple") { totalCount } }'})
        assert search.json()["data"]["search"]["totalCount"] >= 2
        foreign = httpx.post(server.url + "/_admin/token-list", json={}, headers={"Authorization": "Bearer nope"})
        assert foreign.status_code == 403
    finally:
        server.stop()
    assert not (tmp_path / "data" / "admin.secret").exists()


def test_export_and_stats_are_relayed_while_the_service_runs_and_bodies_are_capped(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    server = start_server("--data", data, env={"GRAPHE_IMPORT_MAX_MB": "1"})
    try:
        stats = run_cli("stats", "--data", data)
        assert stats.returncode == 0, stats.stderr
        assert "commande envoyée" in stats.stderr and "STORE_LOCKED" not in stats.stderr
        health = httpx.get(server.url + "/healthz").json()
        assert f"— {health['triples']} triplets publiés" in stats.stdout.splitlines()[0]
        cities = next(line for line in stats.stdout.splitlines() if "<https://schema.org/City>" in line)
        assert int(cities.split()[0]) == 8
        out = tmp_path / "dump.nt.gz"
        export = run_cli("export", "--format", "nt", "-o", str(out), "--data", data)
        assert export.returncode == 0, export.stderr
        relayed = rdflib.Graph().parse(data=gzip.decompress(out.read_bytes()), format="nt")
        csv_out = run_cli("export", "--format", "csv", "--data", data)
        assert csv_out.returncode == 0 and csv_out.stdout.count("\n") == 4, csv_out.stdout  # header, 3 practices
        secret = {"Authorization": "Bearer " + (tmp_path / "data" / "admin.secret").read_text()}
        # Refused on the declared length, before the body is read; then a body streamed without a length.
        oversized = httpx.post(server.url + "/_admin/token-list", content=b"{" + b" " * (2 << 20) + b"}",
                               headers=secret)
        assert oversized.status_code == 413 and oversized.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
        assert oversized.json()["error"]["message"].startswith("Corps de la commande trop grand")
        streamed = httpx.post(server.url + "/_admin/import", params={"name": "gros.ttl"}, headers=secret,
                              content=iter([b"# " + b"x" * (1 << 20)] * 2))
        assert streamed.status_code == 413
        malformed = httpx.post(server.url + "/_admin/token-create", json={"role": "admin"}, headers=secret)
        assert malformed.status_code == 400 and malformed.json()["error"]["code"] == "BAD_REQUEST"
    finally:
        server.stop()
    local = run_cli("export", "--format", "nt", "--data", data)
    assert "commande envoyée" not in local.stderr
    assert rdflib.compare.isomorphic(relayed, rdflib.Graph().parse(data=local.stdout, format="nt"))


class _Breaking(threading.Thread):
    """A service that reads an administration command then dies without answering (as a SIGKILL would)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.requests = 0

    def run(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            with connection:
                connection.recv(1 << 16)
                self.requests += 1

    def stop(self) -> None:
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(): the port closes for good
        except OSError:
            pass
        self.listener.close()
        self.join(10)


def test_a_relay_broken_mid_command_reports_an_unknown_outcome(tmp_path: Path) -> None:
    from graphe.service import Graphe
    from graphe.core.settings import Settings

    folder = tmp_path / "data"
    holder = Graphe.open(Settings(data_dir=folder), seed=False, search="off")  # holds the store, as serve does
    breaking = _Breaking()
    breaking.start()
    try:
        (folder / "server.json").write_text(json.dumps({"url": breaking.url}), encoding="utf-8")
        (folder / "admin.secret").write_text("secret", encoding="utf-8")
        result = run_cli("import", "--publish", str(SHEETS / "pratiques.csv"), "--data", str(folder))
        assert breaking.requests == 1
        assert result.returncode == 1
        assert "erreur [OUTCOME_UNKNOWN]" in result.stdout and "état inconnu, relancez" in result.stdout
        assert "rien d'écrit" not in result.stdout and "Traceback" not in result.stderr
        english = run_cli("--lang", "en", "stats", "--data", str(folder))
        assert "error [OUTCOME_UNKNOWN]" in english.stderr and "outcome unknown" in english.stderr
        breaking.stop()
        gone = run_cli("import", str(SHEETS / "pratiques.csv"), "--data", str(folder))
        assert "erreur [SERVER_UNREACHABLE]" in gone.stdout and "rien d'écrit" in gone.stdout  # nothing was sent
    finally:
        breaking.stop()
        holder.close()


def test_import_progress_is_line_by_line_off_a_terminal(tmp_path: Path) -> None:
    files = sorted(str(p) for p in SHEETS.iterdir())
    result = subprocess.run([sys.executable, "-m", "graphe.cli", "import", *files, "--data", str(tmp_path / "data")],
                            capture_output=True, cwd=ROOT)  # bytes: text mode would turn "\r" into "\n"
    assert result.returncode == 0, result.stderr
    assert b"\r" not in result.stderr
    bars = [line for line in result.stderr.decode().split("\n") if line.startswith("Import [")]
    assert [line.rsplit(" ", 1)[1] for line in bars] == [f"{i}/{len(files)}" for i in range(len(files) + 1)]
