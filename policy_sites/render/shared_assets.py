"""Theme assets written once per output root and shared by every site and view.

Material's stylesheets, scripts and images (``assets/...``, about 2.5 MB) are the same
for every setting. In a federation build each site leaves them out (``detach``), its
pages point one or two folders up at ``<out>/assets/...`` (``shared_url_filter``), and
``write_shared_assets`` writes them once into the output root. All links stay
relative, so the sites work from a static web server and from files opened on disk.
"""

from __future__ import annotations

import filecmp
import os
import posixpath
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from jinja2 import pass_context

from policy_sites.render.engine import BasePlugin, Files

__all__ = [
    "SharedAssets",
    "detach",
    "shared_url_filter",
    "theme_files",
    "write_shared_assets",
]


def _is_theme_file(file: Any, theme_dirs: set[str]) -> bool:
    if file.is_documentation_page() or not file.src_dir:  # generated files have no src_dir
        return False
    return os.path.normpath(file.src_dir) in theme_dirs


def detach(files: Any, config: Any) -> set[str]:
    """Take the theme's static files out of one site's ``files``; return their URIs."""
    theme_dirs = {os.path.normpath(d) for d in config.theme.dirs}
    taken = {file for file in files if _is_theme_file(file, theme_dirs)}
    for file in taken:
        files.remove(file)
    return {file.src_uri for file in taken}


def shared_url_filter(url: Callable[..., str], shared: set[str], up: str) -> Callable[..., str]:
    """MkDocs' ``url`` filter, sending the shared theme files ``up`` to the output root."""

    @pass_context
    def shared_url(context: Any, value: Any) -> str:
        result = url(context, value)
        name = str(value)
        if name not in shared or "://" in result:
            return result
        if result.startswith("/") and result.endswith(name):
            # error pages link from the site's root path: '/<slug>/' + name, or '/' + name
            return posixpath.normpath(result[: -len(name)] + up + name)
        return up + result.removeprefix("./")

    return shared_url


class SharedAssets(BasePlugin):
    """Added by the builder to one view's build: leave theme files out, link to shared ones.

    ``up`` leads from the view's root folder to the output root: ``../`` for the
    parents' view (``<out>/<slug>/``), ``../../`` for the staff view.
    """

    def __init__(self, up: str) -> None:
        super().__init__()
        self.up = up
        self.shared: set[str] = set()

    def on_files(self, files: Any, config: Any) -> Any:
        self.shared = detach(files, config)
        return files

    def on_env(self, env: Any, config: Any, files: Any) -> Any:
        env.filters["url"] = shared_url_filter(env.filters["url"], self.shared, self.up)
        return env


def theme_files(config: Any) -> list[Any]:
    """The theme's static files, exactly as MkDocs would copy them into a site."""
    files = Files([])
    files.add_files_from_theme(config.theme.get_env(), config)
    return sorted(files, key=lambda f: f.dest_uri)


def write_shared_assets(config: Any, out_root: Path, previous: Iterable[str] = ()) -> list[str]:
    """Write the theme's static files into ``out_root`` once; remove ones no longer used.

    Unchanged files are left alone. Returns the paths written, relative to ``out_root``.
    """
    written = []
    for file in theme_files(config):
        target = out_root / file.dest_uri
        if not (target.is_file() and filecmp.cmp(file.abs_src_path, target, shallow=False)):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file.abs_src_path, target)
        written.append(file.dest_uri)
    for stale in set(previous) - set(written):
        (out_root / stale).unlink(missing_ok=True)
    return written
