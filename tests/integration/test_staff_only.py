"""Nothing staff-only reaches the parents' tree: no page, no search index entry, no sitemap line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from policy_sites.builder.site import build_setting
from policy_sites.check.checker import run_check
from policy_sites.context.variables import staff_only_values
from policy_sites.publish.snapshot import PublishError, publish
from policy_sites.settings.loader import load_setting
from tests.helpers import REPO, run_cli, tree_text

# Text that only staff-only pages and staff-only blocks of the sources contain.
STAFF_ONLY_WORDING = [
    "Staff-only details",
    "Staff quick reference",
    "Induction: phones and social media",
    "Staff only: account logins",
    "I understand that",
]


def parents_tree(sites: Path, slug: str) -> dict[str, str]:
    return {k: v for k, v in tree_text(sites / slug).items() if not k.startswith("staff/")}


@pytest.mark.parametrize("slug", ["halstead", "poppys"])
def test_parents_tree_holds_no_staff_only_material(built_sites, slug):
    secrets = staff_only_values(load_setting(REPO / "settings", slug)) + STAFF_ONLY_WORDING
    parents = parents_tree(built_sites, slug)
    assert "search/search_index.json" in parents and "sitemap.xml" in parents
    for path, text in parents.items():
        for secret in secrets:
            assert secret not in text, f"parents' {path} contains staff-only {secret!r}"
        assert "staff-details" not in text and "induction.html" not in text, path
    assert "<loc>https://policies.example.org/" in parents["sitemap.xml"], "sitemap is empty"
    assert 'name="robots" content="noindex' not in parents["index.html"]
    assert not (built_sites / slug / "staff-details.html").exists()
    assert not (built_sites / slug / "induction.html").exists()


@pytest.mark.parametrize("slug", ["halstead", "poppys"])
def test_staff_tree_has_the_staff_only_material(built_sites, slug):
    staff = tree_text(built_sites / slug / "staff")
    everything = "\n".join(staff.values())
    for secret in staff_only_values(load_setting(REPO / "settings", slug)):
        assert secret in everything, f"staff view lacks {secret!r}"
    assert "Staff-only details" in staff["staff-details.html"]
    assert 'name="robots" content="noindex, nofollow"' in staff["staff-details.html"]
    assert "Induction" in staff["induction.html"]
    index = staff["search/search_index.json"]
    assert "staff-details.html" in index and "induction.html" in index


def test_staff_only_block_in_a_public_source_shows_to_staff_only(built_sites):
    parents = (built_sites / "poppys" / "policies" / "social-media.html").read_text()
    staff = (built_sites / "poppys" / "staff" / "policies" / "social-media.html").read_text()
    assert "Staff only: account logins" in staff
    assert "Staff only: account logins" not in parents


def test_a_public_page_using_a_staff_only_value_fails_to_build(project_copy, edit, tmp_path):
    source = project_copy.docs_dir / "policies" / "social-media.md"
    edit(source, "## Who and what it covers", "{{ staff_only.account_logins }}\n\n## Who and what")
    result = build_setting(project_copy, "poppys", tmp_path / "site")
    assert not result.ok
    assert "'staff_only' is undefined" in result.error
    assert "docs/policies/social-media.md" in result.error


def test_staff_only_text_written_into_a_public_source_is_caught(project_copy, edit, tmp_path):
    secret = staff_only_values(load_setting(project_copy.settings_dir, "poppys"))[0]
    source = project_copy.docs_dir / "policies" / "social-media.md"
    edit(source, "## Who and what it covers", f"{secret}\n\n## Who and what it covers")
    result = build_setting(project_copy, "poppys", tmp_path / "site")
    assert not result.ok
    assert "staff-only material reached the parents' view" in result.error
    assert not (tmp_path / "site" / "poppys").exists()


ALARM = "Alarm code 4711 then hash"


def _add_staff_note(project, edit, note: str) -> None:
    edit(project.settings_dir / "poppys.yml", "  notes:\n", f"  notes:\n    - {note}\n")


def test_staff_only_text_split_by_formatting_is_caught_everywhere_a_visitor_looks(
    project_copy, edit, tmp_path
):
    _add_staff_note(project_copy, edit, ALARM)
    home = project_copy.docs_dir / "index.md"  # (partials come from the working folder's docs/)
    edit(home, "{% if for_staff %}", "Alarm code **4711** then hash.\n\n{% if for_staff %}")
    result = build_setting(project_copy, "poppys", tmp_path / "site")
    assert not result.ok
    for place in ("index.html", "search/search_index.json"):
        assert f"{place}: shows the staff-only text of staff_only.notes[0]" in result.error
    assert "4711" not in result.error, "the report repeats the staff-only text"


def test_a_leak_in_a_working_copy_behind_a_published_version_is_caught(
    project_copy, edit, tmp_path
):
    _add_staff_note(project_copy, edit, ALARM)
    source = project_copy.docs_dir / "policies" / "social-media.md"
    edit(source, "## Who and what it covers", "Alarm *code* 4711 then `hash`\n\n## Who and what")
    result = build_setting(project_copy, "poppys", tmp_path / "site")
    assert not result.ok
    assert (
        "policies/social-media.md (working copy): shows the staff-only text of "
        "staff_only.notes[0]" in result.error
    )


HONEST_CONTACTS = """  contacts:
    - name: Gemma Chapman
      role: Pre-school Manager
      phone: 07700 900123
    - name: Mary Smith
      role: Designated Safeguarding Lead
      email: mary.smith@example.org
    - name: Sam Patel
      role: Deputy Designated Safeguarding Lead
      phone: 07700 900456
"""


@pytest.mark.parametrize("slug", ["poppys", "halstead"])
def test_an_honest_contacts_list_with_public_words_builds(project_copy, tmp_path, slug):
    settings = project_copy.settings_dir / f"{slug}.yml"
    text = settings.read_text(encoding="utf-8").replace(
        "staff_only:\n", "staff_only:\n" + HONEST_CONTACTS
    )
    settings.write_text(text, encoding="utf-8")
    result = build_setting(project_copy, slug, tmp_path / "site")
    assert result.ok, result.error
    staff = (tmp_path / "site" / slug / "staff" / "staff-details.html").read_text()
    assert "07700 900456" in staff and "Sam Patel" in staff
    parents = tree_text(tmp_path / "site" / slug)
    assert not any(
        "07700" in text for path, text in parents.items() if not path.startswith("staff/")
    )


def test_the_portal_says_not_built_and_the_reasons_name_fields_not_text(
    project_copy, edit, tmp_path
):
    _add_staff_note(project_copy, edit, ALARM)
    home = project_copy.docs_dir / "index.md"
    edit(home, "{% if for_staff %}", "Alarm code 4711 *then* hash.\n\n{% if for_staff %}")
    report = tmp_path / "report.json"
    result = run_cli(project_copy, "build", "--jobs", "1", "--report", str(report))
    assert result.returncode == 1
    assert "FAILED  poppys:" in result.stdout + result.stderr
    assert "staff_only.notes[0]" in result.stdout + result.stderr
    reasons = {s["slug"]: s["reason"] for s in json.loads(report.read_text())["settings"]}
    assert "staff_only.notes[0]" in reasons["poppys"] and reasons["halstead"] is None
    portal = (project_copy.default_out / "index.html").read_text(encoding="utf-8")
    assert "Not built</span>" in portal and "staff_only" not in portal
    for text in (result.stdout, result.stderr, report.read_text(), portal):
        assert "4711" not in text, "a staff-only text was repeated"


def test_a_failures_reason_is_redacted_of_staff_only_text(project_copy, edit, tmp_path):
    _add_staff_note(project_copy, edit, ALARM)
    home = project_copy.docs_dir / "index.md"
    edit(
        home,
        "{% if for_staff %}",
        '{% include "Alarm code 4711 then hash.md" %}\n{% if for_staff %}',
    )
    result = build_setting(project_copy, "poppys", tmp_path / "site")
    assert not result.ok
    assert "[staff-only text]" in result.error and "4711" not in result.error


def test_a_federation_route_marked_staff_is_refused_not_shown_to_parents(project_copy, tmp_path):
    """The attack probe's case: 'visibility: staff' on a federation route in a setting's
    file was ignored and the route shown to parents. Now the build refuses it, naming the
    file, line and field, and builds nothing. (The probe used the front door, which now
    comes from the local authority register and is refused there:
    tests/unit/test_local_authority.py; Ofsted's line is the federation route the
    parents' pages always name.)"""
    settings = project_copy.settings_dir / "poppys.yml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(
        text + "contact_routes:\n  ofsted:\n    visibility: staff\n", encoding="utf-8"
    )
    result = build_setting(project_copy, "poppys", tmp_path / "site")
    assert not result.ok
    line = len(text.splitlines()) + 3
    assert f"poppys.yml:{line}: contact_routes.ofsted.visibility: " in result.error
    assert "cannot be 'staff'" in result.error and "Traceback" not in result.error
    assert not (tmp_path / "site" / "poppys").exists()


def test_a_staff_only_routes_number_hidden_in_an_attribute_or_a_comment_is_caught(
    project_copy, edit, tmp_path
):
    """The Chair's own phone (poppys' whistleblowing_contact, visibility: staff) in a
    link's title, and in a comment in fullwidth digits with a combining grapheme joiner:
    the number used to count as a public value, and attributes and comments went unread."""
    home = project_copy.docs_dir / "index.md"
    edit(
        home,
        "{% if for_staff %}",
        '<span title="Ring 01632 960202">Ring the Chair</span>\n\n{% if for_staff %}',
    )
    source = project_copy.docs_dir / "policies" / "social-media.md"
    hidden = "\uff10\uff11\uff16\uff13\uff12 96\u034f0202"
    edit(source, "## Who and what it covers", f"<!-- {hidden} -->\n\n## Who and what it covers")
    result = build_setting(project_copy, "poppys", tmp_path / "site")
    assert not result.ok
    assert "index.html: shows the staff-only text of whistleblowing_contact.phone" in result.error
    assert (
        "policies/social-media.md (working copy): shows the staff-only text of "
        "whistleblowing_contact.phone" in result.error
    )
    assert "960202" not in result.error and "\uff10" not in result.error


def test_checks_findings_never_quote_staff_only_text(project_copy, edit):
    """A prose warning about the staff view quotes the sentence it is about, and went to
    CI logs with the staff-only note in it (an '&' in it, escaped or not, slipped past)."""
    note = "Ask Smith & Jones for the the gate code 4711"
    _add_staff_note(project_copy, edit, f'"{note}"')
    report = run_check(project_copy, dt.date(2026, 11, 24), slugs=["poppys"])
    doubled = [f for f in report.findings if "doubled word" in f.message]
    assert doubled, [f.message for f in report.findings]
    assert all("[staff-only text]" in f.message for f in doubled)
    shown = json.dumps(report.as_dict())
    for part in ("Smith", "4711", "gate code"):
        assert part not in shown, part


def test_publishs_failure_is_redacted_of_staff_only_text(project_copy, edit, monkeypatch):
    # After the examples' newest version (ratified 2026-12-05), whatever SOURCE_DATE_EPOCH
    # the run has (.ci/run sets one in November 2026, when that day is still to come).
    monkeypatch.setenv("POLICY_SITES_TODAY", "2026-12-05")
    _add_staff_note(project_copy, edit, "Smith & Jones gate code 4711")
    source = project_copy.docs_dir / "policies" / "social-media.md"
    edit(
        source,
        "## Who and what it covers",
        '{% include "Smith &amp; Jones gate code 4711.md" %}\n\n## Who and what it covers',
    )
    with pytest.raises(PublishError) as caught:
        publish(project_copy, "poppys", "2026-27b", "2026-12-05", "2027-09")
    message = str(caught.value)
    assert "did not build" in message and "[staff-only text]" in message
    assert "4711" not in message and "Jones" not in message
