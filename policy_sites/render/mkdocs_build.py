"""Running MkDocs for one view of one setting, and turning its failures into one-line reasons.

Every build is a real MkDocs build with strict mode on, so a warning (a broken link, a
missing anchor) fails the view. mkdocs-macros reports a template error in the log and
then calls ``exit()``; that exit is caught here, so one setting's mistake never stops
the others.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import MkDocsException

from policy_sites.context.views import View, split_front_matter
from policy_sites.project import Project
from policy_sites.render.reuse import Reuse
from policy_sites.render.shared_assets import SharedAssets

__all__ = ["BuildFailed", "build_view", "temporary_environment"]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage().strip())


@contextlib.contextmanager
def temporary_environment(**values: str) -> Iterator[None]:
    """Set environment variables for the duration of a block, then restore them."""
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
    shared_assets: bool = False,
    *,
    environment: Mapping[str, str] | None = None,
    configure: Callable[[MkDocsConfig], None] | None = None,
) -> list[str]:
    """Build one view of one setting into ``site_dir``; return MkDocs' warnings.

    With ``shared_assets`` the theme's files are left out and the pages link to the
    copy in the output root, one or two folders up (see ``shared_assets``).
    ``environment`` adds variables that mkdocs.yml reads (e.g. POLICY_SITES_PREVIEW);
    ``configure`` sees the loaded configuration before the build (publishing uses it to
    ask the plugin for the rendered text).
    """
    with (
        temporary_environment(**(environment or {}), POLICY_SETTING=slug, POLICY_AUDIENCE=view.id),
        _captured_logs() as logs,
    ):
        try:
            with reuse.active() if reuse else contextlib.nullcontext():
                config = load_config(str(project.config_file), site_dir=str(site_dir), strict=True)
                if reuse is not None:
                    reuse.apply(config)
                if configure is not None:
                    configure(config)
                if shared_assets:
                    up = "../" * (1 + view.subpath.count("/"))
                    config.plugins["policy-sites/shared-assets"] = SharedAssets(up)
                config.plugins.on_startup(command="build", dirty=False)
                try:
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
_SYNTAX_ERROR = re.compile(r"_Line (\d+) in Markdown file:_ \*\*(.+?)\*\*", re.DOTALL)


def _summarise(message: str, docs_dir: Path) -> str:
    """One line for a mkdocs-macros error report: source file, line and what went wrong."""
    source, error = _MACRO_FILE.search(message), _MACRO_ERROR.search(message)
    syntax = _SYNTAX_ERROR.search(message)
    if source and syntax and not error:  # a Jinja syntax error: mkdocs-macros gives the line
        line = int(syntax.group(1)) + _front_matter_lines(docs_dir / source.group(1))
        return f"docs/{source.group(1)}, line {line}: {syntax.group(2).strip()} (syntax error)"
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
        return split_front_matter(path.read_text(encoding="utf-8"))[2] - 1
    except OSError:
        return 0
