"""The pages in a real browser (Debian's Chromium through Playwright), in French and in English: each loads with
no console error, no script error and no request leaving the server; axe-core finds no WCAG 2.1 A/AA violation;
a full-page screenshot of each is kept in test-output/screenshots/ (GRAPHE_TEST_OUTPUT overrides the folder);
the keyboard reaches the pages' links; pages still show their content with JavaScript off.

No network: the browser is never downloaded (executable_path), and any request to another host is aborted."""
from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Error as PlaywrightError

from conftest import BASE
from browser_support import LANGS, PageType, active_element, axe_violations, format_violations, screenshot, \
    skip_without_chromium, tab_to

skip_without_chromium()
pytest_plugins = ["browser_support"]
pytestmark = pytest.mark.browser

# One path per kind of page; add a line for a new kind.
PAGES = [
    PageType("home", "/"),
    PageType("ontology", "/def"),
    PageType("practice", "/id/practice/nantes-debat-de-l-ia"),
    PageType("city", "/id/city/nantes"),
    PageType("charter", "/id/charter/nantes-metropole-cadre-de-confiance-ia"),
    PageType("theme", "/id/theme/ai"),
    # GraphiQL: third-party markup built by its script, not translated. Its widget is left out of axe (the page's
    # language, title… are still checked): it fails label (CodeMirror's <textarea>s, critical), color-contrast
    # (syntax colours, the logo link) and scrollable-region-focusable (CodeMirror's scroller): GraphiQL's code.
    PageType("graphiql", "/graphql", ready=".graphiql-editor", axe_exclude=(".graphiql-container",),
             localized=False),
    # The SPARQL console: our page around YASGUI (in #console), which is left out of axe for the same reason: it
    # fails label (its endpoint <input class="autocomplete">, CodeMirror's <textarea>), aria-required-children
    # (its .tabsList[role=tablist]) and color-contrast (syntax colours): YASGUI's code. The rest is checked.
    PageType("sparql-console", "/sparql", ready="#console .CodeMirror", axe_exclude=("#console",)),
    PageType("search", "/recherche"),
    PageType("search-results", "/recherche?q=intelligence+artificielle"),
    PageType("practice-list", "/id/practice"),
    PageType("city-list", "/id/city"),
    PageType("charter-list", "/id/charter"),
    PageType("ai-project-list", "/id/ai-project"),
    PageType("ai-project", "/id/ai-project/assistant-courriers-exemple"),
    PageType("theme-tree", "/id/theme"),
    PageType("compare", "/comparer?" + urlencode({"a": BASE + "id/charter/nantes-metropole-cadre-de-confiance-ia",
                                                  "b": BASE + "id/charter/declaration-de-montreal-ia-responsable"})),
]
BY_LANG = [pytest.param(page, lang, id=f"{page.name}-{lang}") for page in PAGES for lang in LANGS]
NO_JAVASCRIPT = [page for page in PAGES if page.name in ("home", "practice")]

# A "skip to content" link: an in-page link saying so (French or English).
FIND_SKIP_LINK = r"""() => {
    const said = /(aller|passer|sauter|acc[eé]der)\b.*\b(contenu|principal)|contenu principal|skip\b.*\b(content|main)|main content/i;
    for (const a of document.querySelectorAll('a[href^="#"]')) {
        if (said.test((a.textContent || '').trim()) || said.test(a.getAttribute('aria-label') || '')) return a.getAttribute('href');
    }
    return null;
}"""
FOCUS_FOLLOWS = """id => { const target = document.getElementById(id), e = document.activeElement;
    return !!target && !!e && e !== document.body
        && (target.contains(e) || !!(target.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING)); }"""


@pytest.mark.parametrize(("kind", "lang"), BY_LANG)
def test_page_loads_cleanly_and_passes_axe(open_tab, kind: PageType, lang: str) -> None:  # type: ignore[no-untyped-def]
    """(a) 200, <html lang> the reader's, no console error, no script error, no request elsewhere; (c) a
    screenshot, taken whatever the outcome; (b) axe-core's WCAG 2.1 A/AA rules: no violation. One load for
    the three (a browser context and axe cost seconds each): every problem found is reported at once."""
    tab = open_tab(lang)
    response = tab.goto(kind.path, kind.ready)
    screenshot(tab, f"{kind.name}-{lang}")
    problems = [] if response.status == 200 else [f"status {response.status}"]
    if kind.localized and tab.page.get_attribute("html", "lang") != lang:
        problems.append(f"<html lang={tab.page.get_attribute('html', 'lang')!r}>, not {lang!r}")
    if not tab.requests or tab.requests[0] != tab.origin + kind.path:
        problems.append(f"the first request was not the page's: {tab.requests[:1]}")
    violations = axe_violations(tab, kind.axe_exclude)
    problems += tab.problems()  # including anything the page did while screenshot and axe ran
    if violations:
        problems.append("axe-core:\n" + format_violations(violations))
    assert not problems, f"{kind.path} ({lang}):\n" + "\n".join(problems)


@pytest.mark.parametrize("kind", [pytest.param(page, id=page.name) for page in PAGES])
def test_first_tab_focuses_a_visible_element_and_the_skip_link_if_any(tab, kind: PageType) -> None:  # type: ignore[no-untyped-def]
    tab.goto(kind.path, kind.ready)
    skip_link = tab.page.evaluate(FIND_SKIP_LINK)
    assert tab_to(tab, "a[href], button, input, select, textarea, summary, [tabindex]", max_tabs=1) == 1
    box = tab.page.locator(":focus").bounding_box()
    viewport = tab.page.viewport_size
    assert box and box["width"] > 1 and box["height"] > 1, f"the focused element is not visible: {box}"
    assert box["x"] + box["width"] > 0 and box["y"] + box["height"] > 0 and box["x"] < viewport["width"] \
        and box["y"] < viewport["height"], f"the focused element is off-screen: {box}"
    if skip_link is None:
        return
    assert tab.page.evaluate(f"() => document.activeElement.matches('a[href={json.dumps(skip_link)}]')"), \
        f"the first Tab does not focus the skip link {skip_link}"
    target = skip_link[1:]
    assert tab.page.evaluate("id => !!document.getElementById(id)", target), f"{skip_link} points nowhere"
    tab.page.keyboard.press("Enter")
    tab.page.keyboard.press("Tab")
    assert tab.page.evaluate(FOCUS_FOLLOWS, target), f"after {skip_link}, Tab does not go on from there"
    tab.assert_clean()


@pytest.mark.parametrize("kind", [pytest.param(page, id=page.name) for page in NO_JAVASCRIPT])
def test_pages_show_their_content_without_javascript(open_tab, kind: PageType) -> None:  # type: ignore[no-untyped-def]
    tab = open_tab(javascript=False)
    assert tab.goto(kind.path).status == 200
    heading = tab.page.locator("h1")
    assert heading.count() == 1 and heading.is_visible(), kind.path
    assert heading.inner_text().strip(), kind.path
    assert tab.page.locator("main").inner_text().strip(), kind.path
    tab.assert_clean()


def test_the_checks_see_what_they_look_for(tab) -> None:  # type: ignore[no-untyped-def]
    """The watch and axe are not blind: axe finds an image with no text (and leaves out what it is told to); a
    request to another host is caught, and aborted (so it never waits on the network); a console error and a
    script error are caught."""
    tab.goto("/")
    assert not tab.problems()
    tab.page.evaluate("() => document.querySelector('main').append(document.createElement('img'))")
    violations = format_violations(axe_violations(tab))
    assert "image-alt (critical)" in violations and "    img    <img>" in violations, violations
    assert "image-alt" not in {v["id"] for v in axe_violations(tab, exclude=("main > img",))}
    tab.page.evaluate("""() => { const img = document.createElement('img');
        img.src = 'https://example.org/tracker.png'; document.querySelector('main').append(img);
        console.error('on purpose'); setTimeout(() => { throw new Error('thrown on purpose'); }); }""")
    tab.page.wait_for_timeout(200)
    with pytest.raises(PlaywrightError, match="ERR_BLOCKED_BY_CLIENT"):  # past the page's own policy: aborted
        tab.page.goto("https://example.org/", timeout=10_000)
    problems = "\n".join(tab.problems())
    assert "request leaving" in problems and "https://example.org/tracker.png" in problems, problems
    assert tab.blocked == ["https://example.org/"], tab.blocked
    assert "console error: on purpose" in problems and "page error: thrown on purpose" in problems, problems


def _enter(tab, selector: str) -> None:  # type: ignore[no-untyped-def]
    """Tab to `selector`, press Enter, wait for the page it opens."""
    tab_to(tab, selector, max_tabs=120)
    with tab.page.expect_navigation():
        tab.page.keyboard.press("Enter")


def test_the_journey_works_with_the_keyboard_alone(tab) -> None:  # type: ignore[no-untyped-def]
    """Search → a facet → a practice → its city → a charter it adopted → that charter compared with another:
    Tab, Space, Enter and the arrow keys only."""
    tab.goto("/")
    tab_to(tab, "#q")
    tab.page.keyboard.type("donnees")
    with tab.page.expect_navigation():
        tab.page.keyboard.press("Enter")
    assert "/recherche?q=donnees" in tab.page.url
    tab_to(tab, "input[name=country][value=FR]")
    tab.page.keyboard.press("Space")
    assert tab.page.is_checked("input[name=country][value=FR]")
    _enter(tab, ".facets button[type=submit]")
    assert "country=FR" in tab.page.url and tab.page.is_checked("input[name=country][value=FR]")
    _enter(tab, '.hit-list a[href^="/id/practice/"]')
    assert "/id/practice/" in tab.page.url
    _enter(tab, 'dl.facts a[href^="/id/city/"]')
    assert tab.page.url.endswith("/id/city/nantes")
    _enter(tab, 'section[aria-labelledby=h-charters] a[href^="/id/charter/"]')
    assert "/id/charter/" in tab.page.url
    tab_to(tab, "select#b")
    tab.page.keyboard.press("ArrowDown")  # another charter than the first offered, by keyboard
    _enter(tab, ".compare-with button[type=submit]")
    assert "/comparer?" in tab.page.url, active_element(tab)
    assert tab.page.locator("table.compare-matrix tbody tr").count() > 0
    tab.assert_clean()


def test_search_refines_without_javascript(open_tab) -> None:  # type: ignore[no-untyped-def]
    """The search and its facets are a plain form: a browser without JavaScript ticks a box and submits."""
    tab = open_tab(javascript=False)
    tab.goto("/recherche?q=donnees")
    before = tab.page.locator(".hit-list > li").count()
    tab.page.check("input[name=country][value=FR]")
    with tab.page.expect_navigation():
        tab.page.click(".facets button[type=submit]")
    assert "country=FR" in tab.page.url
    after = tab.page.locator(".hit-list > li").count()
    assert 0 < after <= before
    assert tab.page.locator("p[role=status]").inner_text().endswith("résultat(s)")
    tab.assert_clean()
