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
