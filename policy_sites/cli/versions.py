"""The ``policy-sites publish`` command: freeze a ratified version of a setting's policies."""

from __future__ import annotations

import click

from policy_sites.cli.options import find_project, project_option
from policy_sites.publish.snapshot import PublishError, publish
from policy_sites.settings.loader import SettingsError
from policy_sites.versions.store import VersionError, shown_date

__all__ = ["VERSION_COMMANDS", "publish_command"]


@click.command("publish")
@click.argument("slug")
@click.option("--version", "label", required=True, help="The version's label, e.g. 2022-23.")
@click.option("--ratified", required=True, help="When the committee ratified it: YYYY-MM-DD.")
@click.option("--next-review", required=True, help="When it is next due for review: YYYY-MM.")
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
    the site shows it until a newer version is published.
    """
    proj = find_project(project)
    try:
        version = publish(proj, slug, label, ratified, next_review, policies, summary)
    except (PublishError, SettingsError, VersionError) as error:
        raise click.ClickException(str(error)) from None
    folder = version.folder.relative_to(proj.root)
    click.echo(f"published {slug} {version.label}: {', '.join(version.policies)}")
    click.echo(
        f"          ratified {shown_date(version.ratified)}, next review "
        f"{shown_date(version.next_review)}, cites {version.cites()}"
    )
    click.echo(f"          {folder}/ (commit it with the settings file)")


VERSION_COMMANDS = (publish_command,)
