"""HTML rendering of dereferenced IRIs (entity pages, the ontology page, errors).

Plain server-side HTML: French first (English on request), no JavaScript, no external asset, a little inline
CSS. Every piece of data goes through `esc()`; only http(s) and mailto IRIs become links.
`graphe/pages.py` fetches the data and negotiates; this module only turns values into text.
"""
from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from ..read.entities import pick
from ..core.rdf import PREFIXES, Literal, NamedNode, Term

ONTOLOGY = "https://graphe.aimf.asso.fr/def"
_RDF, _RDFS, _OWL = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["owl"]
_SKOS, _DCT, _SCHEMA = PREFIXES["skos"], PREFIXES["dct"], PREFIXES["schema"]
RDF_TYPE = _RDF + "type"
RDFS_LABEL, RDFS_COMMENT = _RDFS + "label", _RDFS + "comment"
# Predicates naming a resource, most specific first.
LABEL_PREDICATES = (_SCHEMA + "name", _DCT + "title", _SKOS + "prefLabel", RDFS_LABEL)
_CURIE_PREFIXES = {**PREFIXES, "vann": "http://purl.org/vocab/vann/", "foaf": "http://xmlns.com/foaf/0.1/"}
# Rows shown first on an entity page, then the others by label; sources and provenance last.
_FIRST = (*LABEL_PREDICATES, _SKOS + "altLabel", _DCT + "abstract", _DCT + "description", _SKOS + "definition")
_LAST_PREFIXES = (PREFIXES["prov"], _DCT + "source")

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "site": "Graphe — bonnes pratiques des villes francophones de l'AIMF",
        "types": "Type", "iri": "IRI", "properties": "Propriétés", "property": "Propriété", "values": "Valeurs",
        "dependent": "Ressources dépendantes", "cited_by": "Cité par", "more": "… et d'autres (liste tronquée).",
        "formats": "Autres formats", "switch": "English", "switch_lang": "en",
        "retired": "Cette fiche a été retirée le {date}.",
        "not_found": "Ressource introuvable", "not_found_text": "Aucune ressource publiée n'a l'adresse {iri}.",
        "ontology": "Ontologie", "classes": "Classes", "props": "Propriétés", "schemes": "Vocabulaires contrôlés",
        "sub_class_of": "sous-classe de", "domain": "domaine", "range": "co-domaine", "version": "version",
        "license": "licence", "concepts": "Concepts", "ontology_link": "L'ontologie",
    },
    "en": {
        "site": "Graphe — good practices of the AIMF's francophone cities",
        "types": "Type", "iri": "IRI", "properties": "Properties", "property": "Property", "values": "Values",
        "dependent": "Dependent resources", "cited_by": "Cited by", "more": "… and others (list truncated).",
        "formats": "Other formats", "switch": "Français", "switch_lang": "fr",
        "retired": "This record was retired on {date}.",
        "not_found": "Resource not found", "not_found_text": "No published resource has the address {iri}.",
        "ontology": "Ontology", "classes": "Classes", "props": "Properties", "schemes": "Controlled vocabularies",
        "sub_class_of": "subclass of", "domain": "domain", "range": "range", "version": "version",
        "license": "licence", "concepts": "Concepts", "ontology_link": "The ontology",
    },
}
_MONTHS = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}
_CSS = """
body{font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:60rem;margin:0 auto;
padding:1rem;color:#1b1b1b;background:#fff}
a{color:#0a4f9e}a:focus{outline:2px solid #0a4f9e;outline-offset:2px}
header,footer{font-size:.9rem;color:#555}footer{margin-top:2rem;border-top:1px solid #ddd;padding-top:.5rem}
h1{font-size:1.8rem;margin:.5rem 0}h2{font-size:1.3rem;margin-top:2rem}h3{font-size:1.1rem;margin-bottom:.2rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:.4rem;
border-bottom:1px solid #e5e5e5}th{width:14rem;font-weight:600}td ul{margin:0;padding-left:1.1rem}
.tag{font-size:.75rem;color:#555;border:1px solid #bbb;border-radius:3px;padding:0 .25rem;margin-left:.3rem}
.text{white-space:pre-line}code{font-size:.9em;word-break:break-all;color:#333}
.retired{background:#fff3cd;border:1px solid #c9a227;padding:.6rem 1rem;font-weight:600}
.muted{color:#555}dl{margin:.2rem 0}dt{font-weight:600;display:inline}dd{display:inline;margin:0 1rem 0 .3rem}
"""


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def url_path(path: str) -> str:
    """A local path made safe for an href or a header (non-ASCII and reserved characters escaped)."""
    return quote(path, safe="/#:@!$&'()*+,;=-._~")


@dataclass
class Labels:
    """What the page knows about the IRIs it shows: their names and comments, in the reader's languages."""

    base: str
    langs: Sequence[str]
    # iri → predicate → [(language, text)]
    known: Mapping[str, Mapping[str, list[tuple[str, str]]]] = field(default_factory=dict)

    def texts(self, iri: str, predicate: str) -> list[tuple[str, str]]:
        return list(self.known.get(iri, {}).get(predicate, []))

    def label(self, iri: str) -> str | None:
        for predicate in LABEL_PREDICATES:
            found = pick(sorted(self.texts(iri, predicate)), self.langs)
            if found:
                return found
        return None

    def comment(self, iri: str) -> str | None:
        return pick(sorted(self.texts(iri, RDFS_COMMENT)), self.langs)

    def href(self, iri: str) -> str | None:
        """A local path for IRIs Graphe serves, the IRI itself for other web IRIs, else None."""
        if iri.startswith(self.base + "id/"):
            return url_path("/" + iri[len(self.base):])
        if iri == ONTOLOGY or iri.startswith(ONTOLOGY + "#"):
            return url_path("/def" + iri[len(ONTOLOGY):])
        if iri.startswith(("http://", "https://", "mailto:")):
            return iri
        return None

    def term_href(self, iri: str) -> str | None:
        """Classes and properties the ontology describes link to their entry on /def."""
        if self.known.get(iri, {}).get(RDFS_LABEL):
            return "/def#" + url_path(anchor(iri))
        return self.href(iri)

    def link(self, iri: str, *, term: bool = False) -> str:
        name = self.label(iri)
        href = self.term_href(iri) if term else self.href(iri)
        if name is None and not term and iri.startswith(self.base + "id/"):
            name = iri[len(self.base) + 3:]  # an unnamed resource (a membership…): its kind/slug
        text = esc(name) if name else f"<code>{esc(curie(iri) if term else iri)}</code>"
        if href is None:
            return text
        external = not href.startswith("/")
        rel = ' rel="external noopener"' if external else ""
        hint = f' title="{esc(iri)}"'
        return f'<a href="{esc(href)}"{rel}{hint}>{text}</a>'


def curie(iri: str) -> str:
    for prefix, namespace in _CURIE_PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def anchor(iri: str) -> str:
    """The id of a term's entry on /def: `Practice` for gr:Practice, the prefixed name for the others."""
    if iri.startswith(ONTOLOGY + "#"):
        return iri[len(ONTOLOGY) + 1:]
    return curie(iri)


def literal_html(term: Literal) -> str:
    language = term.language
    if language:
        return (f'<span lang="{esc(language)}" class="text">{esc(term.value)}</span>'
                f'<span class="tag">{esc(language)}</span>')
    datatype = term.datatype.value if term.datatype is not None else ""
    tag = "" if datatype == PREFIXES["xsd"] + "string" else f'<span class="tag">{esc(curie(datatype))}</span>'
    return f'<span class="text">{esc(term.value)}</span>{tag}'


def value_html(term: Term, labels: Labels) -> str:
    if isinstance(term, Literal):
        return literal_html(term)
    if isinstance(term, NamedNode):
        return labels.link(term.value)
    return f"<code>{esc(term)}</code>"


def format_date(value: str, lang: str) -> str:
    """`2025-03-12` or `2025-03-12T10:00:00Z` → « 12 mars 2025 » / "12 March 2025"; anything else as it is."""
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError:
        return value
    return f"{day.day} {_MONTHS[lang][day.month - 1]} {day.year}"


def page(title: str, body: str, lang: str, *, alternates: Sequence[tuple[str, str, str]] = (),
         switch: str | None = None) -> str:
    """A whole document. `alternates`: (label, href, media type) of the other formats."""
    t = TEXTS[lang]
    links = "".join(f'<link rel="alternate" type="{esc(m)}" href="{esc(h)}">' for _, h, m in alternates)
    nav = ""
    if switch is not None:
        other = t["switch_lang"]
        nav = f' · <a href="{esc(switch)}" hreflang="{other}" lang="{other}">{esc(t["switch"])}</a>'
    formats = ""
    if alternates:
        items = " · ".join(f'<a href="{esc(h)}" type="{esc(m)}">{esc(label)}</a>' for label, h, m in alternates)
        formats = f'<p>{esc(t["formats"])} : {items}</p>' if lang == "fr" else f'<p>{esc(t["formats"])}: {items}</p>'
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)} — Graphe</title>\n{links}\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f'<header><a href="/def">{esc(t["ontology_link"])}</a>{nav}</header>\n'
        f"<main>\n{body}\n</main>\n<footer>{formats}<p>{esc(t['site'])}</p></footer>\n</body>\n</html>\n"
    )


def _sort_key(predicate: str, labels: Labels) -> tuple[int, int, str]:
    if predicate in _FIRST:
        return (0, _FIRST.index(predicate), "")
    last = any(predicate.startswith(p) for p in _LAST_PREFIXES)
    return (2 if last else 1, 0, (labels.label(predicate) or curie(predicate)).casefold())


def _ordered_values(values: Sequence[Term], labels: Labels) -> list[Term]:
    def key(term: Term) -> tuple[int, int, str]:
        if isinstance(term, Literal):
            lang = term.language or ""
            rank = next((i for i, w in enumerate(labels.langs) if lang == w or lang.startswith(w + "-")),
                        len(labels.langs))
            return (0, rank, term.value)
        return (1, 0, (labels.label(term.value) or term.value).casefold())
    return sorted(values, key=key)


def properties_table(props: Mapping[str, Sequence[Term]], labels: Labels, lang: str) -> str:
    t = TEXTS[lang]
    rows = []
    for predicate in sorted(props, key=lambda p: _sort_key(p, labels)):
        values = _ordered_values(props[predicate], labels)
        cells = [value_html(v, labels) for v in values]
        cell = cells[0] if len(cells) == 1 else "<ul>" + "".join(f"<li>{c}</li>" for c in cells) + "</ul>"
        rows.append(f'<tr><th scope="row">{labels.link(predicate, term=True)}</th><td>{cell}</td></tr>')
    return (f'<table>\n<thead><tr><th scope="col">{esc(t["property"])}</th><th scope="col">{esc(t["values"])}'
            f'</th></tr></thead>\n<tbody>\n' + "\n".join(rows) + "\n</tbody>\n</table>")


@dataclass
class EntityView:
    iri: str
    # subject → predicate → objects; the entity first, then its hash resources
    subjects: dict[str, dict[str, list[Term]]]
    incoming: list[tuple[str, str]]  # (subject, predicate) citing the entity
    incoming_truncated: bool
    retired: str | None  # the prov:invalidatedAtTime value
    labels: Labels
    lang: str
    alternates: Sequence[tuple[str, str, str]]
    switch: str


def entity_page(view: EntityView) -> str:
    t, labels, lang = TEXTS[view.lang], view.labels, view.lang
    own = view.subjects.get(view.iri, {})
    title = own_label(own, labels.langs) or view.iri.rstrip("/").rsplit("/", 1)[-1]
    types = [o.value for o in own.get(RDF_TYPE, []) if isinstance(o, NamedNode)]
    parts = [f"<h1>{esc(title)}</h1>"]
    if view.retired is not None:
        notice = t["retired"].format(date=format_date(view.retired, lang))
        parts.append(f'<p class="retired" role="note">{esc(notice)}</p>')
    meta = []
    if types:
        meta.append(f'<dt>{esc(t["types"])}</dt><dd>'
                    + ", ".join(labels.link(c, term=True) for c in sorted(types)) + "</dd>")
    meta.append(f'<dt>{esc(t["iri"])}</dt><dd><code>{esc(view.iri)}</code></dd>')
    parts.append("<dl>" + "".join(meta) + "</dl>")
    rest = {p: v for p, v in own.items() if p != RDF_TYPE}
    parts.append(f'<h2>{esc(t["properties"])}</h2>\n' + properties_table(rest, labels, lang))
    dependents = [s for s in view.subjects if s != view.iri]
    if dependents:
        parts.append(f'<h2>{esc(t["dependent"])}</h2>')
        for subject in dependents:
            fragment = subject.split("#", 1)[1]
            props = view.subjects[subject]
            name = own_label(props, labels.langs) or "#" + fragment
            kinds = ", ".join(labels.link(o.value, term=True) for o in props.get(RDF_TYPE, [])
                              if isinstance(o, NamedNode))
            body = {p: v for p, v in props.items() if p != RDF_TYPE}
            parts.append(f'<section id="{esc(fragment)}"><h3>{esc(name)}</h3>'
                         f'<p class="muted">{kinds} <code>{esc(subject)}</code></p>'
                         + properties_table(body, labels, lang) + "</section>")
    if view.incoming:
        items = "".join(f"<li>{labels.link(s)} <span class=\"muted\">({labels.link(p, term=True)})</span></li>"
                        for s, p in view.incoming)
        more = f'<p class="muted">{esc(t["more"])}</p>' if view.incoming_truncated else ""
        parts.append(f'<h2>{esc(t["cited_by"])}</h2><ul>{items}</ul>{more}')
    return page(title, "\n".join(parts), lang, alternates=view.alternates, switch=view.switch)


def own_label(props: Mapping[str, Sequence[Term]], langs: Sequence[str]) -> str | None:
    for predicate in LABEL_PREDICATES:
        texts = sorted((t.language or "", t.value) for t in props.get(predicate, []) if isinstance(t, Literal))
        found = pick(texts, langs)
        if found:
            return found
    return None


def not_found_page(iri: str, lang: str) -> str:
    t = TEXTS[lang]
    body = f'<h1>{esc(t["not_found"])}</h1><p>{esc(t["not_found_text"].format(iri=iri))}</p>'
    return page(t["not_found"], body, lang)


# ------------------------------------------------------------------------------------------- ontology

_CLASS_TYPES = (_OWL + "Class", _RDFS + "Class")
_PROPERTY_TYPES = (_OWL + "ObjectProperty", _OWL + "DatatypeProperty", _OWL + "AnnotationProperty",
                   _RDF + "Property")


def ontology_page(subjects: Mapping[str, Mapping[str, list[Term]]], lang: str, langs: Sequence[str],
                  alternates: Sequence[tuple[str, str, str]], switch: str) -> str:
    """The ontology graph (`subjects`: subject → predicate → objects) as a readable index of its terms."""
    t = TEXTS[lang]
    known = {s: {p: [(o.language or "", o.value) for o in objs if isinstance(o, Literal)]
                 for p, objs in props.items()} for s, props in subjects.items()}
    labels = Labels(base="", langs=langs, known=known)
    head = subjects.get(ONTOLOGY, {})
    title = own_label(head, langs) or t["ontology"]
    parts = [f"<h1>{esc(title)}</h1>"]
    description = pick(sorted(known.get(ONTOLOGY, {}).get(_DCT + "description", [])), langs)
    if description:
        parts.append(f'<p class="text">{esc(description)}</p>')
    meta = [f'<dt>{esc(t["iri"])}</dt><dd><code>{esc(ONTOLOGY)}</code></dd>']
    for predicate, key in ((_OWL + "versionInfo", "version"), (_DCT + "license", "license")):
        for value in head.get(predicate, []):
            meta.append(f'<dt>{esc(t[key])}</dt><dd>{value_html(value, labels)}</dd>')
    parts.append("<dl>" + "".join(meta) + "</dl>")

    def of_type(kinds: Sequence[str]) -> list[str]:
        found = [s for s, props in subjects.items()
                 if any(isinstance(o, NamedNode) and o.value in kinds for o in props.get(RDF_TYPE, []))]
        return sorted(found, key=lambda s: (labels.label(s) or anchor(s)).casefold())

    def entry(term: str, extra: Sequence[tuple[str, str]]) -> str:
        name = labels.label(term) or anchor(term)
        comment = labels.comment(term)
        details = "".join(
            f'<dt>{esc(t[key])}</dt><dd>'
            + ", ".join(labels.link(o.value, term=True) for o in subjects[term].get(predicate, [])
                        if isinstance(o, NamedNode)) + "</dd>"
            for key, predicate in extra if subjects[term].get(predicate))
        return (f'<section id="{esc(anchor(term))}"><h3>{esc(name)} <code class="muted">{esc(curie(term))}</code></h3>'
                + (f'<p class="text">{esc(comment)}</p>' if comment else "")
                + (f"<dl>{details}</dl>" if details else "") + "</section>")

    parts.append(f'<h2 id="classes">{esc(t["classes"])}</h2>')
    parts.extend(entry(c, (("sub_class_of", _RDFS + "subClassOf"),)) for c in of_type(_CLASS_TYPES))
    parts.append(f'<h2 id="properties">{esc(t["props"])}</h2>')
    parts.extend(entry(p, (("domain", _RDFS + "domain"), ("range", _RDFS + "range")))
                 for p in of_type(_PROPERTY_TYPES))
    schemes = of_type((_SKOS + "ConceptScheme",))
    if schemes:
        parts.append(f'<h2 id="vocabularies">{esc(t["schemes"])}</h2>')
        for scheme in schemes:
            members = sorted((s for s, props in subjects.items()
                              if any(o.value == scheme for o in props.get(_SKOS + "inScheme", []))),
                             key=lambda s: (labels.label(s) or s).casefold())
            items = "".join(f'<li id="{esc(anchor(m))}">{esc(labels.label(m) or anchor(m))} '
                            f'<code class="muted">{esc(curie(m))}</code></li>' for m in members)
            parts.append(entry(scheme, ()) + f"<ul>{items}</ul>")
    return page(title, "\n".join(parts), lang, alternates=alternates, switch=switch)
