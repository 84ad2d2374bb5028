"""Local administration (tokens, imports), whether or not `graphe serve` runs on the same data directory.

Only one process can open the store. When `graphe serve` runs, it writes `{data}/server.json` (its address)
and `{data}/admin.secret` (readable by its owner only); the `graphe` command then sends its administration
commands to the running service, over loopback, with that secret — the secretariat never has to stop the
service to add a colleague or import files.
"""
from __future__ import annotations

import base64
import hmac
import json
import os
import secrets
from dataclasses import asdict
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from . import accounts
from .accounts import Account
from .errors import GrapheError
from .importing import import_file
from .service import Graphe
from .settings import Settings

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def _files(settings: Settings) -> tuple[Path, Path]:
    assert settings.data_dir is not None
    return settings.data_dir / "server.json", settings.data_dir / "admin.secret"


class Local:
    """Commands run in this process, on the store it opened."""

    def __init__(self, graphe: Graphe) -> None:
        self.graphe = graphe

    def run(self, command: str, args: dict[str, Any]) -> Any:
        graphe, store = self.graphe, self.graphe.store
        if command == "token-create":
            account, token = accounts.create(store, args["role"], args["name"], args.get("city"))
            return {"account": asdict(account), "token": token}
        if command == "token-list":
            return {"accounts": [asdict(a) for a in accounts.all_accounts(store)]}
        if command == "token-revoke":
            return {"account": asdict(accounts.revoke(store, args["id"]))}
        if command == "import":
            data = base64.b64decode(args["data"])
            outcomes = import_file(graphe, Account.local(), args["name"], data, bool(args.get("publish")))
            return {"outcomes": outcomes, "revision": store.revision().number}
        raise GrapheError("BAD_REQUEST", f"Commande inconnue « {command} ».", f"Unknown command '{command}'.")


class Remote:
    """Commands sent to the `graphe serve` that holds the data directory."""

    def __init__(self, url: str, secret: str) -> None:
        self.url, self.secret = url, secret

    def run(self, command: str, args: dict[str, Any]) -> Any:
        import httpx

        try:
            response = httpx.post(f"{self.url}/_admin/{command}", json=args, timeout=600,
                                  headers={"Authorization": f"Bearer {self.secret}"})
        except httpx.HTTPError as exc:
            raise GrapheError("SERVER_UNREACHABLE", f"Le service Graphe ({self.url}) ne répond pas : {exc}.",
                              f"The Graphe service ({self.url}) does not answer: {exc}.") from None
        body = response.json()
        if "error" in body:
            error = body["error"]
            raise GrapheError(error["code"], error["message_fr"], error["message_en"], error.get("details"))
        return body


def remote_for(settings: Settings) -> Remote | None:
    """The running service that holds this data directory, if there is one."""
    if settings.data_dir is None:
        return None
    info_file, secret_file = _files(settings)
    try:
        info = json.loads(info_file.read_text(encoding="utf-8"))
        secret = secret_file.read_text(encoding="utf-8").strip()
    except (OSError, ValueError):
        return None
    return Remote(info["url"], secret)


def announce(settings: Settings, url: str) -> str | None:
    """Written by `graphe serve`: where it listens, and the secret local commands authenticate with."""
    if settings.data_dir is None:
        return None
    info_file, secret_file = _files(settings)
    info_file.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(32)
    fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(secret)
    info_file.write_text(json.dumps({"url": url, "pid": os.getpid()}), encoding="utf-8")
    return secret


def withdraw(settings: Settings) -> None:
    if settings.data_dir is not None:
        for path in _files(settings):
            path.unlink(missing_ok=True)


def routes(graphe: Graphe, secret: str) -> list[Route]:
    local = Local(graphe)

    async def endpoint(request: Request) -> JSONResponse:
        import anyio

        client = request.client.host if request.client else ""
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if client not in LOOPBACK or not hmac.compare_digest(given.encode(), secret.encode()):
            error = GrapheError("FORBIDDEN", "Administration locale seulement.", "Local administration only.")
            return JSONResponse({"error": error.to_dict()}, status_code=403)
        try:
            args = await request.json()
            result = await anyio.to_thread.run_sync(local.run, request.path_params["command"], args)
        except GrapheError as error:
            return JSONResponse({"error": error.to_dict()}, status_code=400)
        return JSONResponse(result)

    return [Route("/_admin/{command}", endpoint, methods=["POST"])]
