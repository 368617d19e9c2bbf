"""A real nginx (Debian's /usr/sbin/nginx) serving built sites with the generated configuration.

It runs as the current user in the foreground (``daemon off``) with its pid file, logs
and temporary files in a temporary folder, listening on 127.0.0.1 on a free port. Without
nginx the tests that need it skip on a developer's machine and fail in CI (CI=true).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from policy_sites.deploy.credentials import CredentialsStore, password_files
from policy_sites.deploy.nginx import ServerOptions, plan_server, render_standalone
from policy_sites.project import Project
from tests.helpers import in_ci

NGINX = Path("/usr/sbin/nginx")
INSTALL_HINT = "install it with: apt-get install -y nginx-light"
STAFF_PASSWORD = "a long staff passphrase"


def require_nginx() -> None:
    """Skip (on a developer's machine) or fail (in CI) when nginx is missing."""
    if os.access(NGINX, os.X_OK):
        return
    reason = f"these tests need nginx at {NGINX}: {INSTALL_HINT}"
    if in_ci():
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


@dataclass(frozen=True)
class NginxServer:
    """nginx serving ``site`` at ``base`` ('http://127.0.0.1:PORT/')."""

    site: Path
    base: str
    config: str
    state: Path
    redirect: str | None = None

    def url(self, path: str) -> str:
        return self.base + path.lstrip("/")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def run_nginx(
    project: Project,
    site: Path,
    state: Path,
    users: dict[str, str],
    slugs: tuple[str, ...] | None = None,
    tls: tuple[Path, Path] | None = None,
    shut: tuple[str, ...] = (),
) -> Iterator[NginxServer]:
    """Write the configuration for ``site`` listing ``slugs`` (default: those in ``users``),
    give each setting in ``users`` that login (password STAFF_PASSWORD), start nginx, and
    stop it afterwards. With ``tls`` (certificate, key) it serves HTTPS, and
    ``NginxServer.redirect`` is the plain-HTTP address that redirects to it. The settings
    in ``shut`` get no password file (as when their settings cannot be read)."""
    require_nginx()
    store = CredentialsStore(state / "credentials")
    slugs = tuple(sorted(slugs or users))
    files = password_files(project, store, slugs)
    for slug, user in users.items():
        store.set_password(files[slug], user, STAFF_PASSWORD)
    files = {slug: file for slug, file in files.items() if slug not in shut}
    for attempt in range(5):  # another process may take the free port first
        port, plain = _free_port(), _free_port()
        options = ServerOptions(
            site,
            listen=f"127.0.0.1:{port}",
            tls_certificate=tls[0] if tls else None,
            tls_key=tls[1] if tls else None,
            redirect_listen=f"127.0.0.1:{plain}",
        )
        plan = plan_server(options, files, slugs)
        config = render_standalone(plan, state)
        (state / "nginx.conf").write_text(config, encoding="utf-8")
        log = state / "error.log"
        command = [str(NGINX), "-p", str(state), "-e", str(log), "-c", str(state / "nginx.conf")]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while process.poll() is None and not _listening(port) and time.monotonic() < deadline:
            time.sleep(0.05)
        if process.poll() is None and _listening(port):
            break
        process.kill()
        errors = process.communicate()[1].decode() + (log.read_text() if log.exists() else "")
        if "Address already in use" not in errors or attempt == 4:
            raise AssertionError(f"nginx did not start:\n{errors}")
    try:
        scheme = "https" if tls else "http"
        redirect = f"http://127.0.0.1:{plain}/" if tls else None
        yield NginxServer(site, f"{scheme}://127.0.0.1:{port}/", config, state, redirect)
    finally:
        process.terminate()  # SIGTERM: nginx's fast shutdown
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()
