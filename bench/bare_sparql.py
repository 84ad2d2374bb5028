"""The SPARQL baseline a portal could run instead of Graphe: a bare Starlette endpoint that runs the query on
pyoxigraph (the same store files, opened by it alone) over the same graphs and writes Oxigraph's own JSON
results or N-Triples — no guard, no worker process, no row cap, no kept answers.

    GRAPHE_BARE_STORE=DIR uvicorn bench.bare_sparql:app   (DIR: a pyoxigraph store, e.g. a bulk-loaded one)
"""
import os

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

BASE = os.environ.get("GRAPHE_BARE_BASE", "https://graphe.aimf.asso.fr/")
GRAPHS = [ox.NamedNode(BASE + "graph/public"), ox.NamedNode(BASE + "graph/ontology")]
STORE = ox.Store(os.environ["GRAPHE_BARE_STORE"]) if os.environ.get("GRAPHE_BARE_STORE") else ox.Store()


def _answer(query: str) -> tuple[bytes, str]:
    result = STORE.query(query, default_graph=GRAPHS, named_graphs=GRAPHS)
    if isinstance(result, ox.QueryTriples):
        return ox.serialize(result, format=ox.RdfFormat.N_TRIPLES), "application/n-triples"
    if isinstance(result, ox.QueryBoolean):
        return (b'{"head":{},"boolean":%s}' % (b"true" if result else b"false")), "application/sparql-results+json"
    return result.serialize(format=ox.QueryResultsFormat.JSON), "application/sparql-results+json"


async def sparql(request: Request) -> Response:
    if request.method == "POST":
        query = (await request.form()).get("query")
    else:
        query = request.query_params.get("query")
    try:
        body, media = await run_in_threadpool(_answer, str(query))  # off the loop, as any server must
    except (SyntaxError, ValueError, OSError) as error:
        return Response(str(error), status_code=400)
    return Response(body, media_type=media)


app = Starlette(routes=[Route("/sparql", sparql, methods=["GET", "POST"])])
