"""The editors' commands of ``policy-sites``: ``new``, ``serve`` and ``schema``.

Kept apart from cli.py, which registers them, so each command's wiring stays short and
the work itself lives in the module for its job (new_setting, preview, json_schema).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from pydantic import HttpUrl, TypeAdapter, ValidationError

from policy_sites.builder.site import write_failure
from policy_sites.cli.options import find_project, project_option, slug_argument
from policy_sites.context.phrases import join_or
from policy_sites.context.views import policy_ids
from policy_sites.render.preview import serve as serve_preview
from policy_sites.settings.facts import (
    DeclaredFact,
    FactDeclaration,
    FactKind,
    scaffold_policy,
)
from policy_sites.settings.json_schema import SCHEMA_FILE, schema_is_current, schema_text
from policy_sites.settings.loader import (
    SettingsError,
    authority_ids,
    missing_authority,
    setting_slugs,
)
from policy_sites.settings.new_setting import (
    QUESTIONS,
    ContactDetails,
    DSLDetails,
    NewSettingDetails,
    NewSettingError,
    ProvisionDetails,
    declared_prompt,
    new_setting_file,
    parse_day_or_month,
    policy_facts,
    write_new_setting,
)
from policy_sites.settings.schema import AUTHORITY_ID, EmailAddress, PhoneNumber, RatifyingBody

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

    Save it with: policy-sites schema > settings.schema.json (again after any change to
    the facts a policy declares in its front matter).
    """
    proj = find_project(project)
    try:
        if not check_file:
            click.echo(schema_text(proj.docs_dir), nl=False)
            return
        current = schema_is_current(proj.root)
    except SettingsError as error:  # a policy's declarations cannot be read
        raise click.ClickException(str(error)) from None
    if not current:
        raise click.ClickException(
            f"{proj.root / SCHEMA_FILE} is out of date; run: policy-sites schema > {SCHEMA_FILE}"
        )
    click.echo(f"ok: {SCHEMA_FILE} matches the settings schema")


def _tidy(text: str) -> str:
    return " ".join(text.split())


def _date(text: str) -> str:
    """A policy date as typed (empty for none), checked now so a mistake is asked again."""
    text = _tidy(text)
    if not text:
        return ""
    try:
        return parse_day_or_month(text, "date")
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


YES = frozenset({"yes", "y", "true"})
NO = frozenset({"no", "n", "false"})
"""What --fact takes for a yes/no fact (in any case)."""

EMPTY_TO_FILL_IN = "leave empty to fill in later"
"""How a question says an empty answer is allowed and becomes a FILL IN placeholder."""


def _prompt(question: str, **options: Any) -> Any:
    """click.prompt, with no ': ' after a question that already ends in '?'."""
    suffix = " " if question.endswith("?") else ": "
    return click.prompt(question, prompt_suffix=suffix, **options)


def _area(text: str | None) -> str | None:
    """A local authority's name as typed ('East Sussex') as its entry's name ('east-sussex')."""
    return "-".join(_tidy(text or "").lower().split()) or None


def _ask_area(settings_dir: Path) -> str | None:
    """Which local authority the setting is in, offering the register's entries; a name not
    there is taken, and how to add its entry is said at once."""
    known = authority_ids(settings_dir)
    offered = f"The register has: {', '.join(known)}. " if known else ""
    while True:
        answer = _area(_prompt(
            "Which local authority is the setting in? Its LADO, front door and safeguarding "
            f"partnership come from its entry in settings/local_authorities/. {offered}"
            f"({EMPTY_TO_FILL_IN})", default="", show_default=False,
        ))  # fmt: skip
        if answer is None:
            return None
        problem = missing_authority(settings_dir, answer)
        if problem is None:
            return answer
        click.echo(f"  {problem}")
        if AUTHORITY_ID.match(answer) and click.confirm(
            f"  Use {answer!r} all the same, and add its entry before publishing?", default=True
        ):
            return answer


def _ratifying_body(text: str) -> str:
    """A ratifying body as typed (empty for the federation's choice), else asked again."""
    text = _tidy(text).lower().removeprefix("the ")
    choices = [body.value for body in RatifyingBody]
    if text and text not in choices:
        raise click.BadParameter(f"give one of {join_or(choices)}, or leave it empty")
    return text


def _checked(kind: Any) -> Callable[[str], str]:
    """A prompt's check that an answer (empty, or) is a ``kind``: a phone number, an
    email or web address; click asks again, saying why, until it is."""

    def check(text: str) -> str:
        text = _tidy(text)
        if text and kind is not str:
            try:
                TypeAdapter(kind).validate_python(text)
            except ValidationError as error:
                message = error.errors()[0]["msg"].removeprefix("Value error, ")
                raise click.BadParameter(f"{text!r}: {message}") from None
        return text

    return check


def _given_or_asked(
    given: str | None,
    ask: bool,
    question: str,
    kind: Any = str,
    when_empty: str = EMPTY_TO_FILL_IN,
) -> str | None:
    """An option's value, else (when asking) the answer to ``question``, checked as
    ``kind`` (a phone number, an email or web address) and asked again until it fits."""
    if given and _tidy(given):
        return _tidy(given)
    if not ask:
        return None
    answer = _prompt(f"{question} ({when_empty})", default="", show_default=False,
                     value_proc=_checked(kind))  # fmt: skip
    return answer or None


def _ask_declared(decl: FactDeclaration, prompt: str, when_empty: str, indent: str = "") -> Any:
    """One answer to a declared fact (or, ``indent``-ed, a record's field), of its kind and
    checked as it is typed, so a mistake is asked again at once, never refused with the
    whole file at the end; None for an empty answer. ``prompt`` asks a text, a date or a
    web address, ending with what empty does; a choice and a yes/no say their answers."""
    if decl.kind is FactKind.CHOICE:
        choices = list(decl.choices or ())
        return _prompt(
            f"{indent}{decl.question} (one of: {', '.join(choices)}; {when_empty})",
            type=click.Choice([*choices, ""]), default="",
            show_choices=False, show_default=False,
        ) or None  # fmt: skip
    if decl.kind is FactKind.YES_NO:
        answer = _prompt(f"{indent}{decl.question} (yes/no, {when_empty})", default="",
                         show_default=False, show_choices=False,
                         type=click.Choice(["yes", "no", ""]))  # fmt: skip
        return None if answer == "" else answer == "yes"
    proc = _date if decl.kind is FactKind.DATE else _checked(
        HttpUrl if decl.kind is FactKind.WEB_ADDRESS else str
    )  # fmt: skip
    return _prompt(prompt, default="", show_default=False, value_proc=proc) or None


def _ask_required(question: str) -> str:
    """An answer the file cannot be written without: asked again, saying why, until given."""
    while not (answer := _tidy(_prompt(question, default="", show_default=False))):
        click.echo("  This one is needed now: the file cannot be written without it.")
    return answer


def _ask_optional(question: str) -> str:
    return _tidy(_prompt(question, default="", show_default=False))


def _ask_list(first: str, another: str) -> list[str]:
    """Answers one at a time until an empty one."""
    found: list[str] = []
    question = first
    while answer := _ask_optional(question):
        found.append(answer)
        question = another
    return found


def _ask_records(fact: DeclaredFact) -> list[dict[str, Any]]:
    """Each record of a records fact (a setting's official accounts): its first field
    (the platform), then the others, so that no page lists a bare 'Facebook'."""
    fields = list((fact.declaration.fields or {}).items())
    first_name, first = fields[0]
    found: list[dict[str, Any]] = []
    question = f"{fact.declaration.question} {first.question} (leave empty if none)"
    while answer := _ask_optional(question):
        record: dict[str, Any] = {first_name: answer}
        for name, inner in fields[1:]:
            given = _ask_declared(inner, f"  {inner.question} (leave empty if none)",
                                  "leave empty if none", "  ")  # fmt: skip
            if given is not None:
                record[name] = given
        found.append(record)
        question = f"  Another one? {first.question} (leave empty if there are no more)"
    return found


def _ask_provisions() -> list[ProvisionDetails]:
    found: list[ProvisionDetails] = []
    while True:
        if found:
            name = _ask_optional("Another provision's name (leave empty if there are no more)")
            if not name:
                return found
        else:
            name = _ask_required("What is the name of a provision the setting runs, "
                                 "e.g. Pre-school?")  # fmt: skip
        short = _ask_optional("  A short name for it, if it has one (leave empty if not)")
        school_age = click.confirm("  Do school-age children attend it?", default=False)
        found.append(ProvisionDetails(name, short or None, school_age))


def _ask_dsls(provisions: list[ProvisionDetails]) -> list[DSLDetails]:
    names = [p.name for p in provisions]
    found: list[DSLDetails] = []
    while True:
        if found:
            name = _ask_optional("Another DSL's full name (leave empty if there are no more)")
            if not name:
                without = [n for n in names if not any(d.provision == n and not d.deputy
                                                       for d in found)]  # fmt: skip
                if not without:
                    return found
                # Asked now, not after thirty more questions that an error would throw away.
                click.echo(f"  The {' and the '.join(without)} still needs a lead DSL "
                           "(not a deputy): add one.")  # fmt: skip
                continue
        else:
            name = _ask_required("What is the full name of a Designated Safeguarding Lead (DSL)?")
        role = _ask_optional("  What is their job title, e.g. Nursery Manager? "
                             "(leave empty if none)")  # fmt: skip
        deputy = click.confirm("  Are they a deputy DSL?", default=False)
        provision = names[0]
        if len(names) > 1:
            provision = _prompt(
                f"  Which provision are they DSL for ({' or '.join(names)})?",
                type=click.Choice(names),
                show_choices=False,
            )
        found.append(DSLDetails(name, role or None, provision, deputy))


def _given_dsls(
    leads: tuple[tuple[str, str, str], ...],
    deputies: tuple[tuple[str, str, str], ...],
    provisions: list[ProvisionDetails],
) -> list[DSLDetails]:
    """DSLs from --dsl and --deputy-dsl: NAME JOB_TITLE PROVISION, three separate values."""
    known = {p.name for p in provisions} | {p.short_name for p in provisions if p.short_name}
    found = []
    for option, given, deputy in (("--dsl", leads, False), ("--deputy-dsl", deputies, True)):
        for name, role, provision in given:
            name, role, provision = _tidy(name), _tidy(role), _tidy(provision)
            if not name:
                raise click.BadParameter("the name is empty", param_hint=option)
            if provision not in known:
                raise click.BadParameter(
                    f"{name!r}: provision {provision!r} is not one of: " + ", ".join(sorted(known)),
                    param_hint=option,
                )
            found.append(DSLDetails(name, role or None, provision, deputy))
    return found


def _question_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """One option per free-text fact ``new`` asks for, worded from its sentence."""
    for question in reversed(QUESTIONS):
        command = click.option(
            question.option,
            question.key,
            multiple=question.many,
            help=f"Completes '{question.frame}' (e.g. {question.example})"
            + (" Repeat for each." if question.many else ""),
        )(command)
    return command


def _declared_answers(
    facts: list[DeclaredFact],
    given: tuple[tuple[str, str], ...],
    ask: bool,
    conditions: dict[str, bool],
) -> dict[str, Any]:
    """Answers to the facts the policies declare: from --fact NAME VALUE (a list's
    NAME repeated for each item), else asked with the question and its sentence."""
    known = {fact.dotted: fact for fact in facts}
    answers: dict[str, Any] = {}
    for name, value in given:
        fact = known.get(name)
        if fact is None:
            raise click.BadParameter(
                f"{name!r} is not a fact the policies declare; they declare: "
                + (", ".join(known) or "none"),
                param_hint="--fact",
            )
        kind = fact.declaration.kind
        if kind is FactKind.LIST:
            answers.setdefault(name, []).append(_tidy(value))
        elif kind is FactKind.RECORDS:  # one record a time, by its first field
            first = next(iter(fact.declaration.fields or {}))
            answers.setdefault(name, []).append({first: _tidy(value)})
        elif kind is FactKind.CONTACT_ROUTE:  # never dropped for a FILL IN unawares
            raise click.BadParameter(
                f"{name}: a contact route has a name and a phone, email or web address, "
                "more than one value: write it in the file, where new leaves FILL IN",
                param_hint="--fact",
            )
        elif kind is FactKind.YES_NO:
            said = _tidy(value).lower()
            if said not in YES | NO:
                raise click.BadParameter(f"{name}: {value!r} is neither yes nor no",
                                         param_hint="--fact")  # fmt: skip
            answers[name] = said in YES
        else:
            answers[name] = _tidy(value)
    if not ask:
        return answers
    for fact in facts:
        decl = fact.declaration
        needed = fact.needed_if(conditions)
        asked = needed or decl.kind is FactKind.RECORDS  # a list of none says something
        if fact.dotted in answers or decl.kind is FactKind.CONTACT_ROUTE or not asked:
            continue  # a route is written as placeholders; what may be left out, as an example
        prompt = declared_prompt(fact, EMPTY_TO_FILL_IN)
        if decl.kind is FactKind.RECORDS:
            answers[fact.dotted] = _ask_records(fact)
        elif decl.kind is FactKind.LIST:
            answers[fact.dotted] = _ask_list(prompt, "  Another (leave empty if there are no more)")
        else:
            answers[fact.dotted] = _ask_declared(decl, prompt, EMPTY_TO_FILL_IN)
    return answers


@click.command()
@slug_argument()
@click.option("--name", help="The setting's name, exactly as it should appear.")
@click.option(
    "--local-authority",
    help="The local authority the setting is in, by its entry in settings/local_authorities/ "
    "(e.g. kent); one not there yet is written, and check says how to add it.",
)
@click.option("--provision", multiple=True, help="A provision's name (repeat for each).")
@click.option(
    "--school-age",
    "school_age",
    multiple=True,
    help="A provision that school-age children attend: one named by --provision, or "
    "another (repeat for each).",
)
@click.option(
    "--dsl",
    nargs=3,
    multiple=True,
    metavar="NAME JOB_TITLE PROVISION",
    help="A lead DSL, three values: full name, job title ('' if none), provision's name.",
)
@click.option(
    "--deputy-dsl",
    nargs=3,
    multiple=True,
    metavar="NAME JOB_TITLE PROVISION",
    help="A deputy DSL, given as for --dsl.",
)
@_question_options
@click.option("--phone", help="The setting's phone number.")
@click.option("--email", help="The setting's email address.")
@click.option("--address", help="The setting's postal address, on one line.")
@click.option(
    "--concerns-contact",
    help="Who parents contact with a worry about the Manager or a DSL, e.g. 'the Chair of "
    "the Committee'; give --concerns-phone, --concerns-email or --concerns-web too.",
)
@click.option("--concerns-phone", help="Their phone number.")
@click.option("--concerns-email", help="Their email address.")
@click.option("--concerns-web", help="The address of their web page or form (https://…).")
@click.option(
    "--ratifying-body",
    type=click.Choice([body.value for body in RatifyingBody]),
    help="Who ratifies the policies (left out: the federation's choice).",
)
@click.option("--written", help="When the policies were written: YYYY-MM or YYYY-MM-DD.")
@click.option("--next-review", help="When they are next due for review: YYYY-MM or YYYY-MM-DD.")
@click.option("--ratified", hidden=True, help="Refused: publish records the ratified day.")
@click.option(
    "--fact",
    nargs=2,
    multiple=True,
    metavar="NAME VALUE",
    help="A fact a policy declares in its front matter, by its dotted name, e.g. "
    "--fact missing_child.search_areas 'the garden' (repeat a list's name for each item, "
    "and a records fact's for each record, by its first field: --fact "
    "social_media.official_channels Facebook).",
)
@click.option("--no-input", is_flag=True, help="Ask nothing: take every detail from options.")
@project_option
def new(slug: str, no_input: bool, project: str | None, **options: Any) -> None:
    """Write settings/SLUG.yml for a new setting, asking for its details.

    SLUG is the setting's short name, used for its file and its site's folder
    (lower-case letters, digits and hyphens, e.g. little-acorns). An existing file is
    never overwritten. A fact not given is written as a FILL IN placeholder, which
    'policy-sites check' reports until it is replaced.
    """
    if options.pop("ratified") is not None:
        raise click.UsageError(
            "new does not take a ratified date: it is recorded when you publish a version "
            "(policy-sites publish SLUG --ratified YYYY-MM-DD ...)"
        )
    proj = find_project(project)
    try:  # before any question: a bad or taken name fails at once
        target = new_setting_file(proj.settings_dir, slug)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="SLUG") from None
    except FileExistsError as error:
        raise click.ClickException(str(error)) from None
    o = options
    ask = not no_input
    # --school-age marks a provision --provision names, or adds one of its own.
    school_age = list(dict.fromkeys(_tidy(n) for n in o["school_age"]))
    provisions = [
        ProvisionDetails(_tidy(n), school_age=_tidy(n) in school_age)
        for n in o["provision"]
        if _tidy(n)
    ]
    named = {p.name for p in provisions}
    provisions += [ProvisionDetails(n, school_age=True) for n in school_age if n and n not in named]
    if no_input:
        missing = [opt for opt, value in (("--name", o["name"]), ("--provision", provisions),
                   ("--dsl", o["dsl"])) if not value]  # fmt: skip
        if missing:
            raise click.UsageError("with --no-input, give these options too: " + ", ".join(missing))
    else:
        click.echo(
            f"A new setting: {target}\nThe setting's name, a provision and a DSL are needed "
            f'now. A question that says "{EMPTY_TO_FILL_IN}" may be left empty: the file then '
            "holds a FILL IN placeholder, which 'policy-sites check' reports until you "
            "replace it."
        )
    name = _tidy(o["name"] or "") or _ask_required(
        "What is the setting's name, exactly as it should appear?"
    )
    provisions = provisions or _ask_provisions()
    dsls = _given_dsls(o["dsl"], o["deputy_dsl"], provisions) if (o["dsl"] or no_input) else (
        _ask_dsls(provisions)
    )  # fmt: skip
    details = NewSettingDetails(name, provisions, dsls, ratifying_body=None)
    details.local_authority = _area(o["local_authority"]) or (
        _ask_area(proj.settings_dir) if ask else None
    )
    for question in details.questions():
        given = o[question.key]
        if question.many:
            value: Any = [_tidy(g) for g in given if _tidy(g)]
            if not value and ask:
                value = _ask_list(question.prompt(EMPTY_TO_FILL_IN),
                                  "  Another (leave empty if there are no more)")  # fmt: skip
        else:
            value = _tidy(given) if given else None
            if value is None and ask:
                value = _ask_optional(question.prompt(EMPTY_TO_FILL_IN)) or None
        setattr(details, question.key, value)
    try:
        facts = policy_facts(proj.docs_dir, policy_ids(proj.docs_dir))
    except SettingsError as error:
        raise click.ClickException(str(error)) from None
    details.declared = _declared_answers(facts, o.pop("fact"), ask, details.conditions)
    details.contact = ContactDetails(
        phone=_given_or_asked(o["phone"], ask, "What is the setting's phone number?",
                              PhoneNumber),
        email=_given_or_asked(o["email"], ask, "What is the setting's email address?",
                              EmailAddress),
        address=_given_or_asked(o["address"], ask,
                                "What is the setting's postal address, on one line?"),
    )  # fmt: skip
    leaders = _given_or_asked(
        o["concerns_contact"], ask, "Who should parents contact with a worry about the "
        "Manager or a DSL? For example: the Chair of the Committee"
    )  # fmt: skip
    given_a_way = any(o[key] for key in ("concerns_phone", "concerns_email", "concerns_web"))
    ask_ways = ask and not given_a_way
    details.concerns_about_leaders = ContactDetails(
        name=leaders,
        phone=_given_or_asked(o["concerns_phone"], ask_ways, "What is their phone number?",
                              PhoneNumber, "leave empty if none"),
        email=_given_or_asked(o["concerns_email"], ask_ways, "What is their email address?",
                              EmailAddress, "leave empty if none"),
        web=_given_or_asked(o["concerns_web"], ask_ways, "What is the web address of their "
                            "page or form (https://…)?", HttpUrl, "leave empty if none"),
    )  # fmt: skip
    body = o["ratifying_body"]
    if body is None and ask:
        body = _prompt(
            "Who ratifies the policies: the " + join_or([b.value for b in RatifyingBody])
            + "? (leave empty for the federation's choice)",
            default="", show_default=False, value_proc=_ratifying_body,
        ) or None  # fmt: skip
    details.ratifying_body = RatifyingBody(body) if body else None
    for key, question in (
        ("written", "When were the policies written?"),
        ("next_review", "When are the policies next due for review?"),
    ):
        given = o[key]
        if given:
            try:
                setattr(details, key, parse_day_or_month(given, "--" + key.replace("_", "-")))
            except ValueError as error:
                raise click.BadParameter(str(error)) from None
        elif ask:
            setattr(details, key, _prompt(
                f"{question} YYYY-MM or YYYY-MM-DD (leave empty to leave it out)",
                default="", show_default=False, value_proc=_date) or None)  # fmt: skip
    try:
        written = write_new_setting(proj.settings_dir, slug, details, policy_ids(proj.docs_dir))
    except NewSettingError as error:
        for message in error.messages:
            click.echo(message, err=True)
        raise click.ClickException("the new setting was not written; nothing changed") from None
    except SettingsError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException("the new setting was not written; nothing changed") from None
    except FileExistsError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:  # a full disk: no half-written settings file is left
        raise click.ClickException(f"{write_failure(error)}; nothing was written") from None
    click.echo(f"wrote {written}")
    if left := details.unanswered(facts):
        click.echo("  fill in (check reports them until you do): " + ", ".join(left))
    area = details.local_authority
    if area and (missing := missing_authority(proj.settings_dir, area)):
        click.echo(f"  local_authority: {missing}")
        click.echo("  the site builds once the area's entry is there")
    click.echo(f"  preview it:  policy-sites serve {slug}")
    click.echo(f"  check it:    policy-sites check {slug}")


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


@click.group()
def policy() -> None:
    """Shared policies: the sources in docs/policies/."""


@policy.command("new")
@click.argument("policy_id", metavar="ID")
@click.option("--title", required=True, help="Its title, e.g. 'Lost or missing child policy'.")
@project_option
def new_policy(policy_id: str, title: str, project: str | None) -> None:
    """Write docs/policies/ID.md: a draft policy with one example fact declared in its
    front matter and used in its text, to rename and reword (the editor's guide, step 7).

    It says 'draft: true', so no site shows it until you delete that line (or build with
    --drafts to preview it). An existing file is never overwritten.
    """
    proj = find_project(project)
    try:
        written = scaffold_policy(proj.docs_dir, policy_id, title)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    except FileExistsError:
        raise click.ClickException(
            f"{proj.docs_dir / 'policies' / (policy_id + '.md')} already exists; edit it, "
            "or choose another id"
        ) from None
    click.echo(f"wrote {written}")
    click.echo("  declare its facts under 'facts:', list it under a setting's 'policies:',")
    click.echo("  then preview it:  policy-sites build --drafts; and: policy-sites check")


EDITOR_COMMANDS: list[click.Command] = [new, schema, serve, policy]
