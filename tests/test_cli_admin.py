"""`graphe token` and `graphe import`, on a data directory and while `graphe serve` holds it."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import httpx

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
