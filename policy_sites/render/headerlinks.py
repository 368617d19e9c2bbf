"""A Markdown extension: section permalinks that say what they link to.

The ``toc`` extension's permalink after each heading is a bare "¶", so a screen reader
announces "pilcrow, link" dozens of times a page, and a list of links shows "¶" over and
over (WCAG 2.4.4, link purpose). This gives each one an accessible name of its own,
"Link to this section: <heading>", without changing what sighted readers see.

Enabled in mkdocs.yml (``markdown_extensions: - policy_sites.render.headerlinks``).
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

__all__ = ["HeaderlinkExtension", "makeExtension"]

_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
LABEL = "Link to this section"


class _NameHeaderlinks(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for heading in root.iter():
            if heading.tag not in _HEADINGS:
                continue
            for link in heading.findall("a"):
                if "headerlink" not in (link.get("class") or "").split():
                    continue
                parts = [heading.text or ""]
                for child in heading:
                    if child is not link:
                        parts += [*child.itertext(), child.tail or ""]
                title = " ".join("".join(parts).split())
                link.set("aria-label", f"{LABEL}: {title}" if title else LABEL)


class HeaderlinkExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # After ``toc`` (priority 5), which adds the permalinks.
        md.treeprocessors.register(_NameHeaderlinks(md), "policy_sites_headerlinks", 4)


def makeExtension(**kwargs: object) -> HeaderlinkExtension:
    return HeaderlinkExtension(**kwargs)
