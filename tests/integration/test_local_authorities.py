"""Settings outside Kent, built: every number on their parents' pages is their own area's,
the setting's own or national, never Kent's (issue 19, item 1).

Three ways in: a hand-written fictional Lancashire entry; the register's template copied
and filled in, as the editor's guide tells a manager to; and generated entries
(tests/strategies.py ``authority_data``) under generated settings.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bench.synthetic import copy_project
from policy_sites.builder.federation import BuildOptions, build_federation
from policy_sites.project import Project
from policy_sites.settings.loader import load_setting
from policy_sites.settings.local_authority import AUTHORITIES_DIR, TEMPLATE_FILE
from tests.helpers import REPO, visible_text
from tests.integration.test_content_model import add_third_policy
from tests.strategies import POLICIES, authority_data, authority_numbers, settings_data

pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
KENT = ("03000 41", "kent.gov.uk", "Kent's County LADO", "Kent Integrated", "KSCMP", "LESAS")
"""Kent's routes as the examples' pages show them: none may reach another area's pages."""
_TEL = re.compile(r'href="tel:([0-9+]+)"')


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("areas") / "project"
    copy_project(REPO, root)
    add_third_policy(root)  # the generated settings may publish the guide's third policy
    return Project(root)


def _write(project: Project, slug: str, data: dict[str, Any]) -> None:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    (project.settings_dir / f"{slug}.yml").write_text(text, encoding="utf-8")


def _build(project: Project, slugs: list[str], out: Path) -> None:
    shutil.rmtree(out, ignore_errors=True)
    options = BuildOptions(jobs=1, portal=False, cache_folder=project.root.parent / "jinja")
    report = build_federation(project, slugs, out, options)
    failed = {r.slug: str(r.error) for r in report.results if not r.ok}
    assert not failed, failed


def _parents_pages(out: Path, slug: str) -> dict[Path, str]:
    """Every HTML page of a setting's parents' view (the staff view is under staff/)."""
    root = out / slug
    return {
        page: page.read_text(encoding="utf-8")
        for page in root.rglob("*.html")
        if "staff" not in page.relative_to(root).parts
    }


def _digits(number: str) -> str:
    return number.replace(" ", "")


def _own_numbers(project: Project, slug: str) -> set[str]:
    """The setting's own numbers (its office, its routes for worries about leaders) and
    the national ones it holds (police, Ofsted)."""
    setting = load_setting(project.settings_dir, slug, list(POLICIES))
    found = {setting.police_emergency, setting.police_non_emergency}
    found |= {setting.contact_routes.ofsted.phone or ""}
    if setting.contact:
        found.add(setting.contact.phone)
    for route in (setting.concerns_about_leaders, setting.whistleblowing_contact):
        if route is not None:
            found |= {n for n in (route.phone, route.out_of_hours_phone) if n}
    return found


def assert_only_the_areas_numbers(
    project: Project, out: Path, slug: str, area_numbers: set[str], shown: set[str]
) -> None:
    """Every number a parents' page links to is the area's, national or the setting's
    own; no page shows Kent's routes; and the ``shown`` numbers are each linked."""
    allowed = {_digits(n) for n in area_numbers | _own_numbers(project, slug)}
    pages = _parents_pages(out, slug)
    assert pages
    rung: set[str] = set()
    for page, markup in pages.items():
        for number in _TEL.findall(markup):
            assert number in allowed, f"{page} links to {number}, not this area's or national"
            rung.add(number)
        text = visible_text(markup)
        for kent in KENT:
            assert kent not in text, f"{page} shows Kent's {kent!r}"
    assert {_digits(n) for n in shown} <= rung, (shown, rung)


def _day_and_night(entry: dict[str, Any]) -> set[str]:
    """The numbers every parents' home page gives: the LADO's and the front door's."""
    door = entry["front_door"]
    return {entry["lado"]["phone"], door["phone"], door["out_of_hours_phone"]}


def test_a_lancashire_setting_shows_lancashires_routes_never_kents(
    project: Project, tmp_path: Path
) -> None:
    """Issue 19's trial: a Lancashire pre-school's parents' page gave Kent's LADO and
    front door, and its policies KSCMP and LESAS."""
    register = project.settings_dir / AUTHORITIES_DIR
    shutil.copy(FIXTURES / AUTHORITIES_DIR / "lancashire.yml", register / "lancashire.yml")
    data = yaml.safe_load((REPO / "settings" / "poppys.yml").read_text(encoding="utf-8"))
    data["local_authority"] = "lancashire"
    for dates in data["policies"].values():  # only publishing records these: a new
        dates.pop("ratified", None)  # setting with them has lost its versions
    _write(project, "preston", data)
    _build(project, ["preston"], tmp_path / "site")
    lancashire = yaml.safe_load((register / "lancashire.yml").read_text(encoding="utf-8"))
    numbers = authority_numbers(lancashire)
    assert_only_the_areas_numbers(
        project, tmp_path / "site", "preston", numbers, _day_and_night(lancashire)
    )
    home = visible_text((tmp_path / "site" / "preston" / "index.html").read_text("utf-8"))
    assert "phone Lancashire's LADO service on 01632 960401" in home
    assert "phone the Lancashire Children's Social Care Front Door on 01632 960402" in home
    assert "At night and at weekends, phone 01632 960403" in home
    policy = tmp_path / "site" / "preston" / "policies" / "mobile-and-smart-technology.html"
    text = visible_text(policy.read_text("utf-8"))
    assert "the procedures of the Children's Safeguarding Assurance Partnership (CSAP)" in text
    # No advice service in its entry: a DSL asks the LADO.
    assert "asks Lancashire's LADO service for advice" in text
    assert "lado@lancashire.example.org" in text


TEMPLATE_ANSWERS = {
    "name": "Westmoor Council (fictional example)",
    "lado.name": "Westmoor's LADO service",
    "lado.phone": "01632 960501",
    "lado.email": "lado@westmoor.example.org",
    "front_door.name": "the Westmoor Children's Front Door",
    "front_door.phone": "01632 960502",
    "front_door.out_of_hours_phone": "01632 960503",
    "partnership.name": "Westmoor Safeguarding Children Partnership",
    "partnership.short_name": "WSCP",
    "partnership.web": "https://westmoor.example.org/partnership",
    "advice_service.name": "the Westmoor Education Safeguarding Team",
    "source": "Westmoor's safeguarding pages (westmoor.example.org), a fictional example",
    "checked": "2026-12-05",
}


def fill_template(template: str) -> str:
    """The template with each FILL IN replaced, as a manager would: by the key it is on."""
    lines, block = [], ""
    for line in template.splitlines():
        match = re.match(r"^(\s*)([a-z_]+): (FILL IN.*)$", line)
        if line and not line.startswith((" ", "#")):
            block = line.split(":")[0]
        if match:
            indent, key, _ = match.groups()
            path = f"{block}.{key}" if indent else key
            value = TEMPLATE_ANSWERS.get(path) or TEMPLATE_ANSWERS[key]
            line = f"{indent}{key}: {json_quoted(value)}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def json_quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_the_template_copied_and_filled_builds_a_setting_in_that_area(
    project: Project, tmp_path: Path
) -> None:
    """The editor's guide's steps: copy _template.yml to <name>.yml, replace every FILL IN,
    name the area in the setting; its pages then give that area's routes."""
    register = project.settings_dir / AUTHORITIES_DIR
    filled = fill_template((register / TEMPLATE_FILE).read_text(encoding="utf-8"))
    assert not [line for line in filled.splitlines() if "FILL IN" in line.split("#")[0]]
    (register / "westmoor.yml").write_text(filled, encoding="utf-8")
    data = yaml.safe_load((REPO / "settings" / "halstead.yml").read_text(encoding="utf-8"))
    data["local_authority"] = "westmoor"
    _write(project, "westmoor-nursery", data)
    _build(project, ["westmoor-nursery"], tmp_path / "site")
    numbers = {TEMPLATE_ANSWERS[k] for k in TEMPLATE_ANSWERS if k.endswith("phone")}
    assert_only_the_areas_numbers(project, tmp_path / "site", "westmoor-nursery", numbers, numbers)
    page = tmp_path / "site" / "westmoor-nursery" / "policies" / "social-media.html"
    text = visible_text(page.read_text("utf-8"))
    assert "Westmoor Safeguarding Children Partnership (WSCP)" in text
    assert "asks the Westmoor Education Safeguarding Team for advice" in text


AREAS = 3


@settings(
    max_examples=2,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
@given(
    st.tuples(*(authority_data(number) for number in range(AREAS))),
    st.tuples(*(settings_data(number) for number in range(AREAS))),
)
def test_settings_in_generated_areas_show_only_their_areas_numbers(
    project: Project, tmp_path_factory: pytest.TempPathFactory, areas, batch
) -> None:
    register = project.settings_dir / AUTHORITIES_DIR
    slugs = []
    for number, ((name, entry), data) in enumerate(zip(areas, batch, strict=True)):
        text = yaml.safe_dump(entry, sort_keys=False, allow_unicode=True)
        (register / f"{name}.yml").write_text(text, encoding="utf-8")
        slug = f"area{number}"
        _write(project, slug, {**data, "local_authority": name})
        slugs.append(slug)
    out = tmp_path_factory.mktemp("generated-areas")
    _build(project, slugs, out)
    for slug, (_, entry) in zip(slugs, areas, strict=True):
        numbers = authority_numbers(entry)
        assert_only_the_areas_numbers(project, out, slug, numbers, _day_and_night(entry))
        home = visible_text((out / slug / "index.html").read_text("utf-8"))
        assert f"on {entry['lado']['phone']}" in home
        assert f"on {entry['front_door']['phone']}" in home
