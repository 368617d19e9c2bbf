"""Where a policy-sites project keeps its parts: mkdocs.yml, docs/, settings/ and the output."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

__all__ = ["Project", "acquire_or_wait"]


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
