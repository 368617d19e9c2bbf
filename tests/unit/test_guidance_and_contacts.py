"""The guidance register, contact routes and related policies: facts, checks and visibility."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from policy_sites.context.leak_check import LeakCheck, plain_text
from policy_sites.context.variables import (
    build_context,
    contact_routes_in,
    escape_url,
    public_values,
    staff_only_fields,
    staff_only_values,
)
from policy_sites.context.views import PARENTS, STAFF
from policy_sites.settings.loader import (
    DEFAULTS_FILE,
    SettingsError,
    load_setting,
    staff_only_values_of,
)
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
        (dt.date(2026, 11, 24), ["kcsie-2026", "eyfs-group-2026", "working-together-2026"]),
        (dt.date(2026, 8, 31), ["kcsie-2025", "eyfs-group-2025", "working-together-2026"]),
        (dt.date(2026, 3, 18), ["kcsie-2025", "eyfs-group-2025", "working-together-2023"]),
        (dt.date(2021, 9, 13), ["kcsie-2021", "eyfs-2021", "working-together-2018"]),
        (dt.date(2020, 10, 15), ["kcsie-2020", "eyfs-2017", "working-together-2018"]),
    ],
)
def test_policies_cite_the_editions_in_force_that_day(today, cited):
    setting = load_setting(REPO / "settings", "poppys")
    assert [e.id for e in setting.guidance_in_force(today)] == cited
    in_force = [e.id for e in editions_in_force(setting.guidance_register, today)]
    schools = ["mobile-phones-in-schools-2026"] if today >= dt.date(2026, 1, 19) else []
    assert in_force == cited + schools  # no provision of Poppy's is part of a school


def test_a_replaced_edition_names_the_newest_in_force():
    register = load_setting(REPO / "settings", "halstead").guidance_register
    today = dt.date(2026, 11, 24)
    assert replacement_for(register, "kcsie-2022", today).id == "kcsie-2026"
    assert replacement_for(register, "eyfs-2017", today).id == "eyfs-group-2026"
    assert replacement_for(register, "working-together-2023", today).id == "working-together-2026"
    assert replacement_for(register, "kcsie-2026", today) is None
    assert replacement_for(register, "kcsie-2022", dt.date(2023, 8, 31)) is None


def test_the_context_cites_what_is_in_force(settings_dir):
    setting = load_setting(settings_dir, "poppys", POLICIES)
    cited = build_context(setting, PARENTS, dt.date(2026, 11, 24))["guidance"]
    assert [g["edition"] for g in cited] == ["2026", "September 2026", "2026"]
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


def test_schools_guidance_is_cited_only_where_a_provision_is_part_of_a_school(settings_dir):
    today = dt.date(2026, 12, 5)
    setting = load_setting(settings_dir, "poppys", POLICIES)
    assert "Mobile phones in schools" not in [e.title for e in setting.guidance_in_force(today)]
    path = settings_dir / "poppys.yml"
    old = "  - name: Pre-school\n    school_age: false\n"
    path.write_text(path.read_text().replace(old, old + "    in_school: true\n", 1))
    setting = load_setting(settings_dir, "poppys", POLICIES)
    cited = [e.id for e in setting.guidance_in_force(today)]
    assert cited[-1] == "mobile-phones-in-schools-2026"
    context = build_context(setting, PARENTS, today)
    assert context["in_school"] and context["school_provisions"] == ["Pre-school"]
    assert context["guidance"][-1]["edition"] == "updated January 2026"
    assert [e.id for e in setting.guidance_in_force(dt.date(2026, 1, 18))][-1] != cited[-1]


@pytest.mark.parametrize("route", ["ofsted"])
def test_a_route_the_parents_pages_always_show_cannot_be_staff_only(settings_dir, route):
    """The parents' pages name each federation route: 'staff' would leak it or leave
    parents with no way to act, so it is refused, naming the field's line. (The area's
    LADO and front door are refused the same way in their register entry:
    tests/unit/test_local_authority.py.)"""
    text = (settings_dir / "poppys.yml").read_text()
    (settings_dir / "poppys.yml").write_text(
        text + f"contact_routes:\n  {route}:\n    visibility: staff\n"
    )
    with pytest.raises(SettingsError) as caught:
        load_setting(settings_dir, "poppys", POLICIES)
    [problem] = caught.value.problems
    assert problem.field == f"contact_routes.{route}.visibility"
    assert problem.file.name == "poppys.yml"
    assert problem.line == len(text.splitlines()) + 3
    assert "parents' pages always tell people how to reach" in problem.message
    assert "delete 'visibility: staff'" in problem.message


def test_every_contact_route_is_found_wherever_the_schema_puts_it(settings_dir):
    setting = load_setting(settings_dir, "poppys", POLICIES)
    routes = contact_routes_in(setting)
    assert {
        ("concerns_about_leaders",),
        ("whistleblowing_contact",),
        ("local_authority", "lado"),
        ("local_authority", "front_door"),
        ("contact_routes", "ofsted"),
    } <= set(routes)
    assert routes[("local_authority", "lado")].name == "Kent's County LADO service"


def test_a_staff_only_routes_number_is_watched_not_counted_as_public(settings_dir):
    """The Chair's own phone, on a staff-only route, must not count as a public value
    (it did: every value outside staff_only was public), so a page showing it leaks."""
    setting = load_setting(settings_dir, "poppys", POLICIES)
    public = public_values(setting)
    assert "01632 960202" not in public
    assert "chair@poppys.example.org" in public  # public too, by concerns_about_leaders
    check = LeakCheck(staff_only_fields(setting), public)
    assert check.fields_in(plain_text("<p>Ring 01632&nbsp;960202</p>")) == [
        "whistleblowing_contact.phone"
    ]


def test_a_staff_only_number_also_published_by_a_public_route_is_public(settings_dir):
    path = settings_dir / "poppys.yml"
    path.write_text(path.read_text().replace("  phone: 01632 960202\n", "  phone: 01632 960201\n"))
    setting = load_setting(settings_dir, "poppys", POLICIES)
    assert setting.whistleblowing_contact.phone == setting.contact.phone
    assert "whistleblowing_contact.phone" not in staff_only_fields(setting)
    check = LeakCheck(staff_only_fields(setting), public_values(setting))
    assert check.fields_in(plain_text("<p>Phone us on 01632 960201</p>")) == []


def test_an_other_policys_address_is_escaped_as_a_url(settings_dir):
    """A ')' in an other_policies address ended the Markdown link early: the address now
    gets a URL's escaping, as every other address does."""
    path = settings_dir / "halstead.yml"
    text = path.read_text()
    old = next(line for line in text.splitlines() if "/policies/complaints.pdf" in line)
    hostile = "https://example.org/a b/(x)\"q'<i>.pdf?c=1&d=2"
    path.write_text(text.replace(old, f"    url: {json.dumps(hostile)}"))
    setting = load_setting(settings_dir, "halstead", POLICIES)
    url = build_context(setting, PARENTS, dt.date(2026, 11, 24))["related_policy_links"][
        "complaints"
    ]["url"]
    assert url == escape_url(str(setting.other_policies["complaints"].url))
    assert not any(char in url for char in " ()\"'<>")
    assert "&amp;d=2" in url


@pytest.mark.parametrize("address", ["javascript:alert(1)", "data:text/html,x", "ftp://x.org/a"])
def test_an_other_policys_address_must_be_a_web_address(settings_dir, address):
    path = settings_dir / "halstead.yml"
    text = path.read_text()
    old = next(line for line in text.splitlines() if "/policies/complaints.pdf" in line)
    path.write_text(text.replace(old, f"    url: {json.dumps(address)}"))
    with pytest.raises(SettingsError) as caught:
        load_setting(settings_dir, "halstead", POLICIES)
    [problem] = caught.value.problems
    assert problem.field == "other_policies.complaints.url"


def test_the_loaders_messages_never_quote_a_staff_only_value(settings_dir):
    """'got a number, 4711: put it in quotes, '4711'' went to CI logs: a value YAML reads
    as a number is a staff-only text too (and so is how it was typed)."""
    [problem] = problems_after(
        settings_dir,
        "poppys.yml",
        "staff_only:\n",
        "staff_only:\n  contacts:\n    - name: Gate\n      phone: 4711\n",
    )
    assert problem.field == "staff_only.contacts[0].phone"
    assert "4711" not in problem.message and "[staff-only text]" in problem.message
    assert "put it in quotes" in problem.message  # still says what to do


def test_a_staff_only_date_is_hidden_as_python_shows_it(settings_dir):
    [problem] = problems_after(
        settings_dir, "poppys.yml", "  notes:\n", "  notes:\n    - 2026-01-01\n"
    )
    assert problem.field == "staff_only.notes[0]"
    assert "2026" not in problem.message and "[staff-only text]" in problem.message


def test_staff_only_values_of_reads_an_invalid_file(settings_dir):
    path = settings_dir / "poppys.yml"
    path.write_text(path.read_text().replace("staff_only:\n", "staff_only:\n  gate: 4711\n"))
    with pytest.raises(SettingsError):
        load_setting(settings_dir, "poppys", POLICIES)
    texts = staff_only_values_of(settings_dir, "poppys")
    assert 4711 in texts and "01632 960202" in texts
    assert "chair@poppys.example.org" not in texts  # public by concerns_about_leaders
    assert staff_only_values_of(settings_dir, "nobody") == []
