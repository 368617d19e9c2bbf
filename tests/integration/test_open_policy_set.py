"""The policy set is open: a new source in docs/policies/ is a policy (id, title, menu
entry and facts from its own file), the policies that go with one link the shared
policies a setting publishes, and a draft stays off every site unless built with drafts."""

from __future__ import annotations

from pathlib import Path

from policy_sites.builder.site import build_setting
from policy_sites.project import Project
from tests.helpers import visible_text

COMPLAINTS = """\
---
policy_id: complaints
title: Complaints procedure
---
{% import "phrases.md" as say with context %}
# Complaints procedure

{% include "key-details.md" %}

Tell us first: {{ name }} wants to put things right.

{% include "who-to-contact.md" %}
"""

DRAFT = """\
---
title: Lost or missing child policy
draft: true
facts:
  missing_child:
    search_areas:
      kind: list
      question: Where do staff search first when a child is missing?
      frame: "Staff search {} first."
      example: [the garden]
---
{% import "phrases.md" as say with context %}
# Lost or missing child policy

{% include "key-details.md" %}

Staff search {{ missing_child.search_areas | join_and }} first.

{% include "who-to-contact.md" %}
"""


def _publish(project: Project, *policies: str, facts: str = "") -> None:
    path = project.settings_dir / "poppys.yml"
    added = "".join(f"  {pid}:\n    written: 2026-11\n" for pid in policies)
    text = path.read_text(encoding="utf-8").replace("\npolicies:\n", f"\npolicies:\n{added}", 1)
    path.write_text(text + facts, encoding="utf-8")


def _page(site: Path, pid: str) -> str:
    return visible_text((site / "policies" / f"{pid}.html").read_text(encoding="utf-8"))


def test_a_new_shared_policy_is_linked_listed_and_titled_from_its_source(
    project_copy: Project, tmp_path: Path
) -> None:
    (project_copy.docs_dir / "policies" / "complaints.md").write_text(COMPLAINTS)
    (project_copy.docs_dir / "policies" / "lost-or-missing-child.md").write_text(DRAFT)
    _publish(
        project_copy,
        "complaints",
        "lost-or-missing-child",
        facts="\nmissing_child:\n  search_areas: [the garden, the hall]\n",
    )
    out = tmp_path / "site"
    result = build_setting(project_copy, "poppys", out, preview=True)  # working copies
    assert result.ok, result.error
    site = out / "poppys"
    mobile = (site / "policies" / "mobile-and-smart-technology.html").read_text()
    # Poppy's publishes the shared Complaints procedure: its page, not the PDF elsewhere
    # (other_policies.complaints.url), which it linked before.
    assert 'href="complaints.html"' in mobile
    assert "complaints.pdf" not in mobile
    assert "Complaints procedure" in _page(site, "complaints")
    assert 'href="policies/complaints.html"' in (site / "index.html").read_text()
    # The draft is on no site, and nothing links to it.
    assert not (site / "policies" / "lost-or-missing-child.html").exists()
    assert "lost-or-missing-child" not in (site / "index.html").read_text()

    previewed = build_setting(project_copy, "poppys", tmp_path / "drafts", drafts=True)
    assert previewed.ok, previewed.error
    page = _page(tmp_path / "drafts" / "poppys", "lost-or-missing-child")
    assert "Staff search the garden and the hall first." in page


def test_a_staff_only_fact_on_a_public_page_fails_the_build(
    project_copy: Project, tmp_path: Path
) -> None:
    declared = DRAFT.replace("draft: true\n", "").replace(
        "      example: [the garden]\n",
        "      example: [the garden]\n    door_code:\n      kind: phrase\n"
        "      staff_only: true\n      question: What is the door code?\n"
        '      frame: "The door code is {}."\n      example: "1234"\n',
    )
    source = project_copy.docs_dir / "policies" / "lost-or-missing-child.md"
    source.write_text(
        declared
        + "\n{% if for_staff %}The door code is {{ missing_child.door_code }}.{% endif %}\n"
    )
    _publish(
        project_copy,
        "lost-or-missing-child",
        facts="\nmissing_child:\n  search_areas: [the garden]\n  door_code: 'code 4711'\n",
    )
    guarded = build_setting(project_copy, "poppys", tmp_path / "guarded", preview=True)
    assert guarded.ok, guarded.error
    site = tmp_path / "guarded" / "poppys"
    assert "code 4711" not in (site / "policies" / "lost-or-missing-child.html").read_text()
    assert "code 4711" in (site / "staff" / "policies" / "lost-or-missing-child.html").read_text()
    source.write_text(declared + "\nThe door code is {{ missing_child.door_code }}.\n")
    leaked = build_setting(project_copy, "poppys", tmp_path / "leaked", preview=True)
    assert not leaked.ok
    assert "lost-or-missing-child.md" in str(leaked.error)
    assert "door_code" in str(leaked.error)


def test_build_drafts_option_reaches_every_setting_build(project_copy: Project) -> None:
    """`policy-sites build --drafts` (through the federation builder and its workers)
    shows a draft; the same build without it leaves the draft out."""
    from tests.helpers import run_cli

    (project_copy.docs_dir / "policies" / "lost-or-missing-child.md").write_text(DRAFT)
    _publish(
        project_copy,
        "lost-or-missing-child",
        facts="\nmissing_child:\n  search_areas: [the garden]\n",
    )
    out = project_copy.root / "out"
    plain = run_cli(project_copy, "build", "poppys", "--no-pdf", "--out", str(out))
    assert plain.returncode == 0, plain.stderr
    page = out / "poppys" / "policies" / "lost-or-missing-child.html"
    assert not page.exists()
    drafts = run_cli(project_copy, "build", "poppys", "--no-pdf", "--drafts", "--out", str(out))
    assert drafts.returncode == 0, drafts.stderr
    assert "Staff search the garden first." in _page(out / "poppys", "lost-or-missing-child")
