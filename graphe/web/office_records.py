"""The secretariat's view of what is published, in the browser:

- `/espace/fiche?iri=…` — a record's versions (each against the one before it, in the sheet's terms), its
  drafts, and its retirement with a public reason;
- `/espace/journal` — the audit log, filtered by action, target, refusals, paged.

Writes go through the workflow's commands (`Graphe.write`), as the GraphQL mutations do.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .office import Form, Office, _secretariat, _status, office_texts
from .site import reader_language
from ..core.errors import GrapheError
from ..publishing import drafts, feed, practice_form as pf
from ..publishing.people import check_csrf
from ..read.listing import iri_term


class RecordDesk:
    """The secretariat's view of published records: a record's versions and drafts, its retirement; the
    audit log."""

    PER_PAGE = 50

    def __init__(self, office: Office) -> None:
        self.office, self.graphe = office, office.graphe

    def record_page(self, request: Request, form: Form) -> Response:
        signed = self.office.must_sign_in(request)
        _secretariat(signed)
        lang = reader_language(request)
        o = office_texts(lang)
        iri = (form.get("iri") if request.method == "POST" else request.query_params.get("iri")) or ""
        iri_term(iri, "fiche")  # a well-formed IRI, or a coded refusal
        errors: dict[str, list[str]] = {}
        status = 200
        if request.method == "POST":
            check_csrf(signed.session, form.get("csrf"))
            actor = signed.account
            try:
                self.graphe.write(actor, "retire", iri, lambda w: w.retire(actor, iri, form.get("reason", "")))
                return RedirectResponse("/espace/fiche?" + urlencode({"iri": iri, "fait": "retirer"}), status_code=303)
            except GrapheError as error:
                errors["retire"], status = [error.text(lang)], _status(error)
        workflow, base = self.graphe.workflow, self.graphe.settings.base_iri
        versions = workflow.history(iri)
        if not versions and not pf.published(self.graphe.store, iri):
            raise GrapheError("NOT_FOUND", f"Rien de publié n'a l'IRI {iri}.", f"Nothing published has IRI {iri}.",
                              {"status": 404})
        rows, before = [], {}
        for v in versions:  # each version against the one before it, in the sheet's terms
            after = pf.write(workflow.version_content(iri, v.number), iri, base)
            rows.append({"number": v.number, "action": o.get("action_" + v.action, v.action), "time": v.time[:16],
                         "summary": v.summary, "changes": [(c.label_fr if lang == "fr" else c.label_en, c.before,
                                                            c.after) for c in pf.changes(before, after)]
                         if v.action == "published" else []})
            before = after
        reader = self.office.site.reader(lang)
        entity = reader.entity(iri, long=False)
        retired = entity is not None and bool(entity.values(PROV_INVALIDATED))
        record_drafts = [d for d in drafts.listing(self.graphe.store) if d.target == iri]
        done = o.get("done_" + request.query_params.get("fait", ""), "")
        return self.office.render(request, "office/record.html", o["record"], status, signed=signed, iri=iri,
                                  record_name=reader.name(entity) or iri, href=self.office.site.href(iri), versions=rows,
                                  drafts=[{"id": d.id, "state": o["draft_" + d.state], "updated": d.updated[:10],
                                           "author": d.author_name} for d in record_drafts],
                                  retired=retired, errors=errors, done=done,
                                  practice=iri.startswith(base + "id/practice/"))

    def audit_page(self, request: Request, form: Form) -> Response:
        signed = self.office.must_sign_in(request)
        _secretariat(signed)
        lang = reader_language(request)
        o = office_texts(lang)
        q = request.query_params
        chosen = {"action": q.get("action", "")[:40], "cible": q.get("cible", "")[:500],
                  "refus": "1" if q.get("refus") == "1" else ""}
        page = int(q["page"]) if q.get("page", "").isdigit() and 0 < int(q["page"]) < 10_000 else 1
        found = feed.audit_log(self.graphe.store, self.PER_PAGE + 1, (page - 1) * self.PER_PAGE,
                               action=chosen["action"] or None, target=chosen["cible"] or None,
                               refused=bool(chosen["refus"]))
        more = len(found) > self.PER_PAGE

        def at(number: int) -> str:
            return "/espace/journal?" + urlencode({**{k: v for k, v in chosen.items() if v}, "page": number})
        return self.office.render(request, "office/audit.html", o["audit"], signed=signed, chosen=chosen,
                                  entries=found[:self.PER_PAGE], actions=AUDITED,
                                  previous=at(page - 1) if page > 1 else None, following=at(page + 1) if more else None)


PROV_INVALIDATED = "http://www.w3.org/ns/prov#invalidatedAtTime"
# What the audit log records, to filter by (workflow, people, tokens).
AUDITED = ("submit", "save", "update", "publish", "request-changes", "reject", "retire", "import", "invite",
           "invite-again", "set-password", "sign-in", "sign-out", "sign-out-everywhere", "disable", "token-create",
           "token-revoke")


def routes(records: RecordDesk) -> list[Any]:
    from starlette.routing import Route

    from .office import _page

    return [Route("/espace/fiche", _page(records.record_page), methods=["GET", "HEAD", "POST"], name="record"),
            Route("/espace/journal", _page(records.audit_page), methods=["GET", "HEAD"], name="audit")]
