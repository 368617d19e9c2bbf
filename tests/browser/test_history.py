"""Published versions as a reader finds them: History from the policy, an archived version
with its superseded banner, and a redline whose additions and removals show."""

from __future__ import annotations

import pytest

from tests.browser.support import SETTING_VIEWS, view_root

pytestmark = pytest.mark.browser

POLICIES = ("mobile-and-smart-technology", "social-media")


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize(("slug", "view"), SETTING_VIEWS)
def test_history_superseded_version_and_redline_are_visible(page, site_server, slug, view, policy):
    current = f"{view_root(slug, view)}policies/{policy}.html"
    history = current.removesuffix(".html") + "/history.html"
    page.goto(site_server.url(current))

    page.locator(".ps-version").get_by_role("link", name="History and changes").click()
    page.wait_for_url(f"**/{history}")
    assert "history" in page.locator("article h1").inner_text().lower()
    rows = page.locator("article table tbody tr")
    assert rows.count() >= 2, "the example settings have at least two published versions"
    assert rows.first.is_visible() and "(current)" in rows.first.inner_text()

    # The oldest version, archived: a visible banner says it is superseded and links on.
    rows.last.locator("td").first.get_by_role("link").click()
    page.wait_for_load_state()
    banner = page.locator("article .admonition", has_text="Superseded")
    assert banner.is_visible(), page.url
    assert "superseded" in banner.inner_text().lower()
    assert page.locator("article h2", has_text="Key details").is_visible()
    banner.get_by_role("link", name="read the current policy").click()
    page.wait_for_url(f"**/{current}")

    # What changed: additions and removals are marked, visibly and differently.
    page.goto(site_server.url(history))
    page.get_by_role("link", name="What changed since").first.click()
    page.wait_for_load_state()
    assert "What changed" in page.locator("article h1").inner_text()
    for mark, style in (("ins", "underline"), ("del", "line-through")):
        marks = page.locator(f"article {mark}")
        assert marks.count() > 1, f"no <{mark}> on {page.url}"
        assert marks.nth(1).is_visible()  # the first is in the legend
        decoration = marks.nth(1).evaluate("el => getComputedStyle(el).textDecorationLine")
        assert style in decoration, f"<{mark}> is {decoration!r}, not {style}"
