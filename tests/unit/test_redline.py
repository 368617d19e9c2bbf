"""The word-level redline marks exactly what changed, and nothing else."""

from __future__ import annotations

import re

from policy_sites.versions.redline import highlight_new, redline, summary_line

OLD = """# Social media policy

## Key details

- **Agreed and ratified by the committee:** 13 September 2021
- It follows *Keeping Children Safe in Education* (2021).

## Staff use of social media

- Staff may use social media for personal reasons only on their lunch break.
- Staff report any message from a parent that reaches a personal account.

## When this policy is broken

- Everyone must report breaches of this policy.
"""


def _marks(markdown: str) -> list[tuple[str, str]]:
    return re.findall(r"<(ins|del)>(.*?)</\1>", markdown)


def test_a_changed_word_is_marked_as_exactly_that_word() -> None:
    new = OLD.replace("only on their lunch break", "only on their lunch break, in the office")
    result = redline(OLD, new)
    assert _marks(result.markdown) == [("del", "break."), ("ins", "break, in the office.")]
    assert [s.title for s in result.changed_sections] == ["Staff use of social media"]


def test_an_edition_change_is_a_deletion_and_an_insertion_inside_the_sentence() -> None:
    new = OLD.replace("(2021).", "(2022).")
    result = redline(OLD, new)
    assert _marks(result.markdown) == [("del", "(2021)."), ("ins", "(2022).")]
    line = next(line for line in result.markdown.splitlines() if "Keeping" in line)
    assert line.startswith("- It follows *Keeping Children Safe in Education* <del>")


def test_identical_texts_have_no_marks_and_say_so() -> None:
    result = redline(OLD, OLD)
    assert _marks(result.markdown) == []
    assert result.changed_sections == []
    assert summary_line(result) == "No change to the text."


def test_an_added_rule_is_one_insertion_and_keeps_its_list_marker() -> None:
    rule = "- Staff hide Bluetooth and AirDrop during sessions."
    new = OLD.replace("- Staff report any", f"{rule}\n- Staff report any")
    result = redline(OLD, new)
    assert "- <ins>Staff hide Bluetooth and AirDrop during sessions.</ins>" in result.markdown
    assert _marks(result.markdown) == [("ins", "Staff hide Bluetooth and AirDrop during sessions.")]
    section = result.changed_sections[0]
    assert (section.title, section.insertions, section.deletions) == (
        "Staff use of social media",
        1,
        0,
    )


def test_a_removed_rule_is_one_deletion() -> None:
    new = OLD.replace(
        "- Staff report any message from a parent that reaches a personal account.\n", ""
    )
    result = redline(OLD, new)
    assert _marks(result.markdown) == [
        ("del", "Staff report any message from a parent that reaches a personal account.")
    ]


def test_sections_get_anchors_and_the_summary_names_them() -> None:
    new = OLD.replace("13 September 2021", "12 September 2022").replace(
        "Everyone must", "Everyone should"
    )
    result = redline(OLD, new)
    assert "## Key details { #key-details }" in result.markdown
    assert [s.anchor for s in result.changed_sections] == [
        "key-details",
        "when-this-policy-is-broken",
    ]
    assert summary_line(result) == (
        "Changes in 2 sections: Key details and When this policy is broken."
    )


def test_highlighting_keeps_the_new_text_exactly_and_marks_only_new_words() -> None:
    new = OLD.replace("(2021).", "(2022).").replace("Everyone must", "Everyone must always")
    marked = highlight_new(OLD, new)
    assert re.sub(r'<mark class="ps-new">|</mark>', "", marked) == new
    assert re.findall(r'<mark class="ps-new">(.*?)</mark>', marked) == ["(2022).", "always"]


def test_marks_never_cross_the_edge_of_an_italic_title() -> None:
    """Found by a trial: a reworded guidance title in *italics* was redlined as
    '*Statutory <del>Framework</del> ... Stage* (2021),</del>': the tags crossed the
    emphasis, and readers saw a stray '*'. A span in italics or bold is one token."""
    old = "It follows *Statutory Framework for the Early Years Foundation Stage* (2021), from DfE."
    new = (
        "It follows *Statutory framework for the early years foundation stage: for group "
        "and school-based providers* (September 2025), from DfE."
    )
    marked = redline(old, new).markdown
    for change in re.findall(r"<(ins|del)>(.*?)</\1>", marked):
        assert change[1].count("*") % 2 == 0, marked  # each emphasis opens and closes inside
    outside = re.sub(r"<(ins|del)>.*?</\1>", "", marked)
    assert outside.count("*") % 2 == 0, marked
    assert "<del>*Statutory Framework for the Early Years Foundation Stage* (2021),</del>" in marked
