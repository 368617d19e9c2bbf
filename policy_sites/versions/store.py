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

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from filelock import FileLock, Timeout

from policy_sites.context.views import VIEWS
from policy_sites.project import (
    NotAPlainFile,
    TooLarge,
    acquire_or_wait,
    read_bounded,
    write_atomic,
)
from policy_sites.settings.loader import Problem, SettingsError, read_yaml_document
from policy_sites.settings.names import check_slug, printable, slug_problem
from policy_sites.settings.schema import PolicyDate, Setting

__all__ = [
    "LABEL_PATTERN",
    "LOCK_FILE",
    "META_FILE",
    "NOT_RECORDED",
    "REGISTER_FILE",
    "VIEW_IDS",
    "DateDifference",
    "Version",
    "VersionError",
    "date_differences",
    "policy_history",
    "read_versions",
    "register_versions",
    "sha256",
    "shown_date",
    "versions_dir",
    "write_version",
]

META_FILE = "version.yml"
REGISTER_FILE = "published.yml"
"""Beside the version folders: every label published, oldest first, with its details' digest."""
NOT_RECORDED = "not recorded"
"""Written in place of a ratified or review date that nobody recorded (never invented)."""
VIEW_IDS = tuple(VIEWS)  # ("parents", "staff")
LABEL_PATTERN = re.compile(r"[0-9][0-9A-Za-z.-]{0,39}")
"""A version label starts with a digit, e.g. ``2022-23`` or ``2023-01-concern``. Test with
``fullmatch``: ``$`` would let a label end in a newline."""

_HEADER = (
    "# A published version of this setting's policies, written by `policy-sites publish`.\n"
    "# Never edit this folder by hand: check and build refuse a version whose files or\n"
    "# details no longer match these hashes. To change a policy, publish a new version.\n"
)

MAX_FROZEN_BYTES = 16 * 1024 * 1024
"""The most a frozen policy text is read (they are a few KB): past it, the file is refused."""

LOCK_FILE = ".publishing.lock"
"""Beside the version folders while ``publish`` or ``register`` writes: one writer at a time."""
LOCK_WAIT_SECONDS = 120.0

_REGISTER_HEADER = (
    "# Every version of this setting published so far, oldest first, written by\n"
    "# `policy-sites publish`. check and build fail if a version listed here is missing\n"
    "# or differs, so a deleted version is noticed. Never edit this file by hand.\n"
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
    ratified: PolicyDate | None
    """None when the date was not recorded."""
    next_review: PolicyDate | None
    published: str
    summary: str | None
    source_commit: str | None
    source_dirty: bool
    guidance: tuple[Mapping[str, str], ...]
    files: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """policy id -> view id -> file path relative to the version folder."""
    digest: str = ""
    """The SHA-256 of the details, as recorded in the register (``published.yml``)."""
    summaries: Mapping[str, str] = field(default_factory=dict)
    """policy id -> the publisher's summary of that policy's changes, where one was given
    for it alone (``summary`` is the one given for every policy that changed)."""

    @property
    def policies(self) -> list[str]:
        return sorted(self.files)

    def summary_of(self, policy: str) -> str | None:
        """The publisher's summary for one policy: its own, else the version's."""
        return self.summaries.get(policy) or self.summary

    def text(self, policy: str, view: str) -> str:
        """The frozen Markdown of one policy in one view."""
        return (self.folder / self.files[policy][view]).read_text(encoding="utf-8")

    def cites(self) -> str:
        """The guidance editions cited, e.g. 'KCSIE 2022, EYFS 2021, Working Together ... 2018'."""
        return ", ".join(
            f"{g.get('short_name') or g['title']} {g['edition']}" for g in self.guidance
        )

    def sort_key(self) -> tuple[dt.date, str]:
        """By ratified date; a version whose date was not recorded sorts by its label."""
        return (self.ratified.first_day if self.ratified else dt.date.min, self.label)


def shown_date(date: PolicyDate | None) -> str:
    """A version's date for readers: 'September 2022', or 'not recorded'."""
    return date.display() if date else NOT_RECORDED


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def versions_dir(settings_dir: Path, slug: str) -> Path:
    """Where a setting's published versions are kept (ValueError for a name that is no slug)."""
    return settings_dir / check_slug(slug) / "versions"


def _digest(meta: Mapping[str, Any]) -> str:
    body = {key: value for key, value in meta.items() if key != "digest"}
    return sha256(json.dumps(body, sort_keys=True, default=str).encode("utf-8"))


_SHA256 = re.compile(r"[0-9a-f]{64}")


class _Details:
    """A version.yml read within limits, with a problem per field that has the wrong shape."""

    def __init__(self, path: Path, shown: Path) -> None:
        self.shown = shown
        self.problems: list[Problem] = []
        try:
            doc = read_yaml_document(path)
        except SettingsError as error:
            self.data: dict[str, Any] = {}
            self.lines: dict = {}
            self.problems += [Problem(shown, p.line, p.field, p.message) for p in error.problems]
        else:
            self.data, self.lines = doc.data, doc.lines

    def problem(self, at: tuple[str, ...], message: str) -> None:
        line = next(
            (self.lines[at[:n]][1] for n in range(len(at), 0, -1) if at[:n] in self.lines), None
        )
        self.problems.append(Problem(self.shown, line, ".".join(at), message))

    def expect(self, at: tuple[str, ...], value: Any, kind: type | tuple, what: str) -> bool:
        if isinstance(value, kind) and not (isinstance(value, bool) and kind is not bool):
            return True
        self.problem(at, f"expected {what}, got {printable(str(value), 40)}")
        return False


def _inside(folder: Path, rel: str) -> Path | None:
    """``folder/rel`` if it stays inside ``folder`` (no '..', no absolute path, no symlink out)."""
    if not rel or rel.startswith(("/", "\\")) or ".." in re.split(r"[\\/]", rel):
        return None
    path = folder / rel
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return None
    return path


def _read_one(folder: Path, shown: Path) -> tuple[Version | None, list[Problem]]:
    meta_path = folder / META_FILE
    shown_meta = shown / META_FILE
    if not meta_path.exists():  # a pipe or a folder: reading it says what it is
        return None, [
            Problem(shown_meta, None, "", f"is missing; {shown} is not a published version")
        ]
    details = _Details(meta_path, shown_meta)
    if details.problems:
        return None, details.problems
    meta = details.data
    problems = details.problems
    for key in ("label", "ratified", "next_review", "policies", "digest"):
        if key not in meta:
            details.problem((key,), "is required but missing")
    if problems:
        return None, problems
    if meta.get("digest") != _digest(meta):
        details.problem(
            ("digest",),
            "the version's details were edited after it was published (digest mismatch); "
            "published versions never change: publish a new version instead",
        )
    label = str(meta["label"])
    if label != folder.name:
        details.problem(
            ("label",), f"label {printable(label)} does not match the folder name {folder.name!r}"
        )
    dates: dict[str, PolicyDate | None] = {}
    for key in ("ratified", "next_review"):
        if meta[key] == NOT_RECORDED:
            dates[key] = None
            continue
        try:
            dates[key] = PolicyDate.parse(meta[key])
        except (ValueError, TypeError) as error:
            details.problem((key,), str(error))
    for key in ("summary", "source_commit", "published"):
        if meta.get(key) is not None:
            details.expect((key,), meta[key], (str, dt.date), "text")
    summaries = meta.get("summaries") or {}
    if details.expect(("summaries",), summaries, dict, "a mapping of policy to summary"):
        for policy, text in summaries.items():
            details.expect(("summaries", str(policy)), text, str, "text")
    else:
        summaries = {}
    guidance = meta.get("guidance") or []
    if details.expect(("guidance",), guidance, list, "a list of guidance editions"):
        for index, entry in enumerate(guidance):
            at = ("guidance", str(index))
            if details.expect(at, entry, dict, "a mapping with title and edition") and not all(
                isinstance(entry.get(k), str) for k in ("title", "edition")
            ):
                details.problem(at, "expected a title and an edition, each as text")
    files: dict[str, dict[str, str]] = {}
    listed: set[Path] = {meta_path.resolve()}
    policies = meta["policies"]
    if not details.expect(("policies",), policies, dict, "a mapping of policies"):
        policies = {}
    for policy, views in policies.items():
        if not details.expect(("policies", policy), views, dict, "a mapping of views"):
            continue
        for view in VIEW_IDS:
            at = ("policies", policy, view)
            entry = views.get(view)
            if not details.expect(at, entry, dict, "a mapping with file and sha256"):
                continue
            rel, expected = entry.get("file"), entry.get("sha256")
            if not isinstance(rel, str) or not isinstance(expected, str):
                details.problem(at, "expected a file and its sha256, each as text")
                continue
            if not _SHA256.fullmatch(expected):
                details.problem((*at, "sha256"), "expected 64 hexadecimal digits")
                continue
            path = _inside(folder, rel)
            if path is None:
                details.problem(
                    (*at, "file"),
                    f"expected a file inside {shown}/, got {printable(rel)}; a published "
                    "version holds its own copy of every text",
                )
                continue
            listed.add(path.resolve())
            if not path.exists():
                problems.append(
                    Problem(shown / rel, None, "", "is missing from the published version")
                )
                continue
            try:
                actual = sha256(read_bounded(path, MAX_FROZEN_BYTES))
            except NotAPlainFile as error:  # a pipe, a device, a folder
                problems.append(Problem(shown / rel, None, "", str(error)))
                continue
            except OSError as error:  # TooLarge, or unreadable
                reason = f"is {error}" if isinstance(error, TooLarge) else error.strerror
                problems.append(Problem(shown / rel, None, "", f"cannot be read: {reason}"))
                continue
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
            files.setdefault(str(policy), {})[view] = rel
    # With policies malformed, their files are not "added": say only what is malformed.
    malformed = any(p.field.startswith("policies") for p in problems)
    for path in [] if malformed else sorted(folder.rglob("*")):
        if (path.is_file() or path.is_symlink()) and path.resolve() not in listed:
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
        guidance=tuple(guidance),
        files=files,
        digest=meta["digest"],
        summaries={str(policy): text for policy, text in summaries.items()},
    )
    return version, []


def _read_register(
    root: Path, shown_root: Path
) -> tuple[list[dict[str, str]] | None, list[Problem]]:
    """The register's entries (label and digest, oldest first); None if there is none."""
    path = root / REGISTER_FILE
    shown = shown_root / REGISTER_FILE
    if not path.exists():  # a pipe or a folder: reading it says what it is
        return None, []
    details = _Details(path, shown)
    if details.problems:
        return [], details.problems
    entries = details.data.get("versions")
    if not details.expect(("versions",), entries, list, "a list of label and digest"):
        return [], details.problems
    for index, entry in enumerate(entries):
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("label"), str)
            and isinstance(entry.get("digest"), str)
        ):
            details.problem(("versions", str(index)), "expected a label and a digest, each as text")
    return entries, details.problems


def _read_folders(root: Path, shown_root: Path) -> tuple[list[Version], list[Path], list[Problem]]:
    """Every version folder, and the versions among them that read cleanly."""
    found: list[Version] = []
    problems: list[Problem] = []
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    for folder in folders:
        version, trouble = _read_one(folder, shown_root / folder.name)
        problems += trouble
        if version:
            found.append(version)
    return found, folders, problems


def read_versions(settings_dir: Path, slug: str) -> list[Version]:
    """Every published version of a setting, oldest first; VersionError if any was tampered
    with, is missing from the register, or is listed in it but gone, or if the settings
    file records ratified dates beside no versions at all. A publish that was stopped
    half-way is finished or rolled back first (``_finish_interrupted``)."""
    if slug_problem(slug):
        raise VersionError([Problem(settings_dir, None, "", str(slug_problem(slug)))])
    root = versions_dir(settings_dir, slug)
    shown_root = Path(settings_dir.name) / slug / "versions"
    if not root.is_dir():
        _raise_if_versions_lost(settings_dir, slug, shown_root, "is missing")
        return []
    _finish_interrupted(root)
    register, problems = _read_register(root, shown_root)
    found, folders, trouble = _read_folders(root, shown_root)
    problems += trouble
    if register is None and not folders and not problems:
        _raise_if_versions_lost(settings_dir, slug, shown_root, "is empty")
    if register is None:
        if folders:
            problems.append(
                Problem(
                    shown_root / REGISTER_FILE,
                    None,
                    "",
                    "is missing: it lists every published version, so that a deleted one is "
                    "noticed. Restore it from git; for versions published before it existed, "
                    f"run 'policy-sites register {slug}'",
                )
            )
    elif not any(p.file.name == REGISTER_FILE for p in problems):
        problems += _register_problems(register, found, folders, shown_root, slug)
    if problems:
        raise VersionError(problems)
    return sorted(found, key=Version.sort_key)


def _ratified_in_settings(settings_dir: Path, slug: str) -> list[tuple[str, int | None]]:
    """Each ``policies.<id>.ratified`` the settings file records, with its line."""
    path = settings_dir / f"{slug}.yml"
    try:
        doc = read_yaml_document(path)
    except SettingsError:
        return []  # loading the setting says what is wrong with it
    policies = doc.data.get("policies")
    if not isinstance(policies, dict):
        return []
    return [
        (
            f"policies.{policy}.ratified",
            doc.lines.get(("policies", policy, "ratified"), (0, None))[1],
        )
        for policy, dates in policies.items()
        if isinstance(dates, dict) and dates.get("ratified") not in (None, "")
    ]


def _raise_if_versions_lost(settings_dir: Path, slug: str, shown_root: Path, state: str) -> None:
    """A settings file records ratified dates, which only publishing gives, yet its versions
    folder is gone or empty: the register that would name each lost version went with it,
    so without this the loss would pass unnoticed and the site would quietly show working
    copies. VersionError naming the folder, the dates and how to restore them."""
    ratified = _ratified_in_settings(settings_dir, slug)
    if not ratified:
        return
    field, line = ratified[0]
    more = f" and {len(ratified) - 1} more" if len(ratified) > 1 else ""
    settings_file = Path(settings_dir.name) / f"{slug}.yml"
    where = f"{settings_file}:{line}" if line else str(settings_file)
    raise VersionError(
        [
            Problem(
                shown_root,
                None,
                "",
                f"{state}, but {where} records a ratified date ({field}{more}), which only "
                f"publishing gives: its published versions were deleted. Restore them from "
                f"git (git checkout -- {shown_root}, or git log -- {shown_root} to find "
                f"them); if none was ever published, remove the ratified dates and publish",
            )
        ]
    )


def _register_problems(
    register: list[dict[str, str]],
    found: list[Version],
    folders: list[Path],
    shown_root: Path,
    slug: str,
) -> list[Problem]:
    """A listed version whose folder is gone or whose details differ; a folder not listed.

    ``found`` are the versions that read cleanly; ``folders`` every version folder, so
    one that could not be read (reported on its own) is not also called missing.
    """
    problems = []
    present = {version.label: version for version in found}
    there = {folder.name for folder in folders}
    listed = {entry["label"] for entry in register}
    latest = register[-1]["label"] if register else None
    for entry in register:
        label = entry["label"]
        version = present.get(label)
        if label in there and version is None:
            continue  # unreadable: its own problems say why
        if version is None:
            which = "the latest published version" if label == latest else "a published version"
            problems.append(
                Problem(
                    shown_root / label,
                    None,
                    "",
                    f"is missing: {which} ({REGISTER_FILE} lists it); published versions "
                    f"are never removed: restore it (git checkout -- {shown_root}/{label})",
                )
            )
        elif version.digest != entry["digest"]:
            problems.append(
                Problem(
                    shown_root / label / META_FILE,
                    None,
                    "digest",
                    f"is not the version that was published ({REGISTER_FILE} records another "
                    "digest); restore it from git",
                )
            )
    for label in sorted(there - listed):
        problems.append(
            Problem(
                shown_root / label,
                None,
                "",
                f"is not listed in {REGISTER_FILE}; publish versions with 'policy-sites "
                f"publish', or run 'policy-sites register {slug}' for one published before "
                "the register existed",
            )
        )
    return problems


@contextlib.contextmanager
def _writing(root: Path, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the setting's versions folder for one writer: two publishes at once would each
    read the register and write it back, and one version would be lost from it. An OS file
    lock (``filelock``), released however the process ends. ``on_wait`` hears, once, that
    another publish holds it, so a waiting editor is told why nothing happens."""
    root.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(root / LOCK_FILE))
    waiting = f"another publish is writing into {root}; waiting for it to finish"
    try:
        acquire_or_wait(lock, LOCK_WAIT_SECONDS, on_wait, waiting)
    except Timeout:
        message = f"another publish has held this folder for over {LOCK_WAIT_SECONDS:.0f} s"
        raise VersionError([Problem(root, None, "", message + "; nothing was written")]) from None
    try:
        yield
    finally:
        lock.release()


def _unwritable(where: Path, error: OSError) -> VersionError:
    """A write that failed (a full disk, a read-only folder) as one problem, not a traceback."""
    reason = error.strerror or type(error).__name__
    return VersionError(
        [Problem(where, None, "", f"could not be written ({reason}); nothing changed")]
    )


def register_versions(settings_dir: Path, slug: str) -> list[str]:
    """Add every published version not yet in the register, oldest first; return their labels.

    For versions published before registers existed. Each is hash-checked first; a label
    already listed is never changed and none is ever removed.
    """
    root = versions_dir(settings_dir, slug)
    if not root.is_dir():
        return []
    _finish_interrupted(root)  # a stopped publish's version is listed already
    with _writing(root):
        return _register_unlisted(root, Path(settings_dir.name) / slug / "versions", slug)


def _register_unlisted(root: Path, shown_root: Path, slug: str) -> list[str]:
    """``register_versions``' work, done while holding the folder."""
    register, problems = _read_register(root, shown_root)
    if problems:
        raise VersionError(problems)
    found, folders, problems = _read_folders(root, shown_root)
    entries = list(register or [])
    problems += [
        p
        for p in _register_problems(entries, found, folders, shown_root, slug)
        if "is not listed" not in p.message
    ]
    if problems:
        raise VersionError(problems)
    listed = {entry["label"] for entry in entries}
    added = [v for v in sorted(found, key=Version.sort_key) if v.label not in listed]
    try:
        _write_register(root, entries + [{"label": v.label, "digest": v.digest} for v in added])
    except OSError as error:
        raise _unwritable(root / REGISTER_FILE, error) from None
    return [v.label for v in added]


def _write_register(root: Path, entries: list[dict[str, str]]) -> None:
    body = yaml.safe_dump({"versions": entries}, sort_keys=False, width=100)
    write_atomic(root / REGISTER_FILE, _REGISTER_HEADER + body)


def policy_history(versions: Iterable[Version], policy: str) -> list[Version]:
    """The versions that published ``policy``, oldest first."""
    return sorted((v for v in versions if policy in v.files), key=Version.sort_key)


@dataclass(frozen=True)
class DateDifference:
    """A policy's date in the settings file that its latest published version does not
    give: the file and the site would tell two stories."""

    policy: str
    key: str
    """'ratified' or 'next_review'."""
    written: PolicyDate
    published: PolicyDate | None
    label: str
    """The published version's label."""

    @property
    def field(self) -> tuple[str, str, str]:
        return ("policies", self.policy, self.key)

    @property
    def shown(self) -> str:
        """The published date as the version gives it."""
        return self.published.iso() if self.published else NOT_RECORDED


def date_differences(setting: Setting, versions: Iterable[Version]) -> list[DateDifference]:
    """Each ``ratified`` or ``next_review`` the settings give for a policy that differs from
    the latest of ``versions`` to publish that policy (policies never published: none)."""
    versions = list(versions)
    found = []
    for policy, dates in setting.policies.items():
        history = policy_history(versions, policy)
        if not history:
            continue
        latest = history[-1]
        for key in ("ratified", "next_review"):
            written, published = getattr(dates, key), getattr(latest, key)
            if written is not None and written != published:
                found.append(DateDifference(policy, key, written, published, latest.label))
    return found


def write_version(
    settings_dir: Path,
    slug: str,
    details: Mapping[str, Any],
    texts: Mapping[str, Mapping[str, str]],
    on_wait: Callable[[str], None] | None = None,
) -> Version:
    """Write a new version atomically: texts is policy id -> view id -> rendered Markdown.

    ``details`` holds label, ratified, next_review, published, summary, source_commit,
    source_dirty and guidance (and summaries, where a policy has one of its own). An
    existing label is refused, never overwritten. One publish at a time per setting
    (``on_wait`` hears if this one has to wait); a write that fails (a full disk) leaves
    nothing behind and the register as it was.
    """
    label = str(details["label"])
    root = versions_dir(settings_dir, slug)
    with _writing(root, on_wait):
        final = root / label
        if final.exists():
            message = f"version {label!r} is already published and cannot change"
            raise VersionError([Problem(final, None, "", message)])
        # Under the lock, a staging folder can only be an interrupted publish's: its own.
        staging = root / f".{label}.writing"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            return _write_staged(root, staging, final, details, texts)
        except OSError as error:
            raise _unwritable(final, error) from None
        finally:  # stopped (Ctrl-C) or failed: completed if registered, else rolled back
            _settle(root, {staging: label})


def _write_staged(
    root: Path,
    staging: Path,
    final: Path,
    details: Mapping[str, Any],
    texts: Mapping[str, Mapping[str, str]],
) -> Version:
    """Write the version into ``staging``, then move it into place and register it."""
    label = final.name
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
    register, problems = _read_register(root, root)
    if problems:
        raise VersionError(problems)
    # The register is written first, then the folder renamed into place: stopped between
    # the two, the version is listed and its staging folder whole, which the next command
    # completes (``_finish_interrupted``). The other order left a folder nobody listed,
    # and every build failed until someone ran 'register'.
    _write_register(root, [*(register or []), {"label": label, "digest": meta["digest"]}])
    try:
        staging.rename(final)
    except OSError:
        _restore_register(root, register)  # not published after all: the caller removes it
        raise
    version, problems = _read_one(final, final)
    if version is None:  # pragma: no cover - would be a bug in this module
        raise VersionError(problems)
    return version


def _restore_register(root: Path, register: list[dict[str, str]] | None) -> None:
    """The register as it was before a publish that could not finish."""
    if register is None:
        (root / REGISTER_FILE).unlink(missing_ok=True)
    else:
        _write_register(root, register)


_STAGING = re.compile(r"\.(?P<label>.+)\.writing")
"""A version being written by ``publish``: ``.<label>.writing`` beside the versions."""


def _finish_interrupted(root: Path) -> None:
    """Complete or roll back a publish that was stopped, so no hand step is needed.

    Stopped after the register listed the version but before its folder was renamed into
    place: the staging folder, whose details carry the listed digest, is renamed in
    (completed). Stopped before the register listed it: the staging folder is removed
    (rolled back; the published versions are as they were). Done under the publishing
    lock; while another publish holds it, a staging folder is its work in progress and
    is only waited for if the register already lists it."""
    stagings: dict[Path, str] = {}
    for entry in root.iterdir():
        found = _STAGING.fullmatch(entry.name)
        if found and LABEL_PATTERN.fullmatch(found["label"]) and not entry.is_symlink():
            stagings[entry] = found["label"]
    if not stagings:
        return
    register, problems = _read_register(root, root)
    if problems:
        return  # the register's own problem is reported by the read
    pending = any(entry["label"] in stagings.values() for entry in register or [])
    lock = FileLock(str(root / LOCK_FILE))
    try:
        lock.acquire(timeout=LOCK_WAIT_SECONDS if pending else 0)
    except (Timeout, OSError):
        return  # a publish is writing (its staging is no leftover), or the folder is read-only
    try:
        _settle(root, stagings)
    finally:
        lock.release()


def _settle(root: Path, stagings: Mapping[Path, str]) -> None:
    """``_finish_interrupted``'s work, done while holding the publishing lock: each staging
    folder (label by folder) is renamed into place if the register lists its label with
    its digest and no folder holds it yet; else removed, unless the register cannot be read."""
    register, problems = _read_register(root, root)
    if problems:
        return
    listed = {entry["label"]: entry["digest"] for entry in register or []}
    try:
        for staging, label in stagings.items():
            if not staging.is_dir():
                continue
            final = root / label
            if label in listed and not os.path.lexists(final):
                details = _Details(staging / META_FILE, staging / META_FILE)
                if not details.problems and details.data.get("digest") == listed[label]:
                    staging.rename(final)
                    continue
            if label not in listed or os.path.lexists(final):
                shutil.rmtree(staging, ignore_errors=True)
    except OSError:
        pass  # a read-only checkout: the read that follows reports what is missing
