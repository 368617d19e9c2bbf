"""Issue 18's files and faults through the command line: one bad setting fails alone in one
line, an interrupted swap or publish is settled by the next run, and a failed write is one
line that leaves the previous file (or nothing) in place, never a traceback."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from policy_sites import project as project_module
from policy_sites.cli.main import cli
from policy_sites.project import Project
from policy_sites.versions.store import REGISTER_FILE
from tests.helpers import REPO, run_cli

TODAY = {"POLICY_SITES_TODAY": "2026-12-05"}


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "policy_sites", *args]


def no_traceback(*outputs: str) -> None:
    for output in outputs:
        assert "Traceback" not in output, output


# --- one bad setting fails alone, and a stopped swap costs no site ---------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_an_impossible_date_and_a_pipe_fail_their_settings_alone_and_keep_the_site(
    project_copy: Project, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    first = subprocess.run(
        [*command("build", "--no-pdf", "--jobs", "1", "--out", str(out))],
        cwd=project_copy.root, capture_output=True, text=True, timeout=600,
        env={**os.environ, **TODAY}, check=False,
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    previous = (out / "poppys" / "index.html").read_bytes()
    # The build was killed between its two renames: the site retired, the new one staged.
    (out / "poppys").rename(out / ".poppys.old")
    (out / ".poppys.building").mkdir()
    (out / ".poppys.building" / "index.html").write_text("half")
    poppys = project_copy.settings_dir / "poppys.yml"
    text = poppys.read_text()
    assert "ratified: 2026-12-05" in text  # the examples' dates: the edit below must happen
    poppys.write_text(text.replace("ratified: 2026-12-05", "ratified: 2026-09-31"))
    os.mkfifo(project_copy.settings_dir / "acorns.yml")

    done = subprocess.run(
        [*command("build", "--no-pdf", "--jobs", "1", "--out", str(out))],
        cwd=project_copy.root, capture_output=True, text=True, timeout=600,
        env={**os.environ, **TODAY}, check=False,
    )  # fmt: skip
    no_traceback(done.stdout, done.stderr)
    assert done.returncode == 1
    failed = [line.strip() for line in done.stderr.splitlines() if "FAILED" in line]
    assert {line.split()[1].rstrip(":") for line in failed} == {"acorns", "poppys"}, failed
    assert any("acorns" in line and "is a named pipe (FIFO)" in line for line in failed)
    assert any(
        "poppys" in line and "poppys.yml:72:" in line and "'2026-09-31' is not a real date" in line
        for line in failed
    ), failed
    assert (out / "poppys" / "index.html").read_bytes() == previous
    assert (out / "halstead" / "index.html").is_file()
    assert not (out / ".poppys.old").exists() and not (out / ".poppys.building").exists()

    check = run_cli(project_copy, "check", "--no-render", **TODAY)
    no_traceback(check.stdout, check.stderr)
    assert check.returncode == 1
    assert "'2026-09-31' is not a real date" in check.stderr
    assert "acorns.yml:1: is a named pipe (FIFO)" in check.stderr
    status = run_cli(project_copy, "status", "--format", "csv", **TODAY)
    no_traceback(status.stdout, status.stderr)
    assert status.returncode == 1 and "Halstead" in status.stdout


# --- an interrupted publish ---------------------------------------------------------------


def test_a_publish_killed_between_register_and_rename_needs_no_hand_step(
    project_copy: Project,
) -> None:
    versions = project_copy.settings_dir / "poppys" / "versions"
    latest = (versions / REGISTER_FILE).read_text().split("- label: ")[-1].split()[0]
    (versions / latest).rename(versions / f".{latest}.writing")
    done = run_cli(project_copy, "check", "--no-render", **TODAY)
    assert done.returncode == 0, done.stderr
    assert (versions / latest).is_dir() and not (versions / f".{latest}.writing").exists()


# --- writes that fail ---------------------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_status_into_a_full_disk_is_one_line() -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [*command("status", "--project", str(REPO))],
            stdout=full, stderr=subprocess.PIPE, text=True, check=False,
            env={**os.environ, **TODAY},
        )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "Error: could not write the output: No space left on device"
    ]


def test_status_into_a_closed_pipe_is_one_line() -> None:
    process = subprocess.Popen(
        command("status", "--project", str(REPO)),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **TODAY},
    )  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # like 'status | head -0'
    error = process.stderr.read().decode()
    assert process.wait(timeout=120) == 1
    assert error.splitlines() == [
        "Error: the output was closed before everything was written (broken pipe)"
    ]


def _disk_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file written whole fails as a full disk does: at the flush to disk."""

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(project_module.os, "fsync", full)


def _nginx(site: Path, credentials: Path, output: Path | str):
    return CliRunner().invoke(
        cli,
        ["deploy", "nginx", "--site", str(site), "--credentials", str(credentials),
         "--output", str(output), "--project", str(REPO)],
    )  # fmt: skip


def test_deploy_nginx_on_a_full_disk_keeps_the_previous_configuration(
    published_sites: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "conf" / "policies.conf"
    output.parent.mkdir()
    output.write_text("# the configuration nginx runs today\n")
    _disk_full(monkeypatch)
    done = _nginx(published_sites, tmp_path / "credentials", output)
    no_traceback(done.output)
    assert done.exit_code == 1
    assert done.output.splitlines()[-1] == (
        f"Error: could not write {output}: No space left on device; nothing changed"
    )
    assert output.read_text() == "# the configuration nginx runs today\n"
    assert [p.name for p in output.parent.iterdir()] == ["policies.conf"]  # no partial copy


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_deploy_nginx_into_dev_full_is_one_line(published_sites: Path, tmp_path: Path) -> None:
    done = _nginx(published_sites, tmp_path / "credentials", "/dev/full")
    no_traceback(done.output)
    assert done.exit_code == 1
    assert done.output.splitlines()[-1].startswith("Error: could not write /dev/full: No space")
    assert Path("/dev/full").is_char_device()  # written into, never replaced


def test_a_staff_password_on_a_full_disk_keeps_the_logins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    credentials = tmp_path / "credentials"
    argv = ["deploy", "staff-password", "poppys", "alice", "--credentials", str(credentials),
            "--project", str(REPO)]  # fmt: skip
    assert CliRunner().invoke(cli, argv, input="first password words\n").exit_code == 0
    before = (credentials / "poppys.htpasswd").read_text()
    _disk_full(monkeypatch)
    argv[3] = "bob"
    done = CliRunner().invoke(cli, argv, input="second password words\n")
    no_traceback(done.output)
    assert done.exit_code == 1
    assert done.output.splitlines()[-1].endswith("No space left on device; nothing changed")
    assert (credentials / "poppys.htpasswd").read_text() == before
    assert [p.name for p in credentials.iterdir()] == ["poppys.htpasswd"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_copy_without_staff_that_fails_leaves_nothing_that_looks_complete(
    published_sites: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    shutil.copytree(published_sites, site)
    os.mkfifo(site / "poppys" / "stuck")  # copying it fails, as a full disk would
    target = tmp_path / "public"
    done = CliRunner().invoke(
        cli,
        ["deploy", "without-staff", str(target), "--site", str(site), "--project", str(REPO)],
    )
    no_traceback(done.output)
    assert done.exit_code == 1
    (line,) = done.output.strip().splitlines()
    assert line.startswith(f"Error: could not copy {site} to {target}: ")
    assert line.endswith("; nothing was left there")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no copy, no hidden one


# --- malformed environment values ----------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("POLICY_SITES_TODAY", "tomorrow", "expected a day as YYYY-MM-DD, such as 2026-09-01"),
        ("POLICY_SITES_TODAY", "2026-02-30", "(day is out of range for month)"),
        ("POLICY_SITES_TODAY", "20261205", "expected a day as YYYY-MM-DD"),
        ("SOURCE_DATE_EPOCH", "yesterday", "expected whole seconds since 1 January 1970"),
        ("SOURCE_DATE_EPOCH", "9" * 20, "expected whole seconds since 1 January 1970"),
    ],
)
@pytest.mark.parametrize("args", [("status",), ("build", "--no-pdf", "--out", "{out}")])
def test_a_malformed_environment_value_is_one_line_naming_it(
    project_copy: Project, tmp_path: Path, variable: str, value: str, expected: str,
    args: tuple[str, ...],
) -> None:  # fmt: skip
    environment = {k: v for k, v in os.environ.items() if k not in TODAY and k != variable}
    argv = [arg.format(out=tmp_path / "site") for arg in args]
    done = subprocess.run(
        [*command(*argv, "--project", str(project_copy.root))],
        capture_output=True, text=True, env={**environment, variable: value}, check=False,
        timeout=600,
    )  # fmt: skip
    no_traceback(done.stdout, done.stderr)
    assert done.returncode == 1
    (line,) = [line for line in done.stderr.splitlines() if line.startswith("Error")]
    assert line.startswith(f"Error: {variable}={value!r}: ")
    assert expected in line
