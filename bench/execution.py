"""What the planned GraphQL execution buys: `python -m bench.execution [--practices 10000] [--pages 400]`.

The same varied list pages (theme × page × order × size, the `bench.run` row) and practice details, run in
process through two schemas on one Graphe, alternately: the planned one that serves (`api/plan.py` completes
levels outside graphql-core) and `build_schema(planned=False)`, plain strawberry resolvers over the request's
DataLoaders and the same read cache. Every list is computed once before (both read the same kept lists and
entities), so the figure is the execution alone. Nothing is asserted here; the answers are checked equal.
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.run import BASE, DETAIL, LIST_ORDERED
from support.datagen import generate, seed_themes


def requests(practices: int, pages: int, seed: int = 3) -> tuple[list[dict], list[dict], list[dict]]:
    """(varied list pages, one first page of every theme × order to compute the lists, details)."""
    rng = random.Random(seed)
    combos = [(t, p, o, d, n) for t in seed_themes() for p in range(max(1, practices // 20 // 20))
              for o in ("TITLE", "ISSUED", "ID") for d in ("ASC", "DESC") for n in range(16, 25)]
    rng.shuffle(combos)

    def body(t: str, p: int, o: str, d: str, n: int) -> dict:
        return {"t": [BASE + "id/theme/" + t], "o": {"field": o, "direction": d}, "n": n,
                "after": base64.urlsafe_b64encode(f"o:{p * 20 - 1}".encode()).decode() if p else None}
    lists = {(t, o, d): body(t, 0, o, d, 20) for t, _, o, d, _ in combos}
    details = [{"id": f"{BASE}id/practice/gen-{rng.randrange(practices)}"} for _ in range(pages)]
    return [body(*c) for c in combos[:pages]], list(lists.values()), details


def run(practices: int, pages: int, rounds: int = 3) -> dict[str, dict[str, float]]:
    from graphe.api.context import Context
    from graphe.api.schema import build_schema
    from graphe.core.settings import Settings
    from graphe.service import Graphe

    path = Path(tempfile.mkdtemp(prefix="graphe-execution-")) / "generated.ttl"
    path.write_text(generate(practices, seed=7), encoding="utf-8")
    graphe = Graphe.open(Settings(data_dir=None), search="off")
    try:
        graphe.load([path])
        graphe.warm_reads().join()
        schemas = {"planned": build_schema(), "plain": build_schema(planned=False)}
        varied, lists, details = requests(practices, pages)

        async def answers(schema, query: str, bodies: list[dict]) -> list:  # type: ignore[no-untyped-def]
            out = []
            for variables in bodies:
                result = await schema.execute(query, variable_values=variables, context_value=Context(graphe))
                assert not result.errors, result.errors
                out.append(result.data)
            return out

        asyncio.run(answers(schemas["planned"], LIST_ORDERED, lists))  # every list once, kept for both
        times: dict[str, dict[str, list[float]]] = {k: {"list": [], "detail": []} for k in schemas}
        seen: dict[str, list] = {}
        for _ in range(rounds):
            for name, schema in schemas.items():  # alternately, so that drift hits both
                for kind, query, bodies in (("list", LIST_ORDERED, varied), ("detail", DETAIL, details)):
                    started = time.perf_counter()
                    data = asyncio.run(answers(schema, query, bodies))
                    times[name][kind].append((time.perf_counter() - started) / len(bodies) * 1000)
                    assert seen.setdefault(kind, data) == data, f"{name} answered {kind} differently"
        return {name: {kind: statistics.median(v) for kind, v in kinds.items()} for name, kinds in times.items()}
    finally:
        graphe.close()
        path.unlink()


def report(result: dict[str, dict[str, float]], practices: int, pages: int) -> str:
    rows = [f"GraphQL execution in process, {practices:,} practices, {pages} varied pages and details, medians of "
            "alternated rounds (answers equal).", "",
            "| request | planned (api/plan.py) | plain resolvers + DataLoaders | plain / planned |",
            "|---|---:|---:|---:|"]
    for kind, label in (("list", "varied list page (16–24 practices, city, themes)"),
                        ("detail", "practice detail (city, charters, criteria, adaptations)")):
        planned, plain = result["planned"][kind], result["plain"][kind]
        rows.append(f"| {label} | {planned:.2f} ms | {plain:.2f} ms | {plain / planned:.2f}× |")
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Exécution GraphQL planifiée contre résolveurs ordinaires.")
    parser.add_argument("--practices", type=int, default=10000)
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    print(report(run(args.practices, args.pages, args.rounds), args.practices, args.pages))
    return 0


if __name__ == "__main__":
    sys.exit(main())
