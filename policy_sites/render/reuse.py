"""Work one process shares between its MkDocs builds, so that the next site costs less.

MkDocs makes a fresh Jinja environment for every build, so every build compiles the
theme's templates again and walks the theme's thousands of files again. A ``Reuse``
keeps, for the lifetime of one federation build, the compiled template bytecode
(checked against each template's source, so an edited template is compiled afresh;
optionally also on disk, so the next run starts warm) and the theme's file listing.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from types import CodeType
from typing import Any

import yaml
from jinja2 import BytecodeCache, FileSystemBytecodeCache
from jinja2.bccache import Bucket

__all__ = ["Reuse", "default_cache_folder"]


class _BytecodeCache(BytecodeCache):
    """Compiled templates kept in memory and, if a folder is given, on disk between runs.

    Jinja checks each entry against its template's source hash, so an edited template
    is compiled afresh; the disk entries are written atomically, so workers may share them.
    """

    def __init__(self, folder: Path | None = None) -> None:
        # key -> (source checksum, code): code objects are immutable, so every build
        # can share one, with no unmarshalling per build.
        self._store: dict[str, tuple[str, CodeType]] = {}
        self._disk: FileSystemBytecodeCache | None = None
        if folder is not None:
            try:
                folder.mkdir(parents=True, exist_ok=True)
                self._disk = FileSystemBytecodeCache(str(folder))
            except OSError:
                self._disk = None

    def load_bytecode(self, bucket: Bucket) -> None:
        stored = self._store.get(bucket.key)
        if stored is not None:
            if stored[0] == bucket.checksum:
                bucket.code = stored[1]
        elif self._disk is not None:
            with contextlib.suppress(OSError, ValueError, EOFError):
                self._disk.load_bytecode(bucket)
            if bucket.code is not None:
                self._store[bucket.key] = (bucket.checksum, bucket.code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._store[bucket.key] = (bucket.checksum, bucket.code)
        if self._disk is not None:
            with contextlib.suppress(OSError):
                self._disk.dump_bytecode(bucket)


def default_cache_folder() -> Path:
    """Where compiled templates are kept between runs: the user's cache folder."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "policy-sites" / "jinja"


class _ThemeYaml:
    """PyYAML as mkdocs.theme uses it: each theme's mkdocs_theme.yml composed once per run."""

    def __init__(self, yaml: Any, composed: _ComposedYaml) -> None:
        self._yaml = yaml
        self._composed = composed

    def __getattr__(self, name: str) -> Any:
        return getattr(self._yaml, name)

    def load(self, stream: Any, Loader: Any) -> Any:
        text = stream.read()
        text = text.decode("utf-8") if isinstance(text, bytes) else text
        return self._composed.construct(text, Loader)


class _ComposedYaml:
    """YAML texts parsed (scanned and composed) once per run, constructed afresh each time.

    Composing is most of PyYAML's work and depends only on the text and the resolver;
    constructing is cheap and is where ``!ENV`` tags read the environment, so each call
    still gets its own objects and its own view's values.
    """

    LIMIT = 512
    """Texts remembered; the least recently used go first (each setting has its own)."""

    def __init__(self) -> None:
        self._nodes: OrderedDict[tuple[str, int], Any] = OrderedDict()

    def construct(self, text: str, loader: Any) -> Any:
        key = (text, id(loader.yaml_implicit_resolvers))
        if key in self._nodes:
            self._nodes.move_to_end(key)
        else:
            composer = loader(text)
            try:
                self._nodes[key] = composer.get_single_node()
            finally:
                composer.dispose()
            if len(self._nodes) > self.LIMIT:
                self._nodes.popitem(last=False)
        node = self._nodes[key]
        if node is None:
            return None
        builder = loader("")
        try:
            return builder.construct_document(node)
        finally:
            builder.dispose()

    def mkdocs_yaml_load(self, original: Callable[..., Any]) -> Callable[..., Any]:
        """MkDocs' ``yaml_load`` for mkdocs.yml (its ``INHERIT`` left to the original)."""
        from mkdocs.utils.yaml import get_yaml_loader

        def yaml_load(source: Any, loader: Any = None) -> Any:
            if not hasattr(source, "read"):
                return original(source, loader)
            text = source.read()
            text = text.decode("utf-8") if isinstance(text, bytes) else text
            if "INHERIT" in text:
                source.seek(0)
                return original(source, loader)
            try:
                return self.construct(text, loader or get_yaml_loader()) or {}
            except yaml.YAMLError:
                source.seek(0)
                return original(source, loader)  # raises MkDocs' own error

        return yaml_load

    def safe_load(self, original: Callable[..., Any]) -> Callable[..., Any]:
        """``yaml.safe_load`` for texts (front matter, published versions' details)."""

        def safe_load(stream: Any) -> Any:
            if not isinstance(stream, str):
                return original(stream)
            return self.construct(stream, yaml.SafeLoader)

        return safe_load


class Reuse:
    """What one run of builds shares: template bytecode and theme file listings."""

    def __init__(self, cache_folder: Path | None = None) -> None:
        self.bytecode = _BytecodeCache(cache_folder)
        self._listings: dict[tuple[Any, ...], list[str]] = {}
        self._compiled: dict[tuple[Any, ...], Any] = {}
        self._git: dict[str, Any] = {}
        self._plugins: Any = None
        self._yaml = _ComposedYaml()

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """While loading a config and building: look up what cannot change during a run once.

        The installed themes and plugins (entry points), the theme's own mkdocs_theme.yml,
        git's answers about the checkout (mkdocs-macros asks 12 questions per view), and
        the parsing of YAML texts read again and again: mkdocs.yml, front matter,
        published versions' details.
        """
        from mkdocs import plugins, theme, utils
        from mkdocs.config import defaults
        from mkdocs_macros import context

        saved = (context.get_git_info, plugins.get_plugins, utils.get_themes.cache_clear)
        saved_yaml = (theme.yaml, defaults.yaml_load, yaml.safe_load)

        def git_info() -> Any:
            here = os.getcwd()
            if here not in self._git:
                self._git[here] = saved[0]()
            return self._git[here]

        def installed_plugins() -> Any:
            if self._plugins is None:
                self._plugins = saved[1]()
            return self._plugins

        context.get_git_info = git_info
        plugins.get_plugins = installed_plugins
        utils.get_themes.cache_clear = lambda: None  # Theme clears it on every load
        theme.yaml = _ThemeYaml(saved_yaml[0], self._yaml)
        defaults.yaml_load = self._yaml.mkdocs_yaml_load(saved_yaml[1])
        yaml.safe_load = self._yaml.safe_load(saved_yaml[2])
        try:
            yield
        finally:
            context.get_git_info, plugins.get_plugins, utils.get_themes.cache_clear = saved
            theme.yaml, defaults.yaml_load, yaml.safe_load = saved_yaml

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
                # page sources come through from_string, which Jinja never caches
                name = hashlib.sha256(repr(key).encode()).hexdigest()
                bucket = Bucket(env, f"source-{name}", name)
                self.bytecode.load_bytecode(bucket)
                if bucket.code is None:
                    bucket.code = compile_(source, *args, **kwargs)
                    if isinstance(bucket.code, CodeType):
                        self.bytecode.dump_bytecode(bucket)
                self._compiled[key] = bucket.code
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
