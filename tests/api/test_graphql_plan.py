"""`graphe.api.plan` completes levels of an answer outside graphql-core: its answers must be graphql-core's,
byte for byte — data, errors and their paths —, it must read the store no more often, and it must really
be the path taken (else these tests would prove nothing)."""
from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from graphql import (GraphQLEnumType, GraphQLInputObjectType, GraphQLList, GraphQLNonNull, GraphQLObjectType,
                     GraphQLSchema, is_leaf_type)

from graphe.api.context import Context
from graphe.api.plan import READ
from graphe.api.schema import build_schema, format_error
from graphe.service import Graphe

BASE = "https://graphe.aimf.asso.fr/"


@pytest.fixture(scope="module")
def schemas() -> tuple[Any, Any]:
    return build_schema(), build_schema(planned=False)


def run(schema, graphe: Graphe, query: str, variables: dict | None = None,  # type: ignore[no-untyped-def]
        langs: tuple[str, ...] = (), cold: bool = True) -> tuple[dict, int]:
    """The answer as a client sees it, and the number of store queries it took (cold: nothing kept)."""
    if cold:
        while graphe.warming:  # a service started on this Graphe may still be reading ahead into the cache
            time.sleep(0.01)
        graphe.reads.clear()
    before = graphe.store.queries
    result = asyncio.run(schema.execute(query, variable_values=variables, context_value=Context(graphe, langs)))
    answer: dict[str, Any] = {"data": result.data}
    if result.errors:
        answer["errors"] = [format_error(e) for e in result.errors]
    return answer, graphe.store.queries - before


def selection(schema: GraphQLSchema, type_name: str, depth: int) -> str:
    """Every field of a type callable without arguments, objects followed `depth` levels down."""
    parts = []
    for name, field in schema.type_map[type_name].fields.items():  # type: ignore[union-attr]
        if any(isinstance(a.type, GraphQLNonNull) and a.default_value is None for a in field.args.values()):
            continue
        inner = field.type
        while isinstance(inner, (GraphQLNonNull, GraphQLList)):
            inner = inner.of_type
        if is_leaf_type(inner):
            parts.append(name)
        elif isinstance(inner, GraphQLObjectType) and depth > 0 and name != "history":
            parts.append(f"{name} {{ {selection(schema, inner.name, depth - 1)} }}")
    return " ".join(parts) or "__typename"


ONE = {"practice": "Practice", "city": "City", "charter": "Charter", "aiProject": "AIProject"}


def first_ids(graphe: Graphe, cls: str, n: int = 3) -> list[str]:
    rows = graphe.store.select(f"SELECT ?s WHERE {{ ?s a <https://graphe.aimf.asso.fr/def#{cls}> }} "
                               f"ORDER BY ?s LIMIT {n}")
    return [r["s"].value for r in rows]


def corpus(graphe: Graphe, schema: GraphQLSchema) -> list[tuple[str, dict | None]]:
    out: list[tuple[str, dict | None]] = []
    for root, type_name in ONE.items():
        fields = selection(schema, type_name, 2)
        for iri in first_ids(graphe, "AIProject" if type_name == "AIProject" else type_name):
            out.append((f"query($id: ID!) {{ {root}(id: $id) {{ {fields} }} }}", {"id": iri}))
    for root, type_name in (("practices", "Practice"), ("cities", "City"), ("charters", "Charter"),
                            ("criteria", "Criterion"), ("aiProjects", "AIProject")):
        fields = selection(schema, type_name, 1)
        out.append((f"{{ {root}(first: 7) {{ totalCount pageInfo {{ hasNextPage endCursor }} "
                    f"edges {{ cursor node {{ __typename {fields} }} }} }} }}", None))
    out += [
        # the bench's pages, with variables, fragments, aliases, @include/@skip and a language argument
        ("""query($t: [ID!], $o: PracticeOrder, $n: Int, $withCity: Boolean!) {
              practices(first: $n, filter: {themes: $t}, orderBy: $o) { edges { node { ...card
                ville: city @include(if: $withCity) { name country } themes @skip(if: $withCity) { label } } } } }
            fragment card on Practice { id title en: title(lang: ["en"]) keywords(lang: ["en", "fr"]) status { code } }""",
         {"t": [BASE + "id/theme/energy"], "o": {"field": "TITLE", "direction": "DESC"}, "n": 12, "withCity": True}),
        ("""query($withCity: Boolean!) { practices(first: 9, orderBy: {field: ISSUED}) { edges { node {
              title city @include(if: $withCity) { name } themes @skip(if: $withCity) { label } } } } }""",
         {"withCity": False}),
        # nested lists four levels down, a field graphql-core must run (async `matches`, `history`) inside
        ("""{ practices(first: 20, orderBy: {field: ID}) { edges { node { title city { name charters { title
              criteria { label matches { match criterion { label } } } } } } } } }""", None),
        ("""{ practices(first: 5) { edges { node { title history { number action } city { name } } } } }""", None),
        ("""{ themes { id label en: label(lang: ["en"]) narrower { label(lang: ["en", "fr"]) } broader { label } }
              charters(first: 20) { edges { node { title(lang: ["en"]) criteria { label(lang: ["en"]) } } } } }""",
         None),
        ("""{ themes { id label narrower { label } broader { label } } practiceFacets { themes { theme { label }
              count } countries { country count } statuses { value { code label } count } } }""", None),
        # an abstract type (search results), and errors: unknown ids, a bad cursor
        ("""{ search(text: "énergie", first: 5) { totalCount edges { node { score snippet target {
              __typename ... on Practice { title city { name } } ... on Charter { title } } } } } }""", None),
        ("""{ practice(id: "https://graphe.aimf.asso.fr/id/practice/nope") { title }
              city(id: "pas une IRI") { name } }""", None),
        # several lookups by IRI at the root: their entities read in one batch, as the DataLoader does
        ("""query($a: ID!, $b: ID!, $c: ID!) { a: practice(id: $a) { title } b: practice(id: $b) { title }
              c: city(id: $c) { name } }""",
         {"a": first_ids(graphe, "Practice")[0], "b": first_ids(graphe, "Practice")[1], "c": BASE + "id/city/dakar"}),
        ("""{ practices(first: 3, after: "!!") { edges { node { title } } } }""", None),
        # events and action plans, whole and as lists; filters by name
        ("query($e: ID!, $p: ID!) { event(id: $e) { %s } actionPlan(id: $p) { %s } }"
         % (selection(schema, "Event", 2), selection(schema, "ActionPlan", 2)),
         {"e": BASE + "id/event/commission-villes-innovantes-nantes-2024",
          "p": BASE + "id/plan/commission-villes-innovantes-ia-2024-2025"}),
        # (one list per query: two list roots read their pages in two batches when planned, in one otherwise)
        ("{ events { edges { node { %s } } } }" % selection(schema, "Event", 1), None),
        ("{ actionPlans(themes: [\"ai\"]) { totalCount edges { node { %s } } } }" % selection(schema, "ActionPlan", 1),
         None),
        ("""{ practices(first: 10, filter: {cities: ["fes", "gen-3"], countries: ["Belgique", "Maroc"]}) {
              totalCount edges { node { title city { name } } } } }""", None),
        ("""{ aiProjects(first: 5, filter: {charters: ["%sid/charter/gen-1"], verdicts: [MET]}) { totalCount
              edges { node { title assessments { verdict { code } } } } } }""" % BASE, None),
    ]
    return out


def test_planned_answers_are_graphql_cores_and_read_no_more(rich: Graphe, schemas) -> None:  # type: ignore[no-untyped-def]
    planned, reference = schemas
    cases = corpus(rich, reference._schema)
    assert len(cases) > 20
    compared = 0
    for query, variables in cases:
        for langs in ((), ("en",)):
            expected, expected_reads = run(reference, rich, query, variables, langs)
            got, reads = run(planned, rich, query, variables, langs)
            assert got == expected, query
            assert reads <= expected_reads, query
            again, _ = run(planned, rich, query, variables, langs, cold=False)  # from the read cache
            assert again == expected, query
            compared += bool(expected.get("data"))
    assert compared >= 20  # most of the corpus answers data, not only errors


def test_the_planned_path_is_taken_and_hands_back_what_it_cannot_do(rich: Graphe) -> None:
    """A planned level never calls graphql-core's resolver; a level with a field the plan cannot read is
    handed back whole (its resolvers run)."""
    schema = build_schema()
    called: list[str] = []
    field = schema._schema.type_map["Practice"].fields["title"]  # type: ignore[union-attr]
    resolve = field.resolve

    def spy(*args: Any, **kwargs: Any) -> Any:
        called.append("title")
        return resolve(*args, **kwargs)

    field.resolve = spy
    answer, _ = run(schema, rich, "{ practices(first: 5) { edges { node { title city { name } } } } }")
    assert len(answer["data"]["practices"]["edges"]) == 5 and not answer.get("errors")
    assert called == []
    answer, _ = run(schema, rich, "{ practices(first: 5) { edges { node { title history { number action } } } } }")
    assert called == ["title"] * 5 and not answer.get("errors")


def test_store_queries_per_level_do_not_grow_with_the_page(rich: Graphe) -> None:
    """One read per level and kind, whatever the page size, planned or handed back (`matches` makes the
    criteria level graphql-core's)."""
    schema = build_schema()
    query = """{ practices(first: %d, orderBy: {field: ID}) { edges { node { title
        city { name } charters { title criteria { label %s } } } } } }"""
    for extra in ("", "matches { match }"):
        counts = []
        for n in (3, 15):
            answer, reads = run(schema, rich, query % (n, extra))
            assert not answer.get("errors") and len(answer["data"]["practices"]["edges"]) == n, answer
            counts.append(reads)
        assert 0 < counts[1] <= counts[0], (extra, counts)


def test_long_texts_are_read_apart_in_one_batch_and_only_when_asked(rich: Graphe) -> None:
    """Entities are kept without their long texts (a practice's full description): a page asking for
    them reads them in one more query, whatever its size, and gets exactly what the store holds."""
    schema = build_schema()
    query = "query($n: Int) { practices(first: $n, orderBy: {field: ID}) { edges { node { id %s } } } }"
    short = [run(schema, rich, query % "title", {"n": n})[1] for n in (3, 30)]
    long = [run(schema, rich, query % "title body", {"n": n})[1] for n in (3, 30)]
    assert short[0] == short[1] and long == [short[0] + 1, short[1] + 1]
    answer, _ = run(schema, rich, query % "body bodyTranslations { lang value }", {"n": 30})
    nodes = [e["node"] for e in answer["data"]["practices"]["edges"]]
    stored = {r["s"].value: r["d"].value for r in rich.store.select(
        "SELECT ?s ?d WHERE { ?s a <https://graphe.aimf.asso.fr/def#Practice> ; <http://purl.org/dc/terms/description> ?d "
        "FILTER(LANG(?d) = 'fr') }")}
    assert sum(1 for n in nodes if n["body"]) >= 20
    for node in nodes:
        assert node["body"] == stored.get(node["id"])
        assert node["body"] is None or {"lang": "fr", "value": node["body"]} in node["bodyTranslations"]


# Values for the arguments of root fields, by argument or input-field name (else by type): enough that
# every filter, order and page argument of every planned root field is given, alone, null, empty and wrong.
SAMPLES: dict[str, list] = {
    "themes": [[BASE + "id/theme/energy"], [BASE + "id/theme/energy", BASE + "id/theme/mobility"], [], ["ai", "Mobilité"],
               ["nulle part"]],
    "countries": [["SN"], ["FR", "MA"], [], ["Maroc", "senegal"], ["Atlantide"]],
    "cities": [[BASE + "id/city/dakar"], [BASE + "id/city/nantes", "pas une IRI"], ["Genève", "fes", "gen-3"],
               ["x" * 400]],
    "names": [["nantes", "Montreal"], ["Atlantide"], ["FR"] * 101],
    "charters": [[BASE + "id/charter/nantes-ai-trust-framework"], []],
    "publishers": [[BASE + "id/org/nantes-metropole"]],
    "adoptedBy": [[BASE + "id/city/nantes"]],
    "criteria": [[BASE + "id/criterion/nantes-ai-trust-framework/1"]],
    "issuedAfter": ["2020-01-01", "pas une date"],
    "issuedBefore": ["2023-06-30"],
    "first": [0, 3, 101, -1],
    "after": ["!!", "bzoy"],  # a bad cursor; one after the second item ("o:1", base64)
}


def samples(name: str, type_: Any) -> list:
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if name in SAMPLES:
        return SAMPLES[name] + [None]
    if isinstance(type_, GraphQLList):
        return [[v] for v in samples(name, type_.of_type) if v is not None] + [[], None]
    if isinstance(type_, GraphQLEnumType):
        return [*type_.values, "INCONNU", None]
    if isinstance(type_, GraphQLInputObjectType):
        out: list = [{}, None]
        for field_name, field in type_.fields.items():
            out += [{field_name: v} for v in samples(field_name, field.type)]
        return out
    return {"Boolean": [True, False], "Int": [2], "Date": ["2021-01-01"]}.get(type_.name, ["x"]) + [None]


def test_planned_root_fields_convert_their_arguments_as_strawberry_does(rich: Graphe, schemas) -> None:  # type: ignore[no-untyped-def]
    """Root fields are read outside graphql-core from their arguments, converted once per distinct value
    and shared between requests: every argument value (valid, null, empty, wrong) gives graphql-core's
    answer, and so does each value asked again right after another (no stale conversion)."""
    planned, reference = schemas
    root = planned._schema.query_type
    fields = [(name, f) for name, f in root.fields.items() if f.extensions.get(READ) and f.args.get("first")]
    assert {"practices", "cities", "charters", "criteria", "aiProjects", "organisations", "events",
            "actionPlans"} <= dict(fields).keys()
    cases = found = 0
    for name, field in fields:
        variables = [{arg: value} for arg, definition in field.args.items() for value in samples(arg, definition.type)]
        types = ", ".join(f"${a}: {d.type}" for a, d in field.args.items())
        given = ", ".join(f"{a}: ${a}" for a in field.args)
        query = f"query({types}) {{ {name}({given}) {{ totalCount edges {{ cursor node {{ id }} }} }} }}"
        for values in variables + variables[::-1]:
            values = {"first": 4, **values} if "first" not in values else values
            expected, _ = run(reference, rich, query, values, cold=False)
            got, _ = run(planned, rich, query, values, cold=False)
            assert got == expected, (name, values)
            cases += 1
            found += bool(((got["data"] or {}).get(name) or {}).get("totalCount")) and set(values) - {"first"} != set()
    assert cases > 300 and found > 150  # most give data, not only errors or empty lists


def test_root_fields_are_planned_and_handed_back_whole(rich: Graphe) -> None:
    """A query whose root fields all have a `Read` never calls their resolvers; one root field without
    (`themes`), or a field below that graphql-core must run (`facets`), and graphql-core runs them all."""
    schema = build_schema()
    called: list[str] = []
    field = schema._schema.query_type.fields["practices"]
    resolve = field.resolve

    def spy(*args: Any, **kwargs: Any) -> Any:
        called.append("practices")
        return resolve(*args, **kwargs)

    field.resolve = spy
    query = "{ practices(first: 2, filter: {countries: [\"SN\"]}) { totalCount edges { node { title } } } %s }"
    for extra, runs in (("", []), ("themes { label }", ["practices"]), ("p2: practice(id: \"%sid/practice/x\") { title }" % BASE, ["practices"])):
        called.clear()
        answer, _ = run(schema, rich, query % extra)
        assert answer["data"]["practices"]["totalCount"] > 0 and called == runs, extra
    called.clear()
    answer, _ = run(schema, rich, "{ practices(first: 2) { facets { countries { country count } } edges { node { id } } } }")
    assert answer["data"]["practices"]["facets"]["countries"] and called == ["practices"]


def test_each_document_is_validated_once(rich: Graphe, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Validation is kept per parsed document (by identity, with the document), errors included."""
    from graphe.api import schema as module
    validated: list[int] = []
    real = module.validate_document

    def counting(schema, document, rules):  # type: ignore[no-untyped-def]
        validated.append(id(document))
        return real(schema, document, rules)

    monkeypatch.setattr(module, "validate_document", counting)
    schema = build_schema()
    for _ in range(3):
        answer, _ = run(schema, rich, "{ practices(first: 1) { totalCount } }", cold=False)
        assert answer["data"]["practices"]["totalCount"] > 0
        answer, _ = run(schema, rich, "{ practices(first: 1) { nombreTotal } }", cold=False)
        assert answer["data"] is None and "nombreTotal" in answer["errors"][0]["message"]
    assert len(validated) == 2


def test_a_planned_request_leaves_nothing_for_the_cyclic_collector(rich: Graphe) -> None:
    """graphql-core's executor holds two of its own bound methods (a cycle): unbroken, every request's
    executor and all it collected waited for the cyclic collector (120 to 190 objects a request, young
    passes every few dozen requests under load). Broken at the end, reference counting frees it all."""
    import gc

    schema = build_schema()
    query = """query($t: [ID!], $o: PracticeOrder) { practices(first: 20, filter: {themes: $t}, orderBy: $o) {
        edges { node { id title city { name country } themes { label } } } } }"""
    variables = [{"t": [BASE + "id/theme/" + t], "o": {"field": f, "direction": "DESC"}}
                 for t in ("energy", "mobility", "ai") for f in ("TITLE", "ISSUED", "ID")]

    async def requests() -> int:
        for v in variables:  # first: lists, entities and validation kept
            assert not (await schema.execute(query, variable_values=v, context_value=Context(rich))).errors
        gc.collect()
        gc.disable()
        try:
            for v in variables * 3:
                result = await schema.execute(query, variable_values=v, context_value=Context(rich))
                assert not result.errors and result.data["practices"]["edges"]
            return gc.collect()
        finally:
            gc.enable()

    # Fewer than 10 objects a request (27 requests; unbroken, 120 to 190 each). A remote store's HTTP client
    # may leave a few of its own now and then.
    assert asyncio.run(requests()) < 10 * len(variables) * 3
