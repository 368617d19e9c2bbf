"""Material's search, as a parent or a member of staff uses it: type a word, follow a result."""

from __future__ import annotations

import pytest

from tests.browser.support import VIEWS, search, view_root

pytestmark = pytest.mark.browser

# (setting, word typed, the page its results must list); in both views of the setting.
FINDS = [
    ("poppys", "Facebook", "policies/social-media.html"),
    ("halstead", "Facebook", "policies/social-media.html"),
    ("poppys", "confiscated", "policies/mobile-and-smart-technology.html"),
    ("poppys", "Chapman", "policies/mobile-and-smart-technology.html"),  # a DSL's surname
    ("halstead", "McCartney", "policies/mobile-and-smart-technology.html"),  # the DSL's
    ("poppys", "Tapestry", "policies/mobile-and-smart-technology.html"),
    ("halstead", "boundary", "policies/mobile-and-smart-technology.html"),
]


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize(("slug", "word", "target"), FINDS)
def test_search_lists_the_page_and_the_result_opens_it(page, site_server, slug, view, word, target):
    home = view_root(slug, view)
    page.goto(site_server.url(home + "index.html"))
    results = search(page, word)
    assert home + target in results, f"searching {home} for {word!r} listed {results}"

    page.locator(".md-search-result__link").nth(results.index(home + target)).click()
    page.wait_for_url(f"**/{home}{target}*")
    assert site_server.path(page.url) == home + target
    assert page.locator("article h1").count() == 1
    assert word.lower() in page.locator("article").inner_text().lower()


@pytest.mark.parametrize("view", VIEWS)
def test_search_finds_nothing_the_setting_does_not_have(page, site_server, view):
    """Halstead has no school-age children, so no policy on confiscating their phones."""
    page.goto(site_server.url(view_root("halstead", view) + "index.html"))
    assert search(page, "confiscated") == []
