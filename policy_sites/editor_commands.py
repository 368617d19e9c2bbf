"""The editors' commands of ``policy-sites``: ``new``, ``serve`` and ``schema``.

Kept apart from cli.py, which registers them, so each command's wiring stays short and
the work itself lives in the module for its job (new_setting, preview, json_schema).
"""

from __future__ import annotations

from pathlib import Path

import click

from policy_sites.json_schema import SCHEMA_FILE, schema_is_current, schema_text
from policy_sites.project import Project

__all__ = ["EDITOR_COMMANDS", "find_project", "project_option"]

project_option = click.option(
    "--project",
    type=click.Path(file_okay=False, exists=True),
    help="The folder holding mkdocs.yml (default: this folder or the nearest above).",
)


def find_project(path: str | None) -> Project:
    """The project at ``path``, or the nearest one above the current folder."""
    try:
        return Project.find(Path(path) if path else None)
    except FileNotFoundError as error:
        raise click.ClickException(str(error)) from None


@click.command()
@click.option(
    "--check",
    "check_file",
    is_flag=True,
    help=f"Do not print: fail if {SCHEMA_FILE} does not match the code.",
)
@project_option
def schema(check_file: bool, project: str | None) -> None:
    """Print the settings schema as JSON Schema (for VS Code's YAML extension).

    Save it with: policy-sites schema > settings.schema.json
    """
    if not check_file:
        click.echo(schema_text(), nl=False)
        return
    proj = find_project(project)
    if not schema_is_current(proj.root):
        raise click.ClickException(
            f"{proj.root / SCHEMA_FILE} is out of date; run: policy-sites schema > {SCHEMA_FILE}"
        )
    click.echo(f"ok: {SCHEMA_FILE} matches the settings schema")


EDITOR_COMMANDS: list[click.Command] = [schema]
