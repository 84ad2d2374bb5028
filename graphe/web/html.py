"""HTML pages of dereferenced IRIs (entity pages, the ontology page, messages and errors).

Plain server-side HTML from Jinja2 templates (`web/templates/`, through `web/templates.py`, autoescaping on):
French first (English on request), no JavaScript, no external asset, one stylesheet (`/static/graphe.css`).
This module prepares plain values for the templates (labels, hrefs, ordered rows); only http(s) and mailto
IRIs become links. `web/pages.py` fetches the data and negotiates.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from ..read.entities import pick
from ..core.rdf import PREFIXES, Literal, NamedNode, Term
from . import formats
from .templates import render

ONTOLOGY = "https://graphe.aimf.asso.fr/def"
_RDF, _RDFS, _OWL = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["owl"]
_SKOS, _DCT, _SCHEMA = PREFIXES["skos"], PREFIXES["dct"], PREFIXES["schema"]
RDF_TYPE = _RDF + "type"
RDFS_LABEL, RDFS_COMMENT = _RDFS + "label", _RDFS + "comment"
# Predicates naming a resource, most specific first.
LABEL_PREDICATES = (_SCHEMA + "name", _DCT + "title", _SKOS + "prefLabel", RDFS_LABEL)
# Relations read backwards on the page of their object ("Cité par"): the inverse's label says it the right
# way round (the ontology labels both).
INVERSES = {_SKOS + "broader": _SKOS + "narrower"}
# Languages written right to left (primary subtags): their texts are shown with dir="rtl".
RTL = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "ks", "ku", "ps", "sd", "syr", "ug", "ur", "yi"})
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
        "skip": "Aller au contenu", "nav": "Navigation principale", "home": "Accueil", "search": "Rechercher",
        "practices": "Pratiques", "cities": "Villes", "charters": "Chartes", "themes": "Thèmes",
        "ai_projects": "Projets d'IA", "compare": "Comparer des chartes",
        "search_label": "Rechercher une pratique, une ville, une charte…", "search_button": "Rechercher",
        "language": "Langue", "office_link": "Espace des villes et du secrétariat",
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
        "skip": "Skip to content", "nav": "Main navigation", "home": "Home", "search": "Search",
        "practices": "Practices", "cities": "Cities", "charters": "Charters", "themes": "Themes",
        "ai_projects": "AI projects", "compare": "Compare charters",
        "search_label": "Search a practice, a city, a charter…", "search_button": "Search",
        "language": "Language", "office_link": "Cities' and secretariat's space",
    },
}


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

    def link_parts(self, iri: str, term: bool = False) -> dict[str, object]:
        """What a link to `iri` shows: its label (or the IRI, or for a term its prefixed name, as code) and
        where it goes (None: no link)."""
        name = self.label(iri)
        href = self.term_href(iri) if term else self.href(iri)
        if name is None and not term and iri.startswith(self.base + "id/"):
            name = iri[len(self.base) + 3:]  # an unnamed resource (a membership…): its kind/slug
        return {"text": name if name else (curie(iri) if term else iri), "code": not name, "href": href,
                "external": href is not None and not href.startswith("/")}

    @staticmethod
    def value_parts(term: Term) -> dict[str, str]:
        """A value as a template shows it: a text in a language, another literal with its datatype, an IRI."""
        if isinstance(term, Literal):
            if term.language:
                return {"kind": "text", "text": term.value, "lang": term.language,
                        "dir": "rtl" if term.language.split("-")[0] in RTL else ""}
            datatype = term.datatype.value if term.datatype is not None else ""
            return {"kind": "literal", "text": term.value,
                    "tag": "" if datatype == PREFIXES["xsd"] + "string" else curie(datatype)}
        if isinstance(term, NamedNode):
            return {"kind": "iri", "text": term.value}
        return {"kind": "other", "text": str(term)}


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


def message_page(title: str, paragraphs: Sequence[str], lang: str, *, code: str | None = None,
                 links: Sequence[tuple[str, str]] = ()) -> str:
    """A page of a title, paragraphs of text, an optional error code and links (href, label)."""
    return render("message.html", title=title, paragraphs=paragraphs, code=code, links=links, lang=lang,
                  t=TEXTS[lang], alternates=(), switch=None)


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


def property_rows(props: Mapping[str, Sequence[Term]], labels: Labels) -> list[tuple[str, list[Term]]]:
    """(predicate, values) in reading order: names and descriptions first, sources and provenance last."""
    return [(p, _ordered_values(props[p], labels)) for p in sorted(props, key=lambda p: _sort_key(p, labels))]


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
    labels, lang = view.labels, view.lang
    own = view.subjects.get(view.iri, {})
    title = own_label(own, labels.langs) or view.iri.rstrip("/").rsplit("/", 1)[-1]
    dependents = []
    for subject in (s for s in view.subjects if s != view.iri):
        fragment = subject.split("#", 1)[1]
        props = view.subjects[subject]
        dependents.append({"iri": subject, "fragment": fragment,
                           "name": own_label(props, labels.langs) or "#" + fragment,
                           "kinds": [o.value for o in props.get(RDF_TYPE, []) if isinstance(o, NamedNode)],
                           "rows": property_rows({p: v for p, v in props.items() if p != RDF_TYPE}, labels)})
    return render("entity.html", title=title, iri=view.iri, lang=lang, t=TEXTS[lang], labels=labels,
                  retired=None if view.retired is None else formats.date(view.retired, lang),
                  types=sorted(o.value for o in own.get(RDF_TYPE, []) if isinstance(o, NamedNode)),
                  rows=property_rows({p: v for p, v in own.items() if p != RDF_TYPE}, labels),
                  dependents=dependents, incoming=view.incoming, truncated=view.incoming_truncated,
                  alternates=view.alternates, switch=view.switch)


def own_label(props: Mapping[str, Sequence[Term]], langs: Sequence[str]) -> str | None:
    for predicate in LABEL_PREDICATES:
        texts = sorted((t.language or "", t.value) for t in props.get(predicate, []) if isinstance(t, Literal))
        found = pick(texts, langs)
        if found:
            return found
    return None


def not_found_page(iri: str, lang: str) -> str:
    t = TEXTS[lang]
    return message_page(t["not_found"], [t["not_found_text"].format(iri=iri)], lang)


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

    def of_type(kinds: Sequence[str]) -> list[str]:
        found = [s for s, props in subjects.items()
                 if any(isinstance(o, NamedNode) and o.value in kinds for o in props.get(RDF_TYPE, []))]
        return sorted(found, key=lambda s: (labels.label(s) or anchor(s)).casefold())

    def entry(term: str, extra: Sequence[tuple[str, str]]) -> dict[str, object]:
        details = [(key, [o.value for o in subjects[term].get(predicate, []) if isinstance(o, NamedNode)])
                   for key, predicate in extra if subjects[term].get(predicate)]
        return {"anchor": anchor(term), "name": labels.label(term) or anchor(term), "curie": curie(term),
                "comment": labels.comment(term), "details": details}

    def members(scheme: str) -> list[dict[str, str]]:
        found = sorted((s for s, props in subjects.items()
                        if any(o.value == scheme for o in props.get(_SKOS + "inScheme", []))),
                       key=lambda s: (labels.label(s) or s).casefold())
        return [{"anchor": anchor(m), "name": labels.label(m) or anchor(m), "curie": curie(m)} for m in found]

    return render("ontology.html", title=own_label(head, langs) or t["ontology"], iri=ONTOLOGY, lang=lang, t=t,
                  labels=labels, description=pick(sorted(known.get(ONTOLOGY, {}).get(_DCT + "description", [])),
                                                  langs),
                  meta=[(key, value) for predicate, key in ((_OWL + "versionInfo", "version"),
                                                            (_DCT + "license", "license"))
                        for value in head.get(predicate, [])],
                  classes=[entry(c, (("sub_class_of", _RDFS + "subClassOf"),)) for c in of_type(_CLASS_TYPES)],
                  properties=[entry(p, (("domain", _RDFS + "domain"), ("range", _RDFS + "range")))
                              for p in of_type(_PROPERTY_TYPES)],
                  schemes=[(entry(s, ()), members(s)) for s in of_type((_SKOS + "ConceptScheme",))],
                  alternates=alternates, switch=switch)
