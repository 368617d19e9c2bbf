"""Reading settings files: safe YAML, federation defaults, validation, and actionable errors.

Every problem names the file, the line, the field path and what was expected. YAML is
read with the safe loader and any tag outside plain YAML (such as ``!!python/object``) is
refused, never executed. A key written twice is an error, because the second copy would
silently throw the first away.
"""

from __future__ import annotations

import difflib
import re
import shutil
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from policy_sites.project import NotAPlainFile, TooLarge, read_bounded
from policy_sites.settings.local_authority import (
    AUTHORITIES_DIR,
    MOVED_TO_AUTHORITY,
    TEMPLATE_FILE,
    LocalAuthority,
)
from policy_sites.settings.names import printable, slug_problem
from policy_sites.settings.redaction import Redactor, staff_only_values
from policy_sites.settings.schema import (
    AUTHORITY_ID,
    FieldPath,
    FieldProblem,
    Setting,
    is_placeholder,
    texts_in,
)

__all__ = [
    "DEFAULTS_FILE",
    "Problem",
    "SettingsError",
    "WrittenText",
    "authority_ids",
    "copy_shared_files",
    "declared_staff_only",
    "field_lines",
    "field_name",
    "load_authority",
    "load_setting",
    "missing_authority",
    "missing_setting",
    "read_mapping",
    "read_yaml_text",
    "setting_model",
    "setting_slugs",
    "staff_only_values_of",
    "texts_in",
    "written_texts",
]

DEFAULTS_FILE = "_federation.yml"
"""The federation's shared defaults, beside the settings files; any setting may override a key."""


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
    typed: dict[FieldPath, str] = field(default_factory=dict)
    """How each number or true/false was typed: YAML reads ``2022.10`` as 2022.1."""


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


MAX_FILE_BYTES = 256 * 1024
"""A settings file or version.yml larger than this is refused unread (the examples: 5 KB)."""
MAX_DEPTH = 16
"""How deeply mappings and lists may nest (the schema needs 4)."""
MAX_VALUES = 20_000
"""How many values a file may hold once aliases (``*name``) are expanded."""
MAX_TEXT = 2_000
"""The longest text a value may hold: a phrase or a name, not a document."""
MAX_KEY = 100

_MERGE_TAG = "tag:yaml.org,2002:merge"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Control characters, and the invisible marks that reorder text; tab and newline are text."""


def _problem(
    path: Path, node_or_line: yaml.Node | int | None, at: FieldPath, message: str
) -> SettingsError:
    line = node_or_line.start_mark.line + 1 if isinstance(node_or_line, yaml.Node) else node_or_line
    return SettingsError([Problem(path, line, _dotted(at), message)])


class _TooDeep(SettingsError):
    """The depth guard's refusal, told apart from a syntax error found on the way."""


def _check_shape(path: Path, text: str, parser: type[yaml.SafeLoader] = SafeLoader) -> int | None:
    """Refuse nesting deeper than MAX_DEPTH from the parser's flat event stream, before
    anything recursive (libyaml's composer, this module's constructor) sees the file.
    Returns the line of the first alias (``*name``), if there is one.

    libyaml has limits of its own (PyYAML 6.0.4's wheels stop at 1,000 open brackets,
    found while scanning ahead, before the first event reaches us). So when the fast
    parser fails, the file is read again with PyYAML's pure-Python parser, which has no
    such limit: our own depth guard then speaks first, and what a manager reads does not
    change with the libyaml release a machine happens to have. A plain syntax error
    keeps the fast parser's description, which the hints below are written for."""
    loader = parser(text)
    depth = 0
    first_alias = None
    field = _FieldTracker()
    try:
        while (event := loader.get_event()) is not None:
            field.see(event)
            if first_alias is None and isinstance(event, yaml.AliasEvent):
                first_alias = event.start_mark.line + 1
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    message = (
                        f"nests more than {MAX_DEPTH} levels deep; a settings file needs a few"
                    )
                    line = event.start_mark.line + 1
                    raise _TooDeep([Problem(path, line, "", message)])
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as error:
        problem = _syntax_problem(path, error, field.path())
        if parser is not yaml.SafeLoader:
            try:
                _check_shape(path, text, yaml.SafeLoader)
            except _TooDeep as too_deep:
                raise too_deep from None
            except SettingsError:
                pass  # the same mistake, worded by the other parser: keep the first
        raise problem from None
    finally:
        loader.dispose()
    return first_alias


class _FieldTracker:
    """Which field the YAML parser was reading, followed from its events, so that a
    syntax error names the field as well as the line (a manager fixes "phones.
    phone_free_when" faster than "line 36")."""

    def __init__(self) -> None:
        # One list per open collection: [key, awaiting its value] for a mapping,
        # [index] for a sequence.
        self._open: list[list[Any]] = []

    def see(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.CollectionStartEvent):
            self._value_starts()
            self._open.append([None, False] if isinstance(event, yaml.MappingStartEvent) else [-1])
        elif isinstance(event, yaml.CollectionEndEvent):
            self._open.pop()
            self._value_ends()
        elif isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)):
            top = self._open[-1] if self._open else None
            if top is not None and len(top) == 2 and not top[1]:  # a mapping's key
                top[0] = getattr(event, "value", None)
                top[1] = True
            else:
                self._value_starts()
                self._value_ends()

    def _value_starts(self) -> None:
        if self._open and len(self._open[-1]) == 1:  # the next item of a sequence
            self._open[-1][0] += 1

    def _value_ends(self) -> None:
        if self._open and len(self._open[-1]) == 2:
            self._open[-1][1] = False

    def path(self) -> FieldPath:
        """The keys and list positions down to the field being read, or last read."""
        steps: list[str | int] = []
        for frame in self._open:
            step = frame[0]
            if step is None or step == -1:
                break
            steps.append(step)
        return tuple(steps)


_SYNTAX_HINTS = {
    "mapping values are not allowed": "a line is indented further than the line above "
    "it, or a value holding ': ' needs quotes",
    "tab character": "YAML does not allow tabs: indent with spaces",
    "found character '\\t'": "YAML does not allow tabs: indent with spaces",
    "could not find expected ':'": "a key is missing its ':', or a line is indented less "
    "than the lines beside it",
    "did not find expected key": "a line is indented differently from the keys beside it",
    "did not find expected '-' indicator": "a list item ('- ') is indented differently "
    "from the items beside it",
    "found unexpected end of stream": "a quote or bracket is opened and never closed",
}


def _syntax_problem(path: Path, error: yaml.MarkedYAMLError, at: FieldPath) -> SettingsError:
    """A YAML syntax error as one problem: file, line, the field it was in, what YAML
    said, and the usual cause of that message in a hand-written settings file."""
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else 1
    reason = " ".join(" ".join(filter(None, [error.context, error.problem])).split())
    hint = next((h for found, h in _SYNTAX_HINTS.items() if found in reason), None)
    near = " at or just after this field" if at else ""
    message = f"is not valid YAML{near}: {reason}" + (f" (usually: {hint})" if hint else "")
    return _problem(path, line, at, message)


def _expanded_size(root: yaml.Node) -> int:
    """How many values the file holds with every alias expanded (each node counted once
    per use, computed once per node), stopping early past MAX_VALUES."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        if id(node) not in sizes:
            total = 1
            if isinstance(node, yaml.MappingNode):
                children = [n for pair in node.value for n in pair]
            elif isinstance(node, yaml.SequenceNode):
                children = node.value
            else:
                children = []
            for child in children:
                total += size(child)
                if total > MAX_VALUES:
                    break
            sizes[id(node)] = total
        return sizes[id(node)]

    return size(root)


def read_yaml_document(path: Path) -> _Document:
    """One YAML file as plain data with each field's line, within the limits above.

    Used for settings files and published versions' details alike: a file too large,
    too deep, an alias bomb, a tag, a merge key, a control character or an overlong text
    is a Problem naming the file and line, never a crash.
    """
    try:
        text = read_bounded(path, MAX_FILE_BYTES).decode("utf-8")
    except UnicodeDecodeError as error:
        raise _problem(path, 1, (), f"is not UTF-8 text ({error.reason})") from None
    except TooLarge as error:
        message = (
            f"is more than {MAX_FILE_BYTES:,} bytes, the limit"
            if error.size is None  # a device or /proc file whose size is not known
            else f"is {error.size:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes"
        )
        raise _problem(path, 1, (), message) from None
    except NotAPlainFile as error:
        raise _problem(path, None, (), f"{error}; it must be a text file") from None
    except OSError as error:
        raise _problem(path, None, (), f"cannot be read: {error.strerror or error}") from None
    return read_yaml_text(path, text)


def read_yaml_text(path: Path, text: str) -> _Document:
    """YAML text read from ``path`` (a settings file, or a policy's front matter), within
    the same limits as a settings file."""
    try:
        first_alias = _check_shape(path, text)
        loader = SafeLoader(text)
        try:
            root = loader.get_single_node()
            if root is None:
                raise _problem(path, 1, (), "is empty")
            if not isinstance(root, yaml.MappingNode):
                raise _problem(path, root, (), "must be a mapping of keys")
            if _expanded_size(root) > MAX_VALUES:
                raise _problem(
                    path,
                    first_alias or root,
                    (),
                    f"holds more than {MAX_VALUES:,} values once its aliases ('*name') are "
                    "expanded; write the values out instead",
                )
            doc = _Document({})
            doc.data = _construct(loader, root, (), path, doc)
            return doc
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:  # found by the composer, e.g. an unknown alias
        raise _syntax_problem(path, error, ()) from None
    except yaml.YAMLError as error:  # e.g. a character YAML does not allow, without a mark
        reason = " ".join(str(error).split())
        raise _problem(path, 1, (), f"is not valid YAML: {reason}") from None


def _check_text(path: Path, node: yaml.Node, at: FieldPath, text: str, limit: int) -> None:
    if len(text) > limit:
        raise _problem(path, node, at, f"is {len(text):,} characters long; the limit is {limit:,}")
    bad = _CONTROL.search(text)
    if bad:
        code = f"U+{ord(bad.group()):04X}"
        raise _problem(
            path,
            node,
            at,
            f"contains an invisible control character ({code}) at position "
            f"{bad.start() + 1}; retype the text without it",
        )


_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


def _scalar(loader: yaml.SafeLoader, node: yaml.Node, at: FieldPath, path: Path) -> Any:
    """One plain value. YAML reads ``2026-09-31`` or ``0000-01-01`` as a date and Python
    cannot make it (ValueError): that is this file's problem, at its line, not a crash."""
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, OverflowError) as error:
        shown = printable(str(node.value), 40)
        if node.tag == _TIMESTAMP_TAG:
            message = (
                f"{shown} is not a real date ({error}); write a date that exists, "
                "as YYYY-MM-DD (for example 2026-09-30)"
            )
        else:
            message = f"{shown} cannot be read as a value ({error}); put it in quotes"
        raise _problem(path, node, at, message) from None


def _construct(
    loader: yaml.SafeLoader,  # or its C twin
    node: yaml.Node,
    at: FieldPath,
    path: Path,
    doc: _Document,
) -> Any:
    """Build plain Python values from YAML nodes, noting where each field path was written."""
    if node.tag not in _PLAIN_TAGS:
        raise _problem(
            path, node, at, f"the YAML tag {node.tag!r} is not allowed; write plain values only"
        )
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                raise _problem(
                    path,
                    key_node,
                    at,
                    "'<<' (a YAML merge key) is not supported; write the keys out in full",
                )
            if not isinstance(key_node, yaml.ScalarNode):
                raise _problem(path, key_node, at, "a key must be plain text, not a list or map")
            key = _scalar(loader, key_node, at, path)
            if not isinstance(key, str):
                key = str(key)
            _check_text(path, key_node, at, key, MAX_KEY)
            here = (*at, key)
            line = key_node.start_mark.line + 1
            if key in result:
                first = doc.lines[here][1]
                raise _problem(
                    path, line, here, f"is written twice (first on line {first}); keep one"
                )
            doc.lines[here] = (path, line)
            result[key] = _construct(loader, value_node, here, path, doc)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            doc.lines[(*at, index)] = (path, item.start_mark.line + 1)
            items.append(_construct(loader, item, (*at, index), path, doc))
        return items
    value = _scalar(loader, node, at, path)
    if isinstance(value, str):
        _check_text(path, node, at, value, MAX_TEXT)
    elif isinstance(value, bool | int | float):
        doc.typed[at] = node.value
    return value


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
    typed = {p: t for p, t in base.typed.items() if p in lines and p not in override.lines}
    typed.update(override.typed)
    return _Document(merge(base.data, override.data), lines, typed)


def _value_at(data: Any, path: FieldPath) -> Any:
    for part in path:
        data = data[part]
    return data


def _dotted(path: FieldPath) -> str:
    """``a.b[2].c``; a key with a control character or a mark shown escaped, never raw."""
    out = ""
    for part in path:
        if isinstance(part, str) and (_CONTROL.search(part) or not part.isprintable()):
            part = printable(part)
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
    if error.get("input", "") is None and kind != "missing":  # 'key:' or '- ' with nothing
        return "is empty: write a value after it, or delete the line"
    if kind in ("enum", "literal_error"):  # pydantic's: "Input should be 'a', 'b' or 'c'"
        expected = error.get("ctx", {}).get("expected", "")
        return f"must be one of {expected}, got {error.get('input')!r}"
    message = _FRIENDLY.get(kind)
    if message and kind != "missing" and "input" in error:
        return f"{message}, got {error['input']!r}"
    if message:
        return message
    text = str(error.get("msg", kind))
    return text.removeprefix("Value error, ")


def _problems(
    doc: _Document,
    fallback: Path,
    error: ValidationError,
    schema: type[BaseModel] = Setting,
    authority: str | None = None,
) -> list[Problem]:
    """Each validation error as a Problem at the line that wrote it (``schema``: what the
    document validates as, the core and the declared facts for a setting; ``authority``:
    the setting's local authority, if it names one)."""
    problems = []
    for item in error.errors():
        loc: FieldPath = tuple(item["loc"])
        cause = item.get("ctx", {}).get("error")
        if isinstance(cause, FieldProblem):
            loc = (*loc, *cause.path)
        message = _describe(item)
        if item["type"] == "missing":
            message += _declared_question(schema, loc)
        typed = doc.typed.get(loc)
        if item["type"] == "string_type" and typed is not None:
            message = _typed_as_text(typed, item.get("input"))
        if item["type"] == "extra_forbidden" and loc in MOVED_TO_AUTHORITY:
            message = _moved_to_authority(loc, authority)
        elif item["type"] == "extra_forbidden":
            key = str(loc[-1])
            model = _model_at(schema, loc[:-1])
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


def _moved_to_authority(loc: FieldPath, authority: str | None) -> str:
    """Why a LADO, front door, partnership or advice service written in a settings file is
    refused: an area's routes come whole from its register entry, never key by key."""
    entry = f"{AUTHORITIES_DIR}/{authority}.yml" if authority else f"{AUTHORITIES_DIR}/<name>.yml"
    return (
        "is a fact of the local authority, not of a setting or the federation: it comes "
        f"from the register entry settings/{entry} (its '{MOVED_TO_AUTHORITY[loc]}'), so "
        "that the routes of two areas never mix; delete it here, and correct the entry if "
        "it is wrong"
    )


def _declared_question(schema: type[BaseModel], loc: FieldPath) -> str:
    """For a missing fact a policy declared, what to write: its question, or for a
    missing group, its facts and the policy that declares them."""
    from policy_sites.settings.facts import declared_facts

    facts = declared_facts(schema)  # type: ignore[arg-type]
    path = tuple(str(part) for part in loc)
    for fact in facts:
        if fact.path == path:
            return f" ({fact.source.name} asks: {fact.declaration.question})"
    members = [f for f in facts if f.group is not None and (f.group,) == path and f.needed]
    if members:
        names = ", ".join(f.name for f in members)
        return f" (the facts {members[0].source.name} declares: {names})"
    return ""


def _typed_as_text(typed: str, value: Any) -> str:
    """Where text was expected and YAML read a number or true/false from what was typed."""
    kind = "true/false" if isinstance(value, bool) else "a number"
    shown = str(value).lower() if isinstance(value, bool) else repr(value)
    quoted = f"'{typed}'"
    if typed != shown:
        return (
            f"expected text; YAML reads {typed} as {kind}, {shown}, not as typed: "
            f"put it in quotes, {quoted}"
        )
    return f"expected text, got {kind}, {typed}: put it in quotes, {quoted}"


def _locate(doc: _Document, loc: FieldPath, fallback: Path) -> tuple[Path, int]:
    """The line that wrote ``loc``, or the nearest enclosing one that was written."""
    for end in range(len(loc), 0, -1):
        if loc[:end] in doc.lines:
            return doc.lines[loc[:end]]
    return fallback, 1


@dataclass(frozen=True)
class WrittenText:
    """One text value of a setting, and where it was written: the field (as the loader's
    messages name it), the file (the setting's own or the federation's defaults), the line."""

    field: str
    text: str
    file: Path
    line: int


def _merged(settings_dir: Path, path: Path) -> _Document:
    """A settings file read, with the federation's defaults under it (not validated)."""
    doc = read_yaml_document(path)
    defaults_path = settings_dir / DEFAULTS_FILE
    if defaults_path.exists():
        doc = _merge(read_yaml_document(defaults_path), doc)
    return doc


def _docs_dir(settings_dir: Path, docs_dir: Path | None) -> Path:
    """Where the shared policies' sources are: ``docs_dir``, or by default the ``docs``
    folder beside the settings folder, as in every project."""
    return docs_dir or settings_dir.parent / "docs"


def declared_staff_only(docs_dir: Path) -> list[FieldPath]:
    """Where a setting writes each fact a policy's source declares ``staff_only: true``:
    secret as ``staff_only`` is, so never quoted in a message. No paths if a declaration is
    bad (loading any setting then fails on that, before it quotes a value)."""
    from policy_sites.settings.facts import DeclarationError, read_catalog

    try:
        facts = read_catalog(docs_dir).facts()
    except (DeclarationError, OSError, ValueError):
        return []
    return [fact.path for fact in facts if fact.declaration.staff_only]


def _staff_only_in(doc: _Document, declared: Iterable[FieldPath]) -> list[Any]:
    """The staff-only values of unvalidated data as YAML read them (a number, a date),
    each also as it was typed; ``declared``: the paths of the facts declared staff-only."""
    found = staff_only_values(doc.data, declared)
    return [*found.values(), *(doc.typed[at] for at in found if at in doc.typed)]


def staff_only_values_of(settings_dir: Path, slug: str, docs_dir: Path | None = None) -> list[Any]:
    """The staff-only values of a setting, to redact from a message, read from its file
    as written: an invalid file has them too (a number or a date where text belongs,
    say). None if the file cannot be read as YAML (its messages quote no values). The
    facts declared staff-only come from ``docs_dir``, as for ``load_setting``."""
    declared = declared_staff_only(_docs_dir(settings_dir, docs_dir))
    try:
        return _staff_only_in(_merged(settings_dir, settings_dir / f"{slug}.yml"), declared)
    except (SettingsError, OSError, ValueError):
        return []


def written_texts(settings_dir: Path, slug: str) -> list[WrittenText]:
    """Every text value of a setting (defaults merged as the loader merges them, and its
    local authority's entry), each with where an editor changes it; for pointing at the
    value a finding about a page quotes."""
    path = settings_dir / f"{slug}.yml"
    doc = _merged(settings_dir, path)
    name = doc.data.get("local_authority")
    if isinstance(name, str) and missing_authority(settings_dir, name) is None:
        _graft(doc, ("local_authority",), _authority_document(settings_dir, name))
    return [
        WrittenText(_dotted(at), text, *_locate(doc, at, path)) for at, text in texts_in(doc.data)
    ]


def field_name(path: FieldPath) -> str:
    """How messages name a field: ``a.b[2].c``."""
    return _dotted(path)


def field_lines(path: Path) -> dict[FieldPath, int]:
    """The line on which each field path is written in one settings file (no validation)."""
    return {at: line for at, (_, line) in read_yaml_document(path).lines.items()}


def read_mapping(path: Path) -> dict | None:
    """A settings file's plain data, for a quick look at a key without validating it;
    None if it cannot be read or is not a mapping (loading it properly says why)."""
    try:
        return read_yaml_document(path).data
    except SettingsError:
        return None


def copy_shared_files(source: Path, target: Path) -> None:
    """Copy what every setting is read with, the federation defaults and the register of
    local authorities, from one settings folder to another (made if need be)."""
    target.mkdir(parents=True, exist_ok=True)
    if (source / DEFAULTS_FILE).is_file():
        shutil.copy2(source / DEFAULTS_FILE, target / DEFAULTS_FILE)
    if (source / AUTHORITIES_DIR).is_dir():
        shutil.copytree(source / AUTHORITIES_DIR, target / AUTHORITIES_DIR, dirs_exist_ok=True)


def setting_slugs(settings_dir: Path) -> list[str]:
    """Every setting's slug: the file name of each ``*.yml`` not starting with ``_``."""
    return sorted(p.stem for p in settings_dir.glob("*.yml") if not p.name.startswith("_"))


def missing_setting(settings_dir: Path, slug: str) -> str | None:
    """Why no settings file has this (well-formed) name, with the nearest that does; None
    if one has."""
    if (settings_dir / f"{slug}.yml").exists():  # a pipe or folder: reading it says so
        return None
    available = setting_slugs(settings_dir)
    guess = difflib.get_close_matches(slug, available, n=1)
    hint = f"; did you mean {guess[0]!r}?" if guess else f"; settings: {', '.join(available)}"
    return f"no such setting {slug!r}{hint}"


def authority_ids(settings_dir: Path) -> list[str]:
    """Every local authority in the register: each ``*.yml`` in settings/local_authorities/
    not starting with ``_`` (the template is ``_template.yml``)."""
    folder = settings_dir / AUTHORITIES_DIR
    return sorted(p.stem for p in folder.glob("*.yml") if not p.name.startswith("_"))


def missing_authority(settings_dir: Path, name: str) -> str | None:
    """Why no register entry has this name, and how to add one; None if one has."""
    if AUTHORITY_ID.match(name) is None:
        return (
            f"{name!r} is not the name of a local authority's entry: write the name of its "
            "file in settings/local_authorities/ without '.yml', in lower case with "
            "hyphens, e.g. 'kent' or 'east-sussex'"
        )
    if (settings_dir / AUTHORITIES_DIR / f"{name}.yml").is_file():
        return None
    known = authority_ids(settings_dir)
    guess = difflib.get_close_matches(name, known, n=1)
    hint = (
        f"did you mean {guess[0]!r}? Or add"
        if guess
        else f"the register has: {', '.join(known) or 'no entries yet'}. Add"
    )
    return (
        f"there is no entry for the local authority {name!r}: {hint} "
        f"settings/{AUTHORITIES_DIR}/{name}.yml: copy the template "
        f"settings/{AUTHORITIES_DIR}/{TEMPLATE_FILE}, and fill in each route with the page it "
        "came from and the day you checked it (the editor's guide, step 9, 'Add a local "
        "authority')"
    )


def _authority_document(settings_dir: Path, name: str) -> _Document:
    """A register entry's plain data and lines; a value still holding the template's
    placeholder is refused here, as an entry is complete or refused."""
    path = settings_dir / AUTHORITIES_DIR / f"{name}.yml"
    doc = read_yaml_document(path)
    unfilled = [
        Problem(*_locate(doc, at, path), _dotted(at), "still holds the template's placeholder: "
                "write the fact, with its source")
        for at, text in texts_in(doc.data)
        if is_placeholder(text)
    ]  # fmt: skip
    if unfilled:
        raise SettingsError(unfilled)
    return doc


def load_authority(settings_dir: Path, name: str) -> LocalAuthority:
    """Read and validate one local authority's register entry, whole; raise SettingsError
    naming every problem, as for a settings file."""
    return _read_authority(settings_dir, name)[0]


def _read_authority(settings_dir: Path, name: str) -> tuple[LocalAuthority, _Document]:
    path = settings_dir / AUTHORITIES_DIR / f"{name}.yml"
    if missing := missing_authority(settings_dir, name):
        raise SettingsError([Problem(path, None, "", missing)])
    doc = _authority_document(settings_dir, name)
    try:
        return LocalAuthority.model_validate(doc.data), doc
    except ValidationError as error:
        raise SettingsError(_problems(doc, path, error, LocalAuthority)) from None


def _graft(doc: _Document, at: FieldPath, inner: _Document) -> None:
    """Put another file's document at ``at`` in ``doc``, each of its lines still naming
    its own file."""
    doc.data[at[0]] = inner.data
    doc.lines.update({(*at, *p): where for p, where in inner.lines.items()})
    doc.typed.update({(*at, *p): typed for p, typed in inner.typed.items()})


def _resolve_authority(settings_dir: Path, doc: _Document, path: Path) -> list[Problem]:
    """Replace the local authority's name in ``doc`` with its validated entry; the problems
    if the setting names none, or one without a complete entry."""
    key = ("local_authority",)
    name = doc.data.get("local_authority")
    if name is None:
        known = authority_ids(settings_dir)
        choices = f" (the register has: {', '.join(known)})" if known else ""
        message = (
            "names no local authority, so the policies cannot give the area's LADO, front "
            f"door or safeguarding partnership: add 'local_authority: <name>'{choices} to "
            f"this file, or to {DEFAULTS_FILE} for every setting"
        )
        return [Problem(path, None, "local_authority", message)]
    where = doc.lines.get(key, (path, None))
    if is_placeholder(name):
        known = authority_ids(settings_dir)
        message = (
            "is still a placeholder: write the name of the setting's local authority's "
            f"entry in settings/{AUTHORITIES_DIR}/ (the register has: "
            f"{', '.join(known) or 'no entries yet'}); for an area not there yet, add it: "
            f"copy settings/{AUTHORITIES_DIR}/{TEMPLATE_FILE} (the editor's guide, step 9, "
            "'Add a local authority')"
        )
        return [Problem(*where, "local_authority", message)]
    if not isinstance(name, str):
        message = f"expected the name of a local authority's entry, such as 'kent', got {name!r}"
        return [Problem(*where, "local_authority", message)]
    if missing := missing_authority(settings_dir, name):
        return [Problem(*where, "local_authority", missing)]
    try:
        entry, entry_doc = _read_authority(settings_dir, name)
    except SettingsError as error:
        return error.problems
    _graft(doc, key, entry_doc)
    doc.data["local_authority"] = entry
    return []


def setting_model(docs_dir: Path, data: Mapping[str, Any] | None = None) -> type[Setting]:
    """The settings model: the core schema and the facts the shared policies in
    ``docs_dir`` declare, those of the policies ``data`` publishes required (None: the
    schema for editors' tools). A bad declaration is a SettingsError naming its file."""
    from policy_sites.settings.facts import DeclarationError, read_catalog

    try:
        catalog = read_catalog(docs_dir)
    except DeclarationError as error:
        raise SettingsError(Problem(*found) for found in error.problems) from None
    if data is None:
        return catalog.model()
    policies = data.get("policies")
    return catalog.model(list(policies) if isinstance(policies, Mapping) else [])


def load_setting(
    settings_dir: Path,
    slug: str,
    known_policies: Iterable[str] | None = None,
    docs_dir: Path | None = None,
) -> Setting:
    """Read, merge and validate one setting; raise SettingsError naming every problem.

    The facts its policies declare come from ``docs_dir`` (by default the ``docs``
    folder beside the settings folder, as in every project)."""
    bad_name = slug_problem(slug)
    if bad_name:
        plain = slug.isprintable() and len(slug) <= MAX_KEY
        shown = settings_dir / f"{slug}.yml" if plain else settings_dir
        raise SettingsError([Problem(shown, None, "", f"the file's name: {bad_name}")])
    path = settings_dir / f"{slug}.yml"
    if missing := missing_setting(settings_dir, slug):
        raise SettingsError([Problem(path, 0, "", missing)])
    doc = _merged(settings_dir, path)
    docs_dir = _docs_dir(settings_dir, docs_dir)
    schema = setting_model(docs_dir, doc.data)
    authority = doc.data.get("local_authority")
    authority = authority if isinstance(authority, str) else None
    problems = _resolve_authority(settings_dir, doc, path)
    if problems:  # validate the rest too, so that every problem is named at once
        doc.data.pop("local_authority", None)
    try:
        setting = schema.model_validate(doc.data)
    except ValidationError as error:
        found = _problems(doc, path, error, schema, authority=authority)
        problems += [p for p in found if not (problems and p.field == "local_authority")]
    if problems:
        # A message may quote a value (how it was typed, too): never a staff-only one.
        redact = Redactor(_staff_only_in(doc, declared_staff_only(docs_dir)))
        raise SettingsError(replace(p, message=redact(p.message)) for p in problems)
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
