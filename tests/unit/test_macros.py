"""The text helpers the shared sources use."""

from __future__ import annotations

import pytest

from macros import citation, join_and, join_or, link, plural, upper_first


def test_join_and_or():
    assert join_and([]) == ""
    assert join_and(["a"]) == "a"
    assert join_and(["a", "b"]) == "a and b"
    assert join_and(["a", "b", "c"]) == "a, b and c"
    assert join_or(["the Manager", "the person in charge"]) == "the Manager or the person in charge"


def test_plural():
    assert plural(["x"], "Lead") == "Lead"
    assert plural(["x", "y"], "Lead") == "Leads"
    assert plural(2, "account is", "accounts are") == "accounts are"


def test_upper_first_keeps_the_rest():
    assert upper_first("the Manager") == "The Manager"
    assert upper_first("") == ""


def test_citation():
    assert citation({"title": "KCSIE", "edition": "2022"}) == "*KCSIE* (2022)"


def test_link_writes_an_html_anchor_or_the_text_alone():
    assert link("our Facebook Page", "https://example.org/a%29b") == (
        '<a href="https://example.org/a%29b">our Facebook Page</a>'
    )
    assert link("our Facebook Page", None) == "our Facebook Page"
    assert link("Ann", "mailto:ann@example.org").startswith('<a href="mailto:')
    assert link("Call", "tel:+441234567890").startswith('<a href="tel:')
    assert 'href="https://x.org/%22%3E"' in link("x", 'https://x.org/">')


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:x", "data:text/html,x", "x"])
def test_link_refuses_other_kinds_of_address(url):
    with pytest.raises(ValueError, match="only https:, http:, mailto:, tel: addresses"):
        link("text", url)
