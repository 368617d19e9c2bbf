"""Helpers the shared policy sources call: plain text functions, no engine internals.

mkdocs-macros loads this module (``module_name: macros`` in mkdocs.yml) and calls
``define_env``; the variables themselves come from the setting's file via ``extra``.
"""

from __future__ import annotations

from typing import Any

from policy_sites.context.phrases import agrees, join_and, join_or, plural, upper_first

__all__ = [
    "LINKED_SCHEMES",
    "agrees",
    "citation",
    "define_env",
    "join_and",
    "join_or",
    "link",
    "plural",
    "upper_first",
]

LINKED_SCHEMES = ("https", "http", "mailto", "tel")
"""The only kinds of address a page links to (never javascript:, data: or the like)."""


def citation(guidance: Any) -> str:
    """A guidance entry as cited in a policy: its title in italics and its edition."""
    return f"*{guidance['title']}* ({guidance['edition']})"


def link(text: Any, url: Any) -> str:
    """``text`` as a link to ``url``, or ``text`` alone when there is no ``url``.

    Written as an HTML ``<a>``, which Markdown leaves alone, not as ``[text](url)``, which
    a ``)`` or ``{`` in the address could cut short or dress with attributes. Both come
    escaped from the setting's variables (the address as a URL); the address must be
    https, http, mailto or tel, else the page fails to build, naming the source's line.
    """
    if not url:
        return str(text)
    address = str(url).strip()
    scheme, colon, _ = address.partition(":")
    if not colon or scheme.lower() not in LINKED_SCHEMES:
        raise ValueError(
            f"link: {address!r} is not a web, email or phone address; "
            f"only {', '.join(s + ':' for s in LINKED_SCHEMES)} addresses are linked"
        )
    href = address.replace('"', "%22").replace("<", "%3C").replace(">", "%3E")
    return f'<a href="{href}">{text}</a>'


def define_env(env: Any) -> None:
    """Register the helpers as Jinja filters for mkdocs-macros."""
    for helper in (join_and, join_or, plural, agrees, upper_first, citation, link):
        env.filter(helper)
