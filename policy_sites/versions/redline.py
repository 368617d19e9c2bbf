"""Word-level comparison of two versions of a policy's Markdown, marked with <ins> and <del>.

Lines are matched first (Python's difflib), then words within each changed line, so the
marks sit inside the text while list markers, heading hashes and indentation stay as
Markdown. Each change is counted against the section (heading) it falls under, so a
reviewer gets a summary of which sections changed with links to them.
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass, field

from markdown.extensions.toc import slugify

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
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
_STRUCTURAL = re.compile(r"^\s*(?:!!!|\?\?\?|<|\||\{[%#])")
_TAGS = re.compile(r"<[^>]+>")


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
    diff: tuple[list[str], list[str], list[tuple]], mark_deletions: bool = True
) -> tuple[str, int, int]:
    """Word-level marks within one line's body; returns text, insertions, deletions."""
    a, b, opcodes = diff
    out: list[str] = []
    ins = dels = 0
    for op, i1, i2, j1, j2 in opcodes:
        before, after = "".join(a[i1:i2]), "".join(b[j1:j2])
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


def _plain(text: str) -> str:
    return html.unescape(_TAGS.sub("", text)).replace("*", "").strip()


def redline(old: str, new: str, comparison: Comparison | None = None) -> Redline:
    """Compare two renderings of a policy: the newer text, with the changes marked in it."""
    comparison = comparison or compare(old, new)
    old_lines, new_lines = comparison.old_lines, comparison.new_lines
    out: list[str] = []
    sections = [SectionChange("Opening", "")]
    used: set[str] = set()

    def emit(line: str, ins: int = 0, dels: int = 0) -> None:
        heading = _HEADING.match(line)
        if heading and len(heading.group(1)) == 1:
            # The policy's own title: the page has its own, so show it as a line of text.
            out.append(f"**{heading.group(2)}**")
        elif heading:
            title = _plain(heading.group(2))
            anchor = base = slugify(title, "-") or "section"
            n = 1
            while anchor in used:
                n += 1
                anchor = f"{base}_{n}"
            used.add(anchor)
            sections.append(SectionChange(title, anchor))
            out.append(f"{line} {{ #{anchor} }}")
        else:
            out.append(line)
        sections[-1].insertions += ins
        sections[-1].deletions += dels

    def whole(line: str, tag: str) -> None:
        if not line.strip():
            if tag == "ins":
                out.append(line)
            return
        if _STRUCTURAL.match(line):
            if tag == "ins":
                emit(line, 1, 0)
            else:
                sections[-1].deletions += 1
            return
        prefix, body = _split(line)
        emit(prefix + _wrap(tag, body), int(tag == "ins"), int(tag == "del"))

    for step in comparison.steps:
        match step:
            case Same(new=j):
                emit(new_lines[j])
            case Deleted(old=i):
                whole(old_lines[i], "del")
            case Inserted(new=j):
                whole(new_lines[j], "ins")
            case Changed(old=i, new=j) if _STRUCTURAL.match(new_lines[j]):
                emit(new_lines[j], 1, 1)
            case Changed(old=i, new=j):
                marked, ins, dels = _words(comparison.words(i, j))
                emit(_split(new_lines[j])[0] + marked, ins, dels)
    sections = [s for s in sections if s.title != "Opening" or s.changed]
    return Redline("\n".join(out) + "\n", sections)


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
            or _HEADING.match(line)
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
