"""Proof that a parents' site shows nothing staff-only, checked on what a visitor can fetch.

The check reads the finished parents' tree: every page (the 404 page too), the search
index and the sitemaps, plain or gzipped. It reads a page as a browser and a screen
reader can reach it, with a real HTML parser (the standard library's): the text (tags
stripped, inline ones without a gap, so ``Alarm code <strong>47</strong>11`` shows
"Alarm code 4711"; entities decoded), and apart from it every attribute's value (a
link's title, an image's alt, aria-*, data-*), every comment and every script. Both the
page and the staff-only texts are compared folded (``settings.redaction.fold``):
compatibility forms made one (NFKC: fullwidth digits, NFD accents), case folded,
default-ignorable characters (zero-width joiners, variation selectors) dropped, spaces
folded, so no encoding or invisible character can hide a leak.

A staff-only text that is public anyway raises no alarm: one that one of the setting's
public values contains (a contact who is also a DSL), or a term of at most four words and
no digits that the shared sources use in what they render for parents (a contact whose
role is "Designated Safeguarding Lead"). A longer text, or one with a number in it (a
code, a phone number), found in the sources is a copy of the staff-only text, and a leak.
Reports name the staff-only field, never repeat its text.
"""

from __future__ import annotations

import gzip
import html
import json
import re
from collections.abc import Iterable, Mapping
from html.parser import HTMLParser
from pathlib import Path

from policy_sites.context.variables import strings_in
from policy_sites.settings.loader import staff_only_values_of
from policy_sites.settings.redaction import REDACTED, SHORTEST, fold, redact

__all__ = [
    "REDACTED",
    "LeakCheck",
    "folded",
    "markdown_text",
    "plain_text",
    "redact",
    "staff_only_values_of",
]

TERM_WORDS = 4
"""The most words a staff-only text may have and still be a term the shared sources use."""

_TEXT_SUFFIXES = {".html", ".htm", ".json", ".xml", ".txt", ".js", ".md", ".gz"}

_INLINE = frozenset(
    {
        "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "i", "ins",
        "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u",
        "var", "wbr",
    }
)  # fmt: skip
"""Elements a browser runs into the words around them: no gap before or after."""

_GEOMETRY = frozenset({"d", "points", "viewbox", "transform", "integrity"})
"""Attributes that hold only drawing numbers or hashes (an icon's path, a script's
checksum): nobody reads them, and their digits would raise false alarms on a number."""

_APART = "\n\x00\n"
"""Between the page's text, each attribute value, comment and script: a staff-only text
split across two of them is not shown as one."""


_NUMBER = re.compile(r"\+?[\d ]+")
"""A phone number as folded: a page may also hold it without spaces, in a ``tel:`` link."""


def folded(text: str) -> str:
    """Text as compared (``settings.redaction.fold``)."""
    return fold(text)


class _Reader(HTMLParser):
    """Everything in a page that a browser or a screen reader can reach, in one pass."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # entities decoded, in text and attributes
        self.text: list[str] = []
        self.apart: list[str] = []
        self._script: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _INLINE:
            self.text.append(" ")
        self.apart += [value for name, value in attrs if value and name not in _GEOMETRY]
        if tag in ("script", "style"):
            self._script = []

    def handle_endtag(self, tag: str) -> None:
        if self._script is not None and tag in ("script", "style"):
            self.apart.append("".join(self._script))
            self._script = None
        if tag not in _INLINE:
            self.text.append(" ")

    def handle_data(self, data: str) -> None:
        (self._script if self._script is not None else self.text).append(data)

    def handle_comment(self, data: str) -> None:
        self.apart.append(html.unescape(data))

    def handle_decl(self, decl: str) -> None:
        self.apart.append(decl)

    def handle_pi(self, data: str) -> None:
        self.apart.append(data)

    def unknown_decl(self, data: str) -> None:  # <![CDATA[...]]>
        self.apart.append(data)


def plain_text(markup: str) -> str:
    """What a visitor can reach in HTML or XML, folded: the text (tags stripped, inline
    ones without a gap, so ``4<b>7</b>11`` reads 4711; entities decoded), then, each
    apart, every attribute value, comment and script."""
    reader = _Reader()
    reader.feed(markup)
    reader.close()
    if reader._script is not None:  # a script left open runs to the end of the page
        reader.apart.append("".join(reader._script))
    return folded(_APART.join(["".join(reader.text), *reader.apart]))


_MARKDOWN_APART = re.compile(r"\]\(([^)\s]*)\)|\{:?([^}\n]*)\}")
"""A link's target and an attribute list: in the page, attributes (an href, a title)."""


def markdown_text(markdown: str) -> str:
    """Near enough what Markdown shows, as ``plain_text`` would read it: emphasis and code
    marks removed; link targets and attribute lists read apart, as attributes are."""
    apart = [target or attributes for target, attributes in _MARKDOWN_APART.findall(markdown)]
    text = _MARKDOWN_APART.sub(" ", markdown)
    return plain_text(_APART.join([re.sub(r"[*_`~\[\]]+", "", text), *apart]))


def _pattern(needle: str) -> re.Pattern[str]:
    """``needle`` as whole words ('Cook' is not found in 'cookies')."""
    start = r"(?<!\w)" if needle[0].isalnum() or needle[0] == "_" else ""
    end = r"(?!\w)" if needle[-1].isalnum() or needle[-1] == "_" else ""
    return re.compile(start + re.escape(needle) + end)


class LeakCheck:
    """The staff-only texts of one setting that its parents' view must not show."""

    def __init__(
        self,
        staff_only: Mapping[str, str],
        public_values: Iterable[str] = (),
        public_sources: Iterable[str] = (),
    ) -> None:
        """``staff_only``: field -> text; ``public_values``: the setting's other values;
        ``public_sources``: the Markdown the shared sources rendered for parents."""
        values = [folded(value) for value in public_values]
        sources = [markdown_text(markdown) for markdown in public_sources]
        self.watched: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
        for field, text in staff_only.items():
            needle = folded(text)
            if len(needle) < SHORTEST:
                continue
            pattern = _pattern(needle)
            term = len(needle.split()) <= TERM_WORDS and not any(c.isdigit() for c in needle)
            public = values + sources if term else values
            if any(needle in words and pattern.search(words) for words in public):
                continue
            self.watched[field] = [(needle, pattern)]
            if _NUMBER.fullmatch(needle) and " " in needle:  # a tel: link's digits
                joined = needle.replace(" ", "")
                if any(joined in words.replace(" ", "") for words in values):
                    del self.watched[field]  # the same number, spaced otherwise, is public
                else:
                    self.watched[field].append((joined, _pattern(joined)))

    def fields_in(self, plain: str) -> list[str]:
        """The staff-only fields whose text ``plain`` (see ``plain_text``) shows."""
        return [
            field
            for field, needles in self.watched.items()
            if any(  # the plain test first: it is fast
                needle in plain and pattern.search(plain) for needle, pattern in needles
            )
        ]

    def scan_markdown(self, where: str, markdown: str) -> list[str]:
        """Leaks in Markdown that is not built into a page (a policy's working copy, when a
        published version is shown): emphasis, code and link marks count as formatting."""
        return [
            f"{where}: shows the staff-only text of {field}"
            for field in self.fields_in(markdown_text(markdown))
        ]

    def scan_tree(self, tree: Path, staff_pages: Iterable[str] = ()) -> list[str]:
        """Each place in ``tree`` that shows a staff-only text or holds a staff-only page."""
        page_dirs = {u.removesuffix(".md").removesuffix("index").rstrip("/") for u in staff_pages}
        leaks: list[str] = []
        for path in sorted(tree.rglob("*")):
            if not path.is_file():
                continue
            rel = path.relative_to(tree).as_posix()
            leaks += [
                f"{rel}: staff-only page {d!r} was built"
                for d in sorted(page_dirs)
                if d and (rel == f"{d}.html" or rel.startswith(f"{d}/"))
            ]
            if path.suffix in _TEXT_SUFFIXES and not rel.startswith("assets/"):
                leaks += [
                    f"{rel}: shows the staff-only text of {field}"
                    for field in self.fields_in(_visible_text(path))
                ]
        return leaks

    def scan_pdf(self, pdf: Path, shown_as: str) -> list[str]:
        """Each staff-only text in a PDF, read as a reader copying its text would (pypdf)."""
        from pypdf import PdfReader  # only PDFs need it: a build without them never loads it

        text = "\n".join(page.extract_text() or "" for page in PdfReader(pdf).pages)
        return [
            f"{shown_as}: shows the staff-only text of {field}"
            for field in self.fields_in(folded(text))
        ]


_MARKUP_SUFFIXES = {".html", ".htm", ".xml"}


def _visible_text(path: Path) -> str:
    """What a visitor can read in one fetched file: a page or a sitemap as ``plain_text``,
    the search index's strings each so, any other file (a script, robots.txt) as it is."""
    data = path.read_bytes()
    kind = path.suffix
    if kind == ".gz":
        kind = Path(path.stem).suffix
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            return ""
    raw = data.decode("utf-8", errors="replace")
    if kind == ".json":
        try:
            return plain_text("\n".join(strings_in(json.loads(raw))))
        except json.JSONDecodeError:
            pass
    return plain_text(raw) if kind in _MARKUP_SUFFIXES else folded(raw)
