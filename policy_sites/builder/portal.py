"""The federation's portal page and status table: every setting, every policy, what is due.

A setting's *summary* (name, view links, each policy's current version and dates) is
made once when its site is built and kept in the build state, so the portal can be
written without reading every setting again. Rows and the overdue flag are worked out
against a given day, so the same summaries give the same page on the same day.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from enum import Enum
from pathlib import Path
from typing import Any

from policy_sites.context.leak_check import LeakCheck, plain_text
from policy_sites.context.phrases import counted
from policy_sites.context.variables import public_values, staff_only_fields
from policy_sites.context.views import STAFF, policy_ids, policy_titles
from policy_sites.project import Project, write_atomic
from policy_sites.settings.facts import draft_ids
from policy_sites.settings.loader import load_setting
from policy_sites.settings.schema import PolicyDate, Setting
from policy_sites.versions.store import VersionError, read_versions

__all__ = [
    "PORTAL_FILE",
    "PolicyState",
    "PolicySummary",
    "PortalLeak",
    "Row",
    "SettingSummary",
    "fresh_until",
    "portal_leaks",
    "render_csv",
    "render_json",
    "render_portal",
    "rows",
    "summarise",
    "table_counts",
    "write_portal",
]

PORTAL_FILE = "index.html"


def _published(project: Project, slug: str) -> dict[str, Any]:
    """Policy id -> its latest published version; VersionError if they cannot be trusted
    (lost while the settings file records ratified dates, or tampered with), which the
    build refuses too: showing them as 'Not published' would hide the loss."""
    try:
        versions = read_versions(project.settings_dir, slug)
    except VersionError:
        raise
    except Exception:  # anything else the build itself reports, with the reason
        return {}
    latest = {}
    for version in versions:  # oldest first, so each policy ends on its latest
        for pid in version.policies:
            latest[pid] = version
    return latest


class PortalLeak(ValueError):
    """A setting's row on the public portal would show one of its staff-only texts."""


@dataclass(frozen=True)
class PolicySummary:
    """One policy of a setting: its current version and dates (ISO: YYYY-MM-DD or YYYY-MM)."""

    id: str
    title: str
    version: str | None = None
    ratified: str | None = None
    next_review: str | None = None


@dataclass(frozen=True)
class SettingSummary:
    """What the portal shows about one setting, made when its site is built. The build
    state and ``--report`` keep it as JSON (``to_json``, ``from_json``)."""

    slug: str
    name: str | None = None
    parents: str = ""
    """The parents' view's home page, relative to the output root."""
    staff: str = ""
    policies: tuple[PolicySummary, ...] = ()
    error: str | None = None
    """Why the setting is not (or not fully) shown: its build failed, or it is invalid."""

    def failed(self, reason: str | None) -> SettingSummary:
        """This summary, marked as not built (its last good facts kept beside the reason)."""
        return replace(self, error=reason or "failed")

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["policies"] = [asdict(policy) for policy in self.policies]
        return {key: value for key, value in data.items() if value not in (None, "", [])}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SettingSummary:
        policies = tuple(
            PolicySummary(**{k: p.get(k) for k in PolicySummary.__dataclass_fields__})
            for p in data.get("policies") or ()
        )
        return cls(
            slug=str(data["slug"]),
            name=data.get("name"),
            parents=data.get("parents") or "",
            staff=data.get("staff") or "",
            policies=policies,
            error=data.get("error"),
        )


def summarise(project: Project, slug: str, public: bool = False) -> SettingSummary:
    """What the portal shows about one setting (raises SettingsError if it is invalid,
    VersionError if its published versions were lost or tampered with).

    ``public``: for the public portal, so checked to show nothing staff-only in its rows
    (raises PortalLeak, naming the fields); ``status`` prints to its user's terminal.
    """
    setting = load_setting(
        project.settings_dir, slug, policy_ids(project.docs_dir), project.docs_dir
    )
    published = _published(project, slug)
    titles = policy_titles(project.docs_dir)
    drafts = draft_ids(project.docs_dir)  # on no site: not listed either
    policies = []
    for pid, dates in sorted(setting.policies.items()):
        if pid in drafts:
            continue
        version = published.get(pid)
        ratified = version.ratified if version else None  # nothing published: not ratified
        next_review = version.next_review if version else dates.next_review
        policies.append(
            PolicySummary(
                id=pid,
                title=titles.get(pid, pid),
                version=version.label if version else None,
                ratified=ratified.iso() if ratified else None,
                next_review=next_review.iso() if next_review else None,
            )
        )
    summary = SettingSummary(
        slug=slug,
        name=setting.name,
        parents=f"{slug}/index.html",
        # Left out where the federation keeps staff views' addresses off public pages.
        staff=f"{slug}/{STAFF.subpath}index.html" if setting.publishing.staff_links else "",
        policies=tuple(policies),
    )
    if public and (fields := portal_leaks(setting, summary)):
        raise PortalLeak(f"the portal's row would show the staff-only text of {', '.join(fields)}")
    return summary


def portal_leaks(setting: Setting, summary: SettingSummary) -> list[str]:
    """The staff-only fields whose text the setting's rows on the portal would show.

    What the rows show by design is public: the setting's public values, its policies'
    titles, version labels and dates; the check guards against anything else getting in.
    """
    shown_by_design = [
        *public_values(setting),
        *_FIXED_WORDS,
    ]
    setting_rows = rows([summary], dt.date.today())
    for row in setting_rows:
        shown_by_design += [
            row.title,
            row.version,
            _display(row.ratified),
            _display(row.next_review),
        ]
    check = LeakCheck(staff_only_fields(setting), public_values=shown_by_design)
    cells = [cell for row in setting_rows for _, cell in _cells(row)]
    return check.fields_in(plain_text(" ".join(cells)))


def _last_day(iso: str | None) -> dt.date | None:
    return PolicyDate.parse(iso).last_day if iso else None


def fresh_until(summary: SettingSummary, today: dt.date) -> str | None:
    """The last day a site built ``today`` shows the right overdue flags (None: for ever)."""
    days = [_last_day(p.next_review) for p in summary.policies]
    coming = [day for day in days if day and day >= today]
    return min(coming).isoformat() if coming else None


class PolicyState(Enum):
    """What the portal's and ``status``'s Status column says about one policy: one wording
    for both, in order of what matters most (a site not built hides everything else)."""

    NOT_BUILT = "Not built"
    NOT_PUBLISHED = "Not published"
    """No version published: nothing is ratified or in force, whatever the working copy says."""
    OVERDUE = "Review overdue"
    UP_TO_DATE = "Review up to date"
    """Published, and its next review not yet due (a fact about the policy, not the site)."""
    NONE = ""
    """A setting's row without a policy, or a policy with no review date."""

    @property
    def order(self) -> int:
        return list(PolicyState).index(self)


@dataclass(frozen=True)
class Row:
    """One policy of one setting, as the portal and ``status`` show it."""

    setting: str
    slug: str
    policy: str
    title: str
    version: str
    ratified: str
    next_review: str
    overdue: bool
    parents: str
    staff: str
    error: str = ""

    @property
    def state(self) -> PolicyState:
        if self.error:
            return PolicyState.NOT_BUILT
        if self.policy and not self.version:
            return PolicyState.NOT_PUBLISHED
        if self.overdue:
            return PolicyState.OVERDUE
        return PolicyState.UP_TO_DATE if self.next_review else PolicyState.NONE

    def as_dict(self) -> dict[str, Any]:
        """The row for tools (CSV, JSON), its Status in the words people see."""
        return {**asdict(self), "state": self.state.value}


def rows(summaries: Iterable[SettingSummary], today: dt.date) -> list[Row]:
    """One row per setting and policy (one for a setting with none), sorted by setting."""
    found: list[Row] = []
    for summary in sorted(summaries, key=lambda s: s.slug):
        for policy in summary.policies or (PolicySummary("", ""),):
            review = policy.next_review
            found.append(
                Row(
                    setting=summary.name or summary.slug,
                    slug=summary.slug,
                    policy=policy.id,
                    title=policy.title,
                    version=policy.version or "",
                    ratified=policy.ratified or "",
                    next_review=review or "",
                    # A published version's review: a policy never published is "Not
                    # published", in the Status column, the count and the CSV alike.
                    overdue=bool(
                        policy.version and review and PolicyDate.parse(review).passed(today)
                    ),
                    parents=summary.parents,
                    staff=summary.staff,
                    error=summary.error or "",
                )
            )
    return found


def table_counts(table: list[Row]) -> str:
    """'2 settings, 4 policies, 1 overdue': the table's size, as the portal and ``status``
    both say it."""
    settings = counted(len({row.slug for row in table}), "setting")
    overdue = sum(row.overdue for row in table)
    return f"{settings}, {counted(len(table), 'policy', 'policies')}, {overdue} overdue"


def render_csv(table: Iterable[Row]) -> str:
    out = io.StringIO()
    fields = [*Row.__dataclass_fields__, "state"]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in table:
        writer.writerow(row.as_dict())
    return out.getvalue()


def render_json(table: Iterable[Row], today: dt.date) -> str:
    body = {"today": today.isoformat(), "rows": [row.as_dict() for row in table]}
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem;color:#1a1a1a}
h1{font-size:1.6rem}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #ccc;vertical-align:top}
th button{font:inherit;font-weight:bold;background:none;border:0;padding:0;cursor:pointer;
text-decoration:underline}
th[aria-sort=ascending] button::after{content:" \\2191"}
th[aria-sort=descending] button::after{content:" \\2193"}
.overdue{color:#a00000;font-weight:bold}.failed{color:#a00000}
label{display:block;margin:1rem 0 .3rem}input{font:inherit;padding:.3rem;width:20rem;max-width:100%}
a{color:#00574b}
.table-scroll{overflow-x:auto}
@media (max-width:40em){body{margin:1rem}}
"""

_SCRIPT = """
const table = document.getElementById("settings");
const body = table.tBodies[0];
document.getElementById("filter").addEventListener("input", (event) => {
  const words = event.target.value.toLowerCase().split(/\\s+/).filter(Boolean);
  let shown = 0;
  for (const row of body.rows) {
    const text = row.textContent.toLowerCase();
    row.hidden = !words.every((word) => text.includes(word));
    if (!row.hidden) shown++;
  }
  document.getElementById("count").textContent = shown + " of " + body.rows.length + " rows";
});
table.querySelectorAll("th button").forEach((button, column) => {
  button.addEventListener("click", () => {
    const th = button.parentElement;
    const order = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    table.querySelectorAll("th").forEach((other) => other.removeAttribute("aria-sort"));
    th.setAttribute("aria-sort", order);
    const key = (row) => row.cells[column].dataset.sort ?? row.cells[column].textContent;
    const sorted = [...body.rows].sort((a, b) => key(a).localeCompare(key(b)));
    if (order === "descending") sorted.reverse();
    body.append(...sorted);
  });
});
"""

_COLUMNS = ("Setting", "Views", "Policy", "Version", "Ratified", "Next review", "Status")


def _display(iso: str) -> str:
    return PolicyDate.parse(iso).display() if iso else ""


_FIXED_WORDS = ("Parents and visitors", "Staff", *(s.value for s in PolicyState if s.value))


_STATE_CLASS = {PolicyState.NOT_BUILT: "failed", PolicyState.OVERDUE: "overdue"}


def _cells(row: Row) -> list[tuple[str, str]]:
    """(sort key, HTML) for each column of one row."""
    e = html.escape
    views = f'<a href="{e(row.parents)}">Parents and visitors</a>' if row.parents else ""
    if row.parents and row.staff:
        views += f' · <a href="{e(row.staff)}">Staff</a>'
    # Why a site is not built is for the terminal and --report: it may quote a staff-only text.
    state = row.state
    css = _STATE_CLASS.get(state)
    label = f'<span class="{css}">{e(state.value)}</span>' if css else e(state.value)
    status = (str(state.order), label)
    return [
        (row.setting.lower(), e(row.setting)),
        (row.slug, views),
        (row.title.lower(), e(row.title)),
        (row.version, e(row.version)),
        (row.ratified, e(_display(row.ratified))),
        (row.next_review, e(_display(row.next_review))),
        status,
    ]


def render_portal(table: list[Row], today: dt.date, title: str = "Policies") -> str:
    """The portal page: a searchable, sortable table of every setting and policy."""
    e = html.escape
    head = "".join(f'<th scope="col"><button type="button">{c}</button></th>' for c in _COLUMNS)
    lines = []
    for row in table:
        cells = "".join(f'<td data-sort="{e(key)}">{cell}</td>' for key, cell in _cells(row))
        lines.append(f"<tr>{cells}</tr>")
    return f"""<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title>
<link rel="icon" href="data:,">
<style>{_STYLE}</style>
</head>
<body>
<main>
<h1>{e(title)}</h1>
<p>{table_counts(table)} for review on
{e(today.strftime("%-d %B %Y"))}.</p>
<label for="filter">Search settings and policies</label>
<input id="filter" type="search" autocomplete="off">
<p id="count" aria-live="polite">{len(table)} of {len(table)} rows</p>
<div class="table-scroll" role="region" aria-label="Settings and policies" tabindex="0">
<table id="settings">
<thead><tr>{head}</tr></thead>
<tbody>
{chr(10).join(lines)}
</tbody>
</table>
</div>
</main>
<script>{_SCRIPT}</script>
</body>
</html>
"""


def write_portal(
    out_root: Path, summaries: Iterable[SettingSummary], today: dt.date, title: str
) -> Path:
    """Write ``out_root/index.html`` (only if its text changed); return its path."""
    path = out_root / PORTAL_FILE
    text = render_portal(rows(summaries, today), today, title)
    if not (path.is_file() and path.read_text(encoding="utf-8") == text):
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text)
    return path
