"""Facts a shared policy declares in its own front matter, and the settings model they make.

A policy needs facts beyond the core schema (what every policy shares: the setting's name,
provisions, DSLs, contact routes, dates …). Its source, ``docs/policies/<id>.md``,
declares them beside the text that uses them::

    facts:
      missing_child:                 # a group: a top-level key of a settings file
        search_areas:
          kind: list
          question: Where do staff search first when a child is missing?
          frame: "Staff search {} first."
          example: [the garden, the toilets]

A setting's model is the core :class:`~policy_sites.settings.schema.Setting` extended
with the declared facts by pydantic's ``create_model``, so a declared fact is validated,
located and "did you mean"-ed exactly as a core one, and a policy is added without Python.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    HttpUrl,
    SerializerFunctionWrapHandler,
    TypeAdapter,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapSerializer,
    WrapValidator,
    create_model,
    model_validator,
)
from pydantic.fields import FieldInfo

from policy_sites.settings.schema import (
    ContactRoute,
    DateField,
    FieldProblem,
    ManagerPhrase,
    Phrase,
    Setting,
    _frame,
    _Model,
    is_placeholder,
)

__all__ = [
    "DeclaredFact",
    "FactDeclaration",
    "FactKind",
    "PolicyCatalog",
    "PolicySource",
    "declared_facts",
    "draft_ids",
    "read_catalog",
    "scaffold_policy",
]

POLICIES_DIR = "policies"
GAP = "{}"
"""Marks, in a declared frame, where the value goes."""


class FactKind(StrEnum):
    """What a declared fact holds, which decides how it is validated and asked."""

    PHRASE = "phrase"
    LIST = "list"
    CHOICE = "choice"
    YES_NO = "yes_no"
    DATE = "date"
    PERSON = "person"
    CONTACT_ROUTE = "contact_route"
    WEB_ADDRESS = "web_address"
    RECORDS = "records"
    """A list of records, each with the same ``fields`` (a setting's official accounts:
    platform, address, who runs it)."""


RECORD_FIELD_KINDS = frozenset(
    {FactKind.PHRASE, FactKind.PERSON, FactKind.YES_NO, FactKind.CHOICE, FactKind.DATE,
     FactKind.WEB_ADDRESS, FactKind.LIST}
)  # fmt: skip
"""What a record's field may hold: one value each (no records within records)."""


class FactDeclaration(BaseModel):
    """One fact as a policy's front matter declares it (the importer writes this format)."""

    model_config = {"extra": "forbid", "frozen": True}

    kind: FactKind
    question: str = Field(min_length=1)
    frame: str | None = None
    example: Any = None
    choices: list[str] | None = None
    default: Any = None
    staff_only: bool = False
    optional: bool = False
    """May be left out altogether (the source tests it: ``{% if group.fact %}``)."""
    fields: dict[str, FactDeclaration] | None = None
    """A record's fields, by name (``records`` only)."""

    @model_validator(mode="after")
    def _fits_its_kind(self) -> FactDeclaration:
        if self.kind in (FactKind.PHRASE, FactKind.LIST) and not self.frame:
            raise ValueError(f"a {self.kind} needs 'frame', the sentence it completes")
        if self.kind is FactKind.RECORDS:
            if not self.fields:
                raise ValueError("a records fact needs 'fields', each record's facts")
            for name, inner in self.fields.items():
                if not name.isidentifier() or name.startswith("_"):
                    raise ValueError(f"field {name!r}: a name is letters, digits and '_'")
                if inner.kind not in RECORD_FIELD_KINDS:
                    raise ValueError(
                        f"field {name!r}: a record's field is one of: "
                        + ", ".join(sorted(RECORD_FIELD_KINDS))
                    )
                if inner.staff_only and not self.staff_only:
                    raise ValueError(
                        f"field {name!r}: mark the whole records fact staff_only instead"
                    )
        elif self.fields is not None:
            raise ValueError("only a records fact has 'fields'")
        if self.frame is not None and self.frame.count(GAP) != 1:
            raise ValueError(f"'frame' must hold '{GAP}' once, where the value goes")
        if self.kind is FactKind.CHOICE:
            if not self.choices:
                raise ValueError("a choice needs 'choices', the answers it allows")
            if self.default is not None and self.default not in self.choices:
                raise ValueError(f"default {self.default!r} is not one of its choices")
        elif self.choices is not None:
            raise ValueError("only a choice has 'choices'")
        if self.default is not None and self.optional:
            raise ValueError("a fact with a default is never missing: leave out 'optional'")
        if self.has_default:  # a default is a value a setting could write: it must fit
            try:
                TypeAdapter(_annotation(self)).validate_python(self.default)
            except ValidationError as error:
                reason = str(error.errors()[0]["msg"]).removeprefix("Value error, ")
                raise ValueError(
                    f"default {self.default!r} is not a {self.kind}: {reason}"
                ) from None
        return self

    @property
    def has_default(self) -> bool:
        return "default" in self.model_fields_set

    @property
    def required(self) -> bool:
        return not (self.has_default or self.optional)

    @property
    def sentence(self) -> str | None:
        """The frame as the schema's descriptions write it, '…' for the gap."""
        if not self.frame:
            return None
        frame = self.frame.removesuffix(".") if self.frame.endswith(GAP + ".") else self.frame
        return frame.replace(GAP, "…")

    def shown_example(self) -> str:
        example = self.example if self.example is not None else self.default
        if isinstance(example, list | tuple):
            return str(example[0]) if example else ""
        return (
            ""
            if example is None
            else str(example).lower()
            if isinstance(example, bool)
            else str(example)
        )


@dataclass(frozen=True)
class DeclaredFact:
    """A fact, where a setting writes it, and which policy's source declares it."""

    group: str | None
    name: str
    declaration: FactDeclaration
    source: Path
    group_optional: bool = False
    """Its group may be left out whole (``optional: true`` beside the group's facts)."""
    line: int = 1
    """The line of its source that declares it."""
    needed_when: str | None = None
    """Its group is needed only when this is true of the setting (a CONDITIONS key)."""

    @property
    def needed(self) -> bool:
        """Whether every setting publishing its policy must give it."""
        return self.declaration.required and not self.group_optional and not self.needed_when

    def needed_if(self, conditions: Mapping[str, bool]) -> bool:
        """Whether a setting publishing its policy, of whom ``conditions`` are true or
        not ('school_age': True), must give it."""
        return (
            self.declaration.required
            and not self.group_optional
            and (self.needed_when is None or conditions.get(self.needed_when, False))
        )

    @property
    def path(self) -> tuple[str, ...]:
        return (self.group, self.name) if self.group else (self.name,)

    @property
    def dotted(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True)
class PolicySource:
    """One shared policy's source: its id, title, whether a draft, and its facts."""

    id: str
    title: str | None
    draft: bool
    path: Path
    facts: tuple[DeclaredFact, ...]
    optional_groups: frozenset[str]
    conditional_groups: frozenset[tuple[str, str]] = frozenset()
    """(group, condition): a group needed only where the condition holds."""
    topics: tuple[str, ...] = ()
    """What the policy is about, in a parent's words ('phones', 'cameras'): the summary
    pages say the setting "keeps children safe around" the topics of what it publishes."""


class DeclarationError(Exception):
    """A policy's declarations cannot be used: (file, line, field, message) for each."""

    def __init__(self, problems: list[tuple[Path, int | None, str, str]]) -> None:
        self.problems = problems
        super().__init__("\n".join(f"{f}:{line or 1}: {at}: {m}" for f, line, at, m in problems))


_GROUP_KEYS = {"optional", "needed_when"}
"""A group's own settings, beside its facts: ``optional: true`` lets a setting leave the
whole group out (the source tests it, ``{% if photos %}``); ``needed_when: school_age``
needs it only of a setting where that is true (and lets the others leave it out)."""

CONDITIONS: dict[str, tuple[str, str]] = {
    "school_age": ("has_school_age", "a provision has school_age: true"),
    "early_years": ("has_early_years", "early years children attend"),
}
"""What ``needed_when`` may name: the sources' variable, the setting's property that
says it, and how an error says it."""


def _read_source(path: Path) -> PolicySource:
    from policy_sites.settings.front_matter import split_front_matter
    from policy_sites.settings.loader import SettingsError, read_yaml_text

    text = path.read_text(encoding="utf-8")
    front, _, _ = split_front_matter(text)
    meta: dict[str, Any] = {}
    lines: dict[tuple[Any, ...], int] = {}
    if front.strip():
        try:
            doc = read_yaml_text(path, front)
        except SettingsError as error:
            raise DeclarationError(
                [(p.file, (p.line or 0) + 1, p.field, p.message) for p in error.problems]
            ) from None
        meta = doc.data
        lines = {at: line + 1 for at, (_, line) in doc.lines.items()}  # after the first '---'

    def problem(at: tuple[Any, ...], message: str) -> tuple[Path, int | None, str, str]:
        line = next((lines[at[:n]] for n in range(len(at), 0, -1) if at[:n] in lines), 1)
        return path, line, ".".join(str(p) for p in at), message

    problems = []
    facts: list[DeclaredFact] = []
    optional_groups: set[str] = set()
    conditional: dict[str, str] = {}
    declared = meta.get("facts") or {}
    if not isinstance(declared, Mapping):
        problems.append(problem(("facts",), "expected a mapping of groups of facts"))
        declared = {}
    for group, body in declared.items():
        if not isinstance(body, Mapping):
            problems.append(problem(("facts", group), "expected a mapping of facts"))
            continue
        if "kind" in body:  # a fact written at the top level of a settings file
            entries: Mapping[str, Any] = {group: body}
            group_name = None
        else:
            entries, group_name = body, group
            if body.get("optional") is True:
                optional_groups.add(group)
            if (condition := body.get("needed_when")) is not None:
                if condition not in CONDITIONS:
                    problems.append(
                        problem(("facts", group, "needed_when"),
                                "must be one of: " + ", ".join(CONDITIONS))
                    )  # fmt: skip
                else:
                    conditional[group] = str(condition)
        for name, spec in entries.items():
            at = ("facts", group) if group_name is None else ("facts", group, name)
            if group_name is not None and name in _GROUP_KEYS:
                continue
            if not str(name).isidentifier() or str(name).startswith("_"):
                problems.append(problem(at, "a fact's name is letters, digits and '_'"))
                continue
            try:
                decl = FactDeclaration.model_validate(spec)
            except ValidationError as error:
                problems += [problem((*at, *item["loc"]), _said(item)) for item in error.errors()]
                continue
            in_optional = group_name is not None and group_name in optional_groups
            line = problem(at, "")[1] or 1
            when = conditional.get(group_name) if group_name else None
            facts.append(DeclaredFact(group_name, str(name), decl, path, in_optional, line, when))
    topics = meta.get("topics") or []
    if not isinstance(topics, list) or not all(isinstance(t, str) and t.strip() for t in topics):
        problems.append(problem(("topics",), "expected a list of words, e.g. [phones, cameras]"))
        topics = []
    if problems:
        raise DeclarationError(problems)
    title = meta.get("title")
    return PolicySource(
        id=str(meta.get("policy_id") or path.stem),
        title=str(title) if title else None,
        draft=meta.get("draft") is True,
        path=path,
        facts=tuple(facts),
        optional_groups=frozenset(optional_groups),
        conditional_groups=frozenset(conditional.items()),
        topics=tuple(" ".join(t.split()) for t in topics),
    )


def _said(item: Any) -> str:
    """A declaration's mistake as the loader words a settings file's, with the keys a
    declaration may have for an unknown one."""
    from policy_sites.settings.loader import _describe

    if item["type"] != "extra_forbidden":
        return _describe(item)
    key, known = str(item["loc"][-1]), list(FactDeclaration.model_fields)
    guess = difflib.get_close_matches(key, known, n=1)
    hint = f"did you mean {guess[0]!r}?" if guess else "expected one of: " + ", ".join(known)
    return f"unknown key {key!r}; {hint}"


@dataclass(frozen=True)
class PolicyCatalog:
    """Every shared policy's source in docs/policies/ and the facts they declare."""

    policies: tuple[PolicySource, ...]

    @property
    def ids(self) -> list[str]:
        return [p.id for p in self.policies]

    def facts(self, published: Iterable[str] | None = None) -> list[DeclaredFact]:
        """Each declared fact once (of the policies ``published``, or of all)."""
        chosen = None if published is None else set(published)
        found: dict[tuple[str, ...], DeclaredFact] = {}
        for policy in self.policies:
            if chosen is None or policy.id in chosen:
                for fact in policy.facts:
                    found.setdefault(fact.path, fact)
        return list(found.values())

    def check(self) -> None:
        """Refuse two policies declaring one fact differently, or a fact the core has."""
        problems = []
        seen: dict[tuple[str, ...], DeclaredFact] = {}
        groups: dict[str, DeclaredFact] = {}
        for policy in self.policies:
            if policy.id != policy.path.stem:
                problems.append(
                    (policy.path, None, "policy_id",
                     f"{policy.id!r} is not the file's name: a policy's id is its file's "
                     f"name, so rename the file to {policy.id}.md or write "
                     f"policy_id: {policy.path.stem}")
                )  # fmt: skip
            for fact in policy.facts:
                top = fact.path[0]
                if top in Setting.model_fields:
                    problems.append(
                        (fact.source, None, f"facts.{fact.dotted}",
                         f"{top!r} is in the core schema already: choose another name")
                    )  # fmt: skip
                    continue
                other = groups.get(top)
                if other and (other.group is None) != (fact.group is None):
                    problems.append(
                        (fact.source, None, f"facts.{fact.dotted}",
                         f"{top!r} is a group in one policy and a fact in another "
                         f"({other.source.name})")
                    )  # fmt: skip
                groups.setdefault(top, fact)
                first = seen.setdefault(fact.path, fact)
                if first.declaration != fact.declaration:
                    problems.append(
                        (fact.source, None, f"facts.{fact.dotted}",
                         f"is declared differently in {first.source.name} and "
                         f"{fact.source.name}: make the two declarations the same")
                    )  # fmt: skip
        if problems:
            raise DeclarationError(problems)

    def optional_groups(self) -> set[str]:
        return {g for p in self.policies for g in p.optional_groups}

    def model(self, published: Iterable[str] | None = None) -> type[Setting]:
        """The settings model for a setting publishing ``published`` (None: the schema
        for editors, every declared fact allowed and none required)."""
        chosen = None if published is None else frozenset(published)
        key = (self._key(), chosen)
        if key not in _MODELS:
            _MODELS[key] = self._build(chosen)
        return _MODELS[key]

    def _key(self) -> str:
        return json.dumps(
            [
                [p.id, sorted(p.optional_groups), sorted(p.conditional_groups)]
                + [[f.dotted, f.declaration.model_dump(mode="json")] for f in p.facts]
                for p in self.policies
            ],
            sort_keys=True,
            default=str,
        )

    def _build(self, published: frozenset[str] | None) -> type[Setting]:
        needed = {f.path for f in self.facts(published)} if published is not None else set()
        fields: dict[str, Any] = {}
        grouped: dict[str, list[DeclaredFact]] = {}
        for fact in self.facts():
            if fact.group is None:
                fields[fact.name] = _field(fact, fact.path in needed)
            else:
                grouped.setdefault(fact.group, []).append(fact)
        optional = self.optional_groups()
        conditional: list[tuple[str, str, list[DeclaredFact]]] = []
        for group, facts in grouped.items():
            inner = {f.name: _field(f, True) for f in facts}
            group_model = create_model(  # type: ignore[call-overload]
                _class_name(group), __base__=_Model, __doc__=f"Facts about {group}.", **inner
            )
            is_needed = any(f.path in needed for f in facts)
            if published is None:  # editors' schema: null only where a group may be left out
                fields[group] = (group_model | None if group in optional else group_model, None)
            elif group in optional or not is_needed:
                fields[group] = (group_model | None, None)
            elif condition := facts[0].needed_when:
                fields[group] = (group_model | None, None)
                conditional.append((group, condition, facts))
            elif any(f.declaration.required for f in facts):
                fields[group] = (group_model, ...)
            else:
                fields[group] = (group_model, Field(default_factory=group_model))
        validators = {"_declared_conditions": _conditions_check(conditional)} if conditional else {}
        model = create_model(  # type: ignore[call-overload]
            "Setting",
            __base__=Setting,
            __doc__=Setting.__doc__,
            __validators__=validators,
            **fields,
        )
        _DECLARED[model] = tuple(self.facts())
        return model


_MODELS: dict[tuple[str, frozenset[str] | None], type[Setting]] = {}
_DECLARED: dict[type, tuple[DeclaredFact, ...]] = {}
_CATALOGS: dict[Path, tuple[tuple[Any, ...], PolicyCatalog]] = {}
"""Each docs folder's catalog, with the files' names, times and sizes it was read from."""


def _conditions_check(conditional: list[tuple[str, str, list[DeclaredFact]]]) -> Any:
    """A model check: each group ``needed_when`` a condition is given where it holds."""

    def check(setting: Any) -> Any:
        for group, condition, facts in conditional:
            attribute, words = CONDITIONS[condition]
            if getattr(setting, attribute) and getattr(setting, group) is None:
                asks = " ".join(f.declaration.question for f in facts if f.declaration.required)
                raise FieldProblem(
                    (group,),
                    f"{words}, so '{group}' is needed ({facts[0].source.name} asks: {asks})",
                )
        return setting

    return model_validator(mode="after")(check)


def _class_name(group: str) -> str:
    return "".join(part.title() for part in group.split("_")) + "Facts"


def _or_placeholder(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """``new`` writes a placeholder where it was not told a choice, a yes/no, a date or
    a web address: it stands until ``check`` (which reports it) sees it replaced."""
    return value if is_placeholder(value) else handler(value)


def _placeholder_as_is(value: Any, handler: SerializerFunctionWrapHandler) -> Any:
    """A placeholder is dumped as the text it is (``placeholders_in`` finds it), never
    through the serializer of the value it stands for (a date's would fail)."""
    return value if is_placeholder(value) else handler(value)


def _placeholder_allowed(inner: Any) -> Any:
    """``inner`` (a value that is not text), or ``new``'s placeholder until filled in."""
    return Annotated[inner, WrapValidator(_or_placeholder), WrapSerializer(_placeholder_as_is)]


def _one_item(value: Any) -> Any:
    """A list written as one line of text is a list of one (``approved_by: the Owner``)."""
    return [value] if isinstance(value, str) else value


def _annotation(decl: FactDeclaration, name: str = "record") -> Any:
    kind = decl.kind
    if kind is FactKind.PHRASE:
        return Phrase
    if kind is FactKind.PERSON:
        return ManagerPhrase
    if kind is FactKind.LIST:
        return Annotated[list[Phrase], Field(min_length=1), BeforeValidator(_one_item)]
    if kind is FactKind.CONTACT_ROUTE:
        return ContactRoute
    if kind is FactKind.WEB_ADDRESS:
        return _placeholder_allowed(HttpUrl)
    if kind is FactKind.RECORDS:
        fields = {
            field: _declaration_field(inner, needed=True)
            for field, inner in (decl.fields or {}).items()
        }
        record = create_model(  # type: ignore[call-overload]
            _class_name(name).removesuffix("Facts") + "Record",
            __base__=_Model,
            __doc__=decl.question,
            **fields,
        )
        return list[record]  # type: ignore[valid-type]
    inner: Any = {
        FactKind.CHOICE: Literal[tuple(decl.choices or ())],
        FactKind.YES_NO: bool,
        FactKind.DATE: DateField,
    }[kind]
    return _placeholder_allowed(inner)


def _description(decl: FactDeclaration) -> str:
    parts = [decl.question]
    if decl.kind is FactKind.LIST:
        parts.append("One item per line.")  # how they are joined, the question says
    if decl.kind is FactKind.CHOICE:
        parts.append("One of: " + ", ".join(repr(c) for c in decl.choices or ()) + ".")
    if decl.kind is FactKind.RECORDS:
        parts.append("One entry each, with: " + ", ".join(decl.fields or {}) + ".")
    if decl.staff_only:
        parts.append("Staff only: never shown on the parents' view.")
    if decl.sentence:
        parts.append(_frame(decl.sentence, decl.shown_example()))
    elif decl.example is not None:
        parts.append(f"For example: {decl.shown_example()!r}.")
    return " ".join(parts)


def _field(fact: DeclaredFact, needed: bool) -> tuple[Any, FieldInfo]:
    return _declaration_field(fact.declaration, needed, fact.name)


def _declaration_field(
    decl: FactDeclaration, needed: bool, name: str = "record"
) -> tuple[Any, FieldInfo]:
    annotation = _annotation(decl, name)
    description = _description(decl)
    if decl.has_default:
        return annotation, Field(default=decl.default, description=description)
    if decl.optional or not needed:
        return annotation | None, Field(default=None, description=description)
    return annotation, Field(description=description)


def declared_facts(setting_or_model: Setting | type[Setting]) -> tuple[DeclaredFact, ...]:
    """The facts the policies declared, as the model a setting was validated by knows them."""
    model = setting_or_model if isinstance(setting_or_model, type) else type(setting_or_model)
    return _DECLARED.get(model, ())


_SCAFFOLD = """\
---
title: {title}
draft: true
facts:
  {group}:
    example_fact:
      kind: phrase
      question: Rename this fact and write the question a setting answers.
      frame: "Staff {{}} when this policy applies."
      example: tell the Manager
---
{{% import "phrases.md" as say with context %}}
# {title}

{{% include "key-details.md" %}}

## What this policy is for

{{{{ name }}}} wrote this policy with its {{{{ say.community() }}}}.

## What we do

- Staff {{{{ {group}.example_fact }}}} when this policy applies.

## Checking and reviewing this policy

We review this policy {{{{ review_frequency }}}}, and sooner after any concern.
"""


def scaffold_policy(docs_dir: Path, policy_id: str, title: str) -> Path:
    """Write ``docs/policies/<policy_id>.md``: a draft source with one example fact
    declared and used, for an editor to rename and reword (never overwrites)."""
    from policy_sites.settings.names import slug_problem

    if slug_problem(policy_id):
        raise ValueError(
            f"{policy_id!r}: a policy's id is its file's name: lower-case letters, digits "
            "and hyphens, e.g. 'lost-or-missing-child'"
        )
    title = " ".join(title.split())
    if not title or any(mark in title for mark in "{}%#:\"'"):
        raise ValueError("give a title in words, e.g. 'Lost or missing child policy'")
    target = docs_dir / POLICIES_DIR / f"{policy_id}.md"
    group = policy_id.replace("-", "_")
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("x", encoding="utf-8") as out:  # "x": never overwrite an existing policy
        out.write(_SCAFFOLD.format(title=title, group=group))
    return target


def draft_ids(docs_dir: Path) -> set[str]:
    """The policies whose source says ``draft: true``: on no site unless ``--drafts``."""
    return {policy.id for policy in read_catalog(docs_dir).policies if policy.draft}


def read_catalog(docs_dir: Path) -> PolicyCatalog:
    """Every source in ``docs_dir``/policies/, read once while the files are unchanged;
    raises DeclarationError naming each bad declaration's file, line and field."""
    folder = docs_dir / POLICIES_DIR
    paths = sorted(folder.glob("*.md")) if folder.is_dir() else []
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)
    known = _CATALOGS.get(folder)
    if known is None or known[0] != stamp:  # read again after any edit (serve, tests)
        catalog = PolicyCatalog(tuple(_read_source(p) for p in paths))
        catalog.check()
        known = _CATALOGS[folder] = (stamp, catalog)
    return known[1]
