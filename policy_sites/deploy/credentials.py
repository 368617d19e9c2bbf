"""Staff views' password files: where they live, and adding, changing or removing a login.

nginx reads them with ``auth_basic_user_file``: one ``name:hash`` line per login, the
hash bcrypt (``$2b$``, which Debian's crypt(3) checks). The files never live inside the
project (they would be committed) or inside the published folder (they would be served).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import bcrypt

from policy_sites.context.views import policy_ids
from policy_sites.project import Project, read_bounded, write_atomic
from policy_sites.settings.loader import load_setting
from policy_sites.settings.schema import StaffPasswords

__all__ = [
    "BCRYPT_ROUNDS",
    "CREDENTIALS_VARIABLE",
    "DEFAULT_CREDENTIALS_DIR",
    "Change",
    "CredentialsError",
    "CredentialsStore",
    "check_password",
    "default_dir",
    "password_files",
]

CREDENTIALS_VARIABLE = "POLICY_SITES_CREDENTIALS"
DEFAULT_CREDENTIALS_DIR = Path("/etc/nginx/policy-sites")
BCRYPT_ROUNDS = 10
"""nginx checks the hash on every request to a staff page, in the worker serving it: cost 10
takes about 70 ms of an idle core (146 ms measured through nginx on a busy 2-core
machine), cost 12 four times as long."""
FEDERATION_FILE = "federation.htpasswd"
MIN_PASSWORD = 12
MAX_PASSWORD_BYTES = 72  # bcrypt ignores anything after the 72nd byte
_USER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")


class CredentialsError(ValueError):
    """A login, password or folder that cannot be used; the message says why."""


class Change(Enum):
    ADDED = "added"
    CHANGED = "changed"
    REMOVED = "removed"


def check_password(password: str) -> bytes:
    """The password as bytes, if it is usable; CredentialsError saying why if not."""
    if "\n" in password or "\r" in password:
        raise CredentialsError("the password must be one line")
    if len(password) < MIN_PASSWORD:
        raise CredentialsError(
            f"the password has {len(password)} characters; use at least {MIN_PASSWORD} "
            "(a few unrelated words make a good one)"
        )
    encoded = password.encode("utf-8")
    if len(encoded) > MAX_PASSWORD_BYTES:
        raise CredentialsError(f"the password is longer than {MAX_PASSWORD_BYTES} bytes")
    return encoded


def check_user(user: str) -> str:
    if not _USER.fullmatch(user):
        raise CredentialsError(
            f"login name {user!r}: use letters, digits and . _ @ - (at most 64), "
            "starting with a letter or digit"
        )
    return user


def default_dir() -> Path:
    """$POLICY_SITES_CREDENTIALS, else /etc/nginx/policy-sites."""
    return Path(os.environ.get(CREDENTIALS_VARIABLE) or DEFAULT_CREDENTIALS_DIR)


@dataclass(frozen=True)
class CredentialsStore:
    """The folder holding the staff views' password files."""

    folder: Path

    def refuse_inside(self, *places: Path) -> None:
        """Refuse a folder inside any of ``places`` (the project, the published folder)."""
        folder = self.folder.resolve()
        for place in places:
            if folder.is_relative_to(place.resolve()):
                raise CredentialsError(
                    f"{self.folder} is inside {place}: password files must live outside the "
                    "project and the published folder, where nothing commits or serves them"
                )

    def file_for(self, slug: str, choice: StaffPasswords) -> Path:
        """The password file guarding one setting's staff view."""
        name = FEDERATION_FILE if choice is StaffPasswords.FEDERATION else f"{slug}.htpasswd"
        return self.folder / name

    def set_password(self, path: Path, user: str, password: str) -> Change:
        """Add ``user`` to the file at ``path``, or give it a new password."""
        secret = check_password(password)
        line = f"{check_user(user)}:{bcrypt.hashpw(secret, bcrypt.gensalt(BCRYPT_ROUNDS)).decode()}"
        lines = _read(path)
        kept = [entry for entry in lines if _user_of(entry) != user]
        _write(path, [*kept, line])
        return Change.CHANGED if len(kept) < len(lines) else Change.ADDED

    def remove(self, path: Path, user: str) -> Change:
        lines = _read(path)
        kept = [entry for entry in lines if _user_of(entry) != user]
        if len(kept) == len(lines):
            raise CredentialsError(f"{path}: no login {user!r}")
        _write(path, kept)
        return Change.REMOVED


_MAX_FILE_BYTES = 16 * 1024 * 1024
"""Far above any staff list (a login is about 80 bytes)."""


def _user_of(entry: str) -> str:
    return entry.partition(":")[0]


def _read(path: Path) -> list[str]:
    try:
        text = read_bounded(path, _MAX_FILE_BYTES).decode("utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as error:  # a pipe, a device, not text: no logins
        reason = getattr(error, "strerror", None) or str(error)
        raise CredentialsError(f"{path}: cannot be read as a password file: {reason}") from None
    return [line for line in text.splitlines() if line.strip()]


def _write(path: Path, lines: list[str]) -> None:
    """Replace the file in one step, keeping an existing file's mode and group (nginx's
    workers read it through its group); a new file is readable by its owner and group."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
    try:
        old = path.stat()
        mode, group = old.st_mode & 0o777, old.st_gid
    except FileNotFoundError:
        mode, group = 0o640, None
    write_atomic(path, "".join(f"{line}\n" for line in lines), mode, group)


def password_files(project: Project, store: CredentialsStore, slugs: list[str]) -> dict[str, Path]:
    """Each setting's staff password file, as its settings' ``publishing`` chooses."""
    known = policy_ids(project.docs_dir)
    return {
        slug: store.file_for(
            slug, load_setting(project.settings_dir, slug, known).publishing.staff_passwords
        )
        for slug in slugs
    }
