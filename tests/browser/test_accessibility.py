"""WCAG 2.2 AA, checked by axe-core in Chromium on every page of both views of each setting,
plus what axe leaves to people: one h1, headings in order, links that make sense alone."""

from __future__ import annotations

import itertools

import pytest

from tests.browser.support import SETTING_VIEWS, search, view_pages, view_root

pytestmark = pytest.mark.browser

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}
# Link text that says nothing out of context ("¶" is how the section permalinks look).
VAGUE_LINK_TEXT = {"here", "click here", "more", "read more", "click", "link", "this", "¶", "#"}


def _violations(page, where: str) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    # Colours are checked once Material's fades and slides have finished, as a person sees them.
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")
    results = Axe().run(page, options=AXE_OPTIONS).response
    return [
        f"{where}: {violation['id']} ({violation['impact']}) at {node['target']}: "
        + node["failureSummary"].replace("\n", " ")
        for violation in results["violations"]
        for node in violation["nodes"]
    ]


@pytest.mark.parametrize(("slug", "view"), SETTING_VIEWS)
def test_axe_finds_no_wcag_aa_violations(page, site_server, slug, view):
    problems = []
    for path in view_pages(site_server.root, slug, view):
        page.goto(site_server.url(path))  # waits for the load event: styles and scripts
        problems += _violations(page, path)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("slug", "view"), SETTING_VIEWS)
def test_axe_on_a_phone_with_the_menu_and_search_open(phone, site_server, slug, view):
    home = view_root(slug, view)
    phone.goto(site_server.url(home + "policies/social-media.html"))
    phone.locator("label.md-header__button[for='__drawer']").click()
    phone.locator(".md-nav--primary").first.wait_for(state="visible")
    problems = _violations(phone, home + " menu open")

    phone.goto(site_server.url(home + "index.html"))
    assert search(phone, "phone")
    problems += _violations(phone, home + " search results")
    assert not problems, "\n".join(problems)


_STRUCTURE = """() => {
  const visible = el => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const name = el => (el.getAttribute('aria-label')
      || (el.getAttribute('aria-labelledby') || '').split(' ').filter(Boolean)
           .map(id => (document.getElementById(id) || {}).textContent || '').join(' ')
      || el.textContent
      || [...el.querySelectorAll('img[alt]')].map(img => img.alt).join(' ')
      || el.getAttribute('title') || '').replace(/\\s+/g, ' ').trim();
  return {
    lang: document.documentElement.lang,
    headings: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
      .map(h => [Number(h.tagName[1]), h.textContent.trim()]),
    links: [...document.querySelectorAll('a[href]')].filter(visible)
      .map(a => [name(a), a.getAttribute('href')]),
  };
}"""


@pytest.mark.parametrize(("slug", "view"), SETTING_VIEWS)
def test_language_headings_and_link_text(page, site_server, slug, view):
    problems = []
    for path in view_pages(site_server.root, slug, view):
        page.goto(site_server.url(path))
        found = page.evaluate(_STRUCTURE)
        if found["lang"] != "en-GB":
            problems.append(f"{path}: page language {found['lang']!r}, not 'en-GB'")
        levels = [level for level, _ in found["headings"]]
        if levels.count(1) != 1 or levels[0] != 1:
            problems.append(f"{path}: {levels.count(1)} h1 elements, first heading h{levels[0]}")
        for (before, _), (level, text) in itertools.pairwise(found["headings"]):
            if level > before + 1:
                problems.append(f"{path}: h{before} followed by h{level} ({text!r})")
        for text, href in found["links"]:
            if not text or text.lower().strip(" .") in VAGUE_LINK_TEXT:
                problems.append(f"{path}: link to {href} says only {text!r}")
    assert not problems, "\n".join(problems)
