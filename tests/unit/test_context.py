"""Template variables: escaped once, staff-only data only for staff."""

from __future__ import annotations

import datetime as dt

import pytest

from policy_sites.context.variables import build_context, escape, review_day, staff_only_values
from policy_sites.context.views import PARENTS, STAFF, switch_href
from policy_sites.settings.loader import load_setting
from policy_sites.settings.schema import PolicyDate
from tests.helpers import REPO

TODAY = dt.date(2023, 1, 1)


def poppys():
    return load_setting(REPO / "settings", "poppys")


def test_escape_neutralises_tags_entities_and_link_syntax():
    assert escape("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert escape("Tots & Co") == "Tots &amp; Co"
    assert escape("[x](javascript:alert(1))") == "&#91;x&#93;(javascript:alert(1))"
    assert escape("Poppy's") == "Poppy's"


def test_every_string_in_the_context_is_escaped():
    setting = poppys().model_copy(update={"name": "<b>Bold</b>"})
    context = build_context(setting, PARENTS, TODAY)
    assert context["name"] == "&lt;b&gt;Bold&lt;/b&gt;"


def test_parents_context_has_no_staff_only_data():
    parents = build_context(poppys(), PARENTS, TODAY)
    staff = build_context(poppys(), STAFF, TODAY)
    assert "staff_only" not in parents
    assert staff["staff_only"]["account_logins"].startswith("the leadership team")
    assert (parents["for_staff"], staff["for_staff"]) == (False, True)


def test_staff_only_values_lists_every_text():
    values = staff_only_values(poppys())
    assert any(v.startswith("the leadership team") for v in values)
    assert any("setting email address" in v for v in values)


def test_review_overdue_is_judged_against_today():
    setting = poppys()
    before = build_context(setting, STAFF, dt.date(2027, 10, 31))
    after = build_context(setting, STAFF, dt.date(2027, 11, 1))
    assert before["policies"]["social-media"]["review_overdue"] is False
    assert after["policies"]["social-media"]["review_overdue"] is True
    assert after["policies"]["social-media"]["next_review"] == "October 2027"


def test_view_switch_links_to_the_same_page_in_the_other_view():
    assert switch_href("index.html", PARENTS, True) == "staff/index.html"
    assert switch_href("index.html", STAFF, True) == "../index.html"
    page = "policies/social-media.html"
    assert switch_href(page, PARENTS, True) == "../staff/policies/social-media.html"
    assert switch_href(page, STAFF, True) == "../../policies/social-media.html"
    assert switch_href("induction.html", STAFF, False) == "../index.html"


def test_review_day_order_given_then_environment_then_epoch(monkeypatch):
    monkeypatch.delenv("POLICY_SITES_TODAY", raising=False)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 14 November 2023
    assert review_day() == dt.date(2023, 11, 14)
    monkeypatch.setenv("POLICY_SITES_TODAY", "2024-02-01")
    assert review_day() == dt.date(2024, 2, 1)
    assert review_day("2025-03-04") == dt.date(2025, 3, 4)
    monkeypatch.delenv("POLICY_SITES_TODAY")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH"):
        review_day()


def test_a_month_review_date_passes_after_its_last_day():
    due = PolicyDate.parse("2023-09")
    assert not due.passed(dt.date(2023, 9, 30))
    assert due.passed(dt.date(2023, 10, 1))
    assert PolicyDate.parse("2023-09-12").passed(dt.date(2023, 9, 13))
