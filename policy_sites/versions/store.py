"""Published versions: the frozen, ratified text of a setting's policies, and its details.

A published version lives beside the setting's file, in ``settings/<slug>/versions/<label>/``:

- ``version.yml``: the label, ratified and next review dates, the guidance editions cited,
  the source commit, and a SHA-256 hash of every frozen file (plus a digest of the details);
- ``parents/<policy>.md`` and ``staff/<policy>.md``: each policy's Markdown exactly as
  mkdocs-macros rendered it for that view when the version was published.

Published versions never change. Reading them verifies every hash, so a hand-edited file
stops ``check`` and ``build`` with a problem naming that file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from policy_sites.context.views import VIEWS
from policy_sites.settings.loader import Problem, SafeLoader
from policy_sites.settings.schema import PolicyDate

__all__ = [
    "LABEL_PATTERN",
    "META_FILE",
    "VIEW_IDS",
    "Version",
    "VersionError",
    "policy_history",
    "read_versions",
    "sha256",
    "versions_dir",
    "write_version",
]

META_FILE = "version.yml"
VIEW_IDS = tuple(VIEWS)  # ("parents", "staff")
LABEL_PATTERN = re.compile(r"^[0-9][0-9A-Za-z.-]{0,39}$")
"""A version label starts with a digit, e.g. ``2022-23`` or ``2023-01-concern``."""

_HEADER = (
    "# A published version of this setting's policies, written by `policy-sites publish`.\n"
    "# Never edit this folder by hand: check and build refuse a version whose files or\n"
    "# details no longer match these hashes. To change a policy, publish a new version.\n"
)


class VersionError(Exception):
    """Published versions that cannot be trusted or written; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Version:
    """One published version of some (or all) of a setting's policies."""

    label: str
    folder: Path
    ratified: PolicyDate
    next_review: PolicyDate
    published: str
    summary: str | None
    source_commit: str | None
    source_dirty: bool
    guidance: tuple[Mapping[str, str], ...]
    files: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """policy id -> view id -> file path relative to the version folder."""

    @property
    def policies(self) -> list[str]:
        return sorted(self.files)

    def text(self, policy: str, view: str) -> str:
        """The frozen Markdown of one policy in one view."""
        return (self.folder / self.files[policy][view]).read_text(encoding="utf-8")

    def cites(self) -> str:
        """The guidance editions cited, e.g. 'KCSIE 2022, EYFS 2021, Working Together ... 2018'."""
        return ", ".join(
            f"{g.get('short_name') or g['title']} {g['edition']}" for g in self.guidance
        )

    def sort_key(self) -> tuple[dt.date, str]:
        return (self.ratified.first_day, self.label)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def versions_dir(settings_dir: Path, slug: str) -> Path:
    """Where a setting's published versions are kept."""
    return settings_dir / slug / "versions"


def _digest(meta: Mapping[str, Any]) -> str:
    body = {key: value for key, value in meta.items() if key != "digest"}
    return sha256(json.dumps(body, sort_keys=True, default=str).encode("utf-8"))


def _line_of(text: str, key: str) -> int | None:
    match = re.search(rf"^\s*{re.escape(key)}:", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _read_one(folder: Path, shown: Path) -> tuple[Version | None, list[Problem]]:
    meta_path = folder / META_FILE
    shown_meta = shown / META_FILE
    if not meta_path.is_file():
        return None, [
            Problem(shown_meta, None, "", f"is missing; {shown} is not a published version")
        ]
    text = meta_path.read_text(encoding="utf-8")
    try:
        meta = yaml.load(text, Loader=SafeLoader)  # libyaml's, when PyYAML has it
    except yaml.YAMLError as error:
        return None, [Problem(shown_meta, None, "", f"is not valid YAML: {error}")]
    if not isinstance(meta, dict):
        return None, [Problem(shown_meta, None, "", "must be a mapping of keys")]
    problems: list[Problem] = []

    def problem(key: str, message: str) -> None:
        problems.append(Problem(shown_meta, _line_of(text, key), key, message))

    for key in ("label", "ratified", "next_review", "policies", "digest"):
        if key not in meta:
            problem(key, "is required but missing")
    if problems:
        return None, problems
    if meta.get("digest") != _digest(meta):
        problem(
            "digest",
            "the version's details were edited after it was published (digest mismatch); "
            "published versions never change: publish a new version instead",
        )
    label = str(meta["label"])
    if label != folder.name:
        problem("label", f"label {label!r} does not match the folder name {folder.name!r}")
    dates: dict[str, PolicyDate] = {}
    for key in ("ratified", "next_review"):
        try:
            dates[key] = PolicyDate.parse(meta[key])
        except ValueError as error:
            problem(key, str(error))
    files: dict[str, dict[str, str]] = {}
    listed: set[Path] = {meta_path.resolve()}
    policies = meta["policies"] if isinstance(meta["policies"], dict) else {}
    for policy, views in policies.items():
        for view in VIEW_IDS:
            entry = (views or {}).get(view) or {}
            rel, expected = entry.get("file"), entry.get("sha256")
            if not rel or not expected:
                problem(policy, f"policy {policy!r} lacks the {view} view's file and hash")
                continue
            path = folder / rel
            listed.add(path.resolve())
            if not path.is_file():
                problems.append(
                    Problem(shown / rel, None, "", "is missing from the published version")
                )
                continue
            actual = sha256(path.read_bytes())
            if actual != expected:
                problems.append(
                    Problem(
                        shown / rel,
                        None,
                        "",
                        f"was edited after it was published (sha256 {actual[:12]}…, published "
                        f"as {expected[:12]}…); published versions never change: put the file "
                        "back (git checkout) and publish a new version instead",
                    )
                )
            files.setdefault(str(policy), {})[view] = str(rel)
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.resolve() not in listed:
            problems.append(
                Problem(
                    shown / path.relative_to(folder),
                    None,
                    "",
                    "was added after the version was published; remove it",
                )
            )
    if problems:
        return None, problems
    version = Version(
        label=label,
        folder=folder,
        ratified=dates["ratified"],
        next_review=dates["next_review"],
        published=str(meta.get("published") or ""),
        summary=meta.get("summary") or None,
        source_commit=meta.get("source_commit") or None,
        source_dirty=bool(meta.get("source_dirty")),
        guidance=tuple(meta.get("guidance") or ()),
        files=files,
    )
    return version, []


def read_versions(settings_dir: Path, slug: str) -> list[Version]:
    """Every published version of a setting, oldest first; VersionError if any was tampered with."""
    root = versions_dir(settings_dir, slug)
    if not root.is_dir():
        return []
    found: list[Version] = []
    problems: list[Problem] = []
    shown_root = Path(settings_dir.name) / slug / "versions"
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        version, trouble = _read_one(folder, shown_root / folder.name)
        problems += trouble
        if version:
            found.append(version)
    if problems:
        raise VersionError(problems)
    return sorted(found, key=Version.sort_key)


def policy_history(versions: Iterable[Version], policy: str) -> list[Version]:
    """The versions that published ``policy``, oldest first."""
    return sorted((v for v in versions if policy in v.files), key=Version.sort_key)


def write_version(
    settings_dir: Path,
    slug: str,
    details: Mapping[str, Any],
    texts: Mapping[str, Mapping[str, str]],
) -> Version:
    """Write a new version atomically: texts is policy id -> view id -> rendered Markdown.

    ``details`` holds label, ratified, next_review, published, summary, source_commit,
    source_dirty and guidance. An existing label is refused, never overwritten.
    """
    label = str(details["label"])
    root = versions_dir(settings_dir, slug)
    final = root / label
    if final.exists():
        raise VersionError(
            [Problem(final, None, "", f"version {label!r} is already published and cannot change")]
        )
    staging = root / f".{label}.writing"
    if staging.exists():
        raise VersionError(
            [Problem(staging, None, "", "a publish of this label was interrupted; remove it")]
        )
    staging.mkdir(parents=True)
    policies: dict[str, dict[str, dict[str, str]]] = {}
    for policy in sorted(texts):
        for view in VIEW_IDS:
            rel = f"{view}/{policy}.md"
            data = texts[policy][view].encode("utf-8")
            (staging / view).mkdir(exist_ok=True)
            (staging / rel).write_bytes(data)
            policies.setdefault(policy, {})[view] = {"file": rel, "sha256": sha256(data)}
    meta: dict[str, Any] = {**details, "label": label, "policies": policies}
    meta["digest"] = _digest(meta)
    body = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100)
    (staging / META_FILE).write_text(_HEADER + body, encoding="utf-8")
    staging.rename(final)
    version, problems = _read_one(final, final)
    if version is None:  # pragma: no cover - would be a bug in this module
        raise VersionError(problems)
    return version
