"""`graphe import`: files of practice sheets (Markdown, CSV) or RDF become drafts or publications, each file
in one transaction."""
from __future__ import annotations

from pathlib import Path

from .core import rdf
from .publishing.accounts import Account
from .core.errors import GrapheError
from .service import Graphe

SHEET_SUFFIXES = {".md", ".markdown", ".csv"}


def objects_of(name: str, data: bytes, base_iri: str) -> list[list[rdf.Quad]]:
    """The objects a file describes: one per sheet (Markdown: one; CSV: one per row), or one RDF object."""
    from .ingest import sheets_csv, sheets_markdown, sheets_rdf

    suffix = Path(name).suffix.lower()
    if suffix in SHEET_SUFFIXES:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise GrapheError("SHEET_INVALID", f"{name} : le fichier n'est pas en UTF-8.",
                              f"{name}: the file is not UTF-8.") from None
        found = [sheets_markdown.parse_markdown(text, name)] if suffix != ".csv" else sheets_csv.parse_csv(text, name)
        return [sheets_rdf.sheet_quads(sheet, base_iri)[1] for sheet in found]
    quads = rdf.parse_bytes(data, rdf.format_of(Path(name)), base_iri, name)
    if any(not isinstance(q.graph_name, rdf.DefaultGraph) for q in quads):
        raise GrapheError("BAD_USER_INPUT", f"{name} : un fichier importé ne nomme pas de graphe.",
                          f"{name}: an imported file names no graph.")
    return [quads]


def import_file(graphe: Graphe, actor: Account, name: str, data: bytes, publish: bool) -> list[tuple[str, str]]:
    """One file, all or nothing; returns (object IRI, created | published | unchanged) pairs."""
    objects = objects_of(name, data, graphe.settings.base_iri)
    if not objects:
        return []
    return graphe.write(actor, "import", name, lambda w: w.import_objects(actor, objects, publish, name))
