"""Text analysis, done here in Python and nowhere else, so both engines index and search the same terms.

French: words (letters and digits; `2,5` and `3.14` stay whole) → lower case → elisions removed (`l'`, `d'`,
`qu'`, `jusqu'`…; an apostrophe after anything else joins the word: `aujourd'hui` → `aujourdhui`) → ligatures
expanded (œ→oe, æ→ae) and accents folded → French stop words removed → light French stemming. So `données`,
`Données`, `donnée`, `DONNEES` and `donnees` all give `done`. English: the same chain with English stop words
and Snowball's English stemmer (apostrophes split: `city's` → `city`). Hyphens split (`e-administration` →
`e`, `administration`); a query word that gives several terms asks for them side by side.

The engines receive the terms already analysed, separated by spaces (tantivy's `whitespace` tokenizer,
whoosh's `SpaceSeparatedTokenizer`): one analysis, tested here once, cannot drift between engines.
Analysed forms are memoised per raw word (`_Memo`: indexing at 20,000 sheets 24.1 → 10.7 s; bench/NOTES.md).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

import snowballstemmer

from .stemmer import french_light

ELISIONS = frozenset({"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"})
# Snowball's French list, folded (the chain folds before it removes stop words), without `ai`, `as`, `es`
# (`AI`, `AS`, `ES` are acronyms people search for) and with the elided forms.
FRENCH_STOP = frozenset("""
a aie aient aies ait au aura aurai auraient aurais aurait auras aurez auriez aurions aurons auront aux avaient
avais avait avec avez aviez avions avons ayant ayante ayantes ayants ayez ayons ce ces dans de des du elle en
est et eu eue eues eumes eurent eus eusse eussent eusses eussiez eussions eut eutes eux furent fus fusse
fussent fusses fussiez fussions fut fumes futes il je la le les leur lui ma mais me meme mes moi mon ne nos
notre nous on ont ou par pas pour que qui sa se sera serai seraient serais serait seras serez seriez serions
serons seront ses soient sois soit sommes son sont soyez soyons suis sur ta te tes toi ton tu un une vos votre
vous y etaient etais etait etant etante etantes etants etiez etions ete etee etees etes
""".split()) | ELISIONS
ENGLISH_STOP = frozenset("""
a about above after again against all am an and any are as at be because been before being below between both
but by can did do does doing don down during each few for from further had has have having he her here hers
herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on
once only or other our ours ourselves out over own s same she should so some such t than that the their theirs
them themselves then there these they this those through to too under until up very was we were what when
where which while who whom why will with you your yours yourself yourselves
""".split())

# A word: letters, digits or `_`, with inner apostrophes (`l'IA`, `aujourd'hui`) and decimal marks (`2,5`).
_WORD = re.compile(r"\w+(?:['’]\w+)*(?:[.,][0-9]+)*")  # (\w: 12 % faster than [^\W_]; `_` is kept in words)
_APOSTROPHE = re.compile(r"['’]")
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "ø": "o", "Ø": "o",
                            "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ı": "i", "’": "'"})
_english = snowballstemmer.stemmer("english")
LANGS = ("fr", "en")
MEMO = 1 << 18  # raw words remembered per language (≈ 40 MB at most)


def fold(text: str) -> str:
    """Lower case, ligatures expanded, accents and other marks removed (`Œuvre` → `oeuvre`, `Genève` →
    `geneve`); letters of other scripts are kept as they are, less their marks."""
    text = text.lower().translate(_LIGATURES)
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _unelided(folded: str) -> str:
    """`l'ia` → `ia`, `jusqu'a` → `a`, `aujourd'hui` → `aujourdhui`."""
    parts = _APOSTROPHE.split(folded)
    while len(parts) > 1 and parts[0] in ELISIONS:
        parts = parts[1:]
    return "".join(parts)


@lru_cache(maxsize=MEMO)
def _french(word: str) -> tuple[str, ...]:
    """The terms of one raw French word (possibly none)."""
    joined = _unelided(fold(word))
    if joined in FRENCH_STOP:
        return ()
    return (french_light(joined),)


@lru_cache(maxsize=MEMO)
def _english_word(word: str) -> tuple[str, ...]:
    out = []
    for part in _APOSTROPHE.split(fold(word)):
        if part and part not in ENGLISH_STOP:
            out.append(_english.stemWord(part))
    return tuple(out)


_ANALYSERS = {"fr": _french, "en": _english_word}


def analyse(text: str, lang: str) -> list[str]:
    """The terms of `text` in `lang` ("fr" or "en"), in order."""
    one = _ANALYSERS[lang]
    out: list[str] = []
    for word in _WORD.findall(text):
        out.extend(one(word))
    return out


def spans(text: str, lang: str) -> Iterator[tuple[str, int, int]]:
    """Each term of `text` with the start and end of the word it comes from (for snippets), as they come."""
    one = _ANALYSERS[lang]
    for m in _WORD.finditer(text):
        start, word = m.start(), m.group()
        if lang == "fr" and ("'" in word or "’" in word):  # mark `énergie` in `l'énergie`
            parts = _APOSTROPHE.split(word)
            while len(parts) > 1 and fold(parts[0]) in ELISIONS:
                start += len(parts[0]) + 1
                parts = parts[1:]
        for term in one(word):
            yield term, start, m.end()


def words(text: str) -> list[str]:
    """The words as written, folded, not stemmed, stop words kept: the vocabulary of spelling suggestions
    and of exact names."""
    return list(plain_words(split(text)))


class _Memo(dict):  # type: ignore[type-arg]
    """Raw word → a string computed once: every later word is one dictionary lookup made in C (`map`),
    without a Python call per word (indexing 83 MB of text at 20,000 sheets: bench/NOTES.md)."""

    def __init__(self, compute) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self._compute = compute

    def __missing__(self, word: str) -> str:
        value = self._compute(word)
        if len(self) < MEMO:
            self[word] = value
        return value


_INDEXED = {lang: _Memo(lambda w, one=one: " ".join(one(w))) for lang, one in _ANALYSERS.items()}
_PLAIN = _Memo(lambda word: _unelided(fold(word)))


def split(text: str) -> list[str]:
    """The raw words of a text, for `indexed_words` and `plain_words`."""
    return _WORD.findall(text)


def indexed_words(raw: list[str], lang: str) -> str:
    """What an engine indexes for the text these raw words come from: its terms, separated by spaces."""
    return " ".join(filter(None, map(_INDEXED[lang].__getitem__, raw)))


def plain_words(raw: list[str]) -> Iterator[str]:
    """`words` of the text these raw words come from."""
    return map(_PLAIN.__getitem__, raw)


def name_key(text: str) -> str:
    """A name compared whole: `Genève` and `geneve`, `Ville de Québec` and `ville de quebec` meet."""
    return " ".join(words(text))

