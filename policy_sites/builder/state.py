"""What the last builds left in an output root: each setting's input fingerprint and summary.

Kept in ``<out>/.policy-sites-state.json``, so deleting the output folder forces a full
rebuild. Written atomically; an unreadable file counts as no state at all.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["STATE_FILE", "BuildState"]

STATE_FILE = ".policy-sites-state.json"
_FORMAT = 1


@dataclass
class BuildState:
    """Per setting: ``fingerprint``, ``fresh_until`` and ``summary``; plus the shared assets."""

    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    assets: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, out_root: Path) -> BuildState:
        try:
            data = json.loads((out_root / STATE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            return cls()
        return cls(dict(data.get("settings") or {}), dict(data.get("assets") or {}))

    def save(self, out_root: Path) -> None:
        body = {"format": _FORMAT, "assets": self.assets, "settings": self.settings}
        text = json.dumps(body, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        path = out_root / STATE_FILE
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
