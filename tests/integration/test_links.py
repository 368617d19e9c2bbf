"""Every internal link and anchor in the published sites resolves: no 404s, no missing #ids.

Checked over the built files of both views of each example setting and the portal, as
``policy-sites build`` writes them: every href and src in every page, and every place
Material's search can send a reader (each view's search/search_index.json).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES
from tests.helpers import REPO
from tests.links import broken_link, page_links, site_root_path

_ROOT_PATH = site_root_path(REPO)  # read once, not at each of the sites' links


def _broken(root: Path, source: Path, target: str) -> str | None:
    return broken_link(root, source, target, _ROOT_PATH)


def test_the_published_tree_has_both_views_of_every_example(published_sites: Path):
    for slug in EXAMPLES:
        assert (published_sites / slug / "index.html").is_file()
        assert (published_sites / slug / "staff" / "index.html").is_file()
    assert len(sorted(published_sites.rglob("*.html"))) >= 4 * len(EXAMPLES)


def test_every_internal_link_and_anchor_resolves(published_sites: Path):
    problems = []
    checked = 0
    for page in sorted(published_sites.rglob("*.html")):
        for target in page_links(page):
            checked += 1
            why = _broken(published_sites, page, target)
            if why:
                problems.append(f"{page.relative_to(published_sites)}: {target!r}: {why}")
    assert checked > 100, "the checker should have found the sites' links"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("view", ["", "staff/"])
@pytest.mark.parametrize("slug", EXAMPLES)
def test_every_search_result_leads_to_a_page_and_section(published_sites: Path, slug, view):
    folder = published_sites / slug / view
    index = json.loads((folder / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = [doc["location"] for doc in index["docs"]]
    assert locations
    problems = [
        f"{slug}/{view}: search result {location!r}: {why}"
        for location in locations
        if (why := _broken(published_sites, folder / "index.html", location or "index.html"))
    ]
    assert not problems, "\n".join(problems)


def test_the_checker_catches_a_missing_page_and_a_missing_anchor(published_sites: Path):
    page = published_sites / "poppys" / "index.html"
    assert _broken(published_sites, page, "policies/social-media.html#key-details") is None
    assert _broken(published_sites, page, "policies/no-such-policy.html") == "no such file"
    assert "no #no-such-section" in _broken(
        published_sites, page, "policies/social-media.html#no-such-section"
    )
    assert _broken(published_sites, page, "../../etc/passwd") is not None
    assert "root-absolute" in _broken(published_sites, page, "/poppys/index.html")
    not_found = published_sites / "poppys" / "staff" / "404.html"
    assert _broken(published_sites, not_found, "/poppys/index.html") is None
    assert _broken(published_sites, not_found, "/poppys/no-such-page.html") == "no such file"
