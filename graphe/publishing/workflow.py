"""Write commands of the publishing workflow: submit, update, publish, reject, retire — each one transaction
that moves the data, its version record, the draft record, the audit log and the change feed together.

Concurrency (docs/publishing.md): every draft carries a version number; an update or publication that names an older
one gets CONFLICT, and a draft made from a published version that has since changed cannot be published
over it (CONFLICT). Nothing is ever overwritten silently.

Ownership (`drafts.scope`): a draft describes its main object and what that object owns. A contributor's
draft naming any other subject is refused (DRAFT_OUTSIDE_OWNER, 403) at submit, update and import; the
secretariat's other subjects are declared in the draft's record. Publication checks the stored content
against the owned and declared subjects again, whoever publishes.
"""
from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import drafts
from .accounts import Account, audit_quads
from .drafts import Draft, check_author, forbidden
from ..core.errors import GrapheError
from ..ingest.loading import ValidationFailed, validate
from ..core.rdf import PREFIXES, Literal, NamedNode, Quad
from ..model.namespaces import GR
from ..store import SYS, Store

PROV, DCT, XSD = PREFIXES["prov"], PREFIXES["dct"], PREFIXES["xsd"]
LAST_REVIEWED = PREFIXES["schema"] + "lastReviewed"
RDF_TYPE = PREFIXES["rdf"] + "type"
REVIEW_YEARS = 2  # a published practice is to be checked again this many years after its publication
SECRETARIAT = "id/organisation/aimf-commission-villes-innovantes"
# A criterion mapping's strength → the SKOS triple publication derives on its subject criterion.
SKOS_OF = {GR.ExactMapping: PREFIXES["skos"] + "exactMatch", GR.CloseMapping: PREFIXES["skos"] + "closeMatch",
           GR.RelatedMapping: PREFIXES["skos"] + "relatedMatch"}


if TYPE_CHECKING:
    from ..validation.validator import Validator  # imported on first write only


@dataclass(frozen=True)
class Version:
    iri: str
    target: str
    number: int
    action: str  # published | retired
    time: str
    agent: str | None
    summary: str
    revision: int


class Workflow:
    def __init__(self, store: Store, validator: Validator, lock: threading.RLock) -> None:
        self.store, self.validator, self.lock = store, validator, lock

    # ------------------------------------------------------------------------------------ drafts

    def submit(self, actor: Account, quads: Sequence[Quad], summary: str = "", state: str = "draft") -> Draft:
        """A new draft: submitted for review ("draft"), or only saved by its author ("saved")."""
        _writable_state(state)
        target, kind = drafts.main_object(quads)
        with self.lock:
            city = drafts.city_of(quads, target, kind)
            check_author(actor, kind, city, self._published_city(target, kind))
            _under_base(self.store, quads)
            declares = self._declares(actor, quads, target)
            draft_id, stamp = drafts.new_id(), drafts.now()
            draft = Draft(draft_id, target, kind, state, actor.id, actor.name, city, stamp, stamp, 1,
                          self.current_version(target), None, declares)
            graph = self.store.graphs.draft(draft_id)
            self.store.commit([Quad(q.subject, q.predicate, q.object, graph) for q in quads] +
                              drafts.record_quads(self.store, draft) +
                              self._audit(actor, "submit" if state == "draft" else "save", target, "ok", summary),
                              summary="brouillon proposé")
            return draft

    def update(self, actor: Account, draft_id: str, quads: Sequence[Quad], expected_version: int,
               state: str = "draft") -> Draft:
        """Replace a draft's content; it is then submitted ("draft") or stays with its author ("saved")."""
        _writable_state(state)
        target, kind = drafts.main_object(quads)
        with self.lock:
            draft = self._draft(draft_id)
            self._check_version(draft, expected_version)
            if target != draft.target:
                raise GrapheError("BAD_USER_INPUT", f"Ce brouillon concerne {draft.target}, pas {target}.",
                                  f"This draft is about {draft.target}, not {target}.")
            city = drafts.city_of(quads, target, kind)
            check_author(actor, kind, city, self._published_city(target, kind))
            if not actor.is_secretariat and draft.city != actor.city:
                raise forbidden("Ce brouillon n'est pas celui de votre ville.", "This draft is not your city's.")
            if draft.state == "published":
                raise GrapheError("CONFLICT", "Ce brouillon est déjà publié : proposez-en un nouveau.",
                                  "This draft is already published: propose a new one.", {"status": 409})
            _under_base(self.store, quads)
            declares = self._declares(actor, quads, target)
            new = Draft(draft.id, target, kind, state, draft.author, draft.author_name, city, draft.created,
                        drafts.now(), draft.version + 1, draft.base_version, None, declares)
            graph = self.store.graphs.draft(draft_id)
            self.store.commit([Quad(q.subject, q.predicate, q.object, graph) for q in quads] +
                              drafts.record_quads(self.store, new) +
                              self._audit(actor, "update" if state == "draft" else "save", target, "ok"),
                              drafts.content(self.store, draft_id) + self._record(draft),
                              summary="brouillon modifié")
            return new

    def reject(self, actor: Account, draft_id: str, reason: str, expected_version: int | None = None) -> Draft:
        """Refuse a submitted draft, with the reason its author reads."""
        return self._answer(actor, draft_id, reason, expected_version, "rejected")

    def request_changes(self, actor: Account, draft_id: str, comment: str,
                        expected_version: int | None = None) -> Draft:
        """Send a submitted draft back to its author ("changes_requested"), with the secretariat's comment;
        the author's next update submits it again."""
        return self._answer(actor, draft_id, comment, expected_version, "changes_requested")

    def _answer(self, actor: Account, draft_id: str, text: str, expected_version: int | None, state: str) -> Draft:
        self._secretariat(actor)
        if not text.strip():
            raise GrapheError("BAD_USER_INPUT", "Donnez la raison du refus." if state == "rejected" else
                              "Dites à la ville ce qu'il faut corriger.", "Give the reason for the rejection."
                              if state == "rejected" else "Tell the city what to correct.", {"field": "reason"})
        with self.lock:
            draft = self._draft(draft_id)
            if expected_version is not None:
                self._check_version(draft, expected_version)
            if draft.state != "draft":
                raise GrapheError("CONFLICT", f"Ce brouillon est à l'état « {draft.state} ».",
                                  f"This draft is '{draft.state}'.", {"status": 409})
            new = Draft(draft.id, draft.target, draft.kind, state, draft.author, draft.author_name, draft.city,
                        draft.created, drafts.now(), draft.version + 1, draft.base_version, text.strip(),
                        draft.declares)
            action = "reject" if state == "rejected" else "request-changes"
            self.store.commit(drafts.record_quads(self.store, new) + self._audit(actor, action, draft.target, "ok",
                                                                                 text), self._record(draft),
                              summary="brouillon refusé" if state == "rejected" else "corrections demandées")
            return new

    # ------------------------------------------------------------------------------------ publication

    def publish(self, actor: Account, draft_id: str, expected_version: int | None = None) -> Version:
        self._secretariat(actor)
        with self.lock:
            draft = self._draft(draft_id)
            if expected_version is not None:
                self._check_version(draft, expected_version)
            if draft.state != "draft":
                raise GrapheError("CONFLICT", f"Ce brouillon est à l'état « {draft.state} » : seul un brouillon "
                                  "en cours se publie.", f"This draft is '{draft.state}'.", {"status": 409})
            current = self.current_version(draft.target)
            if current != draft.base_version:
                raise GrapheError("CONFLICT", f"La fiche publiée a changé depuis ce brouillon (version {current}, "
                                  f"brouillon fait sur la version {draft.base_version}) : reprenez-le sur la "
                                  "version publiée.", f"The published object changed since this draft (version "
                                  f"{current}, draft made from {draft.base_version}).", {"status": 409})
            quads = drafts.content(self.store, draft_id)
            _, foreign = drafts.scope(self.store, quads, draft.target, draft.declares)
            if foreign:  # a draft stored before the rule, or a contributor's draft: its author's rights, again
                raise drafts.outside(draft.target, foreign)
            if draft.kind == "mapping":
                quads = [*quads, *self._mapped_criteria(draft.target, quads)]
            self._validate(quads, f"brouillon {draft_id}")
            add, remove, notes, version = self._publication(actor, draft, quads, current)
            revision = self.store.commit(add + self._audit(actor, "publish", draft.target, "ok"),
                                         remove + self._record(draft), summary=f"publication de {draft.target}",
                                         notes=notes)
            return _with_revision(version, revision.number)

    def import_objects(self, actor: Account, objects: Sequence[Sequence[Quad]], publish: bool,
                       source: str) -> list[tuple[str, str]]:
        """A whole file — several objects — as one transaction: drafts, or (secretariat) publications.
        Objects already in that state with the same content are skipped, so a re-run completes the rest.
        Returns (object IRI, outcome) pairs: created | published | unchanged."""
        if publish:
            self._secretariat(actor)
        with self.lock:
            add: list[Quad] = []
            remove: list[Quad] = []
            notes: dict[str, list] = {"created": [], "changed": []}
            outcomes: list[tuple[str, str]] = []
            pending = []
            for quads in objects:
                target, kind = drafts.main_object(quads)
                city = drafts.city_of(quads, target, kind)
                check_author(actor, kind, city, self._published_city(target, kind))
                _under_base(self.store, quads)
                declares = self._declares(actor, quads, target)
                if self._unchanged(target, quads, publish, actor):
                    outcomes.append((target, "unchanged"))
                    continue
                if publish and kind == "mapping":  # its SKOS triple, derived as in `publish`
                    quads = [*quads, *self._mapped_criteria(target, quads)]
                pending.append((target, kind, city, quads, declares))
            if publish and pending:
                self._validate([q for _, _, _, quads, _ in pending for q in quads], source)
            for target, kind, city, quads, declares in pending:
                stamp = drafts.now()
                current = self.current_version(target)
                draft = Draft(drafts.new_id(), target, kind, "draft", actor.id, actor.name, city, stamp, stamp, 1,
                              current, None, declares)
                graph = self.store.graphs.draft(draft.id)
                add += [Quad(q.subject, q.predicate, q.object, graph) for q in quads]
                if publish:
                    more, less, note, _ = self._publication(actor, draft, quads, current)
                    add += more
                    remove += less
                    for key, values in note.items():
                        notes[key] += values
                else:
                    add += drafts.record_quads(self.store, draft)
                add += self._audit(actor, "publish" if publish else "submit", target, "ok", source)
                outcomes.append((target, "published" if publish else "created"))
            if add:
                self.store.commit(add, remove, summary=f"import de {source}",
                                  notes={k: v for k, v in notes.items() if v})
            return outcomes

    def _validate(self, quads: Sequence[Quad], what: str) -> None:
        public = [Quad(q.subject, q.predicate, q.object, self.store.graphs.public) for q in quads]
        report = validate(self.store, self.validator, public, replace=True)
        if not report.conforms:
            raise ValidationFailed(report, what)

    def _publication(self, actor: Account, draft: Draft, quads: Sequence[Quad],
                     current: int) -> tuple[list[Quad], list[Quad], dict[str, list], Version]:
        """The quads a publication adds and removes, its feed notes and its version (not yet committed)."""
        public = self.store.graphs.public
        data = [Quad(q.subject, q.predicate, q.object, public) for q in quads if not set_by_workflow(q)]
        # The published version's own minted resources go too: a source, document or assessment the new version
        # no longer has must not stay published (nor a document stay downloadable) as an orphan.
        old = self.store.describe({q.subject for q in data} | self._minted(draft.target), public)
        number, stamp = current + 1, drafts.now()
        target, agent = NamedNode(draft.target), self._agent(actor, draft)
        data += [Quad(target, NamedNode(PROV + "wasAttributedTo"), agent, public),
                 Quad(target, NamedNode(PROV + "generatedAtTime"), drafts._dt(stamp), public)]
        if draft.kind == "practice":  # checked today by whoever publishes it; to check again in REVIEW_YEARS
            today = dt.date.fromisoformat(stamp[:10])
            due = today.replace(year=today.year + REVIEW_YEARS, day=min(today.day, 28) if today.month == 2 else today.day)
            data += [Quad(target, NamedNode(LAST_REVIEWED), Literal(today.isoformat(), datatype=NamedNode(XSD + "date")),
                          public),
                     Quad(target, NamedNode(GR.reviewDue), Literal(due.isoformat(), datatype=NamedNode(XSD + "date")),
                          public)]
        if current:
            data.append(Quad(target, NamedNode(PROV + "wasRevisionOf"),
                             self.store.graphs.version(draft.target, current), public))
        version = Version(self.store.graphs.version(draft.target, number).value, draft.target, number, "published",
                          stamp, agent.value, f"publication du brouillon {draft.id}", 0)
        done = Draft(draft.id, draft.target, draft.kind, "published", draft.author, draft.author_name, draft.city,
                     draft.created, stamp, draft.version + 1, draft.base_version, None, draft.declares)
        add = data + self._version_quads(version, data) + drafts.record_quads(self.store, done)
        return add, old, {"changed" if current else "created": [target]}, version

    def _mapped_criteria(self, target: str, quads: Sequence[Quad]) -> list[Quad]:
        """A criterion mapping's SKOS triple, derived at publication from the mapping record (never written by
        hand, so the two cannot disagree): the subject criterion as published now, with its match to the object
        set to the mapping's strength; and, when a new version maps other criteria, the previous subject
        without the previous match. Publication replaces these criteria's descriptions with what is given here,
        taken from the public graph at this moment (no stale copy from the draft)."""
        public, matches = self.store.graphs.public, tuple(SKOS_OF.values())

        def one(predicate: str, among: Sequence[Quad]) -> NamedNode | None:
            return next((q.object for q in among if q.subject.value == target and q.predicate.value == predicate
                         and isinstance(q.object, NamedNode)), None)

        subject, obj = one(GR.mappingSubject, quads), one(GR.mappingObject, quads)
        strength = one(GR.mappingStrength, quads)
        before = self.store.describe({NamedNode(target)}, public)
        old_subject, old_obj = one(GR.mappingSubject, before), one(GR.mappingObject, before)
        out: list[Quad] = []
        for criterion in {c for c in (subject, old_subject) if c is not None}:
            kept = [q for q in self.store.describe({criterion}, public)
                    if not (q.predicate.value in matches and q.object in (obj, old_obj))]
            if not kept:
                continue  # not a published criterion: the shapes say so on the draft itself
            out += kept
            if criterion == subject and obj is not None and strength is not None and strength.value in SKOS_OF:
                out.append(Quad(criterion, NamedNode(SKOS_OF[strength.value]), obj, public))
        return out

    def _derived_match(self, mapping: Sequence[Quad]) -> list[Quad]:
        """The published SKOS triple a mapping's description stands for (subject → object, by its strength)."""
        given = {q.predicate.value: q.object for q in mapping}
        subject, obj = given.get(GR.mappingSubject), given.get(GR.mappingObject)
        predicate = SKOS_OF.get(getattr(given.get(GR.mappingStrength), "value", ""))
        if not isinstance(subject, NamedNode) or obj is None or predicate is None:
            return []
        return [q for q in self.store.describe({subject}, self.store.graphs.public)
                if q.predicate.value == predicate and q.object == obj]

    def _minted(self, target: str) -> set[NamedNode]:
        """The published resources minted under `target` (`{target}/source/1`, `{target}/document/1` and its
        `#checksum`, `{target}/assessment/2`…): linked to or from it, or fragments of those. Two indexed reads,
        whatever the store's size (slugs have no "/", so nothing else is named under a record's IRI)."""
        public, prefix = self.store.graphs.public, target + "/"
        # The FILTER outside the GRAPH group: ?prefix comes in a VALUES row of the outer group (SPARQL scoping).
        rows = self.store.select("""SELECT DISTINCT ?m WHERE { GRAPH ?g { { ?t ?p ?m } UNION { ?m ?p ?t } }
            FILTER(isIRI(?m) && STRSTARTS(STR(?m), ?prefix)) }""",
                                 {"g": public, "t": NamedNode(target), "prefix": Literal(prefix)})
        minted = {NamedNode(r["m"].value) for r in rows}
        if minted:
            rows = self.store.select("""SELECT DISTINCT ?f WHERE { GRAPH ?g { ?m ?p ?f
                FILTER(isIRI(?f) && STRSTARTS(STR(?f), CONCAT(STR(?m), "#"))) } }""", {"g": public, "m": list(minted)})
            minted |= {NamedNode(r["f"].value) for r in rows}
        return minted

    def _unchanged(self, target: str, quads: Sequence[Quad], publish: bool, actor: Account) -> bool:
        wanted = {(q.subject, q.predicate, q.object) for q in quads if not set_by_workflow(q)}
        if publish:
            have = {(q.subject, q.predicate, q.object)
                    for q in self.store.describe({s for s, _, _ in wanted} | self._minted(target),
                                                 self.store.graphs.public)
                    if not set_by_workflow(q)}
            return have == wanted
        for draft in drafts.listing(self.store, ["draft"]):
            if draft.target == target and draft.author == actor.id:
                have = {(q.subject, q.predicate, q.object) for q in drafts.content(self.store, draft.id)}
                if have == wanted:
                    return True
        return False

    def retire(self, actor: Account, iri: str, reason: str) -> Version:
        self._secretariat(actor)
        with self.lock:
            target = NamedNode(iri)
            current = self.current_version(iri)
            data = self.store.describe([target], self.store.graphs.public)
            if not data:
                raise GrapheError("NOT_FOUND", f"Rien de publié n'a l'IRI {iri}.", f"Nothing published has IRI {iri}.")
            if any(q.predicate.value == PROV + "invalidatedAtTime" for q in data):
                raise GrapheError("CONFLICT", "Cet objet est déjà retiré.", "This object is already retired.",
                                  {"status": 409})
            stamp = drafts.now()
            retired = Quad(target, NamedNode(PROV + "invalidatedAtTime"), drafts._dt(stamp), self.store.graphs.public)
            version = Version(self.store.graphs.version(iri, current + 1).value, iri, current + 1, "retired", stamp,
                              self._agent(actor, None).value, reason.strip() or "retrait", 0)
            # A retired mapping no longer matches its criteria: the SKOS triple its publication derived goes.
            unmatched = self._derived_match(data) if any(
                q.predicate.value == RDF_TYPE and q.object.value == GR.CriterionMapping for q in data) else []
            revision = self.store.commit(
                [retired] + self._version_quads(version, [*data, retired]) +
                self._audit(actor, "retire", iri, "ok", reason), unmatched, summary=f"retrait de {iri}",
                notes={"retired": [target]})
            return _with_revision(version, revision.number)

    # ------------------------------------------------------------------------------------ reading

    def current_version(self, iri: str) -> int:
        rows = self.store.select(f"SELECT (MAX(?n) AS ?m) WHERE {{ GRAPH ?g {{ ?v <{SYS}of> ?t ; <{SYS}number> ?n }} }}",
                                 {"g": self.store.graphs.history, "t": NamedNode(iri)}, private=True)
        return int(rows[0]["m"].value) if rows and "m" in rows[0] else 0

    def history(self, iri: str) -> list[Version]:
        rows = self.store.select(f"""SELECT ?v ?n ?action ?time ?agent ?summary ?rev WHERE {{ GRAPH ?g {{
            ?v <{SYS}of> ?t ; <{SYS}number> ?n ; <{SYS}action> ?action ; <{PROV}generatedAtTime> ?time ;
               <{DCT}description> ?summary ; <{SYS}revision> ?rev . OPTIONAL {{ ?v <{PROV}wasAttributedTo> ?agent }}
            }} }} ORDER BY ?n""", {"g": self.store.graphs.history, "t": NamedNode(iri)}, private=True)
        return [Version(r["v"].value, iri, int(r["n"].value), r["action"].value, r["time"].value,
                        r["agent"].value if "agent" in r else None, r["summary"].value, int(r["rev"].value))
                for r in rows]

    def version_content(self, iri: str, number: int) -> list[Quad]:
        return list(self.store.quads(self.store.graphs.version_graph(iri, number)))

    # ------------------------------------------------------------------------------------ helpers

    def _version_quads(self, version: Version, data: Sequence[Quad]) -> list[Quad]:
        g, v = self.store.graphs.history, NamedNode(version.iri)
        graph = self.store.graphs.version_graph(version.target, version.number)
        revision = self.store.revision().number + 1  # the commit these quads belong to
        return [Quad(v, NamedNode(SYS + "of"), NamedNode(version.target), g),
                Quad(v, NamedNode(SYS + "number"), drafts._int(version.number), g),
                Quad(v, NamedNode(SYS + "action"), Literal(version.action), g),
                Quad(v, NamedNode(PROV + "generatedAtTime"), drafts._dt(version.time), g),
                Quad(v, NamedNode(DCT + "description"), Literal(version.summary), g),
                Quad(v, NamedNode(SYS + "revision"), drafts._int(revision), g),
                *([Quad(v, NamedNode(PROV + "wasAttributedTo"), NamedNode(version.agent), g)] if version.agent else []),
                *(Quad(q.subject, q.predicate, q.object, graph) for q in data)]

    def _agent(self, actor: Account, draft: Draft | None) -> NamedNode:
        """Who a publication is attributed to, publicly: the city (its administration) or the Commission."""
        if draft is not None and draft.city:
            return NamedNode(draft.city)
        return NamedNode(self.store.graphs.base + SECRETARIAT)

    def refused(self, actor: Account, action: str, target: str, error: GrapheError) -> None:
        """An authenticated write that was refused still goes to the audit log (its own small commit)."""
        with self.lock:
            self.store.commit(audit_quads(self.store, actor, action, target, error.code, error.message_fr),
                              summary="tentative refusée")

    def _declares(self, actor: Account, quads: Sequence[Quad], target: str) -> tuple[str, ...]:
        """The subjects outside its main object's that a draft declares: none from a contributor (such a draft
        is refused), every one from the secretariat."""
        _, foreign = drafts.scope(self.store, quads, target)
        if foreign and not actor.is_secretariat:
            raise drafts.outside(target, foreign)
        return tuple(t.value for t in foreign if isinstance(t, NamedNode))  # (`_under_base` refused blank nodes)

    def _audit(self, actor: Account, action: str, target: str, result: str, detail: str = "") -> list[Quad]:
        return audit_quads(self.store, actor, action, target, result, detail)

    def _record(self, draft: Draft) -> list[Quad]:
        return drafts.record_quads(self.store, draft)

    def _draft(self, draft_id: str) -> Draft:
        draft = drafts.find(self.store, draft_id)
        if draft is None:
            raise GrapheError("NOT_FOUND", f"Aucun brouillon « {draft_id} ».", f"No draft '{draft_id}'.")
        return draft

    def _check_version(self, draft: Draft, expected: int) -> None:
        if draft.version != expected:
            raise GrapheError("CONFLICT", f"Le brouillon a changé entre-temps (version {draft.version}, vous aviez "
                              f"la version {expected}) : relisez-le avant de l'enregistrer.",
                              f"The draft changed meanwhile (version {draft.version}, you had {expected}): read it "
                              "again before saving.", {"status": 409})

    def _published_city(self, target: str, kind: str) -> str | None:
        """The city a published object of a contributor's kind belongs to; None if it is not published; ""
        if it is published as no city's (a city, a charter… typed anew as a practice in a draft)."""
        predicate = drafts.CONTRIBUTOR_KINDS.get(kind)
        if predicate is None:
            return None
        # The subject's own quads, read by pattern: a query joining a VALUES block with GRAPH ?g {…} scanned
        # the whole graph (a third of a publication's time under load, measured).
        quads = self.store.describe([NamedNode(target)], self.store.graphs.public)
        if not quads:
            return None
        return min((q.object.value for q in quads if q.predicate.value == predicate), default="")

    @staticmethod
    def _secretariat(actor: Account) -> None:
        if not actor.is_secretariat:
            raise forbidden("Seul le secrétariat de l'AIMF publie, refuse et retire.",
                            "Only the AIMF secretariat publishes, rejects and retires.")


def _with_revision(version: Version, revision: int) -> Version:
    return Version(version.iri, version.target, version.number, version.action, version.time, version.agent,
                   version.summary, revision)


def set_by_workflow(quad: Quad) -> bool:
    """A triple publication writes itself (provenance, review dates): never taken from a draft, and not a
    difference between a sheet and what is published."""
    return quad.predicate.value.startswith(PROV) or quad.predicate.value in (LAST_REVIEWED, GR.reviewDue)


def _writable_state(state: str) -> None:
    if state not in ("draft", "saved"):
        raise ValueError(f"a draft is written as 'draft' or 'saved', not {state!r}")


def _under_base(store: Store, quads: Sequence[Quad]) -> None:
    """A draft may only describe resources under the deployment's `id/` space."""
    space = store.graphs.base + "id/"
    outside = sorted({q.subject.value for q in quads if not q.subject.value.startswith(space)})
    if outside:
        raise GrapheError("BAD_USER_INPUT", f"Ressources hors de {space} : {', '.join(outside[:3])}.",
                          f"Resources outside {space}: {', '.join(outside[:3])}.")
