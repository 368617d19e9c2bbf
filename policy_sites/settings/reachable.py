"""Whether a setting's parents' view says how to act on a worry.

A parent with a worry must be able to reach the setting (its phone and email) and, when
the worry is about the Manager or a DSL, someone else. A setting without either is not
invalid (a draft still builds, so it can be previewed), but ``check`` reports it as an
error and ``publish`` refuses it, both through ``unreachable`` so they say the same.
The federation's routes (LADO, Front Door, Ofsted), which the parents' pages always name
and which a worry about the Manager falls back to, cannot be ``visibility: staff`` at
all: the loader refuses it (``schema.ParentsRoute``), so they are always there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from policy_sites.settings.loader import Problem, field_lines
from policy_sites.settings.schema import Setting, Visibility

__all__ = ["MissingRoute", "missing_routes", "unreachable"]


@dataclass(frozen=True)
class MissingRoute:
    """A contact route the parents' view lacks: the key it belongs under, and the fix."""

    field: str
    problem: str
    fix: str

    @property
    def message(self) -> str:
        return f"{self.problem}; {self.fix}"


def missing_routes(setting: Setting) -> list[MissingRoute]:
    """Each way to act on a worry that the parents' view of ``setting`` cannot show."""
    found = []
    if setting.contact is None:
        found.append(
            MissingRoute(
                "contact",
                "missing, so the parents' pages cannot say how to reach the setting",
                "add contact: with the setting's phone:, email: and address: (e.g. phone: "
                "01632 960000, email: office@example.org, address: 1 High Street, Anytown)",
            )
        )
    leaders = setting.concerns_about_leaders
    if setting.ratifying_body.runs_the_setting:
        pass  # with no public route, the parents' pages send such a worry to the LADO
    elif leaders is None:
        found.append(
            MissingRoute(
                "concerns_about_leaders",
                "missing, so the parents' pages cannot say who to go to with a worry about "
                "the Manager or a DSL",
                f"add concerns_about_leaders: with name: (e.g. the Chair of "
                f"{setting.ratifying_body.noun}) and a phone:, email: or web:",
            )
        )
    elif leaders.visibility is Visibility.STAFF:
        found.append(
            MissingRoute(
                "concerns_about_leaders.visibility",
                "is 'staff', so the parents' pages leave out who to go to with a worry "
                "about the Manager or a DSL",
                "make it 'public' (or leave visibility out)",
            )
        )
    return found


def unreachable(
    settings_dir: Path, slug: str, setting: Setting
) -> list[tuple[MissingRoute, Problem]]:
    """Each of ``missing_routes`` with a problem naming the settings file and line (the
    field's own line when it is written there, else the line of the setting's name)."""
    file = settings_dir / f"{slug}.yml"
    lines = field_lines(file) if file.is_file() else {}
    problems = []
    for missing in missing_routes(setting):
        path = tuple(missing.field.split("."))
        line = next(
            (lines[path[:end]] for end in range(len(path), 0, -1) if path[:end] in lines),
            lines.get(("name",)),
        )
        problems.append((missing, Problem(file, line, missing.field, missing.message)))
    return problems
