"""Running the engine for one view of one setting, and turning its failures into reasons.

Every build is a real MkDocs (or ProperDocs) build with strict mode on, so a warning (a
broken link, a missing anchor) fails the view. What the builder tells the plugin (the
setting, the view, preview, the day, what publishing collects) goes in as the plugin's
declared options, never through the environment. A failure comes back as data: the
error the build stopped on (``BuildWatch``), with a page source's file and line when it
was one (``SourceError``), or else the warnings strict mode stopped on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path

from policy_sites.context.views import View
from policy_sites.project import Project
from policy_sites.render.engine import (
    BuildError,
    BuildWatch,
    MkDocsException,
    Reuse,
    SourceError,
    anchor_macros_include_dir,
    engine_build,
    load_config,
    set_plugin_options,
)
from policy_sites.render.shared_assets import SharedAssets

__all__ = ["PLUGIN", "BuildFailed", "build_view"]

PLUGIN = "policy-sites"
"""The plugin's name in mkdocs.yml (its entry point)."""


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage().strip())


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

    def __init__(self, view: View, reason: str, source_error: SourceError | None = None) -> None:
        super().__init__(f"{view.label} view: {reason}")
        self.view = view
        self.source_error = source_error
        """The page source and line at fault, when a source did not render."""


def build_view(
    project: Project,
    slug: str,
    view: View,
    site_dir: Path,
    reuse: Reuse | None = None,
    shared_assets: bool = False,
    *,
    preview: bool = False,
    drafts: bool = False,
    today: dt.date | None = None,
    capture: dict[str, str] | None = None,
    publishing: dict | None = None,
    pdf: bool = False,
) -> list[str]:
    """Build one view of one setting into ``site_dir``; return MkDocs' warnings.

    With ``shared_assets`` the theme's files are left out and the pages link to the
    copy in the output root, one or two folders up (see ``shared_assets``). ``preview``,
    ``today``, ``capture``, ``publishing`` and ``pdf`` are the plugin's options of those
    names.
    """
    options = {
        "setting": slug,
        "audience": view.id,
        "preview": preview,
        "drafts": drafts,
        "pdf": pdf,
    }
    if today is not None:
        options["today"] = today.isoformat()
    if capture is not None:
        options.update(capture=capture, publishing=publishing or {})
    with _captured_logs() as logs:
        watch = None
        try:
            config = load_config(str(project.config_file), site_dir=str(site_dir), strict=True)
            set_plugin_options(config, PLUGIN, **options)
            anchor_macros_include_dir(config)
            if reuse is not None:
                reuse.apply(config)
            if shared_assets:
                up = "../" * (1 + view.subpath.count("/"))
                config.plugins["policy-sites/shared-assets"] = SharedAssets(up)
            watch = BuildWatch.add_to(config)
            config.plugins.on_startup(command="build", dirty=False)
            try:
                engine_build(config)
            finally:
                config.plugins.on_shutdown()
        except MkDocsException as error:
            raise _failure(view, error, watch, logs.messages) from None
    return logs.messages


def _failure(
    view: View, error: MkDocsException, watch: BuildWatch | None, logged: list[str]
) -> BuildFailed:
    """Why the build stopped: the error it stopped on, else what MkDocs logged (strict
    mode's warnings, a configuration's errors), else the engine's own message."""
    stopped_on = watch.error if watch is not None else None
    # a plugin's error, or a source's (SourceError), is the reason itself
    reasons = [str(stopped_on)] if isinstance(stopped_on, BuildError) else logged or [str(error)]
    source_error = stopped_on if isinstance(stopped_on, SourceError) else None
    return BuildFailed(view, "\n".join(reasons), source_error)
