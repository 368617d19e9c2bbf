"""An inspector at a desk, keyboard only: skip to the content, reach the view switch and search."""

from __future__ import annotations

import pytest

from tests.browser.support import SETTING_VIEWS, view_root

pytestmark = pytest.mark.browser

_FOCUSED = """() => {
  const el = document.activeElement;
  const box = el.getBoundingClientRect();
  return {text: (el.textContent || '').trim(), cls: el.className || '', tag: el.tagName,
          href: el.getAttribute('href'), shown: box.width > 1 && box.height > 1
          && box.bottom > 0 && box.right > 0 && getComputedStyle(el).visibility !== 'hidden',
          outline: getComputedStyle(el).outlineStyle};
}"""


@pytest.mark.parametrize(("slug", "view"), SETTING_VIEWS)
def test_keyboard_reaches_skip_link_view_switch_and_search(page, site_server, slug, view):
    page.goto(site_server.url(view_root(slug, view) + "policies/social-media.html"))

    page.keyboard.press("Tab")
    first = page.evaluate(_FOCUSED)
    assert first["text"] == "Skip to content" and first["shown"], first
    page.keyboard.press("Enter")  # to the policy's heading, past the header and menu
    assert first["href"] and first["href"].startswith("#")
    page.wait_for_url(f"**{first['href']}")
    heading = page.locator(first["href"])
    assert heading.evaluate("el => el.tagName") == "H1" and heading.is_visible()

    page.goto(page.url.split("#")[0])
    focused = []
    for _ in range(12):
        page.keyboard.press("Tab")
        focused.append(page.evaluate(_FOCUSED))
    switch = next((f for f in focused if "ps-view-switch__link" in f["cls"]), None)
    assert switch and switch["shown"], [f["text"] for f in focused]
    assert switch["outline"] != "none", "the focused view switch should show where focus is"

    page.keyboard.press("/")  # Material's shortcut to the search box (also "f" or "s")
    assert page.evaluate("document.activeElement.classList.contains('md-search__input')")
