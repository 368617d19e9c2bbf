"""Settings files: every bad input gets an error naming the file, the line and the field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policy_sites.settings.loader import (
    DEFAULTS_FILE,
    SettingsError,
    load_setting,
    setting_slugs,
)
from policy_sites.settings.schema import PolicyDate
from tests.helpers import REPO, settings_beside_sources

POLICIES = ["mobile-and-smart-technology", "social-media"]


@pytest.fixture
def settings_dir(tmp_path: Path) -> Path:
    return settings_beside_sources(tmp_path, DEFAULTS_FILE, "poppys.yml")


def rewrite(settings_dir: Path, old: str, new: str) -> Path:
    path = settings_dir / "poppys.yml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return path


def line_of(path: Path, fragment: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if fragment in line:
            return number
    raise AssertionError(fragment)


def only_problem(settings_dir: Path):
    with pytest.raises(SettingsError) as caught:
        load_setting(settings_dir, "poppys", POLICIES)
    assert len(caught.value.problems) == 1, caught.value
    return caught.value.problems[0]


def test_example_settings_load():
    for slug in setting_slugs(REPO / "settings"):
        setting = load_setting(REPO / "settings", slug, POLICIES)
        assert setting.name and setting.dsls


def test_slugs_are_file_names_without_the_defaults_file():
    assert setting_slugs(REPO / "settings") == ["halstead", "poppys"]


def test_unknown_key_is_refused_with_a_suggestion(settings_dir):
    path = rewrite(settings_dir, "  signage: true", "  signge: true")
    problem = only_problem(settings_dir)
    assert problem.file == path
    assert problem.line == line_of(path, "signge")
    assert problem.field == "visitors.signge"
    assert "did you mean 'signage'" in problem.message


def test_misspelt_required_key_names_both_problems(settings_dir):
    rewrite(settings_dir, "staff_keep_phones:", "staff_keep_phone:")
    with pytest.raises(SettingsError) as caught:
        load_setting(settings_dir, "poppys", POLICIES)
    fields = {p.field: p.message for p in caught.value.problems}
    # The fact is one the mobile policy declares: the message says which source asks it.
    assert fields["phones.staff_keep_phones"] == (
        "is required but missing (mobile-and-smart-technology.md asks: Where do staff keep "
        "their personal phones? Written about staff ('their'), never 'my' or 'your'.)"
    )
    assert "did you mean 'staff_keep_phones'" in fields["phones.staff_keep_phone"]


def test_python_tags_are_refused_not_executed(settings_dir, tmp_path):
    marker = tmp_path / "pwned"
    path = rewrite(
        settings_dir,
        "name: Poppy's",
        f'name: !!python/object/apply:os.system ["touch {marker}"]',
    )
    problem = only_problem(settings_dir)
    assert not marker.exists()
    assert problem.line == line_of(path, "python/object")
    assert problem.field == "name"
    assert "not allowed" in problem.message


def test_next_review_before_ratified(settings_dir):
    path = rewrite(settings_dir, "    next_review: 2027-10", "    next_review: 2021-09")
    problem = only_problem(settings_dir)
    assert problem.field == "policies.mobile-and-smart-technology.next_review"
    assert problem.line == line_of(path, "2021-09")
    assert "before the ratified date 2026-12-05" in problem.message


def test_empty_dsls(settings_dir):
    text = (settings_dir / "poppys.yml").read_text()
    text = re.sub(r"dsls:\n(  .*\n)+", "dsls: []\n", text)
    (settings_dir / "poppys.yml").write_text(text)
    problem = only_problem(settings_dir)
    assert problem.field == "dsls"
    assert problem.message == "needs at least one entry"
    assert problem.line == line_of(settings_dir / "poppys.yml", "dsls: []")


def test_missing_name(settings_dir):
    rewrite(settings_dir, "name: Poppy's\n", "")
    problem = only_problem(settings_dir)
    assert (problem.field, problem.message) == ("name", "is required but missing")


def test_key_written_twice(settings_dir):
    path = rewrite(settings_dir, "manager: the Manager", "manager: the Manager\nmanager: Boss")
    problem = only_problem(settings_dir)
    assert problem.line == line_of(path, "manager: Boss")
    assert f"first on line {line_of(path, 'manager: the Manager')}" in problem.message


def test_dsl_for_an_unknown_provision(settings_dir):
    path = rewrite(settings_dir, "provision: Out-of-school club", "provision: Holiday club")
    problem = only_problem(settings_dir)
    assert problem.field == "dsls[1].provision"
    assert problem.line == line_of(path, "Holiday club")
    assert "'Holiday club'" in problem.message


def test_school_age_needs_children_devices(settings_dir):
    text = (settings_dir / "poppys.yml").read_text()
    text = re.sub(r"children_devices:\n(  .*\n)+", "", text)
    (settings_dir / "poppys.yml").write_text(text)
    problem = only_problem(settings_dir)
    assert problem.field == "children_devices"
    assert "school_age" in problem.message


def test_unknown_policy_is_named_with_a_suggestion(settings_dir):
    rewrite(settings_dir, "  social-media:\n    written", "  socal-media:\n    written")
    problem = only_problem(settings_dir)
    assert problem.field == "policies.socal-media"
    assert "did you mean 'social-media'" in problem.message


def test_invalid_yaml_names_the_line(settings_dir):
    path = rewrite(settings_dir, "manager: the Manager", "manager: [the Manager")
    problem = only_problem(settings_dir)
    assert problem.file == path
    assert "not valid YAML" in problem.message
    assert problem.line >= line_of(path, "manager: [the")


@pytest.mark.parametrize(
    ("new", "field", "usual_cause"),
    [
        # indented under the value above: YAML reads it into that value, then stops
        ("    staff_keep_phones: in", "phones.phone_free_when", "indented further"),
        ("\tstaff_keep_phones: in", "phones.phone_free_when", "does not allow tabs"),
        ("  staff_keep_phones in", "phones.phone_free_when", "missing its ':'"),
        (" staff_keep_phones: in", "phones", "indented differently"),
        ('  staff_keep_phones: "in', "phones.staff_keep_phones", None),
    ],
    ids=["too-deep", "tab", "no-colon", "too-shallow", "open-quote"],
)
def test_a_yaml_mistake_names_the_field_it_is_in_and_its_usual_cause(
    settings_dir, new, field, usual_cause
):
    path = rewrite(settings_dir, "  staff_keep_phones: in", new)
    problem = only_problem(settings_dir)
    assert problem.file == path and problem.line >= line_of(path, "phone_free_when:")
    assert problem.field == field
    assert problem.message.startswith("is not valid YAML at or just after this field: ")
    if usual_cause:
        assert "(usually: " in problem.message and usual_cause in problem.message
    assert "Traceback" not in str(problem)


def test_wrong_type_says_what_was_expected(settings_dir):
    rewrite(settings_dir, "  signage: true", "  signage: sometimes")
    problem = only_problem(settings_dir)
    assert problem.field == "visitors.signage"
    assert "expected true or false" in problem.message


def test_bad_date_format(settings_dir):
    rewrite(settings_dir, "    ratified: 2026-12-05", "    ratified: Sept 2026")
    problem = only_problem(settings_dir)
    assert problem.field == "policies.mobile-and-smart-technology.ratified"
    assert "YYYY-MM" in problem.message


def test_error_in_defaults_file_names_the_defaults_file(settings_dir):
    defaults = settings_dir / DEFAULTS_FILE
    defaults.write_text(defaults.read_text().replace("allegations_contact:", "allegation_contact:"))
    with pytest.raises(SettingsError) as caught:
        load_setting(settings_dir, "poppys", POLICIES)
    wrong = [p for p in caught.value.problems if p.field == "allegation_contact"]
    assert wrong and wrong[0].file == defaults
    assert "did you mean 'allegations_contact'" in wrong[0].message


def test_setting_overrides_a_federation_default(settings_dir):
    rewrite(
        settings_dir, "manager: the Manager", "manager: the Manager\nreview_frequency: every term"
    )
    setting = load_setting(settings_dir, "poppys", POLICIES)
    assert setting.review_frequency == "every term"
    assert setting.guidance_register[0].short_name == "KCSIE"  # untouched defaults still apply


def test_unknown_setting_suggests_the_nearest(settings_dir):
    with pytest.raises(SettingsError, match="did you mean 'poppys'"):
        load_setting(settings_dir, "popys", POLICIES)


def test_policy_dates_display_british_style():
    assert PolicyDate.parse("2022-09").display() == "September 2022"
    assert PolicyDate.parse("2022-09-12").display() == "12 September 2022"
    with pytest.raises(ValueError):
        PolicyDate.parse("2022-02-30")


def test_a_phrase_with_its_own_full_stop_is_refused(settings_dir):
    """The policy ends the sentence a phrase completes: 'during a session.' would print '..'."""
    old = next(
        line for line in (settings_dir / "poppys.yml").read_text().splitlines()
        if line.strip().startswith("phone_free_when:")
    )  # fmt: skip
    path = rewrite(settings_dir, old, old.rstrip() + ".")
    problem = only_problem(settings_dir)
    assert problem.field == "phones.phone_free_when"
    assert problem.line == line_of(path, "phone_free_when:")
    assert "completes a sentence: leave out the full stop at the end" in problem.message


def test_a_number_that_becomes_a_phone_link_must_be_a_phone_number(settings_dir):
    # Every number the pages link as tel: is checked as one; a hostile value is refused,
    # not squeezed into a link (the hostile-values property test found this one).
    path = rewrite(
        settings_dir,
        "name: Poppy's",
        "police_emergency: \"<a href='javascript:x'>\"\nname: Poppy's",
    )
    problem = only_problem(settings_dir)
    assert problem.field == "police_emergency"
    assert problem.line == line_of(path, "police_emergency")
    assert "phone number" in problem.message


def test_a_contact_route_needs_a_way_to_reach_it(settings_dir):
    path = rewrite(settings_dir, "  email: chair@poppys.example.org\n", "")
    problem = only_problem(settings_dir)
    assert problem.field == "concerns_about_leaders"
    assert problem.line == line_of(path, "concerns_about_leaders:")
    assert "no way to reach 'the Chair of the Committee': give a phone, an email or a web" in (
        problem.message
    )


def test_a_web_form_alone_is_a_way_to_reach_a_route(settings_dir):
    rewrite(settings_dir, "  email: chair@poppys.example.org\n",
            "  web: https://poppys.example.org/worries\n")  # fmt: skip
    route = load_setting(settings_dir, "poppys", POLICIES).concerns_about_leaders
    assert str(route.web) == "https://poppys.example.org/worries" and route.email is None


def test_a_route_the_policies_tell_people_to_phone_needs_a_phone(settings_dir):
    defaults = settings_dir / DEFAULTS_FILE
    text = defaults.read_text()
    defaults.write_text(text.replace("    phone: 0300 123 4666\n", "", 1))
    problem = only_problem(settings_dir)
    assert (problem.file, problem.field) == (defaults, "contact_routes.ofsted.phone")
    assert problem.line == next(n for n, t in enumerate(text.splitlines(), 1) if "ofsted:" in t)
    assert "the policies tell people to phone" in problem.message


@pytest.mark.parametrize(
    ("typed", "read_as"),
    [("01622123456", "239642414"), ("0163276", "59070"), ("999", "999")],
    ids=["octal", "short-octal", "plain-number"],
)
def test_a_phone_number_yaml_reads_as_a_number_is_refused_not_changed(settings_dir, typed, read_as):
    """Unquoted, 01622123456 is an octal number to YAML: taken as text it would show
    parents another number. Every phone field refuses a number and says to quote it."""
    path = rewrite(settings_dir, "  phone: 01632 960201", f"  phone: {typed}")
    problem = only_problem(settings_dir)
    assert (problem.file, problem.field) == (path, "contact.phone")
    assert problem.line == line_of(path, f"phone: {typed}")
    assert f"put it in quotes, '{typed}'" in problem.message
    if read_as != typed:
        assert f"YAML reads {typed} as a number, {read_as}" in problem.message
    rewrite(settings_dir, f"  phone: {typed}", f"  phone: '{typed}'")
    assert load_setting(settings_dir, "poppys", POLICIES).contact.phone == typed


def test_a_manager_written_with_a_comma_is_refused_with_a_way_to_write_it(settings_dir):
    """'Kerry, the owner' would read 'Please tell Kerry, the owner first.'"""
    path = rewrite(settings_dir, "manager: the Manager", "manager: Kerry, the owner")
    problem = only_problem(settings_dir)
    assert (problem.file, problem.field) == (path, "manager")
    assert problem.line == line_of(path, "manager: Kerry")
    assert "'tell Kerry, the owner first'" in problem.message
    assert "'our owner Kerry'" in problem.message
    rewrite(settings_dir, "manager: Kerry, the owner", "manager: our owner Kerry")
    assert load_setting(settings_dir, "poppys", POLICIES).manager == "our owner Kerry"


def test_an_empty_value_and_a_wrong_choice_are_said_in_plain_words(settings_dir):
    """Not pydantic's words ("expected text, got None", "Input should be ...")."""
    rewrite(settings_dir, "manager: the Manager", "manager:")
    problem = only_problem(settings_dir)
    assert problem.field == "manager"
    assert problem.message == "is empty: write a value after it, or delete the line"
    rewrite(settings_dir, "manager:", "manager: the Manager\nratifying_body: board")
    problem = only_problem(settings_dir)
    assert problem.field == "ratifying_body"
    assert problem.message == (
        "must be one of 'committee', 'trustees', 'owner', 'proprietor' or 'governors', got 'board'"
    )


def test_a_phrase_with_a_line_break_is_refused(settings_dir):
    """Found by a trial: 'in the kitchen only' followed by a Markdown heading and bullet
    in a '|' block was run into the sentence as plain text."""
    path = rewrite(
        settings_dir,
        "  staff_keep_phones: in their lockers",
        "  staff_keep_phones: |\n    in the kitchen only\n\n    # Heading\n    - bullet",
    )
    problem = only_problem(settings_dir)
    assert (problem.file, problem.field) == (path, "phones.staff_keep_phones")
    assert "write it on one line" in problem.message
