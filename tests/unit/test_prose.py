"""The prose check: each rule catches a sentence it is for, and passes one that reads right."""

from __future__ import annotations

import pytest

from policy_sites.check.prose import Rule, is_frozen_page, lint_html, lint_text


def page(body: str) -> str:
    return f"<html><body><nav><p>and</p></nav><article>{body}</article></body></html>"


def rules(html: str) -> set[Rule]:
    return {problem.rule for problem in lint_html(page(html))}


# (rule, a block it catches, a block it passes)
SENTENCES = [
    (Rule.DOUBLED_WORD, "Staff keep their phones in the the office.",
     "Staff keep their phones in the office."),
    (Rule.DOUBLED_WORD, "Phone the Front Door Door on 03000 41 11 11.",
     "Phone the Front Door on 03000 41 11 11, or 03000 41 91 91 at night."),
    (Rule.DANGLING_CONJUNCTION, "Nobody uses a phone in the main room and.",
     "Official accounts are kept secure and, where possible, linked from our website."),
    (Rule.DANGLING_CONJUNCTION, "Our DSLs are Jo Bloggs and",
     "Our DSLs are Jo Bloggs and Sam Lee."),
    (Rule.AGREEMENT, "We use it only after the Club Manager and the school's Headteacher "
     "has assessed the risks.", "We use it only after the Club Manager and the school's "
     "Headteacher have assessed the risks."),
    (Rule.AGREEMENT, "Our official accounts is: our Facebook page",
     "The login details for our official account are held by the Chair."),
    (Rule.AGREEMENT, "The full policy say more.", "The full policies say more."),
    (Rule.AGREEMENT, "The committee have agreed it.",
     "Only after the Manager and the Chair of the Committee have assessed the risks."),
    # Issue 19: the head of 'the Chair of Trustees' is 'Chair', not 'Trustees'.
    (Rule.AGREEMENT, "The Chair of Trustees have assessed the risks and approved it.",
     "The Chair of Trustees has assessed the risks and approved it."),
    (Rule.AGREEMENT, "The trustees has assessed the risks.",
     "The board of trustees has assessed the risks."),
    (Rule.AGREEMENT, "Staff and the Chair of the Management Committee has agreed it.",
     "The Chair of the Management Committee has assessed the risks."),
    (Rule.AGREEMENT, "Our DSLs has agreed it.", "Little Acorns has no staff-only details."),
    (Rule.AGREEMENT, "We use it after the Owner or the Managers has agreed.",
     "Misuse of social media in setting time or on setting devices has results."),
    # Generated settings: two provisions under one 'Our' take 'are', as the source says.
    (Rule.AGREEMENT, "Our trustees and Manager has agreed it.",
     "Our Nursery and Playgroup are part of a school, so we follow the DfE's guidance."),
    (Rule.PERSON, "I use social media during setting hours only on their lunch break.",
     "I never share anything about the children, their families or colleagues online."),
    (Rule.PERSON, "I keep my phone in your locker.",
     "I follow our rule that staff keep their phones in their lockers."),
    (Rule.PERSON, "Staff, me included, keep their personal phones in their lockers.",
     "I follow our rule that staff keep their personal phones in their lockers."),
    (Rule.EDITOR_TEXT, "There are no staff-only details yet. Add them under staff_only in "
     "the setting's file.", "Halstead Nursery has no staff-only details at the moment."),
    (Rule.EDITOR_TEXT, "Staff keep their phones FILL IN: where staff keep their phones.",
     "Staff keep their phones in the basket provided."),
    (Rule.EMPTY_VALUE, "Staff keep their phones None.", "None of our staff use their phones."),
    (Rule.EMPTY_VALUE, "Our official accounts are [].", "Our official accounts are listed."),
    (Rule.EMPTY_VALUE, "Filtering is provided by {}.", "Filtering is provided by our ISP."),
    (Rule.EMPTY_VALUE, "Visitors may use a phone null.", "Visitors may use a phone outside."),
    (Rule.EMPTY_VALUE, "Staff keep their phones .", "Staff keep their phones in a box."),
    (Rule.TWO_COLONS, "A worry about the Manager: contact Ofsted: phone 0300 123 1231.",
     "A worry about the Manager: contact Ofsted (phone 0300 123 1231). Ofsted: see above."),
    (Rule.DOUBLED_FULL_STOP, "Nobody uses a phone in the hall during club hours..",
     "Nobody uses a phone in the hall during club hours. Wait..."),
    (Rule.DOUBLED_BRACKETS, "A worry about the Manager or a DSL (or a deputy) (phone 0300 123 "
     "1231).", "A worry about the Manager or a DSL (or a deputy): phone 0300 123 1231."),
    (Rule.DOUBLED_ONLY, "Staff use their own phones on a break only in the club office only;",
     "Staff use their own phones only in the office and only on a break."),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "caught", "passed"), SENTENCES)
def test_rule_catches_one_sentence_and_passes_another(rule: Rule, caught: str, passed: str):
    assert rule in {p.rule for p in lint_text(caught)}, caught
    assert not lint_text(passed), passed


def test_a_redline_is_read_as_the_sentence_now_stands():
    # Struck-out words are not part of the sentence: "Ask <del>a</del> <ins>a</ins> DSL"
    # reads "Ask a DSL", not "Ask a a DSL"; inserted words still count.
    assert not rules("<p>Ask <del>a</del> <ins>a</ins> DSL.</p>")
    assert Rule.DOUBLED_WORD in rules("<p>Ask a <ins>a</ins> DSL.</p>")


def test_a_list_of_labelled_values_is_one_list():
    key_details = (
        "<ul><li>Provision: Pre-school</li><li>Designated Safeguarding Lead: Jo Bloggs</li>"
        "<li>Review overdue: it was due in May 2026. That date has passed.</li>"
        "<li>How often it is reviewed: every year, and sooner after any concern.</li></ul>"
    )
    assert Rule.LISTS_RUN_TOGETHER not in rules(key_details)
    merged = (
        "<ul><li>Facebook page</li><li>Instagram account</li>"
        "<li>We use them only with clear aims.</li><li>Accounts are kept secure.</li></ul>"
    )
    assert Rule.LISTS_RUN_TOGETHER in rules(merged)


def test_empty_bullet():
    assert Rule.EMPTY_BULLET in rules("<ul><li>Facebook</li><li> </li></ul>")
    assert not rules("<ul><li>Facebook</li><li><p>Instagram</p></li></ul>")


def test_lists_that_run_into_each_other():
    merged = (
        "<ul><li>our Facebook page</li><li>We post only with consent.</li>"
        "<li>Accounts are kept secure.</li></ul>"
    )
    assert Rule.LISTS_RUN_TOGETHER in rules(merged)
    apart = (
        "<ul><li>our Facebook page</li><li>our Instagram account</li></ul>"
        "<p>How we run them:</p>"
        "<ul><li>We post only with consent.</li><li>Accounts are kept secure.</li></ul>"
    )
    assert not rules(apart)
    key_details = (
        "<ul><li>Provision: Nursery</li><li>Next review due: May 2027</li>"
        "<li>How often it is reviewed: at least once a year.</li></ul>"
    )
    assert not rules(key_details)


def test_draft_beside_a_ratified_date():
    draft = "<p>Draft — not yet ratified</p>"
    assert Rule.DRAFT_AND_RATIFIED in rules(
        draft + "<ul><li>Agreed and ratified by the committee: 6 October 2026</li></ul>"
    )
    assert not rules(draft + "<ul><li>Next review due: October 2027</li></ul>")
    assert not rules("<p>Version 2026-27 · ratified 6 October 2026</p>")


def test_only_the_article_is_read_and_permalinks_are_skipped():
    html = page('<h2 id="a">Who<a class="headerlink" href="#a">¶</a></h2><p>Staff keep it.</p>')
    assert not lint_html(html)
    assert lint_html("<nav><p>the the</p></nav>") == []


def test_frozen_pages_are_not_read():
    assert is_frozen_page("policies/social-media/2022-23.html")
    assert is_frozen_page("staff/policies/social-media/changes-2021-22-to-2022-23.html")
    assert not is_frozen_page("policies/social-media.html")
    assert not is_frozen_page("staff/policies/social-media.html")
    assert not is_frozen_page("staff/index.html")
