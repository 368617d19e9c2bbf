"""A new setting's file: what ``policy-sites new`` asks, and the commented YAML it writes.

Nothing is invented. A fact the editor did not give is written as a placeholder that
starts with "FILL IN" and names the sentence it completes; ``check`` reports each one as
an error and ``publish`` refuses the setting until they are all replaced. Optional facts
(official accounts, a learning journal, visitors' phone rules) are left out, with a
commented example. The file is validated with the same loader the builds use (with the
federation defaults) before it is saved, and an existing file is never overwritten.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from policy_sites.project import write_atomic
from policy_sites.settings.facts import (
    CONDITIONS,
    DeclarationError,
    DeclaredFact,
    FactKind,
    read_catalog,
)
from policy_sites.settings.json_schema import SCHEMA_FILE
from policy_sites.settings.loader import (
    Problem,
    SettingsError,
    authority_ids,
    copy_shared_files,
    load_setting,
    missing_authority,
)
from policy_sites.settings.local_authority import AUTHORITIES_DIR
from policy_sites.settings.names import check_slug
from policy_sites.settings.schema import (
    AUTHORITY_ID,
    PLACEHOLDER,
    PolicyDate,
    RatifyingBody,
    free_text_fields,
)

__all__ = [
    "QUESTIONS",
    "ContactDetails",
    "DSLDetails",
    "NewSettingDetails",
    "NewSettingError",
    "ProvisionDetails",
    "Question",
    "check_slug",
    "declared_prompt",
    "new_setting_file",
    "parse_day_or_month",
    "policy_facts",
    "render_settings_file",
    "write_new_setting",
]


@dataclass(frozen=True)
class ProvisionDetails:
    name: str
    short_name: str | None = None
    school_age: bool = False


@dataclass(frozen=True)
class DSLDetails:
    """A DSL as given: separate values, so a comma in a job title cannot split it."""

    name: str
    role: str | None = None
    provision: str | None = None
    deputy: bool = False


@dataclass(frozen=True)
class ContactDetails:
    """A contact route as given; for the setting itself ``name`` is not asked."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    web: str | None = None

    @property
    def has_a_way(self) -> bool:
        return bool(self.phone or self.email or self.web)


@dataclass(frozen=True)
class Question:
    """One free-text fact ``new`` asks for, worded from the schema: the one sentence it
    completes, and an example."""

    key: str
    """The attribute of NewSettingDetails, and the last part of the settings key."""
    path: str
    """Its dotted path in the settings file, as in ``free_text_fields``."""
    option: str
    many: bool = False
    """A list: one item per answer (a place, a person)."""

    @property
    def frame(self) -> str:
        return free_text_fields()[self.path].sentence

    @property
    def example(self) -> str:
        return free_text_fields()[self.path].example

    def prompt(self, when_empty: str) -> str:
        """The question ``new`` asks for it: the sentence to complete, quoted whole so
        its own punctuation stays inside the quotes, an example, and what empty does."""
        return f'How do you complete "{self.frame}"? For example: {self.example} ({when_empty})'

    @property
    def placeholder(self) -> str:
        return f'{PLACEHOLDER}: completes "{self.frame}"'


QUESTIONS: tuple[Question, ...] = (Question("manager", "manager", "--manager"),)
"""Every free-text fact of the core schema ``new`` asks for, in the order it asks (the
facts a policy declares are asked from its declarations, and given with ``--fact``)."""


@dataclass
class NewSettingDetails:
    """What ``policy-sites new`` was told; None (or an empty list) means not told."""

    name: str
    provisions: list[ProvisionDetails]
    dsls: list[DSLDetails]
    manager: str | None = None
    contact: ContactDetails = field(default_factory=lambda: ContactDetails())
    concerns_about_leaders: ContactDetails = field(default_factory=lambda: ContactDetails())
    ratifying_body: RatifyingBody | None = None
    written: str | None = None
    next_review: str | None = None
    local_authority: str | None = None
    """The name of the area's entry in the register (it may not be there yet)."""
    declared: dict[str, Any] = field(default_factory=dict)
    """Answers to the facts the published policies declare, by dotted path
    ('missing_child.search_areas'): text, a list of texts, or true/false."""

    @property
    def school_age(self) -> bool:
        return any(p.school_age for p in self.provisions)

    def questions(self) -> list[Question]:
        """The questions that apply to this setting."""
        return list(QUESTIONS)

    @property
    def conditions(self) -> dict[str, bool]:
        """What a declared fact's ``needed_when`` may ask of this setting."""
        return {
            "school_age": self.school_age,
            "early_years": any(not p.school_age for p in self.provisions),
        }

    @property
    def leaders_left_to_the_lado(self) -> bool:
        """Run by its owner or proprietor and given no route for a worry about the
        Manager or a DSL: the file leaves concerns_about_leaders out, and the pages send
        such a worry to the LADO."""
        leaders = self.concerns_about_leaders
        body = self.ratifying_body
        return (
            body is not None and body.runs_the_setting and not (leaders.name or leaders.has_a_way)
        )

    def unanswered(self, facts: Iterable[DeclaredFact] = ()) -> list[str]:
        """The settings keys left as placeholders, as the editor will look for them
        (``facts``: those the published policies declare)."""
        left = [q.path for q in self.questions() if not getattr(self, q.key)]
        left += [
            f.dotted
            for f in facts
            if f.needed_if(self.conditions) and _unanswered(f, self.declared.get(f.dotted))
        ]
        left += [f"contact.{key}" for key in ("phone", "email", "address")
                 if not getattr(self.contact, key)]  # fmt: skip
        if not self.local_authority:
            left.insert(0, "local_authority")
        if self.leaders_left_to_the_lado:
            return left
        leaders = self.concerns_about_leaders
        if not leaders.name:
            left.append("concerns_about_leaders.name")
        if not leaders.has_a_way:
            left.append("concerns_about_leaders.phone or .email")
        return left


def _unanswered(fact: DeclaredFact, value: Any) -> bool:
    """Whether ``value`` leaves a declared fact to fill in (records told none do not)."""
    if fact.declaration.kind is FactKind.RECORDS:
        return value is None
    return value in (None, "", [])


class NewSettingError(ValueError):
    """The details given for a new setting do not make a valid file; says which option."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("\n".join(messages))


def parse_day_or_month(text: str, option: str) -> str:
    """A policy date as the commands take it (YYYY-MM or YYYY-MM-DD), else ValueError."""
    try:
        return PolicyDate.parse(text).iso()
    except ValueError as error:
        raise ValueError(f"{option} {text!r}: {error}") from None


def _q(value: str) -> str:
    """A YAML scalar for ``value`` on one line, quoted only when YAML needs it."""
    if not value.isprintable():
        return json.dumps(value, ensure_ascii=False)  # JSON strings are YAML too
    dumped = yaml.safe_dump(value, allow_unicode=True, width=10_000, default_flow_style=True)
    return dumped.removesuffix("\n").removesuffix("\n...").strip()


def _fact(details: NewSettingDetails, key: str, indent: str) -> str:
    """One free-text fact with its comment: the sentence it completes, and its value."""
    question = next(q for q in QUESTIONS if q.key == key)
    value = getattr(details, key)
    comment = f'{indent}# "{question.frame}", e.g. {question.example}\n'
    if question.many:
        items = value or [question.placeholder]
        return comment + f"{indent}{key}:\n" + "\n".join(f"{indent}  - {_q(v)}" for v in items)
    return comment + f"{indent}{key}: {_q(value or question.placeholder)}"


def _provisions(details: NewSettingDetails) -> str:
    lines = []
    for p in details.provisions:
        lines.append(f"  - name: {_q(p.name)}")
        if p.short_name:
            lines.append(f"    short_name: {_q(p.short_name)}")
        lines.append(f"    school_age: {'true' if p.school_age else 'false'}")
    return "\n".join(lines)


def _dsls(details: NewSettingDetails) -> str:
    lines = []
    for d in details.dsls:
        lines.append(f"  - name: {_q(d.name)}")
        if d.role:
            lines.append(f"    role: {_q(d.role)}")
        if d.deputy:
            lines.append("    deputy: true")
        if d.provision and len(details.provisions) > 1:
            lines.append(f"    provision: {_q(d.provision)}")
    if len(details.dsls) == 1:
        lines.append(
            "    # If this DSL is the person 'manager' names below, and their role does not\n"
            "    # end with the manager's title, say so, and the pages name them once:\n"
            "    # is_manager: true"
        )
    return "\n".join(lines)


def _policies(details: NewSettingDetails, policies: list[str]) -> str:
    dates = [(k, v) for k, v in (("written", details.written),
             ("next_review", details.next_review)) if v]  # fmt: skip
    lines = []
    for pid in policies:
        if not dates:
            lines.append(f"  {pid}: {{}}")
            continue
        lines.append(f"  {pid}:")
        lines += [f"    {key}: {_q(value)}" for key, value in dates]
    return "\n".join(lines)


def _contact(details: NewSettingDetails) -> str:
    given = details.contact
    values = [("phone", given.phone, "a phone number, e.g. 01632 960000"),
              ("email", given.email, "an email address, e.g. office@example.org"),
              ("address", given.address, "the postal address, on one line")]  # fmt: skip
    return "contact:\n" + "\n".join(
        f"  {key}: {_q(value or f'{PLACEHOLDER}: {what}')}" for key, value, what in values
    )


def _concerns_about_leaders(details: NewSettingDetails) -> str:
    given = details.concerns_about_leaders
    if details.leaders_left_to_the_lado:
        assert details.ratifying_body is not None
        return (
            f"# Run by its {details.ratifying_body.value}: nobody inside is above the "
            "Manager, so the pages send\n"
            "# such a worry to the LADO. If someone else takes it, write:\n"
            "# concerns_about_leaders:\n"
            "#   name: the Chair of Trustees\n"
            "#   phone: 01632 960000"
        )
    frame = "contact …"
    name = given.name or f'{PLACEHOLDER}: completes "{frame}", e.g. the Chair of the Committee'
    lines = ["concerns_about_leaders:", f'  # "{frame}"', f"  name: {_q(name)}"]
    ways = [("phone", given.phone), ("email", given.email), ("web", given.web)]
    if not given.has_a_way:
        ways = [("phone", f"{PLACEHOLDER}: their phone number"),
                ("email", f"{PLACEHOLDER}: their email address")]  # fmt: skip
    lines += [f"  {key}: {_q(value)}" for key, value in ways if value]
    return "\n".join(lines)


def _local_authority(details: NewSettingDetails, known: list[str]) -> str:
    """The setting's own ``local_authority``, never left to the federation's: a setting in
    another area would silently get that area's LADO and front door."""
    register = ", ".join(known) or "no entries yet"
    value = details.local_authority or (
        f"{PLACEHOLDER}: the name of your local authority's entry in "
        f"settings/{AUTHORITIES_DIR}/ ({register})"
    )
    return (
        "# The local authority the setting is in: the name of its entry in\n"
        f"# settings/{AUTHORITIES_DIR}/ (the register has: {register}). The policies take\n"
        "# its LADO, children's services front door and safeguarding partnership from it.\n"
        f"local_authority: {_q(value)}"
    )


def _ratifying_body(details: NewSettingDetails) -> str:
    choices = ", ".join(body.value for body in RatifyingBody)
    if details.ratifying_body is None:
        return (
            f"# Who ratifies the policies ({choices}):\n"
            "# left out, the federation's choice in _federation.yml. To set your own, write:\n"
            "# ratifying_body: trustees\n"
        )
    return (
        f"# Who ratifies the policies: {choices}.\nratifying_body: {details.ratifying_body.value}\n"
    )


def declared_placeholder(fact: DeclaredFact) -> str:
    """What ``new`` writes for a declared fact it was not told: the question, and the
    sentence it completes."""
    decl = fact.declaration
    said = f'completes "{decl.sentence}"' if decl.sentence else decl.question
    return f"{PLACEHOLDER}: {said}"


def declared_prompt(fact: DeclaredFact, when_empty: str) -> str:
    """How ``new`` asks a declared fact: as it asks its own questions, by the sentence
    the answer completes where there is one, else by the policy's question."""
    decl = fact.declaration
    if decl.sentence:
        example = decl.shown_example()
        return f'How do you complete "{decl.sentence}"? For example: {example} ({when_empty})'
    return f"{decl.question} ({when_empty})"


def _records(
    fact: DeclaredFact, records: list[dict[str, Any]] | None, indent: str, needed: bool
) -> list[str]:
    """A records fact's lines: each record told; none (``[]``) if so told, or if not told
    and the fact may be left empty, after an example of one to copy, made from its
    fields' examples (a placeholder for a field every record needs that has none), so
    that the example, uncommented, loads; else (needed, not told) one record of
    placeholders, which check reports until the records are written."""
    fields = fact.declaration.fields or {}
    if records is None and needed:
        records = [{}]

    def placeholder(name: str) -> str:
        return declared_placeholder(DeclaredFact(None, name, fields[name], fact.source))

    if not records:  # told none, or none needed
        example = {n: f.shown_example() or (placeholder(n) if f.required else "")
                   for n, f in fields.items()}  # fmt: skip
        shown = [f"{'-' if i == 0 else ' '} {n}: {_q(v)}" for i, (n, v) in
                 enumerate((n, v) for n, v in example.items() if v)]  # fmt: skip
        lines = [f"{indent}# None yet. To add one, replace [] with entries like this:"]
        lines += [f"{indent}#   {line}" for line in shown]
        return [*lines, f"{indent}{fact.name}: []"]
    lines = [f"{indent}{fact.name}:"]
    for record in records:
        given = [(n, record.get(n)) for n in fields if record.get(n) not in (None, "")]
        missing = [n for n, f in fields.items() if f.required and record.get(n) in (None, "")]
        given += [(n, placeholder(n)) for n in missing]
        for i, (name, item) in enumerate(given):
            shown = str(item).lower() if isinstance(item, bool) else _q(str(item))
            lines.append(f"{indent}  {'-' if i == 0 else ' '} {name}: {shown}")
        left = [n for n in fields if n not in dict(given)]
        lines += [f"{indent}    # {n}: {fields[n].shown_example() or '…'}  "
                  f"({fields[n].question})" for n in left]  # fmt: skip
    return lines


def _declared_value(
    fact: DeclaredFact, value: Any, indent: str, needed: bool, in_comment: bool = False
) -> list[str]:
    """One declared fact's lines: its question, its sentence and example, and its value
    (a placeholder when required and not told; left commented out when it may be)."""
    decl = fact.declaration
    lines = [f"{indent}# {decl.question}"]
    if decl.sentence:
        lines.append(f'{indent}# "{decl.sentence}", e.g. {decl.shown_example()}')
    if decl.kind is FactKind.CHOICE:
        lines.append(f"{indent}# One of: " + ", ".join(_q(c) for c in decl.choices or ()))
    if decl.staff_only:
        lines.append(f"{indent}# Staff only: never shown to parents and visitors.")
    if decl.kind is FactKind.RECORDS:  # [] is an answer: none
        return lines + _records(fact, value, indent, needed and not decl.has_default)
    told = value not in (None, "", [])
    off = "" if told or needed or in_comment else "# "
    if not told:
        value = decl.default if decl.has_default else decl.example
        if value is None and decl.kind is FactKind.YES_NO:
            value = True
    if not told and (needed or (in_comment and value is None)):
        value = (
            [declared_placeholder(fact)]
            if decl.kind is FactKind.LIST
            else (declared_placeholder(fact))
        )
    if decl.kind is FactKind.CONTACT_ROUTE:
        shown = (
            value
            if isinstance(value, dict)
            else {"name": declared_placeholder(fact), "phone": declared_placeholder(fact)}
        )
        lines.append(f"{indent}{off}{fact.name}:")
        lines += [f"{indent}{off}  {key}: {_q(str(v))}" for key, v in shown.items()]
    elif isinstance(value, list | tuple):
        lines.append(f"{indent}{off}{fact.name}:")
        lines += [f"{indent}{off}  - {_q(str(item))}" for item in value]
    elif isinstance(value, bool):
        lines.append(f"{indent}{off}{fact.name}: {'true' if value else 'false'}")
    else:
        lines.append(f"{indent}{off}{fact.name}: {_q(str(value)) if value is not None else ''}")
    return lines


def _declared(details: NewSettingDetails, facts: Sequence[DeclaredFact]) -> str:
    """The facts the published policies declare in their front matter, by group."""
    if not facts:
        return ""
    out = ["# Facts the policies you publish declare (in docs/policies/*.md's front matter)."]
    groups: dict[str | None, list[DeclaredFact]] = {}
    for fact in facts:
        groups.setdefault(fact.group, []).append(fact)
    conditions = details.conditions
    for group, members in groups.items():
        if group is None:
            for fact in members:
                told = details.declared.get(fact.dotted)
                out += _declared_value(fact, told, "", fact.needed_if(conditions))
            continue
        needed = any(
            f.needed_if(conditions) or details.declared.get(f.dotted) not in (None, "", [])
            for f in members
        )
        if condition := members[0].needed_when:
            words = CONDITIONS[condition][1]
            out.append(f"# Needed because {words}." if needed else f"# Only needed if {words}.")
        inner = [line for f in members
                 for line in _declared_value(f, details.declared.get(f.dotted), "  ",
                                             f.needed_if(conditions), not needed)]  # fmt: skip
        if needed:
            out += [f"{group}:", *inner]
        else:  # may be left out: shown as an example to copy
            out += [f"# {group}:", *(f"# {line}" for line in inner)]
    return "\n".join(out) + "\n"


def render_settings_file(
    details: NewSettingDetails,
    policies: list[str],
    facts: Sequence[DeclaredFact] = (),
    authorities: list[str] | None = None,
) -> str:
    """The commented YAML of a new settings file (``facts``: those the policies it
    publishes declare, asked or left as placeholders; ``authorities``: the register's
    entries, named in its comment)."""
    return f"""\
# yaml-language-server: $schema=../{SCHEMA_FILE}
#
# {" ".join(details.name.split())}: the facts its policy website needs.
# The shared policy text in docs/ fills these in. Each comment quotes the sentence a
# value completes. Replace every "{PLACEHOLDER}" value: `policy-sites check` reports
# each one until you do. Anything not written here comes from _federation.yml.

name: {_q(details.name)}

{_local_authority(details, authorities or [])}

# Each provision the setting runs. school_age: true turns on the sections about
# children's own phones and social media.
provisions:
{_provisions(details)}

# Designated Safeguarding Leads: a lead for each provision, and any deputies
# (deputy: true). role is the person's job title.
dsls:
{_dsls(details)}

{_fact(details, "manager", "")}

# How parents and visitors reach the setting: shown on every policy's page.
{_contact(details)}

# Who parents go to with a worry about the Manager or a DSL, and how: a phone, an
# email and/or a web form's address (web: https://…). Delete a line you do not use.
{_concerns_about_leaders(details)}

{_ratifying_body(details)}
# The rooms or areas children use, if you want the policies to name them:
# rooms:
#   - the baby room
#   - the garden

{_declared(details, facts)}
# The policies this setting publishes. Dates are YYYY-MM or YYYY-MM-DD; the ratified
# date is recorded when you publish a version (policy-sites publish --ratified).
policies:
{_policies(details, policies)}

# Shown in the staff view only, never to parents and visitors.
staff_only:
  notes: []
"""


def new_setting_file(settings_dir: Path, slug: str) -> Path:
    """Where a new setting's file goes; ValueError for a bad slug, FileExistsError if taken."""
    check_slug(slug)
    target = settings_dir / f"{slug}.yml"
    if target.exists():
        raise FileExistsError(f"{target} already exists; edit it, or choose another name")
    return target


_OPTIONS = (
    {
        "name": "--name",
        "provisions": "--provision/--school-age",
        "dsls": "--dsl/--deputy-dsl",
        "policies": "--written/--next-review",
        "ratifying_body": "--ratifying-body",
        "contact": "--phone/--email/--address",
        "concerns_about_leaders": "/".join(
            f"--concerns-{key}" for key in ("contact", "phone", "email", "web")
        ),
        "concerns_about_leaders.name": "--concerns-contact",
        "local_authority": "--local-authority",
    }
    | {f"contact.{key}": f"--{key}" for key in ("phone", "email", "address")}
    | {f"concerns_about_leaders.{key}": f"--concerns-{key}" for key in ("phone", "email", "web")}
    | {q.key: q.option for q in QUESTIONS}
)


def _option_for(field_path: str, facts: Iterable[DeclaredFact] = ()) -> str:
    """The option of ``new`` that gave a field, from its dotted path (``--fact`` for
    one of the ``facts`` the policies declare)."""
    parts = field_path.replace("[", ".").replace("]", "").split(".")
    if parts[0] in {fact.path[0] for fact in facts}:
        return "--fact"
    for length in range(len(parts), 0, -1):
        for candidate in (".".join(parts[:length]), parts[length - 1]):
            if candidate in _OPTIONS:
                return _OPTIONS[candidate]
    return "the details given"


def policy_facts(docs_dir: Path, policies: Iterable[str]) -> list[DeclaredFact]:
    """The facts the policies ``policies`` declare in their sources in ``docs_dir``;
    a bad declaration is a SettingsError naming its file and line."""
    try:
        return read_catalog(docs_dir).facts(policies)
    except DeclarationError as error:
        raise SettingsError(Problem(*found) for found in error.problems) from None


def write_new_setting(
    settings_dir: Path, slug: str, details: NewSettingDetails, policies: list[str]
) -> Path:
    """Validate and write ``settings/<slug>.yml``; refuse to overwrite an existing file.

    A problem with the details raises NewSettingError naming the option that gave them
    (the file was never written, so it has no line to point at); a problem in the
    federation's defaults raises SettingsError naming that real file and line.
    """
    target = new_setting_file(settings_dir, slug)
    known = authority_ids(settings_dir)
    area = details.local_authority
    if area is not None and AUTHORITY_ID.match(area) is None:
        raise NewSettingError([f"--local-authority: {missing_authority(settings_dir, area)}"])
    docs_dir = settings_dir.parent / "docs"
    facts = policy_facts(docs_dir, policies)
    text = render_settings_file(details, policies, facts, known)
    with tempfile.TemporaryDirectory(prefix="policy-sites-new-") as scratch:
        trial = Path(scratch)
        copy_shared_files(settings_dir, trial)
        (trial / target.name).write_text(text, encoding="utf-8")
        try:
            load_setting(trial, slug, policies, docs_dir)
        except SettingsError as error:
            shared = [p for p in error.problems if p.file != trial / target.name]
            if shared:  # the defaults' or the register's: the real file and line
                raise SettingsError(
                    Problem(settings_dir / p.file.relative_to(trial), p.line, p.field, p.message)
                    for p in shared
                ) from None
            # An area not named yet, or not in the register yet, is written all the same:
            # check reports it, naming the entry to add, until it is there.
            unregistered = area not in known
            left = [p for p in error.problems
                    if not (unregistered and p.field == "local_authority")]  # fmt: skip
            if left:
                raise NewSettingError(
                [
                    f"{_option_for(p.field, facts)}: {p.field}: {p.message}" if p.field
                    else f"{_option_for('')}: {p.message}"
                    for p in left
                ]
            ) from None  # fmt: skip
    settings_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(target, text, exclusive=True)  # never overwrite, even in a race; whole
    return target
