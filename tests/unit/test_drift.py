"""policy-sites check's drift findings: each names the file, the line and a fix, and can fail."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from policy_sites.check.checker import run_check
from policy_sites.check.drift import find_drift, published_dates_drift
from policy_sites.check.findings import ERROR, WARNING, Finding
from policy_sites.check.source_usage import uses_in
from policy_sites.context.views import policy_ids
from policy_sites.project import Project
from policy_sites.settings.loader import load_setting, setting_slugs
from policy_sites.versions.store import Version

LATE = dt.date(2028, 1, 1)  # after the examples' newest versions' next review (2027-10)
EARLY = dt.date(2023, 1, 1)


def drift(project: Project, today: dt.date = EARLY) -> list[Finding]:
    known = policy_ids(project.docs_dir)
    settings = {
        slug: load_setting(project.settings_dir, slug, known)
        for slug in setting_slugs(project.settings_dir)
    }
    return find_drift(project, settings, today)


def line_of(path, fragment: str) -> int:
    return next(n for n, t in enumerate(path.read_text().splitlines(), 1) if fragment in t)


def only(findings: list[Finding], words: str) -> Finding:
    matching = [f for f in findings if words in f.message]
    assert len(matching) == 1, findings
    return matching[0]


def test_examples_have_no_drift_before_their_review_dates(project_copy):
    assert drift(project_copy) == []


def test_a_setting_no_source_or_code_uses(project_copy):
    for source in project_copy.docs_dir.rglob("*.md"):
        text = source.read_text()
        text = text.replace("say.phone(police_emergency)", "say.phone('999')")
        source.write_text(text.replace("{{ police_emergency }}", "999"))
    found = drift(project_copy)
    assert [(f.file, f.severity) for f in found] == [("settings/_federation.yml", WARNING)]
    assert "'police_emergency' is set here but no shared source uses it" in found[0].message
    assert found[0].line == line_of(project_copy.settings_dir / "_federation.yml", "police_emer")


def test_past_review_dates_are_warnings_at_the_newest_version(project_copy):
    found = [f for f in drift(project_copy, LATE) if "due for review" in f.message]
    expected = set()
    for slug in ("halstead", "poppys"):
        folders = (project_copy.settings_dir / slug / "versions").iterdir()
        newest = max(p.name for p in folders if p.is_dir())
        meta = project_copy.settings_dir / slug / "versions" / newest / "version.yml"
        expected.add(
            (f"settings/{slug}/versions/{newest}/version.yml", line_of(meta, "next_review"))
        )
    assert {(f.file, f.line) for f in found} == expected
    assert len(found) == 4 and all(f.severity == WARNING for f in found)
    assert all("policy-sites publish" in f.fix for f in found)
    assert not [f for f in drift(project_copy, dt.date(2027, 10, 31)) if "due for" in f.message]
    assert (
        len([f for f in drift(project_copy, dt.date(2027, 11, 1)) if "due for" in f.message]) == 4
    )


def test_past_review_date_in_the_settings_file_before_any_version(project_copy):
    shutil.rmtree(project_copy.settings_dir / "poppys" / "versions")
    poppys = project_copy.settings_dir / "poppys.yml"
    # Never published: no ratified dates either (with them, the versions were lost)
    lines = poppys.read_text().splitlines(keepends=True)
    poppys.write_text("".join(line for line in lines if "ratified:" not in line))
    found = [f for f in drift(project_copy, LATE) if "poppys" in f.message]
    lines = {n for n, t in enumerate(poppys.read_text().splitlines(), 1) if "next_review" in t}
    assert {(f.file, f.line) for f in found} == {("settings/poppys.yml", n) for n in lines}
    assert all("October 2027" in f.message and "next_review" in f.fix for f in found)


def test_setting_name_typed_into_a_source(project_copy, edit):
    source = project_copy.docs_dir / "policies" / "social-media.md"
    edit(source, "## Staff use of social media", "## Staff use of social media\n\nAt Poppy's we")
    finding = only(drift(project_copy), "'Poppy's'")
    assert (finding.file, finding.line, finding.severity) == (
        "docs/policies/social-media.md",
        line_of(source, "At Poppy's we"),
        ERROR,
    )
    assert "{{ name }}" in finding.fix


def test_dsl_name_typed_into_a_partial(project_copy, edit):
    partial = project_copy.docs_dir / "_partials" / "what-this-means-for-you.md"
    edit(partial, "## If you are worried\n", "## If you are worried\n\nAsk Tracey McCartney.\n")
    finding = only(drift(project_copy), "Tracey McCartney")
    assert finding.file == "docs/_partials/what-this-means-for-you.md"
    assert finding.line == line_of(partial, "Ask Tracey")
    assert "DSL" in finding.message and "dsl" in finding.fix


def test_misspelt_variable_in_a_branch_no_example_renders(project_copy, edit):
    source = project_copy.docs_dir / "policies" / "mobile-and-smart-technology.md"
    edit(
        source,
        "## Rules for everyone\n",
        "## Rules for everyone\n\n{% if school_age and not several_provisions %}"
        "{{ children_devices.confiscated_kep }}{% endif %}\n",
    )
    finding = only(drift(project_copy), "confiscated_kep")
    assert finding.severity == ERROR
    assert finding.line == line_of(source, "children_devices.confiscated_kep ")
    assert "'children_devices' has no 'confiscated_kep'" in finding.message
    assert "children_devices.confiscated_kept" in finding.fix


def test_unknown_top_level_name(project_copy, edit):
    source = project_copy.docs_dir / "induction.md"
    edit(source, "# Induction: phones and social media", "# Induction at {{ nmae }}")
    finding = only(drift(project_copy), "nmae")
    assert (finding.file, finding.line) == ("docs/induction.md", line_of(source, "nmae"))
    assert "did you mean 'name'" in finding.fix


def test_loop_variables_are_checked_through_the_loop(project_copy, edit):
    partial = project_copy.docs_dir / "_partials" / "staff-quick-reference.md"
    edit(partial, "{{ dsl.role }}{% endif %}", "{{ dsl.rol }}{% endif %}")
    finding = only(drift(project_copy), "rol")
    assert "'dsls[]' has no 'rol'" in finding.message
    assert "dsls[].role" in finding.fix


def test_setting_no_source_uses(project_copy, edit):
    source = project_copy.docs_dir / "policies" / "social-media.md"
    edit(source, "{% if social_media.registered_with_setting_email %}", "{% if false %}")
    found = [f for f in drift(project_copy) if "registered_with" in f.message]
    assert {(f.file, f.line, f.severity) for f in found} == {
        (f"settings/{slug}.yml",
         line_of(project_copy.settings_dir / f"{slug}.yml", "registered_with_setting_email"),
         WARNING)
        for slug in ("halstead", "poppys")
    } | {  # and the social media policy's own declaration of it, which nothing uses now
        ("docs/policies/social-media.md", line_of(source, "registered_with_setting_email:"),
         WARNING)
    }  # fmt: skip
    # Checking one setting ('check poppys') reports on its own file alone.
    known = policy_ids(project_copy.docs_dir)
    poppys = {"poppys": load_setting(project_copy.settings_dir, "poppys", known)}
    found = find_drift(project_copy, poppys, EARLY, only=["poppys"])
    files = {f.file for f in found if "registered_with" in f.message}
    assert files - {"docs/policies/social-media.md"} == {"settings/poppys.yml"}


def test_a_deputy_dsl_is_never_called_unused(project_copy, edit):
    # deputy: true decides whether a DSL is a lead or a deputy: telling an editor to
    # remove it as unused would silently make a deputy a lead.
    settings = project_copy.settings_dir / "poppys.yml"
    deputy = (
        "  - name: Sam Lee\n    role: Room Leader\n    provision: Pre-school\n    deputy: true\n"
    )
    edit(
        settings,
        "    provision: Out-of-school club\n",
        "    provision: Out-of-school club\n" + deputy,
    )
    found = [f for f in drift(project_copy) if "deputy" in f.message]
    assert found == []


def test_broken_links_and_nav(project_copy, edit):
    policy = project_copy.docs_dir / "policies" / "mobile-and-smart-technology.md"
    edit(
        policy,
        "# Mobile and smart t",
        "See the [social media policy](social.md).\n\n# Mobile and smart t",
    )
    partial = project_copy.docs_dir / "_partials" / "staff-quick-reference.md"
    edit(partial, "[staff-only details](staff-details.md)", "[staff-only details](staff.md)")
    edit(project_copy.config_file, "- induction.md", "- inducton.md")
    found = [f for f in drift(project_copy) if f.severity == ERROR]
    assert [(f.file, f.line) for f in found] == [
        ("docs/_partials/staff-quick-reference.md", line_of(partial, "(staff.md)")),
        ("docs/policies/mobile-and-smart-technology.md", line_of(policy, "(social.md)")),
        ("mkdocs.yml", line_of(project_copy.config_file, "inducton.md")),
    ]
    assert "social-media.md" in found[1].fix
    assert "staff-details.md" in found[0].fix


def test_links_that_work_are_not_reported(project_copy):
    assert not [f for f in drift(project_copy) if "link" in f.message or "nav" in f.message]


def test_uses_mark_tests_as_mentions_and_output_as_whole():
    uses = uses_in(
        "{% if learning_journal %}{{ learning_journal.name }}{% endif %}\n"
        "{% for c in social_media.official_channels %}{{ c.url }}{% endfor %}\n"
        "{% set d = policies[policy_id] %}{{ d.written }} {{ dsls | plural('x') }}"
    )
    got = {(".".join(u.path), u.whole, u.line) for u in uses}
    assert ("learning_journal", False, 1) in got
    assert ("learning_journal.name", True, 1) in got
    assert ("social_media.official_channels.*.url", True, 2) in got
    assert ("policies.[key].written", True, 3) in got
    assert ("dsls", False, 3) in got


@pytest.mark.parametrize(
    ("today", "strict", "code"),
    [(EARLY, False, 0), (EARLY, True, 0), (LATE, False, 0), (LATE, True, 2)],
)
def test_exit_codes(project_copy, today, strict, code):
    report = run_check(project_copy, today, render=False)
    assert report.exit_code(strict) == code
    assert not report.errors


def test_errors_exit_1_even_without_strict(project_copy, edit):
    edit(project_copy.docs_dir / "index.md", "{% if for_staff %}", "Poppy's\n{% if for_staff %}")
    report = run_check(project_copy, EARLY, render=False)
    assert report.exit_code(strict=False) == 1
    assert report.as_dict()["errors"] == 1


def test_a_working_copy_date_that_differs_from_the_published_one(project_copy, edit):
    settings = project_copy.settings_dir / "poppys.yml"
    edit(settings, "    ratified: 2026-12-05\n", "    ratified: 2026-12-06\n")
    found = [f for f in drift(project_copy) if "published version" in f.message]
    assert [(f.file, f.line, f.severity) for f in found] == [
        ("settings/poppys.yml", line_of(settings, "2026-12-06"), ERROR)
    ]
    assert "policies.mobile-and-smart-technology.ratified is 2026-12-06" in found[0].message
    assert "(2026-27.1) says 2026-12-05" in found[0].message


def test_a_date_against_a_version_that_recorded_none(project_copy):
    """A latest version published with 'not recorded' dates (as Halstead's first two were)
    and a date in the settings file: reported like any other difference, not a crash."""
    setting = load_setting(project_copy.settings_dir, "poppys", policy_ids(project_copy.docs_dir))
    unrecorded = Version("2020-21", project_copy.root, None, None, "2020-10-05", None, None,
                         False, (), {"social-media": {}})  # fmt: skip
    found = published_dates_drift(project_copy, {"poppys": setting}, {"poppys": [unrecorded]})
    assert [f.message.split(": ", 1)[1] for f in found] == [
        "policies.social-media.ratified is 2026-12-05, but the latest published version "
        "(2020-21) says not recorded",
        "policies.social-media.next_review is 2027-10, but the latest published version "
        "(2020-21) says not recorded",
    ]
    assert all(f.fix.startswith("leave the date out") for f in found)


def test_a_policy_in_no_menu(project_copy, edit):
    """check and the menu agree: the plugin lists every policy where the nav lists the
    first, so a policy mkdocs.yml does not name is in the menu (no warning), and every
    policy is in no menu only when the nav names none."""
    from mkdocs.utils import yaml_load

    from policy_sites.render.mkdocs_plugin.plugin import _every_policy

    def menu() -> list:
        nav = yaml_load(project_copy.config_file.read_text(encoding="utf-8"))["nav"]
        return _every_policy(nav, {"social-media": "", "extra": ""})

    extra = project_copy.docs_dir / "policies" / "extra.md"
    extra.write_text("---\npolicy_id: extra\n---\n# Extra policy\n", encoding="utf-8")
    assert "policies/extra.md" in str(menu())
    assert not [f for f in drift(project_copy) if "in no menu" in f.message]
    edit(project_copy.config_file, "      - policies/mobile-and-smart-technology.md\n"
         "      - policies/social-media.md\n", "      - staff-details.md\n")  # fmt: skip
    assert "policies/" not in str(menu())
    found = [f for f in drift(project_copy) if "in no menu" in f.message]
    assert len(found) == len(list((project_copy.docs_dir / "policies").glob("*.md")))
    extra_found = only(found, "docs/policies/extra.md")
    assert (extra_found.file, extra_found.severity) == ("docs/policies/extra.md", WARNING)
    assert "- policies/extra.md" in extra_found.fix


def test_a_setting_parents_cannot_reach_is_an_error(project_copy):
    path = project_copy.settings_dir / "halstead.yml"
    text = path.read_text()
    start = text.index("contact:\n")
    end = text.index("# Halstead's setting devices")
    path.write_text(text[:start] + text[end:])
    found = [f for f in drift(project_copy) if "parents' pages cannot say" in f.message]
    assert [(f.file, f.severity) for f in found] == [("settings/halstead.yml", ERROR)] * 2
    assert {f.line for f in found} == {line_of(path, "name: Halstead Nursery")}
    contact, leaders = sorted(found, key=lambda f: "leaders" in f.message)
    assert contact.message.startswith("halstead: contact: missing")
    assert leaders.message.startswith("halstead: concerns_about_leaders: missing")
    assert "add concerns_about_leaders: with name:" in leaders.fix


def test_a_route_for_worries_about_leaders_shown_to_staff_only_is_an_error(project_copy, edit):
    path = project_copy.settings_dir / "halstead.yml"
    text = path.read_text()
    start = text.index("concerns_about_leaders:\n")
    edit(path, "concerns_about_leaders:\n", "concerns_about_leaders:\n  visibility: staff\n")
    found = [f for f in drift(project_copy) if "concerns_about_leaders.visibility" in f.message]
    assert [(f.severity, f.line) for f in found] == [(ERROR, text[:start].count("\n") + 2)]
    assert "make it 'public'" in found[0].fix


def test_a_published_version_with_another_areas_numbers_is_warned_of(project_copy: Project):
    """Issue 19: moving a setting to another area (or an area's number changing) changes
    its working pages at once, but a published version keeps the numbers it was ratified
    with; check says which version still gives the old ones."""
    assert not [f for f in drift(project_copy) if "local authority's entry" in f.message]
    entry = project_copy.settings_dir / "local_authorities" / "kent.yml"
    entry.write_text(
        entry.read_text(encoding="utf-8").replace(
            "  phone: 03000 41 08 88", "  phone: 01632 960777"
        ),
        encoding="utf-8",
    )
    found = [f for f in drift(project_copy) if "local authority's entry" in f.message]
    assert {(f.file.split("/")[1], f.severity) for f in found} == {
        ("halstead", WARNING),
        ("poppys", WARNING),
    }
    assert len(found) == 4  # each setting's two policies' 2026-27 versions
    assert "does not give Kent's County LADO service's number (01632 960777)" in found[0].message
    assert "publish a new version" in found[0].fix


def test_a_policy_that_uses_another_policys_fact_must_declare_it(project_copy):
    """A setting may publish this policy alone: a fact only another policy declares is
    then never asked of it, and its page prints nothing (or fails) where the fact goes."""
    source = project_copy.docs_dir / "policies" / "lone.md"
    body = (
        '{% import "phrases.md" as say with context %}\n# Lone policy\n\n'
        "Filtering is by {{ internet_filtering }}, and staff keep phones "
        "{{ phones.staff_keep_phones }}.\n"
    )
    source.write_text("---\ntitle: Lone policy\n---\n" + body, encoding="utf-8")
    found = [f for f in drift(project_copy) if f.file == "docs/policies/lone.md"]
    assert {(f.line, f.severity) for f in found} == {(line_of(source, "Filtering is"), ERROR)}
    assert {f.message.split("'")[1] for f in found} == {"internet_filtering", "phones"}
    assert "mobile-and-smart-technology.md and social-media.md declare" in found[0].message
    assert "copy its declaration" in found[0].fix
    declared = (
        "---\ntitle: Lone policy\nfacts:\n  internet_filtering:\n    kind: phrase\n"
        "    question: Who or what filters the internet on setting devices?\n"
        '    frame: "Access to the internet on setting devices is filtered by {}."\n'
        "    example: the school internet service\n---\n"
    )
    source.write_text(declared + body.replace(", and staff keep phones "
                      "{{ phones.staff_keep_phones }}", ""), encoding="utf-8")  # fmt: skip
    assert not [f for f in drift(project_copy) if f.file == "docs/policies/lone.md"]
