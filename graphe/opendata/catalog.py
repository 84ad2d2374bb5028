"""The DCAT-AP 3 catalogue and the VoID description of a Graphe deployment, as pure functions of the store.

Open-data portals (data.gouv.fr, data.europa.eu) harvest the catalogue; Linked Data tools read the VoID.
Both are lists of pyoxigraph triples, every Graphe IRI under the deployment's base IRI; the caller
serialises them and caches them per revision (`Graphe.cached`). Each function runs a handful of queries.

Referenced authority resources (licence, languages, media types, file types, frequency, data themes,
standards) are typed in the catalogue itself (`dct:LicenseDocument`, `dct:MediaType`…), so that a harvester
validating the document alone against the DCAT-AP shapes (`sh:class`) finds what it needs.
"""
from __future__ import annotations

import datetime as dt

from ..core.rdf import PREFIXES, RDF_TYPE, BlankNode, Literal, NamedNode, Term, Triple
from ..model.namespaces import NS
from ..service import Graphe
from ..read import published
from ..read.documents import SPDX, DocumentEntry, published_documents

XSD, GEO = PREFIXES["xsd"], PREFIXES["geo"]
NAMESPACES = {**PREFIXES, "foaf": "http://xmlns.com/foaf/0.1/", "vcard": "http://www.w3.org/2006/vcard/ns#",
              "locn": "http://www.w3.org/ns/locn#", "void": "http://rdfs.org/ns/void#", "spdx": SPDX}
EU = "http://publications.europa.eu/resource/authority/"
IANA = "http://www.iana.org/assignments/media-types/"

ONTOLOGY = NS.rstrip("#")  # the Graphe ontology, a fixed vocabulary IRI (not under the base IRI)
AIMF_WEBSITE = "https://www.aimf.asso.fr/"
AIMF_NAMES = {"fr": "Association Internationale des Maires Francophones",
              "en": "International Association of Francophone Mayors"}  # used only if the store has none
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"
GRAPHQL_OVER_HTTP = "https://graphql.github.io/graphql-over-http/draft/"
ATOM = "https://www.rfc-editor.org/rfc/rfc4287"
LANGUAGES = (EU + "language/FRA", EU + "language/ENG")
DATA_THEMES = {  # EU data-theme authority: code → labels (fr, en) as published by the Publications Office
    "GOVE": ("Gouvernement et secteur public", "Government and public sector"),
    "TECH": ("Science et technologie", "Science and technology"),
}
# The dumps: (extension, EU file type, IANA media type, format label).
DUMPS = (("ttl", "RDF_TURTLE", "text/turtle", "Turtle"),
         ("nt", "RDF_N_TRIPLES", "application/n-triples", "N-Triples"),
         ("nq", "RDF_N_QUADS", "application/n-quads", "N-Quads"),
         ("jsonld", "JSON_LD", "application/ld+json", "JSON-LD"),
         ("rdf", "RDF_XML", "application/rdf+xml", "RDF/XML"))
GZIP = IANA + "application/gzip"
_iri = NamedNode


def _text(value: str, lang: str | None = None) -> Literal:
    return Literal(value, language=lang or None)


def _typed(value: str, datatype: str) -> Literal:
    return Literal(value, datatype=NamedNode(datatype))


def _when(time: dt.datetime) -> Literal:
    return _typed(time.isoformat(), XSD + "dateTime")


def _curie(curie: str) -> NamedNode:
    prefix, _, local = curie.partition(":")
    return NamedNode(NAMESPACES[prefix] + local)


class _Graph:
    """A small triple builder: `g.add(subject, "dct:title", obj, …)`; CURIEs for predicates and classes."""

    def __init__(self) -> None:
        self.triples: dict[Triple, None] = {}  # ordered, and shared nodes are typed once

    def add(self, subject: NamedNode | BlankNode, predicate: str, *objects: Term | str) -> None:
        p = RDF_TYPE if predicate == "a" else _curie(predicate)
        for o in objects:
            self.triples[Triple(subject, p, _curie(o) if isinstance(o, str) else o)] = None

    def texts(self, subject: NamedNode, predicate: str, fr: str, en: str) -> None:
        self.add(subject, predicate, _text(fr, "fr"), _text(en, "en"))


# ------------------------------------------------------------------------------------------- reading

# ------------------------------------------------------------------------------------------- catalogue

def catalog_triples(graphe: Graphe) -> list[Triple]:
    """The DCAT-AP 3.0.1 catalogue: `{base}catalog`, its dataset `{base}dataset/graphe` with one distribution
    per dump (plain and gzip) and the practices CSV, the SPARQL and GraphQL data services, and the theme
    taxonomies. Validates against the official DCAT-AP 3.0.1 shapes without violation."""
    b = graphe.settings.base_iri
    g = _Graph()
    facts = published.catalogue_facts(graphe.store, graphe.settings.base_iri)
    revision = graphe.store.revision()
    issued = published.first_revision_time(graphe.store)
    catalog, dataset, aimf = _iri(b + "catalog"), _iri(b + "dataset/graphe"), _iri(b + "id/organisation/aimf")
    licence, scheme = _iri(graphe.settings.license), _iri(b + "id/theme")
    sparql, graphql = _iri(b + "catalog#sparql"), _iri(b + "catalog#graphql")
    changes = _iri(b + "catalog#changes")

    def dated(subject: NamedNode) -> None:
        if issued is not None:
            g.add(subject, "dct:issued", _when(issued))
        if revision.time is not None:
            g.add(subject, "dct:modified", _when(revision.time))

    g.add(catalog, "a", "dcat:Catalog")
    g.texts(catalog, "dct:title", "Catalogue de Graphe", "Graphe catalogue")
    g.texts(catalog, "dct:description",
            "Catalogue des données ouvertes de Graphe, le graphe de connaissances des bonnes pratiques des villes "
            "francophones de l'AIMF : le jeu de données, ses exports et ses points d'accès SPARQL et GraphQL.",
            "Open-data catalogue of Graphe, the knowledge graph of good practices of the AIMF's francophone "
            "cities: the dataset, its downloads and its SPARQL and GraphQL endpoints.")
    g.add(catalog, "dct:publisher", aimf)
    g.add(catalog, "foaf:homepage", _iri(b))
    g.add(_iri(b), "a", "foaf:Document")
    g.add(catalog, "dct:language", *map(_iri, LANGUAGES))
    g.add(catalog, "dct:license", licence)
    dated(catalog)
    g.add(catalog, "dcat:dataset", dataset)
    g.add(catalog, "dcat:service", sparql, graphql, changes)
    g.add(catalog, "dcat:themeTaxonomy", _iri(EU + "data-theme"), scheme)
    g.add(_iri(EU + "data-theme"), "a", "skos:ConceptScheme")
    g.add(_iri(EU + "data-theme"), "dct:title", _text("Data theme", "en"))
    g.add(scheme, "a", "skos:ConceptScheme")
    g.add(scheme, "dct:title", *(_text(v, lang) for v, lang in facts.get("scheme", [("Thèmes de Graphe", "fr")])))

    # Shared nodes: the publisher (a foaf:Agent, as DCAT-AP wants), authority values, standards.
    g.add(aimf, "a", "foaf:Agent")
    names = facts.get("name") or [(name, lang) for lang, name in AIMF_NAMES.items()]
    g.add(aimf, "foaf:name", *(_text(v, lang) for v, lang in names))
    g.add(licence, "a", "dct:LicenseDocument")
    for language in LANGUAGES:
        g.add(_iri(language), "a", "dct:LinguisticSystem")
    for standard in (ONTOLOGY, SPARQL_PROTOCOL, GRAPHQL_OVER_HTTP, ATOM):
        g.add(_iri(standard), "a", "dct:Standard")

    # The dataset.
    g.add(dataset, "a", "dcat:Dataset")
    g.texts(dataset, "dct:title", "Graphe : bonnes pratiques des villes francophones",
            "Graphe: good practices of francophone cities")
    g.texts(dataset, "dct:description",
            "Graphe de connaissances de l'AIMF (Association Internationale des Maires Francophones) : villes, "
            "bonnes pratiques, chartes territoriales de la donnée et cadres de confiance pour l'IA avec leurs "
            "critères, projets d'IA évalués au regard de ces critères, thèmes, organisations et événements. "
            "Chaque fait est sourcé (dct:source).",
            "Knowledge graph of the AIMF (International Association of Francophone Mayors): cities, good "
            "practices, territorial data charters and AI trust frameworks with their criteria, AI projects "
            "assessed against those criteria, themes, organisations and events. Every fact is sourced "
            "(dct:source).")
    g.add(dataset, "dct:identifier", _text(b + "dataset/graphe"))
    g.add(dataset, "dct:publisher", aimf)
    g.add(dataset, "dct:language", *map(_iri, LANGUAGES))
    g.add(dataset, "dct:conformsTo", _iri(ONTOLOGY))
    g.add(dataset, "dct:accrualPeriodicity", _iri(EU + "frequency/IRREG"))
    g.add(_iri(EU + "frequency/IRREG"), "a", "dct:Frequency")
    dated(dataset)
    contact = _iri(b + "dataset/graphe#contact")
    g.add(dataset, "dcat:contactPoint", contact)
    g.add(contact, "a", "vcard:Organization", "vcard:Kind")
    g.add(contact, "vcard:fn", *(_text(v, lang) for v, lang in names))
    website = next((v for v, _ in facts.get("url", [])), AIMF_WEBSITE)
    g.add(contact, "vcard:hasURL", _iri(website))
    for code, (fr, en) in DATA_THEMES.items():
        theme = _iri(EU + "data-theme/" + code)
        g.add(dataset, "dcat:theme", theme)
        g.add(theme, "a", "skos:Concept")
        g.add(theme, "skos:inScheme", _iri(EU + "data-theme"))
        g.texts(theme, "skos:prefLabel", fr, en)
    # data.gouv.fr ignores theme IRIs: our own themes travel as keywords, in each language they have.
    g.add(dataset, "dcat:keyword", *(_text(v, lang) for v, lang in facts.get("theme", [])))
    _spatial(g, dataset, b, published.city_points(graphe.store))

    for ext, code, media, label in DUMPS:
        for gz in (False, True):
            _distribution(g, dataset, licence, b, f"graphe.{ext}" + (".gz" if gz else ""), code, media,
                          (f"Graphe — export {label}" + (" compressé (gzip)" if gz else ""),
                           f"Graphe — {label} dump" + (" (gzip-compressed)" if gz else "")), gz)
    _distribution(g, dataset, licence, b, "practices.csv", "CSV", "text/csv",
                  ("Bonnes pratiques — CSV", "Good practices — CSV"), False)
    # The Atom feed of every practice: a distribution (DCAT-AP: a file-like way to get the data); the feeds
    # per theme, city and country are named in its description, each being the same feed filtered.
    feed = _distribution(g, dataset, licence, b, "pratiques.atom", "ATOM", "application/atom+xml",
                         ("Bonnes pratiques nouvelles et mises à jour — flux Atom",
                          "New and updated good practices — Atom feed"), False, folder="flux/")
    g.texts(feed, "dct:description",
            "Les 50 dernières pratiques publiées ou mises à jour (RFC 4287). Un flux par thème, ville et pays : "
            "/flux/theme/{thème}.atom, /flux/ville/{ville}.atom, /flux/pays/{code ISO}.atom.",
            "The 50 latest published or updated practices (RFC 4287). One feed per theme, city and country: "
            "/flux/theme/{theme}.atom, /flux/ville/{city}.atom, /flux/pays/{ISO code}.atom.")
    g.add(feed, "dct:conformsTo", _iri(ATOM))

    _documents(g, catalog, aimf, licence, b, published_documents(graphe.store))

    # The data services.
    for service, url, standard, title, description in (
            (sparql, b + "sparql", SPARQL_PROTOCOL, ("Point d'accès SPARQL de Graphe", "Graphe SPARQL endpoint"),
             ("Requêtes SPARQL 1.1 sur les données publiées et l'ontologie (protocole SPARQL 1.1).",
              "SPARQL 1.1 queries over the published data and the ontology (SPARQL 1.1 Protocol).")),
            (graphql, b + "graphql", GRAPHQL_OVER_HTTP, ("API GraphQL de Graphe", "Graphe GraphQL API"),
             ("API GraphQL (GraphQL over HTTP) ; son schéma se lit par introspection au même point d'accès.",
              "GraphQL API (GraphQL over HTTP); its schema is read by introspection at the same endpoint.")),
            (changes, b + "changes", None, ("Flux des changements de Graphe", "Graphe change feed"),
             ("Pour moissonner par étapes : GET /changes?since=N&limit=M donne, révision publique par révision "
              "publique après N, les objets créés, modifiés et retirés (JSON), et le lien « next » (aussi en "
              "en-tête Link) tant qu'il en reste.",
              "For incremental harvests: GET /changes?since=N&limit=M lists, public revision by public revision "
              "after N, the objects created, changed and retired (JSON), and a 'next' link (also a Link header) "
              "while more remain."))):
        g.add(service, "a", "dcat:DataService")
        g.texts(service, "dct:title", *title)
        g.texts(service, "dct:description", *description)
        g.add(service, "dcat:endpointURL", _iri(url))
        g.add(service, "dcat:endpointDescription", _iri(url))
        if standard is not None:
            g.add(service, "dct:conformsTo", _iri(standard))
        g.add(service, "dcat:servesDataset", dataset)
        g.add(service, "dct:publisher", aimf)
        g.add(service, "dct:license", licence)
    return list(g.triples)


def _documents(g: _Graph, catalog: NamedNode, aimf: NamedNode, licence: NamedNode, b: str,
               documents: list[DocumentEntry]) -> None:
    """The documents attached to published records (a charter's text, a council decision…): a dataset of their
    own, each document one of its distributions (typed so in the catalogue only), linked to its record."""
    if not documents:
        return
    dataset = _iri(b + "dataset/documents")
    g.add(catalog, "dcat:dataset", dataset)
    g.add(dataset, "a", "dcat:Dataset")
    g.texts(dataset, "dct:title", "Graphe : documents joints aux fiches", "Graphe: documents attached to records")
    g.texts(dataset, "dct:description",
            "Les documents publiés avec les fiches de Graphe (pratiques, chartes, projets d'IA, villes) : texte "
            "d'une charte, délibération, rapport d'évaluation… Chacun dit sa fiche (dct:relation), son type, sa "
            "taille et son empreinte SHA-256.",
            "The documents published with Graphe's records (practices, charters, AI projects, cities): a charter's "
            "text, a council decision, an evaluation report… Each gives its record (dct:relation), type, size and "
            "SHA-256 checksum.")
    g.add(dataset, "dct:identifier", _text(b + "dataset/documents"))
    g.add(dataset, "dct:publisher", aimf)
    for doc in documents:
        node = _iri(doc.iri)
        g.add(dataset, "dcat:distribution", node)
        g.add(node, "a", "dcat:Distribution")
        if doc.titles:
            g.add(node, "dct:title", *doc.titles)
        if doc.download:
            g.add(node, "dcat:accessURL", _iri(doc.download))
            g.add(node, "dcat:downloadURL", _iri(doc.download))
        g.add(node, "dcat:mediaType", _iri(doc.media))
        g.add(_iri(doc.media), "a", "dct:MediaType")
        if doc.size is not None:
            g.add(node, "dcat:byteSize", _typed(doc.size, XSD + "nonNegativeInteger"))
        if doc.checksum:
            checksum = _iri(doc.iri + "#checksum")
            g.add(node, "spdx:checksum", checksum)
            g.add(checksum, "a", "spdx:Checksum")
            g.add(checksum, "spdx:algorithm", _iri(SPDX + "checksumAlgorithm_sha256"))
            g.add(_iri(SPDX + "checksumAlgorithm_sha256"), "a", "spdx:ChecksumAlgorithm")  # DCAT-AP: typed
            g.add(checksum, "spdx:checksumValue", _typed(doc.checksum, XSD + "hexBinary"))
        own = _iri(doc.license) if doc.license else licence
        g.add(node, "dct:license", own)
        g.add(own, "a", "dct:LicenseDocument")
        if doc.language:
            g.add(node, "dct:language", _iri(doc.language))
            g.add(_iri(doc.language), "a", "dct:LinguisticSystem")
        if doc.owner:
            g.add(node, "dct:relation", _iri(doc.owner))


def _distribution(g: _Graph, dataset: NamedNode, licence: NamedNode, b: str, file: str, code: str, media: str,
                  title: tuple[str, str], gz: bool, folder: str = "export/") -> NamedNode:
    node = _iri(b + "dataset/graphe#" + file.replace(".", "-"))
    url = _iri(b + folder + file)
    g.add(dataset, "dcat:distribution", node)
    g.add(node, "a", "dcat:Distribution")
    g.texts(node, "dct:title", *title)
    g.add(node, "dcat:accessURL", url)
    g.add(node, "dcat:downloadURL", url)
    g.add(node, "dcat:mediaType", _iri(IANA + media))  # the content's type; compression is separate (DCAT 3)
    g.add(_iri(IANA + media), "a", "dct:MediaType")
    g.add(node, "dct:format", _iri(EU + "file-type/" + code))
    g.add(_iri(EU + "file-type/" + code), "a", "dct:MediaTypeOrExtent")
    g.add(node, "dct:license", licence)
    if gz:
        g.add(node, "dcat:compressFormat", _iri(GZIP))
        g.add(_iri(GZIP), "a", "dct:MediaType")
    return node


def _spatial(g: _Graph, dataset: NamedNode, b: str, points: list[tuple[str, str]]) -> None:
    """`dct:spatial`: a `dct:Location` whose geometry is the MULTIPOINT of the cities (longitude first) and,
    when it is not degenerate, their bounding box. DCAT-AP 3.0.1 wants `locn:geometry` to be a node."""
    if not points:
        return
    location, geometry = _iri(b + "dataset/graphe#spatial"), _iri(b + "dataset/graphe#geometry")
    g.add(dataset, "dct:spatial", location)
    g.add(location, "a", "dct:Location")
    g.add(location, "locn:geometry", geometry)
    g.add(geometry, "a", "locn:Geometry", "geo:Geometry")
    wkt = "MULTIPOINT(" + ", ".join(f"({lon} {lat})" for lon, lat in points) + ")"
    g.add(geometry, "geo:asWKT", _typed(wkt, GEO + "wktLiteral"))
    lons, lats = [float(p[0]) for p in points], [float(p[1]) for p in points]
    w, s, e, n = (f"{v:.10g}" for v in (min(lons), min(lats), max(lons), max(lats)))
    if w != e and s != n:
        box = f"POLYGON(({w} {s}, {e} {s}, {e} {n}, {w} {n}, {w} {s}))"
        g.add(location, "dcat:bbox", _typed(box, GEO + "wktLiteral"))


# ------------------------------------------------------------------------------------------- VoID

def namespace_of(iri: str) -> str:
    """The namespace of a term: everything up to its last `#` or `/`."""
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1]


def void_triples(graphe: Graphe) -> list[Triple]:
    """The VoID description of `{base}dataset/graphe` (the same resource as the DCAT dataset): size, class
    partitions, entities under `{base}id/`, vocabularies used, SPARQL endpoint and dumps, licence, date.
    Everything counts the published data graph — what the dumps hold (the SPARQL endpoint also serves the
    ontology graph, described at its own IRI)."""
    b = graphe.settings.base_iri
    g = _Graph()
    dataset = _iri(b + "dataset/graphe")
    classes = graphe.class_counts()
    properties, entities, triples = published.dataset_figures(graphe.store, b)
    integer = XSD + "integer"
    g.add(dataset, "a", "void:Dataset")
    g.texts(dataset, "dct:title", "Graphe : bonnes pratiques des villes francophones",
            "Graphe: good practices of francophone cities")
    g.add(dataset, "void:triples", _typed(str(triples), integer))
    g.add(dataset, "void:entities", _typed(str(entities), integer))
    g.add(dataset, "void:classes", _typed(str(len(classes)), integer))
    g.add(dataset, "void:properties", _typed(str(len(properties)), integer))
    g.add(dataset, "void:uriSpace", _text(b + "id/"))
    g.add(dataset, "void:sparqlEndpoint", _iri(b + "sparql"))
    for ext, *_ in DUMPS:
        g.add(dataset, "void:dataDump", _iri(f"{b}export/graphe.{ext}"), _iri(f"{b}export/graphe.{ext}.gz"))
    used = {namespace_of(p) for p in properties} | {namespace_of(c.iri) for c in classes}
    g.add(dataset, "void:vocabulary", *(_iri(ns) for ns in sorted(used) if ns and not ns.startswith(b + "id/")))
    g.add(dataset, "dct:license", _iri(graphe.settings.license))
    # VoID has no term for feeds: the same nodes as the catalogue's (one IRI each), in DCAT's terms.
    feed, changes = _iri(b + "dataset/graphe#pratiques-atom"), _iri(b + "catalog#changes")
    g.add(dataset, "dcat:distribution", feed)
    g.add(feed, "a", "dcat:Distribution")
    g.add(feed, "dcat:accessURL", _iri(b + "flux/pratiques.atom"))
    g.add(feed, "dcat:mediaType", _iri(IANA + "application/atom+xml"))
    g.add(changes, "a", "dcat:DataService")
    g.add(changes, "dcat:endpointURL", _iri(b + "changes"))
    g.add(changes, "dcat:servesDataset", dataset)
    g.add(dataset, "rdfs:seeAlso", _iri(b + "changes"), _iri(b + "flux/pratiques.atom"))
    revision = graphe.store.revision()
    if revision.time is not None:
        g.add(dataset, "dct:modified", _when(revision.time))
    for c in classes:
        partition = BlankNode()
        g.add(dataset, "void:classPartition", partition)
        g.add(partition, "void:class", _iri(c.iri))
        g.add(partition, "void:entities", _typed(str(c.count), integer))
    return list(g.triples)
