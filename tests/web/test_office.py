"""The back office's doors over real HTTP (uvicorn on loopback): sign-in, invitation, the person's space,
people and tokens pages; cookies, CSRF, cross-site posts, form caps, throttling, redirects, English."""
from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from conftest import BASE, ThreadServer
from graphe.publishing import accounts, people
from graphe.publishing.accounts import Account
from graphe.publishing.feed import audit_log
from graphe.service import Graphe

PASSWORD = "une phrase assez longue"


_OPEN: list[httpx.Client] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while _OPEN:
        _OPEN.pop().close()


def _client(server: ThreadServer) -> httpx.Client:
    client = httpx.Client(base_url=server.url, follow_redirects=False, timeout=30)
    _OPEN.append(client)
    return client


def _person(graphe: Graphe, server: ThreadServer, email: str, role: str = "secretariat",
            city: str | None = None) -> httpx.Client:
    """A person invited, their password chosen through the page: a client holding their session."""
    _, link = people.invite(graphe.store, Account.local(), email.split("@")[0], email, role, city, server.url + "/")
    client = _client(server)
    path = link[len(server.url):]
    assert client.get(path).status_code == 200
    answer = client.post(path, data={"password": PASSWORD, "confirmation": PASSWORD})
    assert answer.status_code == 303 and answer.headers["location"] == "/espace"
    return client


def _csrf(client: httpx.Client, path: str = "/espace") -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found
    return found.group(1)


def _errors(html: str) -> list[str]:
    return [re.sub(r"&#39;", "'", e) for e in re.findall(r'class="error"[^>]*>([^<]*)<', html)]


def test_invitation_sets_a_safe_session_cookie_and_opens_the_space(served) -> None:  # type: ignore[no-untyped-def]
    graphe, server = served
    _, link = people.invite(graphe.store, Account.local(), "Awa Diop", "awa@example.org", "secretariat", None,
                            server.url + "/")
    client = _client(server)
    path = link[len(server.url):]
    page = client.get(path)
    assert page.status_code == 200 and "Bienvenue, Awa Diop." in page.text
    short = client.post(path, data={"password": "court", "confirmation": "court"})
    assert short.status_code == 400 and any("12 caractères" in e for e in _errors(short.text))
    assert 'aria-invalid="true"' in short.text  # the message is beside the field, and tied to it
    done = client.post(path, data={"password": PASSWORD, "confirmation": PASSWORD})
    assert done.status_code == 303 and done.headers["location"] == "/espace"
    cookie = done.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain HTTP on loopback; over HTTPS it is set
    space = client.get("/espace")
    assert space.status_code == 200 and "Bonjour, Awa Diop." in space.text
    assert space.headers["cache-control"] == "private, no-store"
    assert client.get(path).status_code == 404  # the link worked once
    assert "INVITATION_INVALID" in client.get(path).text


def test_signing_in_and_out_everywhere(served) -> None:  # type: ignore[no-untyped-def]
    graphe, server = served
    first = _person(graphe, server, "jean@example.org")
    second = _client(server)
    form = second.get("/connexion?suivant=/espace/personnes")
    assert form.status_code == 200 and 'autocomplete="current-password"' in form.text
    wrong = second.post("/connexion", data={"email": "jean@example.org", "password": "faux"})
    assert wrong.status_code == 401 and _errors(wrong.text) == ["Adresse ou mot de passe incorrect."]
    right = second.post("/connexion", data={"email": "jean@example.org", "password": PASSWORD,
                                            "suivant": "/espace/personnes"})
    assert right.status_code == 303 and right.headers["location"] == "/espace/personnes"
    assert second.get("/connexion").headers["location"] == "/espace"  # already in
    # Sign out everywhere from the second: the first one's session ends too.
    out = second.post("/deconnexion", data={"csrf": _csrf(second), "partout": "1"})
    assert out.status_code == 303 and 'graphe_session=""' in out.headers["set-cookie"]
    for client in (first, second):
        gone = client.get("/espace")
        assert gone.status_code == 303 and gone.headers["location"] == "/connexion?suivant=%2Fespace"


def test_forms_refuse_what_did_not_come_from_the_site(served) -> None:  # type: ignore[no-untyped-def]
    graphe, server = served
    client = _person(graphe, server, "lea@example.org")
    good = _csrf(client)
    no_token = client.post("/espace/personnes", data={"action": "invite", "name": "X", "email": "x@example.org"})
    assert no_token.status_code == 403 and "CSRF_FAILED" in no_token.text
    other = client.post("/espace/personnes", data={"csrf": good}, headers={"Origin": "https://ailleurs.example"})
    assert other.status_code == 403 and "CROSS_SITE" in other.text
    fetch = client.post("/deconnexion", data={"csrf": good}, headers={"Sec-Fetch-Site": "cross-site"})
    assert fetch.status_code == 403
    big = client.post("/connexion", data={"email": "x" * (70 * 1024)})
    assert big.status_code == 413 and "TOO_LARGE" in big.text
    json_body = client.post("/connexion", json={"email": "x"})
    assert json_body.status_code == 415 and "BAD_FORM" in json_body.text
    many = client.post("/connexion", content="&".join(f"f{i}=1" for i in range(500)),
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert many.status_code == 400 and "BAD_FORM" in many.text
    assert client.get("/espace").status_code == 200  # still signed in: nothing above changed anything


def test_no_open_redirect_after_sign_in(served) -> None:  # type: ignore[no-untyped-def]
    graphe, server = served
    _person(graphe, server, "omar@example.org")
    for target in ("https://ailleurs.example/", "//ailleurs.example/x", "/\\ailleurs.example"):
        answer = _client(server).post("/connexion", data={"email": "omar@example.org", "password": PASSWORD,
                                                          "suivant": target})
        assert answer.status_code == 303 and answer.headers["location"] == "/espace", target


def test_too_many_failures_wait_with_retry_after(served) -> None:  # type: ignore[no-untyped-def]
    graphe, server = served
    _person(graphe, server, "sara@example.org")
    client = _client(server)
    statuses = [client.post("/connexion", data={"email": "sara@example.org", "password": "faux"}).status_code
                for _ in range(5)]
    assert statuses[:4] == [401] * 4 and statuses[4] == 429
    locked = client.post("/connexion", data={"email": "sara@example.org", "password": PASSWORD})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) >= 1
    assert "Trop d'essais" in _errors(locked.text)[0]


def test_the_secretariat_invites_and_disables_people_and_makes_tokens(served) -> None:  # type: ignore[no-untyped-def]
    graphe, server = served
    client = _person(graphe, server, "secretariat@example.org")
    csrf = _csrf(client, "/espace/personnes")
    missing_city = client.post("/espace/personnes", data={"csrf": csrf, "action": "invite", "name": "Ville",
                                                          "email": "ville@example.org", "role": "contributor"})
    assert missing_city.status_code == 400
    assert 'id="city-erreur"' in missing_city.text and 'value="ville@example.org"' in missing_city.text  # kept
    invited = client.post("/espace/personnes", data={"csrf": csrf, "action": "invite", "name": "Ville de Nantes",
                                                     "email": "nantes@example.org", "role": "contributor",
                                                     "city": BASE + "id/city/nantes"})
    assert invited.status_code == 200
    link = re.search(r'readonly value="([^"]+)"', invited.text).group(1)  # type: ignore[union-attr]
    assert link.startswith(server.url + "/invitation/")
    assert link not in client.get("/espace/personnes").text  # shown once
    taken = client.post("/espace/personnes", data={"csrf": csrf, "action": "invite", "name": "Bis",
                                                   "email": "NANTES@example.org", "role": "secretariat"})
    assert taken.status_code == 409 and 'id="email-erreur"' in taken.text
    contributor = _client(server)
    path = link[len(server.url):]
    contributor.post(path, data={"password": PASSWORD, "confirmation": PASSWORD})
    home = contributor.get("/espace")
    assert "Nantes" in home.text and "contributeur" in home.text and "/espace/personnes" not in home.text
    assert contributor.get("/espace/personnes").status_code == 403
    assert contributor.get("/espace/jetons").status_code == 403

    nantes = next(p for p in people.people(graphe.store) if p.email == "nantes@example.org")
    short = nantes.account.id.rsplit("/", 1)[-1]
    disabled = client.post("/espace/personnes", data={"csrf": csrf, "action": "disable", "id": short})
    assert disabled.status_code == 200 and people.find(graphe.store, short).state == "disabled"
    assert contributor.get("/espace").status_code == 303  # their session ended

    made = client.post("/espace/jetons", data={"csrf": csrf, "action": "create", "name": "moissonneur",
                                               "role": "secretariat"})
    token = re.search(r'readonly value="(grp_[^"]+)"', made.text).group(1)  # type: ignore[union-attr]
    assert accounts.authenticate(graphe.store, f"Bearer {token}").name == "moissonneur"  # type: ignore[union-attr]
    no_admin = client.post("/espace/jetons", data={"csrf": csrf, "action": "create", "name": "x", "role": "admin"})
    assert no_admin.status_code == 403
    robot = next(a for a in accounts.all_accounts(graphe.store) if a.name == "moissonneur")
    client.post("/espace/jetons", data={"csrf": csrf, "action": "revoke", "id": robot.id.rsplit("/", 1)[-1]})
    assert next(a for a in accounts.all_accounts(graphe.store) if a.name == "moissonneur").revoked
    done = [(e.action, e.actor_name) for e in audit_log(graphe.store, limit=50)]
    for action in ("invite", "disable", "token-create", "token-revoke"):
        assert (action, "secretariat") in done, done  # each with the person who did it


def test_pages_speak_english_when_asked(served) -> None:  # type: ignore[no-untyped-def]
    graphe, server = served
    client = _person(graphe, server, "english@example.org")
    space = client.get("/espace", headers={"Accept-Language": "en"})
    assert "Hello, english." in space.text and '<html lang="en">' in space.text
    sign_in = _client(server).get("/connexion?lang=en")
    assert "Sign in" in sign_in.text and '<html lang="en">' in sign_in.text
    wrong = _client(server).post("/connexion?lang=en", data={"email": "english@example.org", "password": "no"})
    assert _errors(wrong.text) == ["Wrong address or password."]
    stale = _client(server).get("/invitation/nothing-here", headers={"Accept-Language": "en"})
    assert stale.status_code == 404 and "no longer valid" in stale.text


def test_invitations_are_also_mailed_when_a_server_is_set(served, smtp, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    from conftest import SmtpCatcher

    graphe, server = served
    client = _person(graphe, server, "courriel@example.org")
    monkeypatch.setattr(graphe, "settings", dataclasses.replace(graphe.settings, smtp_url=f"smtp://127.0.0.1:{smtp}"))
    sent = client.post("/espace/personnes", data={"csrf": _csrf(client, "/espace/personnes"), "action": "invite",
                                                  "name": "Par courriel", "email": "recu@example.org",
                                                  "role": "secretariat"})
    assert sent.status_code == 200 and "Le lien a aussi été envoyé à recu@example.org." in sent.text
    link = re.search(r'readonly value="([^"]+)"', sent.text).group(1)  # type: ignore[union-attr]
    [(to, data)] = SmtpCatcher.received
    assert to == "recu@example.org" and link.encode() in data.replace(b"=\r\n", b"")
