"""Documents in the domain: the type read from the bytes (never the name), the cap checked while reading,
storage by checksum (atomic, idempotent), and descriptions the shapes accept."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from rdflib import Graph

from graphe.core.errors import GrapheError
from graphe.publishing import documents
from graphe.publishing.documents import Folder

BASE = "https://graphe.aimf.asso.fr/"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40


def _zip(files: list[tuple[str, str]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, text in files:
            z.writestr(name, text)
    return out.getvalue()


ODT = _zip([("mimetype", "application/vnd.oasis.opendocument.text"), ("content.xml", "<office/>")])
DOCX = _zip([("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w:document/>")])


@pytest.fixture
def folder(tmp_path: Path) -> Folder:
    return Folder(tmp_path / "documents", 1 << 20)


@pytest.mark.parametrize("data, media", [
    (PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg"),
    (ODT, "application/vnd.oasis.opendocument.text"),
    (DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("commune;habitants;année\nDakar;1 438 725;2023\nNantes;320 732;2021\n".encode(), "text/csv"),
])
def test_the_type_comes_from_the_bytes(folder: Folder, data: bytes, media: str) -> None:
    assert folder.store_bytes(data, "nom-trompeur.png").media_type == media


@pytest.mark.parametrize("data", [
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200,  # a Windows executable
    b"\x7fELF\x02\x01\x01" + b"\x00" * 100,  # a Linux one
    b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>\n",
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>\n',
    _zip([("a.txt", "un zip qui n'est ni ODT ni DOCX")]),
    "commune;habitants\nDakar;1438725\nSaint-Étienne;172565\n".encode("latin-1"),  # CSV, not UTF-8
    "Une phrase en prose.\nEt une autre, plus longue, que la première.\n".encode(),  # prose
    b"",
])
def test_anything_else_is_refused_and_nothing_is_kept(folder: Folder, data: bytes) -> None:
    with pytest.raises(GrapheError) as refused:
        folder.store_bytes(data, "rapport.pdf")
    assert refused.value.code == "DOCUMENT_TYPE_REFUSED" and refused.value.details["status"] == 415
    assert "type de fichier refusé" in refused.value.message_fr and "type refused" in refused.value.message_en
    assert not [p for p in folder.path.rglob("*") if p.is_file()]  # no file, no temporary left


class Counting(io.RawIOBase):
    """A stream of `size` bytes of a PDF that counts what was read from it."""

    def __init__(self, size: int) -> None:
        self.size, self.given = size, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        n = min(len(buffer), self.size - self.given)
        chunk = (PDF + b"x" * n)[:n] if self.given == 0 else b"x" * n
        buffer[:n] = chunk
        self.given += n
        return n


def test_the_cap_is_checked_while_reading(folder: Folder) -> None:
    cap = folder.max_bytes
    assert folder.store(Counting(cap)).size == cap  # exactly the cap: accepted
    over = Counting(cap + 1)
    with pytest.raises(GrapheError) as refused:
        folder.store(over)
    assert refused.value.code == "TOO_LARGE" and refused.value.details["status"] == 413
    huge = Counting(50 * cap)
    with pytest.raises(GrapheError):
        folder.store(huge)
    assert huge.given <= cap + documents.CHUNK  # refused once past the cap, never read whole
    assert len([p for p in folder.path.rglob("*") if p.is_file()]) == 1  # only the accepted one


def test_storage_by_checksum_is_idempotent(folder: Folder) -> None:
    import hashlib

    first = folder.store_bytes(PDF, "a.pdf")
    again = folder.store_bytes(PDF, "b.png")
    digest = hashlib.sha256(PDF).hexdigest()
    assert first == again and first.checksum == digest and first.size == len(PDF)
    path = folder.path / digest[:2] / digest
    assert folder.file(digest) == path and path.read_bytes() == PDF
    assert [p for p in folder.path.rglob("*") if p.is_file()] == [path]  # one file, no temporary left
    assert folder.stored(digest) == first
    assert folder.stored("0" * 64) is None
    with pytest.raises(GrapheError):
        folder.file("../../etc/passwd")


def test_a_description_passes_the_shapes(folder: Folder, validator) -> None:  # type: ignore[no-untyped-def]
    stored = folder.store_bytes(PDF)
    quads = documents.describe(BASE + "id/city/nantes", 1, stored, "Délibération n° 3", BASE, "fr",
                               documents.LICENSES["etalab-2.0"][0])
    city = Path(__file__).resolve().parents[2] / "ontology" / "examples" / "valid" / "city.ttl"
    graph = Graph().parse(city, format="turtle").parse(data=documents.turtle(quads), format="turtle")
    report = validator.validate(graph)
    assert report.conforms and not report.warnings, report.format("fr")
    values = documents.form_values(quads, BASE + "id/city/nantes")
    assert values == {"document_checksum_1": [stored.checksum], "document_title_1": ["Délibération n° 3"],
                      "document_language_1": ["fr"], "document_license_1": ["etalab-2.0"]}
    assert documents.read_form(values, BASE + "id/city/nantes", BASE, folder) == quads


def test_a_form_row_names_only_a_stored_file(folder: Folder) -> None:
    with pytest.raises(GrapheError) as refused:
        documents.read_form({"document_checksum_1": ["a" * 64], "document_title_1": ["x"]}, BASE + "id/practice/p",
                            BASE, folder)
    assert refused.value.details["field"] == "document_checksum_1"
    stored = folder.store_bytes(PNG)
    with pytest.raises(GrapheError) as untitled:
        documents.read_form({"document_checksum_1": [stored.checksum]}, BASE + "id/practice/p", BASE, folder)
    assert untitled.value.details["field"] == "document_title_1"
    removed = {"document_checksum_1": [stored.checksum], "document_title_1": ["x"], "document_remove_1": ["1"]}
    assert documents.read_form(removed, BASE + "id/practice/p", BASE, folder) == []


def test_the_download_name_comes_from_the_title() -> None:
    header = documents.disposition("Délibération n°3 / 2024: \"finale\"\r\n", "application/pdf")
    assert header.startswith('attachment; filename="Deliberation n3 2024 finale.pdf"; ')
    assert header.endswith("filename*=UTF-8''D%C3%A9lib%C3%A9ration%20n%C2%B03%202024%20finale.pdf")
    assert "\r" not in header and "\n" not in header
    assert documents.size_text(1_234_567, "fr") == "1,2 Mo" and documents.size_text(900, "en") == "900 bytes"
