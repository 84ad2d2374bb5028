"""What a public SPARQL query can read (`guard.patterns`), which decides whether its kept answer goes on to
a new revision (`readset.untouched`): every pattern, wherever it hides, or "anything" when unsure."""
from __future__ import annotations

import pytest

from graphe.core import readset
from graphe.opendata.sparql import guard

P = ("PREFIX dct: <http://purl.org/dc/terms/> PREFIX gr: <https://graphe.aimf.asso.fr/def#> "
     "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> ")
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PRACTICE = "https://graphe.aimf.asso.fr/def#Practice"
TITLE, SUBJECT = "http://purl.org/dc/terms/title", "http://purl.org/dc/terms/subject"
BROADER = "http://www.w3.org/2004/02/skos/core#broader"
CITY = "https://graphe.aimf.asso.fr/def#city"


def patterns(query: str):  # type: ignore[no-untyped-def]
    found = guard.check(P + query, ["https://graphe.aimf.asso.fr/graph/public"]).patterns
    return None if found is None else {pattern[:3] for pattern in found}


@pytest.mark.parametrize("query, expected", [
    ("SELECT ?p ?t WHERE { ?p a gr:Practice ; dct:subject <https://x/t> ; dct:title ?t } LIMIT 20",
     {(None, TYPE, PRACTICE), (None, SUBJECT, "https://x/t"), (None, TITLE, None)}),
    ("ASK { <https://x/p> ?p ?o }", {("https://x/p", None, None)}),
    ("SELECT * { ?s ?p ?o }", {(None, None, None)}),
    ('SELECT ?x { ?x dct:title "Titre"@fr }', {(None, TITLE, None)}),  # a literal: any term
    ("SELECT ?x { ?x dct:subject/skos:broader+ <https://x/t> }", {(None, SUBJECT, None), (None, BROADER, None)}),
    ("SELECT ?x { ?x ^dct:subject <https://x/t> }", {(None, SUBJECT, None)}),
    # hidden in NOT EXISTS, OPTIONAL, a subquery, UNION, GRAPH
    ('SELECT ?x { ?x a gr:Practice FILTER NOT EXISTS { ?x dct:title "a" } OPTIONAL { ?x gr:city ?c } }',
     {(None, TYPE, PRACTICE), (None, TITLE, None), (None, CITY, None)}),
    ("SELECT ?x { { SELECT ?x { ?x gr:city ?c } } UNION { GRAPH ?g { ?x dct:title ?t } } }",
     {(None, CITY, None), (None, TITLE, None)}),
    ("SELECT ?x { ?x a gr:Practice FILTER (EXISTS { GRAPH ?g { ?x gr:z ?t } } || NOT EXISTS { OPTIONAL { ?x gr:w ?q } }) }",
     {(None, TYPE, PRACTICE), (None, "https://graphe.aimf.asso.fr/def#z", None),
      (None, "https://graphe.aimf.asso.fr/def#w", None)}),
    ("CONSTRUCT { ?x a gr:Thing } WHERE { ?x a gr:Practice }", {(None, TYPE, PRACTICE)}),  # not its template
    ("SELECT (1 AS ?one) {}", set()),
    # anything: zero-length paths bind every node, negated sets any predicate; DESCRIBE; unrepeatable functions
    ("SELECT ?x { ?x dct:subject/skos:broader* <https://x/t> }", None),
    ("SELECT ?x { ?x dct:subject? <https://x/t> }", None),
    ("SELECT ?x { ?x !dct:subject <https://x/t> }", None),
    ("SELECT ?x { ?x a gr:Practice FILTER EXISTS { ?x dct:subject/skos:broader* ?t } }", None),
    ("SELECT ?x { ?x a gr:Practice FILTER EXISTS { ?x dct:subject [ skos:broader ?t ] } }", None),
    ("DESCRIBE <https://x/p>", None),
    ("SELECT (NOW() AS ?n) { ?x a gr:Practice }", None),
    ("SELECT (RAND() AS ?n) { ?x a gr:Practice }", None),
    ("SELECT ?x { ?x a gr:Practice BIND (STRUUID() AS ?u) }", None),
])
def test_patterns_are_every_triple_pattern_or_anything(query: str, expected) -> None:  # type: ignore[no-untyped-def]
    assert patterns(query) == expected


def test_each_pattern_names_what_its_subject_must_also_have_in_its_basic_graph_pattern() -> None:
    found = guard.check(P + "SELECT ?p ?t ?c WHERE { ?p a gr:Practice ; dct:subject <https://x/t> ; dct:title ?t "
                        "OPTIONAL { ?p gr:city ?c . ?c a gr:City } <https://x/q> dct:title ?u }", []).patterns
    star = ((SUBJECT, "https://x/t"), (TYPE, PRACTICE))
    assert set(found) == {(None, TYPE, PRACTICE, star), (None, SUBJECT, "https://x/t", star),
                          (None, TITLE, None, star), ("https://x/q", TITLE, None, ()),
                          (None, CITY, None, ()),  # (in the OPTIONAL's own pattern: ?p has nothing there)
                          (None, TYPE, "https://graphe.aimf.asso.fr/def#City", ((TYPE, "https://graphe.aimf.asso.fr/def#City"),))}


def test_an_answer_holds_while_no_changed_triple_matches_a_pattern() -> None:
    read = [(None, TYPE, PRACTICE), (None, SUBJECT, "https://x/ethics"), ("https://x/p", None, None)]
    other = "\x00"  # a literal in a change (`store.base.OTHER`)
    assert readset.untouched(read, [])
    assert readset.untouched(read, [{("https://x/q", TYPE, "https://x/Charter")},
                                    {("https://x/q", SUBJECT, "https://x/ai"), ("https://x/q", TITLE, other)}])
    assert not readset.untouched(read, [{("https://x/new", TYPE, PRACTICE)}])
    assert not readset.untouched(read, [set(), {("https://x/q", SUBJECT, "https://x/ethics")}])
    assert not readset.untouched(read, [{("https://x/p", TITLE, other)}])  # its subject, any predicate
    assert not readset.untouched([(None, None, None)], [{("a", "b", "c")}])


def test_a_changed_triple_whose_subject_cannot_join_its_pattern_does_not_count() -> None:
    """`possibly(subject, pairs)` says whether the subject might have had the pattern's other triples."""
    star = ((SUBJECT, "https://x/ethics"), (TYPE, PRACTICE))
    read = [(None, TYPE, PRACTICE, star), (None, SUBJECT, "https://x/ethics", star), (None, TITLE, None, star)]
    new_ai_practice = {("https://x/new", TYPE, PRACTICE), ("https://x/new", SUBJECT, "https://x/ai"),
                       ("https://x/new", TITLE, "\x00")}
    asked = []

    def possibly(subject: str, pairs) -> bool:  # type: ignore[no-untyped-def]
        asked.append(subject)
        return (SUBJECT, "https://x/ethics") not in pairs or subject == "https://x/old-ethics"
    assert readset.untouched(read, [new_ai_practice], possibly) and asked
    assert not readset.untouched(read, [new_ai_practice])  # (without the question: counted)
    assert not readset.untouched(read, [{("https://x/old-ethics", TITLE, "\x00")}], possibly)
