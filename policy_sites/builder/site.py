"""One setting's site: both views built into a staging folder, swapped in only on success.

A failing setting keeps its previous site untouched; ``build_settings`` carries on with
the others.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from policy_sites.builder.pdf import PdfCache, PdfFailed, PdfReport, make_pdfs
from policy_sites.context.downloads import PDF_VARIABLE
from policy_sites.context.leak_check import redact, staff_only_texts_of
from policy_sites.context.views import PARENTS, STAFF
from policy_sites.project import Project
from policy_sites.render.mkdocs_build import BuildFailed, build_view
from policy_sites.render.reuse import Reuse
from policy_sites.settings.names import display_name, slug_problem

__all__ = ["BuildResult", "build_setting", "build_settings", "write_failure"]


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
    summary: dict | None = None
    """What the portal shows about it (see ``portal.summarise``)."""
    pdfs: PdfReport | None = None
    """How many PDFs were made and how many copied from the cache (None: no PDFs)."""

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def status(self) -> str:
        return "failed" if self.error else "skipped" if self.skipped else "built"

    @property
    def reason(self) -> str:
        """The failure in one line."""
        lines = [line.strip() for line in (self.error or "").splitlines() if line.strip()]
        lines = [line for line in lines if not line.startswith("Aborted with")]
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
) -> BuildResult:
    """Build both views of one setting into ``out_root/slug``, replacing it only on success.

    With ``pdfs``, the pages link to each published version's PDF and the staff induction
    pack, which are made (or copied from that cache) before the site is swapped in.
    """
    started = time.perf_counter()
    bad_name = slug_problem(slug)
    if bad_name:  # checked before any path is made from it; shown escaped, never raw
        return BuildResult(display_name(slug), out_root, error=f"settings file's name: {bad_name}")
    result = BuildResult(slug, out_root / slug)
    final = out_root / slug
    staging = out_root / f".{slug}.building"
    environment = {PDF_VARIABLE: "true"} if pdfs is not None else None
    try:
        out_root.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
        for view in (PARENTS, STAFF):  # parents first: its build empties the folder
            site_dir = staging / view.subpath
            result.warnings += build_view(
                project, slug, view, site_dir, reuse, shared_assets, environment=environment
            )
        if pdfs is not None:
            result.pdfs = make_pdfs(project, slug, staging, pdfs)
        _swap_in(staging, final)
    except (BuildFailed, PdfFailed) as error:
        # The reason goes to the terminal and --report: never with a staff-only text in it.
        result.error = redact(str(error), staff_only_texts_of(project.settings_dir, slug))
    except OSError as error:  # disk full, read-only output: the previous site stays
        result.error = write_failure(error, out_root)
    except RecursionError:  # a last guard: the loader bounds nesting long before this
        result.error = "too deeply nested to build (RecursionError)"
    if result.error:
        shutil.rmtree(staging, ignore_errors=True)
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
    reuse = Reuse()
    return [build_setting(project, slug, out_root, reuse, pdfs=pdfs) for slug in slugs]
