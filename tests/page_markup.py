"""Built pages as a browser would parse them: their elements and their visible text."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from tests.helpers import VisibleText

__all__ = ["LINKED_SCHEMES", "Markup", "parse", "unsafe_addresses"]

LINKED_SCHEMES = {"", "https", "http", "mailto", "tel"}
"""Schemes a page may link to ('' for a relative link)."""

_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "data", "srcset"}


@dataclass
class Markup:
    """A page's elements (tag and attributes, in order) and its visible text."""

    elements: list[tuple[str, tuple[tuple[str, str], ...]]] = field(default_factory=list)
    text: str = ""

    def shapes(self, keep: frozenset[str] = frozenset({"class", "id", "role", "rel"})) -> Counter:
        """Each element as its tag, its attributes' names and the values of ``keep``."""
        return Counter(
            (tag, tuple((name, value if name in keep else "") for name, value in attrs))
            for tag, attrs in self.elements
        )

    def count(self, tag: str) -> int:
        return sum(1 for name, _ in self.elements if name == tag)


class _Parser(VisibleText):
    """The visible-text parser, also recording every element with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.markup = Markup()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.markup.elements.append((tag, tuple(sorted((k, v or "") for k, v in attrs))))
        super().handle_starttag(tag, attrs)


def parse(html: str) -> Markup:
    """Parse a page: every element, and its text (scripts and styles left out), spaces folded."""
    parser = _Parser()
    parser.feed(html)
    parser.close()
    parser.markup.text = re.sub(r"\s+", " ", "".join(parser.parts)).strip()
    return parser.markup


def unsafe_addresses(markup: Markup) -> list[str]:
    """Every address in an URL attribute whose scheme is not one a page may link to,
    and every event-handler attribute (``onclick`` and the like)."""
    found = []
    for tag, attrs in markup.elements:
        for name, value in attrs:
            if name.startswith("on"):
                found.append(f"<{tag} {name}={value!r}>")
            elif name in _URL_ATTRIBUTES:
                scheme = urlsplit(value.strip()).scheme.lower()
                if scheme not in LINKED_SCHEMES:
                    found.append(f"<{tag} {name}={value!r}>")
    return found
