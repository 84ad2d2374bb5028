"""An AI project as a web form, with its assessment against a charter: what a city declares without Turtle.

The boxes follow the AI project's shapes (`ontology/MODEL.md`: purpose, city, deployer and developer, data
used, human involvement, EU AI Act risk level, legal basis, impact assessment, source code, themes, sources);
the assessment is one row per criterion of the chosen charter (a verdict from the ontology's `gr:Verdicts`,
a justification, evidence). Assessments are minted under the project's IRI (`…/assessment/{criterion}`) and
sources likewise (`…/source/1`): the project owns them, so a city's draft may carry them. The same API as
`practice_form`: read, write, check, changes, published.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import practice_form as pf
from ..core.errors import GrapheError
from ..core.rdf import PREFIXES, Literal, NamedNode, Quad
from ..ingest.sheets import Where, ref, resolve, slugify, web_url
from ..model.namespaces import GR, VOCABULARIES
from ..store import Store

if TYPE_CHECKING:
    from ..validation.validator import Validator

DCT, SCHEMA, SKOS = PREFIXES["dct"], PREFIXES["schema"], PREFIXES["skos"]
AIRO, DPV, AIACT = PREFIXES["airo"], PREFIXES["dpv"], PREFIXES["eu-aiact"]
RDF_TYPE = PREFIXES["rdf"] + "type"
CV_DERIVED = PREFIXES["cv"] + "isDerivedFrom"
SOURCE = "formulaire"

# What the choices offer (value → IRI), with their labels (French, English).
HUMAN_INVOLVEMENT = {
    "oversight": (DPV + "HumanInvolvementForOversight", "supervision humaine du système", "human oversight"),
    "verification": (DPV + "HumanInvolvementForVerification", "vérification humaine de chaque résultat",
                     "human verification of each output"),
    "decision": (DPV + "HumanInvolvementForDecision", "décision prise par une personne", "decision by a person"),
    "intervention": (DPV + "HumanInvolvementForIntervention", "intervention humaine possible",
                     "human intervention possible"),
    "input": (DPV + "HumanInvolvementForInput", "contribution humaine aux données d'entrée", "human input"),
    "none": (DPV + "HumanNotInvolved", "aucune implication humaine", "no human involvement"),
}
RISK_LEVELS = {
    "minimal": (AIACT + "RiskLevelMinimal", "risque minimal", "minimal risk"),
    "transparency": (AIACT + "RiskLevelTransparencyRequired", "obligation de transparence", "transparency required"),
    "high": (AIACT + "RiskLevelHigh", "haut risque", "high risk"),
    "prohibited": (AIACT + "RiskLevelProhibited", "pratique interdite", "prohibited practice"),
}
STATUS = {code.lower(): (iri, code, code) for code, iri in VOCABULARIES["LifecycleStatus"].items()}
VERDICTS = VOCABULARIES["Verdicts"]  # MET, PARTLY_MET… → IRI


@dataclass(frozen=True)
class Box:
    key: str
    predicate: str
    kind: str  # text | long | ref | refs | choice | url
    fr: str
    en: str
    lang: str | None = None  # text: the language of this box
    target: str | None = None  # ref(s): the kind of resource ({base}id/{target}/…)
    choices: Mapping[str, tuple[str, str, str]] | None = None

    def label(self, lang: str) -> str:
        text = self.fr if lang == "fr" else self.en
        if self.lang is None:
            return text
        names = {"fr": {"fr": "français", "en": "anglais"}, "en": {"fr": "French", "en": "English"}}
        return f"{text} ({names[lang][self.lang]})"


BOXES: tuple[Box, ...] = (
    Box("title_fr", DCT + "title", "text", "Nom du projet", "Project name", "fr"),
    Box("title_en", DCT + "title", "text", "Nom du projet", "Project name", "en"),
    Box("purpose_fr", GR.purposeDescription, "long", "À quoi il sert", "What it is for", "fr"),
    Box("description_fr", DCT + "description", "long", "Comment il fonctionne", "How it works", "fr"),
    Box("city", AIRO + "isUsedWithinLocality", "ref", "Ville", "City", target="city"),
    Box("deployer", AIRO + "isDeployedBy", "ref", "Organisation qui le déploie", "Deploying organisation",
        target="organisation"),
    Box("developer", AIRO + "isDevelopedBy", "ref", "Développé par (prestataire, ou la ville elle-même)",
        "Developed by (vendor, or the city itself)", target="organisation"),
    Box("status", GR.status, "choice", "Étape du cycle de vie", "Lifecycle stage", choices=STATUS),
    Box("data_fr", GR.dataSources, "long", "Données utilisées", "Data used", "fr"),
    Box("human", DPV + "hasHumanInvolvement", "choice", "Contrôle humain", "Human oversight",
        choices=HUMAN_INVOLVEMENT),
    Box("risk", AIACT + "hasRiskLevel", "choice", "Niveau de risque (règlement européen sur l'IA)",
        "Risk level (EU AI Act)", choices=RISK_LEVELS),
    Box("legal_fr", GR.legalBasisDescription, "long", "Base légale", "Legal basis", "fr"),
    Box("impact", DPV + "hasImpactAssessment", "url", "Analyse d'impact (lien)", "Impact assessment (link)"),
    Box("code", SCHEMA + "codeRepository", "url", "Code source, s'il est ouvert (lien)", "Source code, if open (link)"),
    Box("themes", DCT + "subject", "refs", "Thèmes", "Themes", target="theme"),
    Box("sources", DCT + "source", "refs", "Sources publiées (identifiants courts)", "Published sources (short ids)",
        target="source"),
)
BY_KEY = {b.key: b for b in BOXES}
ASSESSMENT_PARTS = ("verdict", "justification", "evidence")
Values = Mapping[str, Sequence[str]]


def assessment_key(part: str, criterion: str) -> str:
    return f"{part}|{criterion}"


def _one(values: Values, key: str) -> str:
    return (values.get(key) or [""])[0].strip()


def read(values: Values, base_iri: str, city: str | None = None,
         today: dt.date | None = None) -> tuple[str, list[Quad]]:
    """The project a form describes, with its assessments and declared sources: (IRI, triples). `city`: the
    contributor's, whatever the form says. SHEET_INVALID (with `field`) for a value of the wrong shape."""
    where = Where(SOURCE)
    title = _one(values, "title_fr")
    if not title:
        raise where.error("title_fr", "le nom du projet en français est obligatoire.",
                          "the project's French name is required.")
    slug = _one(values, "id") or slugify(title)
    iri = NamedNode(f"{base_iri}id/ai-project/{ref(slug, where, 'id')}")
    out = [Quad(iri, NamedNode(RDF_TYPE), NamedNode(GR.AIProject))]
    for box in BOXES:
        given = [city] if box.key == "city" and city is not None else [v for v in values.get(box.key, ()) if v.strip()]
        if box.kind == "refs":
            given = pf.split_values(given)
        for value in given[:1] if box.kind not in ("refs",) else given:
            value = value.strip()
            if box.kind in ("text", "long"):
                obj: NamedNode | Literal = Literal(value, language=box.lang or "fr")
            elif box.kind in ("ref", "refs"):
                obj = resolve(ref(value, where, box.key), box.target or "", base_iri)
            elif box.kind == "choice":
                assert box.choices is not None
                if value not in box.choices:
                    raise where.error(box.key, f"choix inconnu « {value} ».", f"unknown choice '{value}'.")
                obj = NamedNode(box.choices[value][0])
            else:
                obj = NamedNode(web_url(value, where, box.key))
            out.append(Quad(iri, NamedNode(box.predicate), obj))
    out += pf.inline_sources(values, iri.value, base_iri)
    out += _assessments(values, iri, base_iri, today or dt.date.today(), where)
    return iri.value, list(dict.fromkeys(out))


def _assessments(values: Values, project: NamedNode, base_iri: str, today: dt.date, where: Where) -> list[Quad]:
    out: list[Quad] = []
    deployer = _one(values, "deployer")
    for key in values:
        if not key.startswith("verdict|"):
            continue
        criterion = key.split("|", 1)[1]
        verdict = _one(values, key)
        if not verdict:
            continue  # not assessed
        if verdict not in VERDICTS:
            raise where.error(key, f"verdict inconnu « {verdict} ».", f"unknown verdict '{verdict}'.")
        try:
            criterion_term = NamedNode(criterion)
        except ValueError:
            raise where.error(key, "critère inconnu.", "unknown criterion.") from None
        a = NamedNode(f"{project.value}/assessment/{criterion.rstrip('/').rsplit('/', 1)[-1]}")
        out += [Quad(a, NamedNode(RDF_TYPE), NamedNode(GR.Assessment)),
                Quad(a, NamedNode(GR.assessedProject), project),
                Quad(a, NamedNode(GR.criterion), criterion_term),
                Quad(a, NamedNode(GR.verdict), NamedNode(VERDICTS[verdict])),
                Quad(a, NamedNode(DCT + "date"), Literal(today.isoformat(), datatype=NamedNode(PREFIXES["xsd"] + "date")))]
        justification = _one(values, assessment_key("justification", criterion))
        if justification:
            out.append(Quad(a, NamedNode(GR.justification), Literal(justification, language="fr")))
        evidence = _one(values, assessment_key("evidence", criterion))
        if evidence:
            out.append(Quad(a, NamedNode(GR.evidence),
                            NamedNode(web_url(evidence, where, assessment_key("evidence", criterion)))))
        if deployer:
            out.append(Quad(a, NamedNode(GR.assessor), resolve(ref(deployer, where, "deployer"), "organisation",
                                                                base_iri)))
    return out


def write(quads: Sequence[Quad], iri: str, base_iri: str) -> dict[str, list[str]]:
    """The form of a project's triples (the reverse of `read`)."""
    out: dict[str, list[str]] = {"id": [iri.rsplit("/", 1)[-1]], **pf.source_values(quads, iri, base_iri)}
    for q in quads:
        if q.subject.value == iri:
            for box in BOXES:
                if box.predicate != q.predicate.value:
                    continue
                obj = q.object
                if box.kind in ("text", "long"):
                    if (getattr(obj, "language", None) or "fr") != (box.lang or "fr"):
                        continue
                    out.setdefault(box.key, []).append(obj.value)
                elif box.kind in ("ref", "refs"):
                    if box.key == "sources" and obj.value.startswith(iri + "/source/"):
                        continue
                    prefix = f"{base_iri}id/{box.target}/"
                    out.setdefault(box.key, []).append(obj.value[len(prefix):] if obj.value.startswith(prefix)
                                                       else obj.value)
                elif box.kind == "choice":
                    assert box.choices is not None
                    out.setdefault(box.key, []).append(next((k for k, (v, _, _) in box.choices.items()
                                                             if v == obj.value), obj.value))
                else:
                    out.setdefault(box.key, []).append(obj.value)
        elif q.subject.value.startswith(iri + "/assessment/"):
            continue
    for criterion, parts in _assessment_values(quads, iri).items():
        for part, value in parts.items():
            out[assessment_key(part, criterion)] = [value]
    return out


def _assessment_values(quads: Sequence[Quad], iri: str) -> dict[str, dict[str, str]]:
    by_subject: dict[str, dict[str, str]] = {}
    codes = {v: k for k, v in VERDICTS.items()}
    for q in quads:
        if not q.subject.value.startswith(iri + "/assessment/"):
            continue
        row = by_subject.setdefault(q.subject.value, {})
        if q.predicate.value == GR.criterion:
            row["criterion"] = q.object.value
        elif q.predicate.value == GR.verdict:
            row["verdict"] = codes.get(q.object.value, q.object.value)
        elif q.predicate.value == GR.justification:
            row["justification"] = q.object.value
        elif q.predicate.value == GR.evidence:
            row["evidence"] = q.object.value
    return {row.pop("criterion"): row for row in by_subject.values() if "criterion" in row}


def check(store: Store, validator: Validator, iri: str, quads: Sequence[Quad]) -> dict[str, list[tuple[str, str]]]:
    """The shapes' messages, placed beside the boxes (a row's for an assessment)."""
    criteria = {q.subject.value: q.object.value for q in quads if q.predicate.value == GR.criterion}

    def place(r) -> str | None:  # type: ignore[no-untyped-def]
        if r.focus == iri and r.path:
            return next((b.key for b in BOXES if b.predicate == r.path), None)
        if r.focus in criteria:
            return assessment_key("verdict", criteria[r.focus])
        return None
    return pf.check(store, validator, iri, quads, place)


def changes(before: Values, after: Values) -> list[pf.Change]:
    out = pf.changes(before, after, BOXES)
    for criterion in sorted({k.split("|", 1)[1] for k in [*before, *after] if "|" in k}):
        for part in ASSESSMENT_PARTS:
            key = assessment_key(part, criterion)
            old, new = ", ".join(before.get(key, ())), ", ".join(after.get(key, ()))
            if old != new:
                name = criterion.rsplit("/", 1)[-1]
                out.append(pf.Change(key, f"Évaluation {name} ({part})", f"Assessment {name} ({part})", old, new))
    return out


def published(store: Store, iri: str) -> list[Quad]:
    """The published project, its declared sources and its assessments."""
    own = pf.published(store, iri)
    rows = store.select(f"SELECT ?a WHERE {{ GRAPH ?g {{ ?a <{GR.assessedProject}> ?p }} }}",
                        {"g": store.graphs.public, "p": NamedNode(iri)})
    assessed = [r["a"] for r in rows]
    return own + (store.describe(assessed, store.graphs.public) if assessed else [])


def criteria(store: Store, charter: str) -> list[tuple[str, str, str]]:
    """The published criteria of a charter, in order: (IRI, identifier, French label)."""
    try:
        term = NamedNode(charter)
    except ValueError:
        raise GrapheError("BAD_USER_INPUT", "Charte invalide.", "Invalid charter.") from None
    rows = store.select(f"""SELECT ?c ?id ?label ?order WHERE {{ GRAPH ?g {{ ?c <{CV_DERIVED}> ?charter ;
        a <{GR.Criterion}> . OPTIONAL {{ ?c <{GR.identifier}> ?id }} OPTIONAL {{ ?c <{GR.order}> ?order }}
        OPTIONAL {{ ?c <{SKOS}prefLabel> ?label FILTER(LANGMATCHES(LANG(?label), "fr")) }} }} }}
        ORDER BY ?order ?c""", {"g": store.graphs.public, "charter": term})
    seen: dict[str, tuple[str, str, str]] = {}
    for r in rows:
        seen.setdefault(r["c"].value, (r["c"].value, r["id"].value if "id" in r else "",
                                       r["label"].value if "label" in r else r["c"].value))
    return list(seen.values())


def accepts(key: str) -> bool:
    """Whether a form key belongs to the AI project form (its boxes, sources, assessments, the charter)."""
    return key in BY_KEY or key in ("id", "charte") or key.startswith("source_") or "|" in key


def field_of(error: GrapheError) -> str:
    found = error.details.get("field") if isinstance(error.details, dict) else None
    if isinstance(found, str) and (found in BY_KEY or found.startswith("source_") or "|" in found):
        return found
    return pf.FORM
