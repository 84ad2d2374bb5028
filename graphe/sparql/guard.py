"""What a public SPARQL query may do, decided from its text before anything runs.

A small lexer skips comments, strings and IRIs, so that keywords are only found where they are keywords.
Refused: updates (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ADD, MOVE, COPY, WITH), SERVICE (a query
must never make the server open a connection), and FROM / FROM NAMED naming anything but a public graph.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..errors import GrapheError

_TOKEN = re.compile(r"""
    (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<prefixed>[A-Za-z][\w.-]*:[\w.:%-]*|:[\w.:%-]*)
  | (?P<var>[?$]\w+)
  | (?P<word>[A-Za-z_]\w*)
  | (?P<space>\s+)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)

UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


@dataclass(frozen=True)
class Checked:
    form: str  # SELECT | ASK | CONSTRUCT | DESCRIBE
    default_graphs: tuple[str, ...]  # FROM
    named_graphs: tuple[str, ...]  # FROM NAMED


def _tokens(text: str) -> Iterator[tuple[str, str]]:
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("space", "comment"):
            yield kind, match.group()


def refuse(code: str, fr: str, en: str, status: int = 403) -> GrapheError:
    return GrapheError(code, fr, en, {"status": status})


def check(query: str, public_graphs: Sequence[str]) -> Checked:
    """The query's form and dataset, or a refusal (GrapheError with an HTTP status in `details`)."""
    tokens = list(_tokens(query))
    prefixes: dict[str, str] = {}
    form = None
    default: list[str] = []
    named: list[str] = []
    for i, (kind, value) in enumerate(tokens):
        if kind != "word":
            continue
        word = value.upper()
        if word == "PREFIX" and i + 2 < len(tokens) and tokens[i + 2][0] == "iri":
            prefixes[tokens[i + 1][1].rstrip(":")] = tokens[i + 2][1][1:-1]
        elif word in UPDATE_WORDS:
            raise refuse("SPARQL_UPDATE_REFUSED",
                         "Ce point d'accès SPARQL est en lecture seule : les mises à jour sont refusées.",
                         "This SPARQL endpoint is read-only: updates are refused.")
        elif word == "SERVICE":
            raise refuse("SPARQL_SERVICE_REFUSED",
                         "SERVICE est refusé : le serveur n'ouvre jamais de connexion à cause d'une requête.",
                         "SERVICE is refused: the server never opens a connection because of a query.")
        elif word in FORMS and form is None:
            form = word
        elif word == "FROM":
            j = i + 1
            is_named = j < len(tokens) and tokens[j][0] == "word" and tokens[j][1].upper() == "NAMED"
            if is_named:
                j += 1
            graph = _graph_name(tokens[j] if j < len(tokens) else ("", ""), prefixes)
            if graph not in public_graphs:
                raise refuse("SPARQL_FROM_REFUSED",
                             f"FROM {graph or '?'} refusé : seuls les graphes publiés peuvent être nommés "
                             f"({', '.join(public_graphs)}) ; rien n'est téléchargé.",
                             f"FROM {graph or '?'} refused: only published graphs may be named "
                             f"({', '.join(public_graphs)}); nothing is downloaded.")
            (named if is_named else default).append(graph)
    if form is None:
        raise refuse("SPARQL_SYNTAX", "Requête SPARQL invalide : SELECT, ASK, CONSTRUCT ou DESCRIBE attendu.",
                     "Invalid SPARQL query: SELECT, ASK, CONSTRUCT or DESCRIBE expected.", 400)
    return Checked(form, tuple(default), tuple(named))


def _graph_name(token: tuple[str, str], prefixes: dict[str, str]) -> str:
    kind, value = token
    if kind == "iri":
        return value[1:-1]
    if kind == "prefixed":
        prefix, _, local = value.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
    return value
