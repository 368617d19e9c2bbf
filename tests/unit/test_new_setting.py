"""policy-sites new: the written file is valid, commented, escaped, and never overwrites."""

from __future__ import annotations

import re
import shutil
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from policy_sites.cli.main import cli
from policy_sites.project import Project
from policy_sites.publish.snapshot import PublishError, publish
from policy_sites.settings.facts import DeclaredFact, FactKind, read_catalog
from policy_sites.settings.loader import (
    DEFAULTS_FILE,
    SettingsError,
    copy_shared_files,
    load_setting,
)
from policy_sites.settings.new_setting import (
    QUESTIONS,
    ContactDetails,
    DSLDetails,
    NewSettingDetails,
    NewSettingError,
    ProvisionDetails,
    check_slug,
    declared_prompt,
    write_new_setting,
)
from policy_sites.settings.schema import PLACEHOLDER, placeholders_in
from tests.helpers import REPO, settings_beside_sources, visible_text

POLICIES = ["mobile-and-smart-technology", "social-media"]


@pytest.fixture
def settings_dir(tmp_path: Path) -> Path:
    return settings_beside_sources(tmp_path, DEFAULTS_FILE)


def declared(published: list[str] | None = None) -> list[DeclaredFact]:
    """The facts the published policies' sources declare in their front matter."""
    return read_catalog(REPO / "docs").facts(POLICIES if published is None else published)


def needed_facts(conditions: Mapping[str, bool]) -> list[DeclaredFact]:
    """The declared facts a setting of whom ``conditions`` are true must give."""
    return [fact for fact in declared() if fact.needed_if(conditions)]


def records_facts() -> list[DeclaredFact]:
    """The declared records facts: new asks each of them (none is an answer too)."""
    return [fact for fact in declared() if fact.declaration.kind is FactKind.RECORDS]


def examples(conditions: Mapping[str, bool]) -> dict[str, Any]:
    """An answer to each declared fact such a setting needs: its declaration's example."""
    found = {}
    for fact in needed_facts(conditions):
        example = fact.declaration.example
        assert example is not None, f"{fact.dotted}: a needed fact declares an example"
        found[fact.dotted] = example
    return found


def details(**changes: Any) -> NewSettingDetails:
    """Details with every fact given (each declared one by its example), unless a test
    changes or leaves one out; ``declared`` changes only the declared facts it names."""
    base = NewSettingDetails(
        name="Little Acorns",
        provisions=[ProvisionDetails("Nursery")],
        dsls=[DSLDetails("Jo Bloggs", "Nursery Manager")],
        declared={"phones.staff_keep_phones": "in the office"},
        contact=ContactDetails(phone="01632 960000", email="office@acorns.example.org",
                               address="1 Oak Road, Anytown"),
        concerns_about_leaders=ContactDetails("the Chair", email="chair@acorns.example.org"),
        local_authority="kent",
    )  # fmt: skip
    for question in QUESTIONS:  # every fact given, unless a test leaves one out
        if getattr(base, question.key) in (None, []):
            setattr(base, question.key, [question.example] if question.many else question.example)
    base.declared.update(changes.pop("declared", {}))
    for key, value in changes.items():
        setattr(base, key, value)
    for path, example in examples(base.conditions).items():  # after any new provisions
        base.declared.setdefault(path, example)
    return base


def test_written_file_loads_with_the_details_given(settings_dir: Path) -> None:
    path = write_new_setting(
        settings_dir,
        "little-acorns",
        details(
            declared={"social_media.official_channels": [{"platform": "Facebook"}]},
            written="2025-09",
            next_review="2026-09",
        ),
        POLICIES,
    )
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../settings.schema.json\n")
    assert (
        '# "Staff keep their personal phones …", e.g. in their lockers\n'
        "  staff_keep_phones: in the office"
    ) in text
    setting = load_setting(settings_dir, "little-acorns", POLICIES)
    assert setting.name == "Little Acorns"
    assert setting.dsls[0].role == "Nursery Manager"
    assert setting.social_media.official_channels[0].platform == "Facebook"
    assert str(setting.policies["social-media"].next_review) == "2026-09"
    assert setting.guidance_register[0].short_name == "KCSIE"  # federation defaults still apply


def test_a_sole_dsl_gets_the_is_manager_hint_which_works_uncommented(settings_dir: Path) -> None:
    path = write_new_setting(
        settings_dir, "little-acorns", details(manager="our owner Siobhan"), POLICIES
    )
    text = path.read_text(encoding="utf-8")
    assert "    # is_manager: true" in text
    assert load_setting(settings_dir, "little-acorns", POLICIES).dsls[0].is_manager is None
    path.write_text(text.replace("    # is_manager: true", "    is_manager: true"), "utf-8")
    assert load_setting(settings_dir, "little-acorns", POLICIES).dsls[0].is_manager is True
    several = details(dsls=[DSLDetails("Jo Bloggs"), DSLDetails("Sam Lee", deputy=True)])
    other = write_new_setting(settings_dir, "two-dsls", several, POLICIES)
    assert "is_manager" not in other.read_text(encoding="utf-8")


def test_awkward_text_survives_exactly(settings_dir: Path) -> None:
    awkward = "Poppy's: #1 <b>nursery</b> - 'yes' \"no\""
    write_new_setting(
        settings_dir,
        "awkward",
        details(
            name=awkward,
            declared={
                "phones.staff_keep_phones": "null",
                "phones.phone_free_areas": ["yes", "- x"],
            },
        ),
        POLICIES,
    )
    setting = load_setting(settings_dir, "awkward", POLICIES)
    assert setting.name == awkward
    assert setting.phones.staff_keep_phones == "null"
    assert setting.phones.phone_free_areas == ["yes", "- x"]


def test_school_age_provision_gets_children_devices(settings_dir: Path) -> None:
    write_new_setting(
        settings_dir,
        "two",
        details(
            provisions=[ProvisionDetails("Pre-school"), ProvisionDetails("Club", "OSC", True)],
            dsls=[DSLDetails("A B", "Manager", "Pre-school"), DSLDetails("C D", "Lead", "OSC")],
        ),
        POLICIES,
    )
    setting = load_setting(settings_dir, "two", POLICIES)
    assert setting.has_school_age
    assert setting.children_devices is not None


def test_invalid_details_write_nothing_and_name_the_option(settings_dir: Path) -> None:
    two = [ProvisionDetails("Pre-school"), ProvisionDetails("Club")]
    with pytest.raises(NewSettingError) as caught:
        write_new_setting(settings_dir, "bad", details(provisions=two), POLICIES)
    assert "--dsl/--deputy-dsl: dsls[0]: DSL 'Jo Bloggs' needs a 'provision'" in str(caught.value)
    assert "bad.yml" not in str(caught.value)  # never written, so no file or line to name
    assert not (settings_dir / "bad.yml").exists()


def test_nothing_is_invented(settings_dir: Path) -> None:
    bare = NewSettingDetails("Little Acorns", [ProvisionDetails("Nursery")],
                             [DSLDetails("Jo Bloggs")])  # fmt: skip
    path = write_new_setting(settings_dir, "bare", bare, POLICIES)
    text = path.read_text(encoding="utf-8")
    # Not even the federation's area: the setting names its own, or loading refuses it.
    assert f"local_authority: '{PLACEHOLDER}: the name of your local authority" in text
    with pytest.raises(SettingsError) as caught:
        load_setting(settings_dir, "bare", POLICIES)
    [problem] = caught.value.problems
    assert problem.field == "local_authority" and "still a placeholder" in problem.message
    assert "(the register has: kent)" in problem.message and "_template.yml" in problem.message
    text = "\n".join(
        "local_authority: kent" if line.startswith("local_authority:") else line
        for line in text.splitlines()
    )
    path.write_text(text, encoding="utf-8")
    setting = load_setting(settings_dir, "bare", POLICIES)
    unfilled = placeholders_in(setting)
    # every question, every declared fact it needs, the setting's phone, email and
    # address, and who to go to about its leaders, with a phone and an email
    assert len(unfilled) == len(QUESTIONS) + len(needed_facts(bare.conditions)) + 6
    assert all(value.startswith(PLACEHOLDER) for value in unfilled)
    assert setting.social_media.official_channels == []
    assert setting.visitors.essential_calls is None and setting.visitors.phones_allowed is None
    assert setting.learning_journal is None
    for invented in ("step outside", "in the office", "our Facebook", "any room where"):
        assert invented not in "\n".join(line for line in text.splitlines()
                                         if not line.lstrip().startswith("#"))  # fmt: skip


def test_a_deputy_and_a_job_title_with_commas(settings_dir: Path) -> None:
    dsls = [DSLDetails("Jo Bloggs", "Manager"),
            DSLDetails("Sam Lee", "Deputy Manager, Room Leader", deputy=True)]  # fmt: skip
    write_new_setting(settings_dir, "two", details(dsls=dsls), POLICIES)
    setting = load_setting(settings_dir, "two", POLICIES)
    assert setting.dsls[1].role == "Deputy Manager, Room Leader"
    assert setting.dsls[1].deputy


def test_a_problem_in_the_defaults_names_the_defaults_file(settings_dir: Path) -> None:
    defaults = settings_dir / DEFAULTS_FILE
    text = defaults.read_text(encoding="utf-8")
    defaults.write_text(text.replace("allegations_contact:", "allegations_contac:"), "utf-8")
    with pytest.raises(SettingsError) as caught:
        write_new_setting(settings_dir, "acorns", details(), POLICIES)
    (problem,) = [p for p in caught.value.problems if p.field == "allegations_contac"]
    assert problem.file == defaults
    line = next(
        n for n, t in enumerate(text.splitlines(), 1) if t.startswith("allegations_contact:")
    )
    assert problem.line == line and "did you mean 'allegations_contact'" in problem.message
    assert not (settings_dir / "acorns.yml").exists()


def test_a_problem_in_the_register_names_the_entry_file(settings_dir: Path) -> None:
    entry = settings_dir / "local_authorities" / "kent.yml"
    text = entry.read_text(encoding="utf-8")
    entry.write_text(text.replace("  phone: 03000 41 08 88\n", ""), "utf-8")
    with pytest.raises(SettingsError) as caught:
        write_new_setting(settings_dir, "acorns", details(), POLICIES)
    [problem] = caught.value.problems
    assert (problem.file, problem.field) == (entry, "lado.phone")
    assert "give its phone number" in problem.message
    assert not (settings_dir / "acorns.yml").exists()


def test_an_area_not_in_the_register_is_written_and_says_how_to_add_it(tmp_path: Path) -> None:
    """A setting in an area the register lacks gets its own area, never the federation's:
    new writes it, and says (as check will) which entry to add from the template."""
    root = project(tmp_path)
    result = CliRunner().invoke(cli, [
        "new", "preston", "--no-input", "--project", str(root), "--name", "Preston Pre-school",
        "--provision", "Pre-school", "--dsl", "Jo Bloggs", "", "Pre-school",
        "--local-authority", "Lancashire",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((root / "settings" / "preston.yml").read_text(encoding="utf-8"))
    assert data["local_authority"] == "lancashire"
    assert "Add settings/local_authorities/lancashire.yml: copy the template" in " ".join(
        result.output.split()
    )
    with pytest.raises(SettingsError) as caught:
        load_setting(root / "settings", "preston", POLICIES)
    assert [p.field for p in caught.value.problems] == ["local_authority"]
    refused = CliRunner().invoke(cli, [
        "publish", "preston", "--project", str(root), "--version", "2026-27",
        "--ratified", "2026-09-14", "--next-review", "2027-09",
    ])  # fmt: skip
    assert refused.exit_code == 1 and "no entry for the local authority 'lancashire'" in (
        refused.output
    )
    assert "Traceback" not in refused.output and not (root / "settings" / "preston").exists()
    bad = CliRunner().invoke(cli, [
        "new", "other", "--no-input", "--project", str(root), "--name", "Other",
        "--provision", "Pre-school", "--dsl", "Jo Bloggs", "", "Pre-school",
        "--local-authority", "Lancashire (county)",
    ])  # fmt: skip
    assert bad.exit_code == 1 and "--local-authority: " in bad.output
    assert not (root / "settings" / "other.yml").exists()


def test_never_overwrites(settings_dir: Path) -> None:
    existing = settings_dir / "taken.yml"
    existing.write_text("name: mine\n", encoding="utf-8")
    with pytest.raises(FileExistsError):
        write_new_setting(settings_dir, "taken", details(), POLICIES)
    assert existing.read_text(encoding="utf-8") == "name: mine\n"


@pytest.mark.parametrize("slug", ["Little Acorns", "_federation", "a/b", "../x", "", "-x"])
def test_bad_slugs_refused(slug: str) -> None:
    with pytest.raises(ValueError):
        check_slug(slug)


def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "docs", root / "docs")
    (root / "settings").mkdir()
    copy_shared_files(REPO / "settings", root / "settings")
    return root


def test_command_without_input(tmp_path: Path) -> None:
    root = project(tmp_path)
    args = ["new", "little-acorns", "--no-input", "--project", str(root)]
    result = CliRunner().invoke(
        cli,
        [*args, "--name", "Little Acorns", "--provision", "Nursery", "--school-age", "Club",
         "--dsl", "Jo Bloggs", "Manager", "Nursery", "--dsl", "Al Lee", "Club Lead", "Club",
         "--deputy-dsl", "Kim Day", "Deputy Manager, Nursery", "Nursery",
         "--fact", "phones.staff_keep_phones", "in lockers", "--next-review", "2026-09",
         "--ratifying-body", "trustees", "--local-authority", "Kent"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((root / "settings" / "little-acorns.yml").read_text(encoding="utf-8"))
    assert data["provisions"][1] == {"name": "Club", "school_age": True}
    assert data["dsls"][1]["provision"] == "Club"
    assert data["dsls"][2] == {"name": "Kim Day", "role": "Deputy Manager, Nursery",
                               "deputy": True, "provision": "Nursery"}  # fmt: skip
    assert data["ratifying_body"] == "trustees"
    assert data["phones"]["staff_keep_phones"] == "in lockers"
    assert data["children_devices"]["confiscated_kept"].startswith(PLACEHOLDER)
    assert "fill in (check reports them until you do): manager" in result.output

    assert "policy-sites serve little-acorns" in result.output

    again = CliRunner().invoke(cli, [*args, "--name", "Other"])
    assert again.exit_code == 1
    assert "already exists" in again.output

    missing = CliRunner().invoke(cli, ["new", "other", "--no-input", "--project", str(root)])
    assert missing.exit_code == 2
    assert "--name, --provision, --dsl" in missing.output
    assert not (root / "settings" / "other.yml").exists()

    # The comma-separated form of old cannot be mis-split: it is refused.
    base = ["new", "x", "--no-input", "--project", str(root), "--name", "X",
            "--provision", "Nursery"]  # fmt: skip
    commas = CliRunner().invoke(cli, [*base, "--dsl", "Jo Bloggs, Deputy Manager, Deputy DSL"])
    assert commas.exit_code == 2 and "requires 3 arguments" in commas.output
    title = CliRunner().invoke(cli, [*base, "--dsl", "Jo Bloggs", "Deputy DSL", "Nursery"])
    assert title.exit_code == 1
    assert "--dsl/--deputy-dsl: dsls[0].role: 'Deputy DSL' is a safeguarding role" in title.output
    assert not (root / "settings" / "x.yml").exists()

    routes = CliRunner().invoke(cli, [*base, "--dsl", "Jo", "", "Nursery", "--phone", "abc",
                                      "--concerns-web", "javascript:alert(1)"])  # fmt: skip
    assert routes.exit_code == 1 and not (root / "settings" / "x.yml").exists()
    assert "--phone: contact.phone: write a phone number as digits" in routes.output
    assert "--concerns-web: concerns_about_leaders.web: expected a web address" in routes.output


def test_command_asks_in_the_terminal(tmp_path: Path) -> None:
    root = project(tmp_path)
    answers = [
        "Sunny Days",  # name
        "Pre-school", "", "n",  # provision, short name, school age
        "",  # no more provisions
        "Ann Lee", "Manager", "n",  # DSL, job title, not a deputy
        "Bo Ray", "", "y",  # a deputy without a job title
        "",  # no more DSLs
        "kent",  # local authority
        "the Pre-school Leader",  # manager
        # the facts the policies declare, in their sources' order
        "the main room", "the garden", "",  # phones.phone_free_areas
        "during a session",  # phones.phone_free_when
        "in their lockers",  # phones.staff_keep_phones
        "",  # phones.staff_phones_quiet_during: left to fill in
        "the Pre-school Leader", "",  # phones.permission_from
        "",  # internet_filtering: left to fill in
        "only on their break",  # social_media.staff_personal_use
        # social_media.official_channels: platform, description, url, run_by each
        "Facebook", "", "facebook.com/x", "https://www.facebook.com/sunny.example", "",  # bad url
        "Instagram", "our Instagram page", "", "",  # no address, a description
        "",  # no more channels
        "01632 96", "01632 960000", "office@sunny.example.org", "1 High St",  # bad email
        "the Chair", "", "", "https://sunny.example.org/worries",  # only a web form
        "owner",  # ratifying body
        "2025-13", "2025-09",  # a bad month is asked again
        "",  # next review
    ]  # fmt: skip
    result = CliRunner().invoke(
        cli, ["new", "sunny-days", "--project", str(root)], input="\n".join(answers) + "\n"
    )
    assert result.exit_code == 0, result.output
    assert "month 13 is not between 01 and 12" in result.output
    setting = load_setting(root / "settings", "sunny-days", POLICIES)
    assert setting.name == "Sunny Days"
    assert [(d.name, d.role, d.deputy) for d in setting.dsls] == [
        ("Ann Lee", "Manager", False), ("Bo Ray", None, True)]  # fmt: skip
    assert setting.manager == "the Pre-school Leader"
    assert setting.phones.staff_keep_phones == "in their lockers"
    assert setting.phones.phone_free_when == "during a session"
    assert setting.phones.phone_free_areas == ["the main room", "the garden"]
    assert setting.phones.permission_from == ["the Pre-school Leader"]
    facebook, instagram = setting.social_media.official_channels
    assert (facebook.platform, str(facebook.url), facebook.description) == (
        "Facebook", "https://www.facebook.com/sunny.example", None)  # fmt: skip
    assert (instagram.platform, instagram.url, instagram.description) == (
        "Instagram", None, "our Instagram page")  # fmt: skip
    text = (root / "settings" / "sunny-days.yml").read_text(encoding="utf-8")
    # what was not given is shown commented out, with its example and its question
    assert "      # description: our Facebook Page  (How should the policies name it" in text
    assert "      # url: …  (The account's web address (https://…), for a link.)" in text
    assert "'facebook.com/x': Input should be a valid URL" in result.output  # asked again
    assert setting.ratifying_body == "owner"
    assert str(setting.policies["mobile-and-smart-technology"].written) == "2025-09"
    assert setting.policies["social-media"].ratified is None
    assert len(placeholders_in(setting)) == 2
    assert "write a phone number as digits and spaces" not in result.output  # '01632 96' fits
    assert setting.contact.phone == "01632 96" and setting.contact.address == "1 High St"
    leaders = setting.concerns_about_leaders
    assert (leaders.name, leaders.phone, str(leaders.web)) == (
        "the Chair", None, "https://sunny.example.org/worries")  # fmt: skip


def test_publish_refuses_placeholders_and_a_ratified_month(tmp_path: Path) -> None:
    root = project(tmp_path)
    args = ["new", "acorns", "--no-input", "--project", str(root), "--name", "Acorns",
            "--provision", "Nursery", "--dsl", "Jo Bloggs", "", "Nursery",
            "--local-authority", "kent"]  # fmt: skip
    assert CliRunner().invoke(cli, args).exit_code == 0
    proj = Project(root)
    with pytest.raises(PublishError, match="placeholder"):
        publish(proj, "acorns", "2026-27", "2026-09-14", "2027-09")
    with pytest.raises(PublishError, match="give the day it was ratified"):
        publish(proj, "acorns", "2026-27", "2026-09", "2027-09")
    assert not (root / "settings" / "acorns").exists()


STRAY_PUNCTUATION = re.compile(
    r"\(\s*[,.;:]|[,;:]\s*[,.;:?)]|[.?!]\s*[,;:]|\s[,.;:?!)]|\(\)|(?<!\.)\.\.(?!\.)|\?\S"
)
"""Punctuation only a prompt glued from fragments has: '(, committee', '?: ', '., e.g.'."""


def test_each_question_is_one_sentence() -> None:
    for question in QUESTIONS:
        prompt = question.prompt("leave empty to fill in later")
        assert not STRAY_PUNCTUATION.search(prompt.replace(f'"{question.frame}"', "“…”")), prompt
        assert prompt.count('"') == 2 and prompt.count("(") == prompt.count(")") == 1, prompt
    asked_by_sentence = [f for f in declared() if f.declaration.sentence]
    assert len(asked_by_sentence) >= len(needed_facts({"school_age": True}))
    for fact in asked_by_sentence:  # the facts the policies declare, asked as new asks them
        prompt = declared_prompt(fact, "leave empty to fill in later")
        frame = f'"{fact.declaration.sentence}"'
        assert not STRAY_PUNCTUATION.search(prompt.replace(frame, "“…”")), prompt
        assert prompt.count('"') == 2 and prompt.count("(") == prompt.count(")") == 1, prompt


NURSERY = {"school_age": False, "early_years": True}
CLUB = {"school_age": True, "early_years": True}
"""What a declared fact's needed_when asks of a setting with a nursery (and a club)."""


def _interactive(root: Path, answers: list[str]):
    return CliRunner().invoke(
        cli, ["new", "sunny-days", "--project", str(root)], input="\n".join(answers) + "\n"
    )


def test_every_prompt_reads_as_a_sentence(tmp_path: Path) -> None:
    """Every line the interactive mode shows, with two provisions (one school-age), a bad
    ratifying body and a bad date, so every prompt and message appears."""
    root = project(tmp_path)
    answers = [
        "", "Sunny Days",  # an empty name is asked again, saying why
        "Pre-school", "", "n", "Club", "OSC", "y", "",
        "Ann Lee", "Manager", "n", "Club",
        "",  # no more DSLs, too soon: the Pre-school has no lead, so it is asked for now
        "Bo Ray", "", "n", "Pre-school", "",
        "kent",
        *[""] * (len(QUESTIONS) + len(needed_facts(CLUB))),  # every fact left to fill in later
        *[""] * len(records_facts()),  # no channels
        "0800 CALL US", "", "office at sunny", "", "",  # not a phone, not an email
        "", "", "not-an-email", "", "ftp://x", "",
        "the panel", "the trustees",  # not a ratifying body; then one, with "the"
        "2025-13", "", "",
    ]  # fmt: skip
    result = _interactive(root, answers)
    assert result.exit_code == 0, result.output
    shown = result.output[: result.output.index("wrote ")].splitlines()
    assert len(shown) >= 30, shown  # the two opening lines, every prompt, four messages
    for line in shown:
        without_frames = re.sub(r'"[^"]*"', "“…”", line)
        assert not STRAY_PUNCTUATION.search(without_frames), line
        assert line.strip()[:1].isupper(), line
    assert "This one is needed now" in result.output
    assert "give one of committee, trustees, owner, proprietor or governors" in result.output
    assert "Which provision are they DSL for (Pre-school or Club)?" in result.output
    assert "The Pre-school still needs a lead DSL (not a deputy): add one." in result.output
    assert "When are the policies next due for review?" in result.output
    setting = load_setting(root / "settings", "sunny-days", POLICIES)
    assert setting.ratifying_body == "trustees"
    # and the facts the policies declare for a setting with school-age children too
    assert len(needed_facts(CLUB)) > len(needed_facts(NURSERY))
    assert len(placeholders_in(setting)) == len(QUESTIONS) + len(needed_facts(CLUB)) + 6
    assert "'0800 CALL US': write a phone number as digits and spaces" in result.output
    assert "'not-an-email': expected an email address" in result.output


def test_an_empty_answer_moves_on_with_a_placeholder(tmp_path: Path) -> None:
    """Each question that says it may be left empty takes an empty answer once and goes
    on: the input below has exactly one answer per question, so a re-ask would run out."""
    root = project(tmp_path)
    asked = len(QUESTIONS) + len(needed_facts(NURSERY))
    answers = ["Sunny Days", "Pre-school", "", "n", "", "Ann Lee", "", "n", "", "kent",
               *[""] * asked, *[""] * len(records_facts()), *[""] * 7,
               "", "", ""]  # fmt: skip
    result = _interactive(root, answers)
    assert result.exit_code == 0, result.output
    assert result.output.count("(leave empty to fill in later): ") == asked + 4 + 1  # the area
    for fact in records_facts():  # asked once: an empty answer is none
        assert result.output.count(fact.declaration.question) == 1, fact.dotted
    assert "This one is needed now" not in result.output
    text = (root / "settings" / "sunny-days.yml").read_text(encoding="utf-8")
    framed = len(QUESTIONS) + sum(bool(f.declaration.sentence) for f in needed_facts(NURSERY))
    assert text.count(f"{PLACEHOLDER}: completes") == framed + 1  # and about its leaders
    values = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    # phones, emails, address
    assert sum(PLACEHOLDER in line for line in values) == asked + 1 + 5


def test_publish_refuses_a_setting_parents_cannot_reach(tmp_path: Path) -> None:
    root = project(tmp_path)
    settings = root / "settings"
    path = write_new_setting(settings, "acorns", details(), POLICIES)
    assert placeholders_in(load_setting(settings, "acorns", POLICIES)) == []
    text = path.read_text(encoding="utf-8")
    start, end = text.index("contact:\n"), text.index("# Who ratifies")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(PublishError) as caught:
        publish(Project(root), "acorns", "2026-27", "2026-09-14", "2027-09")
    name_line = text[: text.index("name: ")].count("\n") + 1
    message = str(caught.value)
    assert f"settings/acorns.yml:{name_line}: contact: missing" in message
    assert f"settings/acorns.yml:{name_line}: concerns_about_leaders: missing" in message
    assert "add contact: with the setting's phone:, email: and address:" in message
    assert not (settings / "acorns").exists()


def test_a_draft_without_contact_routes_still_builds_for_previewing(tmp_path: Path) -> None:
    """Only check and publish refuse a draft; the placeholders new writes for the routes
    are visibly on its pages, so nobody mistakes the preview for a finished site."""
    root = project(tmp_path)
    for folder in ("overrides", "macros"):
        shutil.copytree(REPO / folder, root / folder)
    args = ["new", "acorns", "--no-input", "--project", str(root), "--name", "Acorns",
            "--provision", "Nursery", "--dsl", "Jo Bloggs", "", "Nursery",
            "--local-authority", "kent"]  # fmt: skip
    assert CliRunner().invoke(cli, args).exit_code == 0
    built = CliRunner().invoke(cli, ["build", "acorns", "--project", str(root)])
    assert built.exit_code == 0, built.output
    page = visible_text((root / "site" / "acorns" / "index.html").read_text(encoding="utf-8"))
    assert f"Phone: {PLACEHOLDER}: a phone number" in " ".join(page.split())


def test_new_and_publish_take_dates_in_the_same_forms(tmp_path: Path) -> None:
    """The issue found 'new --ratified' wanting YYYY-MM and 'publish --ratified'
    YYYY-MM-DD. new no longer takes a ratified date (publishing records it, and needs the
    day); the dates both take, such as --next-review, are YYYY-MM or YYYY-MM-DD in both."""
    root = project(tmp_path)
    base = ["--no-input", "--project", str(root), "--name", "Acorns", "--provision", "Nursery",
            "--dsl", "Jo Bloggs", "", "Nursery", "--local-authority", "kent"]  # fmt: skip
    ratified = CliRunner().invoke(cli, ["new", "a", *base, "--ratified", "2026-09-14"])
    assert ratified.exit_code == 2 and "publish SLUG --ratified YYYY-MM-DD" in ratified.output
    for number, date in enumerate(("2027-09", "2027-09-14")):
        made = CliRunner().invoke(cli, ["new", f"s{number}", *base, "--next-review", date])
        assert made.exit_code == 0, made.output
        dates = load_setting(root / "settings", f"s{number}", POLICIES).policies["social-media"]
        assert str(dates.next_review) == date
        with pytest.raises(PublishError, match="placeholder"):  # the dates were accepted
            publish(Project(root), f"s{number}", "2026-27", "2026-09-14", date)
    refused = CliRunner().invoke(cli, ["new", "s3", *base, "--next-review", "14/09/2027"])
    explanation = "expected a date written as YYYY-MM (for example 2022-09) or YYYY-MM-DD"
    assert refused.exit_code == 2 and explanation in refused.output
    with pytest.raises(PublishError, match=re.escape(explanation)):
        publish(Project(root), "s0", "2026-27", "2026-09-14", "14/09/2027")
    for command in ("new", "publish"):
        shown = CliRunner().invoke(cli, [command, "--help"], terminal_width=200).output
        assert "review: YYYY-MM or YYYY-MM-DD" in shown, shown


def test_school_age_marks_a_provision_already_named(tmp_path: Path) -> None:
    """Found by a trial: '--provision "Holiday club" --school-age "Holiday club"' wrote
    two provisions of that name; it marks the one --provision names."""
    root = project(tmp_path)
    result = CliRunner().invoke(cli, [
        "new", "sunny", "--no-input", "--project", str(root), "--name", "Sunny Days",
        "--provision", "Holiday club", "--school-age", "Holiday club",
        "--dsl", "Jo Bloggs", "", "Holiday club", "--local-authority", "kent",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((root / "settings" / "sunny.yml").read_text(encoding="utf-8"))
    assert data["provisions"] == [{"name": "Holiday club", "school_age": True}]


def test_an_owner_or_proprietor_run_setting_gets_no_placeholders_for_worries_about_leaders(
    tmp_path: Path,
) -> None:
    """Found by a trial: new wrote 'FILL IN' lines under concerns_about_leaders for a
    proprietor's club, so check failed until they were deleted; such a setting may leave
    the block out (its pages send the worry to the LADO)."""
    root = project(tmp_path)
    result = CliRunner().invoke(cli, [
        "new", "sunny", "--no-input", "--project", str(root), "--name", "Sunny Days",
        "--provision", "Holiday club", "--dsl", "Jo Bloggs", "", "Holiday club",
        "--ratifying-body", "proprietor", "--local-authority", "kent",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "concerns_about_leaders" not in result.output
    text = (root / "settings" / "sunny.yml").read_text(encoding="utf-8")
    assert "\nconcerns_about_leaders:" not in text and "# concerns_about_leaders:" in text
    setting = load_setting(root / "settings", "sunny", POLICIES)
    assert setting.concerns_about_leaders is None


def _new(root: Path, slug: str, *extra: str) -> Any:
    """policy-sites new SLUG --no-input, for a nursery in Kent with one DSL."""
    return CliRunner().invoke(cli, [
        "new", slug, "--no-input", "--project", str(root), "--name", "Acorns",
        "--provision", "Nursery", "--dsl", "Jo Bloggs", "", "Nursery",
        "--local-authority", "kent", *extra,
    ])  # fmt: skip


def test_a_records_fact_given_twice_writes_two_records_that_load(tmp_path: Path) -> None:
    root = project(tmp_path)
    channels = "social_media.official_channels"
    result = _new(root, "acorns", "--fact", channels, "Facebook", "--fact", channels, "Instagram")
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((root / "settings" / "acorns.yml").read_text(encoding="utf-8"))
    assert data["social_media"]["official_channels"] == [
        {"platform": "Facebook"}, {"platform": "Instagram"}]  # fmt: skip
    setting = load_setting(root / "settings", "acorns", POLICIES)
    assert [c.platform for c in setting.social_media.official_channels] == [
        "Facebook", "Instagram"]  # fmt: skip


def _uncommented_example(text: str, key: str) -> str:
    """``text`` with the commented example above ``key: []`` put in place of the []."""
    lines = text.splitlines()
    at = next(n for n, line in enumerate(lines) if line.strip() == f"{key}: []")
    start = next(n for n in range(at, -1, -1) if "None yet. To add one" in lines[n])
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    example = [indent + line.strip().removeprefix("#")[1:] for line in lines[start + 1 : at]]
    assert example and all(line.startswith(indent + "  ") for line in example), example
    return "\n".join([*lines[:start], f"{indent}{key}:", *example, *lines[at + 1 :]]) + "\n"


def test_no_records_are_an_empty_list_with_an_example_that_loads_uncommented(
    tmp_path: Path,
) -> None:
    root = project(tmp_path)
    assert _new(root, "acorns").exit_code == 0
    path = root / "settings" / "acorns.yml"
    text = path.read_text(encoding="utf-8")
    assert "\n  official_channels: []\n" in text
    assert load_setting(root / "settings", "acorns", POLICIES).social_media.official_channels == []
    path.write_text(_uncommented_example(text, "official_channels"), encoding="utf-8")
    [channel] = load_setting(root / "settings", "acorns", POLICIES).social_media.official_channels
    fields = next(f for f in records_facts() if f.name == "official_channels").declaration.fields
    assert fields is not None and channel.platform == fields["platform"].example


PARTNERS = """\
    partners:
      kind: records
      question: The clubs you work with.
      fields:
        club:
          kind: phrase
          question: Which club is it?
          frame: "the {} club"
          example: chess
        site:
          kind: web_address
          question: What is its web address?
"""
"""The records fact both clubs policies declare: each club, and its web address."""

CLUBS = """\
---
policy_id: clubs
facts:
  clubs:
    booking_page:
      kind: web_address
      question: Where do parents book a club?
    starts:
      kind: date
      question: When do the clubs start?
    vetted:
      kind: yes_no
      question: Are the clubs' staff vetted?
    size:
      kind: choice
      choices: [small, large]
      question: How big are the clubs?
{partners}---
# Clubs

{{ clubs.booking_page }} {{ clubs.starts }} {{ clubs.vetted }} {{ clubs.size }}
{% for partner in clubs.partners %}{{ partner.club }} {{ partner.site }}{% endfor %}
""".replace("{partners}", PARTNERS)


def test_a_fact_of_any_kind_not_given_is_a_placeholder_check_reports(tmp_path: Path) -> None:
    """Found writing these tests: a web address, or a record's, that new was not told made
    the file invalid, so new refused to write it ('expected a web address starting with
    https://, got FILL IN …'); a date's placeholder broke reading the setting's
    placeholders, which check and publish do, and a yes/no's made pydantic warn."""
    root = project(tmp_path)
    (root / "docs" / "policies" / "clubs.md").write_text(CLUBS, encoding="utf-8")
    result = _new(root, "acorns", "--fact", "clubs.partners", "chess")
    assert result.exit_code == 0, result.output
    assert "clubs.booking_page, clubs.starts, clubs.vetted, clubs.size" in result.output
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "serialized value may not be as expected"
        setting = load_setting(root / "settings", "acorns", [*POLICIES, "clubs"])
        left = placeholders_in(setting)
    assert setting.clubs.partners[0].club == "chess"
    for question in ("Where do parents book a club?", "When do the clubs start?",
                     "Are the clubs' staff vetted?", "How big are the clubs?",
                     "What is its web address?"):  # fmt: skip
        assert f"{PLACEHOLDER}: {question}" in left, left
    given = (
        (root / "settings" / "acorns.yml")
        .read_text(encoding="utf-8")
        .replace(f"'{PLACEHOLDER}: Where do parents book a club?'", "https://clubs.example.org")
    )
    (root / "settings" / "acorns.yml").write_text(given, encoding="utf-8")
    setting = load_setting(root / "settings", "acorns", [*POLICIES, "clubs"])
    assert str(setting.clubs.booking_page) == "https://clubs.example.org/"


def test_a_declared_fact_is_checked_as_it_is_typed_and_asked_again(tmp_path: Path) -> None:
    """Found writing these tests: a web address or a date the policies declare (alone, or
    a record's field) was taken as typed, so one mistake made new refuse the whole file
    at the end, every answer thrown away; each is asked again, as the setting's own are."""
    root = project(tmp_path)
    (root / "docs" / "policies" / "clubs.md").write_text(CLUBS, encoding="utf-8")
    answers = [
        "Sunny Days", "Pre-school", "", "n", "", "Ann Lee", "", "n", "", "kent",
        *[""] * len(QUESTIONS),
        "clubs.example", "https://clubs.example.org",  # clubs.booking_page: not a web address
        "2025-13", "2025-09",  # clubs.starts: not a month
        "maybe", "yes",  # clubs.vetted
        "",  # clubs.size: left to fill in
        "chess", "ftp://x", "https://chess.example.org", "",  # clubs.partners: a bad address
        *[""] * len(needed_facts(NURSERY)), *[""] * len(records_facts()), *[""] * 7,
        "", "", "",
    ]  # fmt: skip
    result = _interactive(root, answers)
    assert result.exit_code == 0, result.output
    assert "'clubs.example': Input should be a valid URL" in result.output
    assert "month 13 is not between 01 and 12" in result.output
    assert "'ftp://x': URL scheme should be 'http' or 'https'" in result.output
    assert "How big are the clubs? (one of: small, large; leave empty to" in result.output
    for line in result.output[: result.output.index("wrote ")].splitlines():
        without_frames = re.sub(r'"[^"]*"', "“…”", line)  # not '(yes, no, ):'
        assert not STRAY_PUNCTUATION.search(without_frames), line
    setting = load_setting(root / "settings", "sunny-days", [*POLICIES, "clubs"])
    clubs = setting.clubs
    assert (str(clubs.booking_page), str(clubs.starts), clubs.vetted) == (
        "https://clubs.example.org/", "2025-09", True)  # fmt: skip
    assert clubs.size.startswith(PLACEHOLDER)
    [partner] = clubs.partners
    assert (partner.club, str(partner.site)) == ("chess", "https://chess.example.org/")


def test_a_yes_no_fact_given_as_neither_is_refused(tmp_path: Path) -> None:
    """Found writing these tests: '--fact clubs.vetted maybe' wrote 'vetted: false'."""
    root = project(tmp_path)
    (root / "docs" / "policies" / "clubs.md").write_text(CLUBS, encoding="utf-8")
    refused = _new(root, "acorns", "--fact", "clubs.vetted", "maybe")
    assert refused.exit_code == 2, refused.output
    assert "clubs.vetted: 'maybe' is neither yes nor no" in refused.output
    assert not (root / "settings" / "acorns.yml").exists()
    for said, meant in (("Yes", True), ("no", False), ("true", True), ("N", False)):
        made = _new(root, f"s-{said.lower()}", "--fact", "clubs.vetted", said)
        assert made.exit_code == 0, made.output
        setting = load_setting(root / "settings", f"s-{said.lower()}", [*POLICIES, "clubs"])
        assert setting.clubs.vetted is meant


OPTIONAL_CLUBS = """\
---
policy_id: clubs
facts:
  clubs:
    optional: true
{partners}    route:
      kind: contact_route
      question: Who do you call about a club?
---
# Clubs

{% if clubs %}{% for partner in clubs.partners %}{{ partner.club }}{% endfor %}{% endif %}
""".replace("{partners}", PARTNERS)


def test_an_optional_group_of_records_uncommented_loads_and_so_does_its_example(
    tmp_path: Path,
) -> None:
    """Found writing these tests: in a group written commented out (it may be left out),
    a records fact was commented out twice, so the group uncommented lacked it; and its
    example record left out a field with no example that every record needs."""
    root = project(tmp_path)
    (root / "docs" / "policies" / "clubs.md").write_text(OPTIONAL_CLUBS, encoding="utf-8")
    assert _new(root, "acorns").exit_code == 0
    path = root / "settings" / "acorns.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index("# clubs:")
    end = next(n for n in range(start + 1, len(lines)) if not lines[n].startswith("#   "))
    group = [line.removeprefix("# ") for line in lines[start:end]]
    assert "  partners: []" in group
    path.write_text("\n".join([*lines[:start], *group, *lines[end:]]) + "\n", encoding="utf-8")
    setting = load_setting(root / "settings", "acorns", [*POLICIES, "clubs"])
    assert setting.clubs.partners == []
    path.write_text(_uncommented_example(path.read_text(encoding="utf-8"), "partners"), "utf-8")
    setting = load_setting(root / "settings", "acorns", [*POLICIES, "clubs"])
    [partner] = setting.clubs.partners
    assert partner.club == "chess" and partner.site == f"{PLACEHOLDER}: What is its web address?"
    assert partner.site in placeholders_in(setting)  # check reports it until it is given


def test_a_contact_route_given_with_fact_is_refused_not_dropped(tmp_path: Path) -> None:
    """Found writing these tests: '--fact clubs.route …' was dropped without a word and
    FILL IN written in its place; a route has a name and a way to reach it, so the
    editor is told to write it in the file."""
    root = project(tmp_path)
    (root / "docs" / "policies" / "clubs.md").write_text(OPTIONAL_CLUBS, encoding="utf-8")
    refused = _new(root, "acorns", "--fact", "clubs.route", "01632 960000")
    assert refused.exit_code == 2, refused.output
    assert "clubs.route: a contact route has a name and a phone" in " ".join(refused.output.split())
    assert not (root / "settings" / "acorns.yml").exists()


def test_records_every_setting_needs_are_a_placeholder_until_given_or_said_none(
    tmp_path: Path,
) -> None:
    """Found writing these tests: records a policy needs (no default) that new was not
    told were written as none ('partners: []'), an answer nobody gave, which check never
    reported though new listed them to fill in; now a record of placeholders stands until
    they are given, and an editor who answers that there are none gets [] (not listed)."""
    root = project(tmp_path)
    (root / "docs" / "policies" / "clubs.md").write_text(CLUBS, encoding="utf-8")
    told = _new(root, "acorns")
    assert told.exit_code == 0, told.output
    assert "clubs.partners" in told.output  # listed as left to fill in
    setting = load_setting(root / "settings", "acorns", [*POLICIES, "clubs"])
    [partner] = setting.clubs.partners
    left = placeholders_in(setting)
    assert partner.club in left and partner.site in left  # check reports them
    assert partner.site == f"{PLACEHOLDER}: What is its web address?"
    answers = [
        "Sunny Days", "Pre-school", "", "n", "", "Ann Lee", "", "n", "", "kent",
        *[""] * (len(QUESTIONS) + 4),  # the clubs' four other facts
        "",  # clubs.partners: none
        *[""] * len(needed_facts(NURSERY)), *[""] * len(records_facts()), *[""] * 7,
        "", "", "",
    ]  # fmt: skip
    asked = _interactive(root, answers)
    assert asked.exit_code == 0, asked.output
    assert "clubs.partners" not in asked.output[asked.output.index("wrote ") :]
    setting = load_setting(root / "settings", "sunny-days", [*POLICIES, "clubs"])
    assert setting.clubs.partners == []
