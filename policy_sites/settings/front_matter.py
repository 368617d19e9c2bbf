"""A Markdown source's YAML front matter: where the shared policies declare their id,
title and the facts they need, so the settings stage can read them (the context stage
reads pages' audiences from it too)."""

from __future__ import annotations

import yaml

__all__ = ["parse_front_matter", "split_front_matter"]


def split_front_matter(text: str) -> tuple[str, str, int]:
    """A Markdown source's YAML front matter ('' if none), its body, and the line of the
    file the body starts on. The front matter lies between two lines of just ``---``."""
    lines = text.splitlines(keepends=True)
    if lines and lines[0].rstrip("\n") == "---":
        for number, line in enumerate(lines[1:], 2):
            if line.rstrip("\n") == "---":
                return "".join(lines[1 : number - 1]), "".join(lines[number:]), number + 1
    return "", text, 1


def parse_front_matter(text: str) -> dict:
    """The YAML front matter of a Markdown source's text, or {} if it has none."""
    meta = yaml.safe_load(split_front_matter(text)[0])
    return meta if isinstance(meta, dict) else {}
