"""On a phone (390 x 844), every policy page shows where to go with a worry on its first
screen, and tapping the link brings "Who to contact" into view (issue 19)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import SiteServer, open_page, serve
from tests.integration.test_who_to_contact import SLUGS, build_working_copies, policy_pages

pytestmark = pytest.mark.browser

SCREEN = {"width": 390, "height": 844}

_IN_VIEW = """(selector) => {
  const box = document.querySelector(selector).getBoundingClientRect();
  return {top: box.top, bottom: box.bottom, scrolled: window.scrollY, height: innerHeight};
}"""


@pytest.fixture(scope="module")
def working_copies(tmp_path_factory: pytest.TempPathFactory, chromium_available: None):
    return build_working_copies(tmp_path_factory.mktemp("who-to-contact-browser"))


@pytest.fixture(scope="module")
def server(working_copies) -> Iterator[SiteServer]:
    yield from serve(working_copies[0])


@pytest.fixture
def small_phone(browser, server: SiteServer) -> Iterator[object]:
    yield from open_page(browser, server, SCREEN)


@pytest.mark.parametrize("slug", SLUGS)
def test_who_to_contact_is_one_tap_from_the_first_screen(small_phone, server, working_copies, slug):
    site, settings = working_copies
    for view, page in policy_pages(site, slug, settings[slug]):
        where = f"{view} {page.name}"
        small_phone.goto(server.url(page.relative_to(site).as_posix()))
        link = small_phone.locator("article p a[href='#who-to-contact']")
        assert link.count() == 1, where
        top = small_phone.evaluate(_IN_VIEW, "article p a[href='#who-to-contact']")
        assert top["scrolled"] == 0 and top["bottom"] <= SCREEN["height"], f"{where}: {top}"
        link.click()
        small_phone.wait_for_function("location.hash === '#who-to-contact'")
        small_phone.wait_for_function("window.scrollY > 0")
        heading = small_phone.evaluate(_IN_VIEW, "#who-to-contact")
        assert 0 <= heading["top"] < SCREEN["height"] / 2, f"{where}: {heading}"
        assert small_phone.locator("#who-to-contact").inner_text().startswith("Who to contact")
