"""Links in the shared sources, and nav entries in mkdocs.yml, that lead to no page."""

from __future__ import annotations

import difflib
import re
from pathlib import PurePosixPath

import yaml

from policy_sites.check.findings import ERROR, WARNING, Finding, shown
from policy_sites.check.source_usage import source_files
from policy_sites.context.views import policy_of
from policy_sites.project import Project

__all__ = ["link_drift"]


_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|href=\"([^\"]+)\"")
_INCLUDE = re.compile(r"""{%-?\s*(?:include|import|from)\s+["']([^"']+)["']""")


def link_drift(project: Project) -> list[Finding]:
    """Links in sources, and nav entries in mkdocs.yml, to pages that do not exist."""
    docs = project.docs_dir
    texts = {
        p.relative_to(docs).as_posix(): p.read_text(encoding="utf-8")
        for p in source_files(project.docs_dir)
    }
    pages = set(texts)
    partials = {p for p in pages if p.startswith("_")}
    includers: dict[str, list[str]] = {}
    for page, text in texts.items():
        for name in _INCLUDE.findall(text):
            includers.setdefault(name, []).append(page)
    findings = []
    for page in sorted(pages):
        bases = [page] if page not in partials else _including_pages(page, includers, partials)
        text = texts[page]
        for number, line in enumerate(text.splitlines(), 1):
            for match in _LINK.finditer(line):
                target = match.group(1) or match.group(2)
                if "{" in target or re.match(r"^[a-z][a-z0-9+.-]*:|^#|^/", target):
                    continue
                file = target.split("#", 1)[0].split("?", 1)[0]
                if not file:
                    continue
                for base in bases:
                    resolved = _resolve(base, file)
                    if resolved in pages and resolved not in partials:
                        continue
                    findings.append(
                        Finding(
                            shown(project, docs / page),
                            number,
                            ERROR,
                            f"the link to '{target}' goes nowhere"
                            + (f" (from {base}, which includes this)" if base != page else ""),
                            _link_fix(file, resolved, pages - partials),
                        )
                    )
                    break
    return findings + _nav_drift(project, pages - partials)


def _including_pages(
    partial: str, includers: dict[str, list[str]], partials: set[str], seen: frozenset = frozenset()
) -> list[str]:
    """The pages a partial ends up in (through other partials too); links resolve from them."""
    name = partial.removeprefix("_partials/")
    found: list[str] = []
    for parent in includers.get(name, []):
        if parent in seen or parent == partial:
            continue
        if parent in partials:
            found += _including_pages(parent, includers, partials, seen | {partial})
        else:
            found.append(parent)
    return sorted(set(found)) or ["index.md"]


def _resolve(base: str, target: str) -> str:
    parts: list[str] = []
    for part in (*PurePosixPath(base).parent.parts, *PurePosixPath(target).parts):
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def _link_fix(target: str, resolved: str, pages: set[str]) -> str:
    guess = difflib.get_close_matches(resolved, sorted(pages), n=1, cutoff=0.5)
    if guess:
        return f"link to the page that exists: {guess[0]} (paths are relative to the page)"
    return f"create docs/{resolved}, or remove the link"


def _nav_drift(project: Project, pages: set[str]) -> list[Finding]:
    try:
        root = yaml.compose(project.config_file.read_text(encoding="utf-8"), yaml.SafeLoader)
    except yaml.YAMLError:
        return []  # MkDocs itself reports an unreadable mkdocs.yml
    nav = next(
        (v for k, v in getattr(root, "value", []) if getattr(k, "value", None) == "nav"), None
    )
    findings = []
    listed = {str(node.value) for node in _scalars(nav)}
    # The menu lists every policy in docs/policies/ where the nav lists the first (the
    # plugin's _every_policy): a policy is in no menu only when the nav lists none.
    if nav is not None and not any(policy_of(value) for value in listed):
        for page in sorted(pages):
            if policy_of(page):
                findings.append(
                    Finding(
                        shown(project, project.docs_dir / page),
                        1,
                        WARNING,
                        f"the policy docs/{page} is in no menu: the nav of mkdocs.yml "
                        "lists no policy, and the menu lists every policy where it lists "
                        "the first",
                        f"add '- {page}' to the nav of mkdocs.yml (the menu then lists "
                        "every policy there)",
                    )
                )
    for node in _scalars(nav):
        value = str(node.value)
        if value.endswith(".md") and "://" not in value and value not in pages:
            findings.append(
                Finding(
                    shown(project, project.config_file),
                    node.start_mark.line + 1,
                    ERROR,
                    f"the nav lists '{value}', which is not a page in docs/",
                    _link_fix(value, value, pages),
                )
            )
    return findings


def _scalars(node: yaml.Node | None) -> list[yaml.ScalarNode]:
    if isinstance(node, yaml.ScalarNode):
        return [node]
    if isinstance(node, yaml.SequenceNode):
        return [s for item in node.value for s in _scalars(item)]
    if isinstance(node, yaml.MappingNode):
        return [s for _, value in node.value for s in _scalars(value)]
    return []
