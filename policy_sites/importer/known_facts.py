"""One setting's copy: put the project's own variables where the text gives the setting's
known facts, correct near-misspellings of its name (reported, never made a variable),
turn guidance citations into citations of the register, and list whatever else looks
setting-specific as a proposal for a person to decide."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from policy_sites.context.phrases import upper_first
from policy_sites.context.variables import staff_only_fields
from policy_sites.settings.schema import Setting, editions_in_force

__all__ = [
    "KnownFact",
    "Marked",
    "Proposal",
    "Slip",
    "escape_jinja",
    "known_facts",
    "mark_known_facts",
]

_ALWAYS = re.compile(
    r"^(name|manager|template|internet_filtering|federation|police_\w+|advice_service"
    r"|allegations_contact|dsls\[\d+\]\.name|learning_journal\.name"
    r"|local_partnership\.(name|short_name)"
    r"|(\w+\.)*(name|phone|email|address|web|out_of_hours_phone))$"
)
"""Fields whose value is the setting's own wherever it appears, however short."""
_SKIP = {"staff_only", "guidance_register", "policies", "other_policies", "site_root_url"}
_NOT_TEXT = {"visibility", "id", "kind", "provision", "ratifying_body"}
"""Fields that hold a choice or a reference, never words of a policy."""
_APOSTROPHE = "['\u2019]"
_JINJA_OPEN = re.compile(r"\{(?=[{%#])")


@dataclass(frozen=True)
class KnownFact:
    """A value the settings already hold, and the expression that gives it in a source."""

    value: str
    expression: str


@dataclass(frozen=True)
class Slip:
    """A near-misspelling of the setting's own name: reported, corrected in the source."""

    found: str
    meant: str
    line: int

    def __str__(self) -> str:
        return f"line {self.line}: {self.found!r} looks like a slip for {self.meant!r}"


@dataclass(frozen=True)
class Proposal:
    """Text that looks setting-specific but matches no known fact: a person decides."""

    kind: str
    text: str
    line: int

    def __str__(self) -> str:
        return f"line {self.line}: {self.kind} {self.text!r}"


@dataclass
class Marked:
    """A copy's lines with the known facts as variables, and what a person should see."""

    lines: list[str]
    used: dict[str, str] = field(default_factory=dict)
    slips: list[Slip] = field(default_factory=list)
    editions: list[str] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    staff_only: list[str] = field(default_factory=list)
    """Where a staff-only fact was in the text: the source shows it in the staff view only."""
    policy_dates: dict[str, tuple[str, int]] = field(default_factory=dict)
    """The policy's own dates as the copy gives them ('written': ('2022-09', line))."""


def escape_jinja(text: str) -> str:
    """Literal text as template text: a '{' that would open a Jinja tag is written as one."""
    return _JINJA_OPEN.sub("{{ '{' }}", text)


def _expression(path: tuple[Any, ...]) -> str:
    out = ""
    for key in path:
        if isinstance(key, int):
            out += f"[{key}]"
        elif key.isidentifier():
            out += f".{key}" if out else key
        else:
            out += f"[{key!r}]"
    return out


def _leaves(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(data, dict):
        if data.get("visibility") == "staff":
            return  # a staff-only route is never written into a shared source
        for key, value in data.items():
            if not path and key in _SKIP:
                continue
            yield from _leaves(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _leaves(value, (*path, index))
    elif isinstance(data, str):
        yield path, data


def known_facts(setting: Setting, own_group: str | None = None) -> list[KnownFact]:
    """Every value of the setting that may stand for itself in a policy, longest first
    (so 'Halstead Nursery' wins over 'Halstead'); where two fields hold the same value,
    the first in the file's order gives the expression. The facts of ``own_group``, the
    policy being imported, are left out: an import run again after ``--apply`` recovers
    them afresh, rather than write the names of the last run's facts into the copy."""
    found: dict[str, str] = {}
    for path, value in _leaves(setting.model_dump(mode="json")):
        if own_group is not None and path[0] == own_group:
            continue
        expression = _expression(path)
        value = value.strip()
        if len(value) < 3 or value in found:
            continue
        if path[-1] in _NOT_TEXT:
            continue
        if _ALWAYS.match(expression) or len(value.split()) >= 3:
            found[value] = expression
    return sorted(
        (KnownFact(v, e) for v, e in found.items()), key=lambda f: (-len(f.value), f.value)
    )


def _pattern(value: str) -> str:
    return r"(?<![\w@.])" + re.escape(value).replace("'", _APOSTROPHE) + r"(?![\w@])"


def _same(found: str, value: str) -> bool:
    return found.replace("\u2019", "'") == value.replace("\u2019", "'")


def _facts_regex(facts: list[KnownFact]) -> re.Pattern[str] | None:
    if not facts:
        return None
    return re.compile("|".join(f"({_pattern(f.value)})" for f in facts), re.IGNORECASE)


_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")


def _outside_tags(line: str, replace: Any) -> str:
    """Apply ``replace`` to the literal stretches of a template line only."""
    out, last = [], 0
    for tag in _TAG.finditer(line):
        out.append(replace(line[last : tag.start()]))
        out.append(tag.group())
        last = tag.end()
    out.append(replace(line[last:]))
    return "".join(out)


def _words(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[\w'\u2019-]+", text)]


def _near_misses(line: str, name: str) -> Iterator[tuple[int, int, str]]:
    """Stretches of ``line`` that miss the setting's name by a letter or two."""
    size = len(name.split())
    plain = name.lower().replace("\u2019", "'")
    spans = _words(line)
    for i in range(len(spans) - size + 1):
        start, end = spans[i][0], spans[i + size - 1][1]
        candidate = line[start:end]
        low = candidate.lower().replace("\u2019", "'")
        if low == plain or low.removesuffix("'s") == plain or low[:1] != plain[:1]:
            continue
        if len(low) >= 4 and SequenceMatcher(None, low, plain).ratio() >= 0.8:
            yield start, end, candidate


_CITED = re.compile(
    r"(?P<open>['\u2018\"]?)(?:\[(?P<link>[^\]]{4,90})\]\([^)]*\)|(?P<plain>[A-Z][\w ,-]{4,90}?))"
    r"(?P<close>['\u2019\"]?)(?P<gap>\s*\(?)(?P<year>(?:19|20)\d\d)(?P<shut>\)?)"
)


def _guidance_key(edition: Any) -> tuple[str, str]:
    return ("short_name", edition.short_name) if edition.short_name else ("title", edition.title)


def _words_of(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower())) - {"and", "the", "for", "to", "of", "in"}


def _which_guidance(phrase: str, setting: Setting) -> Any | None:
    words = _words_of(phrase)
    if len(words) < 2:
        return None
    best, score = None, 0.0
    for edition in setting.guidance_register:
        title = _words_of(edition.title)
        overlap = len(words & title) / len(words)
        if overlap > score:
            best, score = edition, overlap
    return best if score >= 0.75 else None


def _citation(edition: Any) -> str:
    """The register's edition in force, cited as the sources cite it (``is defined``: an
    entry without a short name must not stop a strict render; ``check`` reads the field
    as one the register has, where a dict's ``.get`` would be a field nobody defined)."""
    key, value = _guidance_key(edition)
    return (
        f'{{% for g in guidance if g.{key} is defined and g.{key} == "{value}" %}}'
        "{{ g | citation }}{% endfor %}"
    )


class _Marker:
    def __init__(self, setting: Setting, today: dt.date, own_group: str | None) -> None:
        self.setting = setting
        self.facts = known_facts(setting, own_group)
        self.regex = _facts_regex(self.facts)
        self.in_force = editions_in_force(setting.guidance_register, today)
        staff = {v: f for f, v in staff_only_fields(setting).items() if len(v.strip()) >= 3}
        self.staff = [KnownFact(v, f) for v, f in sorted(staff.items(), key=lambda i: -len(i[0]))]
        self.staff_regex = _facts_regex(self.staff)

    def staff_in(self, text: str, marked: Marked, line: int) -> str:
        """A staff-only fact in a copy is shown only in the staff view of the source."""
        if self.staff_regex is None:
            return text

        def guard(match: re.Match[str]) -> str:
            fact = self.staff[match.lastindex - 1]  # type: ignore[operator]
            if not _same(match.group(), fact.value):
                return match.group()
            marked.staff_only.append(f"line {line}: {fact.expression}")
            return f"{{% if for_staff %}}{{{{ {fact.expression} }}}}{{% endif %}}"

        return self.staff_regex.sub(guard, text)

    def facts_in(self, text: str, marked: Marked) -> str:
        if self.regex is None:
            return text

        def put(match: re.Match[str]) -> str:
            fact = self.facts[match.lastindex - 1]  # type: ignore[operator]
            found = match.group()
            if _same(found, fact.value):
                marked.used[fact.expression] = fact.value
                return f"{{{{ {fact.expression} }}}}"
            if found.isupper() and not fact.value.isupper():
                marked.used[fact.expression] = fact.value
                return f"{{{{ {fact.expression} | upper }}}}"
            if _same(found, upper_first(fact.value)):  # 'The Manager' starting a sentence
                marked.used[fact.expression] = fact.value
                return f"{{{{ {fact.expression} | upper_first }}}}"
            return found  # another case ('the manager'): left for a person

        return self.regex.sub(put, text)

    def guidance_in(self, text: str, marked: Marked, line: int) -> str:
        def cite(match: re.Match[str]) -> str:
            phrase = match.group("link") or match.group("plain")
            quoted = bool(match.group("link") or match.group("open"))
            edition = _which_guidance(phrase, self.setting)
            exact = edition is not None and phrase.strip().lower() == edition.title.lower()
            if edition is None or not (quoted or exact):
                return match.group()
            key = _guidance_key(edition)
            current = next((e for e in self.in_force if _guidance_key(e) == key), None)
            year = match.group("year")
            if current is not None and year != str(current.edition):
                marked.editions.append(
                    f"line {line}: cites {phrase.strip()} {year}; the register's edition "
                    f"in force is {current.named()}"
                )
            return _citation(edition)

        return _CITED.sub(cite, text)

    def slips_in(self, text: str, marked: Marked, line: int) -> str:
        name = self.setting.name
        for start, end, candidate in reversed(list(_near_misses(text, name))):
            marked.slips.append(Slip(candidate, name, line))
            text = text[:start] + "{{ name }}" + text[end:]
        return text


_PROPOSALS = (
    ("phone number", re.compile(r"(?<!\d)(?:0\d{2,4}[ -]?\d{3,4}[ -]?\d{3,4})(?!\d)")),
    ("email address", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    (
        "date",
        re.compile(
            r"\b(?:\d{1,2}(?:st|nd|rd|th)?\s+)?(?:January|February|March|April|May|June|July"
            r"|August|September|October|November|December),?\s+(?:19|20)\d\d\b"
            r"|\b\d{1,2}/\d{1,2}/(?:19|20)?\d\d\b",
            re.IGNORECASE,
        ),
    ),
    ("name or place", re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:\s+(?:Mc|Mac)?[A-Z][a-z]+)+")),
)
_COMMON = {
    "Child", "Policy", "Safeguarding", "Lead", "Designated", "Education", "Officer",
    "Authority", "Local", "Online", "Safety", "Management", "Committee", "Children",
    "Manager", "Acceptable", "Use", "Policies", "Staff", "Handbook", "Keeping", "Safe",
    "The", "Data", "Protection", "Multi", "Partnership", "Service", "Facebook", "Page",
}  # fmt: skip


def _proposals(text: str, line: int) -> Iterator[Proposal]:
    literal = _TAG.sub(" ", text)
    heading = literal.lstrip().startswith("#")
    for kind, pattern in _PROPOSALS:
        for match in pattern.finditer(literal):
            found = match.group()
            if kind == "name or place" and (heading or set(found.split()) & _COMMON):
                continue
            yield Proposal(kind, found, line)


_MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
_A_DATE = re.compile(
    r"(?:(\d{1,2})(?:st|nd|rd|th)?\s+)?(" + "|".join(_MONTHS) + r"),?\s+((?:19|20)\d\d)",
    re.IGNORECASE,
)
_DATE_LABELS = (
    ("written", re.compile(r"\b(?:written|updated)\b", re.IGNORECASE)),
    ("next_review", re.compile(r"\bnext review\b|\breview(?:ed)? by\b", re.IGNORECASE)),
)
"""The policy dates a settings file holds, by the label a Key Details table gives them
(the ratified day is not one: publish records it)."""


def _policy_dates(line: str, number: int, marked: Marked) -> None:
    for key, label in _DATE_LABELS:
        found = label.search(line)
        if not found or key in marked.policy_dates:
            continue
        date = _A_DATE.search(line, found.end())
        if date is None:
            continue
        day, month, year = date.groups()
        iso = f"{year}-{_MONTHS[month.lower()]:02d}"
        if day:
            try:
                iso = dt.date(int(year), _MONTHS[month.lower()], int(day)).isoformat()
            except ValueError:
                continue  # "31 September": a person reads it on the review page
        marked.policy_dates[key] = (iso, number)


def mark_known_facts(
    lines: list[str], setting: Setting, today: dt.date, own_group: str | None = None
) -> Marked:
    """The copy's lines as template lines with the setting's known facts (apart from
    those of ``own_group``, the imported policy's own) as variables."""
    marker = _Marker(setting, today, own_group)
    marked = Marked([])
    for number, line in enumerate(lines, start=1):
        _policy_dates(line, number, marked)
        text = escape_jinja(line)
        text = marker.staff_in(text, marked, number)
        text = _outside_tags(text, lambda t, n=number: marker.guidance_in(t, marked, n))
        text = _outside_tags(text, lambda t: marker.facts_in(t, marked))
        text = _outside_tags(text, lambda t, n=number: marker.slips_in(t, marked, n))
        marked.proposals.extend(_proposals(text, number))
        marked.lines.append(text)
    return marked
