"""What an answer read, so that it can be served again at a later public revision without being computed.

A kept GraphQL answer used to be dropped whenever the public revision moved: under a writer publishing
once a second, every read was computed again every second. An answer is a function of what it read: the
resources whose own triples it used (an entity holds only its subject's triples), and derived values kept
in the read cache (ordered lists, facet counts, inverse relations). While an answer is computed, a
`ReadSet` records both; at a later revision the answer still holds if none of those resources was touched
since and every derived value is still the same (`Graphe.unchanged`).

Anything else an answer reads — a store query or a search step outside a tracked read — marks it
`untracked`: it is never carried, only kept for its own revision (as before). The store and the search
index call `untracked()` at each read, so a resolver that reads around the tracked paths can only make
answers less reusable, never wrong. The record lives in a context variable: each request (thread, task) has
its own; outside `recording()` every call here does nothing.
"""
from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field

__all__ = ["ReadSet", "derived", "recording", "resources", "same", "tracked", "untouched", "untracked"]


@dataclass
class ReadSet:
    resources: set[str] = field(default_factory=set)  # IRIs whose own triples the answer used
    # read-cache key → (the value it read, how to get the value at the current revision, or None)
    derived: dict[Hashable, tuple[object, Callable[[], object] | None]] = field(default_factory=dict)
    untracked: bool = False  # read something neither of the above covers: never carried
    depth: int = 0  # inside a tracked read (its own store reads are covered by what it records)


_current: contextvars.ContextVar[ReadSet | None] = contextvars.ContextVar("graphe_readset", default=None)


@contextlib.contextmanager
def recording() -> Iterator[ReadSet]:
    """Record what the block reads."""
    reads = ReadSet()
    token = _current.set(reads)
    try:
        yield reads
    finally:
        _current.reset(token)


@contextlib.contextmanager
def tracked() -> Iterator[None]:
    """A read whose result the caller records (`resources`, `derived`): the store reads it makes are covered."""
    reads = _current.get()
    if reads is None:
        yield
        return
    reads.depth += 1
    try:
        yield
    finally:
        reads.depth -= 1


def untracked() -> None:
    """A read (store query, search step) that nothing records, unless inside `tracked`."""
    reads = _current.get()
    if reads is not None and not reads.depth:
        reads.untracked = True


def resources(iris: Iterable[str]) -> None:
    reads = _current.get()
    if reads is not None:
        reads.resources.update(iris)


def derived(key: Hashable, value: object, again: Callable[[], object] | None = None) -> None:
    """A value of the read cache the answer used (nested reads inside a tracked one are covered by it), and
    how to get it at a later revision when nobody has asked for it there yet (`again`: the same read)."""
    reads = _current.get()
    if reads is not None and not reads.depth:
        reads.derived[key] = (value, again)


def same(old: object, new: object) -> bool:
    """Is a derived value unchanged? Lists of entities compare by their IRIs (their own triples are checked
    through `resources`); anything else by equality (an object without it compares by identity: not
    carried, never wrongly)."""
    if old is new:
        return True
    if isinstance(old, (list, tuple)) and isinstance(new, (list, tuple)) and old and new \
            and hasattr(old[0], "props") and hasattr(new[0], "props"):
        return len(old) == len(new) and all(a.iri == b.iri for a, b in zip(old, new))  # type: ignore[attr-defined]
    try:
        return bool(old == new)
    except Exception:  # noqa: BLE001 — an incomparable value is not carried
        return False


def untouched(patterns: Iterable[tuple], changes: Iterable[Iterable[tuple[str, str, str]]],
              possibly: Callable[[str, tuple[tuple[str, str], ...]], bool] | None = None) -> bool:
    """Does no changed triple (of any of `changes`: the triples writes added or removed, `store.changes`)
    match any of `patterns` — (subject, predicate, object: an IRI, or None for any term, then what the
    subject must also have: `guard.patterns`)? An answer that can read only triples matching its patterns
    (a SPARQL query's) then stays true. With `possibly(subject, pairs)` — might `subject` have had every
    (predicate, object) pair before or after the writes? —, a changed triple whose subject could not is
    not counted: it cannot join that pattern's other triples."""
    by_predicate: dict[str | None, list[tuple]] = {}
    for s, p, o, *rest in patterns:
        by_predicate.setdefault(p, []).append((s, o, rest[0] if rest else ()))
    anywhere = by_predicate.get(None, [])
    for changed in changes:
        for s, p, o in changed:
            for ps, po, star in (*by_predicate.get(p, ()), *anywhere):
                if (ps is None or ps == s) and (po is None or po == o) and \
                        (not star or possibly is None or possibly(s, star)):
                    return False
    return True
