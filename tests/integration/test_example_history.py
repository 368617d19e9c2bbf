"""The example settings' real published history, as the built example sites show it."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from policy_sites.versions.store import read_versions
from tests.helpers import REPO, article_text


@pytest.mark.parametrize(
    ("slug", "labels"),
    [
        ("poppys", ["2021-22", "2022-23", "2026-27", "2026-27.1"]),
        ("halstead", ["2020-21", "2022-23", "2026-27", "2026-27.1"]),
    ],
)
def test_example_versions_are_genuine(slug: str, labels: list[str]) -> None:
    versions = read_versions(REPO / "settings", slug)  # verifies every hash
    assert [v.label for v in versions] == labels
    for version in versions:
        assert version.policies == ["mobile-and-smart-technology", "social-media"]
        # Halstead's first two were re-frozen from their own commits with the federation
        # file's guidance list turned into the register (so "dirty"), to drop the dates
        # nobody recorded; their summaries say so.
        refrozen = "Re-frozen in November 2026" in (version.summary or "")
        assert version.source_commit
        assert re.fullmatch(r"[0-9a-f]{40}", version.source_commit), version.label
        if _shallow_clone():
            assert not version.source_dirty or refrozen or version.label == "2026-27.1"
            continue  # the commit may lie beyond the clone's depth
        if version.source_dirty and not refrozen:
            # 2026-27.1 (both examples) was published with Poppy's new ratified dates written
            # into poppys.yml first: its commit's sources plus those two dates, and no more.
            assert (
                _uncommitted_at_publish(slug, version.label, version.source_commit)
                == [
                    "-    ratified: 2026-10-06",
                    "+    ratified: 2026-12-05",
                ]
                * 2
            ), version.label
        # In main's own history, so any full clone of main can rebuild the version.
        ancestor = subprocess.run(
            ["git", "-C", str(REPO), "merge-base", "--is-ancestor", version.source_commit, "HEAD"],
            capture_output=True,
            text=True,
        )
        assert ancestor.returncode == 0, (version.label, ancestor.stderr)


def _uncommitted_at_publish(slug: str, label: str, source_commit: str) -> list[str]:
    """The changed lines, outside the published versions, between the commit a version was
    published from and the commit that added it: what was uncommitted when it was frozen."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(REPO), *args], capture_output=True, text=True, check=True
        ).stdout

    meta = f"settings/{slug}/versions/{label}/version.yml"
    added = git("log", "--diff-filter=A", "--format=%H", "--", meta).split()[-1]
    diff = git("diff", "-U0", source_commit, added, "--", ".", ":(exclude)settings/*/versions/**")
    return [
        line
        for line in diff.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def _shallow_clone() -> bool:
    answer = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--is-shallow-repository"],
        capture_output=True,
        text=True,
        check=True,
    )
    return answer.stdout.strip() == "true"


def test_poppys_shows_its_2026_27_1_version_with_history(built_sites) -> None:
    site = built_sites / "poppys"
    for view in ("", "staff/"):
        page = article_text(site / view / "policies/social-media.html")
        assert "Version 2026-27.1 · ratified 5 December 2026 · next review October 2027" in page
        assert "Show changes since 2026-27" in page
        history = article_text(site / view / "policies/social-media/history.html")
        assert re.search(
            r"2026-27\.1 \(current\) 5 December 2026 October 2027 Example dates\. "
            r"Cites KCSIE 2026",
            history,
        )
        assert re.search(r"2026-27 6 October 2026 October 2027 Example dates", history)
        assert re.search(r"2022-23 September 2022 September 2023 Cites KCSIE 2022", history)
        assert "2021-22 September 2021 September 2022 First version on the website." in history
    key = article_text(site / "policies/mobile-and-smart-technology.html")
    assert "Agreed and ratified by the committee: 5 December 2026" in key
    assert "Next review due: October 2027" in key


def test_2026_27_redline_shows_guidance_contacts_and_new_topics(built_sites) -> None:
    for slug in ("poppys", "halstead"):
        folder = built_sites / slug / "policies"
        mobile = (
            folder / "mobile-and-smart-technology/changes-2022-23-to-2026-27.html"
        ).read_text()
        social = (folder / "social-media/changes-2022-23-to-2026-27.html").read_text()
        summary = article_text(folder / "social-media/changes-2022-23-to-2026-27.html")
        assert (
            "KCSIE 2022, EYFS 2021, Working Together to Safeguard Children 2018 → KCSIE 2025"
            in (summary)
        )
        for markup in (mobile, social):
            assert re.search(
                r"<ins>(?:<em>)?Keeping Children Safe in Education(?:</em>)? \(2025\)", markup
            )
            assert re.search(r"<ins>[^\n]*href=\"tel:03000410888\"", markup)  # the LADO
            assert re.search(r"<ins>[^\n]*href=\"tel:03001234666\"", markup)  # Ofsted
        assert re.search(r"<ins>[^\n]*Smart watches count as phones", mobile)
        # The filming rule's example fits the children: a school-age club's is a play or
        # sports day (Poppy's runs one), a nursery's a nativity play (Halstead).
        event = "a play or sports day" if slug == "poppys" else "a nativity play"
        assert re.search(rf"<ins>[^\n]*{event}", mobile), (slug, event)
        assert re.search(r"<ins>[^\n]*Comments on our", social)


def test_poppys_editions_and_rules_differ_between_years(built_sites) -> None:
    folder = built_sites / "poppys/policies/social-media"
    old = article_text(folder / "2021-22.html")
    assert "Keeping Children Safe in Education (2021)" in old
    assert "Staff use setting email addresses" not in old
    assert "superseded in September 2022 by version 2022-23" in old
    markup = (folder / "changes-2021-22-to-2022-23.html").read_text("utf-8")
    assert "<del>(2021),</del>" in markup and "<ins>(2022),</ins>" in markup
    assert re.search(r"<ins>Staff use setting email addresses, never personal ones", markup)
    mobile = (
        built_sites / "poppys/policies/mobile-and-smart-technology/changes-2021-22-to-2022-23.html"
    ).read_text("utf-8")
    assert "<ins>hide or turn off Bluetooth, AirDrop" in mobile


def test_halstead_kept_its_2020_21_version(built_sites) -> None:
    folder = built_sites / "halstead/policies/mobile-and-smart-technology"
    old = article_text(folder / "2020-21.html")
    assert "Keeping Children Safe in Education (2020)" in old
    assert "Early Years Foundation Stage (2017)" in old
    assert "Working Together to Safeguard Children (2018)" in old
    assert "superseded (date not recorded) by version 2022-23" in old
    assert "Agreed and ratified by the committee: not recorded" in old
    redline = article_text(folder / "changes-2020-21-to-2022-23.html")
    assert "KCSIE 2020, EYFS 2017, Working Together to Safeguard Children 2018 → KCSIE 2022" in (
        redline
    )


@pytest.mark.parametrize("view", ["", "staff/"])
@pytest.mark.parametrize("slug", ["poppys", "halstead"])
def test_search_sends_readers_to_the_current_policy_not_old_copies(built_sites, slug, view):
    """A search for a policy's words, on the site or on a search engine, finds the policy
    and its History, never a version's own page or a redline, which repeat the words."""
    root = built_sites / slug / view
    index = json.loads((root / "search/search_index.json").read_text())
    pages = {doc["location"].split("#")[0] for doc in index["docs"]}
    robots = re.compile(r'<meta name="robots" content="noindex')
    for policy in ("mobile-and-smart-technology", "social-media"):
        current, history = f"policies/{policy}.html", f"policies/{policy}/history.html"
        assert {current, history} <= pages
        old_copies = sorted(
            page.relative_to(root).as_posix()
            for page in (root / "policies" / policy).glob("*.html")
        )
        old_copies.remove(history)
        assert len(old_copies) >= 3, old_copies  # a version or two, and a redline
        assert not pages & set(old_copies), sorted(pages)
        for page in old_copies:
            assert robots.search((root / page).read_text()), page
        if not view:  # the staff view is noindex throughout
            assert not robots.search((root / current).read_text())
            assert not robots.search((root / history).read_text())


@pytest.mark.parametrize("view", ["", "staff/"])
def test_the_menu_lists_each_history_after_the_policies(built_sites, view):
    """Both policies of Poppy's have history; the menu's sections follow mkdocs.yml, with
    "Versions and changes" after the section that lists the policies."""
    page = (built_sites / "poppys" / view / "policies/social-media/history.html").read_text()
    nav = page[page.index("md-nav--primary") : page.index("md-sidebar--secondary")]
    sections = re.findall(
        r'<span class="md-ellipsis">\s*([^<]+?)\s*</span>\s*<span class="md-nav__icon', nav
    )
    # The open page's own contents ("Compare with the current version") fold under its title.
    sections = [s for s in sections if not s.endswith(": history")]
    expected = ["Policies", "Versions and changes"] + (["For staff"] if view else [])
    assert sections == expected
    listed = re.findall(
        r'<a href="([^"]+)" class="md-nav__link[^"]*">\s*<span class="md-ellipsis">\s*([^<]+?)\s*<',
        nav,
    )
    assert (
        "../mobile-and-smart-technology/history.html",
        "Mobile and smart technology policy: history",
    ) in listed
    assert ("history.html", "Social media policy: history") in listed
    assert "md-nav__link--active" in nav.split("Social media policy: history")[0][-400:]
