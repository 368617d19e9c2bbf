"""Helpers the shared policy sources call: plain text functions, no engine internals.

mkdocs-macros loads this module (``module_name: macros`` in mkdocs.yml) and calls
``define_env``; the variables themselves come from the setting's file via ``extra``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from policy_sites.context.phrases import join_and, join_or

__all__ = ["citation", "define_env", "join_and", "join_or", "plural", "upper_first"]


def plural(count: int | Iterable[Any], singular: str, several: str | None = None) -> str:
    """The singular word for one thing, else the plural (default: singular + 's')."""
    number = count if isinstance(count, int) else len(list(count))
    return singular if number == 1 else (several or singular + "s")


def upper_first(text: str) -> str:
    """'the Manager' -> 'The Manager' (unlike Jinja's capitalize, keeps the rest as it is)."""
    return text[:1].upper() + text[1:]


def citation(guidance: Any) -> str:
    """A guidance entry as cited in a policy: its title in italics and its edition."""
    return f"*{guidance['title']}* ({guidance['edition']})"


def define_env(env: Any) -> None:
    """Register the helpers as Jinja filters for mkdocs-macros."""
    for helper in (join_and, join_or, plural, upper_first, citation):
        env.filter(helper)
