"""The outcome of a SHACL validation, as plain values (light: no RDF or SHACL library imported here).

`graphe.validation.validator` produces these; every caller (loader, API, CLI) reads them, and only a write pays for
importing the validator (pySHACL, rdflib: ~150 ms at start-up otherwise).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["ValidationReport", "ValidationResult"]

_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}
_PREFIXES: tuple[tuple[str, str], ...] = (
    ("gr", "https://graphe.aimf.asso.fr/def#"), ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"), ("dct", "http://purl.org/dc/terms/"),
    ("dcat", "http://www.w3.org/ns/dcat#"), ("prov", "http://www.w3.org/ns/prov#"), ("org", "http://www.w3.org/ns/org#"),
    ("cv", "http://data.europa.eu/m8g/"), ("schema", "https://schema.org/"), ("owl", "http://www.w3.org/2002/07/owl#"),
    ("geo", "http://www.opengis.net/ont/geosparql#"), ("airo", "https://w3id.org/airo#"), ("dpv", "https://w3id.org/dpv#"),
    ("eu-aiact", "https://w3id.org/dpv/legal/eu/aiact#"),
)
_SEVERITY_LABELS = {
    "fr": {"Violation": "Violation", "Warning": "Avertissement", "Info": "Information"},
    "en": {"Violation": "Violation", "Warning": "Warning", "Info": "Info"},
}


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL validation result, flattened.

    ``focus`` is a plain IRI (or a blank node id), ``path`` the property IRI, ``value`` the offending value
    as N-Triples term text, ``shape`` the IRI of the shape that produced the result and ``component`` the
    local name of the SHACL constraint component (e.g. ``"MinCountConstraintComponent"``).
    """

    severity: str
    focus: str
    path: str | None
    value: str | None
    message_fr: str
    message_en: str
    shape: str
    component: str

    def message(self, lang: str = "fr") -> str:
        """Return the message in ``lang`` ("fr" or "en"); any other language gets the English one."""
        return self.message_fr if lang.lower().startswith("fr") else self.message_en


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating one data graph."""

    results: tuple[ValidationResult, ...]

    @property
    def conforms(self) -> bool:
        """True when no result is a Violation (warnings and infos do not block)."""
        return not self.violations

    @property
    def violations(self) -> tuple[ValidationResult, ...]:
        """Results of severity Violation."""
        return tuple(r for r in self.results if r.severity == "Violation")

    @property
    def warnings(self) -> tuple[ValidationResult, ...]:
        """Results of severity Warning."""
        return tuple(r for r in self.results if r.severity == "Warning")

    def format(self, lang: str = "fr") -> str:
        """Render one readable line per result: severity, focus node, property, message and value."""
        labels = _SEVERITY_LABELS["fr" if lang.lower().startswith("fr") else "en"]
        value_word = "valeur" if lang.lower().startswith("fr") else "value"
        lines = []
        for r in self.results:
            line = f"[{labels.get(r.severity, r.severity)}] <{r.focus}>"
            if r.path:
                line += f" {_compact(r.path)}"
            line += f" : {r.message(lang)}" if lang.lower().startswith("fr") else f": {r.message(lang)}"
            if r.value is not None:
                line += f" ({value_word} {r.value})"
            lines.append(line)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary (only str, int, bool, list, dict and None)."""
        return {
            "conforms": self.conforms,
            "violations": len(self.violations),
            "warnings": len(self.warnings),
            "results": [asdict(r) for r in self.results],
        }


def _compact(iri: str) -> str:
    """Shorten a property IRI with the usual Graphe prefixes, for display only."""
    for prefix, namespace in _PREFIXES:
        if iri.startswith(namespace) and iri[len(namespace):].replace("-", "").replace("_", "").isalnum():
            return f"{prefix}:{iri[len(namespace):]}"
    return iri
