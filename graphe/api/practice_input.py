"""A practice sheet as a typed GraphQL input (what a web form sends), turned into the same `Sheet` that
Markdown and CSV files give, then into RDF by the same code."""

import datetime as dt
from typing import Optional

import strawberry

from ..ingest.sheets import Sheet
from ..ingest.sheets_rdf import sheet_quads
from .connections import PracticeStatus
from .mutations import Draft, actor, run


@strawberry.input(description="Texte dans une langue. / Text in one language.")
class TextInput:
    lang: str = strawberry.field(description="fr, en, fr-ca…")
    value: str


@strawberry.input(description="Une fiche de bonne pratique (voir docs/sheets.md). Les références sont des IRI ou "
                              "des identifiants courts (« dakar », « open-data »). / A practice sheet.")
class PracticeInput:
    id: Optional[str] = strawberry.field(default=None, description="Identifiant court (slug) ; sinon tiré du titre.")
    title: list[TextInput] = strawberry.field(description="Titre, au moins en français. / Title, French required.")
    summary: list[TextInput] = strawberry.field(default_factory=list)
    body: list[TextInput] = strawberry.field(default_factory=list)
    results: list[TextInput] = strawberry.field(default_factory=list)
    transferability: list[TextInput] = strawberry.field(default_factory=list)
    city: Optional[str] = None
    creator: Optional[str] = None
    contributors: list[str] = strawberry.field(default_factory=list)
    themes: list[str] = strawberry.field(default_factory=list)
    status: Optional[PracticeStatus] = None  # type: ignore[valid-type]
    issued: Optional[dt.date] = None
    start_date: Optional[str] = None
    end_date: Optional[str] = None
    contact: Optional[str] = strawberry.field(default=None, description="Adresse fonctionnelle, pas personnelle.")
    url: Optional[str] = None
    adapted_from: list[str] = strawberry.field(default_factory=list)
    inspired_by: list[str] = strawberry.field(default_factory=list)
    charters: list[str] = strawberry.field(default_factory=list)
    ai_projects: list[str] = strawberry.field(default_factory=list)
    keywords: list[TextInput] = strawberry.field(default_factory=list)
    sources: list[str] = strawberry.field(default_factory=list)

    def to_sheet(self) -> Sheet:
        def texts(items: list[TextInput]) -> dict[str, str]:
            return {t.lang.lower(): t.value for t in items}

        keywords: dict[str, list[str]] = {}
        for k in self.keywords:
            keywords.setdefault(k.lang.lower(), []).append(k.value)
        return Sheet(source="graphql", slug=self.id, title=texts(self.title), summary=texts(self.summary),
                     body=texts(self.body), results=texts(self.results),
                     transferability=texts(self.transferability), city=self.city, creator=self.creator,
                     contributors=list(self.contributors), themes=list(self.themes),
                     status=self.status.value if self.status else None, issued=self.issued,
                     start_date=self.start_date, end_date=self.end_date, contact=self.contact, url=self.url,
                     adapted_from=list(self.adapted_from), inspired_by=list(self.inspired_by),
                     charters=list(self.charters), ai_projects=list(self.ai_projects), keywords=keywords,
                     sources=list(self.sources))


@strawberry.type
class PracticeMutation:
    @strawberry.mutation(description="Propose une bonne pratique (brouillon) à partir d'une fiche. "
                                     "/ Proposes a practice (a draft) from a sheet.")
    async def submit_practice(self, info: strawberry.Info, input: PracticeInput) -> Draft:
        _, quads = sheet_quads(input.to_sheet(), info.context.graphe.settings.base_iri)
        return Draft(value=await run(info, "submit", "", lambda w: w.submit(actor(info), quads)))

    @strawberry.mutation(description="Remplace la fiche d'un brouillon de pratique. / Replaces a practice draft.")
    async def update_practice_draft(self, info: strawberry.Info, id: strawberry.ID, input: PracticeInput,
                                    expected_version: int) -> Draft:
        _, quads = sheet_quads(input.to_sheet(), info.context.graphe.settings.base_iri)
        return Draft(value=await run(info, "update", id,
                                     lambda w: w.update(actor(info), id, quads, expected_version)))
