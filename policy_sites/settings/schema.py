"""The settings schema: what a setting's YAML file may say, and what each field means.

One source of truth: validation, error messages and the exported JSON Schema all come
from these models. Field descriptions are written for the nursery manager who edits
the file, because editors' tools show them as hints.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, total_ordering
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    PlainSerializer,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.functional_validators import AfterValidator, BeforeValidator

if TYPE_CHECKING:
    from policy_sites.settings.local_authority import LocalAuthority

__all__ = [
    "DSL",
    "OTHER_POLICIES",
    "PLACEHOLDER",
    "ContactRoute",
    "ContactRoutes",
    "DueEdition",
    "EmailAddress",
    "FieldProblem",
    "Frame",
    "GuidanceEdition",
    "MonthDay",
    "ParentsRoute",
    "PhoneNumber",
    "PolicyDate",
    "PolicyDates",
    "Provision",
    "Publishing",
    "RatifyingBody",
    "Reissue",
    "RelatedPolicy",
    "Setting",
    "SettingContact",
    "StaffContact",
    "StaffOnly",
    "StaffPasswords",
    "Visibility",
    "editions_due",
    "editions_in_force",
    "free_text_fields",
    "is_placeholder",
    "placeholders_in",
    "replacement_for",
    "texts_in",
]


class FieldProblem(ValueError):
    """A cross-field check that failed, pointing at the field (relative to the model) to blame."""

    def __init__(self, path: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.path = path


class _Model(BaseModel):
    """Refuses unknown keys, so a typo is an error rather than a silently ignored fact."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


Text = Annotated[str, Field(min_length=1)]


def _no_full_stop(value: Any) -> Any:
    """A phrase sits inside a sentence the policy ends itself: a full stop of its own
    would print as '..' on the page."""
    if isinstance(value, str) and value.rstrip().endswith("."):
        raise ValueError("this phrase completes a sentence: leave out the full stop at the end")
    return value


def _one_line(value: Any) -> Any:
    """A phrase sits inside one sentence: a line break in it (a YAML '|' block) would be
    run into the sentence, with any Markdown after it shown as plain text."""
    if isinstance(value, str) and "\n" in value.strip():
        raise ValueError("this phrase completes one sentence: write it on one line")
    return value


Phrase = Annotated[
    str, Field(min_length=1), BeforeValidator(_no_full_stop), BeforeValidator(_one_line)
]
"""A phrase that completes a sentence in the shared policy text (no full stop)."""


def _no_comma(value: str) -> str:
    """The manager is named mid-sentence ('Please tell … first', '… must agree it first'):
    'Kerry, the owner' would need a closing comma the sentence cannot give it."""
    if "," in value:
        raise ValueError(
            "the policies name the manager in the middle of sentences ('Please tell … "
            "first'), where a comma reads wrongly ('tell Kerry, the owner first'): write "
            "it without one, e.g. 'the owner' or 'our owner Kerry'"
        )
    return value


ManagerPhrase = Annotated[Phrase, AfterValidator(_no_comma)]
"""How the policies name the person in charge: a phrase with no comma."""

PLACEHOLDER = "FILL IN"
"""Starts a value that ``policy-sites new`` could not know: ``check`` reports each one as
an error, and the prose check finds any that reaches a page, until the editor replaces it."""


def _frame(sentence: str, example: str, note: str = "") -> str:
    """A free-text field's description: the one sentence it completes, and an example.
    (``free_text_fields`` reads them back, for ``new``'s questions and the guide.)"""
    extra = f" {note}" if note else ""
    return f"Completes: \"{sentence}\" For example: '{example}'.{extra}"


_FRAME = re.compile(r"Completes: \"(?P<sentence>.*?)\" For example: '(?P<example>.*?)'\.(?: |$)")


@dataclass(frozen=True)
class Frame:
    """The one sentence a free-text field completes ('…' marks the gap), and an example."""

    sentence: str
    example: str


class RatifyingBody(StrEnum):
    """Who agrees and ratifies the policies; the sources name it in their own sentences."""

    COMMITTEE = "committee"
    TRUSTEES = "trustees"
    OWNER = "owner"
    PROPRIETOR = "proprietor"
    GOVERNORS = "governors"

    @property
    def noun(self) -> str:
        """'the committee', 'the trustees': as a sentence names the body."""
        return f"the {self.value}"

    @property
    def plural(self) -> bool:
        """Whether the body takes a plural verb ('the trustees have')."""
        return self in (RatifyingBody.TRUSTEES, RatifyingBody.GOVERNORS)

    @property
    def runs_the_setting(self) -> bool:
        """An owner or proprietor runs the setting: nobody inside is above the Manager, so
        a worry about the Manager or a DSL goes to the LADO (the federation's route),
        which the parents' pages then name in place of ``concerns_about_leaders``."""
        return self in (RatifyingBody.OWNER, RatifyingBody.PROPRIETOR)


_DSL_TITLE = re.compile(r"designated\s+safeguarding|\bdsl\b|\bdeputy\s+dsl\b", re.IGNORECASE)


@total_ordering
@dataclass(frozen=True)
class PolicyDate:
    """A policy date to the month ("2022-09") or to the day ("2022-09-12").

    Ordered by the days they cover, so a month and a day in it can be compared."""

    year: int
    month: int
    day: int | None = None

    _PATTERN = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")

    @classmethod
    def in_date_form(cls, text: str) -> bool:
        """Whether ``text`` is written as YYYY-MM or YYYY-MM-DD (a real date or not)."""
        return cls._PATTERN.fullmatch(text.strip()) is not None

    @classmethod
    def parse(cls, value: Any) -> PolicyDate:
        if isinstance(value, PolicyDate):
            return value
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return cls(value.year, value.month, value.day)
        if isinstance(value, str) and (match := cls._PATTERN.fullmatch(value.strip())):
            year, month, day = (int(part) if part else None for part in match.groups())
            assert year is not None and month is not None
            if not 1 <= month <= 12:
                raise ValueError(f"month {month} is not between 01 and 12")
            dt.date(year, month, day or 1)  # ValueError for 31 February, or year 0
            return cls(year, month, day)
        raise ValueError(
            "expected a date written as YYYY-MM (for example 2022-09) "
            "or YYYY-MM-DD (for example 2022-09-12)"
        )

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, self.day or 1)

    @property
    def last_day(self) -> dt.date:
        last = calendar.monthrange(self.year, self.month)[1]
        return dt.date(self.year, self.month, self.day or last)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, PolicyDate):
            return NotImplemented
        return (self.first_day, self.last_day) < (other.first_day, other.last_day)

    def passed(self, today: dt.date) -> bool:
        """Whether this date, as a review deadline, has passed: to the month, its last day."""
        return self.last_day < today

    def display(self) -> str:
        """British style: "12 September 2022", or "September 2022" to the month."""
        month = calendar.month_name[self.month]
        return f"{self.day} {month} {self.year}" if self.day else f"{month} {self.year}"

    def iso(self) -> str:
        base = f"{self.year:04d}-{self.month:02d}"
        return f"{base}-{self.day:02d}" if self.day else base

    def __str__(self) -> str:
        return self.iso()


DateField = Annotated[
    PolicyDate,
    BeforeValidator(PolicyDate.parse),
    PlainSerializer(lambda d: d.iso(), return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\d{4}-\d{2}(-\d{2})?$",
            "description": "YYYY-MM or YYYY-MM-DD",
        }
    ),
]


class Provision(_Model):
    """One provision run by the setting, e.g. a pre-school or an out-of-school club."""

    name: Text = Field(description="What the provision is called, e.g. 'Out-of-school club'.")
    short_name: Text | None = Field(
        default=None, description="A short form used in tables, e.g. 'OSC'."
    )
    school_age: bool = Field(
        default=False,
        description="true if school-age children attend. Turns on the sections about "
        "children's own phones, screening and confiscation, and children's social media.",
    )
    early_years: bool | None = Field(
        default=None,
        description="true if early years children attend (up to the 31 August after their "
        "fifth birthday, so a reception-age child in a club counts), which brings the "
        "provision under the early years foundation stage. Left out: true unless "
        "school_age is true, so a club for school-age children says true here if it takes "
        "reception-age children.",
    )

    in_school: bool = Field(
        default=False,
        description="true if the provision is part of a school: a maintained nursery "
        "school, a school's nursery class, or a club the school itself runs. The DfE's "
        "guidance on mobile phones in schools then applies, and the policies cite it. A "
        "provider that only uses a school's building says false.",
    )

    @property
    def has_early_years(self) -> bool:
        """Whether the early years foundation stage applies to this provision."""
        return self.early_years if self.early_years is not None else not self.school_age


class DSL(_Model):
    """A Designated Safeguarding Lead, or a deputy DSL."""

    name: Text = Field(description="Full name, e.g. 'Tracey McCartney'.")
    role: Text | None = Field(
        default=None,
        description="Their job title, not their safeguarding role (left out: the name "
        "alone). " + _frame("Designated Safeguarding Lead: Gemma Chapman, …", "Pre-school Manager"),
    )
    deputy: bool = Field(
        default=False,
        description="true for a deputy DSL. Each provision needs at least one lead "
        "(deputy: false); deputies are listed after its lead.",
    )
    is_manager: bool | None = Field(
        default=None,
        description="true if this DSL is the person 'manager' names (say so when their job "
        "title does not end with the manager's, e.g. manager 'our owner Siobhan' and "
        "role 'Owner'); false if not. Left out, a role ending with the manager's title counts "
        "('Owner and Club Manager' is 'the Club Manager'). A sole DSL who is the manager "
        "is named as one person: 'tell the Club Manager (Priya Venkataraman, our DSL)'.",
    )
    provision: Text | None = Field(
        default=None,
        description="Which provision this person leads for. Needed when the setting "
        "runs more than one provision; must match a provision's name or short name.",
    )

    @field_validator("role")
    @classmethod
    def _job_title(cls, value: str | None) -> str | None:
        if value and _DSL_TITLE.search(value):
            raise ValueError(
                f"{value!r} is a safeguarding role, not a job title: write the person's job "
                "title (for example 'Nursery Manager'), and deputy: true for a deputy DSL"
            )
        return value


class PolicyDates(_Model):
    """When a policy was written, ratified, and is next due for review."""

    written: DateField | None = Field(default=None, description="Written or last updated.")
    ratified: DateField | None = Field(
        default=None,
        description="The day the ratifying body agreed it. Normally left out: `policy-sites "
        "publish --ratified` records it, and `check` reports a date here that differs from "
        "the latest published version's. A policy with nothing published shows no ratified "
        "date.",
    )
    next_review: DateField | None = Field(
        default=None,
        description="Next review due. Once a version is published, its date is the one shown, "
        "and `check` reports a date here that differs from it.",
    )

    @model_validator(mode="after")
    def _in_order(self) -> PolicyDates:
        if self.ratified and self.next_review and self.next_review < self.ratified:
            raise FieldProblem(
                ("next_review",),
                f"next review date {self.next_review} is before the ratified date {self.ratified}",
            )
        if self.written and self.ratified and self.ratified < self.written:
            raise FieldProblem(
                ("ratified",),
                f"ratified date {self.ratified} is before the written date {self.written}",
            )
        return self


class StaffContact(_Model):
    """An internal contact, shown to staff only."""

    name: Text
    role: Text | None = None
    phone: Text | None = None
    email: Text | None = None


class StaffOnly(_Model):
    """Internal details that appear in the staff view and never in the parents' view."""

    account_logins: Phrase | None = Field(
        default=None,
        description="Who holds the login details for the official social media accounts.",
    )
    contacts: list[StaffContact] = Field(
        default_factory=list, description="Internal contacts and phone numbers."
    )
    notes: list[Text] = Field(default_factory=list, description="Anything else staff need.")


# --- Guidance register (issue 11) ------------------------------------------------------------

_ID = re.compile(r"[a-z0-9][a-z0-9-]*")


class Reissue(StrEnum):
    """How a piece of guidance is reissued, so ``check`` can tell when the register has
    fallen behind: a yearly edition is due on a known day; others only by ``expected_by``."""

    YEARLY = "yearly"
    EVERY_FEW_YEARS = "every_few_years"


_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


@dataclass(frozen=True, order=True)
class MonthDay:
    """A day of the year written MM-DD ('09-01'): the day a yearly edition comes into force."""

    month: int
    day: int

    @classmethod
    def parse(cls, value: Any) -> MonthDay:
        if isinstance(value, MonthDay):
            return value
        match = _MONTH_DAY.match(value.strip()) if isinstance(value, str) else None
        if match is None:
            raise ValueError("expected a day of the year written MM-DD, for example 09-01")
        month, day = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise ValueError(f"month {month} is not between 01 and 12")
        if not 1 <= day <= calendar.monthrange(2001, month)[1]:  # a year without 29 February
            raise ValueError(f"{calendar.month_name[month]} has no day {day}")
        return cls(month, day)

    def next_after(self, day: dt.date) -> dt.date:
        """The first such day after ``day``."""
        this_year = dt.date(day.year, self.month, self.day)
        return this_year if this_year > day else dt.date(day.year + 1, self.month, self.day)

    def iso(self) -> str:
        return f"{self.month:02d}-{self.day:02d}"


MonthDayField = Annotated[
    MonthDay,
    BeforeValidator(MonthDay.parse),
    PlainSerializer(lambda d: d.iso(), return_type=str),
    WithJsonSchema(
        {"type": "string", "pattern": r"^\d{2}-\d{2}$", "description": "MM-DD, e.g. 09-01"}
    ),
]


class GuidanceEdition(_Model):
    """One edition of a piece of statutory guidance, in the federation's guidance register.

    The policies cite, for each piece of guidance, the newest edition in force on the day
    the site is built; ``check`` warns when a published version cites an edition that a
    newer one in the register has replaced.
    """

    id: Text = Field(description="A short name for this entry, e.g. 'kcsie-2025'.")
    title: Text = Field(description="e.g. 'Keeping Children Safe in Education'.")
    short_name: Text | None = Field(default=None, description="e.g. 'KCSIE'.")
    publisher: Text = Field(default="DfE", description="Who publishes it.")
    edition: Text = Field(description="The edition as cited, e.g. '2025' or 'September 2025'.")
    in_force: DateField = Field(description="The day (or month) it came into force.")
    replaces: Text | None = Field(
        default=None,
        description="The id of the edition in this register that it replaced, if any.",
    )
    early_years_only: bool = Field(
        default=False,
        description="true for guidance that binds only providers with early years children "
        "(the EYFS): a setting none of whose provisions has them does not cite it.",
    )
    schools_only: bool = Field(
        default=False,
        description="true for guidance that binds schools (the DfE's mobile phones in "
        "schools): only a setting with a provision that is part of a school "
        "(in_school: true) cites it.",
    )
    reissued: Reissue | None = Field(
        default=None,
        description="How this guidance is reissued: 'yearly' (with in_force_each) or "
        "'every_few_years'. Left out: as the edition it replaces says; with none given, "
        "yearly if the two newest editions came into force on the same day a year apart. "
        "check warns when a newer edition is due and the register has none.",
    )
    in_force_each: MonthDayField | None = Field(
        default=None,
        description="For guidance reissued yearly: the day each year's edition comes into "
        "force, as MM-DD (KCSIE: 09-01).",
    )
    expected_by: DateField | None = Field(
        default=None,
        description="The day (or month) by which a newer edition is expected, if known: "
        "check warns once it has passed and the register has none.",
    )

    @field_validator("edition", mode="before")
    @classmethod
    def _edition_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not _ID.fullmatch(value):
            raise ValueError("use lower-case letters, digits and hyphens, e.g. 'kcsie-2025'")
        return value

    @model_validator(mode="after")
    def _rhythm_fits(self) -> GuidanceEdition:
        if self.reissued is Reissue.YEARLY and self.in_force_each is None:
            raise FieldProblem(
                ("in_force_each",),
                "guidance reissued yearly needs in_force_each: the day each year's edition "
                "comes into force, as MM-DD (for example 09-01)",
            )
        if self.in_force_each is not None and self.reissued is not Reissue.YEARLY:
            raise FieldProblem(
                ("in_force_each",),
                "in_force_each is only for guidance with reissued: yearly; for other "
                "guidance, give expected_by if a date for the next edition is known",
            )
        return self

    def cited(self) -> dict[str, str]:
        """How a policy (and a published version) cites it."""
        found = {
            "title": self.title,
            "short_name": self.short_name,
            "edition": self.edition,
            "publisher": self.publisher,
        }
        return {key: value for key, value in found.items() if value is not None}

    def named(self) -> str:
        """e.g. 'KCSIE 2025'."""
        return f"{self.short_name or self.title} {self.edition}"


def editions_in_force(register: list[GuidanceEdition], today: dt.date) -> list[GuidanceEdition]:
    """Each piece of guidance's newest edition in force by ``today``, in register order."""
    started = [e for e in register if e.in_force.first_day <= today]
    replaced = {e.replaces for e in started if e.replaces}
    return [e for e in started if e.id not in replaced]


def replacement_for(
    register: list[GuidanceEdition], edition_id: str, today: dt.date
) -> GuidanceEdition | None:
    """The newest edition in force by ``today`` that replaced this one (directly or not)."""
    found = None
    current, seen = edition_id, {edition_id}
    while newer := [e for e in register if e.replaces == current and e.in_force.first_day <= today]:
        found = newer[0]
        current = found.id
        if current in seen:  # a loop in the register: validation reports it
            break
        seen.add(current)
    return found


@dataclass(frozen=True)
class DueEdition:
    """A newer edition of some guidance that the register should hold by now, and does not."""

    newest: GuidanceEdition
    """The register's newest edition of this guidance."""
    due: dt.date
    """The first day the register is behind: a yearly edition's day in force, or the day
    after ``expected_by``."""
    in_force_day: bool
    """True when ``due`` is the day a yearly edition comes into force (by its rhythm);
    False when it comes from ``expected_by``."""

    def named(self) -> str:
        """e.g. 'KCSIE 2026', or 'a newer edition of Working Together to Safeguard Children'."""
        name = self.newest.short_name or self.newest.title
        if self.in_force_day and re.fullmatch(r"\d{4}", self.newest.edition):
            return f"{name} {self.due.year}"
        return f"a newer edition of {name}"

    def when(self) -> str:
        """e.g. 'was due in force by 1 September 2026', 'was expected by March 2027'."""
        if self.in_force_day:
            return f"was due in force by {PolicyDate.parse(self.due).display()}"
        assert self.newest.expected_by is not None
        return f"was expected by {self.newest.expected_by.display()}"


def _series(register: list[GuidanceEdition], newest: GuidanceEdition) -> Iterator[GuidanceEdition]:
    """An edition, then each one it replaced in turn (stopping at a loop)."""
    by_id = {e.id: e for e in register}
    seen: set[str] = set()
    current: GuidanceEdition | None = newest
    while current is not None and current.id not in seen:
        yield current
        seen.add(current.id)
        current = by_id.get(current.replaces) if current.replaces else None


def yearly_day(register: list[GuidanceEdition], newest: GuidanceEdition) -> MonthDay | None:
    """The day each year a new edition of this guidance comes into force, or None if it is
    not reissued yearly.

    From the rhythm the newest edition gives, else the nearest edition it replaced that
    gives one; with none given, yearly if the two newest editions came into force on the
    same day a year apart (as KCSIE's have), so a register kept without rhythms still
    notices a missed September."""
    series = list(_series(register, newest))
    if given := next((e for e in series if e.reissued), None):
        return given.in_force_each
    if len(series) < 2 or series[0].in_force.day is None:
        return None
    latest, before = series[0].in_force.first_day, series[1].in_force
    if before.day is None or (before.month, before.day) != (latest.month, latest.day):
        return None
    return MonthDay(latest.month, latest.day) if before.year + 1 == latest.year else None


def editions_due(register: list[GuidanceEdition], today: dt.date) -> list[DueEdition]:
    """Each piece of guidance whose next edition is due by ``today`` while the register
    holds no newer edition, in register order.

    A yearly edition is due from the day it comes into force (see ``yearly_day``); an
    ``expected_by`` date on the newest edition has passed once its day (or month) is over."""
    replaced = {e.replaces for e in register if e.replaces}
    found = []
    for newest in (e for e in register if e.id not in replaced):
        if newest.expected_by is not None:
            due = DueEdition(newest, newest.expected_by.last_day + dt.timedelta(days=1), False)
        elif day := yearly_day(register, newest):
            due = DueEdition(newest, day.next_after(newest.in_force.first_day), True)
        else:
            continue
        if today >= due.due:
            found.append(due)
    return found


# --- Contact routes (issue 11) ---------------------------------------------------------------

_PHONE = re.compile(r"\+?[0-9][0-9 ]{1,19}[0-9]")
_EMAIL = re.compile(r"[^@\s<>\[\]()]+@[^@\s<>\[\]()]+\.[A-Za-z]{2,}")


def is_placeholder(value: Any) -> bool:
    """A value ``new`` wrote for the editor to fill in: any text may stand in for a phone
    number or an address until then (``check`` and ``publish`` refuse it)."""
    return isinstance(value, str) and value.strip().upper().startswith(PLACEHOLDER)


def _phone(value: Any) -> Any:
    # A number YAML read (phone: 01622123456 is octal to YAML, 239642414) is refused as
    # any text field refuses one, with how it was typed, never turned into other digits.
    if isinstance(value, str) and not _PHONE.fullmatch(value.strip()) and not is_placeholder(value):
        raise ValueError("write a phone number as digits and spaces, e.g. '01632 960123'")
    return value


def _email(value: Any) -> Any:
    if isinstance(value, str) and not _EMAIL.fullmatch(value.strip()) and not is_placeholder(value):
        raise ValueError("expected an email address such as 'office@example.org'")
    return value


PhoneNumber = Annotated[str, BeforeValidator(_phone)]
EmailAddress = Annotated[str, BeforeValidator(_email)]


class Visibility(StrEnum):
    """Who may see a contact route: everyone (parents' view too) or staff only."""

    PUBLIC = "public"
    STAFF = "staff"


class ContactRoute(_Model):
    """Someone to contact, and how: a phone number, an email address, a web page or form,
    at least one of them."""

    name: Phrase = Field(
        description="Who they are, completing 'contact …', e.g. 'the Chair of the "
        "Management Committee' or 'our local LADO service'."
    )
    phone: PhoneNumber | None = Field(default=None, description="e.g. '01632 960123'.")
    out_of_hours_phone: PhoneNumber | None = Field(
        default=None, description="A number for evenings, nights and weekends, if different."
    )
    email: EmailAddress | None = Field(default=None, description="e.g. 'chair@example.org'.")
    web: HttpUrl | None = Field(
        default=None,
        description="A web page or form to reach them (https://…), shown as a link: 'go online "
        "to …'.",
    )
    visibility: Visibility = Field(
        default=Visibility.PUBLIC,
        description="'public' (parents and visitors see it) or 'staff' (staff view only).",
    )

    @model_validator(mode="after")
    def _a_way_to_reach(self) -> ContactRoute:
        """A route is for reaching someone: a name alone would render as nothing to do."""
        if not (self.phone or self.email or self.web):
            raise ValueError(
                f"no way to reach {self.name!r}: give a phone, an email or a web address"
            )
        return self


class SettingContact(_Model):
    """The setting's own phone, email and address, shown to everyone."""

    phone: PhoneNumber = Field(description="The setting's phone number.")
    email: EmailAddress = Field(description="The setting's email address.")
    address: Text = Field(description="The setting's postal address, on one line.")


def _shown_to_parents(route: ContactRoute) -> ContactRoute:
    """A route the parents' pages always name cannot be staff-only: leaving it out would
    leave parents no way to act, and showing it would show a staff-only route."""
    if route.visibility is Visibility.STAFF:
        raise FieldProblem(
            ("visibility",),
            f"the parents' pages always tell people how to reach {route.name!r}, so this "
            "route cannot be 'staff': delete 'visibility: staff' (or set it to 'public')",
        )
    return route


ParentsRoute = Annotated[ContactRoute, AfterValidator(_shown_to_parents)]
"""A contact route the parents' pages always show: ``visibility: staff`` is refused."""


class ContactRoutes(_Model):
    """The national routes every setting shares: normally set once in _federation.yml.

    A local authority's routes (LADO, front door) are not here: they come from the
    setting's ``local_authority`` entry, whole. The parents' pages name each route here,
    so none may be 'visibility: staff'."""

    ofsted: ParentsRoute = Field(
        description="Ofsted's line for parents' concerns and complaints the setting has not "
        "put right."
    )
    ofsted_whistleblowing: ContactRoute = Field(
        description="Ofsted's whistleblowing hotline, for staff raising a concern outside the "
        "setting (not the parents' complaints line)."
    )
    whistleblowing_advice: ContactRoute = Field(
        description="Independent whistleblowing advice for staff, e.g. the NSPCC's line."
    )

    @model_validator(mode="after")
    def _phoned(self) -> ContactRoutes:
        """The policies tell people to phone each of these, so each needs a phone number."""
        for key in type(self).model_fields:
            route: ContactRoute = getattr(self, key)
            if route.phone is None:
                raise FieldProblem(
                    (key, "phone"),
                    f"the policies tell people to phone {route.name!r}: give its phone number",
                )
        return self


# --- Related policies (issue 11) -------------------------------------------------------------


OTHER_POLICIES: dict[str, str] = {
    "acceptable-use": "Acceptable use of technology policy",
    "allegations": "Allegations against staff and volunteers procedure",
    "anti-bullying": "Anti-bullying policy",
    "behaviour": "Behaviour policy",
    "images": "Cameras and image use policy",
    "child-protection": "Child protection policy",
    "code-of-conduct": "Staff code of conduct",
    "complaints": "Complaints procedure",
    "confidentiality": "Confidentiality policy",
    "data-protection": "Data protection and data security policy",
    "online-safety": "Online safety policy",
    "whistleblowing": "Whistleblowing procedure",
}
"""The setting's other policies the shared text refers to, by id, with their titles."""


class RelatedPolicy(_Model):
    """Where one of the setting's other policies can be read (it may be a PDF elsewhere)."""

    title: Text | None = Field(
        default=None,
        description="Its title, as the list of policies that go with a policy shows it. "
        "Needed for a policy the shared text does not know by this id.",
    )

    url: HttpUrl | None = Field(
        default=None, description="Its web address (https://…). Leave out if not online."
    )


AUTHORITY_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
"""How a local authority is named: its register file's name, e.g. 'kent' for kent.yml."""


def _entry_not_name(value: Any) -> Any:
    """The loader puts the named authority's entry here; a bare name means nobody read it."""
    if isinstance(value, str):
        raise ValueError(
            f"names local authority {value!r}, whose entry was not read (settings are read "
            "with policy_sites.settings.loader.load_setting)"
        )
    return value


LocalAuthorityEntry = Annotated[
    "LocalAuthority",
    BeforeValidator(_entry_not_name),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": AUTHORITY_ID.pattern,
            "description": "The local authority the setting is in, by the name of its "
            "entry in settings/local_authorities/ (e.g. 'kent' for kent.yml).",
        }
    ),
]
"""A settings file names its authority; the loaded setting holds the authority's entry."""


class StaffPasswords(StrEnum):
    """Whose password list guards a setting's staff view on the web server."""

    PER_SETTING = "per-setting"
    FEDERATION = "federation"


class Publishing(_Model):
    """How the built sites go on a web server (``policy-sites deploy``)."""

    staff_links: bool = Field(
        default=True,
        description="Whether the portal and the parents' view's header link to the staff "
        "view. Set false to keep the staff view's address out of every public page (it "
        "stays reachable for staff who know it).",
    )
    staff_passwords: StaffPasswords = Field(
        default=StaffPasswords.PER_SETTING,
        description="'per-setting': each setting's staff view has its own password file, so "
        "one setting's staff cannot read another's; 'federation': one file for every staff "
        "view.",
    )


class Setting(_Model):
    """Everything the shared policy text needs to know about one setting.

    Federation defaults (settings/_federation.yml) fill any key a setting leaves out.
    """

    name: Text = Field(description="The setting's name, exactly as it should appear.")
    provisions: list[Provision] = Field(min_length=1)
    dsls: list[DSL] = Field(
        min_length=1,
        description="Designated Safeguarding Leads and their deputies: at least one lead "
        "(deputy: false) for each provision.",
    )
    manager: ManagerPhrase = Field(
        default="the Manager",
        description="How the policies name the person in charge, with 'the' (left out: "
        "'the Manager'). "
        + _frame("Staff tell … straight away about any breach.", "the Pre-school Leader"),
    )
    ratifying_body: RatifyingBody = Field(
        description="Who agrees and ratifies the policies: committee, trustees, owner, "
        "proprietor or governors. The sources write 'Agreed and ratified by the committee' "
        "or 'the trustees have …' to suit."
    )
    rooms: list[Phrase] = Field(
        default_factory=list,
        description="The rooms or areas children use, each one place; the list is joined "
        "with 'and'. Named where visitors' phones are kept away from children "
        "(visitors.phones_kept_away). Left out: 'any room or area where children are'. "
        + _frame(
            "Visitors' phones are not allowed in …, or in any other area where children are.",
            "the baby room",
        ),
    )
    template: Phrase | None = Field(
        default=None,
        description="The published template the setting's policies were adapted from, if "
        "any; left out, the policies name none. "
        + _frame(
            "It builds on …, with expert advice where we needed it.",
            "The Education People's template",
        ),
    )
    policies: dict[str, PolicyDates] = Field(
        min_length=1,
        description="The policies this setting publishes, each with its dates.",
    )
    staff_only: StaffOnly = Field(default_factory=StaffOnly)

    # Contact routes and related policies (issue 11).
    contact: SettingContact | None = Field(
        default=None,
        description="The setting's own phone, email and address. Needed before publishing: "
        "'check' reports, and 'publish' refuses, a setting without it.",
    )
    concerns_about_leaders: ContactRoute | None = Field(
        default=None,
        description="Who to contact when a worry is about the Manager or a DSL, e.g. the "
        "Chair of the Management Committee. Needed before publishing, and shown to parents "
        "(not visibility: staff): 'check' reports, and 'publish' refuses, a setting without it, "
        "unless its owner or proprietor runs it (then the pages name the LADO instead).",
    )
    whistleblowing_contact: ContactRoute | None = Field(
        default=None,
        description="Who inside the organisation staff may go to with a whistleblowing "
        "concern, if not the Manager (e.g. the Chair).",
    )
    other_policies: dict[str, RelatedPolicy] = Field(
        default_factory=dict,
        description="Where each of the setting's other policies (those not published "
        "from docs/policies/) can be read, by id: "
        + ", ".join(OTHER_POLICIES)
        + ", or any other id with its title. A shared policy the setting publishes is "
        "linked to its own page instead.",
    )

    # Federation-level facts: normally set once in settings/_federation.yml.
    federation: Text | None = Field(default=None, description="The federation's name.")
    guidance_register: list[GuidanceEdition] = Field(
        min_length=1,
        description="Every edition of statutory guidance the policies cite or have cited. "
        "The policies cite each one's newest edition in force.",
    )
    local_authority: LocalAuthorityEntry = Field(
        description="The local authority the setting is in, e.g. 'kent': the name of its "
        "entry in settings/local_authorities/, which gives the LADO, the children's "
        "services front door, the safeguarding partnership and any advice service. A "
        "setting's own value wins over the federation's."
    )
    contact_routes: ContactRoutes = Field(description="National contact routes (Ofsted).")
    allegations_contact: Text = Field(
        default="the Local Authority Designated Officer (LADO)",
        description=_frame(
            "We tell … about an allegation against a member of staff.",
            "the Local Authority Designated Officer (LADO)",
        ),
    )
    police_non_emergency: PhoneNumber = Field(
        default="101", description="The police's non-emergency number, as a phone number."
    )
    police_emergency: PhoneNumber = Field(
        default="999", description="The emergency number, as a phone number."
    )
    review_frequency: Phrase = Field(
        default="at least once a year",
        description=_frame("We review this policy …", "at least once a year"),
    )
    site_root_url: HttpUrl | None = Field(
        default=None,
        description="The web address the whole site/ folder is published at, e.g. "
        "'https://policies.example.org/'. Each setting's site is then at <this>/<slug>/; "
        "used for the sitemap and canonical links.",
    )
    publishing: Publishing = Field(
        default_factory=Publishing,
        description="How the sites are published: staff links, staff passwords.",
    )

    @field_validator("site_root_url")
    @classmethod
    def _a_base_address(cls, url: HttpUrl | None) -> HttpUrl | None:
        """Every page's canonical link and the sitemap start with it: a bare folder address."""
        if url is not None and (url.query is not None or url.fragment is not None or url.username):
            raise ValueError(
                "the address the site is published at has no '?', '#' or user name; "
                "write it like https://policies.example.org/"
            )
        return url

    @model_validator(mode="after")
    def _provisions_fit(self) -> Setting:
        seen: set[str] = set()
        for index, provision in enumerate(self.provisions):
            for field, name in (("name", provision.name), ("short_name", provision.short_name)):
                if name is None:
                    continue
                if name.casefold() in seen:
                    raise FieldProblem(
                        ("provisions", index, field),
                        f"{name!r} names two provisions: give each its own name (one "
                        "provision that school-age children attend is one entry, with "
                        "school_age: true)",
                    )
                seen.add(name.casefold())
        names = {p.name for p in self.provisions} | {
            p.short_name for p in self.provisions if p.short_name
        }
        several = len(self.provisions) > 1
        for index, dsl in enumerate(self.dsls):
            if dsl.provision is None and several:
                raise FieldProblem(
                    ("dsls", index),
                    f"DSL {dsl.name!r} needs a 'provision', because this setting runs "
                    f"{len(self.provisions)} provisions",
                )
            if dsl.provision is not None and dsl.provision not in names:
                raise FieldProblem(
                    ("dsls", index, "provision"),
                    f"DSL {dsl.name!r} is for provision {dsl.provision!r}, which is not "
                    f"one of: {', '.join(sorted(names))}",
                )
        for provision in self.provisions:
            own = {provision.name, provision.short_name} - {None}
            theirs = [d for d in self.dsls if not several or d.provision in own]
            if not any(not d.deputy for d in theirs):
                where = f" for the {provision.name}" if several else ""
                why = (
                    f"every DSL listed{where} is a deputy; give the lead deputy: false"
                    if theirs
                    else f"no DSL is listed{where}; add its lead DSL (provision: "
                    f"{provision.name}), or, if one person leads several provisions, "
                    "list them once for each"
                )
                raise FieldProblem(("dsls",), f"no lead DSL{where}: {why}")
        return self

    @model_validator(mode="after")
    def _register_fits(self) -> Setting:
        ids = [e.id for e in self.guidance_register]
        for index, edition in enumerate(self.guidance_register):
            if ids.count(edition.id) > 1:
                raise FieldProblem(
                    ("guidance_register", index, "id"), f"id {edition.id!r} is used twice"
                )
            if edition.replaces is not None and edition.replaces not in ids:
                raise FieldProblem(
                    ("guidance_register", index, "replaces"),
                    f"{edition.replaces!r} is not the id of an edition in the register",
                )
        for key, other in self.other_policies.items():
            if key not in OTHER_POLICIES and other.title is None:
                raise FieldProblem(
                    ("other_policies", key),
                    f"{key!r} is not a policy the shared text knows: give its title "
                    "(title: ...), or use one of: " + ", ".join(OTHER_POLICIES),
                )
        return self

    def guidance_in_force(self, today: dt.date) -> list[GuidanceEdition]:
        """The editions the policies cite on ``today``: early years guidance only where
        early years children attend, schools' guidance only where a provision is part of
        a school."""
        return [
            edition
            for edition in editions_in_force(self.guidance_register, today)
            if (self.has_early_years or not edition.early_years_only)
            and (self.in_school or not edition.schools_only)
        ]

    @property
    def has_school_age(self) -> bool:
        return any(p.school_age for p in self.provisions)

    @property
    def has_early_years(self) -> bool:
        return any(p.has_early_years for p in self.provisions)

    @property
    def in_school(self) -> bool:
        """Whether any provision is part of a school (so schools' guidance applies)."""
        return any(p.in_school for p in self.provisions)


FieldPath = tuple[str | int, ...]
"""Where a value is in settings data: keys and list positions, e.g. ('dsls', 0, 'name')."""


def texts_in(data: Any, at: FieldPath = ()) -> Iterator[tuple[FieldPath, str]]:
    """Every string in settings data (nested mappings and lists, as loaded from YAML or
    dumped from the schema), in order, with the path of the field that holds it."""
    if isinstance(data, str):
        yield at, data
    elif isinstance(data, Mapping):
        for key, item in data.items():
            yield from texts_in(item, (*at, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from texts_in(item, (*at, index))


def placeholders_in(setting: Setting) -> list[str]:
    """Every value of a setting still holding a placeholder from ``new``."""
    return [text for _, text in texts_in(setting.model_dump(mode="json")) if is_placeholder(text)]


@cache
def free_text_fields(model: type[BaseModel] | None = None, prefix: str = "") -> dict[str, Frame]:
    """Every free-text field of the settings, by dotted path ('phones.staff_keep_phones';
    items of a list are not numbered), with the sentence it completes."""
    found: dict[str, Frame] = {}
    for name, info in (model or Setting).model_fields.items():
        path = f"{prefix}{name}"
        if info.description and (match := _FRAME.search(info.description)):
            found[path] = Frame(match["sentence"], match["example"])
        for inner in _models_in(info.annotation):
            found |= free_text_fields(inner, f"{path}.")
    return found


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in _models_in(arg)]
