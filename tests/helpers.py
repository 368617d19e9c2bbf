"""Test helpers: run the command line, and read built pages as a person would see their text."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from policy_sites.project import Project

REPO = Path(__file__).resolve().parent.parent


def settings_beside_sources(tmp_path: Path, *names: str) -> Path:
    """A settings folder holding copies of ``names`` (from settings/) and of what every
    setting is read with (the federation's defaults, the local authorities), with the shared
    policies' sources beside it (docs/policies/), whose front matter declares the facts
    a setting's file may hold."""
    import shutil

    from policy_sites.settings.loader import copy_shared_files

    folder = tmp_path / "settings"
    copy_shared_files(REPO / "settings", folder)  # the defaults and the local authorities
    for name in names:
        shutil.copy(REPO / "settings" / name, folder / name)
    shutil.copytree(REPO / "docs" / "policies", tmp_path / "docs" / "policies")
    return folder


def in_ci() -> bool:
    """Whether this is CI (``CI=true``), where a missing browser, nginx or PDF engine fails
    the tests that need it instead of skipping them."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


class VisibleText(HTMLParser):
    """An HTML parser that keeps the text a reader sees (scripts and styles left out)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(markup: str) -> str:
    """The text of an HTML fragment, whitespace folded."""
    parser = VisibleText()
    parser.feed(markup)
    return re.sub(r"\s+", " ", "".join(parser.parts)).strip()


def article_text(page: Path) -> str:
    """The text of a built page's main article (no navigation, no header)."""
    markup = page.read_text(encoding="utf-8")
    start = markup.index("<article")
    return visible_text(markup[start : markup.index("</article>", start)])


def tree_text(tree: Path) -> dict[str, str]:
    """Every text file of a built tree (HTML, JSON, XML), entities decoded."""
    return {
        path.relative_to(tree).as_posix(): html.unescape(path.read_text(encoding="utf-8"))
        for path in sorted(tree.rglob("*"))
        if path.is_file() and path.suffix in {".html", ".json", ".xml", ".txt"}
    }


def run_cli(project: Project, *args: str, **environment: str) -> subprocess.CompletedProcess:
    """``python -m policy_sites ARGS --project ROOT`` in a subprocess, with extra variables."""
    return subprocess.run(
        [sys.executable, "-m", "policy_sites", *args, "--project", str(project.root)],
        capture_output=True,
        text=True,
        env={**os.environ, **environment},
        check=False,
    )


VERSION_TEXTS = {
    "social-media": {"parents": "# Social media\n\nPublic.\n", "staff": "# S\n\nStaff.\n"}
}
"""One policy's frozen text in both views: enough for a published version in a unit test."""


def version_details(label: str, ratified: str) -> dict:
    """A published version's details, as publish writes them, for ``write_version``."""
    return {"label": label, "ratified": ratified, "next_review": "2030-09", "published": "x",
            "summary": None, "source_commit": None, "source_dirty": False,
            "guidance": [{"title": "KCSIE", "edition": "2022"}]}  # fmt: skip


def say(setting, call: str, view=None, today=None, titles=None, topics=None) -> str:
    """What a macro of docs/_partials/phrases.md (``call``: 'approvers()') renders for
    ``setting``, with the variables a build gives it and the project's own filters, under
    the strict undefined mkdocs.yml sets: the shared sources' phrase logic, unit-tested."""
    import datetime as dt

    import jinja2

    import macros
    from policy_sites.context.variables import build_context
    from policy_sites.context.views import PARENTS

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(REPO / "docs" / "_partials"),
        undefined=jinja2.StrictUndefined,
    )

    class _Filters:
        def filter(self, function) -> None:
            env.filters[function.__name__] = function

    macros.define_env(_Filters())
    context = build_context(setting, view or PARENTS, today or dt.date(2026, 12, 5), titles, topics)
    template = env.from_string(
        '{% import "phrases.md" as say with context %}{{ say.' + call + " }}"
    )
    return template.render(context).strip()
