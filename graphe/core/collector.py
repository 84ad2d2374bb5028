"""The one place Graphe touches Python's cyclic garbage collector (`gc`): each policy with the measurement
that keeps it (docs/architecture.md, "Performance machinery"). `tests/test_architecture.py` checks that no
other module imports `gc`."""
from __future__ import annotations

import contextlib
import gc
import warnings
from collections.abc import Iterator

__all__ = ["SERVING_GC", "lasting_objects", "let_go", "paused", "paused_for_start", "tune_for_serving"]

# The collector's thresholds for a serving process (CPython's defaults: 700, 10, 10). A full pass walks every
# long-lived object made since the last freeze (sort keys, sets of members, memoised values: 70,000 to
# 250,000 at 100,000 practices) and with the defaults it came every 0.7 s under load, 40 to 250 ms each —
# 6 to 9 % of the serving time, and the p99. Young passes then come every 10,000 allocations instead of
# 700: a request's objects are mostly freed by reference counting before one (measured: no full pass in a
# 10 s load, young passes of 5 to 30 ms).
SERVING_GC = (10_000, 20, 100)


def paused_for_start() -> None:
    """No collector pass during a service's start-up imports: what they make lives as long as the process,
    and `tune_for_serving` puts it out of the collector's sight before enabling it again."""
    gc.disable()


def tune_for_serving() -> None:
    """Put what exists so far (the modules, their classes and functions: they live as long as the process)
    out of the collector's sight, then enable it with `SERVING_GC` (process-wide: called by `graphe serve`
    only). Each full pass walked them all: 25 to 60 ms each, three of them during a start (measured with
    `gc.callbacks`)."""
    gc.freeze()
    gc.set_threshold(*SERVING_GC)
    gc.enable()


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The collector paused around work that makes millions of lasting, acyclic objects (a validated
    import's scan: each pass would walk them all again)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


@contextlib.contextmanager
def lasting_objects(collect: bool = True) -> Iterator[None]:
    """Around work that makes millions of small objects living as long as their revision (lists, sort keys,
    entities read ahead): the collector is paused — each of its full passes walked them all again, forty
    passes of 0.3 to 0.7 s at 100,000 practices, most of the reading time — then the objects are put out of
    its sight for good (their pauses showed in the p99 latency). They hold no cycles — the links between
    entities the GraphQL plan adds later are cleared when an entity leaves the read cache
    (`entities.forget`) —: reference counting frees them when their revision goes. `collect` false (refreshes
    after writes, one a second under a writer): no full pass first — 100 ms and more with the interpreter
    held at 10,000 practices, every time —, the few cycles made since are frozen with the rest."""
    if collect:
        gc.collect()  # garbage cycles made so far go now: whatever is alive at the end is frozen for good
    with paused():
        try:
            yield
        finally:
            gc.freeze()


def let_go() -> None:
    """whoosh leaves the files of a reader or writer that failed on a damaged index to the collector: let
    them go now, quietly."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
