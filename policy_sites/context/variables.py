"""From a validated setting to the variables the shared policy sources are rendered with.

Every string is HTML-escaped here, once, so that a name such as ``<script>`` shows as
text wherever a source uses it. Staff-only details are left out of the parents' view
altogether, so a parents' page that mentions them fails to build instead of leaking.
"""

from __future__ import annotations

import datetime as dt
import html
import os
from collections.abc import Iterator, Mapping
from typing import Any

from policy_sites.context.phrases import sentence_facts
from policy_sites.context.views import View
from policy_sites.settings.schema import PolicyDate, Setting

__all__ = [
    "TODAY_VARIABLE",
    "build_context",
    "escape",
    "review_day",
    "staff_only_values",
    "strings_in",
]


def escape(text: str) -> str:
    """Escape for Markdown that becomes HTML: no tags, no entities, no link syntax."""
    escaped = html.escape(text, quote=False).replace('"', "&quot;")
    return escaped.replace("[", "&#91;").replace("]", "&#93;")


def _escaped(value: Any) -> Any:
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
    if given := configured or os.environ.get(TODAY_VARIABLE):
        return dt.date.fromisoformat(given)
    if epoch := os.environ.get("SOURCE_DATE_EPOCH"):
        if not epoch.strip().isdigit():
            raise ValueError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, not {epoch!r}")
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()


def build_context(
    setting: Setting, view: View, today: dt.date, titles: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The template variables for one setting in one view (``titles``: each shared
    policy's title, for the links to the policies the setting publishes)."""
    data = setting.model_dump(mode="json", exclude=None if view.is_staff else {"staff_only"})
    data["policies"] = {pid: _dates(d, today) for pid, d in setting.policies.items()}
    context = _escaped(data)
    context.update(sentence_facts(setting, escape, titles or {}))
    context.update(
        school_age=setting.has_school_age,
        several_provisions=len(setting.provisions) > 1,
        has_official_channels=bool(setting.social_media.official_channels),
        for_staff=view.is_staff,
        view={"id": view.id, "label": view.label},
    )
    return context


def strings_in(value: Any) -> Iterator[str]:
    """Every string in nested dicts and lists (data loaded from YAML or JSON), in order."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def staff_only_values(setting: Setting) -> list[str]:
    """Every text under ``staff_only``, as the parents' tree must never contain it."""
    return list(strings_in(setting.staff_only.model_dump(mode="json")))
