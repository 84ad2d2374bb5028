"""The restart baseline: a bare Starlette app that imports the GraphQL framework Graphe is built on (strawberry,
graphql-core) and serves a small strawberry schema at /graphql — a `practices` connection over a fixed list of
20 items with city and themes, so that it answers the restart probe's query shape (bench/restart.py). Run
under the same uvicorn settings as bench/bare.py (uvloop, httptools)."""
from __future__ import annotations

import json

import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


@strawberry.type
class City:
    name: str
    country: str


@strawberry.type
class Theme:
    label: str


@strawberry.type
class Practice:
    id: strawberry.ID
    title: str
    city: City
    themes: list[Theme]


@strawberry.type
class PracticeEdge:
    node: Practice


@strawberry.type
class PracticeConnection:
    edges: list[PracticeEdge]
    total_count: int


ITEMS = [Practice(id=strawberry.ID(f"https://graphe.aimf.asso.fr/id/practice/p{i}"), title=f"Pratique {i}",
                  city=City(name="Nantes", country="FR"), themes=[Theme(label="Énergie")]) for i in range(20)]


@strawberry.type
class Query:
    @strawberry.field
    def practices(self, first: int = 20) -> PracticeConnection:
        return PracticeConnection(edges=[PracticeEdge(node=p) for p in ITEMS[:first]], total_count=len(ITEMS))


schema = strawberry.Schema(query=Query)


async def graphql(request: Request) -> JSONResponse:
    body = json.loads(await request.body())
    result = await schema.execute(body["query"], variable_values=body.get("variables"))
    out: dict[str, object] = {"data": result.data}
    if result.errors:
        out["errors"] = [e.formatted for e in result.errors]
    return JSONResponse(out)


app = Starlette(routes=[Route("/graphql", graphql, methods=["POST"])])
