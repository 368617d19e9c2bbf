"""Phrases built from structured facts, so the shared sources never guess at English.

A settings file holds facts (a DSL is a deputy, the trustees ratify, two people approve);
the words that depend on them (labels, "has" or "have", "a DSL or a deputy") are made
here once, from already-escaped parts, and handed to the sources as variables.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from policy_sites.context.grammar import Number, noun_phrase_number
from policy_sites.settings.schema import DSL, Setting

__all__ = [
    "FACTS_READ",
    "agrees",
    "counted",
    "join_and",
    "join_or",
    "plural",
    "sentence_facts",
    "upper_first",
]

FACTS_READ = frozenset(
    {
        ("rooms",),
        ("ratifying_body",),
        ("dsls", "*", "provision"),
        ("dsls", "*", "deputy"),
        ("dsls", "*", "is_manager"),
    }
)
"""Settings fields the sources see only through the phrases made here."""


def _join(items: Iterable[Any], word: str) -> str:
    parts = [str(item) for item in items]
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {word} {parts[-1]}"


def join_and(items: Iterable[Any]) -> str:
    """['a', 'b', 'c'] -> 'a, b and c'."""
    return _join(items, "and")


def join_or(items: Iterable[Any]) -> str:
    """['a', 'b'] -> 'a or b'."""
    return _join(items, "or")


def plural(count: int | Iterable[Any], singular: str, several: str | None = None) -> str:
    """The singular word for one thing, else the plural (default: singular + 's')."""
    number = count if isinstance(count, int) else len(list(count))
    return singular if number == 1 else (several or singular + "s")


def agrees(names: Any, singular: str, several: str) -> str:
    """The verb that agrees with a list of names joined with 'and', or with one name:
    ``["the Owner"] | agrees("has", "have")`` is 'has'; two names, or one that names two
    people ('the Club Manager and the school's Head'), 'have'."""
    items = [names] if isinstance(names, str) else list(names)
    if len(items) == 1 and noun_phrase_number(str(items[0])) is not Number.PLURAL:
        return singular
    return several


def counted(number: int, singular: str, several: str | None = None) -> str:
    """'1 setting', '2 settings', '1 policy' (with ``several`` 'policies')."""
    return f"{number} {plural(number, singular, several)}"


def upper_first(text: str) -> str:
    """'the Manager' -> 'The Manager' (unlike Jinja's capitalize, keeps the rest as it is)."""
    return text[:1].upper() + text[1:]


def _dsl_title(deputy: bool, count: int, provision: str | None) -> str:
    title = "Designated Safeguarding " + ("Lead" if count == 1 else "Leads")
    if deputy:
        title = "Deputy " + title
    return f"{title} for the {provision}" if provision else title


def _named(dsl: DSL, escape: Callable[[str], str]) -> str:
    """'Gemma Chapman, Pre-school Manager', or the name alone when no job title is given."""
    return f"{escape(dsl.name)}, {escape(dsl.role)}" if dsl.role else escape(dsl.name)


def _provision_of(setting: Setting, dsl: DSL) -> str | None:
    """The full name of the provision a DSL leads for, when the setting runs several."""
    if len(setting.provisions) < 2:
        return None
    for provision in setting.provisions:
        if dsl.provision in (provision.name, provision.short_name):
            return provision.name
    return dsl.provision


def _is_manager(dsl: DSL, manager: str) -> bool:
    """Whether a DSL is the manager: as the settings say (``is_manager``), or else by job
    title: a role ending with the manager's title, or holding it as one of its parts
    ('Owner and Club Manager' and 'Club Manager & Proprietor' are 'the Club Manager';
    'Deputy Manager' is not 'the Manager')."""
    if dsl.is_manager is not None:
        return dsl.is_manager
    if not dsl.role:
        return False
    title = manager.lower().removeprefix("the ").split()
    if not title:
        return False
    for part in _ROLE_PARTS.split(dsl.role.lower()):
        role = part.replace(",", " ").split()
        if role[-len(title) :] != title:
            continue
        before = role[: -len(title)]
        if not (before and before[-1] in {"deputy", "assistant", "acting", "vice"}):
            return True
    return False


_ROLE_PARTS = re.compile(r"\s(?:&|and|/)\s|,")
"""Where one job title held by a person ends and another begins."""


_SOLE_DSL = "our DSL"
"""A setting's one DSL, where one person leads and there is no deputy."""


def _manager_and_dsl(setting: Setting, escape: Callable[[str], str], a_dsl: str) -> dict[str, str]:
    """'a DSL', 'the Manager or a DSL', 'a DSL or the Manager', 'a DSL and the Manager';
    with one DSL and no deputy (``a_dsl`` is then 'our DSL'), 'our DSL'; and when that
    DSL is the manager, one person:
    'the Club Manager (Priya Venkataraman, our DSL)', so nobody is told to go to the same
    person twice or to talk it through with them and themselves."""
    manager = escape(setting.manager)
    leads = [d for d in setting.dsls if not d.deputy]
    deputies = [d for d in setting.dsls if d.deputy]
    one_lead = len({d.name for d in leads}) == 1
    if one_lead and _is_manager(leads[0], setting.manager):
        # One person leads and manages: named once; a deputy, if any, is the other choice
        # ('tell the owner (Kerry Dobbs, our DSL) or a deputy DSL', not 'tell Kerry or a
        # DSL (or a deputy)' when Kerry is the DSL).
        both = f"{manager} ({escape(leads[0].name)}, our DSL)"
        either = f"{both} or a deputy DSL" if deputies else both
        return {
            "our_dsl": "a DSL" if deputies else _SOLE_DSL,
            "manager_or_dsl": either,
            "dsl_or_manager": either,
            "dsl_and_manager": both,
        }
    one = _SOLE_DSL if a_dsl == _SOLE_DSL else "a DSL"
    return {
        "our_dsl": one,
        "manager_or_dsl": f"{manager} or {a_dsl}",
        "dsl_or_manager": f"{a_dsl} or {manager}",
        "dsl_and_manager": f"{one} and {manager}",
    }


def _policy_pages(setting: Setting, titles: Mapping[str, str]) -> list[dict[str, str]]:
    """The policies this setting publishes, in the order of docs/policies/, with links
    relative to a page at the top of the site (index, induction)."""
    order = list(titles) or sorted(setting.policies)
    chosen = [pid for pid in order if pid in setting.policies]
    return [
        {
            "id": pid,
            "title": titles.get(pid, pid),
            "link": f"[{titles.get(pid, pid)}](policies/{pid}.md)",
        }
        for pid in chosen
    ]


def sentence_facts(
    setting: Setting,
    escape: Callable[[str], str],
    titles: Mapping[str, str],
    topics: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """The variables whose words depend on the setting's structured facts (all escaped);
    ``topics``: what each shared policy is about, from its front matter."""
    pages = _policy_pages(setting, titles)
    groups: dict[tuple[str | None, bool], list[DSL]] = {}
    order = [p.name for p in setting.provisions]
    for dsl in sorted(
        setting.dsls,
        key=lambda d: (order.index(p) if (p := _provision_of(setting, d)) in order else 0,
                       d.deputy),
    ):  # fmt: skip
        groups.setdefault((_provision_of(setting, dsl), dsl.deputy), []).append(dsl)
    dsl_lines = [
        {
            "label": escape(_dsl_title(deputy, len(people), provision)),
            "people": "; ".join(_named(d, escape) for d in people),
        }
        for (provision, deputy), people in groups.items()
    ]
    # One entry a person: the schema lists a DSL once per provision they lead, and a head
    # who leads the breakfast and the after-school club is one person, not two DSLs.
    people: dict[tuple[str, str | None, bool], list[str]] = {}
    for dsl in setting.dsls:
        provision = _provision_of(setting, dsl)
        people.setdefault((dsl.name, dsl.role, dsl.deputy), []).extend(
            [provision] if provision else []
        )
    dsls = []
    for (name, role, deputy), provisions in people.items():
        provision = (
            join_and([provisions[0], *(f"the {p}" for p in provisions[1:])]) if provisions else None
        )
        dsls.append(
            {
                "name": escape(name),
                "role": escape(role) if role else None,
                "deputy": deputy,
                "provision": escape(provision) if provision else None,
                "title": escape(_dsl_title(deputy, 1, provision)),
            }
        )
    leads = [d for d in dsls if not d["deputy"]]
    deputies = [d for d in dsls if d["deputy"]]
    lead_names = join_and(
        d["name"] + (f" for the {d['provision']}" if d["provision"] else "") for d in leads
    )
    deputy_names = join_and(
        d["name"] + (f" for the {d['provision']}" if d["provision"] else "") for d in deputies
    )
    # One person leading (for every provision) and no deputy: "our DSL", never "a DSL".
    a_dsl = "a DSL (or a deputy)" if deputies else _SOLE_DSL if len(leads) == 1 else "a DSL"
    body = setting.ratifying_body
    rooms = [escape(r) for r in setting.rooms]
    where = "any room or area where children are"
    if rooms:
        where = f"{join_and(rooms)}, or in any other area where children are"
    return {
        "dsls": dsls,
        "dsl_lines": dsl_lines,
        "dsl_leads": leads,
        "dsl_deputies": deputies,
        "dsl_lead_names": lead_names,
        "dsl_deputy_names": deputy_names,
        "dsl_leads_title": (
            "Designated Safeguarding Lead (DSL)"
            if len(leads) == 1
            else "Designated Safeguarding Leads (DSLs)"
        ),
        "dsl_deputies_title": escape(_dsl_title(True, len(deputies), None)),
        "a_dsl": a_dsl,
        "ratifying_body": {
            "kind": body.value,
            "name": body.noun,
            "Name": upper_first(body.noun),
            "has": "have" if body.plural else "has",
        },
        "where_children_are": where,
        "policy_pages": pages,
        "policy_titles": {page["id"]: page["title"] for page in pages},
        "policy_links": join_and(page["link"] for page in pages),
        "policy_topics": join_and(
            escape(topic) for page in pages for topic in (topics or {}).get(page["id"], ())
        ),
        **_manager_and_dsl(setting, escape, a_dsl),
    }
