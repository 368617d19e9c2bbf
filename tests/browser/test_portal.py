"""The federation's portal page: every setting listed, with both views, and a filter that works."""

from __future__ import annotations

import pytest

from policy_sites.context.views import policy_ids
from policy_sites.settings.loader import load_setting
from tests.browser.test_accessibility import AXE_OPTIONS
from tests.conftest import EXAMPLES
from tests.helpers import REPO

pytestmark = pytest.mark.browser


def _names() -> dict[str, str]:
    return {
        slug: load_setting(REPO / "settings", slug, policy_ids(REPO / "docs")).name
        for slug in EXAMPLES
    }


def _shown_rows(page) -> list[str]:
    return [row.inner_text() for row in page.locator("#settings tbody tr:visible").all()]


def test_portal_lists_every_setting_with_both_views(page, site_server):
    page.goto(site_server.url("index.html"))
    rows = _shown_rows(page)
    for slug, name in _names().items():
        assert any(name in row for row in rows), f"{name} is not on the portal"
        for target in (f"{slug}/index.html", f"{slug}/staff/index.html"):
            assert page.locator(f'#settings a[href="{target}"]').count() >= 1, target
    page.locator('#settings a[href="poppys/staff/index.html"]').first.click()
    page.wait_for_url("**/poppys/staff/index.html")


def test_portal_filter_narrows_the_list(page, site_server):
    page.goto(site_server.url("index.html"))
    everything = len(_shown_rows(page))
    box = page.get_by_label("Search settings and policies")
    names = _names()

    box.fill(names["poppys"])
    rows = _shown_rows(page)
    assert rows and len(rows) < everything
    assert all(names["poppys"] in row for row in rows)
    assert page.locator("#count").inner_text().startswith(f"{len(rows)} of {everything}")

    box.fill("halstead social")
    rows = _shown_rows(page)
    assert len(rows) == 1 and "Social media" in rows[0] and names["halstead"] in rows[0]

    box.fill("no such nursery")
    assert _shown_rows(page) == []
    box.fill("")
    assert len(_shown_rows(page)) == everything


@pytest.mark.parametrize("width", [1280, 375])
def test_portal_is_accessible_and_fits_a_phone(page, site_server, width):
    from axe_playwright_python.sync_playwright import Axe

    page.set_viewport_size({"width": width, "height": 800})
    page.goto(site_server.url("index.html"))
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    assert page.evaluate("document.documentElement.lang") == "en-GB"
    assert page.locator("h1").count() == 1
    # The page never scrolls sideways; a wide table scrolls in its own region, which
    # keyboard users can reach (WCAG 1.4.10 allows this for data tables).
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the portal is {scroll}px wide on a {width}px screen"
    region = page.get_by_role("region", name="Settings and policies")
    assert region.get_attribute("tabindex") == "0"
