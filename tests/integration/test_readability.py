"""Plain English, measured on the built example sites (the text readers are shown).

Parents' view: Flesch reading ease of 60+ for "What this means for you", 55+ for each
policy, and no sentence over 30 words on any current page. Staff view: no sentence over 35
words. Archived pages (an old version, a redline) keep the text that was ratified then.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import textstat

from tests.helpers import visible_text

SLUGS = ["halstead", "poppys"]
POLICIES = ["mobile-and-smart-technology", "social-media"]
PARENTS_LIMIT, STAFF_LIMIT = 30, 35


def sentences_of(page_markup: str) -> str:
    """The article's text with every heading, paragraph and list item ended as a sentence."""
    start = page_markup.index("<article")
    article = page_markup[start : page_markup.index("</article>", start)]
    article = re.sub(r'<a [^>]*class="headerlink"[^>]*>.*?</a>', "", article)
    article = re.sub(r"</(h[1-6]|p|li|td|th)>", ".</\\1>", article)
    return re.sub(r"([.:?!])\.", r"\1", visible_text(article))


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]


def current_pages(root: Path) -> list[Path]:
    """A view's pages a reader is sent to: home, each policy and its history, and the page
    an old address shows."""
    pages = [root / "index.html", root / "404.html"]
    for policy in POLICIES:
        pages += [root / f"policies/{policy}.html", root / f"policies/{policy}/history.html"]
    return pages


def test_sentence_splitting_counts_words_per_sentence():
    found = sentences("One two three. Four five: six seven! Eight?")
    assert [len(s.split()) for s in found] == [3, 4, 1]


@pytest.mark.parametrize("slug", SLUGS)
def test_parents_home_page_is_plain_english(built_sites, slug):
    text = sentences_of((built_sites / slug / "index.html").read_text())
    assert text.startswith("What this means for you.")
    score = textstat.flesch_reading_ease(text)
    assert score >= 60, f"{slug}: Flesch reading ease {score:.0f} is below 60"
    words_per_sentence = textstat.lexicon_count(text) / textstat.sentence_count(text)
    assert words_per_sentence < 15, f"{slug}: {words_per_sentence:.1f} words a sentence"


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("slug", SLUGS)
def test_each_policy_in_the_parents_view_is_plain_english(built_sites, slug, policy):
    text = sentences_of((built_sites / slug / "policies" / f"{policy}.html").read_text())
    score = textstat.flesch_reading_ease(text)
    assert score >= 55, f"{slug} {policy}: Flesch reading ease {score:.0f} is below 55"


@pytest.mark.parametrize(("view", "limit"), [("", PARENTS_LIMIT), ("staff", STAFF_LIMIT)])
@pytest.mark.parametrize("slug", SLUGS)
def test_no_sentence_is_too_long(built_sites, slug, view, limit):
    root = built_sites / slug / view
    pages = current_pages(root)
    if view:
        pages += [root / "induction.html", root / "staff-details.html"]
    for page in pages:
        for sentence in sentences(sentences_of(page.read_text())):
            words = len(sentence.split())
            assert words <= limit, f"{page.relative_to(built_sites)}: {words} words: {sentence}"
