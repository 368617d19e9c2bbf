"""The package's stages import only the stages below them (the order in policy_sites/__init__.py).

An import that reaches up (the plugin importing the site builder, say) makes the pipeline
the README draws a fiction, and such cycles are what break when a module moves.
"""

from __future__ import annotations

import ast
from pathlib import Path

import policy_sites

PACKAGE = Path(policy_sites.__file__).parent

# Lowest first. ``project`` (paths of a project) is the floor every stage may use.
STAGES = [
    "project",
    "settings",
    "context",
    "versions",
    "render",
    "builder",
    "deploy",
    "publish",
    "check",
    "importer",
    "cli",
]


def _stage_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "policy_sites" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in STAGES else None


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
    return found


def upward_imports() -> list[str]:
    """Every import from a module to a stage above its own, as 'file:line: a -> b'."""
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        own = relative.parts[0].removesuffix(".py")
        if own not in STAGES:
            continue
        for line, module in _imports(path):
            target = _stage_of(module)
            if target and STAGES.index(target) > STAGES.index(own):
                problems.append(f"{relative}:{line}: {own} -> {target} ({module})")
    return problems


def test_every_stage_imports_only_the_stages_below_it() -> None:
    assert upward_imports() == []


def test_every_subpackage_is_a_known_stage() -> None:
    # A new subpackage must be placed in the order, or the check above would skip it.
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert packages <= set(STAGES), packages - set(STAGES)


def test_the_check_catches_an_upward_import(tmp_path: Path) -> None:
    # The check itself can fail: an import of the builder from the plugin is reported.
    module = tmp_path / "m.py"
    module.write_text("from policy_sites.builder.site import build_setting\n")
    assert _imports(module) == [(1, "policy_sites.builder.site")]
    assert _stage_of("policy_sites.builder.site") == "builder"
    assert STAGES.index("builder") > STAGES.index("render")
