"""policy-sites check end to end: published versions, rendering, text and JSON, exit codes."""

from __future__ import annotations

import json
import subprocess

from policy_sites.project import Project
from tests import helpers


def run_cli(project: Project, *args: str, today: str = "2023-01-01") -> subprocess.CompletedProcess:
    """The command line, judging review dates against ``today``."""
    return helpers.run_cli(project, *args, POLICY_SITES_TODAY=today)


def edition_line(meta, edition: str) -> int:
    text = meta.read_text().replace('"', "'").splitlines()
    return next(n for n, t in enumerate(text, 1) if f"edition: '{edition}'" in t)


def test_stale_guidance_in_the_newest_published_version(project_copy, edit):
    versions = project_copy.settings_dir / "halstead" / "versions"
    old = versions / "2020-21" / "version.yml"
    assert "edition: '2020'" in old.read_text().replace('"', "'")  # superseded: not drift
    clean = run_cli(project_copy, "check", "--no-render", "--format", "json")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert json.loads(clean.stdout)["errors"] == 0

    edit(project_copy.settings_dir / "_federation.yml", 'edition: "2022"', 'edition: "2023"')
    stale = run_cli(project_copy, "check", "--no-render", "--format", "json")
    assert stale.returncode == 1
    found = [f for f in json.loads(stale.stdout)["findings"] if "cites KCSIE 2022" in f["message"]]
    expected = set()
    for slug in ("halstead", "poppys"):
        meta = project_copy.settings_dir / slug / "versions" / "2022-23" / "version.yml"
        line = edition_line(meta, "2022")
        expected.add((f"settings/{slug}/versions/2022-23/version.yml", line, "error"))
    assert {(f["file"], f["line"], f["severity"]) for f in found} == expected
    assert len(found) == 4  # two policies in each setting's newest version
    assert all("now cites 2023" in f["message"] for f in found)
    assert all("policy-sites publish" in f["fix"] for f in found)


def test_hand_edited_version_is_an_error_with_its_file(project_copy):
    page = (
        project_copy.settings_dir
        / "poppys"
        / "versions"
        / "2022-23"
        / "parents"
        / "social-media.md"
    )
    page.write_text(page.read_text() + "\nAn edit.\n")
    result = run_cli(project_copy, "check", "--no-render")
    assert result.returncode == 1
    assert "settings/poppys/versions/2022-23/parents/social-media.md:1: " in result.stderr
    assert "fix: published versions never change" in result.stderr


def test_render_failure_names_source_and_line(project_copy, edit):
    source = project_copy.docs_dir / "induction.md"
    edit(source, "## Signed", "{{ name | no_such_filter }}\n\n## Signed")
    result = run_cli(project_copy, "check", "--format", "json")
    assert result.returncode == 1
    findings = json.loads(result.stdout)["findings"]
    rendering = [f for f in findings if "does not render" in f["message"]]
    assert rendering, findings
    line = next(n for n, t in enumerate(source.read_text().splitlines(), 1) if "no_such" in t)
    assert {(f["file"], f["line"]) for f in rendering} == {("docs/induction.md", line)}
    assert "No filter named 'no_such_filter'" in rendering[0]["message"]


def test_text_output_strict_and_today(project_copy):
    late = run_cli(project_copy, "check", "--no-render", today="2026-11-22")
    assert late.returncode == 0
    assert "warning  settings/poppys/versions/2022-23/version.yml:6:" in late.stderr
    assert "due for review in September 2023" in late.stderr
    assert "fix: review the policy, have it ratified, then publish" in late.stderr
    assert "ok: 2 settings, 2 policies; 4 warning(s)" in late.stdout

    strict = run_cli(project_copy, "check", "--no-render", "--strict", today="2026-11-22")
    assert strict.returncode == 2

    option = run_cli(project_copy, "check", "--no-render", "--today", "2023-01-01")
    assert "due for review" not in option.stderr
