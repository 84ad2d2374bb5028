"""Kept answers carried to a new revision: whether what an answer read still holds (`unchanged`), and the
read cache's renewal of a value kept at an older revision (`renew`). A part of the service (`Graphe`), kept
apart: it reads `store`, `reads` (the read cache), `touches` and `note_touches` of the service."""
from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from ..core import rdf, readset
from ..store.base import OTHER
from . import entities

_ABSENT = object()


class Carrying:
    """Mixed into `Graphe` (`service.py`)."""

    store: Any
    reads: Any
    touches: Any
    _renew_entity: Any
    note_touches: Any

    def _renew(self, key: Hashable, value: object, since: int, now: int) -> object:
        """The read cache's `renew`: a value kept at revision `since`, for revision `now` (or STALE) —
        an entity no write touched since (`entities.renewal`), or a value that says which triple patterns
        it read (`patterns`: a SPARQL answer) when no write since changed a triple they match."""
        from .readcache import STALE

        patterns = getattr(value, "patterns", None)
        if patterns is None:
            return self._renew_entity(key, value, since, now)
        # Read between two looks at the store's write generation (odd while a commit runs): if it did not
        # move, the changes and the lookups below saw one state, that of the last revision the log holds.
        generation = getattr(self.store, "generation", 1)
        changes = self.store.changes(since) if generation % 2 == 0 else None
        if changes is None:
            return STALE
        changed = frozenset().union(*changes)
        seen: dict[tuple[str, tuple], bool] = {}

        def possibly(subject: str, pairs: tuple[tuple[str, str], ...]) -> bool:
            """Might `subject` have had every pair at `since` or at `now`? Both states lie within the
            store's now plus what the writes since removed (held in `changed`)."""
            missing = tuple((p, o) for p, o in pairs if (subject, p, o) not in changed)
            if not missing or subject == OTHER:
                return True
            if (subject, missing) not in seen:
                seen[(subject, missing)] = self._has_all(subject, missing)
            return seen[(subject, missing)]

        held = readset.untouched(patterns, changes, possibly)
        return value if held and self.store.generation == generation else STALE

    def _has_all(self, subject: str, pairs: tuple[tuple[str, str], ...]) -> bool:
        """Does the published data give `subject` every (predicate, object) pair? (True when unsure.)"""
        try:
            where = " . ".join(f"?s ?p{i} ?o{i}" for i in range(len(pairs)))
            bindings = {"s": rdf.NamedNode(subject)}
            for i, (p, o) in enumerate(pairs):
                bindings[f"p{i}"], bindings[f"o{i}"] = rdf.NamedNode(p), rdf.NamedNode(o)
            return self.store.ask(f"ASK {{ {where} }}", bindings)
        except Exception:  # noqa: BLE001 — an IRI the store refuses: count the change
            return True

    def unchanged(self, reads: readset.ReadSet, since: int, now: int, wait: bool = True) -> bool | None:
        """Does what an answer computed at revision `since` read (`readset`) still hold at revision `now`
        (the current one)? None of its resources touched since, and each derived value the same at `now`
        — read as the answer read it where nobody has yet (a list from its patched sort keys: far less than
        the answer's whole execution, whose entities of the page would be read again). Without `wait`,
        only what is at hand is looked at (on the event loop: no store read, no lock a writer holds):
        None when that is not enough to tell."""
        if reads.untracked:
            return False
        if since != now:
            touched = self.touches.between(since, now) if not wait else self._touched_since(since)
            if touched is None:
                return None
            if not reads.resources.isdisjoint(touched):
                return False
        for key, (old, again) in reads.derived.items():
            new = self.reads.peek(now, key, _ABSENT)
            if new is _ABSENT:
                if not wait:
                    return None
                if self.store.revision().number != now:
                    return False
                if again is not None:
                    new = again()
                elif entities.rereadable(key):  # an inverse relation (`entities.fetch_related`)
                    new = entities.read_many(self.reads, now, self.store, key[0], [key[1]])[key]  # type: ignore[index]
                else:
                    return False
            if not readset.same(old, new):
                return False
        return True

    def _touched_since(self, since: int) -> frozenset[str]:
        """Resources touched after public revision `since` (up to the current one at least): from the notes
        the writes left (`note_touches`), else from the store."""
        now = self.store.revision().number
        found = self.touches.between(since, now)
        if found is None:
            self.note_touches()
            found = self.touches.between(since, now)
        return found if found is not None else frozenset(self.store.last_touched(since))
