"""Careless and hostile files, folders and faults: nothing outside what a command owns is
lost, every failure is one clear line, never a traceback, and the other settings build.

Each test is one case of issue 9's "Data loss" and "Crashes and integrity" lists.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from filelock import FileLock

from policy_sites.builder.federation import BuildOptions, build_federation
from policy_sites.builder.output import LOCK_FILE, MARKER_FILE, OutputRefused
from policy_sites.builder.state import STATE_FILE, BuildState
from policy_sites.cli.main import cli
from policy_sites.project import Project
from policy_sites.settings.loader import MAX_TEXT
from policy_sites.versions.store import META_FILE, REGISTER_FILE, _digest, sha256
from tests.helpers import run_cli

BUILD = [sys.executable, "-m", "policy_sites", "build"]


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def invoke(project: Project, *args: str):
    """The command line in this process (cheap), as a user runs it."""
    return CliRunner().invoke(cli, [*args, "--project", str(project.root)])


def no_traceback(output: str) -> None:
    assert "Traceback" not in output, output
    assert "\x1b" not in output.replace("\x1b[0m", ""), "a control character echoed raw"


def build(project: Project, out: Path | None = None, **options: object):
    out = out or project.default_out
    return build_federation(project, None, out, BuildOptions(**{"jobs": 1, **options}))


# --- Data loss ------------------------------------------------------------------------

BAD_NAMES = [
    "../settings/poppys",
    "/etc",  # an absolute path
    "..",
    "poppys/versions",
    "Poppys",
    "little acorns",
    "assets",
    "poppys.yml",
    "x" * 64,
    "a\x1b[31mb",
]


@pytest.mark.parametrize("name", BAD_NAMES, ids=range(len(BAD_NAMES)))
@pytest.mark.parametrize(
    "command",
    [
        ["build"],
        ["check"],
        ["status"],
        ["serve"],
        ["new", "--no-input"],
        ["register"],
        [
            "publish",
            "--version",
            "2030-31",
            "--ratified",
            "2030-09-01",
            "--next-review",
            "2031-09",
        ],
    ],
    ids=lambda c: c[0],
)
def test_a_name_that_is_not_a_slug_is_refused_before_anything_is_read(
    project_copy: Project, command: list[str], name: str
) -> None:
    before = tree(project_copy.root)
    result = invoke(project_copy, command[0], name, *command[1:])
    assert result.exit_code == 2, result.output
    assert "cannot name a setting" in result.output
    no_traceback(result.output)
    assert tree(project_copy.root) == before, "something was written"


def test_a_path_to_a_setting_suggests_its_name(project_copy: Project) -> None:
    result = invoke(project_copy, "build", "../settings/poppys")
    assert "did you mean 'poppys'?" in result.output
    result = invoke(project_copy, "build", str(project_copy.settings_dir / "poppys.yml"))
    assert result.exit_code == 2 and "did you mean 'poppys'?" in result.output


@pytest.mark.parametrize("state_name", ["../settings/poppys", "/tmp", "..", "Poppys"])
def test_the_state_file_cannot_delete_anything_outside_the_output(
    project_copy: Project, state_name: str, tmp_path: Path
) -> None:
    site = project_copy.default_out
    site.mkdir()
    (site / MARKER_FILE).write_text("")
    (site / "assets").mkdir()
    (site / "assets" / "keep.css").write_text("kept")
    (site / "Poppys").mkdir()
    (site / "Poppys" / "mine.txt").write_text("kept")
    state = BuildState(
        {state_name: {"fingerprint": "x"}},
        {"files": ["../settings/poppys.yml", "/etc/hostname", "assets/../../docs/index.md"]},
    )
    state.save(site)
    settings_before = tree(project_copy.settings_dir)
    docs_before = tree(project_copy.docs_dir)

    report = build(project_copy)

    assert report.ok, [r.error for r in report.results]
    assert tree(project_copy.settings_dir) == settings_before
    assert tree(project_copy.docs_dir) == docs_before
    assert (site / "Poppys" / "mine.txt").is_file() and (site / "assets" / "keep.css").is_file()
    assert state_name not in BuildState.load(site).settings


@pytest.mark.parametrize(
    "out", ["settings", "docs", "overrides", "macros", ".", "..", "settings/poppys/versions"]
)
def test_an_output_in_the_projects_sources_or_holding_the_project_is_refused(
    project_copy: Project, out: str
) -> None:
    before = tree(project_copy.root)
    result = invoke(project_copy, "build", "--out", str(project_copy.root / out))
    assert result.exit_code == 1, result.output
    assert "choose a folder of its own" in result.output
    no_traceback(result.output)
    assert tree(project_copy.root) == before


def test_an_output_holding_someone_elses_files_is_refused(
    project_copy: Project, tmp_path: Path
) -> None:
    theirs = tmp_path / "theirs"
    (theirs / "poppys").mkdir(parents=True)
    (theirs / "poppys" / "thesis.docx").write_bytes(b"years of work")
    (theirs / "index.html").write_text("<p>my home page</p>")
    before = tree(theirs)
    for command in (["build"], ["build", "poppys"], ["portal", "--report", str(tmp_path / "r")]):
        (tmp_path / "r").write_text('{"today": "2026-11-23", "settings": []}')
        result = invoke(project_copy, *command, "--out", str(theirs))
        assert result.exit_code == 1, result.output
        assert "policy-sites did not write" in result.output
        assert tree(theirs) == before, command
        assert not (theirs / LOCK_FILE).exists() and not (theirs / MARKER_FILE).exists()


def test_a_lone_index_page_is_not_taken_for_an_old_build(project_copy: Project, tmp_path: Path):
    theirs = tmp_path / "www"
    theirs.mkdir()
    (theirs / "index.html").write_text("<p>my home page</p>")
    with pytest.raises(OutputRefused, match=r"index\.html"):
        build(project_copy, theirs)
    assert (theirs / "index.html").read_text() == "<p>my home page</p>"


def test_an_empty_folder_and_an_older_builds_output_are_accepted(
    project_copy: Project, tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert build(project_copy, empty).ok
    assert (empty / MARKER_FILE).is_file()
    # an output from before the marker (what 'make site' left on a user's machine)
    (empty / MARKER_FILE).unlink()
    (empty / LOCK_FILE).unlink()
    (empty / ".poppys.building").mkdir()  # and a killed build's leftover
    report = build(project_copy, empty, force=True)
    assert report.ok and (empty / MARKER_FILE).is_file()
    assert not (empty / ".poppys.building").exists()


def test_a_settings_file_named_dot_dot_yml_fails_alone_and_moves_nothing(
    project_copy: Project,
) -> None:
    (project_copy.settings_dir / "..yml").write_text("name: x\n")
    first = run_cli(project_copy, "build", "--jobs", "1")
    assert first.returncode == 1
    no_traceback(first.stderr + first.stdout)
    assert "'.' cannot name a setting" in first.stderr
    assert not [p.name for p in project_copy.root.iterdir() if p.name.startswith(".site")]
    site = project_copy.default_out
    assert (site / "poppys" / "index.html").is_file() and (site / "halstead" / "index.html")
    assert "cannot name a setting" not in (site / "index.html").read_text()
    check = run_cli(project_copy, "check", "--no-render")
    assert check.returncode == 1 and "settings/..yml" in check.stderr
    no_traceback(check.stderr)


def test_a_second_build_into_the_same_folder_waits_for_the_first(project_copy: Project) -> None:
    site = project_copy.default_out
    site.mkdir()
    lock = FileLock(str(site / LOCK_FILE))
    lock.acquire()
    try:
        second = subprocess.Popen(
            [*BUILD, "--jobs", "1", "--project", str(project_copy.root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(3)  # it is waiting, and has written nothing
        assert second.poll() is None
        assert not (site / "poppys").exists() and not (site / STATE_FILE).exists()
    finally:
        lock.release()
    _, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    assert "another build is writing into" in err
    for slug in ("poppys", "halstead"):
        assert (site / slug / "index.html").is_file()
        assert (site / slug / "staff" / "index.html").is_file()


def test_two_builds_at_once_both_finish_every_site(project_copy: Project) -> None:
    command = [sys.executable, "-m", "policy_sites", "build", "--force", "--jobs", "1"]
    command += ["--project", str(project_copy.root)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)]
    runs.append(
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    )
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    site = project_copy.default_out
    for slug in ("poppys", "halstead"):
        assert (site / slug / "index.html").is_file()
        assert (site / slug / "staff" / "index.html").is_file()
    assert not [p for p in site.iterdir() if p.name.endswith((".building", ".old", ".tmp"))]


# --- Crashes and integrity ---------------------------------------------------------------


def _nested(depth: int) -> str:
    return "name: " + "[" * depth + "]" * depth + "\n"


def _alias_bomb() -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, 9):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]")
    return "\n".join(lines) + "\nname: *a8\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_nested(100_000), "nests more than 16 levels deep"),
        (_nested(5_000), "nests more than 16 levels deep"),
        ("".join("  " * i + f"k{i}:\n" for i in range(40)) + "  " * 40 + "x\n", "nests more"),
        (_alias_bomb(), "once its aliases ('*name') are expanded"),
        ("name: '" + "x" * 200_000 + "'\n", f"characters long; the limit is {MAX_TEXT:,}"),
        ("name: '" + "x" * 1_000_000 + "'\n", "bytes; the limit is"),
    ],
    ids=["deep-100000", "deep-5000", "deep-block", "alias-bomb", "long-name", "1-MB-name"],
)
def test_a_hostile_yaml_file_fails_alone_with_its_file_and_line(
    project_copy: Project, text: str, message: str
) -> None:
    (project_copy.settings_dir / "hostile.yml").write_text(text)
    for args in (["build", "--jobs", "2"], ["check", "--no-render"]):
        result = run_cli(project_copy, *args)
        assert result.returncode == 1, (args, result.returncode, result.stderr[-2000:])
        assert f"hostile.yml:1: {message}" in result.stderr or message in result.stderr
        assert "hostile.yml:" in result.stderr
        no_traceback(result.stderr + result.stdout)
    site = project_copy.default_out
    assert (site / "poppys" / "index.html").is_file(), "the other settings did not build"
    assert not (site / "hostile").exists()
    size = sum(len(b) for b in tree(site).values())
    assert size < 20_000_000


def test_control_characters_and_merge_keys_and_retyped_numbers_are_explained(
    project_copy: Project,
) -> None:
    poppys = project_copy.settings_dir / "poppys.yml"
    text = poppys.read_text()
    poppys.write_text(text + '"colou\\e[31mr": red\n')
    result = run_cli(project_copy, "check", "--no-render")
    assert "invisible control character (U+001B)" in result.stderr
    assert "colou\\x1b[31mr" in result.stderr or "U+001B" in result.stderr
    no_traceback(result.stderr)

    poppys.write_text(text + "extra: &x {a: 1}\nmore:\n  <<: *x\n")
    result = run_cli(project_copy, "check", "--no-render")
    assert "'<<' (a YAML merge key) is not supported" in result.stderr
    assert "not valid YAML" not in result.stderr

    poppys.write_text(
        text + "guidance_register:\n  - id: kcsie-2022\n    title: Keeping Children Safe\n"
        "    edition: 2022.10\n    in_force: 2022-09-01\n"
    )
    result = run_cli(project_copy, "check", "--no-render")
    assert "YAML reads 2022.10 as a number, 2022.1" in result.stderr, result.stderr
    assert "'2022.10'" in result.stderr


def _versions(project: Project, slug: str = "poppys") -> Path:
    return project.settings_dir / slug / "versions"


@pytest.mark.parametrize("label", ["2022-23", "2021-22"], ids=["latest", "older"])
def test_a_deleted_version_folder_fails_build_and_check_naming_it(
    project_copy: Project, label: str
) -> None:
    shutil.rmtree(_versions(project_copy) / label)
    for args in (["build", "poppys", "--jobs", "1"], ["check", "--no-render"]):
        result = run_cli(project_copy, *args)
        assert result.returncode == 1, result.stdout
        assert f"settings/poppys/versions/{label}" in result.stderr
        assert "is missing" in result.stderr
        no_traceback(result.stderr)


def test_a_deleted_register_fails_too(project_copy: Project) -> None:
    (_versions(project_copy) / REGISTER_FILE).unlink()
    shutil.rmtree(_versions(project_copy) / "2022-23")
    result = run_cli(project_copy, "check", "--no-render")
    assert result.returncode == 1
    assert f"settings/poppys/versions/{REGISTER_FILE}" in result.stderr


def _rewrite_details(folder: Path, change) -> None:
    """Edit a version.yml and recompute its hashes, as a deliberate forger would."""
    import yaml

    meta = yaml.safe_load((folder / META_FILE).read_text())
    change(meta)
    meta["digest"] = _digest(meta)
    (folder / META_FILE).write_text(yaml.safe_dump(meta, sort_keys=False))


def test_a_version_file_outside_its_folder_is_refused(project_copy: Project) -> None:
    secret = project_copy.root.parent / "elsewhere" / "secret.md"
    secret.parent.mkdir()
    secret.write_text("# Secret\n\nNot for publishing.\n")
    folder = _versions(project_copy) / "2022-23"
    depth = len(folder.relative_to(project_copy.root.parent).parts)
    outside = "../" * depth + "elsewhere/secret.md"

    def point_outside(meta: dict) -> None:
        meta["policies"]["social-media"]["parents"] = {
            "file": outside,
            "sha256": sha256(secret.read_bytes()),
        }

    _rewrite_details(folder, point_outside)
    for args in (["build", "poppys", "--jobs", "1"], ["check", "--no-render"]):
        result = run_cli(project_copy, *args)
        assert result.returncode == 1
        assert "policies.social-media.parents.file: expected a file inside" in result.stderr
        no_traceback(result.stderr)
    assert not any(
        "Not for publishing" in p.read_text()
        for p in project_copy.default_out.rglob("*.html")
        if project_copy.default_out.exists()
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda m: m["policies"].update({"social-media": "oops"}),
            "policies.social-media: expected",
        ),
        (lambda m: m.update({"policies": ["x"]}), "policies: expected a mapping"),
        (lambda m: m.update({"guidance": "KCSIE"}), "guidance: expected a list"),
        (lambda m: m["policies"]["social-media"].update({"staff": {"file": 3}}), "expected a file"),
    ],
    ids=["policy-is-text", "policies-is-a-list", "guidance-is-text", "file-is-a-number"],
)
def test_a_malformed_version_yml_names_file_and_field(
    project_copy: Project, change, expected: str
) -> None:
    _rewrite_details(_versions(project_copy) / "2022-23", change)
    result = run_cli(project_copy, "check", "--no-render")
    assert result.returncode == 1
    assert "settings/poppys/versions/2022-23/version.yml:" in result.stderr
    assert expected in result.stderr, result.stderr
    no_traceback(result.stderr)


def _fail_writes(monkeypatch: pytest.MonkeyPatch, code: int, after: int = 0) -> None:
    """Every write into the output after the first ``after`` fails with ``code``."""
    import policy_sites.builder.site as site_module

    real = site_module._swap_in
    calls = {"n": 0}

    def failing(staging: Path, final: Path) -> None:
        calls["n"] += 1
        if calls["n"] > after:
            raise OSError(code, os.strerror(code), str(final))
        real(staging, final)

    monkeypatch.setattr(site_module, "_swap_in", failing)


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS], ids=["disk-full", "read-only"])
def test_a_write_failure_in_a_site_fails_that_setting_in_one_line(
    project_copy: Project, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    _fail_writes(monkeypatch, code, after=1)
    report = build(project_copy)
    failed = report.of("failed")
    assert len(failed) == 1 and len(report.of("built")) == 1
    assert failed[0].reason == f"could not write {failed[0].site}: {os.strerror(code)}"
    leftovers = [p.name for p in project_copy.default_out.iterdir() if ".building" in p.name]
    assert not leftovers


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS], ids=["disk-full", "read-only"])
def test_a_write_failure_in_the_state_or_portal_ends_the_command_in_one_line(
    project_copy: Project, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    def failing(self, out_root: Path) -> None:
        (out_root / f"{STATE_FILE}.{os.getpid()}.tmp").write_text("{")  # a half-written file
        raise OSError(code, os.strerror(code), str(out_root / STATE_FILE))

    monkeypatch.setattr(BuildState, "save", failing)
    result = invoke(project_copy, "build", "--jobs", "1")
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        f"Error: build stopped: could not write {project_copy.default_out / STATE_FILE}: "
        f"{os.strerror(code)}"
    )
    no_traceback(result.output)
    monkeypatch.undo()
    assert invoke(project_copy, "build", "--jobs", "1").exit_code == 0
    assert not list(project_copy.default_out.glob("*.tmp")), "the next run did not clean up"


def _mount(target: Path, options: str) -> bool:
    target.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)],
                          capture_output=True, check=False)  # fmt: skip
    return done.returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path):
    disk = tmp_path / "disk"
    if not _mount(disk, "size=3m"):
        pytest.skip("cannot mount a tmpfs here (needs root); the injected tests cover this")
    yield disk
    subprocess.run(["umount", str(disk)], check=False)


def test_a_real_full_disk_and_a_real_read_only_folder(project_copy: Project, small_disk: Path):
    out = small_disk / "site"
    result = run_cli(project_copy, "build", "--jobs", "2", "--out", str(out))
    assert result.returncode == 1
    assert "No space left on device" in result.stderr
    no_traceback(result.stderr + result.stdout)
    assert not [p for p in out.iterdir() if p.name.endswith((".building", ".old", ".tmp"))]
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    result = run_cli(project_copy, "build", "--jobs", "2", "--out", str(out), "--force")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: build stopped: could not write {out / LOCK_FILE}: Read-only file system"
    ]


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc (Linux)")
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["killed", "terminated"])
def test_a_killed_build_stops_its_workers_and_the_next_run_cleans_up(
    project_copy: Project, how: int
) -> None:
    for n in range(4):
        shutil.copy(
            project_copy.settings_dir / "halstead.yml", project_copy.settings_dir / f"h{n}.yml"
        )
    command = [sys.executable, "-m", "policy_sites", "build", "--jobs", "2"]
    command += ["--project", str(project_copy.root)]
    run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    site = project_copy.default_out
    deadline = time.monotonic() + 120
    while not (site.is_dir() and any(p.name.endswith(".building") for p in site.iterdir())):
        assert time.monotonic() < deadline and run.poll() is None, "no setting started building"
        time.sleep(0.05)
    workers = _children(run.pid)
    assert workers
    run.send_signal(how)
    _, err = run.communicate(timeout=60)
    if how == signal.SIGTERM:
        assert run.returncode == 130
        assert err.strip().splitlines()[-1].startswith("build interrupted:")
        no_traceback(err)
    deadline = time.monotonic() + 10
    while any(_running(w) for w in workers):
        assert time.monotonic() < deadline, "workers outlived their build"
        time.sleep(0.1)
    again = run_cli(project_copy, "build", "--jobs", "1")
    assert again.returncode == 0, again.stderr
    assert not [p for p in site.iterdir() if p.name.endswith((".building", ".old", ".tmp"))]
    for slug in ("poppys", "halstead", "h0", "h3"):
        assert (site / slug / "staff" / "index.html").is_file()
