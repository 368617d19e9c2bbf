"""The document a PDF is laid out from: every value stays text, links point at the public
site or nowhere, and what only the website needs is left out (no WeasyPrint needed)."""

from __future__ import annotations

import pytest

from policy_sites.builder.pdf import PdfCache, _Printed, printable_document

tinyhtml5 = pytest.importorskip("tinyhtml5")

ARTICLE = (
    '<article class="md-content__inner md-typeset">'
    '<h1 id="t">Social media policy<a class="headerlink" href="#t">&para;</a></h1>\n'
    '<div class="admonition warning ps-web-only"><p class="admonition-title">Superseded</p>'
    "<p>Read the current one.</p></div>\n"
    '<p class="ps-version">Version 1 · ratified May 2024<span class="ps-web-only"> · '
    '<a href="history.html">History and changes</a></span> and after.</p>\n'
    '<p>See <a href="../other.html">the other policy</a>, <a href="#t">the top</a>, '
    '<a href="javascript:alert(1)">this</a> and <a href="mailto:a@example.org">mail</a>.</p>'
    "</article>"
)
PAGE = (
    '<html><head><link rel="canonical" href="https://example.org/s/policies/p/1.html">'
    f"</head><body>{ARTICLE}</body></html>"
)


def _parsed(document: str):
    return tinyhtml5.parse(document, namespace_html_elements=False)


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def test_a_hostile_name_is_text_in_the_title_and_the_running_header(tmp_path) -> None:
    name = "Tom & Jerry's <script>alert(1)</script> Nursery"
    page = tmp_path / "1.html"
    page.write_text(PAGE, encoding="utf-8")
    root = _parsed(printable_document([_Printed.read(page)], None, name))
    assert root.get("lang") == "en-GB"
    assert _text(root.find("head/title")) == f"Social media policy, {name}"
    assert root.find("head/meta[@name='author']").get("content") == name
    (running,) = [p for p in root.iter("p") if p.get("class") == "pdf-setting"]
    assert _text(running) == name
    assert not list(root.iter("script"))


def test_links_point_at_the_public_site_and_web_only_parts_are_left_out(tmp_path) -> None:
    page = tmp_path / "1.html"
    page.write_text(PAGE, encoding="utf-8")
    printed = _Printed.read(page)
    assert "Superseded" not in printed.article, "the banner a later version adds"
    article = _parsed(printable_document([printed], None, "S")).find(".//article")
    assert _text(article) == (
        "Social media policy Version 1 · ratified May 2024 and after. "
        "See the other policy, the top, this and mail."
    )
    links = {_text(a): a.get("href") for a in article.iter("a")}
    assert links == {
        "the other policy": "https://example.org/s/policies/other.html",
        "the top": "#t",
        "mail": "mailto:a@example.org",
    }
    without_address = tmp_path / "2.html"
    without_address.write_text(PAGE.replace('<link rel="canonical"', "<link"), encoding="utf-8")
    article = _parsed(printable_document([_Printed.read(without_address)], None, "S"))
    assert [a.get("href") for a in article.iter("a")] == ["#t"], "no address: plain words"


def test_the_key_changes_with_every_part_and_the_stylesheet(tmp_path) -> None:
    cache = PdfCache(None)
    base = cache.key("title", "name", "address", "article")
    assert base == PdfCache(None).key("title", "name", "address", "article")
    assert len({base, cache.key("title", "name2", "address", "article")}) == 2
    assert cache.key("a", "bc") != cache.key("ab", "c"), "parts are kept apart"
    other = PdfCache(None)
    other.engine = "another stylesheet or engine"
    assert other.key("title", "name", "address", "article") != base
