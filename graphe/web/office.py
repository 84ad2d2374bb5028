"""The back office's doors: sign-in, invitations, the person's space, people and API tokens (secretariat).

Pages under `/connexion`, `/invitation/…` and `/espace…`, French first like every page, rendered per request
(never kept: they show one person's view; the security middleware marks them `private, no-store`).

Every form is a plain POST (works without JavaScript), parsed here from `application/x-www-form-urlencoded`
with the standard library, within `MAX_FORM` bytes and `MAX_FIELDS` fields; a form with files
(`multipart/form-data`) is parsed as it streams in by Starlette's parser, each file stopped as soon as it passes
its page's cap (`Uploads`: sheets, documents), the body likewise. A POST must come from this site
(`Origin` / `Sec-Fetch-Site`), and once signed in it carries the session's CSRF token. The session cookie is
`HttpOnly`, `SameSite=Strict`, `Secure` when the request came over HTTPS. The work (Argon2, store reads and
writes) runs in a worker thread under the pages' time budget; a refusal re-renders the form with its French
message beside the field concerned (`field` of the error), never a trace. Who may do what is decided by the
domain (`publishing.people`, `publishing.accounts`), not here.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any, BinaryIO
from urllib.parse import parse_qsl, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from . import formats, html
from .office_texts import TEXTS as OFFICE_TEXTS
from .site import PAGE_TIMEOUT, Site, reader_language
from ..core import deadline
from ..core.errors import GrapheError
from ..publishing import accounts, drafts, mail, people
from ..read import filters, reads
from ..publishing.people import SignedIn

log = logging.getLogger(__name__)

COOKIE = "graphe_session"
MAX_FORM = 64 * 1024  # bytes: a form of names, addresses and a password; sheets come as files elsewhere
MAX_FIELDS = 100
# A browser's upload of sheets (Markdown, CSV): all files together, and how many. Bigger files go through
# `graphe import`, which reads them from disk.
MAX_UPLOAD, MAX_FILES = 32 << 20, 20
Handler = Callable[[Request, dict[str, str]], Response]


def office_texts(lang: str) -> dict[str, str]:
    return OFFICE_TEXTS[lang]


class Office:
    def __init__(self, site: Site) -> None:
        self.site, self.graphe = site, site.graphe
        self.gate = people.Gate()

    # --------------------------------------------------------------------------------------- plumbing

    def signed(self, request: Request) -> SignedIn | None:
        return people.session(self.graphe.store, request.cookies.get(COOKIE))

    def must_sign_in(self, request: Request) -> SignedIn:
        signed = self.signed(request)
        if signed is None:
            raise _Redirect("/connexion?" + _next(request))
        return signed

    def render(self, request: Request, template: str, title: str, status: int = 200, **context: Any) -> HTMLResponse:
        lang = reader_language(request)
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        body = self.site.render(template, lang, title, path, o=office_texts(lang), **context)
        return HTMLResponse(body, status_code=status, headers={"Content-Language": lang})

    def base_url(self, request: Request) -> str:
        return str(request.base_url)

    # --------------------------------------------------------------------------------------- sign-in

    def sign_in_page(self, request: Request, form: dict[str, str]) -> Response:
        o = office_texts(reader_language(request))
        following = _local(form.get("suivant") or request.query_params.get("suivant") or "/espace")
        if request.method == "GET":
            if self.signed(request) is not None:
                return RedirectResponse(following, status_code=303)
            return self.render(request, "office/signin.html", o["sign_in"], following=following, email="",
                               error=None, ended=request.query_params.get("fin") == "1")
        try:
            address = request.client.host if request.client else "?"
            signed = self.gate.sign_in(self.graphe.store, form.get("email", ""), form.get("password", ""), address)
        except GrapheError as error:
            status = _status(error)
            response = self.render(request, "office/signin.html", o["sign_in"], status, following=following,
                                   email=form.get("email", "")[:people.MAX_EMAIL],
                                   error=error.text(reader_language(request)), ended=False)
            if error.code == "TOO_MANY_ATTEMPTS":
                response.headers["Retry-After"] = str(error.details.get("retry_after", 60))
            return response
        return self._signed_in(request, signed, following)

    def _signed_in(self, request: Request, signed: SignedIn, following: str) -> Response:
        response = RedirectResponse(following, status_code=303)
        response.set_cookie(COOKIE, signed.session, max_age=people.SESSION_HOURS * 3600, path="/", httponly=True,
                            samesite="strict", secure=request.url.scheme == "https")
        return response

    def sign_out(self, request: Request, form: dict[str, str]) -> Response:
        signed = self.must_sign_in(request)
        people.check_csrf(signed.session, form.get("csrf"))
        people.sign_out(self.graphe.store, signed, everywhere=form.get("partout") == "1")
        response = RedirectResponse("/connexion?fin=1", status_code=303)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
        return response

    def invitation_page(self, request: Request, form: dict[str, str]) -> Response:
        lang = reader_language(request)
        o = office_texts(lang)
        secret = request.path_params["secret"]
        person = people.invitation(self.graphe.store, secret)  # INVITATION_INVALID: a coded 404 page
        if request.method == "GET":
            return self.render(request, "office/password.html", o["choose_password"], person=person, errors={})
        try:
            signed = people.accept(self.graphe.store, secret, form.get("password", ""), form.get("confirmation", ""))
        except GrapheError as error:
            if error.code == "INVITATION_INVALID":
                raise
            return self.render(request, "office/password.html", o["choose_password"], _status(error),
                               person=person, errors={_field(error): error.text(lang)})
        return self._signed_in(request, signed, "/espace")

    # --------------------------------------------------------------------------------------- the space

    def home(self, request: Request, form: dict[str, str]) -> Response:
        signed = self.must_sign_in(request)
        o = office_texts(reader_language(request))
        city = self._city_name(request, signed.account.city)
        return self.render(request, "office/home.html", o["space"], signed=signed, city=city,
                           role=o["role_" + signed.account.role], counts=self._counts(signed),
                           due=self._due(request, signed))

    def _due(self, request: Request, signed: SignedIn) -> list[dict[str, str]]:
        """Published practices past their review date: all of them for the secretariat, a city's for it."""
        if not signed.account.is_secretariat and signed.account.city is None:
            return []
        lang = reader_language(request)
        today = dt.datetime.now(dt.timezone.utc).date().isoformat()
        found = reads.due_for_review(self.graphe.store, today,
                                     None if signed.account.is_secretariat else signed.account.city)
        reader = self.site.reader(lang)
        names = reader.entities(iri for iri, _ in found)
        return [{"href": ("/espace/fiche?" + urlencode({"iri": iri})) if signed.account.is_secretariat
                 else "/espace/pratique?" + urlencode({"depuis": iri}),
                 "name": reader.name(names.get(iri)) or iri, "due": formats.date(due, lang)} for iri, due in found]

    def _counts(self, signed: SignedIn) -> dict[str, int]:
        """Drafts by state: a contributor's city's, or all of them for the secretariat."""
        if not signed.account.is_secretariat and signed.account.city is None:
            return {}
        found: dict[str, int] = {}
        for d in drafts.listing(self.graphe.store, (), None if signed.account.is_secretariat else signed.account.city):
            found[d.state] = found.get(d.state, 0) + 1
        return found

    def _city_name(self, request: Request, iri: str | None) -> str | None:
        if not iri:
            return None
        reader = self.site.reader(reader_language(request))
        return reader.name(reader.entity(iri)) or iri

    def _cities(self, request: Request) -> list[tuple[str, str]]:
        reader = self.site.reader(reader_language(request))  # the city list's own read, by name
        iris = self.site.ordered(filters.city_query((), "NAME", False, reader.langs))
        found = reader.entities(iris)
        return [(iri, reader.name(found.get(iri)) or iri) for iri in iris]

    def people_page(self, request: Request, form: dict[str, str]) -> Response:
        return self._managing(request, form, "office/people.html", "people", self._people_action, self._people_rows)

    def tokens_page(self, request: Request, form: dict[str, str]) -> Response:
        return self._managing(request, form, "office/tokens.html", "tokens", self._token_action, self._token_rows)

    def _managing(self, request: Request, form: dict[str, str], template: str, title: str,
                  act: Callable[[Request, SignedIn, dict[str, str]], tuple[str, ...] | None],
                  rows: Callable[[SignedIn, dict[str, str], dict[str, str]], list[dict[str, Any]]]) -> Response:
        """A secretariat page listing records with a form to add one and buttons per row: the action named by
        the form, then the page again (with what was made shown once, or the refusal beside its field)."""
        signed = self.must_sign_in(request)
        lang = reader_language(request)
        o = office_texts(lang)
        _secretariat(signed)
        errors: dict[str, str] = {}
        status = 200
        shown: tuple[str, ...] | None = None  # (whose, secret[, mail]): a link or a token is shown once, here
        if request.method == "POST":
            people.check_csrf(signed.session, form.get("csrf"))
            try:
                shown = act(request, signed, form)
                if form.get("action") in ("invite", "create"):
                    form = {}  # made: the form starts empty again
            except GrapheError as error:
                errors[_field(error)], status = error.text(lang), _status(error)
        cities = self._cities(request)
        roles = [r for r in accounts.ROLES if r != "admin" or signed.account.role == "admin"]
        return self.render(request, template, o[title], status, signed=signed, rows=rows(signed, o, dict(cities)),
                           cities=cities, roles=[(r, o["role_" + r]) for r in roles], errors=errors, values=form,
                           shown=shown)

    def _people_action(self, request: Request, signed: SignedIn, form: dict[str, str]) -> tuple[str, ...] | None:
        store, action = self.graphe.store, form.get("action", "")
        if action == "invite":
            person, link = people.invite(store, signed.account, form.get("name", ""), form.get("email", ""),
                                         form.get("role", ""), form.get("city") or None, self.base_url(request))
        elif action == "again":
            person, link = people.invite_again(store, signed.account, form.get("id", ""), self.base_url(request))
        elif action == "disable":
            people.disable(store, signed.account, form.get("id", ""))
            return None
        else:
            raise _unknown_action()
        if self.graphe.settings.smtp_url:  # sent too; the page still shows the link once
            failed = mail.invitation(self.graphe.settings, person, link, signed.account.name)
            o = office_texts(reader_language(request))
            return person.account.name, link, o["mail_failed"].format(why=failed) if failed else o["mail_sent"].format(
                email=person.email)
        return person.account.name, link

    def _people_rows(self, signed: SignedIn, o: dict[str, str], names: dict[str, str]) -> list[dict[str, Any]]:
        return [{"id": p.account.id.rsplit("/", 1)[-1], "name": p.account.name, "email": p.email,
                 "role": o["role_" + p.account.role], "city": names.get(p.account.city or "", ""),
                 "state": o["state_" + p.state], "active": p.state != "disabled",
                 "self": p.account.id == signed.account.id}
                for p in people.people(self.graphe.store)]

    def _token_action(self, request: Request, signed: SignedIn, form: dict[str, str]) -> tuple[str, str] | None:
        action = form.get("action", "")
        if action == "revoke":
            accounts.revoke(self.graphe.store, form.get("id", ""), signed.account)
            return None
        if action == "create":
            account, token = accounts.create(self.graphe.store, form.get("role", ""), form.get("name", ""),
                                             form.get("city") or None, signed.account)
            return account.name, token
        raise _unknown_action()

    def _token_rows(self, signed: SignedIn, o: dict[str, str], names: dict[str, str]) -> list[dict[str, Any]]:
        return [{**asdict(a), "short": a.id.rsplit("/", 1)[-1], "role_label": o["role_" + a.role],
                 "city_name": names.get(a.city or "", "")} for a in accounts.all_accounts(self.graphe.store)]


# ------------------------------------------------------------------------------------------- plumbing

class _Redirect(Exception):
    def __init__(self, location: str) -> None:
        self.location = location


def _status(error: GrapheError) -> int:
    return error.details.get("status", 400) if isinstance(error.details, dict) else 400


def _field(error: GrapheError) -> str:
    return str(error.details.get("field", "form")) if isinstance(error.details, dict) else "form"


def _local(path: str) -> str:
    """Where to go after signing in: a path of this site only (no `//host`, no scheme: no open redirect)."""
    if not path.startswith("/") or path.startswith("//") or "\\" in path or any(ord(c) < 32 for c in path):
        return "/espace"
    return path[:500]


def _next(request: Request) -> str:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return urlencode({"suivant": here})


def _unknown_action() -> GrapheError:
    return GrapheError("BAD_USER_INPUT", "Action inconnue.", "Unknown action.")


def _secretariat(signed: SignedIn) -> None:
    if not signed.account.is_secretariat:
        raise GrapheError("FORBIDDEN", "Réservé au secrétariat.", "For the secretariat only.", {"status": 403})


def _same_site(request: Request) -> bool:
    """A POST from a page of this site: `Sec-Fetch-Site` when the browser sends it, else `Origin`."""
    fetch = request.headers.get("sec-fetch-site")
    if fetch is not None:
        return fetch in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None  # no Origin: not a browser's cross-site form (those send one)
    return origin.rstrip("/") == str(request.base_url).rstrip("/")


class Form(dict[str, str]):
    """A form's fields, first value each; `lists`: every value of each (checkboxes)."""

    def __init__(self) -> None:
        super().__init__()
        self.lists: dict[str, list[str]] = {}
        self.files: list[tuple[str, bytes]] = []  # (name, content) of a multipart form's files
        # Documents (`document_file_{row}` boxes): (box, file name, the spooled file), read by the domain in the
        # worker thread and closed once the page is answered.
        self.uploads: list[tuple[str, str, BinaryIO]] = []

    def close(self) -> None:
        for _, _, stream in self.uploads:
            stream.close()


@dataclass(frozen=True)
class Uploads:
    """What a page accepts as multipart: the whole body, each file, how many files; `documents`: files of the
    `document_file_…` boxes stay spooled files (the others are read into `Form.files`)."""
    total: int = MAX_UPLOAD
    per_file: int = MAX_UPLOAD
    files: int = MAX_FILES
    documents: bool = False
    fields: int = MAX_FIELDS


def _too_large(cap: int) -> GrapheError:
    size = f"{cap // 1024} Kio" if cap < 1 << 20 else f"{cap >> 20} Mio"
    size_en = size.replace("Kio", "KiB").replace("Mio", "MiB")
    return GrapheError("TOO_LARGE", f"Envoi trop gros ({size} au plus).", f"Too large ({size_en} at most).",
                       {"status": 413})


async def _body(request: Request, cap: int) -> bytes:
    """The request's body, refused (413) past `cap` bytes, whatever Content-Length claims."""
    body = bytearray()
    async for chunk in _capped(request, cap):
        body += chunk
    return bytes(body)


async def _capped(request: Request, cap: int) -> AsyncIterator[bytes]:
    """The request's body as it comes, refused (413) as soon as it passes `cap` bytes (or claims to)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise _too_large(cap)
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise _too_large(cap)
        yield chunk


def _capped_parser(per_file: int) -> type:
    from starlette.formparsers import MultiPartParser  # (needs python-multipart)

    class CappedParser(MultiPartParser):
        """Starlette's streaming multipart parser, stopping a file as soon as it passes `per_file` bytes (the
        rest of the body is never read)."""
        _file_bytes = 0

        def on_part_begin(self) -> None:
            super().on_part_begin()
            self._file_bytes = 0

        def on_part_data(self, data: bytes, start: int, end: int) -> None:
            if self._current_part.file is not None:
                self._file_bytes += end - start
                if self._file_bytes > per_file:
                    raise _too_large(per_file)
            super().on_part_data(data, start, end)
    return CappedParser


async def _read_upload(request: Request, limits: Uploads) -> Form:
    """A multipart form (files), parsed as it streams in: within `limits` (the body, each file, the number of
    files, MAX_FIELDS fields of MAX_FORM bytes each)."""
    from starlette.formparsers import MultiPartException

    parser = _capped_parser(limits.per_file)(request.headers, _capped(request, limits.total),
                                             max_files=limits.files, max_fields=limits.fields, max_part_size=MAX_FORM)
    try:
        parsed = await parser.parse()
    except MultiPartException as exc:
        raise GrapheError("BAD_FORM", f"Envoi de fichiers illisible ({exc.message}).",
                          f"Unreadable file upload ({exc.message}).", {"status": 400}) from None
    form = Form()
    keep = []
    try:
        for name, value in parsed.multi_items():
            if isinstance(value, str):
                form.setdefault(name, value)
                form.lists.setdefault(name, []).append(value)
            elif value.filename and limits.documents and name.startswith("document_file_"):
                form.uploads.append((name, value.filename[-200:], value.file))
                keep.append(value)
            elif value.filename:
                form.files.append((value.filename[-200:], await value.read()))
    finally:
        for name, value in parsed.multi_items():
            if not isinstance(value, str) and value not in keep:
                await value.close()
    return form


async def _read_form(request: Request, limits: Uploads) -> Form:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        return await _read_upload(request, limits)
    if kind != "application/x-www-form-urlencoded":
        raise GrapheError("BAD_FORM", "Formulaire attendu (application/x-www-form-urlencoded).",
                          "A form was expected (application/x-www-form-urlencoded).", {"status": 415})
    body = await _body(request, MAX_FORM)
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        raise GrapheError("BAD_FORM", f"Formulaire illisible (UTF-8, {MAX_FIELDS} champs au plus).",
                          f"Unreadable form (UTF-8, {MAX_FIELDS} fields at most).", {"status": 400}) from None
    form = Form()
    for name, value in pairs:
        form.setdefault(name, value)  # a repeated field: the first one counts here, all in `lists`
        form.lists.setdefault(name, []).append(value)
    return form


def _page(handler: Handler, uploads: Uploads = Uploads()) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        lang = reader_language(request)
        form = Form()
        try:
            if request.method == "POST":
                if not _same_site(request):
                    raise GrapheError("CROSS_SITE", "Formulaire envoyé depuis un autre site : refusé.",
                                      "Form sent from another site: refused.", {"status": 403})
                form = await _read_form(request, uploads)

            def run() -> Response:
                try:
                    with deadline.budget(PAGE_TIMEOUT):
                        return handler(request, form)
                finally:
                    form.close()
            return await run_in_threadpool(run)
        except _Redirect as redirect:
            return RedirectResponse(redirect.location, status_code=303)
        except GrapheError as error:
            o = office_texts(lang)
            return HTMLResponse(html.message_page(o["refused"], [error.text(lang)], lang, code=error.code,
                                                  links=[("/espace", o["space"]), ("/", o["home"])]),
                                status_code=_status(error))
        except Exception:  # noqa: BLE001 — logged, then masked
            log.exception("office page %s failed", request.url.path)
            error = GrapheError("INTERNAL_ERROR", "Erreur interne ; elle a été journalisée.",
                                "Internal error; it has been logged.")
            return HTMLResponse(html.message_page("Erreur" if lang == "fr" else "Error", [error.text(lang)], lang,
                                                  code=error.code), status_code=500)
    return endpoint


def routes(office: Office) -> list[BaseRoute]:
    both = ["GET", "HEAD", "POST"]
    return [
        Route("/connexion", _page(office.sign_in_page), methods=both, name="sign-in"),
        Route("/deconnexion", _page(office.sign_out), methods=["POST"], name="sign-out"),
        Route("/invitation/{secret}", _page(office.invitation_page), methods=both, name="invitation"),
        Route("/espace", _page(office.home), methods=["GET", "HEAD"], name="space"),
        Route("/espace/personnes", _page(office.people_page), methods=both, name="people"),
        Route("/espace/jetons", _page(office.tokens_page), methods=both, name="tokens"),
    ]
