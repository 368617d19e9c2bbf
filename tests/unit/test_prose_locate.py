"""A prose finding is placed where an editor mends it: a setting's value, or a source line."""

from __future__ import annotations

from pathlib import Path

import pytest

from policy_sites.check.locate import Place, Sources, where_written
from policy_sites.check.prose import Rule, lint_text
from policy_sites.settings.loader import WrittenText
from tests.unit.test_prose import SENTENCES

SETTINGS = Path("settings/acorns.yml")
PERSONAL_USE = WrittenText(
    "social_media.staff_personal_use", "only on their lunch break", SETTINGS, 12
)
APPROVERS = [
    WrittenText("approved_by[0]", "the Club Manager", SETTINGS, 20),
    WrittenText("approved_by[1]", "the school's Headteacher", SETTINGS, 21),
]
VALUES = [PERSONAL_USE, *APPROVERS, WrittenText("short", "in", SETTINGS, 3)]


@pytest.fixture
def sources(tmp_path: Path) -> Sources:
    docs = tmp_path / "docs"
    (docs / "_partials").mkdir(parents=True)
    (docs / "index.md").write_text(
        '# Welcome\n\nSome words of our own.\n\n{% include "rules.md" %}\n', encoding="utf-8"
    )
    (docs / "_partials" / "rules.md").write_text(
        "## Rules\n\n"
        "- **Breaks:** I use social media during setting hours {{ personal_use }}.\n"
        "- We use it only after {{ say.join_and(approved_by) }} has assessed the risks.\n"
        "- Staff keep their phones in the the office.\n",
        encoding="utf-8",
    )
    return Sources(docs, docs / "_partials")


def place(sources: Sources, text: str, rule: Rule) -> Place:
    [problem] = [p for p in lint_text(text) if p.rule is rule]
    return where_written(problem, VALUES, sources.docs_dir / "index.md", sources)


def test_a_fault_inside_a_value_is_the_values(sources: Sources) -> None:
    found = place(
        sources, "I use social media during setting hours only on their lunch break.", Rule.PERSON
    )
    assert found == Place(SETTINGS, 12, "social_media.staff_personal_use")
    # A phrase may capitalise the value's first letter: still the value's.
    found = place(sources, "I do this: Only on their lunch break.", Rule.PERSON)
    assert found.field == "social_media.staff_personal_use"


def test_a_fault_in_the_sources_words_is_at_its_line_in_the_partial(sources: Sources) -> None:
    partial = sources.partials / "rules.md"
    found = place(
        sources,
        "We use it only after the Club Manager and the school's Headteacher has assessed "
        "the risks.",
        Rule.AGREEMENT,
    )
    assert (found.file, found.line, found.field) == (partial, 4, "")
    assert found.values == tuple(APPROVERS)  # the values the faulty words run into
    found = place(sources, "Staff keep their phones in the the office.", Rule.DOUBLED_WORD)
    assert (found.file, found.line, found.values) == (partial, 5, ())


def test_words_no_source_has_fall_back_to_the_pages_source(sources: Sources) -> None:
    found = place(sources, "Nothing here is written anywhere at at all.", Rule.DOUBLED_WORD)
    assert found == Place(sources.docs_dir / "index.md", 1)


@pytest.mark.parametrize(("rule", "caught", "passed"), SENTENCES)
def test_every_rule_on_one_block_says_which_words_are_at_fault(
    rule: Rule, caught: str, passed: str
) -> None:
    for problem in lint_text(caught):
        assert problem.span is not None, problem
        start, end = problem.span
        assert 0 <= start < end <= len(caught), problem
        if problem.rule not in (Rule.PERSON, Rule.EMPTY_VALUE):  # their details describe
            assert caught[start:end] == problem.detail
