"""The ``policy-sites`` command line: build sites, check settings and sources."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

import click

from policy_sites.build import build_setting
from policy_sites.editor_commands import EDITOR_COMMANDS
from policy_sites.federation_commands import FEDERATION_COMMANDS
from policy_sites.project import Project
from policy_sites.settings import SettingsError, load_setting, setting_slugs
from policy_sites.version_commands import VERSION_COMMANDS
from policy_sites.versions import VersionError, read_versions
from policy_sites.views import policy_ids

__all__ = ["cli", "main"]


def _project(path: str | None) -> Project:
    try:
        return Project.find(Path(path) if path else None)
    except FileNotFoundError as error:
        raise click.ClickException(str(error)) from None


def _chosen(project: Project, slugs: tuple[str, ...]) -> list[str]:
    available = setting_slugs(project.settings_dir)
    if not available:
        raise click.ClickException(f"no settings files in {project.settings_dir}")
    return list(slugs) or available


project_option = click.option(
    "--project",
    type=click.Path(file_okay=False, exists=True),
    help="The folder holding mkdocs.yml (default: this folder or the nearest above).",
)


@click.group()
@click.version_option(package_name="policy-sites")
def cli() -> None:
    """Policy websites for early-years settings, built from shared sources."""


@cli.command()
@project_option
def check(project: str | None) -> None:
    """Validate every settings file and render every source, without writing a site."""
    proj = _project(project)
    known = policy_ids(proj.docs_dir)
    problems = 0
    slugs = _chosen(proj, ())
    for slug in slugs:
        try:
            load_setting(proj.settings_dir, slug, known)
        except SettingsError as error:
            problems += len(error.problems)
            for problem in error.problems:
                click.echo(str(problem), err=True)
        try:
            read_versions(proj.settings_dir, slug)
        except VersionError as error:
            problems += len(error.problems)
            for problem in error.problems:
                click.echo(str(problem), err=True)
    if problems:
        raise click.ClickException(f"{problems} problem(s) in the settings files")
    with tempfile.TemporaryDirectory(prefix="policy-sites-check-") as scratch:
        for slug in slugs:
            result = build_setting(proj, slug, Path(scratch))
            if not result.ok:
                problems += 1
                click.echo(f"{slug}: {result.error}", err=True)
    if problems:
        raise click.ClickException(f"{problems} setting(s) did not render")
    click.echo(f"ok: {len(slugs)} settings, {len(known)} policies, both views render")


for _command in (*FEDERATION_COMMANDS, *EDITOR_COMMANDS, *VERSION_COMMANDS):
    cli.add_command(_command)


def main() -> None:
    """Console script entry point."""
    sys.exit(cli.main(standalone_mode=True))
