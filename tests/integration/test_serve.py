"""policy-sites serve: a live preview on 127.0.0.1 that follows sources, settings and overrides."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator

import pytest

from policy_sites.project import Project


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.read().decode("utf-8")


def wait_for(url: str, test: Callable[[str], bool], seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    last = ""
    while time.monotonic() < deadline:
        try:
            last = fetch(url)
            if test(last):
                return last
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} never matched; last response began: {last[:300]!r}")


@pytest.fixture
def serve(project_copy: Project) -> Iterator[Callable[..., str]]:
    started: list[subprocess.Popen] = []

    def start(slug: str, *args: str) -> str:
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "policy_sites", "serve", slug, *args, "--port", str(port),
             "--project", str(project_copy.root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        )  # fmt: skip
        started.append(process)
        return f"http://127.0.0.1:{port}/"

    yield start
    for process in started:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
        assert "stopped." in output, output


def test_preview_follows_settings_overrides_and_sources(serve, project_copy, edit):
    url = serve("poppys", "--audience", "staff")
    home = wait_for(url, lambda page: "Staff quick reference" in page)
    assert "in their lockers" in home

    edit(project_copy.settings_dir / "poppys.yml", "staff_keep_phones: in their lockers",
         "staff_keep_phones: in the red box by the door")  # fmt: skip
    wait_for(url, lambda page: "in the red box by the door" in page)

    switch = next((project_copy.root / "overrides").rglob("alternate.html"))
    switch.write_text(switch.read_text() + "\n<!-- preview-marker -->\n")
    wait_for(url, lambda page: "preview-marker" in page)

    policy = project_copy.docs_dir / "policies" / "social-media.md"
    edit(policy, "## Staff use of social media", "## Staff use of social media\n\n{{ nmae }}")
    broken = wait_for(url + "policies/social-media.html", lambda p: "does not build" in p)
    assert "docs/policies/social-media.md, line" in broken
    assert "nmae" in broken

    edit(policy, "{{ nmae }}", "")
    wait_for(url + "policies/social-media.html", lambda page: "Social media policy" in page)


def test_parents_view_by_default_and_unknown_setting_refused(serve, project_copy):
    url = serve("halstead")
    home = wait_for(url, lambda page: "What this means for you" in page)
    assert "Staff quick reference" not in home
    unknown = subprocess.run(
        [sys.executable, "-m", "policy_sites", "serve", "nosuch", "--project",
         str(project_copy.root)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert unknown.returncode == 2
    assert "no settings file settings/nosuch.yml" in unknown.stderr
