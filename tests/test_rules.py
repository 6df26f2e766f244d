"""One rule set: what the build warns about and what `essaybook check` reports come from the same decisions,
at the same lines, under the same rule ids; and the author's text survives in every place a title appears."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from essaybook import run
from essaybook.check import check_paths
from essaybook.rules import CHECK_ONLY, RULES

ROOT = Path(__file__).resolve().parents[1]
ODD = ROOT / "tests" / "fixtures" / "rules" / "odd" / "essay.md"
_LINE = re.compile(r"^(warning|error): (?P<file>[^:]+):(?P<line>\d+): (?P<message>.*)$")

# What the odd essay must give, by (line, rule): the build and check both, every one of them.
ODD_EXPECTED = {
    (4, "front-matter-unknown-key"), (8, "link-scheme"),
    (9, "link-broken"), (17, "link-broken"), (19, "alt-missing"), (21, "image-unusable"), (23, "image-unusable"),
    (25, "html-removed"), (26, "html-removed"), (28, "html-removed"), (30, "footnote-undefined"),
    (32, "footnote-unused"),
}


def test_the_build_and_check_report_the_same_problems_at_the_same_lines(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    findings = [f for f in check_paths(ODD) if f.rule not in CHECK_ONLY]
    checked = {(f.line, f.message) for f in findings}
    assert {(f.line, f.rule) for f in findings} == ODD_EXPECTED
    assert run(["epub", str(ODD), "-o", str(tmp_path / "odd.epub"), "--no-page-list"]) == 1
    built = set()
    for line in capsys.readouterr().err.splitlines():
        m = _LINE.match(line)
        assert m, line
        built.add((int(m["line"]), m["message"]))
    assert built == checked
    assert not (tmp_path / "odd.epub").exists()


def test_every_rule_of_the_build_is_a_rule_check_knows() -> None:
    assert set(CHECK_ONLY) <= set(RULES)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z-]+)` \|", readme, flags=re.M))
    assert set(RULES) <= documented, sorted(set(RULES) - documented)


def test_link_to_a_github_style_id_names_the_id_that_exists() -> None:
    [finding] = [f for f in check_paths(ODD) if "#history-1" in f.message]
    assert "did you mean '#history_1'?" in finding.message or "did you mean '#history-2'?" in finding.message


# name: (title, subtitle) as written, then as every place must show them (plain text, curly quotes).
TITLES = {
    "bold-tag": ("Why a <b> c", None, "Why a <b> c", None),
    "script-tags": ("Tags <i>", "On the <script> and <style> tags in plain text", "Tags <i>",
                    "On the <script> and <style> tags in plain text"),
    "entities": ("Trade & \"Trust\" on the Yalu <River>", None, "Trade & “Trust” on the Yalu <River>", None),
    "emphasis": ("The *Lusitania* and `rm -rf` & co.", None, "The Lusitania and rm -rf & co.", None),
    "list-like": ("1. A numbered start", "# not a heading", "1. A numbered start", "# not a heading"),
}


@pytest.fixture(scope="module")
def titled_books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    root = tmp_path_factory.mktemp("titles")
    books = {}
    import yaml

    for name, (title, subtitle, _, _) in TITLES.items():
        folder = root / name
        folder.mkdir()
        front = {"title": title, "lang": "en", "author": "O'Neill <oneill@example.org>"}
        if subtitle:
            front["subtitle"] = subtitle
        (folder / "essay.md").write_text(f"---\n{yaml.safe_dump(front, allow_unicode=True)}---\n\nText.\n",
                                         encoding="utf-8")
        assert run(["build", str(folder), "--out-dir", str(root / "out"), "--force", "-q"]) == 0
        books[name] = {"epub": root / "out" / f"{name}.epub", "pdf": root / "out" / f"{name}.pdf"}
    return books


@pytest.mark.parametrize("name", TITLES)
def test_titles_keep_every_character_in_every_place(name: str, titled_books: dict[str, dict[str, Path]]) -> None:
    _, _, shown, shown_subtitle = TITLES[name]
    epub, pdf = titled_books[name]["epub"], titled_books[name]["pdf"]
    with zipfile.ZipFile(epub) as z:
        opf = z.read("EPUB/content.opf").decode()
        nav = z.read("EPUB/nav.xhtml").decode()
        essay = z.read("EPUB/essay.xhtml").decode()
        cover = z.read("EPUB/cover.xhtml").decode()
    from lxml import etree

    def texts(xml: str, path: str) -> list[str]:
        tree = etree.fromstring(xml.encode())
        return [" ".join("".join(e.itertext()).split()) for e in tree.xpath(path, namespaces={
            "dc": "http://purl.org/dc/elements/1.1/", "h": "http://www.w3.org/1999/xhtml"})]

    assert shown in texts(opf, "//dc:title")
    assert any(t.startswith(shown) for t in texts(nav, "//h:nav//h:a"))
    assert texts(essay, "//h:title")[0].startswith(shown)
    assert texts(essay, "//h:h1") == [shown]
    assert shown in etree.fromstring(cover.encode()).xpath("string(//*[@alt]/@alt)") or \
        shown in texts(cover, "//h:title")[0]
    if shown_subtitle:
        assert texts(essay, "//h:p[@class='subtitle']") == [shown_subtitle]
        assert f"{shown}: {shown_subtitle}" in texts(opf, "//dc:title") + texts(essay, "//h:title")
    assert "O’Neill <oneill@example.org>" in texts(essay, "//h:p[@class='authors']")
    meta = PdfReader(pdf).metadata
    assert meta.title.startswith(shown)
    printed = " ".join(subprocess.run(["pdftotext", "-l", "1", str(pdf), "-"], capture_output=True, text=True,
                                      check=True).stdout.split())
    assert " ".join(shown.split()) in printed


def test_emphasis_in_a_title_is_emphasis_on_the_page(titled_books: dict[str, dict[str, Path]]) -> None:
    with zipfile.ZipFile(titled_books["emphasis"]["epub"]) as z:
        essay = z.read("EPUB/essay.xhtml").decode()
    assert re.search(r"<h1 id=\"title\">The <em>Lusitania</em> and <code>rm -rf</code> &amp; co\.</h1>", essay)
