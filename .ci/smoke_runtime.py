#!/usr/bin/env python3
"""Smoke test of a runtime-only install: what `python3 dev.py serve` gives a city, nothing from the test lock.

Builds a fresh environment (GRAPHE_VENV in a temporary folder: requirements.lock only), then with its `graphe`:
serve on a free loopback port and a temporary data folder; while it serves, `token create`, `import --publish`
of a seed sheet, `export` (to a file, and into a pipe closed after one line) and `stats`, each relayed to the
service; a second `serve` on the same port says it is taken; a remote-store start against a closed port says
so with a code; against a local Virtuoso (when installed) it serves. Standard library only: it runs before any
environment exists. Exits non-zero at the first failure, saying which.
"""
from __future__ import annotations

import ast
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def virtuoso_ini(folder: Path, sql: int, http: int) -> str:
    """The throw-away Virtuoso's configuration the tests and benches use (`INI` in support/virtuoso.py), read
    from its parsed source: that module needs httpx, and no environment exists yet when this runs."""
    tree = ast.parse((ROOT / "support" / "virtuoso.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "INI" for t in node.targets):
            return ast.literal_eval(node.value).format(d=folder, sql=sql, http=http, buffers=20000,
                                                       dirty=12000, allowed="")
    raise LookupError("INI not found in support/virtuoso.py")


def step(text: str) -> None:
    print(f"[smoke] {text}", flush=True)


def fail(text: str, result: subprocess.CompletedProcess | None = None) -> None:
    if result is not None:
        text += f"\n--- exit {result.returncode}\n--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-3000:]}"
    sys.exit(f"[smoke] ÉCHEC / FAILED: {text}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthz(url: str, timeout: float, process: subprocess.Popen | None = None) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            fail(f"the service stopped early (exit {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    body = answer.read()
                    return json.loads(body) if answer.headers.get_content_type() == "application/json" else {}
        except OSError:
            time.sleep(0.3)
    fail(f"{url} did not answer within {timeout} s")
    raise AssertionError


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="graphe-smoke-"))
    venv = work / "venv"
    env = {**os.environ, "GRAPHE_VENV": str(venv), "GRAPHE_LANG": "fr"}
    for name in ("GRAPHE_STORE_QUERY_URL", "GRAPHE_STORE_UPDATE_URL", "GRAPHE_DATA", "GRAPHE_PORT"):
        env.pop(name, None)
    processes: list[subprocess.Popen] = []
    try:
        step(f"runtime-only environment in {venv}")
        built = subprocess.run([sys.executable, str(ROOT / "dev.py"), "graphe", "--version"], env=env,
                               capture_output=True, text=True, timeout=900)
        if built.returncode != 0 or "graphe" not in built.stdout:
            fail("dev.py could not build the runtime environment", built)
        python, graphe = str(venv / "bin" / "python"), str(venv / "bin" / "graphe")
        for test_only in ("pytest", "SPARQLWrapper", "hypothesis"):
            if subprocess.run([python, "-c", f"import {test_only}"], capture_output=True).returncode == 0:
                fail(f"{test_only} (test lock) is installed in the runtime environment")

        def cli(*args: str, extra: dict[str, str] | None = None, code: int = 0) -> subprocess.CompletedProcess:
            result = subprocess.run([graphe, *args], env={**env, **(extra or {})}, capture_output=True, text=True,
                                    timeout=300, cwd=work)
            if result.returncode != code or "Traceback" in result.stderr + result.stdout:
                fail(f"graphe {' '.join(args)}: expected exit {code}, without a traceback", result)
            return result

        data, port = work / "data", free_port()
        url = f"http://127.0.0.1:{port}"
        step(f"graphe serve on {url}")
        log = (work / "serve.log").open("w")
        server = subprocess.Popen([graphe, "serve", "--port", str(port), "--data", str(data)], env=env,
                                  stdout=log, stderr=subprocess.STDOUT, cwd=work)
        processes.append(server)
        health = healthz(url + "/healthz", 180, server)
        step(f"serving, revision {health.get('revision')}")

        relayed = "commande envoyée"
        step("token create while serving")
        created = cli("token", "create", "--role", "secretariat", "--name", "Smoke", "--data", str(data))
        if relayed not in created.stderr or "grp_" not in created.stdout:
            fail("token create was not relayed", created)
        step("import --publish of a seed sheet while serving")
        imported = cli("import", "--publish", str(ROOT / "seeds" / "sheets" / "pratiques.csv"), "--data", str(data))
        if relayed not in imported.stderr or "publié(s)" not in imported.stdout:
            fail("import was not relayed or published nothing", imported)
        step("stats while serving")
        stats = cli("stats", "--data", str(data))
        if relayed not in stats.stderr or "triplets publiés" not in stats.stdout:
            fail("stats was not relayed", stats)
        step("export to a file while serving")
        dump = work / "dump.ttl"
        exported = cli("export", "-o", str(dump), "--data", str(data))
        if relayed not in exported.stderr or dump.stat().st_size < 10_000:
            fail("export was not relayed or is too small", exported)
        step("export into a pipe closed after one line")
        piped = subprocess.Popen([graphe, "export", "--format", "nt", "--data", str(data)], env=env, cwd=work,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert piped.stdout is not None and piped.stderr is not None
        piped.stdout.readline()
        piped.stdout.close()
        errors = piped.stderr.read().decode()
        piped.stderr.close()
        if piped.wait(timeout=120) != 141 or "Traceback" in errors or "erreur" in errors:
            fail(f"a closed pipe was not taken quietly (exit {piped.returncode}):\n{errors}")

        step("a second serve on the same port")
        taken = cli("serve", "--port", str(port), "--data", str(work / "other"), code=1)
        if "erreur [PORT_IN_USE]" not in taken.stderr or (work / "other").exists():
            fail("the taken port was not said first", taken)
        stop(server)
        log.flush()
        # (uvicorn ends a graceful shutdown by raising the signal it caught again: -SIGTERM is a clean stop)
        if server.returncode not in (0, -signal.SIGTERM) or "Traceback" in (work / "serve.log").read_text():
            fail(f"graphe serve ended badly (exit {server.returncode}):\n{(work / 'serve.log').read_text()[-3000:]}")

        step("remote store: a closed port")
        closed = free_port()
        remote = {"GRAPHE_STORE_QUERY_URL": f"http://127.0.0.1:{closed}/sparql",
                  "GRAPHE_STORE_UPDATE_URL": f"http://127.0.0.1:{closed}/sparql"}
        unreachable = cli("serve", "--port", str(free_port()), "--memory", extra=remote, code=1)
        if "erreur [STORE_UNREACHABLE]" not in unreachable.stderr:
            fail("an unreachable remote store gave no coded error", unreachable)

        binary = shutil.which("virtuoso-t")
        if binary is None:
            step("virtuoso-t absent: remote-store start against Virtuoso skipped")
        else:
            step("remote store: a local Virtuoso")
            folder = work / "virtuoso"
            folder.mkdir()
            sql, http = free_port(), free_port()
            (folder / "virtuoso.ini").write_text(virtuoso_ini(folder, sql, http), encoding="utf-8")
            virtuoso = subprocess.Popen([binary, "+foreground", "+configfile", str(folder / "virtuoso.ini")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=folder)
            processes.append(virtuoso)
            sparql = f"http://127.0.0.1:{http}/sparql"
            healthz(sparql + "?query=ASK%20%7B%7D", 120, virtuoso)
            subprocess.run([shutil.which("isql-vt") or "isql-vt", f"127.0.0.1:{sql}", "dba", "dba",
                            'exec=grant SPARQL_UPDATE to "SPARQL";'], check=True, capture_output=True, timeout=60)
            remote = {"GRAPHE_STORE_QUERY_URL": sparql, "GRAPHE_STORE_UPDATE_URL": sparql}
            port = free_port()
            served = subprocess.Popen([graphe, "serve", "--port", str(port), "--memory"], env={**env, **remote},
                                      stdout=log, stderr=subprocess.STDOUT, cwd=work)
            processes.append(served)
            health = healthz(f"http://127.0.0.1:{port}/healthz", 300, served)
            step(f"serving from Virtuoso, revision {health.get('revision')}")
            stop(served)
        step("OK")
        return 0
    finally:
        for process in reversed(processes):
            stop(process)
        if os.environ.get("GRAPHE_SMOKE_KEEP"):
            print(f"[smoke] kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
