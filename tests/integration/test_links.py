"""Every internal link and anchor in the published sites resolves: no 404s, no missing #ids.

Checked over the built files of both views of each example setting and the portal, as
``policy-sites build`` writes them: every href and src in every page, and every place
Material's search can send a reader (each view's search/search_index.json).
"""

from __future__ import annotations

import json
import posixpath
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from tests.conftest import EXAMPLES
from tests.helpers import REPO

# Attributes that point a browser or a reader at another file.
_LINKING = {"a": "href", "link": "href", "area": "href", "script": "src", "img": "src"}
_ELSEWHERE = ("http:", "https:", "mailto:", "tel:", "data:", "javascript:")


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if values.get(key):
                self.ids.add(values[key])
        if tag == "link" and "canonical" in (values.get("rel") or ""):
            return  # the site's public address, not a file of this build
        target = values.get(_LINKING.get(tag, ""))
        if target is not None:
            self.links.append(target)


@cache
def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _site_root_path() -> str:
    """The path of the published root on its host ('/' for https://policies.example.org/)."""
    defaults = yaml.safe_load((REPO / "settings" / "_federation.yml").read_text("utf-8"))
    return urlsplit(defaults["site_root_url"]).path or "/"


def _broken(root: Path, source: Path, target: str) -> str | None:
    """Why ``target``, linked from ``source``, leads nowhere (None if it resolves)."""
    parts = urlsplit(target)
    if target.startswith(_ELSEWHERE) or parts.scheme or parts.netloc:
        return None
    if parts.path.startswith("/"):
        # Only a 404 page links from the host's root: a web server shows it at any
        # missing address, so its links cannot be relative (MkDocs uses site_url's path).
        if source.name != "404.html":
            return "a root-absolute link breaks when the site is not at the host's root"
        if not parts.path.startswith(_site_root_path()):
            return f"outside the published root {_site_root_path()}"
        target = "/" + parts.path.removeprefix(_site_root_path()).lstrip("/")
        target += f"#{parts.fragment}" if parts.fragment else ""
        return _broken(root, root / "index.html", target.lstrip("/"))
    here = source.relative_to(root).parent.as_posix()
    relative = posixpath.normpath(posixpath.join(here, unquote(parts.path))) if parts.path else ""
    if relative.startswith(".."):
        return "points outside the published folder"
    file = root / relative if relative else source
    if file.is_dir():
        file = file / "index.html"
    if not file.is_file():
        return "no such file"
    fragment = unquote(parts.fragment)
    if fragment and file.suffix == ".html" and fragment not in _parse(file).ids:
        return f"no #{fragment} in {file.relative_to(root).as_posix()}"
    return None


def test_the_published_tree_has_both_views_of_every_example(published_sites: Path):
    for slug in EXAMPLES:
        assert (published_sites / slug / "index.html").is_file()
        assert (published_sites / slug / "staff" / "index.html").is_file()
    assert len(sorted(published_sites.rglob("*.html"))) >= 4 * len(EXAMPLES)


def test_every_internal_link_and_anchor_resolves(published_sites: Path):
    problems = []
    checked = 0
    for page in sorted(published_sites.rglob("*.html")):
        for target in _parse(page).links:
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
