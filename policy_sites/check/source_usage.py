"""Which settings variables the shared sources use, found by walking their Jinja syntax trees.

A *use* is a dotted path from a template's top-level name, such as
``phones.staff_keep_phones``. List items appear as ``*`` (``dsls.*.name``, through a
``{% for dsl in dsls %}`` loop) and mapping keys as ``[key]`` (``policies.[key].written``,
through ``{% set dates = policies[policy_id] %}``). A use is *whole* when the value is
printed or handed to a filter (so everything inside it counts as used), and a *mention*
when it is only tested (``{% if learning_journal %}``) or counted.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta, nodes
from pydantic import BaseModel

from policy_sites.settings.loader import _strip

__all__ = [
    "ITEM",
    "KEY",
    "Tree",
    "Use",
    "lookup",
    "merge_trees",
    "schema_tree",
    "source_files",
    "uses_in",
    "value_tree",
]

ITEM = "*"
"""Any item of a list."""
KEY = "[key]"
"""Any key of a mapping whose keys are data (such as ``policies``)."""

Tree = dict[str, "Tree"] | None
"""What a variable holds: its keys (each with its own tree), or None for a plain value."""

_COUNTING = {"plural", "length", "count", "first", "last"}


@dataclass(frozen=True)
class Use:
    """One use of a settings variable in a source."""

    path: tuple[str, ...]
    line: int
    whole: bool


def uses_in(source: str, first_line: int = 1) -> list[Use]:
    """Every use of a top-level variable in a Jinja source (names it defines itself aside).

    ``first_line`` is the file line of the source's first line (after any front matter).
    Raises jinja2.TemplateSyntaxError for a source Jinja cannot read.
    """
    tree = _ENVIRONMENT.parse(source)
    free = meta.find_undeclared_variables(tree)
    found: list[Use] = []
    aliases: dict[str, tuple[str, ...]] = {}
    offset = first_line - 1

    def path(node: nodes.Node) -> tuple[str, ...] | None:
        if isinstance(node, nodes.Name):
            if node.name in aliases:
                return aliases[node.name]
            return (node.name,) if node.name in free else None
        if isinstance(node, nodes.Getattr):
            base = path(node.node)
            return None if base is None else (*base, node.attr)
        if isinstance(node, nodes.Getitem):
            base = path(node.node)
            if base is None:
                return None
            arg = node.arg
            if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
                return (*base, arg.value)
            return (*base, ITEM if isinstance(arg, nodes.Const) else KEY)
        return None

    def visit(node: nodes.Node, mention: bool = False) -> None:
        if isinstance(node, nodes.Name | nodes.Getattr | nodes.Getitem):
            found_path = path(node)
            if found_path is not None:
                found.append(Use(found_path, node.lineno + offset, not mention))
                if isinstance(node, nodes.Getitem):
                    visit(node.arg)
                return
        if isinstance(node, nodes.For):
            visit(node.iter, mention=True)
            target = path(_unfiltered(node.iter))
            if isinstance(node.target, nodes.Name) and target is not None:
                aliases[node.target.name] = (*target, ITEM)
            for child in (*node.body, *node.else_):
                visit(child)
            if node.test is not None:
                visit(node.test, mention=True)
            return
        if isinstance(node, nodes.Assign):
            value = path(node.node)
            if isinstance(node.target, nodes.Name) and value is not None:
                aliases[node.target.name] = value
            visit(node.node, mention=True)
            return
        if isinstance(node, nodes.If | nodes.CondExpr):
            visit(node.test, mention=True)
            for child in node.iter_child_nodes():
                if child is not node.test:
                    visit(child)
            return
        if isinstance(node, nodes.Filter) and node.name in _COUNTING and node.node is not None:
            visit(node.node, mention=True)
            for child in (*node.args, *node.kwargs):
                visit(child)
            return
        keeps = isinstance(node, nodes.And | nodes.Or | nodes.Not)
        tests = isinstance(node, nodes.Test | nodes.Compare | nodes.Operand)
        for child in node.iter_child_nodes():
            visit(child, mention=(mention and keeps) or tests)

    visit(tree)
    return found


class _AnyName(dict):
    """Filters and tests by any name: the project's own (macros/) are not checked here."""

    def __contains__(self, name: object) -> bool:
        return True

    def get(self, name: Any, default: Any = None) -> Any:
        return super().get(name, _any_filter)


def _any_filter(value: Any, *args: Any, **kwargs: Any) -> Any:
    return value


_ENVIRONMENT = jinja2.Environment()
_ENVIRONMENT.filters = _AnyName(_ENVIRONMENT.filters)
_ENVIRONMENT.tests = _AnyName(_ENVIRONMENT.tests)


def _unfiltered(node: nodes.Node) -> nodes.Node:
    """``items | sort`` -> ``items``: what a loop really walks over."""
    while isinstance(node, nodes.Filter) and node.node is not None:
        node = node.node
    return node


def schema_tree(annotation: Any) -> Tree:
    """The tree of a pydantic model (or any annotation): field names, ITEM and KEY."""
    annotation = _strip(annotation)
    origin = typing.get_origin(annotation)
    if origin is list:
        return {ITEM: schema_tree(typing.get_args(annotation)[0])}
    if origin is dict:
        return {KEY: schema_tree(typing.get_args(annotation)[1])}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {
            name: schema_tree(info.annotation) for name, info in annotation.model_fields.items()
        }
    return None


def value_tree(value: Any, keyed: frozenset[tuple[str, ...]] = frozenset(),
               at: tuple[str, ...] = ()) -> Tree:  # fmt: skip
    """The tree of a plain value (template variables); ``keyed`` paths hold data keys."""
    if isinstance(value, dict):
        if at in keyed:
            merged: Tree = None
            for item in value.values():
                merged = merge_trees(merged, value_tree(item, keyed, (*at, KEY)))
            return {KEY: merged}
        return {str(k): value_tree(v, keyed, (*at, str(k))) for k, v in value.items()}
    if isinstance(value, list):
        merged = None
        for item in value:
            merged = merge_trees(merged, value_tree(item, keyed, (*at, ITEM)))
        return {ITEM: merged}
    return None


def merge_trees(a: Tree, b: Tree) -> Tree:
    """Everything either tree defines."""
    if a is None or b is None:
        return a if b is None else b
    return {k: merge_trees(a.get(k), b.get(k)) for k in {*a, *b}}


def lookup(tree: Tree, path: tuple[str, ...]) -> int | None:
    """None if ``path`` is defined in ``tree``; else how many parts of it are."""
    node = tree
    for depth, part in enumerate(path):
        if node is None:
            return None  # a plain value: its own attributes (str.upper ...) are Jinja's business
        if part in node:
            node = node[part]
        elif part in (ITEM, KEY) and (ITEM in node or KEY in node):
            node = node.get(part) if part in node else node.get(ITEM, node.get(KEY))
        elif KEY in node:
            node = node[KEY]
        else:
            return depth
    return None


def source_files(docs_dir: Path) -> list[Path]:
    """Every Markdown source under docs/, partials included."""
    return sorted(docs_dir.rglob("*.md"))
