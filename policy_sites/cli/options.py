"""What every ``policy-sites`` command shares: the --project option and finding the project."""

from __future__ import annotations

from pathlib import Path

import click

from policy_sites.project import Project
from policy_sites.settings.loader import setting_slugs

__all__ = ["find_project", "project_option"]

project_option = click.option(
    "--project",
    type=click.Path(file_okay=False, exists=True),
    help="The folder holding mkdocs.yml (default: this folder or the nearest above).",
)


def find_project(path: str | None, *, needs_settings: bool = False) -> Project:
    """The project at ``path``, or the nearest one above the current folder.

    With ``needs_settings``, a project without any settings file is an error too.
    """
    try:
        project = Project.find(Path(path) if path else None)
    except FileNotFoundError as error:
        raise click.ClickException(str(error)) from None
    if needs_settings and not setting_slugs(project.settings_dir):
        raise click.ClickException(f"no settings files in {project.settings_dir}")
    return project
