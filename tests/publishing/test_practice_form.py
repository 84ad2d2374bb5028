"""The practice as a web form (publishing/practice_form.py) and the workflow states the browser adds
(saved, changes requested): the form covers the model, reads into the same RDF as a sheet, reads back from
RDF, places the shapes' messages beside their fields, and compares two versions field by field."""
from __future__ import annotations

import pytest

from conftest import BASE
from graphe.core.errors import GrapheError
from graphe.core.rdf import NamedNode, Quad
from graphe.model.namespaces import GR
from graphe.model.practice import FIELDS
from graphe.publishing import drafts, practice_form as pf
from graphe.publishing.accounts import Account
from graphe.service import Graphe

DAKAR = Account("urn:test:dakar", "Service numérique de Dakar", "contributor", BASE + "id/city/dakar")
SECRETARIAT = Account("urn:test:aimf", "Secrétariat", "secretariat")
FORM = {"title_fr": ["Cartes ouvertes de Dakar"], "title_en": ["Open maps of Dakar"],
        "summary_fr": ["La ville publie ses cartes."], "themes": ["open-data"], "status": ["PILOT"],
        "contact": ["numerique@example.org"], "keywords_fr": ["cartes, données"],
        "source_title_1": ["Page de la ville"], "source_url_1": ["https://dakar.example/cartes"],
        "source_date_1": ["2024-03"], "source_kind_1": ["primary"]}
IRI = BASE + "id/practice/cartes-ouvertes-de-dakar"


def _plain(quads: list[Quad]) -> set[tuple[str, str, str]]:
    return {(q.subject.value, q.predicate.value, str(q.object)) for q in quads}


def test_the_form_has_a_box_for_every_field_of_the_model() -> None:
    covered = {f.field.name for f in pf.FORM_FIELDS}
    rows = {f.name for f in FIELDS if f.kind == "records" and pf.record_boxes({}, f, 1)}  # a row of boxes each
    assert covered | rows == {f.name for f in FIELDS} and not covered & rows
    assert [f.key for f in pf.FORM_FIELDS if f.field.name == "title"] == ["title_fr", "title_en"]
    assert pf.BY_KEY["summary_en"].label("fr") == "Résumé (anglais)"
    assert pf.BY_KEY["summary_en"].label("en") == "Summary (English)"


def test_a_form_reads_into_rdf_and_back(fresh: Graphe) -> None:
    iri, quads = pf.read(FORM, BASE, DAKAR.city)
    assert iri == IRI
    found = _plain(quads)
    assert (iri, "http://purl.org/dc/terms/title", '"Cartes ouvertes de Dakar"@fr') in found
    assert (iri, GR.city, f"<{BASE}id/city/dakar>") in found  # the account's city, though the form named none
    source = iri + "/source/1"
    assert (iri, "http://purl.org/dc/terms/source", f"<{source}>") in found
    assert (source, "http://purl.org/dc/terms/issued",
            '"2024-03"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>') in found
    back = pf.write(quads, iri, BASE)
    assert back["title_en"] == ["Open maps of Dakar"] and back["themes"] == ["open-data"]
    assert back["keywords_fr"] == ["cartes, données"] and back["source_kind_1"] == ["primary"]
    assert back["source_url_1"] == ["https://dakar.example/cartes"] and "sources" not in back
    assert _plain(pf.read(back, BASE)[1]) == found  # the form of the triples gives the triples again


def test_a_published_practice_round_trips_through_the_form(seeded: Graphe) -> None:
    iri = BASE + "id/practice/nantes-debat-de-l-ia"
    published = pf.published(seeded.store, iri)
    values = pf.write(published, iri, BASE)
    _, again = pf.read(values, BASE)
    predicates = {f.predicate for f in FIELDS}
    wanted = {t for t in _plain(published) if t[0] == iri and t[1] in predicates}
    assert wanted and wanted <= _plain(again)


def test_reading_errors_name_the_form_box(fresh: Graphe) -> None:
    def field(values: dict) -> str:  # type: ignore[type-arg]
        with pytest.raises(GrapheError) as caught:
            pf.read(values, BASE)
        return pf.field_of(caught.value)
    assert field({**FORM, "contact": ["pas une adresse"]}) == "contact"
    assert field({**FORM, "start_date": ["mars 2024"]}) == "start_date"
    assert field({**FORM, "source_url_1": ["ftp://x"]}) == "source_url_1"
    assert field({**FORM, "source_title_1": [""]}) == "source_title_1"
    assert field({**FORM, "title_fr": [""]}) in ("title", "title_fr", pf.FORM)


def test_the_shapes_messages_land_beside_their_fields(fresh: Graphe) -> None:
    without_source = {k: v for k, v in FORM.items() if not k.startswith("source_")}
    iri, quads = pf.read(without_source, BASE, DAKAR.city)
    placed = pf.check(fresh.store, fresh.validator, iri, quads)
    assert "sources" in placed and all(fr and en for fr, en in placed["sources"])
    iri, quads = pf.read(FORM, BASE, DAKAR.city)
    assert pf.check(fresh.store, fresh.validator, iri, quads) == {}


def test_changes_are_listed_field_by_field() -> None:
    before = {"title_fr": ["Ancien titre"], "themes": ["open-data"], "source_title_1": ["Page"]}
    after = {"title_fr": ["Nouveau titre"], "themes": ["open-data"], "results_fr": ["Des résultats."],
             "source_title_1": ["Page mise à jour"]}
    found = {c.key: (c.label_fr, c.before, c.after) for c in pf.changes(before, after)}
    assert found == {"title_fr": ("Titre (français)", "Ancien titre", "Nouveau titre"),
                     "results_fr": ("Résultats (français)", "", "Des résultats."),
                     "source_title_1": ("Source 1 (titre)", "Page", "Page mise à jour")}


def test_saved_sent_back_and_resubmitted_drafts(fresh: Graphe) -> None:
    _, quads = pf.read(FORM, BASE, DAKAR.city)
    saved = fresh.write(DAKAR, "submit", IRI, lambda w: w.submit(DAKAR, quads, "formulaire", "saved"))
    assert saved.state == "saved"
    with pytest.raises(GrapheError) as caught:  # only a submitted draft is published
        fresh.write(SECRETARIAT, "publish", saved.id, lambda w: w.publish(SECRETARIAT, saved.id))
    assert caught.value.code == "CONFLICT"
    sent = fresh.workflow.update(DAKAR, saved.id, quads, saved.version)
    assert sent.state == "draft"
    with pytest.raises(GrapheError):
        fresh.workflow.request_changes(SECRETARIAT, sent.id, "  ", sent.version)  # a comment is required
    with pytest.raises(GrapheError) as caught:
        fresh.workflow.request_changes(SECRETARIAT, sent.id, "Ajoutez les résultats.", sent.version - 1)
    assert caught.value.code == "CONFLICT"  # made from an older version of the draft
    with pytest.raises(GrapheError) as caught:
        fresh.workflow.request_changes(DAKAR, sent.id, "Moi-même", sent.version)
    assert caught.value.code == "FORBIDDEN"
    back = fresh.workflow.request_changes(SECRETARIAT, sent.id, "Ajoutez les résultats.", sent.version)
    assert (back.state, back.reason) == ("changes_requested", "Ajoutez les résultats.")
    assert drafts.find(fresh.store, back.id).state == "changes_requested"  # type: ignore[union-attr]
    _, revised = pf.read({**FORM, "results_fr": ["Deux cents cartes corrigées."]}, BASE, DAKAR.city)
    again = fresh.workflow.update(DAKAR, back.id, revised, back.version)
    assert again.state == "draft" and again.reason is None
    version = fresh.write(SECRETARIAT, "publish", again.id, lambda w: w.publish(SECRETARIAT, again.id, again.version))
    assert version.number == 1
    assert fresh.store.ask("ASK { ?p <http://purl.org/dc/terms/source> ?s . ?s a <%s> }" % GR.Source,
                           {"p": NamedNode(IRI)})  # the source declared in the form is published with it


def test_other_languages_are_kept_and_machine_translations_flagged() -> None:
    values = {**FORM, "title_ar": ["خرائط داكار المفتوحة"], "summary_en": ["The city publishes its maps."],
              pf.MACHINE: ["en", "fr", "pas une langue!"]}
    iri, quads = pf.read(values, BASE, DAKAR.city)
    found = _plain(quads)
    assert (iri, "http://purl.org/dc/terms/title", '"خرائط داكار المفتوحة"@ar') in found
    assert {o for s, p, o in found if p == GR.machineTranslation} == {'"en"'}  # French is the original; junk dropped
    back = pf.write(quads, iri, BASE)
    assert back["title_ar"] == ["خرائط داكار المفتوحة"] and back[pf.MACHINE] == ["en"]
    assert "title_ar" in [f.key for f in pf.form_fields(back)] and pf.accepts("summary_ar")
    assert pf.BY_KEY["title_fr"].label("fr") == "Titre (français)"
    assert [f.label("fr") for f in pf.form_fields(back) if f.key == "title_ar"] == ["Titre (ar)"]
    assert _plain(pf.read(back, BASE)[1]) == found  # nothing lost through the form
    changed = {c.key for c in pf.changes(back, {**back, pf.MACHINE: [], "title_ar": ["autre"]})}
    assert changed == {pf.MACHINE, "title_ar"}
