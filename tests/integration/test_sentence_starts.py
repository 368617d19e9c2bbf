"""Generated settings whose values start in lower case where a sentence does: the built
pages still start each paragraph, heading and bold label with a capital (issue 19)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings

from bench.synthetic import copy_project
from policy_sites.builder.federation import BuildOptions, build_federation
from policy_sites.project import Project
from policy_sites.settings.loader import DEFAULTS_FILE
from policy_sites.settings.local_authority import AUTHORITIES_DIR
from tests.helpers import REPO, article_text
from tests.integration.test_content_model import add_third_policy
from tests.strategies import settings_data

FRONT_DOOR = "the council's children's services front door"
_LOWER_START = re.compile(r"<(p|h[1-6]|li)(?: [^>]*)?>\s*(<strong>)?([a-z]+)\b")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sentence-starts") / "project"
    copy_project(REPO, root)
    add_third_policy(root)  # the strategies publish the guide's third policy too
    # The front door comes from the federation's area in the authority register.
    area = yaml.safe_load((root / "settings" / DEFAULTS_FILE).read_text(encoding="utf-8"))
    entry = root / "settings" / AUTHORITIES_DIR / f"{area['local_authority']}.yml"
    text = entry.read_text(encoding="utf-8")
    old = "  name: Kent Integrated Children's Services Front Door\n"
    assert old in text
    entry.write_text(text.replace(old, f'  name: "{FRONT_DOOR}"\n'), encoding="utf-8")
    return root


def lower_case_starts(page: Path) -> list[str]:
    """A paragraph, heading or bold list label that starts in lower case (a list item
    that is not a label may continue the sentence before its list)."""
    markup = page.read_text(encoding="utf-8")
    markup = markup[markup.index("<article") : markup.index("</article>")]
    return [
        f"{page.name}: <{tag}>{bold or ''}{word}"
        for tag, bold, word in _LOWER_START.findall(markup)
        if tag != "li" or bold
    ]


@settings(
    max_examples=3,
    deadline=None,
    phases=[Phase.generate],  # a build is too dear to shrink
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)
@given(settings_data(0))
def test_values_that_open_a_sentence_get_a_capital(project: Path, tmp_path_factory, data):
    data = {**data, "name": data["name"].lower()}
    (project / "settings" / "g000.yml").write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path_factory.mktemp("site")
    options = BuildOptions(jobs=1, portal=False, cache_folder=None)
    report = build_federation(Project(project), ["g000"], out, options)
    assert all(r.ok for r in report.results), [str(r.error) for r in report.results]
    pages = sorted((out / "g000").rglob("*.html"))
    found = [problem for page in pages for problem in lower_case_starts(page)]
    assert not found, found
    quick = article_text(out / "g000" / "staff" / "index.html")
    assert "The council's children's services front door: a child at risk" in quick
    shutil.rmtree(out)
