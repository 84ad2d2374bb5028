"""Documents over real HTTP: a city's contributor attaches a file to a practice in the back-office form, the
preview keeps it, the draft carries it, nothing is served until the secretariat publishes; then the public page
lists it and `/documents/{sha256}` serves the bytes with their type, a download name and a strong ETag. Bad files
and foreign records are refused with a coded, French-first answer that changes nothing."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import BASE, ThreadServer
from graphe.core.rdf import NamedNode
from graphe.core.settings import Settings
from graphe.model.namespaces import GR
from graphe.publishing import drafts
from graphe.service import Graphe
from test_office_drafts import signed_in_people

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
SHA = hashlib.sha256(PDF).hexdigest()
SLUG = "archives-ouvertes-de-dakar"
SHEET = {"title_fr": "Archives ouvertes de Dakar", "summary_fr": "La ville publie ses délibérations.",
         "themes": "open-data", "status": "PILOT", "source_title_1": "Page de la ville",
         "source_url_1": "https://dakar.example/archives", "source_date_1": "2024", "id": SLUG}


@pytest.fixture(scope="module")
def site(validator, tmp_path_factory) -> Iterator[tuple[Graphe, ThreadServer, Path]]:  # type: ignore[no-untyped-def]
    from graphe.app import create_app

    folder = tmp_path_factory.mktemp("documents")
    graphe = Graphe.open(Settings(data_dir=None, documents_dir=folder, documents_max_mb=1), validator=validator)
    server = ThreadServer(create_app(graphe))
    yield graphe, server, folder
    server.stop()
    graphe.close()


@pytest.fixture(scope="module")
def person(site) -> Iterator:  # type: ignore[no-untyped-def]
    graphe, server, _ = site
    yield from signed_in_people(graphe, server)


def _csrf(client: httpx.Client) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/espace").text).group(1)  # type: ignore[union-attr]


def _version(html: str) -> str:
    return re.search(r'name="version" value="(\d+)"', html).group(1)  # type: ignore[union-attr]


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_a_document_from_the_form_to_its_download(site, person) -> None:  # type: ignore[no-untyped-def]
    graphe, server, folder = site
    city = person("docs@dakar.example", "contributor", BASE + "id/city/dakar")
    aimf = person("docs@aimf.example", "secretariat")
    page = city.get("/espace/pratique")
    assert 'enctype="multipart/form-data"' in page.text and 'type="file" id="document_file_1"' in page.text
    ai_form = city.get("/espace/projet-ia")
    assert 'enctype="multipart/form-data"' in ai_form.text and 'name="document_file_1"' in ai_form.text
    csrf = _csrf(city)

    # A PDF named .png: stored at preview time, typed by its content, carried on as a hidden checksum.
    preview = city.post("/espace/pratique", data={**SHEET, "csrf": csrf, "action": "apercu",
                                                 "document_title_1": "Délibération n° 12 : archives",
                                                 "document_language_1": "fr", "document_license_1": "etalab-2.0"},
                        files=[("document_file_1", ("scan.png", PDF, "image/png"))])
    assert preview.status_code == 200, preview.text
    assert f'name="document_checksum_1" value="{SHA}"' in preview.text
    assert "Fichier gardé : PDF, 77 octets." in preview.text
    assert 'type="file" id="document_file_2"' in preview.text  # a new row for the next one
    assert _files(folder) == [folder / SHA[:2] / SHA]
    assert httpx.get(f"{server.url}/documents/{SHA}").status_code == 404  # stored, not published

    # Submitted without sending the file again: the checksum carries it.
    kept = {"document_checksum_1": SHA, "document_title_1": "Délibération n° 12 : archives",
            "document_language_1": "fr", "document_license_1": "etalab-2.0"}
    sent = city.post("/espace/pratique", data={**SHEET, **kept, "csrf": csrf, "action": "soumettre"},
                     files=[("document_file_2", ("", b"", "application/octet-stream"))])
    assert sent.status_code == 303, re.findall(r'field-errors" id="([^"]+)">(.*?)</ul>', sent.text)
    draft = sent.headers["location"].split("?")[0]
    assert f'value="{SHA}"' in city.get(draft).text
    content = drafts.content(graphe.store, draft.rsplit("/", 1)[-1])
    assert any(q.predicate.value.endswith("#document") for q in content)
    missing = httpx.get(f"{server.url}/documents/{SHA}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "NOT_FOUND"  # a draft's: never

    review = aimf.get(draft)
    assert "Document 1 (titre)" in review.text  # the reviewer sees it among the changes
    assert aimf.post(draft, data={"csrf": _csrf(aimf), "action": "publier",
                                  "version": _version(review.text)}).status_code == 303

    public = httpx.get(f"{server.url}/id/practice/{SLUG}", headers={"Accept": "text/html"})
    assert public.status_code == 200
    listed = re.search(r'<section class="documents".*?</section>', public.text, re.S)
    assert listed and f'href="/documents/{SHA}"' in listed.group(0)
    assert "Délibération n° 12 : archives" in listed.group(0) and "PDF · 77 octets · français" in listed.group(0)
    english = httpx.get(f"{server.url}/id/practice/{SLUG}", headers={"Accept": "text/html", "Accept-Language": "en"})
    assert "PDF · 77 bytes · French" in english.text

    got = httpx.get(f"{server.url}/documents/{SHA}")
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"] == ('attachment; filename="Deliberation n 12 archives.pdf"; '
                                                  "filename*=UTF-8''D%C3%A9lib%C3%A9ration%20n%C2%B0%2012%20"
                                                  "archives.pdf")
    assert got.headers["x-content-type-options"] == "nosniff" and got.headers["etag"] == f'"{SHA}"'
    assert httpx.get(f"{server.url}/documents/{SHA}", headers={"If-None-Match": f'"{SHA}"'}).status_code == 304
    head = httpx.head(f"{server.url}/documents/{SHA}")
    assert head.status_code == 200 and head.headers["content-length"] == str(len(PDF))
    for bad in ("x" * 64, SHA.upper(), "../" + SHA, "0" * 64):
        assert httpx.get(f"{server.url}/documents/{bad}").status_code == 404

    described = httpx.get(f"{server.url}/id/practice/{SLUG}/document/1", headers={"Accept": "text/turtle"})
    assert described.status_code == 200 and f"{BASE}documents/{SHA}" in described.text and "hexBinary" in described.text
    asked = httpx.get(f"{server.url}/sparql", headers={"Accept": "application/sparql-results+json"}, params={
        "query": "ASK { ?d <http://www.w3.org/ns/dcat#downloadURL> <%sdocuments/%s> }" % (BASE, SHA)})
    assert asked.json()["boolean"] is True
    gql = httpx.post(f"{server.url}/graphql", json={"query": '{ practice(id: "%sid/practice/%s") { documents { '
                     'title mediaType byteSize language downloadUrl checksum { algorithm value } } } }' % (BASE, SLUG)})
    [document] = gql.json()["data"]["practice"]["documents"]
    assert document["byteSize"] == len(PDF) and document["downloadUrl"] == f"{BASE}documents/{SHA}"
    assert document["mediaType"].endswith("/application/pdf") and document["checksum"]["value"] == SHA
    assert document["checksum"]["algorithm"].endswith("checksumAlgorithm_sha256")

    # A new version of the published practice starts with its document.
    again = city.get("/espace/pratique", params={"depuis": BASE + "id/practice/" + SLUG})
    assert f'name="document_checksum_1" value="{SHA}"' in again.text


def test_bad_files_are_refused_beside_their_box_and_change_nothing(site, person) -> None:  # type: ignore[no-untyped-def]
    graphe, server, folder = site
    city = person("refus@dakar.example", "contributor", BASE + "id/city/dakar")
    csrf = _csrf(city)
    before, drafted = _files(folder), len(drafts.listing(graphe.store))
    for name, data in (("outil.pdf", b"MZ\x90\x00" + b"\x00" * 200), ("page.html", b"<html><body>x</body></html>"),
                       ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>')):
        refused = city.post("/espace/pratique", data={**SHEET, "csrf": csrf, "action": "soumettre"},
                            files=[("document_file_1", (name, data, "application/pdf"))])
        assert refused.status_code == 415 and "type de fichier refusé" in refused.text
        assert re.search(r'id="document_file_1-erreur"', refused.text)
        assert 'value="Archives ouvertes de Dakar"' in refused.text  # what was typed is kept
    big = city.post("/espace/pratique", data={**SHEET, "csrf": csrf, "action": "apercu"},
                    files=[("document_file_1", ("gros.pdf", PDF + b"x" * (1 << 20), "application/pdf"))])
    assert big.status_code == 413 and "TOO_LARGE" in big.text and "Mio au plus" in big.text
    forged = city.post("/espace/pratique", data={**SHEET, "csrf": csrf, "action": "soumettre",
                                                "document_checksum_1": "ab" * 32, "document_title_1": "x"})
    assert forged.status_code == 400 and "document introuvable" in forged.text
    assert _files(folder) == before
    assert len(drafts.listing(graphe.store)) == drafted


def test_another_city_cannot_attach_a_document_to_a_record_it_does_not_own(site, person) -> None:  # type: ignore[no-untyped-def]
    graphe, server, folder = site
    nantes = person("docs@nantes.example", "contributor", BASE + "id/city/nantes")
    csrf = _csrf(nantes)
    practice = BASE + "id/practice/nantes-debat-de-l-ia"
    other = nantes.get("/espace/pratique", params={"depuis": practice})
    assert other.status_code == 200
    dakar = person("intrus@dakar.example", "contributor", BASE + "id/city/dakar")
    intruder = dakar.post("/espace/pratique", data={"id": "nantes-debat-de-l-ia", "title_fr": "Débat",
                                                   "summary_fr": "x", "themes": "ai", "csrf": _csrf(dakar),
                                                   "source_title_1": "s", "action": "soumettre"},
                          files=[("document_file_1", ("d.pdf", PDF, "application/pdf"))])
    assert intruder.status_code == 403 and "ne peut proposer que les fiches de cette ville" in intruder.text
    assert not [d for d in drafts.listing(graphe.store) if d.target == practice]  # no draft written
    assert not graphe.store.ask(f"ASK {{ ?p <{GR.document}> ?d }}", {"p": NamedNode(practice)})


def test_an_ai_project_carries_a_document_too(site, person) -> None:  # type: ignore[no-untyped-def]
    graphe, _, _ = site
    nantes = person("ia-docs@nantes.example", "contributor", BASE + "id/city/nantes")
    csv_text = "critère;verdict\nTransparence;respecté\n".encode()
    saved = nantes.post("/espace/projet-ia", data={"title_fr": "Tri des courriers", "purpose_fr": "Trier.",
                                                   "csrf": _csrf(nantes), "action": "enregistrer",
                                                   "document_title_1": "Grille d'évaluation"},
                        files=[("document_file_1", ("grille.txt", csv_text, "text/plain"))])
    assert saved.status_code == 303, re.findall(r'field-errors" id="([^"]+)">(.*?)</ul>', saved.text)
    content = drafts.content(graphe.store, saved.headers["location"].split("?")[0].rsplit("/", 1)[-1])
    iri = BASE + "id/ai-project/tri-des-courriers/document/1"
    assert any(q.subject.value == iri and q.object.value.endswith("media-types/text/csv") for q in content)
    shown = nantes.get(saved.headers["location"].split("?")[0])
    assert "Fichier gardé : CSV" in shown.text and "Grille d&#39;évaluation" in shown.text
