"""Shards split a federation exactly; the portal rows and page say what is due."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil

import pytest
from click.testing import CliRunner

from policy_sites.builder.federation import in_shard, missing_shards, parse_shard
from policy_sites.builder.portal import (
    PolicyState,
    PolicySummary,
    SettingSummary,
    fresh_until,
    portal_leaks,
    render_portal,
    rows,
    summarise,
    table_counts,
)
from policy_sites.cli.main import cli
from policy_sites.project import Project
from policy_sites.settings.loader import load_setting
from tests.helpers import REPO

SLUGS = [f"setting-{i:03d}" for i in range(300)]


@pytest.mark.parametrize("n", [1, 2, 3, 7])
def test_shards_are_disjoint_and_cover_every_setting(n: int) -> None:
    shares = [{s for s in SLUGS if in_shard(s, k, n)} for k in range(1, n + 1)]
    assert set().union(*shares) == set(SLUGS)
    assert sum(len(share) for share in shares) == len(SLUGS)
    assert all(share for share in shares)


@pytest.mark.parametrize(
    ("slug", "of_4", "of_7"),
    [("poppys", 2, 6), ("halstead", 3, 4), ("setting-000", 3, 2), ("setting-299", 1, 4)],
)
def test_a_settings_shard_depends_on_its_name_alone(slug: str, of_4: int, of_7: int) -> None:
    """Pinned: the same in every process and release (not Python's salted ``hash``), so
    adding a setting or re-running a CI matrix moves no other setting between shards."""
    assert [k for k in range(1, 5) if in_shard(slug, k, 4)] == [of_4]
    assert [k for k in range(1, 8) if in_shard(slug, k, 7)] == [of_7]


@pytest.mark.parametrize("text", ["0/2", "3/2", "2", "a/b", "1/0", ""])
def test_bad_shards_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="K/N"):
        parse_shard(text)


def test_a_good_shard_parses() -> None:
    assert parse_shard("2/4") == (2, 4)


SUMMARY_JSON = {
    "slug": "acorns",
    "name": "Acorns <script>",
    "parents": "acorns/index.html",
    "staff": "acorns/staff/index.html",
    "policies": [
        {
            "id": "a",
            "title": "A policy",
            "version": "2022-23",
            "ratified": "2022-09-12",
            "next_review": "2023-09",
        },
        {
            "id": "b",
            "title": "B policy",
            "version": None,
            "ratified": None,
            "next_review": "2024-03",
        },
    ],
}
SUMMARY = SettingSummary.from_json(SUMMARY_JSON)


def test_a_summary_is_kept_as_json_and_read_back_unchanged() -> None:
    assert SUMMARY.to_json() == SUMMARY_JSON
    assert SUMMARY.policies[1] == PolicySummary("b", "B policy", next_review="2024-03")
    failed = SUMMARY.failed("Staff view: invalid settings")
    assert SettingSummary.from_json(failed.to_json()) == failed
    assert failed.error == "Staff view: invalid settings" and failed.policies == SUMMARY.policies


def test_overdue_means_after_the_last_day_of_the_review_month() -> None:
    on_time = rows([SUMMARY], dt.date(2023, 9, 30))
    late = rows([SUMMARY], dt.date(2023, 10, 1))
    assert [r.overdue for r in on_time] == [False, False]
    assert [r.overdue for r in late] == [True, False]


def test_a_site_is_fresh_until_its_next_review_passes() -> None:
    assert fresh_until(SUMMARY, dt.date(2023, 1, 1)) == "2023-09-30"
    assert fresh_until(SUMMARY, dt.date(2023, 10, 1)) == "2024-03-31"
    assert fresh_until(SUMMARY, dt.date(2025, 1, 1)) is None


def test_the_portal_escapes_names_and_flags_overdue_policies() -> None:
    page = render_portal(rows([SUMMARY], dt.date(2023, 10, 1)), dt.date(2023, 10, 1))
    assert "Acorns &lt;script&gt;" in page and "Acorns <script>" not in page
    assert page.count("Review overdue") == 1
    assert 'href="acorns/staff/index.html"' in page
    assert "12 September 2022" in page and "Not published" in page


def never_published(project: Project) -> None:
    """poppys as a setting that never published: no versions, and no ratified dates (which
    only publishing gives) in its settings file."""
    shutil.rmtree(project.settings_dir / "poppys" / "versions")
    path = project.settings_dir / "poppys.yml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if "ratified:" not in line), encoding="utf-8")


def test_the_portal_and_status_word_every_policy_alike(project_copy: Project) -> None:
    """One wording (PolicyState) for the Status column of the portal, of ``status``'s
    table and of its CSV and JSON: a policy never published, one up to date, a site not
    built. (``status`` once said '-' and 'ok' where the portal said 'not published'.)"""
    never_published(project_copy)
    day = dt.date(2026, 11, 24)
    summaries = [summarise(project_copy, slug) for slug in ("halstead", "poppys")]
    table = rows([*summaries, SUMMARY.failed("its build failed")], day)
    expected = {
        ("acorns", "a"): PolicyState.NOT_BUILT,
        ("acorns", "b"): PolicyState.NOT_BUILT,
        ("halstead", "mobile-and-smart-technology"): PolicyState.UP_TO_DATE,
        ("halstead", "social-media"): PolicyState.UP_TO_DATE,
        ("poppys", "mobile-and-smart-technology"): PolicyState.NOT_PUBLISHED,
        ("poppys", "social-media"): PolicyState.NOT_PUBLISHED,
    }
    assert {(row.slug, row.policy): row.state for row in table} == expected
    assert all(not row.ratified for row in table if row.state is PolicyState.NOT_PUBLISHED)

    portal = render_portal(table, day)
    for state in (PolicyState.NOT_BUILT, PolicyState.NOT_PUBLISHED, PolicyState.UP_TO_DATE):
        assert portal.count(f">{state.value}<") == 2, state

    args = ["status", "--project", str(project_copy.root), "--today", day.isoformat()]
    runner = CliRunner(env={"COLUMNS": "200"})
    printed = runner.invoke(cli, args).output
    assert printed.count(f"│ {PolicyState.NOT_PUBLISHED.value} ") == 2, printed
    assert printed.count(f"│ {PolicyState.UP_TO_DATE.value} ") == 2, printed
    assert " ok " not in printed and "│ - " not in printed
    as_json = json.loads(runner.invoke(cli, [*args, "--format", "json"]).output)
    assert {(r["slug"], r["policy"]): r["state"] for r in as_json["rows"]} == {
        key: state.value for key, state in expected.items() if key[0] != "acorns"
    }
    as_csv = runner.invoke(cli, [*args, "--format", "csv"]).output.splitlines()
    assert as_csv[0].endswith(",error,state")
    assert sum(line.endswith(",Not published") for line in as_csv) == 2


def test_status_says_a_lost_versions_folder_is_missing_not_unpublished(
    project_copy: Project,
) -> None:
    """A versions folder deleted while the settings file keeps its ratified dates is a
    loss to restore, as the build says, not 'Not published': one line, and status fails."""
    shutil.rmtree(project_copy.settings_dir / "poppys" / "versions")
    lost = (
        "published versions: settings/poppys/versions: is missing, but settings/poppys.yml:72 "
        "records a ratified date (policies.mobile-and-smart-technology.ratified and 1 more), "
        "which only publishing gives: its published versions were deleted. Restore them "
        "from git"
    )
    args = ["status", "--project", str(project_copy.root), "--today", "2026-12-05"]
    runner = CliRunner(env={"COLUMNS": "1000"})
    as_json = runner.invoke(cli, [*args, "--format", "json"])
    assert as_json.exit_code == 1
    poppys = [row for row in json.loads(as_json.output)["rows"] if row["slug"] == "poppys"]
    assert [row["state"] for row in poppys] == [PolicyState.NOT_BUILT.value]
    assert poppys[0]["error"].startswith(lost) and "\n" not in poppys[0]["error"]
    table = runner.invoke(cli, args)
    assert table.exit_code == 1 and isinstance(table.exception, SystemExit)
    assert f"│ Not built: {lost}" in table.output
    assert PolicyState.NOT_PUBLISHED.value not in table.output
    assert "Traceback" not in table.output


def test_a_portal_row_showing_a_staff_only_text_is_caught() -> None:
    project = Project(REPO)
    summary = summarise(project, "poppys", public=True)  # the examples' rows are clean
    setting = load_setting(project.settings_dir, "poppys")
    assert portal_leaks(setting, summary) == []
    secret = setting.staff_only.account_logins
    leaky = dataclasses.replace(summary, name=f"Poppy's ({secret})")  # as a regression might
    assert portal_leaks(setting, leaky) == ["staff_only.account_logins"]


def test_overdue_means_one_thing_in_the_status_column_the_count_and_the_csv() -> None:
    """A policy never published shows "Not published", even once its working copy's
    review date has passed: neither the count under the table nor the CSV's and JSON's
    'overdue' may call it overdue (found by two trials, one answer each time)."""
    table = rows([SUMMARY], dt.date(2025, 1, 1))  # both review dates have passed
    assert [r.state for r in table] == [PolicyState.OVERDUE, PolicyState.NOT_PUBLISHED]
    assert [r.overdue for r in table] == [True, False]
    assert [r.as_dict()["overdue"] for r in table] == [True, False]
    assert table_counts(table) == "1 setting, 2 policies, 1 overdue"


def test_missing_shards_are_named() -> None:
    def reports(*shards: str | None) -> list[dict]:
        return [{"shard": shard} for shard in shards]

    assert missing_shards(reports("1/3", "2/3", "3/3")) is None
    assert missing_shards(reports(None)) is None  # a build without shards
    assert missing_shards(reports("2/3")) == "shards 1/3 and 3/3"
    assert missing_shards(reports("1/2", "1/3")) == "reports from builds split 2 and 3 ways"
