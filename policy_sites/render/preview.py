"""Live preview of one view of one setting, on 127.0.0.1, rebuilt on every change.

Each rebuild is the same build as ``policy-sites build`` (``mkdocs_build.build_view``,
strict), so what the preview shows is what will be published. MkDocs' live-reload server serves
it and watches the sources, mkdocs.yml, the settings files (federation defaults and
published versions included), the theme overrides and the macros. A change that breaks
the build shows a page naming the file, the line and the problem instead of the site;
it reloads by itself once the mistake is fixed.
"""

from __future__ import annotations

import html
import logging
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from policy_sites.context.views import VIEWS
from policy_sites.project import Project
from policy_sites.render.engine import LiveReloadServer
from policy_sites.render.mkdocs_build import BuildFailed, build_view

__all__ = ["HOST", "error_page", "preview_server", "serve", "watched_paths"]

HOST = "127.0.0.1"
"""Only this computer can see the preview: a setting's staff view is not for the network."""


def watched_paths(project: Project) -> list[Path]:
    """Everything a preview rebuilds on: sources, config, settings, overrides and macros."""
    return [path for path in project.source_paths if path.exists()]


def error_page(reason: str) -> bytes:
    """What the browser shows while the preview does not build."""
    return (
        "<!doctype html><html lang='en-GB'><head><meta charset='utf-8'>"
        "<meta http-equiv='refresh' content='2'>"
        "<title>Preview: this does not build yet</title></head><body>"
        "<h1>This does not build yet</h1>"
        f"<pre>{html.escape(reason)}</pre>"
        "<p>Fix the file named above and save it: this page reloads by itself.</p>"
        "</body></html>"
    ).encode()


def preview_server(
    project: Project, slug: str, audience: str, port: int, echo: Callable[[str], None] = print
) -> tuple[LiveReloadServer, Path]:
    """A live-reload server for one view of one setting, built once and watching for changes.

    The caller runs ``server.serve()`` and, afterwards, ``server.shutdown()`` and removes
    the returned temporary site folder.
    """
    view = VIEWS[audience]
    site_dir = Path(tempfile.mkdtemp(prefix="policy-sites-serve-"))
    failure: list[str] = []

    def rebuild() -> None:
        failure.clear()
        try:
            for message in build_view(project, slug, view, site_dir):
                echo(f"warning: {message}")
        except BuildFailed as error:
            failure.append(str(error))
        except Exception as error:  # the preview must outlive any mistake in a file
            failure.append(f"{type(error).__name__}: {error}")
        if failure:
            shutil.rmtree(site_dir, ignore_errors=True)
            site_dir.mkdir(parents=True, exist_ok=True)
            (site_dir / "index.html").write_bytes(error_page(failure[0]))
            echo(f"does not build: {failure[0]}")
        else:
            echo(f"built {slug} ({view.label} view)")

    server = LiveReloadServer(builder=rebuild, host=HOST, port=port, root=str(site_dir))
    server.error_handler = lambda code: error_page(failure[0]) if failure else None
    rebuild()
    for path in watched_paths(project):
        server.watch(str(path))
    return server, site_dir


def _show_livereload_messages() -> None:
    logger = logging.getLogger("mkdocs.livereload")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(project: Project, slug: str, audience: str, port: int, open_browser: bool) -> None:
    """Serve the preview until Ctrl+C (or SIGTERM), then remove its temporary site."""
    _show_livereload_messages()
    signal.signal(signal.SIGTERM, _interrupt)
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:  # started in the background
        signal.signal(signal.SIGINT, _interrupt)
    server, site_dir = preview_server(project, slug, audience, port)
    print(f"previewing {slug}, {VIEWS[audience].label} view, at {server.url}", flush=True)
    print("edit and save any source, settings file or override: the page reloads.", flush=True)
    print("press Ctrl+C to stop.", flush=True)
    try:
        server.serve(open_in_browser=open_browser)
    except KeyboardInterrupt:
        print("stopped.", flush=True)
    finally:
        server.shutdown()
        shutil.rmtree(site_dir, ignore_errors=True)
