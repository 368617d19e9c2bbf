"""From a validated setting to the variables the shared policy sources are rendered with.

Every string is HTML-escaped here, once, so that a name such as ``<script>`` shows as
text wherever a source uses it. Staff-only details are left out of the parents' view
altogether, so a parents' page that mentions them fails to build instead of leaking.
"""

from __future__ import annotations

import datetime as dt
import html
import os
from collections.abc import Iterator
from typing import Any

from policy_sites.context.views import View
from policy_sites.settings.schema import (
    OTHER_POLICIES,
    ContactRoute,
    PolicyDate,
    Setting,
    Visibility,
)

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


def build_context(setting: Setting, view: View, today: dt.date) -> dict[str, Any]:
    """The template variables for one setting in one view."""
    data = setting.model_dump(mode="json", exclude=None if view.is_staff else {"staff_only"})
    data["policies"] = {pid: _dates(d, today) for pid, d in setting.policies.items()}
    data["guidance"] = [edition.cited() for edition in setting.guidance_in_force(today)]
    data["policy_links"] = {
        pid: {"title": title, "url": _url_of(setting, pid)} for pid, title in OTHER_POLICIES.items()
    }
    if not view.is_staff:
        for key, route in _setting_routes(setting).items():
            if route.visibility is Visibility.STAFF:
                data[key] = None
    context = _escaped(data)
    context.update(
        school_age=setting.has_school_age,
        several_provisions=len(setting.provisions) > 1,
        has_official_channels=bool(setting.social_media.official_channels),
        for_staff=view.is_staff,
        view={"id": view.id, "label": view.label},
    )
    return context


def _url_of(setting: Setting, policy_id: str) -> str | None:
    found = setting.other_policies.get(policy_id)
    return str(found.url) if found and found.url else None


def _setting_routes(setting: Setting) -> dict[str, ContactRoute]:
    """The setting's own contact routes that carry a visibility."""
    routes = {
        "concerns_about_leaders": setting.concerns_about_leaders,
        "whistleblowing_contact": setting.whistleblowing_contact,
    }
    return {key: route for key, route in routes.items() if route is not None}


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
    routes = _setting_routes(setting).values()

    def ways(visibility: Visibility) -> list[str]:
        return [
            value
            for route in routes
            if route.visibility is visibility
            for value in (route.phone, route.out_of_hours_phone, route.email)
            if value
        ]

    public = set(ways(Visibility.PUBLIC))
    if setting.contact:
        public |= {setting.contact.phone, setting.contact.email}
    staff_routes = [value for value in ways(Visibility.STAFF) if value not in public]
    return list(strings_in(setting.staff_only.model_dump(mode="json"))) + staff_routes
