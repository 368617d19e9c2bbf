"""A noun phrase's number from its shape: its head, or two phrases joined by 'and'."""

from __future__ import annotations

import pytest

from policy_sites.context.grammar import (
    Number,
    noun_phrase_number,
    noun_phrase_numbers,
    subject_before,
)

SINGULAR, PLURAL = Number.SINGULAR, Number.PLURAL


@pytest.mark.parametrize(
    ("phrase", "number"),
    [
        ("the Chair of Trustees", SINGULAR),
        ("the board of trustees", SINGULAR),
        ("the Chair of the Management Committee", SINGULAR),
        ("the school's Headteacher", SINGULAR),
        ("the Owner and Manager", SINGULAR),  # one person, two titles
        ("the Manager or a DSL", SINGULAR),
        ("the trustees", PLURAL),
        ("our governors", PLURAL),
        ("the Club Manager and the school's Headteacher", PLURAL),
        ("the Chair of the Committee and the Manager", PLURAL),
        ("The login details for our official account", PLURAL),
        ("staff", PLURAL),
        ("Ofsted", None),
        ("these", PLURAL),
        ("Little Acorns", None),  # a name: 'Little Acorns has'
        ("Jo Bloggs", None),
        ("Jo Bloggs and the Manager", PLURAL),
    ],
)
def test_noun_phrase_number(phrase: str, number: Number | None) -> None:
    assert noun_phrase_number(phrase) is number


@pytest.mark.parametrize(
    ("phrase", "numbers"),
    [
        ("the Owner and Manager", {SINGULAR, PLURAL}),  # one person, or two
        ("our Nursery and Playgroup", {SINGULAR, PLURAL}),  # two provisions, or one
        ("our Out-of-school club and Breakfast club", {SINGULAR, PLURAL}),
        ("the trustees and Manager", {PLURAL}),  # a plural noun: plural either way
        ("the Manager and the Chair", {PLURAL}),
        ("the Chair of Trustees", {SINGULAR}),
        ("the trustees", {PLURAL}),
        ("Little Acorns", set()),
    ],
)
def test_the_numbers_a_verb_may_take(phrase: str, numbers: set[Number]) -> None:
    """Where the words cannot tell one thing with two names from two things, the prose
    check must take either verb: 'Our Nursery and Playgroup are' was called an error."""
    assert noun_phrase_numbers(phrase) == numbers


def test_the_subject_is_the_noun_phrase_before_the_verb() -> None:
    text = "We use it only after the Club Manager and the school's Headteacher has assessed"
    found = subject_before(text, text.index(" has"))
    assert found == ("the Club Manager and the school's Headteacher", text.index("the Club"))
    assert subject_before("Staff must have", len("Staff must ")) is None
    assert subject_before("There are", len("There ")) is None
    assert subject_before("Our DSL, Jo Bloggs, has", len("Our DSL, Jo Bloggs, ")) is None
