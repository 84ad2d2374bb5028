"""Read side, how resources point at one another: each inverse relation the GraphQL types and the pages
follow, as one triple pattern in which `?s` points at `?k` (read in batches by `entities.read_many` with
the kind `("related", pattern)`). One definition for both edges: a page and a GraphQL field that show the
same relation read the same pattern, hence the same kept values."""
from __future__ import annotations

from collections.abc import Iterable

from .entities import Entity
from ..core.rdf import PREFIXES
from ..model.namespaces import GR

SCHEMA, SKOS, CV, AIRO, ORG = (PREFIXES[p] for p in ("schema", "skos", "cv", "airo", "org"))
INVALIDATED = PREFIXES["prov"] + "invalidatedAtTime"

NARROWER = f"?s <{SKOS}broader> ?k ."
CITY_PRACTICES = f"?s <{GR.city}> ?k ."
CITY_ADOPTIONS = f"?s <{GR.adopter}> ?k ."
CITY_CHARTERS = f"?a <{GR.adopter}> ?k ; <{GR.charter}> ?s ."
CITY_AI_PROJECTS = f"?s <{AIRO}isUsedWithinLocality> ?k ."
CITY_EVENTS = f"?s <{GR.participatingCity}>|<{SCHEMA}location> ?k ."
ADAPTATIONS = f"?s <{GR.adaptedFrom}> ?k ."
INSPIRED = f"?s <{GR.inspiredBy}> ?k ."
CHARTER_CRITERIA = f"?s <{CV}isDerivedFrom> ?k ."
CHARTER_ADOPTIONS = f"?s <{GR.charter}> ?k ."
CHARTER_PRACTICES = f"?s <{GR.appliesCharter}> ?k ."
CRITERION_ASSESSMENTS = f"?s <{GR.criterion}> ?k ."
PROJECT_ASSESSMENTS = f"?s <{GR.assessedProject}> ?k ."
PROJECT_PRACTICES = f"?s <{GR.describesProject}> ?k ."
ORGANISATION_MEMBERSHIPS = f"?s <{ORG}member> ?k ."
# The kinds of match between criteria, strongest first, and the SKOS property of each.
MATCHES = (("EXACT", SKOS + "exactMatch"), ("CLOSE", SKOS + "closeMatch"), ("RELATED", SKOS + "relatedMatch"))
MATCHED_BY = f"?s <{SKOS}exactMatch>|<{SKOS}closeMatch>|<{SKOS}relatedMatch> ?k ."
CRITERION_MAPPINGS = f"?s <{GR.mappingSubject}>|<{GR.mappingObject}> ?k ."  # provenance of its matches


def live(found: Iterable[Entity]) -> list[Entity]:
    """Without retired resources: a retired object stays readable at its IRI (and through a one-value link,
    which names it), but leaves every list, relations included (docs/publishing.md)."""
    return [e for e in found if not e.values(INVALIDATED)]
