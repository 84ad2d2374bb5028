"""A published document, found by its checksum: what the download endpoint may serve.

Only the public graph is read (never a draft's): a file stored while a form was previewed or a draft saved has
no published description, so it is found by nobody until the secretariat publishes the record carrying it.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..core.rdf import PREFIXES, Literal, NamedNode
from ..model.namespaces import GR
from ..store import Store

SPDX = "http://spdx.org/rdf/terms#"
IANA = "http://www.iana.org/assignments/media-types/"
DCT, DCAT, SCHEMA, XSD = PREFIXES["dct"], PREFIXES["dcat"], PREFIXES["schema"], PREFIXES["xsd"]


@dataclass(frozen=True)
class PublishedDocument:
    iri: str
    checksum: str
    title: str  # French if there is one, else the first title
    media_type: str  # e.g. application/pdf (from the IANA IRI)


def by_checksum(store: Store, checksum: str) -> PublishedDocument | None:
    """The published document whose SHA-256 is `checksum` (64 lower-case hex digits, checked by the caller), or
    None. Several documents may share one file: the first by IRI names the download."""
    rows = store.select(
        f"""SELECT ?doc ?title ?media WHERE {{ GRAPH ?g {{
            ?c <{SPDX}checksumValue> ?value . ?doc <{SPDX}checksum> ?c ; a <{SCHEMA}DigitalDocument> ;
               <{DCAT}mediaType> ?media .
            OPTIONAL {{ ?doc <{DCT}title> ?title }} }} }} ORDER BY ?doc""",
        {"g": store.graphs.public, "value": Literal(checksum, datatype=NamedNode(XSD + "hexBinary"))})
    if not rows:
        return None
    first = rows[0]["doc"].value
    mine = [r for r in rows if r["doc"].value == first]
    titles = [r["title"] for r in mine if "title" in r]
    title = next((t.value for t in titles if (getattr(t, "language", "") or "").startswith("fr")),
                 titles[0].value if titles else "document")
    media = mine[0]["media"].value
    return PublishedDocument(first, checksum, title, media[len(IANA):] if media.startswith(IANA) else media)


@dataclass(frozen=True)
class DocumentEntry:
    """A published document as the catalogue lists it (a distribution of the documents dataset)."""
    iri: str
    owner: str | None
    titles: list[Literal]
    media: str  # the IANA IRI
    size: str | None
    checksum: str | None
    license: str | None
    language: str | None
    download: str | None


def published_documents(store: Store) -> list[DocumentEntry]:
    """Every published document with what a catalogue says of it, by IRI (one query)."""
    rows = store.select(
        f"""SELECT ?doc ?owner ?p ?o ?value WHERE {{ GRAPH ?g {{
            ?doc a <{SCHEMA}DigitalDocument> ; ?p ?o .
            OPTIONAL {{ ?owner <{GR.document}> ?doc }}
            OPTIONAL {{ ?o <{SPDX}checksumValue> ?value }} }} }} ORDER BY ?doc""", {"g": store.graphs.public})
    found: dict[str, dict] = {}
    for row in rows:
        doc = found.setdefault(row["doc"].value, {"owner": None, "titles": [], "media": None, "size": None,
                                                  "checksum": None, "license": None, "language": None,
                                                  "download": None})
        if "owner" in row:
            doc["owner"] = row["owner"].value
        p, o = row["p"].value, row["o"]
        if p == DCT + "title" and o not in doc["titles"]:
            doc["titles"].append(o)
        elif p == DCAT + "mediaType":
            doc["media"] = o.value
        elif p == DCAT + "byteSize":
            doc["size"] = o.value
        elif p == SPDX + "checksum" and "value" in row:
            doc["checksum"] = row["value"].value
        elif p == DCT + "license":
            doc["license"] = o.value
        elif p == DCT + "language":
            doc["language"] = o.value
        elif p == DCAT + "downloadURL":
            doc["download"] = o.value
    return [DocumentEntry(iri, d["owner"], d["titles"], d["media"], d["size"], d["checksum"], d["license"],
                          d["language"], d["download"]) for iri, d in found.items() if d["media"]]
