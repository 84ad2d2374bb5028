"""HTTP edge for harvesters: dumps, the CSV of practices (same filters as GraphQL), catalogue, VoID and the
Atom feeds of practices."""
from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from email.utils import format_datetime

import anyio
from starlette.requests import Request
from starlette.responses import FileResponse, Response, StreamingResponse
from starlette.routing import Route

from ..core import rdf
from . import atom
from .catalog import catalog_triples, void_triples
from ..core.errors import GrapheError
from ..read.exports import DUMP_FORMATS, Dumps, practices_csv
from ..read.filters import PRACTICE_STATUS, PracticeFilter
from ..core.negotiation import negotiate, page_language
from ..service import Graphe

DESCRIBED = ("ttl", "jsonld", "nt", "rdf")


def _list(request: Request, name: str) -> tuple[str, ...]:
    """A filter given as repeated parameters and/or comma-separated values."""
    return tuple(v.strip() for raw in request.query_params.getlist(name) for v in raw.split(",") if v.strip())


def practice_filter(request: Request) -> PracticeFilter:
    """The GraphQL `practices` filters, as query parameters of the same names."""
    statuses = tuple(s.upper() for s in _list(request, "statuses"))
    unknown = [s for s in statuses if s not in PRACTICE_STATUS]
    if unknown:
        raise GrapheError("BAD_USER_INPUT", f"Statut inconnu : {', '.join(unknown)} (possibles : "
                          f"{', '.join(PRACTICE_STATUS)}).", f"Unknown status: {', '.join(unknown)}.")
    flag = request.query_params.get("hasAiProject")
    dates = {}
    for name in ("issuedAfter", "issuedBefore"):
        value = request.query_params.get(name)
        if value:
            try:
                dates[name] = dt.date.fromisoformat(value)
            except ValueError:
                raise GrapheError("BAD_USER_INPUT", f"Date invalide pour {name} : « {value} » (AAAA-MM-JJ).",
                                  f"Invalid date for {name}: '{value}' (YYYY-MM-DD).") from None
    return PracticeFilter(
        themes=_list(request, "themes"), countries=_list(request, "countries"), cities=_list(request, "cities"),
        charters=_list(request, "charters"), statuses=statuses,
        has_ai_project=None if flag is None else flag.lower() in ("1", "true", "oui", "yes"),
        issued_after=dates.get("issuedAfter"), issued_before=dates.get("issuedBefore"),
        ids=_list(request, "ids")[:100])


_YES, _NO = ("1", "true", "oui", "yes"), ("0", "false", "non", "no")


def csv_dialect(request: Request) -> tuple[str, bool]:
    """(delimiter, BOM): `,` and none by default; `;` and a BOM for a spreadsheet (`excel=1` or `sep=;`)."""
    excel = request.query_params.get("excel", "0").lower()
    sep = request.query_params.get("sep")
    if excel not in _YES + _NO:
        raise GrapheError("BAD_USER_INPUT", "« excel » : 1 ou 0.", "'excel': 1 or 0.")
    if sep not in (None, ",", ";"):
        raise GrapheError("BAD_USER_INPUT", "« sep » : « , » ou « ; ».", "'sep': ',' or ';'.")
    spreadsheet = excel in _YES or sep == ";"
    return (";" if spreadsheet else (sep or ",")), spreadsheet


def routes(graphe: Graphe, dumps: Dumps) -> list[Route]:
    async def dump(request: Request) -> Response:
        name = request.path_params["name"]
        gz = name.endswith(".gz")
        fmt_name = name.removesuffix(".gz").removeprefix("graphe.")
        if not name.startswith("graphe.") or fmt_name not in DUMP_FORMATS:
            raise GrapheError("NOT_FOUND", f"Aucun export « {name} » (formats : {', '.join(DUMP_FORMATS)}, "
                              "et .gz).", f"No export '{name}'.", {"status": 404})
        path, revision = await anyio.to_thread.run_sync(dumps.path, fmt_name, gz)
        fmt = rdf.format_named(fmt_name)
        time = graphe.store.revision().time or dt.datetime.now(dt.timezone.utc)
        headers = {"ETag": f'"graphe-{revision}-{name}"', "Last-Modified": format_datetime(time, usegmt=True),
                   "Access-Control-Allow-Origin": "*"}
        if request.headers.get("if-none-match") == headers["ETag"]:
            return Response(status_code=304, headers=headers)
        return FileResponse(path, media_type="application/gzip" if gz else fmt.media_type, filename=name,
                            headers=headers)

    async def csv_export(request: Request) -> Response:
        flt = practice_filter(request)
        delimiter, bom = csv_dialect(request)
        lines = await anyio.to_thread.run_sync(lambda: list(practices_csv(graphe.store, flt, delimiter, bom)))
        return StreamingResponse(iter(lines), media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": 'attachment; filename="practices.csv"',
                                          "Access-Control-Allow-Origin": "*"})

    def described(key: str, build: Callable[[Graphe], list[rdf.Triple]]) -> Callable[[Request], Awaitable[Response]]:
        """A document (catalogue, VoID) in Turtle, JSON-LD, N-Triples or RDF/XML by `Accept` (browsers get
        Turtle) or `?format=`, built once per revision."""
        async def endpoint(request: Request) -> Response:
            name = request.query_params.get("format") or negotiate(request.headers.get("accept")) or "ttl"
            if name == "html":
                name = "ttl"
            if name not in DESCRIBED:
                raise GrapheError("NOT_ACCEPTABLE", "Formats possibles : Turtle, JSON-LD, N-Triples, RDF/XML.",
                                  "Available formats: Turtle, JSON-LD, N-Triples, RDF/XML.", {"status": 406})
            fmt = rdf.format_named(name)
            body = await anyio.to_thread.run_sync(
                lambda: graphe.cached(f"{key}:{name}", lambda: rdf.serialize(build(graphe), fmt) or b""))
            return Response(body, media_type=fmt.media_type,
                            headers={"Vary": "Accept", "Access-Control-Allow-Origin": "*"})
        return endpoint

    def feed_of(kind: str) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            key = request.path_params.get("key", "")
            if kind != "all" and not key.endswith(".atom"):
                raise GrapheError("NOT_FOUND", "Aucun flux à cette adresse : les flux finissent par « .atom ».",
                                  "No feed at this address: feeds end in '.atom'.", {"status": 404})
            lang = page_language(request.query_params.get("lang"), request.headers.get("accept-language"))
            revision = graphe.store.revision().number
            body = await anyio.to_thread.run_sync(lambda: atom.feed(graphe, kind, key.removesuffix(".atom"), lang))
            # After `feed`: the key is a known slug or code by now, safe inside a header.
            headers = {"Vary": "Accept-Language", "Content-Language": lang, "Access-Control-Allow-Origin": "*",
                       "ETag": f'W/"graphe-{revision}-{kind}-{key.removesuffix(".atom").upper()}-{lang}"'}
            if request.headers.get("if-none-match") == headers["ETag"]:  # checked after: an unknown feed is a 404
                return Response(status_code=304, headers=headers)
            return Response(body, media_type=atom.MEDIA_TYPE, headers=headers)
        return endpoint

    catalogue = described("catalog", catalog_triples)
    return [Route("/export/practices.csv", csv_export, methods=["GET", "HEAD"]),
            Route("/" + atom.feed_path("all"), feed_of("all"), methods=["GET", "HEAD"]),
            *(Route(f"/{atom.PATHS[kind]}{{key}}", feed_of(kind), methods=["GET", "HEAD"])
              for kind in ("theme", "city", "country")),
            Route("/export/{name}", dump, methods=["GET", "HEAD"]),
            Route("/catalog", catalogue, methods=["GET", "HEAD"]),
            Route("/dataset/graphe", catalogue, methods=["GET", "HEAD"]),
            Route("/.well-known/void", described("void", void_triples), methods=["GET", "HEAD"])]

