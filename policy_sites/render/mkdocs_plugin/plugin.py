"""Event hooks: load the setting, hand its variables to mkdocs-macros, keep each view's pages apart.

The plugin must come before ``macros`` in mkdocs.yml, so that the variables it puts in
``extra`` are there when mkdocs-macros reads them. It renders each page source itself,
with mkdocs-macros' environment and variables, before mkdocs-macros' own
``on_page_markdown`` (a higher ``event_priority``), and marks the page done
(``render_macros: false``): a template error becomes a ``SourceError`` naming the file
and line, raised from this plugin, instead of mkdocs-macros' log text and ``exit()``.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from markupsafe import Markup

from policy_sites.context.downloads import INDUCTION_PACK, INDUCTION_SHEET, WEB_ONLY
from policy_sites.context.leak_check import LeakCheck
from policy_sites.context.variables import (
    build_context,
    public_values,
    review_day,
    staff_only_fields,
)
from policy_sites.context.views import (
    POLICIES_DIR,
    VIEWS,
    View,
    page_audience,
    page_in_view,
    policy_ids,
    policy_of,
    policy_titles,
    split_front_matter,
    switch_href,
)
from policy_sites.render.engine import (
    BasePlugin,
    CombinedEvent,
    File,
    Files,
    PluginError,
    event_priority,
    macros_environment,
    render_source,
)
from policy_sites.render.mkdocs_plugin.config import PolicySitesConfig
from policy_sites.settings.facts import read_catalog
from policy_sites.settings.loader import SettingsError, load_setting
from policy_sites.settings.schema import Setting
from policy_sites.versions.history import PolicyHistory, current_page, draft_page, generated_pages
from policy_sites.versions.store import (
    VersionError,
    policy_history,
    read_versions,
    shown_date,
)


class PolicySitesPlugin(BasePlugin[PolicySitesConfig]):
    """Builds one view of one setting's policy site."""

    setting: Setting
    view: View
    _audiences: dict[str, str | None]
    _histories: dict[str, PolicyHistory]
    _generated: dict[str, str]
    _today: dt.date
    _policy_dates: dict[str, dict[str, Any]]
    _secrets: dict[str, str]
    """Every staff_only text by its field, which the parents' view must never show."""
    _public_markdown: list[str]
    """What the sources rendered for this view: staff-only text written there is public."""
    _working_copies: dict[str, str]
    """Policies' working copies not shown (a published version is), checked for leaks too."""
    _rendered: set[str]
    """The pages this plugin rendered with the setting's variables (not mkdocs-macros)."""

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
            self.setting = load_setting(
                root / self.config.settings_dir, slug, policy_ids(docs_dir), docs_dir
            )
        except SettingsError as error:
            raise PluginError(f"invalid settings:\n{error}") from None
        # A draft source (``draft: true``) is on no setting's site unless built with --drafts.
        sources = read_catalog(docs_dir).policies
        drafts = set() if self.config.drafts else {p.id for p in sources if p.draft}
        self._published = [pid for pid in self.setting.policies if pid not in drafts]
        self._secrets = staff_only_fields(self.setting)
        self._audiences = {
            path.relative_to(docs_dir).as_posix(): page_audience(path)
            for path in docs_dir.rglob("*.md")
        }
        try:
            today = self._today = review_day(self.config.today)
        except ValueError as error:
            raise PluginError(str(error)) from None
        self._histories = {}
        if self.config.capture is None:  # publishing captures working copies; it shows no history
            try:
                versions = read_versions(root / self.config.settings_dir, slug)
            except VersionError as error:
                raise PluginError(
                    f"published versions do not match their hashes:\n{error}"
                ) from None
            self._histories = {
                pid: PolicyHistory(pid, self.view.id, tuple(found), downloads=self.config.pdf)
                for pid in self._published
                if (found := policy_history(versions, pid))
            }
        try:
            titles = {
                pid: title for pid, title in policy_titles(docs_dir).items() if pid not in drafts
            }
        except ValueError as error:
            raise PluginError(str(error)) from None
        topics = {p.id: p.topics for p in sources}
        context = build_context(self.setting, self.view, today, titles, topics)
        if self.config.capture is None:
            # A working copy on the site is a draft: the ratified date it shows is a
            # published version's, in that version's frozen text, never the settings file's.
            for dates in context["policies"].values():
                dates["ratified"] = None
        for pid, (ratified, next_review) in (self.config.publishing or {}).items():
            if ratified is not None:
                # A version's text was last updated, at the latest, on the day it was
                # ratified: the working copy's written date may be months older.
                written = self.setting.policies[pid].written
                context["policies"][pid]["written"] = shown_date(
                    max(written, ratified) if written else ratified
                )
            context["policies"][pid].update(
                ratified=shown_date(ratified),
                next_review=shown_date(next_review),
                next_review_iso=next_review.iso() if next_review else None,
                # Frozen text never says "overdue": that depends on the day it is read,
                # so the History banner says it instead.
                review_overdue=False,
            )
        self._policy_dates = context["policies"]
        for key, value in context.items():
            config.extra[key] = value
        config.extra["alternate"] = True  # makes Material include our view switch partial
        # Markup: the name is escaped already, so Material's `| e` must not escape it twice.
        config.site_name = Markup(f"{context['name']} policies")
        if self.setting.site_root_url:
            root_url = str(self.setting.site_root_url).rstrip("/")
            config.site_url = f"{root_url}/{slug}/{self.view.subpath}"
        config.nav = self._with_histories(self._pruned_nav(_every_policy(config.nav, titles)))
        return config

    def _shows(self, src_uri: str, view: View) -> bool:
        return page_in_view(src_uri, self._audiences.get(src_uri), view, self._published)

    def _pruned_nav(self, nav: Any) -> Any:
        """The nav from mkdocs.yml without the pages this view or setting leaves out."""
        if nav is None:
            return None
        pruned = []
        for item in nav:
            value = _nav_value(item)
            if isinstance(value, list):
                children = self._pruned_nav(value)
                if children:
                    pruned.append({next(iter(item)): children})
            elif not isinstance(value, str) or "://" in value or self._shows(value, self.view):
                pruned.append(item)
        return pruned

    def _with_histories(self, nav: Any) -> Any:
        """The nav with a "Versions and changes" section of the History pages, placed
        after the section that lists the policies, so a reviewer finds them in the menu."""
        if not nav or not self._histories:
            return nav
        section = {
            "Versions and changes": [
                f"policies/{pid}/history.md" for pid in self._published if pid in self._histories
            ]
        }

        def lists_a_policy(item: Any) -> bool:
            value = _nav_value(item)
            return isinstance(value, list) and any(
                self._policy_of(_nav_value(child)) for child in value
            )

        place = next((i + 1 for i, item in enumerate(nav) if lists_a_policy(item)), len(nav))
        return [*nav[:place], section, *nav[place:]]

    def _policy_of(self, src_uri: Any) -> str | None:
        """The id of one of this setting's policies from its source's path, else None."""
        policy = policy_of(str(src_uri))
        return policy if policy in self._published else None

    def on_files(self, files: Files, config: Any) -> Files:
        for file in list(files.documentation_pages()):
            if not self._shows(file.src_uri, self.view):
                files.remove(file)
        self._generated = {}
        self._public_markdown = []
        self._working_copies = {}
        self._rendered = set()
        for history in self._histories.values():
            for uri, markdown in generated_pages(history).items():
                self._generated[uri] = markdown
                files.append(File.generated(config, uri, content=markdown))
        return files

    @event_priority(50)
    def _render(self, markdown: str, page: Any, config: Any, files: Any) -> str:
        """Render a page source with the setting's variables, before mkdocs-macros would,
        and tell mkdocs-macros the page is done. Pages made from frozen text (History,
        redlines) are never rendered."""
        if page.file.src_uri in self._generated or page.meta.get("render_macros") is False:
            page.meta["render_macros"] = False
            return markdown
        env, variables = macros_environment(config)
        # A policy's id defaults to its file's name (its front matter may say it again).
        own = {"policy_id": pid} if (pid := policy_of(page.file.src_uri)) else {}
        context = {**variables, "page": page, **own, **page.meta}
        name = f"{Path(config.docs_dir).name}/{page.file.src_uri}"
        root = Path(config.config_file_path).parent
        rendered = render_source(env, markdown, context, name, _first_line(page), root)
        if page.title and env.variable_start_string in str(page.title):
            page.title = render_source(env, str(page.title), context, name, root=root)
        page.meta[_DONE] = False  # mkdocs-macros: leave this page alone
        self._rendered.add(page.file.src_uri)
        return rendered

    @event_priority(-100)
    def _after_macros(self, markdown: str, page: Any, config: Any, files: Any) -> str:
        """A policy page after its working copy was rendered (so source errors still
        fail the build): publishing keeps that Markdown; the site shows the latest
        published version in its place, or else the working copy marked draft."""
        if page.file.src_uri in self._rendered:
            page.meta.pop(_DONE, None)  # the theme sees the page's own front matter only
            self._public_markdown.append(markdown)
        policy = self._policy_of(page.file.src_uri)
        if policy is None or page.file.src_uri in self._generated:
            return markdown
        if self.config.capture is not None:
            self.config.capture[policy] = markdown
            return markdown
        history = self._histories.get(policy)
        if history is not None and not self.config.preview:
            self._working_copies[f"{page.file.src_uri} (working copy)"] = markdown
            return current_page(history, self._today)
        overdue = self.view.is_staff and self._policy_dates[policy]["review_overdue"]
        return draft_page(markdown, preview=bool(self.config.preview), overdue=overdue)

    on_page_markdown = CombinedEvent(_render, _after_macros)

    def on_page_content(self, html: str, page: Any, config: Any, files: Any) -> str:
        """The signing sheet links to the staff induction pack (when the build makes it)."""
        if not (self.config.pdf and self.view.is_staff and page.file.src_uri == INDUCTION_SHEET):
            return html
        link = (
            f'<p class="{WEB_ONLY}"><a href="{INDUCTION_PACK}" type="application/pdf">'
            "Download the induction pack (PDF)</a>: the staff quick reference, the policies "
            "and this sheet, ready to print.</p>"
        )
        end = html.find("</h1>")
        return html[: end + 5] + link + html[end + 5 :] if end >= 0 else link + html

    def on_page_context(self, context: dict, page: Any, config: Any, nav: Any) -> dict:
        exists = self._shows(page.file.src_uri, self.view.other)
        context["view_switch"] = self._view_switch(switch_href(page.url, self.view, exists))
        return context

    def on_template_context(self, context: dict, template_name: str, config: Any) -> dict:
        if template_name == "404.html":
            # A web server shows this page at any missing address, so MkDocs links it from
            # the site's root (base_url); the switch goes to the other view's home page.
            home = switch_href("index.html", self.view, exists_in_other=False)
            href = posixpath.normpath(posixpath.join(context["base_url"] or "/", home))
            context["view_switch"] = self._view_switch(href)
        return context

    def _view_switch(self, href: str) -> dict[str, str] | None:
        if not (self.view.is_staff or self.setting.publishing.staff_links):
            return None  # the federation keeps the staff view's address off public pages
        return {"current": self.view.label, "other": self.view.other.short_name, "href": href}

    @event_priority(-100)  # after the search plugin has written its index
    def on_post_build(self, config: Any) -> None:
        """The parents' view, finished, shows nothing staff-only: pages, 404 page, search
        index and sitemaps, as a visitor can fetch them; and no working copy holds any."""
        if self.view.is_staff:
            return
        check = LeakCheck(self._secrets, public_values(self.setting), self._public_markdown)
        staff_pages = [uri for uri, audience in self._audiences.items() if audience == "staff"]
        leaks = check.scan_tree(Path(config.site_dir), staff_pages)
        for where, markdown in self._working_copies.items():
            leaks += check.scan_markdown(where, markdown)
        if leaks:
            raise PluginError("staff-only material reached the parents' view:\n" + "\n".join(leaks))


_DONE = "render_macros"
"""The front matter key that tells mkdocs-macros not to render a page."""


def _first_line(page: Any) -> int:
    """The line of the source file its Markdown starts on: after the front matter, and
    after the blank lines MkDocs strips with it."""
    if not page.file.abs_src_path:
        return 1
    _, body, start = split_front_matter(Path(page.file.abs_src_path).read_text(encoding="utf-8"))
    return start + len(body) - len(body.lstrip("\n"))


def _every_policy(nav: Any, titles: Mapping[str, str]) -> Any:
    """The nav with its section of policies listing every shared policy in docs/policies/
    (``titles``, in their order), where mkdocs.yml lists the first: a new policy's source
    is its menu entry, with no edit to mkdocs.yml. Pruning then keeps the setting's own."""
    if not isinstance(nav, list):
        return nav
    out: list[Any] = []
    placed = False
    for item in nav:
        value = _nav_value(item)
        if isinstance(value, list):
            out.append({next(iter(item)): _every_policy(value, titles)})
        elif isinstance(value, str) and policy_of(value) is not None:
            if not placed:
                out += [f"{POLICIES_DIR}/{pid}.md" for pid in titles]
                placed = True
        else:
            out.append(item)
    return out


def _nav_value(item: Any) -> Any:
    """What a nav entry points at: a page, a link or a list of entries ({title: value} or value)."""
    return next(iter(item.values())) if isinstance(item, dict) else item
