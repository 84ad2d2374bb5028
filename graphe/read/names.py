"""Read side, what people call things: the values a filter takes, as people type them, turned into the IRIs
and codes the filters query (`filters.py`). One resolver for every list:

- a city by its IRI, its name in any language or its slug (the IRI's last segment), without regard to case
  or accents (« geneve », "Geneva", `geneve` → Genève);
- a theme by its IRI, its slug (`ai`) or its label in any language;
- a country by its ISO 3166-1 alpha-2 code or its name in French or English (« Maroc », "Morocco").

What a name does not find differs by kind, as it already did for identifiers: cities and themes are data, so
a name that finds none is like an IRI naming nothing — the list comes out empty (the city may be published
tomorrow, or retired since the client learnt its name); countries are a closed list, so an unknown one is
BAD_USER_INPUT naming the closest countries, as a malformed ISO code always was. Names tables are read in one
query per kind and kept per public revision (`cached`: `Graphe.cached`).
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence

from ..core.errors import GrapheError
from ..core.rdf import PREFIXES, NamedNode
from ..store import Store
from .country_names import NAMES as COUNTRY_NAMES
from .ordering import Cache, all_rows

SCHEMA, SKOS = PREFIXES["schema"], PREFIXES["skos"]
MAX_VALUES = 100  # values in one filter list: more is refused, before anything is read
MAX_LENGTH = 300  # characters of one value that is not an IRI: no name is longer
_SEPARATORS = re.compile(r"[^0-9a-z]+")
_CODE = re.compile(r"^[A-Za-z]{2}$")


def fold(text: str) -> str:
    """`text` as names are compared: without case, accents or punctuation (« Côte d’Ivoire » → cote d ivoire)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SEPARATORS.sub(" ", bare).strip()


def is_iri(value: str) -> bool:
    """An absolute IRI (`scheme:…`) is taken as an identifier; anything else as a name or a slug."""
    if ":" not in value:
        return False
    try:
        NamedNode(value)
    except ValueError:
        return False
    return True


def _short(value: str) -> str:
    return value if len(value) <= 60 else value[:57] + "…"


def checked(values: Iterable[str], what_fr: str, what_en: str) -> list[str]:
    """The values of one filter list, each once, in order; BAD_USER_INPUT past `MAX_VALUES` or for a value
    that is neither an IRI nor short enough to be a name."""
    given = list(values)
    if len(given) > MAX_VALUES:  # counted as sent: a list of one value repeated is as long to read
        raise GrapheError("BAD_USER_INPUT", f"Trop de valeurs pour le filtre {what_fr} : {len(given)} ; "
                          f"{MAX_VALUES} au plus.", f"Too many values for the {what_en} filter: {len(given)}; "
                          f"at most {MAX_VALUES}.")
    found = list(dict.fromkeys(v.strip() for v in given))
    for value in found:
        if not value or (len(value) > MAX_LENGTH and not is_iri(value)) or any(ord(c) < 32 for c in value):
            raise GrapheError("BAD_USER_INPUT", f"Valeur invalide pour le filtre {what_fr} : « {_short(value)} » "
                              "(une IRI, un nom ou un code attendu).", f"Invalid value for the {what_en} filter: "
                              f"'{_short(value)}' (an IRI, a name or a code expected).")
    return found


# ------------------------------------------------------------------------------------------- countries

def _country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for code, labels in COUNTRY_NAMES.items():
        for label in labels:
            index.setdefault(fold(label), code)
    return index


_COUNTRIES = _country_index()


def countries(values: Iterable[str]) -> tuple[str, ...]:
    """ISO codes of the countries named (by code, or by name in French or English), each once."""
    out: list[str] = []
    for value in checked(values, "pays", "country"):
        # Two letters are a code, as they always were (an unassigned one finds nothing); else a name.
        code = value.upper() if _CODE.match(value) else _COUNTRIES.get(fold(value))
        if code is None:
            raise _unknown_country(value)
        if code not in out:
            out.append(code)
    return tuple(out)


def _unknown_country(value: str) -> GrapheError:
    close = [_COUNTRIES[k] for k in difflib.get_close_matches(fold(value), list(_COUNTRIES), n=3, cutoff=0.75)]
    codes = list(dict.fromkeys(close))
    hint_fr = hint_en = ""
    if codes:
        hint_fr = " Vouliez-vous dire : " + ", ".join(f"{COUNTRY_NAMES[c][0]} ({c})" for c in codes) + " ?"
        hint_en = " Did you mean: " + ", ".join(f"{COUNTRY_NAMES[c][1]} ({c})" for c in codes) + "?"
    return GrapheError("BAD_USER_INPUT", f"Pays inconnu : « {_short(value)} » (code ISO 3166-1 alpha-2 ou nom en "
                       f"français ou en anglais attendu, ex. FR, Maroc).{hint_fr}",
                       f"Unknown country: '{_short(value)}' (an ISO 3166-1 alpha-2 code or a name in French or "
                       f"English expected, e.g. FR, Morocco).{hint_en}")


# ------------------------------------------------------------------------------------------- cities, themes

def _no_cache(key, compute, weight=None, fresh=False):  # type: ignore[no-untyped-def]
    return compute()


# What names a resource of each kind: its class pattern and its name predicates. Themes are the concepts of
# the published schemes; the ontology's own vocabularies (statuses, verdicts) have codes of their own.
_KINDS = {
    "city": (f"?s a <{SCHEMA}City> .", (SCHEMA + "name",)),
    "theme": (f"?s a <{SKOS}Concept> ; <{SKOS}inScheme> ?scheme . FILTER(!STRSTARTS(STR(?s), \"{PREFIXES['gr']}\"))",
              (SKOS + "prefLabel", SKOS + "altLabel")),
}


def name_table(store: Store, kind: str) -> dict[str, tuple[str, ...]]:
    """Folded name or slug → the IRIs it names, for every resource of `kind` (one query)."""
    pattern, predicates = _KINDS[kind]
    names = "|".join(f"<{p}>" for p in predicates)
    rows = all_rows(store, f"SELECT DISTINCT ?s ?name WHERE {{ {pattern} OPTIONAL {{ ?s {names} ?name }} }}",
                    "?s ?name")
    table: dict[str, set[str]] = {}
    for row in rows:
        iri = row["s"].value
        keys = {fold(iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1])}
        if row.get("name") is not None:
            keys.add(fold(row["name"].value))
        for key in keys - {""}:
            table.setdefault(key, set()).add(iri)
    return {key: tuple(sorted(iris)) for key, iris in table.items()}


class Names:
    """Resolves the cities and themes of filters against the published graph (tables kept per revision)."""

    def __init__(self, store: Store | None, cached: Cache = _no_cache) -> None:
        self.store, self.cached = store, cached

    def _resolve(self, kind: str, values: Sequence[str], what_fr: str, what_en: str) -> tuple[str, ...]:
        out: list[str] = []
        table: dict[str, tuple[str, ...]] | None = None
        for value in checked(values, what_fr, what_en):
            if is_iri(value):
                found: Sequence[str] = (value,)
            else:
                if table is None:
                    if self.store is None:  # (no graph to look names up in: identifiers only)
                        raise GrapheError("BAD_USER_INPUT", f"{what_fr.capitalize()} invalide : « {_short(value)} » "
                                          "n'est pas une IRI absolue.", f"Invalid {what_en}: '{_short(value)}' is "
                                          "not an absolute IRI.")
                    store = self.store
                    table = self.cached(("names", kind), lambda: name_table(store, kind),
                                        weight=lambda t: 1 + len(t) // 4)
                found = table.get(fold(value), ())
            out.extend(found)
        return tuple(sorted(set(out)))  # one order: the same set, the same list query (and its kept values)

    def cities(self, values: Sequence[str]) -> tuple[str, ...]:
        return self._resolve("city", values, "ville", "city")

    def themes(self, values: Sequence[str]) -> tuple[str, ...]:
        return self._resolve("theme", values, "thème", "theme")

    def countries(self, values: Sequence[str]) -> tuple[str, ...]:
        return countries(values)
