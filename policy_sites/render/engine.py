"""The engine boundary: the one module that knows which static site engine runs the builds.

policy-sites builds on MkDocs 1.6 or on ProperDocs 1.6.7, its maintained drop-in fork
(``pip install 'policy-sites[properdocs]'``). ProperDocs keeps MkDocs' module layout and
serves ``import mkdocs.*`` from its own modules once ``properdocs.replacement`` is imported,
so that Material and mkdocs-macros run on it unchanged. Which engine runs is decided here,
once, before any other module of the package imports an engine module: every other module
takes the engine's names (``BasePlugin``, ``load_config``, ...) from this one, and
``tests/unit/test_engine.py`` fails if one imports ``mkdocs`` itself. The choice:

- a process started by the ``mkdocs`` or ``properdocs`` command keeps the engine it runs;
- otherwise ProperDocs if it is installed (the ``properdocs`` extra), else MkDocs.

When ProperDocs is the engine, importing this module imports ``properdocs.replacement``,
which redirects ``mkdocs.*`` imports for the whole process: that is ProperDocs' own,
documented way to run MkDocs plugins and themes, and the reason MkDocs stays the default.

The rest goes through public extension points:

- the builder's options reach a plugin as options (``set_plugin_options``, through the
  engine's ``BasePlugin.load_config``, validated), never through the environment; the
  same way anchors mkdocs-macros' ``include_dir`` to mkdocs.yml, as mkdocs-macros would
  otherwise look for it in the working folder;
- each page source is rendered by the project's own code (``render_source``) with
  mkdocs-macros' Jinja environment and variables (its documented ``env`` and
  ``variables``), compiled once per process: a template error comes back as data
  (``SourceError``: file, line, message), not as mkdocs-macros' log text and ``exit()``;
- what one run of builds shares (``Reuse``): mkdocs-macros' environment gets the run's
  bytecode cache from an ``on_config`` event that runs after mkdocs-macros' own
  (``event_priority``);
- the error a build stopped on is kept from the public ``on_build_error`` event.

One private touch remains, because no public surface gives its speed; a contract test
(``tests/unit/test_engine.py``) fails, naming the installed version, if its target
changes shape:

1. ``config.theme.get_env``, on the one ``Theme`` object of one loaded configuration (no
   class or module is changed): every Jinja environment the theme makes shares the run's
   compiled templates and the listing of the theme's files. ``on_env`` comes too late:
   MkDocs lists the theme's ~10,000 files (Material's icons) before it, and Material's
   search plugin compiles its language templates in an environment ``on_env`` never sees.
   Listing and compiling were two thirds of a fresh build's CPU (see README, "How fast").

Nothing here replaces a module's function or a class's method: MkDocs, Material,
mkdocs-macros, Jinja and PyYAML behave for every other caller exactly as installed.
"""

# ruff: noqa: E402  (the engine is imported after it is chosen)
from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from types import CodeType, TracebackType
from typing import Any

import jinja2
from jinja2 import BytecodeCache, FileSystemBytecodeCache
from jinja2.bccache import Bucket


def _choose_engine() -> str:
    """'properdocs' or 'mkdocs': the engine this process already runs, else the preferred one."""
    running = sys.modules.get("mkdocs")
    if running is not None:  # started by an engine's command, or already chosen
        return "properdocs" if running.__name__ == "properdocs" else "mkdocs"
    if "properdocs" in sys.modules or importlib.util.find_spec("properdocs") is not None:
        return "properdocs"
    return "mkdocs"


ENGINE = _choose_engine()
"""The engine that builds the sites in this process: 'mkdocs' or 'properdocs'."""

if ENGINE == "properdocs":
    import properdocs.replacement  # noqa: F401  (serves mkdocs.* from properdocs.*)

# The engine's public surface, for the rest of the package (imported after the choice).
from mkdocs.commands.build import build as engine_build
from mkdocs.config import base as config_base
from mkdocs.config import (
    config_options,
    load_config,
)
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, BuildError, MkDocsException, PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files

ENGINE_VERSION = metadata.version(ENGINE)

__all__ = [
    "ENGINE",
    "ENGINE_VERSION",
    "Abort",
    "BasePlugin",
    "BuildError",
    "BuildWatch",
    "CombinedEvent",
    "File",
    "Files",
    "LiveReloadServer",
    "MkDocsConfig",
    "MkDocsException",
    "PluginError",
    "Reuse",
    "SourceError",
    "anchor_macros_include_dir",
    "cache_root",
    "config_base",
    "config_options",
    "default_cache_folder",
    "engine_build",
    "event_priority",
    "load_config",
    "macros_environment",
    "render_source",
    "set_plugin_options",
]


def package_versions() -> dict[str, str]:
    """The engine and the packages that render with it, for messages and fingerprints."""
    names = (ENGINE, "mkdocs-material", "mkdocs-macros-plugin", "jinja2")
    return {name: metadata.version(name) for name in names}


# --- Declared options -------------------------------------------------------------------


def set_plugin_options(config: MkDocsConfig, name: str, **options: Any) -> None:
    """Give the plugin ``name`` these options as if mkdocs.yml had said them, validated.

    The plugin's other options stay as mkdocs.yml set them. ``BasePlugin.load_config``
    is the engine's own way to (re)configure a plugin.
    """
    plugin = config.plugins[name]
    errors, _warnings = plugin.load_config(
        {**dict(plugin.config), **options}, config.config_file_path
    )
    if errors:
        raise PluginError(
            f"plugin {name!r}: " + "; ".join(f"{key}: {error}" for key, error in errors)
        )


def anchor_macros_include_dir(config: MkDocsConfig) -> None:
    """Make mkdocs-macros' ``include_dir`` relative to mkdocs.yml, not to the process's
    working folder (which mkdocs-macros uses): a project built from elsewhere (another
    checkout, a test's copy, a benchmark) then includes its own partials."""
    if "macros" not in config.plugins:
        return
    include_dir = config.plugins["macros"].config.get("include_dir")
    if include_dir and not os.path.isabs(include_dir):
        folder = Path(config.config_file_path).parent
        set_plugin_options(config, "macros", include_dir=str(folder / include_dir))


# --- Rendering page sources -------------------------------------------------------------


class SourceError(PluginError):
    """A page source that does not render: which file, which line, and what went wrong."""

    def __init__(self, file: str, line: int | None, message: str, kind: str) -> None:
        self.file = file
        """The source's path from the project root, e.g. docs/policies/social-media.md."""
        self.line = line
        self.problem = message
        self.kind = kind
        """The Jinja error's class, e.g. UndefinedError, TemplateSyntaxError."""
        where = f"{file}, line {line}" if line else file
        super().__init__(f"{where}: {message} ({kind})")


def macros_environment(config: MkDocsConfig) -> tuple[jinja2.Environment, Mapping[str, Any]]:
    """mkdocs-macros' Jinja environment and variables (its documented ``env``, ``variables``)."""
    macros = config.plugins["macros"]
    return macros.env, macros.variables


class _CompiledSources:
    """Page sources compiled once per process: Jinja never caches ``from_string``.

    Code objects depend only on the source and the environment's syntax settings, so
    every build shares them; each render still gets a fresh template bound to its own
    environment (its own globals, filters and undefined behaviour).
    """

    LIMIT = 1024
    """Sources remembered; the least recently used go first."""

    def __init__(self) -> None:
        self._code: OrderedDict[tuple[Any, ...], CodeType] = OrderedDict()

    def template(self, env: jinja2.Environment, source: str, filename: str) -> jinja2.Template:
        key = (source, filename, _syntax(env))
        code = self._code.get(key)
        if code is None:
            code = env.compile(source, filename=filename)
            self._code[key] = code
            if len(self._code) > self.LIMIT:
                self._code.popitem(last=False)
        else:
            self._code.move_to_end(key)
        return env.template_class.from_code(env, code, env.make_globals(None))


def _syntax(env: jinja2.Environment) -> tuple[Any, ...]:
    """What, besides the source, decides the code Jinja compiles."""
    return (
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        tuple(sorted(env.extensions)),
        env.optimized,
        env.autoescape if isinstance(env.autoescape, bool) else id(env.autoescape),
    )


_COMPILED = _CompiledSources()


def render_source(
    env: jinja2.Environment,
    source: str,
    variables: Mapping[str, Any],
    filename: str,
    first_line: int = 1,
    root: Path | None = None,
) -> str:
    """Render one page source; a template error raises ``SourceError`` naming file and line.

    ``filename`` names the source in errors (e.g. docs/index.md); ``first_line`` is the
    file line the source starts on (after its front matter). An error inside an included
    partial names the partial, relative to ``root``.
    """
    try:
        template = _COMPILED.template(env, source, filename)
        return template.render(**variables)
    except jinja2.TemplateSyntaxError as error:
        file, line = filename, error.lineno
        if error.filename and error.filename != filename:  # in an included partial
            file, line = _relative(error.filename, root), error.lineno
        else:
            line += first_line - 1
        raise SourceError(file, line, error.message or str(error), type(error).__name__) from None
    except Exception as error:
        file, line = _template_frame(error.__traceback__, filename, root)
        if file == filename and line is not None:
            line += first_line - 1
        message = str(error) or repr(error)
        raise SourceError(file, line, message, type(error).__name__) from None


def _template_frame(
    traceback: TracebackType | None, filename: str, root: Path | None
) -> tuple[str, int | None]:
    """The innermost template line of a rendering error: the page's, or a partial's."""
    found: tuple[str, int | None] = (filename, None)
    while traceback is not None:
        code = traceback.tb_frame.f_code
        if code.co_filename == filename:
            found = (filename, traceback.tb_lineno)
        elif code.co_name in ("top-level template code", "template") or code.co_name.startswith(
            "block "
        ):
            found = (_relative(code.co_filename, root), traceback.tb_lineno)
        traceback = traceback.tb_next
    return found


def _relative(path: str, root: Path | None) -> str:
    if root is not None:
        with contextlib.suppress(ValueError):
            return Path(path).resolve().relative_to(root.resolve()).as_posix()
    return path


# --- What one run shares ----------------------------------------------------------------


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

    def __len__(self) -> int:
        """How many compiled templates are kept in memory."""
        return len(self._store)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._store[bucket.key] = (bucket.checksum, bucket.code)
        if self._disk is not None:
            with contextlib.suppress(OSError):
                self._disk.dump_bytecode(bucket)


def cache_root() -> Path:
    """policy-sites' folder in the user's cache folder ($XDG_CACHE_HOME, else ~/.cache).
    Each cache has a folder of its own in it, so that deleting one leaves the others."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "policy-sites"


def default_cache_folder() -> Path:
    """Where compiled templates are kept between runs, by engine and its version."""
    return cache_root() / "jinja" / f"{ENGINE}-{ENGINE_VERSION}"


class _ShareWithMacros(BasePlugin):
    """Gives mkdocs-macros' environment the run's bytecode cache, once it has made it."""

    def __init__(self, cache: BytecodeCache) -> None:
        super().__init__()
        self.cache = cache

    @event_priority(-100)  # after every plugin's on_config: mkdocs-macros makes its env there
    def on_config(self, config: MkDocsConfig) -> None:
        if "macros" in config.plugins:
            macros_environment(config)[0].bytecode_cache = self.cache


@dataclass
class ReuseCounts:
    """How much one run shared: what the engine contract tests check it still does."""

    theme_envs: int = 0
    """Jinja environments the themes made through the shared ``get_env``."""
    listings_made: int = 0
    listings_reused: int = 0


class Reuse:
    """What one run of builds shares: compiled templates and the theme's file listing."""

    PLUGIN = "policy-sites/reuse"

    def __init__(self, cache_folder: Path | None = None) -> None:
        self.bytecode = _BytecodeCache(cache_folder)
        self.counts = ReuseCounts()
        self._listings: dict[tuple[Any, ...], list[str]] = {}

    def apply(self, config: MkDocsConfig) -> None:
        """Make one loaded configuration's builds share this run's work."""
        self._share_theme(config)
        config.plugins[self.PLUGIN] = _ShareWithMacros(self.bytecode)

    def _share_theme(self, config: MkDocsConfig) -> None:
        # Private touch 1 (see the module docstring): this Theme object's get_env.
        theme = config.theme
        make_env: Callable[[], jinja2.Environment] = theme.get_env

        def get_env() -> jinja2.Environment:
            env = make_env()
            self.counts.theme_envs += 1
            env.bytecode_cache = self.bytecode
            env.list_templates = self._cached_listing(env.list_templates, theme)  # type: ignore[method-assign]
            return env

        theme.get_env = get_env  # type: ignore[method-assign]

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
            if key in self._listings:
                self.counts.listings_reused += 1
            else:
                self._listings[key] = list_templates(extensions, filter_func)
                self.counts.listings_made += 1
            return list(self._listings[key])

        return cached


class BuildWatch(BasePlugin):
    """Keeps the first error of a build (the public ``on_build_error`` event), as data."""

    PLUGIN = "policy-sites/watch"

    def __init__(self) -> None:
        super().__init__()
        self.error: Exception | None = None

    def on_build_error(self, *, error: Exception) -> None:
        if self.error is None:
            self.error = error

    @classmethod
    def add_to(cls, config: MkDocsConfig) -> BuildWatch:
        watch = config.plugins[cls.PLUGIN] = cls()
        return watch
