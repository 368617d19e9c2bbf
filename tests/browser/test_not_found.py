"""An old or mistyped address: the web server shows the "Page not found" page of the view
the address lies in, styled, with the way back, the view switch and a working search."""

from __future__ import annotations

import re

import pytest

from policy_sites.context.views import VIEWS
from tests.browser.support import SETTING_VIEWS, search, view_root

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("slug", "view"), SETTING_VIEWS)
def test_a_missing_address_shows_the_views_page_not_found(page, site_server, slug, view):
    home = view_root(slug, view)
    missing = site_server.url(home + "policies/no-such-policy.html")
    response = page.goto(missing)
    assert response is not None and response.status == 404
    assert page.locator("article h1").inner_text() == "Page not found"
    assert page.title().startswith("Page not found - ")
    # Material's stylesheet and script came from the shared assets at the root's paths.
    header = "() => getComputedStyle(document.querySelector('.md-header')).position"
    assert page.evaluate(header) == "sticky"
    assert page.locator(".ps-view-switch__current").inner_text() == f"{VIEWS[view].label} view"

    page.get_by_role("link", name=re.compile("^Go to the home page")).click()
    page.wait_for_url(f"**/{home}index.html")

    page.goto(missing)
    page.locator(".ps-view-switch__link").click()
    page.wait_for_load_state()
    other = "parents" if view == "staff" else "staff"
    assert site_server.path(page.url) == view_root(slug, other) + "index.html"

    page.goto(missing)
    assert home + "policies/social-media.html" in search(page, "Facebook")
