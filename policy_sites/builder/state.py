"""What the last builds left in an output root: each setting's input fingerprint and summary.

Kept in ``<out>/.policy-sites-state.json``, so deleting the output folder forces a full
rebuild. Written atomically; an unreadable file counts as no state at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from policy_sites.project import read_bounded, write_atomic
from policy_sites.settings.names import slug_problem

__all__ = ["STATE_FILE", "BuildState"]


def _asset_path(name: object) -> bool:
    """Whether ``name`` is a path inside the shared ``assets/`` folder and nowhere else."""
    if not isinstance(name, str) or "\\" in name:
        return False
    parts = PurePosixPath(name).parts
    return len(parts) > 1 and parts[0] == "assets" and not {"..", "."} & set(parts)


STATE_FILE = ".policy-sites-state.json"
_FORMAT = 1


_MAX_STATE_BYTES = 64 * 1024 * 1024
"""A state file is a cache (a few KB a setting): anything past this, or not a plain file,
is no state, read as the first build's."""


@dataclass
class BuildState:
    """Per setting: ``fingerprint``, ``fresh_until`` and ``summary``; plus the shared assets."""

    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    assets: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, out_root: Path) -> BuildState:
        try:
            data = json.loads(read_bounded(out_root / STATE_FILE, _MAX_STATE_BYTES))
        except (OSError, ValueError):
            return cls()
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            return cls()
        settings, assets = data.get("settings"), data.get("assets")
        settings = settings if isinstance(settings, dict) else {}
        assets = assets if isinstance(assets, dict) else {}
        # The file is only a cache, and could have been edited: a name that is not a
        # setting's, or an asset path leading anywhere but into assets/, is dropped, so
        # that nothing outside the output's own folders is ever replaced or deleted.
        files = assets.get("files")
        assets["files"] = [f for f in files if _asset_path(f)] if isinstance(files, list) else []
        return cls(
            {k: v for k, v in settings.items() if not slug_problem(k) and isinstance(v, dict)},
            assets,
        )

    def save(self, out_root: Path) -> None:
        body = {"format": _FORMAT, "assets": self.assets, "settings": self.settings}
        text = json.dumps(body, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        write_atomic(out_root / STATE_FILE, text)  # the next build clears a killed one's copy
