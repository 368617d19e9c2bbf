"""policy-sites import: vetting Word files, converting them, a setting's known facts,
recovering one source from several copies, the round trip, the draft and --apply."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import docx
import pytest
import yaml
from click.testing import CliRunner
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from policy_sites.cli.main import cli
from policy_sites.context.views import parse_front_matter, split_front_matter
from policy_sites.importer.align import FactKind
from policy_sites.importer.docx_file import DocxRefused, read_docx
from policy_sites.importer.known_facts import mark_known_facts
from policy_sites.importer.markdown import convert
from policy_sites.importer.review import DRAFT_MARK
from policy_sites.importer.run import import_policy
from policy_sites.project import Project
from policy_sites.settings.loader import load_setting
from tests.conftest import copy_project
from tests.helpers import REPO, in_ci
from tests.word_files import reference_blocks, reference_folder, write_docx

TODAY = dt.date(2026, 12, 5)
REFERENCE = reference_folder()
HALSTEAD_TXT = "halstead-nursery-mobile-technology-and-social-media-policy.txt"
POPPYS_TXT = "poppys-mobile-smart-technology-and-social-media-policies.txt"


def _reference(name: str) -> str:
    if REFERENCE is None or not (REFERENCE / name).is_file():
        missing = "shared/reference is not beside this clone (set POLICY_SITES_REFERENCE)"
        if in_ci():  # CI lays shared/ beside its clone: not finding it is a fault there
            pytest.fail(missing)
        pytest.skip(missing)
    path = REFERENCE / name
    return path.read_text(encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="module")
def reference_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The two reference policies as their settings' Word files would have them."""
    folder = tmp_path_factory.mktemp("word")
    return {
        slug: write_docx(
            folder / f"{slug}.docx",
            reference_blocks(_reference(txt)),
            header=f"{slug.title()} policies",
            footer="Page 1",
        )
        for slug, txt in (("halstead", HALSTEAD_TXT), ("poppys", POPPYS_TXT))
    }


# --- refusing what is not a plain .docx -------------------------------------------------


def _zip(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def _minimal_parts() -> dict[str, bytes]:
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "save it as .docx"),
        ("macro.docm", b"PK", "save it as .docx"),
        ("locked.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "password"),
        ("broken.docx", b"PK\x03\x04 this is not a zip at all", "damaged"),
        ("notes.txt", b"hello", "not a .docx"),
    ],
)
def test_refuses_what_word_cannot_import(tmp_path: Path, name: str, content: bytes, says: str):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DocxRefused) as refused:
        read_docx(path)
    message = str(refused.value)
    assert message.startswith(str(path)) and says in message and "\n" not in message


def test_refuses_macros_inside_a_docx(tmp_path: Path):
    parts = _minimal_parts()
    parts["word/vbaProject.bin"] = b"\0" * 10
    with pytest.raises(DocxRefused, match="macros"):
        read_docx(_zip(tmp_path / "renamed.docx", parts))


def test_refuses_a_zip_bomb_before_inflating_it(tmp_path: Path, monkeypatch):
    parts = _minimal_parts()
    parts["word/media/big.bin"] = b"\0" * (3 * 1024 * 1024)  # inflates ~1000 times
    path = _zip(tmp_path / "bomb.docx", parts)
    assert path.stat().st_size < 100_000

    def never(*args, **kwargs):
        raise AssertionError("a part was inflated")

    monkeypatch.setattr(zipfile.ZipFile, "read", never)
    with pytest.raises(DocxRefused, match="inflate"):
        read_docx(path)


def test_refuses_a_zip_without_a_document(tmp_path: Path):
    with pytest.raises(DocxRefused, match="no Word document"):
        read_docx(_zip(tmp_path / "empty.docx", {"hello.txt": b"hi"}))


# --- conversion -------------------------------------------------------------------------


def _tracked(paragraph, inserted: str, deleted: str) -> None:
    ins = OxmlElement("w:ins")
    for key, value in (
        (qn("w:id"), "1"),
        (qn("w:author"), "Sam"),
        (qn("w:date"), "2024-01-01T00:00:00Z"),
    ):
        ins.set(key, value)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = inserted
    run.append(text)
    ins.append(run)
    dele = OxmlElement("w:del")
    for key, value in (
        (qn("w:id"), "2"),
        (qn("w:author"), "Sam"),
        (qn("w:date"), "2024-01-01T00:00:00Z"),
    ):
        dele.set(key, value)
    run = OxmlElement("w:r")
    text = OxmlElement("w:delText")
    text.text = deleted
    run.append(text)
    dele.append(run)
    paragraph._p.append(ins)
    paragraph._p.append(dele)


def test_conversion_keeps_structure_and_drops_words_artefacts(tmp_path: Path):
    blocks = [
        ("title", "Lost child policy"),
        ("empty", ""),
        ("note", "Changed in 2024: section 2 is new."),
        ("h1", "1. Policy aims"),
        ("number", "1.1 Staff **always** count the children at *every* change of room."),
        ("bullet", "See [the guidance](https://www.gov.uk/guidance) for more."),
        ("bullet2", "A nested point."),
        ("image", ""),
        ("table", "Who | Phone\nThe Manager | 01632 960000"),
        ("p", "Call 999 if there is danger."),
    ]
    path = write_docx(tmp_path / "lost.docx", blocks, header="Acorns policies", footer="Page 1")
    document = docx.Document(path)
    _tracked(document.add_paragraph("Phones are "), "kept in the office", "left anywhere")
    commented = document.add_paragraph("Ask the Manager.")
    document.add_comment(commented.runs, text="Is this still right?", author="Jo")
    document.save(path)
    converted = convert(read_docx(path))
    text = converted.text
    assert text.startswith("# Lost child policy\n\n")
    assert "# Policy aims" in text and "1. Policy aims" not in text
    assert "1. Staff **always** count the children at *every* change of room." in text
    assert (
        "- See [the guidance](https://www.gov.uk/guidance) for more.\n  - A nested point.\n" in text
    )
    assert "| The Manager | 01632 960000 |" in text
    assert "Call 999 if there is danger." in text  # a number that is text stays
    assert "Phones are kept in the office" in text and "left anywhere" not in text
    assert "Changed in 2024" not in text and "Acorns policies" not in text
    dropped = [str(d) for d in converted.dropped]
    assert any(
        d.startswith("a highlighted change note") and "Changed in 2024" in d for d in dropped
    )
    assert any(d.startswith("typed numbering '1.1'") for d in dropped)
    assert any(d.startswith("typed numbering '1.'") for d in dropped)
    assert any(d.startswith("an empty paragraph") for d in dropped)
    assert any(d.startswith("an image") for d in dropped)
    assert any("Acorns policies" in d for d in dropped) and any("Page 1" in d for d in dropped)
    notes = "\n".join(converted.notes)
    assert "tracked insertion (kept as Word shows it): kept in the office" in notes
    assert "tracked deletion (left out, as Word shows it): left anywhere" in notes
    assert "comment (left out): Jo: Is this still right?" in notes


# --- one setting's copy -------------------------------------------------------------------


def test_a_settings_known_facts_become_its_variables(reference_files):
    converted = convert(read_docx(reference_files["poppys"]))
    setting = load_setting(REPO / "settings", "poppys")
    marked = mark_known_facts(converted.lines, setting, TODAY)
    text = "\n".join(marked.lines)
    assert "Gemma Chapman" not in text and "{{ dsls[0].name }}" in text
    assert "{{ dsls[0].name | upper }}" in text  # GEMMA CHAPMAN in the Key Details table
    assert "{{ name }} recognises" in text and "Poppy\u2019s recognises" not in text
    assert "Poppu" not in text  # the slip is corrected in the source ...
    slips = [(s.found, s.meant) for s in marked.slips]
    assert ("Poppu\u2019s", "Poppy's") in slips  # ... and reported
    assert "{{ name }}" not in marked.used.get("name", "") and marked.used["name"] == "Poppy's"
    assert any("Keeping Children Safe in Education 2022" in e and "KCSIE 2026" in e
               for e in marked.editions)  # fmt: skip
    assert 'g.short_name is defined and g.short_name == "KCSIE"' in text and "g | citation" in text
    proposals = [(p.kind, p.text) for p in marked.proposals]
    assert ("date", "SEPTEMBER, 2022") in proposals
    dates = {key: iso for key, (iso, _) in marked.policy_dates.items()}
    assert dates == {"written": "2022-09", "next_review": "2023-09"}


def test_literal_jinja_in_a_word_file_stays_text(tmp_path: Path):
    setting = load_setting(REPO / "settings", "halstead")
    marked = mark_known_facts(["Type {{ name }} or {% raw %} here."], setting, TODAY)
    assert marked.lines == ["Type {{ '{' }}{ name }} or {{ '{' }}% raw %} here."]


# --- several copies: the reference family ---------------------------------------------------


def test_reference_family_round_trips(project: Project, reference_files):
    result = import_policy(project, "mobile-imported", list(reference_files.items()), TODAY)
    trips = {t.slug: t for t in result.round_trips}
    assert all(t.exact for t in trips.values()), [str(t) for t in trips.values()]
    assert all(t.share > 0.99 for t in trips.values())
    text = result.recovered.text
    assert "Halstead Nursery" not in text and "Poppy" not in text
    assert "Tracey McCartney" not in text and "Gemma Chapman" not in text
    used = {c.slug: c.marked.used for c in result.copies}
    assert used["halstead"]["name"] == "Halstead Nursery"
    assert used["halstead"]["dsls[0].name"] == "Tracey McCartney"
    assert used["poppys"]["name"] == "Poppy's"
    assert used["poppys"]["dsls[1].name"] == "Mary Smith"
    keep = next(f for f in result.recovered.facts if "learners" in f.values.values())
    assert keep.values["poppys"] == "children/pupils/students"
    assert any(f.kind is FactKind.YES_NO for f in result.recovered.facts)


# --- the draft, the review page, --apply ---------------------------------------------------


def test_cli_imports_writes_a_draft_and_never_overwrites(project: Project, reference_files):
    runner = CliRunner()
    args = ["import", "--policy", "mobile-imported", "--project", str(project.root),
            "--today", "2026-12-05", *map(str, reference_files.values())]  # fmt: skip
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "the corrected copy exact" in result.output
    assert "2 slip(s) in the name" in result.output  # Poppu's and "the Poppy community"
    draft = project.docs_dir / "policies" / "mobile-imported.md"
    meta = parse_front_matter(draft.read_text(encoding="utf-8"))
    body = split_front_matter(draft.read_text(encoding="utf-8"))[1]
    assert meta["policy_id"] == "mobile-imported" and meta["draft"] is True
    assert meta["title"] == "Mobile Technology and Social Media Policy"
    assert "{{ name }}" in body and "{% if mobile_imported." in body
    declared = meta["facts"]["mobile_imported"]
    assert declared and all(d["kind"] in ("phrase", "list", "yes_no") and d["question"]
                            for d in declared.values())  # fmt: skip
    assert all("{}" in d["frame"] for d in declared.values() if d["kind"] != "yes_no")
    review = (project.root / "import-review" / "mobile-imported.md").read_text()
    assert "Poppu" in review and "Slips" in review and "KCSIE 2026" in review
    assert "halstead.docx, paragraph" in review
    again = runner.invoke(cli, args)  # its own draft: replaced
    assert again.exit_code == 0, again.output
    written = project.docs_dir / "policies" / "social-media.md"
    before = written.read_text()
    refused = runner.invoke(
        cli,
        [
            "import",
            "--policy",
            "social-media",
            "--project",
            str(project.root),
            *map(str, reference_files.values()),
        ],
    )
    assert refused.exit_code == 1 and "not a draft the importer wrote" in refused.output
    assert written.read_text() == before
    assert DRAFT_MARK in draft.read_text()


def test_cli_lists_every_refused_file_and_writes_nothing(project: Project, tmp_path: Path):
    (tmp_path / "acorns.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    (tmp_path / "oaks.docx").write_bytes(b"not a zip")
    result = CliRunner().invoke(
        cli,
        [
            "import",
            "--policy",
            "lost-child",
            "--project",
            str(project.root),
            str(tmp_path / "acorns.doc"),
            str(tmp_path / "oaks.docx"),
        ],
    )
    assert result.exit_code == 1
    assert "acorns.doc: a .doc" in result.output and "oaks.docx: it is damaged" in result.output
    assert "Traceback" not in result.output
    assert not (project.settings_dir / "acorns.yml").exists()
    assert not (project.docs_dir / "policies" / "lost-child.md").exists()


def test_new_slug_gets_a_placeholder_settings_file(project: Project, reference_files):
    result = CliRunner().invoke(
        cli,
        [
            "import",
            "--policy",
            "mobile-imported",
            "--project",
            str(project.root),
            f"little-acorns={reference_files['halstead']}",
        ],
    )
    assert result.exit_code == 0, result.output
    written = (project.settings_dir / "little-acorns.yml").read_text()
    assert "FILL IN" in written and "# yaml-language-server" in written


def test_apply_adds_accepted_values_and_keeps_comments(project: Project, reference_files):
    runner = CliRunner()
    base = ["import", "--policy", "mobile-imported", "--project", str(project.root)]
    assert runner.invoke(cli, [*base, *map(str, reference_files.values())]).exit_code == 0
    values_path = project.root / "import-review" / "mobile-imported.yml"
    values = yaml.safe_load(values_path.read_text())
    names = list(values["facts"])
    refused_name = names[0]
    values["facts"][refused_name]["accept"] = False
    values_path.write_text(yaml.safe_dump(values, sort_keys=False))
    before = (project.settings_dir / "halstead.yml").read_text()
    (project.settings_dir / "halstead.yml").chmod(0o640)
    result = runner.invoke(cli, [*base, "--apply"])
    assert (project.settings_dir / "halstead.yml").stat().st_mode & 0o777 == 0o640
    assert result.exit_code == 0, result.output
    # It names the settings files it changed, and says check must pass before publishing.
    assert "settings files changed: halstead.yml, poppys.yml" in result.output
    assert "policy-sites check halstead poppys must pass (no errors) before" in result.output
    review = (project.root / "import-review" / "mobile-imported.md").read_text()
    assert "`settings/halstead.yml`, `settings/poppys.yml`" in review
    assert "`policy-sites check halstead poppys` must pass (no errors) before" in review
    after = (project.settings_dir / "halstead.yml").read_text()
    comments = [line for line in before.splitlines() if line.lstrip().startswith("#")]
    assert all(line in after for line in comments)  # every comment survives
    assert after.startswith(before.split("\nname:")[0])
    data = yaml.safe_load(after)
    own = data["mobile_imported"]
    accepted = [n for n in names[1:] if "halstead" in values["facts"][n]["values"]]
    assert all(own[n] == values["facts"][n]["values"]["halstead"] for n in accepted)
    assert refused_name not in own
    assert "mobile-imported" in data["policies"]
    assert data["phones"] == yaml.safe_load(before)["phones"]  # the rest unchanged
    poppys = yaml.safe_load((project.settings_dir / "poppys.yml").read_text())
    assert poppys["policies"]["mobile-imported"] == {"written": "2022-09", "next_review": "2023-09"}


def test_staff_only_facts_in_a_copy_never_reach_parents(project: Project, tmp_path: Path):
    setting = load_setting(project.settings_dir, "poppys")
    staff_phone = str(setting.whistleblowing_contact.phone)
    blocks = [
        ("title", "Whistleblowing"),
        ("p", f"Staff can ring {staff_phone} to raise a worry about practice."),
        ("p", "Parents can speak to the Manager."),
    ]
    path = write_docx(tmp_path / "poppys.docx", blocks)
    other = write_docx(tmp_path / "halstead.docx", [*blocks[:1], ("p", "Staff can ring "
                       "the Chair to raise a worry about practice."), blocks[2]])  # fmt: skip
    result = import_policy(project, "whistle", [("poppys", path), ("halstead", other)], TODAY)
    assert staff_phone not in result.recovered.text
    assert all(staff_phone not in str(v) for f in result.recovered.facts for v in f.values.values())
    poppys = next(c for c in result.copies if c.slug == "poppys")
    assert poppys.marked.staff_only == ["line 2: whistleblowing_contact.phone"]
    from policy_sites.importer.run import Renderer

    renderer = Renderer(project.root, TODAY)
    renderer.add("poppys", setting)
    values = {f.name: f.values.get("poppys", "") for f in result.recovered.facts}
    parents = renderer.render("poppys", result.recovered.text, {"whistle": values}, staff=False)
    assert staff_phone not in parents
    alone = import_policy(project, "whistle-alone", [("poppys", path)], TODAY)
    guarded = "{% if for_staff %}{{ whistleblowing_contact.phone }}{% endif %}"
    assert guarded in alone.recovered.text and alone.round_trips[0].exact
    assert staff_phone not in renderer.render("poppys", alone.recovered.text, staff=False)
    assert staff_phone in renderer.render("poppys", alone.recovered.text, staff=True)


def test_apply_refuses_a_broken_settings_file_and_changes_none(project: Project, reference_files):
    runner = CliRunner()
    base = ["import", "--policy", "mobile-imported", "--project", str(project.root)]
    assert runner.invoke(cli, [*base, *map(str, reference_files.values())]).exit_code == 0
    poppys = project.settings_dir / "poppys.yml"
    broken = poppys.read_text() + "\nrooms: [unclosed\n"
    poppys.write_text(broken)
    halstead_before = (project.settings_dir / "halstead.yml").read_text()
    result = runner.invoke(cli, [*base, "--apply"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{poppys}:" in result.output and "nothing was applied" in result.output
    assert (project.settings_dir / "halstead.yml").read_text() == halstead_before
    assert poppys.read_text() == broken


def test_a_broken_settings_file_stops_the_import_before_anything_is_written(
    project: Project, reference_files
):
    halstead = project.settings_dir / "halstead.yml"
    halstead.write_text(halstead.read_text().replace("name: Halstead Nursery", "name: [oops"))
    result = CliRunner().invoke(
        cli,
        ["import", "--policy", "mobile-imported", "--project", str(project.root),
         f"new-one={reference_files['poppys']}", f"halstead={reference_files['halstead']}"],
    )  # fmt: skip
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{halstead}:" in result.output and "nothing was imported" in result.output
    assert not (project.settings_dir / "new-one.yml").exists()
    assert not (project.docs_dir / "policies" / "mobile-imported.md").exists()


def test_apply_lists_the_policy_for_a_setting_without_facts(project: Project, reference_files):
    runner = CliRunner()
    base = ["import", "--policy", "mobile-imported", "--project", str(project.root)]
    assert runner.invoke(cli, [*base, str(reference_files["halstead"])]).exit_code == 0
    assert (
        yaml.safe_load((project.root / "import-review" / "mobile-imported.yml").read_text())[
            "facts"
        ]
        == {}
    )  # one copy: nothing differs
    result = runner.invoke(cli, [*base, "--apply"])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((project.settings_dir / "halstead.yml").read_text())
    assert "mobile-imported" in data["policies"] and "mobile_imported" not in data


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--policy", "Lost Child", "x.docx"], "a policy's id is its source's file name"),
        (["--policy", "lost-child", "Halstead Nursery.docx"], "name the setting as SLUG=FILE"),
        (["--policy", "lost-child", "a=x.docx", "a=y.docx"], "'a' is given twice"),
        (["--policy", "lost-child"], "give the Word files to import"),
        (["--policy", "lost-child", "--apply", "x.docx"], "--apply takes no FILES"),
        (["--policy", "lost-child", "--apply"], "import-review/lost-child.yml does not exist"),
    ],
)
def test_cli_refuses_bad_arguments_in_one_line(project: Project, args: list[str], says: str):
    result = CliRunner().invoke(cli, ["import", "--project", str(project.root), *args])
    assert result.exit_code in (1, 2) and says in result.output
    assert "Traceback" not in result.output


def test_the_draft_renders_with_the_projects_own_context(project: Project, reference_files):
    """The recovered source, given each setting's values as the facts contract keeps them,
    renders strictly (as mkdocs.yml has mkdocs-macros render) with the context the build
    gives each view (context.variables.build_context), and parents never see staff text."""
    import jinja2

    from policy_sites.context.variables import build_context, staff_only_values
    from policy_sites.context.views import PARENTS, STAFF
    from policy_sites.importer.run import Renderer

    result = import_policy(project, "mobile-imported", list(reference_files.items()), TODAY)
    renderer = Renderer(project.root, TODAY)
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    env.filters.update(renderer.env.filters)
    template = env.from_string(result.recovered.text)
    for copy in result.copies:
        setting = load_setting(project.settings_dir, copy.slug)
        values = {f.name: f.values.get(copy.slug, "") for f in result.recovered.facts}
        for view in (PARENTS, STAFF):
            context = build_context(setting, view, TODAY)
            page = template.render(context, mobile_imported=values)
            assert setting.name.replace("'", "&#39;") in page or setting.name in page
            if view is PARENTS:
                assert not [v for v in staff_only_values(setting) if v in page]


def test_every_refusal_comes_back_from_the_reading_processes(project: Project, tmp_path: Path):
    """A zip that is no Word document inside is refused in one line, also when the files
    are read by several processes, and every refused file is named."""
    from policy_sites.importer.run import FilesRefused

    parts = _minimal_parts()
    parts["word/document.xml"] = b"<notword/>"
    odd = _zip(tmp_path / "oaks.docx", parts)
    (tmp_path / "elms.docx").write_bytes(b"not a zip")
    good = write_docx(tmp_path / "ash.docx", [("p", "Hello.")])
    sources = [("ash", good), ("oaks", odd), ("elms", tmp_path / "elms.docx")]
    with pytest.raises(FilesRefused) as refused:
        import_policy(project, "hello", sources, TODAY, workers=2)
    lines = [str(r) for r in refused.value.refused]
    assert len(lines) == 2
    assert lines[0].startswith(str(odd)) and "save it as .docx" in lines[0]
    assert lines[1].startswith(str(tmp_path / "elms.docx")) and "damaged" in lines[1]
    assert not (project.settings_dir / "ash.yml").exists()


def test_importing_again_after_apply_recovers_the_same_draft(project: Project, reference_files):
    """Run again after --apply (as the guide allows), the import does not take the values
    --apply wrote for its own facts as known facts of the copy (whose names the new
    draft would not declare): it recovers the same draft, with no traceback."""
    runner = CliRunner()
    base = ["import", "--policy", "mobile-imported", "--project", str(project.root)]
    files = list(map(str, reference_files.values()))
    assert runner.invoke(cli, [*base, *files]).exit_code == 0
    draft = project.docs_dir / "policies" / "mobile-imported.md"
    first = draft.read_text(encoding="utf-8")
    assert runner.invoke(cli, [*base, "--apply"]).exit_code == 0
    again = runner.invoke(cli, [*base, *files])
    assert again.exit_code == 0, again.output
    assert again.output.count("the corrected copy exact") == 2, again.output
    assert draft.read_text(encoding="utf-8") == first
