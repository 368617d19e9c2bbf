"""The prose check: mistakes a shared source makes only for some settings, read off the pages.

A source that reads well for the two example settings can still say "has" after two
approvers, leave an empty bullet when a list is empty, or drop a fragment written about
"their" lockers into a sentence that starts with "I". These rules read every block of
text (paragraph, list item, heading, table cell) of a rendered page's article, the way
a parent would, and say which rule a block breaks. ``check`` runs them on every page of
every setting's two views; the tests run them on hand-written and generated settings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from html.parser import HTMLParser
from pathlib import Path

from policy_sites.context.grammar import Number, noun_phrase_numbers, subject_before
from policy_sites.context.views import POLICIES_DIR, STAFF
from policy_sites.versions.history import VERSION_LINE_CLASS

__all__ = ["Block", "ProseProblem", "Rule", "lint_blocks", "lint_html", "lint_site", "page_blocks"]


class Rule(StrEnum):
    """What a block of text got wrong; the value is what the finding calls it."""

    DOUBLED_WORD = "doubled word"
    EMPTY_BULLET = "empty bullet"
    DANGLING_CONJUNCTION = "dangling 'and' or 'or'"
    AGREEMENT = "subject and verb disagree"
    PERSON = "a first-person statement slips into another person"
    LISTS_RUN_TOGETHER = "two lists run into one"
    DRAFT_AND_RATIFIED = "'draft' beside a ratified date"
    EDITOR_TEXT = "text meant for editors on a live page"
    EMPTY_VALUE = "an empty value in the text"
    TWO_COLONS = "two colons in one sentence"
    DOUBLED_FULL_STOP = "a doubled full stop"
    DOUBLED_ONLY = "'only' twice in one clause"
    DOUBLED_BRACKETS = "one bracket straight after another"


@dataclass(frozen=True)
class Block:
    """One block of a page's text: its tag, its own words, and the list it belongs to."""

    tag: str
    text: str
    list_id: int | None = None
    has_sublist: bool = False


Span = tuple[int, int]
"""Where in a block's text the fault is: ``text[start:end]``."""


@dataclass(frozen=True)
class ProseProblem:
    rule: Rule
    text: str
    detail: str = ""
    span: Span | None = field(default=None, compare=False)
    """The words at fault within ``text``; None for a fault of the whole block or page
    (an empty bullet, lists run together), so ``check`` can tell which words were a
    setting's value and which the source's."""

    def __str__(self) -> str:
        extra = f" ({self.detail})" if self.detail else ""
        shown = self.text if len(self.text) <= 160 else self.text[:157] + "..."
        return f"{self.rule.value}{extra}: {shown!r}"


_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd", "figcaption"}
_SKIP = {"script", "style", "svg", "button", "del"}
"""Not read as prose: code, images, controls, and a redline's struck-out words (a reader
reads the sentence as it now stands, with the inserted words)."""


@dataclass
class _Open:
    tag: str
    parts: list[str] = field(default_factory=list)
    list_id: int | None = None
    has_sublist: bool = False


class _ArticleParser(HTMLParser):
    """Collects the blocks of the first <article> (the page's own content)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._depth = 0  # inside <article> when > 0
        self._done = False
        self._stack: list[_Open] = []
        self._lists: list[int] = []
        self._list_count = 0
        self._skip_tag: str | None = None
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._done:
            return
        if tag == "article":
            self._depth += 1
            return
        if not self._depth:
            return
        if self._skip_tag is not None:
            self._skip_depth += tag == self._skip_tag
            return
        classes = dict(attrs).get("class") or ""
        if tag in _SKIP or (tag == "a" and "headerlink" in classes):
            self._skip_tag, self._skip_depth = tag, 1
            return
        if tag in ("ul", "ol"):
            self._list_count += 1
            self._lists.append(self._list_count)
            if self._stack and self._stack[-1].tag == "li":
                self._stack[-1].has_sublist = True
            return
        if tag in _BLOCKS:
            if self._stack and self._stack[-1].tag == "li":
                self._stack[-1].has_sublist = True  # a loose list's item holds a <p>
            list_id = self._lists[-1] if tag == "li" and self._lists else None
            self._stack.append(_Open(tag, list_id=list_id))
        elif tag == "br" and self._stack:
            self._stack[-1].parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if self._done or not self._depth:
            return
        if tag == "article":
            self._depth -= 1
            self._done = self._depth == 0
            return
        if self._skip_tag is not None:
            if tag == self._skip_tag:
                self._skip_depth -= 1
                if not self._skip_depth:
                    self._skip_tag = None
            return
        if tag in ("ul", "ol") and self._lists:
            self._lists.pop()
            return
        if tag in _BLOCKS and self._stack and self._stack[-1].tag == tag:
            block = self._stack.pop()
            text = " ".join("".join(block.parts).split())
            self.blocks.append(Block(tag, text, block.list_id, block.has_sublist))

    def handle_data(self, data: str) -> None:
        if self._depth and self._skip_tag is None and self._stack and not self._done:
            self._stack[-1].parts.append(data)


def page_blocks(html: str) -> list[Block]:
    """The blocks of text of a page's article, in reading order (a block ends before the
    blocks nested in it, so a list item's text is its own words without its sub-list)."""
    parser = _ArticleParser()
    parser.feed(_from_article(html))
    parser.close()
    return parser.blocks


def _from_article(html: str) -> str:
    """The page from its first ``<article`` on: the parser reads nothing before it, and
    the theme's header and navigation are half of a page's bytes. A page's own text
    cannot start a tag early: every value in it is escaped, so ``<`` reaches it as ``&lt;``."""
    start = html.find("<article")
    return html[start:] if start >= 0 else html


# --- rules on one block -------------------------------------------------------------------

# Words, not digit groups: a phone number such as "03000 41 11 11" repeats a group.
_DOUBLED = re.compile(r"\b([^\W\d]\w*)\s+\1\b", re.IGNORECASE)
_DANGLING = [
    re.compile(r"\b(?:and|or)\s*$", re.IGNORECASE),
    re.compile(r"\b(?:and|or)\s*[.;:!?]", re.IGNORECASE),
    re.compile(r"\b(?:and|or)\s+(?:and|or)\b", re.IGNORECASE),
    re.compile(r"^(?:and|or)\b", re.IGNORECASE),
]
_VERB = re.compile(r"\b(is|are|has|have|says|say|was|were)\b")
_SINGULAR_VERBS = frozenset({"is", "has", "says", "was"})
_ASIDE = re.compile(r"\([^()]*\)")
"""A bracketed aside ('Lead (DSL)'), read as spaces so that offsets stay the text's."""
_FIRST_PERSON = re.compile(r"^I\b")
_OTHER_PERSON = re.compile(r"\b(their|they|them|themselves|your|you|yours)\b", re.IGNORECASE)
_ANTECEDENTS = {
    "children", "families", "parents", "carers", "colleagues", "staff", "people",
    "visitors", "others", "child's", "child", "family", "everyone",
}  # fmt: skip
_EDITOR = re.compile(
    r"\bFILL IN\b|\bTODO\b|\bsettings? file\b|\bsetting's file\b|\bstaff_only\b"
    r"|\bpolicy-sites\b|\byml\b|\{\{|\}\}|\{%|%\}"
)
_EMPTY = [
    (re.compile(r"\bNone\b(?! of)"), "None"),
    (re.compile(r"\bnull\b"), "null"),
    (re.compile(r"\[\s*\]"), "[]"),
    (re.compile(r"\{\s*\}"), "{}"),
    (re.compile(r"(?:^|\s)[.,;:](?=\s|$)"), "punctuation with nothing before it"),
    (re.compile(r"\(\s*\)"), "()"),
]


# A colon that introduces words, not a number or a blank to fill in ("Date: ____"), nor
# one inside a time or URL.
_COLON = re.compile(r":\s+(?=[^\W\d_])")
_SENTENCE_END = re.compile(r"[.;!?](?:\s|$)")
# Two full stops, but not an ellipsis of three.
_DOUBLE_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")
_DOUBLE_BRACKETS = re.compile(r"\)\s*\(")
"""'... a DSL (or a deputy) (phone ...)': two asides where a sentence wants one."""
# Clauses and the parts "and" or "or" join: "only at lunch and only in the office" is right.
_CLAUSE_END = re.compile(r"[,.;:!?()](?:\s|$)|\b(?:and|or|but)\b")
_ONLY = re.compile(r"\bonly\b", re.IGNORECASE)


def _parts(text: str, boundary: re.Pattern[str]) -> Iterator[tuple[str, Span]]:
    """The stretches of ``text`` between matches of ``boundary``, each with its span."""
    start = 0
    for end in [m.start() for m in boundary.finditer(text)] + [len(text)]:
        part = text[start:end]
        stripped = part.strip()
        if stripped:
            first = start + part.index(stripped)
            yield stripped, (first, first + len(stripped))
        match = boundary.match(text, end)
        start = match.end() if match else end


def _two_colons(text: str) -> Iterator[tuple[str, Span]]:
    for sentence, span in _parts(text, _SENTENCE_END):
        if len(_COLON.findall(sentence)) >= 2:
            yield sentence, span


def _doubled_only(text: str) -> Iterator[tuple[str, Span]]:
    for clause, span in _parts(text, _CLAUSE_END):
        if len(_ONLY.findall(clause)) >= 2:
            yield clause, span


def _agreement(text: str) -> Iterator[tuple[str, Span]]:
    """Each verb whose subject's number (context/grammar.py) is not its own: 'the Club
    Manager and the school's Headteacher has', but not 'the Chair of Trustees has'."""
    plain = _ASIDE.sub(lambda aside: " " * len(aside.group(0)), text)
    for verb in _VERB.finditer(plain):
        found = subject_before(plain, verb.start())
        if found is None or not (numbers := noun_phrase_numbers(found[0])):
            continue
        verb_number = Number.SINGULAR if verb.group(1) in _SINGULAR_VERBS else Number.PLURAL
        if verb_number not in numbers:
            yield text[found[1] : verb.end()], (found[1], verb.end())


_ME_INCLUDED = re.compile(r"\b(?:me|myself) included\b", re.IGNORECASE)


def _person(text: str) -> Iterator[tuple[str, Span]]:
    if match := _ME_INCLUDED.search(text):
        yield match.group(0), match.span()  # "Staff, me included, keep their phones": whose?
    if not _FIRST_PERSON.match(text):
        return
    words = list(re.finditer(r"[\w'\u2019]+", text))
    for index, found in enumerate(words):
        word = found.group(0)
        if _OTHER_PERSON.fullmatch(word):
            before = {w.group(0).lower() for w in words[:index]}
            if word.lower().startswith("th") and before & _ANTECEDENTS:
                continue
            yield word, found.span()


def lint_text(text: str) -> list[ProseProblem]:
    """The rules that read one block of text on its own."""
    problems = []
    if match := _DOUBLED.search(text):
        problems.append(ProseProblem(Rule.DOUBLED_WORD, text, match.group(0), match.span()))
    for pattern in _DANGLING:
        if match := pattern.search(text):
            found = ProseProblem(Rule.DANGLING_CONJUNCTION, text, match.group(0), match.span())
            problems.append(found)
            break
    problems += [ProseProblem(Rule.AGREEMENT, text, *found) for found in _agreement(text)]
    problems += [ProseProblem(Rule.PERSON, text, f"'{word}'", span) for word, span in _person(text)]
    if match := _EDITOR.search(text):
        problems.append(ProseProblem(Rule.EDITOR_TEXT, text, match.group(0), match.span()))
    problems += [ProseProblem(Rule.TWO_COLONS, text, *found) for found in _two_colons(text)]
    if match := _DOUBLE_STOP.search(text):
        problems.append(ProseProblem(Rule.DOUBLED_FULL_STOP, text, match.group(0), match.span()))
    if match := _DOUBLE_BRACKETS.search(text):
        problems.append(ProseProblem(Rule.DOUBLED_BRACKETS, text, match.group(0), match.span()))
    problems += [ProseProblem(Rule.DOUBLED_ONLY, text, *found) for found in _doubled_only(text)]
    for pattern, what in _EMPTY:
        if match := pattern.search(text):
            problems.append(ProseProblem(Rule.EMPTY_VALUE, text, what, match.span()))
            break
    return problems


# --- rules on a whole page ----------------------------------------------------------------

_PUNCTUATED = re.compile(r"[.;:!?]$")
_DRAFT = re.compile(r"\bdraft\b", re.IGNORECASE)
_RATIFIED_DATE = re.compile(r"\bratified\b[^.]{0,80}?\b(?:19|20)\d\d\b", re.IGNORECASE)


_LABELLED = re.compile(r"^[^.:;!?]{1,120}: \S")
"""An item of a 'Label: value' list, such as the Key details box."""


def _run_together(items: list[Block]) -> bool:
    """A list whose items change once from fragments to sentences (or back), with at
    least two on the sentence side: the shape of an account list and a rule list merged.
    A list of labelled values ('Next review due: ...') is one list whatever its values."""
    if all(_LABELLED.match(item.text) for item in items if item.text):
        return False
    ends = [bool(_PUNCTUATED.search(item.text)) for item in items if item.text]
    changes = [i for i in range(1, len(ends)) if ends[i] != ends[i - 1]]
    if len(changes) != 1:
        return False
    split = changes[0]
    sentences = ends[split:] if ends[split] else ends[:split]
    return len(sentences) >= 2


def lint_blocks(blocks: Iterable[Block]) -> list[ProseProblem]:
    """Every rule on a page's blocks."""
    blocks = list(blocks)
    problems = []
    lists: dict[int, list[Block]] = {}
    for block in blocks:
        if block.tag == "li" and not block.text and not block.has_sublist:
            problems.append(ProseProblem(Rule.EMPTY_BULLET, block.text))
        if block.text:
            problems += lint_text(block.text)
        if block.list_id is not None:
            lists.setdefault(block.list_id, []).append(block)
    for items in lists.values():
        if _run_together(items):
            problems.append(
                ProseProblem(Rule.LISTS_RUN_TOGETHER, " / ".join(i.text for i in items))
            )
    drafts = [b.text for b in blocks if _DRAFT.search(b.text)]
    ratified = [b.text for b in blocks if _RATIFIED_DATE.search(b.text)]
    if drafts and ratified:
        problems.append(ProseProblem(Rule.DRAFT_AND_RATIFIED, f"{drafts[0]} / {ratified[0]}"))
    return problems


def lint_html(html: str) -> list[ProseProblem]:
    """Every rule on one rendered page."""
    return lint_blocks(page_blocks(html))


_PUBLISHED = f'class="{VERSION_LINE_CLASS}"'
"""The version line only a published version's page carries."""


def is_frozen_page(page: str) -> bool:
    """``policies/<policy>/<version, History or redline>.html`` in either view: made from
    published versions' frozen text, which cannot change, and a redline is a comparison
    of two texts rather than prose to read."""
    parts = page.removeprefix(STAFF.subpath).split("/")
    return len(parts) >= 3 and parts[0] == POLICIES_DIR


def lint_site(folder: Path, published: bool = True) -> dict[str, list[ProseProblem]]:
    """Every page of a built site that the current sources made (its HTML files, by path
    relative to the folder; frozen pages left out) with the problems found on it; pages
    without problems are left out. ``published=False`` also leaves out the current page
    of a published policy: its text is frozen, and a fault in it is mended by publishing
    a new version, not by the sources."""
    found = {}
    for page in sorted(folder.rglob("*.html")):
        relative = page.relative_to(folder).as_posix()
        if is_frozen_page(relative):
            continue
        html = page.read_text(encoding="utf-8")
        if not published and _PUBLISHED in html:
            continue
        problems = lint_html(html)
        if problems:
            found[relative] = problems
    return found
