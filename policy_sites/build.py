"""Building sites: each setting's two views into a temporary folder, swapped in only on success.

A failing setting keeps its previous site untouched and does not stop the others. Every
build is a real MkDocs build, run in this process with strict mode on, so a warning
(a broken link, a missing anchor) fails the setting rather than shipping.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

from policy_sites.project import Project
from policy_sites.reuse import Reuse
from policy_sites.views import PARENTS, STAFF, View

__all__ = ["BuildResult", "build_setting", "build_settings", "build_view"]


@dataclass
class BuildResult:
    """What happened to one setting."""

    slug: str
    site: Path
    error: str | None = None
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage().strip())


@contextlib.contextmanager
def _environment(**values: str) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def _captured_logs() -> Iterator[_Collect]:
    logger = logging.getLogger("mkdocs")
    handler = _Collect()
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


class BuildFailed(Exception):
    """One view of one setting did not build; the message says why."""


def build_view(
    project: Project,
    slug: str,
    view: View,
    site_dir: Path,
    reuse: Reuse | None = None,
) -> list[str]:
    """Build one view of one setting into ``site_dir``; return MkDocs' warnings."""
    with (
        _environment(POLICY_SETTING=slug, POLICY_AUDIENCE=view.id),
        _captured_logs() as logs,
    ):
        try:
            config = load_config(str(project.config_file), site_dir=str(site_dir), strict=True)
            if reuse is not None:
                reuse.apply(config)
            config.plugins.on_startup(command="build", dirty=False)
            try:
                with reuse.active() if reuse else contextlib.nullcontext():
                    mkdocs_build(config)
            finally:
                config.plugins.on_shutdown()
        except (MkDocsException, SystemExit) as error:
            # mkdocs-macros reports a template error in the log, then calls exit().
            reasons = [_summarise(m, project.docs_dir) for m in logs.messages if m] or [str(error)]
            if isinstance(error, MkDocsException) and str(error) not in reasons:
                reasons.append(str(error))
            raise BuildFailed(f"{view.label} view: " + "\n".join(reasons)) from None
    return logs.messages


_MACRO_FILE = re.compile(r"_File_: `([^`]+)`")
_MACRO_ERROR = re.compile(r"_(\w+Error)_: (.+)")
_TEMPLATE_LINE = re.compile(r'File "<template>", line (\d+)')


def _summarise(message: str, docs_dir: Path) -> str:
    """One line for a mkdocs-macros error report: source file, line and what went wrong."""
    source, error = _MACRO_FILE.search(message), _MACRO_ERROR.search(message)
    if not (source and error):
        return message
    lines = _TEMPLATE_LINE.findall(message)
    where = f"docs/{source.group(1)}"
    if lines:
        where += f", line {int(lines[-1]) + _front_matter_lines(docs_dir / source.group(1))}"
    return f"{where}: {error.group(2).strip()} ({error.group(1)})"


def _front_matter_lines(path: Path) -> int:
    """How many lines the YAML front matter takes, as mkdocs-macros counts lines without it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 0
    if not lines or lines[0] != "---":
        return 0
    return next((n + 1 for n, line in enumerate(lines[1:], 1) if line == "---"), 0)


def build_setting(
    project: Project, slug: str, out_root: Path, reuse: Reuse | None = None
) -> BuildResult:
    """Build both views of one setting into ``out_root/slug``, replacing it only on success."""
    started = time.perf_counter()
    final = out_root / slug
    result = BuildResult(slug, final)
    out_root.mkdir(parents=True, exist_ok=True)
    staging = out_root / f".{slug}.building"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        for view in (PARENTS, STAFF):  # parents first: its build empties the folder
            result.warnings += build_view(project, slug, view, staging / view.subpath, reuse)
    except BuildFailed as error:
        shutil.rmtree(staging, ignore_errors=True)
        result.error = str(error)
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
    reuse = Reuse()
    return [build_setting(project, slug, out_root, reuse) for slug in slugs]
