"""The SPARQL endpoint's row cap holds on a remote store's answers (written by `results.select`)."""
from __future__ import annotations

import orjson
import pytest

from graphe.opendata.sparql.worker import Answer, execute
from graphe.opendata.sparql import guard


def test_the_row_cap_holds_on_a_remote_store(seeded) -> None:  # type: ignore[no-untyped-def]
    from graphe.store.remote import RemoteStore

    if not isinstance(seeded.store, RemoteStore):
        pytest.skip("the embedded store's cap is tested in test_sparql.py")
    public = tuple(g.value for g in seeded.store.graphs.readable)
    checked = guard.check("SELECT ?s WHERE { ?s ?p ?o }", public)
    plan = Answer(fmt="json", checked=checked, graphs=(public, public))
    answer = execute(seeded.store, plan, 7, timeout=30)
    assert answer.truncated
    assert len(orjson.loads(answer.body)["results"]["bindings"]) == 7
