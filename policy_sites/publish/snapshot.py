"""Publishing: freeze the rendered text of a setting's policies as a ratified, immutable version.

``publish`` runs two real MkDocs builds of the working copy (parents' and staff views),
with the version's ratified and next review dates in the Key details, and keeps each
policy page's Markdown exactly as mkdocs-macros rendered it. It then writes
``settings/<slug>/versions/<label>/`` with those texts and their hashes (see versions.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from policy_sites.context.variables import review_day
from policy_sites.context.views import VIEWS, policy_ids
from policy_sites.project import Project
from policy_sites.render.engine import Reuse, default_cache_folder
from policy_sites.render.mkdocs_build import BuildFailed, build_view
from policy_sites.settings.loader import Problem, field_lines, load_setting, staff_only_values_of
from policy_sites.settings.reachable import unreachable
from policy_sites.settings.redaction import redact
from policy_sites.settings.schema import PolicyDate, placeholders_in
from policy_sites.versions.store import (
    LABEL_PATTERN,
    NOT_RECORDED,
    VIEW_IDS,
    Version,
    VersionError,
    date_differences,
    policy_history,
    read_versions,
    versions_dir,
    write_version,
)

__all__ = ["PublishError", "Rendered", "Vet", "dates_to_update", "publish", "render_policies"]


class PublishError(Exception):
    """The version could not be published; the message says why and what to do."""


def render_policies(
    project: Project,
    slug: str,
    view: str,
    dates: dict[str, tuple[PolicyDate | None, PolicyDate | None]],
    reuse: Reuse | None = None,
    as_of: dt.date | None = None,
    site_dir: Path | None = None,
) -> dict[str, str]:
    """Build one view of the working copy for real; return each policy's rendered Markdown.

    ``as_of`` is the day the text is rendered for (the guidance it cites is the guidance
    in force that day): a version's ratified day, else today. ``site_dir``: where to
    keep the built pages (for a check to read); by default they are thrown away."""
    captured: dict[str, str] = {}
    with contextlib.ExitStack() as stack:
        if site_dir is None:
            temporary = tempfile.TemporaryDirectory(prefix="policy-sites-publish-")
            site_dir = Path(stack.enter_context(temporary))
        try:
            build_view(
                project,
                slug,
                VIEWS[view],
                site_dir,
                reuse,
                preview=True,
                today=as_of,
                capture=captured,
                publishing=dates,
            )
        except BuildFailed as error:
            hidden = redact(
                str(error), staff_only_values_of(project.settings_dir, slug, project.docs_dir)
            )
            raise PublishError(f"the {view} view did not build:\n{hidden}") from None
    return captured


@dataclass(frozen=True)
class Rendered:
    """The working copy of a setting as ``publish`` rendered it for a version, before it
    is frozen: what a check reads to say whether it may be."""

    slug: str
    site: Path
    """Both views, built as a site is (the staff view under ``staff/``)."""
    policies: tuple[str, ...]
    """The policies being published."""
    day: dt.date
    """Today, the day review deadlines are judged against."""


Vet = Callable[[Rendered], Sequence[str]]
"""Reads the rendered working copy and names each error that stops it being published
(the command line passes ``check``'s own; this stage sits below ``check``)."""


def _source_commit(project: Project) -> tuple[str | None, bool]:
    """The commit the sources were published from, and whether they had uncommitted changes."""
    root = project.root

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(root), *args], capture_output=True, text=True, check=True
            )
        except (OSError, subprocess.CalledProcessError):
            return None
        return done.stdout.strip()

    commit = git("rev-parse", "HEAD")
    if not commit:
        return None, False
    parts = [path.relative_to(root).as_posix() for path in project.source_paths]
    # Published versions are outputs, not sources: a new one is not a dirty source.
    status = git(
        "status", "--porcelain", "--untracked-files=all", "--", *parts,
        ":(exclude)settings/*/versions/**",
    )  # fmt: skip
    return commit, bool(status)


def _parse_date(value: str, option: str) -> PolicyDate | None:
    """A date, or None for 'not recorded' (for a past version whose date nobody kept)."""
    if value.strip().lower() == NOT_RECORDED:
        return None
    try:
        return PolicyDate.parse(value)
    except ValueError as error:
        raise PublishError(f"{option} {value!r}: {error}") from None


def dates_to_update(project: Project, slug: str, version: Version) -> list[str]:
    """Each date the settings file gives for a policy of ``version`` that differs from the
    version's, as 'settings/x.yml:LINE: field is A, but version L says B': the file and
    the site would tell two stories, which ``check`` reports as an error until mended."""
    setting = load_setting(
        project.settings_dir, slug, policy_ids(project.docs_dir), project.docs_dir
    )
    lines = field_lines(project.settings_dir / f"{slug}.yml")
    return [
        f"settings/{slug}.yml:{lines.get(differs.field, 1)}: policies.{differs.policy}."
        f"{differs.key} is {differs.written.iso()}, but version {version.label} says "
        f"{differs.shown}"
        for differs in date_differences(setting, [version])
    ]


def publish(
    project: Project,
    slug: str,
    label: str,
    ratified: str,
    next_review: str,
    policies: Iterable[str] = (),
    summary: str | None = None,
    today: dt.date | None = None,
    on_wait: Callable[[str], None] | None = None,
    vet: Vet | None = None,
    summaries: Mapping[str, str] | None = None,
) -> Version:
    """Freeze the rendered text of a setting's policies (all, or those named) as ``label``.

    ``on_wait`` is told if another publish of the same setting is writing and this one
    waits for it. ``vet`` reads the working copy as rendered for the version and names
    the errors that stop it being frozen (``check``'s, from the command line): a version
    never changes, so a fault frozen into it could only be mended by another.
    ``summary`` is for every policy published whose text changed; ``summaries`` gives a
    policy one of its own (the History of a policy whose text did not change says so)."""
    if not LABEL_PATTERN.fullmatch(label):
        raise PublishError(
            f"version label {label!r}: start with a digit and use letters, digits, '.' and '-' "
            "only, for example 2022-23"
        )
    if ratified.strip().lower() != NOT_RECORDED and not PolicyDate.in_date_form(ratified):
        # Not in a date's form at all: name the one form a ratified date takes (the
        # general message offers YYYY-MM too, which is refused just below).
        raise PublishError(
            f"--ratified {ratified!r}: expected the day it was ratified, as YYYY-MM-DD "
            f"(for example 2025-09-15), or '{NOT_RECORDED}'"
        )
    ratified_on = _parse_date(ratified, "--ratified")  # a real date, or its own reason
    if ratified_on is not None and ratified_on.day is None:
        raise PublishError(
            f"--ratified {ratified!r}: give the day it was ratified, as YYYY-MM-DD "
            "(for example 2025-09-15)"
        )
    day = today or review_day()
    if ratified_on is not None and ratified_on.first_day > day:
        # A version is the record of what was agreed: one dated in the future would show
        # as in force before it is, and versions are never deleted, so it could not be undone.
        raise PublishError(
            f"--ratified {ratified}: that is after today ({day.isoformat()}); publish a "
            "version on or after the day it is ratified"
        )
    review_by = _parse_date(next_review, "--next-review")
    if ratified_on and review_by and review_by.first_day < ratified_on.first_day:
        raise PublishError(f"--next-review {review_by} is before --ratified {ratified_on}")
    setting = load_setting(
        project.settings_dir, slug, policy_ids(project.docs_dir), project.docs_dir
    )
    if unfilled := placeholders_in(setting):
        raise PublishError(
            f"settings/{slug}.yml still has {len(unfilled)} placeholder(s) to fill in, "
            f"such as {unfilled[0]!r}; 'policy-sites check' lists them"
        )
    if missing := unreachable(project.settings_dir, slug, setting):
        raise PublishError(
            "the parents' pages would not say how to act on a worry:\n"
            + "\n".join(
                str(replace(problem, file=problem.file.relative_to(project.root)))
                for _, problem in missing
            )
        )
    chosen = sorted(set(policies)) or sorted(setting.policies)
    unknown = [p for p in chosen if p not in setting.policies]
    if unknown:
        raise PublishError(
            f"{slug} does not publish {', '.join(map(repr, unknown))}; "
            f"its policies: {', '.join(sorted(setting.policies))}"
        )
    if stray := sorted(set(summaries or {}) - set(chosen)):
        raise PublishError(
            f"--summary {stray[0]}=…: {stray[0]!r} is not among the policies being published "
            f"({', '.join(chosen)}); give a summary only for a policy you publish"
        )
    existing = read_versions(project.settings_dir, slug)  # refuses tampered versions
    folder = versions_dir(project.settings_dir, slug) / label
    if folder.exists():
        raise VersionError(
            [
                Problem(
                    folder.relative_to(project.root),
                    None,
                    "",
                    f"version {label!r} is already published; published versions never "
                    "change: choose a new label",
                )
            ]
        )
    for policy in chosen:
        history = policy_history(existing, policy)
        last = history[-1] if history else None
        if (
            last
            and last.ratified
            and ratified_on
            and last.ratified.first_day > ratified_on.first_day
        ):
            raise PublishError(
                f"{policy}: version {last.label} was ratified {last.ratified.display()}, "
                f"after {ratified_on.display()}; publish versions in the order they were ratified"
            )
    dates = {policy: (ratified_on, review_by) for policy in chosen}
    # The text the committee ratified cites the guidance in force on the day it did: a
    # version published after the day (a history put online later) is rendered as of it.
    as_of = ratified_on.first_day if ratified_on else day
    reuse = Reuse(default_cache_folder())
    with tempfile.TemporaryDirectory(prefix="policy-sites-publish-") as scratch:
        site = Path(scratch)
        # Parents first, as a site is built: its build empties the folder.
        rendered = {
            view: render_policies(
                project, slug, view, dates, reuse, as_of, site / VIEWS[view].subpath
            )
            for view in VIEW_IDS
        }
        if vet is not None and (errors := vet(Rendered(slug, site, tuple(chosen), day))):
            raise PublishError(
                f"'policy-sites check' reports {len(errors)} error(s) in {slug}, so nothing "
                "was published (warnings do not stop it); mend them, then publish:\n"
                + "\n".join(errors)
            )
    texts = {policy: {view: rendered[view][policy] for view in VIEW_IDS} for policy in chosen}
    commit, dirty = _source_commit(project)
    details = {
        "label": label,
        "ratified": ratified_on.iso() if ratified_on else NOT_RECORDED,
        "next_review": review_by.iso() if review_by else NOT_RECORDED,
        "published": (today or dt.date.today()).isoformat(),
        "summary": summary or None,
        **({"summaries": dict(sorted(summaries.items()))} if summaries else {}),
        "source_commit": commit,
        "source_dirty": dirty,
        "guidance": [g.cited() for g in setting.guidance_in_force(as_of)],
    }
    return write_version(project.settings_dir, slug, details, texts, on_wait)
