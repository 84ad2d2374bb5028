"""Read side of the write history: the public change feed (and where the Atom feeds are), the private audit log."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..core.errors import GrapheError
from ..core.rdf import PREFIXES, Literal, NamedNode
from ..store import SYS, Store

PROV = PREFIXES["prov"]
MAX_ENTRIES = 1000  # revisions in one answer of the change feed, at most (`limit` is capped there)
# The Atom feeds' paths (`opendata.atom` serves them, pages link to them), under the site's root and the base
# IRI; French, like the site's own (/recherche, /comparer).
FEED_PATHS = {"all": "flux/pratiques.atom", "theme": "flux/theme/", "city": "flux/ville/", "country": "flux/pays/"}


def feed_path(kind: str, key: str = "") -> str:
    """A feed's path, without the leading slash: `flux/pratiques.atom`, `flux/ville/{slug}.atom`…"""
    return FEED_PATHS["all"] if kind == "all" else f"{FEED_PATHS[kind]}{key}.atom"


@dataclass
class Change:
    revision: int
    time: str
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)


def changes(store: Store, since: int, limit: int = MAX_ENTRIES) -> list[Change]:
    """Public revisions after `since` that created, changed or retired published objects, oldest first."""
    if since < 0:
        raise GrapheError("BAD_USER_INPUT", "« since » doit être un numéro de révision positif ou nul.",
                          "'since' must be a revision number, 0 or more.")
    if not 1 <= limit <= MAX_ENTRIES + 1:  # +1: `changes_page` asks one more to know whether more remain
        raise GrapheError("BAD_USER_INPUT", f"« limit » doit être un nombre entier entre 1 et {MAX_ENTRIES}.",
                          f"'limit' must be an integer between 1 and {MAX_ENTRIES}.")
    # Numbered by the public revision each change made (records older than `sys:public`: their number).
    rows = store.select(f"""SELECT ?n ?t ?k ?o WHERE {{ GRAPH ?g {{
        ?r <{SYS}number> ?c ; <{PROV}generatedAtTime> ?t ; ?k ?o .
        OPTIONAL {{ ?r <{SYS}public> ?p }} BIND(COALESCE(?p, ?c) AS ?n)
        VALUES ?k {{ <{SYS}created> <{SYS}changed> <{SYS}retired> }} FILTER(?n > {int(since)}) }} }}
        ORDER BY ?n ?k ?o""", {"g": store.graphs.system}, private=True)
    entries: dict[int, Change] = {}
    for row in rows:
        number = int(row["n"].value)
        if number not in entries:
            if len(entries) == limit:
                break
            entries[number] = Change(number, row["t"].value)
        getattr(entries[number], row["k"].value[len(SYS):]).append(row["o"].value)
    return list(entries.values())


def changes_page(store: Store, since: int, limit: int = MAX_ENTRIES) -> tuple[list[Change], bool]:
    """At most `limit` revisions after `since` (oldest first), and whether more remain after them."""
    found = changes(store, since, limit + 1)
    return found[:limit], len(found) > limit


def last_changes(store: Store) -> dict[str, str]:
    """Each object the change feed names → the time (xsd:dateTime text) of the last public revision that
    created, changed or retired it: when it last changed for its readers (publishing sets no dct:modified)."""
    rows = store.select(f"""SELECT ?o (MAX(STR(?t)) AS ?last) WHERE {{ GRAPH ?g {{
        ?r <{SYS}number> ?c ; <{PROV}generatedAtTime> ?t ; ?k ?o .
        VALUES ?k {{ <{SYS}created> <{SYS}changed> <{SYS}retired> }} }} }} GROUP BY ?o""",
                        {"g": store.graphs.system}, private=True)
    return {row["o"].value: row["last"].value for row in rows if "last" in row}


@dataclass(frozen=True)
class AuditEntry:
    id: str
    time: str
    actor: str
    actor_name: str
    action: str
    target: str
    result: str
    detail: str | None


def audit_log(store: Store, limit: int = 100, offset: int = 0, *, action: str | None = None,
              actor: str | None = None, target: str | None = None, refused: bool = False) -> list[AuditEntry]:
    """Every write attempt by an account, newest first (private: for the secretariat); optionally only one
    action, one actor (account IRI), one target (IRI or draft id), or only the refused attempts."""
    wanted: dict[str, Literal | NamedNode] = {}
    if action:
        wanted["action"] = Literal(action)
    if actor:
        wanted["actor"] = NamedNode(actor)
    if target:
        wanted["target"] = Literal(target)
    refusals = 'FILTER(?result != "ok")' if refused else ""
    rows = store.select(f"""SELECT ?e ?t ?actor ?name ?action ?target ?result ?detail WHERE {{ GRAPH ?g {{
        ?e <{SYS}actor> ?actor ; <{SYS}actorName> ?name ; <{SYS}action> ?action ; <{SYS}target> ?target ;
           <{PROV}atTime> ?t ; <{SYS}result> ?result . OPTIONAL {{ ?e <{SYS}detail> ?detail }} {refusals} }} }}
        ORDER BY DESC(?t) ?e LIMIT {int(limit)} OFFSET {int(offset)}""", {"g": store.graphs.workflow, **wanted},
                        private=True)
    return [AuditEntry(r["e"].value, r["t"].value, r["actor"].value, r["name"].value, r["action"].value,
                       r["target"].value, r["result"].value, r["detail"].value if "detail" in r else None)
            for r in rows]
