"""The leak check reads what a visitor reads, and knows public words from secrets."""

from __future__ import annotations

import gzip
import json

from policy_sites.context.leak_check import REDACTED, LeakCheck, plain_text, redact

SECRETS = {
    "staff_only.notes[0]": "Alarm code 4711 then hash",
    "staff_only.contacts[0].name": "Gemma Chapman",
    "staff_only.contacts[0].role": "Designated Safeguarding Lead",
    "staff_only.contacts[0].phone": "07700 900123",
    "staff_only.contacts[1].role": "Cook",
    "staff_only.notes[1]": "DSL",
}


def test_plain_text_strips_tags_decodes_entities_folds_spaces_and_case():
    assert plain_text("Alarm code <strong>47</strong>11\n  then&#32;<em>HASH</em>") == (
        "alarm code 4711 then hash"
    )
    assert plain_text("<li>one</li><li>two</li>") == "one two"
    assert plain_text("&lt;b&gt;bold&lt;/b&gt;") == "<b>bold</b>"
    assert plain_text("<script>var s = 'secret';</script>shown") == "shown"


def test_formatting_cannot_hide_a_leak():
    check = LeakCheck(SECRETS)
    found = check.fields_in(plain_text("<p>Alarm code <strong>4711</strong> then hash</p>"))
    assert found == ["staff_only.notes[0]"]


def test_whole_words_only_and_short_texts_are_not_looked_for():
    check = LeakCheck(SECRETS)
    assert check.fields_in(plain_text("We use cookies. Ask the DSL.")) == []
    assert check.fields_in(plain_text("Ask the Cook.")) == ["staff_only.contacts[1].role"]


def test_public_anyway_raises_no_alarm():
    check = LeakCheck(
        SECRETS,
        public_values=["Gemma Chapman", "Pre-school Manager"],
        public_sources=["- **Designated Safeguarding Lead for the Pre-school:** Gemma Chapman"],
    )
    assert set(check.watched) == {
        "staff_only.notes[0]",
        "staff_only.contacts[0].phone",
        "staff_only.contacts[1].role",
    }


def test_a_sentence_or_a_number_in_the_sources_is_a_copy_not_a_term():
    check = LeakCheck(
        SECRETS, public_sources=["Alarm code **4711** then hash", "Ring 07700 900123"]
    )
    assert {"staff_only.notes[0]", "staff_only.contacts[0].phone"} <= set(check.watched)


def test_a_value_the_setting_makes_public_is_public_whatever_its_length():
    check = LeakCheck(SECRETS, public_values=["Call 07700 900123 first"])
    assert "staff_only.contacts[0].phone" not in check.watched


def test_every_file_a_visitor_fetches_is_read_and_reports_name_the_field(tmp_path):
    (tmp_path / "search").mkdir()
    (tmp_path / "search" / "search_index.json").write_text(
        json.dumps({"docs": [{"text": "<p>Alarm code <code>4711</code> then hash</p>"}]})
    )
    (tmp_path / "sitemap.xml.gz").write_bytes(gzip.compress(b"<loc>Gemma Chapman</loc>"))
    (tmp_path / "404.html").write_text("<p>Call 07700&nbsp;900123</p>")
    (tmp_path / "staff-details.html").write_text("nothing")
    leaks = LeakCheck(SECRETS).scan_tree(tmp_path, ["staff-details.md"])
    assert leaks == [
        "404.html: shows the staff-only text of staff_only.contacts[0].phone",
        "search/search_index.json: shows the staff-only text of staff_only.notes[0]",
        "sitemap.xml.gz: shows the staff-only text of staff_only.contacts[0].name",
        "staff-details.html: staff-only page 'staff-details' was built",
    ]
    assert not any("4711" in leak or "Gemma" in leak for leak in leaks)


def test_a_working_copy_is_read_as_markdown():
    check = LeakCheck(SECRETS)
    assert check.scan_markdown("p.md", "Alarm code **4711** then _hash_") == [
        "p.md: shows the staff-only text of staff_only.notes[0]"
    ]


def test_redact_hides_staff_only_text_whatever_its_case_and_spacing():
    reason = "notes.0: 'alarm code  4711\nthen HASH' is too long; Gemma Chapman"
    redacted = redact(reason, ["Alarm code 4711 then hash", "Gemma Chapman"])
    assert redacted == f"notes.0: '{REDACTED}' is too long; {REDACTED}"
