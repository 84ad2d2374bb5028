"""`graphe document add FILE --owner IRI`: store a document by its checksum and print the Turtle describing it.

Charters and cities have no back-office form: their documents are stored here, then described by importing
the printed lines (`graphe load`, or a bulk Turtle file). Only the documents folder is written; the store is
not opened (this works while `graphe serve` runs).
"""
from __future__ import annotations

import argparse
import sys

from .output import pick
from ..core.errors import GrapheError
from ..core.settings import Settings
from ..publishing import documents


def add_document(settings: Settings, args: argparse.Namespace) -> int:
    def t(fr: str, en: str) -> str:
        return pick(args.lang, fr, en)

    owner = args.owner.strip()
    if not owner.startswith(settings.base_iri + "id/") or any(c in owner for c in ' <>"{}|\\^`#?'):
        raise GrapheError("BAD_USER_INPUT", f"Porteur invalide « {owner[:200]} » : une IRI sous "
                          f"{settings.base_iri}id/ est attendue.",
                          f"Invalid owner '{owner[:200]}': an IRI under {settings.base_iri}id/ is expected.")
    if not 0 < args.number <= 10_000:
        raise GrapheError("BAD_USER_INPUT", "Le numéro du document va de 1 à 10 000.",
                          "The document's number goes from 1 to 10,000.")
    language = (args.language or "").strip().lower() or None
    if language is not None and language not in documents.LANGUAGES:
        raise GrapheError("BAD_USER_INPUT", f"Langue inconnue « {language} » : " + ", ".join(documents.LANGUAGES) + ".",
                          f"Unknown language '{language}': " + ", ".join(documents.LANGUAGES) + ".")
    licence = (args.license or "").strip() or None
    if licence is not None:
        if licence in documents.LICENSES:
            licence = documents.LICENSES[licence][0]
        elif not licence.startswith(("https://", "http://")) or any(c in licence for c in ' <>"{}|\\^`'):
            raise GrapheError("BAD_USER_INPUT", "Licence : " + ", ".join(documents.LICENSES) + " ou une IRI.",
                              "Licence: " + ", ".join(documents.LICENSES) + " or an IRI.")
    folder = documents.Folder.of(settings)
    path = args.file
    if not path.is_file():
        raise GrapheError("FILE_NOT_FOUND", f"Fichier introuvable : {path}.", f"File not found: {path}.")
    if path.stat().st_size > folder.max_bytes:
        raise documents.too_large(folder.max_bytes)
    with path.open("rb") as stream:
        stored = folder.store(stream, path.name)
    title = (args.title or "").strip()[:documents.MAX_TITLE] or documents._title_of(path.name)
    quads = documents.describe(owner, args.number, stored, title, settings.base_iri, language, licence)
    # What was done goes to the standard error; the standard output is Turtle (`> document.ttl`, then `graphe load`).
    sys.stderr.write(t(f"Document rangé : {folder.file(stored.checksum)} ({documents.MEDIA_TYPES[stored.media_type][1]}, "
                       f"{stored.size} octets).\n", f"Document stored: {folder.file(stored.checksum)} "
                       f"({documents.MEDIA_TYPES[stored.media_type][1]}, {stored.size} bytes).\n"))
    print(t(f"# Empreinte (SHA-256) : {stored.checksum}", f"# Checksum (SHA-256): {stored.checksum}"))
    print(t("# À importer (graphe load) pour le décrire ; il est servi une fois publié.",
            "# To import (graphe load) to describe it; it is served once published."))
    print(documents.turtle(quads), end="")
    return 0
