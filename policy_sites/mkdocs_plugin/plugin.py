"""Event hooks: load the setting, hand its variables to mkdocs-macros, keep each view's pages apart.

The plugin must come before ``macros`` in mkdocs.yml, so that the variables it puts in
``extra`` are there when mkdocs-macros reads them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files

from policy_sites.context import build_context, staff_only_values
from policy_sites.leak_check import find_leaks
from policy_sites.mkdocs_plugin.config import PolicySitesConfig
from policy_sites.schema import Setting
from policy_sites.settings import SettingsError, load_setting
from policy_sites.views import VIEWS, View, page_audience, page_in_view, policy_ids, switch_href


class PolicySitesPlugin(BasePlugin[PolicySitesConfig]):
    """Builds one view of one setting's policy site."""

    setting: Setting
    view: View
    _audiences: dict[str, str | None]

    def on_config(self, config: Any) -> Any:
        slug = self.config.setting
        if not slug:
            raise PluginError(
                "no setting chosen: set POLICY_SETTING to a settings file name, e.g. "
                "POLICY_SETTING=poppys mkdocs serve"
            )
        root = Path(config.config_file_path).parent
        docs_dir = Path(config.docs_dir)
        self.view = VIEWS[self.config.audience]
        try:
            self.setting = load_setting(root / self.config.settings_dir, slug, policy_ids(docs_dir))
        except SettingsError as error:
            raise PluginError(f"invalid settings:\n{error}") from None
        self._audiences = {
            path.relative_to(docs_dir).as_posix(): page_audience(path)
            for path in docs_dir.rglob("*.md")
        }
        today = dt.date.fromisoformat(self.config.today) if self.config.today else dt.date.today()
        context = build_context(self.setting, self.view, today)
        for key, value in context.items():
            config.extra[key] = value
        config.extra["alternate"] = True  # makes Material include our view switch partial
        config.site_name = f"{context['name']} policies"
        if self.setting.site_root_url:
            root_url = str(self.setting.site_root_url).rstrip("/")
            config.site_url = f"{root_url}/{slug}/{self.view.subpath}"
        config.nav = self._pruned_nav(config.nav)
        return config

    def _shows(self, src_uri: str, view: View) -> bool:
        return page_in_view(src_uri, self._audiences.get(src_uri), view, set(self.setting.policies))

    def _pruned_nav(self, nav: Any) -> Any:
        """The nav from mkdocs.yml without the pages this view or setting leaves out."""
        if nav is None:
            return None
        pruned = []
        for item in nav:
            value = next(iter(item.values())) if isinstance(item, dict) else item
            if isinstance(value, list):
                children = self._pruned_nav(value)
                if children:
                    pruned.append({next(iter(item)): children})
            elif not isinstance(value, str) or "://" in value or self._shows(value, self.view):
                pruned.append(item)
        return pruned

    def on_files(self, files: Files, config: Any) -> Files:
        for file in list(files.documentation_pages()):
            if not self._shows(file.src_uri, self.view):
                files.remove(file)
        return files

    def on_page_context(self, context: dict, page: Any, config: Any, nav: Any) -> dict:
        exists = self._shows(page.file.src_uri, self.view.other)
        context["view_switch"] = {
            "current": self.view.label,
            "other": self.view.other.label,
            "href": switch_href(page.url, self.view, exists),
        }
        return context

    def on_post_build(self, config: Any) -> None:
        if self.view.is_staff:
            return
        staff_pages = [uri for uri, audience in self._audiences.items() if audience == "staff"]
        leaks = find_leaks(Path(config.site_dir), staff_only_values(self.setting), staff_pages)
        if leaks:
            raise PluginError("staff-only material reached the parents' view:\n" + "\n".join(leaks))
