"""Issue 18's files and faults, piece by piece: files that are not files, dates that do not
exist, labels that end in a newline, lost versions folders, interrupted swaps and
publishes, writes that fail half-way, and malformed environment values.

Every test here fails without the fix it names."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy_sites import project as project_module
from policy_sites.builder.output import MARKER_FILE, owned_output, restore_interrupted_swap
from policy_sites.builder.site import build_setting
from policy_sites.builder.state import STATE_FILE, BuildState
from policy_sites.deploy.credentials import CredentialsError, CredentialsStore
from policy_sites.project import NotAPlainFile, Project, TooLarge, read_bounded
from policy_sites.publish.snapshot import PublishError, publish
from policy_sites.settings.loader import (
    DEFAULTS_FILE,
    MAX_FILE_BYTES,
    SettingsError,
    load_setting,
    read_yaml_document,
)
from policy_sites.settings.new_setting import write_new_setting
from policy_sites.settings.schema import PolicyDate
from policy_sites.versions.store import (
    META_FILE,
    REGISTER_FILE,
    VersionError,
    read_versions,
    write_version,
)
from tests.helpers import REPO, VERSION_TEXTS, version_details
from tests.strategies import settings_data


@pytest.fixture
def settings_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "settings"
    folder.mkdir()
    shutil.copy(REPO / "settings" / DEFAULTS_FILE, folder / DEFAULTS_FILE)
    shutil.copy(REPO / "settings" / "poppys.yml", folder / "poppys.yml")
    return folder


def problems_of(settings_dir: Path, slug: str = "poppys") -> list[str]:
    with pytest.raises(SettingsError) as caught:
        load_setting(settings_dir, slug)
    return [str(problem) for problem in caught.value.problems]


# --- files that are not files --------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_refused_not_waited_on(settings_dir: Path) -> None:
    """Reading a FIFO blocks until something writes to it: build and check hung."""
    (settings_dir / "poppys.yml").unlink()
    os.mkfifo(settings_dir / "poppys.yml")
    (problem,) = problems_of(settings_dir)
    assert problem.endswith(
        "poppys.yml: is a named pipe (FIFO), not a plain file; it must be a text file"
    )


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_link_to_a_device_is_refused_not_read_for_ever(settings_dir: Path) -> None:
    (settings_dir / "poppys.yml").unlink()
    (settings_dir / "poppys.yml").symlink_to("/dev/zero")
    (problem,) = problems_of(settings_dir)
    assert "poppys.yml: is a device, not a plain file" in problem


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_the_federation_defaults_as_a_pipe_are_refused_not_skipped(settings_dir: Path) -> None:
    """A defaults file that is not a file was silently left out of every setting."""
    (settings_dir / DEFAULTS_FILE).unlink()
    os.mkfifo(settings_dir / DEFAULTS_FILE)
    (problem,) = problems_of(settings_dir)
    assert f"{DEFAULTS_FILE}: is a named pipe (FIFO)" in problem


def test_a_folder_named_like_a_settings_file_is_named(settings_dir: Path) -> None:
    (settings_dir / "acorns.yml").mkdir()
    (problem,) = problems_of(settings_dir, "acorns")
    assert problem.endswith("acorns.yml: is a folder, not a plain file; it must be a text file")


def test_the_byte_limit_holds_while_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/proc files and devices report a size of 0: the limit must not trust st_size."""
    path = tmp_path / "big.yml"
    path.write_bytes(b"# " + b"x" * (MAX_FILE_BYTES * 2) + b"\n")
    real_fstat = os.fstat

    def size_zero(fd: int) -> os.stat_result:
        info = list(real_fstat(fd))
        info[6] = 0  # st_size
        return os.stat_result(info)

    monkeypatch.setattr(project_module.os, "fstat", size_zero)
    with pytest.raises(TooLarge) as caught:
        read_bounded(path, MAX_FILE_BYTES)
    assert caught.value.size is None
    with pytest.raises(SettingsError, match=f"big.yml:1: is more than {MAX_FILE_BYTES:,} bytes"):
        read_yaml_document(path)


def test_read_bounded_reads_a_file_within_its_limit(tmp_path: Path) -> None:
    path = tmp_path / "ok.txt"
    path.write_bytes(b"12345")
    assert read_bounded(path, 5) == b"12345"
    with pytest.raises(TooLarge):
        read_bounded(path, 4)
    with pytest.raises(NotAPlainFile):
        read_bounded(tmp_path, 4)


# --- dates that do not exist ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "reason"),
    [
        ("2026-09-31", "day is out of range for month"),
        ("2026-02-30", "day is out of range for month"),
        ("0000-01-01", "year 0 is out of range"),
    ],
)
def test_an_impossible_date_is_one_problem_naming_file_line_and_field(
    settings_dir: Path, date: str, reason: str
) -> None:
    """YAML reads an unquoted date itself, and Python cannot make 31 September: a traceback."""
    path = settings_dir / "poppys.yml"
    text = path.read_text(encoding="utf-8")
    assert "    ratified: 2026-12-05\n" in text
    path.write_text(text.replace("    ratified: 2026-12-05\n", f"    ratified: {date}\n", 1))
    line = text[: text.index("    ratified: 2026-12-05")].count("\n") + 1
    (problem,) = problems_of(settings_dir)
    assert f"poppys.yml:{line}: policies." in problem
    assert problem.endswith(
        f".ratified: '{date}' is not a real date ({reason}); write a date that exists, "
        "as YYYY-MM-DD (for example 2026-09-30)"
    )


def test_an_impossible_date_as_a_key_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "x.yml"
    path.write_text("notes:\n  2026-02-30: x\n")
    with pytest.raises(SettingsError, match=r"x.yml:2: notes: '2026-02-30' is not a real date"):
        read_yaml_document(path)


@pytest.mark.parametrize("text", ["0000-01", "0000-01-01", "2026-13", "2026-02-30"])
def test_a_quoted_impossible_date_is_refused_where_it_is_written(text: str) -> None:
    """Year 0 to the month was accepted, and failed later when its first day was needed."""
    with pytest.raises(ValueError):
        PolicyDate.parse(text)


# --- patterns that let a final newline through ---------------------------------------------


@pytest.mark.parametrize("label", ["2027-28\n", "x2027"])
def test_a_version_label_must_match_whole(tmp_path: Path, label: str) -> None:
    """``^...$`` with ``match`` let '2027-28\\n' through: its folder could never be read."""
    project = Project(tmp_path)
    with pytest.raises(PublishError, match="version label"):
        publish(project, "poppys", label, "2026-10-06", "2027-10")
    assert not (tmp_path / "settings").exists()  # refused before anything was written


# --- a whole versions folder deleted -------------------------------------------------------


@pytest.fixture
def published(settings_dir: Path) -> Path:
    """poppys with one published version, its ratified date recorded in its settings file."""
    write_version(settings_dir, "poppys", version_details("2026-27.1", "2026-12-05"), VERSION_TEXTS)
    assert "ratified: 2026-12-05" in (settings_dir / "poppys.yml").read_text(encoding="utf-8")
    return settings_dir / "poppys" / "versions"


@pytest.mark.parametrize("how", ["deleted", "emptied"])
def test_a_deleted_versions_folder_is_named_while_ratified_dates_remain(
    published: Path, how: str
) -> None:
    """The register lives in the folder: deleting the folder deleted its guard too."""
    shutil.rmtree(published)
    if how == "emptied":
        published.mkdir()
    with pytest.raises(VersionError) as caught:
        read_versions(published.parent.parent, "poppys")
    (problem,) = caught.value.problems
    state = "is missing" if how == "deleted" else "is empty"
    assert str(problem).startswith(
        f"settings/poppys/versions: {state}, but settings/poppys.yml:72 records a ratified date"
    )
    assert "git checkout -- settings/poppys/versions" in str(problem)


def test_no_versions_and_no_ratified_dates_is_a_setting_never_published(settings_dir: Path) -> None:
    path = settings_dir / "poppys.yml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if "ratified:" not in line), encoding="utf-8")
    assert read_versions(settings_dir, "poppys") == []


# --- a build stopped between the two renames of its swap -----------------------------------


def _stopped_mid_swap(out: Path, slug: str = "poppys") -> None:
    """The output as a build killed between ``site/poppys -> .poppys.old`` and
    ``.poppys.building -> site/poppys`` leaves it: no site, the previous one retired."""
    (out / f".{slug}.old" / "staff").mkdir(parents=True)
    (out / f".{slug}.old" / "index.html").write_text("previous site")
    (out / f".{slug}.old" / "staff" / "index.html").write_text("previous staff view")
    (out / f".{slug}.building").mkdir()
    (out / f".{slug}.building" / "index.html").write_text("the new site, maybe whole")
    (out / MARKER_FILE).write_text("")


def test_the_next_build_puts_back_a_site_caught_mid_swap(tmp_path: Path) -> None:
    root = tmp_path / "project"
    for folder in ("settings", "docs", "overrides", "macros"):
        (root / folder).mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: x\n")
    out = tmp_path / "site"
    out.mkdir()
    _stopped_mid_swap(out)
    with owned_output(Project(root), out):
        assert (out / "poppys" / "index.html").read_text() == "previous site"
        assert not (out / ".poppys.old").exists() and not (out / ".poppys.building").exists()


def test_a_failing_rebuild_after_a_stopped_swap_keeps_the_previous_site(
    project_copy: Project, tmp_path: Path
) -> None:
    """Before: the rebuild removed '.poppys.old' with the staging, then failed: no site."""
    project = project_copy
    path = project.settings_dir / "poppys.yml"
    text = path.read_text()
    assert "ratified: 2026-12-05" in text
    path.write_text(text.replace("ratified: 2026-12-05", "ratified: 2026-09-31"))
    out = tmp_path / "site"
    out.mkdir()
    _stopped_mid_swap(out)
    result = build_setting(project, "poppys", out)
    assert "is not a real date" in (result.error or "")
    assert (out / "poppys" / "index.html").read_text() == "previous site"
    assert (out / "poppys" / "staff" / "index.html").read_text() == "previous staff view"
    assert not (out / ".poppys.building").exists()


def test_a_retired_folder_beside_a_site_is_not_put_back(tmp_path: Path) -> None:
    (tmp_path / "poppys").mkdir()
    (tmp_path / ".poppys.old").mkdir()
    assert not restore_interrupted_swap(tmp_path / "poppys")
    assert (tmp_path / ".poppys.old").is_dir()  # the leftover clearing removes it


# --- a publish stopped half-way --------------------------------------------------------------


@pytest.fixture
def two_published(tmp_path: Path) -> Path:
    for label, ratified in (("2025-26", "2025-09-01"), ("2026-27", "2026-09-01")):
        write_version(tmp_path, "poppys", version_details(label, ratified), VERSION_TEXTS)
    return tmp_path / "poppys" / "versions"


def test_a_publish_stopped_after_its_register_is_completed_by_the_next_read(
    two_published: Path,
) -> None:
    """The kill state: the register lists 2026-27, its folder still the staging one."""
    (two_published / "2026-27").rename(two_published / ".2026-27.writing")
    labels = [v.label for v in read_versions(two_published.parent.parent, "poppys")]
    assert labels == ["2025-26", "2026-27"]
    assert not (two_published / ".2026-27.writing").exists()


def test_a_publish_stopped_before_its_register_is_rolled_back_by_the_next_read(
    two_published: Path,
) -> None:
    register = two_published / REGISTER_FILE
    text = register.read_text(encoding="utf-8")
    register.write_text(text[: text.index("- label: 2026-27")], encoding="utf-8")
    (two_published / "2026-27").rename(two_published / ".2026-27.writing")
    labels = [v.label for v in read_versions(two_published.parent.parent, "poppys")]
    assert labels == ["2025-26"]
    assert not (two_published / ".2026-27.writing").exists()


def test_a_staging_folder_not_matching_its_registered_digest_is_not_put_in_place(
    two_published: Path,
) -> None:
    staging = two_published / ".2026-27.writing"
    (two_published / "2026-27").rename(staging)
    meta = staging / META_FILE
    meta.write_text(meta.read_text().replace("digest: ", "digest: 0"), encoding="utf-8")
    with pytest.raises(VersionError, match="2026-27: is missing: the latest published version"):
        read_versions(two_published.parent.parent, "poppys")


@pytest.mark.parametrize("stop", [KeyboardInterrupt, SystemExit])
def test_a_publish_stopped_in_process_between_register_and_rename_finishes_it(
    two_published: Path, monkeypatch: pytest.MonkeyPatch, stop: type[BaseException]
) -> None:
    """Ctrl-C (or SIGTERM's exit) at the rename: the publish is completed, not half-left."""
    real = Path.rename
    stopped: list[Path] = []

    def rename(path: Path, target: Path) -> Path:
        if path.name == ".2027-28.writing" and not stopped:
            stopped.append(path)
            raise stop()
        return real(path, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(stop):
        write_version(
            two_published.parent.parent,
            "poppys",
            version_details("2027-28", "2027-09-01"),
            VERSION_TEXTS,
        )
    assert stopped
    labels = [v.label for v in read_versions(two_published.parent.parent, "poppys")]
    assert labels == ["2025-26", "2026-27", "2027-28"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_as_the_build_state_is_no_state(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / STATE_FILE)
    assert BuildState.load(tmp_path) == BuildState()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_as_a_password_file_is_one_problem(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "poppys.htpasswd")
    with pytest.raises(CredentialsError, match="cannot be read as a password file: is a named"):
        CredentialsStore(tmp_path).remove(tmp_path / "poppys.htpasswd", "alice")


def test_an_impossible_date_in_a_version_yml_is_a_problem_naming_it(two_published: Path) -> None:
    meta = two_published / "2026-27" / META_FILE
    text = meta.read_text(encoding="utf-8")
    assert "ratified: '2026-09-01'" in text
    meta.write_text(text.replace("ratified: '2026-09-01'", "ratified: 2026-02-30"), "utf-8")
    with pytest.raises(VersionError) as caught:
        read_versions(two_published.parent.parent, "poppys")
    (problem,) = caught.value.problems
    assert "poppys/versions/2026-27/version.yml:" in str(problem)
    assert "ratified: '2026-02-30' is not a real date" in str(problem)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_as_a_version_yml_is_a_problem_not_a_hang(two_published: Path) -> None:
    meta = two_published / "2026-27" / META_FILE
    meta.unlink()
    os.mkfifo(meta)
    with pytest.raises(VersionError, match=r"2026-27/version\.yml: is a named pipe"):
        read_versions(two_published.parent.parent, "poppys")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=settings_data(0),
    pick=st.data(),
    bad=st.sampled_from(["2026-09-31", "2026-02-30", "0000-01-01", "2025-04-31"]),
)
def test_an_impossible_date_in_any_generated_setting_is_one_problem_at_its_line(
    tmp_path_factory: pytest.TempPathFactory, data: dict, pick: st.DataObject, bad: str
) -> None:
    """Settings the sources were not written against: wherever the date goes, one line."""
    folder = tmp_path_factory.mktemp("generated")
    shutil.copy(REPO / "settings" / DEFAULTS_FILE, folder / DEFAULTS_FILE)
    policy = pick.draw(st.sampled_from(sorted(data["policies"])))
    key = pick.draw(st.sampled_from(["written", "ratified", "next_review"]))
    data["policies"][policy][key] = "IMPOSSIBLE-DATE"
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    text = text.replace("IMPOSSIBLE-DATE", bad)
    (folder / "g.yml").write_text(text, encoding="utf-8")
    line = next(n for n, written in enumerate(text.splitlines(), 1) if bad in written)
    (problem,) = problems_of(folder, "g")
    assert problem.startswith(
        f"{folder / 'g.yml'}:{line}: policies.{policy}.{key}: '{bad}' is not a real date ("
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_frozen_text_replaced_by_a_pipe_is_named_not_read(two_published: Path) -> None:
    frozen = two_published / "2026-27" / "parents" / "social-media.md"
    frozen.unlink()
    os.mkfifo(frozen)
    with pytest.raises(VersionError) as caught:
        read_versions(two_published.parent.parent, "poppys")
    (problem,) = caught.value.problems
    assert str(problem).endswith(
        "2026-27/parents/social-media.md: is a named pipe (FIFO), not a plain file"
    )


def test_a_new_setting_on_a_full_disk_leaves_no_half_file(
    settings_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'open(path, "x")' left a truncated settings file, which the next 'new' then refused."""
    from tests.unit.test_new_setting import POLICIES, details

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(project_module.os, "fsync", full)
    with pytest.raises(OSError, match="No space left on device"):
        write_new_setting(settings_dir, "acorns", details(), POLICIES)
    assert sorted(p.name for p in settings_dir.iterdir()) == [DEFAULTS_FILE, "poppys.yml"]
    monkeypatch.undo()
    write_new_setting(settings_dir, "acorns", details(), POLICIES)
    with pytest.raises(FileExistsError):  # and never overwrites
        write_new_setting(settings_dir, "acorns", details(), POLICIES)
