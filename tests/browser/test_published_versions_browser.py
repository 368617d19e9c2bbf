"""Published versions in a real browser: the "Show changes since" switch (printing: test_print)."""

from __future__ import annotations

import pytest

from tests.browser.support import CHANGES_PAGE as CURRENT
from tests.browser.support import CHANGES_SINCE, NEW_RULE

pytestmark = pytest.mark.browser


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
    page.get_by_label(CHANGES_SINCE).check()
    after = _style(page, new_rule)
    assert after["background"] == "rgb(255, 241, 118)"
    assert "underline" in after["line"], "colour must not be the only signal"
    unchanged = page.locator("li", has_text="Setting phones and devices are locked").first
    assert unchanged.locator("mark").count() == 0
