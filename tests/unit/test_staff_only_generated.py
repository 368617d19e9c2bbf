"""Generated settings (tests/strategies.py), not the examples: every staff-only route is
kept from the parents' variables, watched by the leak check, and hidden from messages."""

from __future__ import annotations

import datetime as dt
import html
import shutil
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings

from policy_sites.context.leak_check import REDACTED, LeakCheck, plain_text, redact
from policy_sites.context.variables import (
    build_context,
    contact_routes_in,
    escape,
    public_values,
    staff_only_fields,
)
from policy_sites.context.views import PARENTS, STAFF
from policy_sites.settings.loader import load_setting, staff_only_values_of
from policy_sites.settings.redaction import SHORTEST, fold
from policy_sites.settings.schema import Visibility
from tests.helpers import settings_beside_sources
from tests.strategies import POLICIES, settings_data

TODAY = dt.date(2026, 12, 5)


def _at(data: object, path: tuple[str | int, ...]) -> object:
    for key in path:
        data = data[key] if isinstance(data, dict | list) else None  # type: ignore[index]
    return data


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=settings_data(1))
def test_staff_only_routes_of_generated_settings(tmp_path: Path, data: dict) -> None:
    shutil.rmtree(tmp_path / "settings", ignore_errors=True)
    shutil.rmtree(tmp_path / "docs", ignore_errors=True)
    folder = settings_beside_sources(tmp_path)
    (folder / "g.yml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    setting = load_setting(folder, "g", list(POLICIES))
    parents = build_context(setting, PARENTS, TODAY)
    staff = build_context(setting, STAFF, TODAY)
    secrets = staff_only_fields(setting)
    public = public_values(setting)
    check = LeakCheck(secrets, public)
    for at, route in contact_routes_in(setting).items():
        if route.visibility is Visibility.STAFF:
            assert _at(parents, at) is None and _at(staff, at) is not None
            for part in ("phone", "email", "web"):
                value = getattr(route, part)
                if value is None:
                    continue
                field = ".".join(map(str, at)) + f".{part}"
                # Staff-only, unless a public route gives it too; never a public value.
                assert field in secrets or str(value) in public
                if field in secrets:
                    assert str(value) not in public
                    assert field in check.watched
                    page = f"<p>x</p><a title='{html.escape(str(value))}'>y</a>"
                    assert field in check.fields_in(plain_text(page))
    # Every staff-only text, escaped as the renderer or html.escape writes it, is hidden.
    texts = [str(value) for value in staff_only_values_of(folder, "g")]
    assert set(secrets.values()) <= set(texts)
    for text in texts:
        if len(fold(text)) >= SHORTEST:
            for shown in (text, escape(text), html.escape(text)):
                assert redact(f"line 3: {shown}!", texts) == f"line 3: {REDACTED}!", shown
