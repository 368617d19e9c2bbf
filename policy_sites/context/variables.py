"""From a validated setting to the variables the shared policy sources are rendered with.

Every value is text, in every context: each string is escaped here, once, for both
layers it passes through (Markdown, then HTML), so that whatever a settings file holds
shows literally wherever a source puts it. Web addresses get their own escaping, safe
inside an ``href`` and a Markdown link. Staff-only details are left out of the parents'
view altogether, so a parents' page that mentions them fails to build instead of leaking.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pydantic import AnyUrl, BaseModel

from policy_sites.context.phrases import sentence_facts
from policy_sites.context.views import View
from policy_sites.settings.facts import DeclaredFact, declared_facts
from policy_sites.settings.loader import field_name
from policy_sites.settings.local_authority import AdviceService
from policy_sites.settings.names import printable
from policy_sites.settings.redaction import staff_only_texts
from policy_sites.settings.schema import (
    OTHER_POLICIES,
    ContactRoute,
    FieldPath,
    PolicyDate,
    Setting,
    Visibility,
    texts_in,
)

__all__ = [
    "EPOCH_VARIABLE",
    "TODAY_VARIABLE",
    "BadEnvironment",
    "build_context",
    "contact_routes_in",
    "escape",
    "escape_url",
    "public_values",
    "review_day",
    "staff_only_fields",
    "staff_only_values",
    "strings_in",
]

_MARKUP = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        # Markdown's inline syntax (escapes, code, emphasis, links) and the extensions'
        # (attr_list's braces, tables' bars) means something wherever it stands in a line.
        **{char: f"&#{ord(char)};" for char in "\\`*_{}[]|"},
    }
)

_LINE_BREAKS = re.compile(r"[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+")
"""Every character that ends a line for Python (str.splitlines) and so maybe for Markdown."""

_LINE_START = re.compile(r"[^\w&]|\d+[.)]")
"""What may begin a block when a value begins a line: a list's '-', '+' or '1.', a heading's
'#', an admonition's '!!!', a definition's ':', a code block's indent, and so on."""


def escape(text: str) -> str:
    """A value as text that Markdown and HTML both leave as it is.

    One line (line breaks become spaces: a value cannot start a heading, a list or a
    warning box); the characters of HTML and of Markdown's inline syntax as character
    references; and, as a value may begin a line of a source, its first character if it
    is not a letter or a digit (and the '.' or ')' after leading digits). Plain words
    come out unchanged, so published texts compare equal across this escaping.
    """
    escaped = _LINE_BREAKS.sub(" ", text).translate(_MARKUP)
    if match := _LINE_START.match(escaped):
        end = match.end() - 1
        escaped = f"{escaped[:end]}&#{ord(escaped[end])};{escaped[end + 1 :]}"
    if escaped.endswith(" "):  # two spaces at the end of a line would be a line break
        escaped = escaped[:-1] + "&#32;"
    return escaped


_URL_UNSAFE = str.maketrans(
    {char: f"%{ord(char):02X}" for char in " \"'<>()[]{}\\`|"} | {"&": "&amp;"}
)


def escape_url(url: str) -> str:
    """A web address safe in an ``href="..."`` and in a Markdown link: the characters that
    could end either percent-encoded (the same address to a browser), ``&`` as ``&amp;``."""
    return url.translate(_URL_UNSAFE)


def _escaped(value: Any) -> Any:
    if isinstance(value, AnyUrl):
        return escape_url(str(value))
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, dict):
        return {key: _escaped(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_escaped(item) for item in value]
    return value


def _dates(dates: Any, today: dt.date) -> dict[str, Any]:
    def show(date: PolicyDate | None) -> str | None:
        return date.display() if date else None

    return {
        "written": show(dates.written),
        "ratified": show(dates.ratified),
        "next_review": show(dates.next_review),
        "next_review_iso": dates.next_review.iso() if dates.next_review else None,
        "review_overdue": bool(dates.next_review and dates.next_review.passed(today)),
    }


TODAY_VARIABLE = "POLICY_SITES_TODAY"
"""The environment variable that sets the day review dates are judged against."""


def review_day(configured: str | dt.date | None = None) -> dt.date:
    """The day review dates are judged against.

    ``configured`` (or else POLICY_SITES_TODAY, YYYY-MM-DD), else the day of
    SOURCE_DATE_EPOCH (so reproducible builds agree on what is overdue), else today.
    """
    if isinstance(configured, dt.date):
        return configured
    if configured:
        return _day(configured)  # --today: click names the option
    if given := os.environ.get(TODAY_VARIABLE):
        try:
            return _day(given)
        except ValueError as error:
            raise BadEnvironment(f"{TODAY_VARIABLE}={printable(given)}: {error}") from None
    if epoch := os.environ.get(EPOCH_VARIABLE):
        try:
            if not epoch.strip().isdigit():
                raise ValueError("not a whole number")
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
        except (ValueError, OverflowError, OSError) as error:
            raise BadEnvironment(
                f"{EPOCH_VARIABLE}={printable(epoch)}: expected whole seconds since "
                f"1 January 1970 (UTC), such as 1764892800 ({error})"
            ) from None
    return dt.date.today()


EPOCH_VARIABLE = "SOURCE_DATE_EPOCH"
"""Reproducible builds' clock (reproducible-builds.org): whole seconds since 1970, UTC."""


class BadEnvironment(ValueError):
    """An environment variable set to something that cannot be what it names; the message
    names the variable, its value and the form expected."""


def _day(text: str) -> dt.date:
    """A day written YYYY-MM-DD, or ValueError saying so (Python alone would also take
    '20260901' and '2026-W01-1')."""
    text, reason = text.strip(), ""
    if len(text) == len("YYYY-MM-DD"):
        try:
            return dt.date.fromisoformat(text)
        except ValueError as error:
            reason = f" ({str(error).removeprefix('Invalid isoformat string: ')})"
    raise ValueError(f"expected a day as YYYY-MM-DD, such as 2026-09-01{reason}")


def build_context(
    setting: Setting,
    view: View,
    today: dt.date,
    titles: Mapping[str, str] | None = None,
    topics: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """The template variables for one setting in one view (``titles``: each shared
    policy's title, for the links to the policies the setting publishes; ``topics``:
    what each is about, in a parent's words)."""
    # Python mode keeps web addresses as URL objects, so they get a URL's escaping.
    data = setting.model_dump(exclude=None if view.is_staff else {"staff_only"})
    data["policies"] = {pid: _dates(d, today) for pid, d in setting.policies.items()}
    data["guidance"] = [edition.cited() for edition in setting.guidance_in_force(today)]
    data["related_policy_links"] = _related_policies(setting, titles or {})
    if not view.is_staff:
        for at, route in contact_routes_in(setting).items():
            if route.visibility is Visibility.STAFF:
                _leave_out(data, at)
        for fact in _staff_only_facts(setting):  # as staff_only: a public use fails the build
            holder = data.get(fact.group) if fact.group else data
            if isinstance(holder, dict):
                holder.pop(fact.name, None)
    context = _escaped(data)
    _add_web_texts(setting, context)
    context.update(sentence_facts(setting, escape, titles or {}, topics))
    context.update(
        school_age=setting.has_school_age,
        early_years=setting.has_early_years,
        in_school=setting.in_school,
        school_provisions=[escape(p.name) for p in setting.provisions if p.in_school],
        several_provisions=len(setting.provisions) > 1,
        for_staff=view.is_staff,
        view={"id": view.id, "label": view.label},
    )
    return context


def _add_web_texts(setting: Setting, context: dict[str, Any]) -> None:
    """Give each route with a web page in ``context`` its address as link text
    (``web_text``): the address as the setting holds it, escaped as every text is, where
    ``web`` is escaped as a URL for the link itself."""
    routes: dict[FieldPath, ContactRoute | AdviceService] = dict(contact_routes_in(setting))
    if (advice := setting.local_authority.advice_service) is not None:
        routes[("local_authority", "advice_service")] = advice
    for path, route in routes.items():
        shown = context
        for key in path:
            shown = shown.get(key) if isinstance(shown, dict) else None
        if isinstance(shown, dict) and route.web is not None:
            shown["web_text"] = escape(str(route.web))


def _related_policies(setting: Setting, titles: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Every policy a source may list as going with it, by id, with its title and where
    to read it: the shared text's usual ones, the shared policies (a page of their own
    where the setting publishes them: see ``policy_titles``), and any other_policies
    entry with a title of its own."""
    ids = [*OTHER_POLICIES, *titles, *setting.other_policies]
    found = {}
    for pid in dict.fromkeys(ids):
        given = setting.other_policies.get(pid)
        title = (given.title if given else None) or titles.get(pid) or OTHER_POLICIES[pid]
        found[pid] = {"title": title, "url": _url_of(setting, pid)}
    return found


def _url_of(setting: Setting, policy_id: str) -> AnyUrl | None:
    """The address of one of the setting's other policies, kept a URL so that it gets a
    URL's escaping (a ``)`` in it would otherwise end a Markdown link)."""
    found = setting.other_policies.get(policy_id)
    return found.url if found else None


def contact_routes_in(setting: Setting) -> dict[FieldPath, ContactRoute]:
    """Every contact route of a setting, wherever the schema puts one (its own, the
    federation's, a list's items), by the path of the field that holds it: so that
    ``visibility: staff`` means the same on every route, including ones added later."""
    found: dict[FieldPath, ContactRoute] = {}

    def walk(value: Any, at: FieldPath) -> None:
        if isinstance(value, ContactRoute):
            found[at] = value
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name), (*at, name))
        elif isinstance(value, Mapping):
            for key, item in value.items():
                walk(item, (*at, key))
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                walk(item, (*at, index))

    walk(setting, ())
    return found


def _leave_out(data: Any, at: FieldPath) -> None:
    """Replace the value at ``at`` in dumped settings data with None (a source's
    ``{% if route %}`` then reads it as absent); a path the dump lacks is left alone."""
    for key in at[:-1]:
        data = data[key] if isinstance(data, dict | list) and _holds(data, key) else None
    if isinstance(data, dict | list) and at and _holds(data, at[-1]):
        data[at[-1]] = None


def _holds(data: dict | list, key: str | int) -> bool:
    return key in data if isinstance(data, dict) else isinstance(key, int) and key < len(data)


def _staff_only_facts(setting: Setting) -> list[DeclaredFact]:
    """The facts a policy declared ``staff_only: true``: left out of the parents' view."""
    return [fact for fact in declared_facts(setting) if fact.declaration.staff_only]


def strings_in(value: Any) -> Iterator[str]:
    """Every string in nested dicts and lists (data loaded from YAML or JSON), in order."""
    return (text for _, text in texts_in(value))


def staff_only_values(setting: Setting) -> list[str]:
    """Every text under ``staff_only``, as the parents' tree must never contain it."""
    return list(staff_only_fields(setting).values())


def staff_only_fields(setting: Setting) -> dict[str, str]:
    """Every staff-only text by the field that holds it ('staff_only.notes[0]'), so that a
    report can name where a leak came from without repeating it: all of ``staff_only``,
    and the numbers and addresses of every contact route marked ``visibility: staff``,
    wherever it is defined, unless a public route gives the same one
    (``settings.redaction.staff_only_texts``, which the loader's messages use too), and
    every fact a policy declares ``staff_only: true``."""
    declared = [fact.path for fact in _staff_only_facts(setting)]
    return {
        field_name(at): text
        for at, text in staff_only_texts(setting.model_dump(mode="json"), declared).items()
    }


def public_values(setting: Setting) -> list[str]:
    """Every text of a setting that its parents' view may show: all but ``staff_only``
    and the staff-only routes' numbers and addresses (``staff_only_fields``)."""
    secret = staff_only_fields(setting)
    dumped = setting.model_dump(mode="json", exclude={"staff_only"})
    return [text for at, text in texts_in(dumped) if field_name(at) not in secret]
