"""Published versions in a real browser: the "Show changes since" switch and printed redlines."""

from __future__ import annotations

import io

import pytest

pytestmark = pytest.mark.browser

CURRENT = "poppys/staff/policies/mobile-and-smart-technology.html"
REDLINE = "poppys/policies/mobile-and-smart-technology/changes-2021-22-to-2022-23.html"
NEW_RULE = "hide or turn off Bluetooth, AirDrop"


def _style(page, selector: str) -> dict[str, str]:
    return page.eval_on_selector(
        selector,
        """el => { const s = getComputedStyle(el);
                   return {background: s.backgroundColor, line: s.textDecorationLine}; }""",
    )


def test_show_changes_switch_highlights_new_words(page, site_server) -> None:
    page.goto(site_server.url(CURRENT))
    new_rule = f'mark.ps-new:has-text("{NEW_RULE}")'
    assert page.locator(new_rule).count() == 1
    before = _style(page, new_rule)
    assert before["background"] == "rgba(0, 0, 0, 0)" and "underline" not in before["line"]
    page.get_by_label("Show changes since 2021-22").check()
    after = _style(page, new_rule)
    assert after["background"] == "rgb(255, 241, 118)"
    assert "underline" in after["line"], "colour must not be the only signal"
    unchanged = page.locator("li", has_text="Setting phones and devices are locked").first
    assert unchanged.locator("mark").count() == 0


def test_printed_redline_brackets_every_change(page, site_server) -> None:
    from pypdf import PdfReader

    page.goto(site_server.url(REDLINE))
    page.wait_for_load_state("networkidle")
    pdf = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=True)))
    text = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
    assert "[\u2212 2021] [+ 2022]" in text  # U+2212 MINUS SIGN
    assert f"[+ {NEW_RULE}" in text
    assert "Switch to" not in text and "Show changes since" not in text
