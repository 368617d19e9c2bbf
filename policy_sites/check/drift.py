"""Drift: what ``policy-sites check`` finds beyond invalid settings, each with a fix.

- a setting's own name, or a DSL's name, written literally in a shared source;
- a settings variable used in a source but defined nowhere, or written in a settings
  file but used by no source;
- the newest published version of a policy citing a guidance edition that a newer one in
  the federation's guidance register has replaced by today (a warning);
- a guidance register that has fallen behind: a newer edition due by today, by the
  guidance's rhythm or its ``expected_by`` date, that the register does not hold (a warning);
- a next-review date in the past (a warning);
- a setting that gives no contact details, or nobody to go to about its leaders (an error);
- a link, or a nav entry in mkdocs.yml, to a page that does not exist.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path

import jinja2

from policy_sites.check.findings import ERROR, WARNING, Finding, shown
from policy_sites.check.link_check import link_drift
from policy_sites.check.source_usage import (
    ITEM,
    KEY,
    Tree,
    Use,
    lookup,
    merge_trees,
    schema_tree,
    source_files,
    uses_in,
    value_tree,
)
from policy_sites.context.phrases import FACTS_READ, join_and
from policy_sites.context.variables import build_context
from policy_sites.context.views import STAFF, parse_front_matter, split_front_matter
from policy_sites.project import Project
from policy_sites.settings.facts import DeclarationError, read_catalog
from policy_sites.settings.loader import DEFAULTS_FILE, SettingsError, field_lines
from policy_sites.settings.reachable import unreachable
from policy_sites.settings.schema import (
    ContactRoutes,
    GuidanceEdition,
    Setting,
    editions_due,
    replacement_for,
)
from policy_sites.versions.store import Version, date_differences, policy_history, read_versions

__all__ = [
    "CODE_READS",
    "PROVIDED",
    "find_drift",
    "guidance_drift",
    "literal_names",
    "missing_contacts",
    "overdue_reviews",
    "published_dates_drift",
    "register_behind",
    "variable_drift",
]

PROVIDED = frozenset(
    {
        # mkdocs-macros
        "config", "environment", "extra", "files", "filters", "filters_builtin", "git",
        "macros", "navigation", "page", "plugin",
        # Jinja's own globals
        "cycler", "dict", "joiner", "lipsum", "namespace", "range",
    }
)  # fmt: skip
"""Names every source may use without a settings file defining them."""

CODE_READS = (
    frozenset(
        {
            ("provisions",),
            ("site_root_url",),
            ("federation",),
            ("publishing",),
            ("guidance_register",),
            ("other_policies",),
        }
    )
    | {("contact_routes", route, "visibility") for route in ContactRoutes.model_fields}
    | FACTS_READ
)
"""Settings fields policy-sites itself reads (so no source needs to): the provisions give
``school_age`` and ``several_provisions``; ``site_root_url`` gives the sitemap;
``federation`` titles the portal page; ``publishing`` steers the portal, the view switch
and ``policy-sites deploy``; ``guidance_register`` gives ``guidance``, the editions in
force; a contact route's ``visibility`` keeps a staff-only route off the parents' view
(context/variables.py); ``other_policies`` gives ``related_policy_links``;
context/phrases.py words the structured facts."""


# --- literal names -------------------------------------------------------------------------


def literal_names(project: Project, settings: Mapping[str, Setting]) -> list[Finding]:
    """A setting's name or a DSL's name typed into a shared source."""
    wanted: dict[str, tuple[str, str]] = {}
    for slug, setting in settings.items():
        wanted.setdefault(setting.name, (f"the name of {slug}", "{{ name }}"))
        for dsl in setting.dsls:
            wanted.setdefault(
                dsl.name,
                (f"the name of a DSL of {slug}", "{{ say.dsl_names() }} (or loop over dsls)"),
            )
    # Whole words only, compiled once (there may be hundreds of names).
    patterns = [(re.compile(rf"(?<!\w){re.escape(text)}(?!\w)"), text) for text in wanted]
    findings = []
    for path in source_files(project.docs_dir):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for pattern, text in patterns:
                what, variable = wanted[text]
                if pattern.search(line):
                    findings.append(
                        Finding(
                            shown(project, path),
                            number,
                            ERROR,
                            f"'{text}' is {what}, written into a shared source, so every "
                            "setting's site would show it",
                            f"write {variable} instead",
                        )
                    )
    return findings


# --- variables -------------------------------------------------------------------------------


def _dotted(path: tuple[str, ...]) -> str:
    return ".".join(path).replace(f".{ITEM}", "[]").replace(f".{KEY}", "[...]")


def defined_tree(settings: Iterable[Setting], today: dt.date) -> Tree:
    """Every variable a source may use: the schema's fields (the core's and those the
    policies declare, which each setting's model holds) and the context's own names."""
    tree = schema_tree(Setting)
    for setting in settings:
        tree = merge_trees(tree, schema_tree(type(setting)))
        context = build_context(setting, STAFF, today)
        tree = merge_trees(
            tree,
            value_tree(
                context,
                frozenset({("policies",), ("related_policy_links",), ("policy_titles",)}),
            ),
        )
    return tree


def _normalised(path: tuple[str | int, ...], tree: Tree) -> tuple[str, ...]:
    """A written field path in tree terms: list indexes as ITEM, data keys as KEY."""
    out: list[str] = []
    node = tree
    for part in path:
        if node is None:
            out.append(str(part))
            continue
        if isinstance(part, int) and ITEM in node:
            out.append(ITEM)
            node = node[ITEM]
        elif str(part) in node:
            out.append(str(part))
            node = node[str(part)]
        elif KEY in node:
            out.append(KEY)
            node = node[KEY]
        else:
            out.append(str(part))
            node = None
    return tuple(out)


def _same(use: str, written: str) -> bool:
    return use == written or (use == ITEM and written == KEY) or (use == KEY and written == ITEM)


def _covers(use: Use, written: tuple[str, ...]) -> bool:
    """Whether a use in a source counts as using a written settings field."""
    shared = min(len(use.path), len(written))
    if not all(_same(a, b) for a, b in zip(use.path[:shared], written[:shared], strict=True)):
        return False
    return len(written) <= len(use.path) or use.whole


def variable_drift(
    project: Project,
    settings: Mapping[str, Setting],
    today: dt.date,
    only: Collection[str] | None = None,
) -> list[Finding]:
    """Variables used in sources but defined nowhere, and settings no source uses (in
    the files of the settings ``only`` names and the federation's, if it names any).

    With no valid setting (the one being checked has errors of its own), nothing defines
    anything, and every use in every source would be reported: none is, since the
    setting's own errors say what to mend."""
    if not settings:
        return []
    tree = defined_tree(settings.values(), today)
    assert tree is not None
    texts = {path: path.read_text(encoding="utf-8") for path in source_files(project.docs_dir)}
    meta_names = {key for text in texts.values() for key in parse_front_matter(text)}
    findings: list[Finding] = []
    uses: list[Use] = []
    borrowed = _declared_elsewhere(project)
    for path, text in texts.items():
        _, source, first = split_front_matter(text)
        try:
            found = uses_in(source, first)
        except jinja2.TemplateSyntaxError as error:
            findings.append(
                Finding(
                    shown(project, path),
                    (error.lineno or 1) + first - 1,
                    ERROR,
                    f"Jinja cannot read this source: {error.message}",
                    "close every {{ }}, {% %} and {# #}, and end every {% if %} and {% for %}",
                )
            )
            continue
        uses += found
        for use in found:
            top = use.path[0]
            if top in PROVIDED or top in meta_names:
                continue
            depth = lookup(tree, use.path)
            if depth is None:
                continue
            findings.append(_undefined(project, path, use, depth, tree))
        findings += _undeclared_here(project, path, found, borrowed)
    findings += _unused(project, uses, tree, only)
    findings += _unused_declarations(project, uses)
    return sorted(set(findings))


def _declared_elsewhere(project: Project) -> dict[Path, dict[str, list[str]]]:
    """For each policy's source, the facts it does not declare that other policies do
    (by top-level name), with the files that declare them; read once per check."""
    try:
        policies = read_catalog(project.docs_dir).policies
    except DeclarationError:
        return {}  # reported with each setting
    found: dict[Path, dict[str, list[str]]] = {}
    for policy in policies:
        own = {fact.path[0] for fact in policy.facts}
        elsewhere: dict[str, list[str]] = {}
        for other in policies:
            for top in dict.fromkeys(fact.path[0] for fact in other.facts):
                if top not in own:
                    elsewhere.setdefault(top, []).append(other.path.name)
        found[policy.path.resolve()] = elsewhere
    return found


def _undeclared_here(
    project: Project, path: Path, uses: list[Use], borrowed: Mapping[Path, dict[str, list[str]]]
) -> list[Finding]:
    """A policy's use of a fact that only other policies declare (``borrowed``, from
    ``_declared_elsewhere``): a setting publishing this policy without them need not give
    it, and its page would fail to build (or print nothing where the fact goes). Each
    policy declares every fact it uses itself; pages and partials are not policies."""
    declared_by = borrowed.get(path.resolve(), {})
    findings = []
    for use in uses:
        others = declared_by.get(use.path[0])
        if not others:
            continue
        message = (
            f"'{use.path[0]}' is a fact that {join_and(others)} "
            f"declare{'s' if len(others) == 1 else ''}, not this policy: a setting that "
            "publishes this policy alone need not give it"
        )
        fix = (
            f"copy its declaration (facts: {use.path[0]}: …) from {others[0]} into this "
            "policy's front matter, as written there"
        )
        findings.append(Finding(shown(project, path), use.line, ERROR, message, fix))
    return findings


def _unused_declarations(project: Project, uses: list[Use]) -> list[Finding]:
    """A fact a policy declares that no source uses: a setting would be asked for it
    for nothing (a leftover from an edit, or a misspelt name in the text)."""
    try:
        facts = read_catalog(project.docs_dir).facts()
    except DeclarationError:
        return []  # reported with each setting
    return [
        Finding(
            shown(project, fact.source),
            fact.line,
            WARNING,
            f"'{fact.dotted}' is declared here but no source uses it",
            f"use it in the policy's text ({{{{ {fact.dotted} }}}}), or remove its declaration",
        )
        for fact in facts
        if not any(_covers(use, fact.path) for use in uses)
    ]


def _undefined(project: Project, path: Path, use: Use, depth: int, tree: Tree) -> Finding:
    node = tree
    for part in use.path[:depth]:
        assert node is not None
        node = node.get(part) or node.get(ITEM) or node.get(KEY)
    known = sorted(k for k in (node or {}) if k not in (ITEM, KEY))
    wrong = use.path[depth]
    guess = difflib.get_close_matches(wrong, known, n=1)
    name = _dotted(use.path[: depth + 1])
    where = f"'{_dotted(use.path[:depth])}' has no '{wrong}'" if depth else "no setting has it"
    fix = (
        f"did you mean '{_dotted((*use.path[:depth], guess[0]))}'?"
        if guess
        else "declare it under 'facts:' in the front matter of the policy that uses it "
        "(the editor's guide, 'Adding a policy'), then give it a value in the settings "
        "files; or use a variable that exists"
    )
    return Finding(
        shown(project, path), use.line, ERROR, f"'{name}' is defined nowhere: {where}", fix
    )


def _unused(
    project: Project, uses: list[Use], tree: Tree, only: Collection[str] | None
) -> list[Finding]:
    findings = []
    files = sorted(
        file
        for file in project.settings_dir.glob("*.yml")
        if only is None or file.stem in only or file.name == DEFAULTS_FILE
    )
    for file in files:
        try:
            lines = field_lines(file)
        except SettingsError:
            continue  # reported by validation already
        reported: list[tuple[str, ...]] = []
        for written, line in sorted(lines.items(), key=lambda item: item[1]):
            path = _normalised(written, tree)
            if any(path[: len(r)] == r for r in reported):
                continue
            if any(path[: len(c)] == c for c in CODE_READS):
                continue
            if lookup(tree, path) is not None:
                continue  # an unknown key: validation reports it
            if any(_covers(use, path) for use in uses):
                continue
            reported.append(path)
            findings.append(
                Finding(
                    shown(project, file),
                    line,
                    WARNING,
                    f"'{_dotted(path)}' is set here but no shared source uses it",
                    "remove it from the settings file, or use it in a source "
                    f"({{{{ {_dotted(path).replace('[]', '[0]')} }}}})",
                )
            )
    return findings


# --- dates and versions ----------------------------------------------------------------------


def _where(project: Project, slug: str, field: tuple[str | int, ...]) -> tuple[str, int]:
    """The file and line that set a field for a setting: its own file, else the federation's."""
    for file in (project.settings_dir / f"{slug}.yml", project.settings_dir / DEFAULTS_FILE):
        if file.is_file():
            line = field_lines(file).get(field)
            if line:
                return shown(project, file), line
    return shown(project, project.settings_dir / f"{slug}.yml"), 1


def overdue_reviews(
    project: Project,
    settings: Mapping[str, Setting],
    versions: Mapping[str, list[Version]],
    today: dt.date,
) -> list[Finding]:
    """A policy whose next review date has passed (a warning).

    Once a policy has published versions, its review date is the newest version's (as on
    the site and the portal); before that, the date in the settings file.
    """
    findings = []
    for slug, setting in settings.items():
        for pid, dates in setting.policies.items():
            history = policy_history(versions[slug], pid)
            due = history[-1].next_review if history else dates.next_review
            if not due or not due.passed(today):
                continue
            if history:
                meta = history[-1].folder / "version.yml"
                file, line = shown(project, meta), _line_of(meta, "next_review:")
                fix = (
                    "review the policy, have it ratified, then publish a new version: "
                    f"policy-sites publish {slug} --version LABEL --ratified YYYY-MM-DD "
                    "--next-review YYYY-MM"
                )
            else:
                file, line = _where(project, slug, ("policies", pid, "next_review"))
                fix = (
                    "review the policy, have it ratified, then write the new ratified "
                    "and next_review dates here (or publish a version)"
                )
            findings.append(
                Finding(
                    file,
                    line,
                    WARNING,
                    f"{slug}: the {pid} policy was due for review in {due.display()}",
                    fix,
                )
            )
    return findings


def _register_entry(
    cited: Mapping[str, str], register: list[GuidanceEdition]
) -> GuidanceEdition | None:
    """The register's entry for an edition a published version cites."""
    for entry in register:
        same_guidance = cited.get("title") == entry.title or (
            entry.short_name is not None and cited.get("short_name") == entry.short_name
        )
        if same_guidance and str(cited.get("edition", "")) == entry.edition:
            return entry
    return None


def guidance_drift(
    project: Project,
    settings: Mapping[str, Setting],
    versions: Mapping[str, list[Version]],
    today: dt.date,
) -> list[Finding]:
    """The newest published version of a policy citing an edition that, by ``today``, a
    newer edition in the guidance register has replaced, or that the register's rhythm
    says a newer edition was due to replace (a warning: the published text stays true to
    what was ratified, but is due for review). The second kind fires with the register
    behind, alongside ``register_behind``'s warning at the register itself."""
    findings = []
    for slug, setting in settings.items():
        register = setting.guidance_register
        due = {d.newest.id: d for d in editions_due(register, today)}
        for pid in sorted(setting.policies):
            history = policy_history(versions[slug], pid)
            if not history:
                continue
            newest = history[-1]
            meta = newest.folder / "version.yml"
            for cited in newest.guidance:
                entry = _register_entry(cited, register)
                if entry is None:
                    continue
                newer = replacement_for(register, entry.id, today)
                cites = f"{slug}: version {newest.label} of the {pid} policy cites {entry.named()}"
                if newer is not None:
                    message = (
                        f"{cites}, which {newer.named()} replaced "
                        f"{'on' if newer.in_force.day else 'in'} {newer.in_force.display()}"
                    )
                    fix = f"review the policy against {newer.named()}, then publish a new version"
                elif missing := due.get(entry.id):
                    message = f"{cites}; {missing.named()} {missing.when()}"
                    fix = (
                        f"add {missing.named()} to the guidance register (see its warning), "
                        "review the policy against it, then publish a new version"
                    )
                else:
                    continue
                findings.append(
                    Finding(
                        shown(project, meta),
                        _line_of(meta, f"edition: {cited.get('edition')}"),
                        WARNING,
                        message,
                        f"{fix} citing it: policy-sites publish {slug} --version LABEL "
                        "--ratified YYYY-MM-DD --next-review YYYY-MM",
                    )
                )
    return findings


def register_behind(
    project: Project, settings: Mapping[str, Setting], today: dt.date
) -> list[Finding]:
    """Guidance whose next edition is due by ``today`` (by its rhythm in the register, or
    its ``expected_by`` date) while the register holds none (a warning: until it is added,
    every policy cites an edition that may no longer be in force).

    Reported at the register's newest edition of that guidance, in the file that sets the
    register (the federation's, unless a setting writes its own), once for every setting
    that shares it."""
    findings = []
    for slug, setting in settings.items():
        register = setting.guidance_register
        for due in editions_due(register, today):
            index = next(i for i, e in enumerate(register) if e.id == due.newest.id)
            file, line = _where(project, slug, ("guidance_register", index))
            findings.append(
                Finding(
                    file,
                    line,
                    WARNING,
                    f"{due.named()} {due.when()}; the register's newest is "
                    f"{due.newest.edition} ({due.newest.id})",
                    f"add it to guidance_register in {file}: its own id, edition and "
                    f"in_force, and replaces: {due.newest.id}; then review the policies "
                    "against it and publish new versions"
                    + ("" if due.in_force_day else " (or, if it is late, move expected_by)"),
                )
            )
    return findings


def _line_of(path: Path, fragment: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if fragment.replace("'", "") in line.replace("'", "").replace('"', ""):
            return number
    return 1


# --- contact routes ---------------------------------------------------------------------------


def missing_contacts(project: Project, settings: Mapping[str, Setting]) -> list[Finding]:
    """A setting whose parents' pages cannot say how to act on a worry (an error; the
    rule is settings.reachable's, which ``publish`` applies too)."""
    findings = []
    for slug, setting in settings.items():
        for missing, problem in unreachable(project.settings_dir, slug, setting):
            findings.append(
                Finding(
                    shown(project, problem.file),
                    problem.line or 1,
                    ERROR,
                    f"{slug}: {missing.field}: {missing.problem}",
                    missing.fix,
                )
            )
    return findings


_TEL = re.compile(r"\(tel:([0-9+]+)\)")
"""A phone number as the frozen Markdown links it: ``[03000 41 08 88](tel:03000410888)``."""


def area_routes_drift(
    project: Project, settings: Mapping[str, Setting], versions: Mapping[str, list[Version]]
) -> list[Finding]:
    """The newest published version of a policy giving parents phone numbers, but not its
    area's current LADO and front door numbers (a warning): the setting moved to another
    local authority, or the area's entry changed a number, since it was published. The
    frozen text stays as ratified, so the parents' page would send people to old numbers
    until a new version is published."""
    findings = []
    for slug, setting in settings.items():
        area = setting.local_authority
        wanted = {
            f"{area.lado.name}'s number": area.lado.phone,
            f"{area.front_door.name}'s number": area.front_door.phone,
            f"{area.front_door.name}'s out-of-hours number": area.front_door.out_of_hours_phone,
        }
        for pid in sorted(setting.policies):
            history = policy_history(versions[slug], pid)
            if not history or "parents" not in history[-1].files.get(pid, {}):
                continue
            newest = history[-1]
            linked = set(_TEL.findall(newest.text(pid, "parents")))
            missing = [
                f"{what} ({number})"
                for what, number in wanted.items()
                if number and number.replace(" ", "") not in linked
            ]
            if not linked or not missing:
                continue  # a version that gives no numbers at all names no wrong ones
            meta = newest.folder / "version.yml"
            findings.append(
                Finding(
                    shown(project, meta),
                    _line_of(meta, f"{pid}:"),
                    WARNING,
                    f"{slug}: version {newest.label} of the {pid} policy does not give "
                    f"{' or '.join(missing)}, from its local authority's entry ({area.name}, "
                    "settings/local_authorities/): its parents' page still gives the "
                    "numbers it was published with",
                    "check the area's entry is right, then publish a new version: "
                    f"policy-sites publish {slug} --version LABEL --ratified YYYY-MM-DD "
                    "--next-review YYYY-MM",
                )
            )
    return findings


# --- all together ----------------------------------------------------------------------------


def published_dates_drift(
    project: Project,
    settings: Mapping[str, Setting],
    versions: Mapping[str, list[Version]],
) -> list[Finding]:
    """A date in a settings file that differs from the latest published version's (an error).

    Once a policy is published, the site shows the version's dates; a different date in
    the working copy tells a second story, which the next publication would silently end.
    """
    findings = []
    for slug, setting in settings.items():
        for differs in date_differences(setting, versions[slug]):
            file, line = _where(project, slug, differs.field)
            write = f"write {differs.shown} here, or " if differs.published else ""
            findings.append(
                Finding(
                    file,
                    line,
                    ERROR,
                    f"{slug}: policies.{differs.policy}.{differs.key} is "
                    f"{differs.written.iso()}, but the latest published version "
                    f"({differs.label}) says {differs.shown}",
                    f"{write}leave the date out (the published version's date is the one "
                    "shown); to change it, publish a new version",
                )
            )
    return findings


def find_drift(
    project: Project,
    settings: Mapping[str, Setting],
    today: dt.date,
    versions: Mapping[str, list[Version]] | None = None,
    only: Collection[str] | None = None,
) -> list[Finding]:
    """Every drift finding for these (valid) settings, sorted by file and line.

    ``versions``: each setting's published versions, if the caller has read them already.
    ``only``: the settings being checked, when not all are: no other setting's file is
    reported on (the shared sources are, since every setting is made from them).
    """
    if versions is None:
        versions = {slug: read_versions(project.settings_dir, slug) for slug in settings}
    return sorted(
        {
            *literal_names(project, settings),
            *variable_drift(project, settings, today, only),
            *guidance_drift(project, settings, versions, today),
            *register_behind(project, settings, today),
            *overdue_reviews(project, settings, versions, today),
            *published_dates_drift(project, settings, versions),
            *missing_contacts(project, settings),
            *area_routes_drift(project, settings, versions),
            *link_drift(project),
        },
        key=lambda f: (f.file, f.line, f.severity, f.message),
    )
