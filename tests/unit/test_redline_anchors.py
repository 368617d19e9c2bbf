"""A redline's heading ids and in-page links: every link lands on its own page.

Versions' headings may differ in any way (added, renamed, given ids ``{: #id }``, made
from a setting's value), so these tests render each redline page with the site's own
Markdown extensions and look for every in-page link's target among the ids it has.
"""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown import Markdown

from policy_sites.versions.anchors import heading, heading_ids, unlink_missing
from policy_sites.versions.history import PolicyHistory, generated_pages
from policy_sites.versions.redline import redline
from policy_sites.versions.store import Version

ROOT = Path(__file__).resolve().parents[2]


def _site_extensions() -> list[str]:
    """The Markdown extensions mkdocs.yml gives the site (names only)."""
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loose)
    return [e if isinstance(e, str) else next(iter(e)) for e in config["markdown_extensions"]]


class _Loose(yaml.SafeLoader):
    """mkdocs.yml with its ``!ENV`` tags read as plain values."""


_Loose.add_constructor("!ENV", lambda loader, node: None)


class _Anchors(HTMLParser):
    """The ids on a page and the in-page links in it."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        href = found.get("href") or ""
        if tag == "a" and href.startswith("#") and len(href) > 1:
            self.links.append(href[1:])


def _anchors(markdown: str) -> _Anchors:
    page = _Anchors()
    page.feed(Markdown(extensions=_site_extensions()).convert(markdown))
    return page


def _broken(markdown: str) -> list[str]:
    page = _anchors(markdown)
    return [link for link in page.links if link not in page.ids]


OLD = """\
# Social media policy

## Official use of social media

We post only with a parent's consent. See [home learning](#tapestry-at-home).

## Tapestry at home

Families see their child's learning journal at home.
"""

NEW = OLD.replace("## Tapestry at home", "## Tapestry at home {: #learning-journal-at-home }")


def test_a_heading_given_an_id_is_no_change_and_keeps_its_new_id() -> None:
    """Issue 18's failure: the redline linked '#tapestry-at-home-...-learning-journal-at-home'."""
    result = redline(OLD, NEW)
    assert "## Tapestry at home { #learning-journal-at-home }" in result.markdown
    assert "{:" not in result.markdown
    assert [s.title for s in result.changed_sections] == []
    # The newer text's own link to the heading's old id lands nowhere: only its words stay.
    assert "See home learning." in result.markdown
    assert _broken(result.markdown) == []


def test_a_removed_link_follows_its_heading_to_the_id_it_has_now() -> None:
    new = NEW.replace(
        "We post only with a parent's consent. See [home learning](#tapestry-at-home).",
        "Nothing is posted.",
    )
    result = redline(OLD, new)
    assert "<del>We post only with a parent's consent. See [home learning]" in result.markdown
    assert "[home learning](#learning-journal-at-home)" in result.markdown
    assert _broken(result.markdown) == []


def test_a_removed_heading_keeps_its_old_id_and_links_to_it_still_land() -> None:
    new = OLD.replace("## Tapestry at home\n", "").replace(
        " See [home learning](#tapestry-at-home).", ""
    )
    result = redline(OLD, new)
    assert "## <del>Tapestry at home</del> { #tapestry-at-home }" in result.markdown
    assert "[home learning](#tapestry-at-home)" in result.markdown
    assert [s.anchor for s in result.changed_sections] == [
        "official-use-of-social-media",
        "tapestry-at-home",
    ]
    assert _broken(result.markdown) == []


def test_a_removed_heading_whose_id_the_new_text_took_is_numbered() -> None:
    old = "# T\n\n## Staff\n\nOld words, [see](#staff).\n\n## Other\n\nText.\n"
    new = "# T\n\n## Other\n\nText.\n\n## Team {: #staff }\n\nNew words, [see](#staff).\n"
    result = redline(old, new)
    assert "## <del>Staff</del> { #staff_1 }" in result.markdown
    assert "<del>Old words, [see](#staff_1).</del>" in result.markdown
    assert "## <ins>Team</ins> { #staff }" in result.markdown
    assert "<ins>New words, [see](#staff).</ins>" in result.markdown
    assert _broken(result.markdown) == []


def test_a_link_to_an_id_on_no_page_is_reduced_to_its_words() -> None:
    new = OLD.replace("Families see", "Families (see [the rules](#nowhere)) see")
    result = redline(OLD, new)
    assert "(#nowhere)" not in result.markdown
    assert "the rules" in result.markdown
    assert _broken(result.markdown) == []


def test_ids_are_the_ones_markdown_gives_duplicates_values_and_explicit_ids() -> None:
    lines = [
        "# Policy",
        "## Staff",
        "## Staff",
        "## Staff {: #staff_1 }",
        "## Children's use of *social* media",
        "##Tight",
        "## Braces {like this} in words",
    ]
    page = _anchors("\n\n".join(lines))
    assert sorted(heading_ids(lines).values()) == sorted(page.ids)


def test_an_image_and_an_escaped_bracket_are_not_links_to_unlink() -> None:
    text = "![a picture](#x) and \\[not a link](#y) and [gone](#z)"
    assert unlink_missing(text, set()) == "![a picture](#x) and \\[not a link](#y) and gone"


def test_heading_reads_the_words_without_the_attribute_list() -> None:
    made = heading("## Tapestry at home {: #learning-journal-at-home .wide }")
    assert made is not None
    assert (made.text, made.title, made.id, made.explicit) == (
        "Tapestry at home",
        "Tapestry at home",
        "learning-journal-at-home",
        True,
    )
    assert made.attributes == ((".", "wide"),)
    assert heading("Not a heading") is None


# --- generated edits: headings added, renamed, given ids; links to them -----------------------

_WORDS = ["Staff", "Tapestry", "home", "at", "Visitors", "{x}", "use", "*phones*", "C#", "&"]
_IDS = ["staff", "home", "learning-journal", "staff_1", "tapestry-at-home", "x"]


@st.composite
def _heading_line(draw: st.DrawFn) -> str:
    words = " ".join(draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=3)))
    level = draw(st.sampled_from(["##", "###", "##"]))
    ident = draw(st.none() | st.sampled_from(_IDS))
    return f"{level} {words}" + (f" {{: #{ident} }}" if ident else "")


@st.composite
def _paragraph(draw: st.DrawFn) -> str:
    target = draw(st.sampled_from([*_IDS, "staff_2", "tapestry", "visitors", "nowhere"]))
    words = draw(st.sampled_from(["Read", "See", "Go to"]))
    return f"{words} [the section](#{target}) on this." + draw(st.sampled_from(["", " More."]))


_BLOCK = _heading_line() | _paragraph()


@st.composite
def _versions(draw: st.DrawFn) -> tuple[str, str]:
    """Two texts of one policy: the newer one the older with blocks added, removed, changed."""
    blocks = draw(st.lists(_BLOCK, min_size=1, max_size=8))
    newer = list(blocks)
    for _ in range(draw(st.integers(0, 4))):
        where = draw(st.integers(0, len(newer)))
        action = draw(st.sampled_from(["add", "remove", "replace"]))
        if action == "add" or not newer:
            newer.insert(where, draw(_BLOCK))
        elif action == "remove":
            del newer[min(where, len(newer) - 1)]
        else:
            newer[min(where, len(newer) - 1)] = draw(_BLOCK)
    return "# Policy\n\n" + "\n\n".join(blocks) + "\n", "# Policy\n\n" + "\n\n".join(newer) + "\n"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_versions())
def test_a_redline_never_links_an_id_its_page_lacks(texts: tuple[str, str]) -> None:
    old, new = texts
    result = redline(old, new)
    assert _broken(result.markdown) == []
    page = _anchors(result.markdown)
    for section in result.sections:
        assert not section.anchor or section.anchor in page.ids, section


def _version(label: str, ratified: dt.date) -> Version:
    from policy_sites.settings.schema import PolicyDate

    return Version(
        label=label,
        folder=Path("/nonexistent") / label,
        ratified=PolicyDate.parse(ratified.isoformat()),
        next_review=None,
        published=ratified.isoformat(),
        summary=None,
        source_commit=None,
        source_dirty=False,
        guidance=(),
        files={"social-media": {"parents": f"parents/{label}.md"}},
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_versions(), _versions())
def test_every_history_page_links_only_ids_it_has(
    first: tuple[str, str], second: tuple[str, str]
) -> None:
    """Three versions, so each redline page (with its summary of changed sections and its
    own headings) is made as the site makes it. (A version's own page is its frozen text,
    whose links the build checked when it was published.)"""
    texts = [first[0], first[1], second[1]]
    versions = tuple(
        _version(label, dt.date(2024 + n, 9, 1))
        for n, label in enumerate(["2024-25", "2025-26", "2026-27"])
    )
    history = PolicyHistory(
        "social-media",
        "parents",
        versions,
        _texts={v.label: text for v, text in zip(versions, texts, strict=True)},
    )
    pages = generated_pages(history)
    redlines = [name for name in pages if "/changes-" in name]
    assert len(redlines) == 3
    for name in redlines:
        assert _broken(pages[name].split("---\n", 2)[-1]) == [], name
