"""GraphQL over HTTP (the GraphQL-over-HTTP specification) and GraphiQL served with local assets only."""
from __future__ import annotations

import asyncio
import functools
import json
from collections import OrderedDict
from pathlib import Path
from typing import Any

import orjson
from strawberry.types.graphql import OperationType
from graphql import GraphQLError, OperationDefinitionNode, parse
from graphql import OperationType as GraphQLOperation
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from strawberry.schema.exceptions import InvalidOperationTypeError

from .. import accounts
from ..errors import GrapheError
from ..service import Graphe
from .context import Context, accept_language
from .schema import GrapheSchema, build_schema, format_error

MAX_BODY = 256 * 1024
RESPONSE_CACHE = 4096  # anonymous answers kept per process (all dropped when the revision moves)
EXECUTION_TIMEOUT = 15.0  # seconds; the cost rule refuses most heavy queries before they run
GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
STATIC = Path(__file__).resolve().parent.parent / "static"


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


class GraphQLEndpoint:
    def __init__(self, graphe: Graphe, schema: GrapheSchema | None = None) -> None:
        self.graphe = graphe
        self.schema = schema or build_schema()
        self.page = (STATIC / "graphiql" / "index.html").read_text(encoding="utf-8")
        self.responses: OrderedDict[tuple, tuple[int, bytes]] = OrderedDict()  # LRU of anonymous answers
        self.running: dict[tuple, asyncio.Future[tuple[int, bytes]]] = {}  # answers being computed ("single flight")

    async def handle(self, request: Request) -> Response:
        langs = accept_language(request.headers.get("accept-language"))
        lang = _lang(langs)
        accept = request.headers.get("accept", "")
        if request.method == "GET" and "query" not in request.query_params and "text/html" in accept:
            return HTMLResponse(self.page)
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
                              {"Allow": "GET, POST"} if status == 405 else None)
        try:
            account = accounts.authenticate(self.graphe.store, request.headers.get("authorization"))
        except GrapheError as error:
            return self._fail(401, error.code, error.message_fr, error.message_en, lang, media,
                              {"WWW-Authenticate": 'Bearer realm="graphe"'})
        allowed = {OperationType.QUERY} if request.method == "GET" else {OperationType.QUERY, OperationType.MUTATION}
        key = running = None
        if account is None and _is_query(params["query"], params["operationName"]):
            # An anonymous query's answer depends only on the published data at this revision (and on the
            # search index's revision, and the reader's languages): kept and served again until either moves.
            key = (self.graphe.store.revision().number, self.graphe.search.revision, params["query"],
                   json.dumps(params["variables"], sort_keys=True), params["operationName"], media, langs)
            hit = self.responses.get(key)
            if hit is not None:
                self.responses.move_to_end(key)
                return Response(hit[1], status_code=hit[0], media_type=media)
            running = self.running.get(key)
            if running is not None:  # the same answer is being computed: wait for it rather than compute it again
                try:
                    status, body = await asyncio.shield(running)
                    return Response(body, status_code=status, media_type=media)
                except asyncio.CancelledError:
                    if not running.cancelled():
                        raise  # this request was cancelled, not the one computing
            else:
                running = self.running[key] = asyncio.get_running_loop().create_future()
        response, keep = None, False
        try:
            response, keep = await self._execute(params, langs, account, allowed, lang, media)
        finally:
            if running is not None and self.running.get(key) is running:  # type: ignore[arg-type]
                del self.running[key]  # type: ignore[arg-type]
                if response is None:
                    running.cancel()  # the followers compute it themselves
                else:
                    running.set_result((response.status_code, response.body))
        if key is not None and keep:
            self.responses[key] = (response.status_code, response.body)
            if len(self.responses) > RESPONSE_CACHE:
                self.responses.popitem(last=False)
        return response

    async def _execute(self, params: dict[str, Any], langs: tuple[str, ...], account, allowed,  # type: ignore[no-untyped-def]
                       lang: str, media: str) -> tuple[Response, bool]:
        """The answer, and whether it may be kept for the next identical anonymous query."""
        try:
            async with asyncio.timeout(EXECUTION_TIMEOUT):  # (wait_for would run it in a task of its own)
                result = await self.schema.execute(
                    params["query"], variable_values=params["variables"], operation_name=params["operationName"],
                    context_value=Context(self.graphe, langs, account), allowed_operation_types=allowed)
        except TimeoutError:
            return self._fail(504, "QUERY_TIMEOUT",
                              f"Requête interrompue après {EXECUTION_TIMEOUT:g} s : demandez moins de données.",
                              f"Query stopped after {EXECUTION_TIMEOUT:g} s: ask for less data.", lang, media), False
        except InvalidOperationTypeError:
            return self._fail(405, "METHOD_NOT_ALLOWED",
                              "Une mutation ne peut pas être envoyée en GET : utilisez POST.",
                              "A mutation cannot be sent with GET: use POST.", lang, media, {"Allow": "POST"}), True
        body: dict[str, Any] = {}
        request_error = result.data is None and bool(result.errors) and all(not e.path for e in result.errors)
        if not request_error:
            body["data"] = result.data
        if result.errors:
            body["errors"] = [format_error(e, lang) for e in result.errors]
        status = 400 if request_error and media == GRAPHQL_RESPONSE else 200
        # orjson: the same JSON as Starlette's JSONResponse (UTF-8, compact; a float may be written
        # 0.000025 where json writes 2.5e-05), 14× faster on a page of 20.
        response = Response(orjson.dumps(body), status_code=status, media_type=media)
        codes = {e["extensions"].get("code") for e in body.get("errors", ())}
        # Passing failures are not kept: the next request tries again.
        return response, not codes & {"INTERNAL_SERVER_ERROR", "QUERY_TIMEOUT", "SEARCH_UNAVAILABLE"}

    async def _params(self, request: Request) -> dict[str, Any]:
        if request.method == "GET":
            raw: dict[str, Any] = dict(request.query_params)
            if raw.get("variables"):
                raw["variables"] = _json(raw["variables"], "variables")
            if raw.get("extensions"):
                raw["extensions"] = _json(raw["extensions"], "extensions")
        elif request.method == "POST":
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type != JSON:
                raise GrapheError("UNSUPPORTED_MEDIA_TYPE",
                                  "Le corps d'une requête GraphQL doit être en application/json.",
                                  "A GraphQL request body must be application/json.", {"status": 415})
            length = request.headers.get("content-length")
            if length and length.isdigit() and int(length) > MAX_BODY:
                raise _too_large()
            body = await request.body()
            if len(body) > MAX_BODY:
                raise _too_large()
            raw = _json(body, "corps")
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


@functools.lru_cache(maxsize=4096)
def _is_query(text: str, operation: str | None) -> bool:
    """Is the operation to run a query (not a mutation)? Unparsable text: no (the executor reports it)."""
    try:
        document = parse(text)
    except GraphQLError:
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [d for d in operations if operation is None or (d.name and d.name.value == operation)]
    return len(chosen) == 1 and chosen[0].operation == GraphQLOperation.QUERY


def _json(text: str | bytes, what: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _bad(f"JSON invalide ({what}) : {exc}", f"Invalid JSON ({what}): {exc}") from None


def _bad(message_fr: str, message_en: str) -> GrapheError:
    return GrapheError("BAD_REQUEST", message_fr, message_en, {"status": 400})


def _too_large() -> GrapheError:
    return GrapheError("PAYLOAD_TOO_LARGE", f"Requête trop volumineuse (au plus {MAX_BODY // 1024} Kio).",
                       f"Request too large (at most {MAX_BODY // 1024} KiB).", {"status": 413})
