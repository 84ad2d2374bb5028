"""GraphQL over real HTTP: every root field and relation, languages, paging, filters and facets, comparison."""
from __future__ import annotations

import unicodedata
from typing import Any

import httpx
import pytest

from graphe.core.rdf import Literal, NamedNode
from graphe.service import Graphe

BASE = "https://graphe.aimf.asso.fr/"
NANTES_FRAMEWORK = BASE + "id/charter/nantes-metropole-cadre-de-confiance-ia"
MONTREAL = BASE + "id/charter/declaration-de-montreal-ia-responsable"


def gql(api, query: str, variables: dict | None = None, **headers: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = httpx.post(api.url + "/graphql", json={"query": query, "variables": variables or {}},
                          headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def ids(connection: dict) -> list[str]:
    return [edge["node"]["id"] for edge in connection["edges"]]


def test_single_objects_by_id_and_their_relations(api) -> None:  # type: ignore[no-untyped-def]
    data = gql(api, """query($city: ID!, $practice: ID!, $charter: ID!) {
      city(id: $city) { id name country population populationYear latitude longitude wikidata
        administeredBy { name } charters { id } adoptions { date charter { id } } practices { id } events { id } }
      practice(id: $practice) { id title summary body city { id } themes { id label } sources { kind { code } } }
      charter(id: $charter) { title kind { code } publisher { name } criteria { identifier order label }
        adoptedBy { city { name } date } }
    }""", {"city": BASE + "id/city/nantes", "practice": BASE + "id/practice/nantes-debat-de-l-ia",
           "charter": NANTES_FRAMEWORK})
    city = data["city"]
    # No population without a public source for it (seeds/README.md): Nantes' is left out.
    assert (city["name"], city["country"], city["population"], city["populationYear"]) == ("Nantes", "FR", None, None)
    assert city["wikidata"] == "http://www.wikidata.org/entity/Q12191"
    assert NANTES_FRAMEWORK in [c["id"] for c in city["charters"]]
    assert BASE + "id/practice/nantes-debat-de-l-ia" in [p["id"] for p in city["practices"]]
    assert len(city["events"]) >= 1
    practice = data["practice"]
    assert practice["city"]["id"] == BASE + "id/city/nantes" and practice["themes"]
    charter = data["charter"]
    assert charter["kind"]["code"] == "AI_TRUST_FRAMEWORK" and charter["publisher"]["name"] == "Nantes Métropole"
    assert [c["order"] for c in charter["criteria"]] == list(range(1, 8))
    assert charter["adoptedBy"][0]["city"]["name"] == "Nantes"


def test_every_list_root_field_answers(api, rich: Graphe) -> None:  # type: ignore[no-untyped-def]
    data = gql(api, """{
      cities(first: 100) { totalCount edges { node { id } } }
      practices(first: 5) { totalCount }
      charters(first: 50) { totalCount edges { node { id } } }
      criteria(first: 100) { totalCount edges { node { charter { id } order } } }
      aiProjects(first: 10) { totalCount edges { node { id city { id } riskLevel { code label }
        assessments { verdict { code label } criterion { id } } practices { id } } } }
      organisations(first: 50) { totalCount edges { node { id name } } }
      events { edges { node { name startDate location { name } partOf { name } subEvents { name } } } }
      themes { id label narrower { id broader { id } } }
      stats { revision classes { classIri count } practicesByCountry { country count }
              practicesByTheme { theme { label } count } practicesByStatus { value { code } count } }
    }""")
    store = rich.store

    def count(cls: str) -> int:
        return int(store.select(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s a <{cls}> }} }}",
                                {"g": store.graphs.public})[0]["n"].value)

    assert data["cities"]["totalCount"] == count("https://schema.org/City") == len(data["cities"]["edges"])
    assert data["practices"]["totalCount"] == count(rdf_gr("Practice"))
    assert data["criteria"]["totalCount"] == count(rdf_gr("Criterion"))
    assert data["aiProjects"]["totalCount"] == count(rdf_gr("AIProject")) > 0
    # The seeds' projects carry no risk level nor assessment (their sources give none): take a generated one.
    project = next(e["node"] for e in data["aiProjects"]["edges"] if e["node"]["assessments"])
    assert project["riskLevel"]["label"] and project["assessments"] and project["practices"]
    assert project["assessments"][0]["verdict"]["code"] in {"MET", "PARTLY_MET", "NOT_MET", "NOT_APPLICABLE"}
    organisations = {n["node"]["name"] for n in data["organisations"]["edges"]}
    assert {"Nantes Métropole", "Les Interconnectés"} <= organisations  # subclasses of org:Organization count
    top = {t["label"] for t in data["themes"]}
    assert "Intelligence artificielle" in top and all(n["broader"]["id"] == t["id"] for t in data["themes"]
                                                      for n in t["narrower"])
    assert data["stats"]["revision"] == store.revision().number
    stats_countries = {c["country"]: c["count"] for c in data["stats"]["practicesByCountry"]}
    assert sum(stats_countries.values()) == data["practices"]["totalCount"] - 1  # the Guide has no city
    meeting = next(e["node"] for e in data["events"]["edges"] if e["node"]["partOf"])
    assert meeting["location"]["name"] == "Nantes"


def rdf_gr(name: str) -> str:
    return "https://graphe.aimf.asso.fr/def#" + name


def test_language_fallback_and_translations(api) -> None:  # type: ignore[no-untyped-def]
    query = """query($id: ID!) { practice(id: $id) { title en: title(lang: ["en"]) de: title(lang: ["de"])
        titleTranslations { lang value } } city(id: "%scity/geneve") { name nameTranslations { lang } } }""" % (BASE + "id/")
    variables = {"id": BASE + "id/practice/nantes-debat-de-l-ia"}
    french = gql(api, query, variables)
    english = gql(api, query, variables, **{"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"})
    assert french["practice"]["title"] == "Nantes Débat de l'IA"
    assert english["practice"]["title"].startswith("Nantes Débat de l'IA: a citizen debate")
    assert french["practice"]["en"] == english["practice"]["title"]  # the argument wins over the header
    assert french["practice"]["de"] == french["practice"]["title"]  # no German: French comes next
    assert {t["lang"] for t in french["practice"]["titleTranslations"]} == {"fr", "en"}
    assert (french["city"]["name"], english["city"]["name"]) == ("Genève", "Geneva")
    # A text only in French is given in French to an English reader (then any language).
    only_fr = gql(api, '{ city(id: "%s") { name } }' % (BASE + "id/city/dschang"), **{"Accept-Language": "en"})
    assert only_fr["city"]["name"] == "Dschang"


@pytest.mark.parametrize("order", ["TITLE", "ISSUED", "ID"])
def test_pagination_walks_every_item_exactly_once(api, rich: Graphe, order: str) -> None:  # type: ignore[no-untyped-def]
    seen: list[str] = []
    after = None
    for _ in range(100):
        page = gql(api, """query($after: String, $order: PracticeOrderField!) {
            practices(first: 7, after: $after, orderBy: {field: $order, direction: DESC}) {
              edges { cursor node { id } } pageInfo { hasNextPage endCursor } totalCount } }""",
                   {"after": after, "order": order})["practices"]
        seen += ids(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    expected = {r["s"].value for r in rich.store.select("SELECT ?s WHERE { ?s a gr:Practice }")}
    assert len(seen) == len(set(seen)) == len(expected) == page["totalCount"]
    assert set(seen) == expected


def folded(text: str) -> tuple[str, str]:
    """The collation lists promise: without case or accents first, then with them."""
    return ("".join(c for c in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(c)),
            text.lower())


def test_order_by_title_is_case_and_accent_insensitive_and_tie_broken(api) -> None:  # type: ignore[no-untyped-def]
    for direction in ("ASC", "DESC"):
        page = gql(api, "{ practices(first: 100, orderBy: {field: TITLE, direction: %s}) { edges { node { id title } } } }"
                   % direction)["practices"]
        titles = [folded(e["node"]["title"]) for e in page["edges"]]
        assert titles == sorted(titles, reverse=direction == "DESC")
        ids = [e["node"]["id"] for e in page["edges"]]
        for a, b in zip(page["edges"], page["edges"][1:]):  # equal titles: by IRI, ascending either way
            if a["node"]["title"] == b["node"]["title"]:
                assert a["node"]["id"] < b["node"]["id"]
        assert len(ids) == 100


def test_french_titles_sort_as_a_reader_expects() -> None:
    from graphe.read.ordering import sort, text_key
    titles = {"e": "École", "a": "eau", "f": "fable", "z": "Zèbre", "b": "Écrin"}
    assert [titles[k] for k in sort(titles, {k: text_key(v) for k, v in titles.items()}, False)] == \
        ["eau", "École", "Écrin", "fable", "Zèbre"]


@pytest.mark.parametrize("text", ["École", "e\u0301cole", "ÉCOLE", "façade", "Œuvre", "ÆØÅ", "İstanbul", "ǅemal",
                                  "ﬁn", "Ὀδυσσεύς", "a\u0301\u0327b", "ẞ", "𝔄\U0001d165b", "Ångström", "ΣΑΣ", "",
                                  "plain ascii", "l'élision d\u2019une", "\u0301seul"])
def test_a_title_key_drops_every_combining_mark_and_only_them(text: str) -> None:
    import unicodedata
    from graphe.read.ordering import text_key
    lower = text.lower()
    by_character = "".join(c for c in unicodedata.normalize("NFD", lower) if not unicodedata.combining(c))
    assert text_key(text) == (2, by_character, lower)


FILTERS = [
    ({"themes": [BASE + "id/theme/ai"]},
     "?s dct:subject/skos:broader* <%sid/theme/ai> ." % BASE),
    ({"countries": ["fr", "MA"]}, "?s gr:city/schema:addressCountry ?c FILTER(?c IN ('FR', 'MA'))"),
    ({"statuses": ["PILOT", "IN_PRODUCTION"]}, "?s gr:status ?st FILTER(?st IN (gr:Pilot, gr:InProduction))"),
    ({"hasAiProject": True}, "?s gr:describesProject ?x ."),
    ({"hasAiProject": False}, "FILTER NOT EXISTS { ?s gr:describesProject ?x }"),
    ({"issuedAfter": "2021-01-01", "issuedBefore": "2022-12-31"},
     "?s dct:issued ?d FILTER(?d >= '2021-01-01'^^xsd:date && ?d <= '2022-12-31'^^xsd:date)"),
    ({"charters": [BASE + "id/charter/gen-1"], "countries": ["CA"]},
     "?s gr:appliesCharter <%sid/charter/gen-1> ; gr:city/schema:addressCountry 'CA' ." % BASE),
    ({"cities": [BASE + "id/city/gen-3", BASE + "id/city/nantes"]},
     "?s gr:city ?c FILTER(?c IN (<%sid/city/gen-3>, <%sid/city/nantes>))" % (BASE, BASE)),
]


@pytest.mark.parametrize("flt,pattern", FILTERS, ids=[str(sorted(f)) for f, _ in FILTERS])
def test_filters_and_facets_agree_with_sparql(api, rich: Graphe, flt: dict, pattern: str) -> None:  # type: ignore[no-untyped-def]
    data = gql(api, """query($f: PracticeFilter) { practices(first: 100, filter: $f) { totalCount
        edges { node { id } } facets { themes { theme { id } count } countries { country count }
        statuses { value { id code } count } } } }""", {"f": flt})["practices"]
    expected = {r["s"].value for r in rich.store.select(f"SELECT DISTINCT ?s WHERE {{ ?s a gr:Practice . {pattern} }}")}
    assert data["totalCount"] == len(expected) > 0
    assert set(ids(data)) <= expected and len(ids(data)) == min(100, len(expected))
    facets = data["facets"]
    for item in facets["countries"]:
        assert item["count"] == sum(1 for s in expected if rich.store.ask(
            "ASK { ?s gr:city/schema:addressCountry ?c }", {"s": NamedNode(s), "c": Literal(item["country"])}))
    for item in facets["themes"]:
        assert item["count"] == sum(1 for s in expected if rich.store.ask(
            "ASK { ?s dct:subject ?t }", {"s": NamedNode(s), "t": NamedNode(item["theme"]["id"])}))
    assert sum(i["count"] for i in facets["statuses"]) == sum(
        1 for s in expected if rich.store.ask("ASK { ?s gr:status ?x }", {"s": NamedNode(s)}))


def test_ai_projects_filter_by_risk_city_criterion_verdict(api, rich: Graphe) -> None:  # type: ignore[no-untyped-def]
    row = rich.store.select("""SELECT ?p ?crit ?v ?city ?risk WHERE { ?a gr:assessedProject ?p ; gr:criterion ?crit ;
        gr:verdict ?v . ?p airo:isUsedWithinLocality ?city ; eu-aiact:hasRiskLevel ?risk } ORDER BY ?p LIMIT 1""")[0]
    verdict = {"Met": "MET", "PartlyMet": "PARTLY_MET", "NotMet": "NOT_MET", "NotApplicable": "NOT_APPLICABLE"}[
        row["v"].value.rsplit("#", 1)[1]]
    data = gql(api, """query($c: [ID!], $crit: [ID!], $v: [Verdict!]) {
        aiProjects(first: 100, cities: $c, criteria: $crit, verdicts: $v) { totalCount edges { node { id } } } }""",
               {"c": [row["city"].value], "crit": [row["crit"].value], "v": [verdict]})["aiProjects"]
    expected = {r["p"].value for r in rich.store.select(
        "SELECT DISTINCT ?p WHERE { ?a gr:assessedProject ?p ; gr:criterion ?crit ; gr:verdict ?v . "
        "?p airo:isUsedWithinLocality ?city }", {"crit": row["crit"], "v": row["v"], "city": row["city"]})}
    assert set(ids(data)) == expected and row["p"].value in expected
    risk = row["risk"].value.rsplit("RiskLevel", 1)[1].upper().replace("TRANSPARENCYREQUIRED", "TRANSPARENCY_REQUIRED")
    by_risk = gql(api, "query($r: [RiskLevel!]) { aiProjects(first: 100, riskLevels: $r) { totalCount } }",
                  {"r": [risk]})["aiProjects"]
    assert by_risk["totalCount"] == len(rich.store.select(
        "SELECT DISTINCT ?p WHERE { ?p eu-aiact:hasRiskLevel ?r }", {"r": row["risk"]}))


def test_adaptations_in_both_directions(api, rich: Graphe) -> None:  # type: ignore[no-untyped-def]
    row = rich.store.select("SELECT ?a ?b WHERE { ?a gr:adaptedFrom ?b } ORDER BY ?a LIMIT 1")[0]
    data = gql(api, """query($a: ID!, $b: ID!) { a: practice(id: $a) { adaptedFrom { id } }
        b: practice(id: $b) { adaptations { id } } }""", {"a": row["a"].value, "b": row["b"].value})
    assert row["b"].value in [p["id"] for p in data["a"]["adaptedFrom"]]
    assert row["a"].value in [p["id"] for p in data["b"]["adaptations"]]


def test_compare_nantes_framework_with_the_montreal_declaration(api) -> None:  # type: ignore[no-untyped-def]
    data = gql(api, """query($a: ID!, $b: ID!) { compareCharters(a: $a, b: $b) {
        a { title } b { title } rows { a { identifier } b { identifier } match }
        matched { a { label } b { label } match } onlyInA { label } onlyInB { label } } }""",
               {"a": NANTES_FRAMEWORK, "b": MONTREAL})["compareCharters"]
    pairs = {(m["a"]["label"], m["b"]["label"]) for m in data["matched"]}
    assert ("Sobriété énergétique", "Développement soutenable") in pairs
    assert {c["label"] for c in data["onlyInA"]} == {"Évaluation"}
    assert {c["label"] for c in data["onlyInB"]} == {"Respect de l'autonomie", "Solidarité", "Inclusion de la diversité"}
    # Every criterion of both frameworks appears in the rows, A's in their order.
    a_ids = [r["a"]["identifier"] for r in data["rows"] if r["a"]]
    assert sorted(set(a_ids), key=int) == [str(i) for i in range(1, 8)]
    assert a_ids == sorted(a_ids, key=int)
    assert len({r["b"]["identifier"] for r in data["rows"] if r["b"]}) == 10
    # The comparison is symmetric: B against A sees the same pairs.
    reverse = gql(api, "query($a: ID!, $b: ID!) { compareCharters(a: $a, b: $b) { matched { a { label } b { label } } } }",
                  {"a": MONTREAL, "b": NANTES_FRAMEWORK})["compareCharters"]
    assert {(m["b"]["label"], m["a"]["label"]) for m in reverse["matched"]} == pairs


def test_criterion_matches_are_seen_from_both_sides(api) -> None:  # type: ignore[no-untyped-def]
    data = gql(api, """{ criteria(first: 100, charters: ["%s"]) { edges { node { label matches { match
        criterion { label charter { id } } mapping { subject { label } object { label } strength { code }
        assertedBy { name } } } } } } }""" % MONTREAL)["criteria"]
    by_label = {e["node"]["label"]: e["node"]["matches"] for e in data["edges"]}
    assert {m["criterion"]["label"] for m in by_label["Développement soutenable"]} == {"Sobriété énergétique"}
    assert all(m["criterion"]["charter"]["id"] == NANTES_FRAMEWORK for ms in by_label.values() for m in ms)
    # Seen from the object side too, with its kind (not only exact/close) and its provenance record.
    [well_being] = {m["match"] for m in by_label["Bien-être"]}
    assert well_being == "RELATED"
    mapping = by_label["Bien-être"][0]["mapping"]
    assert mapping["object"]["label"] == "Bien-être" and mapping["strength"]["code"] == "RELATED"
    assert mapping["assertedBy"] == [{"name": "Équipe éditoriale de Graphe"}]


def test_every_list_can_be_ordered_and_refuses_orders_it_cannot_do(api) -> None:  # type: ignore[no-untyped-def]
    data = gql(api, """{ byTitle: charters(first: 100, orderBy: {field: LABEL, direction: DESC}) { edges { node { id title } } }
        byId: organisations(first: 100, orderBy: {field: ID}) { edges { node { id } } }
        events(orderBy: {field: LABEL}) { edges { node { name } } }
        criteria(first: 100, orderBy: {field: LABEL}) { edges { node { id label } } } }""")
    titles = [folded(e["node"]["title"]) for e in data["byTitle"]["edges"]]
    assert titles == sorted(titles, reverse=True)
    assert ids(data["byId"]) == sorted(ids(data["byId"]))
    names = [folded(e["node"]["name"]) for e in data["events"]["edges"]]
    assert names == sorted(names)
    labels = [(folded(e["node"]["label"]), e["node"]["id"]) for e in data["criteria"]["edges"]]
    assert labels == sorted(labels) and len(labels) > 10
    response = httpx.post(api.url + "/graphql", json={"query": "{ criteria(orderBy: {field: DATE}) { totalCount } }"})
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
