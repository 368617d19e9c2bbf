"""List the packages this interpreter has at another version than the lock pins.

Used by `make test-latest`, so that a run against the newest releases says which
releases it tried: when it fails, the culprit is among these lines.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)")


def main(lock: Path) -> int:
    pinned = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        if found := PIN.match(line):
            pinned[_key(found[1])] = found[2]
    installed = {_key(d.metadata["Name"]): d.version for d in metadata.distributions()}
    for name in sorted(pinned.keys() & installed.keys()):
        if pinned[name] != installed[name]:
            print(f"{name}: locked {pinned[name]}, testing {installed[name]}")
    for name in sorted(installed.keys() - pinned.keys() - {"pip", "policy-sites"}):
        print(f"{name}: not in the lock, testing {installed[name]}")
    return 0


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
