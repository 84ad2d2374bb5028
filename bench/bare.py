"""The baseline app: a bare Starlette JSON endpoint returning a fixed 20-item list (same uvicorn settings)."""
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

ITEMS = [{"id": f"https://graphe.aimf.asso.fr/id/practice/p{i}", "title": f"Pratique {i}",
          "city": {"name": "Nantes", "country": "FR"}, "themes": [{"label": "Énergie"}]} for i in range(20)]


async def items(request):  # type: ignore[no-untyped-def]
    return JSONResponse({"data": {"practices": {"edges": [{"node": n} for n in ITEMS]}}})


app = Starlette(routes=[Route("/items", items, methods=["GET", "POST"]), Route("/healthz", items)])
