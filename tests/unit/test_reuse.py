"""What one process reuses between builds stays correct: fresh objects, current sources."""

from __future__ import annotations

import io
from pathlib import Path

import jinja2
import pytest
import yaml
from mkdocs.utils.yaml import get_yaml_loader

from policy_sites.render.reuse import Reuse


def test_mkdocs_yaml_is_composed_once_but_env_values_are_read_each_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mkdocs.config import defaults

    text = "plugins:\n  - policy-sites:\n      setting: !ENV [POLICY_SETTING, '']\n"
    reuse = Reuse()
    seen = []
    with reuse.active():
        for slug in ("acorns", "birch"):
            monkeypatch.setenv("POLICY_SETTING", slug)
            loaded = defaults.yaml_load(io.StringIO(text), get_yaml_loader())
            seen.append(loaded["plugins"][0]["policy-sites"]["setting"])
    assert seen == ["acorns", "birch"]
    assert len(reuse._yaml._nodes) == 1


def test_safe_load_gives_each_caller_its_own_objects_and_is_restored() -> None:
    original = yaml.safe_load
    with Reuse().active():
        first = yaml.safe_load("a: [1, 2]\nwhen: 2022-09-12\n")
        first["a"].append(3)
        second = yaml.safe_load("a: [1, 2]\nwhen: 2022-09-12\n")
        with pytest.raises(yaml.YAMLError):
            yaml.safe_load("a: [unclosed")
    assert second["a"] == [1, 2] and str(second["when"]) == "2022-09-12"
    assert yaml.safe_load is original


def test_the_yaml_memory_is_bounded() -> None:
    reuse = Reuse()
    with reuse.active():
        for n in range(reuse._yaml.LIMIT + 50):
            assert yaml.safe_load(f"n: {n}\n") == {"n": n}
    assert len(reuse._yaml._nodes) == reuse._yaml.LIMIT


def test_compiled_templates_are_shared_between_environments_and_checked_against_source(
    tmp_path: Path,
) -> None:
    (tmp_path / "page.html").write_text("Hello {{ name }}", encoding="utf-8")
    reuse = Reuse(tmp_path / "cache")

    def render() -> str:
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(tmp_path))
        env.bytecode_cache = reuse.bytecode
        return env.get_template("page.html").render(name="Poppy")

    assert render() == "Hello Poppy"
    assert list((tmp_path / "cache").iterdir())  # also kept on disk for the next run
    (tmp_path / "page.html").write_text("Goodbye {{ name }}", encoding="utf-8")
    assert render() == "Goodbye Poppy"
    fresh = Reuse(tmp_path / "cache")  # a new run, warm from disk
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(tmp_path))
    env.bytecode_cache = fresh.bytecode
    assert env.get_template("page.html").render(name="Ann") == "Goodbye Ann"
