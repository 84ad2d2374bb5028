"""The back office's doors in a real browser (Debian's Chromium through Playwright): an invitation made with
`graphe person invite` while the service runs → the person chooses a password (a mistake first, shown beside
the field) → their space → the secretariat invites a city's contributor from the page → signs out → signs in
again with the keyboard alone. Every page passes axe-core (WCAG 2.1 A/AA), loads nothing from elsewhere and
raises no script error."""
from __future__ import annotations

import re

import pytest

from conftest import run_cli
from browser_support import axe_violations, format_violations, screenshot, skip_without_chromium, tab_to

skip_without_chromium()
pytest_plugins = ["browser_support"]
pytestmark = pytest.mark.browser

PASSWORD = "le mot de passe du secrétariat"


def _checked(tab, name: str) -> None:  # type: ignore[no-untyped-def]
    screenshot(tab, name)
    violations = axe_violations(tab)
    assert not violations, format_violations(violations)
    tab.assert_clean()


def _refused(tab, status: int) -> None:  # type: ignore[no-untyped-def]
    """A refused form comes back with its 4xx status, which Chromium logs as a console error: that one is
    expected (and only that one)."""
    said = f"the server responded with a status of {status}"
    expected = [e for e in tab.console_errors if said in e]
    assert len(expected) == 1, tab.console_errors
    tab.console_errors.remove(expected[0])


def test_invitation_password_space_and_sign_in_again(open_tab, web_server) -> None:  # type: ignore[no-untyped-def]
    invited = run_cli("person", "invite", "--data", str(web_server.data), "--name", "Awa Diop", "--email",
                      "awa.diop@example.org", "--role", "secretariat", "--url", web_server.url)
    assert invited.returncode == 0, invited.stderr
    link = re.search(r"^(http\S+/invitation/\S+)$", invited.stdout, re.M)
    assert link, invited.stdout
    tab = open_tab("fr")
    page = tab.page
    assert tab.goto(link.group(1)[len(web_server.url):]).status == 200
    assert page.locator("h1").inner_text() == "Choisir votre mot de passe"
    _checked(tab, "office-password-fr")

    page.fill("#password", "trop court!")  # 11 characters: the browser's minlength would stop the form first,
    page.fill("#confirmation", "trop court!")
    page.eval_on_selector("form.office-form", "f => f.noValidate = true")  # so the server's answer is seen
    page.click("form.office-form button[type=submit]")
    message = page.locator("#password-erreur")
    assert "au moins 12 caractères" in message.inner_text()
    assert page.get_attribute("#password", "aria-invalid") == "true"
    assert "password-erreur" in (page.get_attribute("#password", "aria-describedby") or "")
    _refused(tab, 400)
    _checked(tab, "office-password-error-fr")

    page.fill("#password", PASSWORD)
    page.fill("#confirmation", PASSWORD)
    page.click("form.office-form button[type=submit]")
    page.wait_for_url(web_server.url + "/espace")
    assert "Bonjour, Awa Diop." in page.inner_text("main")
    _checked(tab, "office-space-fr")

    page.click("a[href='/espace/personnes']")
    page.wait_for_url(web_server.url + "/espace/personnes")
    page.fill("#name", "Ville de Nantes")
    page.fill("#email", "numerique@nantes.example")
    page.select_option("#role", "contributor")
    page.select_option("#city", label="Nantes")
    page.click("form.office-form button[type=submit]")
    shown = page.locator(".once input").input_value()
    assert shown.startswith(web_server.url + "/invitation/")
    assert "numerique@nantes.example" in page.inner_text("table")
    _checked(tab, "office-people-fr")

    page.click("main a[href='/espace']")
    page.wait_for_url(web_server.url + "/espace")
    page.click("form[action='/deconnexion'] button >> nth=0")
    page.wait_for_url(re.compile(r".*/connexion\?fin=1$"))
    assert "Vous êtes déconnecté." in page.inner_text("main")
    _checked(tab, "office-sign-in-fr")

    # Again, with the keyboard alone: Tab to the address field, type, Tab, type, Enter.
    tab_to(page, "#email")
    page.keyboard.type("awa.diop@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(web_server.url + "/espace")
    assert "Bonjour, Awa Diop." in page.inner_text("main")
    tab.assert_clean()


def test_the_sign_in_page_in_english(open_tab) -> None:  # type: ignore[no-untyped-def]
    tab = open_tab("en")
    assert tab.goto("/connexion").status == 200
    assert tab.page.get_attribute("html", "lang") == "en" and tab.page.locator("h1").inner_text() == "Sign in"
    tab.page.fill("#email", "nobody@example.org")
    tab.page.fill("#password", "not the password")
    tab.page.click("form.office-form button[type=submit]")
    assert tab.page.locator("[role=alert]").inner_text() == "Wrong address or password."
    _refused(tab, 401)
    _checked(tab, "office-sign-in-error-en")


def _invited(open_tab, web_server, name: str, email: str, role: str, *city: str):  # type: ignore[no-untyped-def]
    """A person invited by `graphe person invite`, signed in (through their link) in a tab of their own."""
    extra = ["--city", city[0]] if city else []
    made = run_cli("person", "invite", "--data", str(web_server.data), "--name", name, "--email", email, "--role",
                   role, "--url", web_server.url, *extra)
    assert made.returncode == 0, made.stderr
    link = re.search(r"^http\S+(/invitation/\S+)$", made.stdout, re.M)
    assert link, made.stdout
    tab = open_tab("fr")
    tab.goto(link.group(1))
    tab.page.fill("#password", PASSWORD)
    tab.page.fill("#confirmation", PASSWORD)
    tab.page.click("form.office-form button[type=submit]")
    tab.page.wait_for_url(web_server.url + "/espace")
    return tab


def test_a_city_proposes_the_secretariat_reviews_and_publishes(open_tab, web_server) -> None:  # type: ignore[no-untyped-def]
    city = _invited(open_tab, web_server, "Service numérique de Dakar", "sig@dakar.example", "contributor",
                    "https://graphe.aimf.asso.fr/id/city/dakar")
    aimf = _invited(open_tab, web_server, "Secrétariat AIMF", "relecture@aimf.example", "secretariat")
    page = city.page
    page.click("a[href='/espace/pratique']")
    page.wait_for_url(web_server.url + "/espace/pratique")
    _checked(city, "office-practice-form-fr")
    page.fill("#f-title_fr", "Carte des fontaines de Dakar")
    page.fill("#f-summary_fr", "La ville cartographie ses fontaines publiques avec les habitants.")
    page.check("input[name=themes][value=open-data]")
    page.select_option("#f-status", "PILOT")
    page.fill("#f-contact", "fontaines(at)dakar")  # the mistake
    page.fill("#source_title_1", "Page de la ville sur les fontaines")
    page.fill("#source_url_1", "https://dakar.example/fontaines")
    page.click("button[value=soumettre]")
    message = page.locator("#contact-erreur")
    assert "adresse électronique invalide" in message.inner_text()
    assert "contact-erreur" in (page.get_attribute("#f-contact", "aria-describedby") or "")
    _refused(city, 400)
    _checked(city, "office-practice-form-error-fr")
    page.fill("#f-contact", "fontaines@dakar.example")
    page.click("button[value=soumettre]")
    page.wait_for_url(re.compile(r".*/espace/brouillons/\w+\?fait=soumettre$"))
    draft = page.url.split("?")[0]
    assert "soumis" in page.inner_text("main")

    review = aimf.page
    review.goto(web_server.url + "/espace/relecture")
    review.click("text=Carte des fontaines de Dakar")
    review.wait_for_url(draft)
    assert "Carte des fontaines de Dakar" in review.inner_text("table.diff")
    _checked(aimf, "office-review-fr")
    review.fill("#corriger-raison", "Ajoutez les résultats : combien de fontaines ?")
    review.click("button[value=corriger]")
    review.wait_for_url(re.compile(r".*\?fait=corriger$"))

    page.goto(draft)
    assert "à corriger" in page.inner_text("main") and "combien de fontaines" in page.inner_text("main")
    page.fill("#f-results_fr", "Cent douze fontaines cartographiées, dont trente réparées.")
    page.click("button[value=soumettre]")
    page.wait_for_url(re.compile(r".*\?fait=soumettre$"))

    review.goto(draft)
    assert "Cent douze fontaines" in review.inner_text("table.diff")
    review.click("button[value=publier]")
    review.wait_for_url(re.compile(r".*\?fait=publier$"))
    assert "publié" in review.inner_text("main")
    review.click("text=Voir la fiche publiée")
    review.wait_for_url(web_server.url + "/id/practice/carte-des-fontaines-de-dakar")
    assert "Cent douze fontaines cartographiées" in review.inner_text("main")
    review.goto(web_server.url + "/espace/fiche?iri=https://graphe.aimf.asso.fr/id/practice/carte-des-fontaines-de-dakar")
    assert "Version 1" in review.inner_text("main")
    _checked(aimf, "office-record-fr")
    review.goto(web_server.url + "/espace/journal?action=publish")
    assert "carte-des-fontaines-de-dakar" in review.inner_text("table")
    _checked(aimf, "office-audit-fr")
    page.goto(web_server.url + "/espace/brouillons")
    _checked(city, "office-drafts-fr")
    page.goto(web_server.url + "/espace/fichiers")
    _checked(city, "office-upload-fr")
    city.assert_clean()
    aimf.assert_clean()


def test_a_city_declares_an_ai_project_with_its_assessment(open_tab, web_server) -> None:  # type: ignore[no-untyped-def]
    city = _invited(open_tab, web_server, "Numérique de Nantes", "ia@nantes.example", "contributor",
                    "https://graphe.aimf.asso.fr/id/city/nantes")
    aimf = _invited(open_tab, web_server, "Secrétariat IA", "ia@aimf.example", "secretariat")
    page = city.page
    page.click("a[href='/espace/projet-ia']")
    page.wait_for_url(web_server.url + "/espace/projet-ia")
    page.fill("#f-title_fr", "Tri assisté des signalements")
    page.fill("#f-purpose_fr", "Orienter les signalements des habitants vers le bon service.")
    page.fill("#f-description_fr", "Un classifieur propose un service ; un agent valide.")
    page.fill("#f-deployer", "nantes-metropole")
    page.select_option("#f-status", "pilot")
    page.select_option("#f-human", "verification")
    page.select_option("#f-risk", "minimal")
    page.fill("#f-data_fr", "Signalements reçus, sans données nominatives.")
    page.fill("#f-legal_fr", "Mission de service public.")
    page.check("input[name=themes][value=ai]")
    page.fill("#f-sources", "aimf-article-2024-nantes-ia")
    page.select_option("#charte", "https://graphe.aimf.asso.fr/id/charter/nantes-metropole-cadre-de-confiance-ia")
    page.click("button:has-text('Afficher les critères')")
    verdicts = page.locator("select[id^='verdict|']")
    assert verdicts.count() >= 5
    _checked(city, "office-ai-project-form-fr")
    verdicts.nth(0).select_option("MET")
    page.locator("textarea[id^='justification|']").nth(0).fill("La page du projet l'explique.")
    verdicts.nth(1).select_option("NOT_APPLICABLE")
    page.click("button[value=soumettre]")
    page.wait_for_url(re.compile(r".*/espace/brouillons/\w+\?fait=soumettre$"))
    draft = page.url.split("?")[0]

    review = aimf.page
    review.goto(draft)
    assert "Tri assisté des signalements" in review.inner_text("table.diff")
    _checked(aimf, "office-ai-project-review-fr")
    review.click("button[value=publier]")
    review.wait_for_url(re.compile(r".*\?fait=publier$"))
    review.goto(web_server.url + "/id/ai-project/tri-assiste-des-signalements")
    assert "La page du projet l'explique." in review.inner_text("main")
    city.assert_clean()
    aimf.assert_clean()


def _key_enter(tab, selector: str, max_tabs: int = 250) -> None:  # type: ignore[no-untyped-def]
    """Tab to `selector`, press Enter, wait for the page it opens."""
    tab_to(tab, selector, max_tabs=max_tabs)
    with tab.page.expect_navigation():
        tab.page.keyboard.press("Enter")


def _key_type(tab, selector: str, text: str) -> None:  # type: ignore[no-untyped-def]
    tab_to(tab, selector, max_tabs=250)
    tab.page.keyboard.type(text)


def test_the_proposal_and_its_publication_with_the_keyboard_alone(open_tab, web_server) -> None:  # type: ignore[no-untyped-def]
    """A city proposes a practice, picks the practice it adapted with the search picker, submits; the
    secretariat opens it from the queue and publishes: Tab, typing, Space, the arrow keys and Enter only."""
    city = _invited(open_tab, web_server, "Service numérique de Montréal", "clavier@montreal.example", "contributor",
                    "https://graphe.aimf.asso.fr/id/city/montreal")
    aimf = _invited(open_tab, web_server, "Secrétariat clavier", "clavier@aimf.example", "secretariat")
    page = city.page
    _key_enter(city, "a[href='/espace/pratique']")
    _key_type(city, "#f-title_fr", "Bancs connectés de Montréal")
    _key_type(city, "#f-summary_fr", "Des bancs publics donnent l'heure des bus et rechargent les téléphones.")
    tab_to(city, "input[name=themes][value=open-data]", max_tabs=250)
    page.keyboard.press("Space")
    tab_to(city, "#f-status")
    page.keyboard.press("ArrowDown")  # the first status offered
    assert page.input_value("#f-status")
    _key_type(city, "#f-contact", "bancs@montreal.example")
    _key_type(city, "#chercher_adapted_from", "données ouvertes")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the picker's search: a preview that keeps everything typed
    assert page.input_value("#f-title_fr") == "Bancs connectés de Montréal"
    picked = page.locator("input[id^='pick-adapted_from-']").first
    slug = picked.get_attribute("value")
    tab_to(city, f"#pick-adapted_from-{slug}", max_tabs=250)
    page.keyboard.press("Space")
    _checked(city, "office-practice-picker-fr")
    _key_type(city, "#source_title_1", "Page des bancs connectés")
    _key_type(city, "#source_url_1", "https://montreal.example/bancs")
    _key_enter(city, "button[value=soumettre]")
    assert re.search(r"/espace/brouillons/\w+\?fait=soumettre$", page.url), page.url
    draft = page.url.split("?")[0]

    review = aimf.page
    _key_enter(aimf, "a[href='/espace/relecture']")
    _key_enter(aimf, f"a[href='{draft[len(web_server.url):]}']")
    assert "Bancs connectés de Montréal" in review.inner_text("table.diff")
    _key_enter(aimf, "button[value=publier]")
    assert "publié" in review.inner_text("main")
    review.goto(web_server.url + "/id/practice/bancs-connectes-de-montreal")
    shown = review.inner_text("main")
    assert "Des bancs publics donnent l'heure des bus" in shown
    assert review.locator(f"a[href='/id/practice/{slug}']").count() >= 1  # adapted from what was picked
    city.assert_clean()
    aimf.assert_clean()
