"""Three hand-written settings that differ from both examples in every choice the schema
offers (governors, a proprietor, an owner; deputies per provision; a club for school-age
children only; rooms with and without a ban on visitors' phones; a template or none),
built as a federation in both views: each fact turns its sentence on or off, and every
page passes the prose check."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from policy_sites.builder.federation import BuildOptions, build_federation
from policy_sites.check.prose import lint_site
from policy_sites.settings.loader import load_setting
from policy_sites.settings.reachable import missing_routes
from tests.conftest import copy_project
from tests.helpers import article_text, settings_beside_sources

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "settings"
EVERY_CHOICE = ("oakfield", "lantern", "willow")
MOBILE = "policies/mobile-and-smart-technology.html"
SOCIAL = "policies/social-media.html"
EYFS = "early years foundation stage"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("every-choice")
    project = copy_project(root / "project")
    for slug in EVERY_CHOICE:
        shutil.copy(FIXTURES / f"{slug}.yml", project.settings_dir / f"{slug}.yml")
    site = root / "site"
    report = build_federation(project, list(EVERY_CHOICE), site, BuildOptions(jobs=1))
    failed = {r.slug: r.error for r in report.results if not r.ok}
    assert not failed, failed
    return site


def text(out: Path, slug: str, page: str) -> str:
    return article_text(out / slug / page)


def test_they_pass_the_prose_check(out):
    problems = {slug: lint_site(out / slug, published=False) for slug in EVERY_CHOICE}
    assert not any(problems.values()), problems


def test_the_induction_sheet_names_every_dsl_with_their_label(out):
    oakfield = text(out, "oakfield", "staff/induction.html")
    assert (
        "Our Designated Safeguarding Leads (DSLs): Hannah Osei for the Nursery class and Joe "
        "Marsh for the Breakfast and after-school club. Our Deputy Designated Safeguarding "
        "Leads: Sam Clarke for the Nursery class and Aisha Begum for the Breakfast and "
        "after-school club." in oakfield
    )
    lantern = text(out, "lantern", "staff/induction.html")
    assert (
        "Our Designated Safeguarding Lead (DSL): Grace Adeyemi. Our Deputy Designated "
        "Safeguarding Leads: Owen Price and Mei Wong." in lantern
    )
    willow = text(out, "willow", "staff/induction.html")
    assert "Our Designated Safeguarding Lead (DSL): Nadia Kowalski." in willow
    assert "Deputy" not in willow
    # The quick reference, too, names every one of them, each with their own label.
    quick = text(out, "oakfield", "staff/index.html")
    assert "Sam Clarke, Nursery Teacher: Deputy Designated Safeguarding Lead for the Nursery" in (
        quick
    )
    assert "Aisha Begum, Playworker: Deputy Designated Safeguarding Lead for the Breakfast" in (
        quick
    )


def test_the_induction_sheet_keeps_each_field_in_its_own_frame(out):
    """staff_phones_quiet_during completes a sentence about staff ('their shift'), so the
    first-person sheet quotes the rule rather than putting it in the speaker's mouth."""
    willow = text(out, "willow", "staff/induction.html")
    assert (
        "I follow our rule that staff switch their personal phones and devices off or to "
        "silent during their shift." in willow
    )
    assert "I switch my" not in willow


def test_rooms_follow_the_rule_on_visitors_phones_not_where_they_may_use_one(out):
    # Phones kept away from children, with nowhere named where visitors may use one.
    oakfield = text(out, "oakfield", "staff/" + MOBILE)
    assert (
        "Phones and personal devices are not allowed in the nursery classroom, the club room "
        "and the outdoor classroom, or in any other area where children are." in oakfield
    )
    assert "They may be used" not in oakfield
    assert (
        "Visitors: may not use a phone in the nursery classroom, the club room and the "
        "outdoor classroom, or in any other area where children are."
        in (text(out, "oakfield", "staff/index.html"))
    )
    # Rooms given, but visitors' phones are not kept out of them: the rooms are not named
    # as places phones may not go, and where visitors may use one still is.
    willow = text(out, "willow", MOBILE)
    assert (
        "Do not answer your phone or take photos of any kind while children are present. "
        "Visitors may use a phone in the entrance hall." in willow
    )
    assert "the toddler room" not in willow
    assert "the toddler room" not in text(out, "willow", "staff/index.html")


def test_whistleblowing_reads_right_for_governors_a_proprietor_and_an_owner(out):
    pages = {
        "oakfield": text(out, "oakfield", "staff/" + MOBILE),
        "lantern": text(out, "lantern", "staff/" + SOCIAL),
        "willow": text(out, "willow", "staff/" + MOBILE),
    }
    for slug, page in pages.items():
        assert "Within the setting: tell " in page, slug
        assert "Outside the setting: contact Kent's County LADO service" in page
        assert "Inside " not in page, slug
    assert (
        "You can also go to the Chair of Governors (email governors@oakfield" in (pages["oakfield"])
    )
    assert (
        "If the concern is about them, go to the Out of School Alliance's safeguarding"
        in (pages["lantern"])
    )
    # The owner is the manager and the only DSL, and nobody is named above her.
    assert (
        "Within the setting: tell the Nursery Manager (Nadia Kowalski, our DSL). If the "
        "concern is about them, go outside the setting." in pages["willow"]
    )
    assert "Whistleblowing: within the setting, the Chair of Governors" in text(
        out, "oakfield", "staff/index.html"
    )
    assert "Whistleblowing: outside the setting, the LADO" in text(
        out, "willow", "staff/index.html"
    )
    parents = text(out, "willow", MOBILE)  # the staff's section stays in the staff view
    assert "Within the setting" not in parents
    assert "Outside the setting" not in parents


def test_the_template_and_the_eyfs_are_cited_only_where_they_apply(out):
    lantern = text(out, "lantern", SOCIAL)
    assert "It builds on the Out of School Alliance's model policy, with expert advice" in (lantern)
    assert EYFS not in lantern  # school-age children only
    assert "Keeping Children Safe in Education (2026)" in lantern
    for slug, page in (("oakfield", SOCIAL), ("willow", MOBILE)):
        policy = text(out, slug, page)
        assert "builds on" not in policy, slug
        assert "The Education People" not in policy, slug
        assert EYFS in policy, slug  # a nursery; a club that takes reception-age children


def test_the_key_person_only_where_early_years_children_attend(out):
    assert "Staff add notes and photos to Seesaw, your child's online learning journal." in (
        text(out, "lantern", "index.html")
    )
    assert "Your child's key person adds notes and photos to Famly" in text(
        out, "willow", "index.html"
    )
    assert "Key persons make their Famly records for their key children" in text(
        out, "willow", MOBILE
    )


def test_key_details_say_which_children_each_provision_takes(out):
    """Found by a trial: a club that takes reception-age children as well as older ones
    was shown as "(school-age children)" only."""
    assert (
        "Provisions: Nursery class; Breakfast and after-school club "
        "(early years and school-age children)" in text(out, "oakfield", MOBILE)
    )
    assert "(school-age children)" in text(out, "lantern", SOCIAL)


def test_a_setting_without_official_accounts_shows_no_account_logins(out):
    details = text(out, "willow", "staff/staff-details.html")
    assert "Official account logins" not in details
    assert "the nursery's HR adviser" in details
    assert "has no staff-only details" not in details
    assert "Official account logins" not in text(out, "lantern", "staff/staff-details.html")


def test_one_person_is_not_named_twice(out):
    willow = text(out, "willow", MOBILE)
    assert "They tell the Nursery Manager (Nadia Kowalski, our DSL) about any breach" in willow
    assert "our DSL or the Nursery Manager" not in willow
    assert "a DSL or the Nursery Manager" not in willow


def test_signs_are_not_placed_anywhere_the_settings_do_not_say(out):
    home = text(out, "oakfield", "index.html")
    assert "Signs remind everyone of these rules." in home
    assert "at the door" not in home
    # Lantern has signs too, but publishes no phone rules for them to remind anyone of.
    assert "Signs remind" not in text(out, "lantern", "index.html")


def test_the_quick_reference_keeps_each_field_in_its_own_frame(out):
    lantern = text(out, "lantern", "staff/index.html")
    # Lantern publishes no phone rules: its quick reference has none, though its file
    # still holds facts the mobile policy declares.
    assert "Your phone" not in lantern and "On a break" not in lantern
    assert "Personal use: staff may use social media" in lantern
    assert "On a break: staff may use their phones in the staff room only." in text(
        out, "willow", "staff/index.html"
    )
    assert "advice for a DSL when we are unsure what to do" in lantern
    assert "advice for our DSL when we are unsure what to do" in text(
        out, "willow", "staff/index.html"
    )
    # The advice service is a setting's own choice: nothing assumes it shares the LADO's line.
    assert "on the LADO's number" not in text(out, "willow", "staff/" + MOBILE)


def test_ofsteds_line_is_called_an_early_years_line_only_where_it_is_one(out):
    assert "Their number is 0300 123 4666." in text(out, "lantern", "index.html")
    assert "early years" not in text(out, "lantern", "index.html")
    assert "Ofsted's early years line is 0300 123 4666." in text(out, "willow", "index.html")


def test_an_event_is_named_only_when_the_settings_name_one(out):
    """No setting is assumed to hold a nativity play or a sports day."""
    assert "At our events, please do not film or take photos." in text(out, "willow", "index.html")
    policy = text(out, "willow", MOBILE)
    assert "At our events, please do not take photos or film." in policy
    lantern = text(out, "lantern", "index.html")
    assert "At events such as our end-of-holiday show, you may film" in lantern


def test_an_owner_run_setting_sends_a_worry_about_its_leaders_to_the_lado(out):
    """Willow's owner is its Manager and only DSL, and nobody inside is above her: its
    pages name the LADO for a worry about her, where other settings name their Chair."""
    home, policy = text(out, "willow", "index.html"), text(out, "willow", MOBILE)
    manager = "the Nursery Manager (Nadia Kowalski, our DSL)"
    assert f"If your worry is about {manager}, phone Kent's County LADO service on" in home
    assert f"A worry about {manager}: contact Kent's County LADO service (phone" in policy
    # Lantern's proprietor names an adviser, for staff only: staff read the adviser and
    # the LADO besides; parents, like Willow's, read the LADO.
    lantern_staff = text(out, "lantern", "staff/" + SOCIAL)
    assert "You can also go straight to the LADO" in lantern_staff
    assert "contact Kent's County LADO service" in text(out, "lantern", SOCIAL)
    assert "You can also go straight to the LADO" not in policy


def test_only_an_owner_or_proprietor_may_leave_out_a_route_for_worries_about_leaders(
    tmp_path: Path,
) -> None:
    folder = settings_beside_sources(tmp_path)
    for slug, owner_run in (("willow", True), ("lantern", True), ("oakfield", False)):
        data = yaml.safe_load((FIXTURES / f"{slug}.yml").read_text("utf-8"))
        data.pop("concerns_about_leaders", None)
        (folder / f"{slug}.yml").write_text(yaml.safe_dump(data), "utf-8")
        missing = [m.field for m in missing_routes(load_setting(folder, slug))]
        assert ("concerns_about_leaders" not in missing) == owner_run, (slug, missing)


def test_the_home_page_speaks_only_of_the_policies_a_setting_publishes(out):
    """Lantern publishes only its social media policy and Willow only its mobile policy:
    neither home page states the rules of a policy it does not publish."""
    lantern, willow = text(out, "lantern", "index.html"), text(out, "willow", "index.html")
    for phones_rule in ("Phones where children are", "Your child's own phone"):
        assert phones_rule not in lantern
    assert "Our social media" in lantern
    assert "Phones where children are" in willow
    assert "Our social media" not in willow


def test_the_schools_phone_guidance_only_where_a_provision_is_part_of_a_school(out):
    oakfield = text(out, "oakfield", "staff/" + MOBILE)
    assert "Mobile phones in schools (updated January 2026), from DfE" in oakfield
    assert (
        "Our Nursery class is part of a school, so we also follow the DfE's guidance on mobile "
        "phones in schools. The school day is free of phones" in oakfield
    )
    assert "phones in schools" not in text(out, "willow", MOBILE).casefold()
    assert "phones in schools" not in text(out, "lantern", SOCIAL).casefold()


def test_screen_time_advice_for_families_only_where_under_fives_attend(out):
    for slug, here in (
        ("oakfield", "Here, children use our devices only with a member of staff."),
        ("willow", "Here, only staff use our devices."),
    ):
        home = text(out, slug, "index.html")
        assert "advice on screen time for children aged 0 to 5 (Best Start in Life" in home
        assert "under 2s: avoid screens, except for activities you share with your child" in home
        assert "about an hour a day at most, in short spells, and not at mealtimes" in home
        assert here in home, slug
        assert "Best Start in Life" not in text(out, slug, "staff/index.html")
    assert "Best Start in Life" not in text(out, "lantern", "index.html")  # a holiday club


def test_kcsie_2026_online_safety_in_every_setting(out):
    checked = 0
    for slug in EVERY_CHOICE:
        if (out / slug / MOBILE).exists():
            mobile = text(out, slug, MOBILE)
            # The bold label starts its list item, so it takes a capital (sentences.py).
            assert "Commerce: risks such as scams, online gambling" in mobile, slug
            assert "Staff use generative AI, such as chatbots" in mobile, slug
            assert 'sometimes called a "deepfake"' in mobile, slug
            assert "At least once a year, we review our filtering and monitoring" in mobile, slug
            checked += 1
        if (out / slug / SOCIAL).exists():
            assert "faked or changed with AI" in text(out, slug, SOCIAL), slug
            checked += 1
    assert checked >= len(EVERY_CHOICE)  # each setting publishes at least one of them


def test_the_september_2026_eyfs_is_cited_by_title_and_date_only(out):
    """Its changes were not verified (current-guidance-and-contacts.md): the policies name
    it in the list of guidance and draw no duty from it."""
    cited = "for group and school-based providers (September 2026), from DfE"
    for slug, page in (("willow", MOBILE), ("oakfield", SOCIAL), ("oakfield", MOBILE)):
        policy = text(out, slug, page)
        assert policy.count(cited) == 1, (slug, page)
        # Any other mention is a date of the policy's own (oakfield's were written then).
        rest = policy.replace(cited, "")
        for found in re.finditer("September 2026", rest):
            before = rest[max(0, found.start() - 30) : found.start()]
            assert "last updated:" in before, (slug, page, before)
