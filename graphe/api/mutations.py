"""The write side of GraphQL: drafts, publication, rejection, retirement; drafts, audit log, change feed."""

import enum
import re
from collections.abc import Callable
from typing import Annotated, Optional, TypeVar

import anyio
import strawberry

from ..publishing import drafts as drafts_module
from ..publishing import feed
from ..core import rdf
from ..publishing.accounts import Account
from ..core.errors import GrapheError
from ..read.listing import iri_term
from ..publishing.workflow import Workflow
from .types import City, RdfSyntax, VersionInfo

T = TypeVar("T")


@strawberry.enum(description="État d'un brouillon. / Draft state.")
class DraftState(enum.Enum):
    SAVED = "saved"  # kept by its author, not submitted (the browser's "enregistrer")
    DRAFT = "draft"  # submitted: in the review queue
    CHANGES_REQUESTED = "changes_requested"  # sent back to its author with the secretariat's comment (reason)
    REJECTED = "rejected"
    PUBLISHED = "published"


@strawberry.type(description="Un brouillon (visible de son auteur, de sa ville et du secrétariat). / A draft.")
class Draft:
    value: strawberry.Private[drafts_module.Draft]

    @strawberry.field(description="Identifiant du brouillon. / Draft id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.value.id)

    @strawberry.field(description="IRI de l'objet décrit. / IRI of the object described.")
    def target(self) -> strawberry.ID:
        return strawberry.ID(self.value.target)

    @strawberry.field(description="Nature : practice, ai_project, charter, city, organisation…")
    def kind(self) -> str:
        return self.value.kind

    @strawberry.field
    def state(self) -> DraftState:
        return DraftState(self.value.state)

    @strawberry.field(description="Numéro de version du brouillon, à renvoyer pour le modifier. / Draft version.")
    def version(self) -> int:
        return self.value.version

    @strawberry.field(description="Version publiée sur laquelle il est fondé (0 : nouvel objet).")
    def base_version(self) -> int:
        return self.value.base_version

    @strawberry.field
    def author_name(self) -> str:
        return self.value.author_name

    @strawberry.field
    async def city(self, info: strawberry.Info) -> Optional[City]:
        entity = await info.context.entity(self.value.city) if self.value.city else None
        return City(entity=entity) if entity else None

    @strawberry.field
    def created(self) -> str:
        return self.value.created

    @strawberry.field
    def updated(self) -> str:
        return self.value.updated

    @strawberry.field(description="Raison du refus. / Rejection reason.")
    def reason(self) -> Optional[str]:
        return self.value.reason

    @strawberry.field(description="Les triplets du brouillon. / The draft's triples.")
    def content(self, info: strawberry.Info, format: RdfSyntax = RdfSyntax.TURTLE) -> str:
        quads = drafts_module.content(info.context.graphe.store, self.value.id)
        triples = [rdf.Triple(q.subject, q.predicate, q.object) for q in quads]
        return (rdf.serialize(triples, rdf.format_named(format.value)) or b"").decode()


@strawberry.type(description="Une entrée du flux des changements. / A change-feed entry.")
class ChangeEntry:
    revision: int
    time: str
    created: list[strawberry.ID]
    changed: list[strawberry.ID]
    retired: list[strawberry.ID]


@strawberry.type(description="Une entrée du journal d'audit. / An audit-log entry.")
class AuditEntry:
    time: str
    actor: str
    action: str
    target: str
    result: str
    detail: Optional[str]


def actor(info: strawberry.Info) -> Account:
    account = info.context.actor
    if account is None:
        raise GrapheError("UNAUTHENTICATED", "Authentifiez-vous : « Authorization: Bearer <jeton> ».",
                          "Authenticate: 'Authorization: Bearer <token>'.")
    return account


DRAFT_ID = re.compile(r"[0-9a-f]{1,64}")  # drafts are named by `secrets.token_hex` (drafts.py)


def draft_id(value: str) -> str:
    """A user-given draft id, checked before it becomes part of an IRI (`draft/<id>`): BAD_USER_INPUT if
    it cannot be one (`>`, spaces, an empty string: not a 500)."""
    if not DRAFT_ID.fullmatch(value):
        raise GrapheError("BAD_USER_INPUT", f"Identifiant de brouillon invalide : « {value[:100]} ».",
                          f"Invalid draft id: '{value[:100]}'.")
    return value


def parse_rdf(text: str, syntax: RdfSyntax, base: str) -> list[rdf.Quad]:
    quads = rdf.parse_bytes(text.encode(), rdf.format_named(syntax.value), base, "brouillon")
    if any(not isinstance(q.graph_name, rdf.DefaultGraph) for q in quads):
        raise GrapheError("BAD_USER_INPUT", "Un brouillon ne nomme pas de graphe.", "A draft names no graph.")
    return quads


async def run(info: strawberry.Info, action: str, target: str, command: Callable[[Workflow], T]) -> T:
    """A workflow command in a worker thread (validation takes a moment), indexed and audited."""
    who = actor(info)
    return await anyio.to_thread.run_sync(lambda: info.context.graphe.write(who, action, target, command))


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Propose un brouillon décrit en RDF (un objet principal et ses dépendants). "
                                     "/ Proposes a draft described in RDF.")
    async def submit_draft(self, info: strawberry.Info, rdf_text: Annotated[str, strawberry.argument(name="rdf")],
                           format: RdfSyntax = RdfSyntax.TURTLE) -> Draft:
        quads = parse_rdf(rdf_text, format, info.context.graphe.settings.base_iri)
        return Draft(value=await run(info, "submit", "", lambda w: w.submit(actor(info), quads)))

    @strawberry.mutation(description="Remplace le contenu d'un brouillon ; `expectedVersion` évite d'écraser le "
                                     "travail d'un autre (CONFLICT). / Replaces a draft's content.")
    async def update_draft(self, info: strawberry.Info, id: strawberry.ID,
                           rdf_text: Annotated[str, strawberry.argument(name="rdf")], expected_version: int,
                           format: RdfSyntax = RdfSyntax.TURTLE) -> Draft:
        draft_id(id)
        quads = parse_rdf(rdf_text, format, info.context.graphe.settings.base_iri)
        return Draft(value=await run(info, "update", id, lambda w: w.update(actor(info), id, quads, expected_version)))

    @strawberry.mutation(description="Publie un brouillon après validation SHACL (VALIDATION_FAILED sinon) : une "
                                     "nouvelle version. / Publishes a draft after SHACL validation.")
    async def publish(self, info: strawberry.Info, draft: strawberry.ID,
                      expected_version: Optional[int] = None) -> VersionInfo:
        draft_id(draft)
        return VersionInfo(value=await run(info, "publish", draft,
                                           lambda w: w.publish(actor(info), draft, expected_version)))

    @strawberry.mutation(description="Refuse un brouillon, avec une raison. / Rejects a draft, with a reason.")
    async def reject(self, info: strawberry.Info, draft: strawberry.ID, reason: str) -> Draft:
        draft_id(draft)
        return Draft(value=await run(info, "reject", draft, lambda w: w.reject(actor(info), draft, reason)))

    @strawberry.mutation(description="Renvoie un brouillon soumis à son auteur, avec ce qu'il faut corriger ; sa "
                                     "prochaine modification le soumet de nouveau. / Sends a submitted draft back "
                                     "to its author with what to correct.")
    async def request_changes(self, info: strawberry.Info, draft: strawberry.ID, comment: str,
                              expected_version: Optional[int] = None) -> Draft:
        draft_id(draft)
        return Draft(value=await run(info, "request-changes", draft,
                                     lambda w: w.request_changes(actor(info), draft, comment, expected_version)))

    @strawberry.mutation(description="Retire un objet publié : il reste lisible, marqué retiré, hors des listes. "
                                     "/ Retires a published object.")
    async def retire(self, info: strawberry.Info, id: strawberry.ID, reason: str) -> VersionInfo:
        iri_term(id, "objet")
        return VersionInfo(value=await run(info, "retire", id, lambda w: w.retire(actor(info), id, reason)))


@strawberry.type
class WorkflowQuery:
    @strawberry.field(description="Les brouillons visibles par ce compte (sa ville ; tout pour le secrétariat). "
                                  "/ Drafts this account may see.")
    def drafts(self, info: strawberry.Info, states: Optional[list[DraftState]] = None) -> list[Draft]:
        who = actor(info)
        city = None if who.is_secretariat else (who.city or "")
        found = drafts_module.listing(info.context.graphe.store, [s.value for s in states or ()], city)
        return [Draft(value=d) for d in found]

    @strawberry.field(description="Un brouillon. / A draft.")
    def draft(self, info: strawberry.Info, id: strawberry.ID) -> Optional[Draft]:
        who = actor(info)
        found = drafts_module.find(info.context.graphe.store, draft_id(id))
        if found is None or (not who.is_secretariat and found.city != who.city):
            raise GrapheError("NOT_FOUND", f"Aucun brouillon « {id} » pour ce compte.", f"No draft '{id}' for this account.")
        return Draft(value=found)

    @strawberry.field(description="L'historique des versions publiées d'un objet. / An object's published versions.")
    def history(self, info: strawberry.Info, id: strawberry.ID) -> list[VersionInfo]:
        iri_term(id, "objet")
        return [VersionInfo(value=v) for v in info.context.graphe.workflow.history(id)]

    @strawberry.field(description="Le flux des changements publiés après une révision. / Changes after a revision.")
    def changes(self, info: strawberry.Info, since: int = 0) -> list[ChangeEntry]:
        return [ChangeEntry(revision=c.revision, time=c.time, created=[strawberry.ID(i) for i in c.created],
                            changed=[strawberry.ID(i) for i in c.changed], retired=[strawberry.ID(i) for i in c.retired])
                for c in feed.changes(info.context.graphe.store, since)]

    @strawberry.field(description="Le journal d'audit (secrétariat). / The audit log (secretariat).")
    def audit_log(self, info: strawberry.Info, first: int = 50, offset: int = 0) -> list[AuditEntry]:
        if not actor(info).is_secretariat:
            raise GrapheError("FORBIDDEN", "Le journal d'audit est réservé au secrétariat.",
                              "The audit log is for the secretariat.")
        entries = feed.audit_log(info.context.graphe.store, min(max(first, 0), 500), max(offset, 0))
        return [AuditEntry(time=e.time, actor=e.actor_name, action=e.action, target=e.target, result=e.result,
                           detail=e.detail) for e in entries]
