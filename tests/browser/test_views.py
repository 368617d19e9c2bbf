"""The two views: the header's switch, and a parents' view that never shows staff material."""

from __future__ import annotations

import pytest

from policy_sites.context.variables import staff_only_values
from policy_sites.context.views import policy_ids
from policy_sites.settings.loader import load_setting
from tests.browser.support import SETTING_VIEWS, search, view_pages, view_root
from tests.conftest import EXAMPLES
from tests.helpers import REPO

pytestmark = pytest.mark.browser

# Words only staff-only text contains, per setting: the staff view's search must find
# them on a staff-only page (so the word is a fair probe), the parents' view's must not.
STAFF_ONLY_WORDS = {
    "poppys": ["absence", "signature", "induction"],
    "halstead": ["hosts", "signature", "induction"],
}


def _other(view: str) -> str:
    return "parents" if view == "staff" else "staff"


def _staff_only_pages(root, slug: str) -> list[str]:
    """Staff-view paths of the pages the parents' view does not have."""
    public = {p.removeprefix(slug + "/") for p in view_pages(root, slug, "parents")}
    staff = view_root(slug, "staff")
    return [p for p in view_pages(root, slug, "staff") if p.removeprefix(staff) not in public]


@pytest.mark.parametrize(("slug", "view"), SETTING_VIEWS)
def test_view_switch_opens_the_same_page_in_the_other_view(page, site_server, slug, view):
    here, there = view_root(slug, view), view_root(slug, _other(view))
    other_pages = set(view_pages(site_server.root, slug, _other(view)))
    for path in view_pages(site_server.root, slug, view):
        page.goto(site_server.url(path))
        title = page.locator("article h1").inner_text()
        switch = page.locator(".ps-view-switch__link")
        assert switch.is_visible(), path
        switch.click()
        page.wait_for_load_state()
        counterpart = there + path.removeprefix(here)
        if counterpart in other_pages and not path.endswith("/404.html"):
            assert site_server.path(page.url) == counterpart, f"switch from {path}"
            if not path.endswith("/index.html"):  # each view has its own home page
                assert page.locator("article h1").inner_text() == title
        else:  # a staff-only page or "Page not found": the other view's home page
            assert site_server.path(page.url) == there + "index.html", f"switch from {path}"


@pytest.mark.parametrize("slug", EXAMPLES)
def test_parents_view_never_shows_staff_content(page, site_server, slug):
    setting = load_setting(REPO / "settings", slug, policy_ids(REPO / "docs"))
    secrets = staff_only_values(setting)
    staff_pages = {site_server.url(p) for p in _staff_only_pages(site_server.root, slug)}
    assert secrets and staff_pages, "the example setting should have staff-only material"
    for path in view_pages(site_server.root, slug, "parents"):
        page.goto(site_server.url(path))
        text = page.locator("body").inner_text()
        shown = [secret for secret in secrets if secret in text]
        assert not shown, f"{path} shows staff-only text: {shown}"
        assert page.locator(".staff-only").count() == 0, f"{path} has a staff-only note"
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(l => l.href)")
        linked = sorted({href.split("#")[0] for href in hrefs} & staff_pages)
        assert not linked, f"{path} links to staff-only pages: {linked}"


@pytest.mark.parametrize("slug", EXAMPLES)
def test_parents_search_finds_no_staff_content(page, site_server, slug):
    staff_pages = set(_staff_only_pages(site_server.root, slug))
    for word in STAFF_ONLY_WORDS[slug]:
        page.goto(site_server.url(view_root(slug, "staff") + "index.html"))
        found = set(search(page, word))
        assert found & staff_pages, f"staff search for {word!r} should find a staff page"

        page.goto(site_server.url(view_root(slug, "parents") + "index.html"))
        found = search(page, word)
        assert found == [], f"parents' search for {word!r} found {found}"
