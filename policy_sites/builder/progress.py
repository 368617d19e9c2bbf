"""Showing a federation build as it goes: a progress bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from policy_sites.builder.federation import FederationReport
from policy_sites.builder.site import BuildResult, BuildStatus
from policy_sites.context.views import STAFF

__all__ = ["BuildProgress", "summary_lines"]


class BuildProgress:
    """``on_start`` and ``on_result`` for ``build_federation``; use as a context manager."""

    def __init__(self, stream: TextIO | None = None, bar: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.bar = self.stream.isatty() if bar is None else bar
        self.console = Console(file=self.stream)
        self._progress: Progress | None = None
        self._task = None

    def on_start(self, total: int) -> None:
        if not self.bar:
            return
        self._progress = Progress(
            TextColumn("[bold]building[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[last]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
        )
        self._task = self._progress.add_task("build", total=total, last="")
        self._progress.start()

    def on_result(self, result: BuildResult) -> None:
        line = _line(result)
        if self._progress is None:
            print(line, file=self.stream, flush=True)
            return
        if not result.ok:
            self._progress.console.print(line, markup=False, highlight=False)
        self._progress.update(self._task, advance=1, last=result.slug)

    def __enter__(self) -> BuildProgress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()


def _line(result: BuildResult) -> str:
    if result.error:
        kept = "previous site left as it was" if result.site.is_dir() else "no site written"
        return f"FAILED  {result.slug}: {result.reason} ({kept})"
    if result.skipped:
        return f"skipped {result.slug} (unchanged)"
    return f"built   {result.slug:<24} {result.seconds:5.2f}s"


OPEN_LINES_UP_TO = 10
"""Up to this many settings, the summary says where to open each site's two views."""


def summary_lines(report: FederationReport) -> list[str]:
    """The end of a build: how many built, skipped and failed, and why each failure failed."""
    built, skipped, failed = (report.of(s) for s in BuildStatus)
    lines = [
        f"{len(built)} built, {len(skipped)} skipped as unchanged, {len(failed)} failed "
        f"in {report.seconds:.1f}s -> {report.out_root}"
    ]
    if report.pdfs:
        pdfs = report.pdfs
        line = f"PDFs: {pdfs.made} made, {pdfs.reused} copied unchanged from the cache"
        if pdfs.shared:
            line += f", {pdfs.shared} staff copies of the parents' PDF (no staff-only text)"
        lines.append(line)
    lines += [f"  FAILED {r.slug}: {r.reason}" for r in sorted(failed, key=lambda r: r.slug)]
    sites = sorted(built + skipped, key=lambda r: r.slug)
    if len(sites) <= OPEN_LINES_UP_TO:  # a federation of hundreds opens from the portal
        for result in sites:
            lines.append(f"open {result.slug}: {result.site / 'index.html'}")
            lines.append(f"  staff view: {result.site / STAFF.subpath / 'index.html'}")
    if report.portal:
        lines.append(f"portal: {report.portal}")
    return lines
