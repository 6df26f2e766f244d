"""Many real books at once: the essay, pandoc's test suite and the harder test essays, built through the CLI,
then EPUBCheck over all of them in one JVM and Ace by DAISY over the ones with figures, notes and CJK text."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from essaybook import validate

from conftest import CORPUS, ESSAY, TEST_ESSAYS, build, need_corpus
from pdf_reading import fonts, page_texts

SOURCES = {
    "essay": ESSAY,
    "testsuite": CORPUS / "pandoc-testsuite" / "testsuite.md",
    "footnotes-and-tables": TEST_ESSAYS / "footnotes-and-tables",
    "figures-and-names": TEST_ESSAYS / "figures-and-names",
    "korean-essay": TEST_ESSAYS / "korean-essay",
    "hostile-html": TEST_ESSAYS / "hostile-html",
    "course-pack": TEST_ESSAYS.parent / "course" / "packs" / "week-3.yml",  # three essays as one book
}
ACE_BOOKS = ["essay", "testsuite", "footnotes-and-tables", "figures-and-names", "korean-essay", "hostile-html",
             "course-pack"]


@pytest.fixture(scope="session")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    """Each source built as EPUB and PDF (A4) by `essaybook build`, so the EPUB's page list is the PDF's."""
    out = tmp_path_factory.mktemp("books")
    built = {}
    for name, source in SOURCES.items():
        if not source.exists():
            continue  # pandoc's test suite lives in the shared corpus: see test_corpus_is_there
        folder = out / name
        assert build(["build", str(source), "--out-dir", str(folder), "-q"]) == 0
        built[name] = {"epub": next(folder.glob("*.epub")), "pdf": next(folder.glob("*.pdf"))}
    return built


@pytest.fixture(scope="session")
def epubcheck_reports(books: dict[str, dict[str, Path]]) -> dict[str, list[validate.Finding]]:
    if not validate.epubcheck_available():
        pytest.skip("EPUBCheck needs Java and the epubcheck jar: run ./run test")
    paths = [b["epub"] for b in books.values()]
    reports = validate.epubcheck(paths, usage=True)
    return {name: reports[b["epub"]] for name, b in books.items()}


def test_corpus_is_there() -> None:
    need_corpus()
    assert SOURCES["testsuite"].is_file()


@pytest.mark.parametrize("name", SOURCES)
def test_epubcheck_reports_nothing(epubcheck_reports: dict[str, list], name: str) -> None:
    if name not in epubcheck_reports:
        need_corpus()
    findings = epubcheck_reports[name]
    assert not findings, "\n".join(str(f) for f in findings)


@pytest.mark.parametrize("name", ACE_BOOKS)
def test_ace_reports_no_violation(books: dict[str, dict[str, Path]], name: str, tmp_path: Path) -> None:
    if not validate.ace_available():
        pytest.skip("Ace by DAISY is not installed: run ./run test")
    if name not in books:
        need_corpus()
    findings = validate.ace(books[name]["epub"], workdir=tmp_path)
    assert not findings, "\n".join(str(f) for f in findings)


@pytest.mark.parametrize("name", SOURCES)
def test_pdf_fonts_embedded(books: dict[str, dict[str, Path]], name: str) -> None:
    if name not in books:
        need_corpus()
    used = fonts(books[name]["pdf"])
    assert used and all(embedded for _, embedded in used), used


def _epub_text(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read(f"EPUB/{name}"))
    return " ".join("".join(root.itertext()).split())


def test_hostile_html_leaves_text_and_no_active_content(books: dict[str, dict[str, Path]]) -> None:
    with zipfile.ZipFile(books["hostile-html"]["epub"]) as z:
        everything = b"".join(z.read(n) for n in z.namelist() if n.endswith((".xhtml", ".opf"))).decode()
    for forbidden in ("<script", "<iframe", "<object", "<form", "<style", "onclick", "onerror", "onmouseover",
                      "javascript:", "JaVaScRiPt:", "data:text", "url(", "<meta http-equiv", "<base"):
        assert forbidden not in everything, forbidden
    assert 'href="https://example.org' in everything and 'href="mailto:' in everything
    source = (TEST_ESSAYS / "hostile-html" / "essay.md").read_text(encoding="utf-8")
    survivors = re.findall(r"^([A-Z][a-z]+ [a-z]+ [a-z]+ [a-z]+)", source, flags=re.M)
    text = _epub_text(books["hostile-html"]["epub"], "essay.xhtml")
    assert survivors and all(s in text for s in survivors)


def test_cjk_text_has_glyphs_and_cjk_faces(books: dict[str, dict[str, Path]]) -> None:
    names = [n for n, _ in fonts(books["korean-essay"]["pdf"])]
    assert any("CJK-KR" in n for n in names), names
    text = " ".join(page_texts(books["figures-and-names"]["pdf"]))
    assert re.search("[\uac00-\ud7a3]", text) and re.search("[\u4e00-\u9fff]", text)


@pytest.mark.parametrize("name", ["essay", "footnotes-and-tables", "korean-essay", "course-pack"])
def test_page_list_matches_the_handout(books: dict[str, dict[str, Path]], name: str) -> None:
    """One page-list entry per handout page, each marker exactly where that page's text begins."""
    epub, pdf = books[name]["epub"], books[name]["pdf"]
    pages = page_texts(pdf, crop=(62, 770))  # A4's text block: below the running heads, above the folio
    with zipfile.ZipFile(epub) as z:
        nav = etree.fromstring(z.read("EPUB/nav.xhtml"))
        entries = nav.xpath("//h:nav[@epub:type='page-list']//h:a/@href",
                            namespaces={"h": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"})
        assert len(entries) == len(pages)
        docs = {n: z.read(f"EPUB/{n}").decode() for n in {e.split("#")[0] for e in entries}}
    for number, href in enumerate(entries, start=1):
        doc_name, anchor = href.split("#")
        assert anchor == f"page-{number}"
        after = docs[doc_name].split(f'id="{anchor}"', 1)[1]
        after = re.sub(r'<span class="pnum"[^>]*>\d+</span>', "", after)
        after_words = re.sub(r"<[^>]+>", " ", after.split(">", 1)[1]).replace("\u2060", "").split()
        if number == 1 or not after_words:
            continue
        lines = [ln for ln in pages[number - 1].replace("\u2060", "").split("\n") if ln.strip()]
        body = [ln for ln in lines if not re.fullmatch(r"\s*\d+\s*", ln)]  # paragraph numbers stand alone
        first = re.sub(r"^\s*\d+\s+", "", body[0]).split()[0]
        assert after_words[0].endswith(first) or after_words[0].startswith(first.rstrip("-\u2010")), \
            f"page {number}: EPUB marker before '{' '.join(after_words[:4])}', PDF page starts '{body[0][:40]}'"
