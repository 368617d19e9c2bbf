"""Fingerprints of what a setting's site is built from, so an unchanged setting is not rebuilt.

A setting's fingerprint covers its settings file, its published versions folder
(``settings/<slug>/``), the federation defaults, the register of local authorities
(every entry: the key choosing a setting's may come from the defaults), mkdocs.yml,
overrides/, macros/, the shared sources it uses (every file in docs/ except the
policies it does not publish), the builder's own code and the versions of the packages
that render it, ``SOURCE_DATE_EPOCH`` and the build's options (``extra``: preview, shared assets).
Shared parts are hashed once per run.
"""

from __future__ import annotations

import hashlib
import os
from importlib import metadata
from pathlib import Path

from policy_sites.context.views import POLICIES_DIR, policy_ids
from policy_sites.project import Project
from policy_sites.settings.loader import DEFAULTS_FILE, read_mapping
from policy_sites.settings.local_authority import AUTHORITIES_DIR
from policy_sites.versions.store import LOCK_FILE as PUBLISHING_LOCK

__all__ = ["RENDERING_PACKAGES", "Inputs", "builder_digest", "tree_digest"]

RENDERING_PACKAGES = (
    "policy-sites",
    "mkdocs",
    "properdocs",
    "mkdocs-material",
    "mkdocs-macros-plugin",
    "jinja2",
    "markdown",
    "pymdown-extensions",
    "pydantic",
    "pyyaml",
)
_SKIP_PARTS = {"__pycache__", ".git", PUBLISHING_LOCK}
"""Not inputs: caches, the repository, and publish's lock beside a setting's versions."""


def _hash_file(digest: hashlib._Hash, path: Path, name: str) -> None:
    digest.update(name.encode() + b"\0")
    try:
        digest.update(path.read_bytes())
    except OSError:
        digest.update(b"<missing>")
    digest.update(b"\0")


def tree_digest(root: Path, exclude: frozenset[str] = frozenset()) -> str:
    """SHA-256 of every file under ``root`` (names and contents), or of its absence."""
    digest = hashlib.sha256()
    if root.is_file():
        _hash_file(digest, root, root.name)
        return digest.hexdigest()
    if not root.is_dir():
        return "absent"
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and rel not in exclude and not _SKIP_PARTS & set(path.parts):
            _hash_file(digest, path, rel)
    return digest.hexdigest()


def builder_digest() -> str:
    """The builder's own code and the versions of the packages that render a site."""
    digest = hashlib.sha256(tree_digest(Path(__file__).resolve().parents[1]).encode())
    for name in RENDERING_PACKAGES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f"{name}=={version}\n".encode())
    return digest.hexdigest()


class Inputs:
    """Fingerprints for one run: shared parts hashed once, each setting's parts on request."""

    def __init__(self, project: Project, extra: str = "") -> None:
        self.project = project
        policies_dir = project.docs_dir / POLICIES_DIR
        self.policies = {
            pid: tree_digest(policies_dir / f"{pid}.md") for pid in policy_ids(project.docs_dir)
        }
        policy_files = frozenset(f"{POLICIES_DIR}/{pid}.md" for pid in self.policies)
        parts = {
            "builder": builder_digest(),
            "config": tree_digest(project.config_file),
            "overrides": tree_digest(project.root / "overrides"),
            "macros": tree_digest(project.root / "macros"),
            "docs": tree_digest(project.docs_dir, exclude=policy_files),
            "defaults": tree_digest(project.settings_dir / DEFAULTS_FILE),
            "local_authorities": tree_digest(project.settings_dir / AUTHORITIES_DIR),
            "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH", ""),
            "extra": extra,
        }
        self.shared = hashlib.sha256(repr(sorted(parts.items())).encode()).hexdigest()
        theme = [parts["builder"], parts["config"], parts["overrides"]]
        self.theme = hashlib.sha256(repr(theme).encode()).hexdigest()
        """What the shared theme assets depend on."""
        self._default_policies = self._policies_named(project.settings_dir / DEFAULTS_FILE)

    @staticmethod
    def _policies_named(path: Path) -> set[str] | None:
        """The policy ids a settings file lists, or None if that cannot be told."""
        data = read_mapping(path)
        if data is None:
            return None
        policies = data.get("policies") or {}
        return {str(key) for key in policies} if isinstance(policies, dict) else None

    def uses(self, slug: str) -> set[str]:
        """The shared policies a setting publishes (all of them, if its file cannot be read)."""
        own = self._policies_named(self.project.settings_dir / f"{slug}.yml")
        defaults = self._default_policies
        if own is None or defaults is None:
            return set(self.policies)
        return own | defaults

    def fingerprint(self, slug: str) -> str:
        """What ``slug``'s site depends on, as one SHA-256."""
        settings = self.project.settings_dir
        digest = hashlib.sha256(self.shared.encode())
        digest.update(tree_digest(settings / f"{slug}.yml").encode())
        digest.update(tree_digest(settings / slug).encode())
        for pid in sorted(self.uses(slug)):
            digest.update(f"{pid}:{self.policies.get(pid, 'absent')}\n".encode())
        return digest.hexdigest()
