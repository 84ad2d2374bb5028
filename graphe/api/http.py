"""GraphQL over HTTP (the GraphQL-over-HTTP specification) and GraphiQL served with local assets only.

Every operation — authentication, parsing, validation, execution, serialisation — runs in a bounded pool
of worker threads, never on the event loop (which keeps answering `/healthz` and the cached answers), with
its time budget (`deadline.budget`) set in the worker, where the store reads check it. The resolvers are
coroutines (DataLoaders batch a level's reads): each worker thread runs them on an event loop of its own.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import json
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from graphql import GraphQLError, OperationDefinitionNode, parse
from graphql import OperationType as GraphQLOperation
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from ..publishing import accounts
from ..core import deadline, readset
from ..core.errors import GrapheError
from ..service import Graphe
from .context import Context, accept_language
from .framework_internals import CannotGetOperationTypeError, InvalidOperationTypeError, OperationType
from .schema import MAX_TOKENS, GrapheSchema, build_schema, format_error

log = logging.getLogger(__name__)

MAX_BODY = 256 * 1024
RESPONSE_CACHE = 4096  # anonymous answers kept per process (carried to a new revision when what they read holds)
EXECUTION_TIMEOUT = 15.0  # seconds; the cost rule refuses most heavy queries before they run
GRACE = 2.0  # seconds past the budget after which the client is answered even if a store read still hangs
WORKERS = 4  # threads running operations (store reads release the GIL: a slow read does not stop the others)
QUEUE = 128  # operations waiting for a worker; beyond, a request is refused (503) rather than queued
# Authenticated operations (cities and the secretariat at work: drafts, publications) have a lane of their
# own: an anonymous flood queues ahead of no publication, and a burst of writes takes no reader's thread.
ACCOUNT_WORKERS = 2
ACCOUNT_QUEUE = 32
GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
# Codes of passing failures: an answer carrying one is never kept for the next reader.
TRANSIENT = frozenset({"INTERNAL_SERVER_ERROR", "SEARCH_UNAVAILABLE", "SEARCH_REBUILDING", "QUERY_TIMEOUT",
                       "STORE_UNREACHABLE", "SPARQL_BUSY", "GRAPHQL_BUSY"})
STATIC = Path(__file__).resolve().parent.parent / "web" / "static"


def _lang(langs: tuple[str, ...]) -> str:
    for tag in langs:
        if tag.startswith("fr"):
            return "fr"
        if tag.startswith("en"):
            return "en"
    return "fr"


def _negotiate(accept: str) -> str | None:
    """The response media type: graphql-response+json when the client accepts it, else application/json."""
    accept = accept.lower()
    if not accept.strip():
        return JSON
    media = [part.split(";")[0].strip() for part in accept.split(",")]
    if GRAPHQL_RESPONSE in media:
        return GRAPHQL_RESPONSE
    if JSON in media or "application/*" in media or "*/*" in media:
        return JSON
    return None


class _Lane:
    """Threads running operations, and a bound on those running or waiting (beyond: None, a 503)."""

    def __init__(self, workers: int, queue: int, name: str) -> None:
        self.pool = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix=name)
        self.bound = workers + queue
        self.pending = 0  # operations submitted and not finished (running or waiting)
        self.lock = threading.Lock()

    def submit(self, fn: Any, *args: Any) -> concurrent.futures.Future | None:
        with self.lock:
            if self.pending >= self.bound:
                return None
            self.pending += 1
        try:
            future = self.pool.submit(fn, *args)
        except BaseException:
            self._done(None)
            raise
        future.add_done_callback(self._done)  # also when cancelled before it started
        return future

    def _done(self, _future: object) -> None:
        with self.lock:
            self.pending -= 1


@dataclass(frozen=True)
class _Kept:
    """An anonymous answer kept for the next identical query: at these (store, search index) revisions,
    with what it read (None: something untracked — served at these revisions only)."""
    revisions: tuple[int, int]
    status: int
    body: bytes
    reads: readset.ReadSet | None


class GraphQLEndpoint:
    def __init__(self, graphe: Graphe, schema: GrapheSchema | None = None) -> None:
        self.graphe = graphe
        self.schema = schema or build_schema()
        self.page = (STATIC / "graphiql" / "index.html").read_text(encoding="utf-8")
        self.responses: OrderedDict[tuple, _Kept] = OrderedDict()  # LRU of anonymous answers
        self.running: dict[tuple, asyncio.Future[tuple[int, bytes]]] = {}  # answers being computed ("single flight")
        self.computed = self.carried = 0  # anonymous queries executed; answers carried to a newer revision
        self.lanes = {False: _Lane(WORKERS, QUEUE, "graphql"), True: _Lane(ACCOUNT_WORKERS, ACCOUNT_QUEUE, "graphql-account")}

    async def handle(self, request: Request) -> Response:
        langs = accept_language(request.headers.get("accept-language"))
        lang = _lang(langs)
        accept = request.headers.get("accept", "")
        get = request.method in ("GET", "HEAD")  # Starlette routes HEAD with GET: the same answer, no body
        if get and "query" not in request.query_params and "text/html" in accept:
            return _head(request, HTMLResponse(self.page))
        media = _negotiate(accept)
        if media is None:
            return self._fail(406, "NOT_ACCEPTABLE",
                              "Format de réponse non disponible : acceptez application/json ou "
                              "application/graphql-response+json.",
                              "Response format unavailable: accept application/json or "
                              "application/graphql-response+json.", lang, JSON)
        try:
            params = await self._params(request)
        except GrapheError as error:
            status = error.details.get("status", 400) if isinstance(error.details, dict) else 400
            return self._fail(status, error.code, error.message_fr, error.message_en, lang, media,
                              {"Allow": "GET, HEAD, POST"} if status == 405 else None)
        authorization = request.headers.get("authorization")
        allowed = {OperationType.QUERY} if get else {OperationType.QUERY, OperationType.MUTATION}
        key = flight = running = older = None
        if not authorization:
            # An anonymous query's answer depends only on the published data (and on the search index,
            # and the reader's languages): kept with what it read (`readset`) and served again while the
            # revisions stay, or after they move if what it read did not change (checked in a worker: it
            # looks at the store's change log). Only queries are kept (the worker says which operations
            # were): the method is in the key, since a mutation sent by GET is refused where POST runs it.
            key = (params["query"], json.dumps(params["variables"], sort_keys=True), params["operationName"],
                   media, langs, get)
            revisions = (self.graphe.store.revision().number, self.graphe.search.revision)
            kept = self.responses.get(key)
            if kept is not None:
                if kept.revisions != revisions and kept.reads is not None:
                    # Decided here when what is at hand tells (no store read, no lock a writer holds: tens
                    # of microseconds); else in a worker. Under a writer publishing every second, sending
                    # every kept answer through the pool after each publication queued them behind the
                    # answers being computed (p99).
                    holds = self.graphe.unchanged(kept.reads, kept.revisions[0], revisions[0], wait=False)
                    if holds:
                        self.carried += 1
                        kept = self.responses[key] = _Kept(revisions, kept.status, kept.body, kept.reads)
                    elif holds is None:
                        older = kept
                if kept.revisions == revisions:
                    self.responses.move_to_end(key)
                    return _head(request, Response(kept.body, status_code=kept.status, media_type=media))
            flight = (key, revisions)
            running = self.running.get(flight)
            if running is not None:  # the same answer is being computed: wait for it rather than compute it again
                try:
                    status, body = await asyncio.shield(running)
                    return _head(request, Response(body, status_code=status, media_type=media))
                except asyncio.CancelledError:
                    if not running.cancelled():
                        raise  # this request was cancelled, not the one computing
            else:
                running = self.running[flight] = asyncio.get_running_loop().create_future()
        response, answer = None, None
        try:
            response, answer = await self._execute(params, langs, authorization, allowed, lang, media, older)
        finally:
            if running is not None and self.running.get(flight) is running:  # type: ignore[arg-type]
                del self.running[flight]  # type: ignore[arg-type]
                if response is None:
                    running.cancel()  # the followers compute it themselves
                else:
                    running.set_result((response.status_code, response.body))
        if key is not None and answer is not None:
            self.responses[key] = answer
            self.responses.move_to_end(key)
            if len(self.responses) > RESPONSE_CACHE:
                self.responses.popitem(last=False)
        return _head(request, response)

    async def _execute(self, params: dict[str, Any], langs: tuple[str, ...], authorization: str | None,  # type: ignore[no-untyped-def]
                       allowed, lang: str, media: str, older: _Kept | None) -> tuple[Response, _Kept | None]:
        """The answer, computed in a worker thread (or `older` again, if what it read still holds), and what
        to keep of it for the next identical anonymous query (None: nothing). The loop waits at most the
        budget and `GRACE`: past it, the client is answered while the worker finishes its current read (and
        still counts against the pool's bound)."""
        future = self.lanes[bool(authorization)].submit(self._answer, params, langs, authorization, allowed,
                                                         lang, media, older)
        if future is None:
            return self._fail(503, "GRAPHQL_BUSY",
                              "Service GraphQL saturé : réessayez dans un instant.",
                              "GraphQL service overloaded: try again in a moment.", lang, media,
                              {"Retry-After": "1"}), None
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), EXECUTION_TIMEOUT + GRACE)
        except TimeoutError:
            error = deadline.expired(EXECUTION_TIMEOUT)
            return self._fail(504, error.code, error.message_fr, error.message_en, lang, media), None

    def _answer(self, params: dict[str, Any], langs: tuple[str, ...], authorization: str | None,  # type: ignore[no-untyped-def]
                allowed, lang: str, media: str, older: _Kept | None) -> tuple[Response, _Kept | None]:
        """In a worker thread: `older` again if what it read is unchanged at the current revision, else the
        operation run with its read set recorded."""
        revisions = (self.graphe.store.revision().number, self.graphe.search.revision)
        if older is not None and older.reads is not None and self._holds(older, revisions[0]):
            self.carried += 1
            return (Response(older.body, status_code=older.status, media_type=media),
                    _Kept(revisions, older.status, older.body, older.reads))
        self.computed += authorization is None
        with readset.recording() as reads:
            response, keep, context = self._operate(params, langs, authorization, allowed, lang, media,
                                                    revisions[0])
            if context is not None:
                context.note_reads()
        if not keep:
            return response, None
        # (an answer refused before execution read nothing: carried as long as it is kept)
        return response, _Kept(revisions, response.status_code, response.body, None if reads.untracked else reads)

    def _holds(self, older: _Kept, now: int) -> bool:
        """Does `older` still answer at revision `now`? (Within the operation's budget; a check that fails
        for any reason says no: the answer is computed.)"""
        assert older.reads is not None
        try:
            with deadline.budget(EXECUTION_TIMEOUT):
                return self.graphe.unchanged(older.reads, older.revisions[0], now)
        except Exception:  # noqa: BLE001 — computed instead, where a real error is reported to the client
            log.debug("kept answer not checked", exc_info=True)
            return False

    def _operate(self, params: dict[str, Any], langs: tuple[str, ...], authorization: str | None,  # type: ignore[no-untyped-def]
                 allowed, lang: str, media: str, revision: int) -> tuple[Response, bool, Context | None]:
        """In a worker thread: the whole operation, within its time budget, reading revision `revision`.
        Returns the response, whether it may be kept, and the context it executed with (None: refused
        before execution)."""
        with deadline.budget(EXECUTION_TIMEOUT):
            try:
                account = accounts.authenticate(self.graphe.store, authorization)
            except GrapheError as error:
                status = error.details.get("status", 401) if isinstance(error.details, dict) else 401
                headers = {"WWW-Authenticate": 'Bearer realm="graphe"'} if status == 401 else None
                return self._fail(status, error.code, error.message_fr, error.message_en, lang, media, headers), False, None
            try:
                if _ambiguous(params["query"], params["operationName"]):
                    raise CannotGetOperationTypeError(None)
                context = Context(self.graphe, langs, account, _revision=revision)
                result = _loop().run_until_complete(self.schema.execute(
                    params["query"], variable_values=params["variables"], operation_name=params["operationName"],
                    context_value=context, allowed_operation_types=allowed))
            except InvalidOperationTypeError:
                return self._fail(405, "METHOD_NOT_ALLOWED",
                                  "Une mutation ne peut pas être envoyée en GET : utilisez POST.",
                                  "A mutation cannot be sent with GET: use POST.", lang, media, {"Allow": "POST"}), True, None
            except CannotGetOperationTypeError:
                name = (params["operationName"] or "")[:100]
                message_fr, message_en = (
                    (f"Aucune opération ne s'appelle « {name} ».", f"Unknown operation named '{name}'.") if name else
                    ("Le document contient plusieurs opérations : nommez celle à exécuter (operationName).",
                     "The document has several operations: name the one to run (operationName)."))
                return self._fail(400 if media == GRAPHQL_RESPONSE else 200, "GRAPHQL_VALIDATION_FAILED",
                                  message_fr, message_en, lang, media), True, None
            except GrapheError as error:  # a time budget spent before execution started
                status = error.details.get("status", 400) if isinstance(error.details, dict) else 400
                return self._fail(status, error.code, error.message_fr, error.message_en, lang, media), False, None
            except Exception:  # noqa: BLE001 - whatever a document does, the client gets a coded answer
                log.exception("unexpected error before GraphQL execution")
                return self._fail(400 if media == GRAPHQL_RESPONSE else 200, "GRAPHQL_VALIDATION_FAILED",
                                  "Requête GraphQL refusée : elle n'a pas pu être analysée.",
                                  "GraphQL request refused: it could not be analysed.", lang, media), False, None
        body: dict[str, Any] = {}
        request_error = result.data is None and bool(result.errors) and all(not e.path for e in result.errors)
        if not request_error:
            body["data"] = result.data
        if result.errors:
            body["errors"] = [format_error(e, lang) for e in result.errors]
        codes = {e["extensions"].get("code") for e in body.get("errors", ())}
        if "QUERY_TIMEOUT" in codes:  # the budget ran out during execution: what was read is not an answer
            error = deadline.expired(EXECUTION_TIMEOUT)
            return self._fail(504, error.code, error.message_fr, error.message_en, lang, media), False, context
        status = 400 if request_error and media == GRAPHQL_RESPONSE else 200
        response = Response(_dumps(body), status_code=status, media_type=media)
        # Passing failures are not kept: the next request tries again. Only queries are kept.
        keep = not codes & TRANSIENT
        return response, keep and account is None and _is_query(params["query"], params["operationName"]), context

    async def _params(self, request: Request) -> dict[str, Any]:
        if request.method in ("GET", "HEAD"):
            raw: dict[str, Any] = dict(request.query_params)
            for name in ("variables", "extensions"):
                if raw.get(name):
                    raw[name] = _json(raw[name], name)
        elif request.method == "POST":
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type != JSON:
                raise GrapheError("UNSUPPORTED_MEDIA_TYPE",
                                  "Le corps d'une requête GraphQL doit être en application/json.",
                                  "A GraphQL request body must be application/json.", {"status": 415})
            raw = _json(await _body(request), "corps")
        else:
            raise GrapheError("METHOD_NOT_ALLOWED", f"Méthode {request.method} non permise : GET ou POST.",
                              f"Method {request.method} not allowed: GET or POST.", {"status": 405})
        if not isinstance(raw, dict):
            raise _bad("Le corps doit être un objet JSON.", "The body must be a JSON object.")
        query = raw.get("query")
        if not isinstance(query, str) or not query.strip():
            raise _bad("Paramètre « query » manquant ou vide.", "Missing or empty 'query' parameter.")
        variables = raw.get("variables")
        if variables is not None and not isinstance(variables, dict):
            raise _bad("« variables » doit être un objet JSON.", "'variables' must be a JSON object.")
        extensions = raw.get("extensions")
        if extensions is not None and not isinstance(extensions, dict):
            raise _bad("« extensions » doit être un objet JSON.", "'extensions' must be a JSON object.")
        operation = raw.get("operationName")
        if operation is not None and not isinstance(operation, str):
            raise _bad("« operationName » doit être une chaîne.", "'operationName' must be a string.")
        return {"query": query, "variables": variables, "operationName": operation or None}

    @staticmethod
    def _fail(status: int, code: str, message_fr: str, message_en: str, lang: str, media: str,
              headers: dict[str, str] | None = None) -> JSONResponse:
        error = {"message": message_en if lang == "en" else message_fr,
                 "extensions": {"code": code, "message_fr": message_fr, "message_en": message_en}}
        return JSONResponse({"errors": [error]}, status_code=status, media_type=media, headers=headers)


class _ThreadLoop:
    """A worker thread's event loop, made once (a new loop per operation costs 0.35 ms, a kept one 0.03 ms),
    closed when the thread ends and its locals go."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def __del__(self) -> None:
        self.loop.close()


_thread = threading.local()


def _loop() -> asyncio.AbstractEventLoop:
    own = getattr(_thread, "own", None)
    if own is None:
        own = _thread.own = _ThreadLoop()
    return own.loop


def _head(request: Request, response: Response) -> Response:
    """HEAD: the GET answer's status and headers (its Content-Length included), without its body."""
    if request.method != "HEAD":
        return response
    return Response(b"", status_code=response.status_code, headers=dict(response.headers))


async def _body(request: Request) -> bytes:
    """The body, refused (413) past `MAX_BODY` before it is read whole: by its announced length, then as
    it arrives (a chunked body announces none)."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY:
        raise _too_large()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise _too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def _dumps(body: dict[str, Any]) -> bytes:
    # orjson: the same JSON as Starlette's JSONResponse (UTF-8, compact; a float may be written
    # 0.000025 where json writes 2.5e-05), 14× faster on a page of 20. It refuses what UTF-8 cannot
    # carry (a lone surrogate an error message quotes): then json's ASCII escapes.
    try:
        return orjson.dumps(body)
    except TypeError:
        return json.dumps(body, separators=(",", ":"), default=str).encode()


@functools.lru_cache(maxsize=4096)
def _operations(text: str) -> tuple[tuple[str | None, GraphQLOperation], ...] | None:
    """The document's operations (name, kind); None if it does not parse (the executor reports it)."""
    try:
        document = parse(text, max_tokens=MAX_TOKENS)
    except (GraphQLError, RecursionError):
        return None
    return tuple((d.name.value if d.name else None, d.operation) for d in document.definitions
                 if isinstance(d, OperationDefinitionNode))


def _is_query(text: str, operation: str | None) -> bool:
    """Is the operation to run a query (not a mutation)? Unparsable text: no."""
    chosen = [kind for name, kind in _operations(text) or () if operation is None or name == operation]
    return len(chosen) == 1 and chosen[0] == GraphQLOperation.QUERY


def _ambiguous(text: str, operation: str | None) -> bool:
    """Several operations and none named: the GraphQL specification says it is an error (strawberry would
    run the first one)."""
    return operation is None and len(_operations(text) or ()) > 1


def _json(text: str | bytes, what: str) -> Any:
    # orjson refuses what json accepts and nothing downstream can carry: lone surrogates ("\\ud800"),
    # invalid UTF-8, NaN.
    try:
        return orjson.loads(text)
    except ValueError as exc:
        raise _bad(f"JSON invalide ({what}) : {exc}", f"Invalid JSON ({what}): {exc}") from None


def _bad(message_fr: str, message_en: str) -> GrapheError:
    return GrapheError("BAD_REQUEST", message_fr, message_en, {"status": 400})


def _too_large() -> GrapheError:
    return GrapheError("PAYLOAD_TOO_LARGE", f"Requête trop volumineuse (au plus {MAX_BODY // 1024} Kio).",
                       f"Request too large (at most {MAX_BODY // 1024} KiB).", {"status": 413})
