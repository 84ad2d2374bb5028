"""Values derived from the data for reading, kept per store revision.

Data only changes at a new revision, so a value computed at revision r stays true until the revision moves:
nothing is ever invalidated, entries of an older revision are simply not returned and age out — unless the
cache's `renew` says an entry still holds at the newer revision (an entity no write touched since it was
read: `entities.renewal`), then it is taken on to that revision when first asked there. The cache is
bounded by a total weight (e.g. the number of IRIs an ordered list holds), least recently used first out
(approximately: "second chance" — a read only marks its entry, and an entry marked since it was last at the
front of the queue goes back to the end instead of out), and computes each missing key once even when
several threads ask for it at the same time ("single flight").
"""
from __future__ import annotations

import itertools
import logging
import pickle
import threading
from pathlib import Path
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Protocol, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)
SAVE_FORMAT = 2  # bump when what is kept, or how it is written, changes
MAX_FRESH = 32  # values recomputed after a write, at most (the most recently asked)
# Second chances given by one put at most: when every entry was read lately, a put would otherwise walk the
# whole queue under the lock (138 ms for 300,000 entries, measured).
SECOND_CHANCES = 64
STALE = object()  # `renew`: this entry may have changed, leave it to its old revision (`refresh`: compute it)
MAX_FOLLOWED = 64  # `refresh`: values not kept fresh patched for a new revision, at most (read lately)

__all__ = ["Patch", "RevisionCache", "STALE"]


class Patch(Protocol):
    """What `RevisionCache.refresh` asks of a patch (`listing.Patch`)."""

    previous: int  # the revision whose values it starts from
    olds: dict[Hashable, object]  # set by `refresh`: the values of `previous` of the kinds it follows

    def __call__(self, key: Hashable, old: object) -> object: ...  # the value now, or STALE

    def follows(self, key: Hashable) -> int | None: ...  # worth patching when not kept fresh: its rank

    def weight(self, key: Hashable, value: object) -> int: ...


def _patched_or(patch: Patch | None, key: Hashable, old: object, compute: Callable[[], T]) -> Callable[[], T]:
    """`compute`, after trying to patch `old` (when there is one)."""
    if patch is None or old is STALE:
        return compute

    def run() -> T:
        value = patch(key, old)
        return compute() if value is STALE else value  # type: ignore[return-value]
    return run


class _Flight:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: object = None
        self.error: BaseException | None = None
        self.abandoned = False  # no value came (a saved file that ended early): waiters compute it


Renew = Callable[[Hashable, object, int, int], object]


class RevisionCache:
    def __init__(self, max_weight: int = 2_000_000, on_drop: Callable[[object], None] | None = None,
                 renew: Renew | None = None) -> None:
        self.max_weight = max_weight
        self.on_drop = on_drop  # called with each value leaving the cache (replaced, evicted, cleared)
        # renew(key, value, its revision, a newer revision): the value for the newer one, or STALE
        self.renew = renew
        self.renewed = 0
        self.weight = 0
        self.hits = 0
        self.misses = 0
        # key → [revision, value, weight, read since last at the front]; the oldest put or kept first
        self._entries: OrderedDict[Hashable, list] = OrderedDict()
        self._flights: dict[tuple[int, Hashable], _Flight] = {}
        self._fresh: dict[Hashable, tuple[Callable[[], object], Callable[[object], int]]] = {}
        self._lock = threading.Lock()

    def get(self, revision: int, key: Hashable, compute: Callable[[], T],
            weight: Callable[[T], int] = lambda _: 1, fresh: bool = False) -> T:
        """The value of `key` at `revision`, computed by `compute()` if not kept yet. With `fresh`, `compute`
        is remembered and `refresh` computes the value again for a new revision before anyone asks."""
        if fresh:
            with self._lock:
                self._fresh.pop(key, None)
                self._fresh[key] = (compute, weight)  # most recently asked last
                while len(self._fresh) > MAX_FRESH:
                    self._fresh.pop(next(iter(self._fresh)))
        tried = False
        while True:
            older = None
            with self._lock:
                entry = self._entries.get(key)
                if entry is not None and entry[0] == revision:
                    entry[3] = True
                    self.hits += 1
                    return entry[1]  # type: ignore[no-any-return]
                if entry is not None and not tried and self.renew is not None and entry[0] < revision:
                    older = entry
                else:
                    flight = self._flights.get((revision, key))
                    leader = flight is None
                    if leader:
                        flight = self._flights[(revision, key)] = _Flight()
                    self.misses += leader
            if older is not None:
                tried = True
                self._renewal(revision, key, older)
                continue  # (kept at `revision` now, unless it did not hold)
            assert flight is not None
            if leader:
                return self._lead(revision, key, flight, compute, weight)
            flight.done.wait()
            if flight.error is not None:
                raise flight.error
            if not flight.abandoned:
                return flight.value  # type: ignore[return-value]
            # (the saved file that was to bring it did not: compute it, or wait for whoever does)

    def _lead(self, revision: int, key: Hashable, flight: _Flight, compute: Callable[[], T],
              weight: Callable[[T], int]) -> T:
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
            self._end(revision, key, flight)

    def peek(self, revision: int, key: Hashable, default: object = None, renew: bool = True) -> object:
        """The value of `key` at `revision` if kept, else `default` (nothing is computed). Without the lock:
        resolvers peek tens of times per request, and each step here is one operation of the interpreter
        (atomic) — an entry evicted meanwhile is still a valid value of this revision. Only a mark: moving
        the entry to the end of a queue of 100,000 cost a tenth of a list page's time."""
        entry = self._entries.get(key)
        if entry is None:
            return default
        if entry[0] != revision:
            if entry[0] > revision or self.renew is None or not renew:
                return default
            entry = self._renewal(revision, key, entry)  # (once per entry and revision)
            if entry is None:
                return default
        entry[3] = True
        self.hits += 1  # (approximate under concurrency: statistics only)
        return entry[1]

    def _renewal(self, revision: int, key: Hashable, entry: list) -> list | None:
        """Take `entry`, kept at an older revision, on to `revision` if `renew` says it holds there (asked
        without the lock: it may read the store); a new entry object, so that a reader holding the old one
        is not affected. Returns the entry kept at `revision` afterwards, if any."""
        value = self.renew(key, entry[1], entry[0], revision) if self.renew is not None else STALE
        with self._lock:
            current = self._entries.get(key)
            if current is entry and value is not STALE:
                if value is not entry[1]:
                    self._dropped(entry[1])
                current = self._entries[key] = [revision, value, entry[2], entry[3]]
                self.renewed += 1
            return current if current is not None and current[0] == revision else None

    def older(self, key: Hashable, revision: int) -> tuple[int, object] | None:
        """The kept value of `key` at a revision before `revision` (with that revision), if any (unmarked)."""
        entry = self._entries.get(key)
        if entry is None or entry[0] >= revision:
            return None
        return entry[0], entry[1]

    def get_many(self, revision: int, keys: Sequence[Hashable], compute: Callable[[list[Hashable]], dict],
                 weight: Callable[[object], int] = lambda _: 1, default: object = None) -> dict:
        """The values of `keys` at `revision`; the missing ones computed together by `compute(missing)`,
        which returns a dict (keys it leaves out get `default`, kept as well)."""
        out: dict = {}
        missing: list[Hashable] = []
        older: list[tuple[Hashable, list]] = []
        with self._lock:
            for key in keys:
                entry = self._entries.get(key)
                if entry is not None and entry[0] == revision:
                    entry[3] = True
                    out[key] = entry[1]
                elif key not in out:
                    if entry is not None and self.renew is not None and entry[0] < revision:
                        older.append((key, entry))
                    else:
                        missing.append(key)
        for key, entry in older:
            renewed = self._renewal(revision, key, entry)
            if renewed is not None:
                out[key] = renewed[1]
            else:
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
            old = self._entries.get(key)
            if old is not None and old[0] > revision:
                return  # a reader of an older revision: the newer value stays
            old = self._entries.pop(key, None)
            if old is not None:
                self.weight -= old[2]
                self._dropped(old[1])
            if weight > self.max_weight:
                return
            self._entries[key] = [revision, value, weight, False]
            self.weight += weight
            chances = SECOND_CHANCES
            while self.weight > self.max_weight:
                oldest, entry = self._entries.popitem(last=False)
                if entry[3] and entry[0] == revision and chances:  # read since it was last here: a second chance
                    chances -= 1
                    entry[3] = False
                    self._entries[oldest] = entry
                else:
                    self.weight -= entry[2]
                    self._dropped(entry[1])

    def refresh(self, revision: int, stop: Callable[[], bool] = lambda: False, patch: Patch | None = None) -> int:
        """Compute again, for `revision`, the values kept fresh (after a write, in the background: the first
        reader of the new revision then finds them ready). Returns how many were computed.

        With `patch`, a value of revision `patch.previous` is first offered to `patch(key, old)`, which
        brings it to the current data from what the write touched (cheaper than computing it) or says
        `STALE` (then it is computed). Values not kept fresh but of a kind `patch.follows` and read at
        `patch.previous` (at most `MAX_FOLLOWED`, the most recently put first) are patched too, after the
        fresh ones (which they may be derived from), in the order of `patch.follows`'s ranks; one it cannot
        patch is left to the reader who asks."""
        with self._lock:
            for key in [k for k in self._fresh if k not in self._entries]:
                del self._fresh[key]  # dropped from the cache: nobody asked lately, not worth computing
            todo = [(key, compute, weight, self._old(key, patch)) for key, (compute, weight) in self._fresh.items()]
            # A copy of the queue (C speed, no Python per entry under the lock): looked through outside it.
            snapshot = list(self._entries.items()) if patch is not None else []
        followers: list[tuple[int, Hashable, object]] = []
        if patch is not None:
            olds: dict[Hashable, object] = {}
            for key, entry in reversed(snapshot):  # the most recently put first
                if entry[0] != patch.previous:  # (entities renewed already, values of other revisions)
                    continue
                rank = patch.follows(key)
                if rank is None or key in self._fresh:
                    continue
                olds[key] = entry[1]
                if entry[3] and len(followers) < MAX_FOLLOWED:
                    followers.append((rank, key, entry[1]))
            followers.sort(key=lambda item: item[0])  # (stable: most recent first within a rank)
            patch.olds = olds
        del snapshot
        done = 0
        for key, compute, weight, old in todo:
            if stop():
                return done
            try:
                self.get(revision, key, _patched_or(patch, key, old, compute), weight)  # type: ignore[arg-type]
                done += 1
            except Exception:  # noqa: BLE001 — the reader who asks computes it again and sees the error
                log.warning("read cache: %r not refreshed", key, exc_info=True)
        for _, key, old in followers:
            if stop():
                break
            try:
                done += self._offer(revision, key, lambda key=key, old=old: patch(key, old),  # type: ignore[misc]
                                    lambda value, key=key: patch.weight(key, value))  # type: ignore[union-attr]
            except Exception:  # noqa: BLE001 — as above
                log.warning("read cache: %r not patched", key, exc_info=True)
        return done

    def _old(self, key: Hashable, patch: Patch | None) -> object:
        """(Under the lock.) The value of `key` at the revision `patch` starts from, else `STALE`."""
        entry = self._entries.get(key)
        if patch is None or entry is None or entry[0] != patch.previous:
            return STALE
        return entry[1]

    def _offer(self, revision: int, key: Hashable, compute: Callable[[], object],
               weight: Callable[[object], int]) -> bool:
        """Put `compute()` at `revision` unless the value is kept or being computed already, or `compute`
        says `STALE` (then readers who were waiting for it compute it themselves). Did it put a value?"""
        with self._lock:
            entry = self._entries.get(key)
            if (entry is not None and entry[0] == revision) or (revision, key) in self._flights:
                return False
            flight = self._flights[(revision, key)] = _Flight()
        try:
            value = compute()
        except BaseException as error:
            flight.abandoned = True  # waiters compute it and see the error themselves
            raise
        else:
            if value is STALE:
                flight.abandoned = True
                return False
            flight.value = value
            self._put(revision, key, value, max(1, weight(value)))
            return True
        finally:
            self._end(revision, key, flight)

    def save(self, path: Path, revision: int, kinds: Sequence[str]) -> int:
        """Write the values of `revision` whose key starts with one of `kinds` to `path` (atomically), so that
        a restarted service at the same revision has them at once; in the order of `kinds`, the most recently
        put first within a kind, one pickle each (sharing one memo: a string several values hold is written
        once) after a head listing the keys — `load` hands each value out as soon as it is read. Values taken
        back from the file count as older than those computed since, in the file's order (put in reading
        order, they were saved reversed at each restart: a first reader waiting for its list behind every
        other list one restart in two). Returns how many were written."""
        with self._lock:
            items = [(key, value, weight) for key, (rev, value, weight, _) in reversed(self._entries.items())
                     if rev == revision and isinstance(key, tuple) and key and key[0] in kinds]
        items.sort(key=lambda item: kinds.index(item[0][0]))  # (stable: most recent first within a kind)
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("wb") as out:
            pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
            pickler.dump({"format": SAVE_FORMAT, "revision": revision, "keys": [key for key, _, _ in items]})
            same: dict[str, str] = {}  # one object per text across values, so that the pickle memo writes it once
            for key, value, weight in items:
                pieces = _pieces(value, same)
                for i, piece in enumerate(pieces):
                    pickler.dump((key, piece, weight, i == len(pieces) - 1))
        tmp.replace(path)
        return len(items)

    def load(self, path: Path, revision: int) -> int:
        """Take back what `save` wrote, if it was written at `revision` (else nothing: it would be stale).
        Its keys are claimed first: a reader asking one of them meanwhile waits for it to be read from the
        file (after a restart at 100,000 practices, the first page waited for the whole 69 MB file, 0.9 s)
        rather than compute it. The file lives in the service's own data folder, written by the service
        itself. Returns how many values were taken back."""
        return self.claim_saved(path, revision)()

    def claim_saved(self, path: Path, revision: int) -> Callable[[], int]:
        """`load` in two steps: this one reads the file's head and claims its keys (milliseconds: a service
        calls it before it listens, so that no early reader computes a list the file holds); the function
        returned reads the values (in a background thread) and returns how many it took back."""
        try:
            source = path.open("rb")
        except FileNotFoundError:
            return lambda: 0
        unpickler = pickle.Unpickler(source)
        try:
            head = unpickler.load()
        except Exception:  # noqa: BLE001 — a damaged file is only a lost head start
            log.warning("read cache file unreadable, ignored: %s", path, exc_info=True)
            source.close()
            return lambda: 0
        if not isinstance(head, dict) or head.get("format") != SAVE_FORMAT or head.get("revision") != revision:
            source.close()
            return lambda: 0
        claimed = self._claim(revision, head["keys"])

        def read() -> int:
            taken = 0
            try:
                pieces: list[object] = []
                remaining = len(head["keys"])
                while remaining:
                    key, piece, weight, last = unpickler.load()
                    pieces.append(piece)
                    if not last:
                        continue
                    remaining -= 1
                    value, pieces = _joined(pieces), []
                    flight = claimed.pop(key, None)
                    if flight is not None:
                        self._put(revision, key, value, weight)
                        with self._lock:  # ahead of what this run computes: the file's order is saved again
                            if key in self._entries:
                                self._entries.move_to_end(key, last=False)
                        flight.value = value
                        self._end(revision, key, flight)
                        taken += 1
            except Exception:  # noqa: BLE001 — what was read is kept; the rest is computed when asked
                log.warning("read cache file cut short, the rest ignored: %s", path, exc_info=True)
            finally:
                source.close()
                for key, flight in claimed.items():
                    flight.abandoned = True
                    self._end(revision, key, flight)
            return taken
        return read

    def _claim(self, revision: int, keys: Sequence[Hashable]) -> dict[Hashable, _Flight]:
        """Flights for the `keys` neither kept nor being computed at `revision`: readers wait on them."""
        claimed: dict[Hashable, _Flight] = {}
        with self._lock:
            for key in keys:
                entry = self._entries.get(key)
                if (entry is None or entry[0] != revision) and (revision, key) not in self._flights:
                    claimed[key] = self._flights[(revision, key)] = _Flight()
        return claimed

    def _end(self, revision: int, key: Hashable, flight: _Flight) -> None:
        """The flight is over (its value, error or abandon set): waiters go on, the next reader finds the
        value kept or starts a flight of its own."""
        with self._lock:
            self._flights.pop((revision, key), None)
        flight.done.set()

    def clear(self) -> None:
        with self._lock:
            for _, value, _, _ in self._entries.values():
                self._dropped(value)
            self._entries.clear()
            self.weight = 0

    def _dropped(self, value: object) -> None:
        if self.on_drop is not None:
            self.on_drop(value)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        """Is `key` kept, at any revision (without marking it read)?"""
        return key in self._entries


# Entries per pickle at most, when a value is a big table, list or set: reading one pickle holds the
# interpreter's lock from start to end (a 110,000-entry key table: ~100 ms, while the service starts).
PIECE = 10_000
_SPLIT = (dict, tuple, list, set, frozenset)


def _pieces(value: object, same: dict[str, str]) -> list[object]:
    """`value` in pieces of at most `PIECE` entries (a dict, tuple, list or set; anything else whole), each
    text entry (a dict's keys) replaced by the one equal text in `same`. The values of one revision hold
    the same IRIs as distinct objects, each read from the store by its own query (520,000 of them at
    100,000 practices): written once each, the file is smaller and read faster, and after a restart the
    values share them. A dict's equal tuples (a facet table's terms) likewise: at 100,000 practices the
    file 40 -> 30 MB, read back in 1.3 -> 0.45 s (bench/NOTES.md)."""
    kind = type(value)
    if kind not in _SPLIT:
        return [value]
    def one(text: object) -> object:
        return same.setdefault(text, text) if type(text) is str else text  # type: ignore[arg-type]
    def shared(entry: object) -> object:  # a dict's value: equal tuples of terms (a facet's) written once
        return same.setdefault(entry, entry) if type(entry) is tuple else entry  # type: ignore[call-overload]
    entries = iter(value.items() if kind is dict else value)  # type: ignore[attr-defined]
    out = []
    while chunk := list(itertools.islice(entries, PIECE)):
        out.append({one(k): shared(v) for k, v in chunk} if kind is dict else kind(map(one, chunk)))
    return out or [value]


def _joined(pieces: list[object]) -> object:
    """The value `_pieces` cut (of the same type)."""
    first = pieces[0]
    if len(pieces) == 1:
        return first
    kind = type(first)
    if kind is dict:
        out: dict = {}
        for piece in pieces:
            out.update(piece)  # type: ignore[call-overload]
        return out
    return kind(itertools.chain.from_iterable(pieces))  # type: ignore[call-arg]
