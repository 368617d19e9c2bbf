"""``policy-sites deploy``: staff passwords, the nginx command, pages without staff links."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import bcrypt
import pytest

from policy_sites.builder.federation import BuildOptions, build_federation
from policy_sites.deploy.credentials import CREDENTIALS_VARIABLE
from policy_sites.deploy.nginx import PLAIN_HTTP_WARNING
from policy_sites.project import Project
from tests.conftest import EXAMPLES
from tests.helpers import REPO, run_cli

PASSWORD = "three unrelated words"


def password_command(
    project: Project, credentials: Path, *args: str, stdin: str = PASSWORD + "\n"
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "policy_sites",
            "deploy",
            "staff-password",
            *args,
            "--credentials",
            str(credentials),
            "--project",
            str(project.root),
        ],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_staff_login_is_added_changed_and_removed(tmp_path: Path) -> None:
    credentials = tmp_path / "credentials"
    file = credentials / "poppys.htpasswd"
    done = password_command(Project(REPO), credentials, "poppys", "alice")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"added alice to {file}"
    user, hashed = file.read_text().strip().split(":", 1)
    assert user == "alice" and hashed.startswith("$2b$")
    assert bcrypt.checkpw(PASSWORD.encode(), hashed.encode())
    assert PASSWORD not in file.read_text()
    assert file.stat().st_mode & 0o777 == 0o640  # nginx's group reads it; others cannot

    new = "a different long passphrase"
    assert password_command(Project(REPO), credentials, "poppys", "bob").returncode == 0
    done = password_command(Project(REPO), credentials, "poppys", "alice", stdin=new + "\n")
    assert done.stdout.strip() == f"changed alice in {file}"
    lines = dict(line.split(":", 1) for line in file.read_text().splitlines())
    assert list(lines) == ["bob", "alice"]
    assert bcrypt.checkpw(new.encode(), lines["alice"].encode())

    done = password_command(Project(REPO), credentials, "poppys", "alice", "--remove", stdin="")
    assert done.stdout.strip() == f"removed alice from {file}"
    assert [line.split(":")[0] for line in file.read_text().splitlines()] == ["bob"]
    assert not (credentials / "halstead.htpasswd").exists()  # one file per setting


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("poppys", "alice"), "short\n", "use at least 12"),
        (("poppys", "alice:x"), PASSWORD + "\n", "login name 'alice:x'"),
        (("poppys", "alice", "--remove"), "", "no login 'alice'"),
        (("popys", "alice"), PASSWORD + "\n", "no such setting 'popys'; did you mean 'poppys'?"),
        (("Poppys", "alice"), PASSWORD + "\n", "cannot name a setting"),
    ],
)
def test_a_bad_login_is_refused_with_the_reason(
    tmp_path: Path, args: tuple[str, ...], stdin: str, message: str
) -> None:
    done = password_command(Project(REPO), tmp_path / "credentials", *args, stdin=stdin)
    assert done.returncode == (2 if "setting" in message else 1)  # a name: a usage error
    assert message in done.stderr and "Traceback" not in done.stderr


def test_password_files_never_go_inside_the_project(project_copy: Project) -> None:
    for inside in (project_copy.root / "secrets", project_copy.default_out / "credentials"):
        done = password_command(project_copy, inside, "poppys", "alice")
        assert done.returncode == 1
        assert "must live outside the project" in done.stderr
        assert not inside.exists()


def test_the_nginx_command_writes_the_configuration(published_sites: Path, tmp_path: Path) -> None:
    output = tmp_path / "policies.conf"
    credentials = tmp_path / "credentials"
    done = _deploy_nginx(
        Project(REPO),
        published_sites,
        credentials,
        "--server-name",
        "policies.example.org",
        "--output",
        str(output),
    )
    assert done.returncode == 0, done.stderr
    text = output.read_text()
    assert "server_name policies.example.org;" in text
    for slug in EXAMPLES:
        assert f'auth_basic_user_file "{credentials}/{slug}.htpasswd";' in text
        assert f"{credentials}/{slug}.htpasswd does not exist yet" in done.stderr
    assert "'unsafe-inline'" not in text
    assert f"warning: {PLAIN_HTTP_WARNING}\n" in done.stderr  # no TLS: passwords in clear


def _deploy_nginx(project: Project, site: Path, credentials: Path, *args: str):
    """``policy-sites deploy nginx`` for ``site``, with staff passwords in ``credentials``."""
    return run_cli(
        project, "deploy", "nginx", "--site", str(site), *args,
        **{CREDENTIALS_VARIABLE: str(credentials)},
    )  # fmt: skip


def test_the_nginx_command_serves_https_when_given_a_certificate(
    published_sites: Path, tmp_path: Path
) -> None:
    done = _deploy_nginx(
        Project(REPO),
        published_sites,
        tmp_path,
        "--tls-certificate",
        "/etc/ssl/policies.pem",
        "--tls-key",
        "/etc/ssl/policies.key",
    )
    assert done.returncode == 0, done.stderr
    assert "listen 443 ssl http2;" in done.stdout
    assert "return 301 https://$host$request_uri;" in done.stdout
    assert 'Strict-Transport-Security "max-age=31536000" always;' in done.stdout
    assert PLAIN_HTTP_WARNING not in done.stderr
    behind_proxy = _deploy_nginx(Project(REPO), published_sites, tmp_path, "--tls-in-front")
    assert behind_proxy.returncode == 0 and PLAIN_HTTP_WARNING not in behind_proxy.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--server-name", "x; include /etc/passwd"), "server name"),
        (("--listen", "80; user root"), "listen"),
        (("--tls-certificate", "/etc/ssl/a.pem"), "both a certificate and its key"),
    ],
)
def test_the_nginx_command_refuses_what_would_change_the_configuration(
    published_sites: Path, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    done = _deploy_nginx(Project(REPO), published_sites, tmp_path, *args)
    assert done.returncode == 1 and message in done.stderr, done.stderr


def test_the_nginx_command_needs_a_built_site(tmp_path: Path) -> None:
    done = run_cli(Project(REPO), "deploy", "nginx", "--site", str(tmp_path / "none"))
    assert done.returncode == 1 and "run policy-sites build first" in done.stderr


def _links_into_staff(page: Path, slug_root: Path) -> list[str]:
    """The links of a parents' page that lead into its setting's staff view."""
    found = []
    for href in re.findall(r'href="([^"#?]*)', page.read_text(encoding="utf-8")):
        if "://" in href or not href:
            continue
        target = (page.parent / href).resolve()
        if target.is_relative_to((slug_root / "staff").resolve()):
            found.append(href)
    return found


def test_a_federation_can_keep_staff_views_off_public_pages(
    project_copy: Project, tmp_path: Path, edit
) -> None:
    edit(project_copy.settings_dir / "_federation.yml", "staff_links: true", "staff_links: false")
    out = tmp_path / "site"
    report = build_federation(project_copy, list(EXAMPLES), out, BuildOptions(jobs=1))
    assert report.ok, [r.error for r in report.results]
    portal = (out / "index.html").read_text(encoding="utf-8")
    assert "staff/" not in portal and ">Parents and visitors</a>" in portal
    for slug in EXAMPLES:
        parents = [p for p in (out / slug).rglob("*.html") if "staff" not in p.parts]
        assert parents
        assert not [p for p in parents if _links_into_staff(p, out / slug)]
        assert "ps-view-switch" not in (out / slug / "index.html").read_text(encoding="utf-8")
        # Staff still switch to the parents' view.
        assert "ps-view-switch__link" in (out / slug / "staff" / "index.html").read_text()

    copy = tmp_path / "public"
    done = run_cli(project_copy, "deploy", "without-staff", str(copy), "--site", str(out))
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr
    assert done.stdout.strip() == f"copied {out} to {copy} without 2 staff view(s)"
    assert not list(copy.glob("*/staff"))
    assert not list(copy.rglob(".*"))
    assert (copy / "index.html").is_file() and (copy / "assets").is_dir()
    for slug in EXAMPLES:
        assert (copy / slug / "index.html").read_bytes() == (out / slug / "index.html").read_bytes()


def test_a_copy_without_staff_warns_about_links_to_it(published_sites: Path, tmp_path: Path):
    copy = tmp_path / "public"
    site = str(published_sites)
    done = run_cli(Project(REPO), "deploy", "without-staff", str(copy), "--site", site)
    assert done.returncode == 0, done.stderr
    for slug in EXAMPLES:
        assert f"warning: the pages of {slug} link to its staff view" in done.stderr
    assert not list(copy.glob("*/staff"))
    again = run_cli(Project(REPO), "deploy", "without-staff", str(copy), "--site", site)
    assert again.returncode == 1 and "not an empty folder" in again.stderr


@pytest.mark.parametrize("inside", ["docs", "settings"])
def test_a_copy_without_staff_never_goes_into_the_projects_sources(
    project_copy: Project, published_sites: Path, inside: str
) -> None:
    """Found by a trial: a copy into docs/pub was accepted, and the next build published
    every setting's pages inside every site."""
    target = project_copy.root / inside / "pub"
    done = run_cli(
        project_copy, "deploy", "without-staff", str(target), "--site", str(published_sites)
    )
    assert done.returncode == 1, done.stdout
    assert f"is inside the project's {inside}/ folder" in done.stderr
    assert "choose a folder outside the project" in done.stderr
    assert not target.exists()
    assert "Traceback" not in done.stderr


def test_an_invalid_settings_staff_view_is_shut(
    project_copy: Project, published_sites: Path, tmp_path: Path, edit
) -> None:
    edit(project_copy.settings_dir / "halstead.yml", "name:", "nmae:")
    done = _deploy_nginx(project_copy, published_sites, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "warning: halstead: its settings cannot be read: " in done.stderr
    assert "halstead.yml:" in done.stderr and "Traceback" not in done.stderr
    assert "warning: /halstead/staff/ is shut (404): no password file" in done.stderr
    # Its last good site stays public; its staff view stays shut until the file is fixed.
    assert "location ^~ /halstead/ {" in done.stdout
    staff = done.stdout.split("location ^~ /halstead/staff/ {")[1].split("}")[0]
    assert staff.split()[:2] == ["return", "404;"] and "auth_basic" not in staff
    assert "location ^~ /poppys/staff/ {" in done.stdout


def test_on_a_terminal_the_password_is_asked_for_twice_and_not_shown(tmp_path: Path) -> None:
    leader, follower = pty.openpty()
    command = [
        sys.executable, "-m", "policy_sites", "deploy", "staff-password", "poppys", "alice",
        "--credentials", str(tmp_path), "--project", str(REPO),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    seen = b""

    def read_until(text: bytes) -> None:
        nonlocal seen
        deadline = time.monotonic() + 30
        while text not in seen and time.monotonic() < deadline:
            if select.select([leader], [], [], 1)[0]:
                seen += os.read(leader, 1024)
        assert text in seen, seen

    read_until(b"New password for alice: ")
    os.write(leader, PASSWORD.encode() + b"\n")
    read_until(b"Repeat for confirmation: ")
    os.write(leader, PASSWORD.encode() + b"\n")
    read_until(b"added alice to")
    assert process.wait(timeout=30) == 0
    os.close(leader)
    assert PASSWORD.encode() not in seen  # never echoed
    hashed = (tmp_path / "poppys.htpasswd").read_text().strip().split(":", 1)[1]
    assert bcrypt.checkpw(PASSWORD.encode(), hashed.encode())
