"""The editors' commands of ``policy-sites``: ``new``, ``serve`` and ``schema``.

Kept apart from cli.py, which registers them, so each command's wiring stays short and
the work itself lives in the module for its job (new_setting, preview, json_schema).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from policy_sites.cli.options import find_project, project_option, slug_argument
from policy_sites.context.views import policy_ids
from policy_sites.render.preview import serve as serve_preview
from policy_sites.settings.json_schema import SCHEMA_FILE, schema_is_current, schema_text
from policy_sites.settings.loader import SettingsError, setting_slugs
from policy_sites.settings.new_setting import (
    DSLDetails,
    NewSettingDetails,
    ProvisionDetails,
    new_setting_file,
    write_new_setting,
)
from policy_sites.settings.schema import PolicyDate

__all__ = ["EDITOR_COMMANDS"]


@click.command()
@click.option(
    "--check",
    "check_file",
    is_flag=True,
    help=f"Do not print: fail if {SCHEMA_FILE} does not match the code.",
)
@project_option
def schema(check_file: bool, project: str | None) -> None:
    """Print the settings schema as JSON Schema (for VS Code's YAML extension).

    Save it with: policy-sites schema > settings.schema.json
    """
    if not check_file:
        click.echo(schema_text(), nl=False)
        return
    proj = find_project(project)
    if not schema_is_current(proj.root):
        raise click.ClickException(
            f"{proj.root / SCHEMA_FILE} is out of date; run: policy-sites schema > {SCHEMA_FILE}"
        )
    click.echo(f"ok: {SCHEMA_FILE} matches the settings schema")


def _tidy(text: str) -> str:
    return " ".join(text.split())


def _date(text: str) -> str:
    """A policy date as typed, checked now so that a mistake is asked for again."""
    text = _tidy(text)
    if text:
        try:
            PolicyDate.parse(text)
        except ValueError as error:
            raise click.BadParameter(str(error)) from None
    return text


class _Asker:
    """Takes a value from its option, asks for it in the terminal, or (``--no-input``) fails."""

    def __init__(self, interactive: bool) -> None:
        self.interactive = interactive
        self.missing: list[str] = []

    def one(self, given: str | None, option: str, question: str, default: str | None = None,
            check: Callable[[str], str] = _tidy) -> str:  # fmt: skip
        if given is not None:
            try:
                return check(given)
            except click.BadParameter as error:
                raise click.BadParameter(str(error), param_hint=option) from None
        if self.interactive:
            return click.prompt(
                question, default=default, value_proc=check, show_default=bool(default)
            )
        if default is None:
            self.missing.append(option)
            return ""
        return default

    def many(self, given: tuple[str, ...], option: str, question: str,
             default: list[str] | None = None) -> list[str]:  # fmt: skip
        if given:
            return [_tidy(g) for g in given if _tidy(g)]
        if not self.interactive:
            if default is None:
                self.missing.append(option)
            return list(default or [])
        found: list[str] = []
        while True:
            hint = " (leave empty to finish)" if found or default else ""
            shown = ", ".join(default) if default and not found else ""
            answer = _tidy(click.prompt(question + hint, default=shown, show_default=bool(shown)))
            if not answer:
                if found:
                    return found
                click.echo("Please give at least one.")
                continue
            if answer == shown:
                return list(default or [])
            found.append(answer)
            question = "Another"


def _provisions(ask: _Asker, plain: tuple[str, ...], school: tuple[str, ...]):
    if plain or school or not ask.interactive:
        found = [ProvisionDetails(_tidy(n)) for n in plain]
        found += [ProvisionDetails(_tidy(n), school_age=True) for n in school]
        if not found:
            ask.missing.append("--provision")
        return found
    found = []
    while True:
        name = _tidy(click.prompt(
            "Provision name, e.g. Pre-school" + (" (leave empty to finish)" if found else ""),
            default="", show_default=False))  # fmt: skip
        if not name:
            if found:
                return found
            continue
        short = _tidy(click.prompt("  Short name (optional)", default="", show_default=False))
        school_age = click.confirm("  Do school-age children attend it?", default=False)
        found.append(ProvisionDetails(name, short or None, school_age))


def _dsls(ask: _Asker, given: tuple[str, ...], provisions: list[ProvisionDetails]):
    several = len(provisions) > 1
    if given or not ask.interactive:
        found = []
        for text in given:
            parts = [_tidy(part) for part in text.split(",")]
            if len(parts) not in (2, 3) or not all(parts):
                raise click.BadParameter(
                    f"{text!r}: write 'Name, Role' or 'Name, Role, Provision'", param_hint="--dsl"
                )
            found.append(DSLDetails(*parts))
        if not found:
            ask.missing.append("--dsl")
        return found
    names = [p.name for p in provisions]
    found = []
    while True:
        name = _tidy(click.prompt(
            "Designated Safeguarding Lead's full name" + (" (leave empty to finish)" if found
                                                         else ""),
            default="", show_default=False))  # fmt: skip
        if not name:
            if found:
                return found
            continue
        role = _tidy(click.prompt("  Their job title, e.g. Nursery Manager"))
        provision = None
        if several:
            provision = click.prompt("  Which provision do they lead for?",
                                     type=click.Choice(names))  # fmt: skip
        found.append(DSLDetails(name, role, provision))


@click.command()
@slug_argument()
@click.option("--name", help="The setting's name, exactly as it should appear.")
@click.option("--provision", multiple=True, help="A provision's name (repeat for each).")
@click.option(
    "--school-age",
    "school_age",
    multiple=True,
    help="A provision that school-age children attend (repeat for each).",
)
@click.option("--dsl", multiple=True, help="A DSL as 'Name, Role' or 'Name, Role, Provision'.")
@click.option("--staff-keep-phones", help="Completes 'Staff keep their phones ...'.")
@click.option("--phone-free-area", multiple=True, help="Where nobody uses a phone (repeat).")
@click.option("--phone-free-when", help="When those areas are phone-free.")
@click.option("--phones-quiet-during", help="Completes 'Phones are off or silent during ...'.")
@click.option("--permission-from", multiple=True, help="Who may allow a device in a session.")
@click.option("--staff-social-media", help="When staff may use social media at work.")
@click.option("--channel", multiple=True, help="An official social media platform (repeat).")
@click.option("--internet-filtering", help="Completes 'Filtering is provided by ...'.")
@click.option("--written", help="When the policies were written (YYYY-MM).")
@click.option("--ratified", help="When they were ratified (YYYY-MM).")
@click.option("--next-review", help="When they are next due for review (YYYY-MM).")
@click.option("--no-input", is_flag=True, help="Ask nothing: take every detail from options.")
@project_option
def new(slug: str, no_input: bool, project: str | None, **options: Any) -> None:
    """Write settings/SLUG.yml for a new setting, asking for its details.

    SLUG is the setting's short name, used for its file and its site's folder
    (lower-case letters, digits and hyphens, e.g. little-acorns). An existing file is
    never overwritten.
    """
    proj = find_project(project)
    try:  # before any question: a bad or taken name fails at once
        target = new_setting_file(proj.settings_dir, slug)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="SLUG") from None
    except FileExistsError as error:
        raise click.ClickException(str(error)) from None
    o = options
    ask = _Asker(interactive=not no_input)
    if ask.interactive:
        click.echo(f"A new setting: {target}\nPress Enter to accept a suggestion in [brackets].")
    name = ask.one(o["name"], "--name", "The setting's name, exactly as it should appear")
    provisions = _provisions(ask, o["provision"], o["school_age"])
    dsls = _dsls(ask, o["dsl"], provisions)
    defaults = NewSettingDetails("", [], [], "")
    if ask.interactive and any(p.school_age for p in provisions):
        defaults.confiscated_kept = ask.one(
            None, "", "Where is a confiscated device kept? 'We keep it ...'",
            defaults.confiscated_kept,
        )  # fmt: skip
        defaults.returned_to = ask.one(None, "", "'It goes back to ...'", defaults.returned_to)
    details = NewSettingDetails(
        name=name,
        provisions=provisions,
        dsls=dsls,
        staff_keep_phones=ask.one(
            o["staff_keep_phones"], "--staff-keep-phones",
            "Where do staff keep their phones? 'Staff keep their phones ...'",
        ),
        phone_free_areas=ask.many(
            o["phone_free_area"], "--phone-free-area", "A phone-free area",
            defaults.phone_free_areas,
        ),
        phone_free_when=ask.one(
            o["phone_free_when"], "--phone-free-when", "When are those areas phone-free?",
            defaults.phone_free_when,
        ),
        staff_phones_quiet_during=ask.one(
            o["phones_quiet_during"], "--phones-quiet-during",
            "'Staff phones are off or on silent during ...'", defaults.staff_phones_quiet_during,
        ),
        permission_from=ask.many(
            o["permission_from"], "--permission-from",
            "Who may let staff use a personal device in a session?", defaults.permission_from,
        ),
        staff_personal_use=ask.one(
            o["staff_social_media"], "--staff-social-media",
            "'Staff may use social media for personal reasons during setting hours ...'",
            defaults.staff_personal_use,
        ),
        official_channels=list(o["channel"]) if o["channel"] or not ask.interactive else [
            _tidy(c) for c in click.prompt(
                "Official social media platforms, separated by commas (empty if none)",
                default="", show_default=False).split(",") if _tidy(c)
        ],
        internet_filtering=ask.one(
            o["internet_filtering"], "--internet-filtering", "'Filtering is provided by ...'",
            defaults.internet_filtering,
        ),
        written=ask.one(o["written"], "--written", "Policies written (YYYY-MM, optional)",
                        "", _date) or None,
        ratified=ask.one(o["ratified"], "--ratified", "Policies ratified (YYYY-MM, optional)",
                         "", _date) or None,
        next_review=ask.one(o["next_review"], "--next-review",
                            "Next review due (YYYY-MM, optional)", "", _date) or None,
        confiscated_kept=defaults.confiscated_kept,
        returned_to=defaults.returned_to,
    )  # fmt: skip
    if ask.missing:
        raise click.UsageError(
            "with --no-input, give these options too: " + ", ".join(dict.fromkeys(ask.missing))
        )
    try:
        written = write_new_setting(proj.settings_dir, slug, details, policy_ids(proj.docs_dir))
    except SettingsError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException("the new setting was not written; nothing changed") from None
    except FileExistsError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"wrote {written}")
    click.echo(f"  preview it:  policy-sites serve {slug}")
    click.echo("  check it:    policy-sites check")


@click.command()
@slug_argument()
@click.option(
    "--audience",
    type=click.Choice(["parents", "staff"]),
    default="parents",
    show_default=True,
    help="Which view to preview.",
)
@click.option("--port", type=int, default=8000, show_default=True, help="Port on 127.0.0.1.")
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in a browser.")
@project_option
def serve(slug: str, audience: str, port: int, open_browser: bool, project: str | None) -> None:
    """Preview one view of SLUG's site at http://127.0.0.1:PORT/, reloading on every change.

    Changes to the sources (docs/), the settings files, mkdocs.yml, overrides/ and
    macros/ rebuild the preview; a mistake shows a page saying where it is.
    """
    proj = find_project(project)
    available = setting_slugs(proj.settings_dir)
    if slug not in available:
        raise click.BadParameter(
            f"no settings file settings/{slug}.yml; settings: {', '.join(available)}",
            param_hint="SLUG",
        )
    serve_preview(proj, slug, audience, port, open_browser)


EDITOR_COMMANDS: list[click.Command] = [new, schema, serve]
