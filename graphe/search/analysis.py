"""Text analysis and the index schema (whoosh is imported only inside `graphe/search/`).

French: split on anything that is not a letter or digit (so `l'IA`, `l’IA`, `d'intelligence` split at the
apostrophe), lower-case, drop French stop words and elided articles (l, d, qu, j…), stem (Snowball), then
fold accents — `énergie`/`energie`, `Genève`/`geneve`, `mobilités`/`mobilité`, `données`/`donnée` meet.
English texts get the same chain with English stop words and stemmer.
"""
from __future__ import annotations

from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.lang import stopwords_for_language
from whoosh.support.charset import accent_map

SCHEMA_VERSION = 1
TOKENS = r"[^\W_]+(?:[.,][^\W_]+)*"
ELISIONS = {"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"}


def analyzer(lang: str):  # type: ignore[no-untyped-def]
    stops = set(stopwords_for_language(lang)) | (ELISIONS if lang == "fr" else set())
    return (RegexTokenizer(TOKENS) | LowercaseFilter() | StopFilter(stoplist=stops, minsize=1)
            | StemFilter(lang=lang) | CharsetFilter(accent_map))


def spelling_analyzer():  # type: ignore[no-untyped-def]
    """Whole words as written (lower-cased, accents kept): the vocabulary suggestions are taken from."""
    return RegexTokenizer(TOKENS) | LowercaseFilter() | StopFilter(minsize=3)


def folded_analyzer():  # type: ignore[no-untyped-def]
    """Names (cities, tags): no stemming, accents folded."""
    return RegexTokenizer(TOKENS) | LowercaseFilter() | CharsetFilter(accent_map)


FR, EN = analyzer("fr"), analyzer("en")

TEXT_FIELDS = {
    # field: (analyzer, boost)
    "title_fr": (FR, 3.0), "title_en": (EN, 3.0),
    "summary_fr": (FR, 1.5), "summary_en": (EN, 1.5),
    "body_fr": (FR, 1.0), "body_en": (EN, 1.0),
    "theme_labels": (FR, 1.2), "city_name": (folded_analyzer(), 1.0), "tags": (FR, 1.2),
}


def schema() -> Schema:
    fields = {name: TEXT(analyzer=a, field_boost=b, stored=name.startswith(("title", "summary", "body")))
              for name, (a, b) in TEXT_FIELDS.items()}
    return Schema(
        id=ID(stored=True, unique=True),
        type=ID(stored=True),
        themes=KEYWORD(stored=True, commas=False, scorable=False),
        themes_all=KEYWORD(commas=False, scorable=False),
        city=ID(stored=True),
        country=ID(stored=True),
        status=ID(stored=True),
        issued=STORED(),
        spell=TEXT(analyzer=spelling_analyzer(), spelling=True),
        **fields,
    )
