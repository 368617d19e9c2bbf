"""The exported JSON Schema: committed copy current, and useful to an editor's tools."""

from __future__ import annotations

import json
from typing import Any

import yaml
from click.testing import CliRunner

from policy_sites.cli import cli
from policy_sites.json_schema import SCHEMA_FILE, schema_text, setting_json_schema
from policy_sites.schema import Setting
from tests.helpers import REPO


def test_committed_schema_matches_the_code() -> None:
    committed = (REPO / SCHEMA_FILE).read_text(encoding="utf-8")
    assert committed == schema_text(), f"run: policy-sites schema > {SCHEMA_FILE}"


def test_schema_command_prints_the_schema_and_checks_the_file(tmp_path) -> None:
    runner = CliRunner()
    printed = runner.invoke(cli, ["schema"])
    assert printed.exit_code == 0
    assert json.loads(printed.output) == setting_json_schema()

    (tmp_path / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    (tmp_path / SCHEMA_FILE).write_text("{}\n", encoding="utf-8")
    stale = runner.invoke(cli, ["schema", "--check", "--project", str(tmp_path)])
    assert stale.exit_code == 1
    assert "out of date" in stale.output
    (tmp_path / SCHEMA_FILE).write_text(schema_text(), encoding="utf-8")
    current = runner.invoke(cli, ["schema", "--check", "--project", str(tmp_path)])
    assert current.exit_code == 0, current.output


def test_schema_carries_the_editors_hints_and_refuses_unknown_keys() -> None:
    schema = setting_json_schema()
    phones = schema["$defs"]["Phones"]
    assert (
        "Where staff keep personal phones"
        in phones["properties"]["staff_keep_phones"]["description"]
    )
    assert phones["additionalProperties"] is False
    assert "staff_keep_phones" in phones["required"]
    assert schema["additionalProperties"] is False
    # Any top-level key may come from _federation.yml, so none is required in one file.
    assert "required" not in schema
    assert set(Setting.model_json_schema()["required"]) <= set(schema["properties"])


def _unknown_keys(value: Any, node: dict[str, Any], defs: dict[str, Any], at: str) -> list[str]:
    """Keys in ``value`` that the schema ``node`` does not describe (a mini validator)."""
    if "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[-1]]
    for option in node.get("anyOf", []):
        if option.get("type") == "object" or "$ref" in option or "items" in option:
            return _unknown_keys(value, option, defs, at)
    found: list[str] = []
    if isinstance(value, dict):
        properties = node.get("properties")
        for key, item in value.items():
            if properties is None:
                extra = node.get("additionalProperties", {})
                found += _unknown_keys(item, extra if isinstance(extra, dict) else {}, defs, at)
            elif key not in properties:
                found.append(f"{at}.{key}")
            else:
                found += _unknown_keys(item, properties[key], defs, f"{at}.{key}")
    elif isinstance(value, list) and "items" in node:
        for item in value:
            found += _unknown_keys(item, node["items"], defs, at)
    return found


def test_every_settings_file_points_at_the_schema_and_uses_only_its_keys() -> None:
    schema = setting_json_schema()
    files = [p for p in sorted((REPO / "settings").glob("*.yml"))]
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        if not path.name.startswith("_"):
            assert text.startswith(f"# yaml-language-server: $schema=../{SCHEMA_FILE}\n"), path
        assert _unknown_keys(yaml.safe_load(text), schema, schema["$defs"], path.stem) == []


def test_mini_validator_can_fail() -> None:
    schema = setting_json_schema()
    wrong = {"phones": {"staff_keep_phone": "in lockers"}, "policies": {"x": {"writen": "2022"}}}
    assert _unknown_keys(wrong, schema, schema["$defs"], "s") == [
        "s.phones.staff_keep_phone",
        "s.policies.writen",
    ]
