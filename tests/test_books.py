"""Many real books at once: the essay, pandoc's test suite and the harder test essays, built through the CLI,
then EPUBCheck over all of them in one JVM and Ace by DAISY over the ones with figures, notes and CJK text."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from essaybook import validate

from conftest import ACE_BOOKS, POSTS, SOURCES, TEST_ESSAYS, need_corpus
from pdf_reading import flowing_words, fonts, page_texts

# What each tool means as markup: none of it may reach a reader as text.
MARKUP = ("[[", "]]", "%%", "{%", "%}", "{{", "}}", "{#", ":::", "$$", "^[", "[@", "[!", "{:", "~~", "==", "^^",
          "\\(", "\\[", "[ ]", "[x]", "<!--", "+++", "{.", "| ", "+--", "+==", "Table:", "-----",
          "[caption", "[/caption]", "[embed", "[gallery", "{=", "(@", "clearpage")


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


@pytest.mark.parametrize("name", SOURCES)
def test_pdf_has_every_word_of_the_epub_inside_the_page(books: dict[str, dict[str, Path]], name: str) -> None:
    """The check `essaybook check --outputs` makes (check.print_fidelity), on every book: nothing drawn off the
    page or past the text block, every word of the EPUB in the PDF in order, each note beside its call."""
    from essaybook.check.print_fidelity import compare
    from essaybook.paper import text_block_points

    if name not in books:
        need_corpus()
    problems = compare(books[name]["pdf"], books[name]["epub"], text_block_points)
    assert not problems, "\n".join(f"{p.rule}: {p.message}" for p in problems)


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


def _prose_words(source: Path) -> set[str]:
    """The words of a post's prose: its Markdown without front matter, code, comments, template tags, markup,
    link targets, file names, math, citation keys, pandoc's "Table:" before a caption and WordPress shortcodes (what
    an author writes for the reader, not for a tool)."""
    path = source if source.is_file() else next(p for p in (source / "essay.md", source / "index.md") if p.exists())
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\A(---|\+\+\+)\n.*?\n\1\n", "", text, flags=re.S)
    for pattern in (r"```.*?```", r"\{%-?\s*highlight.*?endhighlight\s*-?%\}",
                    r"\{\{<\s*highlight.*?/highlight\s*>\}\}",
                    r"%%.*?%%", r"<!--.*?-->", r"\{%.*?%\}", r"\{\{.*?\}\}", r"\{#.*?#\}", r"\$\$.*?\$\$",
                    r"\$[^$\n]+\$", r"!\[\[[^\]|]*\|?", r"\[\[[^\]|]*\|", r"\]\([^)]*\)", r"\{[^}\n]*\}",
                    r"<[^>]+>", r"-?@[\w]+", r"\[\^\w+\]:?", r"https?://\S+", r"(?m)^Table:",
                    r"\[/?(?:caption|embed|gallery)\b[^\]]*\]"):
        text = re.sub(pattern, " ", text, flags=re.S)
    return {w.lower() for w in re.findall(r"[A-Za-z][a-z]{3,}", text)}


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z][a-z]{3,}", text.replace("\u00ad", ""))}


@pytest.mark.parametrize("name", POSTS)
def test_post_markup_never_reaches_the_reader(books: dict[str, dict[str, Path]], name: str) -> None:
    epub_text = _epub_text(books[name]["epub"], "essay.xhtml")
    pdf_text = " ".join(page_texts(books[name]["pdf"]))
    for mark in MARKUP:
        assert mark not in epub_text, f"{mark!r} printed in the EPUB of {name}"
        assert mark not in pdf_text, f"{mark!r} printed in the PDF of {name}"


@pytest.mark.parametrize("name", POSTS)
def test_every_word_of_a_post_is_in_the_epub_and_the_pdf(books: dict[str, dict[str, Path]], name: str) -> None:
    wanted = _prose_words(POSTS[name])
    assert len(wanted) > 25  # the extraction found the prose
    epub = _words(_epub_text(books[name]["epub"], "essay.xhtml"))
    pdf = _words(" ".join(flowing_words("\n".join(page_texts(books[name]["pdf"])))))
    assert not wanted - epub, f"missing from the EPUB: {sorted(wanted - epub)}"
    assert not wanted - pdf, f"missing from the PDF: {sorted(wanted - pdf)}"
