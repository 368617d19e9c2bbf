"""The text helpers the shared sources use."""

from __future__ import annotations

from macros import citation, join_and, join_or, plural, upper_first


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
