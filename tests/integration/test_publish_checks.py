"""publish freezes nothing that check calls an error, and check reads the working copy of
a published policy (issue 18, item 3), through the command line as an editor runs them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from policy_sites.builder.site import build_setting
from policy_sites.cli.main import cli
from policy_sites.project import Project
from policy_sites.publish.snapshot import publish
from policy_sites.versions.history import PolicyHistory
from policy_sites.versions.store import policy_history, read_versions
from tests.conftest import copy_project

# After the examples' newest version (2026-27.1, ratified 2026-12-05): a version is published
# in the order ratified and never dated after today, so the versions these tests publish are
# ratified in the days after it.
TODAY = "2027-01-11"
PUBLISHED = "ratified: 2026-12-05"  # the examples' dates, as in poppys.yml
RATIFIED = "2027-01-04"
GOOD = "internet_filtering: the filters on our setting-provided devices and systems"
# 'Access to the internet on setting devices is filtered by the filters , and ...': a
# value shown on the policy pages only, so once they are frozen nothing else shows it.
BAD = "internet_filtering: the filters , and our staff check every exit"


def _run(*argv: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(argv))
    return result.exit_code, result.output


def _settings(project: Project) -> Path:
    return project.settings_dir / "poppys.yml"


def _write(project: Project, old: str, new: str) -> None:
    path = _settings(project)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.setenv("POLICY_SITES_TODAY", TODAY)
    return copy_project(tmp_path / "project")


def _publish(project: Project, *extra: str) -> tuple[int, str]:
    return _run(
        "publish", "poppys", "--version", "2027-28", "--ratified", RATIFIED,
        "--next-review", "2027-09-01", "--project", str(project.root), *extra,
    )  # fmt: skip


def test_publish_refuses_what_check_calls_an_error_and_writes_nothing(
    project: Project, tmp_path: Path
) -> None:
    _write(project, GOOD, BAD)
    before = [v.label for v in read_versions(project.settings_dir, "poppys")]
    code, output = _publish(project)
    assert code == 1
    assert "'policy-sites check' reports" in output and "nothing was published" in output
    assert "settings/poppys.yml:67: internet_filtering:" in output
    assert "an empty value in the text" in output
    assert "Traceback" not in output
    assert [v.label for v in read_versions(project.settings_dir, "poppys")] == before
    # The draft still builds for preview.
    assert build_setting(project, "poppys", tmp_path / "site", preview=True).ok


def test_check_reads_the_working_copy_of_a_published_policy(project: Project) -> None:
    """Before, a fault frozen into a version left check --strict saying 'ok': the site's
    policy pages were frozen text, which check leaves out, and nothing else showed it."""
    publish(project, "poppys", "2027-28", RATIFIED, "2027-09-01")  # no check: the old way
    _write(project, GOOD, BAD)
    _write(project, PUBLISHED, f"ratified: {RATIFIED}")
    _write(project, "next_review: 2027-10", "next_review: 2027-09-01")
    code, output = _run("check", "--strict", "poppys", "--project", str(project.root))
    assert code == 1, output
    assert "settings/poppys.yml:67: internet_filtering:" in output
    assert "policies/mobile-and-smart-technology.html" in output
    # Said once, though both the site and its working copy were read.
    assert output.count("(parents' view) index.html") <= 1


def test_a_date_the_new_version_makes_true_does_not_stop_it(project: Project) -> None:
    """The editor writes the new dates into the settings first: check calls that an error
    until the version is published, so publishing it is allowed."""
    _write(project, PUBLISHED, f"ratified: {RATIFIED}")
    code, output = _publish(project)
    assert code == 0, output
    assert (
        dt.date(2027, 1, 4) == read_versions(project.settings_dir, "poppys")[-1].ratified.first_day
    )


def test_warnings_do_not_stop_a_publish(project: Project) -> None:
    long = "internet_filtering: " + " ".join(["the filters on our devices"] * 8)
    _write(project, GOOD, long)
    code, output = _publish(project)
    assert code == 0, output


def test_each_policy_gets_its_own_summary_or_says_its_text_did_not_change(
    project: Project,
) -> None:
    code, output = _publish(project, "--summary", "social-media=Gives home learning its own link")
    assert code == 0, output
    source = project.docs_dir / "policies" / "social-media.md"
    text = source.read_text(encoding="utf-8")
    rule = "- You may save and share photos that show only your own child.\n"
    source.write_text(text.replace(rule, rule + "- Never share a screenshot of it.\n"))
    code, output = _run(
        "publish", "poppys", "--version", "2028-29", "--ratified", "2027-01-08",
        "--next-review", "2027-09-01", "--summary", "Adds a rule on screenshots",
        "--project", str(project.root),
    )  # fmt: skip
    assert code == 0, output
    assert "mobile-and-smart-technology: no change to the text since 2027-28" in output
    assert "social-media: no change" not in output
    versions = read_versions(project.settings_dir, "poppys")
    lines = {}
    for policy in ("social-media", "mobile-and-smart-technology"):
        history = PolicyHistory(policy, "parents", tuple(policy_history(versions, policy)))
        lines[policy] = [history.summary(v) for v in history.versions[-2:]]
    assert lines["social-media"] == [
        "Gives home learning its own link",
        "Adds a rule on screenshots",
    ]
    assert lines["mobile-and-smart-technology"][1] == "No change to the text since 2027-28."
    # A summary for a policy not being published is refused, naming it.
    code, output = _run(
        "publish", "poppys", "--version", "2028-30", "--ratified", "2027-01-11",
        "--next-review", "2027-09-01", "--policy", "social-media",
        "--summary", "mobile-and-smart-technology=Wrong one", "--project", str(project.root),
    )  # fmt: skip
    assert code == 1
    assert "'mobile-and-smart-technology' is not among the policies being published" in output
