"""Searching: any text a user types is a valid query; ranked hits, snippets, facets, suggestions, similar.

A search's cost is bounded before it starts: at most MAX_TEXT characters and MAX_TERMS terms (after
analysis: a repeated word, in any case or accent the analysis folds, counts once). Past either, the search
is refused with a coded BAD_USER_INPUT rather than cut: every word must match, so silently dropping the
last ones would answer a different question than the one asked; the message says the limit, and the user
chooses which words to keep.
Between its steps a search checks the request's deadline (`deadline.check()`).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field

from whoosh import highlight
from whoosh.query import And, Every, Or, Phrase, Query, Term

from .. import deadline
from ..errors import GrapheError
from .analysis import TEXT_FIELDS, spelling_analyzer
from .index import SearchIndex

FACETS = ("type", "themes", "country", "city", "status")
SNIPPET_FIELDS = ("summary_fr", "body_fr", "summary_en", "body_en", "title_fr", "title_en")
MAX_TEXT = 500  # characters (a long sentence; nobody types more into a search box)
MAX_TERMS = 32  # analysed terms: each is one clause over 9 fields, and whoosh nests its matchers per clause
# Spelling suggestions cost one vocabulary walk per word (≈ 10 ms on the seeds, more on a large index) and
# help short queries with a typo: none past this many distinct words.
SUGGEST_WORDS = 8
_QUOTED = re.compile(r'"([^"]+)"')


@dataclass(frozen=True)
class Filters:
    types: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()  # narrower themes match too
    countries: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()  # status concept IRIs

    def query(self) -> Query | None:
        parts = [Or([Term(name, v) for v in values]) for name, values in (
            ("type", self.types), ("themes_all", self.themes), ("country", self.countries),
            ("city", self.cities), ("status", self.statuses)) if values]
        return And(parts) if parts else None


@dataclass(frozen=True)
class Hit:
    id: str
    type: str
    score: float
    snippet: str


@dataclass
class Result:
    hits: list[Hit]
    total: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    suggestion: str | None = None
    revision: int = -1


def parse(text: str) -> tuple[list[str], list[str]]:
    """Phrases (between balanced double quotes) and loose words; every other character is plain text, so
    no input is an error: unbalanced quotes and operators are just words or spaces."""
    text = text.replace("“", '"').replace("”", '"').replace("«", '"').replace("»", '"')
    phrases = [p.strip() for p in _QUOTED.findall(text) if p.strip()]
    rest = _QUOTED.sub(" ", text).replace('"', " ")
    return phrases, rest.split()


def _tokens(field_name: str, text: str) -> list[str]:
    analyzer = TEXT_FIELDS[field_name][0]
    return [t.text for t in analyzer(text)]


class _Clause(Or):
    """One word's OR over the text fields, checking the deadline before its postings are read: whoosh reads
    every clause's postings before matching (≈ 15 ms a common word at 2,000 sheets, 50× that at 100,000),
    so a long query stops between clauses rather than after all of them."""

    def matcher(self, searcher, context=None):  # type: ignore[no-untyped-def]
        deadline.check()
        return super().matcher(searcher, context)


def build_query(text: str) -> Query | None:
    """Every word (or phrase) must match in at least one text field; None when nothing is searchable.
    A flat AND of at most MAX_TERMS clauses (repeated words merged), each an OR over the text fields: the
    query's depth does not grow with the text. Too many terms: BAD_USER_INPUT."""
    phrases, words = parse(text)
    clauses: list[Query] = []
    seen: set[tuple] = set()
    terms = 0
    for piece in [*words, *phrases]:
        analysed = tuple(tuple(_tokens(f, piece)) for f in TEXT_FIELDS)
        if analysed in seen or not any(analysed):
            continue  # a repeated word adds nothing; mere punctuation matches nothing
        seen.add(analysed)
        terms += max(len(tokens) for tokens in analysed)
        if terms > MAX_TERMS:
            raise too_many_terms()
        # A word may give several tokens (`l'IA` in English: `l`, `ia`): they must follow each other.
        options: list[Query] = []
        for f, tokens in zip(TEXT_FIELDS, analysed):
            if len(tokens) > 1:
                options.append(Phrase(f, list(tokens)))
            elif tokens:
                options.append(Term(f, tokens[0]))
        clauses.append(_Clause(options))
    if not clauses:
        return None
    return And(clauses) if len(clauses) > 1 else clauses[0]


def too_many_terms() -> GrapheError:
    return GrapheError("BAD_USER_INPUT",
                       f"Recherche trop longue : au plus {MAX_TERMS} mots distincts (un mot répété compte une "
                       "fois). Gardez les mots essentiels.",
                       f"Search too long: at most {MAX_TERMS} distinct words (a repeated word counts once). "
                       "Keep the essential words.",
                       {"status": 400, "max_terms": MAX_TERMS})


def checked_text(text: str) -> str:
    """The text to search, stripped; BAD_USER_INPUT past MAX_TEXT characters."""
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise GrapheError("BAD_USER_INPUT",
                          f"Texte de recherche trop long : {len(text)} caractères, au plus {MAX_TEXT}. "
                          "Gardez les mots essentiels.",
                          f"Search text too long: {len(text)} characters, at most {MAX_TEXT}. "
                          "Keep the essential words.", {"status": 400, "max_length": MAX_TEXT})
    return text


def search(index: SearchIndex, text: str, filters: Filters, offset: int, limit: int) -> Result:
    text = checked_text(text)
    query = build_query(text) if text else Every()
    deadline.check()
    with index.reading() as ix:
        revision = index.revision
        if query is None:
            return Result([], 0, {name: [] for name in FACETS}, None, revision)
        with ix.searcher() as searcher:
            # Every match is scored and kept (limit=None): the total and the facets count them all anyway, and
            # whoosh's top-N collector drops hits on these OR queries (at 100,000 sheets, « énergie »'s 4th
            # best was missing with limit=10: bench/NOTES.md). (Not terms=True: it records the matched terms of
            # every hit — hundreds of megabytes for a common word at 100,000 sheets; snippets take the
            # query's terms.)
            results = searcher.search(query, limit=None, filter=filters.query())
            deadline.check()
            results.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=60)
            results.formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
            hits = []
            for h in results[offset:offset + limit]:
                hits.append(Hit(h["id"], h["type"], float(h.score or 0.0), _snippet(h)))
                deadline.check()
            counted = _facets(index.values_per_document(ix, searcher, FACETS), results.docs())
            total = len(results)
            suggestion = _suggest(searcher, text, filters) if total == 0 and text else None
    return Result(hits, total, counted, suggestion, revision)


def _facets(values: dict[str, list], docs: Collection[int]) -> dict[str, list[tuple[str, int]]]:
    """Per facet, how many of `docs` hold each value (a document counts once per value it holds), most
    frequent first, then by value."""
    out = {}
    for name in FACETS:
        deadline.check()
        table, counts = values[name], Counter()
        for doc in docs:
            held = table[doc]
            if held is not None:
                counts.update(held)
        out[name] = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return out


def _snippet(hit) -> str:  # type: ignore[no-untyped-def]
    for name in SNIPPET_FIELDS:
        if hit.get(name):
            fragment = hit.highlights(name, top=2)
            if fragment:
                return fragment
    for name in SNIPPET_FIELDS:
        if hit.get(name):
            text = hit[name]
            return highlight.htmlescape(text[:240] + ("…" if len(text) > 240 else ""))
    return ""


def _suggest(searcher, text: str, filters: Filters) -> str | None:  # type: ignore[no-untyped-def]
    """A close spelling of the words that finds something ("vouliez-vous dire…"), or None."""
    phrases, words = parse(text)
    if len(set(words)) > SUGGEST_WORDS:
        return None
    corrector = searcher.corrector("spell")
    changed, corrected = False, []
    bests: dict[str, str | None] = {}  # a repeated word is looked up once
    for word in words:
        token = [t.text for t in spelling_analyzer()(word)]
        if not token:
            corrected.append(word)
            continue
        if token[0] not in bests:
            deadline.check()
            options = corrector.suggest(token[0], limit=5, maxdist=2)
            bests[token[0]] = min(options, key=lambda o: _distance(o, token[0]), default=None)
        best = bests[token[0]]
        if best is not None and best != token[0]:
            corrected.append(best)
            changed = True
        else:
            corrected.append(word)
    if not changed:
        return None
    candidate = " ".join([*corrected, *(f'"{p}"' for p in phrases)])
    try:
        query = build_query(candidate)
    except GrapheError:
        return None
    deadline.check()
    if query is None or searcher.search(query, limit=1, filter=filters.query()).is_empty():
        return None
    return candidate


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (whoosh's corrector does not rank its suggestions by it)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def similar(index: SearchIndex, iri: str, limit: int) -> list[tuple[str, float]] | None:
    """Practices most like `iri` (shared key terms and themes); None when `iri` is not indexed."""
    with index.reading() as ix, ix.searcher() as searcher:
        number = searcher.document_number(id=iri)
        if number is None:
            return None
        stored = searcher.stored_fields(number)
        clauses: list[Query] = []
        for name in ("title_fr", "summary_fr", "body_fr", "title_en", "summary_en", "body_en"):
            text = stored.get(name)
            if text:
                for term, weight in searcher.key_terms_from_text(name, text, numterms=8):
                    clauses.append(Term(name, term, boost=float(weight)))
        clauses += [Term("themes", t, boost=2.0) for t in (stored.get("themes") or "").split()]
        if not clauses:
            return []
        results = searcher.search(Or(clauses), limit=limit, filter=Term("type", "practice"), mask=Term("id", iri))
        return [(h["id"], float(h.score or 0.0)) for h in results]

