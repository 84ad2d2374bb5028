"""GraphQL without IRIs and the new questions: cities, countries and themes by name in every filter that takes
them, `aiProjects(filter: {charters})`, events and action plans with their participants — over real HTTP, each
answer checked against SPARQL or against the same question asked with identifiers; hostile values refused
with a coded, French-first error."""
from __future__ import annotations

import httpx
import pytest

from graphe.api import cost
from graphe.read import names
from graphe.service import Graphe
from test_graphql import gql, ids

BASE = "https://graphe.aimf.asso.fr/"
NANTES_FRAMEWORK = BASE + "id/charter/nantes-metropole-cadre-de-confiance-ia"
MEETING = BASE + "id/event/commission-villes-innovantes-nantes-2024"
PLAN = BASE + "id/plan/commission-villes-innovantes-ia-2024-2025"




def error(api, query: str, variables: dict | None = None, **headers: str) -> dict:  # type: ignore[no-untyped-def]
    response = httpx.post(api.url + "/graphql", json={"query": query, "variables": variables or {}},
                          headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["errors"]) == 1, body
    return body["errors"][0]


PRACTICES = """query($f: PracticeFilter) { practices(first: 100, filter: $f) { totalCount edges { node { id } } } }"""


@pytest.mark.parametrize("by_name,by_id", [
    ({"cities": ["fes", "Marrakech", "GRENOBLE"]},  # generated cities: gen-6 is Fès
     {"cities": [BASE + "id/city/gen-6", BASE + "id/city/gen-5", BASE + "id/city/gen-4"]}),
    ({"cities": ["gen-3", "nantes", "Geneva"]},  # slugs, and a name in English (Genève has no practice)
     {"cities": [BASE + "id/city/gen-3", BASE + "id/city/nantes"]}),
    ({"countries": ["Maroc", "sénégal", "Switzerland"]}, {"countries": ["MA", "SN", "CH"]}),
    ({"themes": ["ai", "Données"]}, {"themes": [BASE + "id/theme/ai", BASE + "id/theme/data"]}),
    ({"themes": ["data"], "countries": ["France", "Canada"]},
     {"themes": [BASE + "id/theme/data"], "countries": ["FR", "CA"]}),
])
def test_practices_by_name_are_the_practices_by_identifier(api, by_name: dict, by_id: dict) -> None:  # type: ignore[no-untyped-def]
    named, identified = gql(api, PRACTICES, {"f": by_name}), gql(api, PRACTICES, {"f": by_id})
    assert named == identified and identified["practices"]["totalCount"] > 0


def test_a_city_or_theme_name_nothing_has_finds_nothing_like_an_unknown_iri(api) -> None:  # type: ignore[no-untyped-def]
    for flt in ({"cities": ["Atlantide"]}, {"cities": [BASE + "id/city/atlantide"]}, {"themes": ["nulle-part"]},
                {"themes": ["pilot"]}):  # (a status is not a theme)
        assert gql(api, PRACTICES, {"f": flt})["practices"]["totalCount"] == 0, flt
    # With a city that exists, the unknown one adds nothing and takes nothing away.
    both = gql(api, PRACTICES, {"f": {"cities": ["Atlantide", "Nantes"]}})["practices"]
    assert both == gql(api, PRACTICES, {"f": {"cities": ["Nantes"]}})["practices"] and both["totalCount"] > 0


def test_cities_by_name_by_country_name_and_the_other_lists(api) -> None:  # type: ignore[no-untyped-def]
    data = gql(api, """{ named: cities(names: ["geneve", "Montreal", "quebec", "Atlantide"]) {
        totalCount edges { node { id name } } }
      moroccan: cities(first: 100, countries: ["Maroc"]) { edges { node { id country } } }
      byCode: cities(first: 100, countries: ["MA"]) { edges { node { id } } }
      events(cities: ["Dakar"]) { edges { node { id } } }
      charters(first: 100, adoptedBy: ["nantes"]) { edges { node { id } } }
      chartersById: charters(first: 100, adoptedBy: ["%s"]) { edges { node { id } } } }""" % (BASE + "id/city/nantes"))
    assert [e["node"]["name"] for e in data["named"]["edges"]] == ["Genève", "Montréal", "Québec"]
    assert {e["node"]["country"] for e in data["moroccan"]["edges"]} == {"MA"}
    assert ids(data["moroccan"]) == ids(data["byCode"]) and ids(data["byCode"])
    assert ids(data["events"]) == [MEETING]
    assert ids(data["charters"]) == ids(data["chartersById"]) and NANTES_FRAMEWORK in ids(data["charters"])


def test_an_unknown_country_is_refused_with_close_ones_in_each_language(api) -> None:  # type: ignore[no-untyped-def]
    query = '{ practices(filter: {countries: ["Marok"]}) { totalCount } }'
    french, english = error(api, query), error(api, query, **{"Accept-Language": "en"})
    assert french["extensions"]["code"] == english["extensions"]["code"] == "BAD_USER_INPUT"
    assert french["message"].startswith("Pays inconnu : « Marok »") and "Maroc (MA)" in french["message"]
    assert english["message"].startswith("Unknown country: 'Marok'") and "Morocco (MA)" in english["message"]
    assert error(api, '{ cities(countries: ["Groland"]) { totalCount } }')["extensions"]["code"] == "BAD_USER_INPUT"
    assert error(api, '{ search(text: "ia", filter: {countries: ["Groland"]}) { totalCount } }')[
        "extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("query,variable", [
    ("query($v: [ID!]) { practices(filter: {cities: $v}) { totalCount } }", "cities"),
    ("query($v: [String!]) { practices(filter: {countries: $v}) { totalCount } }", "countries"),
    ("query($v: [ID!]) { practices(filter: {themes: $v}) { totalCount } }", "themes"),
    ("query($v: [ID!]) { practices(filter: {charters: $v}) { totalCount } }", "charters"),
    ("query($v: [String!]) { cities(names: $v) { totalCount } }", "cities"),
    ("query($v: [ID!]) { aiProjects(filter: {charters: $v}) { totalCount } }", "charters"),
    ("query($v: [ID!]) { aiProjects(criteria: $v) { totalCount } }", "criteria"),
    ("query($v: [ID!]) { events(cities: $v) { totalCount } }", "cities"),
    ("query($v: [ID!]) { actionPlans(themes: $v) { totalCount } }", "themes"),
    ("query($v: [ID!]) { search(text: \"ia\", filter: {cities: $v}) { totalCount } }", "cities"),
])
def test_huge_lists_are_refused_before_anything_is_read(api, rich: Graphe, query: str, variable: str) -> None:  # type: ignore[no-untyped-def]
    many = [f"{BASE}id/x/{i}" if variable != "countries" else "FR" for i in range(names.MAX_VALUES + 1)]
    huge = ["ville" * 20] * 5000  # about 500 KB once repeated: the body limit answers first, coded too
    before = rich.store.queries
    found = error(api, query, {"v": many})
    assert found["extensions"]["code"] == "BAD_USER_INPUT" and str(names.MAX_VALUES) in found["message"]
    assert found["message"].startswith("Trop de valeurs")
    assert rich.store.queries == before
    response = httpx.post(api.url + "/graphql", json={"query": query, "variables": {"v": huge}}, timeout=30)
    assert response.status_code in (200, 413) and response.json()["errors"][0]["extensions"]["code"] in (
        "BAD_USER_INPUT", "PAYLOAD_TOO_LARGE")
    # At the cap, the list is read: nothing refused.
    assert "errors" not in httpx.post(api.url + "/graphql", json={"query": query, "variables": {
        "v": many[:names.MAX_VALUES]}}, timeout=30).json()


@pytest.mark.parametrize("value", ["x" * (names.MAX_LENGTH + 1), "Nan\x00tes", " ", "Nan\ntes"])
def test_values_no_name_can_be_are_refused(api, value: str) -> None:  # type: ignore[no-untyped-def]
    found = error(api, "query($v: [ID!]) { practices(filter: {cities: $v}) { totalCount } }", {"v": [value]})
    assert found["extensions"]["code"] == "BAD_USER_INPUT"
    assert len(found["message"]) < 300  # a long value is not echoed whole


def test_ai_projects_assessed_against_charters(api, rich: Graphe) -> None:  # type: ignore[no-untyped-def]
    """`filter.charters` finds the projects with an assessment against a criterion of those charters; with
    `verdicts`, on that same assessment; the direct arguments still narrow it down."""
    rows = rich.store.select("""SELECT ?charter (COUNT(DISTINCT ?p) AS ?n) WHERE { ?a gr:assessedProject ?p ;
        gr:criterion/cv:isDerivedFrom ?charter } GROUP BY ?charter ORDER BY DESC(?n) ?charter LIMIT 2""")
    charters = [r["charter"].value for r in rows]

    def expected(extra: str = "", bindings: dict | None = None) -> set[str]:
        return {r["p"].value for r in rich.store.select(
            "SELECT DISTINCT ?p WHERE { VALUES ?charter { %s } ?a gr:assessedProject ?p ; gr:criterion/cv:isDerivedFrom "
            "?charter . %s }" % (" ".join(f"<{c}>" for c in charters), extra), bindings or {})}

    query = """query($f: AIProjectFilter, $c: [ID!]) { aiProjects(first: 100, filter: $f, cities: $c) {
        totalCount edges { node { id } } } }"""
    found = gql(api, query, {"f": {"charters": charters}})["aiProjects"]
    assert set(ids(found)) == expected() and found["totalCount"] == len(expected()) > 0
    one = gql(api, query, {"f": {"charters": charters[:1]}})["aiProjects"]
    assert 0 < one["totalCount"] < found["totalCount"] or len(charters) == 1
    met = gql(api, query, {"f": {"charters": charters, "verdicts": ["MET"]}})["aiProjects"]
    assert set(ids(met)) == expected("?a gr:verdict gr:Met .")
    city = rich.store.select("SELECT ?c WHERE { ?p airo:isUsedWithinLocality ?c } ORDER BY ?c LIMIT 1")[0]["c"]
    in_city = gql(api, query, {"f": {"charters": charters}, "c": [city.value]})["aiProjects"]
    assert set(ids(in_city)) == expected("?p airo:isUsedWithinLocality ?city .", {"city": city})
    assert gql(api, query, {"f": {"charters": [BASE + "id/charter/nulle-part"]}})["aiProjects"]["totalCount"] == 0
    bad = error(api, '{ aiProjects(filter: {charters: ["pas une IRI"]}) { totalCount } }')
    assert bad["extensions"]["code"] == "BAD_USER_INPUT" and "charte" in bad["message"].lower()


def test_event_and_action_plan_by_id_with_their_participants(api) -> None:  # type: ignore[no-untyped-def]
    data = gql(api, """query($e: ID!, $p: ID!) {
      event(id: $e) { id name startDate endDate organizer { name eventsOrganised { id } actionPlans { id } }
        participatingCities { id } location { name } partOf { id subEvents { id } } actionPlans { id } }
      actionPlan(id: $p) { id title period creator { name } preparedAt { id } themes { id } sources { title } }
      actionPlans { totalCount edges { node { id } } }
      none: actionPlans(themes: ["water"]) { totalCount } }""", {"e": MEETING, "p": PLAN})
    event, plan = data["event"], data["actionPlan"]
    assert (event["startDate"], event["endDate"], event["location"]["name"]) == ("2024-09-17", "2024-09-19", "Nantes")
    assert {BASE + "id/city/" + c for c in ("nantes", "agadir", "casablanca", "dakar", "dschang", "geneve", "montreal",
                                            "quebec")} == {c["id"] for c in event["participatingCities"]}
    assert MEETING in [e["id"] for e in event["partOf"]["subEvents"]]
    assert [p["id"] for p in event["actionPlans"]] == [PLAN] == [p["id"] for p in event["organizer"]["actionPlans"]]
    assert MEETING in [e["id"] for e in event["organizer"]["eventsOrganised"]]
    assert (plan["period"], plan["preparedAt"]["id"]) == ("2024/2025", MEETING)
    assert BASE + "id/theme/ai" in [t["id"] for t in plan["themes"]]
    assert PLAN in ids(data["actionPlans"]) and data["none"]["totalCount"] == 0


@pytest.mark.parametrize("query,code,english", [
    ('{ event(id: "%s") { name } }' % (BASE + "id/city/nantes"), "NOT_FOUND", "No event has the identifier"),
    ('{ actionPlan(id: "%s") { title } }' % MEETING, "NOT_FOUND", "No action plan has the identifier"),
    ('{ event(id: "commission") { name } }', "BAD_USER_INPUT", "Invalid event"),
    ('{ actionPlans(orderBy: {field: DATE}) { totalCount } }', "BAD_USER_INPUT", "Sort 'DATE'"),
])
def test_events_and_plans_refuse_what_they_cannot_answer(api, query: str, code: str, english: str) -> None:  # type: ignore[no-untyped-def]
    french, in_english = error(api, query), error(api, query, **{"Accept-Language": "en"})
    assert french["extensions"]["code"] == code and french["message"] == french["extensions"]["message_fr"]
    assert in_english["message"].startswith(english), in_english["message"]


def test_the_new_lists_are_bounded_by_the_cost_estimate(api, rich: Graphe) -> None:  # type: ignore[no-untyped-def]
    """Plans → meeting → cities → practices → adaptations fans out: refused before running, like any list."""
    before = rich.store.queries
    found = error(api, """{ actionPlans(first: 100) { edges { node { preparedAt { participatingCities {
        practices { adaptations { title } } events { actionPlans { title } } } } } } } }""")
    assert found["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert found["message"].startswith("Requête trop coûteuse") and str(cost.MAX_COST) in found["message"]
    assert rich.store.queries == before
