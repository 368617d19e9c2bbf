"""Reading settings files: safe YAML, federation defaults, validation, and actionable errors.

Every problem names the file, the line, the field path and what was expected. YAML is
read with the safe loader and any tag outside plain YAML (such as ``!!python/object``) is
refused, never executed. A key written twice is an error, because the second copy would
silently throw the first away.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from policy_sites.settings.schema import FieldProblem, Setting

__all__ = [
    "DEFAULTS_FILE",
    "Problem",
    "SettingsError",
    "field_lines",
    "load_setting",
    "read_mapping",
    "setting_slugs",
]

DEFAULTS_FILE = "_federation.yml"
"""The federation's shared defaults, beside the settings files; any setting may override a key."""

FieldPath = tuple[str | int, ...]

SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""PyYAML's safe loader, in C (libyaml) where installed: the same nodes and marks, faster."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a settings file (or a published version beside it)."""

    file: Path
    line: int | None
    """The line it is on, where one can be named (a whole file has none)."""
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else f"{self.file}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class SettingsError(Exception):
    """A settings file could not be used; carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class _Document:
    """A YAML mapping with the file and line where each field path was written."""

    data: dict[str, Any]
    lines: dict[FieldPath, tuple[Path, int]] = field(default_factory=dict)


_PLAIN_TAGS = {
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}


def _read_yaml(path: Path) -> _Document:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise SettingsError([Problem(path, 1, "", f"is not UTF-8 text ({error.reason})")]) from None
    loader = SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise SettingsError([Problem(path, 1, "", "is empty")])
        if not isinstance(root, yaml.MappingNode):
            raise SettingsError(
                [Problem(path, root.start_mark.line + 1, "", "must be a mapping of keys")]
            )
        doc = _Document({})
        doc.data = _construct(loader, root, (), path, doc.lines)
        return doc
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        reason = " ".join(filter(None, [error.context, error.problem]))
        raise SettingsError([Problem(path, line, "", f"is not valid YAML: {reason}")]) from None
    finally:
        loader.dispose()


def _construct(
    loader: yaml.SafeLoader,  # or its C twin
    node: yaml.Node,
    at: FieldPath,
    path: Path,
    lines: dict[FieldPath, tuple[Path, int]],
) -> Any:
    """Build plain Python values from YAML nodes, noting where each field path was written."""
    if node.tag not in _PLAIN_TAGS:
        raise SettingsError(
            [
                Problem(
                    path,
                    node.start_mark.line + 1,
                    _dotted(at),
                    f"the YAML tag {node.tag!r} is not allowed; write plain values only",
                )
            ]
        )
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key)
            here = (*at, key)
            line = key_node.start_mark.line + 1
            if key in result:
                first = lines[here][1]
                raise SettingsError(
                    [
                        Problem(
                            path,
                            line,
                            _dotted(here),
                            f"is written twice (first on line {first}); keep one",
                        )
                    ]
                )
            lines[here] = (path, line)
            result[key] = _construct(loader, value_node, here, path, lines)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            lines[(*at, index)] = (path, item.start_mark.line + 1)
            items.append(_construct(loader, item, (*at, index), path, lines))
        return items
    return loader.construct_object(node, deep=True)


def _merge(base: _Document, override: _Document) -> _Document:
    """Defaults under a setting: mappings merge key by key, anything else is replaced whole."""

    def merge(a: Any, b: Any) -> Any:
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            return {**a, **{k: merge(a[k], v) if k in a else v for k, v in b.items()}}
        return b

    replaced = [p for p in override.lines if not isinstance(_value_at(override.data, p), Mapping)]
    lines = {
        p: where for p, where in base.lines.items() if not any(p[: len(q)] == q for q in replaced)
    }
    lines.update(override.lines)
    return _Document(merge(base.data, override.data), lines)


def _value_at(data: Any, path: FieldPath) -> Any:
    for part in path:
        data = data[part]
    return data


def _dotted(path: FieldPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _model_at(model: type[BaseModel], path: FieldPath) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``path``, if one does."""
    annotation: Any = model
    for part in path:
        annotation = _strip(annotation)
        origin = typing.get_origin(annotation)
        if origin is list and isinstance(part, int):
            annotation = typing.get_args(annotation)[0]
        elif origin is dict:
            annotation = typing.get_args(annotation)[1]
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            info = annotation.model_fields.get(str(part))
            if info is None:
                return None
            annotation = info.annotation
        else:
            return None
    annotation = _strip(annotation)
    is_model = isinstance(annotation, type) and issubclass(annotation, BaseModel)
    return annotation if is_model else None


def _strip(annotation: Any) -> Any:
    """``X | None`` and ``Annotated[X, ...]`` -> ``X``."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _strip(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _strip(args[0]) if len(args) == 1 else annotation
    return annotation


_FRIENDLY = {
    "missing": "is required but missing",
    "string_type": "expected text",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "list_type": "expected a list (one '- item' per line)",
    "dict_type": "expected a mapping of keys",
    "model_type": "expected a mapping of keys",
    "model_attributes_type": "expected a mapping of keys",
    "url_parsing": "expected a web address starting with https://",
    "url_scheme": "expected a web address starting with https://",
}


def _describe(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    if kind in ("too_short",) and error.get("ctx", {}).get("min_length") == 1:
        return "needs at least one entry"
    if kind == "string_too_short":
        return "must not be empty"
    message = _FRIENDLY.get(kind)
    if message and kind != "missing" and "input" in error:
        return f"{message}, got {error['input']!r}"
    if message:
        return message
    text = str(error.get("msg", kind))
    return text.removeprefix("Value error, ")


def _problems(doc: _Document, fallback: Path, error: ValidationError) -> list[Problem]:
    problems = []
    for item in error.errors():
        loc: FieldPath = tuple(item["loc"])
        cause = item.get("ctx", {}).get("error")
        if isinstance(cause, FieldProblem):
            loc = (*loc, *cause.path)
        message = _describe(item)
        if item["type"] == "extra_forbidden":
            key = str(loc[-1])
            model = _model_at(Setting, loc[:-1])
            known = list(model.model_fields) if model else []
            guess = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            message = f"unknown key {key!r}" + (
                f"; did you mean {guess[0]!r}?"
                if guess
                else f"; expected one of: {', '.join(known)}"
                if known
                else ""
            )
        file, line = _locate(doc, loc, fallback)
        problems.append(Problem(file, line, _dotted(loc), message))
    return problems


def _locate(doc: _Document, loc: FieldPath, fallback: Path) -> tuple[Path, int]:
    """The line that wrote ``loc``, or the nearest enclosing one that was written."""
    for end in range(len(loc), 0, -1):
        if loc[:end] in doc.lines:
            return doc.lines[loc[:end]]
    return fallback, 1


def field_lines(path: Path) -> dict[FieldPath, int]:
    """The line on which each field path is written in one settings file (no validation)."""
    return {at: line for at, (_, line) in _read_yaml(path).lines.items()}


def read_mapping(path: Path) -> dict | None:
    """A settings file's plain data, for a quick look at a key without validating it;
    None if it cannot be read or is not a mapping (loading it properly says why)."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return data if isinstance(data, dict) else None


def setting_slugs(settings_dir: Path) -> list[str]:
    """Every setting's slug: the file name of each ``*.yml`` not starting with ``_``."""
    return sorted(p.stem for p in settings_dir.glob("*.yml") if not p.name.startswith("_"))


def load_setting(
    settings_dir: Path, slug: str, known_policies: Iterable[str] | None = None
) -> Setting:
    """Read, merge and validate one setting; raise SettingsError naming every problem."""
    path = settings_dir / f"{slug}.yml"
    if not path.is_file():
        available = setting_slugs(settings_dir)
        guess = difflib.get_close_matches(slug, available, n=1)
        hint = f"; did you mean {guess[0]!r}?" if guess else f"; settings: {', '.join(available)}"
        raise SettingsError([Problem(path, 0, "", f"no such setting {slug!r}{hint}")])
    defaults_path = settings_dir / DEFAULTS_FILE
    doc = _read_yaml(path)
    if defaults_path.is_file():
        doc = _merge(_read_yaml(defaults_path), doc)
    try:
        setting = Setting.model_validate(doc.data)
    except ValidationError as error:
        raise SettingsError(_problems(doc, path, error)) from None
    if known_policies is not None:
        known = sorted(known_policies)
        unknown = [
            Problem(
                *_locate(doc, ("policies", pid), path),
                f"policies.{pid}",
                f"there is no shared policy called {pid!r}"
                + (
                    f"; did you mean {g[0]!r}?"
                    if (g := difflib.get_close_matches(pid, known, n=1))
                    else f"; policies: {', '.join(known)}"
                ),
            )
            for pid in setting.policies
            if pid not in known
        ]
        if unknown:
            raise SettingsError(unknown)
    return setting
