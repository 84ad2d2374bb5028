"""A practice sheet as a typed GraphQL input (what a web form sends), turned into the same `Sheet` that
Markdown and CSV files give, then into RDF by the same code."""

import datetime as dt
from typing import Any, Optional

import strawberry

from ..ingest.sheets import Sheet
from ..model.practice import FIELDS, Field as PracticeField
from ..ingest.sheets_rdf import sheet_quads
from .connections import PracticeStatus
from .mutations import Draft, actor, run


@strawberry.input(description="Texte dans une langue. / Text in one language.")
class TextInput:
    lang: str = strawberry.field(description="fr, en, fr-ca…")
    value: str


def _record_input(fld: PracticeField) -> type:
    """The input of one record (IndicatorInput…): a field per part, texts as lists of TextInput."""
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__module__": __name__, "__annotations__": annotations}
    for part in fld.parts:
        described = f"{part.fr} / {part.en}" + (f" ({', '.join(part.codes())})" if part.kind == "code" else "")
        if part.kind == "text":
            annotations[part.name] = list[TextInput]
            namespace[part.name] = strawberry.field(default_factory=list, description=described)
        elif part.required:
            annotations[part.name] = str
            namespace[part.name] = strawberry.field(description=described)
        else:
            annotations[part.name] = Optional[str]
            namespace[part.name] = strawberry.field(default=None, description=described)
    return strawberry.input(type(f"{fld.type_name}Input", (), namespace), description=f"{fld.fr}. / {fld.en}.")


RECORD_INPUTS: dict[str, Any] = {fld.name: _record_input(fld) for fld in FIELDS if fld.kind == "records"}


def _input_field(fld: PracticeField) -> tuple[Any, Any]:
    """The GraphQL input type of one model field and its strawberry field (default, description)."""
    described = {"description": fld.help_fr} if fld.help_fr else {}
    if fld.multilingual:
        kind: Any = list[TextInput]
    elif fld.kind == "records":
        kind = list[RECORD_INPUTS[fld.name]]  # type: ignore[valid-type]
    elif fld.many:
        kind = list[str]
    else:
        kind = Optional[{"status": PracticeStatus, "date": dt.date}.get(fld.kind, str)]
    if fld.name == "title":  # the one field every channel requires (the French title)
        return kind, strawberry.field(**described)
    if fld.multilingual or fld.many:
        return kind, strawberry.field(default_factory=list, **described)
    return kind, strawberry.field(default=None, **described)


def _to_sheet(self: Any) -> Sheet:
    """The same `Sheet` a Markdown or CSV file gives (one path to RDF from here)."""
    values: dict[str, Any] = {}
    for fld in FIELDS:
        value = getattr(self, fld.name)
        if fld.kind == "text":
            values[fld.name] = {t.lang.lower(): t.value for t in value}
        elif fld.kind == "words":
            words: dict[str, list[str]] = {}
            for t in value:
                words.setdefault(t.lang.lower(), []).append(t.value)
            values[fld.name] = words
        elif fld.kind == "records":  # as a sheet gives them: sheet_quads checks them with the same reader
            values[fld.name] = [{part.name: ({t.lang.lower(): t.value for t in getattr(r, part.name)}
                                             if part.multilingual else getattr(r, part.name)) for part in fld.parts}
                                for r in value]
        elif fld.many:
            values[fld.name] = list(value)
        elif fld.kind == "status":
            values[fld.name] = value.value if value else None
        else:
            values[fld.name] = value
    return Sheet(source="graphql", slug=self.id, **values)


def _practice_input() -> type:
    fields = {"id": (Optional[str], strawberry.field(default=None, description="Identifiant court (slug) ; sinon "
                                                                                "tiré du titre."))}
    fields.update({fld.name: _input_field(fld) for fld in FIELDS})
    namespace: dict[str, Any] = {"__annotations__": {name: kind for name, (kind, _) in fields.items()},
                                 "__module__": __name__, "to_sheet": _to_sheet}
    namespace.update({name: default for name, (_, default) in fields.items()})
    cls = type("PracticeInput", (), namespace)
    return strawberry.input(cls, description="Une fiche de bonne pratique (voir docs/sheets.md). Les références "
                            "sont des IRI ou des identifiants courts (« dakar », « open-data »). / A practice sheet.")


# Derived from the practice model (`model/practice.py`): one input field per model field, in its order.
PracticeInput: Any = _practice_input()


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
