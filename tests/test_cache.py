"""A build whose inputs are unchanged reuses its outputs, and says so; any change, or --force, rebuilds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from essaybook import run

from conftest import ESSAY


@pytest.fixture
def essay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "content" / "essay"
    shutil.copytree(ESSAY.parent, folder)
    return folder


def build(essay: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> list[str]:
    assert run(["build", str(essay), "--out-dir", str(essay.parent.parent / "build"), *extra]) == 0
    return capsys.readouterr().out.splitlines()


def test_unchanged_inputs_reuse_outputs(essay: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = build(essay, capsys)
    assert len(first) == 2 and not any(line.endswith(", unchanged)") for line in first)
    outputs = sorted((essay.parent.parent / "build").iterdir())
    before = {p: p.stat().st_mtime_ns for p in outputs}
    again = build(essay, capsys)
    assert all(line.endswith(", unchanged)") for line in again)
    assert {p: p.stat().st_mtime_ns for p in outputs} == before
    assert sorted(p.name for p in outputs) == ["essay.epub", "essay.pdf"], "no stamp files beside the outputs"


@pytest.mark.parametrize("change", ["source", "image", "option", "output", "force"])
def test_any_change_rebuilds(essay: Path, capsys: pytest.CaptureFixture[str], change: str) -> None:
    build(essay, capsys)
    extra: list[str] = []
    if change == "source":
        path = essay / "essay.md"
        path.write_text(path.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    elif change == "image":
        svg = essay / "images" / "border-map.svg"
        svg.write_text(svg.read_text(encoding="utf-8").replace("</svg>", "<!-- edited --></svg>"), encoding="utf-8")
    elif change == "option":
        extra = ["--paper", "a5"]
    elif change == "output":
        (essay.parent.parent / "build" / "essay.pdf").write_bytes(b"%PDF-1.7 edited by hand")
    else:
        extra = ["--force"]
    lines = build(essay, capsys, *extra)
    assert any(not line.endswith(", unchanged)") for line in lines), lines


def test_an_epub_after_a_pdf_reads_the_remembered_layout(essay: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """The page list comes from the handout's layout; an EPUB made after the PDF of the same essay, styles and
    options must not lay the handout out again (WeasyPrint is not even imported), and gets the same pages."""
    import subprocess
    import sys
    import zipfile

    out = tmp_path / "out"
    out.mkdir()
    cold = tmp_path / "cold.epub"
    assert run(["epub", str(essay), "-o", str(cold), "-q", "--force"]) == 0
    assert run(["pdf", str(essay), "-o", str(out / "essay.pdf"), "-q"]) == 0
    probe = ("import sys; from essaybook import run; code = run(sys.argv[1:]); "
             "sys.exit(code or (3 if 'weasyprint' in sys.modules else 0) or (4 if 'markdown' in sys.modules else 0))")
    warm = out / "essay.epub"
    result = subprocess.run([sys.executable, "-c", probe, "epub", str(essay), "-o", str(warm), "-q"],
                            capture_output=True, text=True, env={**__import__("os").environ})
    # 3: WeasyPrint was imported (the layout is remembered); 4: Markdown was (so is the parse)
    assert result.returncode == 0, result.stderr or result.returncode
    with zipfile.ZipFile(cold) as a, zipfile.ZipFile(warm) as b:
        assert a.read("EPUB/essay.xhtml") == b.read("EPUB/essay.xhtml")
        assert a.read("EPUB/nav.xhtml") == b.read("EPUB/nav.xhtml")


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["check", "{essay}"],
                                  ["epub", "{essay}", "-o", "{tmp}/x.epub", "--no-page-list", "-q"]])
def test_commands_import_only_what_they_use(args: list[str], essay: Path, tmp_path: Path) -> None:
    """WeasyPrint (~0.5 s) only where a PDF or a page list is made; ebooklib only where an EPUB is."""
    import subprocess
    import sys

    probe = ("import sys; from essaybook import run; code = run(sys.argv[1:]); "
             "sys.exit(code or (3 if 'weasyprint' in sys.modules else 0) or "
             "(4 if 'ebooklib' in sys.modules and sys.argv[1] != 'epub' else 0))")
    argv = [a.format(essay=essay, tmp=tmp_path) for a in args]
    result = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True)
    assert result.returncode == 0, (result.returncode, result.stderr)


def test_a_remembered_parse_says_what_the_parse_said(essay: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """The second command reads the parse the first one kept, warnings included; an edit parses afresh."""
    source = essay / "essay.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nSee [the map](#no-such-place).\n", encoding="utf-8")
    assert run(["pdf", str(essay), "-o", str(tmp_path / "a.pdf")]) == 0
    first = [line for line in capsys.readouterr().err.splitlines() if "no-such-place" in line]
    assert run(["epub", str(essay), "-o", str(tmp_path / "a.epub")]) == 0
    second = [line for line in capsys.readouterr().err.splitlines() if "no-such-place" in line]
    assert first and second == first
    source.write_text(source.read_text(encoding="utf-8").replace("#no-such-place", "#elsewhere"), encoding="utf-8")
    assert run(["epub", str(essay), "-o", str(tmp_path / "b.epub")]) == 0
    err = capsys.readouterr().err
    assert "elsewhere" in err and "no-such-place" not in err


def test_a_remembered_parse_belongs_to_the_path_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """The parse holds the essay's path as it was typed: from another folder it is not reused (it was, and
    the build then looked for ``content/x/essay.md`` in the wrong place)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    (project / "content" / "x").mkdir(parents=True)
    elsewhere.mkdir()
    essay = project / "content" / "x" / "essay.md"
    essay.write_text("---\ntitle: Undated\nlang: en\n---\n\nSee [there](#nowhere).\n", encoding="utf-8")
    monkeypatch.chdir(project)
    assert run(["pdf", "content/x/essay.md", "-o", str(tmp_path / "a.pdf"), "-q"]) == 0
    monkeypatch.chdir(elsewhere)
    assert run(["epub", str(project / "content" / "x" / "essay.md"), "-o", str(tmp_path / "a.epub")]) == 0
    assert "content/x/essay.md" in capsys.readouterr().err  # the warning names the essay from here
