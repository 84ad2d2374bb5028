"""Documents attached to records (a practice, a charter, an AI project, a city): sniffed, capped, stored by
checksum, described in the graph. The one module that imports `filetype`.

- **Sniffed**: the type comes from the bytes, never from the name or the browser's word: PDF, ODT, DOCX, PNG and
  JPEG by their signatures (`filetype`), CSV as valid UTF-8 text that `csv.Sniffer` reads as a table. Anything
  else (an executable, HTML, SVG, a ZIP that is not an ODT or DOCX…) is refused (`DOCUMENT_TYPE_REFUSED`).
- **Capped**: read in chunks and refused (`TOO_LARGE`, 413) as soon as one byte passes the cap, never read whole.
- **Stored by checksum**: `{folder}/ab/abcdef…` (the SHA-256 in hex, its first two digits as a subfolder),
  written to a temporary file of the same folder then `os.replace`d: a reader never sees half a file, two
  replicas writing the same file write the same bytes, and storing again is a no-op (idempotent).
- **Described** (`ontology/MODEL.md`, Document): `{owner}/document/{n}` a `schema:DigitalDocument`, owned by its
  record (`{owner} gr:document {doc}`), so that a city's draft may carry it: `dct:title`, `dct:language` (EU
  language authority), `dcat:mediaType` (IANA IRI), `dcat:byteSize`, `spdx:checksum` → `{doc}#checksum` (an
  `spdx:Checksum`: SHA-256, `xsd:hexBinary`), `dct:license`, `dcat:downloadURL` → `{base}documents/{sha256}`.

The form rows (`document_title_1`, `document_checksum_1`…) are read here too, for both back-office forms:
the file is stored when the form is sent (preview included) and carried on as its checksum in a hidden box;
size and type are always derived again from the stored bytes, never from the form.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import os
import re
import tempfile
import threading
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

import filetype

from ..core.errors import GrapheError
from ..core.rdf import PREFIXES, Literal, NamedNode, Quad
from ..core.settings import Settings
from ..model.namespaces import GR
from ..store import Store

DCT, DCAT, SCHEMA, XSD = PREFIXES["dct"], PREFIXES["dcat"], PREFIXES["schema"], PREFIXES["xsd"]
RDF_TYPE = PREFIXES["rdf"] + "type"
SPDX = "http://spdx.org/rdf/terms#"
SHA256 = SPDX + "checksumAlgorithm_sha256"
IANA = "http://www.iana.org/assignments/media-types/"
LANGUAGE_AUTHORITY = "http://publications.europa.eu/resource/authority/language/"
DOCUMENT_CLASS = SCHEMA + "DigitalDocument"
PATH = "documents/"  # served at {base}documents/{sha256}

# Accepted media types: (extension, short name).
MEDIA_TYPES = {
    "application/pdf": ("pdf", "PDF"),
    "application/vnd.oasis.opendocument.text": ("odt", "ODT"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx", "DOCX"),
    "image/png": ("png", "PNG"),
    "image/jpeg": ("jpg", "JPEG"),
    "text/csv": ("csv", "CSV"),
}
# Languages a form offers: code → (EU authority code, French name, English name).
LANGUAGES = {
    "fr": ("FRA", "français", "French"), "en": ("ENG", "anglais", "English"), "ar": ("ARA", "arabe", "Arabic"),
    "es": ("SPA", "espagnol", "Spanish"), "pt": ("POR", "portugais", "Portuguese"),
    "wo": ("WOL", "wolof", "Wolof"), "mg": ("MLG", "malgache", "Malagasy"),
}
# Licences a form offers: code → (IRI, French name, English name).
LICENSES = {
    "etalab-2.0": ("https://www.etalab.gouv.fr/licence-ouverte-open-licence", "Licence Ouverte 2.0 (Etalab)",
                   "Open Licence 2.0 (Etalab)"),
    "cc-by-4.0": ("https://creativecommons.org/licenses/by/4.0/", "CC BY 4.0", "CC BY 4.0"),
    "cc-by-sa-4.0": ("https://creativecommons.org/licenses/by-sa/4.0/", "CC BY-SA 4.0", "CC BY-SA 4.0"),
    "cc0-1.0": ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0 1.0 (domaine public)",
                "CC0 1.0 (public domain)"),
}
MAX_DOCUMENTS = 10  # documents per record in a form
MAX_TITLE = 200
HEAD = 8192  # bytes `filetype` looks at
CSV_SAMPLE = 64 * 1024  # text `csv.Sniffer` reads
CHUNK = 256 * 1024
_CHECKSUM = re.compile(r"[0-9a-f]{64}")
PARTS = ("checksum", "title", "language", "license", "remove")
FILE = "document_file_"  # + row: the file box of a form row


@dataclass(frozen=True)
class Stored:
    """A stored file: its SHA-256 (hex), sniffed media type and size in bytes."""
    checksum: str
    media_type: str
    size: int

    @property
    def extension(self) -> str:
        return MEDIA_TYPES[self.media_type][0]


def too_large(cap: int) -> GrapheError:
    return GrapheError("TOO_LARGE", f"Document trop gros ({cap >> 20} Mio au plus).",
                       f"Document too large ({cap >> 20} MiB at most).", {"status": 413})


def refused_type(name: str = "") -> GrapheError:
    which = f"{name} : " if name else ""
    which_en = f"{name}: " if name else ""
    return GrapheError("DOCUMENT_TYPE_REFUSED",
                       f"{which}type de fichier refusé ; acceptés : PDF, ODT, DOCX, PNG, JPEG, CSV (UTF-8). Le type "
                       "est lu dans le contenu du fichier, pas dans son nom.",
                       f"{which_en}file type refused; accepted: PDF, ODT, DOCX, PNG, JPEG, CSV (UTF-8). The type is "
                       "read from the file's content, not from its name.", {"status": 415})


def sniff(head: bytes) -> str | None:
    """The media type of a file's first bytes, if one of the binary types accepted (PDF, ODT, DOCX, PNG, JPEG)."""
    kind = filetype.guess(head[:HEAD]) if head else None
    return kind.mime if kind is not None and kind.mime in MEDIA_TYPES and kind.mime != "text/csv" else None


def is_csv(sample: str) -> bool:
    """Whether UTF-8 text reads as a table. CSV has no signature for a sniffer to find, so it is accepted only as
    valid UTF-8 text (checked on every byte when storing) without NUL, that `csv.Sniffer` finds a delimiter in:
    a binary file, a file in another encoding or plain prose is refused rather than served as `text/csv`."""
    if not sample.strip() or "\x00" in sample:
        return False
    lines = [line for line in sample.splitlines() if line.strip()]
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # a sample cut mid-line
    text = "\n".join(lines[:200]) + "\n"
    if text.lstrip().startswith("<"):
        return False  # markup (HTML, SVG, XML) is not a table
    try:
        dialect = csv.Sniffer().sniff(text, delimiters=",;\t|")
    except csv.Error:
        return False
    widths = {len(row) for row in csv.reader(text.splitlines(), dialect)}
    return len(widths) == 1 and widths.pop() > 1 or len(lines) == 1 and dialect.delimiter in text


class Folder:
    """The documents' folder: `{folder}/ab/abcdef…` by SHA-256."""

    def __init__(self, path: Path, max_bytes: int) -> None:
        self.path, self.max_bytes = path, max_bytes

    @classmethod
    def of(cls, settings: Settings) -> Folder:
        return cls(settings.documents_path or _temporary(), settings.documents_max_bytes)

    def file(self, checksum: str) -> Path:
        if not _CHECKSUM.fullmatch(checksum):
            raise GrapheError("BAD_USER_INPUT", "Empreinte de document invalide (SHA-256, 64 chiffres hexadécimaux).",
                              "Invalid document checksum (SHA-256, 64 hexadecimal digits).")
        return self.path / checksum[:2] / checksum

    def store(self, stream: BinaryIO, name: str = "") -> Stored:
        """Store a file read from `stream`: sniffed, capped (refused once past the cap, before reading it
        all), written atomically under its checksum. Idempotent: the same bytes give the same file."""
        self.path.mkdir(parents=True, exist_ok=True)
        digest, size, head = hashlib.sha256(), 0, bytearray()
        decoder, utf8, sample = codecs.getincrementaldecoder("utf-8")(), True, []
        handle, temp = tempfile.mkstemp(prefix=".upload-", dir=self.path)
        try:
            with os.fdopen(handle, "wb") as out:
                while True:
                    chunk = stream.read(CHUNK)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise too_large(self.max_bytes)
                    digest.update(chunk)
                    if len(head) < HEAD:
                        head += chunk[:HEAD - len(head)]
                    if utf8:
                        try:
                            text = decoder.decode(chunk)
                            if sum(map(len, sample)) < CSV_SAMPLE:
                                sample.append(text)
                        except UnicodeDecodeError:
                            utf8 = False
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            media = sniff(bytes(head))
            if media is None and utf8:
                try:
                    decoder.decode(b"", final=True)
                    media = "text/csv" if is_csv("".join(sample)[:CSV_SAMPLE]) else None
                except UnicodeDecodeError:
                    media = None
            if media is None:
                raise refused_type(name)
            checksum = digest.hexdigest()
            final = self.file(checksum)
            if final.exists() and final.stat().st_size == size:
                os.unlink(temp)  # already there: the same bytes
            else:
                final.parent.mkdir(exist_ok=True)
                os.replace(temp, final)
            return Stored(checksum, media, size)
        except BaseException:
            if os.path.exists(temp):
                os.unlink(temp)
            raise

    def store_bytes(self, data: bytes, name: str = "") -> Stored:
        import io

        return self.store(io.BytesIO(data), name)

    def stored(self, checksum: str) -> Stored | None:
        """What is stored under `checksum` (size and type derived again from the bytes), or None."""
        path = self.file(checksum)
        try:
            with path.open("rb") as f:
                head = f.read(HEAD)
                size = os.fstat(f.fileno()).st_size
        except FileNotFoundError:
            return None
        # Only `store` writes here, after checking the type: what is no binary type passed as CSV.
        return Stored(checksum, sniff(head) or "text/csv", size)


_TEMPORARY: list[Path] = []
_TEMPORARY_LOCK = threading.Lock()


def _temporary() -> Path:
    """An in-memory store's documents: a temporary folder of the process (gone with it, as its data)."""
    with _TEMPORARY_LOCK:
        if not _TEMPORARY:
            _TEMPORARY.append(Path(tempfile.mkdtemp(prefix="graphe-documents-")))
        return _TEMPORARY[0]


# ------------------------------------------------------------------------------------------- the graph

def download_url(base_iri: str, checksum: str) -> str:
    return f"{base_iri}{PATH}{checksum}"


def describe(owner: str, row: int, stored: Stored, title: str, base_iri: str, language: str | None = None,
             license_iri: str | None = None) -> list[Quad]:
    """The triples of a document `{owner}/document/{row}` (see the module's docstring)."""
    doc = NamedNode(f"{owner}/document/{row}")
    checksum = NamedNode(f"{doc.value}#checksum")
    out = [Quad(NamedNode(owner), NamedNode(GR.document), doc),
           Quad(doc, NamedNode(RDF_TYPE), NamedNode(DOCUMENT_CLASS)),
           Quad(doc, NamedNode(DCT + "title"), Literal(title, language="fr")),
           Quad(doc, NamedNode(DCAT + "mediaType"), NamedNode(IANA + stored.media_type)),
           Quad(doc, NamedNode(DCAT + "byteSize"), Literal(str(stored.size), datatype=NamedNode(XSD + "integer"))),
           Quad(doc, NamedNode(SPDX + "checksum"), checksum),
           Quad(doc, NamedNode(DCAT + "downloadURL"), NamedNode(download_url(base_iri, stored.checksum))),
           Quad(checksum, NamedNode(RDF_TYPE), NamedNode(SPDX + "Checksum")),
           Quad(checksum, NamedNode(SPDX + "algorithm"), NamedNode(SHA256)),
           Quad(checksum, NamedNode(SPDX + "checksumValue"),
                Literal(stored.checksum, datatype=NamedNode(XSD + "hexBinary")))]
    if language:
        out.append(Quad(doc, NamedNode(DCT + "language"), NamedNode(LANGUAGE_AUTHORITY + LANGUAGES[language][0])))
    if license_iri:
        out.append(Quad(doc, NamedNode(DCT + "license"), NamedNode(license_iri)))
    return out


def turtle(quads: Sequence[Quad]) -> str:
    """Turtle lines for a document's triples (for `graphe document add`, to paste into a bulk import)."""
    from ..core.rdf import FORMATS, serialize

    ordered = sorted(quads, key=lambda q: (q.subject.value, q.predicate.value != RDF_TYPE))
    return (serialize([q.triple for q in ordered], FORMATS["ttl"]) or b"").decode("utf-8")


def published(store: Store, owner: str) -> list[Quad]:
    """The published descriptions of a record's documents (and their checksum nodes)."""
    rows = store.select(f"SELECT ?d WHERE {{ GRAPH ?g {{ ?o <{GR.document}> ?d }} }}",
                        {"g": store.graphs.public, "o": NamedNode(owner)})
    docs = [r["d"] for r in rows if r["d"].value.startswith(owner + "/document/")]
    if not docs:
        return []
    found = store.describe(docs, store.graphs.public)
    checksums = [q.object for q in found if q.predicate.value == SPDX + "checksum"]
    return found + (store.describe(checksums, store.graphs.public) if checksums else [])


# ------------------------------------------------------------------------------------------- forms

def key(part: str, row: int) -> str:
    return f"document_{part}_{row}"


def accepts(name: str) -> bool:
    """Whether a form key is a document row's box."""
    part, _, row = name.removeprefix("document_").rpartition("_")
    return name.startswith("document_") and part in PARTS and row.isdigit() and 0 < int(row) <= MAX_DOCUMENTS


Values = Mapping[str, Sequence[str]]


def _one(values: Values, name: str) -> str:
    return (values.get(name) or [""])[0].strip()


def rows(values: Values) -> list[int]:
    """The rows holding a document (a checksum), in order."""
    return [row for row in range(1, MAX_DOCUMENTS + 1) if _one(values, key("checksum", row))]


def take_uploads(folder: Folder, uploads: Sequence[tuple[str, str, BinaryIO]],
                 values: dict[str, list[str]]) -> dict[str, list[GrapheError]]:
    """Store the files a form sent (`(box, file name, stream)`, the box `document_file_{row}`) and carry each
    on as its row's checksum (its title, if none, the file's name). A refused file leaves its row as it was;
    the refusals come back by box."""
    errors: dict[str, list[GrapheError]] = {}
    for box, name, stream in uploads:
        row = box[len(FILE):]
        if not box.startswith(FILE) or not row.isdigit() or not 0 < int(row) <= MAX_DOCUMENTS:
            continue
        try:
            stored = folder.store(stream, name[-200:])
        except GrapheError as error:
            errors.setdefault(box, []).append(error)
            continue
        n = int(row)
        values[key("checksum", n)] = [stored.checksum]
        values.pop(key("remove", n), None)
        if not _one(values, key("title", n)):
            values[key("title", n)] = [_title_of(name)]
    return errors


def read_form(values: Values, owner: str, base_iri: str, folder: Folder) -> list[Quad]:
    """The documents a form's rows describe, under `owner`. A row's file must be in the folder (a checksum
    typed into the hidden box for a file never stored names nothing: refused)."""
    out: list[Quad] = []
    for row in rows(values):
        if _one(values, key("remove", row)):
            continue
        checksum = _one(values, key("checksum", row)).lower()
        where = key("checksum", row)
        if not _CHECKSUM.fullmatch(checksum) or folder.stored(checksum) is None:
            raise _row_error(where, "document introuvable : envoyez le fichier de nouveau.",
                             "document not found: send the file again.")
        stored = folder.stored(checksum)
        assert stored is not None
        title = _one(values, key("title", row))[:MAX_TITLE]
        if not title:
            raise _row_error(key("title", row), "donnez le titre du document.", "give the document's title.")
        language = _one(values, key("language", row))
        if language and language not in LANGUAGES:
            raise _row_error(key("language", row), "langue inconnue.", "unknown language.")
        licence = _one(values, key("license", row))
        if licence and licence not in LICENSES:
            raise _row_error(key("license", row), "licence inconnue.", "unknown licence.")
        out += describe(owner, row, stored, title, base_iri, language or None,
                        LICENSES[licence][0] if licence else None)
    return out


def form_values(quads: Sequence[Quad], owner: str) -> dict[str, list[str]]:
    """A form's rows for the documents of `owner` among `quads` (the reverse of `read_form`)."""
    out: dict[str, list[str]] = {}
    minted = owner + "/document/"
    languages = {LANGUAGE_AUTHORITY + code: tag for tag, (code, _, _) in LANGUAGES.items()}
    licences = {iri: code for code, (iri, _, _) in LICENSES.items()}
    for q in quads:
        rest = q.subject.value[len(minted):] if q.subject.value.startswith(minted) else ""
        row, _, fragment = rest.partition("#")
        if not row.isdigit() or not 0 < int(row) <= MAX_DOCUMENTS:
            continue
        n, p = int(row), q.predicate.value
        if fragment == "checksum" and p == SPDX + "checksumValue":
            out[key("checksum", n)] = [q.object.value]
        elif fragment:
            continue
        elif p == DCT + "title":
            out[key("title", n)] = [q.object.value]
        elif p == DCT + "language":
            out[key("language", n)] = [languages.get(q.object.value, q.object.value)]
        elif p == DCT + "license":
            out[key("license", n)] = [licences.get(q.object.value, q.object.value)]
    return out


def form_rows(values: Values, folder: Folder, lang: str) -> list[dict[str, object]]:
    """What a form shows: each document (title, type, size, language, licence, removable), then an empty row
    to add one (while fewer than MAX_DOCUMENTS)."""
    shown: list[dict[str, object]] = []
    for row in rows(values):
        checksum = _one(values, key("checksum", row))
        stored = folder.stored(checksum) if _CHECKSUM.fullmatch(checksum) else None
        shown.append({"row": row, "new": False, "keys": {p: key(p, row) for p in PARTS}, "file": FILE + str(row),
                      **{p: _one(values, key(p, row)) for p in PARTS},
                      "type": MEDIA_TYPES[stored.media_type][1] if stored else "",
                      "size": size_text(stored.size, lang) if stored else ""})
    free = [r for r in range(1, MAX_DOCUMENTS + 1) if not _one(values, key("checksum", r))]
    if free:
        row = free[0]
        shown.append({"row": row, "new": True, "keys": {p: key(p, row) for p in PARTS}, "file": FILE + str(row),
                      **{p: _one(values, key(p, row)) for p in PARTS}, "type": "", "size": ""})
    return shown


def changes(before: Values, after: Values) -> list[tuple[str, str, str, str, str]]:
    """What differs in the documents between two forms: (key, French label, English label, before, after)."""
    out = []
    labels = {"checksum": ("fichier", "file"), "title": ("titre", "title"), "language": ("langue", "language"),
              "license": ("licence", "licence")}
    for row in range(1, MAX_DOCUMENTS + 1):
        for part, (fr, en) in labels.items():
            old, new = ", ".join(before.get(key(part, row), ())), ", ".join(after.get(key(part, row), ()))
            if old != new:
                out.append((key(part, row), f"Document {row} ({fr})", f"Document {row} ({en})", old, new))
    return out


def language_name(iri_or_tag: str, lang: str) -> str:
    for tag, (code, fr, en) in LANGUAGES.items():
        if iri_or_tag in (tag, LANGUAGE_AUTHORITY + code):
            return fr if lang == "fr" else en
    return iri_or_tag.rsplit("/", 1)[-1]


def media_name(iri: str) -> str:
    media = iri[len(IANA):] if iri.startswith(IANA) else iri
    return MEDIA_TYPES.get(media, (None, media))[1]


def size_text(size: int | str, lang: str) -> str:
    """« 1,2 Mo », « 34 Ko », « 900 octets » (English: MB, kB, bytes)."""
    n = int(size)
    units = ("octets", "Ko", "Mo") if lang == "fr" else ("bytes", "kB", "MB")
    if n < 1000:
        return f"{n} {units[0]}"
    value, unit = (n / 1000, units[1]) if n < 1_000_000 else (n / 1_000_000, units[2])
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{text.replace('.', ',') if lang == 'fr' else text} {unit}"


def disposition(title: str, media_type: str) -> str:
    """`Content-Disposition` of a download: the title as file name, with the type's extension (RFC 6266:
    an ASCII `filename` for old clients and `filename*` in UTF-8)."""
    extension = MEDIA_TYPES.get(media_type, ("bin", ""))[0]
    clean = re.sub(r"[\x00-\x1f\x7f/\\:*?\"<>|]+", " ", unicodedata.normalize("NFC", title)).strip(" .")[:150]
    clean = re.sub(r"\s+", " ", clean) or "document"
    ascii_name = re.sub(r"[^A-Za-z0-9._ -]+", "", unicodedata.normalize("NFKD", clean).encode("ascii", "ignore")
                        .decode()).strip() or "document"
    return (f'attachment; filename="{ascii_name}.{extension}"; '
            f"filename*=UTF-8''{quote(clean + '.' + extension, safe='')}")


def _title_of(name: str) -> str:
    stem = Path(name.replace("\\", "/")).name.rsplit(".", 1)[0]
    return re.sub(r"[_\s]+", " ", stem).strip()[:MAX_TITLE] or "Document"


def _row_error(field: str, fr: str, en: str) -> GrapheError:
    return GrapheError("SHEET_INVALID", f"formulaire, {field} : {fr}", f"form, {field}: {en}", {"field": field})
