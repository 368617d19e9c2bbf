"""What the browser tests share besides fixtures: which pages exist, and Material's search."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from policy_sites.context.views import STAFF
from policy_sites.context.views import VIEWS as ALL_VIEWS
from tests.conftest import EXAMPLES

VIEWS = tuple(ALL_VIEWS)  # ("parents", "staff")
SETTING_VIEWS = [(slug, view) for slug in EXAMPLES for view in VIEWS]


def view_root(slug: str, view: str) -> str:
    """The site path of a view's folder ('poppys/' or 'poppys/staff/')."""
    return f"{slug}/{ALL_VIEWS[view].subpath}"


def view_pages(root: Path, slug: str, view: str) -> list[str]:
    """The site paths of every page of one view of one setting ('poppys/staff/index.html'),
    its 404 page included (the test server is the sites' root, as ``site_root_url`` says)."""
    base = root / view_root(slug, view)
    pages = []
    for path in sorted(base.rglob("*.html")):
        inside = path.relative_to(base).parts
        if view == "parents" and inside[0] == STAFF.subpath.rstrip("/"):  # the staff view
            continue
        pages.append(path.relative_to(root).as_posix())
    return pages


_SETTLED = re.compile(r"matching document|No matching", re.IGNORECASE)


def search(page, term: str) -> list[str]:
    """Type ``term`` into Material's search box; the pages its results link to, in order.

    Each is a site path ('poppys/policies/social-media.html'), once per result (a page
    and each of its matching sections), without the ?h= highlight or #section.
    """
    box = page.locator(".md-search__input")
    if page.viewport_size["width"] < 960:  # below 60em the box opens from its button
        page.locator("label.md-header__button[for='__search']").click()
    box.click()
    box.press_sequentially(term, delay=20)  # Material searches on key presses, not on fill()
    meta = page.locator(".md-search-result__meta")
    # The worker loads the index, then the meta line says how many documents match.
    page.wait_for_function(
        """([selector, term]) => {
            const meta = document.querySelector(selector);
            const box = document.querySelector('.md-search__input');
            const settled = /matching document|No matching/i;
            return meta && box.value === term && settled.test(meta.textContent);
        }""",
        arg=[".md-search-result__meta", term],
        timeout=15_000,
    )
    assert _SETTLED.search(meta.inner_text())
    hrefs = page.eval_on_selector_all(".md-search-result__link", "links => links.map(l => l.href)")
    return [urlsplit(href).path.lstrip("/") for href in hrefs]


CHANGES_PAGE = "poppys/staff/policies/mobile-and-smart-technology.html"
"""A policy page with a "Show changes" switch: Poppy's newest version has a predecessor."""
CHANGES_SINCE = "Show changes since 2026-27"  # the newest, 2026-27.1, against the one before
NEW_RULE = "At least once a year, we review our filtering and monitoring"
"""A rule new in 2026-27.1 (KCSIE 2026's yearly filtering review): highlighted by the switch."""
