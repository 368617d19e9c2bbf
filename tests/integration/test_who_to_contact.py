"""Who to contact: pointed to from the top of every policy page, and the right Ofsted
line for each audience (issue 19). Working copies of the examples and of three settings
written elsewhere (tests/fixtures), built once in both views."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from policy_sites.builder.federation import BuildOptions, build_federation
from policy_sites.settings.loader import load_setting
from policy_sites.settings.schema import Setting
from tests.conftest import EXAMPLES, copy_project
from tests.helpers import REPO, article_text, visible_text

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "settings"
OTHERS = ("oakfield", "lantern", "willow")  # oakfield gives no phone of its own
SLUGS = (*EXAMPLES, *OTHERS)
VIEWS = {"parents": "", "staff": "staff/"}


def build_working_copies(root: Path) -> tuple[Path, dict[str, Setting]]:
    """Every policy's working copy (the published examples' too) of SLUGS, built into
    ``root``/site; with each setting as loaded."""
    project = copy_project(root / "project")
    for slug in OTHERS:
        shutil.copy(FIXTURES / f"{slug}.yml", project.settings_dir / f"{slug}.yml")
    options = BuildOptions(jobs=1, preview=True, cache_folder=None)
    report = build_federation(project, list(SLUGS), root / "site", options)
    failed = {r.slug: r.error for r in report.results if not r.ok}
    assert not failed, failed
    settings = {slug: load_setting(project.settings_dir, slug) for slug in SLUGS}
    return root / "site", settings


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Setting]]:
    return build_working_copies(tmp_path_factory.mktemp("who-to-contact"))


def policy_pages(site: Path, slug: str, setting: Setting) -> list[tuple[str, Path]]:
    """Each policy page of the setting, in each view, with the view's id."""
    return [
        (view, site / slug / f"{folder}policies/{policy}.html")
        for view, folder in VIEWS.items()
        for policy in setting.policies
    ]


def _between(markup: str, start: str, end: str) -> str:
    begin = markup.index(start)
    return markup[begin : markup.index(end, begin)]


@pytest.mark.parametrize("slug", SLUGS)
def test_the_top_of_every_policy_points_to_who_to_contact(sites, slug):
    """Before the Key details: one line with the setting's phone (from its settings) and a
    link to the Who to contact section of the same page."""
    site, settings = sites
    setting = settings[slug]
    for view, page in policy_pages(site, slug, setting):
        markup = page.read_text(encoding="utf-8")
        top = _between(markup, "</h1>", 'id="key-details"')
        assert 'href="#who-to-contact"' in top, f"{view} {page.name}: no link near the top"
        words = visible_text(top)
        assert "Worried about a child?" in words, f"{view} {page.name}: {words!r}"
        if setting.contact:
            digits = setting.contact.phone.replace(" ", "")
            assert f'href="tel:{digits}"' in top, f"{view} {page.name}: no phone near the top"
            assert f"Phone us on {setting.contact.phone}" in words
        else:
            assert "tel:" not in top and "See who to contact below." in words
        target = re.search(r'<h2 id="who-to-contact"[^>]*>(.*?)</h2>', markup, re.DOTALL)
        assert target, f"{view} {page.name}: the link's target is missing"
        assert visible_text(target.group(1)).startswith("Who to contact")


@pytest.mark.parametrize("slug", SLUGS)
def test_staff_are_given_ofsteds_whistleblowing_line_and_parents_its_complaints_line(sites, slug):
    site, settings = sites
    routes = settings[slug].contact_routes
    complaints, hotline = routes.ofsted.phone, routes.ofsted_whistleblowing.phone
    advice = routes.whistleblowing_advice.phone
    for view, page in policy_pages(site, slug, settings[slug]):
        text = article_text(page)
        assert f"contact Ofsted (phone {complaints}" in text  # parents' route, both views
        if view == "staff":
            whistleblowing = text[text.index("Staff: whistleblowing") :]
            assert complaints not in whistleblowing, f"{page}: complaints line for whistleblowing"
            assert f"{routes.ofsted_whistleblowing.name} (phone {hotline}" in whistleblowing
            assert f"(phone {advice})" in whistleblowing
        else:
            assert hotline not in text and advice not in text, f"{page}: staff's lines shown"
    quick = article_text(site / slug / "staff" / "index.html")
    line = quick[quick.index("Whistleblowing:") :]
    assert f"{routes.ofsted_whistleblowing.name} on {hotline}" in line
    assert complaints not in line.split("See ")[0]


def test_the_federation_gives_ofsteds_published_lines_with_their_source():
    """current-guidance-and-contacts.md (December 2026): parents' concerns and complaints
    on 0300 123 4666; staff's whistleblowing to Ofsted on 0300 123 3155; the NSPCC's
    independent advice on 0800 028 0285. Each number is kept once, with its source."""
    routes = load_setting(REPO / "settings", "halstead").contact_routes
    assert (routes.ofsted.phone, routes.ofsted.email) == (
        "0300 123 4666",
        "enquiries@ofsted.gov.uk",
    )
    assert routes.ofsted_whistleblowing.phone == "0300 123 3155"
    assert routes.ofsted_whistleblowing.email == "whistleblowing@ofsted.gov.uk"
    assert routes.whistleblowing_advice.phone == "0800 028 0285"
    federation = (REPO / "settings" / "_federation.yml").read_text(encoding="utf-8")
    for number in ("0300 123 4666", "0300 123 3155", "0800 028 0285"):
        assert federation.count(number) == 1, number
        before = federation[: federation.index(number)].splitlines()[-4:]
        assert any("current-guidance-and-contacts.md" in line for line in before), number


def test_a_setting_with_one_dsl_calls_them_our_dsl(sites):
    """Halstead has one DSL and no deputy; Poppy's one lead for each of two provisions."""
    site, _ = sites
    halstead = article_text(
        site / "halstead" / "staff" / "policies" / "mobile-and-smart-technology.html"
    )
    assert "Advice for our DSL:" in halstead
    assert " a DSL" not in halstead
    poppys = article_text(site / "poppys" / "staff" / "policies" / "social-media.html")
    assert "Advice for a DSL:" in poppys
