"""A request's time budget, enforced where the work runs.

`asyncio.timeout` around synchronous work only fires once that work gives the loop back, that is after it
is done. The work itself (GraphQL execution, store reads, search steps) runs in a worker thread, inside
`budget(seconds)`, and calls `check()` between its steps: past the deadline, `check()` raises
QUERY_TIMEOUT and the work stops there. The deadline lives in a context variable, so each thread (and each
task) sees its own request's budget; outside a budget `check()` never raises.
"""
from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Iterator

from .errors import GrapheError

_deadline: contextvars.ContextVar[tuple[float, float] | None] = contextvars.ContextVar("graphe_deadline",
                                                                                       default=None)


@contextlib.contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Run the block with `seconds` to spend (a tighter enclosing budget stays in force)."""
    end = time.monotonic() + seconds
    outer = _deadline.get()
    if outer is not None and outer[0] < end:
        end, seconds = outer
    token = _deadline.set((end, seconds))
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining() -> float | None:
    """Seconds left in the current budget (never below 0), or None outside any budget."""
    current = _deadline.get()
    return None if current is None else max(0.0, current[0] - time.monotonic())


def check() -> None:
    """Raise QUERY_TIMEOUT (HTTP 504) once the current budget is spent."""
    current = _deadline.get()
    if current is not None and time.monotonic() >= current[0]:
        raise expired(current[1])


def expired(seconds: float) -> GrapheError:
    return GrapheError("QUERY_TIMEOUT",
                       f"Requête interrompue après {seconds:g} s : demandez moins de données.",
                       f"Request stopped after {seconds:g} s: ask for less data.", {"status": 504})
