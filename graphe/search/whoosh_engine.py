"""The whoosh engine (the only module that imports `whoosh`): pure Python, the alternative to tantivy.

Same fields and queries as tantivy (`engine.py`); every match is collected (whoosh's top-N collector drops
hits on OR queries: bench/NOTES.md) and facets are counted from per-document value tables built once per
index generation. 20–70× slower than tantivy on the same queries (BENCHMARKS.md): for machines where
tantivy's wheel cannot be installed.
"""
from __future__ import annotations

import json
import threading
from collections import Counter
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage, RamStorage

from ..core import deadline
from .engine import (FACET_FIELDS, KEYWORD_FIELDS, SORT_FIELD, SPELL_FIELD, TEXT_FIELDS, AnyOf, Bool, Doc, Engine, Everything, Found, Fuzzy, Page, Phrase, Query, Term, distance)

SCHEMA_VERSION = 2
NOT_INDEX_FILES = {"state.json", "state.json.tmp"}


def _schema() -> Schema:
    fields: dict[str, object] = {name: TEXT(analyzer=SpaceSeparatedTokenizer()) for name in TEXT_FIELDS}
    for name in KEYWORD_FIELDS:
        # Values never hold commas (IRIs, codes, folded names): one value per comma-separated item.
        fields[name] = ID(unique=True) if name == "id" else KEYWORD(commas=True, scorable=True)
    fields[SPELL_FIELD] = TEXT(analyzer=SpaceSeparatedTokenizer(), phrase=False)
    fields[SORT_FIELD] = ID(sortable=True)
    fields["doc"] = STORED()
    return Schema(**fields)


class PrivateRamStorage(RamStorage):
    """An in-memory index whose writers' temporary files stay in memory too. whoosh puts them in a folder
    of the system's temporary directory named after the index ("MAIN.tmp"), the same for every process on
    the machine, so one writer's clean-up deleted the files of another (seen with two test runs at once);
    and the per-document writer never removes its folder, so a random name would leave one behind per
    write."""

    def temp_storage(self, name=None):  # type: ignore[no-untyped-def]
        return RamStorage()


class _Writer:
    def __init__(self, engine: "WhooshEngine", bulk: bool) -> None:
        self._w = engine.ix.writer(limitmb=128) if bulk else engine.ix.writer()

    def add(self, doc: Doc) -> None:
        fields: dict[str, object] = {name: text for name, text in doc.text.items() if text}
        for name, values in doc.keywords.items():
            if values:
                fields[name] = values[0] if name == "id" else ",".join(values)
        fields.update({SPELL_FIELD: doc.spell, SORT_FIELD: doc.issued, "doc": doc.stored})  # (JSON bytes)
        self._w.add_document(**fields)

    def delete(self, doc_id: str) -> None:
        self._w.delete_by_term("id", doc_id)

    def commit(self) -> None:
        self._w.commit()

    def cancel(self) -> None:
        self._w.cancel()


class WhooshEngine:
    name = "whoosh"

    def __init__(self, ix, path: Path | None) -> None:  # type: ignore[no-untyped-def]
        self.ix = ix
        self.path = path
        self._values_lock = threading.Lock()
        self._values: tuple[int | None, dict[str, list]] | None = None

    def writer(self, *, bulk: bool = False) -> _Writer:
        return _Writer(self, bulk)

    def _compile(self, q: Query) -> wq.Query:
        if isinstance(q, Term):
            return wq.Term(q.field, q.text, boost=q.boost)
        if isinstance(q, Phrase):
            return wq.Phrase(q.field, list(q.terms), boost=q.boost)
        if isinstance(q, Fuzzy):
            # A typo's matches score a constant, as on tantivy: below an exact word.
            return wq.ConstantScoreQuery(_OneTypo(q.field, q.text), score=q.boost)
        if isinstance(q, AnyOf):
            return wq.ConstantScoreQuery(wq.Or([wq.Term(q.field, v) for v in q.values]), score=0.0)
        if isinstance(q, Everything):
            return wq.Every()
        assert isinstance(q, Bool)
        must = [self._compile(p) for p in q.must]
        should = [self._compile(p) for p in q.should]
        out: wq.Query
        if must:
            out = wq.And(must) if len(must) > 1 else must[0]
            if should:
                out = wq.AndMaybe(out, _CheckedOr(should))
        elif should:
            out = _CheckedOr(should)
        else:
            out = wq.Every()
        if q.must_not:  # (not AndNot: it kept excluded documents here, tests/search/test_search_relevance.py)
            out = wq.And([out, wq.Not(wq.Or([self._compile(p) for p in q.must_not]))])
        if q.boost != 1.0:
            out = _Boosted(out, q.boost)
        return out

    def search(self, query: Query, filters: Query | None, offset: int, limit: int, *, facets: bool,
               sort: str = "relevance") -> Page:
        compiled = self._compile(query)
        with self.ix.searcher() as searcher:
            flt = self._compile(filters) if filters is not None else None
            if sort == "date":
                results = searcher.search(compiled, limit=None, filter=flt, sortedby=SORT_FIELD, reverse=True)
            else:
                results = searcher.search(compiled, limit=None, filter=flt)
            deadline.check()
            hits = []
            for h in results[offset:offset + limit]:
                stored = json.loads(h["doc"])
                hits.append(Found(stored["id"], stored["type"], float(h.score or 0.0) if sort != "date" else 0.0,
                                  stored))
            counted = self._facets(searcher, results.docs()) if facets else {}
            return Page(hits, len(results), counted)

    def _facets(self, searcher, docs) -> dict[str, dict[str, int]]:  # type: ignore[no-untyped-def]
        tables = self._tables(searcher)
        out = {}
        for name in FACET_FIELDS:
            deadline.check()
            table, counts = tables[name], Counter()
            for doc in docs:
                held = table[doc]
                if held is not None:
                    counts.update(held)
            out[name] = dict(counts)
        return out

    def _tables(self, searcher) -> dict[str, list]:  # type: ignore[no-untyped-def]
        """Per facet field, each document's values (a tuple, or None), by document number: built once per
        index generation. whoosh's own facet categorizers build such a table at every search (≈ 0.6 s at
        100,000 sheets for the five facets)."""
        reader = searcher.reader()
        generation = reader.generation()
        with self._values_lock:
            kept = self._values
            if kept is not None and kept[0] == generation and generation is not None:
                return kept[1]
            tables = {}
            for name in FACET_FIELDS:
                values: list = [None] * reader.doc_count_all()
                for btext in reader.lexicon(name):
                    text = btext.decode("utf-8")
                    alone = (text,)
                    for doc in reader.postings(name, btext).all_ids():
                        held = values[doc]
                        values[doc] = alone if held is None else (*held, text)
                tables[name] = values
            self._values = (generation, tables)
            return tables

    def count(self, query: Query, filters: Query | None) -> int:
        with self.ix.searcher() as searcher:
            flt = self._compile(filters) if filters is not None else None
            return len(searcher.search(self._compile(query), limit=None, filter=flt))

    def stored(self, doc_id: str) -> dict | None:
        with self.ix.searcher() as searcher:
            found = searcher.document(id=doc_id)
            return json.loads(found["doc"]) if found else None

    def doc_freq(self, field: str, term: str) -> int:
        with self.ix.searcher() as searcher:
            return int(searcher.doc_frequency(field, term))

    def terms_with_prefix(self, field: str, prefix: str) -> list[tuple[str, int]]:
        with self.ix.searcher() as searcher:
            reader = searcher.reader()
            return [(t.decode("utf-8") if isinstance(t, bytes) else t, int(reader.doc_frequency(field, t)))
                    for t in reader.expand_prefix(field, prefix)]

    def doc_count(self) -> int:
        with self.ix.searcher() as searcher:
            return int(searcher.doc_count())

    def files(self) -> list[str]:
        if self.path is None:
            return []
        return sorted(p.name for p in self.path.iterdir() if p.is_file() and p.name not in NOT_INDEX_FILES
                      and not p.name.endswith("LOCK"))

    def close(self) -> None:
        self.ix.close()


class _OneTypo(wq.FuzzyTerm):
    """Terms within one edit, a transposition counting one, as tantivy counts: whoosh's own automaton
    counts a transposition as two edits, so its terms within two are narrowed here."""

    def __init__(self, fieldname: str, text: str) -> None:
        super().__init__(fieldname, text, maxdist=2, prefixlength=0)

    def _btexts(self, ixreader):  # type: ignore[no-untyped-def]
        for btext in super()._btexts(ixreader):
            term = btext.decode("utf-8") if isinstance(btext, bytes) else btext
            if distance(term, self.text) <= 1:
                yield btext


class _CheckedOr(wq.Or):
    """An OR that checks the request's deadline before its postings are read: whoosh reads every clause's
    postings before matching (≈ 15 ms a common word at 2,000 sheets, 50× that at 100,000), so a long query
    stops between clauses rather than after all of them."""

    def matcher(self, searcher, context=None):  # type: ignore[no-untyped-def]
        deadline.check()
        return super().matcher(searcher, context)


class _Boosted(wq.WrappingQuery):
    """A compound query's score times a factor (whoosh's And/Or keep their boost for their children)."""

    def __init__(self, child: wq.Query, boost: float) -> None:
        super().__init__(child)
        self.boost = boost

    def _rewrap(self, child: wq.Query) -> wq.Query:
        return self.__class__(child, self.boost)

    def matcher(self, searcher, context=None):  # type: ignore[no-untyped-def]
        from whoosh.matching import WrappingMatcher
        return WrappingMatcher(self.child.matcher(searcher, context), boost=self.boost)


def _open(path: Path):  # type: ignore[no-untyped-def]
    """The index in `path`, read with plain reads rather than mapped in memory: a common word at 100,000
    sheets touches most of the files, which then counted in the service's memory."""
    return FileStorage(str(path), supports_mmap=False).open_index()


class _Factory:
    name = "whoosh"
    schema_version = SCHEMA_VERSION

    def create(self, path: Path | None) -> Engine:
        if path is None:
            return WhooshEngine(PrivateRamStorage().create_index(_schema()), None)
        path.mkdir(parents=True, exist_ok=True)
        whoosh_index.create_in(str(path), _schema())
        return WhooshEngine(_open(path), path)

    def open(self, path: Path) -> Engine:
        engine = WhooshEngine(_open(path), path)
        engine.doc_count()
        return engine


WHOOSH = _Factory()
