"""The benchmark commands the docs name run and report (small sizes here; the measured runs are in
BENCHMARKS.md and docs/architecture.md). bench.run and bench.load run in .ci/run with --quick."""
from __future__ import annotations

import re
from pathlib import Path

from bench import after_write, load


def test_after_write_reports_renewed_against_read_again(capsys) -> None:  # type: ignore[no-untyped-def]
    assert after_write.main(["--practices", "40", "--runs", "1"]) == 0
    line = capsys.readouterr().out
    carried = int(re.search(r"\(40 practices, ([\d,]+) entities renewed\)", line).group(1).replace(",", ""))
    assert carried > 40  # the practices, their cities and themes went on to the new revision
    assert re.search(r"read again: \d+ ms \| [\d.]+× the time", line)


def test_the_load_mix_covers_every_channel_and_its_report_reads() -> None:
    mix = load.requests_mix(50)
    kinds = {("search" if "search(" in body else "detail" if "practice(id" in body else "list") if path == "/graphql"
             else "sparql" for _, path, body in mix}
    assert kinds == {"list", "detail", "search", "sparql"}
    without = load.requests_mix(50, search=False)
    assert not [b for _, _, b in without if "search(" in b] and len(without) == len(mix) - 200
    only = load.requests_mix(50, kinds=("sparql", "details"))
    assert set(only) == {r for r in mix if r[1].startswith("/sparql") or "practice(id" in r[2]} and len(only) == 400
    assert [r for r in mix if r in set(only)] == only  # the same requests, in the full mix's order
    reads = load.Mixed(100.0, 5.0, 20.0, 1000, 0, 0, 0)
    text = load.report({"practices": 50, "seconds": 1, "connections": 2, "alone": reads,
                        "with_writer": load.Mixed(80.0, 6.0, 30.0, 800, 0, 0, 0), "writer": load.Writer(),
                        "missing": {}, "health": {"revision": 3}})
    assert "**1.50×**" in text and "0 of 0" in text


def test_search_bench_reports_both_engines(capsys) -> None:  # type: ignore[no-untyped-def]
    from bench import search

    assert search.main(["--practices", "40", "--runs", "1"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"\| full reindex \(40 practices\) \| tantivy [\d,]+ documents/s \| whoosh [\d,]+ documents/s", out)
    assert re.search(r"p50 \(40 practices\) \| [\d.]+ ms \| whoosh path in-process \d+ ms; tantivy in-process", out)
    assert "serve peak" in out
    assert re.search(r"suggestion [\d.]+ ms \| the search itself \(hits and facets\) [\d.]+ ms", out)


def test_the_data_generator_command_writes_a_file_the_shapes_accept(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`python -m support.datagen --practices N --out FILE` (docs/development.md), shared by tests and benches."""
    from graphe.core.settings import Settings
    from graphe.service import Graphe
    from support import datagen

    out = tmp_path / "gen.ttl"
    assert datagen.main(["--practices", "5", "--out", str(out)]) == 0
    graphe = Graphe.open(Settings(data_dir=None), search="off")
    try:
        assert graphe.validate_files([out]).conforms
    finally:
        graphe.close()


def test_interference_bench_runs_its_four_phases(capsys) -> None:  # type: ignore[no-untyped-def]
    """`python -m bench.interference` (BENCHMARKS.md): reads alone, under a burn outside, inside, alone again."""
    from bench import interference

    assert interference.main(["--practices", "20", "--seconds", "1", "--connections", "4", "--burn-ms", "5"]) == 0
    out = capsys.readouterr().out
    names = re.findall(r"^\| ([^|]+?) \| [\d,]+ \| [\d.]+ \| [\d.]+ \| [\d.]+× \| 0 \|$", out, re.M)
    assert names == ["alone", "5 ms/s burnt in another process", "5 ms/s burnt in a thread of the service",
                     "alone again"]


def test_execution_bench_compares_planned_and_plain(capsys) -> None:  # type: ignore[no-untyped-def]
    """`python -m bench.execution` (docs/architecture.md's row on api/plan.py): both schemas, same answers."""
    from bench import execution

    assert execution.main(["--practices", "60", "--pages", "5", "--rounds", "1"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"\| varied list page .* \| [\d.]+ ms \| [\d.]+ ms \| [\d.]+× \|", out)
    assert re.search(r"\| practice detail .* \| [\d.]+ ms \| [\d.]+ ms \| [\d.]+× \|", out)


def test_feeds_bench_reports_built_against_kept(capsys) -> None:  # type: ignore[no-untyped-def]
    """`python -m bench.feeds` (docs/architecture.md: what keeping each Atom feed per revision buys)."""
    from bench import feeds

    assert feeds.main(["--practices", "30", "--runs", "1"]) == 0
    out = capsys.readouterr().out
    assert "30 practices" in out and len(re.findall(r"[\d.]+ / +[\d.]+ ms +\(×[\d,]+\)", out)) == 4


def test_close_rows_are_measured_three_times_and_others_once() -> None:
    """`bench.run`: a row within 10 % of its goal after one pass is the median of 3 passes; others keep one."""
    import argparse

    from bench.measure import Figure
    from bench.run import confirmed

    calls = []

    def produce() -> list[Figure]:
        calls.append(1)
        return [Figure("close", "req/s", values=[0.105 + len(calls) / 1000], baseline=[1.0], goal_ratio=0.1),
                Figure("far", "req/s", values=[0.5], baseline=[1.0], goal_ratio=0.1)]

    close, far = confirmed(produce, argparse.Namespace(confirm=True))
    assert len(calls) == 3 and len(close.values) == 3 and len(far.values) == 1
    assert close.median == 0.107 and close.met and close.close
    calls.clear()
    confirmed(produce, argparse.Namespace(confirm=False))  # --quick or --runs N: no extra pass
    assert len(calls) == 1


def test_the_report_holds_this_run_only_with_what_each_row_measures() -> None:
    import argparse

    from bench.measure import Figure
    from bench.run import report

    rows = [Figure("restart", "s", values=[0.5], baseline=[0.2], goal="≤ 2×", goal_ratio=2.0, higher_is_better=False,
                   measures="a restart", code="bench/restart.py:figures"),
            Figure("memory", "MB", values=[900.0], goal="≤ 1,500 MB", goal_ratio=1500, higher_is_better=False,
                   measures="peak", code="bench/measure.py:Process.peak_memory_mb")]
    text = report(argparse.Namespace(runs=1, quick=False, confirm=True, no_virtuoso=True, seconds=10), [(1000, rows)])
    assert "| **restart** — a restart ([`bench/restart.py:figures`](bench/restart.py)) | 0.50 s |" in text
    assert "| 2.50 | ≤ 2× | non | 1 |" in text and "| **oui** |" in text
    assert "1 tenus sur 2 ; manqués : restart (2.50, objectif ≤ 2×)" in text
    notes = (Path(__file__).resolve().parent.parent / "bench" / "NOTES.md").read_text(encoding="utf-8")
    assert "23 h" in notes and "23 h" not in text  # another run's prose stays in the notes
