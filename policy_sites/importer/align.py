"""Several settings' copies of one policy: align them, keep their common text as the
shared source, and make each difference a fact for the policy (a phrase each setting
completes, or a yes/no for a clause only some settings have).

Lines are aligned progressively against the copies already aligned (difflib on whole
lines, then lines that differ are paired by the share of words they have in common);
the words of a line that differs are aligned the same way, and what stays common to
every copy is the source's text."""

from __future__ import annotations

import keyword
import re
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from enum import Enum

from policy_sites.context.phrases import join_and
from policy_sites.importer.markdown import block_kind, separator, split_marker

__all__ = ["Copy", "FactKind", "NewFact", "Recovered", "recover"]

_WORD = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\w+")
"""Words and variables: what a difference must change to be more than formatting."""

_TOKEN = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\w+(?:['\u2019]\w+)*|\s+|[^\w\s]")
_PAIR_AT = 0.5
"""Two lines that share at least half their words are one clause, edited."""


_JINJA_WORDS = {"and", "or", "not", "in", "is", "if", "else", "true", "false", "none",
                "True", "False", "None", "items", "keys", "values", "get"}  # fmt: skip
"""Names that would not parse after a dot, or that a dict's own methods would hide."""


class FactKind(Enum):
    """The kinds of the facts contract that the importer proposes."""

    PHRASE = "phrase"
    LIST = "list"
    YES_NO = "yes_no"


@dataclass
class Copy:
    """One setting's copy: its template lines (known facts already variables)."""

    slug: str
    file: str
    lines: list[str]
    names: tuple[str, ...] = ()
    """The setting's own names (its name, its DSLs'): a fact is never named after one."""


@dataclass
class NewFact:
    """A fact the recovered source needs, with each setting's value and where it was."""

    name: str
    kind: FactKind
    question: str
    frame: str | None
    values: dict[str, str | bool | list[str]]
    """Each setting's value; a setting with none is left out (the fact is then optional)."""
    where: dict[str, str]
    optional: bool = False
    """Some setting has no value: the source tests it (``{% if group.fact %}``)."""

    def example(self, avoiding: Collection[str] = ()) -> str | bool | list[str] | None:
        """The value most settings give (the first, in a tie) that names none of
        ``avoiding`` (the settings' own names: a shared source never holds one)."""

        given = [
            v
            for v in self.values.values()
            if v not in ("", False, []) and not _names_any(v, avoiding)
        ]
        counted = Counter(tuple(v) if isinstance(v, list) else v for v in given)
        if not counted:
            return None
        best = counted.most_common(1)[0][0]
        return list(best) if isinstance(best, tuple) else best


def _names_any(value: str | bool | list[str], names: Collection[str]) -> bool:
    """Whether ``value`` holds one of ``names`` as whole words."""
    text = " ".join(value) if isinstance(value, list) else str(value)
    return any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text) for n in names if n)


@dataclass
class Recovered:
    """The shared source recovered from the copies, and the facts it declares."""

    group: str
    lines: list[str]
    facts: list[NewFact] = field(default_factory=list)
    formatting: list[str] = field(default_factory=list)
    """Differences of punctuation or emphasis only: the first copy's kept, each listed."""

    @property
    def text(self) -> str:
        return "".join(self.lines)


@dataclass
class _Column:
    cells: dict[str, tuple[int, str]]

    def representative(self) -> str:
        return split_marker(next(iter(self.cells.values()))[1])[1]


def _words(text: str) -> list[str]:
    return re.findall(r"\{\{.*?\}\}|\w+", text.lower())


def _similarity(a: str, b: str) -> float:
    if (block_kind(a) == "row") != (block_kind(b) == "row"):
        return 0.0  # a table in one copy and a list in another: two clauses, not one
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return 0.0
    matcher = SequenceMatcher(None, wa, wb, autojunk=False)
    if matcher.real_quick_ratio() < _PAIR_AT or matcher.quick_ratio() < _PAIR_AT:
        return 0.0
    return matcher.ratio()


def _pair(old: Sequence[str], new: Sequence[str]) -> list[tuple[int | None, int | None]]:
    """Pair old and new lines in order, most words in common first (a small dynamic
    programme over the block that difflib found changed)."""
    rows, cols = len(old), len(new)
    if rows * cols > 40_000:  # a wholly different copy: no pairing is worth the time
        return [(i, None) for i in range(rows)] + [(None, j) for j in range(cols)]
    sim = [[_similarity(a, b) for b in new] for a in old]
    best = [[0.0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        for j in range(cols - 1, -1, -1):
            take = sim[i][j] + best[i + 1][j + 1] if sim[i][j] >= _PAIR_AT else -1.0
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    pairs: list[tuple[int | None, int | None]] = []
    i = j = 0
    while i < rows and j < cols:
        if sim[i][j] >= _PAIR_AT and best[i][j] == sim[i][j] + best[i + 1][j + 1]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            pairs.append((i, None))
            i += 1
        else:
            pairs.append((None, j))
            j += 1
    pairs += [(k, None) for k in range(i, rows)] + [(None, k) for k in range(j, cols)]
    return pairs


def _align_lines(copies: Sequence[Copy]) -> list[_Column]:
    columns = [_Column({copies[0].slug: (n, line)}) for n, line in enumerate(copies[0].lines)]
    for copy in copies[1:]:
        reps = [c.representative() for c in columns]
        contents = [split_marker(line)[1] for line in copy.lines]
        merged: list[_Column] = []
        matcher = SequenceMatcher(None, reps, contents, autojunk=False)
        for op, a1, a2, b1, b2 in matcher.get_opcodes():
            if op == "equal":
                for k in range(a2 - a1):
                    columns[a1 + k].cells[copy.slug] = (b1 + k, copy.lines[b1 + k])
                    merged.append(columns[a1 + k])
                continue
            for i, j in _pair(reps[a1:a2], contents[b1:b2]):
                if i is not None:
                    column = columns[a1 + i]
                    if j is not None:
                        column.cells[copy.slug] = (b1 + j, copy.lines[b1 + j])
                    merged.append(column)
                else:
                    assert j is not None
                    merged.append(_Column({copy.slug: (b1 + j, copy.lines[b1 + j])}))
        columns = merged
    return _merge_split(columns, len(copies))


def _merge_split(columns: list[_Column], everyone: int) -> list[_Column]:
    """Join a clause the progressive alignment split in two: copies that each have one of
    two optional clauses, but none yet had both, may order them either way (one copy's
    'After' before another's 'Them'); a later copy with both fixes an order, and its
    line may open a second column beside the first. Two columns no copy shares, alike in
    words, become one when no copy of one of them has a line between them."""
    partial = [c for c in columns if len(c.cells) < everyone]
    if len(partial) > 400:  # copies this different have no clause to rejoin worth the time
        return columns
    merged = True
    while merged:
        merged = False
        for i, first in enumerate(columns):
            if len(first.cells) == everyone:
                continue
            for j in range(i + 1, len(columns)):
                later = columns[j]
                if len(later.cells) == everyone or set(first.cells) & set(later.cells):
                    continue
                between = columns[i + 1 : j]
                up = not any(set(c.cells) & set(later.cells) for c in between)
                down = not any(set(c.cells) & set(first.cells) for c in between)
                if not (up or down):
                    continue
                if _similarity(first.representative(), later.representative()) < _PAIR_AT:
                    continue
                if up:  # the later copies' lines move up to the first column
                    first.cells.update(later.cells)
                    del columns[j]
                else:  # the first copies' lines move down to the later column
                    later.cells = {**first.cells, **later.cells}
                    del columns[i]
                merged = True
                break
            if merged:
                break
    return columns


class _Names:
    """Fact names from a clause's own words, each used once."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def make(self, prefix: str, text: str) -> str:
        words = [w for w in re.findall(r"[a-z]+", re.sub(r"\{.*?\}", " ", text.lower()))][:4]
        base = "_".join([prefix, *words]) if prefix else "_".join(words) or "phrase"
        if keyword.iskeyword(base) or base in _JINJA_WORDS:
            base = f"{base}_phrase"  # {{ group.or }} would not parse
        name, n = base, 2
        while name in self.taken:
            name, n = f"{base}_{n}", n + 1
        self.taken.add(name)
        return name


def _plain(text: str) -> str:
    return " ".join(re.sub(r"\{%.*?%\}|\{\{.*?\}\}", "\u2026", text).split())


def _slots(
    cells: dict[str, tuple[int, str]],
) -> list[str | dict[str, str]]:
    """A line's pieces: literal text common to every copy, and slots (each copy's own)."""
    slugs = list(cells)
    tokens = {s: _TOKEN.findall(split_marker(cells[s][1])[1]) for s in slugs}
    base = tokens[slugs[0]]
    anchors: dict[int, dict[str, int]] = {i: {slugs[0]: i} for i in range(len(base))}
    for slug in slugs[1:]:
        seen: dict[int, int] = {}
        matcher = SequenceMatcher(None, base, tokens[slug], autojunk=False)
        for a, b, size in matcher.get_matching_blocks():
            for k in range(size):
                seen[a + k] = b + k
        for i in list(anchors):
            if i in seen:
                anchors[i][slug] = seen[i]
            else:
                del anchors[i]
    pieces: list[str | dict[str, str]] = []
    last = {s: 0 for s in slugs}
    for i in [*sorted(anchors), None]:
        ends = {s: (anchors[i][s] if i is not None else len(tokens[s])) for s in slugs}
        gap = {s: "".join(tokens[s][last[s] : ends[s]]) for s in slugs}
        if len(set(gap.values())) > 1:
            pieces.append(gap)
        elif gap[slugs[0]]:
            pieces.append(gap[slugs[0]])
        if i is not None:
            pieces.append(base[i])
            last = {s: anchors[i][s] + 1 for s in slugs}
    return _widen(_merge_pieces(_tidy_edges(_merge_pieces(pieces, slugs)), slugs), slugs)


def _tidy_edges(pieces: list[str | dict[str, str]]) -> list[str | dict[str, str]]:
    """Spaces every copy has at a slot's edge belong to the text around it."""
    out: list[str | dict[str, str]] = []
    for piece in pieces:
        if isinstance(piece, dict):
            values = list(piece.values())
            lead = trail = ""
            while all(v and v[0].isspace() and v[0] == values[0][0] for v in values):
                lead += values[0][0]
                values = [v[1:] for v in values]
            while all(v and v[-1].isspace() and v[-1] == values[0][-1] for v in values):
                trail = values[0][-1] + trail
                values = [v[:-1] for v in values]
            out += [lead, dict(zip(piece, values, strict=True)), trail]
        else:
            out.append(piece)
    return [p for p in out if p != ""]


def _widen(pieces: list[str | dict[str, str]], slugs: list[str]) -> list[str | dict[str, str]]:
    """Take the word beside a slot into it while some copy's text there starts (or ends)
    with a space the others lack ('private / direct' against 'private or direct'): a
    settings file's value is stripped of spaces, so the space must be inside a value's
    words or in the source, never at a value's edge."""
    out = list(pieces)
    k = 0
    while k < len(out):
        piece = out[k]
        if not isinstance(piece, dict):
            k += 1
            continue
        _, _, cores = _edges(piece)
        having = [c for c in cores.values() if c.strip()]
        before = out[k - 1] if k and isinstance(out[k - 1], str) else None
        after = out[k + 1] if k + 1 < len(out) and isinstance(out[k + 1], str) else None
        word_before = re.search(r"[^\s{}]+$", before) if isinstance(before, str) else None
        word_after = re.match(r"[^\s{}]+", after) if isinstance(after, str) else None
        if word_before and any(c[0].isspace() for c in having):
            assert isinstance(before, str)
            out[k] = {s: word_before.group() + piece[s] for s in slugs}
            out[k - 1] = before[: word_before.start()]
        elif word_after and any(c[-1].isspace() for c in having):
            assert isinstance(after, str)
            out[k] = {s: piece[s] + word_after.group() for s in slugs}
            out[k + 1] = after[word_after.end() :]
        else:
            k += 1
            continue
        if out[k - 1] == "" and k:  # the literal before is used up
            del out[k - 1]
            k -= 1
    return [p for p in out if p != ""]


def _merge_pieces(
    pieces: list[str | dict[str, str]], slugs: list[str]
) -> list[str | dict[str, str]]:
    """Join literal runs, then fold a short literal between two slots into one slot."""
    joined: list[str | dict[str, str]] = []
    for piece in pieces:
        if isinstance(piece, str) and joined and isinstance(joined[-1], str):
            joined[-1] += piece
        else:
            joined.append(piece)
    folded: list[str | dict[str, str]] = []
    k = 0
    while k < len(joined):
        piece = joined[k]
        if (
            isinstance(piece, str)
            and folded
            and isinstance(folded[-1], dict)
            and k + 1 < len(joined)
            and isinstance(joined[k + 1], dict)
            and len(_words(piece)) <= 2
            and "{{" not in piece
            and "{%" not in piece
            and not re.search(r"[.!?:;]\s", piece)  # a slot never runs past a sentence
        ):
            before, after = folded[-1], joined[k + 1]
            assert isinstance(after, dict)
            folded[-1] = {s: before[s] + piece + after[s] for s in slugs}
            k += 2
            continue
        folded.append(piece)
        k += 1
    return folded


_EDGE = re.compile(r"[^\w{}]")
"""What a slot's edges may give to the text around it: spaces and punctuation."""


def _edges(piece: dict[str, str]) -> tuple[str, str, dict[str, str]]:
    """The spaces and punctuation every copy with text here has at the start and end of
    its slot (lead, trail), and each copy's text without them. They belong to the
    sentence: a settings file's value is stripped of spaces, and a phrase never ends
    with the full stop of the sentence it completes ('on site. This is done weekly.'
    against 'on site.' gives ' This is done weekly' and a full stop in the source)."""
    having = [v for v in piece.values() if v.strip()]
    lead = trail = ""
    while all(len(v) > len(lead) + len(trail) + 1 for v in having):
        c = having[0][len(lead)]
        if not (_EDGE.match(c) and all(v[len(lead)] == c for v in having)):
            break
        lead += c
    while all(len(v) > len(lead) + len(trail) + 1 for v in having):
        c = having[0][-len(trail) - 1]
        if not (_EDGE.match(c) and all(v[-len(trail) - 1] == c for v in having)):
            break
        trail = c + trail
    cores = {s: v[len(lead) : len(v) - len(trail)] if v.strip() else "" for s, v in piece.items()}
    return lead, trail, cores


def as_list(values: dict[str, str]) -> dict[str, list[str]] | None:
    """Each value as the list it names ('the hall, the kitchen and the garden'), when
    join_and, the filter the sources use, gives every value back exactly and at least two
    settings name several short things; else None (the values stay phrases)."""
    lists: dict[str, list[str]] = {}
    for slug, value in values.items():
        head, sep, last = value.rpartition(" and ")
        items = [*head.split(", "), last] if sep else ([value] if value else [])
        if any(not item.strip() or " and " in item for item in items):
            return None
        if join_and(items) != value:
            return None
        if any(len(item.split()) > 5 for item in items):
            return None  # a clause, not a thing named in a list
        lists[slug] = items
    several = sum(len(items) > 1 for items in lists.values())
    return lists if several >= 2 else None  # one 'x and y' alone is just a phrase


def _separator_at(n: int, columns: list[_Column], texts: list[str]) -> str:
    """The break after line ``n``: a list item or table row runs on only when the line
    after it runs on too in every copy that has it, whichever clauses those copies have."""
    if n + 1 >= len(texts):
        return "\n"
    present = set(columns[n].cells)
    surely = next((m for m in range(n + 1, len(texts)) if present <= set(columns[m].cells)), None)
    ways = {separator(texts[n], texts[n + 1])}
    if surely is not None:
        ways.add(separator(texts[n], texts[surely]))
    return ways.pop() if len(ways) == 1 else "\n\n"


def recover(
    copies: Sequence[Copy], group: str, render_value: Callable[[str, str], str]
) -> Recovered:
    """The shared source of ``copies`` and the facts its differences become.

    ``render_value(slug, text)`` turns a stretch of one copy's template text into the
    plain text a setting's file holds (a variable inside a differing phrase becomes its
    value)."""
    slugs = [c.slug for c in copies]
    own_names = {n for c in copies for n in c.names}
    files = {c.slug: c.file for c in copies}
    columns = _align_lines(copies)
    names = _Names()
    facts: list[NewFact] = []
    texts: list[str] = []
    formatting: list[str] = []
    for column in columns:
        marker = split_marker(next(iter(column.cells.values()))[1])[0]
        distinct = {split_marker(text)[1] for _, text in column.cells.values()}
        if len(distinct) == 1:
            texts.append(marker + distinct.pop())
            continue
        pieces = _slots(column.cells)
        line = marker
        frame_parts = [p if isinstance(p, str) else "\u2026" for p in pieces]
        for k, piece in enumerate(pieces):
            if isinstance(piece, str):
                line += piece
                continue
            if len({tuple(_WORD.findall(v)) for v in piece.values()}) == 1:
                first = next(iter(piece.values()))
                formatting.append(
                    " / ".join(f"{s}: {v!r}" for s, v in piece.items()) + f" (kept {first!r})"
                )
                line += first
                continue
            lead, trail, cores = _edges(piece)
            having = [s for s in piece if cores[s].strip()]
            frame = _plain(
                "".join(frame_parts[:k]) + lead + "{}" + trail + "".join(frame_parts[k + 1 :])
            )
            if len(having) < len(piece) and len({cores[s] for s in having}) == 1:
                # Text some copies add and the rest leave out: a clause, not a value.
                clause = cores[having[0]]
                name = names.make("includes", clause)
                facts.append(_clause_fact(name, _plain(clause), slugs, having, files, column.cells))
                line += f"{{% if {group}.{name} %}}{lead}{clause}{trail}{{% endif %}}"
                continue
            values = {s: render_value(s, cores[s]) for s in having}
            by_count = [v for v, _ in Counter(values.values()).most_common()]
            named = next((v for v in by_count if not _names_any(v, own_names)), by_count[0])
            if not re.search(r"[a-z]", named.lower()):  # '10' or '5': named by its sentence
                before, _, after = frame.partition("{}")
                named = " ".join([*re.findall(r"[A-Za-z]+", before)[-1:],
                                  *re.findall(r"[A-Za-z]+", after)[:1]])  # fmt: skip
            name = names.make("", named)
            lists = as_list(values)
            article = re.search(r"\b(?:the|a|an|our|their|your) $", line)
            if lists and article and not lead and len(having) == len(piece):
                # 'the garden and the toilets', not 'the' + 'garden and the toilets'
                moved = {s: article.group() + v for s, v in values.items()}
                if moved_lists := as_list(moved):
                    line, values, lists = line[: article.start()], moved, moved_lists
                    frame = frame.replace(article.group() + "{}", "{}", 1)
            optional = set(values) != set(slugs)
            facts.append(
                NewFact(
                    name,
                    FactKind.LIST if lists else FactKind.PHRASE,
                    f"What completes this sentence in your policy: {frame}",
                    frame,
                    dict(lists or values),
                    {s: f"{files[s]}, paragraph {column.cells[s][0] + 1}" for s in having},
                    optional,
                )
            )
            shown = " | join_and" if lists else ""
            variable = f"{lead}{{{{ {group}.{name}{shown} }}}}{trail}"
            if len(having) < len(piece):  # some copies have nothing here
                variable = f"{{% if {group}.{name} %}}{variable}{{% endif %}}"
            line += variable
        texts.append(line)
    # Runs of columns that only some copies have become yes/no clauses.
    out: list[str] = []
    k = 0
    while k < len(columns):
        present = frozenset(columns[k].cells)
        end = k
        while end + 1 < len(columns) and frozenset(columns[end + 1].cells) == present:
            end += 1
        body = [texts[n] + _separator_at(n, columns, texts) for n in range(k, end + 1)]
        if len(present) == len(slugs):
            out.extend(body)
        else:
            label = next(
                (_plain(texts[n]) for n in range(k, end + 1) if _words(texts[n])), texts[k]
            )
            name = names.make("includes", label)
            facts.append(_clause_fact(name, label, slugs, present, files, columns[k].cells))
            out.append(f"{{% if {group}.{name} %}}")
            out.extend(body)
            out.append("{% endif %}")
        k = end + 1
    return Recovered(group, out, facts, formatting)


def _clause_fact(
    name: str,
    clause: str,
    slugs: Sequence[str],
    having: Collection[str],
    files: Mapping[str, str],
    cells: Mapping[str, tuple[int, str]],
) -> NewFact:
    """A yes/no fact for text only some copies have: true where a copy has it, with the
    paragraph of each copy it came from."""
    return NewFact(
        name,
        FactKind.YES_NO,
        f"Does your policy include: \u201c{clause[:100]}\u201d?",
        None,
        {s: s in having for s in slugs},
        {s: f"{files[s]}, paragraph {cells[s][0] + 1}" for s in having},
    )
