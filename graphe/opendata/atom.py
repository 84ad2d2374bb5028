"""Atom feeds (RFC 4287) of new and updated published practices: all of them, per theme, per city, per country.
The only module that imports the feed library (feedgen).

- Entry `id`: the practice's IRI. An Atom id names the entry for good (RFC 4287 §4.2.6): a reader shows a
  later version of the same id as an update of the entry it has, where an id per revision would show each
  change as another practice. The IRI is stable, public and dereferenceable: the best id there is.
- `updated`: when the practice last changed for its readers — the last public revision that created,
  changed or retired it (the change feed), or its `dct:modified` if later; `published`: its `dct:issued`.
- Newest `updated` first, MAX_ENTRIES at most.
- A retired practice stays, as retired (title and summary say so, `updated` is its retirement): a follower
  learns it is gone, which Atom could not say by leaving it out.
- French by default, English with `?lang=en` (or `Accept-Language`); a text missing in the feed's language
  is given in the other one and says so (`xml:lang` on the element).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from feedgen.ext.base import BaseEntryExtension
from feedgen.feed import FeedGenerator

from ..core.errors import GrapheError
from ..core.rdf import PREFIXES
from ..publishing.feed import FEED_PATHS as PATHS, feed_path, last_changes
from ..read import published
from ..read.exports import Dated, Digest, city_countries, names_of, practice_dates, practice_digests
from ..read.filters import PracticeFilter
from ..service import Graphe

MAX_ENTRIES = 50
MEDIA_TYPE = "application/atom+xml"
SKOS, SCHEMA = PREFIXES["skos"], PREFIXES["schema"]
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")  # fullmatch: "$" would let a trailing newline through
_COUNTRY = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True)
class Subject:
    """What a feed follows, found in the published graph: its filter, title words and HTML page."""
    flt: PracticeFilter
    names: dict[str, str]  # lang → name ("" untagged)
    page: str  # the HTML page of what is followed


def _unknown(what_fr: str, what_en: str, key: str) -> GrapheError:
    return GrapheError("NOT_FOUND", f"Aucun flux : {what_fr} « {key[:100]} ».",
                       f"No feed: unknown {what_en} '{key[:100]}'.", {"status": 404})


def subject(graphe: Graphe, kind: str, key: str) -> Subject:
    """The theme (slug), city (slug) or country (ISO 3166-1 alpha-2 code of a member city) a feed follows;
    anything else is a coded 404."""
    b = graphe.settings.base_iri
    if kind == "all":
        return Subject(PracticeFilter(), {}, b)
    if kind == "country":
        code = key.upper()
        if not _COUNTRY.fullmatch(code) or code not in published_countries(graphe):
            raise _unknown("pays inconnu", "country", key)
        return Subject(PracticeFilter(countries=(code,)), {"": code}, f"{b}id/practice?country={code}")
    what = {"theme": ("thème inconnu", "theme", SKOS + "prefLabel"),
            "city": ("ville inconnue", "city", SCHEMA + "name")}[kind]
    iri = f"{b}id/{kind}/{key}"
    if not _SLUG.fullmatch(key):
        raise _unknown(what[0], what[1], key)
    names = names_of(graphe.store, iri, what[2])
    if not names:
        raise _unknown(what[0], what[1], key)
    flt = PracticeFilter(themes=(iri,)) if kind == "theme" else PracticeFilter(cities=(iri,))
    return Subject(flt, names, iri)


def published_countries(graphe: Graphe) -> frozenset[str]:
    return graphe.cached("atom:countries", lambda: city_countries(graphe.store))


def _time(text: str | None) -> dt.datetime | None:
    """An xsd:dateTime or xsd:date as an aware datetime (a date: its midnight UTC); None if unreadable."""
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text) if "T" in text else \
            dt.datetime.combine(dt.date.fromisoformat(text[:10]), dt.time())
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _pick(texts: dict[str, str] | None, lang: str) -> tuple[str, str]:
    """(text, its language) in `lang`, else French, English, untagged."""
    texts = texts or {}
    for tag in (lang, "fr", "en", ""):
        if texts.get(tag):
            return texts[tag], tag
    return "", ""


class _Languages(BaseEntryExtension):
    """Marks the title and summary of an entry with `xml:lang` where they are not in the feed's language
    (feedgen has no per-element language of its own)."""

    def __init__(self) -> None:
        self.langs: dict[str, str] = {}

    def extend_atom(self, entry):  # type: ignore[no-untyped-def]
        for name, lang in self.langs.items():
            element = entry.find(name)
            if element is not None and lang:
                element.set(XML_LANG, lang)
        return entry


TEXTS = {
    "fr": {"all": "Graphe — bonnes pratiques publiées", "theme": "Graphe — thème : {name}",
           "city": "Graphe — {name}", "country": "Graphe — pratiques du pays {name}",
           "subtitle": "Les bonnes pratiques des villes francophones de l'AIMF, nouvelles et mises à jour.",
           "retired": "Retirée : {title}", "retired_on": "Pratique retirée le {date}.", "author": "AIMF"},
    "en": {"all": "Graphe — published good practices", "theme": "Graphe — theme: {name}",
           "city": "Graphe — {name}", "country": "Graphe — practices of country {name}",
           "subtitle": "Good practices of the AIMF's francophone cities, new and updated.",
           "retired": "Retired: {title}", "retired_on": "Practice retired on {date}.", "author": "AIMF"},
}


def feed(graphe: Graphe, kind: str, key: str, lang: str) -> bytes:
    """The feed's document, kept per public revision (and language): a reader polling it costs nothing."""
    if kind not in PATHS:
        raise _unknown("genre inconnu", "kind", kind)
    found = subject(graphe, kind, key)  # before the cache: a hostile key never takes a cache slot
    canonical = key.upper() if kind == "country" else key
    return graphe.cached(("atom", kind, canonical, lang), lambda: _build(graphe, kind, canonical, lang, found),
                         weight=lambda body: 1 + len(body) // 100)


def _build(graphe: Graphe, kind: str, key: str, lang: str, found: Subject) -> bytes:
    t = TEXTS[lang]
    b = graphe.settings.base_iri
    changed = graphe.cached("atom:last-changes", lambda: last_changes(graphe.store))
    dated = practice_dates(graphe.store, found.flt)

    def updated(d: Dated) -> dt.datetime:
        times = [_time(changed.get(d.iri)), _time(d.modified), _time(d.retired), _time(d.issued)]
        return max((x for x in times if x is not None), default=dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc))

    newest = sorted(dated, key=lambda d: (updated(d), d.iri), reverse=True)[:MAX_ENTRIES]
    digests = practice_digests(graphe.store, [d.iri for d in newest])

    fg = FeedGenerator()
    url = b + feed_path(kind, key)
    fg.id(url)
    name, _ = _pick(found.names, lang)
    fg.title(t[kind].format(name=name))
    fg.subtitle(t["subtitle"])
    fg.language(lang)
    fg.author({"name": t["author"], "uri": "https://www.aimf.asso.fr/"})
    fg.link(href=url, rel="self", type=MEDIA_TYPE)
    fg.link(href=found.page, rel="alternate", type="text/html")
    fg.link(href=graphe.settings.license, rel="license")
    fg.rights(graphe.settings.license)
    fg.generator("Graphe")
    revision = graphe.store.revision().time or published.first_revision_time(graphe.store)
    fg.updated(max((updated(d) for d in newest), default=None) or revision or dt.datetime.now(dt.timezone.utc))
    # feedgen writes entries in reverse order of addition: add the oldest first so the newest comes first.
    for d in reversed(newest):
        _entry(fg, d, digests[d.iri], updated(d), lang, t, b)
    return fg.atom_str(pretty=True)


def _entry(fg: FeedGenerator, d: Dated, digest: Digest, updated: dt.datetime, lang: str, t: dict[str, str],
           b: str) -> None:
    entry = fg.add_entry()
    entry.register_extension("graphe_languages", _Languages, atom=True, rss=False)
    marks: dict[str, str] = {}
    title, title_lang = _pick(digest.titles, lang)
    summary, summary_lang = _pick(digest.summaries, lang)
    retired = _time(d.retired)
    if retired is not None:
        title = t["retired"].format(title=title)
        summary = (t["retired_on"].format(date=retired.date().isoformat()) + " " + summary).strip()
    entry.id(d.iri)
    entry.title(title or d.iri)
    entry.updated(updated)
    issued = _time(d.issued)
    if issued is not None:
        entry.published(issued)
    # feedgen 1.0.0 drops an entry link's rel and type; without rel, a link is the alternate (RFC 4287 §4.2.7.2).
    entry.link(href=d.iri, rel="alternate", type="text/html")
    if summary:
        entry.summary(summary)
    if digest.city:
        city, _ = _pick(digest.city_names, lang)
        entry.author({"name": city or digest.city, "uri": digest.city})
    for theme, names in digest.themes or []:
        label, _ = _pick(names, lang)
        entry.category(term=theme, scheme=b + "id/theme", **({"label": label} if label else {}))
    for element, tag in (("title", title_lang), ("summary", summary_lang)):
        if tag != lang:
            marks[element] = tag
    entry.graphe_languages.langs = marks
