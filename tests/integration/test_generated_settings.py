"""Generated settings, built and read: at least 200 per run, across the schema's choices.

Hypothesis draws batches of settings (tests/strategies.py); each batch is built as one
federation by the in-process builder (workers, shared assets), both views, so the leak
check runs on every parents' view; then every page of every site goes through the prose
check. A failing batch names its settings' files. A single-setting test lets Hypothesis
shrink a failure to its smallest form cheaply; shrunk failures are kept below as
@example cases.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from bench.synthetic import copy_project
from policy_sites.builder.federation import BuildOptions, build_federation
from policy_sites.check.prose import lint_site
from policy_sites.project import Project
from policy_sites.settings.loader import load_setting
from tests.helpers import REPO
from tests.integration.test_content_model import add_third_policy
from tests.strategies import POLICIES, settings_data

pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")

BATCH = 25
BATCHES = 8  # 200 settings a run


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("generated") / "project"
    copy_project(REPO, root)
    add_third_policy(root)
    return Project(root)


def _build_and_read(project: Project, batch: list[dict], out: Path, jobs: int) -> dict[str, str]:
    """Write, build and prose-check a batch; what went wrong, by setting file."""
    for old in project.settings_dir.glob("g*.yml"):
        old.unlink()
    slugs = []
    for number, data in enumerate(batch):
        slug = f"g{number:03d}"
        path = project.settings_dir / f"{slug}.yml"
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
        load_setting(project.settings_dir, slug, list(POLICIES))  # valid, or fail here
        slugs.append(slug)
    shutil.rmtree(out, ignore_errors=True)
    # Compiled templates kept beside the module's project: each batch's workers load
    # them instead of compiling the theme again (the user's own cache is left alone).
    options = BuildOptions(jobs=jobs, portal=False, cache_folder=project.root.parent / "jinja")
    report = build_federation(project, slugs, out, options)
    wrong = {r.slug: str(r.error) for r in report.results if not r.ok}
    for slug in slugs:
        if slug not in wrong and (problems := lint_site(out / slug)):
            wrong[slug] = "\n".join(f"{page}: {p}" for page, ps in problems.items() for p in ps)
    return {
        f"{slug}.yml:\n{(project.settings_dir / f'{slug}.yml').read_text('utf-8')}": reason
        for slug, reason in wrong.items()
    }


_timings: list[float] = []


@settings(
    max_examples=BATCHES,
    deadline=None,
    phases=[Phase.generate],  # a batch is too dear to shrink: the single test below does
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
@given(st.tuples(*(settings_data(number) for number in range(BATCH))))
def test_generated_settings_build_and_read_right(project: Project, tmp_path_factory, batch):
    started = time.perf_counter()
    wrong = _build_and_read(project, list(batch), tmp_path_factory.mktemp("out"), jobs=2)
    _timings.append(time.perf_counter() - started)
    assert not wrong, "\n\n".join(f"{where}{reason}" for where, reason in wrong.items())


def test_timing_report(capsys):
    """Not a check: prints what the batches above cost, for the README and the report."""
    if _timings:
        with capsys.disabled():
            print(
                f"\ngenerated settings: {len(_timings) * BATCH} in {len(_timings)} batches, "
                f"{sum(_timings):.1f} s ({sum(_timings) / (len(_timings) * BATCH):.2f} s each)"
            )


_TWO_APPROVERS = {  # found by the batches: "the Chair of the Committee have" is right
    "name": "Rainbow Nursery 0",
    "provisions": [{"name": "Nursery"}],
    "dsls": [{"name": "Ben Jones"}],
    "phones": {
        "phone_free_areas": ["the main room"],
        "phone_free_when": "during a session",
        "staff_keep_phones": "in the office",
        "staff_phones_quiet_during": "sessions",
        "permission_from": ["the Manager"],
    },
    "social_media": {
        "staff_personal_use": "only on their break",
        "official_channels": [{"platform": "X"}],
        "approved_by": ["the Manager", "the Chair of the Committee"],
    },
    "internet_filtering": "the school internet service",
    "policies": {"social-media": {}},
}


_TWO_IN_SCHOOL = {  # found by the batches: "Our Nursery and Playgroup are" is right
    "name": "The Ark Kids' Club 2",
    "provisions": [
        {"name": "Nursery", "in_school": True},
        {"name": "Playgroup", "in_school": True},
    ],
    "dsls": [
        {"name": "Noor Evans", "provision": "Nursery"},
        {"name": "Isla Jones", "provision": "Playgroup"},
    ],
    "phones": {
        "phone_free_areas": ["the main room"],
        "phone_free_when": "at any time during opening hours",
        "staff_keep_phones": "in the office",
        "staff_phones_quiet_during": "sessions",
        "permission_from": ["the Manager"],
    },
    "social_media": {"staff_personal_use": "only on their break"},
    "internet_filtering": "the filters on our setting devices",
    "photos": {
        "stored": "on our setting devices",
        "kept_until": "when the child leaves us",
    },
    "events": {"parents_may_film": False},
    "outings": {"phone": "the setting's mobile phone"},
    "children_devices": {
        "confiscated_kept": "in the office",
        "returned_to": "the child's parent or carer at collection",
    },
    "policies": {"mobile-and-smart-technology": {}},
}


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(settings_data(0))
@example(_TWO_APPROVERS)
@example(_TWO_IN_SCHOOL)
def test_one_generated_setting(project: Project, tmp_path_factory, data):
    wrong = _build_and_read(project, [data], tmp_path_factory.mktemp("one"), jobs=1)
    assert not wrong, "\n\n".join(f"{where}{reason}" for where, reason in wrong.items())
