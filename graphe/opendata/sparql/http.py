"""The SPARQL 1.1 Protocol at /sparql: read-only, bounded, published graphs only, CORS open; a browser
navigating to it with no query gets the SPARQL console (YASGUI, served from web/static/yasgui)."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl

import anyio
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from ...core import rdf
from ...core.errors import GrapheError
from ...core.negotiation import negotiate, page_language
from ...service import Graphe
from . import guard
from .pool import SparqlPool
from .worker import Answer, Job
from .results import GRAPH_FORMATS, RESULT_FORMATS, choose

CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type, Accept", "Access-Control-Max-Age": "86400",
        "Access-Control-Expose-Headers": "X-Result-Truncated, X-Result-Limit, Retry-After"}
# A form-encoded query may take three bytes a character (%XX); the query itself is capped by the guard.
MAX_BODY_BYTES = 3 * guard.MAX_QUERY_CHARS + 4096
# Below the HTTP server's own line limit (h11: 16 KiB), so a long URL gets this coded answer, not the server's.
MAX_URL_QUERY = 12_000
# The console's pages, read by path (as api/http.py reads GraphiQL's): opendata imports nothing of web/.
CONSOLE = Path(__file__).resolve().parents[2] / "web" / "static" / "yasgui"
CONSOLE_PAGES = {"fr": "index.html", "en": "index.en.html"}


class SparqlEndpoint:
    def __init__(self, graphe: Graphe, pool: SparqlPool) -> None:
        self.graphe, self.pool = graphe, pool
        self.public = [g.value for g in graphe.store.graphs.readable]
        self.console = {lang: (CONSOLE / name).read_text(encoding="utf-8") for lang, name in CONSOLE_PAGES.items()}

    async def handle(self, request: Request) -> Response:
        lang = "en" if request.headers.get("accept-language", "").lower().startswith("en") else "fr"
        try:
            if request.method == "OPTIONS":
                return Response(status_code=204, headers=CORS)
            params = await self._params(request)
            query = params.get("query")
            if not query:
                if _navigating(request, params):
                    return self.console_page(request)
                return self.service_description(request)
            if len(query[0]) > guard.MAX_QUERY_CHARS:
                raise guard.too_long(guard.MAX_QUERY_CHARS, "caractères", "characters")
            # The check itself (a parse) runs in the worker, under the time limit, off the event loop.
            job = Job(query[0], request.headers.get("accept", ""), (params.get("format") or [None])[0],
                      self._graphs(params.get("default-graph-uri", [])),
                      self._graphs(params.get("named-graph-uri", [])), self.graphe.settings.sparql_max_rows)
            # A kept answer is served from the loop (a thread hop cost more than the answer itself).
            answer = self.graphe.kept(("sparql", job)) or await anyio.to_thread.run_sync(self._answer, job)
        except GrapheError as error:
            details = error.details if isinstance(error.details, dict) else {}
            headers = dict(CORS)
            if "retry_after" in details:
                headers["Retry-After"] = str(details["retry_after"])
            return JSONResponse({"error": error.to_dict(lang)}, status_code=details.get("status", 400),
                                headers=headers)
        headers = dict(CORS)
        if answer.truncated:
            headers["X-Result-Truncated"] = "true"
            headers["X-Result-Limit"] = str(job.max_rows)
        media = (GRAPH_FORMATS | RESULT_FORMATS)[answer.fmt]
        return Response(answer.body, media_type=media, headers=headers)

    def _answer(self, job: Job) -> Answer:
        """The answer to `job` at the current revision: kept per revision (harvesters repeat their queries),
        computed once when several ask at the same time; a failure is raised, never kept, and so is an
        answer from an older snapshot (given while the newest was being built)."""
        def compute() -> Answer:
            answer = self.pool.run(job)
            if answer.error:
                code, fr, en, status = answer.error
                raise guard.refuse(code, fr, en, status)
            if answer.stale:
                raise _Stale(answer)
            return answer
        try:
            return self.graphe.cached(("sparql", job), compute, weight=lambda a: 1 + len(a.body) // 100)
        except _Stale as stale:
            return stale.answer

    async def _params(self, request: Request) -> dict[str, list[str]]:
        params: dict[str, list[str]] = {}
        if len(request.url.query) > MAX_URL_QUERY:
            raise guard.refuse("SPARQL_TOO_LARGE",
                               f"Adresse trop longue (au plus {MAX_URL_QUERY} octets après « ? ») : envoyez une "
                               "longue requête en POST (application/sparql-query).",
                               f"URL too long (at most {MAX_URL_QUERY} bytes after '?'): send a long query with "
                               "POST (application/sparql-query).", 413)
        for key, value in request.query_params.multi_items():
            params.setdefault(key, []).append(value)
        if request.method == "POST":
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type == "application/sparql-update":
                raise guard.update_refused()
            body = await _read_capped(request, MAX_BODY_BYTES)
            if content_type == "application/x-www-form-urlencoded" and b"update=" in body:
                raise guard.update_refused()
            if content_type == "application/sparql-query":
                params["query"] = [body.decode("utf-8", errors="replace")]
            elif content_type == "application/x-www-form-urlencoded":
                for key, value in parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True):
                    params.setdefault(key, []).append(value)
            else:
                raise guard.refuse("UNSUPPORTED_MEDIA_TYPE",
                                   "Envoyez la requête en application/sparql-query ou en formulaire.",
                                   "Send the query as application/sparql-query or as a form.", 415)
        if "update" in params:
            raise guard.update_refused()
        if len(params.get("query", [])) > 1:
            raise guard.refuse("BAD_REQUEST", "Un seul paramètre « query » est permis.",
                               "Only one 'query' parameter is allowed.", 400)
        return params

    def _graphs(self, protocol: list[str]) -> tuple[str, ...]:
        """The protocol's graph parameters, all public (the worker falls back on the query's FROM, then on
        every public graph)."""
        for graph in protocol:
            if graph not in self.public:
                raise guard.refuse("SPARQL_GRAPH_REFUSED",
                                   f"Graphe « {graph} » inconnu ou privé : seuls les graphes publiés sont visibles.",
                                   f"Graph '{graph}' unknown or private: only published graphs are visible.")
        return tuple(protocol)

    def service_description(self, request: Request) -> Response:
        base = self.graphe.settings.base_iri
        text = SERVICE_DESCRIPTION.format(endpoint=base + "sparql", public=self.public[0], ontology=self.public[1])
        triples = [q for q in rdf.parse_bytes(text.encode(), rdf.FORMATS["ttl"], base)]
        fmt = choose("DESCRIBE", request.headers.get("accept", ""), request.query_params.get("format"))
        body = rdf.serialize([rdf.Triple(q.subject, q.predicate, q.object) for q in triples], rdf.FORMATS[fmt])
        return Response(body, media_type=GRAPH_FORMATS[fmt], headers=CORS)

    def console_page(self, request: Request) -> HTMLResponse:
        """The SPARQL console, in the reader's language (`?lang=`, then Accept-Language; French by default)."""
        return HTMLResponse(self.console[page_language(request.query_params.get("lang"), request.headers.get("accept-language"))],
                            headers={"Vary": "Accept, Accept-Language"})


def _navigating(request: Request, params: dict[str, list[str]]) -> bool:
    """A browser navigating here: GET (or HEAD) with no `format` asked and HTML preferred in `Accept` by the
    same negotiation as the entity pages — `*/*`, no Accept or an RDF type keep the service description."""
    return (request.method in ("GET", "HEAD") and "format" not in params
            and negotiate(request.headers.get("accept")) == "html")


class _Stale(Exception):
    """Carries an answer that must not be kept under the current revision."""

    def __init__(self, answer: Answer) -> None:
        super().__init__("stale")
        self.answer = answer


async def _read_capped(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it passes `limit` bytes: first by its Content-Length, then
    while it streams (a chunked body has none), so a huge body is never held whole."""
    declared = request.headers.get("content-length", "")
    if declared.strip().isdigit() and int(declared) > limit:
        raise guard.too_long(limit, "octets", "bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise guard.too_long(limit, "octets", "bytes")
        chunks.append(chunk)
    return b"".join(chunks)


SERVICE_DESCRIPTION = """@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix dct: <http://purl.org/dc/terms/> .
<{endpoint}> a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:feature sd:UnionDefaultGraph ;
    dct:title "Graphe — point d'accès SPARQL (lecture seule)"@fr , "Graphe — SPARQL endpoint (read-only)"@en ;
    sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_JSON> , <http://www.w3.org/ns/formats/SPARQL_Results_XML> ,
        <http://www.w3.org/ns/formats/SPARQL_Results_CSV> , <http://www.w3.org/ns/formats/SPARQL_Results_TSV> ,
        <http://www.w3.org/ns/formats/Turtle> , <http://www.w3.org/ns/formats/N-Triples> ,
        <http://www.w3.org/ns/formats/JSON-LD> , <http://www.w3.org/ns/formats/RDF_XML> ;
    sd:defaultDataset <{endpoint}#dataset> .
<{endpoint}#dataset> a sd:Dataset ;
    sd:defaultGraph <{endpoint}#default-graph> ;
    sd:namedGraph <{endpoint}#public> , <{endpoint}#ontology> .
<{endpoint}#default-graph> a sd:Graph ; dct:description "Union des graphes publiés."@fr , "Union of the published graphs."@en .
<{endpoint}#public> a sd:NamedGraph ; sd:name <{public}> .
<{endpoint}#ontology> a sd:NamedGraph ; sd:name <{ontology}> .
"""
