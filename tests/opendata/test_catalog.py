"""The DCAT-AP catalogue and the VoID description: official shapes, content, base IRI, serialisations."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pyshacl
import pytest
import rdflib
from rdflib.compare import isomorphic

from graphe.core import rdf
from graphe.opendata.catalog import ONTOLOGY, catalog_triples, void_triples
from graphe.service import Graphe
from graphe.core.settings import DEFAULT_BASE_IRI, Settings
from graphe.validation.validator import Validator

ROOT = Path(__file__).resolve().parents[2]
SHAPES = ROOT / "ontology" / "external" / "dcat-ap-3.0.1-SHACL.ttl"
BASE = "https://graphe.aimf.asso.fr/"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
GEO = rdflib.Namespace("http://www.opengis.net/ont/geosparql#")
LOCN = rdflib.Namespace("http://www.w3.org/ns/locn#")
IANA = "http://www.iana.org/assignments/media-types/"
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
LOCAL = "http://localhost:8000/"


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    """The official DCAT-AP 3.0.1 shapes, as vendored. The published file lists two property shapes of
    `dcat:DataServiceShape` that it never defines (SEMICeu/DCAT-AP#448), which SHACL engines refuse to load
    (pySHACL: "not a well-formed SHACL PropertyShape"); only those two dangling links are dropped."""
    graph = rdflib.Graph().parse(SHAPES)
    dangling = [(s, o) for s, o in graph.subject_objects(SH.property) if (o, None, None) not in graph]
    assert len(dangling) == 2, "the upstream file changed: revisit this workaround"
    for s, o in dangling:
        graph.remove((s, SH.property, o))
    return graph


@pytest.fixture(scope="module")
def local(validator: Validator) -> Iterator[Graphe]:
    graphe = Graphe.open(Settings(data_dir=None, base_iri=LOCAL), validator=validator, search="off")
    yield graphe
    graphe.close()


def parsed(triples: list[rdf.Triple]) -> rdflib.Graph:
    """What a harvester reads: the Turtle document, parsed back."""
    return rdflib.Graph().parse(data=rdf.serialize(triples, rdf.FORMATS["ttl"]), format="turtle")


def reference(triples: list[rdf.Triple]) -> rdflib.Graph:
    """The triples as rdflib terms. `rdf.to_rdflib_graph` types simple literals as `xsd:string` explicitly,
    which rdflib (unlike RDF 1.1) does not equate with the plain literals its parsers produce."""
    graph = rdflib.Graph()
    for s, p, o in rdf.to_rdflib_graph(triples):
        if isinstance(o, rdflib.Literal) and o.datatype == rdflib.XSD.string:
            o = rdflib.Literal(str(o))
        graph.add((s, p, o))
    return graph


def results(data: rdflib.Graph, shapes: rdflib.Graph) -> list[tuple[str, str, str]]:
    """(severity, focus node, path) of every validation result."""
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    return [(str(report.value(r, SH.resultSeverity)), str(report.value(r, SH.focusNode)),
             str(report.value(r, SH.resultPath))) for r in report.subjects(rdflib.RDF.type, SH.ValidationResult)]


def violations(data: rdflib.Graph, shapes: rdflib.Graph) -> list[tuple[str, str, str]]:
    return [r for r in results(data, shapes) if r[0] == str(SH.Violation)]


# ------------------------------------------------------------------------------------------- shapes

def test_catalogue_passes_the_official_dcat_ap_shapes(seeded: Graphe, shapes: rdflib.Graph) -> None:
    found = results(parsed(catalog_triples(seeded)), shapes)
    assert [r for r in found if r[0] == str(SH.Violation)] == []
    assert [r for r in found if r[0] == str(SH.Warning)] == []  # the 3.0.1 file declares no warning level


def test_published_documents_are_distributions_of_a_documents_dataset(fresh: Graphe, shapes: rdflib.Graph) -> None:
    """A document published with a record (here a city's council decision) is a distribution of the documents
    dataset — type, size, SHA-256, licence, language, its record — and the catalogue still passes DCAT-AP."""
    from graphe.opendata.catalog import catalog_triples
    assert "dataset/documents" not in str(catalog_triples(fresh))  # none published: no empty dataset
    fresh.load([ROOT / "ontology" / "examples" / "valid" / "city-document.ttl"])
    data = parsed(catalog_triples(fresh))
    assert violations(data, shapes) == []
    doc = rdflib.URIRef(BASE + "id/city/nantes/document/1")
    dataset = rdflib.URIRef(BASE + "dataset/documents")
    dcat, spdx = rdflib.Namespace("http://www.w3.org/ns/dcat#"), rdflib.Namespace("http://spdx.org/rdf/terms#")
    assert (dataset, dcat.distribution, doc) in data and (doc, rdflib.RDF.type, dcat.Distribution) in data
    assert str(data.value(doc, dcat.byteSize)) == "48213"
    assert str(data.value(data.value(doc, spdx.checksum), spdx.checksumValue)).startswith("3b91e52b")
    assert data.value(doc, rdflib.DCTERMS.relation) == rdflib.URIRef(BASE + "id/city/nantes")
    assert str(data.value(doc, dcat.downloadURL)).startswith(BASE + "documents/")
    # The download endpoint finds it by its checksum on either backend (an xsd:hexBinary literal).
    from graphe.read.documents import by_checksum
    found = by_checksum(fresh.store, "3b91e52bc923b83f899955f2083a107a22db64fe2285a5d8e6e067fc80059643")
    assert found is not None and found.iri == str(doc) and found.media_type == "application/pdf"


def test_a_dataset_without_title_is_a_violation(seeded: Graphe, shapes: rdflib.Graph) -> None:
    data = parsed(catalog_triples(seeded))
    dataset = rdflib.URIRef(DEFAULT_BASE_IRI + "dataset/graphe")
    assert (dataset, DCT.title, None) in data
    data.remove((dataset, DCT.title, None))
    assert (str(SH.Violation), str(dataset), str(DCT.title)) in violations(data, shapes)


def test_catalogue_of_an_empty_store_passes_too(empty: Graphe, shapes: rdflib.Graph) -> None:
    data = parsed(catalog_triples(empty))
    assert violations(data, shapes) == []
    assert (None, DCT.spatial, None) not in data  # no city, no made-up geometry


# ------------------------------------------------------------------------------------------- content

def test_distributions_are_under_the_base_iri_with_media_types(seeded: Graphe) -> None:
    data = parsed(catalog_triples(seeded))
    dataset = rdflib.URIRef(DEFAULT_BASE_IRI + "dataset/graphe")
    distributions = list(data.objects(dataset, DCAT.distribution))
    downloads = {}
    for d in distributions:
        assert (d, rdflib.RDF.type, DCAT.Distribution) in data
        url = str(data.value(d, DCAT.downloadURL))
        assert url.startswith(DEFAULT_BASE_IRI + "export/") or url == DEFAULT_BASE_IRI + "flux/pratiques.atom"
        assert data.value(d, DCAT.accessURL) is not None
        assert str(data.value(d, DCAT.mediaType)).startswith(IANA)
        assert str(data.value(d, DCT["format"])).startswith(EU_FILE_TYPE)
        assert {t.language for t in data.objects(d, DCT.title)} == {"fr", "en"}
        assert data.value(d, DCT.license) == rdflib.URIRef(seeded.settings.license)
        compressed = data.value(d, DCAT.compressFormat)
        assert (compressed == rdflib.URIRef(IANA + "application/gzip")) == url.endswith(".gz")
        downloads[url.removeprefix(DEFAULT_BASE_IRI + "export/")] = str(data.value(d, DCAT.mediaType))
    expected = {"graphe.ttl": "text/turtle", "graphe.nt": "application/n-triples", "graphe.nq": "application/n-quads",
                "graphe.jsonld": "application/ld+json", "graphe.rdf": "application/rdf+xml"}
    for file, media in expected.items():
        assert downloads[file] == downloads[file + ".gz"] == IANA + media
    assert downloads["practices.csv"] == IANA + "text/csv"
    assert downloads[DEFAULT_BASE_IRI + "flux/pratiques.atom"] == IANA + "application/atom+xml"
    assert len(downloads) == len(distributions) == 12


def test_the_change_feed_is_a_data_service_and_the_atom_feed_a_distribution(seeded: Graphe) -> None:
    data = parsed(catalog_triples(seeded))
    catalog, dataset = (rdflib.URIRef(DEFAULT_BASE_IRI + p) for p in ("catalog", "dataset/graphe"))
    service = rdflib.URIRef(DEFAULT_BASE_IRI + "catalog#changes")
    assert (catalog, DCAT.service, service) in data and (service, rdflib.RDF.type, DCAT.DataService) in data
    assert data.value(service, DCAT.endpointURL) == rdflib.URIRef(DEFAULT_BASE_IRI + "changes")
    assert data.value(service, DCAT.endpointDescription) is not None
    assert data.value(service, DCAT.servesDataset) == dataset
    assert {t.language for t in data.objects(service, DCT.description)} == {"fr", "en"}
    feed = rdflib.URIRef(DEFAULT_BASE_IRI + "dataset/graphe#pratiques-atom")
    assert (dataset, DCAT.distribution, feed) in data
    assert data.value(feed, DCT["format"]) == rdflib.URIRef(EU_FILE_TYPE + "ATOM")
    assert "/flux/theme/" in str(next(d for d in data.objects(feed, DCT.description) if d.language == "fr"))


def test_modified_is_the_time_of_the_last_revision(seeded: Graphe) -> None:
    data = parsed(catalog_triples(seeded))
    last = seeded.store.revision().time
    for subject in ("catalog", "dataset/graphe"):
        modified = data.value(rdflib.URIRef(DEFAULT_BASE_IRI + subject), DCT.modified)
        assert modified.datatype == rdflib.XSD.dateTime
        assert dt.datetime.fromisoformat(str(modified)) == last
        issued = data.value(rdflib.URIRef(DEFAULT_BASE_IRI + subject), DCT.issued)
        assert dt.datetime.fromisoformat(str(issued)) <= last


def test_themes_are_keywords_in_french_and_english(seeded: Graphe) -> None:
    data = parsed(catalog_triples(seeded))
    keywords = {(str(k), k.language) for k in data.objects(rdflib.URIRef(DEFAULT_BASE_IRI + "dataset/graphe"),
                                                            DCAT.keyword)}
    rows = seeded.store.select("SELECT ?fr ?en WHERE { ?t skos:inScheme ?scheme ; skos:prefLabel ?fr, ?en "
                               "FILTER(lang(?fr) = 'fr' && lang(?en) = 'en') }",
                               {"scheme": rdf.NamedNode(DEFAULT_BASE_IRI + "id/theme")})
    assert len(rows) > 10
    for row in rows:
        assert (row["fr"].value, "fr") in keywords and (row["en"].value, "en") in keywords
    assert ("Intelligence artificielle", "fr") in keywords and ("Artificial intelligence", "en") in keywords
    themes = {str(t) for t in data.objects(rdflib.URIRef(DEFAULT_BASE_IRI + "dataset/graphe"), DCAT.theme)}
    assert themes == {"http://publications.europa.eu/resource/authority/data-theme/GOVE",
                      "http://publications.europa.eu/resource/authority/data-theme/TECH"}


def test_spatial_geometry_holds_every_city_longitude_first(seeded: Graphe) -> None:
    data = parsed(catalog_triples(seeded))
    location = data.value(rdflib.URIRef(DEFAULT_BASE_IRI + "dataset/graphe"), DCT.spatial)
    assert (location, rdflib.RDF.type, DCT.Location) in data
    wkt = data.value(data.value(location, LOCN.geometry), GEO.asWKT)
    assert wkt.datatype == GEO.wktLiteral and str(wkt).startswith("MULTIPOINT(")
    points = {(float(x), float(y)) for x, y in re.findall(r"\(([-\d.]+) ([-\d.]+)\)", str(wkt))}
    cities = seeded.store.select("SELECT ?lon ?lat WHERE { ?c a schema:City ; schema:longitude ?lon ; "
                                 "schema:latitude ?lat }")
    assert len(cities) == 8
    assert {(float(r["lon"].value), float(r["lat"].value)) for r in cities} == points
    assert (-1.553, 47.218) in points  # Nantes: longitude first
    bbox = str(data.value(location, DCAT.bbox))
    assert bbox.startswith("POLYGON((-73.5542 5.45, 10.067 5.45, 10.067 47.218, ")


def test_catalogue_is_cheap(seeded: Graphe) -> None:
    before = seeded.store.queries
    catalog_triples(seeded)
    assert seeded.store.queries - before <= 5


def test_everything_follows_the_base_iri(local: Graphe) -> None:
    for triples in (catalog_triples(local), void_triples(local)):
        mentioned = {t.value for tr in triples for t in (tr.subject, tr.object) if isinstance(t, rdf.NamedNode)}
        assert LOCAL + "catalog" in mentioned or LOCAL + "dataset/graphe" in mentioned
        # Only the ontology stays on the default host: a fixed vocabulary IRI, like its terms (gr:Practice…).
        assert all(i == ONTOLOGY or i.startswith(rdf.GR) for i in mentioned if i.startswith(DEFAULT_BASE_IRI))
        assert {i for i in mentioned if i.startswith(LOCAL)} >= {LOCAL + "dataset/graphe", LOCAL + "sparql"}
    data = parsed(catalog_triples(local))
    assert {str(u) for u in data.objects(None, DCAT.downloadURL)} >= {LOCAL + "export/graphe.ttl",
                                                                    LOCAL + "export/practices.csv"}
    assert data.value(rdflib.URIRef(LOCAL + "dataset/graphe"), DCT.publisher) == \
        rdflib.URIRef(LOCAL + "id/organisation/aimf")
    assert len(list(data.objects(rdflib.URIRef(LOCAL + "dataset/graphe"), DCAT.keyword))) > 20


# ------------------------------------------------------------------------------------------- VoID

def test_void_counts_match_the_service(seeded: Graphe) -> None:
    data = parsed(void_triples(seeded))
    dataset = rdflib.URIRef(DEFAULT_BASE_IRI + "dataset/graphe")
    assert (dataset, rdflib.RDF.type, VOID.Dataset) in data
    assert data.value(dataset, VOID.triples).toPython() == seeded.store.count(seeded.store.graphs.public)
    partitions = {str(data.value(p, VOID["class"])): data.value(p, VOID.entities).toPython()
                  for p in data.objects(dataset, VOID.classPartition)}
    assert partitions == {c.iri: c.count for c in seeded.class_counts()}
    assert data.value(dataset, VOID.entities).toPython() > 50
    assert str(data.value(dataset, VOID.uriSpace)) == DEFAULT_BASE_IRI + "id/"
    assert data.value(dataset, VOID.sparqlEndpoint) == rdflib.URIRef(DEFAULT_BASE_IRI + "sparql")
    dumps = {str(d) for d in data.objects(dataset, VOID.dataDump)}
    assert DEFAULT_BASE_IRI + "export/graphe.nq" in dumps and len(dumps) == 10
    assert {str(o) for o in data.objects(dataset, rdflib.RDFS.seeAlso)} == {
        DEFAULT_BASE_IRI + "changes", DEFAULT_BASE_IRI + "flux/pratiques.atom"}
    service = rdflib.URIRef(DEFAULT_BASE_IRI + "catalog#changes")  # the catalogue's node, the same IRI
    assert data.value(service, DCAT.servesDataset) == dataset
    vocabularies = {str(v) for v in data.objects(dataset, VOID.vocabulary)}
    assert {"https://schema.org/", "http://www.w3.org/2004/02/skos/core#", "http://purl.org/dc/terms/",
            "https://graphe.aimf.asso.fr/def#"} <= vocabularies
    assert not any(v.startswith(DEFAULT_BASE_IRI + "id/") for v in vocabularies)
    assert dt.datetime.fromisoformat(str(data.value(dataset, DCT.modified))) == seeded.store.revision().time


# ------------------------------------------------------------------------------------------- formats

@pytest.mark.parametrize("build", [catalog_triples, void_triples], ids=["catalog", "void"])
@pytest.mark.parametrize("fmt, parser", [("ttl", "turtle"), ("jsonld", "json-ld"), ("rdf", "xml")])
def test_serialisations_round_trip(seeded: Graphe, build, fmt: str, parser: str) -> None:  # type: ignore[no-untyped-def]
    triples = build(seeded)
    text = rdf.serialize(triples, rdf.FORMATS[fmt])
    assert isinstance(text, bytes) and text
    back = rdflib.Graph().parse(data=text, format=parser)
    assert len(back) == len(set(triples))
    assert isomorphic(back, reference(triples))
