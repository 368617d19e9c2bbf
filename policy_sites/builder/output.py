"""The output folder is owned: written only if policy-sites made it, one build at a time.

``build`` replaces each setting's folder wholesale and removes the folders of settings
that are gone, so pointed at the wrong folder (``--out settings``, a folder of someone's
documents) it would destroy what is there. ``owned_output`` refuses, before writing
anything, a folder that is or lies inside the project's sources, contains the project,
or holds files a build did not write; it then marks the folder as policy-sites output,
takes a lock so that a second build into it waits, and clears what a killed build left.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from policy_sites.builder.state import STATE_FILE
from policy_sites.project import Project, acquire_or_wait, is_temporary_of, write_atomic
from policy_sites.settings.names import RESERVED_NAMES, slug_problem

__all__ = [
    "LOCK_FILE",
    "LOCK_WAIT_SECONDS",
    "MARKER_FILE",
    "OutputRefused",
    "check_output",
    "owned_output",
    "project_part_of",
    "restore_interrupted_swap",
    "setting_folder",
]

MARKER_FILE = ".policy-sites-output"
"""Written into every output folder a build makes: later builds may write and delete there."""
LOCK_FILE = ".policy-sites.lock"
LOCK_WAIT_SECONDS = 600.0
"""How long a build waits for another build into the same folder before giving up."""

_MARKER_TEXT = (
    "This folder is written by policy-sites (policy-sites build / portal).\n"
    "A build replaces the folders of the settings it builds and removes those of\n"
    "settings that no longer exist; keep nothing of your own in it.\n"
)
_LEFTOVER = re.compile(r"\.(?P<slug>[^/]+)\.(building|old)")
_OLD_TEMPORARY_STATE = re.compile(re.escape(STATE_FILE) + r"\.\d+\.tmp")
"""How builds before ``write_atomic`` named a state file being written."""
_BUILD_FILES = {"index.html", STATE_FILE, MARKER_FILE, LOCK_FILE}


def _temporary(name: str) -> bool:
    """A build file half-written by a build that was stopped (see ``write_atomic``)."""
    return _OLD_TEMPORARY_STATE.fullmatch(name) is not None or any(
        is_temporary_of(name, built) for built in _BUILD_FILES
    )


class OutputRefused(Exception):
    """The output folder may not be written; the message says why and what to do."""


def setting_folder(out_root: Path, slug: str) -> Path | None:
    """``out_root/slug`` if ``slug`` is a setting's name, so its folder is the build's; else None.

    Whatever a state file or a report says, nothing but such a folder is ever replaced
    or removed as a setting's site.
    """
    if slug_problem(slug) or slug in RESERVED_NAMES:
        return None
    return out_root / slug


def _sources(project: Project) -> dict[Path, str]:
    root = project.root.resolve()
    named = (project.settings_dir, project.docs_dir, root / "overrides", root / "macros")
    return {
        **{path.resolve(): f"the project's {path.name}/ folder" for path in named},
        root / ".git": "the project's git repository",
    }


def _looks_built(entry: Path) -> bool:
    """Whether a top-level entry of an unmarked folder is what an older build wrote there."""
    name = entry.name
    if name in _BUILD_FILES or _temporary(name):
        return entry.is_file()
    if name == "assets":
        return entry.is_dir()
    leftover = _LEFTOVER.fullmatch(name)
    if leftover:
        return entry.is_dir() and setting_folder(entry.parent, leftover["slug"]) is not None
    return (
        entry.is_dir()
        and not entry.is_symlink()
        and setting_folder(entry.parent, name) is not None
        and (entry / "index.html").is_file()
        and (entry / "staff" / "index.html").is_file()
    )


_THE_PROJECT = "the project itself"
"""What ``project_part_of`` says of a folder that is, or holds, the whole project."""


def project_part_of(project: Project, folder: Path) -> str | None:
    """What of the project ``folder`` would write into: 'the project itself' when it is
    or holds the project, 'the project's docs/ folder' (settings/, overrides/, macros/,
    its git repository) when it is inside one; None for a folder of its own. A build's
    output and a deploy's copy may go to neither: the next build would read what they
    wrote as sources or settings."""
    out = folder.resolve()
    root = project.root.resolve()
    if out == root or root.is_relative_to(out):
        return _THE_PROJECT
    for source, what in _sources(project).items():
        if out == source or out.is_relative_to(source):
            return what
    return None


def check_output(project: Project, out_root: Path) -> None:
    """Refuse an output folder a build may not write into (OutputRefused); write nothing."""
    out = out_root.resolve()
    shown = str(out_root)
    part = project_part_of(project, out_root)
    if part == _THE_PROJECT:
        raise OutputRefused(
            f"{shown} holds the project itself; a build replaces what is in its output "
            "folder: choose a folder of its own, e.g. --out site"
        )
    if part is not None:
        raise OutputRefused(
            f"{shown} is inside {part}; a build replaces what is in its output folder: "
            "choose a folder of its own, e.g. --out site"
        )
    if out.exists() and not out.is_dir():
        raise OutputRefused(f"{shown} is a file, not a folder")
    if not out.is_dir() or (out / MARKER_FILE).is_file():
        return
    entries = [entry for entry in out.iterdir() if entry.name != LOCK_FILE]
    foreign = sorted(entry.name for entry in entries if not _looks_built(entry))
    # An older build's output (from before the marker) is accepted: its state file, or a
    # setting's site, shows a build wrote it. A lone index.html or assets/ does not.
    built = any(e.name == STATE_FILE or setting_folder(out, e.name) for e in entries)
    if entries and not built and not foreign:
        foreign = sorted(entry.name for entry in entries)
    if foreign:
        listed = ", ".join(repr(name) for name in foreign[:5])
        more = f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        raise OutputRefused(
            f"{shown} already holds files policy-sites did not write ({listed}{more}); a "
            "build would replace or delete them. Choose an empty or new folder, or empty "
            "this one yourself"
        )


def restore_interrupted_swap(final: Path) -> bool:
    """Put a setting's previous site back if a build was stopped half-way through swapping
    its new one in (``final`` renamed to ``.slug.old``, the staging folder not yet renamed
    to ``final``); True if it did. Whatever is half-built is removed afterwards: the
    previous site is never lost to a rebuild that then fails."""
    retired = final.with_name(f".{final.name}.old")
    if retired.is_dir() and not retired.is_symlink() and not os.path.lexists(final):
        retired.rename(final)
        return True
    return False


def _clear_leftovers(out_root: Path) -> None:
    """Remove what a killed build left: staging and retired setting folders, temporary
    files; a previous site caught mid-swap is put back first."""
    for entry in list(out_root.iterdir()):
        leftover = _LEFTOVER.fullmatch(entry.name)
        if leftover and setting_folder(out_root, leftover["slug"]) is not None:
            restore_interrupted_swap(out_root / leftover["slug"])
    for entry in out_root.iterdir():
        leftover = _LEFTOVER.fullmatch(entry.name)
        if leftover and entry.is_dir() and not entry.is_symlink():
            if setting_folder(out_root, leftover["slug"]) is not None:
                shutil.rmtree(entry, ignore_errors=True)
        elif _temporary(entry.name) and entry.is_file():
            entry.unlink(missing_ok=True)


@contextlib.contextmanager
def owned_output(
    project: Project, out_root: Path, on_wait: Callable[[str], None] | None = None
) -> Iterator[Path]:
    """Check, create, lock and mark ``out_root`` for one build; clear a killed build's leftovers.

    The lock is an OS file lock (``filelock``), so it is released when its process ends,
    however it ends: a killed build never leaves the folder locked.
    """
    check_output(project, out_root)
    out_root.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(out_root / LOCK_FILE))
    waiting = f"another build is writing into {out_root}; waiting for it to finish"
    try:
        acquire_or_wait(lock, LOCK_WAIT_SECONDS, on_wait, waiting)
    except Timeout:
        raise OutputRefused(
            f"another build has been writing into {out_root} for over "
            f"{LOCK_WAIT_SECONDS:.0f} s; nothing was built. Try again when it has finished"
        ) from None
    try:
        check_output(project, out_root)  # the other build may have changed it
        marker = out_root / MARKER_FILE
        if not marker.is_file():
            write_atomic(marker, _MARKER_TEXT)
        _clear_leftovers(out_root)
        yield out_root
    finally:
        lock.release()
