"""PDFs of every published policy version, in each view, and the staff induction pack.

Made with WeasyPrint from the pages MkDocs built: each page's article (the text as
published, without the website's menus, banners and links to other pages) is laid out
with ``pdf.css`` on A4, with the setting's name and the title at the top of every page
and "Page 2 of 5" at the foot. The PDFs are tagged for screen readers (PDF/UA-1), carry
the title and the language (en-GB), embed their fonts, and nothing is fetched while they
are made: the URL fetcher serves files from the view's own folder and refuses the rest.

A PDF is content-addressed: its key hashes what it is made from (the built articles as
read, minus the "current"/"superseded" banner a later version changes; their public
addresses; the setting's name; the title), the stylesheet and the versions of WeasyPrint
and the libraries that write its bytes. A published version's article is its frozen
text, so its PDF is made once and copied from the cache (``~/.cache/policy-sites/pdf/``)
on every later build, until that text, the stylesheet or the engine changes; finding it
parses no HTML and loads no WeasyPrint.
"""

from __future__ import annotations

import ctypes.util
import hashlib
import html
import importlib.util
import mimetypes
import os
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree

from policy_sites.context.downloads import (
    INDUCTION_PACK,
    INDUCTION_SHEET,
    STAFF_HOME,
    WEB_ONLY,
    version_pdf,
)
from policy_sites.context.views import PARENTS, STAFF, View, policy_ids
from policy_sites.project import Project
from policy_sites.render.engine import cache_root
from policy_sites.settings.loader import load_setting
from policy_sites.settings.schema import Setting
from policy_sites.versions.store import Version, policy_history, read_versions

__all__ = [
    "ENGINE_PACKAGES",
    "INSTALL_HINT",
    "PRINT_STYLESHEET",
    "PdfCache",
    "PdfFailed",
    "PdfJob",
    "PdfReport",
    "default_pdf_cache",
    "engine_problem",
    "make_pdfs",
    "pdf_jobs",
    "printable_document",
]

PRINT_STYLESHEET = Path(__file__).with_name("pdf.css")
ENGINE_PACKAGES = ("weasyprint", "pydyf", "fonttools", "tinyhtml5")
"""What a PDF's bytes depend on besides its document and stylesheet."""
INSTALL_HINT = "apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"
"""The system packages WeasyPrint needs (Debian's names), for a one-line hint."""

_PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}
_LEFT_OUT = {"headerlink", WEB_ONLY}
"""Classes of what a PDF leaves out: "¶" permalinks and what only the website needs."""


class PdfFailed(Exception):
    """A setting's PDFs could not be made; the message says which and why."""


def engine_problem() -> str | None:
    """Why WeasyPrint cannot make PDFs here (not installed, or a system library it loads is
    missing), or None. Looked up without importing WeasyPrint (0.7 s), so a build with
    nothing to make stays quick."""
    if importlib.util.find_spec("weasyprint") is None:
        return "WeasyPrint is not installed (pip install weasyprint)"
    missing = [name for name in _SYSTEM_LIBRARIES if ctypes.util.find_library(name) is None]
    if missing:
        return f"WeasyPrint cannot find the system libraries {', '.join(missing)}"
    return None


_SYSTEM_LIBRARIES = ("gobject-2.0", "pango-1.0", "pangoft2-1.0", "harfbuzz", "fontconfig")
"""What WeasyPrint loads when it is imported (its text/ffi.py), by the names the linker knows."""


def default_pdf_cache() -> Path:
    """Where made PDFs are kept between runs: beside the compiled templates' folder, not
    in it, so deleting that one (always cheap) never deletes the PDFs (dear to make)."""
    return cache_root() / "pdf"


@dataclass(frozen=True)
class PdfJob:
    """One PDF of one view: the built pages whose articles it holds, in order."""

    target: str
    """Where it goes, relative to the view's folder."""
    pages: tuple[str, ...]
    """Built pages, relative to the view's folder."""
    title: str | None = None
    """The PDF's title; None: the first page's heading."""


@dataclass
class PdfReport:
    """How many PDFs a build made, how many it copied from the cache, and how many staff
    PDFs are the parents' PDF of the same version (copied from it)."""

    made: int = 0
    reused: int = 0
    shared: int = 0

    def add(self, other: PdfReport) -> None:
        self.made += other.made
        self.reused += other.reused
        self.shared += other.shared


def pdf_jobs(
    setting: Setting, versions: Sequence[Version], view: View, view_dir: Path
) -> list[PdfJob]:
    """Every PDF of one built view: each published version of each policy it shows and,
    in the staff view, the induction pack."""
    jobs: list[PdfJob] = []
    current: list[str] = []
    for policy in setting.policies:
        if not (view_dir / f"policies/{policy}.html").is_file():
            continue
        history = policy_history(versions, policy)
        for version in history:
            target = version_pdf(policy, version.label)
            jobs.append(PdfJob(target, (target.removesuffix(".pdf") + ".html",)))
        latest = history[-1].label if history else None
        current.append(f"policies/{policy}/{latest}.html" if latest else f"policies/{policy}.html")
    if view.is_staff:
        first, last = (page.removesuffix(".md") + ".html" for page in (STAFF_HOME, INDUCTION_SHEET))
        if (view_dir / first).is_file() and (view_dir / last).is_file():
            title = "Staff induction pack"
            jobs.append(PdfJob(INDUCTION_PACK, (first, *current, last), title))
    return jobs


@dataclass(frozen=True)
class _Printed:
    """What a PDF takes from one built page: its article's HTML (as built, minus the
    version's "current" or "superseded" banner, which a later version changes) and the
    page's public address, from which its links are made absolute."""

    article: str
    address: str | None

    @classmethod
    def read(cls, page: Path) -> _Printed:
        markup = page.read_text(encoding="utf-8")
        start = markup.find("<article")
        end = markup.find("</article>", start)
        if start < 0 or end < 0:
            raise ValueError(f"{page}: no <article> to print")
        canonical = _CANONICAL.search(markup, 0, start)
        article = _BANNER.sub("", markup[start : end + len("</article>")])
        return cls(article, html.unescape(canonical.group(1)) if canonical else None)


_CANONICAL = re.compile(r'<link rel="canonical" href="([^"]*)"')
_BANNER = re.compile(
    rf'<div class="admonition [^"]*\b{WEB_ONLY}\b[^"]*">.*?</div>', flags=re.DOTALL
)


def _classes(element: ElementTree.Element) -> set[str]:
    return set((element.get("class") or "").split())


def _remove(parent: ElementTree.Element, child: ElementTree.Element) -> None:
    """Remove an element but keep the text that followed it, where it was."""
    index = list(parent).index(child)
    if child.tail:
        if index:
            before = parent[index - 1]
            before.tail = (before.tail or "") + child.tail
        else:
            parent.text = (parent.text or "") + child.tail
    parent.remove(child)


def _article(printed: _Printed) -> ElementTree.Element:
    """The printable part of a built page: its article, without what only the web needs."""
    import tinyhtml5

    root = tinyhtml5.parse(printed.article, namespace_html_elements=False)
    article = next(root.iter("article"))
    for parent in list(article.iter()):
        for child in list(parent):
            if _classes(child) & _LEFT_OUT or child.tag in ("script", "style", "input", "label"):
                _remove(parent, child)
    for link in article.iter("a"):
        href = link.get("href") or ""
        if href.startswith("#"):
            continue
        absolute = urljoin(printed.address, href) if printed.address else None
        if absolute and urlsplit(absolute).scheme in ("http", "https", "mailto", "tel"):
            link.attrib = {"href": absolute}
        else:  # no public address to point at: keep the words, drop the link
            link.tag, link.attrib = "span", {}
    article.attrib = {}
    return article


def printable_document(pages: Sequence[_Printed], title: str | None, setting_name: str) -> str:
    """The HTML WeasyPrint lays out: the pages' articles under the setting's name, with the
    title (default: the first heading) and language a PDF reader announces."""
    articles = [_article(page) for page in pages]
    heading = next((h for h in articles[0].iter("h1")), None)
    title = title or ("".join(heading.itertext()).strip() if heading is not None else "")
    html_root = ElementTree.Element("html", lang="en-GB")
    head = ElementTree.SubElement(html_root, "head")
    ElementTree.SubElement(head, "meta", charset="utf-8")
    ElementTree.SubElement(head, "title").text = f"{title}, {setting_name}"
    ElementTree.SubElement(head, "meta", name="author", content=setting_name)
    body = ElementTree.SubElement(html_root, "body")
    ElementTree.SubElement(body, "p", {"class": "pdf-setting"}).text = setting_name
    body.extend(articles)
    return "<!DOCTYPE html>\n" + ElementTree.tostring(html_root, encoding="unicode", method="html")


def _local_fetcher(root: Path) -> Any:
    """A WeasyPrint URL fetcher that serves files inside ``root`` and refuses the rest."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = root.resolve()

    class LocalFiles(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            parts = urlsplit(url)
            path = Path(unquote(parts.path)).resolve() if parts.scheme == "file" else None
            if path is None or not path.is_relative_to(root) or not path.is_file():
                raise ValueError(f"PDFs fetch only the site's own files, not {url}")
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})

    return LocalFiles(allowed_protocols=("file",))


class PdfCache:
    """Made PDFs by key; with no folder, nothing is kept between runs."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._stylesheet = PRINT_STYLESHEET.read_text(encoding="utf-8")
        engine = hashlib.sha256(self._stylesheet.encode())
        for name in ENGINE_PACKAGES:
            try:
                engine.update(f"{name}=={metadata.version(name)}\n".encode())
            except metadata.PackageNotFoundError:
                engine.update(f"{name} absent\n".encode())
        engine.update(repr(sorted(_PDF_OPTIONS.items())).encode())
        self.engine = engine.hexdigest()
        """The stylesheet, the engine's versions and options: what every key includes."""
        self._css: Any = None
        self._fonts: Any = None

    def key(self, *parts: str | None) -> str:
        """The key of a PDF made from ``parts`` (all it depends on but the engine)."""
        digest = hashlib.sha256(self.engine.encode())
        for part in parts:
            digest.update(b"\0" + (part or "").encode())
        return digest.hexdigest()

    def _path(self, key: str) -> Path | None:
        return self.folder / key[:2] / f"{key}.pdf" if self.folder else None

    def write(self, key: str, document: Callable[[], str], view_dir: Path, target: Path) -> bool:
        """Write the PDF keyed ``key`` to ``target``, copied from the cache or made from
        ``document()``; True if it was made."""
        cached = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        if cached is not None and cached.is_file():
            shutil.copyfile(cached, target)
            return False
        target.write_bytes(self._render(document(), view_dir))
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            temporary = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
            shutil.copyfile(target, temporary)
            os.replace(temporary, cached)
        return True

    def _render(self, document: str, view_dir: Path) -> bytes:
        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration

        if self._fonts is None:  # once per process: fonts and the stylesheet parsed once
            self._fonts = FontConfiguration()
            self._css = CSS(string=self._stylesheet, font_config=self._fonts)
        fetcher = _local_fetcher(view_dir)
        html = HTML(string=document, base_url=view_dir.as_uri() + "/", url_fetcher=fetcher)
        return html.write_pdf(stylesheets=[self._css], font_config=self._fonts, **_PDF_OPTIONS)


def make_pdfs(project: Project, slug: str, site_dir: Path, cache: PdfCache) -> PdfReport:
    """Every PDF of a setting's two views, built into ``site_dir`` (the setting's folder).

    A staff view's version whose article is the parents' to the byte (a policy with no
    staff-only passage in that version) shares the parents' PDF: the same words, and links
    that resolve to the public pages, which hold the same text. It is copied, not made again.
    """
    report = PdfReport()
    setting = load_setting(
        project.settings_dir, slug, policy_ids(project.docs_dir), project.docs_dir
    )
    versions = read_versions(project.settings_dir, slug)
    public: dict[str, tuple[list[_Printed], Path]] = {}
    """What each of the parents' PDFs was made from, and where it went, by target."""
    for view in (PARENTS, STAFF):
        view_dir = site_dir / view.subpath
        for job in pdf_jobs(setting, versions, view, view_dir):
            where = f"{view.subpath}{job.target}"
            try:
                pages = [_Printed.read(view_dir / page) for page in job.pages]
                shared = public.get(job.target) if view.is_staff else None
                if shared is not None and _same_articles(shared[0], pages):
                    (view_dir / job.target).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(shared[1], view_dir / job.target)
                    report.shared += 1
                    continue
                parts = [job.title, setting.name]
                parts += [part for page in pages for part in (page.address, page.article)]
                made = cache.write(
                    cache.key(*parts),
                    lambda pages=pages, job=job: printable_document(pages, job.title, setting.name),
                    view_dir,
                    view_dir / job.target,
                )
            except Exception as error:  # WeasyPrint's own errors have no common base class
                raise PdfFailed(f"{view.label} view: PDF {where}: {error}") from error
            if not view.is_staff:
                public[job.target] = (pages, view_dir / job.target)
            if made:
                report.made += 1
            else:
                report.reused += 1
    return report


def _same_articles(public: Sequence[_Printed], staff: Sequence[_Printed]) -> bool:
    """Whether a staff job prints what a parents' job printed: the same articles, byte for
    byte (their links are relative, so they lead to the same-named pages of either view)."""
    return [page.article for page in public] == [page.article for page in staff]
