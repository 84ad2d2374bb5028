"""Local administration (tokens, imports, exports, counts), whether or not `graphe serve` runs on the same data
directory.

Only one process can open the store. When `graphe serve` runs, it writes `{data}/server.json` (its address)
and `{data}/admin.secret` (readable by its owner only); the `graphe` command then sends its administration
commands to the running service, over loopback, with that secret — the secretariat never has to stop the
service to add a colleague, import files or export the data.
"""
from __future__ import annotations

import hmac
import json
import os
import queue
import secrets
import threading
from collections.abc import AsyncIterator
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from .publishing import accounts, mail, people
from .core import rdf
from .publishing.accounts import Account
from .core.errors import GrapheError
from .importing import import_file
from .ingest.loading import check_size
from .service import Graphe
from .core.settings import Settings

LOOPBACK = {"127.0.0.1", "::1", "localhost"}
COMMAND_MAX_BYTES = 1 << 20  # the JSON of a command other than `import` (a token's name, an account id…)
EXPORT_FORMATS = ("ttl", "nt", "nq", "jsonld", "rdf", "csv")


def _files(settings: Settings) -> tuple[Path, Path]:
    assert settings.data_dir is not None
    return settings.data_dir / "server.json", settings.data_dir / "admin.secret"


class Local:
    """Commands run in this process, on the store it opened."""

    def __init__(self, graphe: Graphe) -> None:
        self.graphe = graphe

    def run(self, command: str, args: dict[str, Any], data: bytes = b"") -> Any:
        """`data`: the file of an `import` (`args`: its `name`, `publish`)."""
        graphe, store = self.graphe, self.graphe.store
        if command == "token-create":
            account, token = accounts.create(store, args["role"], args["name"], args.get("city"))
            return {"account": asdict(account), "token": token}
        if command == "token-list":
            return {"accounts": [asdict(a) for a in accounts.all_accounts(store)]}
        if command == "token-revoke":
            return {"account": asdict(accounts.revoke(store, args["id"]))}
        if command.startswith("person-"):
            return self._person(command, args)
        if command == "import":
            check_size(args["name"], len(data), graphe.settings.import_max_bytes)
            outcomes = import_file(graphe, Account.local(), args["name"], data, bool(args.get("publish")))
            return {"outcomes": outcomes, "revision": store.revision().number}
        if command == "stats":
            revision = store.revision()
            return {"revision": revision.number, "time": revision.time.isoformat() if revision.time else None,
                    "triples": graphe.triple_count(), "classes": [asdict(row) for row in graphe.class_counts()]}
        raise GrapheError("BAD_REQUEST", f"Commande inconnue « {command} ».", f"Unknown command '{command}'.",
                          {"status": 404})

    def _person(self, command: str, args: dict[str, Any]) -> Any:
        store, local = self.graphe.store, Account.local()

        def shown(person: people.Person) -> dict[str, Any]:
            return {**asdict(person.account), "email": person.email, "state": person.state}
        url = args.get("url") or self.graphe.settings.base_iri
        if command in ("person-invite", "person-invite-again"):
            if command == "person-invite":
                person, link = people.invite(store, local, args["name"], args["email"], args["role"],
                                             args.get("city"), url)
            else:
                person, link = people.invite_again(store, local, args["id"], url)
            failed = mail.invitation(self.graphe.settings, person, link, "Le secrétariat de l'AIMF")
            return {"person": shown(person), "link": link, "days": people.INVITATION_DAYS,
                    "mailed": bool(self.graphe.settings.smtp_url) and failed is None, "mail_error": failed}
        if command == "person-list":
            return {"people": [shown(p) for p in people.people(store)]}
        if command == "person-disable":
            return {"person": shown(people.disable(store, local, args["id"]))}
        raise GrapheError("BAD_REQUEST", f"Commande inconnue « {command} ».", f"Unknown command '{command}'.",
                          {"status": 404})

    def export(self, fmt: str, output: IO[bytes]) -> None:
        """The published data in `fmt` (a name of `EXPORT_FORMATS`), written to `output`."""
        if fmt == "csv":
            from .read.exports import practices_csv
            from .read.filters import PracticeFilter

            for text in practices_csv(self.graphe.store, PracticeFilter()):
                output.write(text.encode("utf-8"))
        else:
            self.graphe.export(output, rdf.format_named(fmt))


class Remote:
    """Commands sent to the `graphe serve` that holds the data directory."""

    def __init__(self, url: str, secret: str) -> None:
        self.url, self.secret = url, secret

    def run(self, command: str, args: dict[str, Any], data: bytes = b"") -> Any:
        with self._request(command, args, data) as response:
            response.read()
            return self._answer(response)

    def export(self, fmt: str, output: IO[bytes]) -> None:
        with self._request("export", {"format": fmt}) as response:
            if response.status_code != 200:
                response.read()
                self._answer(response)

            def copy() -> None:
                for chunk in response.iter_bytes():
                    output.write(chunk)

            self._guard(copy)

    def _request(self, command: str, args: dict[str, Any], data: bytes = b""):  # type: ignore[no-untyped-def]
        import contextlib

        import httpx

        headers = {"Authorization": f"Bearer {self.secret}"}
        url = f"{self.url}/_admin/{command}"
        client = httpx.Client(timeout=httpx.Timeout(600, connect=10))
        if command == "import":  # the file as the body, as is (no base64, no JSON: a bulk import is big)
            request = client.build_request("POST", url, content=data, headers=headers,
                                           params={"name": args["name"], "publish": str(bool(args["publish"]))})
        else:
            request = client.build_request("POST", url, json=args, headers=headers)

        @contextlib.contextmanager
        def sent():  # type: ignore[no-untyped-def]
            with client:
                response = self._guard(lambda: client.send(request, stream=True))
                try:
                    yield response
                finally:
                    response.close()

        return sent()

    def _guard(self, call):  # type: ignore[no-untyped-def]
        """Run `call` (an exchange with the service); a broken exchange becomes a coded error that says what is
        known: refused before anything was sent (nothing written), or broken after (the outcome is unknown)."""
        import httpx

        try:
            return call()
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise GrapheError(
                "SERVER_UNREACHABLE",
                f"Le service Graphe ({self.url}) ne répond pas ({exc}) ; rien n'a été envoyé. Relancez la commande "
                "une fois le service redémarré, ou arrêtez-le pour travailler sur le dossier directement.",
                f"The Graphe service ({self.url}) does not answer ({exc}); nothing was sent. Run the command again "
                "once the service is back, or stop it to work on the directory directly.") from None
        except httpx.TransportError as exc:
            raise GrapheError(
                "OUTCOME_UNKNOWN",
                f"La connexion au service Graphe ({self.url}) s'est rompue pendant la commande ({exc!r}) : état "
                "inconnu, relancez la commande (un import déjà écrit sera dit « inchangé »).",
                f"The connection to the Graphe service ({self.url}) broke during the command ({exc!r}): outcome "
                "unknown, run the command again (an import already written will be reported 'unchanged').") from None

    def _answer(self, response) -> Any:  # type: ignore[no-untyped-def]
        try:
            body = json.loads(response.content)
        except ValueError:
            raise GrapheError(
                "OUTCOME_UNKNOWN",
                f"Réponse illisible du service Graphe ({self.url}, HTTP {response.status_code}) : état inconnu, "
                "relancez la commande.",
                f"Unreadable answer from the Graphe service ({self.url}, HTTP {response.status_code}): outcome "
                "unknown, run the command again.") from None
        if isinstance(body, dict) and "error" in body:
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


def _too_large(limit: int) -> GrapheError:
    return GrapheError("PAYLOAD_TOO_LARGE",
                       f"Corps de la commande trop grand (plus de {limit} octets) ; rien n'a été lu ni écrit.",
                       f"Command body too large (more than {limit} bytes); nothing was read or written.",
                       {"status": 413, "limit": limit})


async def _body(request: Request, limit: int) -> bytes:
    """The request's body, refused (413) as soon as it is known to exceed `limit`: from its Content-Length
    before reading anything, else while it streams in."""
    try:
        declared = int(request.headers.get("content-length", "0"))
    except ValueError:
        declared = 0
    if declared > limit:
        raise _too_large(limit)
    parts, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        parts.append(chunk)
    return b"".join(parts)


class _Pipe:
    """A file-like `write` end whose chunks an HTTP response sends as they come (a bounded queue: the exporting
    thread waits for a slow reader instead of holding the whole dump)."""

    def __init__(self) -> None:
        self.chunks: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=16)
        self.closed = threading.Event()

    def write(self, data: bytes) -> int:
        if self.closed.is_set():  # the client left: the exporting thread stops here
            raise BrokenPipeError("client gone")
        self.chunks.put(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def routes(graphe: Graphe, secret: str) -> list[Route]:
    import anyio

    local = Local(graphe)

    async def endpoint(request: Request) -> Response:
        client = request.client.host if request.client else ""
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if client not in LOOPBACK or not hmac.compare_digest(given.encode(), secret.encode()):
            error = GrapheError("FORBIDDEN", "Administration locale seulement.", "Local administration only.")
            return JSONResponse({"error": error.to_dict()}, status_code=403)
        command = request.path_params["command"]
        try:
            if command == "import":
                data = await _body(request, graphe.settings.import_max_bytes)
                args = {"name": request.query_params.get("name", "import"),
                        "publish": request.query_params.get("publish") == "True"}
            else:
                data, args = b"", _json(await _body(request, COMMAND_MAX_BYTES))
            if command == "export":
                return _export(args.get("format"))
            result = await anyio.to_thread.run_sync(_run, command, args, data)
        except GrapheError as error:
            status = error.details.get("status") if isinstance(error.details, dict) else None
            status = status if isinstance(status, int) else 400
            return JSONResponse({"error": error.to_dict()}, status_code=status)
        except ClientDisconnect:
            return Response(status_code=400)
        return JSONResponse(result)

    def _run(command: str, args: dict[str, Any], data: bytes) -> Any:
        try:
            return local.run(command, args, data)
        except (KeyError, TypeError) as exc:  # a command's argument missing or of the wrong type
            raise GrapheError("BAD_REQUEST", f"Commande « {command} » mal formée ({exc!r}).",
                              f"Malformed command '{command}' ({exc!r}).") from None

    def _export(fmt: object) -> Response:
        if fmt not in EXPORT_FORMATS:
            raise rdf.format_named(str(fmt))  # (raises UNKNOWN_FORMAT)
        pipe = _Pipe()

        def produce() -> None:
            try:
                local.export(str(fmt), pipe)
                pipe.chunks.put(None)
            except BaseException as exc:  # noqa: BLE001 — handed to the response, which ends the stream
                pipe.chunks.put(exc)

        async def stream() -> AsyncIterator[bytes]:
            worker = threading.Thread(target=produce, name="graphe-admin-export", daemon=True)
            worker.start()
            try:
                while (item := await anyio.to_thread.run_sync(pipe.chunks.get)) is not None:
                    if isinstance(item, BaseException):
                        raise item  # the client sees a cut stream: never a dump that looks whole
                    yield item
            finally:
                pipe.closed.set()
                while worker.is_alive():  # unblock a writer waiting on a full queue
                    try:
                        pipe.chunks.get_nowait()
                    except queue.Empty:
                        await anyio.sleep(0.01)

        return StreamingResponse(stream(), media_type="application/octet-stream")

    return [Route("/_admin/{command}", endpoint, methods=["POST"])]


def _json(body: bytes) -> dict[str, Any]:
    try:
        args = json.loads(body or b"{}")
    except ValueError:
        args = None
    if not isinstance(args, dict):
        raise GrapheError("BAD_REQUEST", "Commande illisible : un objet JSON est attendu.",
                          "Unreadable command: a JSON object is expected.")
    return args
