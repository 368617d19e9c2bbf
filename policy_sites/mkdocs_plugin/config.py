"""Options of the ``policy-sites`` MkDocs plugin, as written under ``plugins:`` in mkdocs.yml."""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c


class PolicySitesConfig(base.Config):
    setting = c.Optional(c.Type(str))
    """The setting's slug (its settings file name); mkdocs.yml reads POLICY_SETTING."""

    audience = c.Choice(("parents", "staff"), default="parents")
    """Which view to build; mkdocs.yml reads POLICY_AUDIENCE."""

    settings_dir = c.Type(str, default="settings")
    """The folder of settings files, relative to mkdocs.yml."""

    today = c.Optional(c.Type(str))
    """The date review deadlines are judged against (YYYY-MM-DD); default: today."""
