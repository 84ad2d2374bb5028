"""The SPARQL console: a browser navigating to /sparql with no query gets YASGUI (local files only, under a
policy with no inline script), every program keeps the SPARQL 1.1 endpoint's answers as before, and the
page's plain form runs a query with no script at all."""
from __future__ import annotations

import os
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, quote, urljoin, urlsplit

import httpx
import pytest

from graphe.core.rdf import PREFIXES
from test_graphql_http import CHROMIUM_SERVICES, _chromium  # the browser the GraphiQL test drives

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
STATIC = Path(__file__).resolve().parents[2] / "graphe" / "web" / "static" / "yasgui"
YASGUI_VERSION = "4.6.2"
RESULT_TYPES = {"json": "application/sparql-results+json", "csv": "text/csv", "tsv": "text/tab-separated-values",
                "xml": "application/sparql-results+xml"}


class Page(HTMLParser):
    """What a page refers to and holds: every src/href/action, its scripts, its form fields."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.handlers: list[str] = []  # on…= and style= attributes (inline code or style)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.lang = ""
        self.title = ""
        self.textarea = ""
        self.labels: dict[str, str] = {}
        self.options: list[str] = []
        self._in: list[str] = []
        self._label: str | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.elements.append((tag, values))
        self._in.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "action") and value is not None:
                self.urls.append(value)
            if name.startswith("on") or name == "style":
                self.handlers.append(f"<{tag} {name}>")
        if tag == "html":
            self.lang = values.get("lang") or ""
        if tag == "script":
            self.scripts.append((values, ""))
        if tag == "label":
            self._label = values.get("for")
            self.labels[self._label or ""] = ""
        if tag == "option":
            self.options.append(values.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._in:
            del self._in[len(self._in) - 1 - self._in[::-1].index(tag):]
        if tag == "label":
            self._label = None

    def handle_data(self, data: str) -> None:
        current = self._in[-1] if self._in else ""
        if current == "title":
            self.title += data
        elif current == "textarea":
            self.textarea += data
        elif current == "script":
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        if self._label is not None:
            self.labels[self._label] += data

    def element(self, tag: str, **wanted: str) -> dict[str, str | None]:
        return next(a for t, a in self.elements if t == tag and all(a.get(k) == v for k, v in wanted.items()))


def console(api, **headers: str) -> httpx.Response:  # type: ignore[no-untyped-def]
    return httpx.get(api.url + "/sparql", headers={"Accept": BROWSER, **headers}, timeout=30)


def test_a_browser_gets_the_console_under_a_policy_without_inline_script(api) -> None:  # type: ignore[no-untyped-def]
    page = console(api)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = dict(part.strip().split(" ", 1) for part in page.headers["content-security-policy"].split(";"))
    assert csp["default-src"] == "'none'" and csp["script-src"] == "'self'" and csp["connect-src"] == "'self'"
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["frame-ancestors"] == "'none'" and page.headers["x-frame-options"] == "DENY"
    assert "Accept" in page.headers["vary"] and "Accept-Language" in page.headers["vary"]
    parsed = Page(page.text)
    assert parsed.lang == "fr" and parsed.title == "Console SPARQL — Graphe"
    # No inline script, no inline handler or style attribute in the page itself: every script is a file.
    assert parsed.scripts and all(attrs.get("src") and not text.strip() for attrs, text in parsed.scripts)
    assert parsed.handlers == []


@pytest.mark.parametrize("headers, params, lang, title", [
    ({"Accept-Language": "en-GB,en;q=0.9"}, {}, "en", "SPARQL console — Graphe"),
    ({"Accept-Language": "en;q=0.5,fr"}, {}, "fr", "Console SPARQL — Graphe"),
    ({}, {"lang": "en"}, "en", "SPARQL console — Graphe"),
    ({"Accept-Language": "en"}, {"lang": "fr"}, "fr", "Console SPARQL — Graphe"),
    ({"Accept-Language": "de"}, {}, "fr", "Console SPARQL — Graphe"),
])
def test_the_console_speaks_french_unless_english_is_asked(api, headers, params, lang, title) -> None:  # type: ignore[no-untyped-def]
    page = httpx.get(api.url + "/sparql", params=params, headers={"Accept": BROWSER, **headers}, timeout=30)
    parsed = Page(page.text)
    assert page.status_code == 200 and (parsed.lang, parsed.title) == (lang, title)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_page_refers_only_to_this_site(api, lang: str) -> None:  # type: ignore[no-untyped-def]
    parsed = Page(console(api, **{"Accept-Language": lang}).text)
    assert parsed.urls
    for url in parsed.urls:
        assert (url.startswith("/") and not url.startswith("//")) or url.startswith(("#", "?")), url
    assert all(urlsplit(urljoin("http://127.0.0.1/sparql", url)).netloc == "127.0.0.1" for url in parsed.urls)
    for attrs, _ in parsed.scripts:
        assert str(attrs["src"]).startswith("/static/yasgui/")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_everything_the_page_refers_to_answers(api, lang: str) -> None:  # type: ignore[no-untyped-def]
    """Its scripts and styles, its links — the examples among them, each a query sent to the endpoint."""
    parsed = Page(console(api, **{"Accept-Language": lang}).text)
    for url in sorted(set(parsed.urls)):
        if url.startswith("#"):
            continue
        answer = httpx.get(urljoin(api.url + "/sparql", url), timeout=60)
        assert answer.status_code == 200, (url, answer.text[:500])
    for name in ("yasgui.min.js", "yasgui.min.css", "console.js", "console.css"):
        assert f"/static/yasgui/{name}" in parsed.urls


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_each_example_answers_rows(api, lang: str) -> None:  # type: ignore[no-untyped-def]
    parsed = Page(console(api, **{"Accept-Language": lang}).text)
    examples = [a["href"] for t, a in parsed.elements if t == "a" and a.get("class") == "example"]
    assert 3 <= len(examples) <= 5
    for href in examples:
        query = parse_qs(urlsplit(str(href)).query)["query"][0]
        if "\nDESCRIBE " in query:
            answer = httpx.post(api.url + "/sparql", data={"query": query}, headers={"Accept": "text/turtle"}, timeout=60)
            assert answer.status_code == 200 and "schema:City" in answer.text, answer.text[:500]
            continue
        answer = httpx.post(api.url + "/sparql", data={"query": query},
                            headers={"Accept": "application/sparql-results+json"}, timeout=60)
        assert answer.status_code == 200, answer.text
        assert answer.json()["results"]["bindings"], (href, answer.text[:500])


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_default_query_declares_the_project_prefixes(api, lang: str) -> None:  # type: ignore[no-untyped-def]
    parsed = Page(console(api, **{"Accept-Language": lang}).text)
    declared = dict(re.findall(r"^PREFIX\s+([\w-]*):\s*<([^>]*)>", parsed.textarea, re.M))
    assert declared == PREFIXES
    answer = httpx.get(api.url + "/sparql", params={"query": parsed.textarea},
                       headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert answer.status_code == 200 and answer.json()["results"]["bindings"], answer.text[:500]


@pytest.mark.parametrize("fmt", sorted(RESULT_TYPES))
def test_the_plain_form_runs_a_query_with_no_script(api, fmt: str) -> None:  # type: ignore[no-untyped-def]
    """The form as a browser without JavaScript submits it: GET /sparql?query=…&format=…, a browser's Accept."""
    parsed = Page(console(api).text)
    form = parsed.element("form")
    assert (form.get("method"), form.get("action")) == ("get", "/sparql")
    textarea = parsed.element("textarea", name="query")
    select = parsed.element("select", name="format")
    assert parsed.labels.get(str(textarea["id"])) and parsed.labels.get(str(select["id"]))
    assert set(RESULT_TYPES) <= set(parsed.options)
    answer = httpx.get(api.url + "/sparql", params={"query": parsed.textarea, "format": fmt},
                       headers={"Accept": BROWSER}, timeout=60)
    assert answer.status_code == 200, answer.text[:500]
    assert answer.headers["content-type"].startswith(RESULT_TYPES[fmt])
    assert "content-security-policy" not in answer.headers  # an answer, not a page
    assert "Dakar" in answer.text


def test_a_describe_from_the_form_answers_turtle(api) -> None:  # type: ignore[no-untyped-def]
    query = 'PREFIX schema: <https://schema.org/> DESCRIBE ?c WHERE { ?c schema:name "Dakar"@fr }'
    answer = httpx.get(api.url + "/sparql", params={"query": query, "format": "ttl"}, headers={"Accept": BROWSER})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/turtle")


@pytest.mark.parametrize("headers", [{"Accept": "text/turtle"}, {}, {"Accept": "*/*"}, {"Accept": "text/*"},
                                     {"Accept": "application/ld+json"}, {"Accept": "text/html;q=0.5, text/turtle"}])
def test_programs_still_get_the_service_description(api, headers: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    # httpx sends `Accept: */*` unless told otherwise: an absent header is sent as none at all.
    with httpx.Client() as client:
        request = client.build_request("GET", api.url + "/sparql", headers=headers)
        if not headers:
            del request.headers["accept"]
        answer = client.send(request)
    assert answer.status_code == 200, answer.text
    media = "application/ld+json" if headers.get("Accept") == "application/ld+json" else "text/turtle"
    assert answer.headers["content-type"].startswith(media)
    assert "sparql-service-description" in answer.text and "content-security-policy" not in answer.headers
    assert answer.headers["access-control-allow-origin"] == "*"


def test_a_browser_asking_a_format_or_posting_gets_the_description(api) -> None:  # type: ignore[no-untyped-def]
    asked = httpx.get(api.url + "/sparql", params={"format": "ttl"}, headers={"Accept": BROWSER})
    assert asked.status_code == 200 and asked.headers["content-type"].startswith("text/turtle")
    posted = httpx.post(api.url + "/sparql", content=b"", headers={
        "Accept": BROWSER, "Content-Type": "application/x-www-form-urlencoded"})
    assert posted.status_code == 200 and "sparql-service-description" in posted.text
    assert not posted.headers["content-type"].startswith("text/html")


def test_a_query_with_a_browser_accept_still_runs(api) -> None:  # type: ignore[no-untyped-def]
    answer = httpx.get(api.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": BROWSER})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/sparql-results+xml")
    assert "<boolean>true</boolean>" in answer.text and "content-security-policy" not in answer.headers
    posted = httpx.post(api.url + "/sparql", data={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": BROWSER})
    assert posted.status_code == 200 and posted.text == answer.text


def test_the_vendored_console_is_named_and_licensed() -> None:
    licences = (STATIC / "LICENSES.txt").read_text(encoding="utf-8")
    assert f"## @zazuko/yasgui-{YASGUI_VERSION}" in licences and "MIT" in licences
    for bundled in ("codemirror-", "jquery-", "datatables.net-", "dompurify-", "n3-", "papaparse-", "lodash-es-"):
        assert f"\n## {bundled}" in licences, bundled
    for page in ("index.html", "index.en.html"):
        assert f"YASGUI {YASGUI_VERSION}" in (STATIC / page).read_text(encoding="utf-8")
    assert not list(STATIC.glob("*.map"))
    # Graphe's own script names no other site: YASGUI's remote services are switched off there.
    script = (STATIC / "console.js").read_text(encoding="utf-8")
    assert not re.search(r"https?://", script)
    assert "prefixCcApi: null" in script and "corsProxy: undefined" in script


@pytest.mark.skipif(not _chromium() and not os.environ.get("CI"), reason="Chromium absent (installé par .ci/run)")
def test_the_console_runs_a_query_in_a_real_browser_with_no_network(api, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Chromium opens the console with a shared query (#query=…): YASGUI starts under the page's policy
    (no violation logged), runs the query on this endpoint and draws the table; the page contacts no
    other host."""
    browser = _chromium()
    assert browser, "Chromium must be installed in CI (.ci/run installs it)"
    netlog = tmp_path / "net.json"
    query = 'PREFIX schema: <https://schema.org/> SELECT ?name WHERE { ?c a schema:City ; schema:name ?name } ORDER BY ?name'
    result = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=127.0.0.1",
         "--enable-logging=stderr", "--v=0", f"--log-net-log={netlog}", "--virtual-time-budget=20000",
         "--dump-dom", api.url + "/sparql#query=" + quote(query, safe="")],
        capture_output=True, text=True, timeout=180)
    dom = result.stdout
    assert 'data-ready="true"' in dom and 'class="yasgui' in dom, (dom[:2000], result.stderr[-2000:])
    assert "CodeMirror" in dom and re.search(r'<section id="sans-js"[^>]*hidden', dom)
    assert "Dakar" in dom and "<table" in dom, dom[-3000:]
    assert "Content Security Policy" not in result.stderr, result.stderr[-3000:]
    hosts = set(re.findall(r'"(?:url|original_url)":"https?://([^/":]+)', netlog.read_text(errors="replace")))
    assert hosts - {"127.0.0.1"} <= CHROMIUM_SERVICES, hosts
