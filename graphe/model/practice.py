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
#   records       a list of records the practice owns (an indicator, a cost, a partnership), each a resource named
#                 under the practice's IRI ({practice}/{segment}/{n}, no blank node), typed `record_class`, linked by
#                 `predicate`, with the `parts` below (a list of mappings part → value; CSV: one cell, see
#                 `ingest/records.py`)
KINDS = ("text", "words", "ref", "refs", "status", "date", "partial_date", "email", "url", "records")
# What a record's part holds:
#   text          a text per language (dict lang → text)
#   decimal       a number, written with a dot ("9.6"; a sheet may write "9,6"), kept as text (xsd:decimal)
#   string        a plain text without language (a unit: "%", "repas/jour")
#   partial_date  YYYY-MM-DD, YYYY-MM or YYYY
#   currency      an ISO 4217 code, three capital letters (EUR, XOF, CAD)
#   code          a code of the part's `vocabulary` (a concept scheme of the ontology)
#   ref           a reference (slug, `id/…` or IRI) to a resource of `target`
PART_KINDS = ("text", "decimal", "string", "partial_date", "currency", "code", "ref")
MAX_RECORDS = 20  # records of one field: a practice documents a few outcomes, not a data set
SEARCH_PARTS = ("title", "summary", "body", "tags", "city")


@dataclass(frozen=True)
class Part:
    """One part of a record (`records` fields): its key in sheets, CSV cells and forms, and its predicate."""
    name: str
    predicate: str
    kind: str  # PART_KINDS
    fr: str
    en: str
    required: bool = False
    target: str | None = None  # ref: the kind of resource
    vocabulary: str | None = None  # code: the concept scheme in `model.namespaces.VOCABULARIES`
    search: bool = False  # a text part: its words go to the practice's search document (body part)

    @property
    def multilingual(self) -> bool:
        return self.kind == "text"

    def codes(self) -> dict[str, str]:
        assert self.vocabulary is not None
        return VOCABULARIES[self.vocabulary]

    def label(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.en


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
    # records: the class of each record, the IRI segment it is named under, the form's key stem and GraphQL type
    record_class: str | None = None
    segment: str | None = None  # {practice}/{segment}/{n}
    row: str | None = None  # form keys {row}_{part}[_{lang}]_{n}: "outcome_name_fr_1"
    type_name: str | None = None  # the GraphQL type of a record ("Indicator"; input "IndicatorInput")
    parts: tuple[Part, ...] = ()

    @property
    def multilingual(self) -> bool:
        return self.kind in ("text", "words")

    @property
    def many(self) -> bool:
        return self.kind in ("refs", "words", "records")

    def part(self, name: str) -> Part:
        return next(p for p in self.parts if p.name == name)

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
    Field("outcomes", GR.outcome, "records", "Résultats mesurés", "Measured outcomes", search="body",
          record_class=GR.Indicator, segment="indicator", row="outcome", type_name="Indicator",
          help_fr="Un indicateur par ligne : nom, valeur, unité, date de la mesure, valeur de départ.",
          parts=(Part("name", SCHEMA + "name", "text", "indicateur", "indicator", required=True, search=True),
                 Part("value", SCHEMA + "value", "decimal", "valeur", "value", required=True),
                 Part("unit", SCHEMA + "unitText", "string", "unité", "unit"),
                 Part("date", DCT + "date", "partial_date", "date de la mesure", "date measured"),
                 Part("baseline", GR.baseline, "decimal", "valeur de départ", "baseline"))),
    Field("costs", GR.cost, "records", "Coûts", "Costs", search="body",
          record_class=GR.Cost, segment="cost", row="cost", type_name="Cost",
          help_fr="Un coût par ligne : montant, devise (EUR, XOF…), périodicité, financement.",
          parts=(Part("amount", SCHEMA + "value", "decimal", "montant", "amount", required=True),
                 Part("currency", SCHEMA + "currency", "currency", "devise", "currency", required=True),
                 Part("period", GR.costPeriod, "code", "périodicité", "period", vocabulary="CostPeriods"),
                 Part("funding", GR.fundingSource, "text", "financement", "funding", search=True))),
    Field("partner_roles", GR.partnership, "records", "Partenaires et leurs rôles", "Partners and their roles",
          record_class=GR.Partnership, segment="partner", row="partner", type_name="Partnership",
          help_fr="Une organisation partenaire par ligne, avec son rôle.",
          parts=(Part("organisation", GR.partner, "ref", "organisation", "organisation", required=True,
                      target="organisation"),
                 Part("role", GR.partnerRole, "text", "rôle", "role"))),
)
BY_NAME = {f.name: f for f in FIELDS}

# Export-only columns: derived by the store, never read back (`graphe import` ignores them).
READ_ONLY_COLUMNS = ("city_name", "country", "modified", "themes_labels", "creator_label", "contributors_labels",
                     "charters_labels", "adapted_from_labels", "inspired_by_labels", "ai_projects_labels",
                     "sources_labels", "last_reviewed", "review_due")
# The CSV of practices, column by column. Spreadsheets and scripts address columns by place: a new field's
# columns go at the end, existing ones keep theirs (a test checks this covers FIELDS × csv_langs exactly).
CSV_COLUMNS: tuple[str, ...] = (
    "iri", "title_fr", "title_en", "summary_fr", "summary_en", "city", "city_name", "country", "themes",
    "status", "issued", "modified", "url", "adapted_from", "inspired_by", "charters", "keywords_fr",
    "body_fr", "body_en", "results_fr", "results_en", "transferability_fr", "transferability_en",
    "creator", "contributors", "start_date", "end_date", "contact", "ai_projects", "keywords_en", "sources",
    "themes_labels", "creator_label", "contributors_labels", "charters_labels", "adapted_from_labels",
    "inspired_by_labels", "ai_projects_labels", "sources_labels", "outcomes", "costs", "partner_roles",
    "last_reviewed", "review_due")


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
    """The predicates feeding one part of a practice's search document, in field order (records: see
    `search_records`)."""
    return tuple(f.predicate for f in FIELDS if f.search == part and f.kind != "records")


def search_records(part: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The records feeding one part of a practice's search document: (link predicate, text part predicates)."""
    return tuple((f.predicate, tuple(p.predicate for p in f.parts if p.search)) for f in FIELDS
                 if f.search == part and f.kind == "records")


RECORD_FIELDS = tuple(f for f in FIELDS if f.kind == "records")
