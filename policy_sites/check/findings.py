"""What ``policy-sites check`` reports: findings with a file, a line, a severity and a fix."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

from policy_sites.project import Project

__all__ = ["ERROR", "WARNING", "Finding", "Severity", "shown"]


class Severity(StrEnum):
    """How bad a finding is: errors fail ``check``; warnings fail it only with ``--strict``.
    A ``StrEnum``, so text and JSON output show the plain word."""

    ERROR = "error"
    WARNING = "warning"


ERROR = Severity.ERROR
WARNING = Severity.WARNING


@dataclass(frozen=True, order=True)
class Finding:
    """One thing ``check`` found: where, how bad, what is wrong and how to fix it."""

    file: str
    line: int
    severity: Severity
    message: str
    fix: str

    def __str__(self) -> str:
        return (
            f"{self.severity:<8} {self.file}:{self.line}: {self.message}\n         fix: {self.fix}"
        )

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def shown(project: Project, path: Path) -> str:
    """A path as the editor sees it: relative to the project folder."""
    try:
        return path.resolve().relative_to(project.root.resolve()).as_posix()
    except ValueError:
        return str(path)
