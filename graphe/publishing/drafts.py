"""Drafts: what cities and the secretariat propose before publication, kept in private graphs.

Each draft has its own private graph (its triples) and a record in the workflow graph (target object,
state, author, city, times, a version number moved by every change, a rejection reason). A draft is about
one main object — a practice, an AI project with its assessments, a charter with its criteria… — named
by its IRI (`target`); publishing it replaces the published description of every resource it describes.

Ownership (`scope`). A draft describes what its main object owns, decided on its parsed graph and on what
is published, never on text:
- the main object itself (a contributor's practice or AI project names its city, `gr:city` /
  `airo:isUsedWithinLocality`, which must be the account's: `check_author`);
- resources minted under its IRI (`…/practice/x/source/1`, `…#geometry`), except `…/version/n`, the
  workflow's own history;
- its dependents, linked to it by a part-of property (`PART_OF`: an assessment's project, a criterion's
  charter) — new ones, or published ones whose published link already names this object.
Any other subject is foreign (blank nodes too: a draft names what it describes under `id/`). A
contributor's draft with a foreign subject is refused (`outside`), and so is one whose main object is
published without being that city's (`check_author`). The secretariat may still correct anything, as
an exchange that keeps one object per change request lets its editors do, but only through subjects the
draft declares: they are listed in its record (`sys:declares`) when it is written, so that a reviewer sees
them, and publication replaces the published description of the owned and declared subjects only. Publication checks again, on the stored content and
record: a draft written before the rule (no declarations) or a contributor's draft published by the
secretariat cannot replace anything its own author could not.
"""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from .accounts import Account
from ..core.errors import GrapheError
from ..core.rdf import PREFIXES, Literal, NamedNode, Quad, Term
from ..model.namespaces import GR
from ..store import SYS, Store

ORG, SCHEMA, SKOS, AIRO = PREFIXES["org"], PREFIXES["schema"], PREFIXES["skos"], PREFIXES["airo"]
CV = PREFIXES["cv"]
_XSD = PREFIXES["xsd"]
RDF_TYPE = PREFIXES["rdf"] + "type"
# Main kinds, by priority: a draft's main object is its resource of the first kind found.
KINDS = [(GR.Practice, "practice"), (GR.AIProject, "ai_project"), (GR.Charter, "charter"),
         (SCHEMA + "City", "city"), (ORG + "Organization", "organisation"), (ORG + "FormalOrganization", "organisation"),
         (PREFIXES["cv"] + "PublicOrganisation", "organisation"), (SCHEMA + "Event", "event"),
         (GR.ActionPlan, "plan"), (SKOS + "ConceptScheme", "theme"), (SKOS + "Concept", "theme"),
         (GR.Source, "source"), (GR.CriterionMapping, "mapping")]
CONTRIBUTOR_KINDS = {"practice": GR.city, "ai_project": AIRO + "isUsedWithinLocality"}
# saved: kept by its author, not submitted; draft: submitted, in the review queue (the only state that can be
# published, rejected or sent back); changes_requested: sent back with the secretariat's comment (`reason`).
STATES = ("saved", "draft", "changes_requested", "rejected", "published")
# How a dependent names the main object it belongs to (docs/publishing.md: "un objet principal … et ses dépendants").
PART_OF = (GR.assessedProject, CV + "isDerivedFrom")
DECLARES = SYS + "declares"
SHOWN = 5  # foreign subjects named in a refusal


@dataclass(frozen=True)
class Draft:
    id: str
    target: str
    kind: str
    state: str
    author: str
    author_name: str
    city: str | None
    created: str
    updated: str
    version: int
    base_version: int  # the published version this draft was made from (0: a new object)
    reason: str | None = None
    declares: tuple[str, ...] = ()  # foreign subjects the secretariat declared it describes (see `scope`)


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def _dt(value: str) -> Literal:
    return Literal(value, datatype=NamedNode(_XSD + "dateTime"))


def _int(value: int) -> Literal:
    return Literal(str(value), datatype=NamedNode(_XSD + "integer"))


def main_object(quads: Sequence[Quad]) -> tuple[str, str]:
    """(IRI, kind) of the draft's main resource, or BAD_USER_INPUT."""
    typed: dict[str, set[str]] = {}
    for q in quads:
        if q.predicate.value == RDF_TYPE and isinstance(q.subject, NamedNode) and isinstance(q.object, NamedNode):
            typed.setdefault(q.subject.value, set()).add(q.object.value)
    for class_iri, kind in KINDS:
        found = sorted(s for s, types in typed.items() if class_iri in types)
        if len(found) == 1:
            return found[0], kind
        if len(found) > 1:
            raise GrapheError("BAD_USER_INPUT", f"Un brouillon décrit un seul objet principal ; celui-ci en a "
                              f"{len(found)} ({', '.join(found[:3])}…).",
                              f"A draft describes one main object; this one has {len(found)}.")
    raise GrapheError("BAD_USER_INPUT", "Le brouillon ne décrit aucun objet reconnu (pratique, projet d'IA, charte, "
                      "ville, organisation…) : vérifiez son rdf:type.",
                      "The draft describes no known object (practice, AI project, charter, city, "
                      "organisation…): check its rdf:type.")


def city_of(quads: Sequence[Quad], target: str, kind: str) -> str | None:
    predicate = CONTRIBUTOR_KINDS.get(kind)
    for q in quads:
        if q.subject.value == target and predicate and q.predicate.value == predicate:
            return q.object.value
    return None


def forbidden(fr: str, en: str) -> GrapheError:
    return GrapheError("FORBIDDEN", fr, en, {"status": 403})


def check_author(actor: Account, kind: str, city: str | None, published_city: str | None) -> None:
    """A contributor writes drafts of practices and AI projects of its own city only."""
    if actor.is_secretariat:
        return
    if actor.role != "contributor":
        raise forbidden("Ce compte ne peut pas proposer de brouillon.", "This account cannot propose drafts.")
    if kind not in CONTRIBUTOR_KINDS:
        raise forbidden("Un contributeur propose des bonnes pratiques et des projets d'IA ; les chartes, villes, "
                        "organisations, thèmes et correspondances entre critères relèvent du secrétariat.",
                        "A contributor proposes practices and AI projects; charters, cities, organisations, "
                        "themes and criterion mappings are the secretariat's.")
    if city != actor.city or (published_city is not None and published_city != actor.city):
        raise forbidden(f"Ce compte agit pour {actor.city} ; il ne peut proposer que les fiches de cette ville.",
                        f"This account acts for {actor.city}; it may only propose that city's sheets.")


def scope(store: Store, quads: Sequence[Quad], target: str,
          declared: Sequence[str] = ()) -> tuple[set[Term], list[Term]]:
    """(the subjects this draft may describe, its other — foreign — subjects, named ones first), from its
    parsed graph, what is published, and the subjects its record `declared` (see the module's docstring)."""
    main = NamedNode(target)
    subjects = {q.subject for q in quads}
    named = {s for s in subjects if isinstance(s, NamedNode)}
    minted, history = (target + "/", target + "#"), target + "/version/"
    owned: set[Term] = {s for s in named if s == main or (s.value.startswith(minted) and
                                                          not s.value.startswith(history))}
    owned |= {NamedNode(d) for d in declared} & named
    claimed = {q.subject for q in quads if q.predicate.value in PART_OF and q.object == main} & named - owned
    if claimed:
        # A published dependent stays its parent's: the draft's own claim is not enough
        parents: dict[Term, set[Term]] = {}
        for q in store.describe(claimed, store.graphs.public):
            found = parents.setdefault(q.subject, set())
            if q.predicate.value in PART_OF:
                found.add(q.object)
        owned |= {s for s in claimed if s not in parents or parents[s] == {main}}
    foreign = sorted(subjects - owned, key=lambda t: (not isinstance(t, NamedNode), t.value))
    return owned, foreign


def outside(target: str, foreign: Sequence[Term]) -> GrapheError:
    """The refusal of a draft describing resources its main object does not own, naming them."""
    names = ", ".join(str(t) for t in foreign[:SHOWN]) + (f" (+{len(foreign) - SHOWN})" if len(foreign) > SHOWN else "")
    return GrapheError(
        "DRAFT_OUTSIDE_OWNER",
        f"Ce brouillon décrit {target} ; il ne peut décrire que cet objet, les ressources nommées sous son IRI "
        f"et ses dépendants. Retirez les triplets dont le sujet est : {names}. Pour corriger "
        "une autre fiche, proposez un brouillon de cette fiche.",
        f"This draft is about {target}; it may only describe that object, the resources named under its IRI "
        f"and its dependents. Remove the triples whose subject is: {names}. To correct another "
        "record, propose a draft of that record.", {"status": 403, "subjects": [t.value for t in foreign]})


def record_quads(store: Store, draft: Draft) -> list[Quad]:
    g, r = store.graphs.workflow, store.graphs.private(f"draft/{draft.id}")
    quads = [Quad(r, NamedNode(SYS + "target"), NamedNode(draft.target), g),
             Quad(r, NamedNode(SYS + "kind"), Literal(draft.kind), g),
             Quad(r, NamedNode(SYS + "state"), Literal(draft.state), g),
             Quad(r, NamedNode(SYS + "author"), NamedNode(draft.author), g),
             Quad(r, NamedNode(SYS + "authorName"), Literal(draft.author_name), g),
             Quad(r, NamedNode(SYS + "created"), _dt(draft.created), g),
             Quad(r, NamedNode(SYS + "updated"), _dt(draft.updated), g),
             Quad(r, NamedNode(SYS + "lock"), _int(draft.version), g),
             Quad(r, NamedNode(SYS + "baseVersion"), _int(draft.base_version), g)]
    if draft.city:
        quads.append(Quad(r, NamedNode(SYS + "city"), NamedNode(draft.city), g))
    if draft.reason:
        quads.append(Quad(r, NamedNode(SYS + "reason"), Literal(draft.reason), g))
    quads.extend(Quad(r, NamedNode(DECLARES), NamedNode(d), g) for d in draft.declares)
    return quads


def find(store: Store, draft_id: str) -> Draft | None:
    rows = store.select("SELECT ?p ?o WHERE { GRAPH ?g { ?r ?p ?o } }",
                        {"g": store.graphs.workflow, "r": store.graphs.private(f"draft/{draft_id}")},
                        private=True)
    if not rows:
        return None
    values: dict[str, str] = {}
    declares: list[str] = []
    for row in rows:
        _value(values, declares, row["p"].value, row["o"].value)
    return _draft(draft_id, values, declares)


def _value(values: dict[str, str], declares: list[str], predicate: str, value: str) -> None:
    """One value of a draft record: `declares` is the only property with several values."""
    if predicate == DECLARES:
        declares.append(value)
    elif predicate.startswith(SYS):
        values[predicate[len(SYS):]] = value


def _draft(draft_id: str, v: dict[str, str], declares: Sequence[str] = ()) -> Draft:
    return Draft(draft_id, v["target"], v["kind"], v["state"], v["author"], v.get("authorName", ""), v.get("city"),
                 v["created"], v["updated"], int(v["lock"]), int(v.get("baseVersion", "0")), v.get("reason"),
                 tuple(sorted(declares)))


def listing(store: Store, states: Sequence[str] = (), city: str | None = None) -> list[Draft]:
    rows = store.select(f"""SELECT ?r ?p ?o WHERE {{ GRAPH ?g {{ ?r <{SYS}state> ?state ; ?p ?o }} }}""",
                        {"g": store.graphs.workflow}, private=True)
    grouped: dict[str, tuple[dict[str, str], list[str]]] = {}
    for row in rows:
        _value(*grouped.setdefault(row["r"].value, ({}, [])), row["p"].value, row["o"].value)
    drafts = [_draft(iri.rsplit("/", 1)[-1], values, declares) for iri, (values, declares) in grouped.items()]
    return sorted((d for d in drafts if (not states or d.state in states) and (city is None or d.city == city)),
                  key=lambda d: (d.updated, d.id), reverse=True)


def content(store: Store, draft_id: str) -> list[Quad]:
    return list(store.quads(store.graphs.draft(draft_id)))


def new_id() -> str:
    return secrets.token_hex(8)
