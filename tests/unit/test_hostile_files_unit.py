"""The pieces that keep careless and hostile files harmless, one by one: the name rule, the
YAML limits, the state file's sanitising, the output folder's ownership and lock, and the
published versions' register and shape checks."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from policy_sites.builder import output
from policy_sites.builder.output import (
    LOCK_FILE,
    MARKER_FILE,
    OutputRefused,
    check_output,
    owned_output,
    setting_folder,
)
from policy_sites.builder.state import STATE_FILE, BuildState
from policy_sites.project import Project
from policy_sites.settings.loader import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_TEXT,
    SettingsError,
    load_setting,
    read_mapping,
    read_yaml_document,
)
from policy_sites.settings.names import check_slug, display_name, slug_problem
from policy_sites.versions.store import (
    META_FILE,
    REGISTER_FILE,
    VersionError,
    read_versions,
    register_versions,
    write_version,
)
from tests.helpers import REPO, VERSION_TEXTS, settings_beside_sources, version_details

# --- the name rule -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["poppys", "little-acorns", "st-marys-2", "0-5-club", "a" * 63])
def test_good_names(name: str) -> None:
    assert check_slug(name) == name


@pytest.mark.parametrize(
    "name",
    ["", "..", ".", "../x", "/etc", "a/b", "a\\b", "Poppys", "two words", "-x", "x_y", "assets",
     "a" * 64, "poppys.yml", "caf\u00e9", "a\x00b", "a\nb", " poppys", "\u202eevil"],
)  # fmt: skip
def test_bad_names(name: str) -> None:
    problem = slug_problem(name)
    assert problem and "cannot name a setting" in problem
    assert not any(ord(c) < 32 or c == "\u202e" for c in problem), "shown raw"
    with pytest.raises(ValueError):
        check_slug(name)


def test_a_path_or_capital_suggests_the_name() -> None:
    assert "did you mean 'poppys'?" in str(slug_problem("../settings/poppys"))
    assert "did you mean 'poppys'?" in str(slug_problem("settings/poppys.yml"))
    assert "did you mean 'poppys'?" in str(slug_problem("Poppys"))


def test_a_huge_name_is_shown_short() -> None:
    problem = str(slug_problem("x" * 1_000_000))
    assert len(problem) < 500 and "1,000,000 characters" in problem
    assert display_name("poppys") == "poppys"
    assert display_name("a\x1bb") == "'a\\x1bb'"


# --- bounded YAML --------------------------------------------------------------------------


def problem_of(tmp_path: Path, text: str | bytes) -> str:
    path = tmp_path / "hostile.yml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    with pytest.raises(SettingsError) as caught:
        read_yaml_document(path)
    (problem,) = caught.value.problems
    assert read_mapping(path) is None  # the quick look is bounded too
    return str(problem)


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5_000, 100_000])
def test_deep_nesting_is_refused_before_it_is_composed(tmp_path: Path, depth: int) -> None:
    text = "name: " + "[" * depth + "]" * depth + "\n"
    assert problem_of(tmp_path, text).endswith(
        f"hostile.yml:1: nests more than {MAX_DEPTH} levels deep; a settings file needs a few"
    )


def test_deep_block_nesting_names_its_line(tmp_path: Path) -> None:
    text = "".join("  " * i + f"k{i}:\n" for i in range(30)) + "  " * 30 + "x\n"
    assert f"hostile.yml:{MAX_DEPTH + 1}: nests more" in problem_of(tmp_path, text)


def test_nesting_at_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "ok.yml"
    path.write_text("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n")
    assert isinstance(read_yaml_document(path).data["a"], list)


def test_an_alias_bomb_is_refused_without_expanding_it(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, 30)]
    assert "once its aliases ('*name') are expanded" in problem_of(tmp_path, "\n".join(lines))


def test_a_few_aliases_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "ok.yml"
    path.write_text("a: &x [1, 2]\nb: *x\n")
    assert read_yaml_document(path).data == {"a": [1, 2], "b": [1, 2]}


def test_a_large_file_is_refused_unread(tmp_path: Path) -> None:
    text = "# " + "x" * MAX_FILE_BYTES + "\nname: x\n"
    assert f"bytes; the limit is {MAX_FILE_BYTES:,} bytes" in problem_of(tmp_path, text)


def test_overlong_text_and_keys(tmp_path: Path) -> None:
    assert "hostile.yml:2: name: is 2,001 characters long; the limit is 2,000" in problem_of(
        tmp_path, "a: 1\nname: " + "x" * (MAX_TEXT + 1) + "\n"
    )
    assert "characters long; the limit is 100" in problem_of(tmp_path, "k" * 101 + ": 1\n")


@pytest.mark.parametrize(
    ("text", "code"),
    [('"ke\\e[31my": 1\n', "U+001B"), ('name: "x\\a"\n', "U+0007"), ('name: "\\u202Eabc"\n',
     "U+202E"), ('name: "a\\rb"\n', "U+000D"), ('name: "\\x9b31m"\n', "U+009B")],
)  # fmt: skip
def test_control_characters_are_refused_and_never_echoed(
    tmp_path: Path, text: str, code: str
) -> None:
    problem = problem_of(tmp_path, text)
    assert f"invisible control character ({code})" in problem
    assert problem.isprintable()


def test_tabs_and_newlines_are_text(tmp_path: Path) -> None:
    path = tmp_path / "ok.yml"
    path.write_text('name: "a\\tb"\nnote: |\n  one\n  two\n')
    assert read_yaml_document(path).data == {"name": "a\tb", "note": "one\ntwo\n"}


def test_a_raw_control_character_in_the_file(tmp_path: Path) -> None:
    problem = problem_of(tmp_path, b"name: a\x1bb\n")
    assert "is not valid YAML" in problem and problem.isprintable()


def test_a_merge_key_is_explained(tmp_path: Path) -> None:
    problem = problem_of(tmp_path, "a: &b {x: 1}\nc:\n  <<: *b\n")
    assert problem.endswith(
        "hostile.yml:3: c: '<<' (a YAML merge key) is not supported; write the keys out in full"
    )


def test_bad_utf8_and_unreadable(tmp_path: Path) -> None:
    assert "is not UTF-8 text" in problem_of(tmp_path, b"name: \xff\n")


@pytest.fixture
def settings_dir(tmp_path: Path) -> Path:
    return settings_beside_sources(tmp_path, "poppys.yml")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2022.10", "YAML reads 2022.10 as a number, 2022.1, not as typed: put it in quotes, "
                    "'2022.10'"),
        ("0x10", "YAML reads 0x10 as a number, 16"),
        ("1_000", "YAML reads 1_000 as a number, 1000"),
        ("2022", "expected text, got a number, 2022: put it in quotes, '2022'"),
        ("yes", "YAML reads yes as true/false, true"),
    ],
)  # fmt: skip
def test_a_number_read_differently_from_how_it_was_typed(
    settings_dir: Path, typed: str, expected: str
) -> None:
    path = settings_dir / "poppys.yml"
    path.write_text(path.read_text().replace("name: Poppy's", f"name: {typed}", 1))
    with pytest.raises(SettingsError) as caught:
        load_setting(settings_dir, "poppys")
    assert f"poppys.yml:7: name: {expected}".replace("name: YAML", "name: expected text; YAML") in (
        str(caught.value)
    )


def test_load_setting_refuses_a_bad_name(settings_dir: Path) -> None:
    with pytest.raises(SettingsError, match="cannot name a setting"):
        load_setting(settings_dir, "../poppys")


# --- the state file --------------------------------------------------------------------


def test_the_state_file_keeps_only_setting_names_and_asset_paths(tmp_path: Path) -> None:
    (tmp_path / STATE_FILE).write_text(
        '{"format": 1, "settings": {"poppys": {"fingerprint": "a"}, "../settings": {}, "/x": {},'
        ' "assets": {}, "ok-2": "not a mapping"}, "assets": {"files": ["assets/a.css",'
        ' "../settings/poppys.yml", "/etc/hostname", "assets/../../x", "index.html", 3]}}'
    )
    state = BuildState.load(tmp_path)
    assert list(state.settings) == ["poppys"]
    assert state.assets["files"] == ["assets/a.css"]


@pytest.mark.parametrize("text", ["[]", '{"format": 1, "settings": [], "assets": 3}', "{"])
def test_a_malformed_state_file_is_no_state(tmp_path: Path, text: str) -> None:
    (tmp_path / STATE_FILE).write_text(text)
    state = BuildState.load(tmp_path)
    assert state.settings == {}


# --- the output folder -----------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "project"
    for folder in ("settings", "docs", "overrides", "macros"):
        (root / folder).mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: x\n")
    return Project(root)


@pytest.mark.parametrize(
    ("out", "reason"),
    [
        (".", "holds the project itself"),
        ("..", "holds the project itself"),
        ("settings", "inside the project's settings/ folder"),
        ("settings/poppys", "inside the project's settings/ folder"),
        ("docs/site", "inside the project's docs/ folder"),
        ("overrides", "inside the project's overrides/ folder"),
        ("macros", "inside the project's macros/ folder"),
        (".git/site", "inside the project's git repository"),
        ("mkdocs.yml", "is a file, not a folder"),
    ],
)
def test_outputs_that_are_refused(project: Project, out: str, reason: str) -> None:
    with pytest.raises(OutputRefused, match=reason):
        check_output(project, project.root / out)


def test_a_symlink_into_the_sources_is_refused(project: Project, tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(project.settings_dir)
    with pytest.raises(OutputRefused, match="settings/ folder"):
        check_output(project, link)


def test_outputs_that_are_accepted(project: Project, tmp_path: Path) -> None:
    check_output(project, project.root / "site")  # not there yet
    check_output(project, tmp_path / "elsewhere" / "deep")
    empty = tmp_path / "empty"
    empty.mkdir()
    check_output(project, empty)
    marked = tmp_path / "marked"
    marked.mkdir()
    (marked / MARKER_FILE).write_text("")
    (marked / "notes.txt").write_text("a marked folder is the build's")
    check_output(project, marked)


def _old_build(out: Path) -> Path:
    for slug in ("poppys", "halstead"):
        (out / slug / "staff").mkdir(parents=True)
        (out / slug / "index.html").write_text("x")
        (out / slug / "staff" / "index.html").write_text("x")
    (out / "assets").mkdir()
    (out / "index.html").write_text("portal")
    (out / STATE_FILE).write_text("{}")
    (out / ".poppys.building").mkdir()
    return out


def test_an_older_build_is_recognised_and_anything_else_is_not(
    project: Project, tmp_path: Path
) -> None:
    out = _old_build(tmp_path / "old")
    check_output(project, out)
    (out / "thesis.docx").write_text("mine")
    with pytest.raises(OutputRefused, match=r"'thesis\.docx'"):
        check_output(project, out)
    (out / "thesis.docx").unlink()
    (out / "poppys" / "staff" / "index.html").unlink()  # not a site: someone's folder
    with pytest.raises(OutputRefused, match="'poppys'"):
        check_output(project, out)


def test_owning_an_output_marks_it_and_clears_only_leftovers(
    project: Project, tmp_path: Path
) -> None:
    out = _old_build(tmp_path / "old")
    (out / f"{STATE_FILE}.123.tmp").write_text("{")
    (out / MARKER_FILE).write_text("")
    (out / ".Bad.building").mkdir()  # not a setting's name: not ours to remove
    with owned_output(project, out):
        assert (out / MARKER_FILE).is_file() and (out / LOCK_FILE).exists()
        assert not (out / ".poppys.building").exists()
        assert not (out / f"{STATE_FILE}.123.tmp").exists()
        assert (out / ".Bad.building").is_dir() and (out / "poppys" / "index.html").is_file()


def test_a_second_owner_waits_then_gives_up_clearly(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(output, "LOCK_WAIT_SECONDS", 0.3)
    out = tmp_path / "site"
    heard: list[str] = []
    with owned_output(project, out):
        errors: list[Exception] = []

        def second() -> None:
            try:
                with owned_output(project, out, heard.append):
                    pass
            except OutputRefused as error:
                errors.append(error)

        thread = threading.Thread(target=second)
        thread.start()
        thread.join()
    assert heard == [f"another build is writing into {out}; waiting for it to finish"]
    assert "nothing was built" in str(errors[0])
    with owned_output(project, out):  # free again once the first is done
        pass


def test_setting_folder_takes_only_names() -> None:
    out = Path("/out")
    assert setting_folder(out, "poppys") == out / "poppys"
    for name in ("..", "../x", "/etc", "assets", "", "A"):
        assert setting_folder(out, name) is None


# --- published versions ------------------------------------------------------------------


@pytest.fixture
def three(tmp_path: Path) -> Path:
    for label, ratified in (("2020-21", "2020-09-01"), ("2021-22", "2021-09-01"),
                            ("2022-23", "2022-09-01")):  # fmt: skip
        write_version(tmp_path, "poppys", version_details(label, ratified), VERSION_TEXTS)
    return tmp_path / "poppys" / "versions"


def test_the_register_lists_every_version_in_order(three: Path) -> None:
    text = (three / REGISTER_FILE).read_text()
    assert text.index("2020-21") < text.index("2021-22") < text.index("2022-23")
    assert [v.label for v in read_versions(three.parent.parent, "poppys")] == [
        "2020-21",
        "2021-22",
        "2022-23",
    ]


@pytest.mark.parametrize("label", ["2020-21", "2021-22", "2022-23"])
def test_any_deleted_version_is_named(three: Path, label: str) -> None:
    shutil.rmtree(three / label)
    with pytest.raises(VersionError) as caught:
        read_versions(three.parent.parent, "poppys")
    (problem,) = caught.value.problems
    assert f"/poppys/versions/{label}: is missing" in str(problem)
    assert ("the latest" in str(problem)) == (label == "2022-23")


def test_a_deleted_register_is_named_and_register_restores_it(three: Path) -> None:
    (three / REGISTER_FILE).unlink()
    with pytest.raises(VersionError, match=f"{REGISTER_FILE}: is missing"):
        read_versions(three.parent.parent, "poppys")
    assert register_versions(three.parent.parent, "poppys") == ["2020-21", "2021-22", "2022-23"]
    assert len(read_versions(three.parent.parent, "poppys")) == 3
    assert register_versions(three.parent.parent, "poppys") == []


def test_a_version_replaced_by_another_is_named(three: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    write_version(other, "poppys", version_details("2022-23", "2022-10-01"), VERSION_TEXTS)
    shutil.rmtree(three / "2022-23")
    shutil.copytree(other / "poppys" / "versions" / "2022-23", three / "2022-23")
    with pytest.raises(VersionError, match="is not the version that was published"):
        read_versions(three.parent.parent, "poppys")
    with pytest.raises(VersionError):
        register_versions(three.parent.parent, "poppys")


def test_an_unlisted_version_is_named(three: Path, tmp_path: Path) -> None:
    text = (three / REGISTER_FILE).read_text()
    (three / REGISTER_FILE).write_text(text[: text.index("- label: 2022-23")])
    with pytest.raises(VersionError, match=r"2022-23: is not listed in published\.yml"):
        read_versions(three.parent.parent, "poppys")


def test_a_frozen_file_symlinked_out_is_refused(three: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text(VERSION_TEXTS["social-media"]["parents"])
    frozen = three / "2022-23" / "parents" / "social-media.md"
    frozen.unlink()
    frozen.symlink_to(secret)
    with pytest.raises(VersionError, match="expected a file inside"):
        read_versions(three.parent.parent, "poppys")


def test_a_bad_name_never_reaches_the_versions_folder(tmp_path: Path) -> None:
    with pytest.raises(VersionError, match="cannot name a setting"):
        read_versions(tmp_path, "../poppys")
    with pytest.raises(ValueError):
        write_version(tmp_path, "..", version_details("2022-23", "2022-09-01"), VERSION_TEXTS)
    assert list(tmp_path.iterdir()) == []


def test_a_huge_version_yml_is_refused(three: Path) -> None:
    (three / "2022-23" / META_FILE).write_text("label: '" + "x" * 300_000 + "'\n")
    with pytest.raises(VersionError, match="the limit is"):
        read_versions(three.parent.parent, "poppys")


def test_example_versions_are_registered() -> None:
    for slug in ("poppys", "halstead"):
        assert (REPO / "settings" / slug / "versions" / REGISTER_FILE).is_file()
        assert read_versions(REPO / "settings", slug)


def test_a_deleted_version_and_an_edited_one_are_both_named(three: Path) -> None:
    shutil.rmtree(three / "2022-23")
    frozen = three / "2020-21" / "parents" / "social-media.md"
    frozen.write_text(frozen.read_text() + "edited\n")
    with pytest.raises(VersionError) as caught:
        read_versions(three.parent.parent, "poppys")
    text = str(caught.value)
    assert "2022-23: is missing: the latest published version" in text
    assert "2020-21/parents/social-media.md: was edited after it was published" in text
    assert "2020-21: is missing" not in text


def test_a_malformed_register_is_named(three: Path) -> None:
    (three / REGISTER_FILE).write_text("versions: oops\n")
    with pytest.raises(VersionError, match=r"published\.yml:1: versions: expected a list"):
        read_versions(three.parent.parent, "poppys")
    with pytest.raises(VersionError, match="expected a list"):
        register_versions(three.parent.parent, "poppys")
