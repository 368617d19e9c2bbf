"""The register of local authorities: complete entries or refusals, and a setting's own area.

Issue 19, item 1: a Lancashire pre-school got Kent's LADO and front door, and overriding
only its LADO showed Lancashire's beside Kent's front door. A setting now names its area,
the area's routes come whole from its entry, and anything else is one clear problem
naming the file, the line and the field.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from policy_sites.builder.federation import federation_title
from policy_sites.context.variables import build_context, strings_in
from policy_sites.context.views import PARENTS
from policy_sites.project import Project
from policy_sites.settings.loader import (
    DEFAULTS_FILE,
    SettingsError,
    authority_ids,
    copy_shared_files,
    load_authority,
    load_setting,
    written_texts,
)
from policy_sites.settings.local_authority import AUTHORITIES_DIR, TEMPLATE_FILE
from tests.helpers import REPO, settings_beside_sources
from tests.strategies import authority_data

POLICIES = ["mobile-and-smart-technology", "social-media"]
TODAY = dt.date(2026, 12, 5)
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture
def settings_dir(tmp_path: Path) -> Path:
    return settings_beside_sources(tmp_path, "poppys.yml")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, start: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.startswith(start))


def problems(settings_dir: Path, slug: str = "poppys") -> list:
    with pytest.raises(SettingsError) as caught:
        load_setting(settings_dir, slug, POLICIES)
    return caught.value.problems


def add_lancashire(settings_dir: Path) -> None:
    shutil.copy(
        FIXTURES / AUTHORITIES_DIR / "lancashire.yml",
        settings_dir / AUTHORITIES_DIR / "lancashire.yml",
    )


def test_the_register_lists_its_entries_not_the_template(settings_dir: Path) -> None:
    assert authority_ids(settings_dir) == ["kent"]
    add_lancashire(settings_dir)
    assert authority_ids(settings_dir) == ["kent", "lancashire"]
    assert (settings_dir / AUTHORITIES_DIR / TEMPLATE_FILE).is_file()


def test_kent_comes_whole_from_its_entry_with_its_sources(settings_dir: Path) -> None:
    kent = load_authority(settings_dir, "kent")
    assert (kent.lado.phone, kent.lado.email) == ("03000 41 08 88", "kentchildrenslado@kent.gov.uk")
    assert (kent.front_door.phone, kent.front_door.out_of_hours_phone) == (
        "03000 41 11 11",
        "03000 41 91 91",
    )
    assert kent.partnership.short_name == "KSCMP"
    assert kent.advice_service is not None and "LESAS" in kent.advice_service.name
    for sourced in (kent.lado, kent.front_door, kent.partnership, kent.advice_service):
        assert sourced.source and sourced.checked.iso() == "2026-12"
    assert load_setting(settings_dir, "poppys", POLICIES).local_authority == kent


def test_a_settings_own_area_wins_over_the_federations(settings_dir: Path) -> None:
    add_lancashire(settings_dir)
    edit(
        settings_dir / "poppys.yml",
        "name: Poppy's\n",
        "name: Poppy's\nlocal_authority: lancashire\n",
    )
    area = load_setting(settings_dir, "poppys", POLICIES).local_authority
    assert area.name == "Lancashire County Council (fictional example)"
    assert area.lado.phone == "01632 960401" and area.front_door.phone == "01632 960402"
    context = build_context(load_setting(settings_dir, "poppys", POLICIES), PARENTS, TODAY)
    area_context = context["local_authority"]
    assert area_context["front_door"]["out_of_hours_phone"] == "01632 960403"
    assert area_context["front_door"]["web_text"].startswith("https://lancashire.example.org")
    assert area_context["advice_service"] is None
    kents = ("03000", "kent.gov.uk", "KSCMP", "LESAS", "Kent's", "Kent Integrated")
    assert not [t for t in strings_in(context) if any(k in t for k in kents)]


def test_a_setting_naming_no_area_is_refused_saying_what_to_add(settings_dir: Path) -> None:
    defaults = settings_dir / DEFAULTS_FILE
    edit(defaults, "local_authority: kent\n", "")
    [problem] = problems(settings_dir)
    assert (problem.file, problem.field) == (settings_dir / "poppys.yml", "local_authority")
    assert "names no local authority" in problem.message
    assert "add 'local_authority: <name>' (the register has: kent)" in problem.message


def test_an_area_without_an_entry_names_the_file_to_add(settings_dir: Path) -> None:
    edit(
        settings_dir / "poppys.yml",
        "name: Poppy's\n",
        "name: Poppy's\nlocal_authority: lancashire\n",
    )
    [problem] = problems(settings_dir)
    assert problem.file == settings_dir / "poppys.yml"
    assert problem.line == line_of(settings_dir / "poppys.yml", "local_authority:")
    assert "no entry for the local authority 'lancashire'" in problem.message
    assert "Add settings/local_authorities/lancashire.yml: copy the template" in problem.message
    assert "settings/local_authorities/_template.yml" in problem.message


def test_a_misspelt_area_gets_a_did_you_mean(settings_dir: Path) -> None:
    edit(settings_dir / DEFAULTS_FILE, "local_authority: kent\n", "local_authority: kentt\n")
    [problem] = problems(settings_dir)
    assert problem.file == settings_dir / DEFAULTS_FILE
    assert problem.line == line_of(settings_dir / DEFAULTS_FILE, "local_authority:")
    assert "did you mean 'kent'?" in problem.message


def test_other_problems_are_named_alongside_a_missing_area(settings_dir: Path) -> None:
    edit(settings_dir / DEFAULTS_FILE, "local_authority: kent\n", "local_authority: nowhere\n")
    edit(settings_dir / "poppys.yml", "internet_filtering:", "internet_filterin:")
    fields = sorted(p.field for p in problems(settings_dir))
    assert fields == ["internet_filterin", "internet_filtering", "local_authority"]


@pytest.mark.parametrize(
    ("remove", "field", "words"),
    [
        ("  out_of_hours_phone: 03000 41 91 91\n", "front_door.out_of_hours_phone", "out-of-hours"),
        ("  phone: 03000 41 08 88\n", "lado.phone", "give its phone number"),
        ("  short_name: KSCMP\n", None, None),  # optional: the entry is still complete
    ],
)
def test_an_incomplete_entry_is_refused_at_its_line(settings_dir, remove, field, words) -> None:
    entry = settings_dir / AUTHORITIES_DIR / "kent.yml"
    edit(entry, remove, "")
    if field is None:
        assert load_setting(settings_dir, "poppys", POLICIES).local_authority.partnership
        return
    [problem] = problems(settings_dir)
    assert (problem.file, problem.field) == (entry, field)
    assert problem.line and words in problem.message


def test_an_entry_without_a_partnership_is_refused(settings_dir: Path) -> None:
    entry = settings_dir / AUTHORITIES_DIR / "kent.yml"
    text = entry.read_text(encoding="utf-8")
    start, end = text.index("partnership:"), text.index("# Since September 2024")
    entry.write_text(text[:start] + text[end:], encoding="utf-8")
    [problem] = problems(settings_dir)
    assert (problem.file, problem.field) == (entry, "partnership")
    assert "is required but missing" in problem.message


def test_a_typo_in_an_entry_gets_a_did_you_mean(settings_dir: Path) -> None:
    entry = settings_dir / AUTHORITIES_DIR / "kent.yml"
    edit(entry, "front_door:", "fornt_door:")
    found = {p.field: p for p in problems(settings_dir)}
    assert "did you mean 'front_door'?" in found["fornt_door"].message
    assert found["fornt_door"].line == line_of(entry, "fornt_door:")


def test_an_authority_route_cannot_be_staff_only(settings_dir: Path) -> None:
    entry = settings_dir / AUTHORITIES_DIR / "kent.yml"
    edit(entry, "  email: kentchildrenslado@kent.gov.uk\n", "  visibility: staff\n")
    [problem] = problems(settings_dir)
    assert (problem.file, problem.field) == (entry, "lado.visibility")
    assert "shown to parents as well as staff" in problem.message


@pytest.mark.parametrize(
    ("file", "text", "field", "entry_key"),
    [
        (
            "poppys.yml",
            "contact_routes:\n  lado:\n    name: Lancashire's LADO\n    phone: 01632 960401\n",
            "contact_routes.lado",
            "lado",
        ),
        (
            DEFAULTS_FILE,
            "local_partnership:\n  name: Kent Safeguarding Children Multi-agency Partnership\n",
            "local_partnership",
            "partnership",
        ),
        (DEFAULTS_FILE, "advice_service: the LESAS\n", "advice_service", "advice_service"),
    ],
)
def test_an_areas_route_written_in_settings_is_refused_with_a_pointer(
    settings_dir, file, text, field, entry_key
) -> None:
    """No key-by-key mixing: Lancashire's LADO beside Kent's front door was issue 19's."""
    path = settings_dir / file
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    found = [p for p in problems(settings_dir) if p.field == field]
    assert len(found) == 1, problems
    key = field.split(".")[-1] + ":"
    lines = path.read_text(encoding="utf-8").splitlines()
    written = max(n for n, line in enumerate(lines, 1) if line.lstrip().startswith(key))
    assert (found[0].file, found[0].line) == (path, written)
    assert "settings/local_authorities/kent.yml" in found[0].message
    assert f"(its '{entry_key}')" in found[0].message and "unknown key" not in found[0].message


def test_the_template_unfilled_is_refused_at_every_placeholder(settings_dir: Path) -> None:
    register = settings_dir / AUTHORITIES_DIR
    shutil.copy(register / TEMPLATE_FILE, register / "lancashire.yml")
    edit(
        settings_dir / "poppys.yml",
        "name: Poppy's\n",
        "name: Poppy's\nlocal_authority: lancashire\n",
    )
    found = problems(settings_dir)
    assert all(p.file == register / "lancashire.yml" for p in found)
    assert "lado.phone" in {p.field for p in found} and "name" in {p.field for p in found}
    assert all("still holds the template's placeholder" in p.message for p in found)
    assert len({p.line for p in found}) == len(found)


def test_a_pages_text_is_traced_to_the_entry_that_wrote_it(settings_dir: Path) -> None:
    found = {t.field: t for t in written_texts(settings_dir, "poppys")}
    lado = found["local_authority.lado.phone"]
    entry = settings_dir / AUTHORITIES_DIR / "kent.yml"
    assert (lado.file, lado.text, lado.line) == (
        entry,
        "03000 41 08 88",
        line_of(entry, "  phone: 03000 41 08"),
    )


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 999).flatmap(authority_data))
def test_any_generated_entry_loads_whole(tmp_path_factory, drawn) -> None:
    name, data = drawn
    folder = tmp_path_factory.mktemp("register")
    (folder / AUTHORITIES_DIR).mkdir()
    path = folder / AUTHORITIES_DIR / f"{name}.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    entry = load_authority(folder, name)
    assert entry.lado.phone == data["lado"]["phone"]
    assert (entry.advice_service is None) == ("advice_service" not in data)


def test_the_portal_is_titled_from_the_federations_own_name(tmp_path: Path) -> None:
    """Issue 19: a Lancashire group's portal read 'Kent early years settings'. The title is
    the federation's `federation:`, and no code names an area."""
    project = Project(tmp_path)
    project.settings_dir.mkdir()
    copy_shared_files(REPO / "settings", project.settings_dir)
    defaults = project.settings_dir / DEFAULTS_FILE
    edit(defaults, "federation: Kent early years settings", "federation: Red Rose Nurseries")
    assert federation_title(project) == "Red Rose Nurseries: policies"
    edit(defaults, "federation: Red Rose Nurseries\n", "")
    assert federation_title(project) == "Policies"
    code = REPO / "policy_sites"
    for source in [*code.rglob("*.py"), *code.rglob("*.css")]:
        assert "Kent" not in source.read_text(encoding="utf-8"), source


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("name: !!python/object/apply:os.system [echo]\n", "write plain values only"),
        ("- kent\n", "must be a mapping of keys"),
        ("name: [unclosed\n", "is not valid YAML"),
    ],
)
def test_a_hostile_entry_is_one_problem_naming_its_file(settings_dir, text, words) -> None:
    entry = settings_dir / AUTHORITIES_DIR / "kent.yml"
    entry.write_text(text, encoding="utf-8")
    [problem] = problems(settings_dir)
    assert problem.file == entry and problem.line and words in problem.message


@pytest.mark.parametrize("value", ["[kent]", "3", "Kent County", "../kent"])
def test_an_area_that_is_not_a_name_is_refused(settings_dir: Path, value: str) -> None:
    edit(settings_dir / DEFAULTS_FILE, "local_authority: kent", f"local_authority: {value}")
    [problem] = problems(settings_dir)
    assert (problem.file, problem.field) == (settings_dir / DEFAULTS_FILE, "local_authority")
    assert "name of a local authority's entry" in problem.message
