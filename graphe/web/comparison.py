"""`/comparer?a=…&b=…`: two charters side by side, criterion by criterion (matched, close, related, only in A,
only in B), each match with who asserted it, when, on what source and why (its gr:CriterionMapping) — or said to
have no recorded provenance. Read through `read.reads.compare_charters`, kept per public revision like every
page (`Site.page`)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from . import formats
from .reading import Reader
from .site_texts import texts
from ..core.rdf import PREFIXES
from ..model.namespaces import GR
from ..read import filters, reads, relations as R
from ..read.entities import Entity

if TYPE_CHECKING:
    from .site import Site

DCT, SKOS = PREFIXES["dct"], PREFIXES["skos"]


class Comparison:
    def __init__(self, site: Site) -> None:
        self.site = site

    def compare(self, request: Request) -> Response:
        a, b = request.query_params.get("a", ""), request.query_params.get("b", "")
        return self.site.page(request, ("compare", a, b), lambda lang, reader: self._compare(lang, reader, a, b),
                         described=lambda reader: self._compared(reader, a, b))

    def _compared(self, reader: Reader, a: str, b: str) -> list[str]:
        """The two charters, their criteria (whose descriptions carry the matches) and the mapping records that say
        who asserted each match."""
        known = reader.entities([a, b])
        if a not in known or b not in known or not known[a].is_a(GR.Charter) or not known[b].is_a(GR.Charter):
            return []
        found = reader.related(R.CHARTER_CRITERIA, [a, b])
        criteria = [c.iri for c in found[a] + found[b]]
        mappings = reader.related(R.CRITERION_MAPPINGS, criteria)
        return [a, b] + criteria + sorted({m.iri for c in criteria for m in mappings.get(c, [])})

    def _compare(self, lang: str, reader: Reader, a: str, b: str) -> str:
        t = texts(lang)
        charters = list(self.site.ordered(filters.charter_query((), (), (), reader.langs)))
        names = reader.entities(charters)
        choices = [(c, reader.name(names.get(c)) or c) for c in charters if c in names]
        rows, error, heads = [], None, None
        if a and b:
            if a not in names or b not in names:
                error = t["choose"]
            else:
                comparison = reads.compare_charters(self.site.graphe.store, a, b)
                heads = (self.site.link(reader, comparison.a), self.site.link(reader, comparison.b))
                records = [r.mapping for r in comparison.rows if r.mapping is not None]
                named = reader.entities({i for m in records for i in (*m.refs(DCT + "creator"),
                                                                      *m.refs(DCT + "source"))})
                for row in comparison.rows:
                    match = (row.match or "").lower() or ("only_a" if row.b is None else "only_b")
                    rows.append({"a": _criterion_cell(self.site, reader, row.a), "b": _criterion_cell(self.site, reader, row.b),
                                 "match": match, "match_text": t[match],
                                 "provenance": _provenance(self.site, reader, row, named, lang)})
        elif a or b:
            error = t["choose"]
        here = "/comparer?" + urlencode([("a", a), ("b", b)])
        return self.site.render("compare.html", lang, t["compare_title"], here,
                           alternates=self.site.rdf_alternates(here) if heads else (), choices=choices, a=a, b=b,
                           rows=rows, heads=heads, error=error)


def _provenance(site: Site, reader: Reader, row: reads.Alignment, named: dict[str, Entity],
                lang: str) -> dict[str, Any] | None:
    """Who asserted a match, when, on what source, and why (its gr:CriterionMapping); for a match with no such
    record, the criterion record that carries it, flagged as unattributed."""
    if row.a is None or row.b is None:
        return None
    record = row.mapping
    if record is None:
        holder = next((c for c, o in ((row.a, row.b), (row.b, row.a))
                       if any(o.iri in c.refs(p) for _, p in reads.MATCHES)), row.a)
        return {"record": None, "holder": {"href": site.href(holder.iri),
                                          "text": holder.text(SKOS + "prefLabel", reader.langs) or holder.iri}}
    when = record.literal(DCT + "date")
    return {"record": {"href": site.href(record.iri)},
            "by": [site.link(reader, named.get(i), i) for i in record.refs(DCT + "creator")],
            "date": formats.date(when, lang) if when else None,
            "sources": [site.link(reader, named.get(i), i) for i in record.refs(DCT + "source")],
            "comment": record.text(PREFIXES["rdfs"] + "comment", reader.langs)}


def _criterion_cell(site: Site, reader: Reader, c: Entity | None) -> dict[str, str] | None:
    if c is None:
        return None
    return {"href": site.href(c.iri), "label": c.text(SKOS + "prefLabel", reader.langs) or c.iri,
            "id": c.literal(GR.identifier) or str(c.literal(GR.order) or ""),
            "definition": c.text(SKOS + "definition", reader.langs) or ""}
