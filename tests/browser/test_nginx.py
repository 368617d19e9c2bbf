"""The sites in a real browser through the real nginx and its generated configuration.

The Content-Security-Policy is only right if nothing it blocks was needed: every page of
every view loads with no console error and no CSP violation, and search, the view switch
(through the staff view's password), the "Show changes" switch, the 404 pages and the
portal's filter all still work.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from policy_sites.project import Project
from tests.browser.conftest import DESKTOP, Requests
from tests.browser.support import (
    CHANGES_PAGE,
    CHANGES_SINCE,
    NEW_RULE,
    SETTING_VIEWS,
    search,
    view_pages,
    view_root,
)
from tests.conftest import EXAMPLES, STAFF_USERS
from tests.helpers import REPO
from tests.nginx_server import STAFF_PASSWORD, NginxServer, run_nginx

pytestmark = pytest.mark.browser

_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__reportViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} on ${location.pathname}`
  );
});
"""


@dataclass
class Problems:
    """Console errors, uncaught exceptions and CSP violations, across navigations."""

    console: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    def assert_none(self, *, expected_404: int = 0) -> None:
        missing = [m for m in self.console if "404 (Not Found)" in m]
        others = [m for m in self.console if "404 (Not Found)" not in m]
        assert not self.violations, self.violations
        assert not others, others
        assert len(missing) == expected_404, missing


def _open(browser, server: NginxServer, slug: str) -> Iterator[tuple[object, Problems]]:
    """A page that logs in to ``slug``'s staff view when asked, and records every problem."""
    context = browser.new_context(
        viewport=DESKTOP,
        locale="en-GB",
        service_workers="block",
        http_credentials={"username": STAFF_USERS[slug], "password": STAFF_PASSWORD},
    )
    context.set_default_timeout(10_000)
    problems = Problems()
    origin = server.base.rstrip("/")
    requests = Requests(origin)
    context.on("request", lambda request: requests.seen.append(request.url))
    context.expose_binding(
        "__reportViolation", lambda _source, text: problems.violations.append(text)
    )
    context.add_init_script(_REPORT_VIOLATIONS)
    page = context.new_page()
    page.on("console", lambda m: problems.console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.console.append(f"uncaught: {error}"))
    try:
        yield page, problems
    finally:
        context.close()
    assert not requests.third_party, requests.third_party


@pytest.fixture(scope="module")
def nginx_server(
    published_sites: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[NginxServer]:
    """This file's own nginx: the staff views' request limit counts these pages alone."""
    state = tmp_path_factory.mktemp("browser-nginx")
    with run_nginx(Project(REPO), published_sites, state, STAFF_USERS) as server:
        yield server


@pytest.fixture(params=EXAMPLES)
def logged_in(request, browser, nginx_server) -> Iterator[tuple[object, Problems, str]]:
    """(page, problems, slug): a browser that knows ``slug``'s staff login."""
    for page, problems in _open(browser, nginx_server, request.param):
        yield page, problems, request.param


@pytest.mark.parametrize(("slug", "view"), SETTING_VIEWS)
def test_every_page_loads_without_errors_or_csp_violations(
    browser, nginx_server: NginxServer, slug: str, view: str
) -> None:
    for page, problems in _open(browser, nginx_server, slug):
        pages = view_pages(nginx_server.site, slug, view)
        for path in pages:
            response = page.goto(nginx_server.url(path))
            assert response.status == 200, path
            assert response.headers["content-security-policy"], path
            page.wait_for_load_state("load")
        # Material's own script ran: it builds the search box's behaviour and the palette.
        assert page.evaluate("typeof document$ !== 'undefined'")
        problems.assert_none()


def test_search_works_in_both_views(logged_in, nginx_server: NginxServer) -> None:
    page, problems, slug = logged_in
    for view in ("parents", "staff"):
        home = view_root(slug, view)
        page.goto(nginx_server.url(home))
        results = search(page, "Facebook")
        assert home + "policies/social-media.html" in results, results
        page.locator(".md-search-result__link").first.click()
        page.wait_for_load_state()
        assert "facebook" in page.locator("article").inner_text().lower()
    problems.assert_none()


def test_the_view_switch_crosses_the_password(logged_in, nginx_server: NginxServer) -> None:
    page, problems, slug = logged_in
    policy = "policies/social-media.html"
    page.goto(nginx_server.url(f"{slug}/{policy}"))
    page.locator(".ps-view-switch__link").click()
    page.wait_for_url(f"**/{slug}/staff/{policy}")
    assert page.locator(".ps-view-switch__current").inner_text().startswith("Staff")
    page.locator(".ps-view-switch__link").click()
    page.wait_for_url(f"**/{slug}/{policy}")
    problems.assert_none()


def test_show_changes_switch_works(browser, nginx_server: NginxServer) -> None:
    for page, problems in _open(browser, nginx_server, "poppys"):
        page.goto(nginx_server.url(CHANGES_PAGE))
        mark = page.locator(f'mark.ps-new:has-text("{NEW_RULE}")')
        page.get_by_label(CHANGES_SINCE).check()
        colour = mark.evaluate("el => getComputedStyle(el).backgroundColor")
        assert colour == "rgb(255, 241, 118)"
        problems.assert_none()


def test_404_pages_work_under_the_policy(logged_in, nginx_server: NginxServer) -> None:
    page, problems, slug = logged_in
    for view in ("parents", "staff"):
        home = view_root(slug, view)
        response = page.goto(nginx_server.url(f"{home}policies/no-such-policy.html"))
        assert response.status == 404
        assert page.locator("h1").inner_text() == "Page not found"
        # Styled: Material's stylesheet loaded, so the header is laid out as a bar.
        assert page.locator(".md-header").evaluate("el => getComputedStyle(el).position") in (
            "sticky",
            "fixed",
        )
        results = search(page, "Facebook")
        assert home + "policies/social-media.html" in results
    problems.assert_none(expected_404=2)  # the two missing pages themselves


def test_the_portal_filter_works(browser, nginx_server: NginxServer) -> None:
    for page, problems in _open(browser, nginx_server, "poppys"):
        page.goto(nginx_server.url(""))
        visible = page.locator("tbody tr:not([hidden])")
        every = visible.count()
        page.locator("#filter").fill("halstead")  # the filter is the portal's inline script
        assert 1 <= visible.count() < every
        assert all("halstead" in row.lower() for row in visible.all_inner_texts())
        problems.assert_none()


def _pdf_viewer(page, seconds: float = 10) -> bool:
    """Whether Chromium's PDF viewer (its built-in extension's frame) opened in ``page``."""
    for _ in range(int(seconds * 10)):
        if any(frame.url.startswith("chrome-extension:") for frame in page.frames):
            return True
        page.wait_for_timeout(100)
    return False


def test_download_pdf_opens_in_the_browsers_pdf_viewer(
    logged_in, nginx_server: NginxServer
) -> None:
    """The PDFs pass the Content-Security-Policy too: clicking "Download PDF" (and, for
    staff, the induction pack's link) opens the file in Chromium's own viewer, behind the
    staff password where it belongs, with the same headers as the pages."""
    page, problems, slug = logged_in
    if not list((nginx_server.site / slug).rglob("*.pdf")):
        pytest.fail("the published sites were built without PDFs: nothing to open")
    links = [
        (view_root(slug, "parents") + "policies/social-media.html", "Download PDF"),
        (view_root(slug, "staff") + "policies/social-media.html", "Download PDF"),
        (view_root(slug, "staff") + "induction.html", "induction pack"),
    ]
    for start, text in links:
        page.goto(nginx_server.url(start))
        link = page.get_by_role("link", name=text).first
        with page.expect_response(lambda r: r.url.endswith(".pdf")) as opened:
            link.click()
        response = opened.value
        assert response.status == 200, response.url
        assert response.headers["content-type"] == "application/pdf", response.url
        assert response.headers["content-security-policy"], response.url
        assert response.headers["x-content-type-options"] == "nosniff"
        assert _pdf_viewer(page), f"{response.url} did not open in the PDF viewer"
    problems.assert_none()
