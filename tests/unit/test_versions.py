"""Published versions: written once with hashes, read back verified, refused when edited."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from policy_sites.versions.store import VersionError, policy_history, read_versions, write_version

TEXTS = {
    "social-media": {
        "parents": "# Social media\n\nPublic text.\n",
        "staff": "# Social media\n\nStaff text.\n",
    },
}


def _details(label: str, ratified: str = "2022-09-12", **extra: object) -> dict:
    return {
        "label": label,
        "ratified": ratified,
        "next_review": "2023-09",
        "published": "2022-09-13",
        "summary": None,
        "source_commit": None,
        "source_dirty": False,
        "guidance": [
            {
                "title": "Keeping Children Safe in Education",
                "short_name": "KCSIE",
                "edition": "2022",
            }
        ],
        **extra,
    }


def test_written_version_reads_back_with_its_details(tmp_path: Path) -> None:
    write_version(tmp_path, "poppys", _details("2022-23"), TEXTS)
    (version,) = read_versions(tmp_path, "poppys")
    assert version.label == "2022-23"
    assert version.ratified.display() == "12 September 2022"
    assert version.next_review.display() == "September 2023"
    assert version.cites() == "KCSIE 2022"
    assert version.text("social-media", "staff") == TEXTS["social-media"]["staff"]
    assert version.text("social-media", "parents") == TEXTS["social-media"]["parents"]
    assert (tmp_path / "poppys" / "versions" / "2022-23" / "version.yml").is_file()


def test_an_existing_label_is_refused(tmp_path: Path) -> None:
    write_version(tmp_path, "poppys", _details("2022-23"), TEXTS)
    other = {"social-media": {"parents": "changed\n", "staff": "changed\n"}}
    with pytest.raises(VersionError, match="already published"):
        write_version(tmp_path, "poppys", _details("2022-23"), other)
    (version,) = read_versions(tmp_path, "poppys")
    assert version.text("social-media", "parents") == TEXTS["social-media"]["parents"]


def test_a_hand_edited_frozen_file_is_named(tmp_path: Path) -> None:
    write_version(tmp_path, "poppys", _details("2022-23"), TEXTS)
    frozen = tmp_path / "poppys" / "versions" / "2022-23" / "staff" / "social-media.md"
    frozen.write_text(frozen.read_text() + "One more rule.\n")
    with pytest.raises(VersionError) as caught:
        read_versions(tmp_path, "poppys")
    (problem,) = caught.value.problems
    assert str(problem.file) == "project/poppys/versions/2022-23/staff/social-media.md".replace(
        "project", tmp_path.name
    )
    assert "was edited after it was published" in str(problem)


def test_edited_details_are_refused_naming_the_field(tmp_path: Path) -> None:
    write_version(tmp_path, "poppys", _details("2022-23"), TEXTS)
    meta = tmp_path / "poppys" / "versions" / "2022-23" / "version.yml"
    meta.write_text(meta.read_text().replace("ratified: '2022-09-12'", "ratified: '2022-10-01'"))
    with pytest.raises(VersionError, match=r"version\.yml:\d+: digest: the version's details"):
        read_versions(tmp_path, "poppys")


def test_an_added_file_is_refused(tmp_path: Path) -> None:
    write_version(tmp_path, "poppys", _details("2022-23"), TEXTS)
    (tmp_path / "poppys" / "versions" / "2022-23" / "parents" / "extra.md").write_text("x")
    with pytest.raises(VersionError, match=r"extra\.md: was added after"):
        read_versions(tmp_path, "poppys")


def test_history_is_ordered_by_ratified_date_and_per_policy(tmp_path: Path) -> None:
    write_version(tmp_path, "poppys", _details("2022-23"), TEXTS)
    write_version(tmp_path, "poppys", _details("2021-22", "2021-09-13"), TEXTS)
    mobile = {"mobile": {"parents": "m\n", "staff": "m\n"}}
    write_version(tmp_path, "poppys", _details("2023-01-concern", "2023-01-20"), mobile)
    versions = read_versions(tmp_path, "poppys")
    assert [v.label for v in versions] == ["2021-22", "2022-23", "2023-01-concern"]
    assert [v.label for v in policy_history(versions, "social-media")] == ["2021-22", "2022-23"]
    assert [v.label for v in policy_history(versions, "mobile")] == ["2023-01-concern"]


def test_a_long_history_has_a_redline_per_version_not_per_pair(tmp_path: Path) -> None:
    """Six published versions: each against the one before (5) and each older one against
    the current (4 more), 9 redlines where every pair would be 15; the History page links
    each of them and nothing else."""
    from policy_sites.versions.history import PolicyHistory, generated_pages

    labels = [f"20{year}-{year + 1}" for year in range(20, 26)]
    for number, label in enumerate(labels):
        text = f"# Social media\n\nPublic text, version {number}.\n"
        write_version(
            tmp_path, "poppys", _details(label), {"social-media": {"parents": text, "staff": text}}
        )
    versions = tuple(policy_history(read_versions(tmp_path, "poppys"), "social-media"))
    pages = generated_pages(PolicyHistory("social-media", "parents", versions))
    redlines = sorted(p.split("/")[-1] for p in pages if "/changes-" in p)
    consecutive = [f"changes-{a}-to-{b}.md" for a, b in itertools.pairwise(labels)]
    with_current = [f"changes-{a}-to-{labels[-1]}.md" for a in labels[:-2]]
    assert redlines == sorted(consecutive + with_current)
    assert len(redlines) == 2 * len(labels) - 3
    history = pages["policies/social-media/history.md"]
    linked = set(re.findall(r"\((changes-[^)]+\.md)\)", history))
    assert linked == set(redlines)
    assert "Compare with the current version" in history
