"""Where the words a prose finding quotes were written: a setting's value, or a source line.

The prose check reads rendered pages, but an editor mends a settings file or a Markdown
source. A rendered sentence is a source's literal words with the setting's values put in
between, so the finding's words are matched against the setting's values as written (a
fault wholly inside one value is that value's, at its file, line and field) and what is
left against the sources' lines (the line sharing the longest run of the sentence's own
words is where the source says it). No source map is needed: both sides are plain text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from policy_sites.check.prose import ProseProblem, Span
from policy_sites.settings.loader import WrittenText

__all__ = ["Place", "Sources", "ValueInText", "values_in", "where_written"]

_SHORTEST_VALUE = 4
"""Shorter values ('yes', '999') would be found inside unrelated words and sentences."""
_SHORTEST_RUN = 3
"""A source line must share this many words in a row with the sentence to count."""
_VALUE_GAP, _JINJA_GAP = "\x00", "\x01"
"""Stand for a value in a sentence and an expression in a source line: they match
nothing, each other included."""
_WORD = re.compile(rf"[\w'\u2019]+|{_VALUE_GAP}|{_JINJA_GAP}")


@dataclass(frozen=True)
class ValueInText:
    """Where one of the setting's values appears in a block of a page's text."""

    value: WrittenText
    span: Span

    def holds(self, span: Span) -> bool:
        return self.span[0] <= span[0] and span[1] <= self.span[1]

    def touches(self, span: Span) -> bool:
        return self.span[0] < span[1] and span[0] < self.span[1]


@dataclass(frozen=True)
class Place:
    """Where to mend a finding: a file and line, and the settings field if it is a value.
    ``values``: the values the faulty words run into, when the source is at fault."""

    file: Path
    line: int
    field: str = ""
    values: tuple[WrittenText, ...] = ()


def _plain(text: str) -> str:
    return " ".join(text.split())


def values_in(text: str, values: Iterable[WrittenText]) -> list[ValueInText]:
    """Every appearance of a value in ``text`` (any case: a phrase may capitalise it)."""
    found = []
    for value in values:
        plain = _plain(value.text)
        if len(plain) < _SHORTEST_VALUE:
            continue
        pattern = re.compile(rf"(?<!\w){re.escape(plain)}(?!\w)", re.IGNORECASE)
        found += [ValueInText(value, match.span()) for match in pattern.finditer(text)]
    return found


_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"\{:[^}]*\}|<[^>]+>")
_INCLUDE = re.compile(r"""\{%-?\s*include\s+["']([^"']+)["']""")


class Sources:
    """The shared sources' lines as words, read once per ``check``: a link as its text,
    attribute lists and HTML tags dropped, each Jinja expression a gap."""

    def __init__(self, docs_dir: Path, partials: Path) -> None:
        self.docs_dir = docs_dir
        self.partials = partials
        self._words: dict[Path, list[list[str]]] = {}

    def words(self, path: Path) -> list[list[str]]:
        if path not in self._words:
            lines = path.read_text(encoding="utf-8").splitlines()
            self._words[path] = [
                _WORD.findall(
                    _MARKUP.sub(" ", _LINK.sub(r"\1", _JINJA.sub(_JINJA_GAP, line))).lower()
                )
                for line in lines
            ]
        return self._words[path]

    def with_includes(self, source: Path) -> list[Path]:
        """A page's source and the partials it includes, at any depth, in reading order."""
        order: list[Path] = []
        todo = [source]
        while todo:
            path = todo.pop(0)
            if path in order or not path.is_file():
                continue
            order.append(path)
            text = path.read_text(encoding="utf-8")
            todo += [self.partials / name for name in _INCLUDE.findall(text)]
        return order

    def every(self) -> list[Path]:
        return sorted(self.docs_dir.rglob("*.md"))

    def best_line(self, paths: Iterable[Path], words: list[str]) -> tuple[Path, int, int] | None:
        """The line sharing the most words in a row with ``words``: (file, line, how many)."""
        best = None
        for path in paths:
            for number, line in enumerate(self.words(path), 1):
                if not line:
                    continue
                matcher = SequenceMatcher(None, words, line, autojunk=False)
                size = matcher.find_longest_match(0, len(words), 0, len(line)).size
                if best is None or size > best[2]:
                    best = (path, number, size)
        return best


def _sentence(text: str, span: Span) -> Span:
    """The sentence of ``text`` holding ``span``."""
    start = max((m.end() for m in re.finditer(r"[.!?]\s", text[: span[0]])), default=0)
    after = re.search(r"[.!?](?:\s|$)", text[span[1] :])
    return start, span[1] + after.end() if after else len(text)


def _own_words(text: str, span: Span, values: Sequence[ValueInText]) -> list[str]:
    """The source's own words around the fault: its sentence with each value a gap (the
    whole block if the sentence has too few words of the source's own)."""

    def gapped(start: int, end: int) -> list[str]:
        chars = list(text[start:end])
        for found in values:
            for index in range(max(found.span[0], start), min(found.span[1], end)):
                chars[index - start] = f" {_VALUE_GAP} " if index == found.span[0] else " "
        return _WORD.findall("".join(chars).lower())

    words = gapped(*_sentence(text, span))
    own = len([w for w in words if w != _VALUE_GAP])
    return words if own >= _SHORTEST_RUN else gapped(0, len(text))


def where_written(
    problem: ProseProblem, values: Sequence[WrittenText], page_source: Path, sources: Sources
) -> Place:
    """Where to mend ``problem``, found on a page made from ``page_source``: the value
    that holds the faulty words, else the source line nearest to them (the page's source
    and its partials first, then every source), else the page's source."""
    text = problem.text
    span = problem.span or (0, len(text))
    found = values_in(text, values)
    holding = [f for f in found if f.holds(span)]
    if holding:
        value = max(holding, key=lambda f: len(f.value.text)).value
        return Place(value.file, value.line, value.field)
    touched = tuple(dict.fromkeys(f.value for f in found if f.touches(span)))
    words = _own_words(text, span, found)
    for paths in (sources.with_includes(page_source), sources.every()):
        best = sources.best_line(paths, words)
        if best and best[2] >= _SHORTEST_RUN:
            return Place(best[0], best[1], values=touched)
    return Place(page_source, 1, values=touched)
