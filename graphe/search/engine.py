"""What a search engine must do for Graphe, and the fields and queries it is given (no engine imported here).

Two engines implement `Engine`: tantivy (`tantivy_engine.py`, the default: Rust, facets by its own
aggregation, top-N collection) and whoosh (`whoosh_engine.py`, pure Python, the alternative where a compiled
wheel cannot be installed). `GRAPHE_SEARCH_ENGINE` chooses. Both receive text already analysed
(`analysis.indexed_words`) and queries as the small tree below, so they find the same documents with the same
facet counts (tests/search/test_search_engines.py); only scores differ.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, Union

# Analysed text fields: name → (language of the analysis, boost).
TEXT_FIELDS: dict[str, tuple[str, float]] = {
    "title_fr": ("fr", 3.0), "title_en": ("en", 3.0),
    "summary_fr": ("fr", 1.5), "summary_en": ("en", 1.5),
    "body_fr": ("fr", 1.0), "body_en": ("en", 1.0),
    "theme_labels": ("fr", 1.2), "city_name": ("fr", 1.0), "tags": ("fr", 1.2),
}
# Exact values, several per document where it makes sense (themes), counted as facets or used as filters.
KEYWORD_FIELDS = ("id", "type", "themes", "themes_all", "city", "country", "status", "name")
FACET_FIELDS = ("type", "themes", "country", "city", "status")
SPELL_FIELD = "spell"  # folded words as written (not stemmed): suggestions
SORT_FIELD = "issued"  # ISO date, or "" (sorts last in "date" order)
ENGINES = ("tantivy", "whoosh")


@dataclass(frozen=True)
class Doc:
    """One document as an engine indexes it."""
    id: str
    type: str
    text: dict[str, str]  # analysed text field → terms separated by spaces
    keywords: dict[str, tuple[str, ...]]  # keyword field → values
    spell: str
    issued: str
    stored: bytes  # JSON of what hits show (original texts for snippets, themes for `similar`)


# ------------------------------------------------------------------------------------------------ queries

@dataclass(frozen=True)
class Term:
    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    field: str
    terms: tuple[str, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Fuzzy:
    """Terms within one edit (a transposition counts one) of `text`, `text` included."""
    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class AnyOf:
    """Keyword filter: the field holds one of the values (no score)."""
    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Bool:
    must: tuple["Query", ...] = ()
    should: tuple["Query", ...] = ()  # with `must`: only scores; alone: at least one must match
    must_not: tuple["Query", ...] = ()
    boost: float = 1.0


@dataclass(frozen=True)
class Everything:
    pass


Query = Union[Term, Phrase, Fuzzy, AnyOf, Bool, Everything]


@dataclass(frozen=True)
class Found:
    id: str
    type: str
    score: float
    stored: dict


@dataclass
class Page:
    hits: list[Found]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


class Engine(Protocol):
    """An open index. Writes go through `writer()`; reads see the last commit."""

    name: str

    def writer(self) -> "Writer": ...

    def search(self, query: Query, filters: Query | None, offset: int, limit: int, *, facets: bool,
               sort: str = "relevance") -> Page: ...

    def count(self, query: Query, filters: Query | None) -> int: ...

    def stored(self, doc_id: str) -> dict | None: ...

    def doc_freq(self, field: str, term: str) -> int: ...

    def terms_with_prefix(self, field: str, prefix: str) -> list[tuple[str, int]]: ...

    def doc_count(self) -> int: ...

    def files(self) -> list[str]: ...  # names of the index's files, for checksums (none in memory)

    def close(self) -> None: ...


class Writer(Protocol):
    def add(self, doc: Doc) -> None: ...

    def delete(self, doc_id: str) -> None: ...

    def commit(self) -> None: ...

    def cancel(self) -> None: ...


class Factory(Protocol):
    name: str
    schema_version: int

    def create(self, path: Path | None) -> Engine: ...

    def open(self, path: Path) -> Engine: ...


def terms(query: Query) -> set[tuple[str, str]]:
    """The (field, term) pairs a query looks for (not under must_not): what snippets mark."""
    out: set[tuple[str, str]] = set()

    def visit(q: Query) -> None:
        if isinstance(q, (Term, Fuzzy)):
            out.add((q.field, q.text))
        elif isinstance(q, Phrase):
            out.update((q.field, t) for t in q.terms)
        elif isinstance(q, Bool):
            for part in (*q.must, *q.should):
                visit(part)
    visit(query)
    return out


def distance(a: str, b: str) -> int:
    """Edit distance, a transposition counting one (optimal string alignment): what `Fuzzy` allows."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]
