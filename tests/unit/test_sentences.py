"""Every sentence starts with a capital, whatever value opens it (issue 19)."""

from __future__ import annotations

import markdown

from tests.helpers import REPO


def html(source: str) -> str:
    extensions = ["attr_list", "toc", "policy_sites.render.sentences"]
    return markdown.Markdown(extensions=extensions).convert(source)


def test_sentence_starts_get_a_capital():
    assert html("# the title").startswith('<h1 id="the-title">The title</h1>')
    assert html("the nursery wrote this. it is short! is it? yes.") == (
        "<p>The nursery wrote this. It is short! Is it? Yes.</p>"
    )
    assert html("Worried? [see who to contact](#w) below.") == (
        '<p>Worried? <a href="#w">See who to contact</a> below.</p>'
    )
    # A list item's bold label starts a sentence; the words after its colon do not.
    assert "<li><strong>The front door:</strong> a child at risk. Phone them.</li>" in html(
        "- **the front door:** a child at risk. phone them."
    )


def test_names_abbreviations_and_continued_sentences_are_left_alone():
    assert html("iPad and eBay, e.g. the Manager. i.e. the Chair.") == (
        "<p>iPad and eBay, e.g. the Manager. I.e. the Chair.</p>"
    )
    listed = html("That includes:\n\n- setting strong passwords;\n- logging out.\n")
    assert "<li>setting strong passwords;</li>" in listed
    assert "<li>logging out.</li>" in listed
    assert html("`the code`. and") == "<p><code>the code</code>. And</p>"


def test_every_page_gets_the_extension():
    assert "policy_sites.render.sentences" in (REPO / "mkdocs.yml").read_text(encoding="utf-8")
