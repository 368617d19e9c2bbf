"""A parent on a phone: 375 px wide, nothing scrolls sideways, the menu opens and works."""

from __future__ import annotations

import pytest

from tests.browser.support import SETTING_VIEWS, search, view_pages, view_root
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.browser

_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter(el => {
    const box = el.getBoundingClientRect();
    return box.width && box.right > width + 1 && getComputedStyle(el).position !== 'fixed'
      && !el.closest('.md-sidebar, .md-search, .md-typeset__scrollwrap');
  }).slice(0, 3).map(el => el.tagName.toLowerCase() + '.' + el.className);
  return {scroll: document.documentElement.scrollWidth, width, wide};
}"""


@pytest.mark.parametrize(("slug", "view"), SETTING_VIEWS)
def test_no_page_scrolls_sideways_on_a_phone(phone, site_server, slug, view):
    problems = []
    for path in view_pages(site_server.root, slug, view):
        phone.goto(site_server.url(path))
        found = phone.evaluate(_OVERFLOW)
        if found["scroll"] > found["width"]:
            problems.append(f"{path}: {found['scroll']}px wide in a {found['width']}px screen")
        problems += [f"{path}: {element} sticks out" for element in found["wide"]]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("slug", EXAMPLES)
def test_policies_reflow_at_320_px(phone, site_server, slug):
    """WCAG 1.4.10: at 320 CSS px (1280 px zoomed to 400%) the text still fits the width."""
    phone.set_viewport_size({"width": 320, "height": 640})
    problems = []
    for path in view_pages(site_server.root, slug, "parents"):
        phone.goto(site_server.url(path))
        found = phone.evaluate(_OVERFLOW)
        if found["scroll"] > found["width"] or found["wide"]:
            problems.append(f"{path}: {found}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("slug", "view"), SETTING_VIEWS)
def test_menu_opens_on_a_phone_and_leads_to_a_policy(phone, site_server, slug, view):
    home = view_root(slug, view)
    phone.goto(site_server.url(home + "index.html"))
    drawer = phone.locator(".md-sidebar--primary")
    link = drawer.get_by_role("link", name="Social media policy", exact=True)
    closed = drawer.bounding_box()
    assert closed is None or closed["x"] + closed["width"] <= 0, "the menu starts closed"
    phone.locator("label.md-header__button[for='__drawer']").click()
    phone.wait_for_function(
        "document.querySelector('.md-sidebar--primary').getBoundingClientRect().x >= 0"
    )
    box = drawer.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375 + 1, box
    # On a phone the menu's sections are panels of their own: open "Policies" first.
    drawer.locator("label.md-nav__link", has_text="Policies").click()
    link.click()
    phone.wait_for_url(f"**/{home}policies/social-media.html")
    assert phone.locator("article h1").inner_text().startswith("Social media policy")


@pytest.mark.parametrize(("slug", "view"), SETTING_VIEWS)
def test_search_and_view_switch_work_on_a_phone(phone, site_server, slug, view):
    home = view_root(slug, view)
    phone.goto(site_server.url(home + "index.html"))
    assert home + "policies/social-media.html" in search(phone, "Facebook")
    phone.goto(site_server.url(home + "policies/social-media.html"))
    switch = phone.locator(".ps-view-switch__link")
    assert switch.is_visible()
    box = switch.bounding_box()
    assert box and box["x"] + box["width"] <= 375, box
