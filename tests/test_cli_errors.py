"""Broken input gets one clear line (file, line, what, what to do) and exit status 1; never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from essaybook import run


def essay(folder: Path, text: str, name: str = "essay.md") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def fails(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code = run(args)
    captured = capsys.readouterr()
    assert code == 1, captured
    assert "Traceback" not in captured.err
    assert captured.out == ""
    lines = [ln for ln in captured.err.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1, captured.err
    return lines[0]


def test_missing_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = fails(["epub", str(tmp_path / "nope.md"), "-o", str(tmp_path / "x.epub")], capsys)
    assert line == f"error: {tmp_path / 'nope.md'}: no such file or folder; check the path"


def test_folder_without_essay(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = fails(["epub", str(tmp_path), "-o", str(tmp_path / "x.epub")], capsys)
    assert line.endswith("no essay.md in this folder; put the essay in essay.md or pass its file")
    for name in ("a.md", "b.md"):
        (tmp_path / name).write_text("---\ntitle: T\n---\n\nText.\n", encoding="utf-8")
    line = fails(["epub", str(tmp_path), "-o", str(tmp_path / "x.epub")], capsys)
    assert line.endswith("no essay.md in this folder, and 2 Markdown files (a.md, b.md); put the essay in essay.md "
                         "or pass its file")


def test_a_folder_holding_one_markdown_file_is_that_essay(tmp_path: Path) -> None:
    """A Jekyll post copied into a folder of its own keeps its name (2021-08-09-kiln-notes.md): it is the essay."""
    essay(tmp_path, "---\ntitle: Kiln\nlang: en\n---\n\nText.\n", name="2021-08-09-kiln-notes.md")
    assert run(["epub", str(tmp_path), "-o", str(tmp_path / "x.epub"), "--no-page-list", "-q"]) == 0


def test_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "essay.md"
    path.write_bytes(b"---\ntitle: T\n---\n\ncaf\xe9\n")
    line = fails(["epub", str(path), "-o", str(tmp_path / "x.epub")], capsys)
    assert line == f"error: {path}:5: not UTF-8 text (byte 0xe9 at offset 21); save the file as UTF-8"


def test_invalid_yaml_names_the_line_in_the_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = essay(tmp_path, "---\ntitle: T\nsubject: [a, b\n---\n\nText.\n")
    line = fails(["epub", str(path), "-o", str(tmp_path / "x.epub")], capsys)
    assert line.startswith(f"error: {path}:3: front matter is not valid YAML (")
    assert line.endswith("; close the list with ']' (or the mapping with '}'), or quote a value that holds ',', ':' "
                         "or '?' (a question: \"What does it claim?\"), or write the list one '- item' per line")


def test_the_readmes_front_matter_template_builds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Copied as it stands (its placeholders, its comments), the README's template is an essay that builds."""
    import re

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    template = re.search(r"### Writing an essay.*?```markdown\n(.*?)```", readme, re.DOTALL).group(1)
    template = re.sub(r"^(cover|identifier):.*\n", "", template, flags=re.MULTILINE)  # no such file, no ISBN here
    template = re.sub(r"!\[.*\n", "", template)  # the image the example names is not here either
    path = essay(tmp_path, template)
    assert run(["epub", str(path), "-o", str(tmp_path / "x.epub"), "--no-page-list"]) == 0, capsys.readouterr().err


def test_front_matter_not_a_mapping(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = essay(tmp_path, "---\n- a\n- b\n---\n\nText.\n")
    line = fails(["epub", str(path), "-o", str(tmp_path / "x.epub")], capsys)
    assert line == f"error: {path}:2: front matter must be a mapping of 'key: value' lines"


def test_wrong_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = essay(tmp_path, "---\ntitle: T\nauthor: 12\n---\n\nText.\n")
    line = fails(["epub", str(path), "-o", str(tmp_path / "x.epub")], capsys)
    assert line == f"error: {path}:3: 'author' must be text or a list of text, not a number (12)"


def test_no_title(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = essay(tmp_path, "---\nlang: en\n---\n\nText.\n")
    line = fails(["epub", str(path), "-o", str(tmp_path / "x.epub")], capsys)
    assert line == f"error: {path}:2: the essay has no title; add 'title: …' to the front matter"


def test_empty_body(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = essay(tmp_path, "---\ntitle: T\n---\n\n   \n")
    line = fails(["epub", str(path), "-o", str(tmp_path / "x.epub")], capsys)
    assert line == f"error: {path}:4: the essay has no text after its front matter; write the essay below the '---'"


def test_missing_image(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = essay(tmp_path, "---\ntitle: T\n---\n\nText.\n\n![Map](images/map.png)\n")
    line = fails(["epub", str(path), "-o", str(tmp_path / "x.epub")], capsys)
    assert line == f"error: {path}:7: image 'images/map.png' not found (looked in {tmp_path / 'images'}/)"


def test_not_an_image(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = essay(tmp_path, "---\ntitle: T\n---\n\n![Map](map.png)\n")
    (tmp_path / "map.png").write_text("hello")
    line = fails(["epub", str(path), "-o", str(tmp_path / "x.epub")], capsys)
    assert line == (f"error: {path}:5: 'map.png' is not an image e-readers can show "
                    "(not JPEG, PNG, GIF, WebP or SVG)")


def test_image_format_readers_do_not_show(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = essay(tmp_path, "---\ntitle: T\n---\n\n![Map](map.tif)\n")
    Image.new("RGB", (10, 10)).save(tmp_path / "map.tif")
    line = fails(["epub", str(path), "-o", str(tmp_path / "x.epub")], capsys)
    assert line == f"error: {path}:5: image 'map.tif' is TIFF, which e-readers do not show; convert it to PNG or JPEG"


def test_references_outside_the_folder_are_refused_together(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "essay"
    path = essay(folder, "---\ntitle: T\n---\n\n![a](../secret.png)\n\n![b](file:///etc/passwd)\n\n"
                         "![c](http://127.0.0.1:9/x.png)\n")
    out = tmp_path / "x.epub"
    line = fails(["epub", str(path), "-o", str(out)], capsys)
    assert line == (f"error: {path}:5: refused 2 references outside the essay's folder: '../secret.png' (line 5), "
                    f"'file:///etc/passwd' (line 7); copy the file into {folder}/ and refer to it by a relative path")
    assert not out.exists()  # the image on the web is a warning of its own (image-remote): left out, never fetched


def test_missing_output_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = essay(tmp_path, "---\ntitle: T\n---\n\nText.\n")
    line = fails(["epub", str(path), "-o", str(tmp_path / "no" / "x.epub")], capsys)
    assert line == (f"error: {tmp_path / 'no' / 'x.epub'}: output folder {tmp_path / 'no'}/ does not exist; "
                    "create it or choose another with -o")


def test_unknown_key_is_a_warning_with_a_suggestion(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = essay(tmp_path, "---\ntitle: T\nautor: Somebody\n---\n\nText.\n")
    assert run(["epub", str(path), "-o", str(tmp_path / "x.epub"), "--no-page-list"]) == 0
    err = capsys.readouterr().err
    assert f"warning: {path}:3: unknown front matter key 'autor' ignored; did you mean 'author'?" in err


def test_failed_build_leaves_previous_output_untouched(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = essay(tmp_path, "---\ntitle: T\n---\n\nText.\n")
    out = tmp_path / "x.epub"
    assert run(["epub", str(path), "-o", str(out), "-q", "--no-page-list"]) == 0
    before = out.read_bytes()
    path.write_text("---\ntitle: T\n---\n\n![x](missing.png)\n", encoding="utf-8")
    fails(["epub", str(path), "-o", str(out)], capsys)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["essay.md", "x.epub"]


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    from essaybook.errors import SourceError

    with pytest.raises(SourceError):
        run(["epub", str(tmp_path / "nope.md"), "--debug"])


def test_a_project_stylesheet_weasyprint_cannot_lay_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """WeasyPrint 70 fails on some content a project's own print.css may ask for: the person hears which sheet,
    not "internal error", and no PDF is left."""
    import essaybook

    from conftest import cross_reference_essay

    source = cross_reference_essay(tmp_path / "content" / "refs")
    shipped = (Path(essaybook.__file__).parent / "styles" / "print.css").read_text(encoding="utf-8")
    (tmp_path / "styles").mkdir()
    (tmp_path / "styles" / "print.css").write_text(
        shipped + '\na.internal::after { content: " p." target-counter(attr(href url), page) " of " '
                  'counter(pages); }\n', encoding="utf-8")
    line = fails(["pdf", str(source), "-o", str(tmp_path / "x.pdf")], capsys)
    assert "print layout failed inside WeasyPrint" in line and "styles/print.css" in line, line
    assert not (tmp_path / "x.pdf").exists()


def test_no_library_prints_its_own_log_lines(tmp_path: Path) -> None:
    """A handout with math (ziafont logs through the root logger, so Python would set up a stderr handler)
    and an image without alt text (WeasyPrint's tagging logs an error): stderr holds essaybook's own one-line
    warnings only, the image's in the author's terms. Run as a process: pytest's own log handlers would hide it."""
    import os
    import subprocess
    import sys

    folder = tmp_path / "heron"
    essay(folder, "---\ntitle: Heron\nlang: en\n---\n\n![](heron.png)\n\nA math bit $E = mc^2$ here.\n")
    Image.new("RGB", (1600, 1000), "teal").save(folder / "heron.png")
    done = subprocess.run([sys.executable, "-m", "essaybook", "pdf", str(folder), "-o", str(tmp_path / "h.pdf")],
                          capture_output=True, text=True, env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "c")})
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines and all(line.startswith("warning: ") for line in lines), lines
    assert any("image has no alt text" in line for line in lines)


def test_booklet_and_two_up_together_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    essay = tmp_path / "essay.md"
    essay.write_text("---\ntitle: T\nlang: en\n---\n\nText.\n", encoding="utf-8")
    assert run(["pdf", str(essay), "--booklet", "--two-up", "-o", str(tmp_path / "x.pdf")]) == 1
    err = capsys.readouterr().err
    assert err == "error: --booklet and --two-up are two ways of putting the pages on sheets; choose one\n"
    assert not (tmp_path / "x.pdf").exists()
