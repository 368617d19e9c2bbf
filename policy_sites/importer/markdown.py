"""Word to Markdown: mammoth reads the .docx into HTML (headings, lists, tables, bold,
italic, links), markdownify writes the Markdown; Word's artefacts are taken out between
the two and each is listed, so nothing leaves the text unreported.

Chosen by measurement against walking the document with python-docx: see
``bench/import.py --converters`` and README's "Importing Word policies"."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import mammoth
from bs4 import BeautifulSoup, NavigableString, Tag
from markdownify import markdownify

from policy_sites.importer.docx_file import DocxFile, DocxRefused

__all__ = ["Converted", "Dropped", "convert"]

_STYLE_MAP = """
highlight => mark
p[style-name='Title'] => h1:fresh
p[style-name='Subtitle'] => h2:fresh
"""
"""mammoth's own map covers headings and lists; a highlight becomes <mark> so that a
paragraph that is nothing but a highlighted change note can be found and dropped."""

_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th")
_TYPED_NUMBER = re.compile(r"^\s*(\d{1,2}(?:\s?\.\s?\d{1,2})*\.?)\s+(?=\S)")
"""A clause number typed into the text ("2.2 ", "6. 1. "): the list numbers it already."""


@dataclass(frozen=True)
class Dropped:
    """One thing the conversion left out on purpose, and where it was."""

    what: str
    text: str
    paragraph: int | None = None

    def __str__(self) -> str:
        where = f" (paragraph {self.paragraph})" if self.paragraph is not None else ""
        return f"{self.what}{where}: {self.text}" if self.text else f"{self.what}{where}"


@dataclass
class Converted:
    """One Word file as Markdown lines, and what was left out or needs a person's eye."""

    lines: list[str]
    dropped: list[Dropped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return layout(self.lines)


def _no_image(image: object) -> dict[str, str]:
    """Images are not read at all (no base64 of every photo): each leaves a marker."""
    return {"src": "", "alt": "image"}


def _inside_sublist(piece: NavigableString, block: Tag) -> bool:
    for parent in piece.parents:
        if parent is block:
            return False
        if parent.name in ("ul", "ol", "table"):
            return True
    return False


def _own_text(block: Tag) -> str:
    """A block's text, without nested lists (a list item's sub-items are blocks too)."""
    pieces = block.find_all(string=True)
    return " ".join("".join(p for p in pieces if not _inside_sublist(p, block)).split())


def _is_note(block: Tag) -> bool:
    """Every word of the block is highlighted: a change note, not policy text."""
    marks = block.find_all("mark")
    if not marks:
        return False
    marked = " ".join(m.get_text(" ") for m in marks).split()
    return bool(marked) and marked == _own_text(block).split()


def _strip_number(block: Tag) -> str | None:
    """Take a typed clause number from the block's start; return it, or None."""
    first = next(
        (s for s in block.descendants if isinstance(s, NavigableString) and s.strip()), None
    )
    if first is None:
        return None
    found = _TYPED_NUMBER.match(str(first))
    if not found:
        return None
    number = found.group(1)
    if "." not in number and not (block.name or "").startswith("h"):
        return None  # "999 if there is danger" is text; only headings get bare numbers
    first.replace_with(str(first)[found.end() :])
    return number


def _clean(html: str) -> tuple[str, list[Dropped]]:
    soup = BeautifulSoup(html, "html.parser")
    dropped: list[Dropped] = []
    for index, block in enumerate(soup.find_all(_BLOCKS), start=1):
        if block.parent is None:
            continue
        for image in block.find_all("img"):
            image.decompose()
            dropped.append(Dropped("an image", "", index))
        text = _own_text(block)
        if not text and not block.find(["ul", "ol", "table"]):
            if block.name in ("td", "th"):
                continue
            block.decompose()
            dropped.append(Dropped("an empty paragraph", "", index))
            continue
        if _is_note(block) and block.name not in ("td", "th"):
            dropped.append(Dropped("a highlighted change note", text, index))
            block.decompose()
            continue
        for mark in block.find_all("mark"):
            mark.unwrap()
        if number := _strip_number(block):
            dropped.append(Dropped(f"typed numbering {number!r}", text[:60], index))
    for image in soup.find_all("img"):
        image.decompose()
        dropped.append(Dropped("an image", ""))
    for empty in soup.find_all(["ul", "ol"]):
        if not empty.find("li"):
            empty.decompose()
    return str(soup), dropped


_MARKER = re.compile(r"^(\s*(?:#{1,6}\s+|[-*+]\s+|\d+\.\s+|>\s+)?)")
"""A Markdown line's structure (heading, list item, quote), apart from its words."""
_LIST_OR_ROW = re.compile(r"^\s*(?:[-*+]|\d+\.)\s|^\s*\|")


def split_marker(line: str) -> tuple[str, str]:
    """A line's marker ('## ', '- ', '1. ') and its content."""
    marker = _MARKER.match(line).group(1)  # type: ignore[union-attr]
    return marker, line[len(marker) :]


def block_kind(line: str) -> str | None:
    """'list' for a list item, 'row' for a table row, None for any other block."""
    found = _LIST_OR_ROW.match(line)
    return None if not found else ("row" if found.group().strip() == "|" else "list")


def separator(line: str, following: str | None) -> str:
    """What follows ``line`` when ``following`` comes next: list items and table rows run
    on, every other block has a blank line after it; the last line ends the text."""
    if following is None:
        return "\n"
    kind = block_kind(line)
    return "\n" if kind and kind == block_kind(following) else "\n\n"


def layout(lines: list[str]) -> str:
    """Lines as one Markdown text, laid out as the importer and the recovered source are."""
    return "".join(
        line + separator(line, lines[k + 1] if k + 1 < len(lines) else None)
        for k, line in enumerate(lines)
    )


def _lines(markdown: str) -> list[str]:
    """Markdown's non-blank lines, trailing spaces gone, ordered items all numbered '1.'
    (Markdown numbers them; the typed numbers are gone already)."""
    lines = []
    for line in markdown.splitlines():
        line = line.rstrip()
        if line.strip():
            lines.append(re.sub(r"^(\s*)\d+\.(\s)", r"\g<1>1.\2", line))
    return lines


def html_to_markdown(html: str) -> str:
    """The one HTML-to-Markdown step (markdownify), shared by the importer and its bench."""
    return markdownify(
        html, heading_style="ATX", bullets="-", strong_em_symbol="*", table_infer_header=True
    )


def convert(docx: DocxFile) -> Converted:
    """Convert a vetted .docx to Markdown lines, listing everything left out."""
    try:
        result = mammoth.convert_to_html(
            io.BytesIO(docx.data),
            style_map=_STYLE_MAP,
            convert_image=mammoth.images.img_element(_no_image),
        )
    except Exception as error:  # mammoth's own, for a zip that is no Word document inside
        raise DocxRefused(
            docx.path, f"Word's text cannot be read ({error}); open it in Word and save it as .docx"
        ) from None
    html, dropped = _clean(result.value)
    extras = docx.extras
    dropped += [Dropped("header or footer", text) for text in extras.headers_footers]
    notes = [f"tracked insertion (kept as Word shows it): {t}" for t in extras.insertions]
    notes += [f"tracked deletion (left out, as Word shows it): {t}" for t in extras.deletions]
    notes += [f"comment (left out): {c}" for c in extras.comments]
    notes += [
        f"Word: {m.message}"
        for m in result.messages
        if "image" not in m.message.lower() and "highlight" not in m.message.lower()
    ]
    return Converted(_lines(html_to_markdown(html)), dropped, notes)
