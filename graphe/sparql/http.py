"""The SPARQL 1.1 Protocol at /sparql: read-only, bounded, published graphs only, CORS open."""
from __future__ import annotations

from urllib.parse import parse_qsl

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import rdf
from ..errors import GrapheError
from ..negotiation import preferred
from ..service import Graphe
from . import guard
from .pool import Answer, Job, SparqlPool
from .results import MEDIA

CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type, Accept", "Access-Control-Max-Age": "86400",
        "Access-Control-Expose-Headers": "X-Result-Truncated, X-Result-Limit"}
RESULT_FORMATS = {"json": MEDIA["json"], "xml": MEDIA["xml"], "csv": MEDIA["csv"], "tsv": MEDIA["tsv"]}
GRAPH_FORMATS = {name: rdf.FORMATS[name].media_type for name in ("ttl", "nt", "jsonld", "rdf")}
ALIASES = {"application/json": "json", "text/xml": "xml", "application/xml": "xml", "text/plain": "nt",
           "turtle": "ttl", "ntriples": "nt", "n-triples": "nt", "json-ld": "jsonld", "rdfxml": "rdf",
           "rdf+xml": "rdf", "xml": "xml", "json": "json", "csv": "csv", "tsv": "tsv", "ttl": "ttl",
           "nt": "nt", "jsonld": "jsonld", "rdf": "rdf", "application/turtle": "ttl", "application/x-turtle": "ttl",
           "text/n3": "ttl", "text/rdf+n3": "ttl", "application/x-json+ld": "jsonld",
           "application/sparql-results+json": "json", "application/sparql-results+xml": "xml", "n3": "ttl"}


def choose(form: str, accept: str, explicit: str | None) -> str:
    """The result format: `format` parameter, else the Accept header, else JSON / Turtle."""
    graph_form = form in ("CONSTRUCT", "DESCRIBE")
    table = GRAPH_FORMATS if graph_form else RESULT_FORMATS
    if explicit:
        name = ALIASES.get(explicit.lower()) or next((n for n, m in table.items() if m == explicit.lower()), None)
        if graph_form:  # clients such as SPARQLWrapper name the family, not the syntax
            name = {"xml": "rdf", "json": "jsonld", "n3": "ttl"}.get(name or explicit.lower(), name)
        if name in table:
            return name
        raise guard.refuse("NOT_ACCEPTABLE", f"Format « {explicit} » indisponible pour {form} "
                           f"(possibles : {', '.join(table)}).",
                           f"Format '{explicit}' unavailable for {form} (available: {', '.join(table)}).", 406)
    ranked = preferred(accept)
    default = "ttl" if form in ("CONSTRUCT", "DESCRIBE") else "json"
    for media in ranked:
        if media in ("*/*", "application/*", "text/*"):
            return default
        name = next((n for n, m in table.items() if m == media), None) or ALIASES.get(media)
        if name in table:
            return name
    if ranked:
        raise guard.refuse("NOT_ACCEPTABLE", "Aucun format acceptable pour ce résultat.",
                           "No acceptable format for this result.", 406)
    return default


class SparqlEndpoint:
    def __init__(self, graphe: Graphe, pool: SparqlPool) -> None:
        self.graphe, self.pool = graphe, pool
        self.public = [g.value for g in graphe.store.graphs.readable]

    async def handle(self, request: Request) -> Response:
        lang = "en" if request.headers.get("accept-language", "").lower().startswith("en") else "fr"
        try:
            if request.method == "OPTIONS":
                return Response(status_code=204, headers=CORS)
            params = await self._params(request)
            query = params.get("query")
            if not query:
                return self.service_description(request)
            checked = guard.check(query[0], self.public)
            default = self._graphs(params.get("default-graph-uri", []), checked.default_graphs)
            named = self._graphs(params.get("named-graph-uri", []), checked.named_graphs)
            fmt = choose(checked.form, request.headers.get("accept", ""), (params.get("format") or [None])[0])
            job = Job(query[0], checked.form, fmt, tuple(default), tuple(named), self.graphe.settings.sparql_max_rows)
            answer = await anyio.to_thread.run_sync(self._answer, job)
        except GrapheError as error:
            status = error.details.get("status", 400) if isinstance(error.details, dict) else 400
            return JSONResponse({"error": error.to_dict(lang)}, status_code=status, headers=CORS)
        headers = dict(CORS)
        if answer.truncated:
            headers["X-Result-Truncated"] = "true"
            headers["X-Result-Limit"] = str(job.max_rows)
        media = (GRAPH_FORMATS | RESULT_FORMATS)[fmt]
        return Response(answer.body, media_type=media, headers=headers)

    def _answer(self, job: Job) -> Answer:
        """The answer to `job` at the current revision: kept per revision (harvesters repeat their queries),
        computed once when several ask at the same time; a failure is raised, never kept."""
        def compute() -> Answer:
            answer = self.pool.run(job)
            if answer.error:
                code, fr, en, status = answer.error
                raise guard.refuse(code, fr, en, status)
            return answer
        return self.graphe.cached(("sparql", job), compute, weight=lambda a: 1 + len(a.body) // 100)

    async def _params(self, request: Request) -> dict[str, list[str]]:
        params: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            params.setdefault(key, []).append(value)
        if request.method == "POST":
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            body = await request.body()
            if content_type == "application/sparql-update" or (
                    content_type == "application/x-www-form-urlencoded" and b"update=" in body):
                raise guard.refuse("SPARQL_UPDATE_REFUSED",
                                   "Ce point d'accès SPARQL est en lecture seule : les mises à jour sont refusées.",
                                   "This SPARQL endpoint is read-only: updates are refused.")
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
            raise guard.refuse("SPARQL_UPDATE_REFUSED",
                               "Ce point d'accès SPARQL est en lecture seule : les mises à jour sont refusées.",
                               "This SPARQL endpoint is read-only: updates are refused.")
        if len(params.get("query", [])) > 1:
            raise guard.refuse("BAD_REQUEST", "Un seul paramètre « query » est permis.",
                               "Only one 'query' parameter is allowed.", 400)
        return params

    def _graphs(self, protocol: list[str], in_query: tuple[str, ...]) -> list[str]:
        for graph in protocol:
            if graph not in self.public:
                raise guard.refuse("SPARQL_GRAPH_REFUSED",
                                   f"Graphe « {graph} » inconnu ou privé : seuls les graphes publiés sont visibles.",
                                   f"Graph '{graph}' unknown or private: only published graphs are visible.")
        return list(protocol or in_query or self.public)

    def service_description(self, request: Request) -> Response:
        base = self.graphe.settings.base_iri
        text = SERVICE_DESCRIPTION.format(endpoint=base + "sparql", public=self.public[0], ontology=self.public[1])
        triples = [q for q in rdf.parse_bytes(text.encode(), rdf.FORMATS["ttl"], base)]
        fmt = choose("DESCRIBE", request.headers.get("accept", ""), request.query_params.get("format"))
        body = rdf.serialize([rdf.Triple(q.subject, q.predicate, q.object) for q in triples], rdf.FORMATS[fmt])
        return Response(body, media_type=GRAPH_FORMATS[fmt], headers=CORS)


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
