"""The settings schema as JSON Schema, for editors' tools (VS Code's YAML extension).

Generated from :class:`policy_sites.settings.schema.Setting` and the facts the shared
policies declare in their front matter (``docs/policies/*.md``), so validation and editor
hints share one source of truth. ``settings.schema.json`` in the repository is this output; a test
and ``policy-sites schema --check`` make sure the two never drift apart.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from policy_sites.settings.loader import setting_model

__all__ = ["SCHEMA_FILE", "schema_is_current", "schema_text", "setting_json_schema"]

SCHEMA_FILE = "settings.schema.json"
"""Where the exported schema lives, at the project root (settings files point to it)."""

_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def setting_json_schema(docs_dir: Path) -> dict[str, Any]:
    """The JSON Schema of one setting's file.

    Top-level keys are not marked required: any of them may come from
    ``settings/_federation.yml`` instead, and an editor sees one file at a time.
    Everything inside a key (a DSL's name, a phone rule) keeps its requirements.
    """
    schema = setting_model(docs_dir).model_json_schema(mode="validation")
    required = schema.pop("required", [])
    schema["description"] = (
        f"{schema.get('description', '').strip()}\n\n"
        f"Required once the federation defaults are merged in: {', '.join(required)}."
    ).strip()
    return {"$schema": _DIALECT, **schema}


def schema_text(docs_dir: Path) -> str:
    """The schema exactly as ``settings.schema.json`` should hold it, for the shared
    policies in ``docs_dir``."""
    return json.dumps(setting_json_schema(docs_dir), indent=2, ensure_ascii=False) + "\n"


def schema_is_current(root: Path) -> bool:
    """Whether the project's committed schema file matches the code."""
    path = root / SCHEMA_FILE
    return path.is_file() and path.read_text(encoding="utf-8") == schema_text(root / "docs")
