"""SPARQL result formats (SELECT and ASK): JSON, XML, CSV, TSV — written row by row, so a cap can cut them."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

import orjson

from ...core import rdf
from ...core.errors import GrapheError
from ...core.negotiation import preferred

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

MEDIA = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
RESULT_FORMATS = dict(MEDIA)
GRAPH_FORMATS = {name: rdf.FORMATS[name].media_type for name in ("ttl", "nt", "jsonld", "rdf")}
ALIASES = {"application/json": "json", "text/xml": "xml", "application/xml": "xml", "text/plain": "nt",
           "turtle": "ttl", "ntriples": "nt", "n-triples": "nt", "json-ld": "jsonld", "rdfxml": "rdf",
           "rdf+xml": "rdf", "xml": "xml", "json": "json", "csv": "csv", "tsv": "tsv", "ttl": "ttl",
           "nt": "nt", "jsonld": "jsonld", "rdf": "rdf", "application/turtle": "ttl", "application/x-turtle": "ttl",
           "text/n3": "ttl", "text/rdf+n3": "ttl", "application/x-json+ld": "jsonld",
           "application/sparql-results+json": "json", "application/sparql-results+xml": "xml", "n3": "ttl"}


def choose(form: str, accept: str, explicit: str | None) -> str:
    """The result format: `format` parameter, else the Accept header, else JSON / Turtle."""
    graph_form = form in ("CONSTRUCT", "DESCRIBE")
    table = GRAPH_FORMATS if graph_form else RESULT_FORMATS
    if explicit:
        name = ALIASES.get(explicit.lower()) or next((n for n, m in table.items() if m == explicit.lower()), None)
        if graph_form:  # clients such as SPARQLWrapper name the family, not the syntax
            name = {"xml": "rdf", "json": "jsonld", "n3": "ttl"}.get(name or explicit.lower(), name)
        if name in table:
            return name
        raise GrapheError("NOT_ACCEPTABLE", f"Format « {explicit} » indisponible pour {form} "
                          f"(possibles : {', '.join(table)}).",
                          f"Format '{explicit}' unavailable for {form} (available: {', '.join(table)}).",
                          {"status": 406})
    ranked = preferred(accept)
    default = "ttl" if graph_form else "json"
    for media in ranked:
        if media in ("*/*", "application/*", "text/*"):
            return default
        name = next((n for n, m in table.items() if m == media), None) or ALIASES.get(media)
        if name in table:
            return name
    if ranked:
        raise GrapheError("NOT_ACCEPTABLE", "Aucun format acceptable pour ce résultat.",
                          "No acceptable format for this result.", {"status": 406})
    return default


def _kind(term) -> str:  # type: ignore[no-untyped-def]
    name = type(term).__name__
    return {"NamedNode": "uri", "BlankNode": "bnode"}.get(name, "literal")


def _json_term(term) -> dict[str, str]:  # type: ignore[no-untyped-def]
    kind = _kind(term)
    out = {"type": kind, "value": term.value}
    if kind == "literal":
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
    return out


def select(variables: Sequence[str], rows: Sequence[Sequence[object]], fmt: str) -> bytes:
    """Serialise SELECT rows (each a sequence of terms or None, in `variables` order)."""
    if fmt == "json":
        # One dict per distinct term (results repeat terms: a city in every pair), written by orjson.
        seen: dict[object, dict[str, str]] = {}
        bindings = []
        for row in rows:
            binding = {}
            for v, t in zip(variables, row):
                if t is not None:
                    written = seen.get(t)
                    if written is None:
                        written = seen[t] = _json_term(t)
                    binding[v] = written
            bindings.append(binding)
        return select_json(variables, bindings)
    if fmt == "xml":
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        out += [f"<variable name={quoteattr(v)}/>" for v in variables]
        out.append("</head><results>")
        for row in rows:
            out.append("<result>")
            for v, t in zip(variables, row):
                if t is not None:
                    out.append(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>")
            out.append("</result>")
        out.append("</results></sparql>\n")
        return "".join(out).encode()
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow(["" if t is None else (f"_:{t.value}" if _kind(t) == "bnode" else t.value) for t in row])
        return buffer.getvalue().encode()
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in variables)]
        lines += ["\t".join("" if t is None else _tsv(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode()
    raise ValueError(fmt)


def select_json(variables: Sequence[str], bindings: Sequence[dict[str, dict[str, str]]]) -> bytes:
    """SPARQL JSON results from bindings already in that form (`_json_term`'s)."""
    return orjson.dumps({"head": {"vars": list(variables)}, "results": {"bindings": bindings}})


def ask(value: bool, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt == "xml":
        return (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                f"<boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    if fmt in ("csv", "tsv"):
        return ("true\n" if value else "false\n").encode()
    raise ValueError(fmt)


def _xml_term(term) -> str:  # type: ignore[no-untyped-def]
    kind = _kind(term)
    if kind == "uri":
        return f"<uri>{escape(term.value)}</uri>"
    if kind == "bnode":
        return f"<bnode>{escape(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _tsv(term) -> str:  # type: ignore[no-untyped-def]
    """TSV cells are RDF terms in Turtle/N-Triples syntax (tabs and newlines escaped)."""
    return str(term).replace("\t", "\\t").replace("\n", "\\n")
