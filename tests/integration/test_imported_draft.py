"""An imported draft is a policy like any other: the two reference policies, imported as
their settings' Word files and applied, pass ``check`` (the prose check and both views'
renders) and build with ``--drafts`` for both settings in both views (the leak check
reads every parents' page), the draft in each view's menu and pages."""

from __future__ import annotations

from pathlib import Path

from policy_sites.context.views import STAFF
from policy_sites.settings.loader import load_setting
from tests.conftest import copy_project
from tests.helpers import run_cli, visible_text
from tests.unit.test_importer import reference_files  # noqa: F401 (the shared .docx fixture)

POLICY = "mobile-imported"


def test_the_imported_reference_draft_passes_check_and_builds(
    tmp_path: Path,
    reference_files: dict[str, Path],  # noqa: F811
) -> None:
    project = copy_project(tmp_path / "project")
    files = [str(path) for path in reference_files.values()]
    imported = run_cli(project, "import", "--policy", POLICY, *files)
    assert imported.returncode == 0, imported.stderr
    applied = run_cli(project, "import", "--policy", POLICY, "--apply")
    assert applied.returncode == 0, applied.stderr
    assert "settings files changed: halstead.yml, poppys.yml" in applied.stdout

    checked = run_cli(project, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "error" not in checked.stdout.lower(), checked.stdout
    assert "in no menu" not in checked.stdout  # the menu lists every policy

    out = tmp_path / "site"
    built = run_cli(project, "build", *reference_files, "--drafts", "--no-pdf", "--out", str(out))
    assert built.returncode == 0, built.stdout + built.stderr
    names = {slug: load_setting(project.settings_dir, slug).name for slug in reference_files}
    for slug, name in names.items():
        other = next(n for s, n in names.items() if s != slug)
        for subpath in ("", STAFF.subpath):
            site = out / slug / subpath
            page = site / "policies" / f"{POLICY}.html"
            assert page.is_file(), page
            text = visible_text(page.read_text(encoding="utf-8"))
            assert name in text and other not in text, (slug, subpath)
            assert f"policies/{POLICY}.html" in (site / "index.html").read_text(encoding="utf-8")
