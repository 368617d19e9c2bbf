"""Bad input fails with a clear error, the other settings still build, and nothing is lost."""

from __future__ import annotations

from pathlib import Path

from policy_sites.builder.site import build_setting
from tests.helpers import run_cli


def snapshot(tree: Path) -> dict[str, bytes]:
    return {p.relative_to(tree).as_posix(): p.read_bytes() for p in tree.rglob("*") if p.is_file()}


def test_one_bad_setting_fails_alone_and_keeps_its_previous_site(project_copy, edit):
    first = run_cli(project_copy, "build")
    assert first.returncode == 0, first.stderr
    site = project_copy.default_out
    before_poppys = snapshot(site / "poppys")
    halstead_home = site / "halstead" / "index.html"
    halstead_home.write_text("stale")

    poppys = project_copy.settings_dir / "poppys.yml"
    edit(poppys, "  signage: true", "  signge: true")
    # Halstead changes too, so the incremental build must rebuild it alongside the failure.
    edit(
        project_copy.settings_dir / "halstead.yml",
        "name: Halstead Nursery",
        "name: Halstead Nursery\n# edited",
    )
    second = run_cli(project_copy, "build")

    assert second.returncode != 0
    line = next(n for n, t in enumerate(poppys.read_text().splitlines(), 1) if "signge" in t)
    assert f"poppys.yml:{line}: visitors.signge: unknown key 'signge'" in second.stderr
    assert "did you mean 'signage'" in second.stderr
    assert snapshot(site / "poppys") == before_poppys, "the failed setting's site changed"
    assert "What this means for you" in halstead_home.read_text(), "halstead was not rebuilt"
    leftovers = [p.name for p in site.iterdir() if p.is_dir() and p.name.startswith(".")]
    assert not leftovers, f"staging folders left behind: {leftovers}"


def test_undefined_variable_names_the_variable_page_and_line(project_copy, edit, tmp_path):
    source = project_copy.docs_dir / "policies" / "mobile-and-smart-technology.md"
    edit(source, "## Rules for everyone", "## Rules for everyone\n\n{{ nmae }} asks everyone to")
    line = next(n for n, t in enumerate(source.read_text().splitlines(), 1) if "nmae" in t)
    result = build_setting(project_copy, "halstead", tmp_path / "site")
    assert not result.ok
    assert f"docs/policies/mobile-and-smart-technology.md, line {line}" in result.error
    assert "'nmae' is undefined" in result.error


def test_check_reports_every_settings_problem_without_writing_a_site(project_copy, edit):
    edit(project_copy.settings_dir / "poppys.yml", "name: Poppy's\n", "")
    edit(project_copy.settings_dir / "halstead.yml", "mobile-and-smart-technology: {}", "x: {}")
    result = run_cli(project_copy, "check")
    assert result.returncode == 1
    assert "poppys.yml:1: name: is required but missing" in result.stderr
    assert (
        "halstead.yml" in result.stderr and "policies.x: there is no shared policy" in result.stderr
    )
    assert not project_copy.default_out.exists()


def test_check_passes_on_the_examples(project_copy):
    result = run_cli(project_copy, "check")
    assert result.returncode == 0, result.stderr
    assert "ok: 2 settings" in result.stdout
    assert not project_copy.default_out.exists()


def test_injected_values_are_html_escaped(project_copy, edit, tmp_path):
    hostile = "<script>alert(1)</script> & [x](javascript:alert(1))"
    edit(project_copy.settings_dir / "poppys.yml", "name: Poppy's", f'name: "{hostile}"')
    edit(project_copy.settings_dir / "poppys.yml", "name: Gemma Chapman", "name: <b>Gemma</b>")
    result = build_setting(project_copy, "poppys", tmp_path / "site")
    assert result.ok, result.error
    for page in (tmp_path / "site" / "poppys").rglob("*.html"):
        markup = page.read_text()
        assert "<script>alert(1)" not in markup, page
        assert "<b>Gemma</b>" not in markup, page
        assert 'href="javascript:' not in markup, page
    home = (tmp_path / "site" / "poppys" / "index.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#91;x&#93;" in home
    assert "&lt;b&gt;Gemma&lt;/b&gt;" in home
    # Escaped once, even where Material escapes again (the logo's tooltip).
    for page in (tmp_path / "site" / "poppys").rglob("*.html"):
        assert "&amp;lt;" not in page.read_text() and "&amp;amp;" not in page.read_text(), page
