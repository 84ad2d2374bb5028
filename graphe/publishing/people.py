"""People who sign in: personal accounts (name, e-mail, role, city), invitations, passwords, sessions.

A person is an account of `accounts.py` (same IRI space, same roles, same audit identity) with an e-mail
address instead of a token. Everything lives in the private accounts graph:

- **Invitation.** The secretariat (or `graphe person invite`) names the person; a one-time link is made and
  shown once. Only a SHA-256 of its secret is kept, with an expiry (`INVITATION_DAYS`). Opening the link
  lets the person choose a password; inviting again makes a new link (and is how a forgotten password is
  reset: the old link and every session end).
- **Password.** Argon2id (`argon2-cffi`, its RFC 9106 defaults: 64 MiB, 3 passes); this module is the only
  one that imports it. At least `MIN_PASSWORD` characters, no composition rule (NIST SP 800-63B).
- **Session.** A random id in the cookie; only its SHA-256 is stored, with the account and an expiry
  (`SESSION_HOURS`). Signing out removes it; "everywhere" removes every session of the account; disabling
  an account removes them too. The CSRF token of a session's forms is derived from its id (HMAC), so it
  needs no storage and dies with the session.
- **Throttle.** Failed sign-ins are counted per account and per client address, in memory: past a few
  free failures each one doubles the wait (up to `MAX_WAIT`), during which the password is not even checked.
  An unknown address costs the same Argon2 work as a known one (no timing oracle on who has an account).

Accounts are disabled, never deleted: the audit log keeps their names. Every change is audited with the person.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .accounts import ROLES, Account, audit_quads
from ..core.errors import GrapheError
from ..core.rdf import PREFIXES, Literal, NamedNode, Quad
from ..store import SYS, Store

INVITATION_DAYS = 7
SESSION_HOURS = 12
MIN_PASSWORD, MAX_PASSWORD = 12, 256
MAX_EMAIL = 254  # RFC 5321's path limit
MAX_NAME = 200
_XSD_DT = NamedNode(PREFIXES["xsd"] + "dateTime")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")
_HASHER = PasswordHasher()  # Argon2id, RFC 9106 "low memory" profile


@functools.cache
def _dummy() -> str:
    """What an unknown address is checked against, so that it costs what a known one does; made at the first
    sign-in rather than at import (an Argon2 hash, 0.1–0.2 s of every start: bench/restart.py)."""
    return _HASHER.hash(secrets.token_urlsafe(16))


def _p(name: str) -> NamedNode:
    return NamedNode(SYS + name)


def _sha(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _stamp(moment: dt.datetime) -> Literal:
    return Literal(moment.isoformat(), datatype=_XSD_DT)


def _error(code: str, fr: str, en: str, status: int = 400, **details: object) -> GrapheError:
    return GrapheError(code, fr, en, {"status": status, **details})


@dataclass(frozen=True)
class Person:
    account: Account
    email: str
    state: str  # invited | active | disabled


@dataclass(frozen=True)
class SignedIn:
    account: Account
    session: str  # the cookie's secret (never stored)
    csrf: str


def email_key(email: str) -> str:
    """E-mail addresses compare without case and surrounding spaces."""
    return email.strip().lower()


def csrf_token(session: str) -> str:
    return hmac.new(session.encode(), b"graphe-csrf", hashlib.sha256).hexdigest()


def check_csrf(session: str, token: str | None) -> None:
    if not token or not hmac.compare_digest(csrf_token(session), token):
        raise _error("CSRF_FAILED", "Formulaire expiré ou venu d'ailleurs : rechargez la page et recommencez.",
                     "Form expired or sent from elsewhere: reload the page and try again.", 403)


# ------------------------------------------------------------------------------------------ reading

_PEOPLE = f"""SELECT ?a ?name ?role ?city ?created ?revoked ?email ?password ?invited WHERE {{ GRAPH ?g {{
    ?a <{SYS}email> ?email ; <{SYS}role> ?role ; <{SYS}name> ?name ; <{SYS}created> ?created .
    OPTIONAL {{ ?a <{SYS}city> ?city }} OPTIONAL {{ ?a <{SYS}revoked> ?revoked }}
    OPTIONAL {{ ?a <{SYS}passwordHash> ?password }} OPTIONAL {{ ?a <{SYS}invitationHash> ?invited }} }}
    #FILTER }} ORDER BY ?name ?a"""


def _rows(store: Store, where: str = "", bindings: dict | None = None) -> list[dict]:  # type: ignore[type-arg]
    return store.select(_PEOPLE.replace("#FILTER", where), {"g": store.graphs.accounts, **(bindings or {})},
                        private=True)


def _person(row: dict) -> Person:  # type: ignore[type-arg]
    account = Account(row["a"].value, row["name"].value, row["role"].value,
                      row["city"].value if "city" in row else None, row["created"].value, "revoked" in row)
    state = "disabled" if account.revoked else ("active" if "password" in row else "invited")
    return Person(account, row["email"].value, state)


def people(store: Store) -> list[Person]:
    return [_person(r) for r in _rows(store)]


def find(store: Store, ident: str) -> Person:
    """By account IRI or its short id (the last segment)."""
    match = [p for p in people(store) if ident in (p.account.id, p.account.id.rsplit("/", 1)[-1])]
    if not match:
        raise _error("NOT_FOUND", f"Aucune personne « {ident} ».", f"No person '{ident}'.", 404)
    return match[0]


def _by_email(store: Store, email: str) -> dict | None:  # type: ignore[type-arg]
    rows = _rows(store, "FILTER(?email = ?e)", {"e": Literal(email_key(email))})
    return rows[0] if rows else None


# ------------------------------------------------------------------------------------------ invitations

def invite(store: Store, actor: Account, name: str, email: str, role: str, city: str | None,
           base_url: str) -> tuple[Person, str]:
    """A new person and their one-time link (returned once). Secretariat only."""
    _secretariat(actor)
    name, key = " ".join(name.split()), email_key(email)
    if not name or len(name) > MAX_NAME:
        raise _error("BAD_USER_INPUT", "Donnez le nom de la personne (200 caractères au plus).",
                     "Give the person's name (200 characters at most).", field="name")
    if len(key) > MAX_EMAIL or not _EMAIL.fullmatch(key):
        raise _error("BAD_USER_INPUT", "Adresse électronique invalide.", "Invalid e-mail address.", field="email")
    if role not in ROLES:
        raise _error("BAD_USER_INPUT", f"Rôle inconnu « {role} ».", f"Unknown role '{role}'.", field="role")
    if role == "admin" and actor.role != "admin":
        raise _error("FORBIDDEN", "Seul un administrateur invite un administrateur.",
                     "Only an administrator invites an administrator.", 403, field="role")
    if role == "contributor":
        if not city:
            raise _error("BAD_USER_INPUT", "Un contributeur agit pour une ville : choisissez-la.",
                         "A contributor acts for one city: choose it.", field="city")
        if not store.ask("ASK { ?c a schema:City }", {"c": NamedNode(city)}):
            raise _error("NOT_FOUND", f"Aucune ville publiée n'a l'IRI {city}.", f"No published city {city}.",
                         404, field="city")
    else:
        city = None
    if _by_email(store, key) is not None:
        raise _error("EMAIL_TAKEN", "Une personne a déjà cette adresse : invitez-la de nouveau depuis la liste.",
                     "Someone already has this address: invite them again from the list.", 409, field="email")
    iri = store.graphs.private(f"account/{secrets.token_hex(8)}")
    g, now = store.graphs.accounts, _now()
    quads = [Quad(iri, _p("email"), Literal(key), g), Quad(iri, _p("role"), Literal(role), g),
             Quad(iri, _p("name"), Literal(name), g), Quad(iri, _p("created"), _stamp(now), g)]
    if city:
        quads.append(Quad(iri, _p("city"), NamedNode(city), g))
    secret, invitation = _invitation(store, iri)
    account = Account(iri.value, name, role, city, now.isoformat())
    store.commit(quads + invitation + audit_quads(store, actor, "invite", iri.value, "ok", f"{name} ({role})"),
                 summary="personne invitée")
    return Person(account, key, "invited"), base_url + "invitation/" + secret


def invite_again(store: Store, actor: Account, ident: str, base_url: str) -> tuple[Person, str]:
    """A new one-time link for a person (the previous one stops working). Also how a forgotten password
    is reset: accepting it ends every session."""
    _secretariat(actor)
    person = find(store, ident)
    if person.account.revoked:
        raise _error("ACCOUNT_DISABLED", "Ce compte est désactivé.", "This account is disabled.", 409)
    iri, g = NamedNode(person.account.id), store.graphs.accounts
    old = [Quad(iri, _p(p), row["o"], g) for p in ("invitationHash", "invitationExpires")
           for row in store.select(f"SELECT ?o WHERE {{ GRAPH ?g {{ ?a <{SYS}{p}> ?o }} }}",
                                   {"g": g, "a": iri}, private=True)]
    secret, invitation = _invitation(store, iri)
    store.commit(invitation + audit_quads(store, actor, "invite-again", iri.value, "ok", person.account.name),
                 old, summary="invitation renouvelée")
    return person, base_url + "invitation/" + secret


def _invitation(store: Store, iri: NamedNode) -> tuple[str, list[Quad]]:
    secret = secrets.token_urlsafe(32)
    g = store.graphs.accounts
    return secret, [Quad(iri, _p("invitationHash"), Literal(_sha(secret)), g),
                    Quad(iri, _p("invitationExpires"), _stamp(_now() + dt.timedelta(days=INVITATION_DAYS)), g)]


def invitation(store: Store, secret: str) -> Person:
    """The person a still valid invitation link names; INVITATION_INVALID otherwise."""
    if not secret or len(secret) > 100:
        raise _invalid_invitation()
    rows = store.select(f"""SELECT ?a ?until WHERE {{ GRAPH ?g {{ ?a <{SYS}invitationHash> ?h ;
        <{SYS}invitationExpires> ?until . FILTER NOT EXISTS {{ ?a <{SYS}revoked> ?r }} }} }}""",
                        {"g": store.graphs.accounts, "h": Literal(_sha(secret))}, private=True)
    if not rows or dt.datetime.fromisoformat(rows[0]["until"].value) < _now():
        raise _invalid_invitation()
    return find(store, rows[0]["a"].value)


def _invalid_invitation() -> GrapheError:
    return _error("INVITATION_INVALID", "Ce lien d'invitation n'est plus valable (déjà utilisé, expiré ou "
                  "remplacé) : demandez-en un nouveau au secrétariat.",
                  "This invitation link is no longer valid (used, expired or replaced): ask the secretariat "
                  "for a new one.", 404)


def accept(store: Store, secret: str, password: str, confirmation: str) -> SignedIn:
    """Set the password of the invited person, end the link and every earlier session, sign in."""
    person = invitation(store, secret)
    check_password(password, confirmation, person.email)
    hashed = _HASHER.hash(password)
    iri, g = NamedNode(person.account.id), store.graphs.accounts
    current = invitation(store, secret)  # (hashing took a while: the link may have been used meanwhile)
    old = [Quad(iri, _p(p), row["o"], g) for p in ("invitationHash", "invitationExpires", "passwordHash")
           for row in store.select(f"SELECT ?o WHERE {{ GRAPH ?g {{ ?a <{SYS}{p}> ?o }} }}",
                                   {"g": g, "a": iri}, private=True)]
    signed = _new_session(store, current.account)
    store.commit([Quad(iri, _p("passwordHash"), Literal(hashed), g), *signed[1]] +
                 audit_quads(store, current.account, "set-password", iri.value, "ok"),
                 old + _sessions_of(store, iri), summary="mot de passe choisi")
    return signed[0]


def check_password(password: str, confirmation: str, email: str) -> None:
    if password != confirmation:
        raise _error("PASSWORD_MISMATCH", "Les deux mots de passe diffèrent.", "The two passwords differ.",
                     field="confirmation")
    if len(password) < MIN_PASSWORD:
        raise _error("PASSWORD_TOO_SHORT", f"Choisissez au moins {MIN_PASSWORD} caractères (une phrase fait "
                     "très bien l'affaire).", f"Choose at least {MIN_PASSWORD} characters (a sentence will do).",
                     field="password")
    if len(password) > MAX_PASSWORD:
        raise _error("PASSWORD_TOO_LONG", f"{MAX_PASSWORD} caractères au plus.",
                     f"{MAX_PASSWORD} characters at most.", field="password")
    if email_key(password) == email_key(email) or email_key(password) == email_key(email).split("@")[0]:
        raise _error("PASSWORD_WEAK", "Le mot de passe ne doit pas reprendre votre adresse.",
                     "The password must not be your address.", field="password")


# ------------------------------------------------------------------------------------------ sign-in

class Throttle:
    """Failed sign-ins per key, in memory (bounded): `free` failures, then each one doubles the wait."""

    def __init__(self, free: int, max_wait: float = 900.0, size: int = 10_000) -> None:
        self.free, self.max_wait, self.size = free, max_wait, size
        self._failures: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._lock = threading.Lock()

    def wait(self, key: str) -> float:
        """Seconds before `key` may try again (0: now)."""
        with self._lock:
            count, until = self._failures.get(key, (0, 0.0))
        return max(0.0, until - time.monotonic())

    def failed(self, key: str) -> None:
        with self._lock:
            count, _ = self._failures.pop(key, (0, 0.0))
            count += 1
            delay = 0.0 if count <= self.free else min(self.max_wait, 2.0 ** (count - self.free))
            self._failures[key] = (count, time.monotonic() + delay)
            while len(self._failures) > self.size:
                self._failures.popitem(last=False)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


class Gate:
    """Sign-in for one service: its throttles (per account: 3 free failures; per address: 10)."""

    def __init__(self) -> None:
        self.accounts, self.addresses = Throttle(free=3), Throttle(free=10)

    def sign_in(self, store: Store, email: str, password: str, address: str) -> SignedIn:
        key = email_key(email)[:MAX_EMAIL]
        wait = max(self.accounts.wait(key), self.addresses.wait(address))
        if wait > 0:
            seconds = int(wait) + 1
            raise _error("TOO_MANY_ATTEMPTS", f"Trop d'essais : réessayez dans {seconds} s.",
                         f"Too many attempts: try again in {seconds} s.", 429, retry_after=seconds)
        row = _by_email(store, key) if key else None
        stored = row["password"].value if row is not None and "password" in row else _dummy()
        try:
            good = _HASHER.verify(stored, password[:MAX_PASSWORD])
        except (VerificationError, InvalidHashError):
            good = False
        if not good or row is None or "password" not in row or "revoked" in row:
            self.accounts.failed(key)
            self.addresses.failed(address)
            if good and row is not None and "revoked" in row:
                raise _error("ACCOUNT_DISABLED", "Ce compte est désactivé.", "This account is disabled.", 403)
            raise _error("SIGN_IN_FAILED", "Adresse ou mot de passe incorrect.", "Wrong address or password.",
                         401)
        self.accounts.succeeded(key)
        person = _person(row)
        signed, quads = _new_session(store, person.account)
        iri = NamedNode(person.account.id)
        add = quads + audit_quads(store, person.account, "sign-in", iri.value, "ok")
        if _HASHER.check_needs_rehash(stored):  # the parameters were raised since: upgrade on the way in
            g = store.graphs.accounts
            add.append(Quad(iri, _p("passwordHash"), Literal(_HASHER.hash(password)), g))
            store.commit(add, [Quad(iri, _p("passwordHash"), Literal(stored), g)] + _expired(store, iri),
                         summary="connexion")
        else:
            store.commit(add, _expired(store, iri), summary="connexion")
        return signed


def _new_session(store: Store, account: Account) -> tuple[SignedIn, list[Quad]]:
    session = secrets.token_urlsafe(32)
    iri, g, now = store.graphs.private(f"session/{secrets.token_hex(8)}"), store.graphs.accounts, _now()
    return SignedIn(account, session, csrf_token(session)), [
        Quad(iri, _p("sessionHash"), Literal(_sha(session)), g),
        Quad(iri, _p("account"), NamedNode(account.id), g),
        Quad(iri, _p("created"), _stamp(now), g),
        Quad(iri, _p("expires"), _stamp(now + dt.timedelta(hours=SESSION_HOURS)), g)]


def session(store: Store, secret: str | None) -> SignedIn | None:
    """The signed-in person of a session cookie; None if absent, unknown, expired or disabled."""
    if not secret or len(secret) > 100:
        return None
    rows = store.select(f"""SELECT ?a ?until WHERE {{ GRAPH ?g {{ ?s <{SYS}sessionHash> ?h ; <{SYS}account> ?a ;
        <{SYS}expires> ?until . FILTER NOT EXISTS {{ ?a <{SYS}revoked> ?r }} }} }}""",
                        {"g": store.graphs.accounts, "h": Literal(_sha(secret))}, private=True)
    if not rows or dt.datetime.fromisoformat(rows[0]["until"].value) < _now():
        return None
    found = _rows(store, "FILTER(?a = ?who)", {"who": rows[0]["a"]})
    if not found:
        return None
    return SignedIn(_person(found[0]).account, secret, csrf_token(secret))


def sign_out(store: Store, signed: SignedIn, everywhere: bool = False) -> None:
    iri = NamedNode(signed.account.id)
    if everywhere:
        remove = _sessions_of(store, iri)
    else:
        remove = _session_quads(store, f"?s <{SYS}sessionHash> ?h", {"h": Literal(_sha(signed.session))})
    store.commit(audit_quads(store, signed.account, "sign-out-everywhere" if everywhere else "sign-out", iri.value,
                             "ok"), remove, summary="déconnexion")


def disable(store: Store, actor: Account, ident: str, reason: str = "") -> Person:
    """Disable a person (never deleted: the audit keeps the name); every session ends."""
    _secretariat(actor)
    person = find(store, ident)
    if person.account.id == actor.id:
        raise _error("BAD_USER_INPUT", "Vous ne pouvez pas désactiver votre propre compte.",
                     "You cannot disable your own account.", 409)
    if person.account.role == "admin" and actor.role != "admin":
        raise _error("FORBIDDEN", "Seul un administrateur désactive un administrateur.",
                     "Only an administrator disables an administrator.", 403)
    if person.account.revoked:
        return person
    iri = NamedNode(person.account.id)
    store.commit([Quad(iri, _p("revoked"), _stamp(_now()), store.graphs.accounts)] +
                 audit_quads(store, actor, "disable", iri.value, "ok", reason),
                 _sessions_of(store, iri), summary="compte désactivé")
    return find(store, ident)


def _session_quads(store: Store, where: str, bindings: dict) -> list[Quad]:  # type: ignore[type-arg]
    g = store.graphs.accounts
    rows = store.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH ?g {{ {where} . ?s ?p ?o }} }}", {"g": g, **bindings},
                        private=True)
    return [Quad(r["s"], r["p"], r["o"], g) for r in rows]


def _sessions_of(store: Store, iri: NamedNode) -> list[Quad]:
    return _session_quads(store, f"?s <{SYS}account> ?who ; <{SYS}sessionHash> ?h", {"who": iri})


def _expired(store: Store, iri: NamedNode) -> list[Quad]:
    """The account's expired sessions (removed at its next sign-in: the graph does not grow without end)."""
    g, now = store.graphs.accounts, _now()
    rows = store.select(f"""SELECT ?s ?until WHERE {{ GRAPH ?g {{ ?s <{SYS}account> ?who ; <{SYS}expires> ?until ;
        <{SYS}sessionHash> ?h }} }}""", {"g": g, "who": iri}, private=True)
    gone = {r["s"] for r in rows if dt.datetime.fromisoformat(r["until"].value) < now}
    if not gone:
        return []
    return [q for q in _sessions_of(store, iri) if q.subject in gone]


def _secretariat(actor: Account) -> None:
    if not actor.is_secretariat:
        raise _error("FORBIDDEN", "Réservé au secrétariat.", "For the secretariat only.", 403)
