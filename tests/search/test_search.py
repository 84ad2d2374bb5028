"""Full-text search: French analysis, facets, highlights, suggestions, and an index always in step."""
from __future__ import annotations

import gc
import json
import shutil
import threading
from pathlib import Path

import httpx
import pytest

from conftest import run_cli
from search_oracle import docs_of, scan
from graphe.core.errors import GrapheError
from graphe.core.rdf import NamedNode, Quad
from graphe.search import documents
from graphe.search.engine import Everything
from graphe.search import query as sq
from graphe.service import Graphe
from graphe.core.settings import Settings

BASE = "https://graphe.aimf.asso.fr/"
SHEETS = """@prefix gr: <https://graphe.aimf.asso.fr/def#> .
@prefix dct: <http://purl.org/dc/terms/> .
<id/practice/velo-geneve> a gr:Practice ;
    dct:title "Mobilités douces à Genève"@fr , "Soft mobility in Geneva"@en ;
    dct:abstract "Des pistes cyclables et des données ouvertes sur les déplacements."@fr ;
    dct:description "La ville publie les données de comptage et mesure l'énergie économisée grâce à l'intelligence artificielle appliquée aux feux."@fr ;
    gr:city <id/city/geneve> ; dct:subject <id/theme/mobility> , <id/theme/open-data> ;
    gr:status gr:InProduction ; dct:source <id/source/aimf-article-2024-nantes-ia> .
<id/practice/cities-energy> a gr:Practice ;
    dct:title "Tableau de bord énergétique"@fr , "Energy dashboards for cities"@en ;
    dct:abstract "Un tableau de bord de consommation."@fr , "Cities measure their energy use in public buildings."@en ;
    gr:city <id/city/dakar> ; dct:subject <id/theme/energy> ;
    dct:source <id/source/aimf-article-2024-nantes-ia> .
<id/practice/artificielle-intelligence> a gr:Practice ;
    dct:title "Formation des agents"@fr ;
    dct:abstract "Une formation artificielle ? Non : une formation sur l'intelligence des territoires."@fr ;
    gr:city <id/city/dschang> ; dct:subject <id/theme/education-training> ;
    dct:source <id/source/aimf-article-2024-nantes-ia> .
"""


@pytest.fixture
def searchable(fresh: Graphe, tmp_path: Path) -> Graphe:
    (tmp_path / "sheets.ttl").write_text(SHEETS, encoding="utf-8")
    fresh.load([tmp_path / "sheets.ttl"])
    return fresh


def found(graphe: Graphe, text: str, **filters) -> list[str]:  # type: ignore[no-untyped-def]
    result = sq.search(graphe.search, text, sq.Filters(**filters), 0, 100)
    return [h.id for h in result.hits]


@pytest.mark.parametrize("text,expected", [
    ("energie", "velo-geneve"),  # accent folding: énergie
    ("ÉNERGIE", "velo-geneve"),
    ("geneve", "velo-geneve"),  # Genève
    ("mobilité", "velo-geneve"),  # stemming: mobilités
    ("donnée", "velo-geneve"),  # données
    ("IA", "nantes-debat-de-l-ia"),  # l'IA, elision split
    ("intelligence", "velo-geneve"),  # d'intelligence / l'intelligence
    ("city", "cities-energy"),  # English text analysed as English: cities
    ("dashboard", "cities-energy"),
])
def test_french_and_english_matching(searchable: Graphe, text: str, expected: str) -> None:
    assert BASE + "id/practice/" + expected in found(searchable, text)


def test_phrases_need_the_words_together(searchable: Graphe) -> None:
    words = found(searchable, "intelligence artificielle")
    phrase = found(searchable, '"intelligence artificielle"')
    assert BASE + "id/practice/artificielle-intelligence" in words
    assert BASE + "id/practice/artificielle-intelligence" not in phrase
    assert BASE + "id/practice/velo-geneve" in phrase


@pytest.mark.parametrize("text", ['"unbalanced', "AND OR NOT", "title:foo", "((", "*?~^", "-", "le la les",
                                  "a" * 500, "l'", '""', "énergie\x00", "SELECT * WHERE { ?s ?p ?o }"])
def test_any_text_is_a_valid_query(searchable: Graphe, text: str) -> None:
    result = sq.search(searchable.search, text, sq.Filters(), 0, 10)
    assert result.total >= 0


def test_highlights_contain_the_matched_word(searchable: Graphe) -> None:
    result = sq.search(searchable.search, "energie", sq.Filters(), 0, 10)
    hit = next(h for h in result.hits if h.id.endswith("velo-geneve"))
    assert '<mark>énergie</mark>' in hit.snippet


def test_suggestion_when_nothing_is_found(searchable: Graphe) -> None:
    result = sq.search(searchable.search, "gouvernence des donnees", sq.Filters(), 0, 10)
    assert result.suggestion == "gouvernance des donnees"  # (the typo itself is tolerated: found anyway)
    assert sq.search(searchable.search, "des donnees", sq.Filters(), 0, 10).suggestion is None
    assert sq.search(searchable.search, result.suggestion, sq.Filters(), 0, 10).total > 0
    assert sq.search(searchable.search, "xqzwv", sq.Filters(), 0, 10).suggestion is None


def test_published_changed_and_retired_practices_follow_at_the_next_query(searchable: Graphe) -> None:
    store = searchable.store
    iri = NamedNode(BASE + "id/practice/cities-energy")
    assert iri.value in found(searchable, "dashboard")
    title = [q for q in store.quads(store.graphs.public) if q.subject == iri and q.predicate.value.endswith("title")]
    from graphe.core.rdf import Literal
    store.commit([Quad(iri, title[0].predicate, Literal("Carbon ledger for cities", language="en"), store.graphs.public)],
                 [q for q in title if q.object.language == "en"], summary="changement de titre")
    searchable.after_write()
    assert iri.value not in found(searchable, "dashboard") and iri.value in found(searchable, "ledger")
    assert searchable.search.revision == store.revision().number
    store.commit([], [q for q in store.quads(store.graphs.public) if q.subject == iri], summary="retrait")
    searchable.after_write()
    assert iri.value not in found(searchable, "ledger") and iri.value not in found(searchable, "")


def test_a_renamed_theme_reaches_the_practices_that_use_it(searchable: Graphe) -> None:
    store = searchable.store
    theme = NamedNode(BASE + "id/theme/mobility")
    from graphe.core.rdf import Literal
    store.commit([Quad(theme, NamedNode("http://www.w3.org/2004/02/skos/core#altLabel"),
                       Literal("vélopolitain", language="fr"), store.graphs.public)])
    assert BASE + "id/practice/velo-geneve" not in found(searchable, "velopolitain")
    searchable.after_write()  # catch-up re-indexes resources pointing at the touched theme
    # altLabel is not indexed; the label set is: check the practice was re-indexed at the new revision.
    assert searchable.search.revision == store.revision().number


def test_facet_counts_equal_the_hits(rich: Graphe) -> None:
    result = sq.search(rich.search, "énergie", sq.Filters(), 0, 1000)
    assert result.total == len(result.hits) > 10
    assert sum(n for _, n in result.facets["type"]) == result.total
    themes_of = {h.id: {r["t"].value for r in rich.store.select("SELECT ?t WHERE { ?s dct:subject ?t }",
                                                                {"s": NamedNode(h.id)})} for h in result.hits}
    for theme, count in result.facets["themes"]:
        assert count == sum(1 for ts in themes_of.values() if theme in ts), theme
    for country, count in result.facets["country"]:
        assert count == len(found(rich, "énergie", countries=(country,)))
    filtered = sq.search(rich.search, "énergie", sq.Filters(types=("practice",), themes=(BASE + "id/theme/ai",)),
                         0, 1000)
    assert 0 < filtered.total < result.total
    assert all(h.type == "practice" for h in filtered.hits)


def _same_as_full_scan(graphe: Graphe, text: str, filters: sq.Filters, offset: int, limit: int) -> int:
    """The search's total and facets are a full scan's over the documents the store gives now."""
    result = sq.search(graphe.search, text, filters, offset, limit)
    query = sq.build_query(text) if text.strip() else Everything()
    assert query is not None
    ids, facets = scan(docs_of(graphe.store), query, filters.query())
    assert result.total == len(ids) and {h.id for h in result.hits} <= ids
    assert result.facets == {k: sorted(v.items(), key=lambda kv: (-kv[1], kv[0])) for k, v in facets.items()}
    return result.total


def test_facets_follow_the_index_after_a_write(searchable: Graphe, tmp_path: Path) -> None:
    assert _same_as_full_scan(searchable, "énergie", sq.Filters(), 0, 10) > 0
    (tmp_path / "more.ttl").write_text(SHEETS.replace("velo-geneve", "velo-dakar").replace("id/city/geneve", "id/city/dakar")
                                       .replace("cities-energy", "energy-2").replace("artificielle-intelligence", "ai-2"),
                                       encoding="utf-8")
    before = sq.search(searchable.search, "énergie", sq.Filters(), 0, 10)
    searchable.load([tmp_path / "more.ttl"])
    after = sq.search(searchable.search, "énergie", sq.Filters(), 0, 10)
    assert after.total > before.total and after.facets != before.facets
    _same_as_full_scan(searchable, "énergie", sq.Filters(), 0, 10)


def test_similar_practices_share_text_or_themes(rich: Graphe) -> None:
    target = BASE + "id/practice/gen-5"
    similar = sq.similar(rich.search, target, 5)
    assert similar and target not in [iri for iri, _ in similar]
    mine = {r["t"].value for r in rich.store.select("SELECT ?t WHERE { ?s dct:subject ?t }", {"s": NamedNode(target)})}
    shared = [iri for iri, _ in similar if mine & {r["t"].value for r in rich.store.select(
        "SELECT ?t WHERE { ?s dct:subject ?t }", {"s": NamedNode(iri)})}]
    assert len(shared) >= 3
    assert sq.similar(rich.search, BASE + "id/practice/none", 5) is None


def _disk(tmp_path: Path, validator, search: str = "sync") -> Graphe:  # type: ignore[no-untyped-def]
    return Graphe.open(Settings(data_dir=tmp_path / "data"), validator=validator, search=search)


def test_index_revision_follows_every_write_and_is_recorded_on_disk(tmp_path: Path, validator) -> None:  # type: ignore[no-untyped-def]
    graphe = _disk(tmp_path, validator)
    try:
        state = tmp_path / "data" / "search" / "state.json"
        assert json.loads(state.read_text())["revision"] == graphe.store.revision().number
        (tmp_path / "s.ttl").write_text(SHEETS, encoding="utf-8")
        graphe.load([tmp_path / "s.ttl"])
        assert graphe.search.revision == graphe.store.revision().number
        assert json.loads(state.read_text())["revision"] == graphe.store.revision().number
    finally:
        graphe.close()


def test_a_stale_index_catches_up_at_startup(tmp_path: Path, validator) -> None:  # type: ignore[no-untyped-def]
    graphe = _disk(tmp_path, validator)
    graphe.close()
    stale = _disk(tmp_path, validator, search="off")  # writes while the index is not following
    (tmp_path / "s.ttl").write_text(SHEETS, encoding="utf-8")
    stale.load([tmp_path / "s.ttl"])
    stale.close()
    again = _disk(tmp_path, validator)
    try:
        assert again.search.revision == again.store.revision().number
        assert BASE + "id/practice/velo-geneve" in found(again, "geneve")
    finally:
        again.close()


@pytest.mark.parametrize("damage", ["deleted", "corrupted", "no-state"])
def test_a_deleted_or_corrupted_index_is_rebuilt_at_startup(tmp_path: Path, validator, damage: str) -> None:  # type: ignore[no-untyped-def]
    _disk(tmp_path, validator).close()
    folder = tmp_path / "data" / "search"
    if damage == "deleted":
        shutil.rmtree(folder)
    elif damage == "corrupted":
        for path in folder.iterdir():
            if path.name != "state.json":
                path.write_bytes(b"\x00garbage" * 100)
    else:
        (folder / "state.json").unlink()
    graphe = _disk(tmp_path, validator)
    try:
        assert graphe.search.revision == graphe.store.revision().number
        assert BASE + "id/practice/nantes-debat-de-l-ia" in found(graphe, "débat")
    finally:
        graphe.close()


def test_opening_a_sound_index_makes_no_collector_pass_a_damaged_one_does(tmp_path: Path, validator,  # type: ignore[no-untyped-def]
                                                                          monkeypatch) -> None:
    """A full pass of the cyclic collector held the interpreter ~60 ms while the service started: only an
    index that failed to open leaves files to it."""
    from graphe.search.index import SearchIndex

    _disk(tmp_path, validator).close()
    graphe = _disk(tmp_path, validator, search="off")
    folder = tmp_path / "data" / "search"
    passes: list[tuple] = []
    real = gc.collect
    monkeypatch.setattr(gc, "collect", lambda *args: passes.append(args) or real(*args))
    try:
        sound = SearchIndex(folder)
        sound.open(graphe.store, background=False)
        assert sound.revision == graphe.store.revision().number and passes == []
        sound.close()
        for path in folder.iterdir():
            if path.name != "state.json":
                path.write_bytes(b"\x00garbage" * 100)
        damaged = SearchIndex(folder)
        damaged.open(graphe.store, background=False)  # rebuilt
        assert damaged.revision == graphe.store.revision().number and len(passes) == 1
        damaged.close()
    finally:
        graphe.close()


def test_the_service_answers_while_the_index_is_rebuilt(tmp_path: Path, validator, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _disk(tmp_path, validator).close()
    shutil.rmtree(tmp_path / "data" / "search")
    gate = threading.Event()
    real_build = documents.build

    def slow_build(store, iris):  # type: ignore[no-untyped-def]
        gate.wait(30)
        return real_build(store, iris)

    monkeypatch.setattr(documents, "build", slow_build)
    monkeypatch.setattr(documents, "everything", lambda store: None)
    graphe = _disk(tmp_path, validator, search="background")
    try:
        with pytest.raises(GrapheError) as caught:
            sq.search(graphe.search, "débat", sq.Filters(), 0, 10)
        assert caught.value.code == "SEARCH_UNAVAILABLE"
        from graphe.read.listing import ordered
        from graphe.read.filters import PracticeFilter, practice_query
        assert ordered(graphe.store, practice_query(PracticeFilter(), "ID", False, ()))  # reads answer
        gate.set()
        graphe.search.wait(60)
        assert BASE + "id/practice/nantes-debat-de-l-ia" in found(graphe, "débat")
    finally:
        gate.set()
        graphe.close()


def test_reindex_command_shows_progress(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    result = run_cli("reindex", "--data", data)
    assert result.returncode == 0, result.stderr
    assert "Indexation [" in result.stderr and "Index reconstruit" in result.stdout
    state = json.loads((tmp_path / "data" / "search" / "state.json").read_text())
    assert state["revision"] >= 2


def test_search_over_graphql(api) -> None:  # type: ignore[no-untyped-def]
    query = """query($t: String!, $f: SearchFilter) { search(text: $t, filter: $f, first: 5) { totalCount suggestion
        indexRevision edges { cursor node { type score snippet object { __typename ... on Practice { id title } } } }
        pageInfo { hasNextPage endCursor } facets { types { type count } themes { theme { label } count }
        countries { country count } cities { city { name } count } statuses { value { code } count } } } }"""
    response = httpx.post(api.url + "/graphql", json={"query": query, "variables": {"t": "énergie",
                                                                                       "f": {"types": ["PRACTICE"]}}})
    data = response.json()["data"]["search"]
    assert data["totalCount"] > 5 and data["pageInfo"]["hasNextPage"]
    assert all(e["node"]["type"] == "PRACTICE" and e["node"]["object"]["__typename"] == "Practice"
               for e in data["edges"])
    assert "<mark" in data["edges"][0]["node"]["snippet"]
    assert sum(t["count"] for t in data["facets"]["types"]) == data["totalCount"]
    nothing = httpx.post(api.url + "/graphql", json={"query": query, "variables": {"t": "gouvernence"}}).json()
    assert nothing["data"]["search"]["suggestion"] == "gouvernance"
    similar = httpx.post(api.url + "/graphql", json={"query": '{ similar(id: "%sid/practice/gen-3", first: 3) '
                                                               '{ practice { id } score } }' % BASE}).json()
    assert len(similar["data"]["similar"]) == 3


def test_in_memory_index_writes_leave_nothing_in_the_temporary_folder(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """whoosh puts an in-memory writer's temporary files in <tmp>/MAIN.tmp, shared by every process (one
    process's clean-up broke another's writer), and never removes its per-document writer's folder. Ours
    keep them in memory: two writers, each committed, leave the temporary folder as it was."""
    import tempfile

    from whoosh.fields import ID, TEXT, Schema

    from graphe.search.whoosh_engine import PrivateRamStorage
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    for _ in range(2):
        ix = PrivateRamStorage().create_index(Schema(id=ID(stored=True), body=TEXT))
        writer = ix.writer()
        writer.add_document(id="a", body="une fiche sur l'énergie")
        writer.commit()
        with ix.searcher() as searcher:
            assert searcher.doc_count() == 1
    assert list(tmp_path.iterdir()) == []
