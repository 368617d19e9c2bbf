"""Every fact in shared/reference/README.md's table shows in the right view of the right setting.

Each row: setting, the pages (relative to a view's root) where the fact must show, the views
it must show in, and the words a reader sees. Public policy pages exist in both views; the
parents' home page and the staff-only pages exist in one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policy_sites.settings.front_matter import split_front_matter
from tests.helpers import REPO, article_text

MOBILE = "policies/mobile-and-smart-technology.html"
SOCIAL = "policies/social-media.html"
MOBILE_2022 = "policies/mobile-and-smart-technology/2022-23.html"  # a published version
HOME = "index.html"  # parents: "What this means for you"; staff: the quick reference
BOTH = ("parents", "staff")
STAFF = ("staff",)

FACTS = [
    # Designated Safeguarding Leads
    ("halstead", [HOME, MOBILE, SOCIAL], BOTH, "Tracey McCartney"),
    ("poppys", [HOME, MOBILE, SOCIAL], BOTH, "Gemma Chapman, Pre-school Manager"),
    ("poppys", [HOME, MOBILE, SOCIAL], BOTH, "Mary Smith, OSC Supervisor"),
    ("poppys", [MOBILE], BOTH, "Designated Safeguarding Lead for the Pre-school: Gemma Chapman"),
    ("poppys", [MOBILE], BOTH, "Designated Safeguarding Lead for the Out-of-school club: Mary"),
    # provisions
    ("halstead", [MOBILE, SOCIAL], BOTH, "Provision: Nursery"),
    ("poppys", [MOBILE], BOTH, "Provisions: Pre-school; Out-of-school club (school-age children)"),
    # where staff keep personal phones
    ("halstead", [MOBILE], BOTH, "keep their personal phones and devices in the basket provided"),
    (
        "halstead",
        [HOME],
        STAFF,
        "staff keep their personal phones and devices in the basket provided in the office",
    ),
    ("poppys", [MOBILE], BOTH, "keep their personal phones and devices in their lockers"),
    ("poppys", [HOME], STAFF, "staff keep their personal phones and devices in their lockers"),
    # phone rules for everyone
    (
        "halstead",
        [MOBILE, HOME],
        BOTH,
        "the nursery classroom, the nursery garden and the other communal areas of the "
        "nursery when children are present",
    ),
    (
        "poppys",
        [MOBILE, HOME],
        BOTH,
        "the main room, the toilets and any area where children are during a session",
    ),
    # staff phones: off or silent, Bluetooth and AirDrop
    ("halstead", [MOBILE], BOTH, "off, or set them to silent, during opening times"),
    ("poppys", [MOBILE], BOTH, "off, or set them to silent, during sessions"),
    ("poppys", [MOBILE, HOME], STAFF, "AirDrop"),
    # who may allow personal device use in a session
    ("halstead", [MOBILE, HOME], STAFF, "the Manager has agreed first"),
    (
        "poppys",
        [MOBILE, HOME],
        STAFF,
        "the Manager or the person in charge of the session has agreed first",
    ),
    # staff personal social media during setting hours
    ("halstead", [SOCIAL, HOME], STAFF, "only with prior permission from the Nursery Manager"),
    ("poppys", [SOCIAL, HOME], STAFF, "only on their lunch break, and only in the office"),
    # official social media
    ("halstead", [SOCIAL], BOTH, "our Facebook Page, run by the Chair of the Management Committee"),
    ("halstead", [HOME], ("parents",), "our Facebook Page"),
    ("poppys", [SOCIAL], BOTH, "our Facebook page"),
    ("poppys", [HOME], ("parents",), "our Facebook page"),
    ("poppys", [HOME], STAFF, "Official account: Facebook"),
    ("poppys", [SOCIAL], BOTH, "setting email addresses, never personal ones, to register"),
    ("poppys", [SOCIAL, "staff-details.html"], STAFF, "held by the leadership team"),
    # online learning journal
    ("poppys", [MOBILE], BOTH, "Tapestry records for their key children on setting devices"),
    ("poppys", [HOME], ("parents",), "Tapestry"),
    # visitors' phones
    ("halstead", [MOBILE], BOTH, "Do not answer your phone or take photos of any kind"),
    ("halstead", [MOBILE, HOME], BOTH, "step outside the nursery boundary before answering"),
    (
        "poppys",
        [MOBILE],
        BOTH,
        "not allowed in the main room, or in any other area where children are",
    ),
    (
        "poppys",
        [MOBILE, HOME],
        BOTH,
        "only in the office, and only for a specific purpose such as multi-agency work",
    ),
    ("poppys", [MOBILE], BOTH, "Signs and information tell visitors"),
    # children's own devices
    ("poppys", [MOBILE], BOTH, "Children do not use their own phones or personal devices on site"),
    ("poppys", [MOBILE], BOTH, "uses a setting phone"),
    ("poppys", [MOBILE], BOTH, "for example for medical monitoring. The Manager must agree it"),
    (
        "poppys",
        [MOBILE],
        BOTH,
        "kept safe in the office and handed back to the child's parent or carer at the end "
        "of the session",
    ),
    # internet filtering
    ("halstead", [MOBILE], STAFF, "filtered by the school internet service"),
    ("halstead", [SOCIAL], STAFF, "Filtering is provided by the school internet service"),
    (
        "poppys",
        [MOBILE],
        STAFF,
        "filtered by the filters on our setting-provided devices and systems",
    ),
    # policy dates
    ("halstead", [MOBILE, SOCIAL], BOTH, "How often it is reviewed: at least once a year"),
    # The reference gives Poppy's dates (September 2022, next review September 2023): they
    # are its 2022-23 version's. Halstead's gives none, so its old versions say so. The
    # 2026-27 versions carry example dates (issue 11). A published version's written date
    # follows the version (issue 19): the current one, 2026-27.1, says the day it was
    # ratified, so the reference's written date shows on the 2022-23 version.
    ("poppys", [MOBILE_2022], BOTH, "Written or last updated: September 2022"),
    ("poppys", [MOBILE, SOCIAL], BOTH, "Written or last updated: 5 December 2026"),
    ("poppys", [MOBILE_2022], BOTH, "ratified by the committee: September 2022"),
    ("poppys", [MOBILE_2022], BOTH, "Next review due: September 2023"),
    ("halstead", [MOBILE_2022], BOTH, "ratified by the committee: not recorded"),
    ("halstead", [MOBILE_2022], BOTH, "Next review due: not recorded"),
    # Halstead's setting devices are used by children too; its online safety teaching.
    ("halstead", [MOBILE], BOTH, "Staff use them, and children use them too"),
    ("halstead", [MOBILE], BOTH, "We help children learn to use technology safely"),
    # Contact routes: the setting's own (example), the federation's (reference, 2026).
    ("halstead", [HOME], ("parents",), "phone us on 01632 960101"),
    ("halstead", [HOME, MOBILE, SOCIAL], ("parents",), "the Chair of the Management Committee"),
    ("poppys", [HOME], ("parents",), "email office@poppys.example.org"),
    ("poppys", [MOBILE, SOCIAL], STAFF, "You can also go to the Chair of the Committee"),
    # Kent's advice service: its old advice line is closed, so staff read how to reach it.
    ("halstead", [HOME], STAFF, "when we are unsure what to do, through its enquiry form on KELSI"),
]

FEDERATION = [
    "Kent Safeguarding Children Multi-agency Partnership (KSCMP)",
    # current-guidance-and-contacts.md: the guidance in force and the contact routes.
    "the LADO Education Safeguarding Advisory Service (LESAS)",
    "the Local Authority Designated Officer (LADO)",
    "phone the police on 999. For a crime that is not an emergency, phone 101.",
    # The December 2026 editions, which the current version (2026-27.1) cites.
    "Keeping Children Safe in Education (2026)",
    "Statutory framework for the early years foundation stage: for group and school-based "
    "providers (September 2026)",
    "Working Together to Safeguard Children (2026)",
    "Kent's County LADO service",
    "03000 41 08 88",
    "kentchildrenslado@kent.gov.uk",
    "Kent Integrated Children's Services Front Door on 03000 41 11 11",
    "Out of office hours, phone 03000 41 91 91",
    "contact Ofsted (phone 0300 123 4666 or email enquiries@ofsted.gov.uk)",
]


def view_root(sites: Path, slug: str, view: str) -> Path:
    return sites / slug if view == "parents" else sites / slug / "staff"


@pytest.mark.parametrize(
    ("slug", "pages", "views", "words"), FACTS, ids=[f"{f[0]}:{f[3][:40]}" for f in FACTS]
)
def test_fact_shows_in_its_views(built_sites, slug, pages, views, words):
    for view in views:
        for page in pages:
            text = article_text(view_root(built_sites, slug, view) / page)
            assert words in text, f"{words!r} missing from the {view} view's {page}"


@pytest.mark.parametrize("slug", ["halstead", "poppys"])
@pytest.mark.parametrize("page", [MOBILE, SOCIAL])
def test_federation_facts_are_cited_the_same_everywhere(built_sites, slug, page):
    for view in BOTH:
        text = article_text(view_root(built_sites, slug, view) / page)
        for words in FEDERATION:
            assert words in text, f"{words!r} missing from {slug} {view} {page}"


def test_what_a_setting_does_not_have_is_not_said(built_sites):
    for view in BOTH:
        root = view_root(built_sites, "halstead", view)
        everything = " ".join(article_text(p) for p in root.rglob("*.html"))
        # "Next review due" is no longer absent: Halstead's published versions (issue 3)
        # carry the review dates its committee set when ratifying them.
        for absent in ("Tapestry", "confiscat", "Children's own devices"):
            assert absent not in everything, f"Halstead's {view} view mentions {absent!r}"


def test_shared_sources_name_no_setting_and_no_person():
    """Setting-specific facts come from settings/, never from the shared text."""
    literal_facts = [
        "Halstead", "Poppy", "Tracey", "McCartney", "Gemma", "Chapman", "Mary Smith",
        "Tapestry", "lockers", "basket", "Facebook", "lunch break", "KCSIE", "2022", "2021",
        "Kent", "101", "999",
    ]  # fmt: skip
    for source in (REPO / "docs").rglob("*.md"):
        # The text, not the front matter: a declared fact's example ('e.g. Tapestry') is
        # a hint for editors, as the schema's descriptions are, and never on a page.
        _, text, _ = split_front_matter(source.read_text())
        for fact in literal_facts:
            assert fact not in text, f"{source.relative_to(REPO)} writes {fact!r} literally"


# Every other policy the shared text refers to, by the words it uses, and the related
# policy (settings/schema.py's OTHER_POLICIES) that covers it.
REFERRED = {
    "acceptable use": "Acceptable use of technology policy",
    "anti-bullying": "Anti-bullying policy",
    "behaviour": "Behaviour policy",
    "image use": "Cameras and image use policy",
    "child protection": "Child protection policy",
    "allegations": "Allegations against staff and volunteers procedure",
    "whistleblowing": "Whistleblowing procedure",
    "complaints": "Complaints procedure",
    "staff code of conduct": "Staff code of conduct",
    "confidentiality": "Confidentiality policy",
    "data protection": "Data protection and data security policy",
    "online safety": "Online safety policy",
}


LINKED = {
    "halstead": ("halstead-nursery", ["complaints", "child-protection"]),
    "poppys": ("poppys", ["complaints", "whistleblowing", "allegations", "child-protection"]),
}
NAMED = re.compile(r"\bour ((?:[\w-]+,? ){1,8}?)(?:policy|policies|procedure)\b", re.IGNORECASE)


@pytest.mark.parametrize("slug", ["halstead", "poppys"])
@pytest.mark.parametrize("page", [MOBILE, SOCIAL])
def test_policies_the_text_refers_to_are_listed_and_linked(built_sites, slug, page):
    path = built_sites / slug / page
    text = article_text(path)
    start = text.index("Policies that go with this one")
    listed = text[start : text.index("¶", start + 40)]  # up to the next heading
    named = [m.group(1) for m in NAMED.finditer(text)]
    assert len(named) > 5
    for phrase in named:
        for part in re.split(r",? and |, ", phrase.strip().lower()):
            if part == "other":  # "our other policies"
                continue
            title = next((t for words, t in REFERRED.items() if part.endswith(words)), None)
            assert title, f"{slug} {page}: 'our {part} policy' is not a related policy"
            assert title in listed, f"{slug} {page}: {title} is referred to but not listed"
    host, linked = LINKED[slug]
    markup = path.read_text()
    for pid in linked:
        assert f'href="https://{host}.example.org/policies/{pid}.pdf"' in markup, pid
    assert "Behaviour policy (ask us for a copy)" in listed
