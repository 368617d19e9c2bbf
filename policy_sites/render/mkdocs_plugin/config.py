"""Options of the ``policy-sites`` plugin: as written under ``plugins:`` in mkdocs.yml, or
given by the builder (``render.mkdocs_build.build_view``), which sets them explicitly."""

from __future__ import annotations

import datetime as dt

from policy_sites.render.engine import config_base as base
from policy_sites.render.engine import config_options as c


class PolicySitesConfig(base.Config):
    setting = c.Optional(c.Type(str))
    """The setting's slug (its settings file name); mkdocs.yml reads POLICY_SETTING, for
    ``mkdocs serve``; the builder sets it."""

    audience = c.Choice(("parents", "staff"), default="parents")
    """Which view to build; mkdocs.yml reads POLICY_AUDIENCE; the builder sets it."""

    settings_dir = c.Type(str, default="settings")
    """The folder of settings files, relative to mkdocs.yml."""

    today = c.Optional(c.Type((str, dt.date)))
    """The date review deadlines are judged against (YYYY-MM-DD); default: today."""

    preview = c.Type(bool, default=False)
    """Show every policy's working copy (marked draft) instead of its published version
    (``policy-sites build --preview``)."""

    drafts = c.Type(bool, default=False)
    """Include the policies whose source says ``draft: true`` (``policy-sites build
    --drafts``), which every other build leaves out of every setting's site."""

    pdf = c.Type(bool, default=False)
    """Link each published version to its PDF and the staff view to its induction pack
    (``policy-sites build`` sets it when it makes them: the builder makes the PDFs)."""

    capture = c.Optional(c.Type(dict))
    """Publishing: a dictionary the plugin fills with each policy page's rendered Markdown,
    by policy id; the site then shows working copies and no history."""

    publishing = c.Optional(c.Type(dict))
    """Publishing: the ratified and next review dates (two ``PolicyDate``) of each policy
    being published, by policy id, shown in its Key details."""
