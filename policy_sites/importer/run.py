"""One import, start to end: read and convert each setting's copy, put in its known
facts, recover the shared source, and prove it by rendering every setting back."""

from __future__ import annotations

import datetime as dt
import importlib.util
import keyword
import re
from collections.abc import Collection, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import jinja2

from policy_sites.check.source_usage import uses_in
from policy_sites.importer.align import Copy, Recovered, recover
from policy_sites.importer.docx_file import DocxRefused, read_docx
from policy_sites.importer.known_facts import Marked, mark_known_facts
from policy_sites.importer.markdown import Converted, convert, split_marker
from policy_sites.project import Project
from policy_sites.settings.facts import DeclaredFact, PolicySource, read_catalog
from policy_sites.settings.loader import DEFAULTS_FILE, load_setting, read_mapping
from policy_sites.settings.new_setting import (
    DSLDetails,
    NewSettingDetails,
    ProvisionDetails,
    write_new_setting,
)
from policy_sites.settings.schema import PLACEHOLDER, Setting

__all__ = [
    "FilesRefused",
    "ImportResult",
    "ImportedCopy",
    "Renderer",
    "RoundTrip",
    "fact_group",
    "import_policy",
]


def fact_group(policy_id: str, taken: Collection[str] = ()) -> str:
    """The settings files' key for a policy's own facts: its id as a name, never one of
    the core schema's keys nor one that another policy declares (``taken``): a policy
    called 'phones' gets 'phones_facts'."""
    group = re.sub(r"\W", "_", policy_id.replace("-", "_"))
    if not group.isidentifier() or keyword.iskeyword(group):
        group = f"policy_{group}"
    if group in Setting.model_fields or group in _CONTEXT_NAMES or group in taken:
        group = f"{group}_facts"
    return group


_CONTEXT_NAMES = {"guidance", "for_staff", "view", "school_age", "early_years", "say"}
"""Names the render context has besides the settings' own keys."""


@dataclass
class ImportedCopy:
    """One setting's copy on its way in."""

    slug: str
    path: Path
    converted: Converted
    marked: Marked
    new_setting: bool = False
    names: tuple[str, ...] = ()
    """The setting's name and its DSLs': no shared source (nor an example in it) holds one."""


@dataclass(frozen=True)
class RoundTrip:
    """One setting rendered back from the recovered source."""

    slug: str
    exact: bool
    reproduced: int
    words: int
    first_difference: str | None = None

    @property
    def share(self) -> float:
        return self.reproduced / self.words if self.words else 1.0

    def __str__(self) -> str:
        state = "exact" if self.exact else f"DIFFERS at {self.first_difference}"
        return (
            f"{self.slug}: {self.reproduced}/{self.words} words of the imported text "
            f"reproduced ({self.share:.1%}); the corrected copy {state}"
        )


@dataclass
class ImportResult:
    """What an import found and recovered."""

    policy_id: str
    title: str
    recovered: Recovered
    copies: list[ImportedCopy]
    round_trips: list[RoundTrip] = field(default_factory=list)
    borrowed: dict[str, Any] = field(default_factory=dict)
    """Declarations of the facts other policies declare that the draft uses (a known
    fact put in as a variable), copied as written: each policy declares what it uses."""


def borrowed_declarations(others: Sequence[PolicySource], text: str) -> dict[str, Any]:
    """The ``facts:`` entries the draft's ``text`` needs from ``others``' declarations:
    each fact it uses by name, and a whole group it only tests (``{% if photos %}``),
    with the group's own ``optional``/``needed_when``."""
    declared = {fact.path: (policy, fact) for policy in others for fact in policy.facts}
    tops = {path[0] for path in declared}
    chosen: dict[tuple[str, ...], tuple[PolicySource, DeclaredFact]] = {}
    for use in uses_in(text):
        if use.path[0] not in tops:
            continue
        exact = declared.get(use.path[:2]) or declared.get(use.path[:1])
        if exact is not None:
            chosen.setdefault(exact[1].path, exact)
        else:  # the group alone: all of it
            chosen.update({p: found for p, found in declared.items() if p[0] == use.path[0]})
    out: dict[str, Any] = {}
    for policy, fact in chosen.values():
        spec = fact.declaration.model_dump(mode="json", exclude_unset=True)
        if fact.group is None:
            out[fact.name] = spec
            continue
        group = out.setdefault(fact.group, {})
        if fact.group in policy.optional_groups:
            group["optional"] = True
        if fact.needed_when:
            group["needed_when"] = fact.needed_when
        group[fact.name] = spec
    return out


def _new_setting(project: Project, slug: str, policy_id: str) -> None:
    """A settings file with placeholders, as ``policy-sites new`` writes one, publishing
    the imported policy. Its local authority is written out as the federation's default
    (the copies come from the federation's own settings), so that the file is read and
    its facts found; the review says to check it, as every value ``new`` could not ask."""
    defaults = read_mapping(project.settings_dir / DEFAULTS_FILE) or {}
    area = defaults.get("local_authority")
    details = NewSettingDetails(
        PLACEHOLDER,
        [ProvisionDetails(PLACEHOLDER)],
        [DSLDetails(PLACEHOLDER, None, PLACEHOLDER)],
        ratifying_body=None,
        local_authority=area if isinstance(area, str) else None,
    )
    write_new_setting(project.settings_dir, slug, details, [policy_id])


def _macros_filters(project_root: Path) -> dict[str, Any]:
    """The project's own filters (its macros module), as mkdocs-macros registers them."""
    path = project_root / "macros" / "__init__.py"
    found: dict[str, Any] = {}
    if not path.is_file():
        return found
    spec = importlib.util.spec_from_file_location("_policy_sites_macros", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    class _Env:
        def filter(self, function: Any) -> None:
            found[function.__name__] = function

    module.define_env(_Env())
    return found


class Renderer:
    """A plain Jinja render of template text with one setting's values (the proof's)."""

    def __init__(self, project_root: Path, today: dt.date) -> None:
        # Strict, as mkdocs.yml has mkdocs-macros render (on_undefined: strict).
        self.env = jinja2.Environment(
            keep_trailing_newline=True, autoescape=False, undefined=jinja2.StrictUndefined
        )
        self.env.filters.update(_macros_filters(project_root))
        self.today = today
        self.contexts: dict[str, dict[str, Any]] = {}
        self.templates: dict[str, jinja2.Template] = {}

    def add(self, slug: str, setting: Setting) -> None:
        context = setting.model_dump(mode="json")
        context["guidance"] = [e.cited() for e in setting.guidance_in_force(self.today)]
        self.contexts[slug] = context

    def render(
        self, slug: str, text: str, extra: dict[str, Any] | None = None, staff: bool = True
    ) -> str:
        """``text`` for this setting; ``staff``: as the staff view shows it (the copy as
        imported), else as parents see it (a fact's value never holds staff-only text)."""
        context = dict(self.contexts[slug], **(extra or {}), for_staff=staff)
        template = self.templates.get(text)
        if template is None:  # the copies share most lines: each is compiled once
            template = self.templates[text] = self.env.from_string(text)
        return template.render(context)


class FilesRefused(Exception):
    """Every file that cannot be imported, each with its one line; nothing was written."""

    def __init__(self, refused: list[DocxRefused]) -> None:
        self.refused = refused
        super().__init__("; ".join(map(str, refused)))


def _read(item: tuple[str, Path]) -> tuple[str, Path, Converted | DocxRefused]:
    slug, path = item
    try:
        return slug, path, convert(read_docx(path))
    except DocxRefused as refused:  # every file is read, so that each refusal is told
        return slug, path, refused


def _title(lines: Sequence[str], name: str) -> str:
    for line in lines:
        if line.startswith("#"):
            text = line.lstrip("#").strip()
            if "{{" not in text and text.upper() != text and text.lower() != name.lower():
                return text
    return "Imported policy"


def _word_list(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower().replace("\u2019", "'"))


def _content_words(line: str) -> list[str]:
    """A line's words, not its Markdown marks: '1. ' and '- ' follow the first copy."""
    return _word_list(split_marker(line)[1])


def _round_trip(
    renderer: Renderer, copy: ImportedCopy, recovered: Recovered, values: dict[str, Any]
) -> RoundTrip:
    rendered = renderer.render(copy.slug, recovered.text, {recovered.group: values})
    got = [_content_words(line) for line in rendered.splitlines() if line.strip()]
    expected = [_content_words(renderer.render(copy.slug, line)) for line in copy.marked.lines]
    first = None if len(got) == len(expected) else f"{len(got)} lines, {len(expected)} expected"
    for n, (a, b) in enumerate(zip(got, expected, strict=False)):
        if a != b:
            first = f"line {n + 1}: {' '.join(a)!r} != {' '.join(b)!r}"
            break
    imported, back = _word_list(copy.converted.text), _word_list(rendered)
    matcher = SequenceMatcher(None, imported, back, autojunk=False)
    same = sum(block.size for block in matcher.get_matching_blocks())
    return RoundTrip(copy.slug, first is None, same, len(imported), first)


def _as_kept(value: Any) -> Any:
    """A value as the settings model keeps it (its text stripped of spaces: the model's
    ``str_strip_whitespace``), so that the round trip proves what the sites will show."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return [_as_kept(item) for item in value]
    return value


def import_policy(
    project: Project,
    policy_id: str,
    sources: Sequence[tuple[str, Path]],
    today: dt.date,
    workers: int = 1,
) -> ImportResult:
    """Import one policy's copies (slug, .docx) and recover its shared source.

    FilesRefused (every file refused, each with its line) and SettingsError stop it
    before anything is written; a slug without a settings file gets one with
    placeholders."""
    if workers > 1 and len(sources) > 2:
        with ProcessPoolExecutor(workers) as pool:
            read = list(pool.map(_read, sources))
    else:
        read = [_read(item) for item in sources]
    if refused := [r for _, _, r in read if isinstance(r, DocxRefused)]:
        raise FilesRefused(refused)
    renderer = Renderer(project.root, today)
    fresh = {s for s, _ in sources if not (project.settings_dir / f"{s}.yml").is_file()}
    for slug, _ in sources:  # every existing settings file is valid before any is written
        if slug not in fresh:
            load_setting(project.settings_dir, slug)
    for slug in (s for s, _ in sources if s in fresh):
        _new_setting(project, slug, policy_id)
    others = [p for p in read_catalog(project.docs_dir).policies if p.id != policy_id]
    group = fact_group(policy_id, {fact.path[0] for p in others for fact in p.facts})
    copies: list[ImportedCopy] = []
    for slug, path, converted in read:
        assert isinstance(converted, Converted)
        setting = load_setting(project.settings_dir, slug)
        renderer.add(slug, setting)
        marked = mark_known_facts(converted.lines, setting, today, group)
        names = (setting.name, *(dsl.name for dsl in setting.dsls))
        copies.append(ImportedCopy(slug, path, converted, marked, slug in fresh, names))
    recovered = recover(
        [Copy(c.slug, c.path.name, c.marked.lines, c.names) for c in copies],
        group,
        lambda slug, text: renderer.render(slug, text, staff=False),
    )
    name = copies[0].marked.used.get("name", "")
    result = ImportResult(policy_id, _title(copies[0].converted.lines, name), recovered, copies)
    result.borrowed = borrowed_declarations(others, recovered.text)
    for copy in copies:
        values = {f.name: _as_kept(f.values.get(copy.slug, "")) for f in recovered.facts}
        result.round_trips.append(_round_trip(renderer, copy, recovered, values))
    return result
