"""The header says which view the reader is in and links to the same page in the other one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import visible_text


def switch(page: Path) -> tuple[str, str]:
    markup = page.read_text()
    block = re.search(r'<div class="md-header__option ps-view-switch">(.*?)</div>', markup, re.S)
    assert block, f"no view switch in {page}"
    href = re.search(r'href="([^"]+)"', block.group(1)).group(1)
    return visible_text(block.group(1)), href


@pytest.mark.parametrize("slug", ["halstead", "poppys"])
def test_switch_goes_to_the_same_page_in_the_other_view(built_sites, slug):
    site = built_sites / slug
    for page in ["index.html", "policies/social-media.html"]:
        text, href = switch(site / page)
        assert text == "Parents and visitors view Switch to staff view"
        assert (site / page).parent.joinpath(href).resolve() == (site / "staff" / page).resolve()
        text, href = switch(site / "staff" / page)
        assert text == "Staff view Switch to parents' view"
        assert (site / "staff" / page).parent.joinpath(href).resolve() == (site / page).resolve()


def test_staff_only_page_switches_to_the_parents_home(built_sites):
    site = built_sites / "poppys"
    _, href = switch(site / "staff" / "induction.html")
    assert (site / "staff").joinpath(href).resolve() == (site / "index.html").resolve()
