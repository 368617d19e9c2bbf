"""Section permalinks are named after their heading, for screen readers."""

from __future__ import annotations

import markdown


def _render(text: str) -> str:
    return markdown.markdown(
        text,
        extensions=["toc", "policy_sites.render.headerlinks"],
        extension_configs={"toc": {"permalink": True}},
    )


def test_each_permalink_says_which_section_it_links_to():
    html = _render("# Social media policy\n\n## Who *and* what it covers\n")
    assert 'aria-label="Link to this section: Social media policy"' in html
    assert 'aria-label="Link to this section: Who and what it covers"' in html
    assert html.count("&para;</a>") == 2  # what sighted readers see is unchanged


def test_headings_without_permalinks_are_left_alone():
    html = markdown.markdown("## Key details", extensions=["policy_sites.render.headerlinks"])
    assert html == "<h2>Key details</h2>"
