"""The guidance register, contact routes and related policies: facts, checks and visibility."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from policy_sites.context.variables import build_context, staff_only_values
from policy_sites.context.views import PARENTS, STAFF
from policy_sites.settings.loader import DEFAULTS_FILE, SettingsError, load_setting
from policy_sites.settings.schema import editions_in_force, replacement_for
from tests.helpers import REPO, settings_beside_sources

POLICIES = ["mobile-and-smart-technology", "social-media"]


@pytest.fixture
def settings_dir(tmp_path: Path) -> Path:
    return settings_beside_sources(tmp_path, DEFAULTS_FILE, "poppys.yml", "halstead.yml")


def problems_after(settings_dir: Path, file: str, old: str, new: str, slug: str = "poppys"):
    path = settings_dir / file
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(SettingsError) as caught:
        load_setting(settings_dir, slug, POLICIES)
    return caught.value.problems


@pytest.mark.parametrize(
    ("today", "cited"),
    [
        (dt.date(2026, 11, 24), ["kcsie-2025", "eyfs-group-2025", "working-together-2023"]),
        (dt.date(2021, 9, 13), ["kcsie-2021", "eyfs-2021", "working-together-2018"]),
        (dt.date(2020, 10, 15), ["kcsie-2020", "eyfs-2017", "working-together-2018"]),
    ],
)
def test_policies_cite_the_editions_in_force_that_day(today, cited):
    register = load_setting(REPO / "settings", "poppys").guidance_register
    assert [e.id for e in editions_in_force(register, today)] == cited


def test_a_replaced_edition_names_the_newest_in_force():
    register = load_setting(REPO / "settings", "halstead").guidance_register
    today = dt.date(2026, 11, 24)
    assert replacement_for(register, "kcsie-2022", today).id == "kcsie-2025"
    assert replacement_for(register, "eyfs-2017", today).id == "eyfs-group-2025"
    assert replacement_for(register, "kcsie-2025", today) is None
    assert replacement_for(register, "kcsie-2022", dt.date(2023, 8, 31)) is None


def test_the_context_cites_what_is_in_force(settings_dir):
    setting = load_setting(settings_dir, "poppys", POLICIES)
    cited = build_context(setting, PARENTS, dt.date(2026, 11, 24))["guidance"]
    assert [g["edition"] for g in cited] == ["2025", "September 2025", "2023"]
    assert cited[1]["title"].endswith("for group and school-based providers")


def test_a_register_entry_replacing_an_unknown_edition_is_an_error(settings_dir):
    [problem] = problems_after(
        settings_dir, DEFAULTS_FILE, "replaces: kcsie-2024", "replaces: kcsie-2042"
    )
    assert problem.file.name == DEFAULTS_FILE and problem.line
    assert problem.field == "guidance_register[5].replaces"
    assert "'kcsie-2042' is not the id of an edition in the register" in problem.message


def test_a_register_id_used_twice_is_an_error(settings_dir):
    [problem] = problems_after(settings_dir, DEFAULTS_FILE, "id: kcsie-2021", "id: kcsie-2020")
    assert "id 'kcsie-2020' is used twice" in problem.message


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("phone: 01632 960201", "phone: ring the office", "phone number as digits"),
        ("email: office@poppys.example.org", "email: office at poppys", "email address"),
    ],
)
def test_a_contact_that_is_not_a_number_or_address_is_an_error(settings_dir, old, new, words):
    [problem] = problems_after(settings_dir, "poppys.yml", old, new)
    assert problem.field.startswith("contact.") and words in problem.message
    assert problem.line


def test_an_unknown_related_policy_is_an_error(settings_dir):
    [problem] = problems_after(
        settings_dir, "poppys.yml", "  complaints:\n    url:", "  complaint:\n    url:"
    )
    assert "'complaint' is not a policy the shared text knows: give its title" in problem.message
    assert "complaints" in problem.message


def test_any_other_policy_may_be_listed_with_its_title(settings_dir):
    """The set of policies is open: other_policies takes any id with its title, and the
    policies that go with a policy may name it."""
    path = settings_dir / "poppys.yml"
    text = path.read_text().replace(
        "other_policies:\n",
        "other_policies:\n  lost-child:\n    title: Lost child procedure\n"
        "    url: https://poppys.example.org/lost-child.pdf\n",
        1,
    )
    path.write_text(text)
    setting = load_setting(settings_dir, "poppys", POLICIES)
    links = build_context(setting, PARENTS, dt.date(2026, 11, 24))["related_policy_links"]
    assert links["lost-child"] == {
        "title": "Lost child procedure",
        "url": "https://poppys.example.org/lost-child.pdf",
    }
    assert links["complaints"]["title"] == "Complaints procedure"


def test_a_staff_only_route_never_reaches_the_parents_context(settings_dir):
    setting = load_setting(settings_dir, "poppys", POLICIES)
    today = dt.date(2026, 11, 24)
    assert build_context(setting, PARENTS, today)["whistleblowing_contact"] is None
    staff = build_context(setting, STAFF, today)["whistleblowing_contact"]
    assert staff["phone"] == "01632 960202"
    secrets = staff_only_values(setting)
    assert "01632 960202" in secrets  # the Chair's own phone: staff only
    # The Chair's email is public too (concerns about leaders), so it is no secret.
    assert "chair@poppys.example.org" not in secrets


def test_related_policies_link_where_an_address_is_known(settings_dir):
    setting = load_setting(settings_dir, "halstead", POLICIES)
    links = build_context(setting, PARENTS, dt.date(2026, 11, 24))["related_policy_links"]
    assert links["complaints"]["url"].endswith("/policies/complaints.pdf")
    assert links["behaviour"] == {"title": "Behaviour policy", "url": None}
    assert {"allegations", "whistleblowing", "complaints"} <= set(links)


def test_a_staff_only_routes_web_form_is_staff_only_too(settings_dir):
    path = settings_dir / "poppys.yml"
    form = "https://poppys.example.org/staff/raise-a-concern"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  visibility: staff\n", f"  web: {form}\n  visibility: staff\n"))
    setting = load_setting(settings_dir, "poppys", POLICIES)
    assert form in staff_only_values(setting)
    assert build_context(setting, PARENTS, dt.date(2026, 11, 24))["whistleblowing_contact"] is None
