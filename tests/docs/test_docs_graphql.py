"""Every GraphQL query of docs/graphql.md (the cookbook for city technicians) runs on the seeds without
errors, and every root field answers (the one about assessments may be an empty list: no seed has one)."""
from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from graphe.api.context import Context
from graphe.core.rdf import NamedNode
from graphe.api.schema import build_schema
from graphe.service import Graphe

DOC = Path(__file__).resolve().parents[2] / "docs" / "graphql.md"
QUERIES = re.findall(r"```graphql\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_the_cookbook_has_its_questions() -> None:
    assert len(QUERIES) >= 7


@pytest.mark.parametrize("query", QUERIES, ids=[f"query-{i}" for i in range(len(QUERIES))])
def test_each_query_of_the_cookbook_answers(seeded: Graphe, query: str) -> None:
    result = asyncio.run(build_schema().execute(query, context_value=Context(seeded)))
    assert not result.errors, result.errors
    assert result.data and all(value is not None for value in result.data.values()), result.data


def cookbook(start: str) -> str:
    """The one query of the cookbook that begins with `start` (its first root field and arguments)."""
    found = [q for q in QUERIES if re.sub(r"\s+", " ", q).startswith("{ " + start)]
    assert len(found) == 1, start
    return found[0]


def answer(graphe: Graphe, query: str) -> dict:
    result = asyncio.run(build_schema().execute(query, context_value=Context(graphe)))
    assert not result.errors, result.errors
    return result.data


def test_the_cookbook_finds_what_it_says(seeded: Graphe) -> None:
    """The questions find the seeds' answers: Nantes's practices by theme, its framework compared with
    Montréal's declaration with matches, its criteria in order."""
    assert answer(seeded, QUERIES[0])["practices"]["totalCount"] >= 1
    assert answer(seeded, cookbook("practice("))["practice"]["city"]["name"] == "Nantes"
    assert answer(seeded, cookbook("city("))["city"]["practices"]
    matched = answer(seeded, cookbook("compareCharters("))["compareCharters"]["matched"]
    sobriety = next(m for m in matched if m["a"]["label"] == "Sobriété énergétique")
    assert sobriety["match"] == "CLOSE" and sobriety["mapping"]["strength"]["code"] == "CLOSE"
    assert sobriety["mapping"]["assertedBy"] == [{"name": "Équipe éditoriale de Graphe"}]
    assert sobriety["mapping"]["date"] == "2026-11-28" and sobriety["mapping"]["comment"]
    assert all(s["url"] for s in sobriety["mapping"]["sources"])
    assert {m["match"] for m in matched} == {"CLOSE", "RELATED"} and all(m["mapping"] for m in matched)
    orders = [c["order"] for c in answer(seeded, cookbook("charter(id: \"https://graphe.aimf.asso.fr/id/charter/"
                                                           "nantes-metropole-cadre-de-confiance-ia\") { title"))
              ["charter"]["criteria"]]
    assert len(orders) >= 7 and orders == sorted(orders)


def test_names_find_what_identifiers_find(seeded: Graphe) -> None:
    """« ai », « Maroc », « Sénégal », « France » find the practices the theme's IRI and the ISO codes find;
    « geneve » and « Montreal » find Genève and Montréal."""
    query = cookbook("practices(first: 10, filter: {themes: [\"ai\"]")
    by_name = answer(seeded, query)
    by_code = answer(seeded, query.replace('["ai"]', '["https://graphe.aimf.asso.fr/id/theme/ai"]')
                     .replace('["Maroc", "Sénégal", "France"]', '["MA", "SN", "FR"]'))
    assert by_name["practices"] == by_code["practices"] and by_name["practices"]["totalCount"] >= 2
    assert {e["node"]["city"]["country"] for e in by_name["practices"]["edges"]} <= {"MA", "SN", "FR"}
    assert [e["node"]["name"] for e in by_name["cities"]["edges"]] == ["Genève", "Montréal"]


def test_events_and_action_plans_with_their_participants(seeded: Graphe) -> None:
    """Dakar took part in the Commission's Nantes meeting (17–19 September 2024), where the AIMF action plan
    on AI for 2024-2025 was prepared; that plan is on the AI theme."""
    events = answer(seeded, cookbook("events(cities: [\"Dakar\"])"))["events"]
    assert events["totalCount"] == 1
    meeting = events["edges"][0]["node"]
    assert meeting["startDate"] == "2024-09-17" and meeting["location"]["name"] == "Nantes"
    assert {"Dakar", "Nantes", "Genève", "Montréal"} <= {c["name"] for c in meeting["participatingCities"]}
    assert meeting["partOf"]["name"].startswith("Nantes Digital Week 2024")
    assert meeting["organizer"]["name"] == "Commission Villes innovantes de l'AIMF"
    assert [p["period"] for p in meeting["actionPlans"]] == ["2024/2025"]
    plans = answer(seeded, cookbook("actionPlans(themes: [\"ai\"])"))["actionPlans"]
    assert plans["totalCount"] == 1
    plan = plans["edges"][0]["node"]
    assert plan["creator"]["name"] == meeting["organizer"]["name"] and plan["preparedAt"]["name"] == meeting["name"]
    assert "Intelligence artificielle" in {t["label"] for t in plan["themes"]} and plan["sources"][0]["title"]


ASSESSED = """@prefix gr: <https://graphe.aimf.asso.fr/def#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix airo: <https://w3id.org/airo#> . @prefix eu-aiact: <https://w3id.org/dpv/legal/eu/aiact#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<id/ai-project/test-{name}> a gr:AIProject ; dct:title "Projet de test {name}"@fr ;
    gr:purposeDescription "Pour le test du guide."@fr ; airo:isUsedWithinLocality <id/city/nantes> ;
    eu-aiact:hasRiskLevel eu-aiact:RiskLevelMinimal ; gr:status gr:Pilot ;
    dct:source <id/source/aimf-article-2024-nantes-ia> .
<id/assessment/test-{name}> a gr:Assessment ; gr:assessedProject <id/ai-project/test-{name}> ;
    gr:criterion <{criterion}> ; gr:verdict gr:Met ; gr:justification "Pour le test du guide."@fr ;
    gr:assessor <id/organisation/aimf> ; dct:date "2025-01-15"^^xsd:date .
"""


def test_ai_projects_assessed_against_a_charter(fresh: Graphe, tmp_path: Path) -> None:
    """A project assessed against a criterion of Nantes's framework is found; one assessed against
    Montréal's declaration only is not."""
    def criterion(charter: str) -> str:
        return fresh.store.select("SELECT ?c WHERE { ?c cv:isDerivedFrom ?k } ORDER BY ?c LIMIT 1",
                                  {"k": NamedNode("https://graphe.aimf.asso.fr/id/charter/" + charter)})[0]["c"].value

    path = tmp_path / "assessed.ttl"
    path.write_text(ASSESSED.format(name="nantes", criterion=criterion("nantes-metropole-cadre-de-confiance-ia"))
                    + ASSESSED.format(name="montreal", criterion=criterion("declaration-de-montreal-ia-responsable")),
                    encoding="utf-8")
    query = cookbook("aiProjects(first: 10, filter: {charters:")
    before = answer(fresh, query)["aiProjects"]
    fresh.load([path])
    found = answer(fresh, query)["aiProjects"]
    assert found["totalCount"] == before["totalCount"] + 1
    titles = [e["node"]["title"] for e in found["edges"]]
    assert "Projet de test nantes" in titles and "Projet de test montreal" not in titles
    ours = next(e["node"] for e in found["edges"] if e["node"]["title"] == "Projet de test nantes")
    assert ours["assessments"][0]["verdict"]["code"] == "MET"
    assert ours["assessments"][0]["criterion"]["charter"]["title"].startswith("Cadre de confiance")


def test_the_readme_command_answers(api) -> None:  # type: ignore[no-untyped-def]
    """The README's `curl` to /graphql, sent as written (its JSON body) to a running service."""
    import json

    import httpx

    readme = (DOC.parent.parent / "README.md").read_text(encoding="utf-8")
    body = re.search(r"curl -s localhost:8000/graphql -H 'Content-Type: application/json' \\\n\s+-d '(.*?)'", readme)
    assert body is not None
    answer = httpx.post(api.url + "/graphql", content=body.group(1), headers={"Content-Type": "application/json"})
    assert answer.status_code == 200 and answer.json()["data"]["practices"]["totalCount"] >= 1, answer.text
    assert json.loads(body.group(1))["query"].startswith("{ practices")
