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
