"""Published versions, end to end: publish for real, then build real sites from them."""

from __future__ import annotations

import errno
import hashlib
import html
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from filelock import FileLock

from policy_sites.builder.site import build_setting
from policy_sites.cli.main import cli
from policy_sites.project import Project
from policy_sites.publish.snapshot import publish, render_policies
from policy_sites.settings.schema import PolicyDate
from policy_sites.versions import store
from policy_sites.versions.store import REGISTER_FILE, VersionError, read_versions
from tests.conftest import copy_project
from tests.helpers import article_text, tree_text

LOGINS = "the leadership team, so that someone can reach the account in an emergency"
BLUETOOTH = "hide or turn off Bluetooth, AirDrop and any other way of sharing directly"


def _set(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _fresh(project: Project) -> Project:
    """The project copy with no published versions, whatever the examples hold (and no
    ratified dates, which only publishing gives: with them, versions were lost)."""
    for slug in ("poppys", "halstead"):
        shutil.rmtree(project.settings_dir / slug, ignore_errors=True)
        settings = project.settings_dir / f"{slug}.yml"
        lines = settings.read_text("utf-8").splitlines(keepends=True)
        settings.write_text("".join(x for x in lines if "ratified:" not in x), "utf-8")
    return project


@pytest.fixture(scope="module")
def two_years_once(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """Poppy's with 2021-22 (KCSIE 2021, no Bluetooth rule) and 2022-23 published for real,
    once for the module: publishing is two real builds a version.

    Each is published on a day in its own year, so the guidance register gives the editions
    then in force (KCSIE 2021, then KCSIE 2022)."""
    project = _fresh(copy_project(tmp_path_factory.mktemp("two-years") / "project"))
    poppys = project.settings_dir / "poppys.yml"
    _set(poppys, "hide_bluetooth_and_airdrop: true", "hide_bluetooth_and_airdrop: false")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("POLICY_SITES_TODAY", "2021-09-13")
        publish(project, "poppys", "2021-22", "2021-09-13", "2022-09")
        _set(poppys, "hide_bluetooth_and_airdrop: false", "hide_bluetooth_and_airdrop: true")
        monkeypatch.setenv("POLICY_SITES_TODAY", "2022-09-12")
        publish(project, "poppys", "2022-23", "2022-09-12", "2023-09")
    return project


@pytest.fixture
def two_years(two_years_once: Project, tmp_path: Path) -> Project:
    """A copy of ``two_years_once`` for one test to publish into, edit or break."""
    shutil.copytree(two_years_once.root, tmp_path / "two-years")
    return Project(tmp_path / "two-years")


def _build(project: Project, out: Path, slug: str = "poppys", preview: bool = False) -> Path:
    result = build_setting(project, slug, out, preview=preview)
    assert result.ok, result.error
    return result.site


def _files(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_publishing_freezes_exactly_the_rendered_text(
    two_years: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = read_versions(two_years.settings_dir, "poppys")
    monkeypatch.setenv("POLICY_SITES_TODAY", "2022-09-12")  # the editions in force then
    assert (old.label, new.label) == ("2021-22", "2022-23")
    # What a fresh, independent MkDocs build renders from the same working copy and dates.
    dates = {"social-media": (PolicyDate.parse("2022-09-12"), PolicyDate.parse("2023-09"))}
    for view in ("parents", "staff"):
        rendered = render_policies(two_years, "poppys", view, dates)["social-media"]
        assert new.text("social-media", view) == rendered
    staff, parents = new.text("social-media", "staff"), new.text("social-media", "parents")
    assert LOGINS in staff and LOGINS not in parents
    assert "{{" not in parents and "{%" not in parents
    assert "**Agreed and ratified by the committee:** 12 September 2022" in parents
    assert "*Keeping Children Safe in Education* (2022)" in parents
    assert "*Keeping Children Safe in Education* (2021)" in old.text("social-media", "parents")
    assert new.cites().startswith("KCSIE 2022") and old.cites().startswith("KCSIE 2021")
    meta = (new.folder / "version.yml").read_text(encoding="utf-8")
    for rel in ("parents/social-media.md", "staff/mobile-and-smart-technology.md"):
        digest = hashlib.sha256((new.folder / rel).read_bytes()).hexdigest()
        assert f"file: {rel}\n      sha256: {digest}" in meta


def test_one_policy_can_be_published_on_its_own(two_years: Project, tmp_path: Path) -> None:
    publish(two_years, "poppys", "2023-01-concern", "2023-01-20", "2023-09", ["social-media"])
    versions = read_versions(two_years.settings_dir, "poppys")
    assert versions[-1].policies == ["social-media"]
    site = _build(two_years, tmp_path)
    folder = site / "policies/social-media"
    history = article_text(folder / "history.html")
    assert "Compare with the current version" in history
    assert "2021-22 with 2023-01-concern" in history
    assert (folder / "changes-2021-22-to-2023-01-concern.html").is_file()
    mobile = article_text(site / "policies/mobile-and-smart-technology.html")
    assert "Version 2022-23 · ratified 12 September 2022" in mobile


def test_publishing_an_existing_label_is_refused(two_years: Project) -> None:
    folder = two_years.settings_dir / "poppys" / "versions" / "2022-23"
    before = _files(folder)
    result = CliRunner().invoke(
        cli,
        ["publish", "poppys", "--version", "2022-23", "--ratified", "2022-10-01",
         "--next-review", "2023-10", "--project", str(two_years.root)],
    )  # fmt: skip
    assert result.exit_code != 0
    assert "settings/poppys/versions/2022-23: version '2022-23' is already published" in (
        result.output
    )
    assert _files(folder) == before


def test_the_publish_command_writes_a_version(project_copy: Project) -> None:
    project = _fresh(project_copy)
    result = CliRunner().invoke(
        cli,
        ["publish", "halstead", "--version", "2020-21", "--ratified", "2020-10-05",
         "--next-review", "2021-10", "--policy", "social-media", "--project", str(project.root)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "published halstead 2020-21: social-media" in result.output
    (version,) = read_versions(project.settings_dir, "halstead")
    assert version.policies == ["social-media"] and version.ratified.iso() == "2020-10-05"


def test_site_shows_the_latest_published_version_not_the_working_copy(
    two_years: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    poppys = two_years.settings_dir / "poppys.yml"
    _set(poppys, "only on their lunch break, and only in the office", "at any time")
    site = _build(two_years, tmp_path / "site")
    for view in ("", "staff/"):
        text = article_text(site / view / "policies/social-media.html")
        assert "only on their lunch break, and only in the office" in text
        assert "at any time" not in text
        assert (
            "Version 2022-23 · ratified 12 September 2022 · review overdue since September 2023"
            in text
        )  # built today
        assert "Draft" not in text
    key = article_text(site / "policies/mobile-and-smart-technology.html")
    assert "Agreed and ratified by the committee: 12 September 2022" in key
    assert "Next review due: September 2023" in key
    # The preview shows the working copy, marked draft.
    preview = _build(two_years, tmp_path / "preview", preview=True)
    text = article_text(preview / "policies/social-media.html")
    assert "at any time" in text and "Draft — not yet ratified" in text
    assert "preview of the working copy" in text


def test_a_setting_with_nothing_published_shows_a_draft(
    project_copy: Project, tmp_path: Path
) -> None:
    site = _build(_fresh(project_copy), tmp_path, "halstead")
    text = article_text(site / "policies/social-media.html")
    assert "Draft — not yet ratified" in text
    assert "This policy has not been ratified yet" in text
    assert not (site / "policies/social-media/history.html").exists()
    assert "Versions and changes" not in (site / "index.html").read_text("utf-8")


def test_show_changes_switch_highlights_what_is_new(two_years: Project, tmp_path: Path) -> None:
    site = _build(two_years, tmp_path)
    markup = (site / "staff/policies/mobile-and-smart-technology.html").read_text("utf-8")
    assert '<label for="ps-show-changes">Show changes since 2021-22</label>' in markup
    marked = re.findall(r'<mark class="ps-new">(.*?)</mark>', markup)
    assert any(BLUETOOTH in m for m in marked)
    assert "(2022)," in marked and "12" in marked
    assert 'href="mobile-and-smart-technology/changes-2021-22-to-2022-23.html"' in markup


def test_a_hand_edited_frozen_file_fails_build_and_check(
    two_years: Project, tmp_path: Path
) -> None:
    frozen = two_years.settings_dir / "poppys/versions/2021-22/parents/social-media.md"
    frozen.write_text(frozen.read_text("utf-8").replace("kindness", "firmness"), "utf-8")
    result = build_setting(two_years, "poppys", tmp_path)
    assert not result.ok
    assert "settings/poppys/versions/2021-22/parents/social-media.md: was edited" in result.error
    assert not (tmp_path / "poppys").exists()
    check = CliRunner().invoke(cli, ["check", "--project", str(two_years.root)])
    assert check.exit_code != 0
    edited = r"settings/poppys/versions/2021-22/parents/social-media\.md(:\d+)?: was edited"
    assert re.search(edited, check.output), check.output


def test_a_build_never_rewrites_a_published_version(two_years: Project, tmp_path: Path) -> None:
    folder = two_years.settings_dir / "poppys"
    before = _files(folder)
    _build(two_years, tmp_path)
    assert _files(folder) == before


def test_history_lists_every_version_and_superseded_versions_say_so(
    two_years: Project, tmp_path: Path
) -> None:
    site = _build(two_years, tmp_path)
    for view in ("", "staff/"):
        folder = site / view / "policies/social-media"
        history = article_text(folder / "history.html")
        rows = re.findall(r"(20\d\d-\d\d)(?: \(current\))? (\d+ \w+ \d{4}) (\w+ \d{4})", history)
        assert rows == [
            ("2022-23", "12 September 2022", "September 2023"),
            ("2021-22", "13 September 2021", "September 2022"),
        ]
        assert "Changes in 2 sections: Key details and What this policy is for." in history
        assert "First published version." in history
        old = article_text(folder / "2021-22.html")
        assert (
            "This version was superseded on 12 September 2022 by version 2022-23 — "
            "read the current policy"
        ) in old
        assert (
            "*Keeping Children Safe" not in old
            and "Keeping Children Safe in Education (2021)" in old
        )
        assert 'href="../social-media.html"' in (folder / "2021-22.html").read_text("utf-8")
        current = article_text(folder / "2022-23.html")
        assert "superseded" not in current and "This is the current version" in current
    staff_old = article_text(site / "staff/policies/social-media/2021-22.html")
    assert LOGINS in staff_old
    for path, text in tree_text(site).items():
        if not path.startswith("staff/"):
            assert LOGINS not in text, path


def test_redline_marks_exactly_the_known_edit(two_years: Project, tmp_path: Path) -> None:
    site = _build(two_years, tmp_path)
    page = site / "policies/mobile-and-smart-technology/changes-2021-22-to-2022-23.html"
    markup = page.read_text("utf-8")
    body = markup[markup.index("<strong>Mobile and smart technology policy</strong>") :]
    inserted = re.findall(r"<ins>(.*?)</ins>", body)
    deleted = re.findall(r"<del>(.*?)</del>", body)
    # The ratified and next review dates, the KCSIE edition, and the new Bluetooth rule;
    # and the written date, which follows the version: the settings' September 2022 in
    # 2021-22 (later than its ratified day), 2022-23's ratified day, 12 September 2022.
    assert deleted == ["13", "2021", "2022", "(2021),"]
    assert inserted[:5] == ["12", "12", "2022", "2023", "(2022),"]
    assert len(inserted) == 6 and inserted[5].startswith(BLUETOOTH)
    summary = article_text(page)
    assert "Guidance cited: KCSIE 2021, EYFS 2021" in summary
    assert "Staff: 1 insertion" in summary
    assert 'href="#staff"' in markup and 'id="staff"' in markup
    assert "ps-redline-legend" in markup


def test_staff_see_an_overdue_review(
    two_years: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POLICY_SITES_TODAY", "2023-10-01")
    site = _build(two_years, tmp_path / "late")
    assert "Review overdue" in article_text(site / "staff/policies/social-media.html")
    parents = article_text(site / "policies/social-media.html")  # said plainly, not hidden
    assert "Review overdue" in parents and "That date has passed" in parents
    assert "review overdue since September 2023" in parents
    assert "next review September 2023" not in parents
    monkeypatch.setenv("POLICY_SITES_TODAY", "2023-09-30")
    site = _build(two_years, tmp_path / "on-time")
    assert "Review overdue" not in article_text(site / "staff/policies/social-media.html")
    assert "Review overdue" not in article_text(site / "policies/social-media.html")


def test_dates_nobody_recorded_are_published_as_not_recorded(
    project_copy: Project, tmp_path: Path
) -> None:
    project = _fresh(project_copy)
    version = publish(project, "halstead", "2020-21", "not recorded", "not recorded")
    assert version.ratified is None and version.next_review is None
    meta = (version.folder / "version.yml").read_text()
    assert "ratified: not recorded" in meta and "next_review: not recorded" in meta
    [again] = read_versions(project.settings_dir, "halstead")
    assert again.ratified is None
    text = version.text("mobile-and-smart-technology", "parents")
    assert "Agreed and ratified by the committee:** not recorded" in text
    later = publish(project, "halstead", "2026-27", "2026-10-06", "2027-10")
    assert [v.label for v in read_versions(project.settings_dir, "halstead")] == [
        "2020-21",
        "2026-27",
    ]
    site = _build(project, tmp_path, "halstead")
    old = article_text(site / "policies/mobile-and-smart-technology/2020-21.html")
    assert "ratified not recorded" in old
    assert f"superseded on 6 October 2026 by version {later.label}" in old


def test_frozen_text_is_never_rendered_again(project_copy: Project, tmp_path: Path, edit) -> None:
    """A value that looks like a template is text when frozen, and stays text when shown."""
    project = _fresh(project_copy)
    edit(
        project.settings_dir / "poppys.yml",
        "only on their lunch break, and only in the office",
        "only at {{ police_emergency }} o'clock",
    )
    version = publish(project, "poppys", "2022-23", "2022-09-12", "2023-09")
    frozen = version.text("social-media", "parents")  # the braces as character references
    assert "only at {{ police_emergency }} o'clock" in html.unescape(frozen)
    assert "only at 999 o'clock" not in frozen
    site = _build(project, tmp_path)
    for page in ("policies/social-media.html", "policies/social-media/2022-23.html"):
        text = article_text(site / page)
        assert "only at {{ police_emergency }} o'clock" in text, page
        assert "only at 999 o'clock" not in text, page


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--ratified", "2022-13-01"],
            "--ratified '2022-13-01': month 13 is not between 01 and 12",
        ),
        (["--next-review", "2021-09"], "--next-review 2021-09 is before --ratified 2022-09-12"),
        (["--version", "latest"], "version label 'latest': start with a digit"),
        (["--policy", "social-meda"], "poppys does not publish 'social-meda'"),
        (
            ["--ratified", "2999-01-02", "--next-review", "2999-09"],
            "--ratified 2999-01-02: that is after today",
        ),
    ],
)
def test_bad_publish_input_is_refused_with_a_reason(
    project_copy: Project, args: list[str], message: str
) -> None:
    project = _fresh(project_copy)
    options = {"--version": "2022-23", "--ratified": "2022-09-12", "--next-review": "2023-09"}
    extra = dict(zip(args[::2], args[1::2], strict=True))
    argv = ["publish", "poppys", "--project", str(project.root)]
    for key, value in {**options, **extra}.items():
        argv += [key, value]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code != 0
    assert message in result.output
    assert not (project.settings_dir / "poppys" / "versions").exists()


def test_publishing_on_top_of_an_edited_version_is_refused(two_years: Project) -> None:
    frozen = two_years.settings_dir / "poppys/versions/2022-23/staff/social-media.md"
    frozen.write_text(frozen.read_text("utf-8") + "\nExtra.\n", "utf-8")
    with pytest.raises(VersionError, match=r"2022-23/staff/social-media\.md: was edited"):
        publish(two_years, "poppys", "2023-24", "2023-09-11", "2024-09")
    assert not (two_years.settings_dir / "poppys/versions/2023-24").exists()


def _register(project: Project, slug: str) -> str:
    return (project.settings_dir / slug / "versions" / REGISTER_FILE).read_text("utf-8")


def test_a_second_publish_waits_for_the_first_and_then_gives_up_in_one_line(
    two_years: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two publishes at once would each read the register and write it back, losing one
    version from it: a publish holds the setting's versions folder while it writes."""
    root = two_years.settings_dir / "poppys" / "versions"
    before = _register(two_years, "poppys")
    monkeypatch.setattr(store, "LOCK_WAIT_SECONDS", 0.3)
    held = FileLock(str(root / store.LOCK_FILE))  # another publish, still writing
    heard: list[str] = []
    with held, pytest.raises(VersionError, match="another publish has held this folder"):
        publish(two_years, "poppys", "2023-24", "2023-09-11", "2024-09", on_wait=heard.append)
    assert heard == [f"another publish is writing into {root}; waiting for it to finish"]
    assert _register(two_years, "poppys") == before
    assert not (root / "2023-24").exists()
    publish(two_years, "poppys", "2023-24", "2023-09-11", "2024-09", on_wait=heard.append)
    assert len(heard) == 1, "a publish that need not wait says nothing"
    assert [v.label for v in read_versions(two_years.settings_dir, "poppys")][-1] == "2023-24"


def _contents(root: Path) -> dict[Path, bytes]:
    """Every file under a versions folder but publish's lock, with its bytes."""
    files = (p for p in root.rglob("*") if p.is_file() and p.name != store.LOCK_FILE)
    return {p.relative_to(root): p.read_bytes() for p in files}


@pytest.mark.parametrize("at", ["a frozen file", "the register"])
def test_a_full_disk_while_publishing_leaves_nothing_behind(
    two_years: Project, monkeypatch: pytest.MonkeyPatch, at: str
) -> None:
    root = two_years.settings_dir / "poppys" / "versions"
    before = _contents(root)
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    if at == "the register":
        monkeypatch.setattr(store, "_write_register", lambda *_: (_ for _ in ()).throw(full))
    else:
        real = Path.write_bytes

        def write_bytes(path: Path, data: bytes) -> int:
            if ".2023-24.writing" in str(path):
                raise full
            return real(path, data)

        monkeypatch.setattr(Path, "write_bytes", write_bytes)
    argv = ["publish", "poppys", "--version", "2023-24", "--ratified", "2023-09-11",
            "--next-review", "2024-09", "--project", str(two_years.root)]  # fmt: skip
    monkeypatch.setenv("POLICY_SITES_TODAY", "2023-09-11")
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert (
        result.output.strip()
        .splitlines()[-1]
        .endswith("2023-24: could not be written (No space left on device); nothing changed")
    ), result.output
    assert _contents(root) == before
    assert sorted(p.name for p in root.iterdir() if p.is_dir()) == ["2021-22", "2022-23"]
    monkeypatch.undo()
    monkeypatch.setenv("POLICY_SITES_TODAY", "2023-09-11")
    assert CliRunner().invoke(cli, argv).exit_code == 0, "a second try publishes"


def test_publish_says_which_dates_in_the_settings_file_now_tell_another_story(
    project_copy: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Poppy's file gives its policies' dates (2026-12-05, 2027-10): a version published
    with other dates is published, and the command names each line check will report."""
    monkeypatch.setenv("POLICY_SITES_TODAY", "2026-12-14")  # whatever SOURCE_DATE_EPOCH says
    project = project_copy  # its versions kept: the settings file's dates are theirs
    argv = ["publish", "poppys", "--version", "2026-27b", "--ratified", "2026-12-14",
            "--next-review", "2027-11", "--policy", "social-media",
            "--project", str(project.root)]  # fmt: skip
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 0, result.output
    poppys = (project.settings_dir / "poppys.yml").read_text("utf-8").splitlines()
    ratified = poppys.index("    ratified: 2026-12-05", poppys.index("  social-media:")) + 1
    assert (
        f"warning: settings/poppys.yml:{ratified}: policies.social-media.ratified is "
        "2026-12-05, but version 2026-27b says 2026-12-14: write the version's date there"
    ) in result.output
    assert "policies.social-media.next_review is 2027-10, but version 2026-27b says 2027-11" in (
        result.output
    )
    assert "mobile-and-smart-technology" not in result.output.split("published poppys")[1]


def test_a_draft_past_its_review_date_never_says_it_is_in_force(
    project_copy: Project, tmp_path: Path, edit
) -> None:
    """Nothing published, review date passed: the working copy is shown as a draft, and
    its Key details say the review is overdue without calling the draft "in force"."""
    shutil.rmtree(project_copy.settings_dir / "halstead")  # its published versions
    settings = project_copy.settings_dir / "halstead.yml"
    edit(settings, "  social-media: {}", "  social-media: {written: 2023-01, next_review: 2024-01}")
    result = build_setting(project_copy, "halstead", tmp_path)
    assert result.ok, result.error
    for view in ("", "staff/"):
        text = article_text(tmp_path / "halstead" / view / "policies/social-media.html")
        assert "Draft — not yet ratified" in text
        assert "Review overdue:" in text and "That date has passed." in text
        assert "in force" not in text, text[:600]


def test_a_version_published_after_its_ratified_day_cites_the_guidance_of_that_day(
    two_years: Project,
) -> None:
    """Found by a trial: a history put online later (ratified 11 September 2023, published
    now) cited KCSIE 2025, which came into force two years after the committee agreed the
    text. The text and its record cite what was in force on the ratified day."""
    version = publish(two_years, "poppys", "2023-24", "2023-09-11", "2024-09")
    assert version.cites().startswith("KCSIE 2023, EYFS 2021"), version.cites()
    text = version.text("social-media", "parents")
    assert "*Keeping Children Safe in Education* (2023)" in text
    assert "(2025)" not in text and "September 2025" not in text


def test_a_ratified_date_in_another_form_asks_for_the_one_form_it_takes(
    two_years: Project,
) -> None:
    """Found by a trial: '06/10/2026' was told a month would do, then a month was refused."""
    from policy_sites.publish.snapshot import PublishError

    with pytest.raises(PublishError) as refused:
        publish(two_years, "poppys", "2023-24", "06/10/2023", "2024-09")
    assert "expected the day it was ratified, as YYYY-MM-DD" in str(refused.value)
    assert "YYYY-MM " not in str(refused.value) and "YYYY-MM," not in str(refused.value)
