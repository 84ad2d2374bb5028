"""The publishing workflow over real HTTP: accounts, drafts, publication, versions, audit, feed, conflicts."""
from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from conftest import BACKENDS, ThreadServer, settings_for
from graphe.publishing import accounts
from graphe.app import create_app
from graphe.core.rdf import NamedNode
from graphe.service import Graphe

BASE = "https://graphe.aimf.asso.fr/"


def practice(slug: str, title: str, city: str = "dakar", extra: str = "") -> str:
    return f"""@prefix gr: <https://graphe.aimf.asso.fr/def#> . @prefix dct: <http://purl.org/dc/terms/> .
<id/practice/{slug}> a gr:Practice ; dct:title "{title}"@fr ;
    dct:abstract "Une pratique proposée par la ville."@fr ; gr:city <id/city/{city}> ;
    dct:subject <id/theme/open-data> ; dct:source <id/source/aimf-article-2024-nantes-ia> {extra} ."""


class Api:
    def __init__(self, server: ThreadServer, token: str | None = None) -> None:
        self.server, self.token = server, token

    def __call__(self, query: str, **variables: object) -> dict:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = httpx.post(self.server.url + "/graphql", json={"query": query, "variables": variables},
                              headers=headers, timeout=60)
        return response.json()

    def ok(self, query: str, **variables: object) -> dict:
        body = self(query, **variables)
        assert "errors" not in body, body["errors"]
        return body["data"]

    def code(self, query: str, **variables: object) -> str:
        body = self(query, **variables)
        return body["errors"][0]["extensions"]["code"]


SUBMIT = "mutation($rdf: String!) { submitDraft(rdf: $rdf) { id target state version city { name } } }"
UPDATE = "mutation($id: ID!, $rdf: String!, $v: Int!) { updateDraft(id: $id, rdf: $rdf, expectedVersion: $v) { id version } }"
PUBLISH = "mutation($id: ID!) { publish(draft: $id) { number action revision attributedTo } }"


def served_with_dakar_and_secretariat(request, validator) -> Iterator[tuple[Graphe, ThreadServer, Api, Api]]:  # type: ignore[no-untyped-def]
    """A writable Graphe with the seeds, served, with a Dakar contributor and the secretariat (for fixtures of
    any scope: `yield from` it)."""
    graphe = Graphe.open(settings_for(request), validator=validator)
    _, dakar_token = accounts.create(graphe.store, "contributor", "Service numérique de Dakar", BASE + "id/city/dakar")
    _, aimf_token = accounts.create(graphe.store, "secretariat", "Secrétariat AIMF")
    server = ThreadServer(create_app(graphe))
    try:
        yield graphe, server, Api(server, dakar_token), Api(server, aimf_token)
    finally:
        server.stop()
        graphe.close()


@pytest.fixture(params=BACKENDS)
def world(request, validator) -> Iterator[tuple[Graphe, ThreadServer, Api, Api, Api]]:  # type: ignore[no-untyped-def]
    for graphe, server, dakar, aimf in served_with_dakar_and_secretariat(request, validator):
        yield graphe, server, Api(server), dakar, aimf


def test_draft_review_publication_and_versions(world) -> None:  # type: ignore[no-untyped-def]
    graphe, _, anonymous, dakar, aimf = world
    draft = dakar.ok(SUBMIT, rdf=practice("cartes-ouvertes", "Cartes ouvertes de Dakar"))["submitDraft"]
    assert draft["state"] == "DRAFT" and draft["city"]["name"] == "Dakar" and draft["version"] == 1
    iri = draft["target"]
    listed = anonymous.ok("{ practices(first: 100) { edges { node { id } } } }")["practices"]["edges"]
    assert iri not in [e["node"]["id"] for e in listed]  # a draft is private
    assert anonymous.code("query($id: ID!) { practice(id: $id) { title } }", id=iri) == "NOT_FOUND"
    updated = dakar.ok(UPDATE, id=draft["id"], rdf=practice("cartes-ouvertes", "Cartes ouvertes de Dakar (v2)"), v=1)
    assert updated["updateDraft"]["version"] == 2
    assert dakar.code(PUBLISH, id=draft["id"]) == "FORBIDDEN"  # contributors do not publish
    published = aimf.ok(PUBLISH, id=draft["id"])["publish"]
    assert published["number"] == 1 and published["attributedTo"] == BASE + "id/city/dakar"
    seen = anonymous.ok("""query($id: ID!) { practice(id: $id) { title retiredAt history { number action content } } }""",
                        id=iri)["practice"]
    assert seen["title"] == "Cartes ouvertes de Dakar (v2)" and seen["retiredAt"] is None
    assert [h["number"] for h in seen["history"]] == [1] and "Cartes ouvertes de Dakar (v2)" in seen["history"][0]["content"]
    # Provenance is published with the data (PROV-O).
    assert graphe.store.ask("ASK { ?p prov:wasAttributedTo ?c ; prov:generatedAtTime ?t }",
                            {"p": _iri(iri), "c": _iri(BASE + "id/city/dakar")})
    # A second version revises the first.
    second = dakar.ok(SUBMIT, rdf=practice("cartes-ouvertes", "Cartes ouvertes de Dakar (v3)"))["submitDraft"]
    assert aimf.ok(PUBLISH, id=second["id"])["publish"]["number"] == 2
    assert graphe.store.ask("ASK { ?p prov:wasRevisionOf ?v }", {"p": _iri(iri), "v": _iri(iri + "/version/1")})
    history = anonymous.ok("query($id: ID!) { history(id: $id) { number content } }", id=iri)["history"]
    assert [h["number"] for h in history] == [1, 2] and "(v2)" in history[0]["content"] and "(v3)" in history[1]["content"]
    # Found by search at once.
    hits = anonymous.ok('{ search(text: "cartes ouvertes") { edges { node { object { ... on Practice { id } } } } } }')
    assert iri in [e["node"]["object"].get("id") for e in hits["search"]["edges"]]  # (other kinds: {})


def _iri(value: str):  # type: ignore[no-untyped-def]
    from graphe.core.rdf import NamedNode
    return NamedNode(value)


def test_a_new_version_without_a_minted_source_unpublishes_it(world) -> None:  # type: ignore[no-untyped-def]
    """Sources (and documents) minted under a practice belong to its version: one the new version no longer has
    leaves the public graph (no orphan stays published, no removed document stays downloadable)."""
    graphe, _, anonymous, dakar, aimf = world
    iri = BASE + "id/practice/sources-propres"

    def with_sources(*rows: int) -> str:
        links = "".join(f" ; dct:source <id/practice/sources-propres/source/{n}>" for n in rows)
        minted = "".join(f"""
<id/practice/sources-propres/source/{n}> a gr:Source ; dct:title "Source {n}"@fr ;
    gr:sourceKind gr:SecondarySource .""" for n in rows)
        return practice("sources-propres", "Des sources propres", extra=links) + minted

    first = dakar.ok(SUBMIT, rdf=with_sources(1, 2))["submitDraft"]
    aimf.ok(PUBLISH, id=first["id"])
    titles = lambda: sorted(s["title"] for s in anonymous.ok(  # noqa: E731
        "query($id: ID!) { practice(id: $id) { sources { title } } }", id=iri)["practice"]["sources"])
    assert {"Source 1", "Source 2"} <= set(titles())
    second = dakar.ok(SUBMIT, rdf=with_sources(1))["submitDraft"]
    aimf.ok(PUBLISH, id=second["id"])
    assert "Source 2" not in titles() and "Source 1" in titles()
    gone = graphe.store.select("SELECT ?p WHERE { GRAPH ?g { ?s ?p ?o } }",
                               {"g": graphe.store.graphs.public, "s": NamedNode(iri + "/source/2")})
    assert gone == []
    kept = graphe.store.select("SELECT ?p WHERE { GRAPH ?g { ?s ?p ?o } }",
                               {"g": graphe.store.graphs.public, "s": NamedNode(iri + "/source/1")})
    assert kept


MAPPING = """@prefix gr: <https://graphe.aimf.asso.fr/def#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<id/mapping/nantes-ia-7-montreal-9> a gr:CriterionMapping ;
    gr:mappingSubject <id/criterion/nantes-metropole-cadre-de-confiance-ia-7> ;
    gr:mappingObject <id/criterion/declaration-de-montreal-9> ; gr:mappingStrength gr:{strength} ;
    dct:creator <id/organisation/aimf-commission-villes-innovantes> ; dct:date "2026-12-06"^^xsd:date ;
    dct:source <id/source/nantes-boussole-ia> , <id/source/ledevoir-10-principes-2018> ;
    rdfs:comment "Évaluer un projet, c'est en répondre."@fr ."""


def test_the_secretariat_edits_a_criterion_mapping_through_review(world) -> None:  # type: ignore[no-untyped-def]
    """A mapping is a record like any other (draft, review, publication, versions), the secretariat's only; its
    SKOS triple is derived at publication from its strength, the criterion keeping everything else."""
    graphe, _, anonymous, dakar, aimf = world
    skos = "http://www.w3.org/2004/02/skos/core#"
    evaluation = NamedNode(BASE + "id/criterion/nantes-metropole-cadre-de-confiance-ia-7")
    responsibility = BASE + "id/criterion/declaration-de-montreal-9"
    assert dakar.code(SUBMIT, rdf=MAPPING.replace("{strength}", "RelatedMapping")) == "FORBIDDEN"
    before = {(q.predicate.value, q.object.value) for q in graphe.store.describe({evaluation}, graphe.store.graphs.public)}

    def matches() -> dict[str, str]:
        return {q.predicate.value[len(skos):]: q.object.value
                for q in graphe.store.describe({evaluation}, graphe.store.graphs.public)
                if q.predicate.value.startswith(skos) and q.predicate.value.endswith("Match")}

    draft = aimf.ok(SUBMIT, rdf=MAPPING.replace("{strength}", "RelatedMapping"))["submitDraft"]
    assert draft["target"] == BASE + "id/mapping/nantes-ia-7-montreal-9" and matches() == {}  # nothing yet
    aimf.ok(PUBLISH, id=draft["id"])
    assert matches() == {"relatedMatch": responsibility}
    after = {(q.predicate.value, q.object.value) for q in graphe.store.describe({evaluation}, graphe.store.graphs.public)}
    assert after - before == {(skos + "relatedMatch", responsibility)} and before <= after  # nothing else moved
    seen = anonymous.ok("""query($a: ID!, $b: ID!) { compareCharters(a: $a, b: $b) { matched { a { identifier }
        b { identifier } match mapping { assertedBy { name } date comment } } } }""",
                        a=BASE + "id/charter/nantes-metropole-cadre-de-confiance-ia",
                        b=BASE + "id/charter/declaration-de-montreal-ia-responsable")["compareCharters"]["matched"]
    row = next(m for m in seen if m["a"]["identifier"] == "7")
    assert row["match"] == "RELATED" and row["mapping"]["date"] == "2026-12-06"
    assert row["mapping"]["assertedBy"] == [{"name": "Commission Villes innovantes de l'AIMF"}]

    # A new version: the strength changes, and so does the derived triple (the old one goes).
    again = aimf.ok(SUBMIT, rdf=MAPPING.replace("{strength}", "CloseMapping"))["submitDraft"]
    assert aimf.ok(PUBLISH, id=again["id"])["publish"]["number"] == 2
    assert matches() == {"closeMatch": responsibility}
    # Retired, it matches no more: the derived triple goes, the criterion's own description stays.
    aimf.ok('mutation($id: ID!) { retire(id: $id, reason: "Correspondance revue") { number } }',
            id=BASE + "id/mapping/nantes-ia-7-montreal-9")
    assert matches() == {}
    assert {(q.predicate.value, q.object.value)
            for q in graphe.store.describe({evaluation}, graphe.store.graphs.public)} == before


def test_rejection_with_a_reason(world) -> None:  # type: ignore[no-untyped-def]
    _, _, _, dakar, aimf = world
    draft = dakar.ok(SUBMIT, rdf=practice("refusee", "Une idée à revoir"))["submitDraft"]
    assert aimf.code('mutation($id: ID!) { reject(draft: $id, reason: " ") { state } }', id=draft["id"]) == "BAD_USER_INPUT"
    rejected = aimf.ok('mutation($id: ID!) { reject(draft: $id, reason: "Sources manquantes") { state reason } }',
                       id=draft["id"])["reject"]
    assert rejected == {"state": "REJECTED", "reason": "Sources manquantes"}
    mine = dakar.ok("{ drafts(states: [REJECTED]) { id reason } }")["drafts"]
    assert [d["reason"] for d in mine if d["id"] == draft["id"]] == ["Sources manquantes"]
    assert aimf.code(PUBLISH, id=draft["id"]) == "CONFLICT"


def test_publishing_validates_and_reports_every_violation(world) -> None:  # type: ignore[no-untyped-def]
    graphe, _, _, dakar, aimf = world
    bad = practice("sans-titre-fr", "x").replace('dct:title "x"@fr', 'dct:title "Only English"@en')
    bad = bad.replace("gr:city <id/city/dakar>", "gr:city <id/city/dakar> ; dct:issued \"hier\"")
    draft = dakar.ok(SUBMIT, rdf=bad)["submitDraft"]
    before = (graphe.store.count(graphe.store.graphs.public), graphe.search.revision)
    body = aimf(PUBLISH, id=draft["id"])
    error = body["errors"][0]
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    fields = {v["field"] for v in error["extensions"]["violations"]}
    assert {"http://purl.org/dc/terms/title", "http://purl.org/dc/terms/issued"} <= fields
    assert all(v["message_fr"] and v["message_en"] for v in error["extensions"]["violations"])
    assert graphe.store.count(graphe.store.graphs.public) == before[0]


def test_contributors_act_for_their_city_only(world) -> None:  # type: ignore[no-untyped-def]
    _, _, anonymous, dakar, aimf = world
    assert dakar.code(SUBMIT, rdf=practice("ailleurs", "Pratique de Genève", city="geneve")) == "FORBIDDEN"
    charter = """@prefix gr: <https://graphe.aimf.asso.fr/def#> . @prefix dct: <http://purl.org/dc/terms/> .
<id/charter/c> a gr:Charter ; dct:title "Charte"@fr ; gr:charterKind gr:DataCharter ;
    dct:publisher <id/organisation/aimf> ; dct:source <id/source/aimf-article-2024-nantes-ia> ."""
    assert dakar.code(SUBMIT, rdf=charter) == "FORBIDDEN"
    assert anonymous.code(SUBMIT, rdf=practice("anon", "Anonyme")) == "UNAUTHENTICATED"
    geneve = aimf.ok(SUBMIT, rdf=practice("geneve-x", "Pratique de Genève", city="geneve"))["submitDraft"]
    assert dakar.code(UPDATE, id=geneve["id"], rdf=practice("geneve-x", "Détournée", city="geneve"), v=1) == "FORBIDDEN"
    assert dakar.code('query($id: ID!) { draft(id: $id) { id } }', id=geneve["id"]) == "NOT_FOUND"
    assert aimf.ok(SUBMIT, rdf=charter)["submitDraft"]["state"] == "DRAFT"


def test_a_wrong_token_is_refused_with_401(world) -> None:  # type: ignore[no-untyped-def]
    _, server, _, _, _ = world
    for header in ("Bearer grp_nope", "Basic Zm9vOmJhcg==", "Bearer"):
        response = httpx.post(server.url + "/graphql", json={"query": "{ stats { revision } }"},
                              headers={"Authorization": header})
        assert response.status_code == 401 and response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_revoked_tokens_stop_working(world) -> None:  # type: ignore[no-untyped-def]
    graphe, server, *_ = world
    account, token = accounts.create(graphe.store, "secretariat", "Temporaire")
    assert Api(server, token).ok("{ drafts { id } }") == {"drafts": []}
    accounts.revoke(graphe.store, account.id.rsplit("/", 1)[-1])
    response = httpx.post(server.url + "/graphql", json={"query": "{ stats { revision } }"},
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_retired_objects_stay_readable_and_leave_listings_and_search(world) -> None:  # type: ignore[no-untyped-def]
    graphe, server, anonymous, dakar, aimf = world
    draft = dakar.ok(SUBMIT, rdf=practice("a-retirer", "Kiosques numériques itinérants"))["submitDraft"]
    aimf.ok(PUBLISH, id=draft["id"])
    iri = draft["target"]
    retired = aimf.ok('mutation($id: ID!) { retire(id: $id, reason: "Arrêtée en 2025") { number action } }', id=iri)
    assert retired["retire"] == {"number": 2, "action": "retired"}
    seen = anonymous.ok("query($id: ID!) { practice(id: $id) { title retiredAt } }", id=iri)["practice"]
    assert seen["retiredAt"]
    listed = anonymous.ok("{ practices(first: 100) { edges { node { id } } } }")["practices"]["edges"]
    assert iri not in [e["node"]["id"] for e in listed]
    hits = anonymous.ok('{ search(text: "kiosques itinérants") { totalCount } }')["search"]["totalCount"]
    assert hits == 0
    page = httpx.get(server.url + "/id/practice/a-retirer", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "retirée" in page.text
    assert aimf.code('mutation($id: ID!) { retire(id: $id, reason: "encore") { number } }', id=iri) == "CONFLICT"


def test_concurrent_writers_get_a_conflict_never_a_silent_loss(world) -> None:  # type: ignore[no-untyped-def]
    _, _, _, dakar, aimf = world
    draft = dakar.ok(SUBMIT, rdf=practice("partagee", "Version initiale"))["submitDraft"]
    first = dakar.ok(UPDATE, id=draft["id"], rdf=practice("partagee", "Modification A"), v=1)
    assert first["updateDraft"]["version"] == 2
    assert aimf.code(UPDATE, id=draft["id"], rdf=practice("partagee", "Modification B"), v=1) == "CONFLICT"
    content = aimf.ok('query($id: ID!) { draft(id: $id) { content version } }', id=draft["id"])["draft"]
    assert "Modification A" in content["content"] and content["version"] == 2
    # Two drafts made from the same published version: the second cannot overwrite the first.
    aimf.ok(PUBLISH, id=draft["id"])
    one = dakar.ok(SUBMIT, rdf=practice("partagee", "Suite 1"))["submitDraft"]
    two = dakar.ok(SUBMIT, rdf=practice("partagee", "Suite 2"))["submitDraft"]
    assert aimf.ok(PUBLISH, id=one["id"])["publish"]["number"] == 2
    assert aimf.code(PUBLISH, id=two["id"]) == "CONFLICT"


def test_parallel_updates_of_one_draft_keep_exactly_one(world) -> None:  # type: ignore[no-untyped-def]
    import concurrent.futures
    _, _, _, dakar, _ = world
    draft = dakar.ok(SUBMIT, rdf=practice("course", "Départ"))["submitDraft"]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda i: dakar(UPDATE, id=draft["id"], rdf=practice("course", f"Écrivain {i}"), v=1),
                                range(8)))
    winners = [r for r in results if "errors" not in r]
    losers = [r for r in results if "errors" in r]
    assert len(winners) == 1 and all(r["errors"][0]["extensions"]["code"] == "CONFLICT" for r in losers)


def test_audit_log_and_change_feed(world) -> None:  # type: ignore[no-untyped-def]
    graphe, server, anonymous, dakar, aimf = world
    start = graphe.store.revision().number
    draft = dakar.ok(SUBMIT, rdf=practice("suivie", "Suivie par le flux"))["submitDraft"]
    dakar.code(PUBLISH, id=draft["id"])  # refused: audited
    published = aimf.ok(PUBLISH, id=draft["id"])["publish"]
    aimf.ok('mutation($id: ID!) { retire(id: $id, reason: "fin") { number } }', id=draft["target"])
    log = aimf.ok("{ auditLog(first: 10) { actor action target result } }")["auditLog"]
    actions = [(e["actor"], e["action"], e["result"]) for e in log]
    assert ("Secrétariat AIMF", "retire", "ok") in actions and ("Secrétariat AIMF", "publish", "ok") in actions
    assert ("Service numérique de Dakar", "publish", "FORBIDDEN") in actions
    assert dakar.code("{ auditLog { action } }") == "FORBIDDEN" and anonymous.code("{ auditLog { action } }") == "UNAUTHENTICATED"
    feed = anonymous.ok("query($s: Int!) { changes(since: $s) { revision created changed retired } }", s=start)["changes"]
    assert [e["created"] for e in feed if e["revision"] == published["revision"]] == [[draft["target"]]]
    assert any(draft["target"] in e["retired"] for e in feed)
    by_http = httpx.get(server.url + "/changes", params={"since": start}).json()
    assert [e["revision"] for e in by_http["changes"]] == [e["revision"] for e in feed]
    assert httpx.get(server.url + "/changes", params={"since": "x"}).status_code == 400


def test_a_practice_sheet_from_a_form_and_the_life_of_other_objects(world) -> None:  # type: ignore[no-untyped-def]
    graphe, _, anonymous, dakar, aimf = world
    form = """mutation($input: PracticeInput!) { submitPractice(input: $input) { id target state } }"""
    sheet = {"id": "guichet-mobile", "title": [{"lang": "fr", "value": "Guichet mobile de Dakar"}],
             "summary": [{"lang": "fr", "value": "Un guichet itinérant pour les démarches."}],
             "city": "dakar", "themes": ["public-services"], "status": "PILOT",
             "sources": ["aimf-article-2024-nantes-ia"]}
    draft = dakar.ok(form, input=sheet)["submitPractice"]
    assert draft["target"] == BASE + "id/practice/guichet-mobile"
    assert aimf.ok(PUBLISH, id=draft["id"])["publish"]["number"] == 1
    status = anonymous.ok('{ practice(id: "%sid/practice/guichet-mobile") { status { code } } }' % BASE)
    assert status["practice"]["status"]["code"] == "PILOT"
    assert dakar.code(form, input={**sheet, "city": "geneve"}) == "FORBIDDEN"
    # An AI project with its assessments, proposed by its city; a charter with criteria, by the secretariat.
    project = """@prefix gr: <https://graphe.aimf.asso.fr/def#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix airo: <https://w3id.org/airo#> . @prefix eu-aiact: <https://w3id.org/dpv/legal/eu/aiact#> .
<id/ai-project/tri-courrier> a gr:AIProject ; dct:title "Tri du courrier"@fr ;
    gr:purposeDescription "Orienter le courrier entrant."@fr ; airo:isUsedWithinLocality <id/city/dakar> ;
    eu-aiact:hasRiskLevel eu-aiact:RiskLevelMinimal ; dct:source <id/source/aimf-article-2024-nantes-ia> .
<id/assessment/tri-courrier-5> a gr:Assessment ; gr:assessedProject <id/ai-project/tri-courrier> ;
    gr:criterion <id/criterion/nantes-metropole-cadre-de-confiance-ia-5> ; gr:verdict gr:PartlyMet ;
    gr:justification "Consommation mesurée."@fr ."""
    made = dakar.ok(SUBMIT, rdf=project)["submitDraft"]
    aimf.ok(PUBLISH, id=made["id"])
    seen = anonymous.ok('{ aiProject(id: "%sid/ai-project/tri-courrier") { assessments { verdict { code } } '
                        'history { number } } }' % BASE)["aiProject"]
    assert seen == {"assessments": [{"verdict": {"code": "PARTLY_MET"}}], "history": [{"number": 1}]}
    charter = """@prefix gr: <https://graphe.aimf.asso.fr/def#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix cv: <http://data.europa.eu/m8g/> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<id/charter/exemple> a gr:Charter ; dct:title "Charte d'exemple"@fr ; gr:charterKind gr:DataCharter ;
    dct:publisher <id/organisation/aimf> ; dct:source <id/source/aimf-article-2024-nantes-ia> .
<id/criterion/exemple-1> a gr:Criterion ; cv:isDerivedFrom <id/charter/exemple> ; gr:identifier "1" ;
    skos:prefLabel "Sobriété"@fr ; skos:closeMatch <id/criterion/declaration-de-montreal-10> ."""
    assert dakar.code(SUBMIT, rdf=charter) == "FORBIDDEN"
    made = aimf.ok(SUBMIT, rdf=charter)["submitDraft"]
    aimf.ok(PUBLISH, id=made["id"])
    criteria = anonymous.ok('{ charter(id: "%sid/charter/exemple") { criteria { label matches { criterion { label } } } } }'
                            % BASE)["charter"]["criteria"]
    assert criteria == [{"label": "Sobriété", "matches": [{"criterion": {"label": "Développement soutenable"}}]}]
