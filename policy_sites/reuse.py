"""Work one process shares between its MkDocs builds, so that the next site costs less.

MkDocs makes a fresh Jinja environment for every build, so every build compiles the
theme's templates again and walks the theme's thousands of files again. A ``Reuse``
keeps, for the lifetime of one federation build, the compiled template bytecode
(checked against each template's source, so an edited template is compiled afresh)
and the theme's file listing.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Any

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

__all__ = ["Reuse"]


class _MemoryBytecodeCache(BytecodeCache):
    """Compiled templates kept in memory, keyed by template and checked by source hash."""

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self._store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()


class Reuse:
    """What one run of builds shares: template bytecode and theme file listings."""

    def __init__(self) -> None:
        self.bytecode = _MemoryBytecodeCache()
        self._listings: dict[tuple[Any, ...], list[str]] = {}
        self._compiled: dict[tuple[Any, ...], Any] = {}
        self._git: dict[str, Any] = {}

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """While building: ask git about the checkout once per run, not 12 times per view."""
        from mkdocs_macros import context

        ask_git = context.get_git_info

        def git_info() -> Any:
            here = os.getcwd()
            if here not in self._git:
                self._git[here] = ask_git()
            return self._git[here]

        context.get_git_info = git_info
        try:
            yield
        finally:
            context.get_git_info = ask_git

    def apply(self, config: Any) -> None:
        """Make ``config``'s theme and mkdocs-macros share this run's compiled templates."""
        self._share_theme(config)
        if "macros" in config.plugins:
            # After every on_config (where mkdocs-macros makes its environment).
            config.plugins.events["pre_build"].insert(
                0, lambda config: self._share_macros(config.plugins["macros"])
            )

    def _share_macros(self, macros: Any) -> None:
        """Compile each page source and partial once per run, not once per site and view."""
        env = macros.env
        env.bytecode_cache = self.bytecode
        compile_ = env.compile

        def compile_once(source: Any, *args: Any, **kwargs: Any) -> Any:
            if not isinstance(source, str):
                return compile_(source, *args, **kwargs)
            key = (source, args, tuple(sorted(kwargs.items())))
            if key not in self._compiled:
                self._compiled[key] = compile_(source, *args, **kwargs)
            return self._compiled[key]

        env.compile = compile_once

    def _share_theme(self, config: Any) -> None:
        theme = config.theme
        make_env: Callable[[], Any] = theme.get_env

        def get_env() -> Any:
            env = make_env()
            env.bytecode_cache = self.bytecode
            env.list_templates = self._cached_listing(env.list_templates, theme)
            return env

        theme.get_env = get_env

    def _cached_listing(self, list_templates: Callable[..., list[str]], theme: Any) -> Callable:
        def cached(extensions: Any = None, filter_func: Any = None) -> list[str]:
            # MkDocs' filter is a fresh closure each build; its code and the theme's
            # static templates (what it closes over) identify what it keeps.
            key = (
                tuple(theme.dirs),
                tuple(extensions or ()),
                getattr(filter_func, "__code__", filter_func),
                tuple(sorted(theme.static_templates)),
            )
            if key not in self._listings:
                self._listings[key] = list_templates(extensions, filter_func)
            return list(self._listings[key])

        return cached
