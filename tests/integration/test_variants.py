"""Settings that differ in shape: no official channels or several, one DSL or several."""

from __future__ import annotations

import pytest

from policy_sites.builder.site import build_setting
from tests.helpers import article_text

HALSTEAD_CHANNELS = """  official_channels:
    - platform: Facebook
      description: our Facebook Page
      run_by: the Chair of the Management Committee
"""


@pytest.fixture
def build(project_copy, tmp_path):
    # These variants edit the working copy; a normal build shows the published version.
    def run(slug: str):
        result = build_setting(project_copy, slug, tmp_path / "site", preview=True)
        assert result.ok, result.error
        return tmp_path / "site" / slug

    return run


def test_no_official_channels(project_copy, edit, build):
    settings = project_copy.settings_dir / "halstead.yml"
    edit(settings, HALSTEAD_CHANNELS, "  official_channels: []\n")
    edit(settings, "  account_logins: the Chair", "  # account_logins: the Chair")
    site = build("halstead")
    for root in (site, site / "staff"):
        social = article_text(root / "policies" / "social-media.html")
        assert "Halstead Nursery does not have any official social media accounts" in social
        assert "Facebook" not in social
        assert "Staff who run or take part in official social media" not in social
    home = article_text(site / "index.html")
    assert "We do not have any official social media accounts." in home
    assert "Official account" not in article_text(site / "staff" / "index.html")


def test_several_official_channels(project_copy, edit, build):
    edit(
        project_copy.settings_dir / "poppys.yml",
        "      description: our Facebook page\n",
        "      description: our Facebook page\n"
        "    - platform: Instagram\n"
        "      url: https://www.instagram.com/poppys.example/\n",
    )
    site = build("poppys")
    social = article_text(site / "policies" / "social-media.html")
    listed = "Our official social media accounts are: our Facebook page our Instagram account"
    assert listed in social
    home_markup = (site / "index.html").read_text()
    assert 'href="https://www.instagram.com/poppys.example/"' in home_markup
    home = article_text(site / "index.html")
    assert "Our official social media accounts are:" in home
    assert "from these accounts" in home
    staff_home = article_text(site / "staff" / "index.html")
    assert "Official accounts: Facebook and Instagram" in staff_home


def test_one_dsl_reads_in_the_singular(built_sites):
    home = article_text(built_sites / "halstead" / "index.html")
    assert "Our Designated Safeguarding Lead (DSL) is: Tracey McCartney" in home
    policy = article_text(built_sites / "halstead" / "policies" / "social-media.html")
    assert "Tracey McCartney, has overall responsibility for online safety" in policy


def test_several_dsls_read_in_the_plural_with_their_provisions(built_sites):
    home = article_text(built_sites / "poppys" / "index.html")
    assert "Our Designated Safeguarding Leads (DSLs) are:" in home
    policy = article_text(built_sites / "poppys" / "policies" / "social-media.html")
    assert (
        "Gemma Chapman for the Pre-school and Mary Smith for the Out-of-school club, "
        "have overall responsibility" in policy
    )


def test_three_dsls_in_one_provision(project_copy, edit, build):
    settings = project_copy.settings_dir / "halstead.yml"
    edit(
        settings,
        "  - name: Tracey McCartney\n",
        "  - name: Tracey McCartney\n"
        "  - name: Ann Other\n    role: Deputy Manager\n    deputy: true\n"
        "  - name: Sam Third\n    role: Room Leader\n",
    )
    site = build("halstead")
    policy = article_text(site / "policies" / "mobile-and-smart-technology.html")
    assert "Tracey McCartney and Sam Third, have overall responsibility" in policy
    assert "Designated Safeguarding Leads: Tracey McCartney; Sam Third, Room Leader" in policy
    assert "Deputy Designated Safeguarding Lead: Ann Other, Deputy Manager" in policy
    assert "a DSL (or a deputy) or the Manager asks" in policy
    home = article_text(site / "index.html")
    assert "Their deputy is Ann Other." in home
