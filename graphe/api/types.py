"""GraphQL object types, one per class of the ontology; each field is one line (see `fields.py`)."""

import enum
from typing import Any, Optional

import strawberry

from ..read import filters
from ..read import relations as R
from ..read.entities import Entity, rank
from ..core import rdf
from ..core.rdf import PREFIXES
from ..model import practice
from ..model.namespaces import GR
from ..model.records import record_order
from ..publishing.workflow import Version
from . import fields as f

SCHEMA, DCT, SKOS, ORG = PREFIXES["schema"], PREFIXES["dct"], PREFIXES["skos"], PREFIXES["org"]
CV, AIRO, DPV = PREFIXES["cv"], PREFIXES["airo"], PREFIXES["dpv"]
AIACT, OWL, PROV, RDFS = PREFIXES["eu-aiact"], PREFIXES["owl"], PREFIXES["prov"], PREFIXES["rdfs"]
DCAT, SPDX = PREFIXES["dcat"], "http://spdx.org/rdf/terms#"
MATCHES = R.MATCHES
_CODES = {iri: name for table in (filters.PRACTICE_STATUS, filters.VERDICT, filters.RISK_LEVEL,
                                  filters.IMPACT_DIMENSION, filters.CRITERION_KIND, filters.CHARTER_KIND)
          for name, iri in table.items()}


@strawberry.type(description="Valeur d'un vocabulaire contrôlé (statut, verdict, nature…). / A controlled value.")
class Concept:
    entity: strawberry.Private[Entity]
    id: strawberry.ID = f.node_id()
    label: Optional[str] = f.text(SKOS + "prefLabel", "Libellé. / Label.")
    label_translations: list[f.Translation] = f.translations(SKOS + "prefLabel", "Libellé")

    @strawberry.field(description="Code stable (ex. IN_PRODUCTION, MET, HIGH). / Stable code.")
    def code(self) -> str:
        code = _CODES.get(self.entity.iri) or self.entity.literal(SKOS + "notation") or \
            self.entity.iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        return code.upper().replace("-", "_")


@strawberry.type(description="Source d'un fait (article, document, presse). / The source of a fact.")
class Source:
    entity: strawberry.Private[Entity]
    id: strawberry.ID = f.node_id()
    title: Optional[str] = f.text(DCT + "title", "Titre. / Title.")
    title_translations: list[f.Translation] = f.translations(DCT + "title", "Titre")
    kind: Optional[Concept] = f.concept(GR.sourceKind, "Primaire ou secondaire. / Primary or secondary.")
    issued: Optional[str] = f.literal(DCT + "issued", "Date. / Date.")
    url: Optional[str] = f.link(SCHEMA + "url", "Adresse web. / Web address.")
    publisher: Optional["Organisation"] = f.one(DCT + "publisher", "Organisation", "Éditeur. / Publisher.")


@strawberry.type(description="Empreinte d'un fichier (SPDX). / A file's checksum (SPDX).")
class Checksum:
    entity: strawberry.Private[Entity]
    algorithm: Optional[str] = f.link(SPDX + "algorithm", "Algorithme (SHA-256). / Algorithm.")
    value: Optional[str] = f.literal(SPDX + "checksumValue", "Valeur hexadécimale. / Hexadecimal value.")


@strawberry.type(description="Document joint à une fiche (charte, délibération, rapport…), servi par Graphe. / A "
                               "document attached to a record, served by Graphe.")
class Document:
    entity: strawberry.Private[Entity]
    id: strawberry.ID = f.node_id()
    title: Optional[str] = f.text(DCT + "title", "Titre. / Title.")
    title_translations: list[f.Translation] = f.translations(DCT + "title", "Titre")
    media_type: Optional[str] = f.link(DCAT + "mediaType", "Type de contenu (IRI IANA). / Media type (IANA IRI).")
    byte_size: Optional[int] = f.literal(DCAT + "byteSize", "Taille en octets. / Size in bytes.", int, int)
    language: Optional[str] = f.link(DCT + "language", "Langue (table des langues de l'UE). / Language.")
    license: Optional[str] = f.link(DCT + "license", "Licence. / Licence.")
    download_url: Optional[str] = f.link(DCAT + "downloadURL", "Adresse de téléchargement. / Download address.")
    checksum: Optional[Checksum] = f.one(SPDX + "checksum", "Checksum", "Empreinte SHA-256. / SHA-256 checksum.")


@strawberry.type(description="Thème (SKOS). / Theme.")
class Theme:
    entity: strawberry.Private[Entity]
    id: strawberry.ID = f.node_id()
    label: Optional[str] = f.text(SKOS + "prefLabel", "Libellé. / Label.")
    label_translations: list[f.Translation] = f.translations(SKOS + "prefLabel", "Libellé")
    definition: Optional[str] = f.text(SKOS + "definition", "Définition. / Definition.")
    definition_translations: list[f.Translation] = f.translations(SKOS + "definition", "Définition")
    broader: Optional["Theme"] = f.one(SKOS + "broader", "Theme", "Thème plus large. / Broader theme.")
    narrower: list["Theme"] = f.inverse(R.NARROWER, "Theme", "Thèmes plus précis. / Narrower.")


@strawberry.type(description="Ville ou collectivité. / City.")
class City:
    entity: strawberry.Private[Entity]
    id: strawberry.ID = f.node_id()
    documents: list["Document"] = f.many(GR.document, "Document", "Documents joints (téléchargeables). / Attached documents.")
    retired_at: Optional[str] = f.retired_at()
    history: list["VersionInfo"] = f.history()
    name: Optional[str] = f.text(SCHEMA + "name", "Nom. / Name.")
    name_translations: list[f.Translation] = f.translations(SCHEMA + "name", "Nom")
    country: Optional[str] = f.literal(SCHEMA + "addressCountry", "Pays (ISO 3166-1 alpha-2). / Country.")
    population: Optional[int] = f.literal(GR.population, "Population. / Population.", int, int)
    population_year: Optional[int] = f.literal(GR.populationYear, "Année de la population.", int, int)
    population_approximate: Optional[bool] = f.literal(
        GR.populationApproximate, "Population approximative. / Approximate.", lambda v: v == "true", bool)
    latitude: Optional[float] = f.literal(SCHEMA + "latitude", "Latitude (WGS 84).", float, float)
    longitude: Optional[float] = f.literal(SCHEMA + "longitude", "Longitude (WGS 84).", float, float)
    wikidata: Optional[str] = f.link(SCHEMA + "sameAs", "Élément Wikidata. / Wikidata item.")
    administered_by: list["Organisation"] = f.many(GR.administeredBy, "Organisation",
                                                 "Administration de la ville. / Its administration.")
    practices: list["Practice"] = f.inverse(R.CITY_PRACTICES, "Practice", "Ses bonnes pratiques. / Practices.")
    adoptions: list["Adoption"] = f.inverse(R.CITY_ADOPTIONS, "Adoption", "Chartes adoptées (avec dates).")
    charters: list["Charter"] = f.inverse(R.CITY_CHARTERS, "Charter",
                                        "Chartes qu'elle a adoptées. / Charters it adopted.")
    ai_projects: list["AIProject"] = f.inverse(R.CITY_AI_PROJECTS, "AIProject",
                                             "Ses projets d'IA. / Its AI projects.")
    events: list["Event"] = f.inverse(R.CITY_EVENTS, "Event",
                                    "Événements auxquels elle a pris part. / Events it took part in.")
    sources: list[Source] = f.many(DCT + "source", "Source", "Sources. / Sources.")


@strawberry.type(description="Organisation (administration, association, commission). / Organisation.")
class Organisation:
    entity: strawberry.Private[Entity]
    id: strawberry.ID = f.node_id()
    retired_at: Optional[str] = f.retired_at()
    history: list["VersionInfo"] = f.history()
    name: Optional[str] = f.text(SKOS + "prefLabel", "Nom. / Name.")
    name_translations: list[f.Translation] = f.translations(SKOS + "prefLabel", "Nom")
    alt_names: list[str] = f.texts(SKOS + "altLabel", "Autres noms, sigles. / Other names.")
    url: Optional[str] = f.link(SCHEMA + "url", "Site web. / Website.")
    part_of: Optional["Organisation"] = f.one(ORG + "subOrganizationOf", "Organisation", "Fait partie de.")
    units: list["Organisation"] = f.inverse(f"?s <{ORG}subOrganizationOf> ?k .", "Organisation", "Ses composantes.")
    memberships: list["Membership"] = f.inverse(R.ORGANISATION_MEMBERSHIPS, "Membership",
                                              "Ses appartenances à d'autres organisations. / Its memberships.")
    members: list["Membership"] = f.inverse(f"?s <{ORG}organization> ?k .", "Membership",
                                          "Ses membres, avec leur rôle. / Its members with their roles.")
    events_organised: list["Event"] = f.inverse(f"?s <{SCHEMA}organizer> ?k .", "Event",
                                              "Événements qu'elle a organisés. / Events it organised.")
    action_plans: list["ActionPlan"] = f.inverse(f"?s <{DCT}creator> ?k ; a <{GR.ActionPlan}> .", "ActionPlan",
                                               "Ses plans d'action. / Its action plans.")
    sources: list[Source] = f.many(DCT + "source", "Source", "Sources.")


@strawberry.type(description="Appartenance d'une organisation à une autre, avec rôle. / Membership.")
class Membership:
    entity: strawberry.Private[Entity]
    id: strawberry.ID = f.node_id()
    member: Optional[Organisation] = f.one(ORG + "member", "Organisation", "Le membre. / The member.")
    organisation: Optional[Organisation] = f.one(ORG + "organization", "Organisation", "L'organisation.")
    role: Optional[Concept] = f.concept(ORG + "role", "Rôle (présidence, membre, partenaire). / Role.")
    start_date: Optional[str] = f.literal(SCHEMA + "startDate", "Début. / Start.")
    end_date: Optional[str] = f.literal(SCHEMA + "endDate", "Fin. / End.")


def _record_type(fld: practice.Field) -> type:
    """The type of one kind of record a practice owns (`records` fields of the model): a GraphQL field per part."""
    annotations: dict[str, Any] = {"entity": strawberry.Private[Entity]}
    namespace: dict[str, Any] = {"__module__": __name__, "__annotations__": annotations}

    def put(name: str, kind: Any, value: Any) -> None:
        annotations[name], namespace[name] = kind, value

    put("id", strawberry.ID, f.node_id())
    for part in fld.parts:
        described = f"{part.fr[:1].upper()}{part.fr[1:]}. / {part.en[:1].upper()}{part.en[1:]}."
        if part.kind == "text":
            put(part.name, Optional[str], f.text(part.predicate, described))
            put(part.name + "_translations", list[f.Translation], f.translations(part.predicate, part.fr))
        elif part.kind == "code":
            put(part.name, Optional[Concept], f.concept(part.predicate, described + " " + ", ".join(part.codes())))
        elif part.kind == "ref":
            put(part.name, Optional[Organisation], f.one(part.predicate, "Organisation", described))
        else:  # decimals as written (no rounding through a float), units, dates, currencies
            put(part.name, Optional[str], f.literal(part.predicate, described))
    return strawberry.type(type(fld.type_name or "", (), namespace), description=f"{fld.fr}. / {fld.en}.")


# One type per kind of record (Indicator, Cost, Partnership), named as the model says.
for _fld in practice.RECORD_FIELDS:
    globals()[_fld.type_name or ""] = _record_type(_fld)


def _practice_type() -> type:
    """`Practice`: the sheet fields come from the practice model (`model/practice.py`), one GraphQL field per
    model field (texts also with all their translations); then what the store adds (dates, inverse links)."""
    targets = {"city": City, "organisation": Organisation, "theme": Theme, "source": Source, "practice": "Practice",
               "charter": "Charter", "ai-project": "AIProject"}
    names = {"city": "City", "organisation": "Organisation", "theme": "Theme", "source": "Source",
             "practice": "Practice", "charter": "Charter", "ai-project": "AIProject"}
    annotations: dict[str, Any] = {"entity": strawberry.Private[Entity]}
    namespace: dict[str, Any] = {"__module__": __name__, "__annotations__": annotations}

    def put(name: str, kind: Any, value: Any) -> None:
        annotations[name], namespace[name] = kind, value

    put("id", strawberry.ID, f.node_id())
    put("retired_at", Optional[str], f.retired_at())
    put("history", list["VersionInfo"], f.history())  # type: ignore[name-defined]
    for fld in practice.FIELDS:
        pred, described = fld.predicate, f"{fld.fr}. / {fld.en}."
        if fld.kind == "text":
            put(fld.name, Optional[str], f.text(pred, described))
            put(fld.name + "_translations", list[f.Translation], f.translations(pred, fld.fr))
        elif fld.kind == "words":
            put(fld.name, list[str], f.texts(pred, described))
        elif fld.kind == "ref":
            put(fld.name, Optional[targets[fld.target]], f.one(pred, names[fld.target], described))  # type: ignore
        elif fld.kind == "refs":
            put(fld.name, list[targets[fld.target]], f.many(pred, names[fld.target], described))  # type: ignore
        elif fld.kind == "status":
            put(fld.name, Optional[Concept], f.concept(pred, described))
        elif fld.kind == "url":
            put(fld.name, Optional[str], f.link(pred, described))
        elif fld.kind == "records":
            put(fld.name, list[fld.type_name], f.many(pred, fld.type_name, described,  # type: ignore
                                                       order=record_order))
        else:  # dates and addresses: the literal as written
            put(fld.name, Optional[str], f.literal(pred, described))
    put("modified", Optional[str], f.literal(DCT + "modified", "Dernière modification. / Modified."))
    put("machine_translations", list[str], f.literals(GR.machineTranslation, "Langues dont les textes sont une "
                                                        "traduction automatique, non relue (« en »…). / Languages "
                                                        "whose texts are a machine translation, not reviewed."))
    put("last_reviewed", Optional[str], f.literal(SCHEMA + "lastReviewed", "Informations vérifiées le (date de la "
                                                  "dernière publication relue). / Information last checked on."))
    put("review_due", Optional[str], f.literal(GR.reviewDue, "À revoir avant le (deux ans après la vérification). "
                                               "/ Review due by."))
    put("documents", list[Document], f.many(GR.document, "Document", "Documents joints (téléchargeables). / Attached documents."))
    put("adaptations", list["Practice"], f.inverse(R.ADAPTATIONS, "Practice",
                                                   "Pratiques d'autres villes qui l'ont reprise. / Who took it further."))
    put("inspired", list["Practice"], f.inverse(R.INSPIRED, "Practice",
                                                "Pratiques qu'elle a inspirées."))
    return strawberry.type(type("Practice", (), namespace), description="Bonne pratique d'une ville. / A city's good practice.")


Practice: Any = _practice_type()


@strawberry.type(description="Charte, cadre de confiance ou déclaration de principes. / Charter or framework.")
class Charter:
    entity: strawberry.Private[Entity]
    id: strawberry.ID = f.node_id()
    documents: list["Document"] = f.many(GR.document, "Document", "Documents joints (téléchargeables). / Attached documents.")
    retired_at: Optional[str] = f.retired_at()
    history: list["VersionInfo"] = f.history()
    title: Optional[str] = f.text(DCT + "title", "Titre. / Title.")
    title_translations: list[f.Translation] = f.translations(DCT + "title", "Titre")
    description: Optional[str] = f.text(DCT + "description", "Description.")
    description_translations: list[f.Translation] = f.translations(DCT + "description", "Description")
    kind: Optional[Concept] = f.concept(GR.charterKind, "Nature. / Kind.")
    publisher: Optional[Organisation] = f.one(DCT + "publisher", "Organisation", "Organisation émettrice.")
    issued: Optional[str] = f.literal(DCT + "issued", "Date. / Issued.")
    version: Optional[str] = f.literal(OWL + "versionInfo", "Version.")
    revision_of: Optional["Charter"] = f.one(PROV + "wasRevisionOf", "Charter", "Version précédente.")
    url: Optional[str] = f.link(SCHEMA + "url", "Site web. / Website.")
    themes: list[Theme] = f.many(DCT + "subject", "Theme", "Thèmes. / Themes.")
    criteria: list["Criterion"] = f.inverse(R.CHARTER_CRITERIA, "Criterion",
                                          "Ses critères, dans l'ordre. / Its criteria, in order.", rank)
    adopted_by: list["Adoption"] = f.inverse(R.CHARTER_ADOPTIONS, "Adoption",
                                           "Adoptions par des villes (ville, date). / Adoptions by cities.")
    practices: list[Practice] = f.inverse(R.CHARTER_PRACTICES, "Practice", "Pratiques qui l'appliquent.")
    sources: list[Source] = f.many(DCT + "source", "Source", "Sources.")


@strawberry.type(description="Adoption d'une charte par une ville. / A city's adoption of a charter.")
class Adoption:
    entity: strawberry.Private[Entity]
    id: strawberry.ID = f.node_id()
    city: Optional[City] = f.one(GR.adopter, "City", "Ville. / City.")
    charter: Optional[Charter] = f.one(GR.charter, "Charter", "Charte. / Charter.")
    date: Optional[str] = f.literal(DCT + "date", "Date.")
    decision_reference: Optional[str] = f.literal(GR.decisionReference, "Référence de la décision.")


@strawberry.type(description="Qui affirme qu'un critère correspond à un autre, avec quelle force, quand, sur quelle "
                               "source et pourquoi (gr:CriterionMapping) : une correspondance est un jugement. / Who "
                               "asserts that two criteria match, how strongly, when, on what source and why.")
class CriterionMapping:
    entity: strawberry.Private[Entity]
    id: strawberry.ID = f.node_id()
    subject: Optional["Criterion"] = f.one(GR.mappingSubject, "Criterion", "Critère de départ. / Subject criterion.")
    object: Optional["Criterion"] = f.one(GR.mappingObject, "Criterion", "Critère d'arrivée. / Object criterion.")
    strength: Optional[Concept] = f.concept(GR.mappingStrength, "Équivalent, proche ou apparenté. / Exact, close "
                                                               "or related.")
    asserted_by: list[Organisation] = f.many(DCT + "creator", "Organisation",
                                             "Qui l'affirme. / Who asserts it.")
    date: Optional[str] = f.literal(DCT + "date", "Date où elle a été affirmée. / When it was asserted.")
    sources: list[Source] = f.many(DCT + "source", "Source", "Sur quoi elle repose. / What it rests on.")
    comment: Optional[str] = f.text(RDFS + "comment", "Pourquoi. / Why.")
    comment_translations: list[f.Translation] = f.translations(RDFS + "comment", "Commentaire")


@strawberry.type(description="Correspondance vers un critère d'un autre cadre. / Mapping to another criterion.")
class CriterionMatch:
    criterion: "Criterion"
    match: str = strawberry.field(description="EXACT, CLOSE ou RELATED (skos:exactMatch / skos:closeMatch / "
                                              "skos:relatedMatch).")
    mapping: Optional[CriterionMapping] = strawberry.field(
        description="Sa provenance (qui, quand, sur quoi), ou null quand aucune n'est publiée. / Its provenance, or "
                    "null when none is published.")


@strawberry.type(description="Critère ou principe d'une charte. / A charter's criterion or principle.")
class Criterion:
    entity: strawberry.Private[Entity]
    id: strawberry.ID = f.node_id()
    identifier: Optional[str] = f.literal(GR.identifier, "Identifiant dans sa charte. / Identifier.")
    order: Optional[int] = f.literal(GR.order, "Rang. / Order.", int, int)
    label: Optional[str] = f.text(SKOS + "prefLabel", "Libellé. / Label.")
    label_translations: list[f.Translation] = f.translations(SKOS + "prefLabel", "Libellé")
    definition: Optional[str] = f.text(SKOS + "definition", "Description. / Definition.")
    definition_translations: list[f.Translation] = f.translations(SKOS + "definition", "Description")
    impact_dimension: Optional[Concept] = f.concept(GR.impactDimension, "Dimension d'impact.")
    kind: Optional[Concept] = f.concept(GR.criterionKind, "Ligne rouge, critère ou principe. / Kind.")
    charter: Optional[Charter] = f.one(CV + "isDerivedFrom", "Charter", "Sa charte. / Its charter.")
    assessments: list["Assessment"] = f.inverse(R.CRITERION_ASSESSMENTS, "Assessment", "Évaluations.")

    @strawberry.field(description="Critères d'autres cadres mis en correspondance (dans les deux sens). "
                                  "/ Mapped criteria of other frameworks (both directions).")
    async def matches(self, info: strawberry.Info) -> list[CriterionMatch]:
        ctx = info.context
        kinds: dict[str, str] = {}
        for kind, predicate in MATCHES:
            for iri in self.entity.refs(predicate):
                kinds.setdefault(iri, kind)
        for other in await ctx.related(R.MATCHED_BY, self.entity.iri):
            kind = next(k for k, predicate in MATCHES if self.entity.iri in other.refs(predicate))
            kinds.setdefault(other.iri, kind)
        records = {m.ref(GR.mappingObject) if m.ref(GR.mappingSubject) == self.entity.iri
                   else m.ref(GR.mappingSubject): m for m in await ctx.related(R.CRITERION_MAPPINGS, self.entity.iri)}
        found = f.live(await ctx.entities(sorted(kinds)))
        return [CriterionMatch(criterion=Criterion(entity=e), match=kinds[e.iri],
                               mapping=CriterionMapping(entity=records[e.iri]) if e.iri in records else None)
                for e in found]


@strawberry.type(description="Projet d'IA d'une ville. / A city's AI project.")
class AIProject:
    entity: strawberry.Private[Entity]
    id: strawberry.ID = f.node_id()
    documents: list["Document"] = f.many(GR.document, "Document", "Documents joints (téléchargeables). / Attached documents.")
    retired_at: Optional[str] = f.retired_at()
    history: list["VersionInfo"] = f.history()
    title: Optional[str] = f.text(DCT + "title", "Titre. / Title.")
    title_translations: list[f.Translation] = f.translations(DCT + "title", "Titre")
    description: Optional[str] = f.text(DCT + "description", "Description.")
    description_translations: list[f.Translation] = f.translations(DCT + "description", "Description")
    purpose: Optional[str] = f.text(GR.purposeDescription, "Finalité. / Purpose.")
    purpose_translations: list[f.Translation] = f.translations(GR.purposeDescription, "Finalité")
    city: Optional[City] = f.one(AIRO + "isUsedWithinLocality", "City", "Ville qui le déploie. / Deploying city.")
    deployer: Optional[Organisation] = f.one(AIRO + "isDeployedBy", "Organisation", "Déployeur. / Deployer.")
    developer: Optional[Organisation] = f.one(AIRO + "isDevelopedBy", "Organisation", "Développé par (prestataire, "
                                             "ou la ville elle-même). / Developed by (vendor, or the city itself).")
    code_repository: Optional[str] = f.link(SCHEMA + "codeRepository", "Code source, s'il est ouvert. / Source code, "
                                            "if open.")
    status: Optional[Concept] = f.concept(GR.status, "Étape du cycle de vie. / Lifecycle stage.")
    risk_level: Optional[Concept] = f.concept(AIACT + "hasRiskLevel", "Niveau de risque (AI Act). / Risk level.")
    human_involvement: list[str] = f.literals(DPV + "hasHumanInvolvement", "Implication humaine (DPV).")
    data_sources: Optional[str] = f.text(GR.dataSources, "Sources de données. / Data sources.")
    data_sources_translations: list[f.Translation] = f.translations(GR.dataSources, "Sources de données")
    legal_basis: Optional[str] = f.text(GR.legalBasisDescription, "Base légale. / Legal basis.")
    legal_basis_translations: list[f.Translation] = f.translations(GR.legalBasisDescription, "Base légale")
    impact_assessments: list[str] = f.literals(DPV + "hasImpactAssessment", "Analyses d'impact (AIPD, FRIA).")
    themes: list[Theme] = f.many(DCT + "subject", "Theme", "Thèmes. / Themes.")
    assessments: list["Assessment"] = f.inverse(R.PROJECT_ASSESSMENTS, "Assessment",
                                              "Évaluations critère par critère. / Assessments per criterion.")
    practices: list[Practice] = f.inverse(R.PROJECT_PRACTICES, "Practice", "Fiches qui le décrivent.")
    sources: list[Source] = f.many(DCT + "source", "Source", "Sources.")


@strawberry.type(description="Évaluation d'un projet d'IA au regard d'un critère. / An assessment.")
class Assessment:
    entity: strawberry.Private[Entity]
    id: strawberry.ID = f.node_id()
    project: Optional[AIProject] = f.one(GR.assessedProject, "AIProject", "Projet évalué.")
    criterion: Optional[Criterion] = f.one(GR.criterion, "Criterion", "Critère. / Criterion.")
    verdict: Optional[Concept] = f.concept(GR.verdict, "Verdict.")
    justification: Optional[str] = f.text(GR.justification, "Justification.")
    justification_translations: list[f.Translation] = f.translations(GR.justification, "Justification")
    evidence: list[str] = f.literals(GR.evidence, "Preuves (adresses). / Evidence.")
    assessor: Optional[Organisation] = f.one(GR.assessor, "Organisation", "Évaluateur. / Assessor.")
    date: Optional[str] = f.literal(DCT + "date", "Date.")


@strawberry.type(description="Événement (rencontre, semaine du numérique). / Event.")
class Event:
    entity: strawberry.Private[Entity]
    id: strawberry.ID = f.node_id()
    retired_at: Optional[str] = f.retired_at()
    history: list["VersionInfo"] = f.history()
    name: Optional[str] = f.text(SCHEMA + "name", "Nom. / Name.")
    name_translations: list[f.Translation] = f.translations(SCHEMA + "name", "Nom")
    description: Optional[str] = f.text(SCHEMA + "description", "Description.")
    description_translations: list[f.Translation] = f.translations(SCHEMA + "description", "Description")
    start_date: Optional[str] = f.literal(SCHEMA + "startDate", "Début. / Start.")
    end_date: Optional[str] = f.literal(SCHEMA + "endDate", "Fin. / End.")
    edition: Optional[int] = f.literal(GR.edition, "Édition.", int, int)
    location: Optional[City] = f.one(SCHEMA + "location", "City", "Lieu. / Location.")
    organizer: Optional[Organisation] = f.one(SCHEMA + "organizer", "Organisation", "Organisateur. / Organiser.")
    participating_cities: list[City] = f.many(GR.participatingCity, "City",
                                              "Villes participantes. / Participating cities.")
    part_of: Optional["Event"] = f.one(SCHEMA + "superEvent", "Event", "Événement plus large. / Part of.")
    sub_events: list["Event"] = f.inverse(f"?s <{SCHEMA}superEvent> ?k .", "Event",
                                          "Événements qu'il contient. / Events within it.")
    action_plans: list["ActionPlan"] = f.inverse(f"?s <{GR.preparedAt}> ?k .", "ActionPlan",
                                               "Plans d'action travaillés lors de l'événement (pas forcément "
                                               "adoptés). / Action plans worked on at the event (not necessarily "
                                               "adopted).")
    sources: list[Source] = f.many(DCT + "source", "Source", "Sources.")


@strawberry.type(description="Plan d'action (d'une commission, d'une ville). / Action plan.")
class ActionPlan:
    entity: strawberry.Private[Entity]
    id: strawberry.ID = f.node_id()
    retired_at: Optional[str] = f.retired_at()
    history: list["VersionInfo"] = f.history()
    title: Optional[str] = f.text(DCT + "title", "Titre. / Title.")
    title_translations: list[f.Translation] = f.translations(DCT + "title", "Titre")
    description: Optional[str] = f.text(DCT + "description", "Description.")
    description_translations: list[f.Translation] = f.translations(DCT + "description", "Description")
    period: Optional[str] = f.literal(DCT + "temporal", "Période couverte. / Period covered.")
    creator: Optional[Organisation] = f.one(DCT + "creator", "Organisation", "Auteur. / Author.")
    prepared_at: Optional[Event] = f.one(GR.preparedAt, "Event", "Travaillé lors de (pas forcément adopté). / "
                                                                   "Worked on at (not necessarily adopted).")
    themes: list[Theme] = f.many(DCT + "subject", "Theme", "Thèmes. / Themes.")
    sources: list[Source] = f.many(DCT + "source", "Source", "Sources.")


@strawberry.enum(description="Syntaxe RDF d'un brouillon. / RDF syntax of a draft.")
class RdfSyntax(enum.Enum):
    TURTLE = "ttl"
    NTRIPLES = "nt"
    JSONLD = "jsonld"
    RDFXML = "rdf"


@strawberry.type(description="Une version publiée d'un objet. / A published version.")
class VersionInfo:
    value: strawberry.Private[Version]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.value.iri)

    @strawberry.field
    def number(self) -> int:
        return self.value.number

    @strawberry.field(description="published ou retired.")
    def action(self) -> str:
        return self.value.action

    @strawberry.field
    def time(self) -> str:
        return self.value.time

    @strawberry.field(description="À qui la version est attribuée (la ville ou la Commission). / Attributed to.")
    def attributed_to(self) -> Optional[str]:
        return self.value.agent

    @strawberry.field
    def summary(self) -> str:
        return self.value.summary

    @strawberry.field(description="Révision des données qui l'a publiée. / Data revision.")
    def revision(self) -> int:
        return self.value.revision

    @strawberry.field(description="La version entière. / The whole version.")
    def content(self, info: strawberry.Info, format: RdfSyntax = RdfSyntax.TURTLE) -> str:
        quads = info.context.graphe.workflow.version_content(self.value.target, self.value.number)
        triples = [rdf.Triple(q.subject, q.predicate, q.object) for q in quads]
        return (rdf.serialize(triples, rdf.format_named(format.value)) or b"").decode()
