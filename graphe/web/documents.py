"""`GET|HEAD /documents/{sha256}`: a published document's bytes.

Served only when a document description in the public graph names that checksum (`read.documents`): a file
stored for a preview or a draft is 404 until the record carrying it is published. The answer carries the type
sniffed when it was stored (`Content-Type`), `Content-Disposition: attachment` with a name made from the title and
the type's extension, `X-Content-Type-Options: nosniff`, a CSP that runs nothing, and a strong `ETag`: the
checksum itself (`If-None-Match` → 304). The bytes are read from the documents folder by Starlette's file
response, off the event loop; the look-up runs in the thread pool (a plain endpoint).
"""
from __future__ import annotations

import logging
import re

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from .site import reader_language
from ..core.errors import GrapheError
from ..publishing.documents import Folder, disposition
from ..read.documents import by_checksum
from ..service import Graphe

log = logging.getLogger(__name__)
_SHA256 = re.compile(r"[0-9a-f]{64}")
_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"


class Downloads:
    def __init__(self, graphe: Graphe) -> None:
        self.graphe = graphe
        self.folder = Folder.of(graphe.settings)

    def download(self, request: Request) -> Response:
        lang = reader_language(request)
        checksum = request.path_params.get("checksum", "")
        try:
            found = by_checksum(self.graphe.store, checksum) if _SHA256.fullmatch(checksum) else None
            path = self.folder.file(checksum) if found is not None else None
            if found is None or path is None or not path.is_file():
                if found is not None:
                    log.warning("document %s is published but not in %s (replicas must share the folder)",
                                checksum, self.folder.path)
                return _not_found(checksum[:64], lang)
            etag = f'"{checksum}"'
            headers = {"ETag": etag, "X-Content-Type-Options": "nosniff", "Content-Security-Policy": _CSP,
                       "Content-Disposition": disposition(found.title, found.media_type),
                       "Cache-Control": "public, max-age=86400"}
            if etag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
                return Response(status_code=304, headers={k: v for k, v in headers.items()
                                                          if k != "Content-Disposition"})
            return FileResponse(path, media_type=found.media_type, headers=headers)
        except Exception:  # noqa: BLE001 — logged, then masked
            log.exception("download %s failed", request.url.path)
            error = GrapheError("INTERNAL_ERROR", "Erreur interne ; elle a été journalisée.",
                                "Internal error; it has been logged.")
            return JSONResponse({"error": error.to_dict(lang)}, status_code=500)


def _not_found(checksum: str, lang: str) -> Response:
    error = GrapheError("NOT_FOUND", f"Aucun document publié n'a l'empreinte {checksum}.",
                        f"No published document has the checksum {checksum}.")
    return JSONResponse({"error": error.to_dict(lang)}, status_code=404, headers={"X-Content-Type-Options": "nosniff"})


def routes(graphe: Graphe) -> list[Route]:
    downloads = Downloads(graphe)
    return [Route("/documents/{checksum}", downloads.download, methods=["GET", "HEAD"], name="document")]
