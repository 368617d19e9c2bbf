"""What the ``policy-sites`` commands share: --project and finding the project, --today."""

from __future__ import annotations

from pathlib import Path

import click

from policy_sites.context.variables import TODAY_VARIABLE, review_day
from policy_sites.project import Project
from policy_sites.settings.loader import setting_slugs

__all__ = ["find_project", "project_option", "today_option"]

project_option = click.option(
    "--project",
    type=click.Path(file_okay=False, exists=True),
    help="The folder holding mkdocs.yml (default: this folder or the nearest above).",
)


def _review_day(context: click.Context, parameter: click.Parameter, value: str | None):
    try:
        return review_day(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


today_option = click.option(
    "--today",
    metavar="YYYY-MM-DD",
    callback=_review_day,
    help=f"Judge review dates against this day (default: ${TODAY_VARIABLE}, else today).",
)
"""--today, given to the command as the day review dates are judged against."""


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
