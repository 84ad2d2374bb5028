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

from support import processes

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
    # What the row measures, in one line, and the code that runs it (a path from the repository's root,
    # with `:function` when one function does it): the report links both.
    measures: str = ""
    code: str = ""
    # The goal as a number and its sense, for the report's verdict and for choosing the rows run three
    # times (within 10 % of the goal): e.g. goal_ratio=0.3 (ratio ≥ 0.3) or 1.2 with higher_is_better=False.
    goal_ratio: float | None = None

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

    @property
    def met(self) -> bool | None:
        """Whether the ratio (or, with no baseline, the value) meets `goal_ratio`; None without a goal."""
        value = self.ratio if self.baseline else (self.median if self.values else None)
        if self.goal_ratio is None or value is None:
            return None
        return value >= self.goal_ratio if self.higher_is_better else value <= self.goal_ratio

    @property
    def close(self) -> bool:
        """Within 10 % of its goal, either side: one run does not decide it (the report takes 3 runs' medians)."""
        value = self.ratio if self.baseline else (self.median if self.values else None)
        if self.goal_ratio is None or value is None:
            return False
        return abs(value - self.goal_ratio) <= 0.1 * self.goal_ratio


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
        processes.stop(self.process)
        self.log.close()


# The benches' aggregates over 100,000 practices take seconds (5.4 s for bench/sparql.py's heaviest alone):
# they are measured, not cut by the public budget (10 s), which a busy machine would make them pass.
BENCH_ENV = {"GRAPHE_SPARQL_TIMEOUT": "300"}


def graphe_serve(data: Path, command: list[str] | None = None, env: dict[str, str] | None = None) -> Process:
    """`graphe serve` on `data`; `command` replaces `python -m graphe.cli` (bench.interference adds a thread)."""
    def probe(url: str) -> bool:
        r = httpx.post(url + "/graphql", json={"query": "{ practices(first: 1) { edges { node { id } } } }"},
                       timeout=60)
        return r.status_code == 200 and "errors" not in r.json()
    return Process([*(command or [sys.executable, "-m", "graphe.cli"]), "serve", "--port", "{port}", "--data", str(data)],
                   probe, env={**BENCH_ENV, **(env or {})})


def settled(process, timeout: float = 600) -> float:  # type: ignore[no-untyped-def]  (anything with a `url`)
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


def virtuoso_version() -> str:
    """Virtuoso's version line (`virtuoso-t -?` prints it first), or that it is absent."""
    if shutil.which("virtuoso-t") is None:
        return "Virtuoso absent"
    out = subprocess.run(["virtuoso-t", "-?"], capture_output=True, text=True, timeout=30)
    line = next((l for l in (out.stdout + out.stderr).splitlines() if "Version" in l), "Virtuoso")
    return "Virtuoso " + line.strip()


def gql_body(query: str, variables: dict | None = None) -> str:
    return json.dumps({"query": query, "variables": variables or {}}, ensure_ascii=False)


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started
