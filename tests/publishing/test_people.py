"""People who sign in (publishing/people.py), on both stores: invitation → password → sign-in → session →
sign-out; disabling; a new link resets; throttled failures; nothing secret stored in clear; every change in
the audit log with the person."""
from __future__ import annotations

import pytest

from conftest import BASE
from graphe.core.errors import GrapheError
from graphe.publishing import accounts, people
from graphe.publishing.accounts import Account
from graphe.publishing.feed import audit_log
from graphe.service import Graphe
from graphe.store import SYS

LOCAL = Account.local()
SITE = "http://graphe.test/"
PASSWORD = "une phrase assez longue"


def _secret(link: str) -> str:
    assert link.startswith(SITE + "invitation/")
    return link.rsplit("/", 1)[-1]


def _code(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(GrapheError) as caught:
        call()
    return caught.value.code


def test_invitation_password_sign_in_and_out(fresh: Graphe) -> None:
    store = fresh.store
    person, link = people.invite(store, LOCAL, " Awa   Diop ", "Awa.Diop@Example.org", "secretariat", None, SITE)
    assert (person.account.name, person.email, person.state) == ("Awa Diop", "awa.diop@example.org", "invited")
    secret = _secret(link)
    assert people.invitation(store, secret).account.id == person.account.id
    # Nothing secret in clear: neither the link's secret, nor later the password or the session.
    stored = " ".join(q.object.value for q in store.quads(store.graphs.accounts))
    assert secret not in stored

    assert _code(lambda: people.accept(store, secret, "trop court", "trop court")) == "PASSWORD_TOO_SHORT"
    assert _code(lambda: people.accept(store, secret, PASSWORD, PASSWORD + "!")) == "PASSWORD_MISMATCH"
    assert _code(lambda: people.accept(store, secret, "awa.diop@example.org", "awa.diop@example.org")) == \
        "PASSWORD_WEAK"
    signed = people.accept(store, secret, PASSWORD, PASSWORD)
    assert signed.account.id == person.account.id and people.find(store, person.account.id).state == "active"
    assert _code(lambda: people.invitation(store, secret)) == "INVITATION_INVALID"  # used once
    stored = " ".join(q.object.value for q in store.quads(store.graphs.accounts))
    assert PASSWORD not in stored and signed.session not in stored
    assert "$argon2id$" in stored

    assert people.session(store, signed.session).account.id == person.account.id  # type: ignore[union-attr]
    assert people.session(store, "not-a-session") is None and people.session(store, None) is None
    gate = people.Gate()
    again = gate.sign_in(store, "  AWA.diop@example.org ", PASSWORD, "192.0.2.1")
    assert again.session != signed.session and again.csrf == people.csrf_token(again.session)
    people.sign_out(store, again)
    assert people.session(store, again.session) is None
    assert people.session(store, signed.session) is not None  # the other session is untouched
    third = gate.sign_in(store, "awa.diop@example.org", PASSWORD, "192.0.2.1")
    people.sign_out(store, third, everywhere=True)
    assert people.session(store, signed.session) is None and people.session(store, third.session) is None

    actions = [(e.action, e.actor_name) for e in audit_log(store) if e.target == person.account.id]
    for action in ("invite", "set-password", "sign-in", "sign-out", "sign-out-everywhere"):
        assert action in [a for a, _ in actions], actions
    assert ("sign-in", "Awa Diop") in actions


def test_wrong_passwords_are_throttled_and_unknown_addresses_cost_the_same(fresh: Graphe) -> None:
    store = fresh.store
    _, link = people.invite(store, LOCAL, "Jean Martin", "jean@example.org", "secretariat", None, SITE)
    people.accept(store, _secret(link), PASSWORD, PASSWORD)
    gate = people.Gate()
    for _ in range(people.Gate().accounts.free):
        assert _code(lambda: gate.sign_in(store, "jean@example.org", "mauvais", "192.0.2.7")) == "SIGN_IN_FAILED"
    assert _code(lambda: gate.sign_in(store, "jean@example.org", "mauvais", "192.0.2.7")) == "SIGN_IN_FAILED"
    # Now locked: even the right password waits, and the answer says how long.
    with pytest.raises(GrapheError) as caught:
        gate.sign_in(store, "jean@example.org", PASSWORD, "192.0.2.8")
    assert caught.value.code == "TOO_MANY_ATTEMPTS" and caught.value.details["status"] == 429
    assert caught.value.details["retry_after"] >= 1
    # The same answer for an address nobody has as for a wrong password.
    assert _code(lambda: people.Gate().sign_in(store, "nobody@example.org", PASSWORD, "192.0.2.9")) == \
        "SIGN_IN_FAILED"


def test_the_throttle_doubles_its_wait_and_forgets_on_success() -> None:
    throttle = people.Throttle(free=2, max_wait=10)
    throttle.failed("k"), throttle.failed("k")
    assert throttle.wait("k") == 0
    throttle.failed("k")
    first = throttle.wait("k")
    throttle.failed("k")
    assert 1 < first <= 2 < throttle.wait("k") <= 4
    for _ in range(10):
        throttle.failed("k")
    assert throttle.wait("k") <= 10
    throttle.succeeded("k")
    assert throttle.wait("k") == 0
    small = people.Throttle(free=0, size=3)
    for key in "abcd":
        small.failed(key)
    assert small.wait("a") == 0 and small.wait("d") > 0  # bounded: the oldest is forgotten


def test_disabled_people_lose_their_sessions_and_cannot_sign_in(fresh: Graphe) -> None:
    store = fresh.store
    person, link = people.invite(store, LOCAL, "Léa", "lea@example.org", "secretariat", None, SITE)
    signed = people.accept(store, _secret(link), PASSWORD, PASSWORD)
    assert _code(lambda: people.disable(store, signed.account, person.account.id)) == "BAD_USER_INPUT"  # oneself
    disabled = people.disable(store, LOCAL, person.account.id.rsplit("/", 1)[-1])
    assert disabled.state == "disabled" and people.session(store, signed.session) is None
    assert _code(lambda: people.Gate().sign_in(store, "lea@example.org", PASSWORD, "192.0.2.3")) == \
        "ACCOUNT_DISABLED"
    assert _code(lambda: people.invite_again(store, LOCAL, person.account.id, SITE)) == "ACCOUNT_DISABLED"
    assert people.find(store, person.account.id).account.name == "Léa"  # kept, never deleted


def test_a_new_link_replaces_the_old_one_and_resets_the_password(fresh: Graphe) -> None:
    store = fresh.store
    person, link = people.invite(store, LOCAL, "Omar", "omar@example.org", "secretariat", None, SITE)
    first = people.accept(store, _secret(link), PASSWORD, PASSWORD)
    _, old = people.invite_again(store, LOCAL, person.account.id, SITE)
    _, new = people.invite_again(store, LOCAL, person.account.id, SITE)
    assert _code(lambda: people.invitation(store, _secret(old))) == "INVITATION_INVALID"
    people.accept(store, _secret(new), "un tout autre mot de passe", "un tout autre mot de passe")
    assert people.session(store, first.session) is None  # a reset ends every session
    gate = people.Gate()
    assert _code(lambda: gate.sign_in(store, "omar@example.org", PASSWORD, "192.0.2.4")) == "SIGN_IN_FAILED"
    assert gate.sign_in(store, "omar@example.org", "un tout autre mot de passe", "192.0.2.4").account.name == "Omar"


def test_who_may_invite_whom(fresh: Graphe, monkeypatch: pytest.MonkeyPatch) -> None:
    store = fresh.store
    nantes = BASE + "id/city/nantes"
    contributor, _ = people.invite(store, LOCAL, "Ville", "ville@example.org", "contributor", nantes, SITE)
    assert contributor.account.city == nantes
    assert _code(lambda: people.invite(store, contributor.account, "X", "x@example.org", "contributor", nantes,
                                       SITE)) == "FORBIDDEN"
    secretariat = Account("urn:test:s", "Secrétariat", "secretariat")
    assert _code(lambda: people.invite(store, secretariat, "X", "x@example.org", "admin", None, SITE)) == "FORBIDDEN"
    assert _code(lambda: people.invite(store, LOCAL, "X", "x@example.org", "contributor", None, SITE)) == \
        "BAD_USER_INPUT"
    assert _code(lambda: people.invite(store, LOCAL, "X", "x@example.org", "contributor", BASE + "id/city/none",
                                       SITE)) == "NOT_FOUND"
    assert _code(lambda: people.invite(store, LOCAL, "X", "pas une adresse", "secretariat", None, SITE)) == \
        "BAD_USER_INPUT"
    assert _code(lambda: people.invite(store, LOCAL, "X", "VILLE@example.org", "secretariat", None, SITE)) == \
        "EMAIL_TAKEN"
    monkeypatch.setattr(people, "INVITATION_DAYS", -1)  # a link made already expired
    _, link = people.invite(store, LOCAL, "Tard", "tard@example.org", "secretariat", None, SITE)
    assert _code(lambda: people.invitation(store, _secret(link))) == "INVITATION_INVALID"
    # People are not API tokens: `graphe token list` leaves them out, `token revoke` cannot reach them.
    assert not {a.id for a in accounts.all_accounts(store)} & {p.account.id for p in people.people(store)}
    assert _code(lambda: accounts.revoke(store, contributor.account.id)) == "NOT_FOUND"
    assert not list(store.select(f"SELECT ?s WHERE {{ ?s <{SYS}email> ?e }}"))  # private: not in public reads
