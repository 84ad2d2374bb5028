"""HTTP hygiene on every answer: CSP, nosniff and no framing on HTML; private answers never cached by others;
browsers get an HTML error page; the pages run under their policy without a violation in a real browser."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import httpx
import pytest

from test_graphql_http import _chromium  # the browser the GraphiQL test drives

BASE = "https://graphe.aimf.asso.fr/"
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.mark.parametrize("path", ["/", "/graphql", "/id/city/dakar", "/def"])
def test_html_answers_carry_a_policy_and_cannot_be_framed(api, path: str) -> None:  # type: ignore[no-untyped-def]
    response = httpx.get(api.url + path, headers=HTML)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


def test_every_answer_is_nosniff_and_json_has_no_page_policy(api) -> None:  # type: ignore[no-untyped-def]
    response = httpx.get(api.url + "/healthz")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in response.headers


def test_authenticated_answers_are_private(api) -> None:  # type: ignore[no-untyped-def]
    query = {"query": "{ cities(first: 1) { totalCount } }"}
    anonymous = httpx.get(api.url + "/graphql", params=query)
    assert "private" not in anonymous.headers.get("cache-control", "")
    signed = httpx.get(api.url + "/graphql", params=query, headers={"Authorization": "Bearer nope"})
    assert signed.headers["cache-control"] == "private, no-store"
    assert "Authorization" in signed.headers["vary"]


def test_browsers_get_an_html_not_found_page_and_programs_json(api) -> None:  # type: ignore[no-untyped-def]
    page = httpx.get(api.url + "/nulle-part", headers={**HTML, "Accept-Language": "fr"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Page introuvable" in page.text and "NOT_FOUND" in page.text
    english = httpx.get(api.url + "/nulle-part", headers={**HTML, "Accept-Language": "en"})
    assert "Page not found" in english.text
    program = httpx.get(api.url + "/nulle-part")
    assert program.status_code == 404 and program.json()["error"]["code"] == "NOT_FOUND"


def test_head_is_answered_where_get_is(api) -> None:  # type: ignore[no-untyped-def]
    for path in ("/", "/healthz", "/id/city/dakar", "/catalog"):
        response = httpx.head(api.url + path)
        assert response.status_code == 200 and response.content == b"", path


@pytest.mark.skipif(not _chromium() and not os.environ.get("CI"), reason="Chromium absent (installé par .ci/run)")
@pytest.mark.parametrize("path", ["/id/city/dakar", "/graphql"])
def test_pages_run_under_their_policy_without_a_violation(api, path: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    browser = _chromium()
    assert browser, "Chromium must be installed in CI (.ci/run installs it)"
    result = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
         "--virtual-time-budget=10000", "--dump-dom", api.url + path],
        capture_output=True, text=True, timeout=120)
    assert "</main>" in result.stdout or "graphiql-container" in result.stdout, result.stderr[-2000:]
    assert "Content Security Policy" not in result.stderr, result.stderr[-3000:]
