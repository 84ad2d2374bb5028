"""Where a writer's cost lands: `python -m bench.interference [--practices 10000] [--seconds 30] [--burn-ms 55]`.

The same mixed reads as `bench.load` (64 connections, GraphQL lists and details, searches, SPARQL), four
times in one run, each on a freshly started service: reads alone; reads while a separate process burns
`--burn-ms` of CPU every second; reads while a thread *inside* the serving process burns the same; reads
alone again. A publication costs the serving process ≈ 55 ms of interpreter time unloaded (parse, SHACL,
index, renewal of kept answers: bench/NOTES.md). If p99 rises with the in-process burn and not with the
external one, the reads are slowed by the interpreter lock, not by the machine's cores — which tells how
much of a write may stay in the serving process for "p99 with a writer ≤ 2× without" (issue 15).
Nothing is asserted here.
"""
from __future__ import annotations

import argparse
import multiprocessing
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench import load, measure

# The thread's work: pure-Python loops hold the interpreter lock as a write's parsing and SHACL code does.
BURN = """
import threading, time
def _burn(ms):
    while True:
        start = time.perf_counter()
        end = start + ms / 1000
        while time.perf_counter() < end:
            sum(i * i for i in range(200))
        time.sleep(max(0.0, 1.0 - (time.perf_counter() - start)))
threading.Thread(target=_burn, args=({ms},), daemon=True).start()
"""


def _burn_process(ms: float, stop) -> None:  # type: ignore[no-untyped-def]
    while not stop.is_set():
        start = time.perf_counter()
        end = start + ms / 1000
        while time.perf_counter() < end:
            sum(i * i for i in range(200))
        time.sleep(max(0.0, 1.0 - (time.perf_counter() - start)))


def serve(data: Path, burn_ms: float = 0) -> measure.Process:
    """The service as `bench.load` starts it; with `burn_ms`, a thread in it burns that much CPU a second."""
    if not burn_ms:
        return measure.graphe_serve(data)
    code = BURN.replace("{ms}", repr(burn_ms)) + "from graphe.cli.main import main; import sys; sys.exit(main())"
    return measure.graphe_serve(data, [sys.executable, "-c", code])


def phase(data: Path, mix: list, seconds: int, connections: int, burn_ms: float, where: str) -> load.Mixed:
    server = serve(data, burn_ms if where == "thread" else 0)
    stop = multiprocessing.Event()
    burner = None
    try:
        measure.settled(server)
        load.wrk_mixed(server.url, mix, max(3, seconds // 6), connections)  # warm-up
        if where == "process":
            burner = multiprocessing.Process(target=_burn_process, args=(burn_ms, stop), daemon=True)
            burner.start()
        return load.wrk_mixed(server.url, mix, seconds, connections)
    finally:
        stop.set()
        if burner is not None:
            burner.join(5)
        server.stop()


def run(practices: int, seconds: int, connections: int, burn_ms: float) -> list[tuple[str, load.Mixed]]:
    work = Path(tempfile.mkdtemp(prefix="graphe-interference-"))
    try:
        load.say(f"données : {practices} fiches…")
        data, _, _ = load.prepare(work, practices)
        mix = load.requests_mix(practices)
        # The first start of a new store builds its search index and public mirror: done before the phases,
        # so that each phase starts the same way.
        phase(data, mix, 3, connections, 0, "")
        rows = []
        for name, burn, where in (("alone", 0, ""), (f"{burn_ms:g} ms/s burnt in another process", burn_ms, "process"),
                                  (f"{burn_ms:g} ms/s burnt in a thread of the service", burn_ms, "thread"),
                                  ("alone again", 0, "")):
            load.say(f"{name}, {seconds} s…")
            rows.append((name, phase(data, mix, seconds, connections, burn, where)))
        return rows
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(rows: list[tuple[str, load.Mixed]], practices: int, seconds: int, connections: int) -> str:
    base = min(m.p99_ms for name, m in rows if name.startswith("alone"))
    lines = [f"Reads under a CPU burn, {practices:,} practices, {connections} connections, {seconds} s per phase "
             "(the `bench.load` mix).", "",
             "| reads | req/s | p50 ms | p99 ms | p99 / best alone | 5xx |", "|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {name} | {m.rps:,.0f} | {m.p50_ms:.1f} | {m.p99_ms:.1f} | {m.p99_ms / base:.2f}× | {m.http_5xx} |"
              for name, m in rows]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Lectures sous une charge CPU fixe, dans et hors du service.")
    parser.add_argument("--practices", type=int, default=10000)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--burn-ms", type=float, default=55.0, help="ms de calcul par seconde (défaut : 55)")
    parser.add_argument("--out", type=Path, help="écrire le rapport (Markdown) dans ce fichier")
    args = parser.parse_args(argv)
    text = report(run(args.practices, args.seconds, args.connections, args.burn_ms), args.practices, args.seconds,
                  args.connections)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
