"""Small pack files: a broken one gets one clear line per problem (the pack file, its line, what to do), exit 1,
nothing written and the previous outputs untouched; an essay's own warnings come prefixed with its path; the
pack's options (pages: false, --duplex) and a build of everything."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from essaybook import run
from essaybook.check import check_paths

from pdf_reading import page_texts

ESSAY = "---\ntitle: {title}\nauthor: A. Writer\nlang: en\nrights: © 2024 A. Writer\n---\n\nA short essay, {title}.\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("one", "two"):
        (tmp_path / "content" / name).mkdir(parents=True)
        (tmp_path / "content" / name / "essay.md").write_text(ESSAY.format(title=name.title()), encoding="utf-8")
    (tmp_path / "packs").mkdir()
    (tmp_path / "out").mkdir()
    for name in ("p.epub", "p.pdf"):
        (tmp_path / "out" / name).write_bytes(b"previous output")
    return tmp_path


def pack(project: Path, text: str) -> Path:
    path = project / "packs" / "p.yml"
    path.write_text(text, encoding="utf-8")
    return path


def errors(project: Path, path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    code = run(["build", str(path), "--out-dir", str(project / "out"), "--force"])
    captured = capsys.readouterr()
    assert code == 1, captured
    assert "Traceback" not in captured.err and captured.out == ""
    for name in ("p.epub", "p.pdf"):
        assert (project / "out" / name).read_bytes() == b"previous output"
    assert sorted(p.name for p in (project / "out").iterdir()) == ["p.epub", "p.pdf"]
    return [ln for ln in captured.err.splitlines() if ln.startswith("error:")]


CASES = {
    "missing essay": ("title: P\nessays:\n  - ../content/one\n  - ../content/three\n",
                      ":4: essay '../content/three' not found; check the path (relative to the pack file)"),
    "not YAML": ("title: P\nessays: [../content/one\n", ": not valid YAML"),
    "not a mapping": ("- ../content/one\n- ../content/two\n", ":1: a pack file must be a YAML mapping"),
    "essays empty": ("title: P\nessays: []\n", ":2: 'essays' is empty; list at least one essay"),
    "essays not a list": ("title: P\nessays: ../content/one\n", ":2: 'essays' must be a list"),
    "no essays": ("title: P\n", ":1: the pack lists no essays"),
    "outside the tree": ("title: P\nessays:\n  - ../../elsewhere/essay.md\n",
                         ":3: essay '../../elsewhere/essay.md' is outside the pack's folder tree"),
    "listed twice": ("title: P\nessays:\n  - ../content/one\n  - path: ../content/one/essay.md\n",
                     ":4: essay '../content/one/essay.md' is listed twice (first on line 3)"),
    "a folder with no essay in it": ("title: P\nessays:\n  - ../content/one\n  - ../content\n",
                                     ":4: essay '../content': no essay.md in this folder"),
    "a pack in a pack": ("title: P\nessays:\n  - ../content/one\n  - other.yml\n",
                         ":4: 'other.yml' is a pack file; a pack lists essays, not other packs"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_pack_is_one_line_and_nothing_written(project: Path, capsys: pytest.CaptureFixture[str],
                                                  case: str) -> None:
    text, expected = CASES[case]
    (project / "packs" / "other.yml").write_text("title: Other\nessays: [../content/two]\n", encoding="utf-8")
    path = pack(project, text)
    lines = errors(project, path, capsys)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error: {path}") and expected in lines[0], lines[0]


def test_an_essay_that_fails_to_build(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "content" / "two" / "essay.md").write_text("---\nauthor: Nobody\n---\n\nNo title.\n")
    path = pack(project, "title: P\nessays:\n  - ../content/one\n  - ../content/two\n")
    lines = errors(project, path, capsys)
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {path}:4: essay ") and "content/two/essay.md" in lines[0]
    assert "the essay has no title" in lines[0] and lines[0].endswith("leave it out of the pack")


def test_several_problems_at_once(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = pack(project, "essays:\n  - ../content/one\n  - ../content/one\n  - ../content/nine\n")
    lines = errors(project, path, capsys)
    assert [ln.split(": ", 2)[1].rsplit(":", 1)[1] for ln in lines] == ["1", "3", "4"]


def test_an_essays_warnings_name_the_essay(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "content" / "two" / "essay.md").write_text(
        "---\ntitle: Two\nautor: Typo\nlang: en\nrights: © me\n---\n\nText.\n", encoding="utf-8")
    path = pack(project, "title: P\nessays: [../content/one, ../content/two]\n")
    assert run(["build", str(path), "--out-dir", str(project / "out")]) == 0
    err = capsys.readouterr().err
    assert f"warning: {project / 'content' / 'two' / 'essay.md'}:3: unknown front matter key 'autor'" in err


def test_check_reports_the_pack_and_its_essays(project: Path) -> None:
    (project / "content" / "two" / "essay.md").write_text("---\ntitle: Two\nlang: en\n---\n\nThe the end.\n")
    path = pack(project, "title: P\nessays:\n  - ../content/one\n  - ../content/two\n")
    findings = check_paths(path)
    rules = {(f.rule, Path(f.file).name) for f in findings}
    assert ("pack-rights-missing", "p.yml") in rules
    assert ("doubled-word", "essay.md") in rules  # the essay's own editorial findings
    bad = check_paths(pack(project, "title: P\nessays: [../content/nine]\n"))
    assert [(f.rule, f.line) for f in bad] == [("pack-essay-missing", 2)]


def test_build_without_source_builds_the_essays_and_the_packs(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    pack(project, "title: P\nessays: [../content/one, ../content/two]\n")
    monkeypatch.chdir(project)
    assert run(["build", "--out-dir", "built", "--jobs", "1"]) == 0
    assert sorted(p.name for p in (project / "built").iterdir()) == \
        ["one.epub", "one.pdf", "p.epub", "p.pdf", "two.epub", "two.pdf"]
    capsys.readouterr()


def test_pages_false_and_duplex(project: Path, tmp_path: Path) -> None:
    """``pages: false`` keeps an essay in the EPUB and out of print; ``--duplex`` starts each essay on a
    right-hand (odd) page."""
    (project / "content" / "three").mkdir()
    (project / "content" / "three" / "essay.md").write_text(ESSAY.format(title="Three"), encoding="utf-8")
    path = pack(project, "title: P\nessays:\n  - ../content/one\n  - {path: ../content/two, pages: false}\n"
                         "  - ../content/three\n")
    out = project / "out"
    assert run(["build", str(path), "--out-dir", str(out), "--jobs", "1", "-q"]) == 0
    with zipfile.ZipFile(out / "p.epub") as z:
        assert "EPUB/e2-essay.xhtml" in z.namelist()
    texts = [" ".join(t.split()) for t in page_texts(out / "p.pdf")]
    assert not any("A short essay, Two." in t for t in texts)
    assert run(["pdf", str(path), "--duplex", "-o", str(tmp_path / "duplex.pdf"), "--jobs", "1", "-q"]) == 0
    texts = [" ".join(t.split()) for t in page_texts(tmp_path / "duplex.pdf")]
    starts = [i + 1 for i, t in enumerate(texts) if t.startswith(("One ", "Three "))]
    assert starts and all(n % 2 == 1 for n in starts), starts
    assert texts[starts[1] - 2].replace(" ", "") == f"{starts[1] - 1}/{len(texts)}"  # the blank page: folio only


def test_a_project_stylesheet_weasyprint_cannot_lay_out(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """As for an essay (test_cli_errors): the pack's layout failing inside WeasyPrint on the project's own
    print.css is one line naming the sheet, and the previous outputs stay."""
    import essaybook

    shipped = (Path(essaybook.__file__).parent / "styles" / "print.css").read_text(encoding="utf-8")
    (project / "styles").mkdir()
    (project / "styles" / "print.css").write_text(
        shipped + '\n.pack-contents li a::after { content: target-counter(attr(href), page) " of " counter(pages); }\n',
        encoding="utf-8")
    path = pack(project, "title: Week One\neditor: B. Editor\nessays:\n  - ../content/one\n  - ../content/two\n")
    code = run(["build", str(path), "--out-dir", str(project / "out"), "--force", "--jobs", "1"])
    captured = capsys.readouterr()
    assert code == 1 and "Traceback" not in captured.err, captured
    lines = [ln for ln in captured.err.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and "print layout failed inside WeasyPrint" in lines[0] and "styles/print.css" in lines[0]
    for name in ("p.epub", "p.pdf"):
        assert (project / "out" / name).read_bytes() == b"previous output"


def test_a_page_bundle_or_a_lone_post_is_listed_by_its_folder(project: Path) -> None:
    """A pack finds the essay in a folder as `essaybook build FOLDER` does: a Hugo page bundle's index.md, or
    the one Markdown file of a Jekyll post's folder."""
    (project / "content" / "bundle").mkdir()
    (project / "content" / "bundle" / "index.md").write_text(ESSAY.format(title="Bundle"), encoding="utf-8")
    (project / "content" / "post").mkdir()
    (project / "content" / "post" / "2021-08-09-post.md").write_text(ESSAY.format(title="Post"), encoding="utf-8")
    path = pack(project, "title: P\nessays:\n  - ../content/bundle\n  - ../content/post\n")
    assert run(["build", str(path), "--out-dir", str(project / "out"), "--force", "-q"]) == 0
    with zipfile.ZipFile(project / "out" / "p.epub") as z:
        names = z.namelist()
    assert "EPUB/e1-essay.xhtml" in names and "EPUB/e2-essay.xhtml" in names
