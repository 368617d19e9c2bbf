"""A family's visit is nobody else's business: pages ask no host but their own for anything.

Every browser test's page records its requests and fails on one to another host (see
conftest); this test also walks every page, scrolls, opens the menu and searches.
"""

from __future__ import annotations

import pytest

from tests.browser.support import SETTING_VIEWS, search, view_pages, view_root

pytestmark = pytest.mark.browser

# The addresses the page's markup makes a browser fetch (not links a person may follow).
_FETCHED = """() => [
  ...document.querySelectorAll(
    'link[rel~=stylesheet], link[rel~=icon], link[rel~=preload], link[rel~=modulepreload],'
    + 'link[rel~=prefetch], link[rel~=preconnect], link[rel~=dns-prefetch], link[rel~=manifest]'),
].map(el => el.href).concat(
  [...document.querySelectorAll('script[src], img[src], iframe[src], source[src], video[src],'
    + 'audio[src], embed[src], object[data]')].map(el => el.src || el.data))"""


@pytest.mark.parametrize(("slug", "view"), SETTING_VIEWS)
def test_pages_request_nothing_from_other_hosts(page, site_server, slug, view):
    for path in view_pages(site_server.root, slug, view):
        page.goto(site_server.url(path))
        page.wait_for_load_state("networkidle")
        page.mouse.wheel(0, 10_000)
        origin = site_server.base.rstrip("/")
        elsewhere = [url for url in page.evaluate(_FETCHED) if not url.startswith(origin)]
        assert not elsewhere, f"{path} loads from other hosts: {elsewhere}"
    page.goto(site_server.url(view_root(slug, view) + "index.html"))
    search(page, "phone")
    page.wait_for_load_state("networkidle")
    requested = page.requests.seen
    assert any(url.endswith("/search/search_index.json") for url in requested)
    assert not page.requests.third_party, page.requests.third_party


def test_no_google_fonts(site_server):
    """mkdocs.yml sets font: false; no page links Google's (or any) web fonts."""
    for path in sorted(site_server.root.rglob("*.html")):
        markup = path.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in markup and "fonts.gstatic" not in markup, path
