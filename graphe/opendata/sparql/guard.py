"""What a public SPARQL query may do, decided on its parse tree and algebra, never on tokens.

The text is parsed by a real SPARQL 1.1 parser (rdflib's grammar, then its algebra translation) and the
decision is taken on what the parser built:
- only a query (SELECT, ASK, CONSTRUCT, DESCRIBE): a text that parses as an update (INSERT, DELETE, LOAD,
  CLEAR, ...) is refused as one, a text that parses as neither (several operations, Virtuoso's `DEFINE`
  pragmas, any extension) is refused as invalid: what the checker cannot read does not run;
- no SERVICE anywhere in the tree (subqueries, OPTIONAL, EXISTS / NOT EXISTS, MINUS, UNION, GRAPH, ...);
- FROM / FROM NAMED only for the published graphs;
- no IRI in Virtuoso's `bif:` / `sql:` namespaces (functions or "magic" predicates), nor a prefixed name
  or prefix declaration using those prefixes, whichever store is behind (Virtuoso knows them undeclared).

Why this is not just "a second tokenizer". The earlier bypasses came from two readers disagreeing on the
same text. Three things close that gap structurally rather than payload by payload:
1. One text. SPARQL's `\\u` / `\\U` codepoint escapes are expanded *before* parsing (SPARQL 1.1 §19.2);
   the guard expands them once, refuses a text whose expansion still contains an escape (`\\u005Cu0053...`
   would otherwise be expanded a second time by the next reader), and the expanded text — exactly what
   was parsed and checked — is what runs or is forwarded (`Checked.text`). No reader sees escapes.
2. Two parsers must agree to run. The text must parse with rdflib *and* with Oxigraph: Oxigraph parses it
   where it runs (worker processes); with a remote store, the checking worker has Oxigraph parse it too
   before anything is forwarded (when the worker is network-isolated, see `pool`).
3. What runs cannot act on a misreading. Oxigraph runs public queries in worker processes without any
   network (own network namespace), on a read-only snapshot holding only the published graphs: even a
   SERVICE, a FROM or a LOAD that slipped past this check finds no network, no private graph and no
   writable store.
A canonical re-serialisation of the checked algebra would close the gap further, but rdflib's
`translateAlgebra` loses CONSTRUCT templates, HAVING and the dataset (checked on rdflib 7.6), so running
its output would change answers; it is not used.

Parsing is bounded: the text length is capped, deep nesting (RecursionError in pyparsing or in the algebra)
is refused, and the check runs in a worker process, under the query's time limit, never on the event loop.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ...core.errors import GrapheError

MAX_QUERY_CHARS = 50_000  # pyparsing's worst case is about 0.3 ms a character: this stays within a time limit
VIRTUOSO_NAMESPACES = ("http://www.openlinksw.com/schemas/bif#", "http://www.openlinksw.com/schemas/sql#")
VIRTUOSO_PREFIXES = {"bif", "sql"}
_ESCAPE = re.compile(r"\\u[0-9a-fA-F]{4}|\\U[0-9a-fA-F]{8}")
FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}


# A triple pattern: subject, predicate, object (an IRI, or None for any term), and what its subject must
# also have in the same basic graph pattern — (predicate, object) pairs with both IRIs (`patterns`).
Pattern = tuple[str | None, str | None, str | None, tuple[tuple[str, str], ...]]
# Functions whose value is not a function of the data: an answer using them is never carried to a new revision.
UNREPEATABLE = {"Builtin_NOW", "Builtin_RAND", "Builtin_UUID", "Builtin_STRUUID", "Builtin_BNODE"}


@dataclass(frozen=True)
class Checked:
    form: str  # SELECT | ASK | CONSTRUCT | DESCRIBE
    default_graphs: tuple[str, ...]  # FROM
    named_graphs: tuple[str, ...]  # FROM NAMED
    text: str = ""  # the text that was parsed and checked: the one to run
    patterns: tuple[Pattern, ...] | None = None  # what it can read (`patterns`); None: anything


def refuse(code: str, fr: str, en: str, status: int = 403) -> GrapheError:
    return GrapheError(code, fr, en, {"status": status})


def update_refused() -> GrapheError:
    return refuse("SPARQL_UPDATE_REFUSED",
                  "Ce point d'accès SPARQL est en lecture seule : les mises à jour sont refusées.",
                  "This SPARQL endpoint is read-only: updates are refused.")


def too_long(limit: int, unit_fr: str, unit_en: str) -> GrapheError:
    return refuse("SPARQL_TOO_LARGE",
                  f"Requête trop longue : au plus {limit} {unit_fr}. Téléchargez les données complètes (/export) "
                  "pour un traitement de masse.",
                  f"Query too long: at most {limit} {unit_en}. Download the full data (/export) for bulk work.", 413)


def _syntax(detail: str) -> GrapheError:
    return refuse("SPARQL_SYNTAX", f"Requête SPARQL invalide : {detail}", f"Invalid SPARQL query: {detail}", 400)


def check(query: str, public_graphs: Sequence[str]) -> Checked:
    """The query's form, dataset and text to run, or a refusal (GrapheError with an HTTP status in `details`).
    Slow on hostile text (pyparsing): call it where a time limit is enforced (a worker process)."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import Query, UpdateUnit

    if len(query) > MAX_QUERY_CHARS:
        raise too_long(MAX_QUERY_CHARS, "caractères", "characters")
    try:
        text = _ESCAPE.sub(lambda m: chr(int(m.group()[2:], 16)), query)
    except (ValueError, OverflowError):
        raise _syntax("séquence \\u invalide / invalid \\u escape") from None
    if _ESCAPE.search(text) or "\x00" in text:
        raise _syntax("séquence d'échappement produite par une autre / an escape producing another escape")
    try:
        tree = Query.parse_string(text, parse_all=True)
    except ParseBaseException as exc:
        try:
            UpdateUnit.parse_string(text, parse_all=True)
        except (ParseBaseException, RecursionError):
            raise _syntax(str(exc)) from None
        raise update_refused() from None
    except RecursionError:
        raise _too_nested() from None
    _refuse_in(tree)
    try:
        algebra = translateQuery(tree)
    except RecursionError:
        raise _too_nested() from None
    except Exception as exc:  # noqa: BLE001 — rdflib raises plain Exception, e.g. for an unknown prefix
        raise _syntax(str(exc)) from None
    _refuse_in(algebra.algebra)
    form = FORMS.get(algebra.algebra.name)
    if form is None:
        raise _syntax("SELECT, ASK, CONSTRUCT ou DESCRIBE attendu / SELECT, ASK, CONSTRUCT or DESCRIBE expected")
    default: list[str] = []
    named: list[str] = []
    # CompValue.get answers the key itself when it is missing: test membership instead.
    for clause in (algebra.algebra["datasetClause"] if "datasetClause" in algebra.algebra else None) or ():
        is_named = "named" in clause
        graph = _iri(clause["named"] if is_named else clause["default"])
        if graph not in public_graphs:
            raise refuse("SPARQL_FROM_REFUSED",
                         f"FROM {graph} refusé : seuls les graphes publiés peuvent être nommés "
                         f"({', '.join(public_graphs)}) ; rien n'est téléchargé.",
                         f"FROM {graph} refused: only published graphs may be named "
                         f"({', '.join(public_graphs)}); nothing is downloaded.")
        (named if is_named else default).append(graph)
    return Checked(form, tuple(default), tuple(named), text, None if form == "DESCRIBE" else patterns(algebra.algebra))


def patterns(algebra: object) -> tuple[Pattern, ...] | None:
    """The triple patterns a query's evaluation can read, its variables, blank nodes and literals taken as
    "any term" (None); None when it could read anything or its answer is not a function of the data.

    A query's answer depends only on the triples that match one of its patterns (every basic graph pattern,
    in subqueries, OPTIONAL, MINUS, EXISTS, GRAPH… alike, is evaluated by looking up such triples), so while
    no triple a write adds or removes matches any of them, the answer stays (`Graphe` carries it to the new
    revision: `readset.untouched`). Conservative where that is not exact: a property path reads any triple
    with one of its predicates; one that can match zero steps (`*`, `?`, which binds every node) or a
    negated property set reads anything; DESCRIBE (what it returns depends on the store) and functions such
    as NOW() or RAND() are never carried.

    Each pattern also names what its subject variable must have in the same basic graph pattern (its
    other patterns with an IRI predicate and object): a changed triple whose subject has one of those
    neither before nor after the write cannot change that pattern's solutions (a new practice of another
    theme leaves a theme's list alone). Patterns met only in rdflib's untranslated EXISTS blocks get none."""
    from rdflib.paths import MulPath, NegatedPath, Path, ZeroOrMore, ZeroOrOne
    from rdflib.term import URIRef, Variable

    out: set[Pattern] = set()
    for node in _walk(algebra):
        name = getattr(node, "name", None)
        if name in UNREPEATABLE:
            return None
        if name not in ("BGP", "TriplesBlock"):  # (rdflib leaves EXISTS patterns untranslated: TriplesBlock)
            continue
        triples = list(node["triples"])  # type: ignore[index]
        if any(len(triple) != 3 for triple in triples):
            return None  # a shape not foreseen: read as "anything"
        stars: dict[object, set[tuple[str, str]]] = {}  # subject variable → what it must have
        if name == "BGP":
            for s, p, o in triples:
                if not isinstance(s, URIRef) and isinstance(p, URIRef) and isinstance(o, URIRef):
                    stars.setdefault(s, set()).add((_iri(p), _iri(o)))
        for s, p, o in triples:
            if isinstance(p, Path):
                for part in _walk_path(p):
                    if isinstance(part, NegatedPath) or (isinstance(part, MulPath)
                                                         and part.mod in (ZeroOrMore, ZeroOrOne)):
                        return None
                    if isinstance(part, URIRef):
                        out.add((None, _iri(part), None, ()))
                continue
            if not isinstance(p, (URIRef, Variable)):
                return None
            star = () if isinstance(s, URIRef) else tuple(sorted(stars.get(s, ())))
            out.add((_iri(s) if isinstance(s, URIRef) else None, _iri(p) if isinstance(p, URIRef) else None,
                     _iri(o) if isinstance(o, URIRef) else None, star))
    return tuple(sorted(out, key=lambda t: (*(x or "" for x in t[:3]), t[3])))


def _walk_path(path: object) -> Iterator[object]:
    """A property path's parts (rdflib keeps them in `args`, `path` or `arg`) and IRIs."""
    stack = [path]
    while stack:
        item = stack.pop()
        yield item
        for attribute in ("args", "path", "arg"):
            value = getattr(item, attribute, None)
            if isinstance(value, (list, tuple)):
                stack.extend(value)
            elif value is not None:
                stack.append(value)


def _too_nested() -> GrapheError:
    return refuse("SPARQL_TOO_COMPLEX", "Requête trop imbriquée pour être analysée ; simplifiez-la.",
                  "Query too deeply nested to be analysed; simplify it.", 400)


def _walk(node: object) -> Iterator[object]:
    """Every node of a parse tree or algebra (CompValue, ParseResults, lists, expressions), once each."""
    from rdflib.term import URIRef

    seen: set[int] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, URIRef):
            yield item
            continue
        if isinstance(item, (str, int, float, bool)) or id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
        elif hasattr(item, "as_list") and hasattr(item, "__iter__"):  # pyparsing's ParseResults
            stack.extend(item)


def _refuse_in(tree: object) -> None:
    from rdflib.term import URIRef

    for node in _walk(tree):
        name = getattr(node, "name", None)
        if isinstance(name, str) and name == "ServiceGraphPattern":
            raise refuse("SPARQL_SERVICE_REFUSED",
                         "SERVICE est refusé : le serveur n'ouvre jamais de connexion à cause d'une requête.",
                         "SERVICE is refused: the server never opens a connection because of a query.")
        if isinstance(node, URIRef) and _iri(node).startswith(VIRTUOSO_NAMESPACES):
            raise _virtuoso(_iri(node))
        if isinstance(name, str) and name in ("pname", "PrefixDecl"):
            prefix = str(node["prefix"] if "prefix" in node else "").lower()
            if prefix in VIRTUOSO_PREFIXES:
                raise _virtuoso(prefix + ":")


def _iri(term: object) -> str:
    """An IRI as the other readers see it. rdflib keeps the backslash of a prefixed name's escaped
    character (`v:bif\\#x` gives `...bif\\#x`) where Oxigraph and Virtuoso drop it; an IRI cannot hold a
    backslash otherwise, so dropping every one gives the IRI they read."""
    return str(term).replace("\\", "")


def _virtuoso(what: str) -> GrapheError:
    return refuse("SPARQL_EXTENSION_REFUSED",
                  f"{what} refusé : les fonctions et pragmas propres à un serveur (Virtuoso bif:, sql:, DEFINE) "
                  "ne sont pas permis ; SPARQL 1.1 standard seulement.",
                  f"{what} refused: server-specific functions and pragmas (Virtuoso bif:, sql:, DEFINE) are not "
                  "allowed; standard SPARQL 1.1 only.")
