"""The schema, its protections (depth, aliases, tokens, caches) and the error format clients see."""
from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import GraphQLError, MaxIntrospectionDepthRule, validate
from strawberry.extensions import MaxTokensLimiter, ParserCache, SchemaExtension
from strawberry.types import ExecutionContext

from ..core.errors import GrapheError
from . import cost
from .framework_internals import MaybeNullValidationRule, OneOfInputValidationRule
from .plan import PlannedExecution, prepare
from .query import Query
from .mutations import Mutation, WorkflowQuery
from .practice_input import PracticeMutation
from .search import SearchQuery

log = logging.getLogger(__name__)

MAX_TOKENS = 4000
DOCUMENTS = 1024  # parsed documents (and their validation) kept per process

# graphql-core's own messages, with a French sentence first (the English original stays in extensions).
_FRENCH = [
    (re.compile(r"^Syntax Error: Document contains more than (\d+) tokens\..*$", re.S),
     "La requête dépasse la taille maximale ({0} jetons)."),
    (re.compile(r"^Syntax Error: (.*)$", re.S), "Erreur de syntaxe GraphQL : {0}"),
    (re.compile(r"^Cannot query field '(.+?)' on type '(.+?)'\.(.*)$", re.S),
     "Le champ « {0} » n'existe pas sur le type « {1} ».{2}"),
    (re.compile(r"^'(.+?)' exceeds maximum operation depth of (\d+)\.?$"),
     "La requête « {0} » dépasse la profondeur maximale de {1}."),
    (re.compile(r"^(\d+) aliases found\. Allowed: (\d+)$"), "{0} alias dans la requête ; {1} au plus."),
    (re.compile(r"^Unknown argument '(.+?)' on field '(.+?)'\.(.*)$", re.S),
     "L'argument « {0} » n'existe pas sur le champ « {1} ».{2}"),
    (re.compile(r"^Field '(.+?)' argument '(.+?)' of type '(.+?)' is required, but it was not provided\.$"),
     "L'argument obligatoire « {1} » ({2}) manque au champ « {0} »."),
    (re.compile(r"^Variable '\$(.+?)' is never used(?: in operation '.*')?\.$"), "La variable « ${0} » n'est pas utilisée."),
    (re.compile(r"^Variable '\$(.+?)' (.*)$", re.S), "Valeur invalide pour la variable « ${0} » : {1}"),
    (re.compile(r"^Unknown type '(.+?)'\.(.*)$", re.S), "Type inconnu « {0} ».{1}"),
    (re.compile(r"^Query too expensive: about (\d+) objects requested, at most (\d+)\..*$", re.S),
     "Requête trop coûteuse : environ {0} objets demandés, {1} au plus. Demandez moins d'éléments par liste "
     "ou moins de listes imbriquées."),
    (re.compile(r"^Document too large: (\d+) selections once fragments are expanded, at most (\d+)\.$"),
     "Requête trop grande : {0} sélections une fois les fragments développés, {1} au plus."),
    (re.compile(r"^A selection asks (\d+) times for one field, at most (\d+)\.$"),
     "Une sélection demande {0} fois le même champ ; {1} au plus."),
    (re.compile(r"^Field '(.+?)' of type '(.+?)' must have at least one field selected\.$"),
     "Le champ « {0} » (type « {1} ») doit sélectionner au moins un champ."),
    (re.compile(r"^Unknown operation named '(.+?)'\.$"), "Aucune opération ne s'appelle « {0} »."),
]


def french(message: str) -> str:
    for pattern, template in _FRENCH:
        match = pattern.match(message)
        if match:
            return template.format(*match.groups())
    return f"Requête GraphQL invalide : {message}"


class GrapheSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Log only what is unexpected; a user's bad input is not a server error."""
        for error in errors:
            if error.original_error is not None and not isinstance(error.original_error, GrapheError):
                log.error("unexpected error in GraphQL execution", exc_info=error.original_error)


# The specification's rules, strawberry's own (as its `validate_document` adds them), and graphql-core's
# recommended bound on introspection nesting (`__schema { types { fields { type { fields …`).
RULES = (MaybeNullValidationRule, OneOfInputValidationRule, MaxIntrospectionDepthRule)


def validate_document(schema: Any, document: Any, rules: tuple) -> list[GraphQLError]:
    """Graphe's bounds first (linear whatever the fragments): a document exceeding one is not handed to
    graphql-core's rules, some of which grow faster than the document. An empty selection (`{ cities { } }`,
    which graphql-core 3.3 parses) is refused: it asks for nothing."""
    return cost.check(schema, document) or validate(schema, document, (*rules, *RULES),
                                                    allow_empty_selection_sets=False)


class DocumentValidation(SchemaExtension):
    """Each parsed document validated once. strawberry's `ValidationCache` keys an LRU on the document
    itself, hashing its whole tree (every node) on every request; `ParserCache` gives back the same
    document object for the same text, so its identity is the key here — the document is kept with its
    errors, so that the identity cannot be reused by another one while the entry lives."""

    def __init__(self, kept: "OrderedDict[tuple, tuple[Any, Any]]") -> None:
        super().__init__()
        self.kept = kept  # (id of the document, rules) → (document, errors); one per schema

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document, rules = context.graphql_document, context.validation_rules
        key = (id(document), rules)
        hit = self.kept.get(key)
        if hit is not None and hit[0] is document:
            try:
                self.kept.move_to_end(key)
            except KeyError:  # dropped meanwhile by a request run in another thread (execute_sync)
                pass
        else:
            hit = self.kept[key] = (document, validate_document(context.schema._schema, document, rules))
            if len(self.kept) > DOCUMENTS:
                self.kept.popitem(last=False)
        context.pre_execution_errors = hit[1]
        yield


@strawberry.type(name="Query")
class RootQuery(Query, SearchQuery, WorkflowQuery):
    """Reading the graph, searching it, following its changes."""


@strawberry.type(name="Mutation")
class RootMutation(Mutation, PracticeMutation):
    """Proposing, reviewing, publishing, retiring."""


def build_schema(planned: bool = True) -> GrapheSchema:
    """The schema; `planned` false leaves every field to graphql-core (the reference `plan` is tested against)."""
    validated: OrderedDict[tuple, tuple[Any, Any]] = OrderedDict()
    schema = GrapheSchema(
        query=RootQuery,
        mutation=RootMutation,
        extensions=[
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            lambda: ParserCache(maxsize=DOCUMENTS),
            lambda: DocumentValidation(validated),
        ],
        execution_context_class=PlannedExecution if planned else None,
    )
    if planned:
        prepare(schema._schema, schema.schema_converter.scalar_registry, schema.config)
    return schema


def sdl() -> str:
    """The schema in SDL, as committed in schema/schema.graphql."""
    return str(build_schema()).rstrip() + "\n"


def format_error(error: GraphQLError, lang: str = "fr") -> dict[str, Any]:
    """One error for the client: a message in the reader's language and a code in `extensions`."""
    original = error.original_error
    out: dict[str, Any] = {}
    if isinstance(original, GrapheError):
        extensions = {"code": original.code, "message_fr": original.message_fr, "message_en": original.message_en}
        if original.code == "VALIDATION_FAILED" and isinstance(original.details, dict):
            extensions["violations"] = [
                {"focus": r["focus"], "field": r["path"], "message_fr": r["message_fr"], "message_en": r["message_en"],
                 "value": r["value"], "shape": r["shape"]}
                for r in original.details.get("results", []) if r["severity"] == "Violation"]
        message = original.text(lang).split("\n")[0]
    elif original is not None and not isinstance(original, GraphQLError):
        internal = GrapheError("INTERNAL_SERVER_ERROR", "Erreur interne ; elle a été journalisée.",
                               "Internal error; it has been logged.")
        extensions = {"code": internal.code}
        message = internal.text(lang)
    else:
        code = "GRAPHQL_PARSE_FAILED" if error.message.startswith("Syntax Error") else "GRAPHQL_VALIDATION_FAILED"
        if error.message.startswith("Variable '$"):
            code = "BAD_USER_INPUT"
        extensions = {"code": code, "message_fr": french(error.message), "message_en": error.message}
        message = extensions["message_en"] if lang == "en" else extensions["message_fr"]
    out["message"] = message
    if error.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        out["path"] = error.path
    out["extensions"] = extensions
    return out
