"""``policy-sites check``: validate settings and published versions, find drift, render.

The result is a list of findings; the command line turns it into text or JSON and an
exit code (0 clean, 1 errors, 2 warnings under ``--strict``).
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from policy_sites.builder.site import BuildResult, build_setting
from policy_sites.check.drift import find_drift, published_dates_drift
from policy_sites.check.findings import ERROR, WARNING, Finding, shown
from policy_sites.check.locate import Place, Sources, where_written
from policy_sites.check.prose import ProseProblem, Rule, lint_site
from policy_sites.context.views import policy_ids
from policy_sites.project import Project
from policy_sites.publish.snapshot import Rendered
from policy_sites.render.engine import Reuse, default_cache_folder
from policy_sites.settings.loader import (
    Problem,
    SettingsError,
    WrittenText,
    load_setting,
    setting_model,
    setting_slugs,
    staff_only_values_of,
    written_texts,
)
from policy_sites.settings.names import slug_problem
from policy_sites.settings.redaction import Redactor
from policy_sites.settings.schema import (
    PLACEHOLDER,
    Setting,
    free_text_fields,
    is_placeholder,
)
from policy_sites.versions.store import Version, VersionError, read_versions

__all__ = ["CheckReport", "publish_errors", "run_check"]

"""The date review deadlines are judged against (YYYY-MM-DD), as the MkDocs plugin reads it."""


@dataclass
class CheckReport:
    """Everything ``check`` found, and how much it looked at."""

    settings: int
    policies: int
    rendered: bool
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    def exit_code(self, strict: bool) -> int:
        if self.errors:
            return 1
        return 2 if strict and self.warnings else 0

    def as_dict(self) -> dict[str, object]:
        return {
            "settings": self.settings,
            "policies": self.policies,
            "rendered": self.rendered,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "findings": [f.as_dict() for f in self.findings],
        }


_FIXES = {
    "unknown key": "correct the key's spelling, or remove it",
    "is required but missing": "add this key (see the comments in the example settings files)",
    "written twice": "delete one of the two copies",
    "no shared policy": "use the name of a file in docs/policies/, without .md",
    "is not valid YAML": "correct the YAML on that line or the line above it, as described; "
    "compare its indentation with the lines around it",
    "needs a": "add what it needs, as described",
}


def _settings_finding(project: Project, problem: Problem, message: str) -> Finding:
    fix = next((f for key, f in _FIXES.items() if key in message), "change the value as described")
    return Finding(shown(project, problem.file), problem.line or 1, ERROR, message, fix)


def _load(
    project: Project, slug: str, known: list[str]
) -> tuple[Setting | None, list[Version], list[Finding]]:
    """A setting and its published versions, or the findings that say what is wrong."""
    findings = []
    setting = None
    versions: list[Version] = []
    try:
        setting = load_setting(project.settings_dir, slug, known, project.docs_dir)
    except SettingsError as error:
        for p in error.problems:
            text = f"{p.field}: {p.message}" if p.field else p.message
            findings.append(_settings_finding(project, p, text))
    if slug_problem(slug):  # the file's name, reported above; no versions folder to read
        return None, [], findings
    try:
        versions = read_versions(project.settings_dir, slug)
    except VersionError as error:
        for p in error.problems:
            file = p.file if p.file.is_absolute() else project.root / p.file
            text = f"{p.field}: {p.message}" if p.field else p.message
            findings.append(
                Finding(
                    shown(project, file),
                    p.line or 1,
                    ERROR,
                    text,
                    "published versions never change: restore the folder from git "
                    "(git checkout -- settings/) and publish a new version instead",
                )
            )
    return (None if findings else setting), versions, findings


def _render_findings(project: Project, result: BuildResult) -> list[Finding]:
    slug, error, where = result.slug, str(result.error), result.source_error
    found = []
    if where is not None:
        view = result.failed_view or "a"
        found.append(
            Finding(
                where.file,
                where.line or 1,
                ERROR,
                f"{slug} ({view} view) does not render: {where.problem} ({where.kind})",
                "correct the variable or Jinja here; 'policy-sites serve "
                f"{slug}' shows the page as you edit",
            )
        )
    else:
        settings_file = shown(project, project.settings_dir / f"{slug}.yml")
        text = " ".join(error.split())
        found.append(
            Finding(
                settings_file,
                1,
                ERROR,
                f"{slug} does not render: {text}",
                f"run 'policy-sites build {slug}' to see the whole error",
            )
        )
    return found


_CERTAIN = frozenset(
    {Rule.EDITOR_TEXT, Rule.EMPTY_VALUE, Rule.EMPTY_BULLET, Rule.DRAFT_AND_RATIFIED}
)
"""Prose rules that cannot be a matter of style: errors. The others are warnings."""


PARTIALS_DIR = "_partials"
"""Where the sources' partials live under docs/ (mkdocs.yml's macros ``include_dir``)."""


def _page_source(project: Project, page: str) -> Path:
    """The source a rendered page comes from, as near as can be named."""
    candidate = project.docs_dir / page.removeprefix("staff/").replace(".html", ".md")
    return candidate if candidate.is_file() else project.docs_dir / PARTIALS_DIR


def prose_findings(
    project: Project, slug: str, site: Path, placeholders_reported: bool = False
) -> list[Finding]:
    """The prose check on every page built from the current sources of one setting's
    two views (a published version's frozen pages cannot change, so they are not read),
    each finding at the setting's value or the source line its words came from.
    ``placeholders_reported``: leave out what each placeholder does to a page (its words,
    its colon), already reported in the settings file where it is to be filled in."""
    findings = []
    values: list[WrittenText] | None = None  # read at the first problem: most pages have none
    unfilled: set[str] = set()
    sources = Sources(project.docs_dir, project.docs_dir / PARTIALS_DIR)
    # published=False: a published version's pages (its current page too) are frozen text
    for page, problems in lint_site(site, published=False).items():
        view = "staff" if page.startswith("staff/") else "parents'"
        for problem in problems:
            if placeholders_reported and problem.detail == PLACEHOLDER:
                continue
            if values is None:
                values = written_texts(project.settings_dir, slug)
                unfilled = {value.field for value in values if is_placeholder(value.text)}
            place = where_written(problem, values, _page_source(project, page), sources)
            if placeholders_reported and {place.field, *(v.field for v in place.values)} & unfilled:
                continue
            findings.append(_prose_finding(project, f"{slug} ({view} view) {page}", problem, place))
    return findings


def _prose_finding(project: Project, where: str, problem: ProseProblem, place: Place) -> Finding:
    severity = ERROR if problem.rule in _CERTAIN else WARNING
    file = shown(project, place.file)
    if place.field:
        return Finding(
            file,
            place.line,
            severity,
            f"{place.field}: {where}: {problem}",
            f"reword {place.field} so the sentence reads right with it (the schema's "
            "description of the field shows the sentence it completes)",
        )
    beside = "; ".join(f"{v.field} ({shown(project, v.file)}:{v.line})" for v in place.values)
    return Finding(
        file,
        place.line,
        severity,
        f"{where}: {problem}" + (f"; next to the value of {beside}" if beside else ""),
        "reword the source (a variable may need a condition, or a phrase from "
        "context/phrases.py), or correct the setting's value so the sentence reads right",
    )


_OPTIONAL_BLOCKS = {
    "concerns_about_leaders": "; or, where the owner or proprietor runs the setting "
    "(ratifying_body: owner or proprietor), delete the concerns_about_leaders block: the "
    "pages then send a worry about the Manager or a DSL to the LADO",
}
"""What else an editor may do with a placeholder in a block the setting may leave out."""


def _own_texts(project: Project, slug: str) -> list[WrittenText]:
    """The text values written in the setting's own file (not the shared defaults), with
    their lines; none if the file cannot be read (validation reports why)."""
    file = project.settings_dir / f"{slug}.yml"
    try:
        return [v for v in written_texts(project.settings_dir, slug) if v.file == file]
    except SettingsError:
        return []


def placeholder_findings(project: Project, values: list[WrittenText]) -> list[Finding]:
    """Every value 'policy-sites new' left for the editor to fill in (errors until done),
    among a setting's own ``values``."""
    return [
        Finding(
            shown(project, value.file),
            value.line,
            ERROR,
            f"{value.field}: still a placeholder: {value.text!r}",
            "replace it with the setting's own words (the comment above says "
            "which sentence it completes)" + _OPTIONAL_BLOCKS.get(value.field.split(".")[0], ""),
        )
        for value in values
        if is_placeholder(value.text)
    ]


LONG_PHRASE_WORDS = 30
"""A free-text value longer than this makes the sentence it completes hard to read,
most of all on a phone: the sentence around it adds a dozen words more."""

_INDEX = re.compile(r"\[\d+\]")


def long_phrase_findings(project: Project, values: list[WrittenText]) -> list[Finding]:
    """Warnings for a setting's own free-text ``values`` too long for the sentence each
    completes."""
    try:  # the sentences the policies' declared facts complete, too
        frames = free_text_fields(setting_model(project.docs_dir))
    except SettingsError:  # a bad declaration: reported where the setting is loaded
        frames = free_text_fields()
    findings = []
    for value in values:
        frame = frames.get(_INDEX.sub("", value.field))
        words = len(value.text.split())
        if frame is None or words <= LONG_PHRASE_WORDS:
            continue
        findings.append(
            Finding(
                shown(project, value.file),
                value.line,
                WARNING,
                f"{value.field}: {words} words, inside the sentence {frame.sentence!r}",
                f"say it in {LONG_PHRASE_WORDS} words or fewer, like {frame.example!r}: the "
                "policy's own sentences carry the rest",
            )
        )
    return findings


def run_check(
    project: Project, today: dt.date, render: bool = True, slugs: Sequence[str] | None = None
) -> CheckReport:
    """Check every setting, or those ``slugs`` names (settings files that exist): settings,
    published versions, drift and (optionally) rendering. The shared sources are checked
    either way, since every setting's site is made from them."""
    known = policy_ids(project.docs_dir)
    only = list(dict.fromkeys(slugs)) if slugs is not None else None
    slugs = only if only is not None else setting_slugs(project.settings_dir)
    report = CheckReport(len(slugs), len(known), rendered=False)
    valid: dict[str, Setting] = {}
    published: dict[str, list[Version]] = {}
    unfilled = set()
    for slug in slugs:
        setting, versions, findings = _load(project, slug, known)
        own = _own_texts(project, slug)  # read once for both
        placeholders = placeholder_findings(project, own)
        report.findings += findings + placeholders + long_phrase_findings(project, own)
        if placeholders:
            unfilled.add(slug)
        if setting is not None:
            valid[slug], published[slug] = setting, versions
    report.findings += find_drift(project, valid, today, published, only)
    if render:
        reuse = Reuse(default_cache_folder())  # the site's and its working copy's builds
        with tempfile.TemporaryDirectory(prefix="policy-sites-check-") as scratch:
            for slug in valid:
                result = build_setting(project, slug, Path(scratch), reuse)
                if not result.ok:
                    report.findings += _render_findings(project, result)
                    continue
                report.findings += prose_findings(
                    project, result.slug, Path(scratch) / result.slug, result.slug in unfilled
                )
                if published[result.slug]:
                    report.findings += _working_copy_findings(
                        project, slug, Path(scratch) / "working-copy", today, unfilled, reuse
                    )
        report.rendered = True
    report.findings = redacted(project, slugs, report.findings)
    # A page the working copy and the site share is read twice: say each thing once.
    report.findings = sorted(
        set(report.findings),
        key=lambda f: (f.severity != ERROR, f.file, f.line, f.message, f.fix),
    )
    return report


def _working_copy_findings(
    project: Project,
    slug: str,
    out_root: Path,
    today: dt.date,
    unfilled: set[str],
    reuse: Reuse,
) -> list[Finding]:
    """The prose check on the working copy of a setting whose site shows published
    versions: the site's policy pages are frozen text, so without this a fault in the
    sources or the settings would go unreported until the next publish froze it."""
    result = build_setting(project, slug, out_root, reuse, preview=True, today=today)
    if not result.ok:
        return _render_findings(project, result)
    return prose_findings(project, slug, result.site, slug in unfilled)


def publish_errors(project: Project, rendered: Rendered) -> list[Finding]:
    """What ``check`` calls an error in a setting about to be published, reading its
    policies as ``publish`` rendered them for the version. A date in the settings file
    that differs from the latest version's is no bar for a policy being published: the
    new version is what ends the difference."""
    report = run_check(project, rendered.day, render=False, slugs=[rendered.slug])
    setting = load_setting(project.settings_dir, rendered.slug, policy_ids(project.docs_dir))
    publishing = setting.model_copy(
        update={"policies": {p: setting.policies[p] for p in rendered.policies}}
    )
    versions = read_versions(project.settings_dir, rendered.slug)
    ended = set(
        published_dates_drift(project, {rendered.slug: publishing}, {rendered.slug: versions})
    )
    found = [f for f in report.errors if f not in ended]
    # publish refuses placeholders before it renders, so none is left to report twice
    found += prose_findings(project, rendered.slug, rendered.site)
    errors = sorted({f for f in found if f.severity == ERROR})
    return redacted(project, [rendered.slug], errors)


def redacted(project: Project, slugs: Sequence[str], findings: list[Finding]) -> list[Finding]:
    """``findings`` with every staff-only text of the settings checked hidden: a prose
    warning about a staff page, a Jinja error or a value the loader quotes goes to CI logs,
    and a finding about one setting may quote another's page."""
    hide = Redactor(
        text
        for slug in slugs
        if not slug_problem(slug)
        for text in staff_only_values_of(project.settings_dir, slug, project.docs_dir)
    )
    return [replace(f, message=hide(f.message), fix=hide(f.fix)) for f in findings]
