"""The two views of every setting's site, and which pages belong to which view.

A page declares its audience in its front matter (``audience: staff``); pages without
one are public and appear in both views. Policy pages live in ``docs/policies/`` and
appear only for settings that list them under ``policies``.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from pathlib import Path

from policy_sites.settings.front_matter import parse_front_matter, split_front_matter

__all__ = [
    "PARENTS",
    "STAFF",
    "VIEWS",
    "View",
    "page_audience",
    "page_in_view",
    "parse_front_matter",
    "policy_ids",
    "policy_of",
    "policy_titles",
    "split_front_matter",
    "switch_href",
]

POLICIES_DIR = "policies"


@dataclass(frozen=True)
class View:
    """One audience's build of a setting's site."""

    id: str
    label: str
    short_name: str
    """How the header's switch names this view, short enough for a phone."""
    subpath: str
    """Where this view sits inside the setting's output folder ('' or 'staff/')."""

    @property
    def is_staff(self) -> bool:
        return self.id == "staff"

    @property
    def other(self) -> View:
        return STAFF if self is PARENTS else PARENTS


PARENTS = View("parents", "Parents and visitors", "parents' view", "")
STAFF = View("staff", "Staff", "staff view", "staff/")
VIEWS = {view.id: view for view in (PARENTS, STAFF)}


def front_matter(path: Path) -> dict:
    """The YAML front matter of a Markdown source file, or {} if it has none."""
    return parse_front_matter(path.read_text(encoding="utf-8"))


def page_audience(path: Path) -> str | None:
    """'staff' for a staff-only page, None for a page both views show."""
    audience = front_matter(path).get("audience")
    if audience not in (None, "staff"):
        raise ValueError(f"{path}: audience must be 'staff' or left out, not {audience!r}")
    return audience


def policy_ids(docs_dir: Path) -> list[str]:
    """The shared policies: one Markdown source each in docs/policies/."""
    return sorted(p.stem for p in (docs_dir / POLICIES_DIR).glob("*.md"))


def policy_titles(docs_dir: Path) -> dict[str, str]:
    """Each shared policy's title: its front matter's ``title``, else the first
    level-one heading of its source."""
    titles = {}
    for pid in policy_ids(docs_dir):
        text = (docs_dir / POLICIES_DIR / f"{pid}.md").read_text("utf-8")
        if title := parse_front_matter(text).get("title"):
            titles[pid] = str(title).strip()
            continue
        _, body, _ = split_front_matter(text)
        heading = next((line for line in body.splitlines() if line.startswith("# ")), None)
        if heading is None:
            raise ValueError(f"docs/{POLICIES_DIR}/{pid}.md has no title: start it with '# '")
        titles[pid] = heading.removeprefix("# ").strip()
    return titles


def policy_of(src_uri: str) -> str | None:
    """The policy id of a page in docs/policies/ ('policies/<id>.md'), None for any other."""
    folder, _, name = src_uri.rpartition("/")
    return name.removesuffix(".md") if folder == POLICIES_DIR else None


def page_in_view(src_uri: str, audience: str | None, view: View, policies: Container[str]) -> bool:
    """Whether a page (by its path under docs/) belongs in a view of a setting's site."""
    if audience == "staff" and not view.is_staff:
        return False
    policy = policy_of(src_uri)
    return policy is None or policy in policies


def switch_href(page_url: str, view: View, exists_in_other: bool) -> str:
    """A relative link from a page to the same page in the other view (or its home page)."""
    depth = page_url.count("/")
    up_to_setting = "../" * depth + ("../" if view.subpath else "")
    target = page_url if exists_in_other else "index.html"
    return up_to_setting + view.other.subpath + target
