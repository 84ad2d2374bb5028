"""The RDF toolkit boundary: formats, parsing with positions, normalisation, serialisation, rdflib conversion.

pyoxigraph is imported here (terms, parser, serialiser) and in `store.py` (the database); nowhere else.
Terms cross the rest of the code base as pyoxigraph terms, whose `str()` is their N-Triples form.
"""
from __future__ import annotations

import json
import logging
import re
import xml.parsers.expat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    import rdflib

import pyoxigraph as ox

from .errors import GrapheError

NamedNode = ox.NamedNode
BlankNode = ox.BlankNode
Literal = ox.Literal
Quad = ox.Quad
Triple = ox.Triple
Variable = ox.Variable
DefaultGraph = ox.DefaultGraph
Term = ox.NamedNode | ox.BlankNode | ox.Literal

GR = "https://graphe.aimf.asso.fr/def#"
PREFIXES = {
    "gr": GR,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "cv": "http://data.europa.eu/m8g/",
    "schema": "https://schema.org/",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "airo": "https://w3id.org/airo#",
    "dpv": "https://w3id.org/dpv#",
    "eu-aiact": "https://w3id.org/dpv/legal/eu/aiact#",
}
RDF_TYPE = NamedNode(PREFIXES["rdf"] + "type")
_XSD_STRING = PREFIXES["xsd"] + "string"
SCHEMA_HTTP = "http://schema.org/"
SCHEMA_HTTPS = "https://schema.org/"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Format:
    name: str  # the CLI name: ttl, nt, nq, jsonld, rdf, trig
    label: str
    media_type: str
    extensions: tuple[str, ...]
    ox: ox.RdfFormat
    quads: bool  # does it carry named graphs?


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("ttl", "Turtle", "text/turtle", (".ttl", ".turtle"), ox.RdfFormat.TURTLE, False),
        Format("nt", "N-Triples", "application/n-triples", (".nt",), ox.RdfFormat.N_TRIPLES, False),
        Format("nq", "N-Quads", "application/n-quads", (".nq",), ox.RdfFormat.N_QUADS, True),
        Format("trig", "TriG", "application/trig", (".trig",), ox.RdfFormat.TRIG, True),
        Format("jsonld", "JSON-LD", "application/ld+json", (".jsonld", ".json"), ox.RdfFormat.JSON_LD, False),
        Format("rdf", "RDF/XML", "application/rdf+xml", (".rdf", ".owl", ".xml"), ox.RdfFormat.RDF_XML, False),
    )
}


def format_named(name: str) -> Format:
    try:
        return FORMATS[name.lower().lstrip(".")]
    except KeyError:
        known = ", ".join(FORMATS)
        raise GrapheError("UNKNOWN_FORMAT", f"Format inconnu « {name} » (formats connus : {known}).",
                          f"Unknown format '{name}' (known formats: {known}).") from None


def format_of(path: Path) -> Format:
    suffix = path.suffix.lower()
    for fmt in FORMATS.values():
        if suffix in fmt.extensions:
            return fmt
    known = ", ".join(e for f in FORMATS.values() for e in f.extensions)
    raise GrapheError("UNKNOWN_FORMAT",
                      f"{path} : extension « {suffix or '(aucune)'} » inconnue (extensions connues : {known}).",
                      f"{path}: unknown extension '{suffix or '(none)'}' (known extensions: {known}).")


# --------------------------------------------------------------------------------------------- parsing

def parse_file(path: Path, base_iri: str, fmt: Format | None = None) -> list[Quad]:
    """Parse a whole file into normalised quads, or raise PARSE_ERROR naming the file, line and column."""
    fmt = fmt or format_of(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _unreadable(path, exc) from None
    return parse_bytes(data, fmt, base_iri, str(path))


def stream_file(path: Path, base_iri: str, fmt: Format | None = None, rewrite: bool | None = None) -> Iterator[Quad]:
    """`parse_file` as a stream: quads one by one, never the whole file in memory (same errors, raised when
    the parser reaches them). Blank nodes get new names at each reading. `rewrite`: whether the file mentions
    `SCHEMA_HTTP`, when the caller knows already (else the file is searched for it: one more reading)."""
    fmt = fmt or format_of(path)
    if fmt.name == "rdf":
        try:
            with path.open("rb") as stream:
                refuse_dtd(stream, str(path))
        except OSError as exc:
            raise _unreadable(path, exc) from None
    try:
        if rewrite is None:
            rewrite = mentions(path, SCHEMA_HTTP.encode())
        for quad in ox.parse(path=str(path), format=fmt.ox, base_iri=base_iri, rename_blank_nodes=True):
            yield normalise(quad) if rewrite else quad
    except SyntaxError as exc:
        raise _syntax_error(exc, path.read_bytes(), fmt, str(path)) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise _unparsable(str(path), fmt, exc) from None
    except OSError as exc:
        raise _unreadable(path, exc) from None


def mentions(path: Path, needle: bytes, block: int = 1 << 23) -> bool:
    """Does the file contain `needle`? (read by blocks: a big file is never held whole)"""
    with path.open("rb") as stream:
        tail = b""
        while chunk := stream.read(block):
            if needle in tail + chunk[:len(needle)] or needle in chunk:
                return True
            tail = chunk[-len(needle) + 1:]
    return False


def parse_bytes(data: bytes, fmt: Format, base_iri: str, name: str = "<entrée>") -> list[Quad]:
    if fmt.name == "rdf":
        refuse_dtd(data, name)
    try:
        quads = ox.parse(input=data, format=fmt.ox, base_iri=base_iri, rename_blank_nodes=True)
        if SCHEMA_HTTP.encode() not in data:  # nothing to rewrite (most files): 0.6 s saved per 178,000 quads
            return list(quads)
        return [normalise(q) for q in quads]
    except SyntaxError as exc:
        raise _syntax_error(exc, data, fmt, name) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise _unparsable(name, fmt, exc) from None


class _Doctype(Exception):
    pass


def refuse_dtd(source: bytes | IO[bytes], name: str, block: int = 1 << 20) -> None:
    """Refuse an XML document that has a DTD (a `<!DOCTYPE`, hence entity declarations): pyoxigraph's RDF/XML
    parser expands entities without limit ("billion laughs": 994 bytes became 9 GB). Expat reads the document
    first, in blocks, stopping at the DTD before any declaration inside it is read; a document expat finds
    malformed is refused too (RDF/XML is XML), with its line and column."""
    parser = xml.parsers.expat.ParserCreate()

    def doctype(*_: object) -> None:
        raise _Doctype

    # (An entity can only be declared inside a DTD; the second handler is defence in depth.)
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    try:
        if isinstance(source, bytes):
            parser.Parse(source, True)
        else:
            while chunk := source.read(block):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _Doctype:
        line, column = parser.CurrentLineNumber, parser.CurrentColumnNumber + 1
        raise GrapheError(
            "DTD_REFUSED",
            f"{name}, ligne {line}, colonne {column} : déclaration de type de document (<!DOCTYPE>) refusée ; "
            "Graphe ne lit pas les DTD ni les entités XML. Retirez-la du fichier.",
            f"{name}, line {line}, column {column}: document type declaration (<!DOCTYPE>) refused; Graphe "
            "reads neither DTDs nor XML entities. Remove it from the file.",
            {"file": name, "line": line, "column": column, "format": "rdf"}) from None
    except xml.parsers.expat.ExpatError as err:
        message = xml.parsers.expat.ErrorString(err.code)
        raise GrapheError(
            "PARSE_ERROR",
            f"{name}, ligne {err.lineno}, colonne {err.offset + 1} : XML invalide — {message}",
            f"{name}, line {err.lineno}, column {err.offset + 1}: invalid XML — {message}",
            {"file": name, "line": err.lineno, "column": err.offset + 1, "format": "rdf"}) from None


def _unreadable(path: Path, exc: OSError) -> GrapheError:
    return GrapheError("FILE_UNREADABLE", f"{path} : lecture impossible ({exc.strerror}).",
                       f"{path}: cannot read ({exc.strerror}).")


def _unparsable(name: str, fmt: Format, exc: Exception) -> GrapheError:
    return GrapheError("PARSE_ERROR", f"{name} : contenu illisible en {fmt.label} ({exc}).",
                       f"{name}: unreadable {fmt.label} content ({exc}).")


def _syntax_error(exc: SyntaxError, data: bytes, fmt: Format, name: str) -> GrapheError:
    message = str(exc.msg if exc.msg else exc)
    if "remote context" in message.lower() or "LoadDocumentCallback" in message:
        return GrapheError(
            "REMOTE_CONTEXT_REFUSED",
            f"{name} : le JSON-LD demande un contexte distant ; Graphe n'ouvre jamais de connexion pour lire "
            "un fichier. Intégrez le contexte (@context) dans le fichier.",
            f"{name}: the JSON-LD asks for a remote context; Graphe never opens a connection to read a file. "
            "Embed the @context in the file.")
    line, column = exc.lineno, exc.offset
    if line is None:
        line, column = _locate(data, fmt)
    where = f"ligne {line}, colonne {column}" if line else "position inconnue"
    where_en = f"line {line}, column {column}" if line else "unknown position"
    return GrapheError(
        "PARSE_ERROR",
        f"{name}, {where} : syntaxe {fmt.label} invalide — {_clean(message)}",
        f"{name}, {where_en}: invalid {fmt.label} syntax — {_clean(message)}",
        {"file": name, "line": line, "column": column, "format": fmt.name},
    )


def _clean(message: str) -> str:
    return re.sub(r"^Parser error (between|at) [^:]*: ", "", message).strip()


def _locate(data: bytes, fmt: Format) -> tuple[int | None, int | None]:
    """pyoxigraph gives no position for some formats: ask a plain parser of the same syntax."""
    if fmt.name == "rdf":
        parser = xml.parsers.expat.ParserCreate()
        try:
            parser.Parse(data, True)
        except xml.parsers.expat.ExpatError as err:
            return err.lineno, err.offset + 1
    elif fmt.name == "jsonld":
        try:
            json.loads(data)
        except json.JSONDecodeError as err:
            return err.lineno, err.colno
        except UnicodeDecodeError:
            return None, None
    return None, None


def normalise(quad: Quad) -> Quad:
    """`http://schema.org/` → `https://schema.org/` (language tags are already lower-cased by the parser)."""
    s, p, o, g = quad.subject, quad.predicate, quad.object, quad.graph_name
    if not (_is_http_schema(s) or _is_http_schema(p) or _is_http_schema(o)
            or isinstance(o, Literal) and _is_http_schema(o.datatype)):
        return quad
    s, p = _https(s), _https(p)
    if isinstance(o, Literal):
        if _is_http_schema(o.datatype):
            o = Literal(o.value, datatype=_https(o.datatype))
    else:
        o = _https(o)
    return Quad(s, p, o, g)


def _is_http_schema(term: object) -> bool:
    return isinstance(term, NamedNode) and term.value.startswith(SCHEMA_HTTP)


def _https(term):  # type: ignore[no-untyped-def]
    if _is_http_schema(term):
        return NamedNode(SCHEMA_HTTPS + term.value[len(SCHEMA_HTTP):])
    return term


# --------------------------------------------------------------------------------------------- output

def serialize(triples_or_quads: Iterable[Triple] | Iterable[Quad], fmt: Format,
              output: IO[bytes] | None = None) -> bytes | None:
    prefixes = PREFIXES if fmt.name in {"ttl", "trig"} else None
    return ox.serialize(triples_or_quads, output, format=fmt.ox, prefixes=prefixes)


# --------------------------------------------------------------------------------------------- rdflib

def to_rdflib_term(term: Term) -> rdflib.term.Identifier:
    import rdflib  # only writes validated by pySHACL need it: not imported at start-up (40 ms)
    if isinstance(term, NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:  # RDF 1.1: a simple literal is an xsd:string; rdflib keeps it untyped
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def to_rdflib_graph(triples: Iterable[Quad | Triple]) -> rdflib.Graph:
    """Build an rdflib graph (for pySHACL) from pyoxigraph triples; graph names are dropped."""
    import rdflib
    graph = rdflib.Graph()
    rdflib_log = logging.getLogger("rdflib.term")
    level = rdflib_log.level
    rdflib_log.setLevel(logging.CRITICAL)  # ill-typed literals are reported by SHACL, not logged here
    try:
        for t in triples:
            graph.add((to_rdflib_term(t.subject), to_rdflib_term(t.predicate), to_rdflib_term(t.object)))
    finally:
        rdflib_log.setLevel(level)
    return graph


def subjects(quads: Iterable[Quad]) -> Iterator[Term]:
    seen: set[str] = set()
    for q in quads:
        key = str(q.subject)
        if key not in seen:
            seen.add(key)
            yield q.subject
