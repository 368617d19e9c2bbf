"""Settings that differ from both examples in every choice build, and read as if written
for them: three hand-written settings and a third shared policy only one of them publishes,
built as one federation beside the examples, in both views, through the prose check."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from bench.synthetic import copy_project
from policy_sites.builder.federation import BuildOptions, build_federation
from policy_sites.builder.portal import summarise
from policy_sites.check.checker import run_check
from policy_sites.check.prose import lint_site
from policy_sites.project import Project
from policy_sites.settings.loader import setting_slugs
from tests.helpers import REPO, article_text

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
HAND_WRITTEN = ("bare", "meadow", "riverside")
THIRD = "acceptable-use"


def add_third_policy(root: Path) -> None:
    """The policy the editor's guide adds: its source and its menu entry."""
    shutil.copy(FIXTURES / "docs" / f"{THIRD}.md", root / "docs" / "policies" / f"{THIRD}.md")
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    entry = "      - policies/social-media.md\n"
    assert entry in text
    config.write_text(text.replace(entry, entry + f"      - policies/{THIRD}.md\n"), "utf-8")


@pytest.fixture(scope="module")
def federation(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Path]:
    root = tmp_path_factory.mktemp("content-model") / "project"
    copy_project(REPO, root)
    shutil.copytree(REPO / "settings", root / "settings", dirs_exist_ok=True)
    for slug in HAND_WRITTEN:
        shutil.copy(FIXTURES / "settings" / f"{slug}.yml", root / "settings" / f"{slug}.yml")
    add_third_policy(root)
    project = Project(root)
    out = root / "site"
    report = build_federation(project, None, out, BuildOptions(jobs=1))
    failed = {r.slug: r.error for r in report.results if not r.ok}
    assert not failed, failed
    return project, out


def text(out: Path, slug: str, page: str) -> str:
    return article_text(out / slug / page)


def test_every_setting_builds_and_reads_right(federation):
    project, out = federation
    assert set(setting_slugs(project.settings_dir)) >= set(HAND_WRITTEN)
    # A published version's pages are frozen text: the sources' faults are mended there
    # only by publishing again, so they are read here only as the sources build them.
    problems = {
        slug: lint_site(out / slug, published=False) for slug in setting_slugs(project.settings_dir)
    }
    assert not any(problems.values()), problems


def test_a_policy_only_some_settings_publish(federation):
    _, out = federation
    river = (out / "riverside" / "staff" / "induction.html").read_text(encoding="utf-8")
    assert 'href="policies/acceptable-use.html">Acceptable use policy</a>' in river
    assert "mobile-and-smart-technology" not in river
    assert (out / "riverside" / "policies" / f"{THIRD}.html").is_file()
    for slug in ("meadow", "bare", "poppys", "halstead"):
        assert not (out / slug / "policies" / f"{THIRD}.html").exists()
        assert THIRD not in (out / slug / "index.html").read_text(encoding="utf-8")
    meadow = out / "meadow"
    assert not (meadow / "policies" / "social-media.html").exists()
    for page in meadow.rglob("*.html"):
        assert "social-media.html" not in page.read_text(encoding="utf-8"), page
    quick = text(out, "meadow", "staff/index.html")
    assert "The full policy says more: Mobile and smart technology policy." in quick
    home = text(out, "meadow", "index.html")
    assert "safe around phones and cameras. Our full policy comes after it." in home
    induction = text(out, "meadow", "staff/induction.html")
    assert "If I break this policy," in induction
    assert "If I break these policies," in text(out, "poppys", "staff/induction.html")


def test_deputies_and_leads(federation):
    _, out = federation
    policy = text(out, "meadow", "policies/mobile-and-smart-technology.html")
    assert (
        "Designated Safeguarding Leads: Priya Natarajan, Pre-school Leader; Ruth Evans, "
        "Special Educational Needs Co-ordinator" in policy
    )
    assert "Deputy Designated Safeguarding Lead: Tom Okafor, Deputy Pre-school Leader" in policy
    assert "Priya Natarajan and Ruth Evans, have overall responsibility" in policy
    assert "a DSL (or a deputy) or the Pre-school Leader asks" in policy
    home = text(out, "meadow", "index.html")
    assert "Their deputy is Tom Okafor." in home
    induction = text(out, "meadow", "staff/induction.html")
    assert "Our Deputy Designated Safeguarding Lead: Tom Okafor." in induction
    river = text(out, "riverside", "policies/social-media.html")
    assert "Designated Safeguarding Lead: Dan Whitfield, Club Manager" in river
    assert "(or a deputy)" not in river
    bare = text(out, "bare", "policies/social-media.html")
    assert re.search(r"Designated Safeguarding Lead: Lee Park(?!,)", bare)  # no job title


def test_ratifying_body_rooms_and_approvers(federation):
    _, out = federation
    meadow = text(out, "meadow", "policies/mobile-and-smart-technology.html")
    assert "on our behalf. That includes the trustees, leaders" in meadow
    assert (
        "not allowed in the hall, the quiet room and the garden, or in any other area "
        "where children are" in meadow
    )
    river = text(out, "riverside", "policies/social-media.html")
    assert "on our behalf. That includes the owner, leaders" in river
    assert "The Club Manager and the school's Headteacher have assessed the risks" in river
    assert "Staff report to the Club Manager (Dan Whitfield, our DSL) any message" in river
    assert "early years foundation stage" not in river  # a club for school-age children
    assert "How we run them:" in river
    bare = text(out, "bare", "policies/social-media.html")
    assert "That includes the committee, leaders" in bare  # the federation's choice


def test_one_frame_per_free_text_field(federation):
    _, out = federation
    induction = text(out, "riverside", "staff/induction.html")
    assert "staff may use social media for personal reasons during setting hours only after" in (
        induction
    )
    assert "Checked by the Club Manager:" in induction
    meadow_home = text(out, "meadow", "index.html")
    assert (
        "A visitor who must take an essential call is asked to step outside into the car park "
        "before answering." in meadow_home
    )
    assert "stay in touch with children after they have left" not in text(
        out, "bare", "policies/social-media.html"
    )
    assert "stay in touch with children after they have left" in text(
        out, "riverside", "policies/social-media.html"
    )
    staff = text(out, "bare", "staff/staff-details.html")
    assert "Bare Minimum Nursery has no staff-only details at the moment." in staff


def test_nothing_published_shows_no_ratified_date(federation):
    project, out = federation
    river = text(out, "riverside", "policies/social-media.html")
    assert "not yet ratified" in river
    assert "Agreed and ratified" not in river
    assert "Next review due: January 2027" in river
    summary = summarise(project, "riverside")
    assert [p.ratified for p in summary.policies] == [None, None]
    portal = (out / "index.html").read_text(encoding="utf-8")
    assert "Riverside" in portal


def test_check_is_clean_for_them(federation):
    project, _ = federation
    report = run_check(project, dt.date(2026, 11, 23))
    assert not report.errors, [str(f) for f in report.errors]
    assert not [f for f in report.warnings if "reads" in f.message or "view)" in f.message]


def test_the_event_example_is_the_settings_own(federation):
    """Each example names its own events (events.example); tests/integration/
    test_every_choice.py has a setting that names none."""
    _, out = federation
    assert "At events such as a play or sports day," in text(out, "poppys", "index.html")
    assert "At events such as a nativity play," in text(out, "halstead", "index.html")


def test_a_route_given_only_as_a_web_form_is_a_link(federation):
    """Meadow's route for worries about its leaders is a web form alone: each page that
    says who to contact links it, in words that fit each sentence it completes, its text
    the address as typed (no '*' turned to emphasis), its '&' escaped in the link as
    every value's is."""
    _, out = federation
    address = "https://meadow-lane.example.org/contact?to=chair&form=worry_form*1"
    for view in ("", "staff/"):
        page = out / "meadow" / view / "policies" / "mobile-and-smart-technology.html"
        markup = page.read_text(encoding="utf-8")
        href = address.replace("&", "&amp;")
        # staff also read it as whistleblowing's route when the concern is about leaders
        assert markup.count(f'<a href="{href}">') == (2 if view else 1)
        assert "<em>" not in markup.split(f'<a href="{href}">')[1].split("</a>")[0]
        words = " ".join(text(out, "meadow", f"{view}policies/mobile-and-smart-technology.html")
                         .split())  # fmt: skip
        assert f"contact the Chair of Trustees (go online to {address})" in words
    home = " ".join(text(out, "meadow", "index.html").split())
    assert f"contact the Chair of Trustees. You can go online to {address}." in home
