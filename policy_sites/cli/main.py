"""The ``policy-sites`` command line: build sites, check settings and sources."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import sys

import click

from policy_sites.builder.site import write_failure
from policy_sites.check.checker import run_check
from policy_sites.cli.deploy import DEPLOY_COMMANDS
from policy_sites.cli.editor import EDITOR_COMMANDS
from policy_sites.cli.federation import FEDERATION_COMMANDS
from policy_sites.cli.importer import IMPORT_COMMANDS
from policy_sites.cli.options import (
    existing_slugs,
    find_project,
    project_option,
    slug_argument,
    today_option,
)
from policy_sites.cli.versions import VERSION_COMMANDS
from policy_sites.context.phrases import counted
from policy_sites.context.variables import BadEnvironment

__all__ = ["cli", "main"]


class _Commands(click.Group):
    """The commands, with a pipe closed early (``status | head -1``) said in one line:
    click alone exits quietly, Python then reports the failed flush at exit."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except OSError as error:
            if error.errno != errno.EPIPE:
                raise
            _discard_stdout()
            raise click.ClickException(_unwritten(error).removeprefix("Error: ")) from None


@click.group(cls=_Commands)
@click.version_option(package_name="policy-sites")
def cli() -> None:
    """Policy websites for early-years settings, built from shared sources."""


@cli.command()
@slug_argument(many=True)
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit code 2).")
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "json"]),
    default="text",
    help="text for people, json for tools.",
)
@today_option
@click.option("--no-render", is_flag=True, help="Skip rendering every view (faster).")
@project_option
def check(
    slugs: tuple[str, ...],
    strict: bool,
    output: str,
    today: dt.date,
    no_render: bool,
    project: str | None,
) -> None:
    """Validate settings and published versions, find drift, and render every view: of
    every setting, or only the SLUGS named (settings file names). The shared sources are
    checked either way.

    Exit code: 0 when clean (warnings allowed), 1 on errors, 2 on warnings with --strict.
    """
    proj = find_project(project, needs_settings=True)
    report = run_check(proj, today, render=not no_render, slugs=existing_slugs(proj, slugs))
    if output == "json":
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        for finding in report.findings:
            click.echo(str(finding), err=True)
        counts = f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)"
        if report.errors:
            click.echo(f"check failed: {counts}", err=True)
        elif report.exit_code(strict):  # --strict: a warning fails the check
            click.echo(f"check failed (--strict counts warnings): {counts}", err=True)
        else:
            rendered = ", both views render" if report.rendered else ""
            click.echo(
                f"ok: {counted(report.settings, 'setting')}, "
                f"{counted(report.policies, 'shared policy', 'shared policies')}{rendered}; "
                f"{len(report.warnings)} warning(s)"
            )
    sys.exit(report.exit_code(strict))


for _command in (
    *FEDERATION_COMMANDS,
    *EDITOR_COMMANDS,
    *VERSION_COMMANDS,
    *DEPLOY_COMMANDS,
    *IMPORT_COMMANDS,
):
    cli.add_command(_command)


def main() -> None:
    """Console script entry point. A write that fails where no command catches it (most
    often standard output: ``status > /dev/full``, a pipe closed early) ends in one line
    on standard error and exit code 1, never a traceback."""
    code: int | str | None
    try:
        cli.main(standalone_mode=True)
        code = 0
    except SystemExit as stopped:
        code = stopped.code
    except OSError as error:
        code = 1
        _say_once(_unwritten(error))
    except BadEnvironment as error:  # found where no option callback could say it
        code = 1
        click.echo(f"Error: {error}", err=True)
    try:
        sys.stdout.flush()
    except OSError as error:
        code = code or 1
        _say_once(_unwritten(error))
    sys.exit(code)


def _unwritten(error: OSError) -> str:
    """A failed write, said in one line: standard output when it names no file."""
    if error.errno == errno.EPIPE:
        return "Error: the output was closed before everything was written (broken pipe)"
    if error.filename:
        return f"Error: {write_failure(error)}"
    return f"Error: could not write the output: {error.strerror or error}"


def _discard_stdout() -> None:
    """Send what is left of stdout's buffer nowhere, so that Python's own flush at exit
    does not fail again and print a traceback of its own."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _say_once(line: str) -> None:
    """Tell stderr why the output stopped, once."""
    _discard_stdout()
    with contextlib.suppress(OSError):
        click.echo(line, err=True)
