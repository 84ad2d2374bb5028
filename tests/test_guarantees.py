"""The guarantees around writes: nothing private leaks through any public channel; a killed bulk publication
leaves every file wholly there or wholly absent, the index in agreement, and a re-run completes the rest."""
from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from conftest import ROOT, ThreadServer
from graphe.publishing import accounts, people
from graphe.publishing.workflow import LAST_REVIEWED, set_by_workflow
from graphe.model.namespaces import GR
from graphe.publishing.accounts import Account
from graphe.app import create_app
from graphe.core.rdf import NamedNode
from graphe.search import query as sq
from graphe.service import Graphe
from graphe.core.settings import Settings

BASE = "https://graphe.aimf.asso.fr/"
MARK = "FUITE7c1"


def sheet(slug: str, title: str, city: str = "dakar") -> str:
    return f"""@prefix gr: <https://graphe.aimf.asso.fr/def#> . @prefix dct: <http://purl.org/dc/terms/> .
<id/practice/{slug}> a gr:Practice ; dct:title "{title}"@fr ;
    dct:abstract "Résumé de {title}."@fr ; dct:description "Description détaillée de {title}."@fr ;
    gr:city <id/city/{city}> ; dct:subject <id/theme/open-data> ;
    dct:source <id/source/aimf-article-2024-nantes-ia> ."""


def test_nothing_private_reaches_a_public_channel(validator, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    graphe = Graphe.open(Settings(data_dir=tmp_path / "data"), validator=validator)
    account, token = accounts.create(graphe.store, "contributor", f"Agent {MARK} compte", BASE + "id/city/dakar")
    _, secretariat = accounts.create(graphe.store, "secretariat", f"Secrétariat {MARK}")
    # A person too, signed in once: their name, address, password and session are private as well.
    _, link = people.invite(graphe.store, Account.local(), f"Personne {MARK}", f"{MARK.lower()}@example.org",
                            "secretariat", None, "http://graphe.test/")
    signed = people.accept(graphe.store, link.rsplit("/", 1)[-1], f"mot de passe {MARK}", f"mot de passe {MARK}")
    server = ThreadServer(create_app(graphe))
    try:
        def gql(query: str, auth: str | None = None, **variables: object) -> dict:
            headers = {"Authorization": f"Bearer {auth}"} if auth else {}
            return httpx.post(server.url + "/graphql", json={"query": query, "variables": variables},
                              headers=headers).json()

        submit = "mutation($r: String!) { submitDraft(rdf: $r) { id target } }"
        draft = gql(submit, token, r=sheet("brouillon-secret", f"Brouillon {MARK} secret"))["data"]["submitDraft"]
        rejected = gql(submit, token, r=sheet("refus-secret", f"Refus {MARK} secret"))["data"]["submitDraft"]
        gql('mutation($d: ID!) { reject(draft: $d, reason: "raison ' + MARK + '") { id } }', secretariat, d=rejected["id"])
        gql('mutation($d: ID!) { publish(draft: $d) { number } }', token, d=draft["id"])  # refused, audited
        published = gql(submit, token, r=sheet("publiee", "Pratique publiée"))["data"]["submitDraft"]
        gql('mutation($d: ID!) { publish(draft: $d) { number } }', secretariat, d=published["id"])
        assert MARK in str(gql("{ auditLog { actor detail } }", secretariat))  # the secrets do exist…

        channels: dict[str, bytes] = {}
        url = server.url
        for text in (MARK, "secret", "Brouillon"):
            channels[f"search {text}"] = httpx.post(url + "/graphql", json={"query": '{ search(text: "%s") { totalCount '
                                                    'edges { node { snippet } } } }' % text}).content
        channels["graphql lists"] = httpx.post(url + "/graphql", json={"query": """{ practices(first: 100, filter: {})
            { edges { node { id title body } } } stats { classes { classIri count } }
            changes(since: 0) { created changed } }"""}).content
        channels["graphql draft"] = httpx.post(url + "/graphql", json={
            "query": '{ practice(id: "%s") { title } }' % draft["target"]}).content
        channels["sparql"] = httpx.get(url + "/sparql", params={
            "query": "SELECT ?g ?s ?p ?o WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"},
            headers={"Accept": "text/csv"}).content
        channels["sparql describe"] = httpx.get(url + "/sparql", params={"query": f"DESCRIBE <{draft['target']}>"}).content
        for name in ("ttl", "nt", "nq", "jsonld", "rdf"):
            channels[f"dump {name}"] = httpx.get(f"{url}/export/graphe.{name}").content
            channels[f"dump {name}.gz"] = gzip.decompress(httpx.get(f"{url}/export/graphe.{name}.gz").content)
        channels["csv"] = httpx.get(url + "/export/practices.csv").content
        channels["csv excel"] = httpx.get(url + "/export/practices.csv?excel=1").content
        for feed in ("pratiques.atom", "ville/dakar.atom", "pays/SN.atom", "theme/ai.atom"):
            answer = httpx.get(f"{url}/flux/{feed}")
            assert answer.status_code == 200, (feed, answer.text[:200])
            channels[f"feed {feed}"] = answer.content
        channels["changes paged"] = httpx.get(url + "/changes?since=0&limit=1").content
        channels["catalogue"] = httpx.get(url + "/catalog").content
        channels["void"] = httpx.get(url + "/.well-known/void").content
        channels["changes"] = httpx.get(url + "/changes").content
        channels["healthz"] = httpx.get(url + "/healthz").content
        channels["home"] = httpx.get(url + "/").content
        for path in ("/id/practice/brouillon-secret", "/id/practice/refus-secret", "/id/practice/publiee",
                     "/id/city/dakar", "/def"):
            for accept in ("text/html", "text/turtle"):
                channels[f"page {path} {accept}"] = httpx.get(url + path, headers={"Accept": accept}).content
        assert httpx.get(url + "/id/practice/brouillon-secret", headers={"Accept": "text/turtle"}).status_code == 404
        leaks = [name for name, body in channels.items()
                 if MARK.encode() in body or token.encode() in body or b"grp_" in body
                 or account.id.encode() in body or b"graph/accounts" in body and b"tokenHash" in body
                 or MARK.lower().encode() in body or signed.session.encode() in body or b"argon2" in body]
        assert leaks == [], leaks
        assert b"Pratique publi" in channels["graphql lists"]  # the channels do show published data
        assert b"Pratique publi" in channels["feed ville/dakar.atom"] and b"publiee" in channels["dump nq"]
    finally:
        server.stop()
        graphe.close()


def _write_files(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"fiche-{i:02d}.ttl"
        path.write_text(sheet(f"lot-{i:02d}", f"Quartier{i:02d} numérique solidaire"), encoding="utf-8")
        paths.append(path)
    return paths


def _import(data: Path, files: list[Path]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "graphe.cli", "import", "--publish", "--data", str(data),
                             *map(str, files)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_a_killed_bulk_publication_is_all_or_nothing_per_file_and_a_rerun_completes(validator, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    Graphe.open(Settings(data_dir=data), validator=validator).close()  # seeded, indexed
    files = _write_files(tmp_path / "lot", 40)
    process = _import(data, files)
    deadline = time.monotonic() + 120
    seen = ""
    while time.monotonic() < deadline:  # kill in the middle of the run
        seen += os.read(process.stderr.fileno(), 200).decode(errors="replace")
        done = [int(n) for n in __import__("re").findall(r"\] (\d+)/40", seen)]
        if done and max(done) >= 8:
            break
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stdout.close()
    process.stderr.close()

    graphe = Graphe.open(Settings(data_dir=data), validator=validator)
    try:
        present, absent = [], []
        for i in range(40):
            iri = NamedNode(f"{BASE}id/practice/lot-{i:02d}")
            triples = graphe.store.describe([iri], graphe.store.graphs.public)
            predicates = {q.predicate.value for q in triples}
            if triples:
                # wholly there: the file's 7 triples plus what publication sets (provenance, review dates),
                # and a version record
                assert len([q for q in triples if not set_by_workflow(q)]) == 7, i
                assert {"http://www.w3.org/ns/prov#wasAttributedTo", LAST_REVIEWED, GR.reviewDue} <= predicates
                assert graphe.workflow.current_version(iri.value) == 1
                present.append(i)
            else:
                assert graphe.workflow.current_version(iri.value) == 0
                absent.append(i)
        assert present and absent, (present, absent)  # the kill did land in the middle
        assert graphe.search.revision == graphe.store.revision().number
        for i in present:
            assert f"{BASE}id/practice/lot-{i:02d}" in [h.id for h in sq.search(
                graphe.search, f"Quartier{i:02d}", sq.Filters(), 0, 5).hits]
        for i in absent:
            assert sq.search(graphe.search, f"Quartier{i:02d}", sq.Filters(), 0, 5).total == 0
    finally:
        graphe.close()

    rerun = _import(data, files)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    assert out.count("1 publié(s)") == len(absent) and out.count("1 inchangé(s)") == len(present)
    graphe = Graphe.open(Settings(data_dir=data), validator=validator)
    try:
        assert all(graphe.workflow.current_version(f"{BASE}id/practice/lot-{i:02d}") == 1 for i in range(40))
    finally:
        graphe.close()
