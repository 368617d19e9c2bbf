"""The inline scripts and styles of built pages, as Content-Security-Policy hashes.

Material writes small scripts into every page (the palette and scope set-up, the
permalink fix), so a policy that allows no inline script at all would break the site,
and ``'unsafe-inline'`` would allow any injected one. A hash allows exactly the scripts
the build wrote: ``'sha256-<base64 of the SHA-256 of the element's text>'``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
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


# How a browser splits a page here: a script's or style's text runs to the first
# "</script" or "</style" followed by a space, "/" or ">". Regular expressions rather than
# a full parser, because a federation's pages number thousands and this reads each once;
# a false match (a comment holding a script tag) only allows one more hash.
_ELEMENT = re.compile(r"<(script|style)\b([^>]*)>(.*?)</\1[\t\n\f\r />]", re.IGNORECASE | re.DOTALL)
_SRC = re.compile(r"(?:^|\s)src\s*=", re.IGNORECASE)
_TYPE = re.compile(r"""(?:^|\s)type\s*=\s*["']?([^"'\s>]*)""", re.IGNORECASE)
_INLINE_ATTRIBUTE = re.compile(r"<([a-zA-Z][\w-]*)\b[^>]*?\s(?:style|on[a-z]+)\s*=", re.IGNORECASE)


def inline_code(pages: Iterable[Path]) -> InlineCode:
    """Every inline script's and style's hash in ``pages`` (HTML files)."""
    found = InlineCode()
    for page in pages:
        markup = page.read_text(encoding="utf-8")
        for match in _ELEMENT.finditer(markup):
            tag, attributes, text = match.group(1).lower(), match.group(2), match.group(3)
            if tag == "style":
                found.styles.add(csp_hash(text))
            elif not _SRC.search(attributes):
                kind = _TYPE.search(attributes)
                if (kind.group(1).lower() if kind else "") in _SCRIPT_TYPES:
                    found.scripts.add(csp_hash(text))
        outside = _ELEMENT.sub("", markup)  # a script's text is not markup
        found.style_attributes += [
            f"{page.name}: <{m.group(1).lower()}>" for m in _INLINE_ATTRIBUTE.finditer(outside)
        ]
    return found
