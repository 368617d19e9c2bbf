"""Exit 1 unless two output folders hold the same sites, apart from the generator's name.

    python .ci/same_sites.py site-mkdocs/ site-properdocs/

Every file is compared byte for byte, except that HTML pages may differ in their
``<meta name="generator">`` tag (MkDocs writes "mkdocs-1.6.1", ProperDocs
"mkdocs-ProperDocs 1.6.7") and the build state (fingerprints of the engine's version).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')
IGNORED = {".policy-sites-state.json"}


def files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): GENERATOR.sub(b"", path.read_bytes())
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name not in IGNORED
    }


def main(first: Path, second: Path) -> int:
    a, b = files(first), files(second)
    problems = [f"only in {first}: {name}" for name in sorted(a.keys() - b.keys())]
    problems += [f"only in {second}: {name}" for name in sorted(b.keys() - a.keys())]
    problems += [f"differs: {name}" for name in sorted(a.keys() & b.keys()) if a[name] != b[name]]
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(a)} files compared; {len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
