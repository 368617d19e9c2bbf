"""Federation builds for real: incremental decisions, parallel and shard output, shared
assets, the portal, the status table and the report. Five settings (the two examples and
three synthetic ones) keep each build to a few seconds."""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench.synthetic import write_synthetic_settings
from policy_sites.builder.federation import (
    BuildOptions,
    FederationReport,
    assemble_portal,
    build_federation,
)
from policy_sites.builder.site import BuildStatus
from policy_sites.builder.state import STATE_FILE
from policy_sites.cli.main import cli
from policy_sites.project import Project
from policy_sites.settings.loader import setting_slugs
from tests.conftest import copy_project
from tests.helpers import REPO, run_cli
from tests.links import broken_link, page_links, site_root_path

EPOCH = "1830000000"  # 28 December 2027, after the examples' next reviews (October 2027)
SYNTHETIC = 3


def make_federation(root: Path) -> Project:
    project = copy_project(root)
    write_synthetic_settings(REPO / "settings", root, SYNTHETIC, versions=True)
    return project


def slugs_of(project: Project) -> set[str]:
    return set(setting_slugs(project.settings_dir))


def build(project: Project, out: Path, **options: object) -> FederationReport:
    return build_federation(project, None, out, BuildOptions(**{"jobs": 1, **options}))


def statuses(report: FederationReport) -> dict[str, set[str]]:
    return {s.value: {r.slug for r in report.of(s)} for s in BuildStatus}


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.delenv("POLICY_SITES_TODAY", raising=False)


@pytest.fixture(scope="module")
def examples_built_once(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Path]:
    """The examples built into a site folder once for the module, every setting built."""
    root = tmp_path_factory.mktemp("examples")
    project = copy_project(root / "project")
    assert statuses(build(project, root / "site"))["built"] == slugs_of(project)
    return project, root / "site"


@pytest.fixture
def built(examples_built_once: tuple[Project, Path], tmp_path: Path) -> tuple[Project, Path]:
    """A copy of ``examples_built_once`` (sources, settings and site) for one test to change."""
    project, site = examples_built_once
    shutil.copytree(project.root, tmp_path / "project")
    shutil.copytree(site, tmp_path / "site")
    return Project(tmp_path / "project"), tmp_path / "site"


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, Path]]:
    """One federation built serially with SOURCE_DATE_EPOCH set, never modified."""
    root = tmp_path_factory.mktemp("federation")
    project = make_federation(root / "project")
    with pytest.MonkeyPatch.context() as env:  # module-scoped, so not the monkeypatch fixture
        env.setenv("SOURCE_DATE_EPOCH", EPOCH)
        env.delenv("POLICY_SITES_TODAY", raising=False)
        report = build(project, root / "site")
        assert report.ok, [r.error for r in report.of(BuildStatus.FAILED)]
        yield project, root / "site"


# --- incremental decisions -------------------------------------------------------------


def test_a_no_op_rebuild_skips_every_setting_and_touches_nothing(
    built: tuple[Project, Path],
) -> None:
    project_copy, out = built
    page = out / "poppys" / "index.html"
    stamp = page.stat().st_mtime_ns
    again = build(project_copy, out)
    assert statuses(again) == {"built": set(), "skipped": slugs_of(project_copy), "failed": set()}
    assert page.stat().st_mtime_ns == stamp


def test_one_settings_file_change_rebuilds_only_that_setting(
    built: tuple[Project, Path], edit: Callable[[Path, str, str], None]
) -> None:
    project_copy, out = built
    edit(project_copy.settings_dir / "poppys.yml", "name: Poppy's", "name: Poppy's Place")
    report = build(project_copy, out)
    assert statuses(report)["built"] == {"poppys"}
    assert statuses(report)["skipped"] == {"halstead"}
    assert "Poppy's Place" in (out / "poppys" / "index.html").read_text(encoding="utf-8")
    assert "Poppy's Place" in html.unescape((out / "index.html").read_text(encoding="utf-8"))


def test_a_shared_source_change_rebuilds_every_setting(built: tuple[Project, Path]) -> None:
    project_copy, out = built
    partial = project_copy.docs_dir / "_partials" / "phrases.md"
    partial.write_text(partial.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert statuses(build(project_copy, out))["built"] == slugs_of(project_copy)


def test_force_and_a_deleted_output_folder_rebuild_everything(
    built: tuple[Project, Path],
) -> None:
    project_copy, out = built
    assert statuses(build(project_copy, out, force=True))["built"] == slugs_of(project_copy)
    (out / STATE_FILE).unlink()
    assert statuses(build(project_copy, out))["built"] == slugs_of(project_copy)


def test_a_removed_setting_leaves_the_site_and_the_portal(built: tuple[Project, Path]) -> None:
    project_copy, out = built
    (project_copy.settings_dir / "halstead.yml").unlink()
    report = build(project_copy, out)
    assert statuses(report)["skipped"] == {"poppys"}
    assert not (out / "halstead").exists() and (out / "poppys" / "index.html").is_file()
    assert "halstead/index.html" not in (out / "index.html").read_text(encoding="utf-8")


def test_a_failing_setting_keeps_its_site_and_does_not_stop_the_others(
    built: tuple[Project, Path], edit: Callable[[Path, str, str], None]
) -> None:
    project_copy, out = built
    before = tree(out / "poppys")
    edit(project_copy.settings_dir / "poppys.yml", "staff_keep_phones:", "staff_keep_phone:")
    report = build(project_copy, out, force=True, jobs=2)
    assert statuses(report) == {"built": {"halstead"}, "skipped": set(), "failed": {"poppys"}}
    (failure,) = report.of(BuildStatus.FAILED)
    assert "staff_keep_phone" in failure.reason and "\n" not in failure.reason
    assert tree(out / "poppys") == before
    assert not list(out.glob(".*.building"))
    # still failing next time: it is tried again, not skipped
    assert statuses(build(project_copy, out))["failed"] == {"poppys"}
    portal = (out / "index.html").read_text(encoding="utf-8")
    assert "Not built" in portal and "staff_keep_phone" not in portal, "the portal gives a reason"


# --- identical output: parallel, reproducible, shards ------------------------------------


def test_parallel_output_is_byte_identical_to_serial(
    reference: tuple[Project, Path], tmp_path: Path, epoch: None
) -> None:
    project, serial = reference
    parallel = build(project, tmp_path / "site", jobs=2)
    assert parallel.ok and len(parallel.of(BuildStatus.BUILT)) == len(slugs_of(project))
    assert tree(tmp_path / "site") == tree(serial)


def test_two_builds_with_source_date_epoch_are_byte_identical(
    reference: tuple[Project, Path], tmp_path: Path, epoch: None
) -> None:
    project, first = reference
    second = build(project, tmp_path / "again")
    assert second.ok
    assert tree(tmp_path / "again") == tree(first)
    assert b"2027-12-28" in (first / "poppys" / "sitemap.xml").read_bytes()


def test_shards_split_the_settings_and_their_union_is_the_full_build(
    reference: tuple[Project, Path], tmp_path: Path, epoch: None
) -> None:
    project, full = reference
    reports, built = [], []
    for k in (1, 2, 3):
        out = tmp_path / f"shard{k}"
        report = build_federation(project, None, out, BuildOptions(jobs=1, shard=(k, 3)))
        assert report.ok and report.portal is None
        reports.append(report.to_json())
        built.append({r.slug for r in report.results})
        for slug in built[-1]:
            assert tree(out / slug) == tree(full / slug)
        assert (out / "assets" / "stylesheets").is_dir()
    assert set().union(*built) == slugs_of(project)
    assert sum(len(b) for b in built) == len(slugs_of(project))
    portal = assemble_portal(project, reports, tmp_path / "portal")
    assert portal.read_bytes() == (full / "index.html").read_bytes()
    # Found by a trial: a portal from some of the reports listed some settings, silently.
    paths = []
    for k, report in enumerate(reports, 1):
        paths.append(tmp_path / f"report{k}.json")
        paths[-1].write_text(json.dumps(report), encoding="utf-8")
    partial = run_cli(project, "portal", "--report", str(paths[0]), "--out", str(tmp_path / "p"))
    assert partial.returncode == 1
    assert "the reports leave out shards 2/3 and 3/3" in partial.stderr
    assert not (tmp_path / "p").exists()


# --- shared assets, portal, status, report -----------------------------------------------


def test_theme_assets_are_written_once_and_every_local_link_resolves(
    reference: tuple[Project, Path],
) -> None:
    project, out = reference
    assert (out / "assets" / "stylesheets").is_dir()
    assert list((out / "assets" / "javascripts" / "workers").glob("search.*.min.js"))
    for slug in slugs_of(project):
        assert not (out / slug / "assets").exists()
        assert not (out / slug / "staff" / "assets").exists()
    broken, checked = [], 0
    root_path = site_root_path(project.root)
    for page in sorted(out.rglob("*.html")):
        for link in page_links(page):  # the search worker's address included
            checked += 1
            if why := broken_link(out, page, link, root_path):
                broken.append(f"{page.relative_to(out)}: {link}: {why}")
    assert not broken, broken[:20]
    assert checked > 500


def test_pages_link_to_the_shared_assets_one_or_two_folders_up(
    reference: tuple[Project, Path],
) -> None:
    _, out = reference
    parents = (out / "poppys" / "index.html").read_text(encoding="utf-8")
    staff = (out / "poppys" / "staff" / "policies" / "social-media.html").read_text("utf-8")
    assert re.search(r'"search": "\.\./assets/javascripts/workers/search\.[0-9a-f]+', parents)
    assert 'href="../../../assets/stylesheets/main.' in staff


def test_the_portal_lists_every_setting_with_both_views(reference: tuple[Project, Path]) -> None:
    project, out = reference
    page = (out / "index.html").read_text(encoding="utf-8")
    links = page_links(out / "index.html")
    for slug in slugs_of(project):
        assert f"{slug}/index.html" in links
        assert f"{slug}/staff/index.html" in links
    for link in links:
        assert broken_link(out, out / "index.html", link) is None, link
    assert "Review overdue" in page  # the examples' next reviews were due in 2027-10
    assert 'id="filter"' in page and "aria-sort" in page


def test_status_as_csv_and_json(reference: tuple[Project, Path]) -> None:
    project, _ = reference
    runner = CliRunner()
    args = ["status", "--project", str(project.root), "--today", "2027-11-01"]
    as_csv = runner.invoke(cli, [*args, "--format", "csv"])
    assert as_csv.exit_code == 0, as_csv.output
    lines = as_csv.output.splitlines()
    assert lines[0].startswith("setting,slug,policy,title,version,ratified,next_review,overdue")
    poppys = [line for line in lines if ",poppys," in line]
    assert len(poppys) == 2 and all(",True," in line for line in poppys)
    assert all("2026-27" in line for line in poppys)
    as_json = runner.invoke(cli, [*args, "--format", "json"])
    body = json.loads(as_json.output)
    assert body["today"] == "2027-11-01"
    assert {row["slug"] for row in body["rows"]} == slugs_of(project)
    assert {row["overdue"] for row in body["rows"] if row["slug"] == "halstead"} == {True}
    earlier = json.loads(runner.invoke(cli, [*args[:-1], "2027-10-31", "--format", "json"]).output)
    assert {row["overdue"] for row in earlier["rows"] if row["slug"] == "halstead"} == {False}
    table = runner.invoke(cli, args)
    assert "overdue" in table.output and "Poppy's" in table.output


def test_the_build_command_reports_in_plain_lines_and_json(
    project_copy: Project, tmp_path: Path
) -> None:
    report_file = tmp_path / "report.json"
    args = ["build", "--project", str(project_copy.root), "--out", str(tmp_path / "site")]
    runner = CliRunner()
    first = runner.invoke(cli, [*args, "--jobs", "2", "--report", str(report_file)])
    assert first.exit_code == 0, first.output
    assert re.search(r"^built +poppys", first.output, re.M)
    assert "2 built, 0 skipped as unchanged, 0 failed" in first.output
    body = json.loads(report_file.read_text(encoding="utf-8"))
    assert body["counts"] == {"built": 2, "skipped": 0, "failed": 0}
    assert {s["slug"] for s in body["settings"]} == {"halstead", "poppys"}
    again = runner.invoke(cli, args)
    assert "skipped poppys (unchanged)" in again.output
    assert "0 built, 2 skipped as unchanged, 0 failed" in again.output
    bad = runner.invoke(cli, [*args, "--shard", "3/2"])
    assert bad.exit_code != 0 and "K/N" in bad.output


def test_a_setting_called_assets_is_refused(project_copy: Project, tmp_path: Path) -> None:
    (project_copy.settings_dir / "assets.yml").write_bytes(
        (project_copy.settings_dir / "halstead.yml").read_bytes()
    )
    report = build(project_copy, tmp_path / "site")
    assert statuses(report)["failed"] == {"assets"}
    assert "shared theme files" in report.of(BuildStatus.FAILED)[0].reason
    assert (tmp_path / "site" / "assets" / "stylesheets").is_dir()
