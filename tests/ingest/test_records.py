"""A practice's records (outcomes, costs, partner roles) in sheets: the CSV cell syntax and its escapes, the
forms people write numbers and periods in, and every format error French first, naming file, line and field."""
from __future__ import annotations

import pytest

from graphe.core.errors import GrapheError
from graphe.ingest.sheets_csv import parse_csv
from graphe.ingest.sheets_markdown import parse_markdown
from graphe.ingest.sheets_rdf import sheet_quads
from graphe.model.practice import BY_NAME, MAX_RECORDS
from graphe.model.records import read_cell, write_cell

BASE = "https://graphe.aimf.asso.fr/"
HOSTILE = ["a|b", "a ; b", "x=y", "fin\\", "\\|", "\\\\;", "=", "|", ";", "= ; | \\ =", "«  »", "name_fr=faux"]


@pytest.mark.parametrize("text", HOSTILE)
def test_any_text_goes_through_a_cell_and_back(text: str) -> None:
    outcomes, costs = BY_NAME["outcomes"], BY_NAME["costs"]
    records = [{"name": {"fr": text, "en": text + " en"}, "value": "1", "unit": text},
               {"name": {"fr": "second"}, "value": "2"}]
    cell = write_cell(outcomes, records)
    sheet = parse_csv(f"iri,title_fr,outcomes,costs\r\n,T,\"{cell.replace(chr(34), chr(34) * 2)}\","
                      f"\"{write_cell(costs, [{'amount': '5', 'currency': 'EUR', 'funding': {'fr': text}}])}\"\r\n",
                      "p.csv")[0]
    assert sheet.outcomes == [{"name": {"fr": text.strip(), "en": (text + " en").strip()}, "value": "1",
                               "unit": text.strip()}, {"name": {"fr": "second"}, "value": "2"}]
    assert sheet.costs[0]["funding"] == {"fr": text.strip()}


def test_the_cell_syntax() -> None:
    assert read_cell("name_fr=Repas ; value=6.5 | name_fr=Autre ; value=430") == [
        [("name_fr", "Repas"), ("value", "6.5")], [("name_fr", "Autre"), ("value", "430")]]
    assert read_cell(r"name_fr=a\|b\;c\=d\\e") == [[("name_fr", "a|b;c=d\\e")]]
    assert read_cell(r"unit=C:\temp") == [[("unit", r"C:\temp")]]  # another escape is kept as it is
    assert read_cell(" | ") == []


def test_markdown_records_in_the_sheets_language_with_translations() -> None:
    sheet = parse_markdown("---\nlang: en\ntitle_fr: T\noutcomes:\n"
                           "  - name: Wasted meals\n    name_fr: Repas gaspillés\n"
                           "    value: 6,5\n    unit: '%'\n    baseline: 9.6\n    date: 2020\n"
                           "costs:\n  - {amount: 1 200 000, currency: eur, period: par an}\n"
                           "  - {amount: '35000.50', currency: XOF, period: ONE_OFF, funding: {fr: Ville, en: City}}\n"
                           "partner_roles: [{organisation: les-interconnectes, role: données}]\n---\n", "f.md")
    assert sheet.outcomes == [{"name": {"en": "Wasted meals", "fr": "Repas gaspillés"}, "value": "6.5", "unit": "%",
                               "baseline": "9.6", "date": "2020"}]
    assert sheet.costs == [{"amount": "1200000", "currency": "EUR", "period": "PER_YEAR"},
                           {"amount": "35000.5", "currency": "XOF", "period": "ONE_OFF",
                            "funding": {"fr": "Ville", "en": "City"}}]
    assert sheet.partner_roles == [{"organisation": "les-interconnectes", "role": {"en": "données"}}]
    iri, quads = sheet_quads(sheet, BASE)
    subjects = {str(q.subject)[1:-1] for q in quads}
    assert {f"{iri}/indicator/1", f"{iri}/cost/1", f"{iri}/cost/2", f"{iri}/partner/1"} <= subjects
    assert not any(q.subject.__class__.__name__ == "BlankNode" or q.object.__class__.__name__ == "BlankNode"
                   for q in quads)


def lines(n: int) -> str:
    return "".join(f"  - {{name: n{i}, value: {i}}}\n" for i in range(n))


MD_ERRORS = [
    # (what, header lines after "title: T", line, field, words in French)
    ("not a list", "outcomes: 12\n", 3, "outcomes", "liste"),
    ("not a record", "outcomes: [6.5]\n", 3, "outcomes[1]", "enregistrement"),
    ("unknown key", "outcomes:\n  - {name: A, valeur: 3}\n", 4, "outcomes[1]", "value"),
    ("bad number", "outcomes:\n  - name: A\n    value: beaucoup\n", 4, "outcomes[1].value", "nombre invalide"),
    ("infinite number", "outcomes:\n  - {name: A, value: .inf}\n", 4, "outcomes[1].value", "nombre invalide"),
    ("huge number", "outcomes:\n  - {name: A, value: '1e999999'}\n", 4, "outcomes[1].value", "nombre invalide"),
    ("boolean number", "costs:\n  - {amount: yes, currency: EUR}\n", 4, "costs[1].amount", "nombre invalide"),
    ("bad currency", "costs:\n  - {amount: 3, currency: €}\n", 4, "costs[1].currency", "ISO 4217"),
    ("unknown period", "costs:\n  - {amount: 3, currency: EUR, period: parfois}\n", 4, "costs[1].period",
     "valeur inconnue"),
    ("bad date", "outcomes:\n  - {name: A, value: 1, date: hier}\n", 4, "outcomes[1].date", "date invalide"),
    ("bad organisation", "partner_roles:\n  - {organisation: Les Interconnectés}\n", 4,
     "partner_roles[1].organisation", "les-interconnectes"),
    ("text twice", "outcomes:\n  - {name: A, name_fr: B, value: 1}\n", 4, "outcomes[1].name_fr", "deux fois"),
    ("too many", f"outcomes:\n{lines(MAX_RECORDS + 1)}", 3, "outcomes", f"{MAX_RECORDS} au plus"),
]


@pytest.mark.parametrize("what, header, line, fld, words", MD_ERRORS, ids=[e[0] for e in MD_ERRORS])
def test_markdown_record_errors(what: str, header: str, line: int, fld: str, words: str) -> None:
    with pytest.raises(GrapheError) as info:
        parse_markdown(f"---\ntitle: T\n{header}---\n", "fiche.md")
    error = info.value
    assert error.code == "SHEET_INVALID"
    assert error.details["file"] == "fiche.md" and error.details["line"] == line and error.details["field"] == fld, \
        error.to_dict()
    assert error.message_fr.startswith(f"fiche.md, ligne {line}, champ « {fld} »") and words in error.message_fr, \
        error.message_fr
    assert error.message_en.startswith(f"fiche.md, line {line}, field '{fld}'") and error.message_fr != error.message_en


CSV_ERRORS = [
    ("part without =", "name_fr=A ; 6.5", "outcomes", "clé=valeur"),
    ("key missing", "=6.5", "outcomes", "clé manquante"),
    ("key twice", "name_fr=A ; value=1 ; value=2", "outcomes", "deux fois"),
    ("unknown key", "name_fr=A ; valeur=1", "outcomes[1]", "clé inconnue"),
    ("bad number", "name_fr=A ; value=6.5.1", "outcomes[1].value", "nombre invalide"),
]


@pytest.mark.parametrize("what, cell, fld, words", CSV_ERRORS, ids=[e[0] for e in CSV_ERRORS])
def test_csv_record_errors(what: str, cell: str, fld: str, words: str) -> None:
    with pytest.raises(GrapheError) as info:
        parse_csv(f"iri,title_fr,outcomes\r\n,A,name_fr=ok ; value=1\r\n,B,{cell}\r\n", "pratiques.csv")
    error = info.value
    assert error.code == "SHEET_INVALID"
    assert (error.details["line"], error.details["row"], error.details["field"]) == (3, 3, fld), error.to_dict()
    assert error.message_fr.startswith("pratiques.csv, ligne 3") and words in error.message_fr, error.message_fr

