"""Write what an import recovered, for a person to decide on: the draft shared source
with its fact declarations (front matter, as the facts contract says), a review page,
and each setting's values; ``--apply`` then adds the accepted values to the settings
files, keeping their comments and layout."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from policy_sites.context.views import parse_front_matter
from policy_sites.importer.align import FactKind, NewFact
from policy_sites.importer.run import ImportResult
from policy_sites.project import Project

__all__ = [
    "DRAFT_MARK",
    "ImportRefused",
    "apply_values",
    "before_publishing",
    "draft_path",
    "refuse_overwrite",
    "review_paths",
    "write_import",
]

DRAFT_MARK = "# A draft written by policy-sites import"
"""The first line of every draft's front matter: the only kind of source it replaces."""
REVIEW_DIR = "import-review"


class ImportRefused(Exception):
    """One line: the import would overwrite something a person wrote."""


def draft_path(project: Project, policy_id: str) -> Path:
    """Where a policy's shared source (and so its draft) lives."""
    return project.docs_dir / "policies" / f"{policy_id}.md"


def review_paths(project: Project, policy_id: str) -> tuple[Path, Path]:
    """The review page and the values file."""
    folder = project.root / REVIEW_DIR
    return folder / f"{policy_id}.md", folder / f"{policy_id}.yml"


def _declaration(fact: NewFact, names: Collection[str]) -> dict[str, Any]:
    declared: dict[str, Any] = {"kind": fact.kind.value, "question": fact.question}
    if fact.kind in (FactKind.PHRASE, FactKind.LIST):
        declared["frame"] = fact.frame
        if example := fact.example(avoiding=names):
            declared["example"] = example
    if fact.optional:
        declared["optional"] = True  # a setting without it leaves it out of its file
    return declared


def _front_matter(result: ImportResult) -> str:
    recovered = result.recovered
    data: dict[str, Any] = {
        "policy_id": result.policy_id,
        "title": result.title,
        "draft": True,
    }
    facts: dict[str, Any] = dict(result.borrowed)  # other policies' facts the text uses
    if recovered.facts:
        names = {n for c in result.copies for n in c.names}
        facts[recovered.group] = {f.name: _declaration(f, names) for f in recovered.facts}
    if facts:
        data["facts"] = facts
    sources = ", ".join(c.path.name for c in result.copies)
    dumped = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return (
        f"---\n{DRAFT_MARK} from {sources}.\n# Review {REVIEW_DIR}/{result.policy_id}.md "
        "before it is published.\n" + dumped + "---\n"
    )


def refuse_overwrite(path: Path) -> None:
    """ImportRefused unless ``path`` is missing or a draft the importer wrote."""
    if not path.exists():
        return
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    try:
        meta = parse_front_matter(text)
    except yaml.YAMLError:
        meta = {}
    if not (text.startswith(f"---\n{DRAFT_MARK}") and meta.get("draft") is True):
        raise ImportRefused(
            f"{path} exists and is not a draft the importer wrote; it is left alone "
            "(import under another --policy id, or move it first)"
        )


def _write(path: Path, text: str) -> None:
    """Whole or not at all: a crash never leaves half a file. A settings file keeps its
    mode; a new file gets the usual one (mkstemp's own is owner-only)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _cell(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value is None:
        return "(not in this copy)"
    if isinstance(value, list):
        return "; ".join(_cell(v) for v in value) or "(none)"
    text = str(value).replace("|", "\\|").replace("\n", " ")
    if not text:
        return "(nothing)"
    return f"`` {text} ``" if "`" in text else f"`{text}`"  # a backtick cannot end it early


def before_publishing(policy_id: str, slugs: list[str], markdown: bool = False) -> str:
    """What must hold after ``--apply`` before the policy is published (said by the
    review page and by ``--apply`` itself); ``markdown``: commands in backticks."""
    tick = "`" if markdown else ""
    named = " ".join(slugs)
    return (
        f"{tick}policy-sites check {named}{tick} must pass (no errors) before the policy "
        f"is published; preview it with {tick}policy-sites build --drafts {named}{tick}, "
        f"and take {tick}draft: true{tick} out of {tick}docs/policies/{policy_id}.md{tick} "
        "when it is ready"
    )


def _review_page(result: ImportResult) -> str:
    slugs = [c.slug for c in result.copies]
    out = [
        f"# Import review: {result.title} (`{result.policy_id}`)",
        "",
        "The importer wrote a draft shared source and the values below. Nothing is in a "
        "settings file until you accept it: edit "
        f"`{REVIEW_DIR}/{result.policy_id}.yml` (set `accept: false`, or correct a value), "
        f"then run `policy-sites import --policy {result.policy_id} --apply`. It writes "
        "the accepted values into these settings files, and says which it changed: "
        + ", ".join(f"`settings/{s}.yml`" for s in slugs)
        + ". Then "
        + before_publishing(result.policy_id, slugs, markdown=True)
        + ".",
        "",
        "## Copies and round trip",
        "",
    ]
    for copy, trip in zip(result.copies, result.round_trips, strict=True):
        new = " (a new settings file with placeholders was written)" if copy.new_setting else ""
        out.append(f"- `{copy.path.name}` as `{copy.slug}`{new}: {trip}")
    out += ["", "## Proposed facts", ""]
    if result.recovered.facts:
        out.append("| fact | kind | " + " | ".join(slugs) + " | where |")
        out.append("| --- | --- | " + " | ".join("---" for _ in slugs) + " | --- |")
        for fact in result.recovered.facts:
            cells = " | ".join(_cell(fact.values.get(s)) for s in slugs)
            where = "; ".join(f"{s}: {w}" for s, w in fact.where.items())
            kind = f"{fact.kind.value}, optional" if fact.optional else fact.kind.value
            out.append(f"| `{fact.name}` | {kind} | {cells} | {where} |")
    else:
        out.append("None: every copy says the same, apart from the known facts below.")
    sections: list[tuple[str, list[str]]] = [
        (
            "Known facts put in as variables",
            [
                f"`{c.slug}`: " + ", ".join(f"`{{{{ {e} }}}}` = {v!r}" for e, v in used.items())
                for c in result.copies
                if (used := c.marked.used)
            ],
        ),
        (
            "Staff-only facts in the text (the source shows them in the staff view only)",
            [f"`{c.slug}` {where}" for c in result.copies for where in c.marked.staff_only],
        ),
        (
            "The policy's dates in each copy (--apply adds them to its policies: entry)",
            [
                f"`{c.slug}` line {line}: {key} {iso}"
                for c in result.copies
                for key, (iso, line) in c.marked.policy_dates.items()
            ],
        ),
        (
            "Slips (corrected in the source, not made into facts)",
            [f"`{c.slug}` {slip}" for c in result.copies for slip in c.marked.slips],
        ),
        (
            "Older guidance editions (the source cites the register's edition in force)",
            [f"`{c.slug}` {note}" for c in result.copies for note in c.marked.editions],
        ),
        (
            "Differences of punctuation or emphasis only (the first copy's kept)",
            list(result.recovered.formatting),
        ),
        (
            "Left out on purpose",
            [f"`{c.slug}` {d}" for c in result.copies for d in c.converted.dropped],
        ),
        (
            "Tracked changes, comments and Word's messages (check these in Word)",
            [f"`{c.slug}` {n}" for c in result.copies for n in c.converted.notes],
        ),
        (
            "Looks setting-specific: decide whether each should be a fact",
            [f"`{c.slug}` {p}" for c in result.copies for p in c.marked.proposals],
        ),
    ]
    for title, items in sections:
        out += ["", f"## {title}", ""]
        out += [f"- {item}" for item in items] or ["None."]
    return "\n".join(out) + "\n"


def _values_file(result: ImportResult) -> str:
    data = {
        "policy": result.policy_id,
        "group": result.recovered.group,
        "settings": [c.slug for c in result.copies],
        "dates": {
            c.slug: {key: iso for key, (iso, _) in c.marked.policy_dates.items()}
            for c in result.copies
            if c.marked.policy_dates
        },
        "facts": {
            f.name: {"accept": True, "kind": f.kind.value, "values": dict(f.values)}
            for f in result.recovered.facts
        },
    }
    return (
        "# Each setting's value for each fact the draft declares. Set accept: false to\n"
        "# leave a fact out, or correct a value; then: policy-sites import --policy "
        f"{result.policy_id} --apply\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    )


@dataclass(frozen=True)
class Written:
    """Where an import wrote its three files."""

    draft: Path
    review: Path
    values: Path


def write_import(project: Project, result: ImportResult) -> Written:
    """Write the draft, the review page and the values; refuse to overwrite a source a
    person wrote (checked before anything is written)."""
    draft = draft_path(project, result.policy_id)
    refuse_overwrite(draft)
    review, values = review_paths(project, result.policy_id)
    _write(draft, _front_matter(result) + result.recovered.text)
    _write(review, _review_page(result))
    _write(values, _values_file(result))
    return Written(draft, review, values)


def _round_trip_yaml() -> YAML:
    handler = YAML()  # round-trip mode: comments, order and quoting are kept
    handler.preserve_quotes = True
    handler.width = 4096
    handler.indent(mapping=2, sequence=4, offset=2)
    return handler


def apply_values(project: Project, policy_id: str) -> list[Path]:
    """Add the accepted values to each setting's file; return the files changed."""
    _, values_path = review_paths(project, policy_id)
    if not values_path.is_file():
        raise ImportRefused(
            f"{values_path} does not exist: run policy-sites import --policy {policy_id} "
            "with the Word files first"
        )
    try:
        data = yaml.safe_load(values_path.read_text(encoding="utf-8")) or {}
        group = data["group"]
        facts = data.get("facts") or {}
    except (yaml.YAMLError, KeyError, TypeError, AttributeError) as error:
        raise ImportRefused(f"{values_path}: cannot be read ({error})") from None
    per_setting: dict[str, dict[str, Any]] = {str(s): {} for s in data.get("settings") or []}
    dates = data.get("dates") or {}
    if not isinstance(dates, dict):
        raise ImportRefused(f"{values_path}: dates: is not a mapping of settings")
    for name, fact in facts.items():
        if not isinstance(fact, dict) or fact.get("accept") is not True:
            continue
        for slug, value in (fact.get("values") or {}).items():
            per_setting.setdefault(str(slug), {})[str(name)] = value
    handler = _round_trip_yaml()
    updated: dict[Path, str] = {}  # every file read and changed before any is written
    for slug, accepted in per_setting.items():
        path = project.settings_dir / f"{slug}.yml"
        if not path.is_file():
            raise ImportRefused(
                f"{values_path}: no settings file {path} for {slug!r}; nothing was applied"
            )
        try:
            document = handler.load(path.read_text(encoding="utf-8"))
        except (YAMLError, OSError, UnicodeDecodeError) as error:
            mark = getattr(error, "problem_mark", None)
            where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
            problem = getattr(error, "problem", None) or error
            raise ImportRefused(
                f"{where}: cannot be read ({problem}); nothing was applied"
            ) from None
        if not isinstance(document, CommentedMap):
            raise ImportRefused(f"{path}: not a mapping of settings; nothing was applied")
        own = document.get(group)
        if own is None and not accepted:
            pass  # no facts of its own to add: only the policy is listed below
        elif own is None:
            own = CommentedMap()
            document[group] = own
            document.yaml_set_comment_before_after_key(
                group, before=f"Facts of the {policy_id} policy (from policy-sites import)."
            )
        for name, value in accepted.items():
            own[name] = value  # type: ignore[index]
        policies = document.get("policies")
        if isinstance(policies, dict) and not policies.get(policy_id):
            own_dates = dates.get(slug) or {}
            if not isinstance(own_dates, dict):
                raise ImportRefused(f"{values_path}: dates: {slug}: is not a mapping of dates")
            policies[policy_id] = CommentedMap(own_dates)
        buffer = io.StringIO()
        handler.dump(document, buffer)
        updated[path] = buffer.getvalue()
    for path, text in updated.items():
        _write(path, text)
    return list(updated)
