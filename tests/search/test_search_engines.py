"""Both engines behind one interface: the same hits, totals and facet counts as a full scan, on the same
documents and queries (scores may differ); top-N pages agree with the full ranking."""
from __future__ import annotations

import pytest

from graphe.search import query as sq
from graphe.search.engine import ENGINES, Engine
from graphe.search.index import factory
from graphe.service import Graphe
from search_oracle import docs_of, scan

BASE = "https://graphe.aimf.asso.fr/"
TEXTS = ["énergie", "données ouvertes", '"intelligence artificielle"', "mobilité ville", "zzzz", "la charte",
         "plan d'action", "mise en oeuvre", "energei", "gouvernence des donnees", "données -ouvertes", "-énergie",
         "AI", "cities", "Geneve", "Nantes", "le la les", "e-administration", "déchets tri collecte"]


@pytest.fixture(scope="module")
def built(rich: Graphe) -> dict[str, object]:
    """The rich data set's documents, indexed in memory by each engine."""
    docs = docs_of(rich.store)
    engines: dict[str, Engine] = {}
    for name in ENGINES:
        engine = factory(name).create(None)
        writer = engine.writer(bulk=True)
        for doc in docs:
            writer.add(doc)
        writer.commit()
        engines[name] = engine
    return {"docs": docs, "engines": engines}


def _filters(rich: Graphe) -> list[sq.Filters]:
    country = sq.search(rich.search, "", sq.Filters(), 0, 1).facets["country"][0][0]
    return [sq.Filters(), sq.Filters(types=("practice",)), sq.Filters(themes=(BASE + "id/theme/ai",)),
            sq.Filters(countries=(country,), types=("practice", "city"))]


@pytest.mark.parametrize("engine_name", ENGINES)
@pytest.mark.parametrize("text", TEXTS)
def test_hits_totals_and_facets_equal_a_full_scan(rich: Graphe, built: dict, engine_name: str, text: str) -> None:
    engine: Engine = built["engines"][engine_name]
    query = sq.build_query(text)
    assert query is not None
    matched_somewhere = False
    for filters in _filters(rich):
        expected_ids, expected_facets = scan(built["docs"], query, filters.query())
        page = engine.search(query, filters.query(), 0, 100_000, facets=True)
        assert {h.id for h in page.hits} == expected_ids, (text, filters)
        assert page.total == len(expected_ids)
        assert page.facets == {k: v for k, v in expected_facets.items()}, (text, filters)
        matched_somewhere |= bool(expected_ids)
        # Top-N collection keeps the best: a page holds what the full ranking has at those places.
        everything = [h.score for h in page.hits]
        for offset, limit in ((0, 10), (7, 5)):
            part = engine.search(query, filters.query(), offset, limit, facets=False)
            assert part.total == page.total
            assert [h.score for h in part.hits] == pytest.approx(everything[offset:offset + limit], rel=1e-5)
    assert matched_somewhere or text in ("zzzz", "e-administration")


def test_the_engines_agree_with_each_other_on_the_seeds(seeded: Graphe) -> None:
    docs = docs_of(seeded.store)
    found = {}
    for name in ENGINES:
        engine = factory(name).create(None)
        writer = engine.writer()
        for doc in docs:
            writer.add(doc)
        writer.commit()
        found[name] = {text: {h.id for h in engine.search(q, None, 0, 1000, facets=False).hits}
                       for text in TEXTS if (q := sq.build_query(text)) is not None}
    assert found["tantivy"] == found["whoosh"]
    assert any(found["tantivy"].values())


def test_only_the_search_package_imports_an_engine() -> None:
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "graphe"
    offenders = []
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                top = name.split(".")[0]
                allowed = {"tantivy": "tantivy_engine.py", "whoosh": "whoosh_engine.py"}.get(top)
                if allowed and path.name != allowed:
                    offenders.append(f"{path.relative_to(root)} imports {name}")
    assert offenders == []


def test_a_rebuild_scan_gives_the_documents_batches_give(rich: Graphe) -> None:
    """A rebuild reads the published graph in one scan where the store gives each subject's triples
    together; the documents are those read by IRI in batches."""
    from graphe.search import documents

    scanned = documents.everything(rich.store)
    if not getattr(rich.store, "quads_by_subject", False):
        assert scanned is None
        return
    assert scanned is not None
    by_scan = {d.id: d.for_engine() for d in scanned}
    built, _ = documents.build(rich.store, documents.all_indexable(rich.store))
    by_batch = {d.id: d.for_engine() for d in built}
    assert by_scan == by_batch and len(by_scan) > 150


def test_documents_analysed_in_a_helper_process_are_the_same_and_in_order(seeded: Graphe) -> None:
    """Large rebuilds analyse in a helper process (`index._prepared_elsewhere`): same documents, same order."""
    from graphe.search import documents, index

    built, _ = documents.build(seeded.store, documents.all_indexable(seeded.store))
    many = built * 30  # more than one batch
    assert list(index._prepared_elsewhere(iter(many))) == [d.for_engine() for d in many]
