"""The parents' "What this means for you" page is plain English: Flesch reading ease of 60+."""

from __future__ import annotations

import re

import pytest
import textstat

from tests.helpers import visible_text


def sentences_of(page_markup: str) -> str:
    """The article's text with every heading, paragraph and list item ended as a sentence."""
    start = page_markup.index("<article")
    article = page_markup[start : page_markup.index("</article>", start)]
    article = re.sub(r'<a [^>]*class="headerlink"[^>]*>.*?</a>', "", article)
    article = re.sub(r"</(h[1-6]|p|li)>", ".</\\1>", article)
    return re.sub(r"([.:?!])\.", r"\1", visible_text(article))


@pytest.mark.parametrize("slug", ["halstead", "poppys"])
def test_parents_home_page_is_plain_english(built_sites, slug):
    text = sentences_of((built_sites / slug / "index.html").read_text())
    assert text.startswith("What this means for you.")
    score = textstat.flesch_reading_ease(text)
    assert score >= 60, f"{slug}: Flesch reading ease {score:.0f} is below 60"
    words_per_sentence = textstat.lexicon_count(text) / textstat.sentence_count(text)
    assert words_per_sentence < 15, f"{slug}: {words_per_sentence:.1f} words a sentence"
