"""Every value is text, in every context: a property-based test over every text field.

A setting with every field filled (Poppy's, with each optional field given a value) is
built once with a plain placeholder in every text field. Each example then puts a hostile
value into one field, builds the setting again (both views, with the real MkDocs) and
compares every page with the plain build: the same elements and attributes, no
event-handler attribute or script address, and the same text with the placeholder
replaced by the value, shown literally. The fields are found by walking the settings
schema, so a new field is covered without changing this test.
"""

from __future__ import annotations

import os
import types
import typing
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest
import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from pydantic import AnyUrl, BaseModel, HttpUrl, TypeAdapter, ValidationError

from policy_sites.builder.site import build_setting
from policy_sites.context.views import policy_ids
from policy_sites.render.engine import Reuse
from policy_sites.settings.loader import SettingsError, load_setting
from policy_sites.settings.local_authority import AUTHORITIES_DIR
from policy_sites.settings.schema import FieldProblem, Setting
from tests.conftest import copy_project
from tests.helpers import REPO
from tests.hostile import ISSUE_CASES, ISSUE_URLS, hostile_text, hostile_url_tail
from tests.page_markup import Markup, parse, unsafe_addresses

EXAMPLES = int(os.environ.get("POLICY_SITES_HOSTILE_EXAMPLES", "30"))
"""Random examples per run (each is a real build of both views, about a second)."""

SLUG = "every-field"
URL_BASE = "https://example.org/"

Path_ = tuple[str | int, ...]


# --- the schema's text fields ------------------------------------------------------------


def _kind(annotation: Any) -> tuple[str, Any]:
    """What a field holds: 'text', 'url', 'model', 'texts', 'models' or 'other' (and the model)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _kind(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _kind(options[0]) if len(options) == 1 else ("other", None)
    if origin is list:
        inner, model = _kind(typing.get_args(annotation)[0])
        return {"text": ("texts", None), "model": ("models", model)}.get(inner, ("other", None))
    if origin is dict:  # other_policies: a model for each of some known keys
        inner, model = _kind(typing.get_args(annotation)[1])
        return ("keyed", model) if inner == "model" else ("other", None)
    if isinstance(annotation, type) and issubclass(annotation, AnyUrl):
        return "url", None
    if annotation is str:
        return "text", None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "model", annotation
    return "other", None


def _fields(model: type[BaseModel]) -> list[tuple[str, str, Any]]:
    return [(f.alias or name, *_kind(f.annotation)) for name, f in model.model_fields.items()]


def _fill(model: type[BaseModel], data: dict, path: Path_, filled: set[Path_]) -> dict:
    """Give every optional text, address, list and sub-model of ``data`` a value."""
    for key, kind, inner in _fields(model):
        here, value = (*path, key), data.get(key)
        if kind == "text" and value is None:
            data[key] = "filler"
        elif kind == "url" and value is None:
            data[key] = URL_BASE + "filler"
        elif kind == "model":
            data[key] = _fill(inner, value if isinstance(value, dict) else {}, here, filled)
        elif kind == "texts" and not value:
            data[key] = ["filler"]
        elif kind == "models":
            items = value or [{}]
            data[key] = [_fill(inner, item, (*here, i), filled) for i, item in enumerate(items)]
        elif kind == "keyed" and isinstance(value, dict):  # the keys the setting gives
            data[key] = {k: _fill(inner, item, (*here, k), filled) for k, item in value.items()}
        else:
            continue
        if value is None or value == [] or value == {}:
            filled.add(here)
    return data


def _leaves(model: type[BaseModel], data: dict, path: Path_ = ()) -> list[tuple[Path_, str]]:
    """Every text field's path in ``data`` and whether it is 'text' or 'url'."""
    found = []
    for key, kind, inner in _fields(model):
        value, here = data.get(key), (*path, key)
        if kind in ("text", "url") and isinstance(value, str):
            found.append((here, kind))
        elif kind == "texts" and isinstance(value, list):
            found += [((*here, i), "text") for i in range(len(value))]
        elif kind == "model" and isinstance(value, dict):
            found += _leaves(inner, value, here)
        elif kind == "models" and isinstance(value, list):
            for i, item in enumerate(value):
                found += _leaves(inner, item, (*here, i))
        elif kind == "keyed" and isinstance(value, dict):
            for k, item in value.items():
                found += _leaves(inner, item, (*here, k))
    return found


def _get(data: Any, path: Path_) -> Any:
    for step in path:
        data = data[step]
    return data


def _set(data: Any, path: Path_, value: Any) -> None:
    _get(data, path[:-1])[path[-1]] = value


def _blamed(error: ValidationError) -> set[Path_]:
    """The fields a validation error blames: its location, or for a cross-field check
    (a FieldProblem, raised by the whole model) the path the check names."""
    blamed = set()
    for found in error.errors():
        problem = (found.get("ctx") or {}).get("error")
        path = problem.path if isinstance(problem, FieldProblem) else ()
        blamed.add(tuple(found["loc"]) + tuple(path))
    return blamed


def _complete_setting() -> tuple[dict, dict[Path_, str]]:
    """Poppy's with every optional field filled and every text a distinct placeholder
    (equal texts share one, so a DSL's provision still names a provision)."""
    setting = load_setting(REPO / "settings", "poppys", policy_ids(REPO / "docs"))
    data = setting.model_dump(mode="json", exclude_none=True)
    for dates in data.get("policies", {}).values():  # only publishing records these: a
        dates.pop("ratified", None)  # new setting with them has lost its versions
    model = type(setting)  # the core schema and the facts the policies declare
    filled: set[Path_] = set()
    _fill(model, data, (), filled)
    for _ in range(20):  # a filled field some rule refuses (a DSL's provision) is left out
        try:
            model.model_validate(data)
            break
        except ValidationError as error:
            refused = _blamed(error) & filled
            assert refused, f"the filled-in setting is invalid: {error}"
            for path in refused:
                del _get(data, path[:-1])[path[-1]]
                filled.discard(path)
    placeholders: dict[str, str] = {}
    kinds, originals = {}, {}
    for path, kind in _leaves(model, data):
        old = originals[path] = _get(data, path)
        if old not in placeholders:
            word = f"pv{len(placeholders):02d}q"
            placeholders[old] = URL_BASE + word if kind == "url" else word
        _set(data, path, placeholders[old])
        kinds[path] = kind
    for _ in range(20):  # a field whose rules refuse a placeholder keeps its own value
        try:
            model.model_validate(data)
            break
        except ValidationError as error:
            refused = _blamed(error) & set(kinds)
            assert refused, f"the setting with placeholders is invalid: {error}"
            for path in refused:
                same = [p for p in kinds if _get(data, p) == _get(data, path)]
                for other in same:
                    _set(data, other, originals[other])
                    del kinds[other]
    return data, kinds


PLAIN, KINDS = _complete_setting()
TEXT_PATHS = sorted(KINDS, key=str)


# --- building and comparing ----------------------------------------------------------------


def write_setting(settings_dir: Path, slug: str, data: dict) -> None:
    """Write a whole setting's data as an editor would: its local authority's entry (the
    loaded setting holds it whole) as its own file in the register, named by the setting."""
    data = dict(data)
    if isinstance(entry := data.get("local_authority"), dict):
        data["local_authority"] = f"{slug}-area"
        register = settings_dir / AUTHORITIES_DIR
        register.mkdir(exist_ok=True)
        text = yaml.safe_dump(entry, allow_unicode=True, sort_keys=False)
        (register / f"{slug}-area.yml").write_text(text, "utf-8")
    path = settings_dir / f"{slug}.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


class Builder:
    """Builds the every-field setting from given data into one output folder, reusing work."""

    def __init__(self, root: Path) -> None:
        self.project = copy_project(root / "project")
        self.out = root / "site"
        self.reuse = Reuse()

    def pages(self, data: dict) -> dict[str, str] | str:
        """Each built page's HTML by its path, or the loader's refusal as a message."""
        write_setting(self.project.settings_dir, SLUG, data)
        try:
            load_setting(self.project.settings_dir, SLUG)
        except SettingsError as error:
            return str(error)
        result = build_setting(self.project, SLUG, self.out, self.reuse)
        assert result.ok, result.error
        site = self.out / SLUG
        return {
            p.relative_to(site).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(site.rglob("*.html"))
            if "assets" not in p.parts
        }


@pytest.fixture(scope="module")
def builder(tmp_path_factory: pytest.TempPathFactory) -> Builder:
    return Builder(tmp_path_factory.mktemp("every-field"))


@pytest.fixture(scope="module")
def plain_pages(builder: Builder) -> dict[str, str]:
    pages = builder.pages(PLAIN)
    assert isinstance(pages, dict), pages
    return pages


def _fold(text: str) -> str:
    return " ".join(text.split()).upper().casefold()


def _with(data: dict, old: str, new: str) -> dict:
    """``data`` with every field holding ``old`` given ``new`` instead."""
    copy = yaml.safe_load(yaml.safe_dump(data))
    for path in KINDS:
        if _get(copy, path) == old:
            _set(copy, path, new)
    return copy


def _shown(setting: Setting, path: Path_) -> str:
    """A field's value as the loaded setting holds it (stripped, an address normalised)."""
    value: Any = setting
    for step in path:
        value = (
            value[step]
            if isinstance(step, int) or isinstance(value, dict)
            else getattr(value, str(step))
        )
    return str(value)


_PLAIN_PARSED: dict[str, Markup] = {}


def _parsed(html: str) -> Markup:
    """A page of the plain setting, parsed once: every example compares against it."""
    if html not in _PLAIN_PARSED:
        _PLAIN_PARSED[html] = parse(html)
    return _PLAIN_PARSED[html]


def assert_shown_as_text(builder: Builder, plain: dict[str, str], path: Path_, value: str) -> None:
    old = _get(PLAIN, path)
    pages = builder.pages(_with(PLAIN, old, value))
    if isinstance(pages, str):  # refused by the settings loader, with a clear message
        assert f"{SLUG}.yml:" in pages, pages
        return
    new = _shown(load_setting(builder.project.settings_dir, SLUG), path)
    is_url = KINDS[path] == "url"
    assert sorted(pages) == sorted(plain), "a value changed which pages exist"
    for name, html in pages.items():
        before, after = _parsed(plain[name]), parse(html)
        assert after.shapes() == before.shapes(), f"{name}: elements changed for {value!r}"
        assert not unsafe_addresses(after), f"{name}: {unsafe_addresses(after)}"
        # An address is shown as text only where it is a route's web page, as itself.
        expected = (
            before.text.replace(old, new)
            if is_url
            else _fold(before.text).replace(_fold(old), _fold(new))
        )
        assert (_fold(after.text) if not is_url else after.text) == expected, (
            f"{name}: {value!r} is not shown as text"
        )
        # The 404 page links from the site's own folder: site_root_url's path, alone.
        folders = (urlparse(old).path, urlparse(new).path) if path == SITE_ROOT else ("", "")
        for (_, attrs_b), (_, attrs_a) in zip(before.elements, after.elements, strict=True):
            for (_, b), (_, a) in zip(attrs_b, attrs_a, strict=True):
                b = b.replace(old, new).replace(*folders)
                assert _fold(unquote(a)) == _fold(unquote(b)), (
                    f"{name}: attribute {a!r} (plain: {b!r}) for {value!r}"
                )


# --- the tests -------------------------------------------------------------------------------


def test_every_text_field_of_the_schema_is_covered():
    """The walk finds plain fields, lists' items, nested models and addresses."""
    assert ("name",) in KINDS and ("internet_filtering",) in KINDS
    assert any(len(path) == 3 and isinstance(path[2], int) for path in KINDS)  # list items
    assert any(path[0] == "staff_only" and len(path) == 4 for path in KINDS)  # contacts
    assert "url" in KINDS.values()
    assert RELATED_URL in KINDS  # a dict of models' fields too
    assert len(KINDS) >= 30


def _path_and_value() -> st.SearchStrategy[tuple[Path_, str]]:
    def value_for(path: Path_) -> st.SearchStrategy[tuple[Path_, str]]:
        if KINDS[path] == "url":
            return hostile_url_tail().map(lambda tail: (path, URL_BASE + tail))
        return hostile_text().map(lambda text: (path, text))

    return st.sampled_from(TEXT_PATHS).flatmap(value_for)


CHANNEL_URL = ("social_media", "official_channels", 0, "url")
RELATED_URL = ("other_policies", "complaints", "url")
SITE_ROOT = ("site_root_url",)
"""Linked in each policy's "Policies that go with this one" (a ')' used to cut it short)."""


@given(_path_and_value())
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example((CHANNEL_URL, ISSUE_URLS["attr_list after a parenthesis"]))
@example((("internet_filtering",), ISSUE_CASES["attr_list on emphasis"]))
@example((("phones", "phone_free_areas", 0), ISSUE_CASES["attr_list after a line break"]))
@example((("staff_only", "contacts", 0, "name"), ISSUE_CASES["attr_list braces"]))
@example((("name",), ISSUE_CASES["heading at line start"]))
@example((("phones", "staff_phones_quiet_during"), ISSUE_CASES["admonition after blank line"]))
@example((("phones", "staff_keep_phones"), ISSUE_CASES["heading after blank line"]))
@example((("staff_only", "notes", 0), ISSUE_CASES["jinja-looking dunder"]))
@example((CHANNEL_URL, ISSUE_URLS["parenthesis in the path"]))
@example((SITE_ROOT, "https://example.org/a"))
@example((RELATED_URL, ISSUE_URLS["parenthesis in the path"]))
@example((RELATED_URL, ISSUE_URLS["attr_list after a parenthesis"]))
def test_any_value_in_any_field_is_shown_as_text(builder, plain_pages, path_and_value):
    path, value = path_and_value
    if KINDS[path] == "url":
        try:
            TypeAdapter(HttpUrl).validate_python(value)
        except ValidationError:
            assume(False)
    placeholders = {_get(PLAIN, p) for p in KINDS}
    folded = _fold(value)
    assume(not any(folded in _fold(p) or _fold(p) in folded for p in placeholders))
    assert_shown_as_text(builder, plain_pages, path, value)
