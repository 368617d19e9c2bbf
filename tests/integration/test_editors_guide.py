"""The editor's guide works as written: every command and edit in it, run in order on a copy."""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from policy_sites.check.prose import lint_site
from policy_sites.project import Project
from policy_sites.settings.loader import setting_model
from policy_sites.settings.schema import free_text_fields
from tests.helpers import REPO, article_text

GUIDE = REPO / "guide" / "editors-guide.md"
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Command:
    line: str


@dataclass(frozen=True)
class Edit:
    file: str
    old: str
    new: str


@dataclass(frozen=True)
class Opens:
    file: str


@dataclass(frozen=True)
class Create:
    file: str
    text: str


def guide_steps(text: str) -> list[Command | Edit | Opens | Create]:
    """The guide's shell commands, its "In `file`, change: ... to: ..." edits, the files
    it creates ("Create `file` with:") and the files it tells the reader to open, in
    the order they appear."""
    steps: list[Command | Edit | Opens | Create] = []
    pending: tuple[str, str] | None = None
    position = 0
    for match in _FENCE.finditer(text):
        before = text[position : match.start()]
        position = match.end()
        steps += [Opens(f) for f in re.findall(r"Open `([^`]+\.html)`", before)]
        language, body = match.group(1), match.group(2)
        change = re.search(r"In\s+`([^`]+)`, change:\s*$", before)
        create = re.search(r"Create\s+`([^`]+)`\s+with:\s*$", before)
        if create:
            steps.append(Create(create.group(1), body))
        elif change:
            pending = (change.group(1), body)
        elif pending and re.search(r"\bto:\s*$", before):
            steps.append(Edit(pending[0], pending[1].removesuffix("\n"), body.removesuffix("\n")))
            pending = None
        elif language == "sh":
            steps += [Command(line) for line in body.splitlines() if line.strip()]
    steps += [Opens(f) for f in re.findall(r"Open `([^`]+\.html)`", text[position:])]
    assert pending is None, f"an edit of {pending[0]} has no 'to:' block"
    return steps


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def preview_page(command: str, root: Path, env: dict[str, str]) -> str:
    """Start the guide's ``serve`` command, fetch its home page over 127.0.0.1, stop it."""
    port = free_port()
    process = subprocess.Popen(
        [*shlex.split(command), "--port", str(port)],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    return response.read().decode("utf-8")
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.3)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
        assert "stopped." in output, output


def test_guide_parser_finds_commands_edits_and_pages():
    steps = guide_steps(GUIDE.read_text(encoding="utf-8"))
    commands = [s.line for s in steps if isinstance(s, Command)]
    assert any(c.startswith("policy-sites new little-acorns") for c in commands)
    assert any(c.startswith("policy-sites serve") for c in commands)
    assert sum(c.startswith("policy-sites publish") for c in commands) == 2
    assert any(c.startswith("policy-sites check") for c in commands)
    assert {s.file for s in steps if isinstance(s, Edit)} == {
        "settings/little-acorns.yml",
        "docs/policies/social-media.md",
        "settings/_federation.yml",
    }
    # Adding a policy with facts of its own needs no program code and no menu edit.
    touched = [s.file for s in steps if isinstance(s, Edit | Create)]
    assert not [f for f in touched if f.startswith("policy_sites/") or f == "mkdocs.yml"]
    assert [s.file for s in steps if isinstance(s, Create)] == [
        "docs/policies/acceptable-use.md",
        "settings/local_authorities/lancashire.yml",
    ]
    assert [s for s in steps if isinstance(s, Opens)]


def _code_digest() -> str:
    """The program's own files, to show the guide's steps change none of them."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted((REPO / "policy_sites").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(REPO).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


def test_every_step_of_the_guide_works_as_written(project_copy: Project):
    root = project_copy.root
    code_before = _code_digest()
    menu_before = (root / "mkdocs.yml").read_text(encoding="utf-8")
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "NO_MKDOCS_2_WARNING": "1",
        "POLICY_SITES_TODAY": "2026-11-22",
    }
    outputs: dict[str, str] = {}
    for step in guide_steps(GUIDE.read_text(encoding="utf-8")):
        if isinstance(step, Create):
            path = root / step.file
            assert not path.exists(), f"the guide creates {step.file}, which exists already"
            path.write_text(step.text, encoding="utf-8")
        elif isinstance(step, Edit):
            path = root / step.file
            text = path.read_text(encoding="utf-8")
            assert step.old in text, f"the guide's edit does not match {step.file}"
            path.write_text(text.replace(step.old, step.new, 1), encoding="utf-8")
        elif isinstance(step, Opens):
            page = (root / step.file).read_text(encoding="utf-8")
            assert "<ins>" in page and "<del>" in page, step.file
            outputs[step.file] = page
        elif step.line.startswith("policy-sites serve"):
            outputs[step.line] = preview_page(step.line, root, env)
        else:
            result = subprocess.run(
                step.line, shell=True, cwd=root, env=env, capture_output=True, text=True
            )
            assert result.returncode == 0, f"$ {step.line}\n{result.stdout}\n{result.stderr}"
            outputs[step.line] = result.stdout + result.stderr

    assert "What this means for you" in outputs["policy-sites serve little-acorns"]
    staff = outputs["policy-sites serve little-acorns --audience staff"]
    assert "Staff quick reference" in staff and "in the office" in staff
    redline = next(v for k, v in outputs.items() if k.endswith(".html"))
    assert "lockers" in redline
    social = root / "site" / "little-acorns" / "policies" / "social-media.html"
    assert "covered when staff start at Little Acorns" in article_text(social)
    next_kcsie = outputs["policy-sites check --no-render --today 2027-09-02"]
    assert (
        "little-acorns: version 2026-27 of the social-media policy cites KCSIE 2026, "
        "which KCSIE 2027 replaced on 1 September 2027"
    ) in next_kcsie
    assert "was due in force" not in next_kcsie  # the register has KCSIE 2027 now

    # The third policy: on Little Acorns' site, its menu and induction sheet; not elsewhere.
    site = root / "site" / "little-acorns"
    added = article_text(site / "policies" / "acceptable-use.html")
    assert "Access to the internet on setting devices is filtered by our broadband" in added
    assert "a DSL (or a deputy) or the Nursery Manager straight away" in added
    # Its two declared facts, a list and a choice, from Little Acorns' file.
    assert "Staff change their passwords every term." in added
    assert "may be checked by the Nursery Manager and the Chair of the Committee." in added
    assert _code_digest() == code_before  # no file under policy_sites/ changed
    assert (root / "mkdocs.yml").read_text(encoding="utf-8") == menu_before
    induction = (site / "staff" / "induction.html").read_text(encoding="utf-8")
    assert 'href="policies/acceptable-use.html">Acceptable use policy</a>' in induction
    assert "policies/acceptable-use.html" in (site / "index.html").read_text(encoding="utf-8")
    assert not lint_site(site), lint_site(site)

    # Step 9: Little Acorns moved to Lancashire's entry; the working pages give its routes.
    home = article_text(site / "index.html")
    assert "phone Lancashire's LADO service on 01632 960401" in home
    assert "At night and at weekends, phone 01632 960403" in home
    assert "03000 41" not in home and "Kent's County LADO" not in home


def test_readme_links_to_the_guide():
    assert "(guide/editors-guide.md)" in (REPO / "README.md").read_text(encoding="utf-8")


def test_guide_shows_the_sentence_each_free_text_field_completes():
    """The guide's table and the schema's descriptions (which editors' tools show) agree."""
    guide = GUIDE.read_text(encoding="utf-8")
    rows = {
        line.split("|")[2].strip(): line.split("|")[3].strip()
        for line in guide.splitlines()
        if line.startswith("| `")
    }
    # The core schema's fields and the facts the examples' policies declare.
    for path, frame in free_text_fields(setting_model(REPO / "docs")).items():
        assert rows.get(frame.sentence) == frame.example, (path, frame)
        assert path.split(".")[-1] in guide, path
