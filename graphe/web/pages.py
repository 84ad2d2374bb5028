"""Dereferenceable IRIs: `{base}id/…` and the ontology `/def` answer with HTML for browsers and RDF for clients.

`routes(graphe)` gives the Starlette routes (the app mounts them at its root):

- `GET|HEAD /id/{path}` — the entity `{base}id/{path}`: every public triple whose subject is the entity or one
  of its hash IRIs (`{iri}#…`). The format comes from the suffix (`.html`, `.ttl`, `.jsonld`, `.nt`, `.rdf`),
  which wins, else from `Accept` (q-values; HTML only when `text/html` is the best explicit choice, otherwise
  Turtle — `*/*` and no header give Turtle). 406 when nothing offered is acceptable; 404 for an unknown or
  malformed IRI (an HTML page for browsers, else JSON with code `NOT_FOUND`).
- `GET|HEAD /def`, `/def.{ext}` — the ontology graph, same negotiation.

Headers: `Vary: Accept, Accept-Language`, `Link` (`rel="alternate"` per format), `Content-Location` (the
suffixed URL of the chosen format), a weak `ETag` (revision, format, language; `If-None-Match` → 304),
`X-Content-Type-Options: nosniff`, and for HTML a CSP that allows no script at all.

HTML is French unless the reader asks for English (`?lang=en`, or `Accept-Language`). Reads use only the
store's public queries: one for RDF, three for HTML (triples, incoming links, labels), plus one scan per
revision to index hash IRIs.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from . import html
from .site import Site, reader_language, routes as site_routes
from ..read import published
from ..read.entities import preferences
from ..core.errors import GrapheError
from ..core.negotiation import ALIASES, MEDIA_TYPES, OFFERS, negotiate, weighted  # noqa: F401 — read by edges
from ..core.rdf import FORMATS, PREFIXES, Literal, NamedNode, Term, Triple, serialize
from ..service import Graphe

log = logging.getLogger(__name__)

SUFFIXES = {".html": "html", ".ttl": "ttl", ".jsonld": "jsonld", ".nt": "nt", ".rdf": "rdf"}
EXTENSION = {name: suffix for suffix, name in SUFFIXES.items()}
LABELS = {"html": "HTML", "ttl": "Turtle", "jsonld": "JSON-LD", "nt": "N-Triples", "rdf": "RDF/XML"}
MAX_PATH = 300
INCOMING_LIMIT = 100
_FORBIDDEN = re.compile(r'[\x00-\x20\x7f-\x9f<>"{}|\\^`%#?]')
_INVALIDATED = PREFIXES["prov"] + "invalidatedAtTime"
_CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'")


def valid_path(path: str) -> bool:
    """A path that can name an entity: not too long, no empty, `.` or `..` segment, no character an IRI
    (or a slug) cannot hold; percent-escapes are already decoded, so a `%` left means double encoding."""
    if not path or len(path) > MAX_PATH or _FORBIDDEN.search(path):
        return False
    return all(segment not in ("", ".", "..") for segment in path.split("/"))


# ------------------------------------------------------------------------------------------ the pages

class Pages:
    def __init__(self, graphe: Graphe) -> None:
        self.graphe = graphe
        self.store = graphe.store
        self.base = graphe.settings.base_iri
        self.site = Site(graphe)

    # ------------------------------------------------------------------------------------- endpoints

    def entity(self, request: Request) -> Response:
        path, fmt = _split_suffix(request.path_params.get("path", ""))
        lang = reader_language(request)
        iri = self.base + "id/" + path
        if not valid_path(path):
            return self._not_found(request, iri[: len(self.base) + 3 + MAX_PATH], fmt, lang)
        try:
            subject = NamedNode(iri)
        except ValueError:
            return self._not_found(request, iri, fmt, lang)
        fmt = fmt or negotiate(request.headers.get("accept"))
        local = "/id/" + path
        if fmt is None:
            return self._not_acceptable(local, lang)
        etag = self._etag(fmt, lang)
        if _matches(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers=self._headers(local, fmt, etag, lang))
        triples = self.describe(subject)
        if not triples:
            return self._not_found(request, iri, fmt, lang)
        if fmt == "html":
            types = [t.object.value for t in triples if t.subject == subject and t.predicate.value == html.RDF_TYPE]
            people = self.site.entity_page(iri, types, lang, _alternates(local), local)
            body = (people if people is not None else self.entity_html(iri, triples, lang, local)).encode("utf-8")
        else:
            body = serialize(triples, FORMATS[fmt]) or b""
        return self._response(body, fmt, local, etag, lang)

    def ontology(self, request: Request) -> Response:
        lang = reader_language(request)
        ext = request.path_params.get("ext")
        fmt = SUFFIXES.get("." + ext) if ext is not None else negotiate(request.headers.get("accept"))
        if ext is not None and fmt is None:
            return self._not_found(request, html.ONTOLOGY + "." + ext[:MAX_PATH], None, lang)
        if fmt is None:
            return self._not_acceptable("/def", lang)
        etag = self._etag(fmt, lang)
        if _matches(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers=self._headers("/def", fmt, etag, lang))
        if fmt == "html":
            key = f"pages:def:html:{lang}"
            body = self.graphe.cached(key, lambda: self.ontology_html(lang).encode("utf-8"))
        else:
            body = self.graphe.cached(f"pages:def:{fmt}",
                                      lambda: serialize(self.ontology_triples(), FORMATS[fmt]) or b"")
        return self._response(body, fmt, "/def", etag, lang)

    # ------------------------------------------------------------------------------------- reads

    def hash_index(self) -> dict[str, list[str]]:
        """Entity IRI → its hash IRIs that are subjects of public triples; one scan per revision."""
        return self.graphe.cached("pages:hash-iris", lambda: published.hash_index(self.store, self.base))

    def describe(self, subject: NamedNode) -> list[Triple]:
        """The entity's triples, kept per revision (a page's every format and language reads them)."""
        return self.graphe.cached(("describe", subject.value), lambda: published.describe(
            self.store, subject, self.hash_index().get(subject.value, [])), weight=lambda found: 1 + len(found))

    def incoming(self, iri: str) -> tuple[list[tuple[str, str]], bool]:
        """Up to INCOMING_LIMIT (subject, predicate) citing the entity: a city's or theme's page lists its
        practices, and a retired object leaves every list."""
        return published.incoming(self.store, iri, INCOMING_LIMIT)

    def labels(self, iris: set[str], langs: Sequence[str]) -> html.Labels:
        """Names (and ontology comments) of every IRI a page shows, in one query."""
        known = published.labels(self.store, iris, (*html.LABEL_PREDICATES, html.RDFS_COMMENT))
        return html.Labels(base=self.base, langs=langs, known=known)

    def ontology_triples(self) -> list[Triple]:
        return self.graphe.cached("pages:def:triples", lambda: published.ontology_triples(self.store))

    # ------------------------------------------------------------------------------------- HTML

    def entity_html(self, iri: str, triples: list[Triple], lang: str, local: str) -> str:
        langs = preferences((lang,))
        subjects: dict[str, dict[str, list[Term]]] = {}
        for t in triples:
            subjects.setdefault(t.subject.value, {}).setdefault(t.predicate.value, []).append(t.object)
        incoming, truncated = self.incoming(iri)
        # A citing resource is named by the relation seen from this page: a narrower theme is "narrower".
        incoming = [(s, html.INVERSES.get(p, p)) for s, p in incoming]
        shown = {t.predicate.value for t in triples}
        shown.update(t.object.value for t in triples if isinstance(t.object, NamedNode))
        shown.update(s for s, _ in incoming)
        shown.update(p for _, p in incoming)
        retired = next((o.value for o in subjects.get(iri, {}).get(_INVALIDATED, []) if isinstance(o, Literal)),
                       None)
        view = html.EntityView(iri=iri, subjects=subjects, incoming=incoming, incoming_truncated=truncated,
                               retired=retired, labels=self.labels(shown, langs), lang=lang,
                               alternates=_alternates(local), switch=_switch(lang))
        return html.entity_page(view)

    def ontology_html(self, lang: str) -> str:
        subjects: dict[str, dict[str, list[Term]]] = {}
        for t in self.ontology_triples():
            if isinstance(t.subject, NamedNode):
                subjects.setdefault(t.subject.value, {}).setdefault(t.predicate.value, []).append(t.object)
        return html.ontology_page(subjects, lang, preferences((lang,)), _alternates("/def"), _switch(lang))

    # ------------------------------------------------------------------------------------- responses

    def _etag(self, fmt: str, lang: str) -> str:
        revision = self.store.revision().number
        return f'W/"r{revision}-{fmt}-{lang if fmt == "html" else "any"}"'

    def _headers(self, local: str, fmt: str, etag: str | None = None, lang: str = "fr") -> dict[str, str]:
        links = ", ".join(f'<{html.url_path(local + EXTENSION[n])}>; rel="alternate"; type="{MEDIA_TYPES[n]}"'
                          for n in ("html", *OFFERS[:-1]))
        headers = {"Vary": "Accept, Accept-Language", "Link": links,
                   "Content-Location": html.url_path(local + EXTENSION[fmt]), "X-Content-Type-Options": "nosniff"}
        if etag:
            headers["ETag"] = etag
        if fmt == "html":
            headers["Content-Security-Policy"] = _CSP
            headers["Content-Language"] = lang
        return headers

    def _response(self, body: bytes, fmt: str, local: str, etag: str, lang: str) -> Response:
        return Response(body, media_type=MEDIA_TYPES[fmt], headers=self._headers(local, fmt, etag, lang))

    def _not_found(self, request: Request, iri: str, fmt: str | None, lang: str) -> Response:
        fmt = fmt or negotiate(request.headers.get("accept"))
        headers = {"Vary": "Accept, Accept-Language", "X-Content-Type-Options": "nosniff"}
        if fmt == "html":
            return Response(html.not_found_page(iri, lang), status_code=404, media_type="text/html",
                            headers={**headers, "Content-Security-Policy": _CSP, "Content-Language": lang})
        error = GrapheError("NOT_FOUND", f"Aucune ressource publiée n'a l'adresse {iri}.",
                            f"No published resource has the address {iri}.")
        return JSONResponse({"error": error.to_dict(lang)}, status_code=404, headers=headers)

    def _not_acceptable(self, local: str, lang: str) -> Response:
        offered = ", ".join(MEDIA_TYPES[n] for n in ("html", *OFFERS[:-1]))
        error = GrapheError("NOT_ACCEPTABLE", f"Aucun format demandé (Accept) n'est disponible ; formats : {offered}.",
                            f"None of the requested formats (Accept) is available; formats: {offered}.")
        headers = self._headers(local, "ttl")
        del headers["Content-Location"]
        return JSONResponse({"error": error.to_dict(lang)}, status_code=406, headers=headers)


def _split_suffix(path: str) -> tuple[str, str | None]:
    for suffix, name in SUFFIXES.items():
        if path.endswith(suffix) and len(path) > len(suffix):
            return path[: -len(suffix)], name
    return path, None


def _alternates(local: str) -> list[tuple[str, str, str]]:
    return [(LABELS[n], html.url_path(local + EXTENSION[n]), MEDIA_TYPES[n]) for n in OFFERS[:-1]]


def _switch(lang: str) -> str:
    return "?lang=" + ("fr" if lang == "en" else "en")


def _matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    tags = {t.strip() for t in header.split(",")}
    return etag in tags or etag.removeprefix("W/") in tags


def _guard(endpoint: Callable[[Request], Response]) -> Callable[[Request], Response]:
    """Never a trace: an unexpected failure is logged and answered with a short JSON 500."""
    def guarded(request: Request) -> Response:
        try:
            return endpoint(request)
        except Exception:  # noqa: BLE001 — logged, then masked
            log.exception("page %s failed", request.url.path)
            error = GrapheError("INTERNAL_ERROR", "Erreur interne ; elle a été journalisée.",
                                "Internal error; it has been logged.")
            return JSONResponse({"error": error.to_dict(reader_language(request))}, status_code=500)
    return guarded


def routes(graphe: Graphe) -> list[BaseRoute]:
    """The routes serving `{base}id/…` at `/id/…` and the ontology at `/def` (GET and HEAD), after the pages
    for people (`site.py`: home, search, comparison, lists at `/id/practice`…) and the back office's doors
    (`office.py`: sign-in, invitations, the person's space)."""
    from .documents import routes as document_routes
    from .office import Office, routes as office_routes
    from .office_drafts import DraftDesk, routes as draft_routes
    from .office_records import RecordDesk, routes as record_routes

    pages = Pages(graphe)
    office = Office(pages.site)
    return [
        *site_routes(pages.site),
        *office_routes(office),
        *draft_routes(DraftDesk(office)),
        *record_routes(RecordDesk(office)),
        *document_routes(graphe),
        Route("/id/{path:path}", _guard(pages.entity), methods=["GET", "HEAD"], name="entity"),
        Route("/def", _guard(pages.ontology), methods=["GET", "HEAD"], name="ontology"),
        Route("/def.{ext}", _guard(pages.ontology), methods=["GET", "HEAD"], name="ontology_format"),
    ]
