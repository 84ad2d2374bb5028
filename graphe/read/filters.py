"""Read side, what each list accepts: filters, orders and facets per class, turned into `ListQuery`s."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..core.errors import GrapheError
from . import names as naming
from .listing import ListQuery, Order, iri_term, pattern_order, text_order, value_order, values_block
from ..core.rdf import PREFIXES, Literal, NamedNode
from .names import Names
from ..model.namespaces import GR, VOCABULARIES

SCHEMA, DCT, SKOS, ORG = PREFIXES["schema"], PREFIXES["dct"], PREFIXES["skos"], PREFIXES["org"]
XSD, CV, AIRO = PREFIXES["xsd"], PREFIXES["cv"], PREFIXES["airo"]
AIACT = PREFIXES["eu-aiact"]

# Controlled values as the API names them → their IRIs: the ontology's concept schemes, by skos:notation
# (generated: `model.namespaces.VOCABULARIES`), and the EU AI Act's risk levels (DPV, an outside vocabulary).
PRACTICE_STATUS = VOCABULARIES["LifecycleStatus"]
VERDICT = VOCABULARIES["Verdicts"]
RISK_LEVEL = {"MINIMAL": AIACT + "RiskLevelMinimal", "TRANSPARENCY_REQUIRED": AIACT + "RiskLevelTransparencyRequired",
              "HIGH": AIACT + "RiskLevelHigh", "PROHIBITED": AIACT + "RiskLevelProhibited"}
IMPACT_DIMENSION = VOCABULARIES["ImpactDimensions"]
CRITERION_KIND = VOCABULARIES["CriterionKinds"]
CHARTER_KIND = VOCABULARIES["CharterKinds"]

PRACTICE_FACETS = {
    "theme": f"?s <{DCT}subject> ?value .",
    "country": f"?s <{GR.city}>/<{SCHEMA}addressCountry> ?value .",
    "status": f"?s <{GR.status}> ?value .",
}
# A filter value that named nothing (a city or theme name no resource has): a VALUES row no resource
# matches, so that the list comes out empty as for an IRI naming nothing — dropping the filter would list
# everything instead.
NOTHING = "urn:graphe:nothing"


SORTS = {  # list → sort field → how to order (ID is always available; None means the list's natural order)
    "charter": {"LABEL": ("text", DCT + "title"), "DATE": ("value", DCT + "issued")},
    "criterion": {"LABEL": ("text", SKOS + "prefLabel")},
    "ai_project": {"LABEL": ("text", DCT + "title")},
    "organisation": {"LABEL": ("text", SKOS + "prefLabel")},
    "event": {"LABEL": ("text", SCHEMA + "name"), "DATE": ("value", SCHEMA + "startDate")},
    "action_plan": {"LABEL": ("text", DCT + "title")},
}


def ordering(kind: str, field: str | None, descending: bool, langs: Sequence[str], natural: Order) -> Order:
    """The order a list was asked for, or BAD_USER_INPUT when that list cannot sort that way."""
    if field is None:
        return replace(natural, descending=True) if descending else natural
    if field == "ID":
        return Order(descending=descending)
    how = SORTS[kind].get(field)
    if how is None:
        known = ", ".join(["ID", *SORTS[kind]])
        raise GrapheError("BAD_USER_INPUT", f"Tri « {field} » indisponible pour cette liste (possibles : {known}).",
                          f"Sort '{field}' is not available for this list (available: {known}).")
    kind_, predicate = how
    return text_order(predicate, langs, descending) if kind_ == "text" else value_order(predicate, descending)


def _in(var: str, path: str, iris: Sequence[str], what: str) -> str:
    """?s reaches one of `iris` through `path` (VALUES first, so the store starts from the given values)."""
    return f"{values_block(var, [iri_term(i, what) for i in iris])} ?s {path} ?{var} ."


def countries(values: Sequence[str]) -> list[Literal]:
    """The countries named (ISO code, or name in French or English: `names.countries`) as literals."""
    return [Literal(code) for code in naming.countries(values)]


def named(resolve, values: Sequence[str]) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    """`values` resolved by `resolve` (a `Names` method); `NOTHING` when some were given and none named a
    resource."""
    if not values:
        return ()
    return resolve(values) or (NOTHING,)


def _identifiers(values: Sequence[str], what_fr: str, what_en: str) -> tuple[str, ...]:
    """IRIs of a list that takes identifiers only, bounded like the others (`names.checked`)."""
    return tuple(naming.checked(values, what_fr, what_en))


@dataclass(frozen=True)
class PracticeFilter:
    themes: tuple[str, ...] = ()  # theme IRIs; narrower themes match too
    countries: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    charters: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()  # PRACTICE_STATUS keys
    has_ai_project: bool | None = None
    issued_after: dt.date | None = None  # inclusive
    issued_before: dt.date | None = None  # inclusive
    ids: tuple[str, ...] = ()  # these practices only (a page's "CSV line")

    def named(self, names: Names) -> PracticeFilter:
        """This filter with its cities and themes as IRIs and its countries as codes, however given."""
        return replace(self, themes=named(names.themes, self.themes), cities=named(names.cities, self.cities),
                       countries=tuple(names.countries(self.countries)),
                       charters=_identifiers(self.charters, "charte", "charter"))

    def conditions(self) -> tuple[str, ...]:
        out = []
        if self.ids:
            out.append(values_block("s", [iri_term(i, "pratique") for i in self.ids]))
        if self.themes:
            out.append(_in("fTheme", f"<{DCT}subject>/<{SKOS}broader>*", self.themes, "thème"))
        if self.countries:
            out.append(f"{values_block('fCountry', countries(self.countries))} "
                       f"?s <{GR.city}>/<{SCHEMA}addressCountry> ?fCountry .")
        if self.cities:
            out.append(_in("fCity", f"<{GR.city}>", self.cities, "ville"))
        if self.charters:
            out.append(_in("fCharter", f"<{GR.appliesCharter}>", self.charters, "charte"))
        if self.statuses:
            out.append(_in("fStatus", f"<{GR.status}>", [PRACTICE_STATUS[s] for s in self.statuses], "statut"))
        if self.has_ai_project is not None:
            exists = "EXISTS" if self.has_ai_project else "NOT EXISTS"
            out.append(f"FILTER {exists} {{ ?s <{GR.describesProject}> ?fProject }}")
        if self.issued_after or self.issued_before:
            out.append(f"?s <{DCT}issued> ?fIssued .")
            if self.issued_after:
                out.append(f"FILTER(?fIssued >= {_date(self.issued_after)})")
            if self.issued_before:
                out.append(f"FILTER(?fIssued <= {_date(self.issued_before)})")
        return tuple(out)


def _date(value: dt.date) -> Literal:
    return Literal(value.isoformat(), datatype=NamedNode(XSD + "date"))


def practice_query(flt: PracticeFilter, order: str, descending: bool, langs: Sequence[str],
                   names: Names | None = None) -> ListQuery:
    """With `names`, cities and themes may be given by name or slug, countries by name (`PracticeFilter.named`)."""
    if names is not None:
        flt = flt.named(names)
    orders = {
        "TITLE": lambda: text_order(DCT + "title", langs, descending),
        "ISSUED": lambda: value_order(DCT + "issued", descending),
        "MODIFIED": lambda: value_order(DCT + "modified", descending),
        "ID": lambda: Order(descending=descending),
    }
    return ListQuery(GR.Practice, flt.conditions(), orders[order]())


def city_query(country_codes: Sequence[str], order: str, descending: bool, langs: Sequence[str],
               cities: Sequence[str] = (), names: Names | None = None) -> ListQuery:
    """Cities of the countries given (ISO codes or names); with `cities`, those only (IRIs, or names and
    slugs read with `names`)."""
    conditions: tuple[str, ...] = ()
    if names is not None:
        cities = named(names.cities, cities)
    if cities:
        conditions = (values_block("s", [iri_term(c, "ville") for c in cities]),)
    if country_codes:
        conditions += (f"{values_block('fCountry', countries(country_codes))} ?s <{SCHEMA}addressCountry> ?fCountry .",)
    orders = {
        "NAME": lambda: text_order(SCHEMA + "name", langs, descending),
        "POPULATION": lambda: value_order(GR.population, descending),
        "ID": lambda: Order(descending=descending),
    }
    return ListQuery(SCHEMA + "City", conditions, orders[order]())


def charter_query(kinds: Sequence[str], publishers: Sequence[str], adopted_by: Sequence[str],
                  langs: Sequence[str], sort: str | None = None, descending: bool = False,
                  names: Names | None = None) -> ListQuery:
    conditions = []
    if names is not None:
        adopted_by = named(names.cities, adopted_by)
    publishers = _identifiers(publishers, "organisation", "organisation")
    if kinds:
        conditions.append(_in("fKind", f"<{GR.charterKind}>", [CHARTER_KIND[k] for k in kinds], "nature"))
    if publishers:
        conditions.append(_in("fPublisher", f"<{DCT}publisher>", publishers, "organisation"))
    if adopted_by:
        conditions.append(f"{values_block('fCity', [iri_term(c, 'ville') for c in adopted_by])} "
                          f"?fAdoption <{GR.charter}> ?s ; <{GR.adopter}> ?fCity .")
    return ListQuery(GR.Charter, tuple(conditions),
                     ordering("charter", sort, descending, langs, text_order(DCT + "title", langs)))


def criterion_query(charters: Sequence[str], dimensions: Sequence[str], kinds: Sequence[str],
                    langs: Sequence[str] = (), sort: str | None = None, descending: bool = False) -> ListQuery:
    conditions = []
    charters = _identifiers(charters, "charte", "charter")
    if charters:
        conditions.append(_in("fCharter", f"<{CV}isDerivedFrom>", charters, "charte"))
    if dimensions:
        conditions.append(_in("fDim", f"<{GR.impactDimension}>", [IMPACT_DIMENSION[d] for d in dimensions], "dimension"))
    if kinds:
        conditions.append(_in("fKind", f"<{GR.criterionKind}>", [CRITERION_KIND[k] for k in kinds], "nature"))
    order = pattern_order(f"OPTIONAL {{ ?s <{CV}isDerivedFrom> ?c0 }} OPTIONAL {{ ?s <{GR.order}> ?o0 }}"
                          " BIND(CONCAT(STR(?c0), '|', STR(10000000 + COALESCE(?o0, 0))) AS ?k0)")
    return ListQuery(GR.Criterion, tuple(conditions), ordering("criterion", sort, descending, langs, order))


def ai_project_query(risk_levels: Sequence[str], cities: Sequence[str], criteria: Sequence[str],
                     verdicts: Sequence[str], langs: Sequence[str], sort: str | None = None,
                     descending: bool = False, charters: Sequence[str] = (), names: Names | None = None) -> ListQuery:
    """AI projects; criteria, verdicts and charters apply to one same assessment (a project assessed against
    a criterion of one of `charters`, with one of `verdicts`)."""
    conditions = []
    if names is not None:
        cities = named(names.cities, cities)
    charters = _identifiers(charters, "charte", "charter")
    criteria = _identifiers(criteria, "critère", "criterion")
    if risk_levels:
        conditions.append(_in("fRisk", f"<{AIACT}hasRiskLevel>", [RISK_LEVEL[r] for r in risk_levels], "risque"))
    if cities:
        conditions.append(_in("fCity", f"<{AIRO}isUsedWithinLocality>", cities, "ville"))
    if criteria or verdicts or charters:
        # Criterion, verdict and charter apply to the same assessment when several are given.
        parts = [f"?fAssessment <{GR.assessedProject}> ?s ."]
        if charters:
            parts.insert(0, values_block("fCharter", [iri_term(c, "charte") for c in charters]))
            parts.append(f"?fAssessment <{GR.criterion}> ?fCharterCriterion . "
                         f"?fCharterCriterion <{CV}isDerivedFrom> ?fCharter .")
        if criteria:
            parts.insert(0, values_block("fCriterion", [iri_term(c, "critère") for c in criteria]))
            parts.append(f"?fAssessment <{GR.criterion}> ?fCriterion .")
        if verdicts:
            parts.insert(0, values_block("fVerdict", [NamedNode(VERDICT[v]) for v in verdicts]))
            parts.append(f"?fAssessment <{GR.verdict}> ?fVerdict .")
        conditions.append(" ".join(parts))
    return ListQuery(GR.AIProject, tuple(conditions),
                     ordering("ai_project", sort, descending, langs, text_order(DCT + "title", langs)))


def organisation_query(langs: Sequence[str], sort: str | None = None, descending: bool = False) -> ListQuery:
    natural = text_order(SKOS + "prefLabel", langs)
    return ListQuery(ORG + "Organization", (), ordering("organisation", sort, descending, langs, natural),
                     subclasses=True)


def event_query(cities: Sequence[str], langs: Sequence[str] = (), sort: str | None = None,
                descending: bool = False, names: Names | None = None) -> ListQuery:
    conditions = ()
    if names is not None:
        cities = named(names.cities, cities)
    if cities:
        conditions = (_in("fCity", f"(<{GR.participatingCity}>|<{SCHEMA}location>)", cities, "ville"),)
    natural = value_order(SCHEMA + "startDate", descending=True)
    return ListQuery(SCHEMA + "Event", conditions, ordering("event", sort, descending, langs, natural))


def action_plan_query(themes: Sequence[str] = (), langs: Sequence[str] = (), sort: str | None = None,
                      descending: bool = False, names: Names | None = None) -> ListQuery:
    """Action plans, by title; of some themes only (narrower themes included, as for practices)."""
    conditions = ()
    if names is not None:
        themes = named(names.themes, themes)
    if themes:
        conditions = (_in("fTheme", f"<{DCT}subject>/<{SKOS}broader>*", themes, "thème"),)
    natural = text_order(DCT + "title", langs)
    return ListQuery(GR.ActionPlan, conditions, ordering("action_plan", sort, descending, langs, natural))
