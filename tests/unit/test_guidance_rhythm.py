"""The guidance register's rhythm: check notices when a newer edition is due and the
register has none (issue 19), and the typed fields that say how guidance is reissued."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from policy_sites.check.drift import register_behind
from policy_sites.check.findings import WARNING
from policy_sites.project import Project
from policy_sites.settings.loader import (
    DEFAULTS_FILE,
    SettingsError,
    load_setting,
)
from policy_sites.settings.schema import GuidanceEdition, MonthDay, editions_due
from tests.helpers import REPO, settings_beside_sources

POLICIES = ["mobile-and-smart-technology", "social-media"]


def as_on_5_december(text: str) -> str:
    """The federation's file with its register as it was on 5 December 2026, before the
    register learnt its rhythm: no 2026 editions, no ``reissued`` or ``in_force_each``."""
    kept: list[str] = []
    skipping = False
    for line in text.splitlines(keepends=True):
        if line.startswith("  - id: "):
            skipping = bool(re.match(r"  - id: \S+-2026$", line.rstrip()))
        elif not line.startswith("    "):
            skipping = False
        if skipping or re.match(r"    (reissued|in_force_each|schools_only):", line):
            continue
        kept.append(line)
    return "".join(kept)


@pytest.fixture
def old_register(tmp_path: Path) -> Path:
    """A settings folder (in a project folder) whose federation file has the old register."""
    folder = settings_beside_sources(tmp_path, "poppys.yml", "halstead.yml")
    text = (REPO / "settings" / DEFAULTS_FILE).read_text(encoding="utf-8")
    (folder / DEFAULTS_FILE).write_text(as_on_5_december(text), encoding="utf-8")
    return folder


def test_the_old_register_really_is_the_old_one(old_register):
    register = load_setting(old_register, "poppys", POLICIES).guidance_register
    assert [e.id for e in register if "2026" in e.id] == []
    assert all(e.reissued is None and e.in_force_each is None for e in register)
    assert [e.id for e in register][-1] == "working-together-2023"


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (dt.date(2026, 8, 31), []),
        (dt.date(2026, 9, 1), ["KCSIE 2026"]),  # in force that day: the register is behind
        (dt.date(2026, 9, 2), ["KCSIE 2026"]),
        (dt.date(2026, 12, 5), ["KCSIE 2026"]),
    ],
)
def test_the_old_register_falls_behind_on_1_september_2026(old_register, today, due):
    register = load_setting(old_register, "halstead", POLICIES).guidance_register
    assert [d.named() for d in editions_due(register, today)] == due


def test_the_warning_names_the_edition_due_the_file_and_the_line(old_register):
    project = Project(old_register.parent)
    settings = {slug: load_setting(old_register, slug, POLICIES) for slug in ("poppys", "halstead")}
    assert register_behind(project, settings, dt.date(2026, 8, 31)) == []
    found = set(register_behind(project, settings, dt.date(2026, 9, 2)))
    assert len(found) == 1  # one register, shared by both settings: one warning
    [finding] = found
    lines = (old_register / DEFAULTS_FILE).read_text().splitlines()
    assert lines[finding.line - 1] == "  - id: kcsie-2025"
    assert finding.file.endswith(DEFAULTS_FILE) and finding.severity is WARNING
    assert finding.message == (
        "KCSIE 2026 was due in force by 1 September 2026; the register's newest is 2025 "
        "(kcsie-2025)"
    )
    assert finding.fix.startswith(f"add it to guidance_register in {finding.file}")
    assert "replaces: kcsie-2025" in finding.fix


def test_the_current_register_is_up_to_date_until_kcsie_2027_is_due():
    register = load_setting(REPO / "settings", "poppys", POLICIES).guidance_register
    assert editions_due(register, dt.date(2026, 12, 5)) == []
    assert editions_due(register, dt.date(2027, 8, 31)) == []
    [due] = editions_due(register, dt.date(2027, 9, 2))
    assert (due.named(), due.newest.id) == ("KCSIE 2027", "kcsie-2026")


def edition(id: str, in_force: str, replaces: str | None = None, **more) -> GuidanceEdition:
    return GuidanceEdition(
        id=id,
        title="Example Guidance",
        edition=id.rsplit("-", 1)[1],
        in_force=in_force,
        replaces=replaces,
        **more,
    )


def test_a_yearly_rhythm_given_on_the_first_edition_carries_to_its_successors():
    register = [
        edition("eg-2024", "2024-04-06", reissued="yearly", in_force_each="04-06"),
        edition("eg-2025", "2025-04-06", "eg-2024"),
    ]
    assert editions_due(register, dt.date(2026, 4, 5)) == []
    [due] = editions_due(register, dt.date(2026, 4, 6))
    assert due.when() == "was due in force by 6 April 2026"
    assert due.named() == "Example Guidance 2026"


def test_guidance_said_to_come_every_few_years_is_never_guessed_yearly():
    # Two editions a year apart on the same day would look yearly, but the register says not.
    register = [
        edition("eg-2024", "2024-09-01", reissued="every_few_years"),
        edition("eg-2025", "2025-09-01", "eg-2024"),
    ]
    assert editions_due(register, dt.date(2040, 1, 1)) == []
    register[0] = edition("eg-2024", "2024-09-01")
    assert [d.named() for d in editions_due(register, dt.date(2026, 9, 1))] == [
        "Example Guidance 2026"
    ]


def test_editions_years_apart_have_no_due_date_without_expected_by():
    register = [edition("eg-2018", "2018-07"), edition("eg-2023", "2023-12", "eg-2018")]
    assert editions_due(register, dt.date(2040, 1, 1)) == []


@pytest.mark.parametrize(
    ("expected_by", "quiet_on", "due_on", "when"),
    [
        ("2027-03", dt.date(2027, 3, 31), dt.date(2027, 4, 1), "was expected by March 2027"),
        ("2027-03-19", dt.date(2027, 3, 19), dt.date(2027, 3, 20), "was expected by 19 March 2027"),
    ],
)
def test_an_expected_by_date_warns_once_it_has_passed(expected_by, quiet_on, due_on, when):
    register = [
        edition("wt-2023", "2023-12", reissued="every_few_years"),
        edition("wt-2026", "2026-03-19", "wt-2023", expected_by=expected_by),
    ]
    assert editions_due(register, quiet_on) == []
    [due] = editions_due(register, due_on)
    assert (due.named(), due.when()) == ("a newer edition of Example Guidance", when)


def test_a_newer_edition_in_the_register_ends_the_warning_even_before_it_is_in_force():
    register = [
        edition("eg-2024", "2024-09-01", reissued="yearly", in_force_each="09-01"),
        edition("eg-2025", "2025-09-01", "eg-2024", expected_by="2025-06"),
    ]
    assert editions_due(register, dt.date(2025, 7, 1))  # expected by June: not added yet
    register.append(edition("eg-2026", "2026-09-01", "eg-2025"))
    assert editions_due(register, dt.date(2026, 7, 1)) == []  # published, not yet in force


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("02-29", "February has no day 29"),
        ("13-01", "month 13 is not between 01 and 12"),
        ("1 September", "expected a day of the year written MM-DD"),
    ],
)
def test_a_day_of_the_year_that_is_not_one_is_refused(text, words):
    with pytest.raises(ValueError, match=words):
        MonthDay.parse(text)


@pytest.fixture
def settings_dir(tmp_path: Path) -> Path:
    return settings_beside_sources(tmp_path, "poppys.yml", "halstead.yml")


def problem_after(settings_dir: Path, old: str, new: str):
    path = settings_dir / DEFAULTS_FILE
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(SettingsError) as caught:
        load_setting(settings_dir, "poppys", POLICIES)
    [problem] = caught.value.problems
    assert problem.file.name == DEFAULTS_FILE and problem.line
    return problem


@pytest.mark.parametrize(
    ("old", "new", "field", "words"),
    [
        (
            "    in_force_each: 09-01\n",
            "",
            "guidance_register[0].in_force_each",
            "guidance reissued yearly needs in_force_each",
        ),
        (
            "    reissued: yearly\n",
            "",
            "guidance_register[0].in_force_each",
            "in_force_each is only for guidance with reissued: yearly",
        ),
        (
            "in_force_each: 09-01",
            "in_force_each: 09-31",
            "guidance_register[0].in_force_each",
            "September has no day 31",
        ),
        (
            "    reissued: yearly\n",
            "    reissued: annually\n",
            "guidance_register[0].reissued",
            "yearly",
        ),
    ],
)
def test_a_rhythm_that_does_not_fit_names_file_line_and_field(settings_dir, old, new, field, words):
    problem = problem_after(settings_dir, old, new)
    assert problem.field == field
    assert words in problem.message
    lines = (settings_dir / DEFAULTS_FILE).read_text().splitlines()
    assert lines[problem.line - 1].strip().split(":")[0] in {"in_force_each", "reissued", "- id"}
