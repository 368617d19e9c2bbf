"""The exported JSON Schema: committed copy current, and useful to an editor's tools."""

from __future__ import annotations

import json
from typing import Any

import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from policy_sites.cli.main import cli
from policy_sites.settings.json_schema import SCHEMA_FILE, schema_text, setting_json_schema
from policy_sites.settings.schema import Setting
from tests.helpers import REPO

DOCS = REPO / "docs"


def test_committed_schema_matches_the_code() -> None:
    committed = (REPO / SCHEMA_FILE).read_text(encoding="utf-8")
    assert committed == schema_text(DOCS), f"run: policy-sites schema > {SCHEMA_FILE}"


def test_schema_command_prints_the_schema_and_checks_the_file(tmp_path) -> None:
    runner = CliRunner()
    printed = runner.invoke(cli, ["schema"])
    assert printed.exit_code == 0
    assert json.loads(printed.output) == setting_json_schema(DOCS)

    (tmp_path / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    (tmp_path / SCHEMA_FILE).write_text("{}\n", encoding="utf-8")
    stale = runner.invoke(cli, ["schema", "--check", "--project", str(tmp_path)])
    assert stale.exit_code == 1
    assert "out of date" in stale.output
    (tmp_path / SCHEMA_FILE).write_text(schema_text(tmp_path / "docs"), encoding="utf-8")
    current = runner.invoke(cli, ["schema", "--check", "--project", str(tmp_path)])
    assert current.exit_code == 0, current.output


def test_schema_carries_the_editors_hints_and_refuses_unknown_keys() -> None:
    schema = setting_json_schema(DOCS)
    # phones is declared by the mobile policy's front matter: its group is a model too
    phones = schema["$defs"]["PhonesFacts"]
    assert (
        'Completes: "Staff keep their personal phones …"'
        in phones["properties"]["staff_keep_phones"]["description"]
    )
    channel = schema["$defs"]["OfficialChannelsRecord"]  # a records fact: one model per record
    assert channel["additionalProperties"] is False and channel["required"] == ["platform"]
    assert channel["properties"]["url"]["anyOf"][0]["format"] == "uri"
    assert phones["additionalProperties"] is False
    assert "staff_keep_phones" in phones["required"]
    assert schema["additionalProperties"] is False
    # Any top-level key may come from _federation.yml, so none is required in one file.
    assert "required" not in schema
    assert set(Setting.model_json_schema()["required"]) <= set(schema["properties"])


class _EditorLoader(yaml.SafeLoader):
    """YAML as VS Code's YAML extension reads it (1.2 core schema: dates stay text)."""


_EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _schema_errors(document: Any) -> list[str]:
    validator = Draft202012Validator(setting_json_schema(DOCS))
    return sorted(
        f"{'.'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    )


def test_every_settings_file_points_at_the_schema_and_passes_it() -> None:
    Draft202012Validator.check_schema(setting_json_schema(DOCS))
    files = sorted((REPO / "settings").glob("*.yml"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        if not path.name.startswith("_"):
            assert text.startswith(f"# yaml-language-server: $schema=../{SCHEMA_FILE}\n"), path
        assert _schema_errors(yaml.load(text, Loader=_EditorLoader)) == [], path


def test_the_schema_flags_what_an_editor_gets_wrong() -> None:
    wrong = {
        "phones": {"staff_keep_phone": "in lockers"},
        "policies": {"x": {"writen": "2022-09", "ratified": "Sept 2022"}},
        "dsls": [],
    }
    errors = _schema_errors(wrong)
    assert any(
        e.startswith("phones: Additional properties") and "staff_keep_phone" in e for e in errors
    )
    assert any(e.startswith("policies.x: Additional properties") and "writen" in e for e in errors)
    assert any(e.startswith("policies.x.ratified: 'Sept 2022' is not valid") for e in errors)
    assert any(e.startswith("dsls: [] should be non-empty") for e in errors)
