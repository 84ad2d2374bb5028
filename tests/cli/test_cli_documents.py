"""`graphe document add` in a child process: the file stored by checksum (idempotent), Turtle on the standard
output, refusals on one coded line."""
from __future__ import annotations

import hashlib
from pathlib import Path

import rdflib

from conftest import run_cli

OWNER = "https://graphe.aimf.asso.fr/id/city/dakar"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


def test_a_document_is_stored_and_described(tmp_path: Path) -> None:
    path = tmp_path / "plan.jpg"  # a PNG with a wrong name: typed by its bytes
    path.write_bytes(PNG)
    digest = hashlib.sha256(PNG).hexdigest()
    for _ in range(2):  # twice: the same file, nothing more
        done = run_cli("document", "add", str(path), "--owner", OWNER, "--title", "Plan du quartier",
                       "--language", "fr", "--license", "cc-by-4.0", "--number", "2", "--data", str(tmp_path / "d"))
        assert done.returncode == 0, done.stderr
    assert [p for p in (tmp_path / "d" / "documents").rglob("*") if p.is_file()] == [
        tmp_path / "d" / "documents" / digest[:2] / digest]
    assert f"# Empreinte (SHA-256) : {digest}" in done.stdout and "PNG" in done.stderr
    graph = rdflib.Graph().parse(data=done.stdout, format="turtle")
    doc = rdflib.URIRef(OWNER + "/document/2")
    assert (rdflib.URIRef(OWNER), rdflib.URIRef("https://graphe.aimf.asso.fr/def#document"), doc) in graph
    assert graph.value(doc, rdflib.URIRef("http://www.w3.org/ns/dcat#mediaType")) == rdflib.URIRef(
        "http://www.iana.org/assignments/media-types/image/png")
    assert str(graph.value(doc, rdflib.URIRef("http://www.w3.org/ns/dcat#downloadURL"))).endswith("/documents/" + digest)


def test_refusals_are_one_coded_line(tmp_path: Path) -> None:
    exe = tmp_path / "outil.pdf"
    exe.write_bytes(b"MZ\x90\x00" + b"\x00" * 100)
    for args, code in (([str(exe), "--owner", OWNER], "DOCUMENT_TYPE_REFUSED"),
                       ([str(exe), "--owner", "https://ailleurs.example/x"], "BAD_USER_INPUT"),
                       ([str(tmp_path / "absent.pdf"), "--owner", OWNER], "FILE_NOT_FOUND"),
                       ([str(exe), "--owner", OWNER, "--language", "xx"], "BAD_USER_INPUT")):
        result = run_cli("document", "add", *args, "--data", str(tmp_path / "d"))
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert result.stderr.strip().splitlines()[-1].startswith(f"graphe : erreur [{code}]"), result.stderr
        assert result.stdout == ""
