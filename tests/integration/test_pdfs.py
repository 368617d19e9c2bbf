"""The PDFs: every published version in each view and the staff induction pack, read back
with pypdf as a reader (or an inspector's archive) would: same words as the web page, A4,
titled, en-GB, tagged, fonts embedded, the same bytes on every rebuild, made only once."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from policy_sites.builder.federation import BuildOptions, FederationReport, build_federation
from policy_sites.builder.pdf import engine_problem, pdf_jobs
from policy_sites.context.downloads import INDUCTION_PACK, version_pdf
from policy_sites.context.leak_check import LeakCheck
from policy_sites.context.variables import staff_only_fields
from policy_sites.context.views import PARENTS, STAFF, policy_ids
from policy_sites.project import Project
from policy_sites.settings.loader import load_setting
from policy_sites.versions.store import policy_history, read_versions
from tests.conftest import EXAMPLES, copy_project
from tests.helpers import REPO, in_ci

EPOCH = "1700000000"
A4 = (595.28, 841.89)  # points
MARGIN_TOP, MARGIN_BOTTOM = 62.36, 56.69  # 22 mm and 20 mm, as in builder/pdf.css


def _engine_or_skip() -> None:
    problem = engine_problem()
    if problem and in_ci():
        pytest.fail(f"CI must make the PDFs: {problem}")
    if problem:
        pytest.skip(f"{problem}: apt-get install -y libpango-1.0-0 libpangoft2-1.0-0")


@dataclass
class Built:
    out: Path
    cache: Path
    report: FederationReport


def _build(
    project: Project, out: Path, cache: Path | None, slugs: tuple[str, ...] = EXAMPLES, **options
) -> FederationReport:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        report = build_federation(
            project,
            list(slugs),
            out,
            BuildOptions(jobs=1, pdf=True, pdf_cache=cache, **options),
        )
    assert report.ok, {r.slug: r.error for r in report.results if not r.ok}
    return report


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The examples built with their PDFs, into an empty PDF cache."""
    _engine_or_skip()
    root = tmp_path_factory.mktemp("pdfs")
    cache = root / "cache"
    return Built(root / "site", cache, _build(Project(REPO), root / "site", cache))


def _versions(slug: str) -> Iterator[tuple[str, str, str]]:
    """(policy, label, view folder) of every published version in both views."""
    setting = load_setting(REPO / "settings", slug, policy_ids(REPO / "docs"))
    versions = read_versions(REPO / "settings", slug)
    for policy in setting.policies:
        for version in policy_history(versions, policy):
            for view in (PARENTS, STAFF):
                yield policy, version.label, view.subpath


def _all_pdfs(out: Path) -> list[Path]:
    return sorted(out.rglob("*.pdf"))


class _ArticleWords(HTMLParser):
    """The words of a page's article as a reader sees them, without the "¶" permalinks and
    what the website marks web-only (banners, the History and download links)."""

    SKIPPED = frozenset({"headerlink", "ps-web-only"})
    VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "wbr"})
    BLOCKS = frozenset(
        {"p", "li", "ul", "ol", "div", "table", "tr", "td", "th", "br", "dt", "dd"}
        | {f"h{n}" for n in range(1, 7)}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # inside <article>
        self.skipping = 0  # depth inside a skipped element
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.BLOCKS:
            self.text.append(" ")  # a block's words never run on into the next block's
        if tag in self.VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        if tag == "article":
            self.depth += 1
        elif self.depth and (self.skipping or classes & self.SKIPPED or tag == "script"):
            self.skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.text.append(" ")
        if tag in self.VOID:
            return
        if self.skipping:
            self.skipping -= 1
        elif tag == "article":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skipping:
            self.text.append(data)


def _page_words(page: Path) -> list[str]:
    parser = _ArticleWords()
    parser.feed(page.read_text(encoding="utf-8"))
    return _normalised("".join(parser.text).split())


_MARKERS = re.compile(r"^(?:[•◦▪‣-]|\d+\.)$")  # list bullets and numbers, drawn, not text


def _normalised(words: list[str]) -> list[str]:
    """Words without list markers, with a word broken after its hyphen ("Multi-" "agency",
    at the end of a printed line) joined again; the same on both sides of a comparison."""
    joined: list[str] = []
    for word in (w.replace("\u00ad", "") for w in words if not _MARKERS.match(w)):
        if joined and joined[-1].endswith("-") and len(joined[-1]) > 1:
            joined[-1] += word
        else:
            joined.append(word)
    return joined


def _text_and_margins(page) -> tuple[str, list[str]]:
    """A PDF page's text, and its running header and footer: text drawn outside the
    body's area (one pass over the page: extracting text is most of these tests' time)."""
    found: list[str] = []

    def visit(text: str, cm: list, tm: list, font: object, size: object) -> None:
        from_top = A4[1] - (tm[5] * cm[3] + cm[5])
        if text.strip() and not MARGIN_TOP <= from_top <= A4[1] - MARGIN_BOTTOM:
            found.append(text.strip())

    return page.extract_text(visitor_text=visit), found


_extracted: dict[tuple[Path, int, int], tuple[list[str], list[list[str]]]] = {}


def _pdf_words(pdf: Path) -> tuple[list[str], list[list[str]]]:
    """The body's words of every page, and each page's margin texts (header, footer);
    read once per file as built (several tests read the module's PDFs)."""
    stat = pdf.stat()
    key = (pdf, stat.st_mtime_ns, stat.st_size)
    if key not in _extracted:
        _extracted[key] = _read_pdf_words(pdf)
    return _extracted[key]


def _read_pdf_words(pdf: Path) -> tuple[list[str], list[list[str]]]:
    words: list[str] = []
    margins: list[list[str]] = []
    for page in PdfReader(pdf).pages:
        text, running = _text_and_margins(page)
        for piece in reversed(running):  # drawn last, so the last occurrence is theirs
            at = text.rfind(piece)
            assert at >= 0, (pdf, piece)
            text = text[:at] + " " + text[at + len(piece) :]
        words += text.split()
        margins.append(running)
    return _normalised(words), margins


def test_every_published_version_has_a_pdf_linked_from_its_pages(built: Built) -> None:
    for slug in EXAMPLES:
        site = built.out / slug
        latest: dict[tuple[str, str], str] = {}
        for policy, label, view in _versions(slug):
            pdf = site / view / version_pdf(policy, label)
            assert pdf.is_file(), pdf
            assert pdf.read_bytes().startswith(b"%PDF-")
            page = (site / view / version_pdf(policy, label)).with_suffix(".html")
            assert f'<a href="{label}.pdf" type="application/pdf">Download PDF</a>' in (
                page.read_text(encoding="utf-8")
            )
            latest[(policy, view)] = label
        for (policy, view), label in latest.items():
            current = (site / view / f"policies/{policy}.html").read_text(encoding="utf-8")
            assert f'href="{policy}/{label}.pdf" type="application/pdf">Download PDF' in current
        assert (site / STAFF.subpath / INDUCTION_PACK).is_file()
        assert not (site / INDUCTION_PACK).exists(), "the induction pack is for staff only"
        induction = (site / STAFF.subpath / "induction.html").read_text(encoding="utf-8")
        assert f'href="{INDUCTION_PACK}"' in induction
    pdfs = built.report.pdfs
    assert pdfs is not None
    assert pdfs.made + pdfs.shared == len(_all_pdfs(built.out)) > 0
    assert pdfs.reused == 0


def test_a_staff_pdf_is_the_parents_pdf_when_the_version_has_no_staff_only_text(
    built: Built,
) -> None:
    """Made once and copied: a version with no staff-only passage prints the same in both
    views; one with staff-only text has a staff PDF of its own, which shows it."""
    shared = own = 0
    for slug in EXAMPLES:
        for policy, label, view in _versions(slug):
            if view != STAFF.subpath:
                continue
            staff = built.out / slug / view / version_pdf(policy, label)
            parents = built.out / slug / version_pdf(policy, label)
            same_page = _page_words(staff.with_suffix(".html")) == _page_words(
                parents.with_suffix(".html")
            )
            assert (staff.read_bytes() == parents.read_bytes()) == same_page, staff
            shared += same_page
            own += not same_page
    assert built.report.pdfs is not None and built.report.pdfs.shared == shared
    assert shared and own, (shared, own)  # the examples have both kinds


def test_a_versions_pdf_has_the_words_of_its_web_page_in_order(built: Built) -> None:
    compared = 0
    for slug in EXAMPLES:
        for policy, label, view in _versions(slug):
            folder = built.out / slug / view
            pdf = folder / version_pdf(policy, label)
            web = _page_words(pdf.with_suffix(".html"))
            printed, _ = _pdf_words(pdf)
            assert printed == web, f"{pdf}: the PDF's words differ from its page's"
            assert "Version" in web and "ratified" in web and "review" in web
            compared += 1
    assert compared >= 8


def test_metadata_page_size_fonts_tags_and_running_lines(built: Built) -> None:
    for slug in EXAMPLES:
        name = load_setting(REPO / "settings", slug, policy_ids(REPO / "docs")).name
        for pdf in _all_pdfs(built.out / slug):
            reader = PdfReader(pdf)
            root = reader.trailer["/Root"]
            title = reader.metadata.title
            assert title.endswith(f", {name}"), (pdf, title)
            words, margins = _pdf_words(pdf)
            if pdf.name != INDUCTION_PACK:  # titled by its heading
                heading = title.removesuffix(f", {name}").split()
                assert words[: len(heading)] == heading, (pdf, title)
            assert root["/Lang"] == "en-GB"
            assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root, "tagged"
            assert root["/ViewerPreferences"]["/DisplayDocTitle"]
            pages = len(reader.pages)
            for number, (page, running) in enumerate(zip(reader.pages, margins, strict=True), 1):
                width, height = float(page.mediabox.width), float(page.mediabox.height)
                assert (round(width, 2), round(height, 2)) == A4, pdf
                assert f"Page {number} of {pages}" in running, (pdf, running)
                assert name in running, (pdf, running)
                for font in page["/Resources"]["/Font"].values():
                    font = font.get_object()
                    descendant = font.get("/DescendantFonts")
                    described = (descendant[0].get_object() if descendant else font)[
                        "/FontDescriptor"
                    ]
                    assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(described), (
                        f"{pdf}: font {font['/BaseFont']} is not embedded"
                    )


def test_the_induction_pack_is_the_quick_reference_the_policies_and_the_signing_sheet(
    built: Built,
) -> None:
    for slug in EXAMPLES:
        setting = load_setting(REPO / "settings", slug, policy_ids(REPO / "docs"))
        staff = built.out / slug / STAFF.subpath
        pack = PdfReader(staff / INDUCTION_PACK)
        first_lines = [page.extract_text().splitlines()[0] for page in pack.pages]
        (job,) = [
            j
            for j in pdf_jobs(setting, read_versions(REPO / "settings", slug), STAFF, staff)
            if j.target == INDUCTION_PACK
        ]
        assert job.pages[0] == "index.html" and job.pages[-1] == "induction.html"
        assert len(job.pages) == len(setting.policies) + 2
        starts = []
        for page in job.pages:  # each part starts a page, in order
            heading = _page_words(staff / page)[: len(["Staff", "quick", "reference"])]
            starts.append(
                next(i for i, line in enumerate(first_lines) if line.split()[:3] == heading[:3])
            )
        assert starts == sorted(starts) and len(set(starts)) == len(starts), (slug, starts)
        words, _ = _pdf_words(staff / INDUCTION_PACK)
        assert words == [w for page in job.pages for w in _page_words(staff / page)]


def test_staff_only_text_never_reaches_a_parents_pdf(built: Built) -> None:
    found_in_staff = False
    for slug in EXAMPLES:
        check = LeakCheck(
            staff_only_fields(load_setting(REPO / "settings", slug, policy_ids(REPO / "docs")))
        )
        for pdf in _all_pdfs(built.out / slug):
            shown = pdf.relative_to(built.out).as_posix()
            leaks = check.scan_pdf(pdf, shown)
            if pdf.is_relative_to(built.out / slug / STAFF.subpath):
                found_in_staff = found_in_staff or bool(leaks)
            else:
                assert leaks == [], leaks
    assert found_in_staff, "the check finds nothing even in the staff PDFs: it cannot fail"


def test_a_frozen_versions_pdf_is_the_same_bytes_when_made_again(
    built: Built, tmp_path: Path
) -> None:
    again = _build(Project(REPO), tmp_path / "site", None, ("poppys",))  # no cache: made again
    assert again.pdfs is not None and again.pdfs.reused == 0
    for policy, label, view in _versions("poppys"):
        path = Path("poppys", view, version_pdf(policy, label))
        assert (tmp_path / "site" / path).read_bytes() == (built.out / path).read_bytes(), path


def test_rebuilds_copy_unchanged_pdfs_and_remake_only_what_changed(
    built: Built, tmp_path: Path, edit
) -> None:
    project = copy_project(tmp_path / "project")
    cache = tmp_path / "cache"
    shutil.copytree(built.cache, cache)
    out = tmp_path / "site"
    first = _build(project, out, cache)
    assert first.pdfs is not None and first.pdfs.made == 0, "a clean build reuses the cache"
    # The quick reference (in the induction pack) changes; no frozen text does.
    edit(project.settings_dir / "poppys.yml", "staff_keep_phones: ", "staff_keep_phones: safely ")
    second = _build(project, out, cache)
    assert [r.slug for r in second.of("built")] == ["poppys"]
    assert second.pdfs is not None
    assert second.pdfs.made == 1, "only the induction pack shows the changed fact"
    assert second.pdfs.made + second.pdfs.reused + second.pdfs.shared == len(
        _all_pdfs(out / "poppys")
    )
    assert "safely" in PdfReader(out / "poppys/staff" / INDUCTION_PACK).pages[0].extract_text()


def test_a_setting_with_nothing_published_has_no_version_pdfs_and_a_pack_of_drafts(
    tmp_path: Path,
) -> None:
    _engine_or_skip()
    project = copy_project(tmp_path / "project")
    shutil.rmtree(project.settings_dir / "halstead")  # its published versions
    out = tmp_path / "site"
    report = _build(project, out, tmp_path / "cache", ("halstead",))
    assert report.pdfs is not None and report.pdfs.made == 1
    assert [p.relative_to(out).as_posix() for p in _all_pdfs(out)] == [
        f"halstead/staff/{INDUCTION_PACK}"
    ]
    pages = [p.read_text(encoding="utf-8") for p in (out / "halstead").rglob("*.html")]
    assert not [p for p in pages if "Download PDF" in p]
    words, _ = _pdf_words(out / "halstead/staff" / INDUCTION_PACK)
    assert " ".join(words).count("Draft — not yet ratified") == len(
        load_setting(project.settings_dir, "halstead", policy_ids(project.docs_dir)).policies
    )


def test_without_the_pdf_engine_a_build_says_how_to_get_it_and_ci_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import policy_sites.cli.federation as commands
    from policy_sites.cli.main import cli

    monkeypatch.setattr(commands, "engine_problem", lambda: "WeasyPrint cannot start (no Pango)")
    project = copy_project(tmp_path / "project")
    out = tmp_path / "site"
    args = ["build", "poppys", "--jobs", "1", "--out", str(out), "--project", str(project.root)]
    monkeypatch.setenv("CI", "true")
    failed = CliRunner().invoke(cli, args)
    assert failed.exit_code == 1 and "cannot make PDFs" in failed.output, failed.output
    assert "libpango" in failed.output and not out.exists()
    monkeypatch.delenv("CI")
    assert CliRunner().invoke(cli, [*args, "--pdf"]).exit_code == 1, "asked for, so it fails"
    built = CliRunner().invoke(cli, args)
    assert built.exit_code == 0, built.output
    hint = [line for line in built.output.splitlines() if "without PDFs" in line]
    assert len(hint) == 1 and "apt-get install -y libpango" in hint[0], built.output
    site = out / "poppys"
    assert (site / "index.html").is_file() and not _all_pdfs(site)
    pages = [p.read_text(encoding="utf-8") for p in site.rglob("*.html")]
    assert not [p for p in pages if "Download PDF" in p or INDUCTION_PACK in p]


def test_the_fetcher_serves_only_the_sites_own_files(tmp_path: Path) -> None:
    _engine_or_skip()
    from policy_sites.builder.pdf import _local_fetcher

    (tmp_path / "view").mkdir()
    (tmp_path / "view" / "logo.png").write_bytes(b"\x89PNG")
    (tmp_path / "secret.txt").write_text("not for PDFs")
    fetcher = _local_fetcher(tmp_path / "view")
    assert fetcher.fetch((tmp_path / "view" / "logo.png").as_uri()).read() == b"\x89PNG"
    for url in (
        "https://fonts.googleapis.com/css?family=Roboto",
        "http://127.0.0.1/x.png",
        (tmp_path / "secret.txt").as_uri(),
        (tmp_path / "view").as_uri() + "/../secret.txt",
    ):
        with pytest.raises(ValueError, match="fetch only the site's own files"):
            fetcher.fetch(url)
