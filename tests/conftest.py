"""Shared fixtures: real stores (in memory or on disk), the real shapes, the real seeds."""
from __future__ import annotations

import os
import socketserver
import threading
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphe.service import Graphe
from graphe.core.settings import Settings
from graphe.validation.validator import Validator

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://graphe.aimf.asso.fr/"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def validator() -> Validator:
    """The real shapes, parsed once per session (a validator holds no data)."""
    return Validator.from_directory(ROOT / "ontology")


BACKENDS = ["oxigraph", "virtuoso"]


def settings_for(request: pytest.FixtureRequest, **values: object) -> Settings:
    """Settings of an in-memory Oxigraph, or of the test Virtuoso with graphs of this fixture's own."""
    if request.param == "virtuoso":
        import secrets

        url = request.getfixturevalue("virtuoso")
        return Settings(data_dir=None, store_query_url=url, store_update_url=url,
                        graph_prefix=f"urn:graphe-test:{secrets.token_hex(6)}/", **values)  # type: ignore[arg-type]
    return Settings(data_dir=None, **values)  # type: ignore[arg-type]


@pytest.fixture(scope="session", params=BACKENDS)
def seeded(request: pytest.FixtureRequest, validator: Validator) -> Iterator[Graphe]:
    """One Graphe with the seeds, per backend, shared by read-only tests (do not write to it)."""
    graphe = Graphe.open(settings_for(request), validator=validator)
    yield graphe
    graphe.close()


@pytest.fixture(params=BACKENDS)
def fresh(request: pytest.FixtureRequest, validator: Validator) -> Iterator[Graphe]:
    """A writable Graphe with the seeds loaded, per backend."""
    graphe = Graphe.open(settings_for(request), validator=validator)
    yield graphe
    graphe.close()


@pytest.fixture(scope="session", params=BACKENDS)
def rich(request: pytest.FixtureRequest, validator: Validator,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Graphe]:
    """Seeds plus 150 generated practices (with AI projects, adaptations, charters), per backend: read-only."""
    from support.datagen import generate

    path = tmp_path_factory.mktemp("gen") / "generated.ttl"
    path.write_text(generate(150, seed=11, words=(20, 60)), encoding="utf-8")
    graphe = Graphe.open(settings_for(request), validator=validator)
    graphe.load([path])
    yield graphe
    graphe.close()


class ThreadServer:
    """The real app under a real uvicorn, on a loopback port, in a thread of the test process (so tests
    can look at the store it uses, e.g. count its queries)."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        import threading

        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise AssertionError("uvicorn did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def api(rich: Graphe) -> Iterator[ThreadServer]:
    from graphe.app import create_app

    server = ThreadServer(create_app(rich))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def served(validator: Validator) -> Iterator[tuple[Graphe, ThreadServer]]:
    """A writable Graphe with the seeds (Oxigraph in memory) and the app serving it, for one test module."""
    from graphe.app import create_app

    graphe = Graphe.open(Settings(data_dir=None), validator=validator)
    server = ThreadServer(create_app(graphe))
    yield graphe, server
    server.stop()
    graphe.close()


@pytest.fixture(params=BACKENDS)
def empty(request: pytest.FixtureRequest, validator: Validator) -> Iterator[Graphe]:
    """A writable Graphe with the ontology only (no seeds), per backend."""
    graphe = Graphe.open(settings_for(request), seed=False, validator=validator)
    yield graphe
    graphe.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the real `graphe` command in a child process."""
    return subprocess.run([sys.executable, "-m", "graphe.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout, cwd=ROOT)


class Server:
    def __init__(self, process: subprocess.Popen, port: int, banner: str) -> None:
        self.process, self.port, self.banner = process, port, banner
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        from support import processes

        processes.stop(self.process, timeout=20)
        if self.process.stdout is not None:
            self.process.stdout.close()


def start_server(*args: str, timeout: float = 120, env: dict[str, str] | None = None) -> Server:
    """Start `graphe serve` on a free loopback port and wait until it answers /healthz."""
    import httpx

    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "graphe.cli", "serve", "--port", str(port), *args],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
                               env={**os.environ, **(env or {})})
    deadline = time.monotonic() + timeout
    banner = ""
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            raise AssertionError(f"graphe serve stopped early:\n{banner}")
        banner += line
        if "écoute sur" in line or "listens on" in line:
            break
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return Server(process, port, banner)
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    process.wait()
    process.stdout.close()
    raise AssertionError(f"graphe serve did not answer in {timeout}s:\n{banner}")


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throw-away Virtuoso (Debian's virtuoso-opensource-7-bin) on loopback; yields its SPARQL URL.

    `.ci/run` installs it; without it a local run skips these tests (CI fails them instead)."""
    from support import virtuoso

    if not virtuoso.available():
        if os.environ.get("CI"):
            raise AssertionError("virtuoso-t missing: .ci/run installs virtuoso-opensource-7-bin")
        pytest.skip("Virtuoso absent (installé par .ci/run)")
    server = virtuoso.Virtuoso.start(tmp_path_factory.mktemp("virtuoso"))
    yield server.url
    server.stop()


class SmtpCatcher(socketserver.StreamRequestHandler):
    """Just enough of RFC 5321 for smtplib: greeting, EHLO, MAIL, RCPT, DATA, QUIT."""
    received: list[tuple[str, bytes]] = []

    def handle(self) -> None:
        self.wfile.write(b"220 test ESMTP\r\n")
        recipient = ""
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.wfile.write(b"250 test\r\n")
            elif verb == b"MAIL":
                self.wfile.write(b"250 ok\r\n")
            elif verb == b"RCPT":
                recipient = line.decode().split(":", 1)[1].strip(" <>\r\n")
                self.wfile.write(b"250 ok\r\n")
            elif verb == b"DATA":
                self.wfile.write(b"354 go\r\n")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                self.received.append((recipient, data))
                self.wfile.write(b"250 queued\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"502 no\r\n")


@pytest.fixture
def smtp() -> Iterator[int]:
    """A minimal SMTP server on loopback (its port); what it receives in `SmtpCatcher.received`."""
    SmtpCatcher.received = []
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SmtpCatcher)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()
