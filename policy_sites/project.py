"""Where a policy-sites project keeps its parts: mkdocs.yml, docs/, settings/ and the output."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

__all__ = [
    "NotAPlainFile",
    "Project",
    "TooLarge",
    "acquire_or_wait",
    "current_umask",
    "is_temporary_of",
    "read_bounded",
    "write_atomic",
]


class NotAPlainFile(OSError):
    """A project file that is a named pipe, a device, a socket or a folder: reading a pipe
    waits for a writer for ever, and a device (``/dev/zero``) never ends."""


class TooLarge(OSError):
    """A file longer than its limit; ``size`` is its length, or None if it was cut short."""

    def __init__(self, limit: int, size: int | None) -> None:
        super().__init__(f"more than {limit:,} bytes")
        self.limit, self.size = limit, size


_KINDS = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


def read_bounded(path: Path, limit: int) -> bytes:
    """At most ``limit`` bytes of the regular file ``path`` (links followed).

    Opened without waiting (``O_NONBLOCK``) and checked on the open file, so a pipe or
    device put in a file's place is refused (NotAPlainFile) rather than read, and no
    swap between the check and the read can slip one in. The limit is enforced while
    reading, not trusted from ``st_size``: at most ``limit + 1`` bytes are read
    (TooLarge beyond)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    handle = os.open(path, flags)
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            kind = _KINDS.get(stat.S_IFMT(info.st_mode), "a special file")
            raise NotAPlainFile(f"is {kind}, not a plain file")
        if info.st_size > limit:
            raise TooLarge(limit, info.st_size)
        file = os.fdopen(handle, "rb")
    except BaseException:
        os.close(handle)
        raise
    with file:
        data = file.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(limit, None)
    return data


_TEMPORARY_SUFFIX = ".tmp"


def is_temporary_of(name: str, target: str) -> bool:
    """Whether ``name`` is what ``write_atomic`` calls a temporary copy of ``target``: a
    write killed half-way leaves one, and whoever owns the folder may remove it."""
    return name.startswith(f".{target}.") and name.endswith(_TEMPORARY_SUFFIX)


def current_umask() -> int:
    """The process's umask (reading it means setting it: it is set straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(
    path: Path,
    data: str | bytes,
    mode: int | None = None,
    group: int | None = None,
    *,
    exclusive: bool = False,
) -> None:
    """Write ``path`` whole or not at all: into a temporary file beside it, flushed to disk,
    then renamed over it. A full disk or a kill half-way leaves the previous file as it
    was (and at worst a hidden ``.name.*.tmp``), never a truncated one that looks complete.
    A link is followed (the file it names is replaced), and a device or pipe is written
    into. An existing file keeps its permissions unless ``mode`` is given; a new file gets
    ``mode`` (default: 0o666 less the umask's bits, as ``open`` would); ``group``, where
    given and allowed, is the new file's group. ``exclusive``: never replace a file, even
    one made a moment ago (FileExistsError), as ``open(path, "x")`` but whole. Raises
    OSError."""
    try:
        real = Path(os.path.realpath(path))  # links keep pointing where they did
        _write_atomic(real, data, mode, group, exclusive)
    except OSError as error:  # named after the file meant, not its temporary copy
        raise OSError(error.errno, error.strerror or str(error), str(path)) from error


def _write_atomic(
    path: Path, data: str | bytes, mode: int | None, group: int | None, exclusive: bool
) -> None:
    try:
        existing: os.stat_result | None = path.stat()
    except FileNotFoundError:
        existing = None
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if exclusive and existing is not None:
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path))
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        # A device or pipe (``--output /dev/stdout``) is written into, never replaced.
        with path.open("wb") as out:
            out.write(payload)
        return
    if mode is None:
        mode = stat.S_IMODE(existing.st_mode) if existing else 0o666 & ~current_umask()
    handle, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=_TEMPORARY_SUFFIX
    )
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        if group is not None and group != os.stat(temporary).st_gid:
            with contextlib.suppress(PermissionError):  # without the right: the owner's group
                os.chown(temporary, -1, group)
        if exclusive:
            os.link(temporary, path)  # fails if the name was taken meanwhile
            os.unlink(temporary)
        else:
            os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def acquire_or_wait(
    lock: FileLock, seconds: float, on_wait: Callable[[str], None] | None, waiting: str
) -> None:
    """Take ``lock`` at once, or tell ``on_wait`` (once) what it waits for and wait up to
    ``seconds``: a command held up by another says why nothing happens. The one way the
    build's output folder and a setting's versions folder are held; raises
    ``filelock.Timeout`` when the other never lets go, for the caller to say so."""
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait:
            on_wait(waiting)
        lock.acquire(timeout=seconds)


@dataclass(frozen=True)
class Project:
    """A folder holding mkdocs.yml, the shared sources and the settings files."""

    root: Path

    @classmethod
    def find(cls, start: Path | None = None) -> Project:
        """The nearest folder at or above ``start`` that holds mkdocs.yml."""
        here = (start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / "mkdocs.yml").is_file():
                return cls(folder)
        raise FileNotFoundError(f"no mkdocs.yml in {here} or any folder above it")

    @property
    def config_file(self) -> Path:
        return self.root / "mkdocs.yml"

    @property
    def docs_dir(self) -> Path:
        return self.root / "docs"

    @property
    def settings_dir(self) -> Path:
        return self.root / "settings"

    @property
    def source_paths(self) -> list[Path]:
        """What a site is made from: config, shared sources, settings, overrides, macros."""
        return [
            self.config_file,
            self.docs_dir,
            self.settings_dir,
            self.root / "overrides",
            self.root / "macros",
        ]

    @property
    def default_out(self) -> Path:
        return self.root / "site"
