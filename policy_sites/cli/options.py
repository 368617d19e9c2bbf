"""What the ``policy-sites`` commands share: --project and finding the project, --today,
and the one rule for the setting names given on the command line."""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from policy_sites.builder.output import OutputRefused
from policy_sites.builder.site import write_failure
from policy_sites.context.variables import TODAY_VARIABLE, BadEnvironment, review_day
from policy_sites.project import Project
from policy_sites.settings.loader import missing_setting, setting_slugs
from policy_sites.settings.names import slug_problem

__all__ = [
    "check_slugs",
    "ends_cleanly",
    "existing_slugs",
    "find_project",
    "project_option",
    "slug_argument",
    "today_option",
]


def check_slugs(context: click.Context, parameter: click.Parameter, value):
    """A click callback: refuse any name that is not a slug before a file is read."""
    for slug in (value,) if isinstance(value, str) else value or ():
        problem = slug_problem(slug)
        if problem:
            raise click.BadParameter(problem)
    return value


@contextlib.contextmanager
def ends_cleanly(what: str, out_root: Path) -> Iterator[None]:
    """Turn a fault into one line and an exit code instead of a traceback.

    Disk full and a read-only folder (OSError), the output refused, Ctrl-C and SIGTERM
    each end the command with a sentence; the next run clears what was left half-done.
    """

    def terminated(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        yield
    except OutputRefused as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"{what} stopped: {write_failure(error, out_root)}") from None
    except KeyboardInterrupt:
        click.echo(
            f"{what} interrupted: the sites finished before it were kept, the rest keep "
            "their previous version; run it again to finish",
            err=True,
        )
        sys.exit(130)
    finally:
        signal.signal(signal.SIGTERM, previous)


def slug_argument(*, many: bool = False):
    """The SLUG (or SLUGS) argument of a command, checked against the one naming rule."""
    if many:
        return click.argument("slugs", nargs=-1, callback=check_slugs)
    return click.argument("slug", callback=check_slugs)


project_option = click.option(
    "--project",
    type=click.Path(file_okay=False, exists=True),
    help="The folder holding mkdocs.yml (default: this folder or the nearest above).",
)


def _review_day(context: click.Context, parameter: click.Parameter, value: str | None):
    try:
        return review_day(value)
    except BadEnvironment as error:  # not the option's fault: it was not given
        raise click.ClickException(str(error)) from None
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


def existing_slugs(
    project: Project, slugs: tuple[str, ...], param_hint: str = "'[SLUGS]...'"
) -> list[str] | None:
    """The SLUGS given (None for every setting if none were), each naming a settings
    file of ``project``; else a usage error with the nearest name ("did you mean"),
    naming the argument as the command's help does (``param_hint``)."""
    for slug in slugs:
        if missing := missing_setting(project.settings_dir, slug):
            raise click.BadParameter(missing, param_hint=param_hint)
    return list(slugs) or None
