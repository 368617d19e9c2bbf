"""Read a Word file safely: refuse what is not a plain .docx before anything inflates it,
and list what Word keeps beside the text (tracked changes, comments, headers, footers)."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_RATIO",
    "MAX_UNPACKED_BYTES",
    "DocxRefused",
    "WordExtras",
    "read_docx",
]

MAX_FILE_BYTES = 50 * 1024 * 1024
"""A policy is text: a .docx over 50 MB is not a policy."""
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
"""The most the zip's directory may say its parts inflate to, in all."""
MAX_RATIO = 100
"""The most any large part may inflate by: real Word parts compress 3-20 times."""
_RATIO_FROM = 1024 * 1024  # small parts may compress well (runs of spaces); only big ones count

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NS = {"w": _W}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MACRO_TYPES = ("macroEnabled", "vbaProject")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
"""Entities are never expanded: a part cannot grow while it is parsed."""


class DocxRefused(ValueError):
    """One line saying why a file cannot be imported, and what to do."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")

    def __reduce__(self) -> tuple[type[DocxRefused], tuple[Path, str]]:
        return (DocxRefused, (self.path, self.reason))  # from a reading process, whole


@dataclass
class WordExtras:
    """What Word keeps beside the body text, reported rather than silently kept or lost."""

    insertions: list[str] = field(default_factory=list)
    deletions: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    headers_footers: list[str] = field(default_factory=list)


@dataclass
class DocxFile:
    """A vetted .docx: its bytes as the converter needs them, and what Word kept beside
    the text."""

    path: Path
    data: bytes
    extras: WordExtras


def _text(element: etree._Element, tag: str = "w:t") -> str:
    return "".join(element.xpath(f".//{tag}/text()", namespaces=_NS)).strip()


def _vet_zip(path: Path, archive: zipfile.ZipFile) -> None:
    """Refuse a zip bomb from its directory alone, before any part is inflated."""
    infos = archive.infolist()
    if len(infos) > 10_000:
        raise DocxRefused(path, f"it holds {len(infos)} parts; a Word file holds a few dozen")
    total = sum(info.file_size for info in infos)
    if total > MAX_UNPACKED_BYTES:
        raise DocxRefused(
            path, f"it would unpack to {total // 2**20} MB (limit {MAX_UNPACKED_BYTES // 2**20})"
        )
    for info in infos:
        ratio = info.file_size // max(info.compress_size, 1)
        if info.file_size > _RATIO_FROM and ratio > MAX_RATIO:
            raise DocxRefused(
                path,
                f"its part {info.filename} would inflate {ratio} times (limit {MAX_RATIO}): "
                "not a Word file as Word writes one",
            )
    names = set(archive.namelist())
    if "word/document.xml" not in names:
        raise DocxRefused(path, "it has no Word document inside; save it as .docx from Word")
    types = (
        archive.read("[Content_Types].xml").decode("utf-8", "replace")
        if ("[Content_Types].xml" in names)
        else ""
    )
    if any(marker in types for marker in _MACRO_TYPES) or "word/vbaProject.bin" in names:
        raise DocxRefused(
            path, "it holds macros (a .docm); save it as .docx (Word Document) without them"
        )


def _extras(archive: zipfile.ZipFile, document: etree._Element) -> WordExtras:
    extras = WordExtras()
    extras.insertions = [t for ins in document.iter(f"{{{_W}}}ins") if (t := _text(ins))]
    extras.deletions = [t for d in document.iter(f"{{{_W}}}del") if (t := _text(d, "w:delText"))]
    names = archive.namelist()
    if "word/comments.xml" in names:
        comments = etree.fromstring(archive.read("word/comments.xml"), _PARSER)
        for comment in comments.iter(f"{{{_W}}}comment"):
            author = comment.get(f"{{{_W}}}author") or "someone"
            extras.comments.append(f"{author}: {_text(comment)}")
    for name in sorted(names):
        if re.fullmatch(r"word/(header|footer)\d*\.xml", name):
            text = _text(etree.fromstring(archive.read(name), _PARSER))
            if text:
                extras.headers_footers.append(text)
    return extras


_STYLE_REFS = ".//w:pStyle/@w:val | .//w:rStyle/@w:val | .//w:tblStyle/@w:val"


def _slim(archive: zipfile.ZipFile, document: etree._Element) -> bytes:
    """The file as the converter needs it: styles.xml with only the styles the text
    uses (Word keeps hundreds, and parsing them was most of the conversion's time), and
    without the parts it never reads (thumbnails, the styles' second copy)."""
    used = set(document.xpath(_STYLE_REFS, namespaces=_NS))
    names = archive.namelist()
    if "word/numbering.xml" in names:
        numbering = etree.fromstring(archive.read("word/numbering.xml"), _PARSER)
        used |= set(numbering.xpath(_STYLE_REFS, namespaces=_NS))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as slim:
        for name in names:
            if name in ("word/stylesWithEffects.xml",) or name.startswith(("docProps/thumb",)):
                continue
            data = archive.read(name)
            if name == "word/styles.xml":
                styles = etree.fromstring(data, _PARSER)
                for latent in styles.findall(f"{{{_W}}}latentStyles"):
                    styles.remove(latent)
                for style in styles.findall(f"{{{_W}}}style"):
                    if style.get(f"{{{_W}}}styleId") not in used:
                        styles.remove(style)
                data = etree.tostring(styles, xml_declaration=True, encoding="UTF-8")
            slim.writestr(name, data)
    return out.getvalue()


def read_docx(path: Path) -> DocxFile:
    """Read and vet one Word file; DocxRefused (one line) for anything but a plain .docx."""
    suffix = path.suffix.lower()
    if suffix == ".doc":
        raise DocxRefused(path, "a .doc (Word 97-2003) file; open it in Word and save it as .docx")
    if suffix == ".docm":
        raise DocxRefused(path, "a .docm holds macros; save it as .docx (Word Document)")
    if suffix != ".docx":
        raise DocxRefused(path, "not a .docx file; save it from Word as .docx")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DocxRefused(path, f"{size // 2**20} MB is too big for a policy")
        data = path.read_bytes()
    except OSError as error:
        raise DocxRefused(path, f"cannot be read ({error.strerror or error})") from None
    if data.startswith(_OLE_MAGIC):
        raise DocxRefused(
            path,
            "it is password-protected (encrypted) or an old .doc renamed; remove the password "
            "in Word and save it as .docx",
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _vet_zip(path, archive)
            document = etree.fromstring(archive.read("word/document.xml"), _PARSER)
            extras = _extras(archive, document)
            data = _slim(archive, document)
    except DocxRefused:
        raise
    except (zipfile.BadZipFile, etree.XMLSyntaxError, KeyError, EOFError, ValueError) as error:
        raise DocxRefused(
            path, f"it is damaged ({error}); open it in Word and save it as .docx again"
        ) from None
    return DocxFile(path, data, extras)
