"""Hypothesis strategies for whole settings files, across every choice the schema offers.

Structure is drawn freely (one to three provisions, school-age or not; one to five DSLs,
a lead for each provision and any deputies; zero to three official channels; any
non-empty set of policies; every optional key present or absent). Wording is drawn from
pools of fragments a manager might write for each field's one sentence, so that a
sentence reading wrongly is the sources' fault, not the generator's. Hostile text is
tests/integration/test_bad_input.py's job.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from policy_sites.settings.facts import (
    DeclaredFact,
    FactDeclaration,
    FactKind,
    PolicyCatalog,
    read_catalog,
)
from policy_sites.settings.schema import RatifyingBody
from tests.helpers import REPO

__all__ = ["POLICIES", "authority_data", "authority_numbers", "settings_data"]

POLICIES = ("mobile-and-smart-technology", "social-media", "acceptable-use")
"""The shared policies of the test project: the two sources and the guide's third one."""

_FIRST = ["Amira", "Ben", "Chloë", "Dev", "Ellen", "Farah", "Gus", "Hana", "Isla", "Jack",
          "Kemi", "Liam", "Maya", "Noor", "Owen", "Zoë"]  # fmt: skip
_LAST = ["Ahmed", "O'Brien", "Clarke", "Davies-Lowe", "Evans", "Nguyễn", "Green", "Hughes",
         "Iqbal", "Jones", "Khan", "Lewis", "Moore"]  # fmt: skip
_EARLY = ["Pre-school", "Nursery", "Baby room", "Toddler group", "Playgroup"]
_SCHOOL = ["Out-of-school club", "Breakfast club", "Holiday club", "After-school club"]
_ROLES = ["Manager", "Deputy Manager", "Room Leader", "Pre-school Leader", "Club Supervisor",
          "Special Educational Needs Co-ordinator", "Owner", "Early Years Teacher"]  # fmt: skip
_SETTING = ["Little Acorns", "Sunflowers", "Tots & Toddlers", "St Mary's", "Rainbow",
            "Kite Hill", "The Ark", "Busy Bees"]  # fmt: skip
_KIND = ["Nursery", "Pre-school", "Kids' Club", "Day Nursery", "Playgroup"]

_MANAGER = ["the Manager", "the Pre-school Leader", "the Club Manager", "the Owner",
            "the Nursery Manager"]  # fmt: skip
_AREAS = ["the main room", "the toilets", "the garden", "the baby room", "the hall",
          "the nappy-changing area", "the sleep room"]  # fmt: skip
_WHEN = ["when children are present", "during a session", "at any time during opening hours"]
_KEEP = ["in their lockers", "in the office", "in the basket provided in the office",
         "in the locked cupboard in the kitchen", "in their bags in the staff room"]  # fmt: skip
_QUIET = ["sessions", "opening hours", "club hours", "the working day"]
_PERMIT = ["the Manager", "the person in charge of the session", "the Deputy Manager",
           "the Owner"]  # fmt: skip
_PERSONAL = ["only on their lunch break, and only in the office", "only on their break",
             "only with permission from the Manager", "only away from the children"]  # fmt: skip
_FILTER = ["the school internet service", "our broadband provider's filters",
           "the filters on our setting devices"]  # fmt: skip
_EVENTS = ["our summer party", "a nativity play", "a sports day", "our Diwali celebration"]
_TEMPLATES = ["The Education People's template", "our local authority's model policy",
              "a national charity's model policy"]  # fmt: skip
_PLATFORMS = ["Facebook", "Instagram", "YouTube", "WhatsApp", "X"]
_RUN_BY = ["the Manager", "the Chair of the Committee", "the Owner", "two named staff"]
_APPROVERS = ["the Manager", "the Chair of the Committee", "the school's Headteacher",
              "the Owner"]  # fmt: skip
_VISITOR_PHONES = ["only in the office", "only in the entrance lobby",
                   "only outside the building"]  # fmt: skip
_CALLS = ["step outside before answering", "ask a member of staff where to go",
          "leave the room first"]  # fmt: skip
_KEPT = ["in the office", "in a locked drawer", "in the Manager's office"]
_RETURNED = [
    "the child's parent or carer at the end of the session",
    "the child at the end of the day",
    "the child's parent or carer at collection",
]
_JOURNALS = ["Tapestry", "Seesaw", "Famly", "Blossom"]
_REVIEW = ["at least once a year", "every year in September", "every two years"]
_ALLEGATIONS = ["the Local Authority Designated Officer (LADO)", "the LADO and Ofsted"]


_WORDING: dict[str, list[str]] = {
    "phones.phone_free_areas": _AREAS,
    "phones.phone_free_when": _WHEN,
    "phones.staff_keep_phones": _KEEP,
    "phones.staff_phones_quiet_during": _QUIET,
    "phones.permission_from": _PERMIT,
    "social_media.staff_personal_use": _PERSONAL,
    "social_media.approved_by": _APPROVERS,
    "social_media.official_channels.platform": _PLATFORMS,
    "social_media.official_channels.run_by": _RUN_BY,
    "visitors.phones_allowed": _VISITOR_PHONES,
    "visitors.essential_calls": _CALLS,
    "internet_filtering": _FILTER,
    "learning_journal.name": _JOURNALS,
    "events.example": _EVENTS,
    "outings.phone": ["the setting's mobile phone", "the club's mobile phone"],
    "staff_break_phones": ["in the office, away from children", "in the staff room only"],
    "children_devices.confiscated_kept": _KEPT,
    "children_devices.returned_to": _RETURNED,
}
"""More wording than a declaration's one example, by fact, for the facts that have it."""


def _declared_catalog() -> PolicyCatalog:
    """The shared policies' sources and the guide's third policy (tests/fixtures/docs),
    which the generated settings publish too, read together as one project would."""
    folder = Path(tempfile.mkdtemp(prefix="policy-sites-strategies-")) / "docs"
    (folder / "policies").mkdir(parents=True)
    for source in [*(REPO / "docs" / "policies").glob("*.md"),
                   REPO / "tests" / "fixtures" / "docs" / "acceptable-use.md"]:  # fmt: skip
        shutil.copy(source, folder / "policies" / source.name)
    return read_catalog(folder)


DECLARED = _declared_catalog()
"""The facts the shared policies declare in their front matter: the settings drawn give
them by kind, as a manager would, so a new policy's facts are generated with no edit here."""


def _declared_value(fact: DeclaredFact) -> st.SearchStrategy[Any]:
    """A value of one declared fact, drawn by its kind from its declaration."""
    return _value_of(fact.declaration, fact.dotted)


def _value_of(decl: FactDeclaration, dotted: str) -> st.SearchStrategy[Any]:
    example = decl.example if decl.example is not None else decl.default
    words = _WORDING.get(dotted) or (
        [str(e) for e in example] if isinstance(example, list) else [str(example)]
    )
    if decl.kind is FactKind.RECORDS:
        return _records(decl, dotted)
    if decl.kind is FactKind.WEB_ADDRESS:
        return st.sampled_from(["https://example.org/ours", "https://example.net/a?b=c&d=e"])
    if decl.kind is FactKind.LIST:
        return _some(words, 2)
    if decl.kind is FactKind.CHOICE:
        return st.sampled_from(list(decl.choices or ()))
    if decl.kind is FactKind.YES_NO:
        return st.booleans()
    if decl.kind is FactKind.DATE:
        return st.sampled_from(["2026-09", "2027-01-15"])
    if decl.kind is FactKind.CONTACT_ROUTE:
        return st.just({"name": "the Chair of the Committee", "phone": "01632 960999"})
    return _one(words)


@st.composite
def _declared(draw: st.DrawFn, policies: list[str], conditions: dict[str, bool]) -> dict[str, Any]:
    """The declared facts of a setting publishing ``policies`` (of whom ``conditions``
    hold or not): each it needs, and any other (optional, defaulted, needed only of other
    settings, or of a policy it does not publish) or not."""
    needed = {f.path for f in DECLARED.facts(policies) if f.needed_if(conditions)}
    data: dict[str, Any] = {}
    groups: dict[str, dict[str, Any]] = {}
    for fact in DECLARED.facts():
        if fact.group is None:
            if fact.path in needed or draw(st.booleans()):
                data[fact.name] = draw(_declared_value(fact))
            continue
        members = [f for f in DECLARED.facts() if f.group == fact.group]
        if fact.group in groups or fact is not members[0]:
            continue
        if not any(f.path in needed for f in members) and not draw(st.booleans()):
            continue  # the whole group left out
        group: dict[str, Any] = {}
        for member in members:
            if member.declaration.required or draw(st.booleans()):
                group[member.name] = draw(_declared_value(member))
        groups[fact.group] = data[fact.group] = group
    return data


def _one(values: list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(values)


def _some(values: list[str], most: int = 3) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(values), min_size=1, max_size=most, unique=True)


def _person() -> st.SearchStrategy[str]:
    return st.builds(lambda first, last: f"{first} {last}", _one(_FIRST), _one(_LAST))


@st.composite
def _provisions(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(1, 3))
    ages = draw(st.lists(st.booleans(), min_size=count, max_size=count))
    names = draw(st.permutations(_EARLY + _SCHOOL))
    early = [n for n in names if n in _EARLY]
    school = [n for n in names if n in _SCHOOL]
    found = []
    for index, school_age in enumerate(ages):
        provision: dict[str, Any] = {"name": (school if school_age else early)[index]}
        if draw(st.booleans()):
            provision["school_age"] = school_age
        elif school_age:
            provision["school_age"] = True
        if draw(st.booleans()):
            provision["short_name"] = f"P{index + 1}"
        _maybe(draw, provision, "early_years", st.booleans())
        _maybe(draw, provision, "in_school", st.booleans())
        found.append(provision)
    return found


@st.composite
def _dsls(draw: st.DrawFn, provisions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    several = len(provisions) > 1
    people = draw(st.lists(_person(), min_size=5, max_size=5, unique=True))
    found: list[dict[str, Any]] = []
    for provision in provisions:
        found.append({"provision": provision, "deputy": False})
    for _ in range(draw(st.integers(0, 5 - len(provisions)))):
        found.append(
            {"provision": draw(st.sampled_from(provisions)), "deputy": draw(st.booleans())}
        )
    dsls = []
    for person, dsl in zip(people, draw(st.permutations(found)), strict=False):
        entry: dict[str, Any] = {"name": person}
        if draw(st.booleans()):
            entry["role"] = draw(_one(_ROLES))
        if dsl["deputy"]:
            entry["deputy"] = True
        if several or draw(st.booleans()):
            provision = dsl["provision"]
            entry["provision"] = provision.get("short_name") or provision["name"]
        dsls.append(entry)
    return dsls


def _maybe(draw: st.DrawFn, data: dict[str, Any], key: str, value: st.SearchStrategy) -> None:
    """Set an optional key, or leave it out (half the time each)."""
    if draw(st.booleans()):
        data[key] = draw(value)


@st.composite
def _records(draw: st.DrawFn, decl: FactDeclaration, dotted: str) -> list[dict[str, Any]]:
    """Zero to three records of a records fact (a setting's official accounts), each
    with a different first field (the platform), and every other field there or not."""
    fields = decl.fields or {}
    first, *others = fields
    firsts = draw(st.lists(_value_of(fields[first], f"{dotted}.{first}"), max_size=3,
                           unique=True))  # fmt: skip
    records = []
    for value in firsts:
        record: dict[str, Any] = {first: value}
        for name in others:
            inner = fields[name]
            if name == "description":  # it stands alone: it names its own account
                _maybe(draw, record, name, st.just(f"our {value} page"))
            elif inner.required or draw(st.booleans()):
                record[name] = draw(_value_of(inner, f"{dotted}.{name}"))
        records.append(record)
    return records


_ROUTE_NAMES = ["the Chair of the Committee", "the owner", "the Chair of Trustees",
                "our proprietor's office"]  # fmt: skip


@st.composite
def _route(draw: st.DrawFn, number: int, line: int) -> dict[str, Any]:
    """A contact route with one, two or three ways to reach it (a web form alone among
    them), each its own to this setting and route, public or staff-only."""
    ways = {
        "phone": f"01632 9{line}{number:04d}",
        "email": f"route{line}.{number}@example.net",
        "web": f"https://example.net/s{number}/r{line}/form?a=1&b=c_d*e",
    }
    chosen = draw(st.lists(st.sampled_from(list(ways)), min_size=1, max_size=3, unique=True))
    route: dict[str, Any] = {"name": draw(_one(_ROUTE_NAMES))}
    route |= {way: ways[way] for way in chosen}
    _maybe(draw, route, "visibility", st.sampled_from(["public", "staff"]))
    return route


@st.composite
def _policies(draw: st.DrawFn) -> dict[str, Any]:
    chosen = draw(st.lists(st.sampled_from(POLICIES), min_size=1, max_size=3, unique=True))
    policies: dict[str, Any] = {}
    for pid in chosen:
        dates: dict[str, Any] = {}
        _maybe(draw, dates, "written", st.sampled_from(["2025-09", "2026-01-15"]))
        _maybe(draw, dates, "next_review", st.sampled_from(["2027-09", "2026-10"]))
        policies[pid] = dates
    return policies


@st.composite
def settings_data(draw: st.DrawFn, number: int = 0) -> dict[str, Any]:
    """One setting's file as data; ``number`` makes its staff-only texts its own."""
    provisions = draw(_provisions())
    data: dict[str, Any] = {
        "name": f"{draw(_one(_SETTING))} {draw(_one(_KIND))} {number}",
        "provisions": provisions,
        "dsls": draw(_dsls(provisions)),
    }
    _maybe(draw, data, "manager", _one(_MANAGER))
    _maybe(draw, data, "ratifying_body", st.sampled_from([b.value for b in RatifyingBody]))
    _maybe(draw, data, "rooms", _some(_AREAS))
    _maybe(draw, data, "template", _one(_TEMPLATES))
    data["policies"] = draw(_policies())
    school_age = any(p.get("school_age") for p in provisions)
    early_years = any(p.get("early_years", not p.get("school_age")) for p in provisions)
    conditions = {"school_age": school_age, "early_years": early_years}
    data |= draw(_declared(list(data["policies"]), conditions))
    _maybe(draw, data, "review_frequency", _one(_REVIEW))
    _maybe(draw, data, "allegations_contact", _one(_ALLEGATIONS))
    _maybe(draw, data, "police_non_emergency", st.sampled_from(["101", "0300 123 4567"]))
    _maybe(draw, data, "federation", st.just("Generated settings"))
    _maybe(draw, data, "site_root_url", st.just("https://policies.example.net/sub/"))
    _maybe(
        draw,
        data,
        "contact",
        st.just(
            {
                "phone": f"01632 95{number:04d}",
                "email": f"hello{number}@example.net",
                "address": f"{number} Example Road, Anytown",
            }
        ),
    )
    _maybe(draw, data, "concerns_about_leaders", _route(number, 7))
    _maybe(draw, data, "whistleblowing_contact", _route(number, 8))
    if draw(st.booleans()):
        staff: dict[str, Any] = {}
        _maybe(draw, staff, "account_logins", st.just(f"the logins holder of setting {number}"))
        contact = {
            "name": f"Office line {number}",
            "phone": f"01632 96{number:04d}",
            "email": f"office{number}@example.net",
            "role": f"Deputy lead {number}",
        }
        _maybe(draw, staff, "contacts", st.just([contact]))  # fmt: skip
        _maybe(draw, staff, "notes", st.just([f"Staff-only note number {number} for this site."]))
        data["staff_only"] = staff
    return data


_PLACES = ["Northmoor", "Eastwold", "Fenbridge", "Highcombe", "Ashdale", "Wyre Vale",
           "St Brannock's", "Lower Tamsworth"]  # fmt: skip
_COUNCILS = ["{} County Council", "{} Borough Council", "the City of {} Council",
             "{} Council"]  # fmt: skip
_LADO_NAMES = ["{}'s LADO service", "the {} Allegations Management Team",
               "the {} Local Authority Designated Officer team"]  # fmt: skip
_FRONT_DOORS = ["the {} Children's Advice and Duty Service", "{} Children's Services Front Door",
                "the {} Multi-Agency Safeguarding Hub"]  # fmt: skip
_PARTNERSHIPS = ["{} Safeguarding Children Partnership",
                 "{} Safeguarding Children Multi-agency Partnership"]  # fmt: skip
_ADVICE_NAMES = ["the {} Education Safeguarding Team", "the {} early years safeguarding adviser"]


@st.composite
def authority_data(draw: st.DrawFn, number: int = 0) -> tuple[str, dict[str, Any]]:
    """One local authority's register entry, as its file's name and its data: every route
    its own (numbers in Ofcom's drama range, 01632, and example.org addresses, each
    carrying ``number``), optional parts present or absent."""
    place = f"{draw(_one(_PLACES))} {number}"
    name = "-".join(place.lower().replace("'", "").split())

    def sourced(route: dict[str, Any]) -> dict[str, Any]:
        return route | {"source": f"{place}'s safeguarding pages (example.org)",
                        "checked": draw(st.sampled_from(["2026-11", "2026-12-01"]))}  # fmt: skip

    lado: dict[str, Any] = {"name": draw(_one(_LADO_NAMES)).format(place),
                            "phone": f"01632 931{number:03d}"}  # fmt: skip
    _maybe(draw, lado, "email", st.just(f"lado{number}@{name}.example.org"))
    _maybe(draw, lado, "web", st.just(f"https://{name}.example.org/lado?refer=1&by=setting"))
    front_door: dict[str, Any] = {
        "name": draw(_one(_FRONT_DOORS)).format(place),
        "phone": f"01632 932{number:03d}",
        "out_of_hours_phone": f"01632 933{number:03d}",
    }
    _maybe(draw, front_door, "email", st.just(f"frontdoor{number}@{name}.example.org"))
    _maybe(draw, front_door, "web", st.just(f"https://{name}.example.org/worried-about-a-child"))
    partnership: dict[str, Any] = {"name": draw(_one(_PARTNERSHIPS)).format(place)}
    _maybe(draw, partnership, "short_name", st.just(f"SCP{number}"))
    _maybe(draw, partnership, "web", st.just(f"https://{name}.example.org/partnership"))
    data: dict[str, Any] = {
        "name": draw(_one(_COUNCILS)).format(place),
        "lado": sourced(lado),
        "front_door": sourced(front_door),
        "partnership": sourced(partnership),
    }
    if draw(st.booleans()):
        advice: dict[str, Any] = {"name": draw(_one(_ADVICE_NAMES)).format(place)}
        _maybe(draw, advice, "phone", st.just(f"01632 934{number:03d}"))
        _maybe(draw, advice, "web", st.just(f"https://{name}.example.org/advice"))
        _maybe(draw, advice, "reached", st.just("through the council's schools' website"))
        data["advice_service"] = sourced(advice)
    return name, data


def authority_numbers(data: dict[str, Any]) -> set[str]:
    """Every phone number of a register entry (as data), as written."""
    keys = ("phone", "out_of_hours_phone")
    return {route[key] for route in data.values() if isinstance(route, dict)
            for key in keys if key in route}  # fmt: skip
