"""The inline scripts and styles of built pages, as Content-Security-Policy hashes.

Material writes small scripts into every page (the palette and scope set-up, the
permalink fix), so a policy that allows no inline script at all would break the site,
and ``'unsafe-inline'`` would allow any injected one. A hash allows exactly the scripts
the build wrote: ``'sha256-<base64 of the SHA-256 of the element's text>'``.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

__all__ = ["InlineCode", "csp_hash", "inline_code"]

_SCRIPT_TYPES = {"", "text/javascript", "application/javascript", "module"}
"""Script types a browser runs; others (``application/json``) are data, which CSP ignores."""


def csp_hash(text: str) -> str:
    """The CSP source for an inline element's text. Browsers read CR LF and lone CR as LF
    before anything else, so the hash is of the text with its line ends made LF too."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


@dataclass
class InlineCode:
    """The hashes of the inline scripts and styles of a set of pages."""

    scripts: set[str] = field(default_factory=set)
    styles: set[str] = field(default_factory=set)
    style_attributes: list[str] = field(default_factory=list)
    """Pages with a ``style=""`` attribute or an ``on...=`` handler, which hashes cannot allow."""


class _Collector(HTMLParser):
    def __init__(self, found: InlineCode, name: str) -> None:
        super().__init__(convert_charrefs=False)
        self.found, self.name = found, name
        self._open: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if any(key == "style" or key.startswith("on") for key, _ in attrs):
            self.found.style_attributes.append(f"{self.name}: <{tag}>")
        if tag == "script" and "src" not in values:
            kind = (values.get("type") or "").strip().lower()
            self._open = ("script", []) if kind in _SCRIPT_TYPES else None
        elif tag == "style":
            self._open = ("style", [])

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open and tag == self._open[0]:
            text = "".join(self._open[1])
            (self.found.scripts if tag == "script" else self.found.styles).add(csp_hash(text))
        if tag in ("script", "style"):
            self._open = None


def inline_code(pages: Iterable[Path]) -> InlineCode:
    """Every inline script's and style's hash in ``pages`` (HTML files)."""
    found = InlineCode()
    for page in pages:
        collector = _Collector(found, page.name)
        collector.feed(page.read_text(encoding="utf-8"))
        collector.close()
    return found
