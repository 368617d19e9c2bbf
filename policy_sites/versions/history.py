"""The Markdown of every page a policy's published history adds to a view of a site.

For each policy with published versions, in ``policies/<policy>/``:

- ``history.md``: every version, its dates and a one-line summary of what changed;
- ``<label>.md``: each version as published, with a banner if it has been superseded;
- ``changes-<old>-to-<new>.md``: a redline of each version against the one before it
  (linked as "What changed") and of each older version against the current one, so
  the pages grow with the number of versions, not with its square (see
  :func:`redline_pairs`).

The current policy page itself is the latest version's frozen text, introduced by a
version line and a "Show changes since" switch (see :func:`current_page`). Every text
here is built from one view's frozen Markdown only, so a parents' page never holds
staff-view text.
"""

from __future__ import annotations

import datetime as dt
import itertools
import posixpath
import re
from dataclasses import dataclass, field

from policy_sites.context.downloads import WEB_ONLY, version_pdf
from policy_sites.context.variables import escape
from policy_sites.settings.schema import PolicyDate
from policy_sites.versions.redline import (
    Comparison,
    Redline,
    compare,
    highlight_new,
    redline,
    summary_line,
)
from policy_sites.versions.store import Version, shown_date

__all__ = [
    "VERSION_LINE_CLASS",
    "PolicyHistory",
    "current_page",
    "draft_page",
    "generated_pages",
    "redline_pairs",
]

_H1 = re.compile(r"^# (.+)$", re.MULTILINE)
_RELATIVE_LINK = re.compile(r"(\]\()(?![a-zA-Z][a-zA-Z0-9+.-]*:|/|#)")


@dataclass(frozen=True)
class PolicyHistory:
    """One policy's published versions (oldest first), as one view shows them."""

    policy: str
    view: str
    versions: tuple[Version, ...]
    # Worked out once per view, then read by every page that needs them.
    _texts: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    _comparisons: dict[tuple[str, str], Comparison] = field(
        default_factory=dict, compare=False, repr=False
    )
    _redlines: dict[tuple[str, str], Redline] = field(
        default_factory=dict, compare=False, repr=False
    )
    downloads: bool = False
    """Whether the build makes each version's PDF, so the pages link to it."""

    @property
    def latest(self) -> Version:
        return self.versions[-1]

    def text(self, version: Version) -> str:
        """The version's frozen text in this view (read from disk once)."""
        if version.label not in self._texts:
            self._texts[version.label] = version.text(self.policy, self.view)
        return self._texts[version.label]

    def previous(self, version: Version) -> Version | None:
        index = self.versions.index(version)
        return self.versions[index - 1] if index else None

    def following(self, version: Version) -> Version | None:
        index = self.versions.index(version)
        return self.versions[index + 1] if index + 1 < len(self.versions) else None

    def title(self) -> str:
        match = _H1.search(self.text(self.latest))
        return match.group(1).strip() if match else self.policy.replace("-", " ").capitalize()

    def comparison(self, old: Version, new: Version) -> Comparison:
        """How two versions line up; worked out once for the summary, redline and highlight."""
        key = (old.label, new.label)
        if key not in self._comparisons:
            self._comparisons[key] = compare(self.text(old), self.text(new))
        return self._comparisons[key]

    def redline(self, old: Version, new: Version) -> Redline:
        """The marked-up changes between two versions; for the summary and the redline page."""
        key = (old.label, new.label)
        if key not in self._redlines:
            self._redlines[key] = redline(self.text(old), self.text(new), self.comparison(old, new))
        return self._redlines[key]

    def unchanged(self, old: Version, new: Version) -> bool:
        """Whether the text is the same in both versions, apart from their own dates (the
        Key details give each version's ratified and next review dates)."""
        return _without_dates(self.text(old), old) == _without_dates(self.text(new), new)

    def summary(self, version: Version) -> str:
        """The publisher's summary of this policy, or one worked out from the redline. A
        version whose text of this policy did not change says so: a summary given for
        every policy published is about the ones that changed."""
        own = version.summaries.get(self.policy)
        if own:
            return escape(own)
        before = self.previous(version)
        if before is not None and self.unchanged(before, version):
            return f"No change to the text since {before.label}."
        if version.summary:
            return escape(version.summary)
        if before is None:
            return "First published version."
        return summary_line(self.redline(before, version))


_DATE = "\x00date\x00"


def _without_dates(text: str, version: Version) -> str:
    """``text`` with the version's own dates, as its Key details show them, replaced."""
    for date in (version.ratified, version.next_review):
        if date is not None:
            text = text.replace(date.display(), _DATE)
    return text


def _changes_name(old: Version, new: Version) -> str:
    """The redline page's file name, inside its policy's folder."""
    return f"changes-{old.label}-to-{new.label}.md"


VERSION_LINE_CLASS = "ps-version"
"""The class of the version line that only a published version's page carries."""


def _version_line(
    version: Version, history_link: str, pdf_link: str | None, today: dt.date | None = None
) -> str:
    """Version, dates and (on the website only) the ways to the History page and the PDF."""
    review = shown_date(version.next_review)
    if today and version.next_review and version.next_review.passed(today):
        review = f"review overdue since {review}"
    else:
        review = f"next review {review}"
    download = (
        f' · <a href="{pdf_link}" type="application/pdf">Download PDF</a>' if pdf_link else ""
    )
    return (
        f"Version {version.label} · ratified {shown_date(version.ratified)} · {review}"
        f'<span class="{WEB_ONLY}"> · [History and changes]({history_link}){download}</span>\n'
        "{ ." + VERSION_LINE_CLASS + " }\n"
    )


def _pdf_link(history: PolicyHistory, version: Version, from_folder: str) -> str | None:
    """The link from a page in ``from_folder`` (under the view's top) to a version's PDF."""
    if not history.downloads:
        return None
    return posixpath.relpath(version_pdf(history.policy, version.label), from_folder)


def _after_title(markdown: str, insert: str) -> str:
    """Insert Markdown just after the page's H1 (or at the top if it has none)."""
    match = _H1.search(markdown)
    if not match:
        return insert + "\n" + markdown
    end = match.end()
    return markdown[:end] + "\n\n" + insert + markdown[end:]


def _overdue(version: Version, view: str) -> str:
    due = shown_date(version.next_review)
    if view == "staff":
        return (
            '!!! danger "Review overdue"\n'
            f"    This policy was due for review by {due}. "
            "Review it, have it ratified and publish the new version.\n"
        )
    return (
        '!!! warning "Review overdue"\n'
        f"    This policy was due for review by {due}. That date has passed, and the "
        "review is late. This version stays in force until a new one is agreed.\n"
    )


def current_page(history: PolicyHistory, today: dt.date) -> str:
    """The current policy page: the latest frozen text, its version line and switches."""
    latest = history.latest
    before = history.previous(latest)
    text = history.text(latest)
    pdf = _pdf_link(history, latest, "policies")
    parts = [_version_line(latest, f"{history.policy}/history.md", pdf, today)]
    if latest.next_review and latest.next_review.passed(today):
        parts.append(_overdue(latest, history.view))
    if before is not None:
        text = highlight_new(history.text(before), text, history.comparison(before, latest))
        parts.append(
            '<p class="ps-changes-switch"><input type="checkbox" id="ps-show-changes"> '
            f'<label for="ps-show-changes">Show changes since {before.label}</label></p>\n'
        )
        parts.append(
            f"[What changed since {before.label}]"
            f"({history.policy}/{_changes_name(before, latest)})"
            "{ .ps-changes-link }\n"
        )
    return _after_title(text, "\n".join(parts))


def draft_page(markdown: str, preview: bool, overdue: bool = False) -> str:
    """A working copy, under a banner saying it is not (or not yet) the ratified text."""
    if preview:
        note = (
            "This is a preview of the working copy. It may differ from the ratified "
            "version, which is what the published site shows."
        )
    else:
        note = (
            "This policy has not been ratified yet. This is the working copy, "
            "and it may change before it is published."
        )
    banner = f'!!! warning "Draft — not yet ratified"\n    {note}\n'
    if overdue:
        banner += (
            '\n!!! danger "Review overdue"\n    The next review date for this policy has passed.\n'
        )
    return _after_title(markdown, banner)


def _on(date: PolicyDate | None) -> str:
    """'on 12 September 2022', or 'in September 2022' for a date to the month."""
    if date is None:
        return "(date not recorded)"
    return f"{'on' if date.day else 'in'} {date.display()}"


def _rebased(markdown: str) -> str:
    """Relative links in a policy's text, as seen from one folder further down."""
    return _RELATIVE_LINK.sub(r"\1../", markdown)


def _version_page(history: PolicyHistory, version: Version) -> str:
    base_folder = f"policies/{history.policy}"
    text = _rebased(history.text(version))
    match = _H1.search(text)
    if match:
        title = match.group(1).strip()
        text = text[: match.start()] + f"# {title} (version {version.label})" + text[match.end() :]
    newer = history.following(version)
    if newer is not None:
        banner = (
            f'!!! warning {WEB_ONLY} "Superseded"\n'
            f"    This version was superseded {_on(newer.ratified)} by version "
            f"{newer.label} — "
            f"[read the current policy](../{history.policy}.md).\n"
        )
    else:
        banner = (
            f'!!! info {WEB_ONLY} "Current version"\n'
            "    This is the current version. "
            f"[Read it on the policy page](../{history.policy}.md).\n"
        )
    cites = f"Guidance cited: {escape(version.cites())}.\n" if version.guidance else ""
    line = _version_line(version, "history.md", _pdf_link(history, version, base_folder))
    return _after_title(text, f"{banner}\n{line}\n{cites}")


def _changes_page(history: PolicyHistory, old: Version, new: Version) -> str:
    result = history.redline(old, new)
    title = history.title()
    lines = [
        f"# What changed: {title}, {old.label} to {new.label}",
        "",
        f"Comparing version [{old.label}]({old.label}.md) (ratified {shown_date(old.ratified)}) "
        f"with version [{new.label}]({new.label}.md) (ratified {shown_date(new.ratified)}). "
        f"Back to the [history of this policy](history.md).",
        "",
        "How to read this page: <ins>added words are underlined</ins> and "
        "<del>removed words are struck through</del>. A screen reader announces where "
        "each addition and removal starts and ends. Printed, each change is also in "
        "brackets, with a wide margin for notes.",
        "{ .ps-redline-legend }",
        "",
        "## Summary of changes",
        "",
    ]
    if old.cites() != new.cites():
        lines += [
            f"- Guidance cited: {escape(old.cites())} → {escape(new.cites())}",
        ]
    changed = result.changed_sections
    if not changed:
        lines.append("- The text of the policy did not change.")
    for section in changed:
        name = f"[{section.title}](#{section.anchor})" if section.anchor else section.title
        lines.append(f"- {name}: {section.describe()}")
    marked = _rebased(result.markdown)
    lines += ["", f"## {title} ({new.label}, with changes marked)", "", marked]
    return "\n".join(lines)


def _history_page(history: PolicyHistory) -> str:
    title = history.title()
    latest = history.latest
    lines = [
        f"# {title}: history",
        "",
        f"The current version is {latest.label}, ratified {shown_date(latest.ratified)}: "
        f"[read the current policy](../{history.policy}.md). Every ratified version "
        "is listed here, newest first, and can still be read.",
        "",
        "| Version | Ratified | Next review | What changed |",
        "| --- | --- | --- | --- |",
    ]
    for version in reversed(history.versions):
        before = history.previous(version)
        what = history.summary(version).replace("|", "\\|")
        if before is not None:
            link = _changes_name(before, version)
            what += f" [What changed since {before.label}]({link})"
        current = " (current)" if version is latest else ""
        lines.append(
            f"| [{version.label}]({version.label}.md){current} | {shown_date(version.ratified)} "
            f"| {shown_date(version.next_review)} | {what} |"
        )
    if len(history.versions) > 2:
        lines += ["", "## Compare with the current version", ""]
        for old in history.versions[:-1]:
            lines.append(f"- [{old.label} with {latest.label}]({_changes_name(old, latest)})")
    return "\n".join(lines) + "\n"


def redline_pairs(versions: tuple[Version, ...]) -> list[tuple[Version, Version]]:
    """The pairs of versions a history shows a redline for: each version with the one
    before it, and each older version with the current one.

    2N - 3 pages for N versions rather than every pair's N(N - 1) / 2: a setting that
    publishes every year for ten years has 17 redlines a policy and view, not 45, and
    its build time grows with its history instead of with the square of it. A reviewer
    compares a version with the one it replaced, or with the policy in force."""
    pairs = list(itertools.pairwise(versions))
    pairs += [(old, versions[-1]) for old in versions[:-2]]
    return pairs


# Left out of Material's search and of search engines (overrides/main.html reads
# ``noindex``): a search lands on the current policy, not on a superseded copy or a
# redline of the same words.
_NOT_SEARCHED = "---\nsearch:\n  exclude: true\nnoindex: true\n---\n\n"


def generated_pages(history: PolicyHistory) -> dict[str, str]:
    """Every page a policy's history adds to a view: docs-relative path -> Markdown.

    The History page is searchable; each version's own page and each redline are not,
    by the site's search or by search engines.
    """
    base = f"policies/{history.policy}"
    pages = {f"{base}/history.md": _history_page(history)}
    for version in history.versions:
        pages[f"{base}/{version.label}.md"] = _NOT_SEARCHED + _version_page(history, version)
    for old, new in redline_pairs(history.versions):
        pages[f"{base}/{_changes_name(old, new)}"] = _NOT_SEARCHED + _changes_page(
            history, old, new
        )
    return pages
