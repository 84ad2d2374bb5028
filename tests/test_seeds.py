"""The seed data: conforms, is sourced, and says what the sources say."""
from __future__ import annotations

from pathlib import Path

from graphe.cli import codegen
from graphe.core import rdf
from graphe.ingest.loading import validate
from graphe.service import Graphe

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://graphe.aimf.asso.fr/"


def test_seeds_conform_with_no_violation(seeded: Graphe) -> None:
    files = seeded.seed_files()
    assert len(files) >= 5
    report = seeded.validate_files(files, with_store=False)
    assert report.conforms, report.format("fr")


def test_seeds_load_under_another_base_iri(validator, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from graphe.core.settings import Settings
    other = Graphe.open(Settings(data_dir=None, base_iri="http://localhost:8000/"), validator=validator)
    try:
        assert other.store.ask("ASK { <http://localhost:8000/id/city/nantes> a schema:City }")
        assert not other.store.ask(f"ASK {{ <{BASE}id/city/nantes> ?p ?o }}")
    finally:
        other.close()


def test_the_eight_cities_with_countries_and_wkt_longitude_first(seeded: Graphe) -> None:
    rows = seeded.store.select("""SELECT ?name ?country ?lat ?lon ?wkt WHERE {
        ?c a schema:City ; schema:name ?name ; schema:addressCountry ?country ;
           schema:latitude ?lat ; schema:longitude ?lon ; geo:hasGeometry/geo:asWKT ?wkt
        FILTER(langMatches(lang(?name), "fr")) }""")
    cities = {r["name"].value: r for r in rows}
    assert set(cities) == {"Nantes", "Agadir", "Casablanca", "Dakar", "Dschang", "Genève", "Montréal", "Québec"}
    assert {cities[n]["country"].value for n in ("Agadir", "Casablanca")} == {"MA"}
    assert cities["Genève"]["country"].value == "CH" and cities["Québec"]["country"].value == "CA"
    for r in rows:
        lon, lat = r["wkt"].value.removeprefix("POINT(").removesuffix(")").split()
        assert (float(lon), float(lat)) == (float(r["lon"].value), float(r["lat"].value))
    # Wikidata only where the reference table gives it.
    linked = {r["n"].value for r in seeded.store.select(
        "SELECT ?n WHERE { ?c schema:name ?n ; schema:sameAs ?w FILTER(STRSTARTS(STR(?w), "
        "'http://www.wikidata.org/entity/Q')) FILTER(langMatches(lang(?n), 'fr')) }")}
    assert linked == {"Nantes", "Casablanca", "Dakar", "Genève", "Montréal", "Québec"}


def test_the_commission_is_chaired_by_nantes(seeded: Graphe) -> None:
    assert seeded.store.ask("""ASK { ?m org:member ?ville ; org:organization ?commission ; org:role gr:Chair .
        ?commission skos:prefLabel ?l ; org:subOrganizationOf ?aimf .
        FILTER(CONTAINS(STR(?l), "Villes innovantes"))
        ?nantes schema:name "Nantes"@fr ; gr:administeredBy ?ville }""")


def test_frameworks_criteria_and_mappings(seeded: Graphe) -> None:
    counts = {r["t"].value: int(r["n"].value) for r in seeded.store.select(
        "SELECT ?t (COUNT(?c) AS ?n) WHERE { ?c cv:isDerivedFrom ?ch . ?ch dct:title ?t "
        "FILTER(langMatches(lang(?t), 'fr')) } GROUP BY ?t")}
    assert sorted(counts.values()) == [7, 10], counts
    # Nantes' criteria cite Nantes Métropole's own page, which gives them word for word (a primary source).
    assert not seeded.store.ask("""ASK { ?c cv:isDerivedFrom ?ch ; gr:identifier ?id . ?ch gr:charterKind
        gr:AITrustFramework . FILTER NOT EXISTS { ?c dct:source/gr:sourceKind gr:PrimarySource } }""")
    mapped = seeded.store.select("""SELECT DISTINCT ?a ?b WHERE {
        ?a skos:closeMatch|skos:exactMatch|skos:relatedMatch ?b .
        ?a cv:isDerivedFrom ?x . ?b cv:isDerivedFrom ?y FILTER(?x != ?y) }""")
    assert len(mapped) >= 5


def test_every_criterion_mapping_says_who_asserts_it_when_and_on_what(seeded: Graphe) -> None:
    """A mapping is an editorial judgement: each SKOS match between two criteria has its gr:CriterionMapping,
    with an author, a date, a source and a comment in French and English."""
    bare = seeded.store.select("""SELECT ?a ?b WHERE { ?a skos:closeMatch|skos:exactMatch|skos:relatedMatch ?b .
        ?a a gr:Criterion . ?b a gr:Criterion
        FILTER NOT EXISTS { ?m gr:mappingSubject ?a ; gr:mappingObject ?b ; dct:creator ?who ;
                               dct:date ?when ; dct:source ?src ; rdfs:comment ?fr , ?en
                            FILTER(lang(?fr) = "fr" && lang(?en) = "en") } }""")
    assert bare == []
    strengths = {r["s"].value.rsplit("#", 1)[1] for r in seeded.store.select(
        "SELECT ?s WHERE { ?m a gr:CriterionMapping ; gr:mappingStrength ?s }")}
    assert strengths == {"CloseMapping", "RelatedMapping"}


def test_every_described_resource_has_a_source(seeded: Graphe) -> None:
    missing = seeded.store.select("""SELECT ?s WHERE { GRAPH ?data {
        ?s a ?type VALUES ?type { schema:City gr:Practice gr:Charter gr:Criterion schema:Event gr:ActionPlan
                                  org:Organization org:FormalOrganization cv:PublicOrganisation }
        FILTER NOT EXISTS { ?s dct:source ?src } } }""", {"data": seeded.store.graphs.public})
    assert missing == []


def test_every_seed_resource_cites_a_source_one_can_open(seeded: Graphe) -> None:
    """Every fact-bearing resource cites at least one source with an address (http or https), and every source
    names its publisher: nothing rests on an opaque 'reference facts' note."""
    unsourced = seeded.store.select("""SELECT ?s WHERE { GRAPH ?data {
        ?s a ?type VALUES ?type { schema:City gr:Practice gr:Charter gr:Criterion gr:CriterionMapping schema:Event
                                  gr:ActionPlan gr:AIProject gr:Adoption org:Organization org:FormalOrganization
                                  cv:PublicOrganisation org:Membership }
        FILTER NOT EXISTS { ?s dct:source ?src . ?src schema:url ?url
                            FILTER(STRSTARTS(STR(?url), "https://") || STRSTARTS(STR(?url), "http://")) } } }""",
                                   {"data": seeded.store.graphs.public})
    assert unsourced == []
    sources = seeded.store.select("""SELECT ?src ?url ?publisher WHERE { GRAPH ?data { ?src a gr:Source .
        OPTIONAL { ?src schema:url ?url } OPTIONAL { ?src dct:publisher ?publisher } } }""",
                                  {"data": seeded.store.graphs.public})
    assert len(sources) >= 20
    assert [r["src"].value for r in sources if "url" not in r or "publisher" not in r] == []
    assert not any("reference" in r["src"].value for r in sources)


def test_the_seeds_say_no_more_than_their_sources(seeded: Graphe) -> None:
    """Wording the sources do not support: the criteria "tested" in 2024 (only announced), the action plan
    "prepared" at the meeting (only to be advanced there), a "red line" no source names."""
    texts = " ".join(r["t"].value for r in seeded.store.select(
        "SELECT ?t WHERE { ?s ?p ?t FILTER(isLiteral(?t) && lang(?t) != '' && CONTAINS(STR(?s), '/id/')) }"))
    for claim in ("testée sur des projets réels", "tested on real projects", "élaboré lors de", "prepared at",
                  "ligne rouge", "red line", "D'après la presse", "According to the press", "environ 43 signataires"):
        assert claim not in texts, claim
    assert not seeded.store.ask("ASK { ?c gr:criterionKind gr:RedLine }")
    populations = {r["c"].value.rsplit("/", 1)[1]: int(r["n"].value) for r in seeded.store.select(
        "SELECT ?c ?n WHERE { ?c gr:population ?n }")}
    assert populations == {"casablanca": 3359818}
    projects = {r["p"].value.rsplit("/", 1)[1] for r in seeded.store.select("SELECT ?p WHERE { ?p a gr:AIProject }")}
    assert {"nantes-prevision-restauration-scolaire", "montreal-traitement-actes-notaries",
            "quebec-gestion-arterielle"} <= projects


def test_practices_from_the_article(seeded: Graphe) -> None:
    titles = {r["t"].value for r in seeded.store.select(
        "SELECT ?t WHERE { ?p a gr:Practice ; dct:title ?t FILTER(langMatches(lang(?t), 'fr')) }")}
    assert any("Nantes Débat de l" in t for t in titles), titles
    assert any("Guide des chartes territoriales de la donnée" in t for t in titles), titles


def test_the_ontology_validated_as_data_conforms(empty: Graphe) -> None:
    report = validate(None, empty.validator, empty.ontology_quads())
    assert report.conforms, report.format("fr")


def test_generated_namespace_matches_the_ontology() -> None:
    assert codegen.NAMESPACES_FILE.read_text(encoding="utf-8") == codegen.render_namespaces()
    from graphe.model.namespaces import GR
    declared = {name for name, _ in codegen.ontology_terms()}
    assert {"Practice", "Charter", "Criterion", "AIProject", "Assessment", "adaptedFrom"} <= declared
    assert str(GR.Practice) == rdf.GR + "Practice"
    try:
        GR.Pratice  # noqa: B018 — a typo must raise
    except AttributeError:
        pass
    else:
        raise AssertionError("GR accepted an unknown term")
