"""Drafts own what they describe: a contributor's draft may describe its own practice (or AI project) and what it
owns — resources minted under its IRI, its dependents, its blank nodes — and nothing else; publication checks
again, whoever publishes."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from conftest import BACKENDS, ThreadServer, settings_for
from graphe.publishing import accounts, drafts
from graphe.publishing.accounts import Account
from graphe.app import create_app
from graphe.core.errors import GrapheError
from graphe.core.rdf import NamedNode, Quad, format_named, parse_bytes
from graphe.service import Graphe
from test_workflow import PUBLISH, SUBMIT, UPDATE, Api

BASE = "https://graphe.aimf.asso.fr/"
PREFIXES = """@prefix gr: <https://graphe.aimf.asso.fr/def#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> . @prefix airo: <https://w3id.org/airo#> .
@prefix eu-aiact: <https://w3id.org/dpv/legal/eu/aiact#> ."""
MONTREAL_PRACTICE, MONTREAL = BASE + "id/practice/bibliotheques-ouvertes", BASE + "id/city/montreal"


def practice(slug: str, city: str, extra: str = "", more: str = "") -> str:
    return PREFIXES + f"""
<id/practice/{slug}> a gr:Practice ; dct:title "Pratique {slug}"@fr ; dct:abstract "Une pratique de la ville."@fr ;
    gr:city <id/city/{city}> ; dct:subject <id/theme/open-data> ; dct:source <id/source/aimf-article-2024-nantes-ia>
    {extra} .
{more}"""


# The reproduction: Dakar's own practice, plus one title for Montréal's practice and one name for Montréal.
HIJACK = practice("dakar-a-soi", "dakar", more="""
<id/practice/bibliotheques-ouvertes> dct:title "Détournée"@fr .
<id/city/montreal> schema:name "Détournée"@fr .""")


def quads(text: str) -> list[Quad]:
    return parse_bytes(text.encode(), format_named("ttl"), BASE)


@pytest.fixture(params=BACKENDS)
def world(request, validator) -> Iterator[tuple[Graphe, Api, Api, Api, Account]]:  # type: ignore[no-untyped-def]
    graphe = Graphe.open(settings_for(request), validator=validator)
    dakar_account, dakar_token = accounts.create(graphe.store, "contributor", "Dakar", BASE + "id/city/dakar")
    _, montreal_token = accounts.create(graphe.store, "contributor", "Montréal", MONTREAL)
    _, aimf_token = accounts.create(graphe.store, "secretariat", "Secrétariat AIMF")
    server = ThreadServer(create_app(graphe))
    montreal, aimf = Api(server, montreal_token), Api(server, aimf_token)
    draft = montreal.ok(SUBMIT, rdf=practice("bibliotheques-ouvertes", "montreal"))["submitDraft"]
    aimf.ok(PUBLISH, id=draft["id"])
    yield graphe, Api(server), Api(server, dakar_token), aimf, dakar_account
    server.stop()
    graphe.close()


def published(graphe: Graphe) -> set[tuple]:
    """Every published triple about Montréal's practice, the city and its hash IRIs."""
    subjects = [NamedNode(MONTREAL_PRACTICE), NamedNode(MONTREAL), NamedNode(MONTREAL + "#geometry")]
    return {(q.subject, q.predicate, q.object) for q in graphe.store.describe(subjects, graphe.store.graphs.public)}


def readable(anonymous: Api) -> dict:
    return anonymous.ok("query($p: ID!, $c: ID!) { practice(id: $p) { title city { id } } city(id: $c) { name "
                        "country practices { id } } }", p=MONTREAL_PRACTICE, c=MONTREAL)


def test_foreign_triples_are_refused_through_graphql_and_nothing_changes(world) -> None:  # type: ignore[no-untyped-def]
    graphe, anonymous, dakar, aimf, _ = world
    before, seen = published(graphe), readable(anonymous)
    assert seen["practice"]["title"] == "Pratique bibliotheques-ouvertes" and seen["city"]["name"] == "Montréal"
    assert dakar.code(SUBMIT, rdf=HIJACK) == "DRAFT_OUTSIDE_OWNER"
    body = dakar(SUBMIT, rdf=HIJACK)
    assert body["errors"][0]["extensions"]["message_en"]  # French first, English complete
    # Through an update of a draft of its own, too.
    own = dakar.ok(SUBMIT, rdf=practice("dakar-a-soi", "dakar"))["submitDraft"]
    assert dakar.code(UPDATE, id=own["id"], rdf=HIJACK, v=1) == "DRAFT_OUTSIDE_OWNER"
    assert aimf.ok(PUBLISH, id=own["id"])["publish"]["number"] == 1
    assert published(graphe) == before and readable(anonymous) == seen
    assert [d["id"] for d in dakar.ok("{ drafts { id } }")["drafts"]] == [own["id"]]


def test_the_workflow_names_every_foreign_subject(world) -> None:  # type: ignore[no-untyped-def]
    graphe, anonymous, _, _, dakar = world
    before = published(graphe)
    for command in (lambda w: w.submit(dakar, quads(HIJACK)),
                    lambda w: w.import_objects(dakar, [quads(HIJACK)], False, "pratiques.ttl")):
        with pytest.raises(GrapheError) as refused:
            graphe.write(dakar, "submit", "", command)
        assert refused.value.code == "DRAFT_OUTSIDE_OWNER" and refused.value.details["status"] == 403
        assert refused.value.details["subjects"] == [MONTREAL, MONTREAL_PRACTICE]
    # A hash IRI of another resource, a published dependent of another object: not owned either.
    project = PREFIXES + """
<id/ai-project/tri-dakar> a gr:AIProject ; dct:title "Tri"@fr ; gr:purposeDescription "Trier."@fr ;
    airo:isUsedWithinLocality <id/city/dakar> ; eu-aiact:hasRiskLevel eu-aiact:RiskLevelMinimal ;
    dct:source <id/source/aimf-article-2024-nantes-ia> .
<id/criterion/declaration-de-montreal-1> gr:assessedProject <id/ai-project/tri-dakar> .
<id/city/montreal#geometry> dct:title "x"@fr ."""
    with pytest.raises(GrapheError) as refused:
        graphe.write(dakar, "submit", "", lambda w: w.submit(dakar, quads(project)))
    subjects = refused.value.details["subjects"]
    assert subjects == [MONTREAL + "#geometry", BASE + "id/criterion/declaration-de-montreal-1"]
    # Nor can a draft make another city's resource its main object by typing it anew.
    disguised = practice("x", "dakar").replace("<id/practice/x>", "<id/city/montreal>")
    with pytest.raises(GrapheError) as refused:
        graphe.write(dakar, "submit", "", lambda w: w.submit(dakar, quads(disguised)))
    assert refused.value.code == "FORBIDDEN"
    assert published(graphe) == before and drafts.listing(graphe.store, ["draft"]) == []


def test_what_a_practice_owns_is_accepted_and_published(world) -> None:  # type: ignore[no-untyped-def]
    graphe, anonymous, dakar, aimf, _ = world
    own = practice("kiosques-dakar", "dakar", extra="; dct:source <id/practice/kiosques-dakar/source/1>", more="""
<id/practice/kiosques-dakar/source/1> a gr:Source ; dct:title "Délibération du conseil"@fr ;
    gr:sourceKind gr:PrimarySource .""")
    draft = dakar.ok(SUBMIT, rdf=own)["submitDraft"]
    assert drafts.find(graphe.store, draft["id"]).declares == ()  # type: ignore[union-attr]
    aimf.ok(PUBLISH, id=draft["id"])
    assert graphe.store.ask("ASK { ?s a gr:Source ; dct:title ?t }",
                            {"s": NamedNode(BASE + "id/practice/kiosques-dakar/source/1")})


def test_publication_checks_again_whoever_publishes(world) -> None:  # type: ignore[no-untyped-def]
    graphe, anonymous, _, aimf, dakar = world
    before, seen = published(graphe), readable(anonymous)
    # A contributor's draft stored before the rule existed: written as submit wrote it then.
    stamp, draft_id = drafts.now(), drafts.new_id()
    target = BASE + "id/practice/dakar-a-soi"
    old = drafts.Draft(draft_id, target, "practice", "draft", dakar.id, dakar.name, BASE + "id/city/dakar", stamp,
                       stamp, 1, 0)
    graph = graphe.store.graphs.draft(draft_id)
    graphe.store.commit([Quad(q.subject, q.predicate, q.object, graph) for q in quads(HIJACK)] +
                        drafts.record_quads(graphe.store, old), summary="brouillon d'avant la règle")
    assert aimf.code(PUBLISH, id=draft_id) == "DRAFT_OUTSIDE_OWNER"
    assert published(graphe) == before and readable(anonymous) == seen
    assert not graphe.store.describe([NamedNode(target)], graphe.store.graphs.public)


def test_the_secretariat_declares_what_else_it_describes(world) -> None:  # type: ignore[no-untyped-def]
    graphe, anonymous, _, aimf, _ = world
    correction = practice("dakar-corrigee", "dakar", more="""
<id/city/montreal> a schema:City ; schema:name "Montréal"@fr , "Montreal"@en ; schema:addressCountry "CA" ;
    dct:source <id/source/aimf-article-2024-nantes-ia> .""")
    draft = aimf.ok(SUBMIT, rdf=correction)["submitDraft"]
    assert drafts.find(graphe.store, draft["id"]).declares == (MONTREAL,)  # type: ignore[union-attr]
    aimf.ok(PUBLISH, id=draft["id"])
    assert readable(anonymous)["city"]["country"] == "CA"
    # What it did not declare stays out: a record whose declarations were lost cannot be published.
    again = aimf.ok(SUBMIT, rdf=correction.replace("dakar-corrigee", "dakar-recorrigee"))["submitDraft"]
    record = graphe.store.graphs.private(f"draft/{again['id']}")
    lost = Quad(record, NamedNode(drafts.DECLARES), NamedNode(MONTREAL), graphe.store.graphs.workflow)
    graphe.store.commit([], [lost], summary="déclaration perdue")
    assert aimf.code(PUBLISH, id=again["id"]) == "DRAFT_OUTSIDE_OWNER"
