"""The one description of a practice's fields, from which every channel is derived.

Markdown and CSV sheets (`ingest/sheets.py`: the keys and the `Sheet` value), the RDF mapping
(`ingest/sheets_rdf.py`), the CSV columns of the export (`read/exports.py`), the GraphQL `PracticeInput` and the
sheet fields of the `Practice` type (`api/`), and the practice's search document (`search/documents.py`) all
read `FIELDS`. Adding a field here adds it everywhere; `tests/model/test_practice_model.py` round-trips every
field through every channel. `ontology/MODEL.md` says the same in prose, and the SHACL shapes decide what is
required.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..core.rdf import PREFIXES
from .namespaces import GR, VOCABULARIES

DCT, SCHEMA, DCAT = PREFIXES["dct"], PREFIXES["schema"], PREFIXES["dcat"]

# What a field holds, which decides how each channel reads and writes it:
#   text          a text per language (dict lang → text); CSV: one column per language
#   words         a list of words per language (dict lang → [word]); CSV: one column per language, " | "
#   ref / refs    one reference / a list of references (a slug, `id/…` or an IRI) to a resource of `target`
#   status        a code of the `vocabulary` (a concept scheme of the ontology)
#   date          a full date (YYYY-MM-DD)
#   partial_date  YYYY-MM-DD, YYYY-MM or YYYY
#   email, url    a role address; a web address (http or https)
KINDS = ("text", "words", "ref", "refs", "status", "date", "partial_date", "email", "url")
SEARCH_PARTS = ("title", "summary", "body", "tags", "city")


@dataclass(frozen=True)
class Field:
    name: str  # the sheet key and CSV column stem (snake_case); GraphQL names it in camelCase
    predicate: str
    kind: str
    fr: str  # label, French
    en: str  # label, English
    target: str | None = None  # ref/refs: the kind of resource, as in its IRI ({base}id/{target}/{slug})
    vocabulary: str | None = None  # status: the concept scheme in `model.namespaces.VOCABULARIES`
    search: str | None = None  # the part of the search document it feeds (SEARCH_PARTS)
    csv_langs: tuple[str, ...] = ("fr", "en")  # text/words: the languages the CSV has a column for
    help_fr: str = ""  # a hint for people who fill it in (GraphQL description, forms)

    @property
    def multilingual(self) -> bool:
        return self.kind in ("text", "words")

    @property
    def many(self) -> bool:
        return self.kind in ("refs", "words")

    def codes(self) -> dict[str, str]:
        """status: code → IRI, from the ontology."""
        assert self.vocabulary is not None
        return VOCABULARIES[self.vocabulary]


FIELDS: tuple[Field, ...] = (
    Field("title", DCT + "title", "text", "Titre", "Title", search="title",
          help_fr="Titre, au moins en français. / Title, French required."),
    Field("summary", DCT + "abstract", "text", "Résumé", "Summary", search="summary"),
    Field("body", DCT + "description", "text", "Description complète", "Full description", search="body"),
    Field("results", GR.results, "text", "Résultats", "Results", search="body"),
    Field("transferability", GR.transferability, "text", "Transférabilité", "Transferability", search="body"),
    Field("city", GR.city, "ref", "Ville porteuse", "Owning city", target="city", search="city"),
    Field("creator", DCT + "creator", "ref", "Organisation porteuse", "Owning organisation", target="organisation"),
    Field("contributors", DCT + "contributor", "refs", "Partenaires", "Partners", target="organisation"),
    Field("themes", DCT + "subject", "refs", "Thèmes", "Themes", target="theme"),
    Field("status", GR.status, "status", "Étape du cycle de vie", "Lifecycle stage", vocabulary="LifecycleStatus"),
    Field("issued", DCT + "issued", "date", "Date de publication", "Issued"),
    Field("start_date", SCHEMA + "startDate", "partial_date", "Début", "Start"),
    Field("end_date", SCHEMA + "endDate", "partial_date", "Fin", "End"),
    Field("contact", SCHEMA + "email", "email", "Adresse de contact (fonctionnelle)", "Role address",
          help_fr="Adresse fonctionnelle, pas personnelle."),
    Field("url", SCHEMA + "url", "url", "Site web", "Website"),
    Field("adapted_from", GR.adaptedFrom, "refs", "Pratiques reprises et adaptées", "Adapted from",
          target="practice"),
    Field("inspired_by", GR.inspiredBy, "refs", "Pratiques qui l'ont inspirée", "Inspired by", target="practice"),
    Field("charters", GR.appliesCharter, "refs", "Chartes appliquées", "Charters applied", target="charter"),
    Field("ai_projects", GR.describesProject, "refs", "Projets d'IA décrits", "AI projects described",
          target="ai-project"),
    Field("keywords", DCAT + "keyword", "words", "Mots-clés", "Keywords", search="tags"),
    Field("sources", DCT + "source", "refs", "Sources", "Sources", target="source"),
)
BY_NAME = {f.name: f for f in FIELDS}

# Export-only columns: derived by the store, never read back (`graphe import` ignores them).
READ_ONLY_COLUMNS = ("city_name", "country", "modified", "themes_labels", "creator_label", "contributors_labels",
                     "charters_labels", "adapted_from_labels", "inspired_by_labels", "ai_projects_labels",
                     "sources_labels")
# The CSV of practices, column by column. Spreadsheets and scripts address columns by place: a new field's
# columns go at the end, existing ones keep theirs (a test checks this covers FIELDS × csv_langs exactly).
CSV_COLUMNS: tuple[str, ...] = (
    "iri", "title_fr", "title_en", "summary_fr", "summary_en", "city", "city_name", "country", "themes",
    "status", "issued", "modified", "url", "adapted_from", "inspired_by", "charters", "keywords_fr",
    "body_fr", "body_en", "results_fr", "results_en", "transferability_fr", "transferability_en",
    "creator", "contributors", "start_date", "end_date", "contact", "ai_projects", "keywords_en", "sources",
    "themes_labels", "creator_label", "contributors_labels", "charters_labels", "adapted_from_labels",
    "inspired_by_labels", "ai_projects_labels", "sources_labels")


def csv_column(column: str) -> tuple[Field, str | None] | None:
    """`title_en` → (title, "en"); `themes` → (themes, None); an export-only or identity column → None."""
    if column in BY_NAME and not BY_NAME[column].multilingual:
        return BY_NAME[column], None
    name, _, lang = column.rpartition("_")
    fld = BY_NAME.get(name)
    if fld is not None and fld.multilingual and lang in fld.csv_langs:
        return fld, lang
    return None


def search_predicates(part: str) -> tuple[str, ...]:
    """The predicates feeding one part of a practice's search document, in field order."""
    return tuple(f.predicate for f in FIELDS if f.search == part)
