"""Printing a policy (Chromium's PDF output): A4 pages with the Key details and the text,
without the navigation, search or view switch."""

from __future__ import annotations

import io

import pytest

from tests.browser.support import VIEWS, view_root
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.browser

A4_POINTS = (595.3, 841.9)  # 210 x 297 mm
POLICIES = ("mobile-and-smart-technology", "social-media")
SCREEN_ONLY = (
    "Switch to",
    "Table of contents",
    "Made with",
    "Back to top",
    "Skip to content",
    "Type to start searching",
)


def _pdf(page, url: str) -> tuple[list[tuple[float, float]], str]:
    from pypdf import PdfReader

    page.goto(url)
    page.wait_for_load_state("networkidle")
    reader = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=True)))
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    return sizes, "\n".join(p.extract_text() for p in reader.pages)


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("slug", EXAMPLES)
@pytest.mark.parametrize("policy", POLICIES)
def test_printed_policy_is_a4_with_key_details_and_no_navigation(
    page, site_server, slug, view, policy
):
    home = view_root(slug, view)
    page.goto(site_server.url(f"{home}policies/{policy}.html"))
    title = page.locator("article h1").inner_text().rstrip("¶").strip()
    home_title = page.locator(".md-nav--primary .md-nav__link").first.inner_text().strip()
    last_heading = page.locator("article h2").last.inner_text().rstrip("¶").strip()

    sizes, text = _pdf(page, page.url)
    assert sizes and all(
        abs(w - A4_POINTS[0]) < 1 and abs(h - A4_POINTS[1]) < 1 for w, h in sizes
    ), sizes
    flat = " ".join(text.split())
    assert "Key details" in flat
    assert title in flat
    assert last_heading in flat, "the whole policy should print, to its last section"
    printed = [words for words in (*SCREEN_ONLY, home_title) if words in flat]
    assert not printed, f"screen-only text in the printout: {printed}"


@pytest.mark.parametrize("slug", EXAMPLES)
def test_printed_induction_sheet_has_the_signing_table(page, site_server, slug):
    sizes, text = _pdf(page, site_server.url(view_root(slug, "staff") + "induction.html"))
    flat = " ".join(text.split())
    assert all(abs(w - A4_POINTS[0]) < 1 for w, _ in sizes), sizes
    assert "I understand that" in flat and "Signature" in flat
    assert "Switch to" not in flat and "Staff-only details" not in flat


HALSTEAD_REDLINE = "halstead/policies/social-media/changes-2020-21-to-2022-23.html"
POPPYS_REDLINE = "poppys/policies/mobile-and-smart-technology/changes-2021-22-to-2022-23.html"
MINUS = "\N{MINUS SIGN}"


@pytest.mark.parametrize(
    ("redline", "known_edit"),
    [
        # Halstead's newer version cites KCSIE 2022 where the 2020-21 one cited 2020.
        (HALSTEAD_REDLINE, f"[{MINUS} (2020),] [+ (2022),]"),
        # Poppy's 2022-23 cites KCSIE 2022 and adds the Bluetooth and AirDrop rule.
        (POPPYS_REDLINE, f"[{MINUS} 2021] [+ 2022]"),
        (POPPYS_REDLINE, "[+ hide or turn off Bluetooth, AirDrop"),
    ],
)
def test_printed_redline_brackets_every_change(page, site_server, redline, known_edit):
    """A committee annotates a printed redline: each change bracketed, on A4."""
    sizes, text = _pdf(page, site_server.url(redline))
    assert all(abs(w - A4_POINTS[0]) < 1 and abs(h - A4_POINTS[1]) < 1 for w, h in sizes)
    flat = " ".join(text.split())
    assert known_edit in flat, flat[:500]
    assert "Switch to" not in flat and "Show changes since" not in flat
