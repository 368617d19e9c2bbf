"""The one rule for a setting's name (its slug), and showing any text safely in a message.

A slug names a settings file (``settings/<slug>.yml``), a folder of published versions
(``settings/<slug>/versions/``) and a folder of the output (``site/<slug>/``). Anything
else (a path, ``..``, a capital, a space, a control character) could make a command read
or write outside those places, so every command refuses it before touching a file.
"""

from __future__ import annotations

import re

__all__ = [
    "MAX_SLUG_LENGTH",
    "RESERVED_NAMES",
    "check_slug",
    "display_name",
    "printable",
    "slug_problem",
]

MAX_SLUG_LENGTH = 63
"""Long enough for any setting's short name; short enough to be a folder name anywhere."""

_SLUG = re.compile(rf"[a-z0-9][a-z0-9-]{{0,{MAX_SLUG_LENGTH - 1}}}")

RESERVED_NAMES = frozenset({"assets"})
"""Slugs a setting may not take: its folder would be the shared theme files' folder."""


def printable(text: str, limit: int = 60) -> str:
    """``text`` quoted for a message: control characters escaped, long text cut short."""
    shown = repr(text[:limit])
    return shown + (f" (… {len(text):,} characters)" if len(text) > limit else "")


def display_name(name: str) -> str:
    """A file's name as it may be shown in a list: itself if plain, else quoted and escaped."""
    plain = name.isprintable() and len(name) <= 2 * MAX_SLUG_LENGTH and name.strip() == name
    return name if plain else printable(name)


def _meant(path: str) -> str:
    """The setting a path probably means: 'settings/poppys/versions', 'poppys.yml': poppys."""
    parts = [part for part in re.split(r"[\\/]", path) if part and part != "."]
    if "versions" in parts[1:]:
        return parts[parts.index("versions", 1) - 1]
    if "settings" in parts[:-1]:
        return parts[parts.index("settings") + 1].removesuffix(".yml")
    return parts[-1].removesuffix(".yml") if parts else ""


def slug_problem(slug: str) -> str | None:
    """Why ``slug`` cannot name a setting, or None if it can."""
    if _SLUG.fullmatch(slug):
        if slug in RESERVED_NAMES:
            kept = f"the output keeps {slug}/ for the shared theme files"
            return f"{slug!r} cannot name a setting: {kept}"
        return None
    rule = (
        "a setting's name is its settings file's name without '.yml': lower-case letters, "
        f"digits and hyphens, starting with a letter or digit, at most {MAX_SLUG_LENGTH} "
        "characters (for example 'little-acorns')"
    )
    hint = ""
    stem = _meant(slug)
    if ("/" in slug or "\\" in slug or slug.endswith(".yml")) and _SLUG.fullmatch(stem):
        hint = f"; did you mean {stem!r}?"
    elif slug.lower() != slug and _SLUG.fullmatch(slug.lower()):
        hint = f"; did you mean {slug.lower()!r}?"
    return f"{printable(slug)} cannot name a setting: {rule}{hint}"


def check_slug(slug: str) -> str:
    """The slug if it can name a setting, else ValueError saying why."""
    problem = slug_problem(slug)
    if problem:
        raise ValueError(problem)
    return slug
