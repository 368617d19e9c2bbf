"""One setting's site: both views built into a staging folder, swapped in only on success.

A failing setting keeps its previous site untouched; ``build_settings`` carries on with
the others.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from policy_sites.builder.portal import SettingSummary
from policy_sites.context.views import PARENTS, STAFF
from policy_sites.project import Project
from policy_sites.render.engine import Reuse, SourceError, default_cache_folder
from policy_sites.render.mkdocs_build import BuildFailed, build_view

__all__ = ["BuildResult", "BuildStatus", "build_setting", "build_settings"]


class BuildStatus(StrEnum):
    """What happened to one setting in a build (its value is what reports write)."""

    BUILT = "built"
    SKIPPED = "skipped"
    """Not rebuilt: its inputs were unchanged since its site was last built."""
    FAILED = "failed"


@dataclass
class BuildResult:
    """What happened to one setting."""

    slug: str
    site: Path
    error: str | None = None
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    skipped: bool = False
    """Not rebuilt: its inputs were unchanged since its site was last built."""
    failed_view: str | None = None
    """The label of the view that failed (Parents and visitors, Staff)."""
    source_error: SourceError | None = None
    """The page source and line a failure points at, when a source did not render."""
    summary: SettingSummary | None = None
    """What the portal shows about it (see ``portal.summarise``)."""

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def status(self) -> BuildStatus:
        if self.error:
            return BuildStatus.FAILED
        return BuildStatus.SKIPPED if self.skipped else BuildStatus.BUILT

    @property
    def reason(self) -> str:
        """The failure in one line."""
        lines = [line.strip() for line in (self.error or "").splitlines() if line.strip()]
        if not lines:
            return ""
        reason, rest = lines[0], lines[1:]
        while reason.endswith(":") and rest:  # 'Staff view: invalid settings:' and what
            reason = f"{reason} {rest.pop(0)}"
        return f"{reason} (and {len(rest)} more)" if rest else reason


def build_setting(
    project: Project,
    slug: str,
    out_root: Path,
    reuse: Reuse | None = None,
    shared_assets: bool = False,
    *,
    preview: bool = False,
    today: dt.date | None = None,
) -> BuildResult:
    """Build both views of one setting into ``out_root/slug``, replacing it only on success.

    ``preview`` shows working copies instead of published versions; ``today`` is the day
    review dates are judged against (default: ``review_day()``). Without ``reuse`` the two
    views share one, with the compiled templates kept on disk between runs.
    """
    reuse = reuse if reuse is not None else Reuse(default_cache_folder())
    started = time.perf_counter()
    final = out_root / slug
    result = BuildResult(slug, final)
    out_root.mkdir(parents=True, exist_ok=True)
    staging = out_root / f".{slug}.building"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        for view in (PARENTS, STAFF):  # parents first: its build empties the folder
            site_dir = staging / view.subpath
            result.warnings += build_view(
                project, slug, view, site_dir, reuse, shared_assets, preview=preview, today=today
            )
    except BuildFailed as error:
        shutil.rmtree(staging, ignore_errors=True)
        result.error = str(error)
        result.failed_view, result.source_error = error.view.label, error.source_error
    else:
        _swap_in(staging, final)
    result.seconds = time.perf_counter() - started
    return result


def _swap_in(staging: Path, final: Path) -> None:
    retired = final.with_name(f".{final.name}.old")
    shutil.rmtree(retired, ignore_errors=True)
    if final.exists():
        final.rename(retired)
    staging.rename(final)
    shutil.rmtree(retired, ignore_errors=True)


def build_settings(project: Project, slugs: Iterable[str], out_root: Path) -> list[BuildResult]:
    """Build each setting in turn; one failure does not stop the others."""
    reuse = Reuse(default_cache_folder())
    return [build_setting(project, slug, out_root, reuse) for slug in slugs]
