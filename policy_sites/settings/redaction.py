"""Which of a setting's values are staff-only, how text is compared, and how a message
is kept from quoting them.

Here, below every stage that reports (the loader, the build, ``check``), so that each
uses one definition: ``staff_only_values`` reads plain settings data (a file as YAML
read it, before validation, or a validated setting dumped), ``fold`` is how the leak check
compares text, and ``redact`` is the one function every message that can reach a log
passes through.
"""

from __future__ import annotations

import datetime as dt
import html.entities
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from policy_sites.settings.schema import FieldPath, is_placeholder

__all__ = [
    "REACH",
    "REDACTED",
    "SHORTEST",
    "Redactor",
    "fold",
    "redact",
    "staff_only_texts",
    "staff_only_values",
]

REDACTED = "[staff-only text]"

SHORTEST = 4
"""Staff-only texts shorter than this (after folding) are not looked for: too many false alarms."""

REACH = ("phone", "out_of_hours_phone", "email", "web")
"""The parts of a contact route that reach someone: a staff-only route's are secrets."""

_IGNORABLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
"""Unicode's Default_Ignorable_Code_Point characters (DerivedCoreProperties.txt; the
unassigned ones in these ranges are reserved as ignorable, so the set is stable): soft
hyphen, combining grapheme joiner, zero-width spaces and joiners, direction marks,
variation selectors (FE00-FE0F, and E0100-E01EF inside the tags block), fillers. A
browser draws none of them, so none may split a word the check looks for. No other
character's NFKC form or case folding holds one (checked over every code point), so
``fold`` drops them once, first."""


def fold(text: str) -> str:
    """Text as compared: default-ignorable characters dropped, compatibility forms made
    one (NFKC: fullwidth digits, ligatures, NFD accents), case folded, spaces folded."""
    if not text.isascii():  # (ASCII is its own NFKC, and holds no ignorable character)
        text = unicodedata.normalize("NFKC", _IGNORABLE.sub("", text))
    text = text.casefold()
    if not text.isascii():  # casefolding may leave a character that NFKC composes
        text = unicodedata.normalize("NFKC", text)
    return " ".join(text.split())


def _shown(value: Any) -> str | None:
    """A YAML value as a message would quote it: text, or the str() of a number or a date
    (YAML reads ``4711`` and ``2026-01-01`` as such); true/false, nothing and a
    placeholder ``new`` wrote (no secret: ``check`` quotes it to say what to fill in)
    are no text."""
    if isinstance(value, bool) or value is None or is_placeholder(value):
        return None
    if isinstance(value, str | int | float | dt.date):
        return str(value)
    return None


def _leaves(data: Any, at: FieldPath) -> Iterator[tuple[FieldPath, Any]]:
    if isinstance(data, Mapping):
        for key, item in data.items():
            yield from _leaves(item, (*at, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _leaves(item, (*at, index))
    else:
        yield at, data


def _routes(data: Any, at: FieldPath = ()) -> Iterator[tuple[FieldPath, Mapping[str, Any]]]:
    """Every mapping outside ``staff_only`` that holds a way to reach someone."""
    if isinstance(data, Mapping):
        if at == ("staff_only",):
            return
        if any(part in data for part in REACH):
            yield at, data
        for key, item in data.items():
            yield from _routes(item, (*at, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _routes(item, (*at, index))


def _value_at(data: Any, at: FieldPath) -> Any:
    """What ``data`` holds at ``at``, or None where the file does not write it."""
    for part in at:
        if not isinstance(data, Mapping):
            return None
        data = data.get(part)
    return data


def staff_only_values(
    data: Mapping[str, Any], declared: Iterable[FieldPath]
) -> dict[FieldPath, Any]:
    """Every staff-only value of a setting's data, by the path of its field, as YAML read
    it (a number or a date too): all of ``staff_only``, all of each fact at a path in
    ``declared`` (those a policy's source declares ``staff_only: true``: the caller
    knows the sources, this module does not), and the numbers and addresses of every
    contact route marked ``visibility: staff`` wherever it is, except one that a public
    route (or the setting's own contact) gives too, which is public anyway."""
    found = {
        at: value
        for top in (("staff_only",), *declared)
        for at, value in _leaves(_value_at(data, top), top)
        if _shown(value) is not None
    }
    routes = list(_routes(data))
    public = {
        text
        for _, route in routes
        if route.get("visibility") != "staff"
        for part in REACH
        if (text := _shown(route.get(part))) is not None
    }
    for at, route in routes:
        if route.get("visibility") == "staff":
            for part in REACH:  # (a list where a number belongs, too: the loader quotes it)
                for where, value in _leaves(route.get(part), (*at, part)):
                    text = _shown(value)
                    if text is not None and text not in public:
                        found[where] = value
    return found


def staff_only_texts(
    data: Mapping[str, Any], declared: Iterable[FieldPath]
) -> dict[FieldPath, str]:
    """``staff_only_values`` as text (a number or a date as its str())."""
    return {at: str(value) for at, value in staff_only_values(data, declared).items()}


_ENTITY_NAMES: dict[int, list[str]] = {}
for _name, _point in html.entities.name2codepoint.items():
    _ENTITY_NAMES.setdefault(_point, []).append(_name)
_ENTITY_NAMES.setdefault(ord("'"), []).append("apos")


def _char(char: str) -> str:
    """A pattern for one character of a secret in any form a message may quote it in:
    as itself, backslash-escaped (Markdown, a Python repr), or as an HTML character
    reference (named, decimal or hex, as ``html.escape`` and the renderer write them)."""
    if char.isalnum():
        return re.escape(char)
    forms = [
        re.escape(char),
        r"\\{1,2}" + re.escape(char),
        f"&#0*{ord(char)};",
        f"&#x0*{ord(char):x};",
    ]
    forms += [f"&{name};" for name in _ENTITY_NAMES.get(ord(char), [])]
    return "(?:" + "|".join(forms) + ")"


_GAP = r"(?:\s|&nbsp;|&#0*(?:32|160);|&#x0*(?:20|a0);)+"
"""Any run of spaces, as typed or as a character reference."""


def _pattern(secret: str) -> str:
    """``secret`` in any of its forms, as whole words ('Cook' is not hidden in 'cookies')."""
    start = r"(?<!\w)" if secret[0].isalnum() else ""
    end = r"(?!\w)" if secret[-1].isalnum() else ""
    return start + _GAP.join("".join(_char(c) for c in word) for word in secret.split()) + end


class Redactor:
    """Replaces staff-only texts in messages with REDACTED, compiled once for many messages.

    Each text is looked for as written (a number or a date as its str() and repr()), in
    its NFKC form, HTML-escaped, Markdown-escaped or written as character references in any mix,
    whatever its case and spacing.
    """

    def __init__(self, secrets: Iterable[Any]) -> None:
        forms: set[str] = set()
        for secret in secrets:
            text = _shown(secret)
            if text is None or len(fold(text)) < SHORTEST:
                continue
            forms |= {text.strip(), unicodedata.normalize("NFKC", text).strip()}
            if not isinstance(secret, str):  # a message may quote it as Python shows it
                forms.add(repr(secret))  # datetime.date(2026, 1, 1)
        ordered = sorted(forms, key=len, reverse=True)  # the longest first, as one pass
        self._pattern = (
            re.compile("|".join(_pattern(form) for form in ordered), re.IGNORECASE)
            if ordered
            else None
        )

    def __call__(self, text: str) -> str:
        return self._pattern.sub(REDACTED, text) if self._pattern else text


def redact(text: str, secrets: Iterable[Any]) -> str:
    """``text`` with each staff-only text in it, in any of its forms, replaced by REDACTED."""
    return Redactor(secrets)(text)
