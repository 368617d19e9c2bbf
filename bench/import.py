"""Benchmark: ``policy-sites import`` of N settings' copies of a ten-page policy, and the
choice of Word converter.

    .venv/bin/python bench/import.py --n 50          # the import: must take under a minute
    .venv/bin/python bench/import.py --converters    # mammoth + markdownify vs python-docx

The policy is the Poppy's reference (two policies in one file, about nine pages) with
Halstead's aims added, written as Word would save it (tests/word_files.py); each setting's
copy has its own name and DSL, its own phrase in two clauses, and a clause some copies
leave out, as real copies do. The converters are measured on the two reference files for
time and for fidelity: the share of the reference text's words that come back in order,
and the headings, list items, table rows, bold runs and links kept.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import sys
import tempfile
import time
from difflib import SequenceMatcher
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic import copy_project
from policy_sites.importer.docx_file import read_docx
from policy_sites.importer.markdown import convert
from policy_sites.importer.run import import_policy
from policy_sites.project import Project
from policy_sites.settings.new_setting import (
    DSLDetails,
    NewSettingDetails,
    ProvisionDetails,
    write_new_setting,
)
from tests.word_files import reference_blocks, reference_folder, write_docx

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = reference_folder() or Path("shared/reference")
HALSTEAD = REFERENCE / "halstead-nursery-mobile-technology-and-social-media-policy.txt"
POPPYS = REFERENCE / "poppys-mobile-smart-technology-and-social-media-policies.txt"
_PLACES = ["Acorns", "Bluebells", "Chestnuts", "Daisies", "Elms", "Foxgloves", "Greenfields",
           "Hollies", "Ivydene", "Jasmines"]  # fmt: skip
_FIRST = ["Amira", "Ben", "Chloe", "Dev", "Ellen", "Farah", "Gus", "Hana", "Isla", "Jack"]
_LAST = ["Ahmed", "Brown", "Clarke", "Davies", "Evans", "Fisher", "Green", "Hughes", "Iqbal"]


def _policy(name: str, dsl: str, i: int) -> list[tuple[str, str]]:
    blocks = reference_blocks(POPPYS.read_text(encoding="utf-8"))
    blocks += [b for b in reference_blocks(HALSTEAD.read_text(encoding="utf-8"))[:20]]
    out = []
    for kind, text in blocks:
        text = text.replace("Poppy\u2019s", name).replace("Poppu\u2019s", name)
        text = re.sub(r"GEMMA CHAPMAN|Gemma Chapman", dsl, text)
        text = text.replace("in their lockers", ["in the office", "in a locked cupboard",
                                                 "in their lockers"][i % 3])  # fmt: skip
        if i % 4 == 0 and text.startswith("Setting mobile phones and devices will always"):
            continue  # a clause some copies left out
        out.append((kind, text))
    return out


def _words(text: str) -> list[str]:
    """Words, not numbers: typed clause numbers are dropped on purpose by one converter."""
    words = re.findall(r"\w+", text.lower().replace("\u2019", "'"))
    return [w for w in words if not w.isdigit()]


def bench_import(n: int, workers: int) -> float:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        copy_project(ROOT, root / "project")
        project = Project(root / "project")
        sources = []
        for i in range(n):
            slug = f"setting-{i}"
            name = f"{_PLACES[i % 10]} Pre-school {i}"
            dsl = f"{_FIRST[i % 10]} {_LAST[(i * 7) % 9]}"
            details = NewSettingDetails(
                name, [ProvisionDetails("Pre-school")], [DSLDetails(dsl, "Manager", "Pre-school")]
            )
            write_new_setting(project.settings_dir, slug, details, ["mobile-and-smart-technology"])
            path = write_docx(root / f"{slug}.docx", _policy(name, dsl, i), footer="Page 1")
            sources.append((slug, path))
        words = len(_words(convert(read_docx(sources[0][1])).text))
        start = time.perf_counter()
        result = import_policy(project, "mobile-imported", sources, dt.date(2026, 12, 5), workers)
        took = time.perf_counter() - start
    exact = sum(t.exact for t in result.round_trips)
    print(f"import of {n} copies of a {words}-word policy (about {words / 500:.0f} pages), "
          f"{workers} worker(s): {took:.1f} s ({took / n:.2f} s a copy); "
          f"{exact}/{n} round trips exact; {len(result.recovered.facts)} fact(s) proposed; "
          f"{'under' if took < 60 else 'OVER'} a minute")  # fmt: skip
    return took


def _walk_python_docx(data: bytes) -> str:
    """The other candidate: walk the document with python-docx and write Markdown."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    out = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                out.append("| " + " | ".join(c.text for c in row.cells) + " |")
            continue
        assert isinstance(block, Paragraph)
        style = block.style.name if block.style is not None else ""
        text = ""
        for item in block.iter_inner_content():
            if hasattr(item, "address"):  # a hyperlink
                text += f"[{item.text}]({item.address})"
            elif item.bold:
                text += f"**{item.text}**"
            elif item.italic:
                text += f"*{item.text}*"
            else:
                text += item.text
        if not text.strip():
            continue
        if style.startswith("Heading") or style == "Title":
            level = int(style.split()[-1]) if style[-1].isdigit() else 1
            out.append("#" * level + " " + text)
        elif style.startswith("List"):
            indent = "  " if style.endswith("2") else ""
            out.append(indent + ("1. " if "Number" in style else "- ") + text)
        else:
            out.append(text)
    return "\n\n".join(out)


def _as_word_numbers(path: Path) -> Path:
    """The same file with lists as Word's numbering button makes them: "List Paragraph"
    paragraphs with their own numbering properties; and one tracked insertion."""
    import copy

    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document(path)
    for paragraph in document.paragraphs:
        style = paragraph.style
        if style is None or not style.name.startswith(("List Number", "List Bullet")):
            continue
        numbering = style.element.pPr.numPr if style.element.pPr is not None else None
        if numbering is None:
            continue
        numbering = copy.deepcopy(numbering)
        paragraph.style = "List Paragraph"
        paragraph._p.get_or_add_pPr()._insert_numPr(numbering)
    inserted = OxmlElement("w:ins")
    inserted.set(qn("w:id"), "90")
    inserted.set(qn("w:author"), "Manager")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "inserted while tracking changes"
    run.append(text)
    inserted.append(run)
    document.paragraphs[-1]._p.append(inserted)
    target = path.with_name(path.stem + "-word-numbers.docx")
    document.save(target)
    return target


def _mammoth(data: bytes, path: Path) -> str:
    return convert(read_docx(path)).text


def _fidelity(markdown: str, reference: str) -> dict[str, float | int | bool]:
    ref, got = _words(reference), _words(markdown)
    matcher = SequenceMatcher(None, ref, got, autojunk=False)
    same = sum(b.size for b in matcher.get_matching_blocks())
    return {
        "words": same / len(ref),
        "insertion kept": "inserted while tracking changes" in markdown,
        "headings": len(re.findall(r"^#+ ", markdown, re.M)),
        "list items": len(re.findall(r"^\s*(?:[-*]|\d+\.) ", markdown, re.M)),
        "table rows": len(re.findall(r"^\|", markdown, re.M)),
        "bold": len(re.findall(r"\*\*[^*]+\*\*", markdown)),
        "links": len(re.findall(r"\]\([^)]*\)", markdown)),
    }


def bench_converters(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        for ref, word_numbers in ((HALSTEAD, False), (POPPYS, False), (HALSTEAD, True)):
            text = ref.read_text(encoding="utf-8")
            path = write_docx(Path(scratch) / f"{ref.stem[:8]}.docx", reference_blocks(text))
            if word_numbers:
                path = _as_word_numbers(path)
                text += " inserted while tracking changes"
            data = path.read_bytes()
            for label, run in (
                ("mammoth + markdownify", lambda d, p=path: _mammoth(d, p)),
                ("python-docx walk", lambda d, p=path: _walk_python_docx(d)),
            ):
                start = time.perf_counter()
                for _ in range(rounds):
                    markdown = run(data)
                took = (time.perf_counter() - start) / rounds
                found = _fidelity(markdown, text)
                shown = ", ".join(
                    f"{k} {v:.1%}" if k == "words" else f"{k} {v}" for k, v in found.items()
                )
                kind = " (Word's numbering, a tracked insertion)" if word_numbers else ""
                print(f"{ref.stem[:17]}{kind}: {label}: {took * 1000:.0f} ms; {shown}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50, help="copies to import (default 50)")
    parser.add_argument("--workers", type=int, default=2, help="processes reading the files")
    parser.add_argument("--converters", action="store_true", help="compare the converters")
    parser.add_argument("--rounds", type=int, default=5, help="converter timing rounds")
    args = parser.parse_args()
    if not REFERENCE.is_dir():
        sys.exit(f"{REFERENCE} is needed: the reference policies are the benchmark's text")
    if args.converters:
        bench_converters(args.rounds)
    else:
        bench_import(args.n, args.workers)


if __name__ == "__main__":
    main()
