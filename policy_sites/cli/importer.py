"""``policy-sites import``: bring one policy's Word copies in as a draft shared source."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import click

from policy_sites.cli.options import find_project, project_option, today_option
from policy_sites.importer.review import (
    ImportRefused,
    apply_values,
    before_publishing,
    draft_path,
    refuse_overwrite,
    write_import,
)
from policy_sites.importer.run import FilesRefused, import_policy
from policy_sites.settings.loader import SettingsError
from policy_sites.settings.names import slug_problem
from policy_sites.settings.new_setting import NewSettingError

__all__ = ["IMPORT_COMMANDS"]


def _sources(files: tuple[str, ...]) -> list[tuple[str, Path]]:
    """Each FILE as (slug, path): SLUG=FILE, or a file named after its setting's slug."""
    sources: list[tuple[str, Path]] = []
    for given in files:
        slug, sep, name = given.partition("=")
        path = Path(name if sep else given)
        if not sep:
            slug = path.stem
        if problem := slug_problem(slug):
            raise click.BadParameter(
                f"{given}: {problem}; name the setting as SLUG=FILE (e.g. halstead={path.name})",
                param_hint="FILES",
            )
        if any(slug == s for s, _ in sources):
            raise click.BadParameter(f"{slug!r} is given twice", param_hint="FILES")
        sources.append((slug, path))
    return sources


@click.command("import")
@click.option("--policy", "policy_id", required=True, help="The policy's id, e.g. lost-child.")
@click.argument("files", nargs=-1)
@click.option(
    "--apply",
    "apply_",
    is_flag=True,
    help="Add the accepted values of import-review/ID.yml to the settings files.",
)
@today_option
@project_option
def import_(
    policy_id: str, files: tuple[str, ...], apply_: bool, today: dt.date, project: str | None
) -> None:
    """Import one policy's Word (.docx) copies, one per setting, as a draft shared source.

    Each FILE is named after its setting's slug (halstead.docx) or given as SLUG=FILE.
    Writes docs/policies/ID.md (a draft: never over a source a person wrote), the review
    page import-review/ID.md and each setting's values in import-review/ID.yml. Nothing
    goes into a settings file until --apply (without FILES) after your review.
    """
    proj = find_project(project)
    if slug_problem(policy_id):  # a policy's id follows the settings' naming rule
        raise click.BadParameter(
            f"{policy_id!r}: a policy's id is its source's file name without '.md': "
            "lower-case letters, digits and hyphens (for example 'lost-child')",
            param_hint="--policy",
        )
    if apply_:
        if files:
            raise click.UsageError("--apply takes no FILES: it applies import-review/ID.yml")
        try:
            changed = apply_values(proj, policy_id)
        except ImportRefused as error:
            raise click.ClickException(str(error)) from None
        for path in changed:
            click.echo(f"updated {path}")
        click.echo(f"settings files changed: {', '.join(p.name for p in changed) or 'none'}")
        click.echo(before_publishing(policy_id, [p.stem for p in changed]))
        return
    if not files:
        raise click.UsageError("give the Word files to import (or --apply)")
    sources = _sources(files)
    try:
        refuse_overwrite(draft_path(proj, policy_id))
        result = import_policy(proj, policy_id, sources, today, workers=os.cpu_count() or 1)
        written = write_import(proj, result)
    except ImportRefused as error:
        raise click.ClickException(str(error)) from None
    except FilesRefused as error:
        for refused in error.refused:
            click.echo(str(refused), err=True)
        raise click.ClickException("nothing was imported") from None
    except SettingsError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException("nothing was imported") from None
    except NewSettingError as error:
        for message in error.messages:
            click.echo(message, err=True)
        raise click.ClickException("nothing was imported") from None
    for copy, trip in zip(result.copies, result.round_trips, strict=True):
        click.echo(trip)
        found = copy.marked
        notes = [
            (len(found.slips), "slip(s) in the name"),
            (len(found.editions), "older guidance edition(s)"),
            (len(found.staff_only), "staff-only fact(s), shown to staff only"),
            (len(copy.converted.dropped), "thing(s) left out"),
            (len(copy.converted.notes), "tracked change(s), comment(s) or message(s)"),
            (len(found.proposals), "proposal(s)"),
        ]
        listed = ", ".join(f"{n} {what}" for n, what in notes if n)
        if listed:
            click.echo(f"  {listed}: see the review page")
    for copy in result.copies:
        if copy.new_setting:
            click.echo(f"wrote {proj.settings_dir / (copy.slug + '.yml')} (placeholders)")
    facts = result.recovered.facts
    click.echo(f"wrote {written.draft} (a draft, {len(facts)} proposed fact(s))")
    click.echo(f"review {written.review}, then edit {written.values} and run:")
    click.echo(f"  policy-sites import --policy {policy_id} --apply")


IMPORT_COMMANDS = (import_,)
