"""Good-practice sheets as files (Markdown with a YAML header, CSV): parsing, format errors, triples, round trip."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from graphe.core.errors import GrapheError
from graphe.read.exports import CSV_COLUMNS, practices_csv
from graphe.read.filters import PracticeFilter
from graphe.ingest.loading import validate
from graphe.core.rdf import GR, PREFIXES, RDF_TYPE, Literal, NamedNode, Quad
from graphe.service import Graphe
from graphe.ingest.sheets import Sheet, slugify
from graphe.ingest.sheets_csv import parse_csv
from graphe.ingest.sheets_markdown import parse_bytes, parse_markdown
from graphe.ingest.sheets_rdf import sheet_quads

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "seeds" / "sheets"
BASE = "https://graphe.aimf.asso.fr/"
OTHER = "http://localhost:8000/"
DCT, SCHEMA, DCAT, XSD = PREFIXES["dct"], PREFIXES["schema"], PREFIXES["dcat"], PREFIXES["xsd"]

# What the CSV carries (and the import reads back): every other property of a practice is lost on the way.
CARRIED = {RDF_TYPE.value} | {DCT + p for p in ("title", "abstract", "description", "creator", "contributor",
                                                 "subject", "issued", "source")} | \
          {GR + p for p in ("results", "transferability", "city", "status", "adaptedFrom", "inspiredBy",
                            "appliesCharter", "describesProject")} | \
          {SCHEMA + p for p in ("startDate", "endDate", "email", "url")} | {DCAT + "keyword"}


def example_sheets() -> list[Sheet]:
    return [s for path in sorted(EXAMPLES.iterdir()) for s in parse_bytes(path.read_bytes(), path.name)]


def triples(quads) -> set[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in quads}


def in_graph(quads, graph: NamedNode) -> list[Quad]:  # type: ignore[no-untyped-def]
    return [Quad(q.subject, q.predicate, q.object, graph) for q in quads]


def error_of(call, *args) -> GrapheError:  # type: ignore[no-untyped-def]
    with pytest.raises(GrapheError) as info:
        call(*args)
    assert info.value.code == "SHEET_INVALID", info.value.to_dict()
    return info.value


# --------------------------------------------------------------------------------------------- examples

def test_every_example_parses() -> None:
    files = sorted(p.name for p in EXAMPLES.iterdir())
    assert len([f for f in files if f.endswith(".md")]) >= 2 and any(f.endswith(".csv") for f in files)
    sheets = example_sheets()
    assert len(sheets) >= 4
    for sheet in sheets:
        assert sheet.title["fr"].startswith("Exemple"), sheet.source  # clearly examples
        assert sheet.sources and sheet.themes and (sheet.city or sheet.creator)
    for path in EXAMPLES.glob("*.md"):
        assert "# exemple" in path.read_text(encoding="utf-8")
    by_source = {s.source: s for s in sheets}
    nantes = by_source["nantes-charte-de-la-donnee.md"]
    assert nantes.status == "IN_PRODUCTION" and nantes.city == "nantes" and nantes.start_date == "2019"
    assert nantes.keywords == {"fr": ["charte de la donnée", "signataires"], "en": ["data charter"]}
    assert nantes.body["fr"].startswith("Fiche d'exemple.")
    montreal = by_source["montreal-declaration-coconstruite.md"]
    assert montreal.creator == "universite-de-montreal" and montreal.city is None
    assert set(montreal.title) == {"fr", "en"} and "**coconstruction citoyenne**" in montreal.body["fr"]
    assert by_source["pratiques.csv:2"].status == "PILOT"
    assert by_source["pratiques.csv:2"].sources == ["nantes-metropole-ia-2024", "aimf-article-2024-nantes-ia"]


def test_examples_conform_to_the_shapes_on_top_of_the_seeds(fresh: Graphe) -> None:
    quads: list[Quad] = []
    iris = set()
    for sheet in example_sheets():
        iri, qs = sheet_quads(sheet, fresh.settings.base_iri)
        iris.add(iri)
        quads += in_graph(qs, fresh.store.graphs.public)
    assert len(iris) == len(example_sheets())  # no two examples share an IRI
    report = validate(fresh.store, fresh.validator, quads)
    assert report.conforms, report.format("fr")
    # They are new practices, not rewrites of seeded ones.
    assert not any(fresh.store.contains(Quad(NamedNode(i), RDF_TYPE, NamedNode(GR + "Practice"),
                                             fresh.store.graphs.public)) for i in iris)


# --------------------------------------------------------------------------------------------- triples

FULL = """---
id: tableau-de-bord-energie
lang: fr
title: Tableau de bord de l'énergie
title_en: Energy dashboard
summary: Un tableau de bord public des consommations d'énergie des bâtiments municipaux.
results: Consommations publiées chaque mois.
transferability:
  fr: Réutilisable par toute ville qui relève ses compteurs.
  EN: Reusable by any city that reads its meters.
city: dakar
creator: https://example.org/org/regie
contributors: [les-interconnectes]
themes: [energy, id/theme/open-data]
status: Pilote
issued: 2024-05-02
start_date: 2023-09
end_date: 2025
contact: numerique@ville.example
url: https://ville.example/energie
adapted_from: [guide-des-chartes-territoriales-de-la-donnee]
inspired_by: nantes-debat-de-l-ia
charters: [nantes-metropole-charte-donnee-2019]
ai_projects: [prevision-consommation]
keywords: [énergie, bâtiments]
keywords_en: energy
sources: [nantes-boussole-ia]
---
Le tableau de bord **publie** les relevés.
"""


def expected_full(base: str) -> set[tuple[str, str, str]]:
    s = NamedNode(f"{base}id/practice/tableau-de-bord-energie")

    def t(p: str, o) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
        return str(s), f"<{p}>", str(o)

    def fr(text: str) -> Literal:
        return Literal(text, language="fr")

    def en(text: str) -> Literal:
        return Literal(text, language="en")

    def ref(kind: str, slug: str) -> NamedNode:
        return NamedNode(f"{base}id/{kind}/{slug}")

    return {
        (str(s), str(RDF_TYPE), f"<{GR}Practice>"),
        t(DCT + "title", fr("Tableau de bord de l'énergie")), t(DCT + "title", en("Energy dashboard")),
        t(DCT + "abstract", fr("Un tableau de bord public des consommations d'énergie des bâtiments municipaux.")),
        t(DCT + "description", fr("Le tableau de bord **publie** les relevés.")),
        t(GR + "results", fr("Consommations publiées chaque mois.")),
        t(GR + "transferability", fr("Réutilisable par toute ville qui relève ses compteurs.")),
        t(GR + "transferability", en("Reusable by any city that reads its meters.")),
        t(GR + "city", ref("city", "dakar")),
        t(DCT + "creator", NamedNode("https://example.org/org/regie")),
        t(DCT + "contributor", ref("organisation", "les-interconnectes")),
        t(DCT + "subject", ref("theme", "energy")), t(DCT + "subject", ref("theme", "open-data")),
        t(GR + "status", NamedNode(GR + "Pilot")),
        t(DCT + "issued", Literal("2024-05-02", datatype=NamedNode(XSD + "date"))),
        t(SCHEMA + "startDate", Literal("2023-09", datatype=NamedNode(XSD + "gYearMonth"))),
        t(SCHEMA + "endDate", Literal("2025", datatype=NamedNode(XSD + "gYear"))),
        t(SCHEMA + "email", Literal("numerique@ville.example")),
        t(SCHEMA + "url", NamedNode("https://ville.example/energie")),
        t(GR + "adaptedFrom", ref("practice", "guide-des-chartes-territoriales-de-la-donnee")),
        t(GR + "inspiredBy", ref("practice", "nantes-debat-de-l-ia")),
        t(GR + "appliesCharter", ref("charter", "nantes-metropole-charte-donnee-2019")),
        t(GR + "describesProject", ref("ai-project", "prevision-consommation")),
        t(DCAT + "keyword", fr("énergie")), t(DCAT + "keyword", fr("bâtiments")), t(DCAT + "keyword", en("energy")),
        t(DCT + "source", ref("source", "nantes-boussole-ia")),
    }


@pytest.mark.parametrize("base", [BASE, OTHER])
def test_a_full_sheet_gives_exactly_the_model_triples(base: str) -> None:
    sheet = parse_markdown(FULL, "energie.md")
    assert sheet.issued == dt.date(2024, 5, 2) and sheet.status == "PILOT"
    iri, quads = sheet_quads(sheet, base)
    assert iri == f"{base}id/practice/tableau-de-bord-energie"
    assert all(q.graph_name == quads[0].graph_name and str(q.graph_name) == "DEFAULT" for q in quads)
    assert len(quads) == len(set(quads))
    assert triples(quads) == expected_full(base)


def test_the_practice_iri_comes_from_iri_id_or_the_french_title() -> None:
    head = "---\ntitle: Nantes Débat de l'IA\nsummary: s\n"
    _, q = sheet_quads(parse_markdown(head + "---\n", "a.md"), OTHER)
    assert str(q[0].subject) == f"<{OTHER}id/practice/nantes-debat-de-l-ia>"
    sheet = parse_markdown(head + "iri: https://graphe.aimf.asso.fr/id/practice/autre\n---\n", "b.md")
    assert sheet.slug == "autre" and sheet_quads(sheet, OTHER)[0] == "https://graphe.aimf.asso.fr/id/practice/autre"
    sheet = parse_markdown(head + "iri: id/practice/relative\nid: relative\n---\n", "c.md")
    assert sheet_quads(sheet, OTHER)[0] == f"{OTHER}id/practice/relative"
    # A sheet built by hand (the workflow's forms) is checked the same way.
    assert sheet_quads(Sheet(source="form", title={"fr": "Été 2024"}, themes=["ai"]), BASE)[0] == \
        f"{BASE}id/practice/ete-2024"
    error = error_of(sheet_quads, Sheet(source="form", title={"en": "Only English"}), BASE)
    assert error.details["field"] == "title"
    error = error_of(sheet_quads, Sheet(source="form", title={"fr": "x"}, themes=["pas un slug"]), BASE)
    assert error.details == {"file": "form", "line": None, "field": "themes"}


def test_slugify() -> None:
    assert slugify("Nantes Débat de l'IA") == "nantes-debat-de-l-ia"
    assert slugify("  Œuvre « Cœur » — Genève, 2024 !") == "oeuvre-coeur-geneve-2024"
    assert slugify("Straße über Ærø") == "strasse-uber-aero"
    assert slugify("تجربة") == ""
    long = slugify("mot " * 60)
    assert len(long) <= 80 and not long.endswith("-")


# --------------------------------------------------------------------------------------------- languages

def test_nested_suffixed_and_header_language_keys() -> None:
    sheet = parse_markdown("""---
title: {fr: Titre, en: Title, fr-CA: Titre québécois}
summary_EN: English summary
summary: Résumé
results_fr-ca: Résultats
keywords: {fr: [un, deux], en: one}
keywords_de: [eins]
---
Corps.
""", "langues.md")
    assert sheet.title == {"fr": "Titre", "en": "Title", "fr-ca": "Titre québécois"}
    assert sheet.summary == {"en": "English summary", "fr": "Résumé"}
    assert sheet.results == {"fr-ca": "Résultats"} and sheet.body == {"fr": "Corps."}
    assert sheet.keywords == {"fr": ["un", "deux"], "en": ["one"], "de": ["eins"]}
    english = parse_markdown("---\nlang: en\ntitle_fr: Titre\ntitle: Title\n---\nBody.\n", "en.md")
    assert english.title == {"fr": "Titre", "en": "Title"} and english.body == {"en": "Body."}
    _, quads = sheet_quads(english, BASE)
    assert {str(q.object) for q in quads if q.predicate.value == DCT + "description"} == {'"Body."@en'}


@pytest.mark.parametrize("text, code", [
    ("IDEA", "IDEA"), ("idée", "IDEA"), ("Idee", "IDEA"), ("pilot", "PILOT"), ("Pilote", "PILOT"),
    ("expérimentation", "PILOT"), ("IN_PRODUCTION", "IN_PRODUCTION"), ("en production", "IN_PRODUCTION"),
    ("En-Production", "IN_PRODUCTION"), ("in production", "IN_PRODUCTION"), ("RETIRED", "RETIRED"),
    ("arrêtée", "RETIRED"), ("Arrêté", "RETIRED"), ("abandonnée", "RETIRED"),
    (GR + "Discontinued", "RETIRED"),
])
def test_status_names(text: str, code: str) -> None:
    sheet = parse_markdown(f"---\ntitle: T\nstatus: {text}\n---\n", "s.md")
    assert sheet.status == code
    _, quads = sheet_quads(sheet, BASE)
    status = {q.object.value for q in quads if q.predicate.value == GR + "status"}
    assert status == {{"IDEA": GR + "Idea", "PILOT": GR + "Pilot", "IN_PRODUCTION": GR + "InProduction",
                       "RETIRED": GR + "Discontinued"}[code]}


# --------------------------------------------------------------------------------------------- format errors

CSV_HEAD = "iri,title_fr,themes,issued\r\n"
MD_ERRORS = [
    # (what, text, line, field, words in the French message)
    ("empty file", "", None, None, "vide"),
    ("blank file", " \n\n", None, None, "vide"),
    ("missing header", "# Titre\n\nTexte.\n", 1, None, "en-tête manquant"),
    ("unterminated header", "---\ntitle: T\n\nTexte.\n", 1, None, "non terminé"),
    ("YAML syntax", "---\ntitle: T\nthemes: [ai, mobility\nstatus: PILOT\n---\n", 4, None, "syntaxe YAML"),
    ("YAML indentation", "---\ntitle: T\n  summary: x\n---\n", 3, None, "syntaxe YAML"),
    ("header not a mapping", "---\n- a\n- b\n---\n", 2, None, "clé: valeur"),
    ("unknown key", "---\ntitle: T\nthemse: [ai]\n---\n", 3, "themse", "themes"),
    ("unknown key, French", "---\ntitre: T\n---\n", 2, "titre", "title"),
    ("repeated key", "---\ntitle: T\ncity: nantes\ncity: dakar\n---\n", 4, "city", "répétée"),
    ("list expected", "---\ntitle: T\nthemes: {ai: 1}\n---\n", 3, "themes", "liste"),
    ("nested list", "---\ntitle: T\nthemes:\n  - ai\n  - [mobility]\n---\n", 5, "themes", "liste"),
    ("text expected", "---\ntitle: [a, b]\n---\n", 2, "title", "texte"),
    ("number for a text", "---\ntitle: T\nsummary: 12\n---\n", 3, "summary", "texte"),
    ("reference expected", "---\ntitle: T\ncity: [nantes, dakar]\n---\n", 3, "city", "identifiant"),
    ("bad slug", "---\ntitle: T\ncity: Nantes Métropole\n---\n", 3, "city", "nantes-metropole"),
    ("comma-separated list", "---\ntitle: T\nthemes: ai, mobility\n---\n", 3, "themes", "[ai, mobility]"),
    ("bad IRI", "---\ntitle: T\nsources: ['https://a b/c']\n---\n", 3, "sources", "IRI"),
    ("bad date", "---\ntitle: T\nissued: 2024-02-30\n---\n", 3, "issued", "date invalide"),
    ("partial issued", "---\ntitle: T\nissued: 2024-02\n---\n", 3, "issued", "AAAA-MM-JJ"),
    ("bad start date", "---\ntitle: T\nstart_date: mars 2024\n---\n", 3, "start_date", "AAAA-MM"),
    ("date with time", "---\ntitle: T\nissued: !!timestamp 2024-01-01 10:00:00\n---\n", 3, "issued", "date"),
    ("unknown status", "---\ntitle: T\nstatus: bientôt\n---\n", 3, "status", "statut inconnu"),
    ("missing French title", "---\ntitle_en: T\n---\n", 1, "title", "titre en français"),
    ("French title in English", "---\nlang: en\ntitle: T\n---\n", 1, "title", "titre en français"),
    ("bad language", "---\ntitle: {fr: T, français: U}\n---\n", 2, "title", "langue"),
    ("bad e-mail", "---\ntitle: T\ncontact: Jean Dupont\n---\n", 3, "contact", "électronique"),
    ("bad url", "---\ntitle: T\nurl: www.nantes.fr\n---\n", 3, "url", "https://"),
    ("bad id", "---\ntitle: T\nid: Mon Projet\n---\n", 3, "id", "mon-projet"),
    ("id and iri disagree", "---\ntitle: T\niri: https://x.org/id/practice/a\nid: b\n---\n", 4, "id", "IRI"),
    ("body twice", "---\ntitle: T\nbody: B\n---\nAutre corps.\n", 5, "body_fr", "deux fois"),
    ("title twice", "---\ntitle: T\ntitle_fr: U\n---\n", 3, "title_fr", "deux fois"),
]


@pytest.mark.parametrize("what, text, line, fld, words", MD_ERRORS, ids=[e[0] for e in MD_ERRORS])
def test_markdown_format_errors(what: str, text: str, line: int | None, fld: str | None, words: str) -> None:
    error = error_of(parse_markdown, text, "fiche.md")
    assert error.details == {"file": "fiche.md", "line": line, "field": fld}, error.message_fr
    assert error.message_fr.startswith("fiche.md") and words in error.message_fr, error.message_fr
    if line:
        assert f"ligne {line}" in error.message_fr and f"line {line}" in error.message_en
    if fld:
        assert f"« {fld} »" in error.message_fr and f"'{fld}'" in error.message_en
    assert error.message_fr != error.message_en


CSV_ERRORS = [
    ("empty", "", None, None, None, "vide"),
    ("no iri column", "title_fr,themes\r\nT,ai\r\n", 1, None, "iri", "obligatoire"),
    ("no title_fr column", "iri;title_en\r\n;T\r\n", 1, None, "title_fr", "obligatoire"),
    ("unknown column", "iri,title_fr,theme\r\n,T,ai\r\n", 1, None, "theme", "themes"),
    ("repeated column", "iri,title_fr,iri\r\n", 1, None, "iri", "répétée"),
    ("too many cells", CSV_HEAD + ",A,ai,\r\n,B,ai,2024-01-01,en trop\r\n", 3, 3, None, "trop de cellules"),
    ("bad date", CSV_HEAD + ",A,ai,\r\n,B,ai,01/02/2024\r\n", 3, 3, "issued", "date invalide"),
    ("bad date after a multi-line cell", CSV_HEAD + ',"A\r\nsur deux lignes",ai,\r\n,B,ai,2024\r\n', 4, 3,
     "issued", "AAAA-MM-JJ"),
    ("missing French title", CSV_HEAD + ",,ai,\r\n", 2, 2, "title_fr", "titre en français"),
    ("unknown status", "iri,title_fr,status\r\n,A,PEUT-ETRE\r\n", 2, 2, "status", "statut inconnu"),
    ("bad slug in a list", CSV_HEAD + ",A,ai | Mobilité douce,\r\n", 2, 2, "themes", "mobilite-douce"),
    ("commas in a list cell", "iri;title_fr;themes\r\n;A;ai, mobility\r\n", 2, 2, "themes", "« | »"),
    ("repeated practice", "iri,title_fr\r\nid/practice/a,A\r\nid/practice/a,B\r\n", 3, 3, "iri", "déjà"),
    ("unterminated quote", CSV_HEAD + ',"A,ai,\r\n', 2, 2, None, "illisible"),
]


@pytest.mark.parametrize("what, text, line, row, fld, words", CSV_ERRORS, ids=[e[0] for e in CSV_ERRORS])
def test_csv_format_errors(what: str, text: str, line: int | None, row: int | None, fld: str | None,
                           words: str) -> None:
    error = error_of(parse_csv, text, "pratiques.csv")
    expected = {"file": "pratiques.csv", "line": line, "field": fld}
    if row:
        expected["row"] = row
    assert error.details == expected, error.message_fr
    assert error.message_fr.startswith("pratiques.csv") and words in error.message_fr, error.message_fr
    if line:
        assert f"ligne {line}" in error.message_fr


# --------------------------------------------------------------------------------------------- CSV

def test_csv_dialects_bom_crlf_and_read_only_columns() -> None:
    comma = ("iri,title_fr,city,city_name,country,modified,themes,keywords_fr,status\n"
             ',"Titre, avec virgule",nantes,Nantes,FR,2024-01-01,ai | mobility,"un | deux",PILOT\n'
             "\n"
             ",Second,,,,,ai,,\n")
    semicolon = "\ufeff" + comma.replace(",", ";").replace("Titre; avec virgule", "Titre, avec virgule") \
        .replace("\n", "\r\n")
    for text in (comma, semicolon):
        first, second = parse_csv(text, "p.csv")
        assert first.title == {"fr": "Titre, avec virgule"} and first.city == "nantes"
        assert first.themes == ["ai", "mobility"] and first.keywords == {"fr": ["un", "deux"]}
        assert first.status == "PILOT" and first.source == "p.csv:2"
        assert second.source == "p.csv:4" and second.themes == ["ai"] and second.city is None
    # Fewer cells than columns: the missing ones are empty. A header alone: no sheet.
    assert parse_csv("iri,title_fr,themes\n,A\n", "p.csv")[0].themes == []
    assert parse_csv("iri;title_fr\r\n", "p.csv") == []


def test_csv_with_every_column_reads_like_the_markdown() -> None:
    md = parse_markdown(FULL, "energie.md")
    sheet_csv = "\r\n".join([",".join(CSV_COLUMNS + ["id"]), ",".join(
        f'"{v}"' for v in [
            "", "Tableau de bord de l'énergie", "Energy dashboard",
            "Un tableau de bord public des consommations d'énergie des bâtiments municipaux.", "", "dakar",
            "Dakar", "SN", "energy | id/theme/open-data", "PILOT", "2024-05-02", "", "https://ville.example/energie",
            "guide-des-chartes-territoriales-de-la-donnee", "nantes-debat-de-l-ia",
            "nantes-metropole-charte-donnee-2019", "énergie | bâtiments",
            "Le tableau de bord **publie** les relevés.",
            "", "Consommations publiées chaque mois.", "", "Réutilisable par toute ville qui relève ses compteurs.",
            "Reusable by any city that reads its meters.", "https://example.org/org/regie", "les-interconnectes",
            "2023-09", "2025", "numerique@ville.example", "prevision-consommation", "energy",
            # the export-only label columns, after the fields' (empty: never read back), then the id
            "nantes-boussole-ia", *[""] * (len(CSV_COLUMNS) - 31), "tableau-de-bord-energie"])])
    [row] = parse_csv(sheet_csv, "energie.csv")
    assert triples(sheet_quads(row, OTHER)[1]) == triples(sheet_quads(md, OTHER)[1])


def carried(graphe: Graphe, iri: str) -> set[tuple[str, str, str]]:
    """The published triples of `iri` the CSV carries (texts in French and English)."""
    out = set()
    for q in graphe.store.describe([NamedNode(iri)], graphe.store.graphs.public):
        if q.predicate.value in CARRIED and not (isinstance(q.object, Literal) and q.object.language
                                                 and q.object.language not in ("fr", "en")):
            out.add((str(q.subject), str(q.predicate), str(q.object)))
    return out


def round_trip(graphe: Graphe) -> dict[str, Sheet]:
    text = "".join(practices_csv(graphe.store, PracticeFilter()))
    assert text.split("\r\n", 1)[0].split(",")[:2] == ["iri", "title_fr"]
    sheets = parse_csv(text, "practices.csv")
    published = {r["s"].value for r in graphe.store.select("SELECT ?s WHERE { ?s a gr:Practice }")}
    assert {s.iri for s in sheets} == published
    for sheet in sheets:
        iri, quads = sheet_quads(sheet, graphe.settings.base_iri)
        assert iri == sheet.iri
        assert triples(quads) == carried(graphe, iri), iri
    return {s.iri: s for s in sheets if s.iri}


def test_csv_round_trip_of_the_seeded_practices(seeded: Graphe) -> None:
    sheets = round_trip(seeded)
    assert len(sheets) == 3
    # The seeds say nothing the CSV does not carry (dct:modified and provenance are Graphe's own).
    for iri in sheets:
        lost = {q.predicate.value for q in seeded.store.describe([NamedNode(iri)], seeded.store.graphs.public)}
        assert lost - CARRIED <= {DCT + "modified"}, lost - CARRIED
    guide = sheets[f"{BASE}id/practice/guide-des-chartes-territoriales-de-la-donnee"]
    assert guide.creator == f"{BASE}id/organisation/aimf-commission-villes-innovantes"
    assert guide.contributors == [f"{BASE}id/organisation/les-interconnectes"]
    assert guide.issued == dt.date(2023, 3, 23) and guide.keywords == {"fr": ["charte de la donnée"],
                                                                       "en": ["data charter"]}


def test_csv_round_trip_of_every_property(fresh: Graphe) -> None:
    """The examples and a sheet with every field, published, then exported and read back: nothing lost."""
    quads = []
    for sheet in [*example_sheets(), parse_markdown(FULL, "energie.md")]:
        quads += in_graph(sheet_quads(sheet, fresh.settings.base_iri)[1], fresh.store.graphs.public)
    fresh.store.commit(quads, summary="test des fiches")
    sheets = round_trip(fresh)
    full = sheets[f"{BASE}id/practice/tableau-de-bord-energie"]
    assert full.contact == "numerique@ville.example" and full.end_date == "2025" and full.start_date == "2023-09"
    assert full.ai_projects == [f"{BASE}id/ai-project/prevision-consommation"]


# --------------------------------------------------------------------------------------------- hostile input

@pytest.mark.parametrize("header", [
    "title: !!python/object/apply:os.system ['echo pwned']",
    "!!python/object:os.system\ntitle: T",
    "title: !!python/name:os.system",
    "title: !!binary aGVsbG8=",
    "title: T\nthemes: !!set {ai: null}",
    "title: T\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
    "title: " + "[" * 5000 + "]" * 5000,
    "title: T\nthemes: " + "[" * 200 + "ai" + "]" * 200,
])
def test_hostile_yaml_is_refused_cleanly(header: str) -> None:
    error_of(parse_markdown, f"---\n{header}\n---\n", "hostile.md")


def test_hostile_sizes_and_characters() -> None:
    big = "---\ntitle: T\n---\n" + "x" * 5_000_000
    assert "trop volumineux" in error_of(parse_markdown, big, "big.md").message_fr
    error = error_of(parse_markdown, "---\ntitle: T\n---\nligne\nun NUL \x00 ici\n", "nul.md")
    assert error.details["line"] == 5 and "U+0000" in error.message_fr
    assert error_of(parse_markdown, "---\ntitle: \"T\x0b\"\n---\n", "vt.md").details["line"] == 2
    assert error_of(parse_csv, "iri,title_fr\r\n,\x00\r\n", "nul.csv").details["line"] == 2
    assert error_of(parse_bytes, b"---\ntitle: \xe9t\xe9\n---\n", "latin1.md").details["line"] == 2
    assert error_of(parse_bytes, b"x", "fiche.docx").code == "SHEET_INVALID"
    huge_cell = "iri,title_fr,body_fr\r\n,T," + "x" * 200_000 + "\r\n"
    assert "illisible" in error_of(parse_csv, huge_cell, "big.csv").message_fr
    # A long but reasonable body is fine.
    sheet = parse_markdown("\ufeff---\r\ntitle: T\r\n---\r\n" + "mot " * 100_000, "long.md")
    assert len(sheet.body["fr"]) == 399_999


def test_parse_bytes_dispatches_on_the_extension() -> None:
    [md] = parse_bytes("---\ntitle: Été\n---\nCorps\n".encode(), "fiche.MD")
    assert md.title == {"fr": "Été"} and md.source == "fiche.MD"
    sheets = parse_bytes(b"\xef\xbb\xbfiri;title_fr\r\n;A\r\n;B\r\n", "p.csv")
    assert [s.title["fr"] for s in sheets] == ["A", "B"]
