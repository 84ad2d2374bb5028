"""The tantivy engine (the only module that imports `tantivy`): the default.

Text arrives analysed (terms separated by spaces, tantivy's `whitespace` tokenizer keeps them as they are);
keyword fields are `raw` fast fields, so facet counts come from tantivy's own terms aggregation and hits
from its top-N collector: nothing is scored or counted in Python. tantivy releases the interpreter while it
searches, so searches on several threads run at once.
"""
from __future__ import annotations

import json
from pathlib import Path

import tantivy

from .engine import (FACET_FIELDS, KEYWORD_FIELDS, SORT_FIELD, SPELL_FIELD, TEXT_FIELDS, AnyOf, Bool, Doc, Engine, Everything, Found, Fuzzy, Page, Phrase, Query, Term)

SCHEMA_VERSION = 1
FACET_SIZE = 100_000  # distinct values counted per facet (all of them: cities and themes are far fewer)
REBUILD_HEAP = 256_000_000  # bytes of the writer's buffer for a rebuild, split over its threads
WRITE_HEAP = 32_000_000  # for a catch-up (a few documents)


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name="whitespace", index_option="position")
    for name in KEYWORD_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic",
                               fast=name in FACET_FIELDS or name == "id")
    builder.add_text_field(SPELL_FIELD, tokenizer_name="whitespace", index_option="freq")
    builder.add_text_field(SORT_FIELD, tokenizer_name="raw", index_option="basic", fast=True)
    builder.add_bytes_field("doc", stored=True)
    return builder.build()


class _Writer:
    def __init__(self, engine: "TantivyEngine", heap: int, threads: int) -> None:
        self._engine = engine
        self._w = engine.index.writer(heap_size=heap, num_threads=threads)

    def add(self, doc: Doc) -> None:
        d = tantivy.Document()
        for name, text in doc.text.items():
            if text:
                d.add_text(name, text)
        for name, values in doc.keywords.items():
            for value in values:
                d.add_text(name, value)
        d.add_text(SPELL_FIELD, doc.spell)
        d.add_text(SORT_FIELD, doc.issued)
        d.add_bytes("doc", doc.stored)
        self._w.add_document(d)

    def delete(self, doc_id: str) -> None:
        self._w.delete_documents_by_term("id", doc_id)

    def commit(self) -> None:
        self._w.commit()
        # Merges finish before the files are listed for their checksums (a merge running on would replace
        # them under the recorded list).
        self._w.wait_merging_threads()
        self._engine.index.reload()

    def cancel(self) -> None:
        try:
            self._w.rollback()
        finally:
            self._w.wait_merging_threads()


class TantivyEngine:
    name = "tantivy"

    def __init__(self, index: tantivy.Index, path: Path | None) -> None:
        self.index = index
        self.path = path
        self.schema = index.schema

    # ------------------------------------------------------------------------------------ writing

    def writer(self, *, bulk: bool = False) -> _Writer:
        # One indexing thread even in bulk: the rebuild's two processes already keep both cores busy.
        return _Writer(self, REBUILD_HEAP if bulk else WRITE_HEAP, 1)

    # ------------------------------------------------------------------------------------ reading

    def _compile(self, q: Query) -> tantivy.Query:
        schema = self.schema
        if isinstance(q, Term):
            out = tantivy.Query.term_query(schema, q.field, q.text)
        elif isinstance(q, Phrase):
            out = tantivy.Query.phrase_query(schema, q.field, list(q.terms))
        elif isinstance(q, Fuzzy):
            # A typo's matches score a constant (tantivy's automaton queries do): below an exact word.
            out = tantivy.Query.fuzzy_term_query(schema, q.field, q.text, distance=1, transposition_cost_one=True)
        elif isinstance(q, AnyOf):
            return tantivy.Query.term_set_query(schema, q.field, list(q.values))
        elif isinstance(q, Everything):
            return tantivy.Query.all_query()
        else:
            assert isinstance(q, Bool)
            parts = [(tantivy.Occur.Must, self._compile(p)) for p in q.must]
            parts += [(tantivy.Occur.Should, self._compile(p)) for p in q.should]
            parts += [(tantivy.Occur.MustNot, self._compile(p)) for p in q.must_not]
            if not q.must and not q.should:
                parts.append((tantivy.Occur.Must, tantivy.Query.all_query()))
            out = tantivy.Query.boolean_query(parts)
        boost = getattr(q, "boost", 1.0)
        return out if boost == 1.0 else tantivy.Query.boost_query(out, boost)

    def _query(self, query: Query, filters: Query | None) -> tantivy.Query:
        compiled = self._compile(query)
        if filters is None:
            return compiled
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, compiled),
                                            (tantivy.Occur.Must, self._compile(filters))])

    def search(self, query: Query, filters: Query | None, offset: int, limit: int, *, facets: bool,
               sort: str = "relevance") -> Page:
        searcher = self.index.searcher()
        wanted = limit
        q = self._query(query, filters)
        limit = max(1, limit)  # (tantivy refuses 0, by a panic; the page is cut below)
        if sort == "date":
            result = searcher.search(q, limit=limit, count=True, order_by_field=SORT_FIELD, offset=offset,
                                     order=tantivy.Order.Desc)
        else:
            result = searcher.search(q, limit=limit, count=True, offset=offset)
        hits = []
        for key, address in result.hits:
            stored = json.loads(bytes(searcher.doc(address).get_first("doc")))
            score = float(key) if sort != "date" else 0.0
            hits.append(Found(stored["id"], stored["type"], score, stored))
        counted: dict[str, dict[str, int]] = {}
        if facets:
            aggregated = searcher.aggregate(q, {name: {"terms": {"field": name, "size": FACET_SIZE}}
                                                for name in FACET_FIELDS})
            counted = {name: {b["key"]: int(b["doc_count"]) for b in aggregated[name]["buckets"]}
                       for name in FACET_FIELDS}
        return Page(hits[:wanted], int(result.count or 0), counted)

    def count(self, query: Query, filters: Query | None) -> int:
        # (tantivy refuses a limit of 0, by a panic)
        return int(self.index.searcher().search(self._query(query, filters), limit=1, count=True).count or 0)

    def stored(self, doc_id: str) -> dict | None:
        searcher = self.index.searcher()
        result = searcher.search(tantivy.Query.term_query(self.schema, "id", doc_id), limit=1)
        if not result.hits:
            return None
        return json.loads(bytes(searcher.doc(result.hits[0][1]).get_first("doc")))

    def doc_freq(self, field: str, term: str) -> int:
        return int(self.index.searcher().doc_freq(field, term))

    def terms_with_prefix(self, field: str, prefix: str) -> list[tuple[str, int]]:
        return [(t, int(n)) for t, n in self.index.searcher().terms_with_prefix(field, prefix)]

    def doc_count(self) -> int:
        return int(self.index.searcher().num_docs)

    def files(self) -> list[str]:
        """The files the last commit uses: meta.json and its segments' files (older files, kept while a
        searcher still reads them, are tantivy's to delete)."""
        if self.path is None:
            return []
        meta = json.loads((self.path / "meta.json").read_text(encoding="utf-8"))
        live: dict[str, int | None] = {}
        for segment in meta.get("segments", []):
            deletes = segment.get("deletes")
            live[segment["segment_id"].replace("-", "")] = deletes["opstamp"] if deletes else None
        names = ["meta.json"]
        for path in self.path.iterdir():
            stem, _, ext = path.name.partition(".")
            if stem not in live:
                continue
            if ext.endswith("del"):
                if ext != f"{live[stem]}.del":
                    continue
            names.append(path.name)
        return sorted(names)

    def close(self) -> None:
        pass  # tantivy closes its files when the last searcher lets the index go


class _Factory:
    name = "tantivy"
    schema_version = SCHEMA_VERSION

    def create(self, path: Path | None) -> Engine:
        if path is not None:
            path.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(_schema(), path=str(path) if path is not None else None, reuse=False)
        return TantivyEngine(index, path)

    def open(self, path: Path) -> Engine:
        if not (path / "meta.json").exists():
            raise FileNotFoundError(f"{path}: no tantivy index")
        index = tantivy.Index.open(str(path))
        engine = TantivyEngine(index, path)
        engine.doc_count()
        return engine


TANTIVY = _Factory()
