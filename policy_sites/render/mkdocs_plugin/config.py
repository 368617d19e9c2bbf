"""Options of the ``policy-sites`` MkDocs plugin, as written under ``plugins:`` in mkdocs.yml."""

from __future__ import annotations

import datetime as dt

from mkdocs.config import base
from mkdocs.config import config_options as c


class PolicySitesConfig(base.Config):
    setting = c.Optional(c.Type(str))
    """The setting's slug (its settings file name); mkdocs.yml reads POLICY_SETTING."""

    audience = c.Choice(("parents", "staff"), default="parents")
    """Which view to build; mkdocs.yml reads POLICY_AUDIENCE."""

    settings_dir = c.Type(str, default="settings")
    """The folder of settings files, relative to mkdocs.yml."""

    today = c.Optional(c.Type((str, dt.date)))
    """The date review deadlines are judged against (YYYY-MM-DD); default: today."""

    preview = c.Type(bool, default=False)
    """Show every policy's working copy (marked draft) instead of its published version;
    mkdocs.yml reads POLICY_SITES_PREVIEW, which ``policy-sites build --preview`` sets."""

    pdf = c.Type(bool, default=False)
    """Link each published version to its PDF and the staff view to its induction pack;
    mkdocs.yml reads POLICY_SITES_PDF, which ``policy-sites build`` sets when it makes them."""
