"""Word files as a manager's would be, written with python-docx for the importer's tests
and bench: numbered headings, typed clause numbers, nested lists, a table, bold, italic,
links, an empty paragraph, a highlighted change note, an image, a header and a footer.

Blocks are (kind, text): kind is title, h1, h2, p, number (Word's List Number), bullet,
bullet2 (nested one level), empty, note (highlighted), image, table (text holds rows split by '\\n'
and cells by ' | '). Text may hold **bold**, *italic* and [links](https://...)."""

from __future__ import annotations

import copy
import io
import os
import re
import struct
import zlib
from pathlib import Path

import docx
from docx.enum.text import WD_COLOR_INDEX
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

__all__ = ["PNG", "Block", "reference_blocks", "reference_folder", "write_docx"]

Block = tuple[str, str]


def reference_folder() -> Path | None:
    """shared/reference: beside the clone (CI), above a worktree, or $POLICY_SITES_REFERENCE."""
    here = Path(__file__).resolve().parent.parent
    candidates = [Path(p) for p in [os.environ.get("POLICY_SITES_REFERENCE", "")] if p]
    candidates += [folder / "shared" / "reference" for folder in here.parents]
    return next((c for c in candidates if c.is_dir()), None)


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PNG = _png()
"""A 1x1 PNG: the logo every template has."""

_INLINE = re.compile(r"\*\*(.+?)\*\*|\*(.+?)\*|\[([^\]]+)\]\(([^)]+)\)")
_STYLES = {
    "title": "Title",
    "h1": "Heading 1",
    "h2": "Heading 2",
    "number": "List Number",
    "bullet": "List Bullet",
    "bullet2": "List Bullet",
}


def _hyperlink(paragraph, text: str, url: str) -> None:
    rel = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = text
    t.set(qn("xml:space"), "preserve")
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def _add_text(paragraph, text: str, highlight: bool = False) -> None:
    last = 0
    for match in _INLINE.finditer(text):
        if match.start() > last:
            paragraph.add_run(text[last : match.start()])
        bold, italic, link_text, url = match.groups()
        if bold:
            paragraph.add_run(bold).bold = True
        elif italic:
            paragraph.add_run(italic).italic = True
        else:
            _hyperlink(paragraph, link_text, url)
        last = match.end()
    if last < len(text):
        paragraph.add_run(text[last:])
    if highlight:
        for run in paragraph.runs:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _second_levels(document) -> None:
    """python-docx's template defines one level per list; Word's define nine. Give each
    list a second level, so that an indented item is a nested one."""
    numbering = document.part.numbering_part.element
    for abstract in numbering.findall(qn("w:abstractNum")):
        levels = abstract.findall(qn("w:lvl"))
        if len(levels) != 1:
            continue
        second = copy.deepcopy(levels[0])
        second.set(qn("w:ilvl"), "1")
        for linked in second.findall(qn("w:pStyle")):  # the style names level 0 only
            second.remove(linked)
        levels[0].addnext(second)


def _nest(paragraph) -> None:
    """One level down in the bullet list, as Word's Increase Indent makes it: the list
    style's own numbering, at level 1."""
    numbering = copy.deepcopy(paragraph.style.element.pPr.numPr)
    level = numbering.find(qn("w:ilvl"))
    if level is None:
        level = OxmlElement("w:ilvl")
        numbering.insert(0, level)
    level.set(qn("w:val"), "1")
    paragraph._p.get_or_add_pPr()._insert_numPr(numbering)


def write_docx(path: Path, blocks: list[Block], header: str = "", footer: str = "") -> Path:
    """Write ``blocks`` to ``path`` as Word would save them."""
    document = docx.Document()
    _second_levels(document)
    section = document.sections[0]
    if header:
        section.header.paragraphs[0].text = header
    if footer:
        section.footer.paragraphs[0].text = footer
    for kind, text in blocks:
        if kind == "table":
            rows = [row.split(" | ") for row in text.split("\n")]
            table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    _add_text(table.cell(r, c).paragraphs[0], cell)
        elif kind == "empty":
            document.add_paragraph("")
        elif kind == "image":
            document.add_picture(io.BytesIO(PNG))
        else:
            paragraph = document.add_paragraph(style=_STYLES.get(kind))
            _add_text(paragraph, text, highlight=kind == "note")
            if kind == "bullet2":
                _nest(paragraph)
    document.save(path)
    return path


_HEADING = re.compile(r"^\d+\.?(?:\s?\d+\.?)*\s+\S")


def reference_blocks(text: str) -> list[Block]:
    """A reference policy (.txt, as exported from Word) as the Word file it came from."""
    blocks: list[Block] = []
    table: list[str] = []
    in_details = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        line = line.replace("[image: image3.png]", "")
        if raw.startswith("[image:"):
            blocks.append(("image", ""))
        if line.startswith("Key Details"):
            blocks.append(("h1", "Key Details"))
            in_details = True
            continue
        if in_details and ":" in line and len(line) < 90 and not line.startswith("This policy"):
            label, _, value = line.partition(":")
            table.append(f"{label.strip()} | {value.strip()}")
            continue
        if in_details and table and line.isupper():
            table[-1] += " " + line  # a second DSL on its own line, in the same cell
            continue
        if table:
            blocks.append(("table", "\n".join(table)))
            table = []
        in_details = False
        if raw.startswith(" - ") or raw.startswith(" -"):
            blocks.append(("bullet2", line.removeprefix("-").strip()))
        elif line.startswith("- "):
            item = line[2:].strip()
            kind = "number" if re.match(r"\d+\.\d", item) else "bullet"
            blocks.append((kind, item))
        elif line.startswith("\u00b7"):
            blocks.append(("bullet", line.lstrip("\u00b7 ").strip()))
        elif not blocks and line.isupper():
            blocks.append(("title", line))
            blocks.append(("empty", ""))
        elif (
            len(line) < 80
            and not line.endswith((".", ":", ","))
            and (_HEADING.match(line) or line[:1].isupper())
        ):
            level = "h2" if re.match(r"^\d+\.\s?\d", line) or not line[:1].isdigit() else "h1"
            blocks.append((level, line))
        else:
            blocks.append(("p", line))
    if table:
        blocks.append(("table", "\n".join(table)))
    blocks.insert(2, ("note", "Updated content for this year is highlighted in yellow."))
    return blocks
