"""A copy of the built folder without any staff view, for a host that cannot ask for a password.

Such a host (a plain file host, a free static-site service) serves whatever it is given,
so the only safe staff view there is none. The copy keeps the portal, the shared assets
and every parents' view, and leaves out ``<slug>/staff/`` and the build's own dot files.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from policy_sites.context.views import STAFF
from policy_sites.project import current_umask

__all__ = ["PublicCopyError", "copy_without_staff"]


class PublicCopyError(ValueError):
    """The copy cannot be made where asked; the message says why."""


def copy_without_staff(site: Path, target: Path) -> list[str]:
    """Copy ``site`` to ``target`` (which must not exist, or be empty) without staff views.

    The copy is made in a hidden folder beside ``target`` and renamed into place whole, so
    a full disk leaves nothing at ``target`` rather than a partial copy that looks
    complete. Returns the staff views left out ('poppys/staff/').
    """
    site = site.resolve()
    if not (site / "index.html").is_file():
        raise PublicCopyError(f"{site} holds no built sites: run policy-sites build first")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise PublicCopyError(f"{target} exists and is not an empty folder; choose a new one")
    if target.resolve().is_relative_to(site.resolve()):
        raise PublicCopyError(f"{target} is inside {site}; choose a folder outside it")
    staff_folder = STAFF.subpath.rstrip("/")
    left_out: list[str] = []

    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = {name for name in names if name.startswith(".")}
        here = Path(folder)
        if here.parent == site and staff_folder in names and (here / staff_folder).is_dir():
            skipped.add(staff_folder)
            left_out.append(f"{here.name}/{STAFF.subpath}")
        return skipped

    target.parent.mkdir(parents=True, exist_ok=True)
    copying = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"))
    try:
        shutil.copytree(site, copying, ignore=ignore, dirs_exist_ok=True)
        os.chmod(copying, 0o777 & ~current_umask())  # mkdtemp's folder is its owner's alone
        if target.is_dir():
            target.rmdir()  # empty, as checked above
        copying.rename(target)
    except (OSError, shutil.Error) as error:
        raise PublicCopyError(
            f"could not copy {site} to {target}: {_reason(error)}; nothing was left there"
        ) from None
    finally:
        shutil.rmtree(copying, ignore_errors=True)
    return sorted(left_out)


def _reason(error: OSError | shutil.Error) -> str:
    """Why a copy failed, in a few words: shutil.Error holds one (source, target, why) per file."""
    if isinstance(error, shutil.Error):
        failures = error.args[0] if error.args and isinstance(error.args[0], list) else []
        if failures:
            return str(failures[0][2]).split("] ", 1)[-1]
        return str(error)
    return error.strerror or str(error)
