"""`graphe serve`: open the service (seeding an empty store), then run the app under uvicorn."""
from __future__ import annotations

import errno
import socket
import sys

import uvicorn

from .. import relay as admin
from ..app import create_app
from ..core.errors import GrapheError
from ..core.collector import tune_for_serving
from ..service import Graphe
from ..core.settings import Settings


def check_port(settings: Settings) -> None:
    """Refuse at once a port another program listens on (or one we may not bind), before seeds, store and
    search index are opened for nothing. Bound as uvicorn binds it (same family, SO_REUSEADDR), then let go."""
    host, port = settings.host, settings.port
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise GrapheError(
                    "PORT_IN_USE",
                    f"Port {port} occupé sur {host} : un autre programme (peut-être un autre `graphe serve`) y "
                    "écoute déjà. Choisissez un autre port (--port, GRAPHE_PORT) ou arrêtez ce programme.",
                    f"Port {port} in use on {host}: another program (maybe another `graphe serve`) already "
                    "listens on it. Choose another port (--port, GRAPHE_PORT) or stop that program.") from None
            raise GrapheError(
                "PORT_UNAVAILABLE",
                f"Impossible d'écouter sur {host}:{port} ({exc.strerror or exc}).",
                f"Cannot listen on {host}:{port} ({exc.strerror or exc}).") from None


def serve(settings: Settings, lang: str = "fr") -> int:
    def say(text: str) -> None:
        print(text, flush=True)

    tune_for_serving()
    graphe = Graphe.open(settings, say=say, search="background", lang=lang)
    try:
        revision = graphe.store.revision()
        url = f"http://{_host(settings.host)}:{settings.port}/"
        if lang == "en":
            where = settings.data_dir.resolve() if settings.data_dir else "in memory"
            say(f"Graphe listens on {url} (data: {where}; revision {revision.number}; base IRI {settings.base_iri})")
        else:
            where = settings.data_dir.resolve() if settings.data_dir else "en mémoire"
            say(f"Graphe écoute sur {url} (données : {where} ; révision {revision.number} ; IRI de base "
                f"{settings.base_iri})")
        secret = admin.announce(settings, f"http://{_host(settings.host)}:{settings.port}")

        def shutdown() -> None:
            admin.withdraw(settings)
            graphe.close()

        # The read cache is read back or computed ahead only once the app is built and uvicorn has done its
        # own start-up (the app's lifespan): started earlier, its thread took the interpreter's lock from the
        # imports, the schema and uvicorn (create_app 0.6 → 1.1 s at 10,000 practices, 2 s at 100,000: a
        # start cost growing with the data). Its saved keys are claimed before the server listens
        # (`warm_reads`), so no first reader computes them; the rest of the read-ahead waits for the first
        # answer (`WARM_PATIENCE`).
        app = create_app(graphe, admin_secret=secret, on_shutdown=shutdown, on_startup=graphe.warm_reads)
        graphe.follow()
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
