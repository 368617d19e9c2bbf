"""The leak check reads what a visitor reads, and knows public words from secrets."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import unicodedata

import pytest

from policy_sites.context.leak_check import REDACTED, LeakCheck, plain_text, redact
from policy_sites.context.variables import escape
from policy_sites.settings.redaction import fold, staff_only_texts

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
    # A script is read too (a visitor can fetch it), but apart from the text around it.
    assert plain_text("<script>var s = 'secret';</script>shown").startswith("shown \x00 ")


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


@pytest.mark.parametrize(
    "page",
    [
        '<p><a href="#" title="Alarm code 4711 then hash">Ring us</a></p>',
        '<p><img src="x.png" alt="Alarm code 4711 then hash"></p>',
        '<button aria-label="Alarm code 4711 then hash">?</button>',
        '<div data-note="Alarm code 4711 then hash"></div>',
        '<meta name="description" content="Alarm code 4711 then hash">',
        "<p>Hello</p><!-- Alarm code 4711 then hash -->",
        "<!-- Alarm code 4711 then hash\n-->",
        "<p>Hi</p><script>const note = 'Alarm code 4711 then hash';</script>",
        '<abbr title="Alarm code 4711 then &#104;ash">AC</abbr>',
    ],
)
def test_attributes_comments_and_scripts_are_read(page):
    """A link's title, an image's alt, aria-* and data-* reach a screen reader or a
    visitor; a comment and a script are in the page fetched: none may hide a leak."""
    assert LeakCheck(SECRETS).fields_in(plain_text(page)) == ["staff_only.notes[0]"]


def test_a_text_split_between_an_attribute_and_the_words_is_not_one_text():
    page = '<p title="Alarm code">4711 then hash</p>'
    assert LeakCheck(SECRETS).fields_in(plain_text(page)) == []


@pytest.mark.parametrize(
    "shown",
    [
        "Call \uff10\uff17\uff17\uff10\uff10 \uff19\uff10\uff10\uff11\uff12\uff13",  # fullwidth
        "Call 077\u034f00 900123",  # a combining grapheme joiner inside the number
        "Call 07700\ufe0f 9001\ufe0e23",  # variation selectors
        "Call 0770\u200d0 900\u2060123",  # zero-width joiner, word joiner
        "Call 07700\u00a0900123",  # a no-break space
        "Call \U0001d7ce7700 900123",  # a mathematical digit zero
    ],
)
def test_a_number_in_another_unicode_form_is_still_the_number(shown):
    found = LeakCheck(SECRETS).fields_in(plain_text(f"<p>{shown}</p>"))
    assert found == ["staff_only.contacts[0].phone"]


def test_either_side_may_be_in_nfd_or_nfc():
    name = "Zo\u00eb Bront\u00eb"
    nfd = unicodedata.normalize("NFD", name)
    assert LeakCheck({"n": name}).fields_in(plain_text(f"<p>{nfd}</p>")) == ["n"]
    assert LeakCheck({"n": nfd}).fields_in(plain_text(f"<p>{name.upper()}</p>")) == ["n"]
    assert fold("\ufb01le \u2160") == fold("FILE I") == "file i"


@pytest.mark.parametrize(
    "quoted",
    [
        "Smith & Jones' code: 4711",
        "Smith &amp; Jones&#x27; code: 4711",  # html.escape
        "Smith &amp; Jones' code&#58; 4711",
        "Smith \\& Jones' code: 4711",  # Markdown-escaped
        "SMITH  &amp;\nJONES' CODE: 4711",
    ],
)
def test_redact_hides_every_escaped_form(quoted):
    secret = "Smith & Jones' code: 4711"
    assert redact(f"error: {quoted!s} (line 3)", [secret]) == f"error: {REDACTED} (line 3)"


def test_redact_hides_the_renderers_escaped_form_and_numbers_and_dates():
    secret = "*Tots* & Co_Ltd"
    assert escape(secret) != secret
    assert redact(f"page: {escape(secret)}.", [secret]) == f"page: {REDACTED}."
    assert redact("got a number, 4711: put it in quotes, '4711'", [4711]) == (
        f"got a number, {REDACTED}: put it in quotes, '{REDACTED}'"
    )
    assert redact("on 2026-01-01", [dt.date(2026, 1, 1)]) == f"on {REDACTED}"
    fullwidth = "\uff14\uff17\uff11\uff12 gate"
    assert redact("the code 4712 gate", [fullwidth]) == f"the code {REDACTED}"
    assert redact("true, no, 4711", [True, None, "no"]) == "true, no, 4711"


def test_staff_only_texts_of_plain_data_include_numbers_and_staff_routes():
    """Read from YAML as written (before validation), so an invalid file's messages can be
    redacted too: a number under staff_only, a staff-only route's own number; not a number
    a public route gives too."""
    data = {
        "staff_only": {"notes": [4711, "Gate code"], "contacts": [{"phone": "07700 900999"}]},
        "contact": {"phone": "01632 960201"},
        "whistleblowing_contact": {
            "name": "the Chair",
            "phone": "01632 960202",
            "email": "office@example.org",
            "visibility": "staff",
        },
        "concerns_about_leaders": {"name": "the Chair", "email": "office@example.org"},
        "contact_routes": {"lado": {"phone": "01632 960999", "visibility": "staff"}},
    }
    assert staff_only_texts(data, ()) == {
        ("staff_only", "notes", 0): "4711",
        ("staff_only", "notes", 1): "Gate code",
        ("staff_only", "contacts", 0, "phone"): "07700 900999",
        ("whistleblowing_contact", "phone"): "01632 960202",
        ("contact_routes", "lado", "phone"): "01632 960999",
    }


def test_staff_only_texts_include_the_facts_a_policy_declares_staff_only():
    """A fact a policy's source declares ``staff_only: true`` (its path given, as only the
    caller knows the sources) is as secret as ``staff_only``: every value of it, a number
    too; a declared fact the file does not write, or writes oddly, finds nothing."""
    data = {
        "missing_child": {"cctv_checked_by": "the Deputy Manager", "search_areas": ["the hall"]},
        "gate": {"code": 4711, "open": True},
        "photos": "not a mapping",
    }
    declared = [("missing_child", "cctv_checked_by"), ("gate",), ("photos", "stored"), ("x",)]
    assert staff_only_texts(data, declared) == {
        ("missing_child", "cctv_checked_by"): "the Deputy Manager",
        ("gate", "code"): "4711",
    }
    assert staff_only_texts(data, ()) == {}


def test_redact_hides_whole_words_only_and_no_placeholder():
    assert (
        redact("We use cookies; ask the Cook.", ["Cook"]) == f"We use cookies; ask the {REDACTED}."
    )
    data = {"staff_only": {"notes": ["FILL IN: the alarm code", "Gate 4711"]}}
    assert list(staff_only_texts(data, ()).values()) == ["Gate 4711"]


def test_a_staff_only_number_is_found_in_a_tel_link_without_its_spaces():
    page = '<p><a href="tel:07700900123">Ring the Chair</a></p>'
    assert LeakCheck(SECRETS).fields_in(plain_text(page)) == ["staff_only.contacts[0].phone"]
    assert LeakCheck(SECRETS).fields_in(plain_text('<a href="tel:077009001234">x</a>')) == []
    # The same number spaced otherwise in a public value is public: no false alarm.
    check = LeakCheck(SECRETS, public_values=["Ring 0770 090 0123"])
    assert "staff_only.contacts[0].phone" not in check.watched


def test_a_working_copys_link_targets_and_attribute_lists_are_read_apart():
    check = LeakCheck(SECRETS)
    found = check.scan_markdown("p.md", "[Ring us](tel:07700900123) today")
    assert found == ["p.md: shows the staff-only text of staff_only.contacts[0].phone"]
    found = check.scan_markdown("p.md", 'Hello{: title="Alarm code 4711 then hash" }')
    assert found == ["p.md: shows the staff-only text of staff_only.notes[0]"]
    assert check.scan_markdown("p.md", "Alarm code [4711](x.md) then hash") != []


def test_an_icons_drawing_numbers_raise_no_alarm_on_a_staff_only_number():
    check = LeakCheck({"staff_only.notes[0]": "4711"})
    icon = '<svg viewBox="0 0 24 24"><path d="M1.4711 0 3 3"/></svg>'
    assert check.fields_in(plain_text(icon)) == []
    assert check.fields_in(plain_text('<p title="code 4711">x</p>')) == ["staff_only.notes[0]"]


def test_a_script_or_text_file_is_read_as_it_is_not_as_html(tmp_path):
    """A '<' in a script would start a tag to an HTML parser, which drops its attribute
    names: a file that is not markup is read whole."""
    (tmp_path / "extra.js").write_text("if (a<b && Alarm code 4711 then hash>c) {}")
    (tmp_path / "robots.txt").write_text("# <Gemma Chapman>")
    assert LeakCheck(SECRETS).scan_tree(tmp_path) == [
        "extra.js: shows the staff-only text of staff_only.notes[0]",
        "robots.txt: shows the staff-only text of staff_only.contacts[0].name",
    ]
