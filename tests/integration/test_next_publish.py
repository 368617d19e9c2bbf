"""The next publish, as it will happen: each example's working copy published as its next
version, then the site built, in a copy of the project (issue 18, item 2).

A redline compares two frozen texts whose headings may differ in any way: renamed, added,
given ids of their own (``{: #id }``) or made from a setting's value. The build checks
every in-page link, so a redline that links an id its page lacks fails it.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy_sites.builder.site import build_setting
from policy_sites.project import Project
from policy_sites.publish.snapshot import publish
from policy_sites.versions.store import read_versions
from tests.conftest import copy_project

TODAY = dt.date(2026, 12, 5)
EXAMPLES = ("poppys", "halstead")


@pytest.mark.parametrize("slug", EXAMPLES)
def test_the_working_copy_published_as_the_next_version_builds(tmp_path: Path, slug: str) -> None:
    project = copy_project(tmp_path / "project")
    before = read_versions(project.settings_dir, slug)
    version = publish(project, slug, "2027-28", TODAY.isoformat(), "2027-09-01", today=TODAY)
    assert [v.label for v in read_versions(project.settings_dir, slug)] == [
        *(v.label for v in before),
        "2027-28",
    ]
    result = build_setting(project, slug, tmp_path / "site", today=TODAY)
    assert result.ok, result.error
    site = result.site
    for policy in version.policies:
        for view in ("", "staff/"):
            redline = site / f"{view}policies/{policy}/changes-{before[-1].label}-to-2027-28.html"
            assert redline.is_file(), redline


# --- sources edited the ways editors edit them, then published twice and built --------------

SOURCE = "docs/policies/social-media.md"
HEADINGS = [
    "## What this policy is for",
    "## Staff use of social media",
    "### Reputation",
    "## Official use of social media",
    "## {{ learning_journal.name }} at home {: #learning-journal-at-home }",
    "## When this policy is broken",
]
NEW_WORDS = st.sampled_from(["and its reach", "for {{ name }}", "Staff", "(new)", "{{ name }}"])
IDS = st.sampled_from(["staff", "our-rules", "learning-journal-at-home", "reputation"])


@st.composite
def _edit(draw: st.DrawFn) -> list[tuple[str, str]]:
    """Replacements in the shared source: headings renamed, given ids, added; links to ids."""
    edits = []
    for line in draw(st.lists(st.sampled_from(HEADINGS), min_size=1, max_size=3, unique=True)):
        hashes, _, words = line.partition(" ")
        words, _, given_id = words.partition(" {: #")
        action = draw(st.sampled_from(["rename", "id", "drop id", "add after"]))
        if action == "rename":
            new = f"{hashes} {words} {draw(NEW_WORDS)}"
            new += f" {{: #{given_id}" if given_id else ""
        elif action == "id":
            ident = draw(IDS)
            new = f"{hashes} {words} {{: #{ident} }}\n\nRead [this section](#{ident})."
        elif action == "drop id":
            new = f"{hashes} {words}"
        else:
            ident = draw(IDS)
            new = f"{line}\n\n## {draw(NEW_WORDS)} {{: #{ident} }}\n\nSee [it](#{ident})."
        edits.append((line, new))
    return edits


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return copy_project(tmp_path_factory.mktemp("next-publish") / "project")


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=_edit(), second=_edit())
def test_edited_headings_published_twice_still_build(
    base: Project, tmp_path_factory: pytest.TempPathFactory, first: list, second: list
) -> None:
    folder = tmp_path_factory.mktemp("edited")
    shutil.copytree(base.root, folder / "project")
    project = Project(folder / "project")
    source = project.root / SOURCE
    for label, ratified, edits in (
        ("2027-28", "2027-09-01", first),
        ("2028-29", "2028-09-01", second),
    ):
        text = source.read_text(encoding="utf-8")
        for old, new in edits:
            if old in text:
                text = text.replace(old, new, 1)
        source.write_text(text, encoding="utf-8")
        publish(
            project,
            "poppys",
            label,
            ratified,
            "2029-09",
            ["social-media"],
            today=dt.date(2028, 12, 1),
        )
    result = build_setting(project, "poppys", folder / "site", today=dt.date(2028, 12, 1))
    assert result.ok, result.error
