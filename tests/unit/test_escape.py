"""Every value is text: escaped for Markdown and HTML at once, checked with Python-Markdown."""

from __future__ import annotations

import markdown
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from mkdocs.config import load_config
from pydantic import ValidationError

from policy_sites.context.variables import escape, escape_url
from policy_sites.settings.loader import load_setting
from policy_sites.settings.schema import Setting
from tests.helpers import REPO
from tests.hostile import ISSUE_CASES, hostile_text
from tests.page_markup import parse, unsafe_addresses

ESCAPED_FOR = {
    "admonition",
    "attr_list",
    "def_list",
    "fenced_code",  # MkDocs adds it, and toc and tables
    "tables",
    "toc",
    "policy_sites.render.headerlinks",
    "policy_sites.render.sentences",
}
"""The Markdown extensions ``escape`` was written for. Another one may give meaning to more
characters (``~~`` for tilde, ``==`` for mark, ``--8<--`` for snippets): review ``escape``
before adding it here."""

SHAPES = [
    "{} wrote this policy.",
    "Staff keep their phones {}.",
    "- **Designated Safeguarding Lead:** {}, the Manager",
    "- {}",
    "1. I keep my phone {}, and switch it off.",
    "| {} | role | {} | email |",
    '- <a href="https://example.org/">{}</a> on Facebook',
    "*{}* (2022)",
    "If you must take a call, please {}.",
]
"""Where the shared sources put values: a paragraph's start and middle, list items, bold
labels, table cells, link text, a citation in italics."""


def _markdown() -> markdown.Markdown:
    """The site's Markdown, but for the capital at a sentence's start: that extension only
    turns a lower-case letter into a capital (tests/unit/test_sentences.py), and these
    tests read each value back exactly as written."""
    config = load_config(str(REPO / "mkdocs.yml"))
    extensions = [e for e in config["markdown_extensions"] if e != "policy_sites.render.sentences"]
    return markdown.Markdown(extensions=extensions, extension_configs=config["mdx_configs"])


MARKDOWN = _markdown()


def _render(shape: str, value: str) -> str:
    MARKDOWN.reset()
    table = "| a | b | c | d |\n| - | - | - | - |\n" if shape.startswith("|") else ""
    return MARKDOWN.convert(table + shape.replace("{}", value))


def _folded(text: str) -> str:
    return " ".join(text.split())


def test_the_extensions_are_the_ones_escape_was_written_for():
    names = {
        name if isinstance(name, str) else type(name).__module__
        for name in load_config(str(REPO / "mkdocs.yml"))["markdown_extensions"]
    }
    assert names == ESCAPED_FOR, "a Markdown extension changed: review context.variables.escape"


def test_plain_words_come_out_unchanged():
    for text in ("Poppy's", "Out-of-school club (OSC)", "the Manager", "101", "2022", "e.g. this"):
        assert escape(text) == text


@given(st.from_regex(r"[A-Za-z][A-Za-z0-9 ',.()/-]*[A-Za-z.)]", fullmatch=True))
@settings(max_examples=100)
def test_plain_text_is_never_changed(text):
    assert escape(text) == text


def test_the_issues_values_are_escaped_as_expected():
    assert escape(ISSUE_CASES["attr_list on emphasis"]) == (
        "&#42;the school&#42;&#123; onmouseover=alert(2) &#125; internet service"
    )
    assert escape(ISSUE_CASES["heading after blank line"]) == "school # Injected heading"
    assert escape(ISSUE_CASES["jinja-looking dunder"]) == (
        "&#123;&#123; ''.&#95;&#95;class&#95;&#95; &#125;&#125;"
    )
    assert escape("1. the Manager") == "1&#46; the Manager"
    assert escape("- x") == "&#45; x"
    assert escape("<b>Tots & Co</b>") == "&lt;b&gt;Tots &amp; Co&lt;/b&gt;"


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("case", sorted(ISSUE_CASES))
def test_the_issues_values_render_as_text(shape, case):
    _check(shape, ISSUE_CASES[case])


@given(st.sampled_from(SHAPES), hostile_text())
@settings(max_examples=150, deadline=None)
@example("{} wrote this policy.", "!!! danger\n    Please call")
@example("- {}", "x\n{: onclick=alert(3) }")
def test_any_value_renders_as_text_in_every_shape(shape, value):
    _check(shape, value)


def _check(shape: str, value: str) -> None:
    """The value shows as its own text, and adds no element or attribute to the HTML."""
    value = value.strip()  # as the settings schema keeps it
    plain = parse(_render(shape, "plain"))
    hostile = parse(_render(shape, escape(value)))
    assert hostile.shapes() == plain.shapes(), (value, _render(shape, escape(value)))
    assert not unsafe_addresses(hostile)
    shown = _folded(value)
    assert _folded(hostile.text) == _folded(plain.text).replace("plain", shown)


def test_escape_url_keeps_the_address_whole_and_safe_in_a_link():
    url = "https://example.org/?a){href=javascript:alert(document.domain)}&b=1"
    escaped = escape_url(url)
    assert (
        escaped
        == "https://example.org/?a%29%7Bhref=javascript:alert%28document.domain%29%7D&amp;b=1"
    )
    html = _render("[our page]({})", escaped)
    link = parse(html)
    assert [tag for tag, _ in link.elements] == ["p", "a"], html
    assert link.text == "our page"


@pytest.mark.parametrize(
    "address", ["https://x.org/?a=1", "https://x.org/#top", "https://me@x.org/", "javascript:x"]
)
def test_the_sites_address_is_a_bare_web_folder(address):
    data = load_setting(REPO / "settings", "poppys").model_dump(mode="json")
    with pytest.raises(ValidationError):
        Setting.model_validate({**data, "site_root_url": address})
