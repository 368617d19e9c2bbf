"""The ``policy-sites`` command line: build sites, check settings and sources."""

from __future__ import annotations

import datetime as dt
import json
import sys

import click

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

__all__ = ["cli", "main"]


@click.group()
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
    """Console script entry point."""
    sys.exit(cli.main(standalone_mode=True))
