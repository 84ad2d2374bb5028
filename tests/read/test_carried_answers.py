"""Kept GraphQL answers cross a public revision when what they read did not change (`graphe.core.readset`), and
never serve stale data: an answer whose resources, list or inverse relation changed is computed again."""
from __future__ import annotations

import pytest

from conftest import ThreadServer
from graphe.core import readset
from graphe.app import create_app
from graphe.core.rdf import Literal, NamedNode, Quad
from test_workflow import PUBLISH, SUBMIT, Api, practice, world  # noqa: F401 — a fixture

BASE = "https://graphe.aimf.asso.fr/"
DETAIL = "query($id: ID!) { practice(id: $id) { title city { name } themes { label } } }"
LIST = """query($t: [ID!]) { practices(first: 50, filter: {themes: $t}) { totalCount
  edges { node { id title city { name } } } } }"""
CITY = "query($id: ID!) { city(id: $id) { name practices { id title } } }"
STATS = "{ stats { revision } }"
SEARCH = 'query($q: String!) { search(text: $q) { totalCount } }'


@pytest.fixture
def endpoint_world(world):  # type: ignore[no-untyped-def]
    """test_workflow's world (both backends), with the GraphQL endpoint, for its counts."""
    graphe, server, anonymous, dakar, aimf = world
    return graphe, server.server.config.app.state.graphql, anonymous, dakar, aimf


def _publish(dakar: Api, aimf: Api, turtle: str) -> None:
    draft = dakar.ok(SUBMIT, rdf=turtle)["submitDraft"]["id"]
    aimf.ok(PUBLISH, id=draft)


def _asked(endpoint, anonymous: Api, query: str, **variables: object) -> tuple[dict, str]:  # type: ignore[no-untyped-def]
    """The answer, and how it was served: "computed" or "carried" (from an older revision)."""
    computed, carried = endpoint.computed, endpoint.carried
    data = anonymous.ok(query, **variables)
    how = "computed" if endpoint.computed > computed else "carried" if endpoint.carried > carried else "kept"
    return data, how


def test_answers_cross_revisions_only_when_what_they_read_holds(endpoint_world) -> None:  # type: ignore[no-untyped-def]
    graphe, endpoint, anonymous, dakar, aimf = endpoint_world
    a = BASE + "id/practice/carry-a"
    _publish(dakar, aimf, practice("carry-a", "Pratique A"))
    queries = {
        "detail": (DETAIL, {"id": a}),
        "other theme": (LIST, {"t": [BASE + "id/theme/ai"]}),
        "open data": (LIST, {"t": [BASE + "id/theme/open-data"]}),
        "dakar": (CITY, {"id": BASE + "id/city/dakar"}),
        "stats": (STATS, {}),
        "search": (SEARCH, {"q": "pratique"}),
    }
    before = {name: _asked(endpoint, anonymous, q, **v) for name, (q, v) in queries.items()}
    assert {how for _, how in before.values()} == {"computed"}
    assert {name: _asked(endpoint, anonymous, q, **v)[1] for name, (q, v) in queries.items()} == \
        dict.fromkeys(queries, "kept")

    _publish(dakar, aimf, practice("carry-b", "Pratique B"))  # another Dakar practice, theme open-data
    after = {name: _asked(endpoint, anonymous, q, **v) for name, (q, v) in queries.items()}
    assert {name: how for name, (_, how) in after.items()} == {
        "detail": "carried", "other theme": "carried",  # nothing they read changed
        "open data": "computed", "dakar": "computed",  # a new member of the list, of the inverse relation
        "stats": "computed",  # shows the revision number
        "search": "computed"}  # searched: kept for one index revision only
    for name in ("detail", "other theme"):
        assert after[name][0] == before[name][0]
    assert after["open data"][0]["practices"]["totalCount"] == before["open data"][0]["practices"]["totalCount"] + 1
    assert BASE + "id/practice/carry-b" in {p["id"] for p in after["dakar"][0]["city"]["practices"]}
    assert after["stats"][0]["stats"]["revision"] == before["stats"][0]["stats"]["revision"] + 1
    assert after["search"][0]["search"]["totalCount"] == before["search"][0]["search"]["totalCount"] + 1

    # A new version of A: its own triples changed, so every answer that read A is computed again.
    _publish(dakar, aimf, practice("carry-a", "Pratique A, deuxième version"))
    detail, how = _asked(endpoint, anonymous, DETAIL, id=a)
    assert how == "computed" and detail["practice"]["title"] == "Pratique A, deuxième version"
    listed, how = _asked(endpoint, anonymous, LIST, t=[BASE + "id/theme/open-data"])
    assert how == "computed" and "Pratique A, deuxième version" in {e["node"]["title"] for e in
                                                                    listed["practices"]["edges"]}
    assert _asked(endpoint, anonymous, LIST, t=[BASE + "id/theme/ai"]) == (before["other theme"][0], "carried")


def test_a_carried_answer_is_the_answer_computed_afresh(endpoint_world) -> None:  # type: ignore[no-untyped-def]
    """Oracle: after a series of publications, every carried answer equals the same query computed by a new
    endpoint (nothing kept) on the same data."""
    graphe, endpoint, anonymous, dakar, aimf = endpoint_world
    themes = ["ai", "open-data", "ethics", "data-governance"]
    seeds = [BASE + "id/practice/nantes-debat-de-l-ia", BASE + "id/practice/nantes-cadre-de-confiance-ia"]
    asked = [(LIST, {"t": [BASE + "id/theme/" + t]}) for t in themes] + [(DETAIL, {"id": i}) for i in seeds] + \
        [(CITY, {"id": BASE + "id/city/" + c}) for c in ("dakar", "nantes")]
    for step in range(3):
        for q, v in asked:
            anonymous.ok(q, **v)
        _publish(dakar, aimf, practice(f"oracle-{step}", f"Pratique {step}",
                                       extra=f"; <http://purl.org/dc/terms/subject> <id/theme/{themes[step]}>"))
    carried = endpoint.carried
    served = [anonymous.ok(q, **v) for q, v in asked]
    assert endpoint.carried > carried  # some were carried (the others are computed: both are compared)
    server = ThreadServer(create_app(graphe))  # a new endpoint: no answer kept
    try:
        again = [Api(server).ok(q, **v) for q, v in asked]
    finally:
        server.stop()
    assert served == again


def test_untracked_reads_make_an_answer_unfit_to_carry() -> None:
    with readset.recording() as reads:
        readset.resources(["a"])
        with readset.tracked():
            readset.untracked()  # a store read inside a tracked value: covered by it
            readset.derived("inner", 1)  # nested: covered by the outer value
        readset.derived("outer", (1, 2))
    assert reads.resources == {"a"} and reads.derived == {"outer": ((1, 2), None)} and not reads.untracked
    with readset.recording() as reads:
        readset.untracked()
    assert reads.untracked
    readset.untracked()  # outside a recording: nothing happens
    assert readset.same((1, 2), (1, 2)) and not readset.same((1, 2), (2, 1)) and not readset.same(object(), object())


def test_an_entity_reached_through_a_remembered_link_counts_as_read(endpoint_world) -> None:  # type: ignore[no-untyped-def]
    """A list read first remembers, in each practice, its city (`fields._linked`); a detail computed next
    reaches the city through that memory, not through its request — and must still see it change."""
    graphe, endpoint, anonymous, dakar, aimf = endpoint_world
    a = BASE + "id/practice/carry-a"
    _publish(dakar, aimf, practice("carry-a", "Pratique A"))
    anonymous.ok(LIST, t=[BASE + "id/theme/open-data"])
    assert anonymous.ok(DETAIL, id=a)["practice"]["city"]["name"] == "Dakar"
    city, name = NamedNode(BASE + "id/city/dakar"), NamedNode("https://schema.org/name")
    public = graphe.store.graphs.public
    with graphe.lock:  # as a domain write does: commit, then what follows a write
        graphe.store.commit([Quad(city, name, Literal("Dakar (renommée)", language="fr"), public)],
                            [Quad(city, name, Literal("Dakar", language="fr"), public)], summary="test")
        graphe.after_write()
    detail, how = _asked(endpoint, anonymous, DETAIL, id=a)
    assert how == "computed" and detail["practice"]["city"]["name"] == "Dakar (renommée)"


SPARQL_PREFIXES = ("PREFIX dct: <http://purl.org/dc/terms/> PREFIX gr: <https://graphe.aimf.asso.fr/def#> "
                   "PREFIX schema: <https://schema.org/> ")
SPARQL_ASKED = {
    # reads practice types: a new practice changes a triple it matches (computed again)
    "practices of a theme": "SELECT ?p ?t WHERE { ?p a gr:Practice ; dct:subject <%sid/theme/ethics> ; "
                            "dct:title ?t } ORDER BY ?p ?t" % BASE,
    # practices of another theme: the new practices' triples match its patterns, but none of them is of
    # that theme, before or after (carried)
    "practices of another theme": "SELECT ?p ?t WHERE { ?p a gr:Practice ; dct:subject <%sid/theme/ai> ; "
                                  "dct:title ?t } ORDER BY ?p ?t" % BASE,
    # reads one seed practice's own triples only: carried
    "one practice": "ASK { <%sid/practice/nantes-debat-de-l-ia> dct:title ?t }" % BASE,
    # reads `?c a gr:Charter` only: a practice's type triple does not match it (carried)
    "charter count": "SELECT (COUNT(?c) AS ?n) WHERE { ?c a gr:Charter }",
    # reads a city's name: carried
    "a city": "SELECT ?n WHERE { <%sid/city/nantes> schema:name ?n } ORDER BY ?n" % BASE,
    # NOW() is not a function of the data: never carried
    "now": "SELECT (NOW() AS ?t) WHERE { <%sid/city/nantes> schema:name ?n } LIMIT 1" % BASE,
}


def _sparql(server, name: str) -> dict:  # type: ignore[no-untyped-def]
    import httpx

    reply = httpx.get(server.url + "/sparql", params={"query": SPARQL_PREFIXES + SPARQL_ASKED[name]},
                      headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_sparql_answers_cross_revisions_while_no_changed_triple_matches_their_patterns(world) -> None:  # type: ignore[no-untyped-def]
    """A kept SPARQL answer goes on to a new public revision when no triple the write added or removed
    matches one of its query's patterns (`guard.patterns`); else, and on a shared SPARQL server (other
    replicas write: the changes are unknown), it is computed again. Oracle: each answer served after the
    publications equals the one computed with nothing kept."""
    graphe, server, anonymous, dakar, aimf = world
    before = {name: _sparql(server, name) for name in SPARQL_ASKED}
    renewed = {}
    for name in SPARQL_ASKED:
        _publish(dakar, aimf, practice(f"sparql-{len(renewed)}", "Pratique pour SPARQL",
                                       extra=f"; <http://purl.org/dc/terms/subject> <id/theme/ethics>"))
        count = graphe.reads.renewed
        _sparql(server, name)
        renewed[name] = graphe.reads.renewed > count
    _publish(dakar, aimf, practice("sparql-last", "Pratique pour SPARQL"))
    served = {name: _sparql(server, name) for name in SPARQL_ASKED if name != "now"}
    graphe.reads.clear()  # nothing kept: computed afresh on the same data
    assert served == {name: _sparql(server, name) for name in served}
    embedded = graphe.settings.store_query_url is None
    assert renewed == {"practices of a theme": False, "practices of another theme": embedded, "one practice": embedded, "charter count": embedded,
                       "a city": embedded, "now": False}
    after = _sparql(server, "practices of a theme")["results"]["bindings"]
    assert len(after) == len(before["practices of a theme"]["results"]["bindings"]) + len(SPARQL_ASKED)
    for name in ("a city", "charter count", "practices of another theme"):
        assert served[name] == before[name], name
