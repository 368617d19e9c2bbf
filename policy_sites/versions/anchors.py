"""Heading ids and in-page links, as Python-Markdown makes them, for pages built from
frozen text (redlines).

A redline shows one text's headings with another's links beside them: a heading renamed,
given an id of its own (``{: #id }``) or made from a setting's value has one id in the
older text and another in the newer, and a link into it from either text must still
land. The ids are worked out by the same Markdown extensions the site uses (``toc`` and
``attr_list``), one heading at a time, never by a second copy of their rules, and a link
to an id the page will not have is reduced to its words.
"""

from __future__ import annotations

import functools
import html
import re
import threading
import urllib.parse
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from markdown import Markdown
from markdown.extensions.attr_list import AttrListTreeprocessor, get_attrs_and_remainder
from markdown.extensions.toc import slugify, unique

__all__ = [
    "ATX_HEADING",
    "Heading",
    "heading",
    "heading_ids",
    "heading_line",
    "retarget_links",
    "unlink_missing",
]

ATX_HEADING = re.compile(r"^(#{1,6})(.*?)#*\s*$")
"""A heading line as Python-Markdown reads one (its HashHeaderProcessor): hashes at the
start of the line, no space needed after them, closing hashes dropped."""

_AUTO = "auto id:"
"""Put before the ids ``toc`` makes from a heading's words, to tell them from ids given in
an attribute list (which cannot hold a space)."""


def _marked_slugify(value: str, separator: str) -> str:
    return _AUTO + slugify(value, separator)


_ENGINE = Markdown(
    extensions=["attr_list", "toc"], extension_configs={"toc": {"slugify": _marked_slugify}}
)
_ENGINE_LOCK = threading.Lock()
"""One Markdown instance, reset between headings (making one costs more than using it)."""

_ATTRIBUTE_LIST = AttrListTreeprocessor.HEADER_RE
"""Where a heading's attribute list (``{: #id .class }``) starts, as attr_list finds it."""


@dataclass(frozen=True)
class Heading:
    """One heading line, as Python-Markdown renders it on its own."""

    level: int
    text: str
    """Its words as Markdown, without the attribute list (when attr_list takes one)."""
    title: str
    """Its words as plain text, as a table of contents shows them."""
    id: str
    """The id it is given: the one in its attribute list, else made from its words (on a
    page with other headings, ``heading_ids`` makes that one unique)."""
    explicit: bool
    """Whether ``id`` was given in its attribute list."""
    attributes: tuple[tuple[str, str | None], ...] = ()
    """Its attribute list's other attributes, as attr_list reads them (``(".", name)`` for a
    class), kept when it is shown."""


@functools.lru_cache(maxsize=8192)
def heading(line: str) -> Heading | None:
    """The heading on ``line``, or None if it is not one."""
    match = ATX_HEADING.match(line)
    if not match:
        return None
    with _ENGINE_LOCK:
        _ENGINE.reset()
        _ENGINE.convert(line)
        tokens = list(_ENGINE.toc_tokens)
    if not tokens:
        return None
    token = tokens[0]
    ident = str(token["id"])
    title = html.unescape(str(token["name"])).strip()
    text = match.group(2).strip()
    attributes: tuple[tuple[str, str | None], ...] = ()
    listed = _ATTRIBUTE_LIST.search(text)
    # attr_list takes the list only when it reads cleanly; else its braces stay as words.
    if listed and not title.endswith("}"):
        text = text[: listed.start()].strip()
        parsed, _ = get_attrs_and_remainder(listed.group(1))
        attributes = tuple((str(k), v) for k, v in parsed if k != "id")
    explicit = not ident.startswith(_AUTO)
    return Heading(
        level=int(token["level"]),
        text=text,
        title=title,
        id=ident if explicit else ident.removeprefix(_AUTO),
        explicit=explicit,
        attributes=attributes,
    )


def heading_ids(lines: Sequence[str]) -> dict[int, str]:
    """Each heading line's id (by line number, from 0) on the page made from ``lines``, as
    ``toc`` gives them: ids written in attribute lists as they are, the others made from
    their words and numbered (``_1``, ``_2``) where two would be the same."""
    found = {number: h for number, line in enumerate(lines) if (h := heading(line))}
    used = {h.id for h in found.values() if h.explicit}
    counters: dict[str, int] = {}
    return {
        number: h.id if h.explicit else unique(h.id, used, counters) for number, h in found.items()
    }


def _attribute_list(ident: str, attributes: Sequence[tuple[str, str | None]]) -> str:
    parts = [f"#{ident}"]
    for key, value in attributes:
        if key == "." and value:
            parts.append(f".{value}")
        elif value is None:
            parts.append(key)
        else:
            parts.append(f'{key}="{value.replace(chr(34), "&quot;")}"')
    return "{ " + " ".join(parts) + " }"


def heading_line(
    level: int, text: str, ident: str, attributes: Sequence[tuple[str, str | None]] = ()
) -> tuple[str, bool]:
    """A heading line with ``text`` (Markdown, marks allowed) and the id ``ident``, and
    whether Markdown will give it that id: braces in the words that would stop attr_list
    reading the id are escaped, and if even that fails the caller must not link to it."""
    hashes = "#" * level
    for words in (text, text.replace("{", "\\{").replace("}", "\\}")):
        line = f"{hashes} {words} {_attribute_list(ident, attributes)}"
        made = heading(line)
        if made is not None and made.explicit and made.id == ident:
            return line, True
    return f"{hashes} {text}", False


_IN_PAGE_LINK = re.compile(
    r"(?<![!\\])\[(?P<words>[^\[\]\n]*)\]\(\s*#(?P<fragment>[^\s()]*)"
    r"(?P<title>\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)"
)
"""A Markdown link to a place on its own page, ``[words](#id "title")`` (not an image)."""


def _fragment(raw: str) -> str:
    return urllib.parse.unquote(raw)


def retarget_links(text: str, moved: Mapping[str, str]) -> str:
    """``text`` with each in-page link to an id in ``moved`` pointed at its new id."""

    def swap(match: re.Match[str]) -> str:
        target = moved.get(_fragment(match.group("fragment")))
        if target is None:
            return match.group(0)
        title = match.group("title") or ""
        return f"[{match.group('words')}](#{target}{title})"

    return _IN_PAGE_LINK.sub(swap, text)


def unlink_missing(text: str, present: Collection[str]) -> str:
    """``text`` with every in-page link to an id not ``present`` reduced to its words (a
    link to the top of the page, ``#``, is kept)."""

    def keep(match: re.Match[str]) -> str:
        fragment = _fragment(match.group("fragment"))
        return match.group(0) if not fragment or fragment in present else match.group("words")

    return _IN_PAGE_LINK.sub(keep, text)
