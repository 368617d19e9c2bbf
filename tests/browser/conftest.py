"""Browser fixtures: the example sites built once, served on 127.0.0.1, driven by Chromium.

Playwright drives Debian's Chromium (/usr/bin/chromium); Playwright's own browser
download is never used. Without Chromium the browser tests skip on a developer's machine
and fail in CI (CI=true), where a missing browser means the tests did not run.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.helpers import in_ci

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
INSTALL_HINT = "install it with: apt-get install -y chromium"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}


def _unavailable() -> str | None:
    """Why the browser tests cannot run here, or None if they can."""
    if not os.access(CHROMIUM, os.X_OK):
        return f"browser tests need Chromium at {CHROMIUM}: {INSTALL_HINT}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tests need Playwright: pip install -e '.[test]'"
    return None


def require_chromium() -> None:
    """Skip (on a developer's machine) or fail (in CI) when the browser is missing."""
    reason = _unavailable()
    if reason and in_ci():
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_available() -> None:
    require_chromium()


class _QuietHandler(SimpleHTTPRequestHandler):
    """A static server configured as the README asks: a missing address gets the 404 page
    of the view it lies in (``poppys/staff/404.html``), with status 404."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None):
        page = _error_page(Path(self.directory), urlsplit(self.path).path) if code == 404 else None
        if page is None:
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def _error_page(root: Path, address: str) -> Path | None:
    """The 404.html of the deepest folder on the way to ``address`` that has one."""
    parts = [part for part in address.split("/") if part]
    folders = parts if address.endswith("/") else parts[:-1]  # the last is a file's name
    folder, found = root, None
    for part in folders:
        folder = folder / part
        if not folder.is_dir():
            break
        if (folder / "404.html").is_file():
            found = folder / "404.html"
    return found


@dataclass
class SiteServer:
    """The built sites, served over HTTP on 127.0.0.1."""

    root: Path
    base: str

    def url(self, path: str) -> str:
        return self.base + path.lstrip("/")

    def path(self, url: str) -> str:
        """The site path of one of this server's URLs ('poppys/index.html')."""
        return urlsplit(url).path.lstrip("/")


def serve(root: Path) -> Iterator[SiteServer]:
    """Serve the built sites under ``root`` on 127.0.0.1 until the generator is closed."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield SiteServer(root, f"http://127.0.0.1:{server.server_port}/")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def site_server(published_sites: Path) -> Iterator[SiteServer]:
    yield from serve(published_sites)


@pytest.fixture(scope="session")
def browser(chromium_available: None) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Requests:
    """Every request a page made, and those that went to another host."""

    origin: str
    seen: list[str] = field(default_factory=list)

    @property
    def third_party(self) -> list[str]:
        return [url for url in self.seen if not _same_origin(url, self.origin)]


def _same_origin(url: str, origin: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about", "chrome", "chrome-extension"}:
        # Inline data, and the browser's own pages (its PDF viewer): nothing leaves it.
        return True
    return f"{parts.scheme}://{parts.netloc}" == origin


def open_page(browser, site_server: SiteServer, viewport: dict) -> Iterator[object]:
    """A fresh page that records every request and lets none leave 127.0.0.1."""
    origin = site_server.base.rstrip("/")
    context = browser.new_context(viewport=viewport, locale="en-GB", service_workers="block")
    context.set_default_timeout(10_000)
    requests = Requests(origin)
    context.on("request", lambda request: requests.seen.append(request.url))

    def only_local(route) -> None:
        if _same_origin(route.request.url, origin):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.requests = requests
    try:
        yield page
    finally:
        context.close()
    assert not requests.third_party, f"requests to other hosts: {requests.third_party}"


@pytest.fixture
def page(browser, site_server: SiteServer) -> Iterator[object]:
    """A desktop-sized page; the test fails if it asked any other host for anything."""
    yield from open_page(browser, site_server, DESKTOP)


@pytest.fixture
def phone(browser, site_server: SiteServer) -> Iterator[object]:
    """A page in a 375 px wide phone viewport; no requests to other hosts either."""
    yield from open_page(browser, site_server, PHONE)
