"""Values derived from the data for reading, kept per store revision.

Data only changes at a new revision, so a value computed at revision r stays true until the revision moves:
nothing is ever invalidated, entries of an older revision are simply not returned and age out. The cache is
bounded by a total weight (e.g. the number of IRIs an ordered list holds), least recently used first out,
and computes each missing key once even when several threads ask for it at the same time ("single flight").
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

T = TypeVar("T")

__all__ = ["RevisionCache"]


class _Flight:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: object = None
        self.error: BaseException | None = None


class RevisionCache:
    def __init__(self, max_weight: int = 2_000_000) -> None:
        self.max_weight = max_weight
        self.weight = 0
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Hashable, tuple[int, object, int]] = OrderedDict()
        self._flights: dict[tuple[int, Hashable], _Flight] = {}
        self._lock = threading.Lock()

    def get(self, revision: int, key: Hashable, compute: Callable[[], T],
            weight: Callable[[T], int] = lambda _: 1) -> T:
        """The value of `key` at `revision`, computed by `compute()` if not kept yet."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == revision:
                self._entries.move_to_end(key)
                self.hits += 1
                return entry[1]  # type: ignore[return-value]
            flight = self._flights.get((revision, key))
            leader = flight is None
            if leader:
                flight = self._flights[(revision, key)] = _Flight()
            self.misses += leader
        assert flight is not None
        if not leader:
            flight.done.wait()
            if flight.error is not None:
                raise flight.error
            return flight.value  # type: ignore[return-value]
        try:
            value = compute()
        except BaseException as error:
            flight.error = error
            raise
        else:
            flight.value = value
            self._put(revision, key, value, max(1, weight(value)))
            return value
        finally:
            with self._lock:
                self._flights.pop((revision, key), None)
            flight.done.set()

    def peek(self, revision: int, key: Hashable, default: object = None) -> object:
        """The value of `key` at `revision` if kept, else `default` (nothing is computed)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != revision:
                return default
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[1]

    def get_many(self, revision: int, keys: Sequence[Hashable], compute: Callable[[list[Hashable]], dict],
                 weight: Callable[[object], int] = lambda _: 1, default: object = None) -> dict:
        """The values of `keys` at `revision`; the missing ones computed together by `compute(missing)`,
        which returns a dict (keys it leaves out get `default`, kept as well)."""
        out: dict = {}
        missing: list[Hashable] = []
        with self._lock:
            for key in keys:
                entry = self._entries.get(key)
                if entry is not None and entry[0] == revision:
                    self._entries.move_to_end(key)
                    out[key] = entry[1]
                elif key not in out:
                    missing.append(key)
            self.hits += len(out)
            self.misses += len(missing)
        if missing:
            found = compute(missing)
            for key in missing:
                value = out[key] = found.get(key, default)
                self._put(revision, key, value, max(1, weight(value)))
        return out

    def _put(self, revision: int, key: Hashable, value: object, weight: int) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.weight -= old[2]
            if weight > self.max_weight:
                return
            self._entries[key] = (revision, value, weight)
            self.weight += weight
            while self.weight > self.max_weight:
                _, (_, _, dropped) = self._entries.popitem(last=False)
                self.weight -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.weight = 0

    def __len__(self) -> int:
        return len(self._entries)
