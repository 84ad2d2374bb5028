"""The read cache across a restart: the file a stopping service saves (lists, sort keys, facet tables) and
how a started one takes it back — its keys claimed before the service listens, readers waiting for what the
file brings, the order kept — and the read-ahead that waits for the service's first answer."""
from __future__ import annotations

import asyncio
import threading
import time

from graphe.api.context import Context
from graphe.api.schema import build_schema
from graphe.core.rdf import NamedNode
from graphe.read.readcache import RevisionCache
from graphe.service import Graphe
from test_readcache import BASE, NEW


def test_a_restart_at_the_same_revision_takes_back_lists_and_keys(tmp_path, validator) -> None:  # type: ignore[no-untyped-def]
    from graphe.core.settings import Settings
    settings = Settings(data_dir=tmp_path / "data")
    schema = build_schema()
    query = "{ practices(first: 2, orderBy: {field: ISSUED, direction: DESC}) { edges { node { id } } } }"

    graphe = Graphe.open(settings, validator=validator, search="off")
    graphe.warm_reads().join(60)
    first = asyncio.run(schema.execute(query, context_value=Context(graphe))).data
    graphe.close()
    assert (tmp_path / "data" / "reads.pickle").exists()

    graphe = Graphe.open(settings, validator=validator, search="off")
    try:
        before = graphe.store.queries
        graphe.warm_reads().join(60)
        # Lists, sort keys and facet tables came back from the file: the warm-up only read the entities
        # ahead (the resources to read, then one batch) — and the page then reads nothing.
        assert graphe.store.queries - before == 2
        before = graphe.store.queries
        assert asyncio.run(schema.execute(query, context_value=Context(graphe))).data == first
        assert graphe.store.queries - before == 0
        (tmp_path / "new.ttl").write_text(NEW, encoding="utf-8")
        graphe.load([tmp_path / "new.ttl"])
    finally:
        graphe.close()

    (tmp_path / "data" / "reads.pickle").write_bytes(b"damaged")  # a damaged file is ignored
    graphe = Graphe.open(settings, validator=validator, search="off")
    try:
        before = graphe.store.queries
        graphe.warm_reads().join(60)
        assert graphe.store.queries - before > 2  # nothing taken back: lists and keys computed again
        newest = asyncio.run(schema.execute(query, context_value=Context(graphe))).data
        assert newest["practices"]["edges"][0]["node"]["id"] == BASE + "id/practice/cache-test"  # type: ignore[index]
    finally:
        graphe.close()


def test_a_started_service_reads_ahead_once_it_has_answered(tmp_path, validator, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The saved values come back at once (a first reader may wait for them); computing ahead waits for
    the service's first answer, or `WARM_PATIENCE` without one: started at once, it shared the interpreter
    with that first reader (restart at 100,000 practices, bench/NOTES.md)."""
    import httpx
    from conftest import ThreadServer
    from graphe import service
    from graphe.app import create_app
    from graphe.core.settings import Settings
    from graphe.read import reads

    settings = Settings(data_dir=tmp_path / "data")
    graphe = Graphe.open(settings, validator=validator, search="off")
    graphe.warm_reads().join(60)
    graphe.close()  # (saves what the next start takes back)

    warmed: list[float] = []
    real_warm = reads.warm
    monkeypatch.setattr(reads, "warm", lambda *a, **k: (warmed.append(time.monotonic()), real_warm(*a, **k)))
    monkeypatch.setattr(service, "WARM_PATIENCE", 60)
    graphe = Graphe.open(settings, validator=validator, search="off")
    server = ThreadServer(create_app(graphe, on_startup=graphe.warm_reads))
    try:
        time.sleep(0.5)
        assert warmed == [] and graphe.warming
        assert len(graphe.reads) > 0  # the saved values, back before any answer
        asked = time.monotonic()
        assert httpx.get(server.url + "/healthz").status_code == 200
        for thread in graphe._threads:
            thread.join(30)
        assert len(warmed) == 1 and warmed[0] >= asked
    finally:
        server.stop()
        graphe.close()

    monkeypatch.setattr(service, "WARM_PATIENCE", 0.3)  # nobody asks: it starts anyway
    graphe = Graphe.open(settings, validator=validator, search="off")
    try:
        started = time.monotonic()
        graphe.warm_reads(threading.Event()).join(60)
        assert len(warmed) == 2 and warmed[1] - started >= 0.3
    finally:
        graphe.close()

    monkeypatch.setattr(service, "WARM_PATIENCE", 60)  # closed before any answer: no wait for the patience
    graphe = Graphe.open(settings, validator=validator, search="off")
    thread = graphe.warm_reads(threading.Event())
    started = time.monotonic()
    graphe.close()
    thread.join(10)
    assert not thread.is_alive() and time.monotonic() - started < 10 and len(warmed) == 2


def _saved(tmp_path) -> tuple:  # type: ignore[no-untyped-def]
    """A cache file at revision 5: a list, its sort keys and a facet table, sharing their strings."""
    iris = tuple(f"https://example.org/{i}" for i in range(1000))
    cache = RevisionCache()
    cache.get(5, ("keys", "title"), lambda: {iri: (2, iri[-3:]) for iri in iris})
    cache.get(5, ("facet", "city"), lambda: {iri: (NamedNode(f"https://example.org/city/{i % 3}"),)
                                            for i, iri in enumerate(iris)})  # equal tuples, distinct objects
    cache.get(5, ("list", "by title"), lambda: iris)
    cache.get(5, ("other", "not saved"), lambda: 1)
    path = tmp_path / "reads.pickle"
    assert cache.save(path, 5, ("list", "members", "keys", "facet")) == 3
    return path, iris


class _Gated:
    """An unpickler that stops after the file's head (and after each value) until let go."""

    def __init__(self) -> None:
        self.head_read, self.go = threading.Event(), threading.Event()
        self.values: list[object] = []
        gate = self

        import pickle

        class Unpickler(pickle.Unpickler):
            def load(self):  # type: ignore[no-untyped-def]
                if gate.head_read.is_set():
                    assert gate.go.wait(10)
                value = super().load()
                gate.values.append(value)
                gate.head_read.set()
                return value
        self.Unpickler = Unpickler


def test_a_saved_file_brings_lists_first_and_shares_their_strings(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pickle
    path, iris = _saved(tmp_path)
    with path.open("rb") as source:
        unpickler = pickle.Unpickler(source)
        head = unpickler.load()
        values = [unpickler.load() for _ in head["keys"]]
    assert [k[0] for k in head["keys"]] == ["list", "keys", "facet"]  # in the order of the kinds given
    assert [v[0] for v in values] == head["keys"]
    assert next(iter(values[2][1])) is values[0][1][0]  # one string object, written once
    cities = values[2][1].values()  # equal tuples of terms too (a facet's: 1.3 -> 0.45 s at 100,000 practices)
    assert len({id(t) for t in cities}) == 3 and len(set(cities)) == 3


def test_a_restart_keeps_the_saved_order_and_puts_new_values_first(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Taken back, then saved again at the next stop: the same order (it came back reversed at each restart,
    so a first reader waited behind every other list one restart in two); a value computed since goes first."""
    cache = RevisionCache()
    for name in ("a", "b", "c"):
        cache.get(5, ("list", name), lambda name=name: (name,))
    first = tmp_path / "first.pickle"
    cache.save(first, 5, ("list",))
    order = _head(first)["keys"]
    assert order == [("list", "c"), ("list", "b"), ("list", "a")]  # most recently put first
    restarted = RevisionCache()
    assert restarted.load(first, 5) == 3
    restarted.get(5, ("list", "d"), lambda: ("d",))
    again = tmp_path / "again.pickle"
    restarted.save(again, 5, ("list",))
    assert _head(again)["keys"] == [("list", "d"), *order]


def _head(path):  # type: ignore[no-untyped-def]
    import pickle
    with path.open("rb") as source:
        return pickle.Unpickler(source).load()


def test_big_values_are_saved_in_pieces_and_come_back_whole(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Reading one pickle holds the interpreter's lock throughout: a big table goes in pieces."""
    import pickle

    import graphe.read.readcache as readcache
    monkeypatch.setattr(readcache, "PIECE", 7)
    values = {("keys", "d"): {f"s{i}": (2, f"t{i}") for i in range(30)}, ("list", "t"): tuple(f"s{i}" for i in range(22)),
              ("members", "f"): frozenset(f"s{i}" for i in range(15)), ("facet", "s"): {f"s{i}" for i in range(8)},
              ("facet", "l"): [1, 2, 3], ("keys", "small"): {"a": 1}, ("list", "empty"): ()}
    cache = RevisionCache()
    for key, value in values.items():
        cache.get(3, key, lambda value=value: value)
    path = tmp_path / "reads.pickle"
    assert cache.save(path, 3, ("list", "members", "keys", "facet")) == len(values)
    with path.open("rb") as source:
        unpickler = pickle.Unpickler(source)
        head = unpickler.load()
        frames = []
        while True:
            try:
                frames.append(unpickler.load())
            except EOFError:
                break
    assert len(frames) == 5 + 4 + 3 + 2 + 1 + 1 + 1 and all(len(piece) <= 7 for _, piece, _, _ in frames)
    fresh = RevisionCache()
    assert fresh.load(path, 3) == len(values) == len(head["keys"])
    for key, value in values.items():
        back = fresh.get(3, key, lambda: pytest.fail("computed"))
        assert back == value and type(back) is type(value)
    # Equal texts held by several values as distinct objects (each read by its own query) come back as one.
    assert values[("list", "t")][0] is not next(iter(values[("keys", "d")]))
    assert fresh.get(3, ("list", "t"), list)[0] is next(iter(fresh.get(3, ("keys", "d"), dict)))


def test_a_reader_waits_for_what_the_saved_file_brings_rather_than_compute_it(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import graphe.read.readcache as readcache
    path, iris = _saved(tmp_path)
    gate = _Gated()
    monkeypatch.setattr(readcache.pickle, "Unpickler", gate.Unpickler)
    fresh = RevisionCache()
    loading = threading.Thread(target=lambda: fresh.load(path, 5))
    loading.start()
    assert gate.head_read.wait(10)  # the keys are claimed; nothing read yet
    got: list[object] = []
    reader = threading.Thread(target=lambda: got.append(fresh.get(5, ("keys", "title"),
                                                                    lambda: pytest.fail("computed"))))
    reader.start()
    reader.join(0.3)
    assert reader.is_alive() and not got  # waiting for the file
    gate.go.set()
    reader.join(10)
    loading.join(10)
    assert got[0] == {iri: (2, iri[-3:]) for iri in iris}
    assert fresh.get(5, ("list", "by title"), lambda: pytest.fail("computed")) == iris
    assert fresh.misses == 0
    assert fresh.load(path, 6) == 0  # written at another revision: stale, ignored


def test_a_file_cut_short_gives_what_it_holds_and_readers_compute_the_rest(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import graphe.read.readcache as readcache
    path, iris = _saved(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[:len(data) - 200])  # the facet table, last, is cut
    gate = _Gated()
    monkeypatch.setattr(readcache.pickle, "Unpickler", gate.Unpickler)
    fresh = RevisionCache()
    taken: list[int] = []
    loading = threading.Thread(target=lambda: taken.append(fresh.load(path, 5)))
    loading.start()
    assert gate.head_read.wait(10)
    got: list[object] = []
    reader = threading.Thread(target=lambda: got.append(fresh.get(5, ("facet", "city"), lambda: "computed")))
    reader.start()
    reader.join(0.3)
    assert reader.is_alive()  # claimed: waits for the file…
    gate.go.set()
    reader.join(10)
    loading.join(10)
    assert got == ["computed"] and taken == [2]  # …which does not bring it: the reader computes it
    assert fresh.get(5, ("list", "by title"), lambda: pytest.fail("computed")) == iris
