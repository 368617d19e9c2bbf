"""Which changes make which settings stale: the input fingerprints, without building."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from policy_sites.builder.inputs import Inputs
from policy_sites.project import Project

SLUGS = ("halstead", "poppys")


def fingerprints(project: Project) -> dict[str, str]:
    inputs = Inputs(project)
    return {slug: inputs.fingerprint(slug) for slug in SLUGS}


def stale_after(project: Project, change: Callable[[], None]) -> set[str]:
    before = fingerprints(project)
    change()
    after = fingerprints(project)
    return {slug for slug in SLUGS if before[slug] != after[slug]}


def append(path: Path, text: str = "\n# changed\n") -> Callable[[], None]:
    def change() -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as file:
            file.write(text)

    return change


def test_nothing_changed_nothing_stale(project_copy: Project) -> None:
    assert stale_after(project_copy, lambda: None) == set()


def test_one_settings_file_makes_only_that_setting_stale(project_copy: Project) -> None:
    assert stale_after(project_copy, append(project_copy.settings_dir / "poppys.yml")) == {"poppys"}


def test_published_versions_folder_makes_only_that_setting_stale(project_copy: Project) -> None:
    extra = project_copy.settings_dir / "halstead" / "versions" / "2030-31" / "version.yml"
    assert stale_after(project_copy, append(extra, "label: 2030-31\n")) == {"halstead"}


@pytest.mark.parametrize(
    "part",
    [
        "settings/_federation.yml",
        "docs/_partials/phrases.md",
        "docs/index.md",
        "docs/policies/social-media.md",
        "mkdocs.yml",
        "macros/__init__.py",
    ],
)
def test_shared_inputs_make_every_setting_stale(project_copy: Project, part: str) -> None:
    assert stale_after(project_copy, append(project_copy.root / part)) == set(SLUGS)


def test_a_new_override_makes_every_setting_stale(project_copy: Project) -> None:
    extra = project_copy.root / "overrides" / "partials" / "extra.html"
    assert stale_after(project_copy, append(extra, "<p>extra</p>\n")) == set(SLUGS)


def test_a_policy_a_setting_does_not_publish_leaves_it_alone(
    project_copy: Project, edit: Callable[[Path, str, str], None]
) -> None:
    halstead = project_copy.settings_dir / "halstead.yml"
    edit(halstead, "  social-media: {}\n", "")
    source = project_copy.docs_dir / "policies" / "social-media.md"
    assert stale_after(project_copy, append(source)) == {"poppys"}


def test_source_date_epoch_makes_every_setting_stale(
    project_copy: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    change = lambda: monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # noqa: E731
    assert stale_after(project_copy, change) == set(SLUGS)


def test_the_builds_options_make_every_setting_stale(project_copy: Project) -> None:
    plain, preview = (Inputs(project_copy, extra=f"preview={p}") for p in (False, True))
    assert all(plain.fingerprint(slug) != preview.fingerprint(slug) for slug in SLUGS)


def test_the_builders_own_code_is_an_input(monkeypatch: pytest.MonkeyPatch) -> None:
    import policy_sites.builder.inputs as inputs

    before = inputs.builder_digest()
    monkeypatch.setattr(inputs, "RENDERING_PACKAGES", (*inputs.RENDERING_PACKAGES, "click"))
    assert inputs.builder_digest() != before
