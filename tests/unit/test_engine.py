"""The engine boundary: one module touches the engine, its one private touch still works,
source errors come back as data, and builds leave the process as they found it.

The contract tests build real sites: if an upgrade of MkDocs, ProperDocs, Material or
mkdocs-macros changes what ``render/engine.py`` relies on, they fail naming the versions.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

from policy_sites.context.views import PARENTS, STAFF
from policy_sites.project import Project
from policy_sites.render import engine
from policy_sites.render.engine import ENGINE, Reuse, SourceError, load_config, render_source
from policy_sites.render.mkdocs_build import BuildFailed, build_view
from tests.conftest import copy_project
from tests.helpers import REPO

VERSIONS = ", ".join(f"{name} {version}" for name, version in engine.package_versions().items())
ENGINE_PACKAGES = {"mkdocs", "properdocs", "material", "mkdocs_macros"}


def test_only_the_engine_module_imports_the_engine() -> None:
    """Every other module takes the engine's names from render/engine.py, so that the
    engine is chosen before anything of it is imported."""
    offenders = []
    for path in sorted((REPO / "policy_sites").rglob("*.py")):
        if path.name == "engine.py" and path.parent.name == "render":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            offenders += [
                f"{path.relative_to(REPO)}:{node.lineno}: {name}"
                for name in names
                if name.split(".")[0] in ENGINE_PACKAGES
            ]
    assert not offenders, offenders


def test_the_engine_is_the_one_installed() -> None:
    import importlib.util

    installed = importlib.util.find_spec("properdocs") is not None
    expected = "properdocs" if installed else "mkdocs"
    assert expected == ENGINE
    running = sys.modules["mkdocs"]
    assert running.__name__ == ENGINE, f"mkdocs.* is served by {running.__name__}, not {ENGINE}"


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Reuse, list[str]]:
    """Poppy's parents' view built twice by one run (the second build reuses the first's work)."""
    reuse = Reuse()
    out = tmp_path_factory.mktemp("engine")
    warnings = []
    for n in range(2):
        warnings += build_view(Project(REPO), "poppys", PARENTS, out / str(n), reuse)
    return reuse, warnings


def test_contract_theme_environments_come_from_the_shared_get_env(two_builds) -> None:
    """Private touch 1: MkDocs makes its theme environments with ``config.theme.get_env``
    and lists the theme's files with ``env.list_templates``."""
    reuse, _ = two_builds
    counts = reuse.counts
    assert counts.theme_envs >= 2, (
        f"{VERSIONS}: the theme's environments no longer come from Theme.get_env; "
        "the shared compiled templates and file listing are not used (render/engine.py)"
    )
    assert counts.listings_made == 1 and counts.listings_reused >= 1, (
        f"{VERSIONS}: the theme's files are no longer listed through env.list_templates "
        f"({counts}); see render/engine.py, private touch 1"
    )
    assert len(reuse.bytecode) > 10, f"{VERSIONS}: the theme's templates were not shared"


def test_contract_macros_leaves_a_page_marked_done_alone(tmp_path: Path, edit) -> None:
    """mkdocs-macros honours ``render_macros: false``: a page is rendered once, by the
    plugin, so Jinja the page writes out as text stays text."""
    project = copy_project(tmp_path / "project")
    edit(project.docs_dir / "index.md", "\n", "\nLiteral: {{ '{{ name }}' }}\n")
    build_view(project, "poppys", PARENTS, tmp_path / "site")
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "Literal: {{ name }}" in page, (
        f"{VERSIONS}: mkdocs-macros rendered a page the plugin had rendered and marked "
        "render_macros: false (render/mkdocs_plugin/plugin.py)"
    )


def test_contract_macros_environment_and_variables(tmp_path: Path) -> None:
    config = load_config(str(REPO / "mkdocs.yml"), site_dir=str(tmp_path))
    engine.set_plugin_options(config, "policy-sites", setting="poppys")
    config = config.plugins.on_config(config)
    env, variables = engine.macros_environment(config)
    assert isinstance(env, jinja2.Environment), f"{VERSIONS}: mkdocs-macros' env changed"
    assert variables["name"] == config.extra["name"], f"{VERSIONS}: macros' variables changed"
    assert env.undefined is jinja2.StrictUndefined


def test_the_builder_options_reach_the_plugin_declared(tmp_path: Path) -> None:
    config = load_config(str(REPO / "mkdocs.yml"), site_dir=str(tmp_path))
    engine.set_plugin_options(config, "policy-sites", setting="halstead", audience="staff")
    options = config.plugins["policy-sites"].config
    assert (options.setting, options.audience, options.preview) == ("halstead", "staff", False)
    with pytest.raises(engine.PluginError, match="audience"):
        engine.set_plugin_options(config, "policy-sites", audience="governors")


def _env(folder: Path | None = None) -> jinja2.Environment:
    loader = jinja2.FileSystemLoader(folder) if folder else None
    return jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined)


@pytest.mark.parametrize(
    ("source", "line", "kind", "message"),
    [
        ("Hello\n\n{{ nmae }}\n", 3, "UndefinedError", "'nmae' is undefined"),
        ("Hello\n{% if x %}\nno end\n", 2, "TemplateSyntaxError", "Unexpected end of template"),
        ("{{ name.first.second }}\n", 1, "UndefinedError", "has no attribute 'first'"),
        ("{{ 1 // 0 }}\n", 1, "ZeroDivisionError", "by zero"),
    ],
)
def test_a_source_error_is_data_naming_file_and_line(
    source: str, line: int, kind: str, message: str
) -> None:
    with pytest.raises(SourceError) as caught:
        render_source(_env(), source, {"name": "A"}, "docs/p.md", 5)
    error = caught.value
    assert (error.file, error.line, error.kind) == ("docs/p.md", line + 4, kind)
    assert message in error.problem
    assert str(error).startswith(f"docs/p.md, line {line + 4}: ")


def test_an_error_in_a_partial_names_the_partial(tmp_path: Path) -> None:
    partials = tmp_path / "docs" / "_partials"
    partials.mkdir(parents=True)
    (partials / "partial.md").write_text("One\n{{ missing_in_partial }}\n", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        source = "A\n{% include 'partial.md' %}\n"
        render_source(_env(partials), source, {}, "docs/p.md", root=tmp_path)
    assert (caught.value.file, caught.value.line) == ("docs/_partials/partial.md", 2)


def test_sources_compile_once_and_render_with_each_environments_own_variables() -> None:
    first = render_source(_env(), "Hi {{ name }}", {"name": "Ann"}, "docs/a.md")
    second = render_source(_env(), "Hi {{ name }}", {"name": "Bo"}, "docs/a.md")
    assert (first, second) == ("Hi Ann", "Hi Bo")


def test_a_broken_source_fails_the_view_with_file_and_line_as_data(tmp_path: Path, edit) -> None:
    project = copy_project(tmp_path / "project")
    source = project.docs_dir / "induction.md"
    edit(source, "\n\n", "\n\n{% if for_staff %}\n\n")  # never closed
    with pytest.raises(BuildFailed) as caught:
        build_view(project, "poppys", STAFF, tmp_path / "site")
    error = caught.value.source_error
    assert error is not None and error.file == "docs/induction.md"
    assert error.kind == "TemplateSyntaxError"
    assert str(caught.value) == f"Staff view: {error}"
    assert "Aborted" not in str(caught.value)


def test_a_build_leaves_the_environment_as_it_found_it(two_builds, tmp_path: Path) -> None:
    before = dict(os.environ)
    build_view(Project(REPO), "halstead", STAFF, tmp_path / "site", preview=True)
    assert dict(os.environ) == before


def test_importing_the_package_changes_nothing() -> None:
    code = (
        "import os, pkgutil, importlib\n"
        "before = dict(os.environ)\n"
        "import policy_sites\n"
        "for m in pkgutil.walk_packages(policy_sites.__path__, 'policy_sites.'):\n"
        "    if not m.name.endswith('__main__'):\n"
        "        importlib.import_module(m.name)\n"
        "assert dict(os.environ) == before\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr


def test_compiled_templates_are_shared_between_environments_and_checked_against_source(
    tmp_path: Path,
) -> None:
    (tmp_path / "page.html").write_text("Hello {{ name }}", encoding="utf-8")
    reuse = Reuse(tmp_path / "cache")

    def render(cache: Reuse) -> str:
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(tmp_path))
        env.bytecode_cache = cache.bytecode
        return env.get_template("page.html").render(name="Poppy")

    assert render(reuse) == "Hello Poppy"
    assert list((tmp_path / "cache").iterdir())  # also kept on disk for the next run
    (tmp_path / "page.html").write_text("Goodbye {{ name }}", encoding="utf-8")
    assert render(reuse) == "Goodbye Poppy"
    assert render(Reuse(tmp_path / "cache")) == "Goodbye Poppy"  # a new run, warm from disk


def test_a_project_includes_its_own_partials_whatever_the_working_folder(
    tmp_path: Path, edit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """mkdocs-macros finds ``include_dir`` from the working folder; the build anchors it
    to mkdocs.yml, so a copy of the project never includes this checkout's partials."""
    project = copy_project(tmp_path / "project")
    partial = project.docs_dir / "_partials" / "what-this-means-for-you.md"
    partial.write_text("Only in the copy.\n\n" + partial.read_text(encoding="utf-8"))
    monkeypatch.chdir(REPO)  # a folder with docs/_partials of its own
    build_view(project, "poppys", PARENTS, tmp_path / "site")
    assert "Only in the copy." in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
