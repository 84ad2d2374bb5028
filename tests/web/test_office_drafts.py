"""Proposing and reviewing a practice in the browser's pages, over real HTTP: a city's contributor submits with
a mistake and gets the French message beside the field, fixes it, submits; the secretariat reads the change
field by field and asks for changes; the city revises; the secretariat publishes; then the public page, the
search, GraphQL, SPARQL and the change feed all have it. And who may see and do what."""
from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from conftest import BASE, ThreadServer
from graphe.core.rdf import NamedNode
from graphe.model.namespaces import GR
from graphe.publishing import drafts, people
from graphe.publishing.accounts import Account
from graphe.service import Graphe

PASSWORD = "une phrase assez longue"
SLUG = "cartes-ouvertes-de-dakar"
IRI = BASE + "id/practice/" + SLUG
SHEET = {"title_fr": "Cartes ouvertes de Dakar", "summary_fr": "La ville publie ses fonds de carte.",
         "themes": "open-data", "status": "PILOT", "contact": "numerique@example.org",
         "source_title_1": "Page de la ville", "source_url_1": "https://dakar.example/cartes", "source_date_1": "2024"}


def signed_in_people(graphe: Graphe, server: ThreadServer) -> Iterator:
    """`make(email, role, city)`: a person invited, with a password set, signed in (an httpx client); the
    clients closed at the end. For fixtures of any scope: `yield from` it."""
    opened: list[httpx.Client] = []

    def make(email: str, role: str, city: str | None = None) -> httpx.Client:
        _, link = people.invite(graphe.store, Account.local(), email.split("@")[0], email, role, city,
                                server.url + "/")
        client = httpx.Client(base_url=server.url, follow_redirects=False, timeout=60)
        opened.append(client)
        client.post(link[len(server.url):], data={"password": PASSWORD, "confirmation": PASSWORD})
        assert client.get("/espace").status_code == 200
        return client
    try:
        yield make
    finally:
        for client in opened:
            client.close()


@pytest.fixture
def person(served) -> Iterator:  # type: ignore[no-untyped-def]
    yield from signed_in_people(*served)


def _token(client: httpx.Client, path: str = "/espace") -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)  # type: ignore[union-attr]


def _version(html: str) -> str:
    return re.search(r'name="version" value="(\d+)"', html).group(1)  # type: ignore[union-attr]


def _beside(html: str, key: str) -> list[str]:
    """The messages shown beside a form box, and the box tied to them."""
    block = re.search(rf'<ul class="error field-errors" id="{key}-erreur">(.*?)</ul>', html, re.S)
    if not block:
        return []
    assert re.search(rf'id="(f-)?{key}"[^>]*aria-describedby="[^"]*{key}-erreur"', html), f"{key} not tied"
    return [m.replace("&#39;", "'") for m in re.findall(r"<li>(.*?)</li>", block.group(1))]


def test_a_practice_from_the_form_to_every_public_channel(served, person) -> None:  # type: ignore[no-untyped-def]
    graphe, server = served
    city = person("dakar@example.org", "contributor", BASE + "id/city/dakar")
    aimf = person("aimf@example.org", "secretariat")
    form = city.get("/espace/pratique")
    assert form.status_code == 200 and "Dakar" in form.text and 'name="city"' not in form.text  # fixed city
    csrf = _token(city)

    mistake = city.post("/espace/pratique", data={**SHEET, "contact": "numerique(at)dakar", "csrf": csrf,
                                                 "action": "soumettre"})
    assert mistake.status_code == 400
    assert any("adresse électronique invalide" in m for m in _beside(mistake.text, "contact"))
    assert 'value="Cartes ouvertes de Dakar"' in mistake.text  # what was typed is kept
    no_source = city.post("/espace/pratique", data={**{k: v for k, v in SHEET.items() if "source" not in k},
                                                   "csrf": csrf, "action": "soumettre"})
    assert no_source.status_code == 400 and _beside(no_source.text, "sources")  # the shapes' message, placed
    preview = city.post("/espace/pratique", data={**SHEET, "csrf": csrf, "action": "apercu"})
    assert preview.status_code == 200 and "Aperçu de la fiche telle qu&#39;elle sera publiée" in preview.text
    assert not graphe.store.ask("ASK { ?p ?x ?y }", {"p": NamedNode(IRI)})  # nothing written by a preview

    sent = city.post("/espace/pratique", data={**SHEET, "csrf": csrf, "action": "soumettre"})
    assert sent.status_code == 303
    draft_path = sent.headers["location"].split("?")[0]
    assert "soumis" in city.get(draft_path).text

    queue = aimf.get("/espace/relecture")
    assert draft_path in queue.text and "Cartes ouvertes de Dakar" in queue.text
    assert draft_path in aimf.get("/espace/relecture?theme=open-data").text
    assert draft_path not in aimf.get("/espace/relecture?theme=ai").text
    assert draft_path not in aimf.get("/espace/relecture?ville=" + BASE + "id/city/nantes").text
    review = aimf.get(draft_path)
    assert "Nouvelle fiche : rien n&#39;est encore publié." in review.text
    assert re.search(r'<th scope="row">Titre \(français\)</th><td class="text"><del></del></td><td class="text">'
                     r"<ins>Cartes ouvertes de Dakar</ins>", review.text)
    assert "Aucune violation des formes SHACL." in review.text
    changed = dict(re.findall(r'<th scope="row">([^<]+)</th><td class="text"><del></del></td><td class="text">'
                              r"<ins>([^<]*)</ins>", review.text))  # in people's words, not codes
    assert changed["Étape du cycle de vie"] == "Pilote" and changed["Thèmes"] == "Données ouvertes", changed
    assert changed["Ville porteuse"] == "Dakar", changed
    a_csrf = _token(aimf)
    asked = aimf.post(draft_path, data={"csrf": a_csrf, "action": "corriger", "version": _version(review.text),
                                        "reason": "Ajoutez les résultats obtenus."})
    assert asked.status_code == 303
    stale = aimf.post(draft_path, data={"csrf": a_csrf, "action": "publier", "version": _version(review.text)})
    assert stale.status_code == 409  # made from the version before the request: nothing published
    seen = city.get(draft_path)
    assert "à corriger" in seen.text and "Ajoutez les résultats obtenus." in seen.text
    revised = city.post(draft_path, data={**SHEET, "results_fr": "Deux cents cartes corrigées.", "csrf": csrf,
                                          "id": SLUG, "version": _version(seen.text), "action": "soumettre"})
    assert revised.status_code == 303

    review = aimf.get(draft_path)
    assert "Résultats (français)" in review.text
    done = aimf.post(draft_path, data={"csrf": a_csrf, "action": "publier", "version": _version(review.text)})
    assert done.status_code == 303 and "publié" in aimf.get(draft_path).text

    page = httpx.get(server.url + "/id/practice/" + SLUG, headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Deux cents cartes corrigées." in page.text and "Page de la ville" in page.text
    graphe.search.wait(60)
    found = httpx.post(server.url + "/graphql", json={"query": '{ search(text: "cartes ouvertes dakar") { edges '
                                                               "{ node { object { ... on Practice { id } } } } } }"})
    assert IRI in found.text, found.text
    listed = httpx.post(server.url + "/graphql", json={"query": '{ practice(id: "%s") { title results } }' % IRI})
    assert "Deux cents" in listed.text, listed.text
    asked_sparql = httpx.get(server.url + "/sparql", params={"query": f"ASK {{ <{IRI}> ?p ?o }}"},
                             headers={"Accept": "application/sparql-results+json"})
    assert asked_sparql.json()["boolean"] is True
    feed = httpx.get(server.url + "/changes", params={"since": 0}).json()
    assert IRI in str(feed["changes"][-1])  # the last public change is this publication


def test_who_sees_and_does_what(served, person) -> None:  # type: ignore[no-untyped-def]
    graphe, server = served
    dakar = person("dakar2@example.org", "contributor", BASE + "id/city/dakar")
    nantes = person("nantes2@example.org", "contributor", BASE + "id/city/nantes")
    csrf = _token(dakar)
    saved = dakar.post("/espace/pratique", data={**SHEET, "title_fr": "Un brouillon de Dakar", "csrf": csrf,
                                                "action": "enregistrer"})
    assert saved.status_code == 303
    path = saved.headers["location"].split("?")[0]
    assert "brouillon" in dakar.get(path).text and path in dakar.get("/espace/brouillons").text
    assert nantes.get(path).status_code == 404  # another city's draft: not even its existence
    assert path not in nantes.get("/espace/brouillons").text
    assert nantes.get("/espace/relecture").status_code == 403
    tried = dakar.post(path, data={"csrf": csrf, "action": "publier", "version": "1"})
    assert tried.status_code == 403  # a contributor does not publish
    # A contributor's form cannot name another city: the account's city wins.
    other = dakar.post("/espace/pratique", data={**SHEET, "title_fr": "Ailleurs", "city": "nantes", "csrf": csrf,
                                                "action": "enregistrer"})
    assert other.status_code == 303
    drafted = dakar.get(other.headers["location"].split("?")[0]).text
    assert "Dakar" in drafted and "Nantes" not in drafted
    assert dakar.get("/espace/brouillons/" + "x" * 100).status_code == 404
    assert dakar.post("/espace/pratique", data={**SHEET, "action": "enregistrer"}).status_code == 403  # no CSRF
    home = dakar.get("/espace")
    assert "Proposer une pratique" in home.text and "brouillon : 2" in home.text


def test_a_record_s_history_its_retirement_and_the_audit_log(served, person) -> None:  # type: ignore[no-untyped-def]
    graphe, server = served
    aimf = person("historique@example.org", "secretariat")
    practice = BASE + "id/practice/nantes-debat-de-l-ia"
    # A new version through the form: the history then shows what it changed, field by field.
    start = aimf.get("/espace/pratique", params={"depuis": practice})
    assert start.status_code == 200 and 'value="nantes-debat-de-l-ia"' in start.text
    csrf = _token(aimf)
    values = dict(re.findall(r'<input type="[a-z]+" id="f-[^"]+" name="([^"]+)" value="([^"]*)"', start.text))
    texts = dict(re.findall(r'<textarea id="f-[^"]+" name="([^"]+)" rows="6"[^>]*>([^<]*)</textarea>', start.text))
    themes = re.findall(r'name="themes" value="([^"]+)" checked', start.text)
    status = re.search(r'<option value="([A-Z_]+)" selected>', start.text)
    city = re.search(r'<option value="([^"]+/id/city/[^"]+)" selected>', start.text)
    assert city and city.group(1) == BASE + "id/city/nantes"  # the secretariat's form names the city
    sent = aimf.post("/espace/pratique", data={**values, **texts, "themes": themes, "csrf": csrf,
                                               "status": status.group(1) if status else "",
                                               "city": city.group(1), "results_fr": "Un débat public tenu, un cadre adopté.",
                                               "action": "soumettre"})
    assert sent.status_code == 303, re.findall(r"field-errors\" id=\"([^\"]+)\">(.*?)</ul>", sent.text)
    draft = sent.headers["location"].split("?")[0]
    review = aimf.get(draft)
    assert re.search(r"<th scope=\"row\">Résultats \(français\)</th>", review.text)
    assert aimf.post(draft, data={"csrf": csrf, "action": "publier",
                                  "version": _version(review.text)}).status_code == 303
    record = aimf.get("/espace/fiche", params={"iri": practice})
    assert record.status_code == 200 and "Version 1" in record.text
    assert "Un débat public tenu, un cadre adopté." in record.text

    retired = aimf.post("/espace/fiche", data={"csrf": csrf, "iri": practice, "reason": "Remplacée par une autre."})
    assert retired.status_code == 303
    after = aimf.get(retired.headers["location"])
    assert "Fiche retirée." in after.text and "Cette fiche est retirée." in after.text
    again = aimf.post("/espace/fiche", data={"csrf": csrf, "iri": practice, "reason": "encore"})
    assert again.status_code == 409  # already retired: said, nothing written
    public = httpx.get(server.url + "/id/practice/nantes-debat-de-l-ia", headers={"Accept": "text/html"})
    assert "retirée" in public.text

    log = aimf.get("/espace/journal", params={"action": "retire"})
    assert practice in log.text and "historique" in log.text
    assert practice not in aimf.get("/espace/journal", params={"action": "invite"}).text
    refused = aimf.get("/espace/journal", params={"refus": "1"})
    assert "CONFLICT" in refused.text  # the second retirement, refused and audited
    assert aimf.get("/espace/fiche", params={"iri": "pas une iri"}).status_code == 400
    assert aimf.get("/espace/fiche", params={"iri": BASE + "id/practice/nothing"}).status_code == 404
    city = person("ville-historique@example.org", "contributor", BASE + "id/city/dakar")
    assert city.get("/espace/journal").status_code == 403 and city.get("/espace/fiche",
                                                                     params={"iri": practice}).status_code == 403


SHEET_MD = """---
id: jardins-partages-de-dakar
title: Jardins partagés de Dakar
summary: La ville confie des parcelles aux habitants.
city: dakar
themes: [open-data]
status: pilote
sources: [aimf-article-2024-nantes-ia]
---
Des parcelles municipales cultivées par les habitants.
"""


def test_sheets_uploaded_in_bulk_each_with_its_line_in_the_report(served, person) -> None:  # type: ignore[no-untyped-def]
    graphe, server = served
    city = person("fichiers@example.org", "contributor", BASE + "id/city/dakar")
    csrf = _token(city)
    page = city.get("/espace/fichiers")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    assert 'name="publier"' not in page.text  # a contributor makes drafts only
    sent = city.post("/espace/fichiers", data={"csrf": csrf}, files=[
        ("fichiers", ("jardins.md", SHEET_MD.encode(), "text/markdown")),
        ("fichiers", ("casse.md", b"---\ntitle: [unclosed\n---\n", "text/markdown")),
        ("fichiers", ("notes.txt", b"hello", "text/plain")),
        ("fichiers", ("ailleurs.md", SHEET_MD.replace("dakar", "nantes").encode(), "text/markdown"))])
    assert sent.status_code == 400  # some files refused; the others went through
    lines = dict(re.findall(r'<tr><th scope="row">([^<]+)</th><td>(.*?)</td></tr>', sent.text, re.S))
    assert "brouillon créé" in lines["jardins.md"]
    assert "SHEET_INVALID" in lines["casse.md"] and "notes.txt" in lines
    assert "FORBIDDEN" in lines["ailleurs.md"]  # another city's sheet: refused, nothing written
    assert any(d.target == BASE + "id/practice/jardins-partages-de-dakar" for d in drafts.listing(graphe.store, ["draft"]))
    assert city.post("/espace/fichiers", data={"csrf": csrf, "publier": "1"},
                     files=[("fichiers", ("jardins.md", SHEET_MD.encode(), "text/markdown"))]).status_code == 403
    assert city.post("/espace/fichiers", data={"csrf": "faux"},
                     files=[("fichiers", ("jardins.md", SHEET_MD.encode(), "text/markdown"))]).status_code == 403
    big = city.post("/espace/fichiers", data={"csrf": csrf},
                    files=[("fichiers", ("gros.md", b"x" * (33 << 20), "text/markdown"))])
    assert big.status_code == 413 and "TOO_LARGE" in big.text

    aimf = person("fichiers-aimf@example.org", "secretariat")
    published = aimf.post("/espace/fichiers", data={"csrf": _token(aimf), "publier": "1"}, files=[
        ("fichiers", ("jardins.md", SHEET_MD.encode(), "text/markdown"))])
    assert published.status_code == 200 and "publiée" in published.text
    assert httpx.get(server.url + "/id/practice/jardins-partages-de-dakar",
                     headers={"Accept": "text/html"}).status_code == 200


def test_publication_dates_the_check_and_the_dashboard_lists_records_past_review(served, person, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from graphe.publishing import practice_form as pf, workflow
    from graphe.read import reads

    graphe, server = served
    aimf = Account("urn:test:aimf-fraicheur", "Secrétariat", "secretariat")
    sheet = {**{k: [v] for k, v in SHEET.items()}, "title_fr": ["Fontaines de Dakar, vérifiées"]}
    iri, quads = pf.read(sheet, BASE, BASE + "id/city/dakar")
    fresh = graphe.write(aimf, "submit", iri, lambda w: w.submit(aimf, quads))
    graphe.write(aimf, "publish", fresh.id, lambda w: w.publish(aimf, fresh.id))
    today = dt.datetime.now(dt.timezone.utc).date()
    published = {q.predicate.value: q.object.value for q in pf.published(graphe.store, iri)}
    assert published["https://schema.org/lastReviewed"] == today.isoformat()
    due_day = min(today.day, 28) if today.month == 2 else today.day
    assert published[workflow.GR.reviewDue] == dt.date(today.year + 2, today.month, due_day).isoformat()
    page = httpx.get(server.url + "/id/practice/fontaines-de-dakar-verifiees", headers={"Accept": "text/html"})
    assert "Informations vérifiées le" in page.text
    answer = httpx.post(server.url + "/graphql", json={"query": '{ practice(id: "%s") { lastReviewed reviewDue } }'
                                                                % iri}).json()
    assert answer["data"]["practice"]["lastReviewed"] == today.isoformat()

    monkeypatch.setattr(workflow, "REVIEW_YEARS", -1)  # a publication whose review fell due a year ago
    _, old = pf.read({**sheet, "title_fr": ["Fontaines de Dakar, à revoir"]}, BASE, BASE + "id/city/dakar")
    stale = graphe.write(aimf, "submit", IRI + "-a-revoir", lambda w: w.submit(aimf, old))
    graphe.write(aimf, "publish", stale.id, lambda w: w.publish(aimf, stale.id))
    due = reads.due_for_review(graphe.store, today.isoformat())
    stale_iri = BASE + "id/practice/fontaines-de-dakar-a-revoir"
    assert stale_iri in [i for i, _ in due] and iri not in [i for i, _ in due]
    assert stale_iri not in [i for i, _ in reads.due_for_review(graphe.store, today.isoformat(),
                                                                BASE + "id/city/nantes")]
    city = person("fraicheur@example.org", "contributor", BASE + "id/city/dakar")
    home = city.get("/espace").text
    assert "Fiches à revoir" in home and "Fontaines de Dakar, à revoir" in home
    assert "Fontaines de Dakar, à revoir" in person("fraicheur-aimf@example.org", "secretariat").get("/espace").text
    graphe.write(aimf, "retire", stale_iri, lambda w: w.retire(aimf, stale_iri, "remplacée"))
    assert stale_iri not in [i for i, _ in reads.due_for_review(graphe.store, today.isoformat())]


def test_a_city_declares_an_ai_project_and_assesses_it_against_its_charter(served, person) -> None:  # type: ignore[no-untyped-def]
    graphe, server = served
    charter = BASE + "id/charter/nantes-metropole-cadre-de-confiance-ia"
    nantes = person("ia@nantes.example", "contributor", BASE + "id/city/nantes")
    aimf = person("ia@aimf.example", "secretariat")
    page = nantes.get("/espace/projet-ia", params={"charte": charter})
    assert page.status_code == 200
    rows = re.findall(r'<select id="(verdict\|[^"]+)"', page.text)
    assert len(rows) >= 5  # one row per criterion of the charter, in order
    csrf = _token(nantes)
    project = {"title_fr": "Agent conversationnel des démarches", "purpose_fr": "Répondre aux questions sur les "
               "démarches administratives.", "description_fr": "Un modèle de langue répond à partir des pages du site.",
               "deployer": "nantes-metropole", "developer": "nantes-metropole", "status": "pilot",
               "human": "oversight", "risk": "transparency", "data_fr": "Pages publiques du site de la ville.",
               "legal_fr": "Mission de service public.", "code": "https://code.example/nantes/agent",
               "themes": "ai", "sources": "aimf-article-2024-nantes-ia", "charte": charter, "csrf": csrf,
               rows[0]: "MET", "justification|" + rows[0].split("|", 1)[1]: "Le site le dit.",
               rows[1]: "BOGUS", "action": "soumettre"}
    wrong = nantes.post("/espace/projet-ia", data=project)
    assert wrong.status_code == 400 and "verdict inconnu" in wrong.text  # beside its row
    project[rows[1]] = "PARTLY_MET"
    sent = nantes.post("/espace/projet-ia", data=project)
    assert sent.status_code == 303, re.findall(r'field-errors" id="([^"]+)">(.*?)</ul>', sent.text)
    draft = sent.headers["location"].split("?")[0]
    review = aimf.get(draft)
    assert "Agent conversationnel des démarches" in review.text and "Évaluation" in review.text
    assert aimf.post(draft, data={"csrf": _token(aimf), "action": "publier",
                                  "version": _version(review.text)}).status_code == 303
    iri = BASE + "id/ai-project/agent-conversationnel-des-demarches"
    answer = httpx.post(server.url + "/graphql", json={"query": '{ aiProject(id: "%s") { title codeRepository '
                        "developer { id } assessments { verdict { id } criterion { id } justification } } }" % iri})
    found = answer.json()["data"]["aiProject"]
    assert found["codeRepository"] == "https://code.example/nantes/agent"
    assert sorted(a["verdict"]["id"].rsplit("#", 1)[-1] for a in found["assessments"]) == ["Met", "PartlyMet"]
    shown = httpx.get(server.url + "/id/ai-project/agent-conversationnel-des-demarches", headers={"Accept": "text/html"})
    assert shown.status_code == 200 and "Le site le dit." in shown.text
    other = person("ia@dakar.example", "contributor", BASE + "id/city/dakar")
    assert other.get(draft).status_code == 404


def test_a_machine_translation_is_flagged_on_pages_graphql_and_dumps(served, person) -> None:  # type: ignore[no-untyped-def]
    graphe, server = served
    aimf = person("traduction@example.org", "secretariat")
    csrf = _token(aimf)
    sent = aimf.post("/espace/pratique", data={**SHEET, "title_fr": "Cartes traduites de Dakar", "city": "dakar",
                                               "summary_en": "The city publishes its base maps.",
                                               "machine_translation": "en", "csrf": csrf, "action": "soumettre"})
    assert sent.status_code == 303
    draft = sent.headers["location"].split("?")[0]
    review = aimf.get(draft)
    assert "Traduction automatique, non relue" in review.text  # in the field-by-field difference too
    assert 'name="machine_translation" value="en" checked' in review.text
    aimf.post(draft, data={"csrf": csrf, "action": "publier", "version": _version(review.text)})
    iri = BASE + "id/practice/cartes-traduites-de-dakar"
    english = httpx.get(server.url + "/id/practice/cartes-traduites-de-dakar",
                        headers={"Accept": "text/html", "Accept-Language": "en"})
    assert "Machine translation, not reviewed." in english.text
    french = httpx.get(server.url + "/id/practice/cartes-traduites-de-dakar", headers={"Accept": "text/html"})
    assert "Traduction automatique" not in french.text  # the French texts are the original
    answer = httpx.post(server.url + "/graphql", json={"query": '{ practice(id: "%s") { machineTranslations } }' % iri})
    assert answer.json()["data"]["practice"]["machineTranslations"] == ["en"]
    turtle = httpx.get(server.url + "/id/practice/cartes-traduites-de-dakar", headers={"Accept": "text/turtle"})
    assert "machineTranslation" in turtle.text and '"en"' in turtle.text


def test_adapted_from_is_chosen_with_a_search_picker_without_javascript(served, person) -> None:  # type: ignore[no-untyped-def]
    graphe, _ = served
    city = person("picker@example.org", "contributor", BASE + "id/city/dakar")
    csrf = _token(city)
    searched = city.post("/espace/pratique", data={**SHEET, "chercher_adapted_from": "données ouvertes",
                                                   "csrf": csrf, "action": "apercu"})
    assert searched.status_code == 200
    found = re.findall(r'name="adapted_from" value="([a-z0-9-]+)"><label[^>]*>([^<]+)</label>', searched.text)
    assert found and all(graphe.store.ask("ASK { ?p a <%s> }" % GR.Practice,
                                          {"p": NamedNode(BASE + "id/practice/" + slug)}) for slug, _ in found)
    assert 'value="données ouvertes"' in searched.text  # the search text is kept, the sheet too
    assert 'value="Cartes ouvertes de Dakar"' in searched.text
    chosen = found[0][0]
    ticked = city.post("/espace/pratique", data={**SHEET, "adapted_from": ["", chosen],
                                                 "chercher_adapted_from": "données ouvertes",
                                                 "csrf": csrf, "action": "apercu"})
    assert f'id="f-adapted_from" name="adapted_from" value="{chosen}"' in ticked.text  # now in the box
    assert f'name="adapted_from" value="{chosen}">' not in ticked.text  # and no longer offered
    nothing = city.post("/espace/pratique", data={**SHEET, "chercher_adapted_from": "zzzqqxw",
                                                  "csrf": csrf, "action": "apercu"})
    assert "Aucune pratique publiée ne correspond à « zzzqqxw »." in nothing.text
    saved = city.post("/espace/pratique", data={**SHEET, "adapted_from": chosen, "chercher_adapted_from": "x",
                                                "csrf": csrf, "action": "enregistrer"})
    assert saved.status_code == 303
    quads = drafts.content(graphe.store, saved.headers["location"].split("/")[-1].split("?")[0])
    assert any(q.predicate.value.endswith("#adaptedFrom") and q.object.value == BASE + "id/practice/" + chosen
               for q in quads)
    assert not any("chercher" in q.object.value or q.object.value == "x" for q in quads)


RECORDS = {"outcome_name_fr_1": "Cartes publiées", "outcome_name_en_1": "Maps published", "outcome_value_1": "1200,5",
           "outcome_unit_1": "cartes", "outcome_baseline_1": "0", "outcome_date_1": "2024-06",
           "cost_amount_1": "35 000", "cost_currency_1": "xof", "cost_period_1": "PER_YEAR",
           "cost_funding_fr_1": "Budget municipal", "partner_organisation_1": "nantes-metropole",
           "partner_role_fr_1": "Accompagnement ; données"}


def _boxes(html: str) -> dict[str, str]:
    """The record boxes of a form as a browser would send them: text boxes' values, lists' selected option."""
    found = dict(re.findall(r'<input type="text" id="[^"]+" name="((?:outcome|cost|partner)_[^"]+)" value="([^"]*)"',
                            html))
    for name, options in re.findall(r'<select id="[^"]+" name="((?:outcome|cost|partner)_[^"]+)"[^>]*>(.*?)</select>',
                                    html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        found[name] = chosen.group(1) if chosen else ""
    return {k: v.replace("&#39;", "'").replace("&amp;", "&") for k, v in found.items()}


def test_outcomes_costs_and_partners_from_the_form_to_the_page_and_into_a_new_version(served, person) -> None:  # type: ignore[no-untyped-def]
    graphe, server = served
    slug, iri = "cartes-mesurees-de-dakar", BASE + "id/practice/cartes-mesurees-de-dakar"
    city = person("mesures@example.org", "contributor", BASE + "id/city/dakar")
    aimf = person("mesures-aimf@example.org", "secretariat")
    form = city.get("/espace/pratique")
    assert 'name="outcome_name_fr_1"' in form.text and 'name="cost_period_2"' in form.text  # empty rows offered
    assert 'name="outcome_name_fr_3"' not in form.text
    csrf = _token(city)
    sheet = {**SHEET, "title_fr": "Cartes mesurées de Dakar", "id": slug, **RECORDS}

    bad = city.post("/espace/pratique", data={**sheet, "outcome_name_fr_2": "Visites", "outcome_value_2": "beaucoup",
                                              "csrf": csrf, "action": "soumettre"})
    assert bad.status_code == 400
    assert any("nombre invalide" in m for m in _beside(bad.text, "outcome_value_2"))
    assert _boxes(bad.text)["outcome_name_fr_1"] == "Cartes publiées"  # what was typed is kept
    missing = city.post("/espace/pratique", data={**sheet, "outcome_name_fr_2": "Visites", "csrf": csrf,
                                                  "action": "soumettre"})
    assert missing.status_code == 400  # the shapes' message beside the box a required part goes in
    assert any("exactement une valeur" in m for m in _beside(missing.text, "outcome_value_2")), missing.text

    sent = city.post("/espace/pratique", data={**sheet, "csrf": csrf, "action": "soumettre"})
    assert sent.status_code == 303, sent.text
    draft_path = sent.headers["location"].split("?")[0]
    review = aimf.get(draft_path)
    changed = dict(re.findall(r'<th scope="row">([^<]+)</th><td class="text"><del></del></td><td class="text">'
                              r"<ins>([^<]*)</ins>", review.text))
    assert changed["Résultats mesurés 1 (valeur)"] == "1200.5", changed
    assert changed["Coûts 1 (périodicité)"] == "Par an", changed  # in people's words
    assert changed["Partenaires et leurs rôles 1 (organisation)"] == "Nantes Métropole", changed
    done = aimf.post(draft_path, data={"csrf": _token(aimf), "action": "publier", "version": _version(review.text)})
    assert done.status_code == 303

    page = httpx.get(server.url + "/id/practice/" + slug, headers={"Accept": "text/html"}).text
    assert "<h2 id=\"h-outcomes\">Résultats mesurés</h2>" in page and "1\u202f200,5" in page and "juin 2024" in page
    assert "35\u202f000" in page and "Par an" in page and "Nantes Métropole" in page
    assert "Accompagnement ; données" in page
    english = httpx.get(server.url + "/id/practice/" + slug + "?lang=en", headers={"Accept": "text/html"}).text
    assert "Maps published" in english and "1,200.5" in english and "Per year" in english

    # A new version: the form holds every record published; changing one value loses nothing else.
    again = city.get("/espace/pratique?depuis=" + iri)
    boxes = _boxes(again.text)
    assert {k: boxes[k] for k in RECORDS} == {**RECORDS, "outcome_value_1": "1200.5", "cost_amount_1": "35000",
                                             "cost_currency_1": "XOF"}
    before = {(str(q.subject), str(q.predicate), str(q.object)) for q in graphe.store.describe(
        [NamedNode(f"{iri}/indicator/1"), NamedNode(f"{iri}/cost/1"), NamedNode(f"{iri}/partner/1")],
        graphe.store.graphs.public)}
    sent = city.post("/espace/pratique", data={**sheet, **boxes, "outcome_value_1": "1300", "csrf": csrf,
                                               "action": "soumettre"})
    assert sent.status_code == 303, sent.text
    draft_path = sent.headers["location"].split("?")[0]
    review = aimf.get(draft_path)
    changed = re.findall(r'<th scope="row">([^<]+)</th>', review.text)
    assert "Résultats mesurés 1 (valeur)" in changed
    assert not any("Coûts" in c or "Partenaires et" in c for c in changed), changed
    assert aimf.post(draft_path, data={"csrf": _token(aimf), "action": "publier",
                                       "version": _version(review.text)}).status_code == 303
    after = {(str(q.subject), str(q.predicate), str(q.object)) for q in graphe.store.describe(
        [NamedNode(f"{iri}/indicator/1"), NamedNode(f"{iri}/cost/1"), NamedNode(f"{iri}/partner/1")],
        graphe.store.graphs.public)}
    assert before - after == {(f"<{iri}/indicator/1>", "<https://schema.org/value>",
                               '"1200.5"^^<http://www.w3.org/2001/XMLSchema#decimal>')}
    assert after - before == {(f"<{iri}/indicator/1>", "<https://schema.org/value>",
                               '"1300"^^<http://www.w3.org/2001/XMLSchema#decimal>')}
