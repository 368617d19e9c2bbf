"""A published version's 'Written or last updated' follows the version (issue 19): a
version ratified in November does not say its text was last updated in July."""

from __future__ import annotations

import datetime as dt

from policy_sites.publish.snapshot import publish
from policy_sites.settings.new_setting import write_new_setting
from policy_sites.versions.store import read_versions
from tests.conftest import copy_project
from tests.unit.test_new_setting import POLICIES, details


def test_a_version_is_last_updated_no_earlier_than_it_was_ratified(tmp_path):
    project = copy_project(tmp_path / "project")
    write_new_setting(project.settings_dir, "acorns", details(written="2026-07"), POLICIES)
    today = dt.date(2026, 12, 5)
    publish(project, "acorns", "2026-27", "2026-11-14", "2027-11", today=today)
    (version,) = read_versions(project.settings_dir, "acorns")
    for view in ("parents", "staff"):
        for policy in POLICIES:
            text = version.text(policy, view)
            assert "Written or last updated:** 14 November 2026" in text, (view, policy)
            assert "July 2026" not in text
