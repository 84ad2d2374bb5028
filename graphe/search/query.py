"""Searching: any text a user types is a valid query; ranked hits, snippets, facets, suggestions, similar.

What people write: bare words (documents holding all of them first, then those holding some, lower),
"quoted phrases" (the words side by side), `-word` (excluded). A word that is a stop word in French or
English (`la`, `de`, `the`) is never required: it only ranks. A word of 5 letters or more also matches
within one typo, ranked below the exact word. A text that is exactly a title or a name (`Geneve`, `la Charte
de la donnée`) puts that resource first. No other syntax: quotes left open, parentheses, `AND`, `title:`
are plain text, never an error. Field prefixes are not supported.

A search's cost is bounded before it starts: at most MAX_TEXT characters and MAX_TERMS terms (after
analysis: a repeated word counts once). Past either, the search is refused with a coded BAD_USER_INPUT
rather than cut: the message says the limit, and the user chooses which words to keep.
Between its steps a search checks the request's deadline (`deadline.check()`).
"""
from __future__ import annotations

import html
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from ..core import deadline
from ..core.errors import GrapheError
from . import analysis
from .engine import (FACET_FIELDS, SPELL_FIELD, TEXT_FIELDS, AnyOf, Bool, Everything, Fuzzy, Phrase, Query, Term, distance, terms)
from .index import SearchIndex

FACETS = FACET_FIELDS
SNIPPET_FIELDS = ("summary_fr", "body_fr", "summary_en", "body_en", "title_fr", "title_en")
SNIPPET_CHARS, SNIPPET_BEFORE = 240, 60
MAX_TEXT = 500  # characters (a long sentence; nobody types more into a search box)
MAX_TERMS = 32  # analysed terms: each is one clause over 9 fields
SUGGEST_WORDS = 8  # "did you mean" for short queries only
FUZZY_FROM = 5  # letters: shorter words match exactly only (one typo in « plan » is another word)
ALL_WORDS_BOOST = 10.0  # holding every word outranks holding some
NAME_BOOST = 50.0  # the text is this resource's very name
FUZZY_BOOST = 0.2  # a typo's match: below an exact word
THEME_BOOST = 5.0  # `similar`: a shared theme, against at most 1 for each distinctive word
_QUOTED = re.compile(r'"([^"]+)"')


@dataclass(frozen=True)
class Filters:
    types: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()  # narrower themes match too
    countries: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()  # status concept IRIs

    def query(self) -> Query | None:
        parts = tuple(AnyOf(name, values) for name, values in (
            ("type", self.types), ("themes_all", self.themes), ("country", self.countries),
            ("city", self.cities), ("status", self.statuses)) if values)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else Bool(must=parts)


@dataclass(frozen=True)
class Hit:
    id: str
    type: str
    score: float
    snippet: str
    lang: str = ""  # the snippet's language


@dataclass
class Result:
    hits: list[Hit]
    total: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    suggestion: str | None = None
    revision: int = -1


@dataclass(frozen=True)
class Parsed:
    phrases: list[str]
    words: list[str]
    excluded: list[str]


def parse(text: str) -> Parsed:
    """Phrases (between balanced double quotes), excluded words (`-word`) and loose words; every other
    character is plain text, so no input is an error."""
    text = text.replace("“", '"').replace("”", '"').replace("«", '"').replace("»", '"')
    phrases = [p.strip() for p in _QUOTED.findall(text) if p.strip()]
    rest = _QUOTED.sub(" ", text).replace('"', " ")
    words, excluded = [], []
    for piece in rest.split():
        if piece.startswith("-") and len(piece) > 1:
            excluded.append(piece[1:])
        else:
            words.append(piece)
    return Parsed(phrases, words, excluded)


def _per_field(piece: str) -> dict[str, tuple[str, ...]]:
    by_lang = {lang: tuple(analysis.analyse(piece, lang)) for lang in analysis.LANGS}
    return {name: by_lang[lang] for name, (lang, _) in TEXT_FIELDS.items()}


def _exact(analysed: dict[str, tuple[str, ...]]) -> list[Query]:
    options: list[Query] = []
    for name, tokens in analysed.items():
        boost = TEXT_FIELDS[name][1]
        if len(tokens) > 1:  # `l'IA` in English, `e-administration`: side by side
            options.append(Phrase(name, tokens, boost))
        elif tokens:
            options.append(Term(name, tokens[0], boost))
    return options


def _fuzzy(piece: str) -> list[Query]:
    """One typo on the word as written (folded, not stemmed: `energei` is one swap from `energie`, two
    edits from its stem `energ`), in every text at once (the spelling field holds them all)."""
    plain = analysis.words(piece)
    if len(plain) != 1 or len(plain[0]) < FUZZY_FROM or not plain[0].isalpha():
        return []  # (codes and years are exact: `quartier08` is not `quartier07`, nor 2024 2025)
    return [Fuzzy(SPELL_FIELD, plain[0], FUZZY_BOOST)]


def build_query(text: str) -> Query | None:
    """The query for `text`; None when nothing in it is searchable. Too many terms: BAD_USER_INPUT."""
    parsed = parse(text)
    required: list[Query] = []  # one clause per word or phrase that must be there (any of them)
    exact: list[Query] = []  # the same without typo tolerance: holding all of them ranks first
    optional: list[Query] = []
    excluded: list[Query] = []
    seen: set[tuple] = set()
    terms_count = 0
    pieces = [(p, "word") for p in parsed.words] + [(p, "phrase") for p in parsed.phrases]
    pieces += [(p, "excluded") for p in parsed.excluded]
    for piece, role in pieces:
        analysed = _per_field(piece)
        key = (role, tuple(analysed.values()))
        if key in seen or not any(analysed.values()):
            continue  # a repeated word adds nothing; punctuation matches nothing
        seen.add(key)
        terms_count += max(len(tokens) for tokens in analysed.values())
        if terms_count > MAX_TERMS:
            raise too_many_terms()
        options = _exact(analysed)
        if role == "excluded":
            excluded.append(Bool(should=tuple(options)))
        elif role == "phrase" or all(analysed.values()):
            fuzzy = _fuzzy(piece) if role == "word" else []
            required.append(Bool(should=tuple(options + fuzzy)))
            exact.append(Bool(should=tuple(options)))
        else:  # a stop word in one of the languages: it ranks, never required
            optional.append(Bool(should=tuple(options)))
    if not required and optional:
        required, optional = optional, []
    if not required:
        return Bool(must=(Everything(),), must_not=tuple(excluded)) if excluded else None
    should: list[Query] = list(optional)
    if len(exact) > 1:
        should.append(Bool(must=tuple(exact), boost=ALL_WORDS_BOOST))
    name = analysis.name_key(" ".join(parsed.words + parsed.phrases))
    if name:
        should.append(Term("name", name, NAME_BOOST))
    return Bool(must=(Bool(should=tuple(required)),), should=tuple(should), must_not=tuple(excluded))


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


def search(index: SearchIndex, text: str, filters: Filters, offset: int, limit: int,
           sort: str = "relevance") -> Result:
    text = checked_text(text)
    query = build_query(text) if text else Everything()
    deadline.check()
    with index.reading() as engine:
        revision = index.revision
        if query is None:
            return Result([], 0, {name: [] for name in FACETS}, None, revision)
        page = engine.search(query, filters.query(), offset, limit, facets=True,
                             sort=sort if text or sort == "date" else "date")
        deadline.check()
        marked = terms(query)
        hits = [Hit(f.id, f.type, f.score, *snippet_in(f.stored.get("texts", {}), marked)) for f in page.hits]
        facets = {name: sorted(page.facets.get(name, {}).items(), key=lambda kv: (-kv[1], kv[0]))
                  for name in FACETS}
        suggestion = _suggest(engine, text, filters) if text else None
    return Result(hits, page.total, facets, suggestion, revision)


def snippet(texts: dict[str, str], marked: set[tuple[str, str]]) -> str:
    """An extract of the first text field holding a searched term, the terms in <mark> (HTML escaped); or
    the start of the first text."""
    return snippet_in(texts, marked)[0]


def snippet_in(texts: dict[str, str], marked: set[tuple[str, str]]) -> tuple[str, str]:
    """`snippet`, and the language of the text it comes from ("" when there is none)."""
    for name in SNIPPET_FIELDS:
        text = texts.get(name)
        if not text:
            continue
        wanted = {t for f, t in marked if f == name}
        if not wanted:
            continue
        found: list[tuple[int, int]] = []
        for term, s, e in analysis.spans(text, TEXT_FIELDS[name][0]):
            if found and s > found[0][0] + SNIPPET_CHARS:
                break  # past the extract: the rest of a long text is not read
            if term in wanted:
                found.append((s, e))
        if found:
            return _marked(text, found), name.rsplit("_", 1)[1]
    for name in SNIPPET_FIELDS:
        text = texts.get(name)
        if text:
            return html.escape(text[:SNIPPET_CHARS] + ("…" if len(text) > SNIPPET_CHARS else ""), quote=False), \
                name.rsplit("_", 1)[1]
    return "", ""


def _marked(text: str, found: list[tuple[int, int]]) -> str:
    start = max(0, found[0][0] - SNIPPET_BEFORE)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < found[0][0] else start
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > found[0][1] else end
    out, at = ["… " if start else ""], start
    for s, e in found:
        if s < at or e > end:
            continue
        out += [html.escape(text[at:s], quote=False), "<mark>", html.escape(text[s:e], quote=False), "</mark>"]
        at = e
    out.append(html.escape(text[at:end], quote=False))
    if end < len(text):
        out.append(" …")
    return "".join(out)


def _suggest(engine, text: str, filters: Filters) -> str | None:  # type: ignore[no-untyped-def]
    """A close spelling of the words that finds something ("vouliez-vous dire…"), or None: offered when a
    word is nowhere in the index (typo tolerance may still have found something). Candidates come from the
    index's own vocabulary: words sharing the first two letters, within two edits; the closest, then the
    most frequent."""
    parsed = parse(text)
    if len(set(parsed.words)) > SUGGEST_WORDS or not parsed.words:
        return None
    changed, corrected = False, []
    bests: dict[str, str | None] = {}
    for word in parsed.words:
        folded = analysis.words(word)
        if len(folded) != 1 or len(folded[0]) < 3:
            corrected.append(word)
            continue
        w = folded[0]
        if w not in bests:
            deadline.check()
            bests[w] = None if engine.doc_freq(SPELL_FIELD, w) else _closest(engine, w)
        best = bests[w]
        if best is not None:
            corrected.append(best)
            changed = True
        else:
            corrected.append(word)
    if not changed:
        return None
    candidate = " ".join([*corrected, *(f'"{p}"' for p in parsed.phrases)])
    try:
        query = build_query(candidate)
    except GrapheError:
        return None
    deadline.check()
    if query is None or engine.count(query, filters.query()) == 0:
        return None
    return candidate


def _closest(engine, word: str) -> str | None:  # type: ignore[no-untyped-def]
    ranked = []
    for term, freq in engine.terms_with_prefix(SPELL_FIELD, word[:2]):
        if abs(len(term) - len(word)) <= 2 and term != word:
            d = distance(term, word)
            if d <= 2:
                ranked.append((d, -freq, term))
    return min(ranked)[2] if ranked else None


def similar(index: SearchIndex, iri: str, limit: int) -> list[tuple[str, float]] | None:
    """Practices most like `iri` (its most distinctive terms, tf × idf, and its themes); None when `iri`
    is not indexed."""
    with index.reading() as engine:
        stored = engine.stored(iri)
        if stored is None:
            return None
        total = max(1, engine.doc_count())
        clauses: list[Query] = []
        for name in SNIPPET_FIELDS:
            text = stored.get("texts", {}).get(name)
            if not text:
                continue
            counts = Counter(analysis.analyse(text, TEXT_FIELDS[name][0]))
            weighted = []
            for term, tf in counts.items():
                df = engine.doc_freq(name, term)
                if df:
                    weighted.append((tf * _idf(df, total), term))
            top = sorted(weighted, reverse=True)[:8]
            for weight, term in top:  # weights up to 1: a shared theme counts more than any one word
                clauses.append(Term(name, term, round(weight / top[0][0], 4)))
        clauses += [Term("themes", t, THEME_BOOST) for t in stored.get("themes", [])]
        if not clauses:
            return []
        query = Bool(should=tuple(clauses), must_not=(Term("id", iri),))
        found = engine.search(query, AnyOf("type", ("practice",)), 0, limit, facets=False)
        return [(f.id, f.score) for f in found.hits]


def _idf(df: int, total: int) -> float:
    return math.log(1 + total / df)
