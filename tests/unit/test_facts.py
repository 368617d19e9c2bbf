"""Facts a policy declares in its front matter: a policy with new facts needs no Python."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from policy_sites.context.variables import build_context, staff_only_fields
from policy_sites.context.views import PARENTS, STAFF
from policy_sites.settings.facts import FactKind, declared_facts, read_catalog
from policy_sites.settings.loader import (
    DEFAULTS_FILE,
    SettingsError,
    copy_shared_files,
    load_setting,
    staff_only_values_of,
)
from tests.helpers import REPO, settings_beside_sources

LOST_CHILD = """\
---
policy_id: lost-or-missing-child
title: Lost or missing child policy
facts:
  missing_child:
    search_areas:
      kind: list
      question: Where do staff search first when a child is missing?
      frame: "Staff search {} first."
      example: [the garden, the toilets]
    raised_by:
      kind: choice
      choices: [the Manager, the person in charge of the session]
      question: Who raises the alarm?
      default: the Manager
    has_cctv:
      kind: yes_no
      staff_only: true
      question: Does the setting have CCTV that staff check?
    cctv_checked_by:
      kind: phrase
      staff_only: true
      optional: true
      question: Who checks the CCTV?
      frame: "The CCTV is checked by {}."
      example: the Deputy Manager
---
# Lost or missing child policy

Staff search {{ missing_child.search_areas | join_and }} first.
"""

FACTS = """
missing_child:
  search_areas:
    - the garden
    - the toilets
  has_cctv: true
  cctv_checked_by: the Deputy Manager on duty
"""

TODAY = dt.date(2026, 12, 5)


@pytest.fixture
def settings_dir(tmp_path: Path) -> Path:
    folder = settings_beside_sources(tmp_path, DEFAULTS_FILE, "poppys.yml")
    (tmp_path / "docs" / "policies" / "lost-or-missing-child.md").write_text(LOST_CHILD)
    return folder


def publish_lost_child(settings_dir: Path, facts: str = FACTS) -> Path:
    path = settings_dir / "poppys.yml"
    text = path.read_text()
    text = text.replace(
        "\npolicies:\n", "\npolicies:\n  lost-or-missing-child:\n    written: 2026-11\n", 1
    )
    path.write_text(text + facts)
    return path


def problems(settings_dir: Path) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        load_setting(settings_dir, "poppys")
    return [str(problem) for problem in caught.value.problems]


def line_of(path: Path, fragment: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if fragment in line)


def test_a_new_policys_facts_are_read_validated_and_defaulted(settings_dir: Path) -> None:
    publish_lost_child(settings_dir)
    setting = load_setting(settings_dir, "poppys")
    assert setting.missing_child.search_areas == ["the garden", "the toilets"]
    assert setting.missing_child.raised_by == "the Manager"  # the declared default
    assert setting.missing_child.has_cctv is True
    kinds = {fact.dotted: fact.declaration.kind for fact in declared_facts(setting)}
    assert kinds["missing_child.raised_by"] is FactKind.CHOICE


def test_a_declared_fact_missing_is_an_error_naming_the_file_line_and_field(
    settings_dir: Path,
) -> None:
    path = publish_lost_child(settings_dir, "\nmissing_child:\n  has_cctv: false\n")
    assert problems(settings_dir) == [
        f"{path}:{line_of(path, 'missing_child:')}: missing_child.search_areas: "
        "is required but missing (lost-or-missing-child.md asks: Where do staff search "
        "first when a child is missing?)"
    ]


def test_a_setting_that_does_not_publish_the_policy_needs_none_of_its_facts(
    settings_dir: Path,
) -> None:
    setting = load_setting(settings_dir, "poppys")
    assert setting.missing_child is None


def test_a_choice_outside_its_choices_and_a_typo_are_told_clearly(settings_dir: Path) -> None:
    facts = FACTS + "  raised_by: the cook\n  serch_areas: [the hall]\n"
    path = publish_lost_child(settings_dir, facts)
    found = problems(settings_dir)
    assert (
        f"{path}:{line_of(path, 'raised_by')}: missing_child.raised_by: must be one of "
        "'the Manager' or 'the person in charge of the session', got 'the cook'" in found
    )
    assert (
        f"{path}:{line_of(path, 'serch_areas')}: missing_child.serch_areas: unknown key "
        "'serch_areas'; did you mean 'search_areas'?" in found
    )


def test_a_phrase_fact_keeps_the_phrase_rules(settings_dir: Path) -> None:
    facts = FACTS.replace("the Deputy Manager on duty", "the Deputy Manager.")
    path = publish_lost_child(settings_dir, facts)
    assert problems(settings_dir) == [
        f"{path}:{line_of(path, 'cctv_checked_by')}: missing_child.cctv_checked_by: this "
        "phrase completes a sentence: leave out the full stop at the end"
    ]


def test_staff_only_facts_never_reach_the_parents_view(settings_dir: Path) -> None:
    publish_lost_child(settings_dir)
    setting = load_setting(settings_dir, "poppys")
    parents = build_context(setting, PARENTS, TODAY)
    staff = build_context(setting, STAFF, TODAY)
    # Left out, as staff_only is: a parents' page that uses one fails to build.
    assert "cctv_checked_by" not in parents["missing_child"]
    assert "has_cctv" not in parents["missing_child"]
    assert parents["missing_child"]["search_areas"] == ["the garden", "the toilets"]
    assert staff["missing_child"]["cctv_checked_by"] == "the Deputy Manager on duty"
    secrets = staff_only_fields(setting)
    assert secrets["missing_child.cctv_checked_by"] == "the Deputy Manager on duty"


def test_a_loader_message_never_quotes_a_declared_staff_only_fact(settings_dir: Path) -> None:
    """A fact a policy declares ``staff_only: true`` is as secret as ``staff_only`` in a
    message that may reach a log: a choice's error quotes what was typed, here the
    staff-only phrase (as written, and folded: 'ON DUTY')."""
    facts = FACTS + "  raised_by: the Deputy Manager ON DUTY\n"
    path = publish_lost_child(settings_dir, facts)
    assert problems(settings_dir) == [
        f"{path}:{line_of(path, 'raised_by')}: missing_child.raised_by: must be one of "
        "'the Manager' or 'the person in charge of the session', got '[staff-only text]'"
    ]


def test_staff_only_values_of_has_the_declared_staff_only_facts(settings_dir: Path) -> None:
    """What the build, ``check`` and ``publish`` hide from their messages, read from the
    file as written (an invalid one too), with the facts the sources in docs_dir declare."""
    publish_lost_child(settings_dir, FACTS + "  raised_by: nobody\n")
    docs = settings_dir.parent / "docs"
    for texts in (
        staff_only_values_of(settings_dir, "poppys", docs),
        staff_only_values_of(settings_dir, "poppys"),  # the docs folder beside settings
    ):
        assert "the Deputy Manager on duty" in texts
        assert "the garden" not in texts and "nobody" not in texts  # not staff-only
    elsewhere = settings_dir.parent / "other-docs"  # sources that declare no such fact
    shutil.copytree(REPO / "docs" / "policies", elsewhere / "policies")
    assert "the Deputy Manager on duty" not in staff_only_values_of(
        settings_dir, "poppys", elsewhere
    )


def test_check_hides_a_declared_staff_only_fact_in_its_findings(tmp_path: Path) -> None:
    """``check`` (and so a build failure it reports) hides a declared staff-only fact's
    value wherever a finding quotes it."""
    from policy_sites.check.checker import redacted
    from policy_sites.check.findings import ERROR, Finding
    from policy_sites.project import Project

    root = _project(tmp_path)
    shutil.copy(REPO / "settings" / "poppys.yml", root / "settings" / "poppys.yml")
    publish_lost_child(root / "settings")
    quoting = Finding(
        "settings/poppys.yml", 1, ERROR, "a page says the Deputy Manager on duty", "ask them"
    )
    [found] = redacted(Project(root), ["poppys"], [quoting])
    assert found.message == "a page says [staff-only text]"


def test_two_policies_declaring_one_fact_differently_is_an_error_naming_both(
    settings_dir: Path,
) -> None:
    policies = settings_dir.parent / "docs" / "policies"
    other = LOST_CHILD.replace("policy_id: lost-or-missing-child", "policy_id: outings")
    other = other.replace("kind: list", "kind: phrase")
    (policies / "outings.md").write_text(other)
    found = problems(settings_dir)
    assert len(found) == 1
    assert "missing_child.search_areas" in found[0]
    assert "lost-or-missing-child.md and outings.md" in found[0]


def test_a_bad_declaration_names_the_policy_file_line_and_key(settings_dir: Path) -> None:
    source = settings_dir.parent / "docs" / "policies" / "lost-or-missing-child.md"
    source.write_text(LOST_CHILD.replace('      frame: "Staff search {} first."\n', ""))
    found = problems(settings_dir)
    assert found == [
        f"{source}:{line_of(source, 'search_areas:')}: facts.missing_child.search_areas: "
        "a list needs 'frame', the sentence it completes"
    ]


def test_a_declared_group_may_not_take_a_core_fields_name(settings_dir: Path) -> None:
    source = settings_dir.parent / "docs" / "policies" / "lost-or-missing-child.md"
    source.write_text(LOST_CHILD.replace("  missing_child:\n", "  manager:\n"))
    assert "'manager' is in the core schema already" in problems(settings_dir)[0]


def test_the_examples_declarations_are_read_from_their_sources() -> None:
    catalog = read_catalog(Path(__file__).resolve().parents[2] / "docs")
    paths = {fact.dotted for fact in catalog.facts()}
    assert {"photos.stored", "learning_journal.name", "staff_break_phones"} <= paths
    only_mobile = catalog.facts(["mobile-and-smart-technology"])
    only_social = catalog.facts(["social-media"])
    assert "learning_journal.name" in {f.dotted for f in only_social}
    assert "photos.stored" not in {f.dotted for f in only_social}
    assert "photos.stored" in {f.dotted for f in only_mobile}


def _project(tmp_path: Path) -> Path:
    import shutil

    from tests.helpers import REPO

    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "docs", root / "docs")
    (root / "docs" / "policies" / "lost-or-missing-child.md").write_text(LOST_CHILD)
    copy_shared_files(REPO / "settings", root / "settings")
    return root


def test_new_asks_each_declared_fact_with_its_sentence(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from policy_sites.cli.main import cli

    root = _project(tmp_path)
    args = ["new", "acorns", "--project", str(root), "--name", "Acorns",
            "--local-authority", "kent",
            "--provision", "Nursery", "--dsl", "Jo Bloggs", "", "Nursery"]  # fmt: skip
    answers = "\n" * 40  # every question left empty: placeholders to fill in later
    result = CliRunner().invoke(cli, args, input=answers)
    assert result.exit_code == 0, result.output
    assert (
        'How do you complete "Staff search … first."? For example: the garden (leave empty '
        "to fill in later)" in result.output
    )
    assert "Does the setting have CCTV that staff check? (yes/no" in result.output
    assert "Who raises the alarm?" not in result.output  # it has a default: not asked
    assert "missing_child.search_areas" in result.output  # listed as left to fill in
    text = (root / "settings" / "acorns.yml").read_text()
    assert '  # "Staff search … first.", e.g. the garden' in text
    assert "    - 'FILL IN: completes \"Staff search … first.\"'" in text
    setting = load_setting(root / "settings", "acorns")
    assert setting.missing_child.raised_by == "the Manager"


def test_new_takes_declared_facts_as_options(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from policy_sites.cli.main import cli

    root = _project(tmp_path)
    args = ["new", "acorns", "--no-input", "--project", str(root), "--name", "Acorns",
            "--local-authority", "kent",
            "--provision", "Nursery", "--dsl", "Jo Bloggs", "", "Nursery",
            "--fact", "missing_child.search_areas", "the garden",
            "--fact", "missing_child.search_areas", "the hall",
            "--fact", "missing_child.raised_by", "the person in charge of the session",
            "--fact", "missing_child.has_cctv", "no"]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    setting = load_setting(root / "settings", "acorns")
    assert setting.missing_child.search_areas == ["the garden", "the hall"]
    assert setting.missing_child.raised_by == "the person in charge of the session"
    assert setting.missing_child.has_cctv is False
    wrong = CliRunner().invoke(cli, ["new", "other", *args[2:], "--fact", "nope", "x"])
    assert "'nope' is not a fact the policies declare" in wrong.output


def test_policy_new_scaffolds_a_draft_that_declares_and_uses_a_fact(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from policy_sites.cli.main import cli

    root = _project(tmp_path)
    args = ["policy", "new", "first-aid", "--title", "First aid policy", "--project", str(root)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    [source] = [p for p in read_catalog(root / "docs").policies if p.id == "first-aid"]
    assert source.draft and source.title == "First aid policy"
    assert [f.dotted for f in source.facts] == ["first_aid.example_fact"]
    assert "{{ first_aid.example_fact }}" in source.path.read_text()
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 1 and "already exists" in again.output
    bad = CliRunner().invoke(cli, ["policy", "new", "First_Aid", "--title", "x",
                                   "--project", str(root)])  # fmt: skip
    assert bad.exit_code == 2 and "a policy's id is its file's name" in bad.output
    # A setting that publishes it is asked for its fact, by name and line.
    path = root / "settings" / "poppys.yml"
    (root / "settings" / "poppys.yml").write_text(
        (Path(__file__).resolve().parents[2] / "settings" / "poppys.yml")
        .read_text()
        .replace("\npolicies:\n", "\npolicies:\n  first-aid: {}\n", 1)
    )
    with pytest.raises(SettingsError) as caught:
        load_setting(root / "settings", "poppys")
    [problem] = caught.value.problems
    assert (problem.file, problem.field) == (path, "first_aid")
    assert problem.message == (
        "is required but missing (the facts first-aid.md declares: example_fact)"
    )


def test_check_reports_a_declared_fact_no_source_uses(tmp_path: Path) -> None:
    from policy_sites.check.drift import variable_drift
    from policy_sites.project import Project

    root = _project(tmp_path)
    source = root / "docs" / "policies" / "lost-or-missing-child.md"
    for slug in ("poppys", "halstead"):
        (root / "settings" / f"{slug}.yml").write_text(
            (Path(__file__).resolve().parents[2] / "settings" / f"{slug}.yml").read_text()
        )
    project = Project(root)
    settings = {slug: load_setting(project.settings_dir, slug) for slug in ("poppys",)}
    found = [f for f in variable_drift(project, settings, TODAY) if "declared here" in f.message]
    # The source uses search_areas only: the other three are reported where declared.
    assert sorted((f.line, f.message) for f in found) == [
        (line_of(source, f"    {name}:"), f"'missing_child.{name}' is declared here but no "
         "source uses it")
        for name in ("raised_by", "has_cctv", "cctv_checked_by")
    ]  # fmt: skip
    assert all(f.file == "docs/policies/lost-or-missing-child.md" for f in found)


def test_new_names_the_fact_option_for_a_declared_fact_it_refuses(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from policy_sites.cli.main import cli

    root = _project(tmp_path)
    args = ["new", "acorns", "--no-input", "--project", str(root), "--name", "Acorns",
            "--local-authority", "kent",
            "--provision", "Nursery", "--dsl", "Jo Bloggs", "", "Nursery",
            "--fact", "missing_child.raised_by", "the cook"]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "--fact: missing_child.raised_by: must be one of" in result.output
    assert not (root / "settings" / "acorns.yml").exists()


def test_a_default_must_be_a_value_of_its_kind(settings_dir: Path) -> None:
    source = settings_dir.parent / "docs" / "policies" / "lost-or-missing-child.md"
    source.write_text(
        LOST_CHILD.replace(
            "      question: Does the setting have CCTV that staff check?\n",
            "      question: Does the setting have CCTV that staff check?\n"
            "      default: sometimes\n",
        )
    )
    [found] = problems(settings_dir)
    assert "facts.missing_child.has_cctv: default 'sometimes' is not a yes_no" in found


def test_a_policy_in_the_federations_file_is_published_by_every_setting(
    settings_dir: Path,
) -> None:
    """_federation.yml's documented `policies:` entry: merged into each setting's own."""
    defaults = settings_dir / DEFAULTS_FILE
    defaults.write_text(defaults.read_text() + "\npolicies:\n  lost-or-missing-child: {}\n")
    found = problems(settings_dir)
    assert len(found) == 1 and "missing_child: is required but missing" in found[0]
    path = settings_dir / "poppys.yml"
    path.write_text(path.read_text() + FACTS)
    setting = load_setting(settings_dir, "poppys")
    assert "lost-or-missing-child" in setting.policies
    assert "mobile-and-smart-technology" in setting.policies  # its own are kept
    assert setting.missing_child.search_areas == ["the garden", "the toilets"]


@pytest.mark.parametrize(
    ("front_matter", "expected"),
    [
        ("facts: [1, 2]", "facts: expected a mapping of groups of facts"),
        ("facts:\n  g: 5", "facts.g: expected a mapping of facts"),
        ("facts:\n  g:\n    f: 5", "facts.g.f: expected a mapping of keys, got 5"),
        (
            "facts:\n  g:\n    f: {kind: phrase, question: q, frame: 'x {}', qustion: 1}",
            "facts.g.f.qustion: unknown key 'qustion'; did you mean 'question'?",
        ),
        (
            "facts:\n  g:\n    f: {kind: choice, question: q, choices: x}",
            "facts.g.f.choices: expected a list (one '- item' per line), got 'x'",
        ),
        (
            "facts:\n  g:\n    f: {kind: phrase, question: q, frame: 'a {} b {}'}",
            "facts.g.f: 'frame' must hold '{}' once, where the value goes",
        ),
        (
            "facts:\n  g:\n    needed_when: weekends\n    f: {kind: yes_no, question: q}",
            "facts.g.needed_when: must be one of: school_age, early_years",
        ),
        ("facts:\n  'bad name': {kind: yes_no, question: q}", "a fact's name is letters"),
        ("title: [unclosed", "is not valid YAML"),
        ("facts: !!python/object:os.system {}", "is not allowed; write plain values only"),
    ],
)
def test_a_hostile_declaration_is_one_clear_line(
    settings_dir: Path, front_matter: str, expected: str
) -> None:
    source = settings_dir.parent / "docs" / "policies" / "x.md"
    source.write_text(f"---\n{front_matter}\n---\n# X policy\n")
    [found] = problems(settings_dir)
    assert found.startswith(f"{source}:")
    assert expected in found


def test_check_knows_a_declared_facts_sentence_placeholder_and_length(tmp_path: Path) -> None:
    from policy_sites.check.checker import long_phrase_findings, placeholder_findings
    from policy_sites.project import Project
    from policy_sites.settings.loader import written_texts

    root = _project(tmp_path)
    (root / "settings" / "poppys.yml").write_text(
        (Path(__file__).resolve().parents[2] / "settings" / "poppys.yml").read_text()
        + "\nmissing_child:\n  search_areas:\n    - "
        + " ".join(["the far corner of the garden"] * 8)
        + "\n  cctv_checked_by: 'FILL IN: completes \"The CCTV is checked by ….\"'\n"
    )
    project = Project(root)
    own = [v for v in written_texts(project.settings_dir, "poppys") if "missing_child" in v.field]
    [long] = long_phrase_findings(project, own)
    assert long.message.startswith("missing_child.search_areas[0]: 48 words, inside the "
                                   "sentence 'Staff search … first.'")  # fmt: skip
    assert "like 'the garden'" in long.fix
    [unfilled] = placeholder_findings(project, own)
    assert unfilled.message.startswith("missing_child.cctv_checked_by: still a placeholder")
