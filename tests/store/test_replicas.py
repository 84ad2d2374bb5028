"""Two `graphe serve` replicas on one real Virtuoso: publish through one, read through the other."""
from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

import httpx

from conftest import run_cli, start_server

BASE = "https://graphe.aimf.asso.fr/"
SHEET = """@prefix gr: <https://graphe.aimf.asso.fr/def#> . @prefix dct: <http://purl.org/dc/terms/> .
<id/practice/repliquee> a gr:Practice ; dct:title "Fontaines connectées réparties"@fr ;
    dct:abstract "Des fontaines publiques suivies par capteurs."@fr ; gr:city <id/city/dakar> ;
    dct:subject <id/theme/water> ; dct:source <id/source/aimf-article-2024-nantes-ia> ."""


def test_publish_on_one_replica_read_graphql_search_and_sparql_on_the_other(virtuoso, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    env = {"GRAPHE_STORE_QUERY_URL": virtuoso, "GRAPHE_STORE_UPDATE_URL": virtuoso,
           "GRAPHE_GRAPH_PREFIX": f"urn:graphe-replicas:{secrets.token_hex(4)}/"}
    a = start_server("--data", str(tmp_path / "a"), env=env)
    b = start_server("--data", str(tmp_path / "b"), env=env)
    try:
        created = run_cli("token", "create", "--role", "secretariat", "--name", "Secrétariat", "--data",
                          str(tmp_path / "cli"), env=env)
        assert created.returncode == 0, created.stderr
        token = re.search(r"grp_[\w-]+", created.stdout).group()
        headers = {"Authorization": f"Bearer {token}"}
        draft = httpx.post(a.url + "/graphql", headers=headers, json={
            "query": "mutation($r: String!) { submitDraft(rdf: $r) { id } }", "variables": {"r": SHEET}}).json()
        draft_id = draft["data"]["submitDraft"]["id"]
        published = httpx.post(a.url + "/graphql", headers=headers, json={
            "query": "mutation($d: ID!) { publish(draft: $d) { number revision } }", "variables": {"d": draft_id}})
        assert published.json()["data"]["publish"]["number"] == 1, published.text

        iri = BASE + "id/practice/repliquee"
        title = httpx.post(b.url + "/graphql", json={"query": '{ practice(id: "%s") { title } }' % iri}).json()
        assert title["data"]["practice"]["title"] == "Fontaines connectées réparties"
        sparql = httpx.get(b.url + "/sparql", params={"query": f"ASK {{ <{iri}> ?p ?o }}"})
        assert sparql.status_code == 200 and sparql.json()["boolean"] is True
        deadline = time.monotonic() + 20
        while True:  # B's own index follows the store's revisions
            found = httpx.post(b.url + "/graphql", json={"query": '{ search(text: "fontaines connectées") '
                                                                  '{ totalCount } }'}).json()
            if found["data"]["search"]["totalCount"] == 1:
                break
            assert time.monotonic() < deadline, found
            time.sleep(0.5)
        health_a = httpx.get(a.url + "/healthz").json()
        time.sleep(1.2)
        health_b = httpx.get(b.url + "/healthz").json()
        assert health_a["revision"] == health_b["revision"] == health_b["search"]["revision"]
    finally:
        a.stop()
        b.stop()
