"""Measuring tools for the benchmarks: servers in child processes, wrk load, timings, memory."""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Figure:
    name: str
    unit: str
    values: list[float] = field(default_factory=list)
    baseline: list[float] = field(default_factory=list)
    goal: str = ""
    higher_is_better: bool = True
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else float("nan")

    @property
    def spread(self) -> float:
        return (max(self.values) - min(self.values)) if len(self.values) > 1 else 0.0

    @property
    def ratio(self) -> float | None:
        if not self.baseline or not self.values:
            return None
        base = statistics.median(self.baseline)
        return self.median / base if base else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Process:
    """A server in a child process, on a loopback port; `ready` is the time to its first answer."""

    def __init__(self, args: list[str], probe, env: dict[str, str] | None = None) -> None:  # type: ignore[no-untyped-def]
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [a.replace("{port}", str(self.port)) for a in args]
        started = time.perf_counter()
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(args, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
                                        env={**os.environ, **(env or {})})
        deadline = time.monotonic() + 600
        while True:
            try:
                if probe(self.url):
                    break
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.log.seek(0)
                raise RuntimeError(f"server did not start: {self.log.read()[-2000:]!r}")
            time.sleep(0.01)
        self.ready = time.perf_counter() - started

    def peak_memory_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def graphe_serve(data: Path, command: list[str] | None = None) -> Process:
    """`graphe serve` on `data`; `command` replaces `python -m graphe.cli` (bench.interference adds a thread)."""
    def probe(url: str) -> bool:
        r = httpx.post(url + "/graphql", json={"query": "{ practices(first: 1) { edges { node { id } } } }"},
                       timeout=60)
        return r.status_code == 200 and "errors" not in r.json()
    return Process([*(command or [sys.executable, "-m", "graphe.cli"]), "serve", "--port", "{port}", "--data", str(data)], probe)


def settled(process: Process, timeout: float = 600) -> float:
    """Wait until the service has finished its start-up work (read cache computed ahead, search index
    caught up), so that loads measure the steady state; returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        health = httpx.get(process.url + "/healthz", timeout=60).json()
        if not health.get("warming") and health["search"]["ready"]:
            break
        time.sleep(0.2)
    return time.monotonic() - started


def bare_serve() -> Process:
    def probe(url: str) -> bool:
        return httpx.post(url + "/items", timeout=5).status_code == 200
    return Process([sys.executable, "-m", "uvicorn", "bench.bare:app", "--port", "{port}", "--loop", "uvloop",
                    "--http", "httptools", "--log-level", "warning", "--no-access-log"], probe)


LUA = """
bodies = {BODIES}
counter = 0
tid = 0
local made = 0
setup = function(thread)
  thread:set("tid", made)
  made = made + 1
end
request = function()
  -- wrk's two threads take turns through the list: no body is sent twice before the list is done
  local body = bodies[((counter * 2 + tid) % #bodies) + 1]
  counter = counter + 1
  return wrk.format("POST", "PATH", {["Content-Type"] = "application/json"}, body)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %.3f %.3f\\n", summary.requests, summary.duration,
                         latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


@dataclass
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int


def wrk(url: str, path: str, bodies: list[str], seconds: int, connections: int = 32) -> Load:
    """Load from wrk (Debian), in its own process, on loopback, bounded in time: POSTs of `bodies` to `path`."""
    return _wrk(url, LUA.replace("PATH", path).replace("{BODIES}", "{" + ",".join(_lua(b) for b in bodies) + "}"),
                seconds, connections)


def wrk_pages(url: str, paths: list[str], seconds: int, connections: int = 32) -> Load:
    """The same, for a browser's GETs of `paths` (HTML asked for, in French)."""
    lua = LUA.replace("{BODIES}", "{" + ",".join(_lua(p) for p in paths) + "}").replace(
        'wrk.format("POST", "PATH", {["Content-Type"] = "application/json"}, body)',
        'wrk.format("GET", body, {["Accept"] = "text/html", ["Accept-Language"] = "fr"})')
    return _wrk(url, lua, seconds, connections)


def _wrk(url: str, lua: str, seconds: int, connections: int) -> Load:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is needed (apt-get install wrk)")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    try:
        out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", script.name, url],
                             capture_output=True, text=True, timeout=seconds + 60).stdout
    finally:
        os.unlink(script.name)
    requests, duration_us, p50, p99 = re.search(r"RESULT (\d+) (\d+) ([\d.]+) ([\d.]+)", out).groups()
    return Load(int(requests) / (int(duration_us) / 1e6), float(p50), float(p99), int(requests))


def _lua(text: str) -> str:
    return "[==[" + text + "]==]"


def gql_body(query: str, variables: dict | None = None) -> str:
    return json.dumps({"query": query, "variables": variables or {}}, ensure_ascii=False)


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started
