"""Restart to the first correct GraphQL answer (issue 21): `python -m bench.restart --practices 10000 [--runs 3]`.

A `graphe serve` stopped cleanly and started again on the same data folder, timed from the process's launch to
the first correct answer of a list page (PROBE). Two baselines, measured in the same run, alternating with it:
the same restart on a store of 1,000 practices (the start's cost should not grow with the data), and a bare
Starlette app importing strawberry and graphql-core that answers the same query shape (bench/bare_graphql.py).
The first start of each store (search index built, nothing saved yet) is done once before, outside the figures.
"""
from __future__ import annotations

import argparse
import compileall
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench import measure
from bench.measure import ROOT, Figure, free_port

# A list page as a city technician's first request would ask it: the probe of bench.measure.graphe_serve
# (`practices(first: 1) { … id }`) needs no city, theme or count.
PROBE = "{ practices(first: 20) { totalCount edges { node { id title city { name country } themes { label } } } } }"
BARE = [sys.executable, "-m", "uvicorn", "bench.bare_graphql:app", "--port", "{port}", "--loop", "uvloop",
        "--http", "httptools", "--log-level", "warning", "--no-access-log"]
SMALL = 1000


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


class WrongAnswer(RuntimeError):
    pass


class Server:
    """A server in a child process (its own process group: SPARQL workers and all go with it); `ready` is the
    time from launch to the first answer `expected` accepts (None: any answer without errors)."""

    def __init__(self, args: list[str], expected: dict | None = None, timeout: float = 600,
                 cwd: Path = ROOT) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()
        self.answer: dict | None = None
        started = time.perf_counter()
        self.process = subprocess.Popen([a.replace("{port}", str(self.port)) for a in args], cwd=cwd,
                                        stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + timeout
            with httpx.Client(timeout=60) as client:
                while not self._answered(client, expected):
                    if self.process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"server did not answer: {self.output()[-2000:]!r}")
                    time.sleep(0.01)
            self.ready = time.perf_counter() - started
        except BaseException:
            self.stop()
            raise

    def _answered(self, client: httpx.Client, expected: dict | None) -> bool:
        try:
            r = client.post(self.url + "/graphql", json={"query": PROBE})
        except httpx.TransportError:
            return False
        if r.status_code != 200:
            return False  # (503 while busy: asked again)
        body = r.json()
        if "errors" in body or not body.get("data"):
            return False
        if expected is not None and body["data"] != expected:
            raise WrongAnswer(f"first answer differs from the one at this revision: {str(body)[:500]}")
        self.answer = body["data"]
        return True

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def settle(self, timeout: float = 900) -> float:
        """Wait until start-up work is done (read cache computed ahead, search index ready): the state a
        stop saves, and no background work left to slow the next measurement. Seconds waited."""
        return measure.settled(self, timeout)

    def stop(self) -> None:
        """A clean stop (SIGTERM: the service saves its read cache), killed after 60 s."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # anything of its group still there
        except ProcessLookupError:
            pass
        self.process.wait()
        self.log.close()


def graphe(data: Path, expected: dict | None = None, cwd: Path = ROOT) -> Server:
    return Server([sys.executable, "-m", "graphe.cli", "serve", "--port", "{port}", "--data", str(data)], expected,
                  cwd=cwd)


def make_store(practices: int, folder: Path) -> Path:
    """A store of `practices` generated practices, imported as bench/run.py does (validated, no index yet)."""
    from graphe.core.settings import Settings
    from graphe.service import Graphe
    from support.datagen import generate

    source = folder.parent / f"{folder.name}.ttl"
    source.write_text(generate(practices, seed=7), encoding="utf-8")
    store = Graphe.open(Settings(data_dir=folder), search="off")
    try:
        store.load([source])
    finally:
        store.close()
    source.unlink()
    return folder


def figures(practices: int, work: Path, data_dir: Path, runs: int, small: int = SMALL) -> list[Figure]:
    """Restarts of `graphe serve` on `data_dir` (a store of `practices` practices), alternating with the same
    restart on a 1,000-practice store (`small`) made in `work` and with the bare strawberry app."""
    # The package's bytecode written first, as an installed package (and `dev.py`) has it (bench/run.py too).
    compileall.compile_dir(str(ROOT / "graphe"), quiet=1)
    compileall.compile_file(str(ROOT / "bench" / "bare_graphql.py"), quiet=1)
    say(f"redémarrage : magasin de {small} fiches…")
    small_dir = make_store(small, work / "restart-small")
    stores = {small: small_dir, practices: data_dir}
    expected: dict[int, dict] = {}
    first: dict[int, tuple[float, float]] = {}
    for size, folder in stores.items():  # first starts: search index built, read cache saved at the stop
        server = graphe(folder)
        try:
            settling = server.settle()
            expected[size] = _reference(server)
        finally:
            server.stop()
        first[size] = (server.ready, settling)
        say(f"premier démarrage à {size} fiches : {server.ready:.2f} s (puis {settling:.1f} s de mise en route)")
    sizes: dict[str, list[float]] = {"bare": [], "small": [], "large": []}
    for i in range(runs):
        bare = Server(BARE)
        bare.stop()
        sizes["bare"].append(bare.ready)
        for name, size in (("small", small), ("large", practices)):
            server = graphe(stores[size], expected[size])
            try:
                server.settle()  # (so that each restart finds the state the previous one left: the steady case)
            finally:
                server.stop()
            sizes[name].append(server.ready)
        say(f"passe {i + 1} : nue {bare.ready:.3f} s, {small} fiches {sizes['small'][-1]:.3f} s, "
            f"{practices} fiches {sizes['large'][-1]:.3f} s")
    note = (f"first starts (search index built, nothing saved): {first[practices][0]:.2f} s at {practices:,} "
            f"practices, {first[small][0]:.2f} s at {small:,}; excluded; probe: {PROBE}")
    code = "bench/restart.py:figures"
    return [
        Figure(f"restart to first GraphQL answer, {practices:,} practices (persisted store)", "s",
               values=sizes["large"], baseline=sizes["small"], goal=f"≤ 1.5× the same restart at {small:,}",
               higher_is_better=False, note=note, goal_ratio=1.5, code=code,
               measures=f"graphe serve stopped cleanly and started again, launch to the first correct list page, "
                        f"against the same at {small:,} practices"),
        Figure(f"restart to first GraphQL answer, {practices:,} practices, against a bare strawberry app", "s",
               values=sizes["large"], baseline=sizes["bare"], goal="≤ 2× a bare Starlette + strawberry start",
               higher_is_better=False, note=note, goal_ratio=2.0, code=code,
               measures="the same restart, against a Starlette app importing strawberry and graphql-core that "
                        "answers the same query (bench/bare_graphql.py)"),
    ]


def _reference(server: Server) -> dict:
    """The probe's answer once settled: what every restart at this revision must answer first."""
    r = httpx.post(server.url + "/graphql", json={"query": PROBE}, timeout=60)
    body = r.json()
    assert r.status_code == 200 and "errors" not in body, body
    edges = body["data"]["practices"]["edges"]
    assert edges and any(e["node"]["city"] for e in edges) and all(e["node"]["themes"] for e in edges), body
    return body["data"]  # type: ignore[no-any-return]


def table(figs: list[Figure]) -> str:
    lines = ["| figure | Graphe (median) | baseline (median) | ratio | goal | runs |", "|---|---|---|---|---|---|"]
    for f in figs:
        ratio = f.ratio
        verdict = "met" if f.met else "missed"
        lines.append(f"| {f.name} | {f.median:.3f} {f.unit} | {statistics.median(f.baseline):.3f} {f.unit} | "
                     f"{ratio:.2f}× ({verdict}) | {f.goal} | {', '.join(f'{v:.3f}' for v in f.values)} / "
                     f"{', '.join(f'{v:.3f}' for v in f.baseline)} |")
    return "\n".join(lines) + f"\n\n{figs[0].note}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Redémarrage de graphe serve jusqu'à la première réponse GraphQL.")
    parser.add_argument("--practices", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--small", type=int, default=SMALL, help="taille de la base de référence (les tests : plus petite)")
    args = parser.parse_args(argv)
    # A SIGTERM ends the run through the `finally` below (servers stopped, files removed), as Ctrl-C does.
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = Path(tempfile.mkdtemp(prefix="graphe-restart-"))
    try:
        say(f"données : {args.practices} fiches…")
        data = make_store(args.practices, work / "data")
        print(table(figures(args.practices, work, data, args.runs, args.small)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
        signal.signal(signal.SIGTERM, previous)
    return 0


if __name__ == "__main__":
    sys.exit(main())
