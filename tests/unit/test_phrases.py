"""Phrases from structured facts: labels, agreement and the ratifying body's forms."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from policy_sites.context.phrases import sentence_facts
from policy_sites.context.variables import escape
from policy_sites.settings.facts import read_catalog
from policy_sites.settings.loader import load_setting
from policy_sites.settings.schema import DSL, Setting
from tests.helpers import REPO, say


def poppys() -> Setting:
    return load_setting(REPO / "settings", "poppys")


def facts(setting: Setting) -> dict:
    return sentence_facts(setting, escape, {})


def with_(setting: Setting, **changes) -> Setting:
    return type(setting).model_validate(setting.model_dump(mode="json") | changes)


def test_leads_and_deputies_per_provision():
    setting = with_(poppys(), dsls=[
        {"name": "Gemma Chapman", "role": "Pre-school Manager", "provision": "Pre-school"},
        {"name": "Ann <Lee>", "role": "Deputy", "deputy": True, "provision": "OSC"},
        {"name": "Mary Smith", "provision": "OSC"},
    ])  # fmt: skip
    found = facts(setting)
    assert found["dsl_lines"] == [
        {"label": "Designated Safeguarding Lead for the Pre-school",
         "people": "Gemma Chapman, Pre-school Manager"},
        {"label": "Designated Safeguarding Lead for the Out-of-school club",
         "people": "Mary Smith"},
        {"label": "Deputy Designated Safeguarding Lead for the Out-of-school club",
         "people": "Ann &lt;Lee&gt;, Deputy"},
    ]  # fmt: skip
    assert found["dsl_lead_names"] == (
        "Gemma Chapman for the Pre-school and Mary Smith for the Out-of-school club"
    )
    assert found["dsl_leads_title"] == "Designated Safeguarding Leads (DSLs)"
    assert found["a_dsl"] == "a DSL (or a deputy)"
    assert facts(poppys())["a_dsl"] == "a DSL"


def test_every_provision_needs_a_lead_and_a_role_is_a_job_title():
    with pytest.raises(ValidationError, match="every DSL listed for the Out-of-school club is a"):
        with_(poppys(), dsls=[
            {"name": "A", "provision": "Pre-school"},
            {"name": "B", "deputy": True, "provision": "OSC"},
        ])  # fmt: skip
    # Found by a trial: a provision with no DSL at all was said to have only deputies.
    with pytest.raises(ValidationError, match="no DSL is listed for the Out-of-school club"):
        with_(poppys(), dsls=[{"name": "A", "provision": "Pre-school"}])
    for title in ("Designated Safeguarding Lead", "Deputy DSL", "Manager and DSL"):
        with pytest.raises(ValidationError, match="not a job title"):
            DSL(name="Jo", role=title)


@pytest.mark.parametrize(
    ("body", "name", "has"),
    [("committee", "the committee", "has"), ("trustees", "the trustees", "have"),
     ("owner", "the owner", "has"), ("proprietor", "the proprietor", "has"),
     ("governors", "the governors", "have")],
)  # fmt: skip
def test_ratifying_body(body, name, has):
    found = facts(with_(poppys(), ratifying_body=body))["ratifying_body"]
    assert (found["name"], found["Name"], found["has"]) == (name, name.capitalize(), has)


def test_approvers_agree_with_their_verb():
    assert say(poppys(), "approvers()") == "the Manager has"
    social = poppys().model_dump(mode="json")["social_media"]
    two = with_(poppys(), social_media=social | {"approved_by": ["the Manager", "the Chair"]})
    assert say(two, "approvers()") == "the Manager and the Chair have"
    none = with_(poppys(), social_media=social | {"approved_by": None}, manager="the Leader")
    assert say(none, "approvers()") == "the Leader has"
    one_line = with_(poppys(), social_media=social | {"approved_by": "the Owner & Co"})
    assert say(one_line, "approvers()") == "the Owner &amp; Co has"  # one text: a list of one


def test_rooms():
    assert facts(with_(poppys(), rooms=[]))["where_children_are"] == (
        "any room or area where children are"
    )
    assert facts(with_(poppys(), rooms=["the hall", "the garden"]))["where_children_are"] == (
        "the hall and the garden, or in any other area where children are"
    )


def test_policy_links_follow_the_sources_order_and_the_settings_choice():
    titles = {"a-policy": "A policy", "b-policy": "B policy", "c-policy": "C policy"}
    setting = with_(poppys(), policies={"c-policy": {}, "a-policy": {}})
    found = sentence_facts(setting, escape, titles)
    assert [p["id"] for p in found["policy_pages"]] == ["a-policy", "c-policy"]
    assert found["policy_links"] == (
        "[A policy](policies/a-policy.md) and [C policy](policies/c-policy.md)"
    )


def test_devices_off_site_reads_right_for_never_and_for_a_phrase():
    setting = poppys()
    devices = setting.model_dump(mode="json")["setting_devices"]
    never = with_(setting, setting_devices=devices | {"taken_off_site": "Never"})
    assert say(never, "devices_off_site()") == "Setting devices never leave the site."
    outings = with_(setting, setting_devices=devices | {"taken_off_site": "only for <outings>"})
    assert say(outings, "devices_off_site()") == (
        "Setting devices leave the site only for &lt;outings&gt;."
    )


def test_policy_topics_follow_the_published_policies():
    """Each policy's front matter says what it is about (``topics:``); a policy that
    says nothing adds nothing, and with no topics at all there are none to name."""
    catalog = read_catalog(REPO / "docs")
    topics = {p.id: p.topics for p in catalog.policies}
    titles = {p.id: p.title or p.id for p in catalog.policies}
    setting = poppys()

    def found(s: Setting) -> str:
        return sentence_facts(s, escape, titles, topics)["policy_topics"]

    assert found(setting) == "phones, cameras and social media"
    policies = setting.model_dump(mode="json")["policies"]
    mobile_only = with_(setting, policies={"mobile-and-smart-technology": policies[
        "mobile-and-smart-technology"]})  # fmt: skip
    assert found(mobile_only) == "phones and cameras"
    social_only = with_(setting, policies={"social-media": policies["social-media"]})
    assert found(social_only) == "social media"
    assert sentence_facts(setting, escape, titles, {})["policy_topics"] == ""


def test_manager_and_dsl_name_one_person_once():
    setting = poppys()
    assert facts(setting)["manager_or_dsl"] == "the Manager or a DSL"
    one = {"provisions": setting.model_dump(mode="json")["provisions"][:1]}
    owner = with_(setting, **one, manager="the Club Manager",
                  dsls=[{"name": "Priya <V>", "role": "Owner and Club Manager"}])  # fmt: skip
    assert facts(owner)["manager_or_dsl"] == "the Club Manager (Priya &lt;V&gt;, our DSL)"
    assert facts(owner)["dsl_or_manager"] == facts(owner)["manager_or_dsl"]
    assert facts(owner)["dsl_and_manager"] == facts(owner)["manager_or_dsl"]
    assert facts(owner)["our_dsl"] == "our DSL"
    other = with_(setting, **one, dsls=[{"name": "Sam Lee", "role": "Deputy Manager"}])
    assert facts(other)["manager_or_dsl"] == "the Manager or our DSL"
    assert facts(other)["dsl_or_manager"] == "our DSL or the Manager"
    assert facts(other)["dsl_and_manager"] == "our DSL and the Manager"
    assert facts(setting)["our_dsl"] == "a DSL"
    assert facts(setting)["dsl_and_manager"] == "a DSL and the Manager"


@pytest.mark.parametrize(
    ("manager", "dsl", "one_person"),
    [
        ("the Club Manager", {"role": "Club Manager & Proprietor"}, True),
        ("the Club Manager", {"role": "Proprietor and Club Manager"}, True),
        ("the Manager", {"role": "Deputy Manager / Room Leader"}, False),
        ("Siobhan (the owner)", {"role": "Owner & Manager"}, False),  # no title to match
        ("Siobhan (the owner)", {"role": "Owner & Manager", "is_manager": True}, True),
        ("the Club Manager", {"role": "Club Manager", "is_manager": False}, False),
    ],
)
def test_a_sole_dsl_who_is_the_manager_is_named_once(manager, dsl, one_person):
    """Found by a trial: 'tell Siobhan (the owner) or our DSL' when Siobhan is the DSL.
    A role holding the manager's title among others counts, and ``is_manager`` says so
    where no title can."""
    setting = poppys()
    one = {"provisions": setting.model_dump(mode="json")["provisions"][:1]}
    sole = with_(setting, **one, manager=manager, dsls=[{"name": "Siobhan O'Brien", **dsl}])
    named_once = facts(sole)["manager_or_dsl"].endswith("(Siobhan O'Brien, our DSL)")
    assert named_once == one_person, facts(sole)["manager_or_dsl"]


def test_deputies_title_agrees_with_their_number():
    one = with_(poppys(), dsls=[
        {"name": "Gemma Chapman", "provision": "Pre-school"},
        {"name": "Mary Smith", "provision": "OSC"},
        {"name": "Ann Lee", "deputy": True, "provision": "OSC"},
    ])  # fmt: skip
    assert facts(one)["dsl_deputies_title"] == "Deputy Designated Safeguarding Lead"
    another = {"name": "Bo Khan", "deputy": True, "provision": "Pre-school"}
    two = with_(one, dsls=[*one.model_dump(mode="json")["dsls"], another])
    assert facts(two)["dsl_deputies_title"] == "Deputy Designated Safeguarding Leads"
    assert facts(two)["dsl_deputy_names"] == (
        "Ann Lee for the Out-of-school club and Bo Khan for the Pre-school"
    )


def test_visitors_phones_kept_away_defaults_to_whether_a_place_is_named():
    visitors = poppys().model_dump(mode="json")["visitors"]

    def kept_away(s: Setting) -> bool:
        return say(s, "visitors_phones_kept_away()") == "yes"

    assert kept_away(poppys()) is True  # phones_allowed given
    no_place = with_(poppys(), visitors=visitors | {"phones_allowed": None})
    assert kept_away(no_place) is False
    chosen = with_(poppys(), visitors=visitors | {"phones_allowed": None, "phones_kept_away": True})
    assert kept_away(chosen) is True
    allowed = with_(poppys(), visitors=visitors | {"phones_kept_away": False})
    assert kept_away(allowed) is False


def test_early_years_guidance_only_where_early_years_children_attend():
    today = dt.date(2026, 11, 23)

    def cited(provisions: list[dict]) -> list[str]:
        setting = with_(poppys(), provisions=provisions, dsls=[{"name": "Jo Bloggs"}])
        return [e.short_name or e.title for e in setting.guidance_in_force(today)]

    assert "EYFS" in cited([{"name": "Nursery"}])
    assert "EYFS" not in cited([{"name": "Holiday club", "school_age": True}])
    assert "EYFS" in cited([{"name": "Club", "school_age": True, "early_years": True}])
    assert "EYFS" not in cited([{"name": "Odd", "early_years": False}])
    assert "KCSIE" in cited([{"name": "Holiday club", "school_age": True}])


def test_one_person_who_leads_two_provisions_is_named_once():
    """Found by a trial: the schema lists a DSL once per provision, and the pages read
    'Marcus Bell for the Breakfast club and Marcus Bell for the After-school club'."""
    head = {"name": "Marcus Bell", "role": "Headteacher"}
    setting = with_(poppys(), dsls=[
        {**head, "provision": "Pre-school"},
        {**head, "provision": "OSC"},
        {"name": "Ann Lee", "deputy": True, "provision": "OSC"},
    ])  # fmt: skip
    found = facts(setting)
    assert found["dsl_lead_names"] == "Marcus Bell for the Pre-school and the Out-of-school club"
    assert found["dsl_leads_title"] == "Designated Safeguarding Lead (DSL)"
    assert [d["name"] for d in found["dsl_leads"]] == ["Marcus Bell"]
    assert found["dsl_leads"][0]["title"] == (
        "Designated Safeguarding Lead for the Pre-school and the Out-of-school club"
    )
    assert [d["name"] for d in found["dsls"]] == ["Marcus Bell", "Ann Lee"]


def test_a_lead_who_is_the_manager_with_a_deputy_is_named_once_and_the_deputy_offered():
    """Found by a trial: 'tell Kerry, the owner or a DSL (or a deputy)' when Kerry is
    the only lead DSL: she was offered as two people."""
    setting = poppys()
    one = {"provisions": setting.model_dump(mode="json")["provisions"][:1]}
    owner_run = with_(setting, **one, manager="the owner", dsls=[
        {"name": "Kerry Dobbs", "role": "Owner"},
        {"name": "Sam Lee", "role": "Practitioner", "deputy": True},
    ])  # fmt: skip
    found = facts(owner_run)
    assert found["manager_or_dsl"] == "the owner (Kerry Dobbs, our DSL) or a deputy DSL"
    assert found["dsl_or_manager"] == found["manager_or_dsl"]
    assert found["dsl_and_manager"] == "the owner (Kerry Dobbs, our DSL)"
    assert found["our_dsl"] == "a DSL"  # the lead or a deputy


def test_two_provisions_may_not_share_a_name():
    """Found by a trial: 'new --provision X --school-age X' wrote X twice, check passed,
    and the pages read 'Provisions: Holiday club; Holiday club (school-age children)'."""
    club = [{"name": "Holiday club"}, {"name": "Holiday club", "school_age": True}]
    with pytest.raises(ValidationError, match="'Holiday club' names two provisions"):
        with_(poppys(), provisions=club, dsls=[{"name": "A", "provision": "Holiday club"}])
    short = [{"name": "Pre-school", "short_name": "PS"}, {"name": "ps"}]
    with pytest.raises(ValidationError, match="'ps' names two provisions"):
        with_(poppys(), provisions=short, dsls=[{"name": "A", "provision": "PS"}])


def test_one_dsl_is_our_dsl_everywhere():
    """Found by a trial: a nursery with one DSL read 'tell a DSL at once' and 'Advice for a
    DSL'. One person leading, even for two provisions, with no deputy, is 'our DSL'."""
    one = {"provisions": poppys().model_dump(mode="json")["provisions"][:1]}
    sole = facts(with_(poppys(), **one, dsls=[{"name": "Jo Bloggs", "role": "Room Leader"}]))
    assert (sole["a_dsl"], sole["our_dsl"]) == ("our DSL", "our DSL")
    assert sole["manager_or_dsl"] == "the Manager or our DSL"
    head = {"name": "Marcus Bell", "role": "Headteacher"}
    both = with_(poppys(), dsls=[{**head, "provision": "Pre-school"}, {**head, "provision": "OSC"}])
    found = facts(both)
    assert (found["a_dsl"], found["our_dsl"]) == ("our DSL", "our DSL")
    assert found["dsl_and_manager"] == "our DSL and the Manager"
    # Two people, or a lead with a deputy, stay 'a DSL'.
    assert facts(poppys())["a_dsl"] == facts(poppys())["our_dsl"] == "a DSL"
    deputy = {"name": "Ann Lee", "deputy": True}
    with_deputy = facts(with_(poppys(), **one, dsls=[{"name": "Jo Bloggs"}, deputy]))
    assert with_deputy["a_dsl"] == "a DSL (or a deputy)"


def test_approvers_written_as_one_phrase_agree_with_their_verb():
    """Issue 19: 'the Club Manager and the school's Headteacher' as one entry read 'has';
    'the Chair of Trustees' is one person and keeps 'has'."""
    social = poppys().model_dump(mode="json")["social_media"]

    def has(*approvers: str) -> str:
        chosen = with_(poppys(), social_media=social | {"approved_by": list(approvers)})
        return say(chosen, "approvers()").rsplit(" ", 1)[1]

    assert has("the Club Manager and the school's Headteacher") == "have"
    assert has("the trustees") == "have"
    assert has("the Chair of Trustees") == "has"
    assert has("the board of trustees") == "has"
    assert has("the Manager", "Jo Smith") == "have"
