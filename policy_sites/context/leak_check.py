"""Proof that a parents' site holds nothing staff-only: every file, the search index and sitemap."""

from __future__ import annotations

import contextlib
import html
import json
import re
from collections.abc import Iterable
from pathlib import Path

from policy_sites.context.variables import strings_in

__all__ = ["find_leaks", "pdf_leaks", "staff_only_texts_in"]

_TEXT_SUFFIXES = {".html", ".json", ".xml", ".txt", ".js", ".md"}


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(text)).casefold()


def _readable_text(path: Path) -> str:
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".json":
        with contextlib.suppress(json.JSONDecodeError):
            raw = "\n".join(strings_in(json.loads(raw)))
    return _normalise(raw)


def _needles(secrets: Iterable[str]) -> dict[str, str]:
    """Staff-only texts worth looking for (four characters or more), as they are compared."""
    return {_normalise(s): s for s in secrets if len(s.strip()) >= 4}


def staff_only_texts_in(text: str, secrets: Iterable[str]) -> list[str]:
    """The staff-only texts that ``text`` (HTML or Markdown) contains."""
    folded = _normalise(text)
    return [secret for needle, secret in _needles(secrets).items() if needle in folded]


def find_leaks(tree: Path, secrets: Iterable[str], staff_pages: Iterable[str]) -> list[str]:
    """Each place in ``tree`` where a staff-only text or a staff-only page shows up."""
    needles = _needles(secrets)
    page_dirs = {uri.removesuffix(".md").removesuffix("index").rstrip("/") for uri in staff_pages}
    leaks: list[str] = []
    for path in sorted(tree.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(tree).as_posix()
        leaks.extend(
            f"{rel}: staff-only page {d!r} was built"
            for d in page_dirs
            if d and rel.startswith(d + "/")
        )
        if path.suffix not in _TEXT_SUFFIXES or rel.startswith("assets/"):
            continue
        text = _readable_text(path)
        leaks.extend(
            f"{rel}: contains staff-only text {s!r}" for n, s in needles.items() if n in text
        )
    return leaks


def pdf_leaks(pdf: Path, shown_as: str, secrets: Iterable[str]) -> list[str]:
    """Each staff-only text in a PDF, read as a reader copying its text would (pypdf)."""
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() or "" for page in PdfReader(pdf).pages)
    return [
        f"{shown_as}: contains staff-only text {s!r}" for s in staff_only_texts_in(text, secrets)
    ]
