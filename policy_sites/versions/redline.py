"""Word-level comparison of two versions of a policy's Markdown, marked with <ins> and <del>.

Lines are matched first (Python's difflib), then words within each changed line, so the
marks sit inside the text while list markers, heading hashes and indentation stay as
Markdown. Each change is counted against the section (heading) it falls under, so a
reviewer gets a summary of which sections changed with links to them. Headings keep the
ids their own version's page gives them, and in-page links land (see ``anchors``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from markdown.extensions.toc import unique

from policy_sites.versions.anchors import (
    ATX_HEADING,
    Heading,
    heading,
    heading_ids,
    heading_line,
    retarget_links,
    unlink_missing,
)

__all__ = [
    "Comparison",
    "Redline",
    "SectionChange",
    "compare",
    "highlight_new",
    "redline",
    "summary_line",
]

_TOKEN = re.compile(r"\[[^\]\n]*\]\([^)\s]*\)\s*|\*\*[^*\n]+\*\*\s*|\*[^*\n]+\*\s*|[^\s]+\s*|\s+")
"""Words (a Markdown link, and a span in *italics* or **bold**, count as one) with the
spaces after them: half as many tokens to compare as words and spaces apart, a change
never ends between a word and its space, and <ins>/<del> never cross an emphasis's
edge (a reworded italic title showed a stray '*' and mis-nested tags)."""
_WORD = re.compile(r"\w+")
_LIKE = 0.3
"""How alike two lines' words must be (difflib's ratio) for one to count as the other
reworded rather than one deleted and another inserted."""
_PREFIX = re.compile(r"^(\s*(?:#{1,6}\s+|[-*+]\s+|\d+\.\s+)?)")
_STRUCTURAL = re.compile(r"^\s*(?:!!!|\?\?\?|<|\||\{[%#])")


@dataclass
class SectionChange:
    """A section of the newer text (or a removed one) and how many changes fall in it."""

    title: str
    anchor: str
    insertions: int = 0
    deletions: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.insertions or self.deletions)

    def describe(self) -> str:
        parts = []
        if self.insertions:
            parts.append(
                f"{self.insertions} {'insertion' if self.insertions == 1 else 'insertions'}"
            )
        if self.deletions:
            parts.append(f"{self.deletions} {'deletion' if self.deletions == 1 else 'deletions'}")
        return " and ".join(parts)


@dataclass
class Redline:
    """The marked-up Markdown and a per-section account of the changes."""

    markdown: str
    sections: list[SectionChange] = field(default_factory=list)

    @property
    def changed_sections(self) -> list[SectionChange]:
        return [s for s in self.sections if s.changed]


def _split(line: str) -> tuple[str, str]:
    prefix = _PREFIX.match(line)
    assert prefix is not None
    return prefix.group(1), line[prefix.end() :]


def _wrap(tag: str, text: str) -> str:
    """``<tag>text</tag>`` with any surrounding whitespace kept outside the tag."""
    if not text.strip():
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f"{lead}<{tag}>{text.strip()}</{tag}>{trail}"


def _word_opcodes(old: str, new: str) -> tuple[list[str], list[str], list[tuple]]:
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return a, b, matcher.get_opcodes()


def _words(
    diff: tuple[list[str], list[str], list[tuple]],
    mark_deletions: bool = True,
    moved: Mapping[str, str] | None = None,
) -> tuple[str, int, int]:
    """Word-level marks within one line's body; returns text, insertions, deletions.

    ``moved``: where the older text's in-page links now point (see ``redline``)."""
    a, b, opcodes = diff
    out: list[str] = []
    ins = dels = 0
    for op, i1, i2, j1, j2 in opcodes:
        before, after = "".join(a[i1:i2]), "".join(b[j1:j2])
        if moved:
            before = retarget_links(before, moved)
        if op == "equal":
            out.append(after)
            continue
        if before.strip() and mark_deletions:
            out.append(_wrap("del", before))
            dels += 1
            if after.strip():
                out.append(" " if not before[-1:].isspace() else "")
        if after.strip():
            out.append(_wrap("ins" if mark_deletions else "mark", after))
            ins += 1
        elif after and not mark_deletions:
            out.append(after)
    return "".join(out), ins, dels


def _pairs(old: list[str], new: list[str]) -> list[tuple[int | None, int | None]]:
    """Pair up the lines of a replaced block in order, by similarity; the rest stand alone.

    Likeness is measured on words, not characters: two English sentences share most of
    their letters whatever they say, so a character measure cannot rule a pair out
    cheaply, while a word measure's quick upper bounds rule out nearly every pair."""
    pairs: list[tuple[int | None, int | None]] = []
    old_words = [_WORD.findall(line.lower()) for line in old]
    new_words = [_WORD.findall(line.lower()) for line in new]
    prefixes = [_split(line)[0] for line in new]
    j = 0
    for i, line in enumerate(old):
        best, best_ratio = None, _LIKE
        prefix = _split(line)[0]
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(old_words[i])
        for k in range(j, len(new)):
            if prefixes[k] != prefix:
                continue
            matcher.set_seq1(new_words[k])
            # The quick ratios are upper bounds of ratio(): skip what cannot win.
            if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
                continue
            ratio = matcher.ratio()
            if ratio > best_ratio:
                best, best_ratio = k, ratio
        if best is None:
            pairs.append((i, None))
            continue
        pairs.extend((None, k) for k in range(j, best))
        pairs.append((i, best))
        j = best + 1
    pairs.extend((None, k) for k in range(j, len(new)))
    return pairs


@dataclass(frozen=True)
class Same:
    """Old line ``old`` is new line ``new``, unchanged."""

    old: int
    new: int


@dataclass(frozen=True)
class Deleted:
    """Old line ``old`` is gone."""

    old: int


@dataclass(frozen=True)
class Inserted:
    """New line ``new`` is new."""

    new: int


@dataclass(frozen=True)
class Changed:
    """New line ``new`` is old line ``old``, reworded."""

    old: int
    new: int


Step = Same | Deleted | Inserted | Changed
"""One step of walking the newer text in order, by line numbers (from 0)."""


@dataclass
class Comparison:
    """How two renderings of a policy line up, worked out once and read by every page.

    ``steps`` walks the newer text in order (see ``Step``).
    """

    old_lines: list[str]
    new_lines: list[str]
    steps: list[Step]
    _words: dict[tuple[int, int], tuple] = field(default_factory=dict, repr=False)

    def words(self, i: int, j: int) -> tuple[list[str], list[str], list[tuple]]:
        """The word diff between old line ``i`` and new line ``j`` (their bodies)."""
        if (i, j) not in self._words:
            before, after = _split(self.old_lines[i])[1], _split(self.new_lines[j])[1]
            self._words[(i, j)] = _word_opcodes(before, after)
        return self._words[(i, j)]


def compare(old: str, new: str) -> Comparison:
    """Line up two texts: lines first, and the lines of a replaced block paired by likeness."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    steps: list[Step] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            steps += [Same(i1 + k, j1 + k) for k in range(i2 - i1)]
        elif op == "delete":
            steps += [Deleted(i) for i in range(i1, i2)]
        elif op == "insert":
            steps += [Inserted(j) for j in range(j1, j2)]
        else:
            for i, j in _pairs(old_lines[i1:i2], new_lines[j1:j2]):
                if i is None and j is not None:
                    steps.append(Inserted(j1 + j))
                elif j is None and i is not None:
                    steps.append(Deleted(i1 + i))
                elif i is not None and j is not None:
                    steps.append(Changed(i1 + i, j1 + j))
    return Comparison(old_lines, new_lines, steps)


def redline(old: str, new: str, comparison: Comparison | None = None) -> Redline:
    """Compare two renderings of a policy: the newer text, with the changes marked in it.

    Every heading keeps the id it has on its own version's page (the newer text's, or for
    a removed heading the older's, numbered if the newer took it), so a link into the
    policy lands here too; a link in the older text follows its heading to the id it has
    here, and a link to an id the page does not have is reduced to its words.
    """
    comparison = comparison or compare(old, new)
    old_lines, new_lines = comparison.old_lines, comparison.new_lines
    old_ids, new_ids = heading_ids(old_lines), heading_ids(new_lines)
    taken = set(new_ids.values())
    moved: dict[str, str] = {}
    """Old heading id -> the id that heading has on this page."""
    removed: dict[int, str] = {}
    for step in comparison.steps:
        match step:
            case Same(old=i, new=j) | Changed(old=i, new=j) if i in old_ids and j in new_ids:
                moved.setdefault(old_ids[i], new_ids[j])
            case Deleted(old=i) if i in old_ids:
                removed[i] = unique(old_ids[i], taken)
                moved.setdefault(old_ids[i], removed[i])
    out: list[str] = []
    sections = [SectionChange("Opening", "")]
    present: set[str] = set()

    def count(ins: int, dels: int) -> None:
        sections[-1].insertions += ins
        sections[-1].deletions += dels

    def emit(line: str, ins: int = 0, dels: int = 0) -> None:
        out.append(line)
        count(ins, dels)

    def emit_heading(made: Heading, words: str, ident: str, ins: int = 0, dels: int = 0) -> None:
        if made.level == 1:
            # The policy's own title: the page has its own, so show it as a line of text.
            out.append(f"**{words}**")
        else:
            line, linked = heading_line(made.level, words, ident, made.attributes)
            if linked:
                present.add(ident)
            sections.append(SectionChange(made.title, ident if linked else ""))
            out.append(line)
        count(ins, dels)

    def whole(line: str, tag: str) -> None:
        if not line.strip():
            if tag == "ins":
                out.append(line)
            return
        if _STRUCTURAL.match(line):
            if tag == "ins":
                emit(line, 1, 0)
            else:
                count(0, 1)
            return
        prefix, body = _split(line)
        emit(prefix + _wrap(tag, body), int(tag == "ins"), int(tag == "del"))

    def deleted(i: int) -> None:
        if made := heading(old_lines[i]):
            words = _wrap("del", retarget_links(made.text, moved))
            emit_heading(made, words, removed.get(i, ""), 0, 1)
        else:
            whole(retarget_links(old_lines[i], moved), "del")

    def inserted(j: int) -> None:
        if made := heading(new_lines[j]):
            emit_heading(made, _wrap("ins", made.text), new_ids[j], 1, 0)
        else:
            whole(new_lines[j], "ins")

    for step in comparison.steps:
        match step:
            case Same(new=j):
                if made := heading(new_lines[j]):
                    emit_heading(made, made.text, new_ids[j])
                else:
                    emit(new_lines[j])
            case Deleted(old=i):
                deleted(i)
            case Inserted(new=j):
                inserted(j)
            case Changed(old=i, new=j) if i in old_ids and j in new_ids:
                before, after = heading(old_lines[i]), heading(new_lines[j])
                assert before is not None and after is not None
                diff = _word_opcodes(before.text, after.text)
                marked, ins, dels = _words(diff, moved=moved)
                emit_heading(after, marked, new_ids[j], ins, dels)
            case Changed(old=i, new=j) if i in old_ids or j in new_ids:
                deleted(i)  # a heading and a line of text: one went, the other came
                inserted(j)
            case Changed(old=i, new=j) if _STRUCTURAL.match(new_lines[j]):
                emit(new_lines[j], 1, 1)
            case Changed(old=i, new=j):
                marked, ins, dels = _words(comparison.words(i, j), moved=moved)
                emit(_split(new_lines[j])[0] + marked, ins, dels)
    sections = [s for s in sections if s.title != "Opening" or s.changed]
    return Redline(unlink_missing("\n".join(out), present) + "\n", sections)


def highlight_new(old: str, new: str, comparison: Comparison | None = None) -> str:
    """The newer text with words added since ``old`` wrapped in ``<mark class="ps-new">``.

    Nothing is removed or reworded: the text is exactly ``new`` plus the marks. Headings
    and structural lines (admonitions, HTML) are left as they are.
    """
    comparison = comparison or compare(old, new)
    out: list[str] = []
    for step in comparison.steps:
        if isinstance(step, Deleted):
            continue
        line = comparison.new_lines[step.new]
        if (
            isinstance(step, Same)
            or not line.strip()
            or _STRUCTURAL.match(line)
            or ATX_HEADING.match(line)
        ):
            out.append(line)
            continue
        prefix, body = _split(line)
        if isinstance(step, Inserted):
            out.append(prefix + _wrap("mark", body))
        else:
            marked, _, _ = _words(comparison.words(step.old, step.new), mark_deletions=False)
            out.append(prefix + marked)
    text = "\n".join(out)
    text = text.replace("<mark>", '<mark class="ps-new">')
    return text + ("\n" if new.endswith("\n") else "")


def summary_line(result: Redline) -> str:
    """One line for a History page: which sections changed."""
    changed = result.changed_sections
    if not changed:
        return "No change to the text."
    names = [s.title for s in changed]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"Changes in {len(names)} {'section' if len(names) == 1 else 'sections'}: {listed}."
