"""`graphe serve`: open the service (seeding an empty store), then run the app under uvicorn."""
from __future__ import annotations

import sys

import uvicorn

from . import admin
from .app import create_app
from .service import Graphe, tune_gc_for_serving
from .settings import Settings


def serve(settings: Settings) -> int:
    def say(text: str) -> None:
        print(text, flush=True)

    tune_gc_for_serving()
    graphe = Graphe.open(settings, say=say, search="background")
    graphe.follow()
    graphe.warm_reads()
    try:
        revision = graphe.store.revision()
        where = settings.data_dir.resolve() if settings.data_dir else "en mémoire"
        say(f"Graphe écoute sur http://{_host(settings.host)}:{settings.port}/ "
            f"(données : {where} ; révision {revision.number} ; IRI de base {settings.base_iri})")
        secret = admin.announce(settings, f"http://{_host(settings.host)}:{settings.port}")

        def shutdown() -> None:
            admin.withdraw(settings)
            graphe.close()

        app = create_app(graphe, admin_secret=secret, on_shutdown=shutdown)
        config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level="info", access_log=False,
                                lifespan="on")
        server = uvicorn.Server(config)
        server.run()
        return 0 if server.started or not sys.exc_info()[0] else 1
    finally:
        admin.withdraw(settings)
        if not graphe.closed:
            graphe.close()


def _host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
