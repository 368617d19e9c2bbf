"""The ``policy-sites publish`` command: freeze a ratified version of a setting's policies."""

from __future__ import annotations

import click

from policy_sites.check.checker import publish_errors
from policy_sites.cli.options import find_project, project_option, slug_argument
from policy_sites.publish.snapshot import PublishError, Rendered, dates_to_update, publish
from policy_sites.settings.loader import SettingsError, setting_slugs
from policy_sites.versions.store import (
    REGISTER_FILE,
    VersionError,
    register_versions,
    shown_date,
)

__all__ = ["VERSION_COMMANDS", "publish_command"]


@click.command("publish")
@slug_argument()
@click.option("--version", "label", required=True, help="The version's label, e.g. 2022-23.")
@click.option("--ratified", required=True, help="The day it was ratified: YYYY-MM-DD.")
@click.option(
    "--next-review", required=True, help="When it is next due for review: YYYY-MM or YYYY-MM-DD."
)
@click.option(
    "--policy",
    "policies",
    multiple=True,
    help="Publish only this policy (repeat for several); default: all of the setting's.",
)
@click.option("--summary", help="One line on what changed, for the History page.")
@project_option
def publish_command(
    slug: str,
    label: str,
    ratified: str,
    next_review: str,
    policies: tuple[str, ...],
    summary: str | None,
    project: str | None,
) -> None:
    """Freeze the rendered text of SLUG's policies as a published version.

    The version is written to settings/SLUG/versions/LABEL/ and never changes afterwards:
    the site shows it until a newer version is published. Nothing is published while
    'policy-sites check' reports an error in SLUG (warnings do not stop it); a draft
    still builds for preview ('policy-sites build --preview').
    """
    proj = find_project(project)

    def vet(rendered: Rendered) -> list[str]:
        return [str(finding) for finding in publish_errors(proj, rendered)]

    try:
        version = publish(
            proj, slug, label, ratified, next_review, policies, summary,
            on_wait=lambda message: click.echo(message, err=True), vet=vet,
        )  # fmt: skip
    except (PublishError, SettingsError, VersionError) as error:
        raise click.ClickException(str(error)) from None
    folder = version.folder.relative_to(proj.root)
    click.echo(f"published {slug} {version.label}: {', '.join(version.policies)}")
    click.echo(
        f"          ratified {shown_date(version.ratified)}, next review "
        f"{shown_date(version.next_review)}, cites {version.cites()}"
    )
    click.echo(f"          {folder}/ (commit it with the settings file)")
    for clash in dates_to_update(proj, slug, version):
        click.echo(
            f"warning: {clash}: write the version's date there, or delete the line "
            "('policy-sites check' reports it until then)",
            err=True,
        )


@click.command("register")
@slug_argument(many=True)
@project_option
def register_command(slugs: tuple[str, ...], project: str | None) -> None:
    """List the published versions of SLUGS (default: every setting) in their register.

    The register is settings/SLUG/versions/published.yml.
    For versions published before the register existed (publish keeps it up to date).
    Each version's hashes are checked first; a version already listed is never changed.
    """
    proj = find_project(project)
    for slug in slugs or setting_slugs(proj.settings_dir):
        try:
            added = register_versions(proj.settings_dir, slug)
        except VersionError as error:
            raise click.ClickException(str(error)) from None
        listed = ", ".join(added) if added else "nothing new"
        click.echo(f"{slug}: {REGISTER_FILE} lists {listed}")


VERSION_COMMANDS = (publish_command, register_command)
