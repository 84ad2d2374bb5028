"""Shared by the browser tests: a real Graphe with the seeds on loopback, Debian's Chromium driven by Playwright
(sync API, never a downloaded browser), pages watched for errors and for any request leaving the server, axe-core,
and keyboard helpers.

A test module calls `skip_without_chromium()`, then declares `pytest_plugins = ["browser_support"]` (so that its
fixtures are registered once for the whole session, however many modules use them) and imports its helpers by
name (`from browser_support import tab_to`); its asserts carry their own messages, so pytest need not rewrite
them (PYTEST_DONT_REWRITE: the module may then be imported before it is registered, in any order). Its fixtures:

- `web_server` (session): a real `graphe serve --memory` (the seeds in an in-memory store) on a free loopback
  port, in a process of its own (so the pages are rendered beside the browser's driver, not under its lock);
- `chromium` (session): one browser for the whole session;
- `open_tab` (per test): `open_tab(lang="fr", javascript=True)` → a `Tab` in a fresh context of its own, closed
  after the test; `tab` is `open_tab()`.

Playwright's sync API leaves its event loop marked as running in the main thread between calls, which would make
every later `asyncio.run()` of the session fail: the marker is set only while a browser test runs (`_awake`).
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest

from conftest import ROOT, Server, run_cli, start_server

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium calls Google's services, which this network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OUTPUT = Path(os.environ.get("GRAPHE_TEST_OUTPUT") or ROOT / "test-output")
LANGS = ["fr", "en"]
# What axe-core checks: WCAG 2.0 and 2.1, levels A and AA.
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}


def chromium_path() -> str | None:
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    return shutil.which("chromium")


def skip_without_chromium() -> None:
    """Skip the calling module where Chromium is absent, except in CI (`.ci/run` installs it: it must run there)."""
    if not chromium_path() and not os.environ.get("CI"):
        pytest.skip("Chromium absent (installé par .ci/run)", allow_module_level=True)


class PageType(NamedTuple):
    """A kind of page and one path that shows it. `ready`: a selector to wait for after `load` (pages built by
    scripts); `axe_exclude`: selectors of third-party widgets that axe-core leaves out (say why in a comment),
    the rest of the page is checked; `localized`: the page follows Accept-Language (its <html lang> is the
    reader's language)."""
    name: str
    path: str
    ready: str | None = None
    axe_exclude: tuple[str, ...] = ()
    localized: bool = True


# What Chromium sends when it navigates (so pages negotiate as for a reader).
NAVIGATION_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@dataclass
class Tab:
    """A page in a context of its own (opened at first use), and everything it did: requests, console errors,
    page errors, requests aborted for leaving the server."""
    open_page: Callable[["Tab"], object]
    origin: str
    lang: str
    javascript: bool = True
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    _page: object = None

    @property
    def page(self):  # type: ignore[no-untyped-def]
        """The playwright.sync_api.Page."""
        if self._page is None:
            self._page = self.open_page(self)
        return self._page

    def allowed(self, url: str) -> bool:
        """This server's own URLs, and data:/blob: ones (made in the page, never fetched)."""
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob"):
            return True
        return parts.scheme in ("http", "https") and f"{parts.scheme}://{parts.netloc}" == self.origin

    def goto(self, path: str, ready: str | None = None):  # type: ignore[no-untyped-def]
        """Open `path` of the server and wait for `load` (and for `ready`, a selector, if given); the response
        (a page that is missing fails the caller's status check: every listed page exists)."""
        response = self.page.goto(self.origin + path, wait_until="load")
        assert response is not None, path
        if ready:
            self.page.wait_for_selector(ready, state="attached", timeout=15_000)
        return response

    def problems(self) -> list[str]:
        """Console errors, page errors, and requests to anything but this server."""
        found = [f"console error: {text}" for text in self.console_errors]
        found += [f"page error: {text}" for text in self.page_errors]
        found += [f"request leaving {self.origin}: {url}" for url in self.requests if not self.allowed(url)]
        found += [f"request aborted (not to {self.origin}): {url}" for url in self.blocked
                  if url not in self.requests]
        return found

    def assert_clean(self) -> None:
        problems = self.problems()
        assert not problems, "\n".join(problems)


AI_PROJECT_EXAMPLE = ROOT / "ontology" / "examples" / "valid" / "ai-project-assessments.ttl"


@pytest.fixture(scope="session")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`graphe serve` with the seeds and an assessed AI project (the ontology's example, published by `graphe
    import`: the seeds hold none) on loopback, for the whole session; what it prints is read as it comes (a
    full pipe would stall it) and kept in `web_server.output`."""
    import threading

    data = tmp_path_factory.mktemp("browser-data")
    imported = run_cli("import", "--publish", "--data", str(data), str(AI_PROJECT_EXAMPLE))
    assert imported.returncode == 0, imported.stderr
    server = start_server("--data", str(data), env={"GRAPHE_LANG": "fr"})
    server.output = []  # type: ignore[attr-defined]
    server.data = data  # type: ignore[attr-defined]
    stdout = server.process.stdout
    assert stdout is not None
    reader = threading.Thread(target=lambda: server.output.extend(stdout), daemon=True)  # type: ignore[attr-defined]
    reader.start()
    yield server
    server.process.terminate()
    reader.join(timeout=30)
    server.stop()


@contextlib.contextmanager
def _awake(loop: asyncio.AbstractEventLoop) -> Iterator[None]:
    """Mark Playwright's loop as running in this thread (as its sync calls expect) for the time of the block only."""
    asyncio._set_running_loop(loop)
    try:
        yield
    finally:
        asyncio._set_running_loop(None)


class _Chromium:
    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        path = chromium_path()
        assert path, f"{CHROMIUM} missing: .ci/run installs Debian's chromium"
        self.manager = sync_playwright()
        self.playwright = self.manager.start()
        self.loop = self.manager._loop
        try:
            self.browser = self.playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        except BaseException:
            self.playwright.stop()
            raise
        asyncio._set_running_loop(None)

    def close(self) -> None:
        asyncio._set_running_loop(self.loop)
        try:
            self.browser.close()
        finally:
            self.playwright.stop()  # also clears the running-loop marker


@pytest.fixture(scope="session")
def chromium() -> Iterator[_Chromium]:
    """One Chromium for the session (about 3 s to start)."""
    browser = _Chromium()
    yield browser
    browser.close()


@pytest.fixture
def open_tab(chromium: _Chromium, web_server: Server) -> Iterator[Callable[..., Tab]]:
    """`open_tab(lang="fr", javascript=True)`: a Tab whose page opens, at first use, in a fresh context (its own
    cookies and cache) reading `lang`, with every request recorded and any to another host aborted (so a leak
    fails, never hangs)."""
    contexts = []

    def open_page(tab: Tab):  # type: ignore[no-untyped-def]
        context = chromium.browser.new_context(
            java_script_enabled=tab.javascript, locale={"fr": "fr-FR", "en": "en-GB"}.get(tab.lang, tab.lang),
            extra_http_headers={"Accept-Language": tab.lang}, viewport={"width": 1280, "height": 800})
        contexts.append(context)

        def guard(route) -> None:  # type: ignore[no-untyped-def]
            if tab.allowed(route.request.url):
                route.continue_()
            else:
                tab.blocked.append(route.request.url)
                route.abort("blockedbyclient")

        context.route("**/*", guard)
        page = context.new_page()
        page.on("request", lambda request: tab.requests.append(request.url))
        page.on("console", lambda message: tab.console_errors.append(f"{message.text} ({message.location})")
                if message.type == "error" else None)
        page.on("pageerror", lambda error: tab.page_errors.append(str(error)))
        return page

    def make(lang: str = "fr", javascript: bool = True) -> Tab:
        return Tab(open_page, web_server.url, lang, javascript)

    with _awake(chromium.loop):
        try:
            yield make
        finally:
            for context in contexts:
                context.close()


@pytest.fixture
def tab(open_tab: Callable[..., Tab]) -> Tab:
    """A French reader's tab, JavaScript on."""
    return open_tab()


def screenshot(tab: Tab, name: str) -> Path:
    """A full-page screenshot in OUTPUT/screenshots/<name>.png (kept by CI as an artefact if it wants)."""
    path = OUTPUT / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    tab.page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(tab: Tab, exclude: tuple[str, ...] = (), options: dict | None = None) -> list[dict]:
    """axe-core's violations on the page as it is now, leaving out what the `exclude` selectors select (axe is
    injected through the DevTools protocol, so the page's Content-Security-Policy does not stop it)."""
    from axe_playwright_python.sync_playwright import Axe

    # The package writes the context into the script with repr(): a dict of lists of plain strings only.
    context = {"exclude": [[str(selector)] for selector in exclude]} if exclude else None
    return Axe().run(tab.page, context=context, options=options or AXE_OPTIONS).response["violations"]


def format_violations(violations: list[dict]) -> str:
    """One block per violation: rule id, impact, help (and its URL), then each failing node's target."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} — {violation['helpUrl']}")
        for node in violation["nodes"]:
            target = ", ".join(" >> ".join(t) if isinstance(t, list) else t for t in node["target"])
            lines.append(f"    {target}    {' '.join(node.get('html', '').split())[:160]}")
    return "\n".join(lines)


_ACTIVE_MATCHES = "s => { const e = document.activeElement; return !!e && e !== document.body && e.matches(s); }"
_ACTIVE_DESCRIPTION = """() => { const e = document.activeElement;
    if (!e || e === document.body) return '(nothing)';
    return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.getAttribute('href') ? `[href="${e.getAttribute('href')}"]` : '')
        + ' ' + JSON.stringify((e.innerText || e.value || e.getAttribute('aria-label') || '').trim().slice(0, 40)); }"""


def active_element(tab_or_page) -> str:  # type: ignore[no-untyped-def]
    """The focused element, described (tag, id, href, text)."""
    page = getattr(tab_or_page, "page", tab_or_page)
    return page.evaluate(_ACTIVE_DESCRIPTION)


def tab_to(tab_or_page, selector: str, max_tabs: int = 60) -> int:  # type: ignore[no-untyped-def]
    """Press Tab until the focused element matches `selector`; the number of presses. Fails, naming the
    elements focused on the way, if none of `max_tabs` presses gets there."""
    page = getattr(tab_or_page, "page", tab_or_page)
    seen = []
    for presses in range(1, max_tabs + 1):
        page.keyboard.press("Tab")
        if page.evaluate(_ACTIVE_MATCHES, selector):
            return presses
        seen.append(active_element(page))
    raise AssertionError(f"{max_tabs} Tab presses never focused {selector!r}; focused: " + " → ".join(seen))
