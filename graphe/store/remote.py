"""A remote SPARQL 1.1 server as the store (Virtuoso, Fuseki, Oxigraph server…), shared by several replicas.

Reads are SPARQL queries (protocol `default-graph-uri` / `named-graph-uri` restrict public reads to the
public graphs). A write is ONE SPARQL Update request — `DELETE {…} INSERT {…} WHERE { current revision is N }`
— so the server applies it whole, and only if no other replica committed revision N+1 first
(compare-and-set on a `sys:current` counter); the writer then checks its own revision record is there.
A big write (an import) first puts its quads in private staging graphs, in requests of their own (a request
is limited: Virtuoso refuses one over 10 MB); its one update request then moves them, or nothing.
"""
from __future__ import annotations

import datetime as dt
import itertools
import re
import secrets
import threading
import time
from urllib.parse import urlencode
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO

import httpx
import pyoxigraph as ox

from ..core import deadline, readset
from ..core.errors import GrapheError
from ..core.rdf import PREFIXES, Format, Literal, NamedNode, Quad, Term, Triple
from .base import (SYS, Bindings, GraphNames, Revision, bind, public_revision_query, quads_text, revision_query, revision_record, last_touched_query, touched_query, touches_public)

_CURRENT = NamedNode(SYS + "current")
_WKT = PREFIXES["geo"] + "wktLiteral"
_WKT_STORED = SYS + "wkt"
_COMMIT = NamedNode(SYS + "commit")
_XSD = PREFIXES["xsd"]
_PREAMBLE = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
JSON_RESULTS = "application/sparql-results+json"
REVISION_TTL = 1.0  # seconds a replica trusts the revision it read
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class RemoteStore:
    path = None  # nothing on this machine's disk
    # Long answers are read whole, not in ordered chunks of `LIMIT n OFFSET m`: Virtuoso refuses to sort
    # more than MaxSortedTopRows (10,000 by default) for `OFFSET + LIMIT` ("SR353"), so chunks stopped at the
    # second one (every list of 10,000 practices failed). A server's silent cap on the rows of one answer
    # (Virtuoso's ResultSetMaxRows, 10,000 by default: raise it) is refused when seen (`_post_query`).
    max_rows: int | None = None
    quads_by_subject = False  # a CONSTRUCT's triples come in the server's order

    def __init__(self, query_url: str, update_url: str, graphs: GraphNames, *, user: str | None = None,
                 password: str | None = None, timeout: float = 60.0) -> None:
        self.query_url, self.update_url, self.graphs = query_url, update_url, graphs
        auth = httpx.DigestAuth(user, password) if user else None
        self._http = httpx.Client(timeout=timeout, auth=auth)
        self._write_lock = threading.Lock()
        self._crud: str | None = None  # the Graph Store Protocol endpoint, "" when not used (`_graph_store`)
        self.queries = 0
        self._cached: tuple[float, tuple[Revision, Revision] | None] = (0.0, None)  # (private, public)
        self._ensure_counter()

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------------------------------- protocol

    def _post_query(self, query: str, default: Sequence[NamedNode] | None, named: Sequence[NamedNode] | None,
                    accept: str) -> bytes:
        deadline.check()  # a request past its time budget stops before its next read (outside one: never)
        readset.untracked()
        self.queries += 1
        data: list[tuple[str, str]] = [("query", _PREAMBLE + query)]
        data += [("default-graph-uri", g.value) for g in default or ()]
        data += [("named-graph-uri", g.value) for g in named or ()]
        left = deadline.remaining()  # the read waits no longer than the request may
        try:
            response = self._http.post(self.query_url, content=urlencode(data), headers={"Accept": accept, **FORM},
                                       **({"timeout": left + 0.1} if left is not None else {}))
        except httpx.TimeoutException:
            deadline.check()
            raise _unreachable(self.query_url, TimeoutError("délai dépassé / timed out")) from None
        except httpx.HTTPError as exc:
            raise _unreachable(self.query_url, exc) from None
        if "x-sparql-maxrows" in response.headers:  # Virtuoso cut the answer at its ResultSetMaxRows
            raise GrapheError("STORE_ERROR", "Le serveur SPARQL tronque la réponse à "
                              f"{response.headers['x-sparql-maxrows']} lignes : augmentez ResultSetMaxRows.",
                              f"The SPARQL server cut the answer at {response.headers['x-sparql-maxrows']} rows: "
                              "raise its ResultSetMaxRows.", {"status": 502})
        if response.status_code >= 400:
            raise GrapheError("QUERY_SYNTAX" if response.status_code == 400 else "STORE_ERROR",
                              f"Le serveur SPARQL refuse la requête ({response.status_code}) : {response.text[:500]}",
                              f"The SPARQL server refused the query ({response.status_code}): {response.text[:500]}",
                              {"status": 400 if response.status_code == 400 else 502})
        return response.content

    def _post_update(self, update: str, timeout: float | None = None) -> None:
        try:
            response = self._http.post(self.update_url, content=urlencode({"update": _PREAMBLE + update}),
                                       headers=FORM, **({"timeout": timeout} if timeout else {}))
        except httpx.HTTPError as exc:
            raise _unreachable(self.update_url, exc) from None
        if response.status_code >= 400 and "SR325" in response.text:  # (Virtuoso: one transaction's log)
            raise GrapheError("STORE_WRITE_FAILED", "Écriture trop grande pour une transaction du serveur SPARQL "
                              "(Virtuoso : augmentez TransactionAfterImageLimit) ; rien n'a été écrit.",
                              "Write too big for one transaction of the SPARQL server (Virtuoso: raise "
                              "TransactionAfterImageLimit); nothing was written.")
        if response.status_code >= 400:
            raise GrapheError("STORE_WRITE_FAILED", f"Écriture refusée par le serveur SPARQL : {response.text[:500]}",
                              f"The SPARQL server refused the write: {response.text[:500]}")

    def _solutions(self, query: str, private: bool):  # type: ignore[no-untyped-def]
        graphs = None if private else list(self.graphs.readable)
        body = self._post_query(query, graphs, graphs, JSON_RESULTS)
        return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)

    # ----------------------------------------------------------------------------------------- reading

    def select(self, query: str, bindings: Bindings | None = None, *, private: bool = False) -> list[dict[str, Term]]:
        batches = _batches(query, bindings)
        if batches is not None:  # a long VALUES list, asked in parts (see `_batches`)
            rows = [row for part in batches for row in self.select(query, part, private=private)]
            return list({tuple(sorted(r.items())): r for r in rows}.values()) if _DISTINCT.search(query) else rows
        solutions = self._solutions(bind(query, bindings), private)
        names = [v.value for v in solutions.variables]
        return [{n: _canonical(row[n]) for n in names if row[n] is not None} for row in solutions]

    def ask(self, query: str, bindings: Bindings | None = None, *, private: bool = False) -> bool:
        return _boolean(self._solutions(bind(query, bindings), private))

    def construct(self, query: str, bindings: Bindings | None = None, *, private: bool = False) -> list[Triple]:
        graphs = None if private else list(self.graphs.readable)
        body = self._post_query(bind(query, bindings), graphs, graphs, "application/n-triples")
        return [Triple(q.subject, q.predicate, _canonical(q.object))
                for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]

    def public_query(self, query: str, default_graphs: Sequence[NamedNode], named_graphs: Sequence[NamedNode],  # type: ignore[no-untyped-def]
                     timeout: float | None = None, *, form: str = "SELECT"):
        """A reader's query forwarded as written, over the given public graphs, within `timeout` seconds
        (also sent as Virtuoso's `timeout` parameter, in milliseconds, so that the server stops too); `form`
        is the checker's reading of it (SELECT, ASK, CONSTRUCT, DESCRIBE), which chooses the answer's format."""
        graph_form = form in ("CONSTRUCT", "DESCRIBE")
        accept = "application/n-triples" if graph_form else JSON_RESULTS
        readset.untracked()
        self.queries += 1
        data = [("query", query)] + [("default-graph-uri", g.value) for g in default_graphs] + \
               [("named-graph-uri", g.value) for g in named_graphs]
        if timeout:
            data.append(("timeout", str(int(timeout * 1000))))
        started = time.monotonic()
        try:
            response = self._http.post(self.query_url, content=urlencode(data), headers={"Accept": accept, **FORM},
                                       timeout=timeout + 2 if timeout else None)
        except httpx.TimeoutException:
            raise _timeout(timeout) from None
        text = response.text.lower() if response.status_code >= 400 else ""
        stopped = bool(text) and timeout is not None and time.monotonic() - started >= 0.9 * timeout
        # Virtuoso stops a query at its `timeout` with "SR177 Misc Transaction Error", and refuses up front
        # one whose estimated cost passes its own limit.
        if response.headers.get("X-SQL-State") in ("S1TAT", "S1T00") or stopped or "execution time" in text:
            raise _timeout(timeout)
        if response.status_code >= 400:
            raise GrapheError("SPARQL_SYNTAX", f"Requête SPARQL invalide : {response.text[:500]}",
                              f"Invalid SPARQL query: {response.text[:500]}", {"status": 400})
        if graph_form:
            return iter([Triple(q.subject, q.predicate, _canonical(q.object))
                         for q in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)])
        return _parsed_solutions(query, response.content)

    def quads(self, graph: NamedNode) -> Iterator[Quad]:
        triples = self.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}", private=True)
        return iter([Quad(t.subject, t.predicate, t.object, graph) for t in triples])

    def describe(self, subjects: Iterable[Term], graph: NamedNode) -> list[Quad]:
        subjects = [s for s in subjects if isinstance(s, NamedNode)]
        if not subjects:
            return []
        rows = self.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}", {"s": subjects}, private=True)
        return [Quad(r["s"], r["p"], r["o"], graph) for r in rows]

    def contains(self, quad: Quad) -> bool:
        # Compared here, not in the query: Virtuoso refuses some literals in query text (geo:wktLiteral).
        rows = self.select("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }",
                           {"g": quad.graph_name, "s": quad.subject, "p": quad.predicate}, private=True)
        return any(r["o"] == quad.object for r in rows)

    def count(self, graph: NamedNode) -> int:
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}", private=True)
        return int(rows[0]["n"].value) if rows else 0

    def is_empty(self) -> bool:
        return not self.ask(f"ASK {{ GRAPH {self.graphs.public} {{ ?s ?p ?o }} }}", private=True)

    def revision(self) -> Revision:
        """The public revision (moves only when published data changes), read from the server (other
        replicas write too), at most once per `REVISION_TTL` seconds."""
        return self._revisions()[1]

    def private_revision(self) -> Revision:
        """The last commit, private bookkeeping included."""
        return self._revisions()[0]

    def _revisions(self) -> tuple[Revision, Revision]:
        stamp, cached = self._cached
        if cached is not None and time.monotonic() - stamp < REVISION_TTL:
            return cached
        counted = self.queries
        found = (self._read_revision(revision_query(self.graphs), "n"),
                 self._read_revision(public_revision_query(self.graphs), "p"))
        self.queries = counted  # bookkeeping, not a data read: `queries` counts what requests ask for
        self._cached = (time.monotonic(), found)
        return found

    def _read_revision(self, query: str, number: str) -> Revision:
        rows = self.select(query, private=True)
        if not rows:
            return Revision(0, None)
        summary = rows[0]["d"].value if "d" in rows[0] else ""
        return Revision(int(rows[0][number].value), dt.datetime.fromisoformat(rows[0]["t"].value), summary)

    def refresh(self) -> Revision:
        """The public revision read from the server now."""
        self._cached = (0.0, None)
        return self.revision()

    def touched_since(self, revision: int) -> list[NamedNode]:
        return [r["s"] for r in self.select(touched_query(self.graphs, revision), private=True)]

    def changes(self, revision: int) -> list[frozenset] | None:
        """Unknown: other replicas write to the server too (answers that need it are computed again)."""
        return None

    def last_touched(self, revision: int) -> dict[str, int]:
        rows = self.select(last_touched_query(self.graphs, revision), private=True)
        return {r["s"].value: int(r["last"].value) for r in rows}

    def dump(self, output: IO[bytes], fmt: Format, graph: NamedNode) -> None:
        quads = list(self.quads(graph))
        if fmt.quads:
            ox.serialize(quads, output, format=fmt.ox)
        else:
            ox.serialize([Triple(q.subject, q.predicate, q.object) for q in quads], output, format=fmt.ox,
                         prefixes=PREFIXES if fmt.name == "ttl" else None)

    def snapshot(self, target):  # type: ignore[no-untyped-def]
        raise GrapheError("NOT_SUPPORTED", "Pas d'instantané local d'un serveur SPARQL distant.",
                          "No local snapshot of a remote SPARQL server.")

    # ----------------------------------------------------------------------------------------- writing

    def _ensure_counter(self) -> None:
        if not self.ask("ASK { GRAPH ?g { ?g ?current ?n } }", {"g": self.graphs.system, "current": _CURRENT},
                        private=True):
            number = self.private_revision().number  # a store written before the counter existed
            self._post_update(f"INSERT DATA {{ GRAPH {self.graphs.system} {{ {self.graphs.system} {_CURRENT} "
                              f"{_integer(number)} }} }}")

    def _staging(self, token: Literal, add: Iterable[Quad], remove: Iterable[Quad]) -> dict[NamedNode, tuple[NamedNode, list[Quad]]]:
        """Private staging graphs of a commit: {staging graph: (target graph, its quads)}; "add" and "del"
        staging graphs by target graph."""
        stage = f"{self.graphs.prefix}graph/stage/{token.value}/"
        staged: dict[NamedNode, tuple[NamedNode, list[Quad]]] = {}
        for kind, quads in (("add", add), ("del", remove)):
            by_graph: dict[str, list[Quad]] = {}
            # One pass (a big import's additions are read again from its files at each pass over them):
            # blank nodes refused, WKT renamed (`_outgoing`), quads grouped by graph.
            for q in quads:
                if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode):
                    raise GrapheError("BLANK_NODE_REMOVAL", "Un serveur distant ne reçoit pas de nœuds anonymes.",
                                      "A remote server takes no blank nodes.")
                by_graph.setdefault(q.graph_name.value, []).append(_outgoing(q))
            for index, (graph, items) in enumerate(sorted(by_graph.items())):
                staged[NamedNode(f"{stage}{kind}/{index}")] = (NamedNode(graph), items)
        return staged

    def _update(self, number: int, token: Literal, record: NamedNode,
                staged: Mapping[NamedNode, tuple[NamedNode, list[Quad]]], inline: bool = True) -> str:
        """The one update request of a commit.

        The quads go first into private staging graphs (`INSERT DATA`, in chunks: a large template would
        exceed what Virtuoso compiles; or, for a big commit, in requests of their own before this one:
        `_stage`); then one small compare-and-set moves the revision counter from N-1 to N and records this
        commit's token; then, per target graph, the staged quads are inserted (deleted) **only where that
        token is recorded**; the staging graphs are dropped. Applied as one request, it is all or nothing,
        and nothing but staging is written if another replica committed revision N first."""
        system = self.graphs.system
        head: list[str] = []
        if inline:
            for staging, (_, items) in staged.items():
                for chunk in _chunks(items):
                    moved = [Quad(q.subject, q.predicate, q.object, staging) for q in chunk]
                    head.append(f"INSERT DATA {{ {quads_text(moved)} }}")
        head.append(
            f"DELETE {{ GRAPH {system} {{ {system} {_CURRENT} {_integer(number - 1)} }} }} "
            f"INSERT {{ GRAPH {system} {{ {system} {_CURRENT} {_integer(number)} . {record} {_COMMIT} {token} }} }} "
            f"WHERE {{ GRAPH {system} {{ {system} {_CURRENT} {_integer(number - 1)} }} }}")
        committed = f"GRAPH {system} {{ {record} {_COMMIT} {token} }}"
        copies = {"DELETE": [], "INSERT": []}  # type: dict[str, list[str]]
        for staging, (target, _) in sorted(staged.items(), key=lambda kv: kv[0].value):
            verb = "INSERT" if "/add/" in staging.value else "DELETE"
            copies[verb].append(f"{verb} {{ GRAPH {target} {{ ?s ?p ?o }} }} "
                                f"WHERE {{ {committed} GRAPH {staging} {{ ?s ?p ?o }} }}")
        drops = [f"DROP SILENT GRAPH {staging}" for staging in sorted(staged, key=lambda g: g.value)]
        # deletions before insertions, so that a quad both removed and added stays
        return " ;\n".join(head + copies["DELETE"] + copies["INSERT"] + drops)

    def _stage(self, staged: Mapping[NamedNode, tuple[NamedNode, list[Quad]]]) -> None:
        """A big commit's quads written to its staging graphs ahead of its update request, in requests of at
        most `STAGE_BYTES` (Virtuoso refuses a request text over 10 MB): N-Triples posted with the Graph Store
        Protocol when the server is Virtuoso, `INSERT DATA` otherwise. Staging graphs are private, named by
        the commit's token: until the update request, no reader and no other commit sees them."""
        crud = self._graph_store()
        for staging, (_, items) in staged.items():
            if crud is None:  # (Virtuoso's SPARQL compiler runs out of memory past a few thousand triples)
                for chunk in _chunks(items, INSERT_QUADS):
                    triples = " ".join(f"{q.subject} {q.predicate} {q.object} ." for q in chunk)
                    self._post_update(f"INSERT DATA {{ GRAPH {staging} {{ {triples} }} }}")
                continue
            for start in range(0, len(items), STAGE_QUADS):
                for part in _bounded([q.triple for q in items[start:start + STAGE_QUADS]]):
                    self._post(crud, part, {"graph-uri": staging.value})

    def _graph_store(self) -> str | None:
        """Virtuoso's Graph Store Protocol endpoint, next to its SPARQL one (None for another server): a
        POST of N-Triples is parsed by its Turtle loader, 3× faster than the same triples in `INSERT DATA`."""
        if self._crud is None:
            crud = ""
            try:
                server = self._http.get(self.update_url, params={"query": "ASK {}"}).headers.get("server", "")
            except httpx.HTTPError as exc:
                raise _unreachable(self.update_url, exc) from None
            if "virtuoso" in server.lower() and self.update_url.rstrip("/").endswith("/sparql"):
                auth = "-auth" if self._http.auth is not None else ""
                crud = self.update_url.rstrip("/") + f"-graph-crud{auth}"
            self._crud = crud
        return self._crud or None

    def _post(self, url: str, body: bytes, params: dict[str, str]) -> None:
        try:
            response = self._http.post(url, params=params, content=body,
                                       headers={"Content-Type": "application/n-triples"})
        except httpx.HTTPError as exc:
            raise _unreachable(url, exc) from None
        if response.status_code >= 400:
            raise GrapheError("STORE_WRITE_FAILED", f"Écriture refusée par le serveur SPARQL : {response.text[:500]}",
                              f"The SPARQL server refused the write: {response.text[:500]}")

    def commit(self, add: Sequence[Quad], remove: Sequence[Quad] = (), summary: str = "",
               notes: Mapping[str, Sequence[Term]] | None = None, sources: Sequence[object] = ()) -> Revision:
        """One update request, applied only if the revision is still the one this replica read."""
        with self._write_lock:
            self._cached = (0.0, None)
            before, public = self._revisions()
            # The compare-and-set below holds the commit number: if another replica committed meanwhile,
            # nothing is written, so the public number read with it is the one this commit follows.
            number = before.number + 1
            public_number = public.number + touches_public(self.graphs, add, remove)
            now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
            log = revision_record(self.graphs, number, public_number, now, add, remove, summary, notes)
            record = log[0].subject
            token = Literal(secrets.token_hex(16))
            system = self.graphs.system
            staged = self._staging(token, itertools.chain(add, log), remove)
            inline = sum(len(items) for _, items in staged.values()) <= INLINE_QUADS
            try:
                if not inline:
                    self._stage(staged)
                # A big commit's update request moves all its quads in one transaction: its wait grows with
                # them (1.8 M quads took more than the default 60 s on a busy machine).
                size = sum(len(items) for _, items in staged.values())
                self._post_update(self._update(number, token, record, staged, inline),
                                  None if inline else (self._http.timeout.read or 60.0) + size / 5_000)
            except GrapheError:
                if not inline:  # staging left behind by a refused write: dropped (private, unseen, if it stays)
                    try:
                        self._post_update(" ;\n".join(f"DROP SILENT GRAPH {g}" for g in staged))
                    except GrapheError:
                        pass
                raise
            if not self.ask("ASK { GRAPH ?g { ?r ?commit ?token } }",
                            {"g": system, "r": record, "commit": _COMMIT, "token": token}, private=True):
                raise GrapheError("CONFLICT", "Une autre réplique a écrit au même moment ; rien n'a été écrit, "
                                  "réessayez.", "Another replica wrote at the same time; nothing was written, "
                                  "try again.", {"status": 409})
            public_after = Revision(public_number, now, summary) if public_number != public.number else public
            self._cached = (time.monotonic(), (Revision(number, now, summary), public_after))
            return public_after


# Virtuoso compiles `VALUES` into an IN list: past about 5,000 rows it refuses the query ("SP030 Too many
# arguments"), and its compile time grows with the square of the rows (4,000: 0.64 s; 1,000: 0.07 s).
VALUES_BATCH = 1000
_DISTINCT = re.compile(r"^\s*SELECT\s+DISTINCT\b", re.IGNORECASE)
_WHOLE = re.compile(r"\b(LIMIT|OFFSET|ORDER\s+BY|GROUP\s+BY|COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT)\b", re.IGNORECASE)


def _batches(query: str, bindings: Bindings | None) -> list[dict[str, Term | Sequence[Term]]] | None:
    """The bindings cut into parts of at most `VALUES_BATCH` rows, when a list is longer and the answer is
    the union of the parts' answers (no LIMIT, ordering or aggregate); None otherwise."""
    if not bindings or _WHOLE.search(query):
        return None
    lists = {k: list(v) for k, v in bindings.items() if isinstance(v, (list, tuple, set, frozenset))}
    length = max((len(v) for v in lists.values()), default=0)
    if length <= VALUES_BATCH or any(len(v) not in (1, length) for v in lists.values()):
        return None
    return [{**bindings, **{k: v[i:i + VALUES_BATCH] if len(v) == length else v for k, v in lists.items()}}
            for i in range(0, length, VALUES_BATCH)]


# A commit of more quads than this stages them in requests of their own (`_stage`) before its update request.
INLINE_QUADS = 20_000
STAGE_QUADS = 50_000  # quads serialised at a time for staging
STAGE_BYTES = 4 << 20  # at most this per staging request
INSERT_QUADS = 1_000  # quads per staging request without the Graph Store Protocol (`INSERT DATA`)


def _bounded(triples: list[Triple]) -> Iterator[bytes]:
    """N-Triples of `triples` in parts of at most `STAGE_BYTES`, cut between lines (serialised once)."""
    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    start = 0
    while len(body) - start > STAGE_BYTES:
        cut = body.rfind(b"\n", start, start + STAGE_BYTES) + 1
        if cut <= start:  # one line longer than a part: sent alone
            cut = body.index(b"\n", start) + 1
        yield body[start:cut]
        start = cut
    if start < len(body):
        yield body[start:]


def _chunks(items: Sequence[Quad], size: int = 500) -> Iterator[Sequence[Quad]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _boolean(result) -> bool:  # type: ignore[no-untyped-def]
    """An ASK answer. Virtuoso 7 answers ASK in JSON as a one-variable SELECT (`__ASK_RETVAL`), with one
    row when true and none when false, instead of `{"boolean": …}`."""
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    return any(row[0] is None or row[0].value not in ("0", "false") for row in result)


def _integer(n: int) -> Literal:
    return Literal(str(n), datatype=NamedNode(_XSD + "integer"))


def _canonical(term):  # type: ignore[no-untyped-def]
    """A term as Graphe wrote it: Virtuoso answers booleans as "1"/"0", and WKT is stored under our own
    datatype (see `_outgoing`)."""
    if isinstance(term, Literal):
        if term.datatype.value == _XSD + "boolean" and term.value in ("1", "0"):
            return Literal("true" if term.value == "1" else "false", datatype=term.datatype)
        if term.datatype.value == _WKT_STORED:
            return Literal(term.value, datatype=NamedNode(_WKT))
    return term


def _outgoing(quad: Quad) -> Quad:
    """Virtuoso turns `geo:wktLiteral` values into its own geometries, rounding coordinates to single
    precision: WKT is stored under a private datatype instead, and given back as `geo:wktLiteral`."""
    o = quad.object
    if isinstance(o, Literal) and o.datatype.value == _WKT:
        return Quad(quad.subject, quad.predicate, Literal(o.value, datatype=NamedNode(_WKT_STORED)), quad.graph_name)
    return quad


def _parsed_solutions(query: str, body: bytes):  # type: ignore[no-untyped-def]
    """`public_query`'s answer read as RDF terms (`_canonical`), or an ASK's boolean."""
    result = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    if query.lstrip().upper().startswith("ASK") or "__ASK_RETVAL" in [v.value for v in result.variables]:
        return _boolean(result)
    variables = list(result.variables)
    rows = [{v.value: _canonical(row[v.value]) if row[v.value] is not None else None for v in variables}
            for row in result]
    return _Solutions(variables, rows)


class _Solutions(list):  # type: ignore[type-arg]
    """Rows (lists of terms in `variables` order) with a `variables` attribute, like pyoxigraph's."""

    def __init__(self, variables: list, rows: list) -> None:  # type: ignore[type-arg]
        super().__init__(rows)
        self.variables = variables


def _timeout(seconds: float | None) -> GrapheError:
    return GrapheError("QUERY_TIMEOUT", f"Requête arrêtée après {seconds or 0:g} s (limite de ce point d'accès).",
                       f"Query stopped after {seconds or 0:g} s (this endpoint's limit).", {"status": 503})


def _unreachable(url: str, exc: Exception) -> GrapheError:
    return GrapheError("STORE_UNREACHABLE", f"Le serveur SPARQL {url} ne répond pas : {exc}.",
                       f"The SPARQL server {url} does not answer: {exc}.", {"status": 503})
