"""Full-text search: what is indexed (`documents`), how text is analysed (`analysis`, `stemmer`), the engine
interface (`engine`) and its two engines (`tantivy_engine`, the default; `whoosh_engine`, pure Python), the
index's life beside the store (`index`: revision, checksums, rebuilds) and searching (`query`).
Only this package imports a search engine; it reads the store and `entities`, and nothing above them."""
