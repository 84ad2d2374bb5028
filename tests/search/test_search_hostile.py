"""Search under hostile input (cost bounded before it starts, a coded answer for every text) and a search
index that checks itself (damage found at open, at the first read that fails, or by the first read half a
second after it, rebuilt in the background meanwhile)."""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import ThreadServer
from graphe.core import deadline
from graphe.core.errors import GrapheError
from graphe.search import documents
from graphe.search import query as sq
from graphe.search.index import STAT_INTERVAL
from graphe.service import Graphe
from graphe.core.settings import Settings

BASE = "https://graphe.aimf.asso.fr/"
DEBAT = BASE + "id/practice/nantes-debat-de-l-ia"
SEARCH = """query($t: String!, $f: SearchFilter) { search(text: $t, filter: $f, first: 5) { totalCount suggestion
    edges { node { type snippet } } facets { types { type count } } } }"""


@pytest.fixture(scope="module")
def graphe(validator) -> Iterator[Graphe]:  # type: ignore[no-untyped-def]
    """The seeds in memory (read-only here): the search is the same whichever store is behind."""
    graphe = Graphe.open(Settings(data_dir=None), validator=validator)
    yield graphe
    graphe.close()


@pytest.fixture(scope="module")
def server(graphe: Graphe) -> Iterator[ThreadServer]:
    from graphe.app import create_app

    server = ThreadServer(create_app(graphe))
    yield server
    server.stop()


def post(server: ThreadServer, variables: dict) -> httpx.Response:
    """JSON with \\u escapes, as a browser sends it: a lone surrogate travels escaped."""
    return httpx.post(server.url + "/graphql", content=json.dumps({"query": SEARCH, "variables": variables}),
                      headers={"content-type": "application/json"}, timeout=60)


def codes(graphe: Graphe, text: str, filters: sq.Filters = sq.Filters()) -> str | None:
    try:
        sq.search(graphe.search, text, filters, 0, 10)
    except GrapheError as error:
        return error.code
    return None


# ------------------------------------------------------------------------------------------ hostile input

REFUSED = {  # past the limits: refused before any search
    "repeated word": "mot " * 2000,
    "distinct words": " ".join(f"mot{i}" for i in range(2000)),
    "very long word": "a" * 100_000,
    "many phrases": " ".join(f'"a{i} b{i}"' for i in range(20)),
}
ANSWERED = {  # plain text to the search: answered, whatever the syntax of other engines says
    "unbalanced quotes": '"énergie "données ' * 5,
    "lone surrogates": "énergie \ud800 \udfff débat\udc00",
    "control characters": "\x00énergie\x01\x02\x1b[31m\x7f\x85débat",
    "star": "*",
    "field:value": "title_fr:énergie id:x type:practice",
    "NOT": "NOT énergie AND OR NOT",
    "fuzzy": "a~5 énergie~2 débat^3",
    "range": "[a TO z] {a TO z} issued:[2020 TO 2030]",
    "wildcards everywhere": " ".join(f"m{i}*" for i in range(31)) + " ?",
    "parentheses": "(" * 200 + "énergie" + ")" * 200,
    "only separators": "'\"-+&|!(){}[]^~*?:\\/ " * 20,
    "RTL and combining": "\u202eénergie\u0301\u0301\u0301 \ufeff\u200b",
}


def test_every_hostile_text_gets_an_answer_or_a_coded_refusal(server: ThreadServer, graphe: Graphe) -> None:
    for name, text in {**REFUSED, **ANSWERED}.items():
        response = post(server, {"t": text})
        assert response.status_code < 500, (name, response.text)
        body = response.json()
        errors = body.get("errors", [])
        if name in REFUSED:
            assert [e["extensions"]["code"] for e in errors] == ["BAD_USER_INPUT"], (name, body)
            assert "au plus" in errors[0]["message"] and "at most" in errors[0]["extensions"]["message_en"]
        elif errors:  # the HTTP layer refuses a lone surrogate in the JSON body before the search sees it
            assert [e["extensions"]["code"] for e in errors] == ["BAD_REQUEST"], (name, body)
            assert codes(graphe, text) is None, name
        else:
            assert body["data"]["search"]["totalCount"] >= 0
    # A filter value no resource has finds nothing; a value that cannot be a name (blank, a control character)
    # is a coded refusal, as in every other list filter (read/names.py).
    body = post(server, {"t": "énergie", "f": {"themes": ["<>"], "cities": ["x y"]}}).json()
    assert "errors" not in body and body["data"]["search"]["totalCount"] == 0, body
    for bad in ({"themes": [""]}, {"cities": ["\x00"]}):
        body = post(server, {"t": "énergie", "f": bad}).json()
        assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"], body


def test_text_length_limit(graphe: Graphe) -> None:
    assert codes(graphe, "é" * sq.MAX_TEXT) is None
    assert codes(graphe, "  " + "é" * sq.MAX_TEXT + "\n") is None  # surrounding spaces do not count
    assert codes(graphe, "é" * (sq.MAX_TEXT + 1)) == "BAD_USER_INPUT"


def test_term_limit_counts_distinct_analysed_terms(graphe: Graphe) -> None:
    words = [f"mot{i}" for i in range(sq.MAX_TERMS + 1)]
    assert codes(graphe, " ".join(words[:-1])) is None
    assert codes(graphe, " ".join(words)) == "BAD_USER_INPUT"
    # A repeated word counts once, whatever its case; punctuation does not count.
    assert codes(graphe, " ".join(words[:-1]) + " mot0 MOT1 Mot2 - ' ; ... mot0") is None
    # A phrase counts its words.
    assert codes(graphe, " ".join(words[:-3]) + ' "alpha beta gamma"') == "BAD_USER_INPUT"


@pytest.mark.parametrize("text", ["énergie", "", "gouvernence des donnees"])
def test_a_spent_budget_stops_the_search(graphe: Graphe, text: str) -> None:
    assert codes(graphe, text) is None
    with deadline.budget(0.0), pytest.raises(GrapheError) as caught:
        sq.search(graphe.search, text, sq.Filters(), 0, 10)
    assert caught.value.code == "QUERY_TIMEOUT"


# ------------------------------------------------------------------------------------------ damaged index

def _disk(tmp_path: Path, validator, search: str = "sync") -> Graphe:  # type: ignore[no-untyped-def]
    return Graphe.open(Settings(data_dir=tmp_path / "data"), validator=validator, search=search)


def _damage(folder: Path) -> None:
    """Overwrite the middle of every index file (not its size: only its content tells), in place: rewriting
    the file (truncated, then written) let a thread reading its memory map meanwhile die of SIGBUS (a bus
    error once killed the whole test run)."""
    for path in folder.iterdir():
        if path.name != "state.json" and (size := path.stat().st_size) > 64:
            start, end = size * 2 // 5, size * 3 // 5
            with path.open("r+b") as file:
                file.seek(start)
                file.write(b"\xff" * (end - start))


class Gate:
    """documents.build held until `open()`: the rebuild is observed while it runs."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.started, self.gate = threading.Event(), threading.Event()
        real = documents.build

        def held(store, iris):  # type: ignore[no-untyped-def]
            self.started.set()
            self.gate.wait(60)
            return real(store, iris)

        monkeypatch.setattr(documents, "build", held)
        monkeypatch.setattr(documents, "everything", lambda store: None)  # a rebuild reads by batches too

    def observe(self, graphe: Graphe) -> None:
        """The rebuild started and answers SEARCH_REBUILDING while held; released, the index is ready."""
        try:
            assert self.started.wait(60), "no rebuild started"
            _rebuilding(graphe)
        finally:
            self.gate.set()
        graphe.search.wait(60)
        assert graphe.search.status == "ready" and graphe.search.error is None
        assert graphe.search.revision == graphe.store.revision().number


def hits(graphe: Graphe, text: str) -> list[str]:
    return [h.id for h in sq.search(graphe.search, text, sq.Filters(), 0, 10).hits]


def _rebuilding(graphe: Graphe) -> None:
    for call in (lambda: sq.search(graphe.search, "débat", sq.Filters(), 0, 10),
                 lambda: sq.similar(graphe.search, DEBAT, 3)):
        with pytest.raises(GrapheError) as caught:
            call()
        assert caught.value.code == "SEARCH_REBUILDING"
        assert caught.value.details["status"] == 503 and caught.value.details["retry_after"] > 0
        assert "reconstruction" in caught.value.message_fr
    assert graphe.search.status == "rebuilding" and not graphe.search.ready


def test_damage_found_at_open_is_rebuilt_in_the_background(tmp_path: Path, validator,  # type: ignore[no-untyped-def]
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    _disk(tmp_path, validator).close()
    _damage(tmp_path / "data" / "search")
    gate = Gate(monkeypatch)
    graphe = _disk(tmp_path, validator, search="background")
    try:
        gate.observe(graphe)
        assert DEBAT in hits(graphe, "débat")
    finally:
        gate.gate.set()
        graphe.close()
    again = _disk(tmp_path, validator, search="off")  # the rebuilt index passes its own check at the next open
    try:
        from graphe.search.index import SearchIndex
        reopened = SearchIndex(tmp_path / "data" / "search")
        assert reopened._try_open() and reopened.status == "ready"
        reopened.close()
    finally:
        again.close()


def test_damage_while_serving_is_found_at_the_first_read(tmp_path: Path, validator,  # type: ignore[no-untyped-def]
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    graphe = _disk(tmp_path, validator)
    try:
        assert graphe.search.status == "ready" and DEBAT in hits(graphe, "débat")
        gate = Gate(monkeypatch)
        _damage(tmp_path / "data" / "search")
        time.sleep(STAT_INTERVAL)  # files are looked at twice a second at most (a read that fails: at once)
        with pytest.raises(GrapheError) as caught:
            sq.search(graphe.search, "", sq.Filters(), 0, 10)  # reads stored documents of every kind
        assert caught.value.code == "SEARCH_REBUILDING"
        gate.observe(graphe)
        assert DEBAT in hits(graphe, "débat")
    finally:
        graphe.close()


def test_a_write_while_damaged_is_kept_and_the_rebuild_indexes_it(tmp_path: Path, validator,  # type: ignore[no-untyped-def]
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from test_search import SHEETS

    graphe = _disk(tmp_path, validator)
    try:
        _damage(tmp_path / "data" / "search")
        gate = Gate(monkeypatch)
        (tmp_path / "s.ttl").write_text(SHEETS, encoding="utf-8")
        graphe.load([tmp_path / "s.ttl"])  # its catch-up meets the damage: the load itself succeeds
        gate.observe(graphe)
        assert BASE + "id/practice/velo-geneve" in hits(graphe, "geneve")
    finally:
        graphe.close()


def test_a_failure_that_is_not_damage_is_not_hidden(tmp_path: Path, validator,  # type: ignore[no-untyped-def]
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug is not taken for damage: the files check out, nothing is rebuilt, the error stays visible."""
    graphe = _disk(tmp_path, validator)
    try:
        def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
            raise ValueError("a bug")

        monkeypatch.setattr(sq, "snippet_in", broken)  # what a search calls for each hit
        with pytest.raises(ValueError):
            sq.search(graphe.search, "débat", sq.Filters(), 0, 10)
        assert graphe.search.status == "ready"
    finally:
        graphe.close()


def test_status_says_error_when_the_rebuild_fails(tmp_path: Path, validator,  # type: ignore[no-untyped-def]
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    _disk(tmp_path, validator).close()
    _damage(tmp_path / "data" / "search")

    def failing(store, iris):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr(documents, "build", failing)
    monkeypatch.setattr(documents, "everything", lambda store: None)
    graphe = _disk(tmp_path, validator, search="background")
    try:
        graphe.search.wait(60)
        assert graphe.search.status == "error" and "disk full" in (graphe.search.error or "")
        with pytest.raises(GrapheError) as caught:
            sq.search(graphe.search, "débat", sq.Filters(), 0, 10)
        assert caught.value.code == "SEARCH_UNAVAILABLE" and "reindex" in caught.value.message_fr
    finally:
        graphe.close()


def test_a_search_past_its_deadline_stops_before_the_engine(graphe: Graphe) -> None:
    """tantivy runs a search in one call (its cost bounded by MAX_TERMS): the budget is checked before."""
    with deadline.budget(0.0):
        with pytest.raises(GrapheError) as caught:
            sq.search(graphe.search, "énergie données", sq.Filters(), 0, 10)
    assert caught.value.code == "QUERY_TIMEOUT"


def test_the_deadline_is_checked_between_the_clauses_of_one_query(validator,  # type: ignore[no-untyped-def]
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """whoosh reads every clause's postings inside one call: the budget is checked before each clause."""
    import sys

    graphe = Graphe.open(Settings(data_dir=None, search_engine="whoosh"), validator=validator)

    inside: list[str] = []  # checks made while whoosh runs the query
    real = deadline.check

    def check() -> None:
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_name == "search_with_collector":
                inside.append(frame.f_code.co_filename)
                break
            frame = frame.f_back
        real()

    monkeypatch.setattr(deadline, "check", check)
    try:
        sq.search(graphe.search, "énergie données mobilité ville numérique", sq.Filters(), 0, 10)
    finally:
        graphe.close()
    assert len(inside) >= 5


def test_an_answer_of_an_index_being_rebuilt_is_not_kept(server: ThreadServer, graphe: Graphe, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """An anonymous search answered SEARCH_REBUILDING is asked again next time, not served from the cache."""
    from graphe.search.index import rebuilding

    def damaged():  # type: ignore[no-untyped-def]
        raise rebuilding()

    variables = {"t": "données ouvertes rebuild-cache"}
    with monkeypatch.context() as patch:
        patch.setattr(graphe.search, "index", damaged)
        first = post(server, variables).json()
    assert first["errors"][0]["extensions"]["code"] == "SEARCH_REBUILDING"
    again = post(server, variables).json()
    assert "errors" not in again, again
