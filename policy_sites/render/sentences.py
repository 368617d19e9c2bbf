"""A Markdown extension: every sentence starts with a capital letter.

A setting's values are written to complete a sentence ('the Chair of the Committee',
'in their lockers'), so a source that puts one at the start of a sentence or of a bold
label ('- **{{ route.name }}:** …') would start it in lower case unless each such place
remembered ``| upper_first``. This gives each sentence start its capital once, for every
page and every value: the first word of a paragraph or heading, of a list item's leading
bold label, and of each sentence after '.', '?' or '!'. A word with a capital inside it
('iPad', 'eBay') is a name and is left as it is; a list item that is not a label ('-
setting strong passwords;') continues the sentence before the list and stays as written.

Enabled in mkdocs.yml (``markdown_extensions: - policy_sites.render.sentences``).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Iterator

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from policy_sites.context.phrases import upper_first

__all__ = ["SentenceStartExtension", "capitalise_sentences", "makeExtension"]

_STARTS_AT_ONCE = {"p", "h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCKS = _STARTS_AT_ONCE | {"li", "ul", "ol", "div", "table", "blockquote", "pre", "dl"}
_LEAVE = {"code", "pre", "script", "style"}
_LOWER_WORD = re.compile(r"^(\s*)([a-z]+)\b")
"""A word in lower case at the start of a text (one with a capital inside is a name)."""
_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\bcf)[.?!]\s+$")
_INSIDE = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\bcf)([.?!]\s+)([a-z]+)\b")


def _capital(match: re.Match[str]) -> str:
    return match.group(1) + upper_first(match.group(2))


def _pieces(block: etree.Element) -> Iterator[tuple[etree.Element, str]]:
    """Each text of ``block`` in reading order, as (element, 'text' or 'tail'), skipping
    blocks nested inside it (they start sentences of their own) and code."""
    yield block, "text"
    for child in block:
        if child.tag not in _BLOCKS and child.tag not in _LEAVE:
            yield from _pieces(child)
        yield child, "tail"


def _starts_with_label(item: etree.Element) -> bool:
    """A list item whose first words are bold: '**the front door:** …'."""
    return not (item.text or "").strip() and len(item) > 0 and item[0].tag == "strong"


def capitalise_sentences(root: etree.Element) -> None:
    """Give every sentence start under ``root`` its capital letter (see the module)."""
    parents = {child: parent for parent in root.iter() for child in parent}
    for block in root.iter():
        if block.tag == "li":
            at_start = _starts_with_label(block)
        elif block.tag in _STARTS_AT_ONCE:
            # A loose list item's first paragraph is the item itself.
            item = parents.get(block)
            first = item is not None and item.tag == "li" and item[0] is block
            at_start = _starts_with_label(block) if first else True
        else:
            continue
        for element, slot in _pieces(block):
            text = getattr(element, slot)
            if not text:
                continue
            if at_start:
                text = _LOWER_WORD.sub(_capital, text, count=1)
            text = _INSIDE.sub(_capital, text)
            setattr(element, slot, text)
            if text.strip():
                at_start = bool(_SENTENCE_END.search(text))


class _SentenceStarts(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        capitalise_sentences(root)


class SentenceStartExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # After ``toc`` (priority 5): section ids come from the words as written.
        md.treeprocessors.register(_SentenceStarts(md), "policy_sites_sentences", 3)


def makeExtension(**kwargs: object) -> SentenceStartExtension:
    return SentenceStartExtension(**kwargs)
