"""Proof that a parents' site shows nothing staff-only, checked on what a visitor can fetch.

The check reads the finished parents' tree: every page (the 404 page too), the search
index and the sitemaps, plain or gzipped. It compares plain text, HTML tags stripped,
entities decoded, spaces folded and case ignored, so formatting cannot hide a leak
(``Alarm code <strong>4711</strong>`` shows "Alarm code 4711").

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
from pathlib import Path

from policy_sites.context.variables import staff_only_values, strings_in
from policy_sites.settings.loader import SettingsError, load_setting

__all__ = [
    "REDACTED",
    "LeakCheck",
    "folded",
    "markdown_text",
    "plain_text",
    "redact",
    "staff_only_texts_of",
]

SHORTEST = 4
"""Staff-only texts shorter than this (after folding) are not looked for: too many false alarms."""

TERM_WORDS = 4
"""The most words a staff-only text may have and still be a term the shared sources use."""

REDACTED = "[staff-only text]"

_TEXT_SUFFIXES = {".html", ".htm", ".json", ".xml", ".txt", ".js", ".md", ".gz"}

_INLINE = (
    "a|abbr|b|bdi|bdo|cite|code|data|del|dfn|em|i|ins|kbd|mark|q|s|samp|small|span|strong|"
    "sub|sup|time|u|var|wbr"
)
_INLINE_TAG = re.compile(rf"</?(?:{_INLINE})\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<!--.*?-->|<[A-Za-z/!?][^>]*>", re.DOTALL)
_SCRIPTS = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_SPACES = re.compile(r"\s+")


_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")
"""Invisible characters that could split a word: soft hyphen, zero-width spaces and
joiners, direction marks and overrides, word joiner, byte order mark."""


def folded(text: str) -> str:
    """Text as compared: invisible format characters dropped, spaces folded, case ignored."""
    return _SPACES.sub(" ", _INVISIBLE.sub("", text)).strip().casefold()


def plain_text(markup: str) -> str:
    """What a visitor reads in HTML or XML: tags stripped (inline ones without a gap, so
    ``4<b>7</b>11`` reads 4711), then entities decoded, then folded."""
    text = _SCRIPTS.sub(" ", markup)
    text = _INLINE_TAG.sub("", text)
    text = _ANY_TAG.sub(" ", text)
    return folded(html.unescape(text))


def markdown_text(markdown: str) -> str:
    """Near enough what Markdown shows, as ``plain_text`` would read it: link targets and
    attribute lists dropped, emphasis and code marks removed."""
    text = re.sub(r"\]\([^)\s]*\)|\{:?[^}\n]*\}", " ", markdown)
    return plain_text(re.sub(r"[*_`~\[\]]+", "", text))


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
        self.watched: dict[str, tuple[str, re.Pattern[str]]] = {}
        for field, text in staff_only.items():
            needle = folded(text)
            if len(needle) < SHORTEST:
                continue
            pattern = _pattern(needle)
            term = len(needle.split()) <= TERM_WORDS and not any(c.isdigit() for c in needle)
            public = values + sources if term else values
            if not any(needle in words and pattern.search(words) for words in public):
                self.watched[field] = (needle, pattern)

    def fields_in(self, plain: str) -> list[str]:
        """The staff-only fields whose text ``plain`` (see ``plain_text``) shows."""
        return [
            field
            for field, (needle, pattern) in self.watched.items()
            if needle in plain and pattern.search(plain)  # the plain test first: it is fast
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


def _visible_text(path: Path) -> str:
    data = path.read_bytes()
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            return ""
    raw = data.decode("utf-8", errors="replace")
    if path.suffix == ".json":
        try:
            return plain_text("\n".join(strings_in(json.loads(raw))))
        except json.JSONDecodeError:
            pass
    return plain_text(raw)


def staff_only_texts_of(settings_dir: Path, slug: str) -> list[str]:
    """The staff-only texts of a setting, to redact from a failure's reason; none if its
    file cannot be loaded (the loader's own messages name fields, not staff-only values)."""
    try:
        return staff_only_values(load_setting(settings_dir, slug))
    except (SettingsError, OSError, ValueError):
        return []


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each staff-only text in it (case and spacing aside) replaced by REDACTED."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        words = secret.split()
        if len(secret.strip()) >= SHORTEST:
            pattern = r"\s+".join(re.escape(word) for word in words)
            text = re.sub(pattern, REDACTED, text, flags=re.IGNORECASE)
    return text
