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

from policy_sites.builder.output import restore_interrupted_swap
from policy_sites.builder.pdf import PdfCache, PdfFailed, PdfReport, make_pdfs
from policy_sites.builder.portal import SettingSummary
from policy_sites.context.views import PARENTS, STAFF
from policy_sites.project import Project
from policy_sites.render.engine import Reuse, SourceError, default_cache_folder
from policy_sites.render.mkdocs_build import BuildFailed, build_view
from policy_sites.settings.loader import staff_only_values_of
from policy_sites.settings.names import display_name, slug_problem
from policy_sites.settings.redaction import Redactor

__all__ = ["BuildResult", "BuildStatus", "build_setting", "build_settings", "write_failure"]


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
    pdfs: PdfReport | None = None
    """How many PDFs were made and how many copied from the cache (None: no PDFs)."""

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
    pdfs: PdfCache | None = None,
    *,
    preview: bool = False,
    drafts: bool = False,
    today: dt.date | None = None,
) -> BuildResult:
    """Build both views of one setting into ``out_root/slug``, replacing it only on success.

    With ``pdfs``, the pages link to each published version's PDF and the staff induction
    pack, which are made (or copied from that cache) before the site is swapped in.
    ``preview`` shows working copies instead of published versions; ``drafts`` includes
    the policies whose source says ``draft: true``; ``today`` is the day
    review dates are judged against (default: ``review_day()``). Without ``reuse`` the two
    views share one, with the compiled templates kept on disk between runs.
    """
    reuse = reuse if reuse is not None else Reuse(default_cache_folder())
    started = time.perf_counter()
    bad_name = slug_problem(slug)
    if bad_name:  # checked before any path is made from it; shown escaped, never raw
        return BuildResult(display_name(slug), out_root, error=f"settings file's name: {bad_name}")
    result = BuildResult(slug, out_root / slug)
    final = out_root / slug
    staging = out_root / f".{slug}.building"
    try:
        out_root.mkdir(parents=True, exist_ok=True)
        restore_interrupted_swap(final)  # before anything can fail: the site to keep
        shutil.rmtree(staging, ignore_errors=True)
        for view in (PARENTS, STAFF):  # parents first: its build empties the folder
            site_dir = staging / view.subpath
            result.warnings += build_view(
                project,
                slug,
                view,
                site_dir,
                reuse,
                shared_assets,
                preview=preview,
                drafts=drafts,
                today=today,
                pdf=pdfs is not None,
            )
        if pdfs is not None:
            result.pdfs = make_pdfs(project, slug, staging, pdfs)
        _swap_in(staging, final)
    except (BuildFailed, PdfFailed) as error:
        result.error = str(error)
        if isinstance(error, BuildFailed):
            result.failed_view, result.source_error = error.view.label, error.source_error
    except OSError as error:  # disk full, read-only output: the previous site stays
        result.error = write_failure(error, out_root)
    except RecursionError:  # a last guard: the loader bounds nesting long before this
        result.error = "too deeply nested to build (RecursionError)"
    if result.error:
        shutil.rmtree(staging, ignore_errors=True)
    if result.error or result.warnings:
        # They go to the terminal and --report: never with a staff-only text in them.
        hide = Redactor(staff_only_values_of(project.settings_dir, slug, project.docs_dir))
        result.error = hide(result.error) if result.error else None
        result.warnings = [hide(warning) for warning in result.warnings]
        if result.source_error is not None:
            where = result.source_error
            result.source_error = SourceError(
                where.file, where.line, hide(where.problem), where.kind
            )
    result.seconds = time.perf_counter() - started
    return result


def write_failure(error: OSError, out_root: Path | None = None) -> str:
    """An OSError as one line: where it could not write, and why (the file, if in the output)."""
    named = [str(name) for name in (error.filename2, error.filename) if name]
    inside = [name for name in named if out_root is None or name.startswith(str(out_root))]
    where = inside[0] if inside else out_root
    return f"could not write {where}: {error.strerror or error}" if where else str(error)


def _swap_in(staging: Path, final: Path) -> None:
    retired = final.with_name(f".{final.name}.old")
    shutil.rmtree(retired, ignore_errors=True)
    if final.is_symlink():  # never follow a link out of the output folder
        final.unlink()
    elif final.exists():
        final.rename(retired)
    staging.rename(final)
    shutil.rmtree(retired, ignore_errors=True)


def build_settings(
    project: Project, slugs: Iterable[str], out_root: Path, pdfs: PdfCache | None = None
) -> list[BuildResult]:
    """Build each setting in turn; one failure does not stop the others."""
    reuse = Reuse(default_cache_folder())
    return [build_setting(project, slug, out_root, reuse, pdfs=pdfs) for slug in slugs]
