"""The federation commands: ``build`` (many settings, fast), ``status`` and ``portal``."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from policy_sites.builder.federation import (
    BuildOptions,
    assemble_portal,
    build_federation,
    missing_shards,
    parse_shard,
)
from policy_sites.builder.pdf import INSTALL_HINT, engine_problem
from policy_sites.builder.portal import (
    PolicyState,
    Row,
    SettingSummary,
    render_csv,
    render_json,
    rows,
    summarise,
    table_counts,
)
from policy_sites.builder.progress import BuildProgress, summary_lines
from policy_sites.builder.site import BuildStatus, write_failure
from policy_sites.cli.options import (
    ends_cleanly,
    find_project,
    project_option,
    slug_argument,
    today_option,
)
from policy_sites.project import Project, write_atomic
from policy_sites.settings.loader import SettingsError, setting_slugs
from policy_sites.settings.names import display_name
from policy_sites.versions.store import VersionError

__all__ = ["FEDERATION_COMMANDS", "build", "portal", "status"]


def _shard(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple | None:
    try:
        return parse_shard(value) if value else None
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


_out_option = click.option(
    "--out", type=click.Path(file_okay=False), help="Output folder (default: site/)."
)


def _say_waiting(message: str) -> None:
    click.echo(message, err=True)


def _out_root(project: Project, out: str | None) -> Path:
    return Path(out).resolve() if out else project.default_out


@click.command()
@slug_argument(many=True)
@_out_option
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 1,
    show_default="the number of cores",
    help="Worker processes.",
)
@click.option("--force", is_flag=True, help="Rebuild every setting, even if unchanged.")
@click.option(
    "--shard",
    metavar="K/N",
    callback=_shard,
    help="Build only a stable 1/N share of the settings (for a CI matrix); no portal.",
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False, writable=True),
    help="Write what was built, skipped and failed (and why) as JSON.",
)
@click.option(
    "--preview",
    is_flag=True,
    help="Show every policy's working copy, marked draft, instead of its published version.",
)
@click.option(
    "--drafts",
    is_flag=True,
    help="Include the policies whose source says 'draft: true' (to preview an imported or "
    "new policy); every other build leaves them out.",
)
@click.option(
    "--pdf/--no-pdf",
    default=None,
    help="Make a PDF of every published version and each staff induction pack "
    "(default: when WeasyPrint can run here; always with CI=true).",
)
@project_option
def build(
    slugs: tuple[str, ...],
    out: str | None,
    jobs: int,
    force: bool,
    shard: tuple[int, int] | None,
    report: str | None,
    preview: bool,
    drafts: bool,
    pdf: bool | None,
    project: str | None,
) -> None:
    """Build every setting's site, or only the SLUGS named (settings file names).

    Settings whose inputs have not changed since the last build into the same output
    folder are skipped. Theme assets are written once into <out>/assets/, and a portal
    listing every setting into <out>/index.html.
    """
    proj = find_project(project, needs_settings=True)
    out_root = _out_root(proj, out)
    options = BuildOptions(
        jobs=jobs, force=force, shard=shard, preview=preview, drafts=drafts, pdf=_making_pdfs(pdf)
    )
    with ends_cleanly("build", out_root):
        with BuildProgress() as progress:
            done = build_federation(
                proj,
                list(slugs) or None,
                out_root,
                options,
                progress.on_start,
                progress.on_result,
                on_wait=_say_waiting,
            )
        for line in summary_lines(done):
            click.echo(line, err=not done.ok and line.lstrip().startswith("FAILED"))
        if report:
            try:
                write_atomic(Path(report), json.dumps(done.to_json(), indent=2) + "\n")
            except OSError as error:  # named here: the report need not be in the output
                raise click.ClickException(f"--report: {write_failure(error)}") from None
    if not done.ok:
        raise click.ClickException(f"{len(done.of(BuildStatus.FAILED))} setting(s) failed to build")


def _making_pdfs(asked: bool | None) -> bool:
    """Whether to make PDFs: as asked, else whenever WeasyPrint runs here. A missing system
    library fails the build when PDFs were asked for or in CI, else it is one line's hint."""
    if asked is False:
        return False
    problem = engine_problem()
    if problem is None:
        return True
    if asked or os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        raise click.ClickException(f"cannot make PDFs: {problem}; install: {INSTALL_HINT}")
    click.echo(f"Building without PDFs ({problem}); to get them: {INSTALL_HINT}", err=True)
    return False


@click.command()
@slug_argument(many=True)
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    help="table for people, csv or json for tools.",
)
@today_option
@project_option
def status(slugs: tuple[str, ...], output: str, today: dt.date, project: str | None) -> None:
    """Every setting's policies: current version, ratified, next review, and what is overdue.

    Read from the settings and published versions, not from a built site: 'Not built'
    here means a settings file has errors, or its published versions were lost or
    tampered with (a build refuses them too).
    """
    proj = find_project(project, needs_settings=True)
    summaries = []
    for slug in list(slugs) or setting_slugs(proj.settings_dir):
        try:
            summaries.append(summarise(proj, slug))
        except SettingsError as error:
            first = str(error.problems[0]) if error.problems else str(error)
            summaries.append(SettingSummary(display_name(slug), error=f"invalid settings: {first}"))
        except VersionError as error:  # not 'Not published': the folder's loss is news
            first = str(error.problems[0]) if error.problems else str(error)
            summaries.append(
                SettingSummary(display_name(slug), error=f"published versions: {first}")
            )
    table = rows(summaries, today)
    if output == "csv":
        click.echo(render_csv(table), nl=False)
    elif output == "json":
        click.echo(render_json(table, today), nl=False)
    else:
        _print_table(table, today)
    if any(row.error for row in table):
        sys.exit(1)


_STATE_STYLE = {
    PolicyState.NOT_BUILT: "red",
    PolicyState.NOT_PUBLISHED: "yellow",
    PolicyState.OVERDUE: "bold red",
}


def _state_cell(row: Row) -> str:
    """The portal's words for a row's Status (and, here only, why a site is not built)."""
    text = escape(f"{row.state.value}: {row.error}" if row.error else row.state.value)
    style = _STATE_STYLE.get(row.state)
    return f"[{style}]{text}[/]" if style else text


class _Console(Console):
    """rich's Console, but a pipe closed early is said as every command says it (see
    ``main``), not a silent exit: rich's documented hook for it, overridden."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))


def _print_table(table: list[Row], day: dt.date) -> None:
    grid = Table(title=f"Policies on {day:%-d %B %Y}", title_justify="left")
    for column in ("Setting", "Policy", "Version", "Ratified", "Next review", "Status"):
        grid.add_column(column)
    for row in table:
        grid.add_row(
            escape(row.setting),
            escape(row.title),
            escape(row.version),
            row.ratified,
            row.next_review,
            _state_cell(row),
        )
    _Console(soft_wrap=False).print(grid)
    click.echo(table_counts(table))


@click.command()
@click.option(
    "--report",
    "reports",
    multiple=True,
    required=True,
    type=click.Path(dir_okay=False, exists=True),
    help="A report written by `build --shard K/N --report FILE`; give one per shard.",
)
@_out_option
@project_option
def portal(reports: tuple[str, ...], out: str | None, project: str | None) -> None:
    """Write the portal page listing every setting, from the shards' build reports."""
    proj = find_project(project, needs_settings=True)
    out_root = _out_root(proj, out)
    loaded = [json.loads(Path(path).read_text(encoding="utf-8")) for path in reports]
    if gap := missing_shards(loaded):
        raise click.ClickException(
            f"the reports leave out {gap}: the portal would list only some settings; give "
            "one --report for each shard of one build. Nothing was written"
        )
    with ends_cleanly("portal", out_root):
        click.echo(f"portal: {assemble_portal(proj, loaded, out_root, _say_waiting)}")


FEDERATION_COMMANDS = (build, status, portal)
