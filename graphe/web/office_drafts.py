"""Practices proposed and reviewed in the browser: the form, the drafts, the review queue.

- `/espace/pratique` — "Proposer une pratique": the form derived from the practice model
  (`publishing/practice_form.py`), the city fixed by a contributor's account; `?depuis=IRI` starts a new
  version of a published practice from what is published. Three buttons: preview (the sheet as it will read,
  and the SHACL shapes' messages beside their fields), save (kept by its author, not submitted), submit.
- `/espace/brouillons` — the drafts one may see (a contributor: its city's; the secretariat: all), by state.
- `/espace/brouillons/{id}` — one draft: its state and the secretariat's comment; the form again while its
  author may still change it; for the secretariat, once submitted, what it changes against the published
  version field by field, the validation, and publish / ask for changes / refuse.
- `/espace/relecture` — the review queue: submitted drafts, oldest first, filtered by city and theme.

Published records' versions, retirement and the audit log are in `office_records.py`.

Every write goes through the workflow's commands (`Graphe.write`), as the GraphQL mutations do: the same
validation, ownership rules, optimistic concurrency (the version the page was made from is sent back), audit.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .office import MAX_FORM, Form, Office, Uploads, _secretariat, _status, office_texts
from .site import reader_language
from ..core.errors import GrapheError
from ..core.rdf import Quad
from ..importing import SHEET_SUFFIXES, import_file
from ..model.namespaces import GR
from ..model.practice import BY_NAME, MAX_RECORDS, RECORD_FIELDS
from ..publishing import ai_project_form as af, documents, drafts, practice_form as pf
from ..publishing.drafts import Draft
from ..publishing.people import SignedIn, check_csrf
from ..read import filters, reads
from ..search import query as search_query

EDITABLE = ("saved", "draft", "changes_requested", "rejected")  # states its author may still change
# The kinds of record with a form: its module (read, write, check, changes, published, field_of, BY_KEY), its
# template, the address of a new one, the title of that page.
FORMS: dict[str, tuple[Any, str, str, str]] = {
    "practice": (pf, "office/practice_form.html", "/espace/pratique", "propose"),
    "ai_project": (af, "office/ai_project_form.html", "/espace/projet-ia", "declare_ai"),
}
PICKED = ("adapted_from", "inspired_by")  # practice links chosen with a search picker beside their box
PICKER = "chercher_"  # + the box's key: the picker's search text (not part of the sheet)
PICKS = 10
DOCUMENT_FILES = 3  # files one sending of a form may carry (the form offers one new row at a time)
SHOWN_FIELDS = ("title_fr", "title_en", "summary_fr", "summary_en", "body_fr", "body_en", "results_fr",
                "results_en", "transferability_fr", "transferability_en")


class DraftDesk:
    def __init__(self, office: Office) -> None:
        self.office, self.graphe = office, office.graphe
        self.folder = documents.Folder.of(self.graphe.settings)
        cap = self.graphe.settings.documents_max_bytes
        # The forms with documents: multipart, each file within the documents' cap, streamed (never whole).
        # (A browser sends every box, empty ones too: a record with its sources, documents and assessments, and
        # a practice's records, up to MAX_RECORDS rows of each kind with a box per part.)
        record_boxes = sum(len(pf.record_boxes({}, f, 1)) for f in RECORD_FIELDS) * MAX_RECORDS
        self.uploads = Uploads(total=DOCUMENT_FILES * cap + 4 * MAX_FORM, per_file=cap, files=DOCUMENT_FILES,
                               documents=True, fields=400 + record_boxes)

    # ------------------------------------------------------------------------------------ the form

    def new_practice(self, request: Request, form: Form) -> Response:
        return self._new(request, form, "practice")

    def new_ai_project(self, request: Request, form: Form) -> Response:
        return self._new(request, form, "ai_project")

    def _new(self, request: Request, form: Form, kind: str) -> Response:
        signed = self.office.must_sign_in(request)
        module = FORMS[kind][0]
        if request.method == "GET":
            values: dict[str, list[str]] = {}
            origin = request.query_params.get("depuis")
            if origin:  # a new version of a published record: what is published, to change
                quads = module.published(self.graphe.store, origin)
                if not quads:
                    raise GrapheError("NOT_FOUND", f"Rien de publié n'a l'IRI {origin}.",
                                      f"Nothing published has IRI {origin}.", {"status": 404})
                values = module.write(quads, origin, self.graphe.settings.base_iri)
                values.update(documents.form_values(documents.published(self.graphe.store, origin), origin))
            if request.query_params.get("charte"):
                values["charte"] = [request.query_params["charte"]]
            return self._form_page(request, signed, values, None, kind)
        return self._submitted(request, signed, form, None, kind)

    def _submitted(self, request: Request, signed: SignedIn, form: Form, draft: Draft | None, kind: str) -> Response:
        """A form sent: preview, save or submit (a new draft, or an update of `draft`)."""
        check_csrf(signed.session, form.get("csrf"))
        lang = reader_language(request)
        module = FORMS[kind][0]
        values = {k: v for k, v in form.lists.items() if module.accepts(k) or documents.accepts(k)}
        action = form.get("action", "apercu")
        errors: dict[str, list[str]] = {}
        # Files are stored as soon as the form is sent (a preview too) and carried on as checksums.
        refused = documents.take_uploads(self.folder, form.uploads, values)
        if refused:
            errors = {box: [e.text(lang) for e in found] for box, found in refused.items()}
            first = next(iter(refused.values()))[0]
            return self._form_page(request, signed, values, draft, kind, errors=errors, status=_status(first))
        try:
            iri, quads = module.read(values, self.graphe.settings.base_iri, signed.account.city
                                     if not signed.account.is_secretariat else None)
            quads = quads + documents.read_form(values, iri, self.graphe.settings.base_iri, self.folder)
        except GrapheError as error:
            field = error.details.get("field") if isinstance(error.details, dict) else None
            errors[field if isinstance(field, str) and documents.accepts(field) else module.field_of(error)] = [
                error.text(lang)]
            return self._form_page(request, signed, values, draft, kind, errors=errors, status=400)
        if action in ("apercu", "soumettre"):
            for key, messages in module.check(self.graphe.store, self.graphe.validator, iri, quads).items():
                errors[key] = [fr if lang == "fr" else en for fr, en in messages]
        if action == "apercu" or (action == "soumettre" and errors):
            return self._form_page(request, signed, values, draft, kind, errors=errors, preview=True,
                                   status=400 if errors and action == "soumettre" else 200,
                                   pickers=self._pickers(form, values, lang) if kind == "practice" else {})
        if action not in ("enregistrer", "soumettre"):
            raise GrapheError("BAD_USER_INPUT", "Action inconnue.", "Unknown action.")
        state = "saved" if action == "enregistrer" else "draft"
        try:
            if draft is None:
                made = self.graphe.write(signed.account, "submit", iri,
                                         lambda w: w.submit(signed.account, quads, "formulaire", state))
            else:
                version = _version(form)
                made = self.graphe.write(signed.account, "update", draft.id,
                                         lambda w: w.update(signed.account, draft.id, quads, version, state))
        except GrapheError as error:
            errors[pf.FORM] = [error.text(lang)]
            return self._form_page(request, signed, values, draft, kind, errors=errors, status=_status(error))
        return RedirectResponse(f"/espace/brouillons/{made.id}?fait={action}", status_code=303)

    def _pickers(self, form: Form, values: dict[str, list[str]], lang: str) -> dict[str, dict[str, Any]]:
        """The search pickers of the practice links: for each box whose search text was sent, the published
        practices it finds (those already chosen left out), to tick. Works without JavaScript: the picker's
        button is a preview, which keeps everything typed."""
        out: dict[str, dict[str, Any]] = {}
        base = self.graphe.settings.base_iri + "id/practice/"
        reader = self.office.site.reader(lang)
        for key in PICKED:
            text = form.get(PICKER + key, "").strip()[:200]
            if not text:
                continue
            chosen = set(pf.split_values(values.get(key, ())))
            found = search_query.search(self.graphe.search, text, search_query.Filters(types=("practice",)), 0,
                                        PICKS + len(chosen))
            ids = [h.id for h in found.hits if h.id.startswith(base) and h.id[len(base):] not in chosen][:PICKS]
            known = reader.entities(ids)
            hits = []
            for iri in ids:
                entity = known.get(iri)
                city = reader.entity(entity.ref(GR.city)) if entity is not None and entity.ref(GR.city) else None
                hits.append({"slug": iri[len(base):], "title": reader.name(entity) or iri,
                             "city": reader.name(city) if city is not None else ""})
            out[key] = {"q": text, "hits": hits}
        return out

    def _themes(self, lang: str) -> list[tuple[str, str]]:
        reader = self.office.site.reader(lang)
        base = self.graphe.settings.base_iri + "id/theme/"
        return sorted(((t.iri[len(base):], reader.name(t) or t.iri) for t in reads.theme_entities(self.graphe.store)
                       if t.iri.startswith(base)), key=lambda p: p[1].lower())

    def _form_page(self, request: Request, signed: SignedIn, values: dict[str, list[str]], draft: Draft | None,
                   kind: str, errors: dict[str, list[str]] | None = None, preview: bool = False, status: int = 200,
                   **more: Any) -> Response:
        lang = reader_language(request)
        o = office_texts(lang)
        reader = self.office.site.reader(lang)
        theme_choices = self._themes(lang)
        city_name = None
        if not signed.account.is_secretariat and signed.account.city:
            city_name = reader.name(reader.entity(signed.account.city)) or signed.account.city
        _, template, path, title_key = FORMS[kind]
        common = dict(signed=signed, values=values, errors=errors or {}, themes=theme_choices, city_name=city_name,
                      cities=self.office._cities(request) if signed.account.is_secretariat else [], draft=draft,
                      action=path if draft is None else f"/espace/brouillons/{draft.id}",
                      slug=(values.get("id") or [""])[0],
                      sources=[{"row": row, **{part: (values.get(pf.source_key(part, row)) or [""])[0]
                                               for part in pf.SOURCE_PARTS},
                                "keys": {part: pf.source_key(part, row) for part in pf.SOURCE_PARTS}}
                               for row in pf.source_rows(values)],
                      documents=documents.form_rows(values, self.folder, lang),
                      documents_max_mb=self.graphe.settings.documents_max_mb,
                      document_languages=[(code, fr if lang == "fr" else en)
                                          for code, (_, fr, en) in documents.LANGUAGES.items()],
                      document_licenses=[(code, fr if lang == "fr" else en)
                                         for code, (_, fr, en) in documents.LICENSES.items()],
                      **{"review": None, "editable": True, "state": "", "done": "", "published_href": None, **more})
        title = o[title_key] if draft is None else o["draft_title"]
        if kind == "ai_project":
            return self.office.render(request, template, title, status, **common,
                                      **self._ai_context(lang, values, preview))
        return self._practice_page(request, lang, values, preview, status, title, template, common)

    def _ai_context(self, lang: str, values: dict[str, list[str]], preview: bool) -> dict[str, Any]:
        """The AI project form's boxes, the charters to assess against, and the chosen charter's criteria."""
        reader = self.office.site.reader(lang)
        charters = reader.entities(self.office.site.ordered(filters.charter_query((), (), (), reader.langs)))
        chosen = (values.get("charte") or [""])[0]
        assessed = {k.split("|", 1)[1] for k in values if k.startswith("verdict|")}
        rows = []
        if chosen:
            for iri, ident, label in af.criteria(self.graphe.store, chosen):
                rows.append({"iri": iri, "label": f"{ident}. {label}" if ident else label,
                             **{part: (values.get(af.assessment_key(part, iri)) or [""])[0]
                                for part in af.ASSESSMENT_PARTS},
                             "keys": {part: af.assessment_key(part, iri) for part in af.ASSESSMENT_PARTS}})
        shown = {r["iri"] for r in rows}
        kept = [(k, v[0]) for k, v in values.items() if "|" in k and k.split("|", 1)[1] in assessed - shown and v]
        verdict_names = reader.entities(af.VERDICTS.values())
        verdicts = [(code, reader.name(verdict_names.get(iri)) or code) for code, iri in af.VERDICTS.items()]
        status_names = reader.entities(iri for iri, _, _ in af.STATUS.values())
        boxes = []
        for b in af.BOXES:
            if b.key in ("city", "themes"):
                continue
            choices = None
            if b.choices is not None:
                choices = [(k, reader.name(status_names.get(v[0])) or v[1]) if b.key == "status"
                           else (k, v[1] if lang == "fr" else v[2]) for k, v in b.choices.items()]
            boxes.append({"key": b.key, "label": b.label(lang), "kind": b.kind, "lang": b.lang, "choices": choices,
                          "value": ", ".join(values.get(b.key, ())) if b.kind == "refs" else (values.get(b.key) or [""])[0]})
        return {"boxes": boxes, "charters": [(iri, reader.name(e) or iri) for iri, e in charters.items()],
                "chosen": chosen, "criteria": rows, "kept": kept, "verdicts": verdicts,
                "preview": {"title": (values.get("title_fr") or [""])[0]} if preview else None}

    def _practice_page(self, request: Request, lang: str, values: dict[str, list[str]], preview: bool, status: int,
                       title: str, template: str, common: dict[str, Any]) -> Response:
        reader = self.office.site.reader(lang)
        theme_choices = common["themes"]
        status_field = BY_NAME["status"]
        status_names = reader.entities(status_field.codes().values())
        statuses = [(code, reader.name(status_names.get(iri)) or code) for code, iri in status_field.codes().items()]
        fields = [{"key": f.key, "label": f.label(lang), "kind": f.field.kind, "lang": f.lang,
                   "long": f.field.name in pf.LONG, "help": f.field.help_fr if lang == "fr" else "",
                   "value": ", ".join(pf.split_values(values.get(f.key, ()))) if f.field.kind in ("refs", "words")
                   else (values.get(f.key) or [""])[0]}
                  for f in pf.form_fields(values) if f.key not in ("city", "themes", "status")]
        languages = sorted({f.lang for f in pf.form_fields(values) if f.lang and f.lang != "fr"},
                           key=lambda tag: (tag != "en", tag))
        shown_preview = None
        if preview:
            shown_preview = {"title": (values.get("title_fr") or [""])[0],
                             "texts": [(pf.BY_KEY[k].label(lang), (values.get(k) or [""])[0]) for k in SHOWN_FIELDS
                                       if (values.get(k) or [""])[0].strip() and not k.startswith("title")],
                             "themes": [label for slug, label in theme_choices if slug in values.get("themes", ())],
                             "status": dict(statuses).get((values.get("status") or [""])[0], "")}
        records = [{"key": fld.name, "legend": fld.fr if lang == "fr" else fld.en,
                    "help": fld.help_fr if lang == "fr" else "", "rows": [
                        {"row": row, "boxes": [
                            {"key": key, "kind": part.kind, "lang": box_lang, "value": (values.get(key) or [""])[0],
                             "label": pf.record_label(part, lang, box_lang),
                             "choices": [(c, reader.name(names.get(i)) or c) for c, i in part.codes().items()]
                             if part.kind == "code" else None}
                            for key, part, box_lang in pf.record_boxes(values, fld, row)]}
                        for row in pf.record_rows(values, fld)]}
                   for fld in RECORD_FIELDS
                   for names in [reader.entities(i for p in fld.parts if p.kind == "code" for i in p.codes().values())]]
        return self.office.render(request, template, title, status, fields=fields, statuses=statuses, records=records,
                                  preview=shown_preview, languages=languages, machine=values.get(pf.MACHINE, []),
                                  picked=PICKED, picker=PICKER, **{"pickers": {}, **common})

    # ------------------------------------------------------------------------------------ files

    def upload_page(self, request: Request, form: Form) -> Response:
        """Markdown or CSV sheets in bulk: each file in one transaction (drafts, or publications by the
        secretariat), with its own line in the report — a bad file changes nothing and stops no other."""
        signed = self.office.must_sign_in(request)
        lang = reader_language(request)
        o = office_texts(lang)
        report = []
        status = 200
        if request.method == "POST":
            check_csrf(signed.session, form.get("csrf"))
            publish = form.get("publier") == "1"
            if publish:
                _secretariat(signed)
            if not form.files:
                raise GrapheError("BAD_USER_INPUT", "Choisissez au moins un fichier.", "Choose at least one file.")
            for name, data in form.files:
                line: dict[str, Any] = {"file": name, "objects": []}
                try:
                    if not name.lower().endswith(tuple(SHEET_SUFFIXES)):
                        raise GrapheError("BAD_USER_INPUT", f"{name} : une fiche Markdown (.md) ou CSV (.csv) est "
                                          "attendue.", f"{name}: a Markdown (.md) or CSV (.csv) sheet is expected.")
                    outcomes = import_file(self.graphe, signed.account, name, data, publish)
                    line["objects"] = [{"href": self.office.site.href(iri), "iri": iri, "outcome": o["outcome_" + what]}
                                       for iri, what in outcomes]
                    line["ok"] = True
                except GrapheError as error:
                    line.update(ok=False, error=error.text(lang), code=error.code)
                    status = 400
                report.append(line)
        return self.office.render(request, "office/upload.html", o["upload"], status, signed=signed, report=report)

    # ------------------------------------------------------------------------------------ drafts

    def draft_list(self, request: Request, form: Form) -> Response:
        signed = self.office.must_sign_in(request)
        o = office_texts(reader_language(request))
        city = None if signed.account.is_secretariat else signed.account.city
        if city is None and not signed.account.is_secretariat:
            raise GrapheError("FORBIDDEN", "Ce compte ne propose pas de brouillon.", "This account proposes no draft.",
                              {"status": 403})
        found = drafts.listing(self.graphe.store, (), city)
        rows = self._rows(request, found)
        return self.office.render(request, "office/drafts.html", o["drafts"], signed=signed, rows=rows,
                                  queue=False, cities=[], themes=[], chosen={})

    def review_queue(self, request: Request, form: Form) -> Response:
        signed = self.office.must_sign_in(request)
        lang = reader_language(request)
        o = office_texts(lang)
        _secretariat(signed)
        waiting = sorted(drafts.listing(self.graphe.store, ["draft"]), key=lambda d: (d.updated, d.id))
        chosen = {"ville": request.query_params.get("ville", ""), "theme": request.query_params.get("theme", "")}
        if chosen["ville"]:
            waiting = [d for d in waiting if d.city == chosen["ville"]]
        base = self.graphe.settings.base_iri
        if chosen["theme"]:
            theme = base + "id/theme/" + chosen["theme"]
            waiting = [d for d in waiting if any(q.object.value == theme for q in drafts.content(self.graphe.store, d.id)
                                                 if q.predicate.value == BY_NAME["themes"].predicate)]
        reader = self.office.site.reader(lang)
        themes = sorted(((t.iri[len(base + "id/theme/"):], reader.name(t) or t.iri)
                         for t in reads.theme_entities(self.graphe.store) if t.iri.startswith(base + "id/theme/")),
                        key=lambda p: p[1].lower())
        return self.office.render(request, "office/drafts.html", o["queue"], signed=signed,
                                  rows=self._rows(request, waiting), queue=True, cities=self.office._cities(request),
                                  themes=themes, chosen=chosen)

    def _rows(self, request: Request, found: list[Draft]) -> list[dict[str, Any]]:
        lang = reader_language(request)
        o = office_texts(lang)
        reader = self.office.site.reader(lang)
        cities = reader.entities(d.city for d in found if d.city)
        rows = []
        for d in found:
            title = next((q.object.value for q in drafts.content(self.graphe.store, d.id)
                          if q.subject.value == d.target and q.predicate.value == BY_NAME["title"].predicate
                          and getattr(q.object, "language", "") == "fr"), d.target.rsplit("/", 1)[-1])
            rows.append({"id": d.id, "title": title, "kind": d.kind, "state": o["draft_" + d.state],
                         "city": reader.name(cities.get(d.city or "")) or "", "updated": d.updated[:10],
                         "author": d.author_name})
        return rows

    def draft_page(self, request: Request, form: Form) -> Response:
        signed = self.office.must_sign_in(request)
        lang = reader_language(request)
        o = office_texts(lang)
        draft = self._visible(signed, request.path_params["id"])
        if request.method == "POST":
            action = form.get("action", "")
            if action in ("publier", "corriger", "refuser"):
                return self._review(request, signed, draft, form)
            if draft.kind not in FORMS or draft.state not in EDITABLE:
                raise GrapheError("CONFLICT", f"Ce brouillon est à l'état « {o['draft_' + draft.state]} ».",
                                  f"This draft is '{draft.state}'.", {"status": 409})
            return self._submitted(request, signed, form, draft, draft.kind)
        return self._draft_view(request, signed, draft)

    def _draft_view(self, request: Request, signed: SignedIn, draft: Draft, errors: dict[str, list[str]] | None = None,
                    status: int = 200) -> Response:
        lang = reader_language(request)
        o = office_texts(lang)
        base = self.graphe.settings.base_iri
        content = drafts.content(self.graphe.store, draft.id)
        kind = draft.kind if draft.kind in FORMS else "practice"
        module = FORMS[kind][0]
        values = module.write(content, draft.target, base)
        values.update(documents.form_values(content, draft.target))
        if kind == "ai_project" and "charte" not in values:  # show the rows of the charter already assessed
            assessed = [k.split("|", 1)[1] for k in values if k.startswith("verdict|")]
            values["charte"] = [c for c in (self._charter_of(assessed[0]),) if c] if assessed else []
        review = None
        if signed.account.is_secretariat and draft.state == "draft" and draft.kind in FORMS:
            before = module.write(module.published(self.graphe.store, draft.target), draft.target, base)
            before.update(documents.form_values(documents.published(self.graphe.store, draft.target), draft.target))
            plain = [Quad(q.subject, q.predicate, q.object) for q in content]
            checked = module.check(self.graphe.store, self.graphe.validator, draft.target, plain)
            found = module.changes(before, values) + [pf.Change(*c) for c in documents.changes(before, values)]
            shown = self._labelled(found, lang) if kind == "practice" else {}
            review = {"changes": [{"label": c.label_fr if lang == "fr" else c.label_en,
                                   "before": shown.get((c.key, c.before), c.before),
                                   "after": shown.get((c.key, c.after), c.after)} for c in found],
                      "new": draft.base_version == 0,
                      "problems": [(module.BY_KEY[k].label(lang) if k in module.BY_KEY else
                                    (pf.key_label(k, lang) if kind == "practice" else None) or o["whole_sheet"],
                                    fr if lang == "fr" else en) for k, messages in checked.items()
                                   for fr, en in messages]}
        editable = draft.kind in FORMS and draft.state in EDITABLE and (
            signed.account.is_secretariat or draft.city == signed.account.city)
        done = request.query_params.get("fait")
        return self._form_page(request, signed, values, draft, kind, errors=errors, status=status, review=review,
                               editable=editable, state=o["draft_" + draft.state], done=o.get("done_" + (done or ""), ""),
                               published_href=self.office.site.href(draft.target) if draft.state == "published" else None)

    def _labelled(self, found: list[pf.Change], lang: str) -> dict[tuple[str, str], str]:
        """The difference in people's words: a status, a theme, a city or a linked record by its label (its
        short identifier when nothing published has one), not by its code."""
        base = self.graphe.settings.base_iri + "id/"
        iris: dict[tuple[str, str], list[str]] = {}
        for c in found:
            box = pf.record_box(c.key)
            if box is not None and box[1].kind in ("ref", "code"):  # a partner, a cost's period
                part = box[1]
                for value in (c.before, c.after):
                    if value:
                        iris[(c.key, value)] = [part.codes().get(value, value) if part.kind == "code" else
                                                value if ":" in value else f"{base}{part.target}/{value}"]
                continue
            f = pf.BY_KEY.get(c.key)
            if f is None or f.field.kind not in ("ref", "refs", "status"):
                continue
            for value in (c.before, c.after):
                parts = [v.strip() for v in value.split(",") if v.strip()]
                if f.field.kind == "status":
                    iris[(c.key, value)] = [f.field.codes().get(v, v) for v in parts]
                elif f.field.target and f.field.target != "source":
                    iris[(c.key, value)] = [v if ":" in v else f"{base}{f.field.target}/{v}" for v in parts]
        reader = self.office.site.reader(lang)
        known = reader.entities({iri for listed in iris.values() for iri in listed})
        return {key: ", ".join(reader.name(known.get(iri)) or iri.rsplit("/", 1)[-1] for iri in listed)
                for key, listed in iris.items()}

    def _charter_of(self, criterion: str) -> str | None:
        for q in pf.published(self.graphe.store, criterion):
            if q.predicate.value == af.CV_DERIVED:
                return q.object.value
        return None

    def _review(self, request: Request, signed: SignedIn, draft: Draft, form: Form) -> Response:
        check_csrf(signed.session, form.get("csrf"))
        _secretariat(signed)
        lang = reader_language(request)
        action, version, text = form.get("action"), _version(form), form.get("reason", "")
        actor = signed.account
        try:
            if action == "publier":
                self.graphe.write(actor, "publish", draft.id, lambda w: w.publish(actor, draft.id, version))
            elif action == "corriger":
                self.graphe.write(actor, "request-changes", draft.id,
                                  lambda w: w.request_changes(actor, draft.id, text, version))
            else:
                self.graphe.write(actor, "reject", draft.id, lambda w: w.reject(actor, draft.id, text, version))
        except GrapheError as error:
            return self._draft_view(request, signed, drafts.find(self.graphe.store, draft.id) or draft,
                                    {"review": [error.text(lang)]}, _status(error))
        return RedirectResponse(f"/espace/brouillons/{draft.id}?" + urlencode({"fait": action}), status_code=303)

    def _visible(self, signed: SignedIn, draft_id: str) -> Draft:
        draft = drafts.find(self.graphe.store, draft_id) if len(draft_id) <= 40 else None
        if draft is None or not (signed.account.is_secretariat or
                                 (signed.account.city is not None and draft.city == signed.account.city)):
            raise GrapheError("NOT_FOUND", "Aucun brouillon à cette adresse (ou pas le vôtre).",
                              "No draft at this address (or not yours).", {"status": 404})
        return draft


def _version(form: Form) -> int:
    value = form.get("version", "")
    if not value.isdigit():
        raise GrapheError("BAD_USER_INPUT", "Version du brouillon absente : rechargez la page.",
                          "The draft's version is missing: reload the page.")
    return int(value)


def routes(desk: DraftDesk) -> list[Any]:
    from starlette.routing import Route

    from .office import _page

    both = ["GET", "HEAD", "POST"]
    return [
        Route("/espace/pratique", _page(desk.new_practice, desk.uploads), methods=both, name="propose"),
        Route("/espace/projet-ia", _page(desk.new_ai_project, desk.uploads), methods=both, name="declare-ai"),
        Route("/espace/brouillons", _page(desk.draft_list), methods=["GET", "HEAD"], name="drafts"),
        Route("/espace/fichiers", _page(desk.upload_page), methods=both, name="upload"),
        Route("/espace/brouillons/{id}", _page(desk.draft_page, desk.uploads), methods=both, name="draft"),
        Route("/espace/relecture", _page(desk.review_queue), methods=["GET", "HEAD"], name="review-queue"),
    ]
