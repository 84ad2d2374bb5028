"""One practice model (`graphe/model/practice.py`), every channel derived from it: a value for every field goes
through Markdown, RDF, the CSV export and back, `PracticeInput`, the GraphQL `Practice` type, the search
document and the dumps, and comes out the same. A field added to the model is tested here without a line more."""
from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import httpx

from graphe.api.practice_input import RECORD_INPUTS, PracticeInput, TextInput
from graphe.api.connections import PracticeStatus
from graphe.core.rdf import PREFIXES, RDF_TYPE, Literal, NamedNode, Quad
from graphe.ingest.sheets import Sheet
from graphe.ingest.sheets_csv import parse_csv
from graphe.ingest.sheets_markdown import parse_markdown
from graphe.ingest.sheets_rdf import sheet_quads
from graphe.model import practice
from graphe.model.practice import FIELDS
from graphe.read.exports import Dumps, practices_csv
from graphe.read.filters import PracticeFilter
from graphe.search import documents
from graphe.service import Graphe

from conftest import ThreadServer

BASE = "https://graphe.aimf.asso.fr/"
SLUG = "modele-complet"
IRI = f"{BASE}id/practice/{SLUG}"


def part_value(part: practice.Part, i: int, n: int) -> Any:
    """A distinct, valid value of every kind of record part (a new part kind fails here first)."""
    return {
        "text": lambda: {"fr": f"{part.fr} {i}.{n} ; a=b | c", "en": f"{part.en} {i}.{n}"},  # the cell's separators
        "decimal": lambda: f"{i}.{n}5" if n % 2 else f"-{i}{n}00",
        "string": lambda: f"repas/jour {n}",
        "partial_date": lambda: ["2020", "2021-03", "2022-02-28"][n % 3],
        "currency": lambda: ["EUR", "XOF"][n % 2],
        "code": lambda: sorted(part.codes())[n % len(part.codes())],
        "ref": lambda: f"modele-{part.target}-{i}-{n}",
    }[part.kind]()


def value_for(fld: practice.Field, i: int) -> Any:
    """A distinct, valid value of every kind the model knows (a new kind fails here first)."""
    return {
        "records": lambda: [{part.name: part_value(part, i, n) for part in fld.parts} for n in (1, 2)],
        "text": lambda: {"fr": f"{fld.fr} : texte {i}", "en": f"{fld.en}: text {i}"},
        "words": lambda: {"fr": [f"mot{i}a", f"mot{i}b"], "en": [f"word{i}"]},
        "ref": lambda: f"modele-{fld.target}-{i}",
        "refs": lambda: [f"modele-{fld.target}-{i}", f"modele-{fld.target}-{i}b"],
        "status": lambda: sorted(fld.codes())[i % len(fld.codes())],
        "date": lambda: dt.date(2024, 5, 1 + i),
        "partial_date": lambda: ["2023-09", "2025", "2024-02-29"][i % 3],
        "email": lambda: f"service{i}@ville.example",
        "url": lambda: f"https://ville.example/{fld.name}",
    }[fld.kind]()


VALUES = {fld.name: value_for(fld, i) for i, fld in enumerate(FIELDS)}


def the_sheet(source: str = "modèle") -> Sheet:
    return Sheet(source=source, slug=SLUG, **copy.deepcopy(VALUES))


def iri_of(fld: practice.Field, slug: str) -> str:
    return f"{BASE}id/{fld.target}/{slug}"


def references() -> list[tuple[str, str]]:
    """(target kind, slug) of every reference, those inside records included."""
    out = []
    for fld in FIELDS:
        if fld.kind in ("ref", "refs"):
            out += [(fld.target, slug) for slug in ([VALUES[fld.name]] if fld.kind == "ref" else VALUES[fld.name])]
        elif fld.kind == "records":
            out += [(part.target, record[part.name]) for record in VALUES[fld.name] for part in fld.parts
                    if part.kind == "ref"]
    return out


def targets() -> list[Quad]:
    """A resource for every reference, typed as GraphQL resolves it (the type does not matter to the model)."""
    out = []
    for target, slug in references():
        s = NamedNode(f"{BASE}id/{target}/{slug}")
        out += [Quad(s, RDF_TYPE, NamedNode(PREFIXES["skos"] + "Concept")),
                Quad(s, NamedNode(PREFIXES["dct"] + "title"), Literal(slug, language="fr"))]
    return out


def triples(quads: list[Quad]) -> set[tuple[str, str, str]]:
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in quads}


def test_the_model_is_coherent() -> None:
    assert len({f.name for f in FIELDS}) == len(FIELDS) and len({f.predicate for f in FIELDS}) == len(FIELDS)
    assert all(f.kind in practice.KINDS and (f.target is not None) == (f.kind in ("ref", "refs")) for f in FIELDS)
    assert all(f.search in (None, *practice.SEARCH_PARTS) for f in FIELDS)
    # The CSV holds every field once per CSV language, plus the identity and read-only columns, nothing else.
    wanted = {f"{f.name}_{lang}" if f.multilingual else f.name for f in FIELDS
              for lang in (f.csv_langs if f.multilingual else ("",))}
    assert set(practice.CSV_COLUMNS) == wanted | {"iri", *practice.READ_ONLY_COLUMNS}
    assert len(set(practice.CSV_COLUMNS)) == len(practice.CSV_COLUMNS)
    # Existing columns keep their place: spreadsheets address them by position (append new ones at the end).
    assert practice.CSV_COLUMNS[:12] == ("iri", "title_fr", "title_en", "summary_fr", "summary_en", "city",
                                         "city_name", "country", "themes", "status", "issued", "modified")


def test_markdown_and_rdf_carry_every_field() -> None:
    header = "\n".join(f"{name}: {json.dumps(v, default=str, ensure_ascii=False)}" for name, v in VALUES.items())
    parsed = parse_markdown(f"---\nid: {SLUG}\n{header}\n---\n", "modele.md")
    for fld in FIELDS:
        assert getattr(parsed, fld.name) == VALUES[fld.name], fld.name
    iri, quads = sheet_quads(parsed, BASE)
    assert iri == IRI
    said = {str(q.predicate)[1:-1] for q in quads}
    assert {f.predicate for f in FIELDS} <= said, {f.name for f in FIELDS if f.predicate not in said}
    assert triples(quads) == triples(sheet_quads(the_sheet(), BASE)[1])


def test_practice_input_gives_the_same_sheet() -> None:
    args: dict[str, Any] = {"id": SLUG}
    for fld in FIELDS:
        v = VALUES[fld.name]
        if fld.kind == "records":
            args[fld.name] = [RECORD_INPUTS[fld.name](**{
                part.name: [TextInput(lang=lang, value=text) for lang, text in record[part.name].items()]
                if part.multilingual else record[part.name] for part in fld.parts}) for record in v]
            continue
        args[fld.name] = ([TextInput(lang=lang, value=text) for lang, text in v.items()] if fld.kind == "text" else
                          [TextInput(lang=lang, value=w) for lang, words in v.items() for w in words]
                          if fld.kind == "words" else PracticeStatus[v] if fld.kind == "status" else v)
    sheet = PracticeInput(**args).to_sheet()
    assert triples(sheet_quads(sheet, BASE)[1]) == triples(sheet_quads(the_sheet(), BASE)[1])


def test_published_every_field_comes_back_on_every_channel(fresh: Graphe) -> None:
    from graphe.app import create_app

    graph = fresh.store.graphs.public
    _, quads = sheet_quads(the_sheet(), fresh.settings.base_iri)
    fresh.store.commit([Quad(q.subject, q.predicate, q.object, graph) for q in quads + targets()],
                       summary="modèle de pratique")
    expected = triples(quads)

    # CSV: exported, read back, the same triples.
    [row] = [s for s in parse_csv("".join(practices_csv(fresh.store, PracticeFilter())), "p.csv") if s.iri == IRI]
    assert triples(sheet_quads(row, fresh.settings.base_iri)[1]) == expected

    # Dumps: every triple of the sheet in the N-Triples dump.
    dumps = Dumps(fresh.store, None)
    try:
        path, _ = dumps.path("nt")
        lines = set(path.read_text(encoding="utf-8").splitlines())
    finally:
        dumps.close()
    assert {f"{s} {p} {o} ." for s, p, o in expected} <= lines

    # Search document: each part from the fields the model routes there.
    [doc], _ = documents.build(fresh.store, [IRI])
    for fld in FIELDS:
        if fld.search == "body" and fld.kind == "records":  # the searchable parts of its records
            for record in VALUES[fld.name]:
                for part in (p for p in fld.parts if p.search):
                    assert all(text in doc.texts[f"body_{lang}"] for lang, text in record[part.name].items()), fld.name
        elif fld.search in ("title", "summary", "body"):
            for lang, text in VALUES[fld.name].items():
                assert text in doc.texts[f"{fld.search}_{lang}"], fld.name
        elif fld.search == "tags":
            assert all(w in doc.tags.split() for words in VALUES[fld.name].values() for w in words)
        elif fld.search == "city":
            assert doc.city == iri_of(fld, VALUES[fld.name])

    # GraphQL: one selection per field, derived from the model as the type is.
    def camel(name: str) -> str:
        head, *rest = name.split("_")
        return head + "".join(w.title() for w in rest)
    def part_selection(part: practice.Part) -> str:
        name = camel(part.name)
        return name + {"text": f" {name}Translations {{ lang value }}", "code": " { code }",
                       "ref": " { id }"}.get(part.kind, "")
    selection = []
    for fld in FIELDS:
        name = camel(fld.name)
        if fld.kind == "records":
            selection.append(f"{name} {{ id {' '.join(map(part_selection, fld.parts))} }}")
            continue
        selection.append(name + {"text": f" {name}Translations {{ lang value }}", "words": "(lang: [\"fr\"])",
                                 "ref": " { id }", "refs": " { id }", "status": " { code }"}.get(fld.kind, ""))
    server = ThreadServer(create_app(fresh))
    try:
        response = httpx.post(server.url + "/graphql", timeout=30, json={
            "query": f"query($id: ID!) {{ practice(id: $id) {{ {' '.join(selection)} }} }}", "variables": {"id": IRI}})
    finally:
        server.stop()
    body = response.json()
    assert "errors" not in body, body
    got = body["data"]["practice"]
    for fld in FIELDS:
        v, answer = VALUES[fld.name], got[camel(fld.name)]
        if fld.kind == "text":
            assert answer == v["fr"] and {(t["lang"], t["value"]) for t in got[camel(fld.name) + "Translations"]} \
                == set(v.items()), fld.name
        elif fld.kind == "words":
            assert answer == v["fr"], fld.name
        elif fld.kind == "ref":
            assert answer == {"id": iri_of(fld, v)}, fld.name
        elif fld.kind == "refs":
            assert sorted(a["id"] for a in answer) == sorted(iri_of(fld, s) for s in v), fld.name
        elif fld.kind == "status":
            assert answer == {"code": v}, fld.name
        elif fld.kind == "records":  # minted under the practice, in order ({…}/indicator/1, /2)
            assert [r["id"] for r in answer] == [f"{IRI}/{fld.segment}/{n}" for n in range(1, len(v) + 1)], fld.name
            for record, got_record in zip(v, answer):
                for part in fld.parts:
                    want, have = record[part.name], got_record[camel(part.name)]
                    if part.kind == "text":
                        translations = got_record[camel(part.name) + "Translations"]
                        assert have == want["fr"] and {(t["lang"], t["value"]) for t in translations} \
                            == set(want.items()), (fld.name, part.name)
                    elif part.kind == "code":
                        assert have == {"code": want}, (fld.name, part.name)
                    elif part.kind == "ref":
                        assert have == {"id": f"{BASE}id/{part.target}/{want}"}, (fld.name, part.name)
                    else:
                        assert have == want, (fld.name, part.name)
        else:
            assert answer == str(v), fld.name


def test_the_sheet_guide_documents_every_field_with_its_property() -> None:
    """docs/sheets.md, both languages: a row naming each key with its property (as a CURIE)."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "sheets.md").read_text(encoding="utf-8")
    french, english = text.split("# Good-practice sheets as files", 1)

    def curie(iri: str) -> str:
        prefix, ns = max(((p, n) for p, n in PREFIXES.items() if iri.startswith(n)), key=lambda pn: len(pn[1]))
        return f"{prefix}:{iri[len(ns):]}"
    for part in (french, english):
        rows = [line for line in part.splitlines() if line.startswith("| `")]
        for fld in FIELDS:
            assert any(f"`{fld.name}`" in row.split("|")[1] and f"`{curie(fld.predicate)}`" in row for row in rows), \
                fld.name


def test_records_keep_their_order_past_nine(fresh: Graphe) -> None:
    """Records are numbered in their sheet's order: the 10th comes after the 9th everywhere, not after the 1st."""
    import asyncio

    from graphe.api.context import Context
    from graphe.api.schema import build_schema

    outcomes = [{"name": {"fr": f"indicateur {n}"}, "value": str(n)} for n in range(1, 13)]
    sheet = Sheet(source="ordre", slug="ordre", title={"fr": "Ordre"}, outcomes=outcomes)
    _, quads = sheet_quads(sheet, fresh.settings.base_iri)
    graph = fresh.store.graphs.public
    fresh.store.commit([Quad(q.subject, q.predicate, q.object, graph) for q in quads], summary="ordre")
    iri = f"{fresh.settings.base_iri}id/practice/ordre"
    result = asyncio.run(build_schema().execute('{ practice(id: "%s") { outcomes { value } } }' % iri,
                                                context_value=Context(fresh)))
    assert not result.errors, result.errors
    assert [o["value"] for o in result.data["practice"]["outcomes"]] == [str(n) for n in range(1, 13)]
    [row] = [s for s in parse_csv("".join(practices_csv(fresh.store, PracticeFilter())), "p.csv") if s.iri == iri]
    assert row.outcomes == outcomes
