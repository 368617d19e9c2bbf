"""Each policy's line on its History page: its own summary, the one given for every policy
that changed, or that its text did not change (issue 18, item 3)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from policy_sites.cli.versions import _summaries
from policy_sites.versions.history import PolicyHistory
from policy_sites.versions.store import read_versions, write_version

KNOWN = ("mobile-and-smart-technology", "social-media")
LONG = " ".join(["word"] * 30) + " more."
"""A sentence of 31 words, one over the parents' pages' limit."""


def _text(policy: str, ratified: str, body: str) -> str:
    return (
        f"# {policy}\n\n## Key details\n\n- **Agreed and ratified by the committee:** "
        f"{ratified}\n- **Next review due:** September 2027\n\n## Rules\n\n{body}\n"
    )


def _publish(
    root: Path, label: str, ratified: str, shown: str, bodies: dict[str, str], **details: object
) -> None:
    texts = {
        policy: {view: _text(policy, shown, body) for view in ("parents", "staff")}
        for policy, body in bodies.items()
    }
    write_version(
        root,
        "poppys",
        {
            "label": label,
            "ratified": ratified,
            "next_review": "2027-09",
            "published": ratified,
            "summary": None,
            "source_commit": None,
            "source_dirty": False,
            "guidance": [],
            **details,
        },
        texts,
    )


def _lines(root: Path, policy: str) -> dict[str, str]:
    versions = tuple(v for v in read_versions(root, "poppys") if policy in v.files)
    history = PolicyHistory(policy, "parents", versions)
    return {v.label: history.summary(v) for v in versions}


@pytest.fixture
def two_versions(tmp_path: Path) -> Path:
    _publish(
        tmp_path,
        "2026-27",
        "2026-10-06",
        "6 October 2026",
        {"social-media": "Old rule.", "mobile-and-smart-technology": "Phones away."},
    )
    return tmp_path


def test_a_summary_for_all_is_not_repeated_for_a_policy_whose_text_did_not_change(
    two_versions: Path,
) -> None:
    _publish(
        two_versions,
        "2027-28",
        "2026-11-02",
        "2 November 2026",
        {"social-media": "New rule.", "mobile-and-smart-technology": "Phones away."},
        summary="Adds the new rule",
    )
    assert _lines(two_versions, "social-media")["2027-28"] == "Adds the new rule"
    # Only its dates changed (the Key details show each version's own).
    assert (
        _lines(two_versions, "mobile-and-smart-technology")["2027-28"]
        == "No change to the text since 2026-27."
    )


def test_each_policy_shows_its_own_summary(two_versions: Path) -> None:
    _publish(
        two_versions,
        "2027-28",
        "2026-11-02",
        "2 November 2026",
        {"social-media": "New rule.", "mobile-and-smart-technology": "Phones in lockers."},
        summary="For all",
        summaries={"social-media": "Adds the new rule"},
    )
    assert _lines(two_versions, "social-media")["2027-28"] == "Adds the new rule"
    assert _lines(two_versions, "mobile-and-smart-technology")["2027-28"] == "For all"
    (_, latest) = read_versions(two_versions, "poppys")
    assert latest.summary_of("social-media") == "Adds the new rule"
    assert latest.summary_of("mobile-and-smart-technology") == "For all"


def test_without_a_summary_the_changed_sections_are_named(two_versions: Path) -> None:
    _publish(
        two_versions,
        "2027-28",
        "2026-11-02",
        "2 November 2026",
        {"social-media": "New rule.", "mobile-and-smart-technology": "Phones away."},
    )
    assert _lines(two_versions, "social-media") == {
        "2026-27": "First published version.",
        "2027-28": "Changes in 2 sections: Key details and Rules.",
    }


def test_summaries_of_the_wrong_shape_are_named(two_versions: Path) -> None:
    from policy_sites.versions.store import VersionError

    folder = two_versions / "poppys" / "versions" / "2026-27"
    meta = folder / "version.yml"
    meta.write_text(meta.read_text() + "summaries: [oops]\n")
    with pytest.raises(VersionError, match="summaries: expected a mapping of policy to summary"):
        read_versions(two_versions, "poppys")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ((), (None, {})),
        (("Adds a rule",), ("Adds a rule", {})),
        (("social-media=Adds a rule",), (None, {"social-media": "Adds a rule"})),
        (
            ("social-media = Adds a rule", "Tidies wording"),
            ("Tidies wording", {"social-media": "Adds a rule"}),
        ),
        (("x=y is a sum, not a policy",), ("x=y is a sum, not a policy", {})),
        # 30 words in a sentence is the limit, not over it.
        (
            (f"social-media=Example dates. {LONG[:-6]}.",),
            (None, {"social-media": f"Example dates. {LONG[:-6]}."}),
        ),
    ],
)
def test_summary_values_are_read_per_policy_or_for_all(
    values: tuple[str, ...], expected: tuple
) -> None:
    assert _summaries(values, KNOWN) == expected


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (("One", "Two"), "give one summary for every policy"),
        (("social-media=One", "social-media=Two"), "social-media is given two summaries"),
        (("social-media=",), "say what changed"),
        (("socal-media=Adds a rule",), "'socal-media' is no policy; did you mean 'social-media'"),
        # The History page is a parents' page: no sentence over 30 words (test_readability).
        ((f"social-media=Example dates. {LONG}",), "has 31 words; parents read it"),
        ((f"Example dates. {LONG}",), "has 31 words; parents read it"),
    ],
)
def test_summary_values_that_cannot_be_meant_are_refused(
    values: tuple[str, ...], message: str
) -> None:
    with pytest.raises(click.BadParameter, match=message):
        _summaries(values, KNOWN)
