"""Accounts: bearer tokens with a role (and a city for contributors); people who sign in are accounts too
(`people.py`), listed apart. Only a hash of each token is kept,
in the private accounts graph; the token itself is shown once, at creation."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from ..core.errors import GrapheError
from ..core.rdf import PREFIXES, Literal, NamedNode, Quad
from ..store import SYS, Store

ROLES = ("contributor", "secretariat", "admin")
TOKEN_PREFIX = "grp_"
_XSD = PREFIXES["xsd"]


@dataclass(frozen=True)
class Account:
    id: str  # the account's IRI (private; never published)
    name: str
    role: str
    city: str | None = None  # contributors act for one city
    created: str | None = None
    revoked: bool = False

    @property
    def is_secretariat(self) -> bool:
        return self.role in ("secretariat", "admin")

    @classmethod
    def local(cls) -> Account:
        """Whoever runs the `graphe` command on the server: local administrator rights."""
        return cls(id="urn:graphe:local-admin", name="administration locale (CLI)", role="admin")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(store: Store, role: str, name: str, city: str | None = None,
           actor: Account | None = None) -> tuple[Account, str]:
    """A new account and its token (returned once; only its hash is stored). `actor`: the person asking (the
    secretariat; only an administrator makes an administrator's token), audited; None for the server's own
    command line."""
    _may_manage(actor, role)
    if role not in ROLES:
        raise GrapheError("BAD_USER_INPUT", f"Rôle inconnu « {role} » (possibles : {', '.join(ROLES)}).",
                          f"Unknown role '{role}' (possible: {', '.join(ROLES)}).")
    if not name.strip():
        raise GrapheError("BAD_USER_INPUT", "Donnez un nom au jeton (--name).", "Give the token a name (--name).")
    if role == "contributor":
        if not city:
            raise GrapheError("BAD_USER_INPUT", "Un contributeur agit pour une ville : précisez --city.",
                              "A contributor acts for one city: give --city.")
        if not store.ask("ASK { ?c a schema:City }", {"c": NamedNode(city)}):
            raise GrapheError("NOT_FOUND", f"Aucune ville publiée n'a l'IRI {city}.", f"No published city {city}.")
    elif city:
        raise GrapheError("BAD_USER_INPUT", "Seul un contributeur est rattaché à une ville.",
                          "Only a contributor is bound to a city.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ident = secrets.token_hex(8)
    iri = store.graphs.private(f"account/{ident}")
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    g = store.graphs.accounts
    quads = [Quad(iri, NamedNode(SYS + "tokenHash"), Literal(_hash(token)), g),
             Quad(iri, NamedNode(SYS + "role"), Literal(role), g),
             Quad(iri, NamedNode(SYS + "name"), Literal(name.strip()), g),
             Quad(iri, NamedNode(SYS + "created"), Literal(now, datatype=NamedNode(_XSD + "dateTime")), g)]
    if city:
        quads.append(Quad(iri, NamedNode(SYS + "city"), NamedNode(city), g))
    store.commit(quads + _audit(store, actor, "token-create", iri.value, f"{name.strip()} ({role})"),
                 summary="compte créé")
    return Account(iri.value, name.strip(), role, city, now), token


def _may_manage(actor: Account | None, role: str) -> None:
    if actor is None:
        return
    if not actor.is_secretariat:
        raise GrapheError("FORBIDDEN", "Réservé au secrétariat.", "For the secretariat only.", {"status": 403})
    if role == "admin" and actor.role != "admin":
        raise GrapheError("FORBIDDEN", "Seul un administrateur gère un jeton d'administration.",
                          "Only an administrator manages an administration token.", {"status": 403, "field": "role"})


def audit_quads(store: Store, actor: Account, action: str, target: str, result: str, detail: str = "") -> list[Quad]:
    """One entry of the private audit log: who (the account, and its name as it was), what, on what, when,
    with what result."""
    g, e = store.graphs.workflow, store.graphs.private(f"audit/{secrets.token_hex(8)}")
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    quads = [Quad(e, NamedNode(SYS + "actor"), NamedNode(actor.id), g),
             Quad(e, NamedNode(SYS + "actorName"), Literal(actor.name), g),
             Quad(e, NamedNode(SYS + "action"), Literal(action), g),
             Quad(e, NamedNode(SYS + "target"), Literal(target), g),
             Quad(e, NamedNode(PREFIXES["prov"] + "atTime"), Literal(now, datatype=NamedNode(_XSD + "dateTime")), g),
             Quad(e, NamedNode(SYS + "result"), Literal(result), g)]
    if detail:
        quads.append(Quad(e, NamedNode(SYS + "detail"), Literal(detail[:2000]), g))
    return quads


def _audit(store: Store, actor: Account | None, action: str, target: str, detail: str) -> list[Quad]:
    return [] if actor is None else audit_quads(store, actor, action, target, "ok", detail)


def all_accounts(store: Store) -> list[Account]:
    rows = store.select(f"""SELECT ?a ?name ?role ?city ?created ?revoked WHERE {{ GRAPH ?g {{
        ?a <{SYS}role> ?role ; <{SYS}name> ?name ; <{SYS}created> ?created .
        OPTIONAL {{ ?a <{SYS}city> ?city }} OPTIONAL {{ ?a <{SYS}revoked> ?revoked }}
        FILTER NOT EXISTS {{ ?a <{SYS}email> ?email }} }} }} ORDER BY ?created ?a""",
                        {"g": store.graphs.accounts}, private=True)
    return [_account(r) for r in rows]


def _account(row: dict) -> Account:  # type: ignore[type-arg]
    return Account(row["a"].value, row["name"].value, row["role"].value,
                   row["city"].value if "city" in row else None, row["created"].value, "revoked" in row)


def revoke(store: Store, ident: str, actor: Account | None = None) -> Account:
    """Revoke by account IRI or its short id (the last segment). `actor` as for `create`."""
    match = [a for a in all_accounts(store) if a.id == ident or a.id.rsplit("/", 1)[-1] == ident]
    if not match:
        raise GrapheError("NOT_FOUND", f"Aucun compte « {ident} ».", f"No account '{ident}'.")
    account = match[0]
    _may_manage(actor, account.role)
    if not account.revoked:
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
        store.commit([Quad(NamedNode(account.id), NamedNode(SYS + "revoked"),
                           Literal(now, datatype=NamedNode(_XSD + "dateTime")), store.graphs.accounts)] +
                     _audit(store, actor, "token-revoke", account.id, account.name), summary="compte révoqué")
    return Account(account.id, account.name, account.role, account.city, account.created, True)


def authenticate(store: Store, authorization: str | None) -> Account | None:
    """The account of an `Authorization: Bearer …` header; None without one; UNAUTHENTICATED if wrong."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX):
        raise GrapheError("UNAUTHENTICATED", "Authentification invalide : envoyez « Authorization: Bearer <jeton> ».",
                          "Invalid authentication: send 'Authorization: Bearer <token>'.", {"status": 401})
    rows = store.select(f"""SELECT ?a ?name ?role ?city ?created ?revoked WHERE {{ GRAPH ?g {{
        ?a <{SYS}tokenHash> ?h ; <{SYS}role> ?role ; <{SYS}name> ?name ; <{SYS}created> ?created .
        OPTIONAL {{ ?a <{SYS}city> ?city }} OPTIONAL {{ ?a <{SYS}revoked> ?revoked }} }} }}""",
                        {"g": store.graphs.accounts, "h": Literal(_hash(token))}, private=True)
    if not rows or "revoked" in rows[0]:
        raise GrapheError("UNAUTHENTICATED", "Jeton inconnu ou révoqué.", "Unknown or revoked token.", {"status": 401})
    return _account(rows[0])
