"""Links in built pages, checked over the files: which resolve, and why one leads nowhere.

One rule for every test that follows links: relative links resolve from the page, with
their ``#fragment`` checked against the target's ids; root-absolute links are allowed
only on 404 pages (a web server shows those at any missing address), where they start
from the host path of ``site_root_url``.
"""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from policy_sites.settings.loader import DEFAULTS_FILE, read_mapping

__all__ = ["broken_link", "page_links", "site_root_path"]

# Attributes that point a browser or a reader at another file.
_LINKING = {"a": "href", "link": "href", "area": "href", "script": "src", "img": "src"}
_ELSEWHERE = ("http:", "https:", "mailto:", "tel:", "data:", "javascript:")
_SEARCH_WORKER = re.compile(r'"search": "([^"]+)"')  # in Material's page configuration


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


_parsed: dict[tuple[Path, int, int], _Page] = {}


def _parse(path: Path) -> _Page:
    stat = path.stat()
    key = (path, stat.st_mtime_ns, stat.st_size)  # a rebuilt page is parsed afresh
    if key not in _parsed:
        page = _Page()
        text = path.read_text(encoding="utf-8")
        page.feed(text)
        page.links += _SEARCH_WORKER.findall(text)
        _parsed[key] = page
    return _parsed[key]


def page_links(page: Path) -> list[str]:
    """Every href and src of a built page, and the address of its search worker."""
    return _parse(page).links


def site_root_path(project_root: Path) -> str:
    """The host path of the published root ('/' for https://policies.example.org/)."""
    url = (read_mapping(project_root / "settings" / DEFAULTS_FILE) or {}).get("site_root_url")
    return urlsplit(url or "/").path or "/"


def broken_link(root: Path, source: Path, target: str, root_path: str = "/") -> str | None:
    """Why ``target``, linked from the page ``source`` in the published folder ``root``,
    leads nowhere; None if it resolves."""
    parts = urlsplit(target)
    if target.startswith(_ELSEWHERE) or parts.scheme or parts.netloc:
        return None
    if parts.path.startswith("/"):
        if source.name != "404.html":
            return "a root-absolute link breaks when the site is not at the host's root"
        if not parts.path.startswith(root_path):
            return f"outside the published root {root_path}"
        inside = parts.path.removeprefix(root_path).lstrip("/")
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        return broken_link(root, root / "index.html", inside + fragment, root_path)
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
