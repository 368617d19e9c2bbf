"""Each cache has a folder of its own (issue 19): the README told users that deleting the
template cache is always safe, and the PDFs were kept inside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from policy_sites.builder.pdf import default_pdf_cache
from policy_sites.render.engine import cache_root, default_cache_folder
from tests.helpers import REPO


def test_the_pdf_cache_is_not_inside_the_template_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_root() == tmp_path / "policy-sites"
    templates, pdfs = cache_root() / "jinja", default_pdf_cache()
    assert default_cache_folder().is_relative_to(templates)
    assert pdfs == cache_root() / "pdf"
    assert not pdfs.is_relative_to(templates), "deleting jinja/ would delete the PDFs"


def test_the_readme_names_the_folders_the_code_uses(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for folder in (cache_root() / "jinja", default_pdf_cache()):
        named = f"~/.cache/{folder.relative_to(tmp_path).as_posix()}/"
        assert named in readme, named
