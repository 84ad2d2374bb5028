"""The HTTP application (Starlette). Thin: each route asks the service and renders its answer."""
from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.middleware import Middleware
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from . import __version__
from .core.errors import GrapheError
from .web.pages import reader_language
from .web.security import SecurityHeaders, inline_hashes, policy
from .service import Graphe

log = logging.getLogger(__name__)
SPARQL_WORKERS = 2  # worker processes for public SPARQL queries (a killed one is replaced)


def create_app(graphe: Graphe, admin_secret: str | None = None,
               on_shutdown: Callable[[], None] | None = None,
               on_startup: Callable[[threading.Event], object] | None = None) -> Starlette:
    """The application. `on_startup(answered)` runs once uvicorn's own start-up is done; `answered` is set
    when the first response has been sent (the read-ahead waits for it: `Graphe.warm_reads`)."""
    counting = threading.Lock()

    def count_triples() -> None:
        try:
            graphe.cached("triple_count", graphe.triple_count)
        finally:
            counting.release()

    async def healthz(request: Request) -> JSONResponse:
        """Answers at once whatever else runs: only values already in memory (the public revision, the
        triple count once computed — computed in a thread otherwise —, the states of search and SPARQL)."""
        revision = graphe.store.revision()
        triples = graphe.reads.peek(revision.number, "triple_count")
        if triples is None and counting.acquire(blocking=False):
            threading.Thread(target=count_triples, name="graphe-count", daemon=True).start()
        return JSONResponse({
            "status": "ok",
            "version": __version__,
            "revision": revision.number,
            "revisionTime": revision.time.isoformat() if revision.time else None,
            "triples": triples,
            "search": {"status": graphe.search.status, "ready": graphe.search.ready,
                       "revision": graphe.search.revision, "error": graphe.search.error},
            # workers cut off from the network ("isolated"), or why not; how many are up, busy, starting
            "sparql": pool.status(),
            "warming": graphe.warming,  # read cache being computed ahead (after a start or a write)
        })

    def changes(request: Request) -> JSONResponse:  # a store read: run in Starlette's thread pool
        from .publishing.feed import MAX_ENTRIES, changes_page

        since = _count_param(request, "since", 0, None)
        limit = _count_param(request, "limit", MAX_ENTRIES, MAX_ENTRIES, minimum=1)
        current = graphe.store.revision().number
        entries, more = changes_page(graphe.store, since, limit)
        headers = {"Access-Control-Allow-Origin": "*"}
        # `revision` is what to ask from next time: the last revision given when more remain, else the current one.
        body: dict[str, object] = {"since": since, "limit": limit,
                                   "revision": entries[-1].revision if more else current,
                                   "changes": [vars(e) for e in entries], "next": None}
        if more:
            # A relative reference: it resolves against whatever address the harvester used (RFC 8288 §3.1).
            body["next"] = f"/changes?since={entries[-1].revision}&limit={limit}"
            headers["Link"] = f'<{body["next"]}>; rel="next"'
        return JSONResponse(body, headers=headers)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404:
            error = GrapheError("NOT_FOUND", f"Aucune ressource à l'adresse {request.url.path}.",
                                f"No resource at {request.url.path}.")
        elif exc.status_code == 405:
            error = GrapheError("METHOD_NOT_ALLOWED", f"Méthode {request.method} non permise ici.",
                                f"Method {request.method} not allowed here.")
        else:
            error = GrapheError("HTTP_ERROR", str(exc.detail), str(exc.detail))
        if _wants_html(request):
            return _error_page(error, _lang(request), exc.status_code, getattr(exc, "headers", None))
        return JSONResponse({"error": error.to_dict(_lang(request))}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    async def graphe_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, GrapheError)
        status = exc.details.get("status", 400) if isinstance(exc.details, dict) else 400
        return JSONResponse({"error": exc.to_dict(_lang(request))}, status_code=status)

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        error = GrapheError("INTERNAL_ERROR", "Erreur interne ; elle a été journalisée.",
                            "Internal error; it has been logged.")
        if _wants_html(request):
            return _error_page(error, _lang(request), 500)
        return JSONResponse({"error": error.to_dict(_lang(request))}, status_code=500)

    from . import relay as admin
    from .opendata import http as opendata
    from .web import pages
    from .api.http import STATIC, GraphQLEndpoint
    from .read.exports import Dumps
    from .opendata.sparql.http import SparqlEndpoint
    from .opendata.sparql.pool import Forwarder, SparqlPool

    settings = graphe.settings
    data = settings.data_dir
    if settings.remote_store:
        pool = Forwarder(graphe.store, settings.sparql_timeout)
    else:
        pool = SparqlPool(graphe.store, settings.base_iri, data / "sparql" if data else None, SPARQL_WORKERS,
                          settings.sparql_timeout, settings.sparql_max_rows)
    dumps = Dumps(graphe.store, data / "exports" if data else None, settings.base_iri + "dataset/graphe",
                  settings.license)
    graphql = GraphQLEndpoint(graphe)
    sparql = SparqlEndpoint(graphe, pool)

    answered = threading.Event()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if on_startup is not None:  # (uvicorn's own start-up done: it listens right after)
            on_startup(answered)
        try:
            yield
        finally:
            pool.close()
            dumps.close()
            if on_shutdown is not None:  # uvicorn re-raises SIGTERM after shutdown: clean up here
                on_shutdown()

    app = Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET", "HEAD"]),
            Route("/graphql", graphql.handle, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
            Route("/sparql", sparql.handle, methods=["GET", "POST", "OPTIONS"]),
            *opendata.routes(graphe, dumps),
            *pages.routes(graphe),
            *(admin.routes(graphe, admin_secret) if admin_secret else []),
            Route("/changes", changes, methods=["GET"]),
            Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
        ],
        lifespan=lifespan,
        exception_handlers={HTTPException: http_error, GrapheError: graphe_error, Exception: server_error},
        middleware=[Middleware(FirstAnswer, answered=answered), Middleware(SecurityHeaders, default=_PAGES_POLICY,
                               policies={"/graphql": _graphiql_policy(), "/sparql": _sparql_console_policy()})],
    )
    app.state.graphe = graphe
    app.state.graphql = graphql
    return app


class FirstAnswer:
    """ASGI middleware: sets `answered` once a first response has been sent whole; then only passes through."""

    def __init__(self, app: Any, answered: threading.Event) -> None:
        self.app, self.answered = app, answered

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.answered.is_set() or scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def sending(message: Any) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self.answered.set()
        await self.app(scope, receive, sending)


def _count_param(request: Request, name: str, default: int, maximum: int | None, minimum: int = 0) -> int:
    """A whole-number query parameter in [minimum, maximum]; anything else is a coded 400 (ASCII digits only:
    `int()` would take "+5", " 5" or other scripts' digits; twelve at most, far beyond any revision)."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 12) or int(raw) < minimum or \
            (maximum is not None and int(raw) > maximum):
        bounds_fr = f"entre {minimum} et {maximum}" if maximum is not None else f"à partir de {minimum}"
        bounds_en = f"between {minimum} and {maximum}" if maximum is not None else f"from {minimum} up"
        raise GrapheError("BAD_USER_INPUT", f"« {name} » doit être un nombre entier {bounds_fr}.",
                          f"'{name}' must be a whole number {bounds_en}.")
    return int(raw)


def _wants_html(request: Request) -> bool:
    """A browser navigating (HTML preferred to JSON in Accept) gets an error page rather than JSON."""
    accept = request.headers.get("accept", "")
    return "text/html" in accept and not accept.lstrip().startswith("application/json")


def _error_page(error: GrapheError, lang: str, status: int, headers: dict[str, str] | None = None) -> HTMLResponse:
    from .web.html import message_page

    title = ("Page introuvable" if lang == "fr" else "Page not found") if status == 404 else \
        (f"Erreur {status}" if lang == "fr" else f"Error {status}")
    home = [("/", "Accueil de Graphe" if lang == "fr" else "Graphe home")]
    return HTMLResponse(message_page(title, [error.text(lang)], lang, code=error.code, links=home),
                        status_code=status, headers=headers)


def _pages_policy() -> str:
    """Pages: the site's own stylesheet, nothing inline."""
    return policy()


def _graphiql_policy() -> str:
    """GraphiQL's page: its one inline script by hash; React and CodeMirror set style attributes."""
    from .api.http import STATIC

    found = inline_hashes((STATIC / "graphiql" / "index.html").read_text(encoding="utf-8"))
    return policy(scripts=found["script"], styles=found["style"], style_attributes=True)


def _sparql_console_policy() -> str:
    """The SPARQL console's page (YASGUI): its scripts are files of this site, none inline; CodeMirror and
    YASR's table (column-resizer adds a <style> element) style elements at run time. Only /sparql's HTML
    answer, the console, carries it: the endpoint's other answers are not HTML."""
    return policy(style_attributes=True)


_PAGES_POLICY = _pages_policy()


def _lang(request: Request) -> str:
    """French unless the reader prefers English (`?lang=`, then Accept-Language with its q-values)."""
    return reader_language(request)
