"""The essay's print handout on A4, Letter and A5, read back: size, fonts, words, folios, heads, notes, tags."""

from __future__ import annotations

import html
import itertools
import re
import subprocess
from pathlib import Path

import pytest

from conftest import build
from pdf_reading import document_language, flowing_words, fonts, page_size_mm, page_texts, structure_tags
from test_essay_epub import seed_essay_words

PAPERS = {"a4": (210.0, 297.0), "letter": (215.9, 279.4), "a5": (148.0, 210.0)}


@pytest.mark.parametrize("paper", PAPERS)
def test_page_size(essay_pdfs: dict[str, Path], paper: str) -> None:
    width, height = page_size_mm(essay_pdfs[paper])
    assert (width, height) == pytest.approx(PAPERS[paper], abs=0.2)


@pytest.mark.parametrize("paper", PAPERS)
def test_fonts_are_the_book_faces_embedded_and_subset(essay_pdfs: dict[str, Path], paper: str) -> None:
    used = fonts(essay_pdfs[paper])
    assert used and all(embedded for _, embedded in used)
    assert all(re.match(r"/[A-Z]{6}\+", name) for name, _ in used), "fonts are subset"
    assert any("Charis" in name for name, _ in used)
    assert not any("DejaVu" in name for name, _ in used), "no silent fallback to the system's face"


def test_the_marks_the_stylesheet_draws_come_from_the_book_face(tmp_path: Path) -> None:
    """Nested bullets and the section break are drawn in Charis, and signs Charis lacks (∈, →) in DejaVu Serif:
    the user agent's white bullet and square, an asterism and such signs came from the CJK face (full-width,
    and a 26 MB font read for them)."""
    essay = tmp_path / "marks.md"
    essay.write_text("---\ntitle: Marks\nlang: en\n---\n\nBefore: x \u2208 A \u2192 B.\n\n"
                     "- one\n    - two\n        - three\n\n1. numbered\n    - under a number\n\n* * *\n\nAfter.\n",
                     encoding="utf-8")
    out = tmp_path / "marks.pdf"
    assert build(["pdf", str(essay), "-o", str(out), "-q"]) == 0
    used = [name for name, _ in fonts(out)]
    assert used and all("Charis" in name or "DejaVu-Serif" in name for name in used), used
    text = "".join(page_texts(out))
    for mark in ("\u2208 A \u2192 B", "\u2022 one", "\u2013 two", "\u2023 three", "\u2013 under", "*"):
        assert mark in text, mark


def test_addresses_and_digests_are_never_hyphenated(tmp_path: Path) -> None:
    """A bare address is a link and a word with digits is never hyphenated: a hyphen the reader cannot tell
    from the author's own would be copied into the address or the digest; a digest fills the line it starts."""
    digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    address = "https://repository.example.ac.uk/bitstream/handle/10023/98765/Thesis.pdf"
    essay = tmp_path / "codes.md"
    essay.write_text(f"---\ntitle: Codes\nlang: en\n---\n\nConsider a typical address from a university repository, "
                     f"{address} which a student might paste.\n\nConsider the digest such as {digest} which must be "
                     f"copied exactly, and the serial AB12345678CD too.\n", encoding="utf-8")
    out = tmp_path / "codes.pdf"
    assert build(["pdf", str(essay), "-o", str(out), "-q", "--paper", "a5"]) == 0
    xml = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", str(out), "-"], capture_output=True, text=True,
                         check=True).stdout
    words = [html.unescape(w) for w in re.findall(r"<word [^>]*>([^<]*)</word>", xml)]
    joined = "".join(words)
    assert digest in joined and address in joined and "AB12345678CD" in joined
    assert not any(w.endswith(("\u2010", "-")) for w in words), words
    start = next(i for i, w in enumerate(words) if digest.startswith(w) and len(w) > 4)
    assert words[start - 1] == "as"  # the digest starts on the line of "such as", not on a line of its own


def test_a_wrapped_code_line_continues_under_its_own_text(tmp_path: Path) -> None:
    """An indented line of code that wraps continues to the right of where it starts, not at the block's
    fixed indent (which put it left of its own first word, misleading in Python)."""
    essay = tmp_path / "code.md"
    essay.write_text("---\ntitle: Code\nlang: en\n---\n\n```python\ndef archive(url):\n    if url:\n"
                     "        archived = fetch(url, method=\"HEAD\", timeout=10.0, retries=3, backoff=2.5, "
                     "headers={\"User-Agent\": \"essaybook\"})\n        return archived\n```\n", encoding="utf-8")
    out = tmp_path / "code.pdf"
    assert build(["pdf", str(essay), "-o", str(out), "-q", "--paper", "a5"]) == 0
    xml = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", str(out), "-"], capture_output=True, text=True,
                         check=True).stdout
    words = [(html.unescape(w), float(x0), float(y0))
             for x0, y0, w in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', xml)]
    first = next((x0, y0) for w, x0, y0 in words if w == "archived")
    last = next(y0 for w, _, y0 in words if w == "return")
    continuation = [x0 for _, x0, y0 in words if first[1] + 1 < y0 < last - 1]
    assert continuation and min(continuation) > first[0] + 2, (first, continuation)


def test_a_tight_nested_list_is_set_line_after_line(tmp_path: Path) -> None:
    """A list inside a list item adds no space of its own: four levels of a tight list are set at the same
    line spacing as the lines inside one item (each level added 0.8 em above and below)."""
    essay = tmp_path / "lists.md"
    essay.write_text("---\ntitle: Lists\nlang: en\n---\n\n- Alpha\n  - Bravo\n    - Charlie\n      - Delta\n"
                     "        - Echo\n    - Foxtrot\n- Golf\n", encoding="utf-8")
    out = tmp_path / "lists.pdf"
    assert build(["pdf", str(essay), "-o", str(out), "-q"]) == 0
    xml = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", str(out), "-"], capture_output=True, text=True,
                         check=True).stdout
    y = {w: float(y0) for y0, w in re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)"[^>]*>([^<]*)</word>', xml)}
    names = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf"]
    gaps = [round(y[b] - y[a], 1) for a, b in itertools.pairwise(names)]
    # The 11 pt type's line is about 15.5 pt; each level's own margins made it 24 pt.
    assert max(gaps) - min(gaps) < 0.5 and min(gaps) > 12 and max(gaps) < 17, gaps


@pytest.mark.parametrize("paper", PAPERS)
def test_every_word_in_order(essay_pdfs: dict[str, Path], paper: str) -> None:
    pages = page_texts(essay_pdfs[paper])
    body = []
    for text in pages:
        lines = text.split("\n")
        # Drop the running head, the folio and paragraph numbers standing alone in the margin.
        kept = [ln for ln in lines if ln.strip() and not re.fullmatch(r"\s*\d+(\s*/\s*\d+)?\s*", ln)
                and ln.strip() != "China’s Costly Inaction"]
        body.append("\n".join(kept))
    # pdftotext already joins hyphenated line ends, dropping the hyphen even of "self-reliance": compare
    # without hyphens on both sides.
    words = flowing_words("\n".join(body))
    text = re.sub("[-\u2010]", "", " ".join(words))
    expected = [re.sub("[-\u2010]", "", w) for w in seed_essay_words()]
    position = 0
    for word in expected:
        found = text.find(word, position)
        assert found >= 0, f"'{word}' missing after position {position} on {paper}"
        position = found + len(word)


@pytest.mark.parametrize("paper", PAPERS)
def test_folio_on_every_page_and_running_head_from_page_two(essay_pdfs: dict[str, Path], paper: str) -> None:
    pages = page_texts(essay_pdfs[paper])
    total = len(pages)
    assert total >= 3
    for number, text in enumerate(pages, start=1):
        assert re.search(rf"(^|\n)\s*{number}\s*/\s*{total}\s*(\n|$)", text), f"no folio on page {number}"
        head = text.strip().split("\n")[0]
        if number > 1:
            assert "China’s Costly Inaction" in head, f"no running head on page {number}"


@pytest.mark.parametrize("paper", PAPERS)
def test_notes_section_is_last_and_starts_its_own_page(essay_pdfs: dict[str, Path], paper: str) -> None:
    pages = page_texts(essay_pdfs[paper])
    assert "Notes" in [ln.strip() for ln in pages[-1].split("\n")]
    assert all("Questions to think about" not in p for p in pages[:-1])
    assert "Find one event since the essay was written" in " ".join(pages[-1].split())


def test_pdf_is_tagged_with_language_title_and_figure_alt(essay_pdfs: dict[str, Path]) -> None:
    pdf = essay_pdfs["a4"]
    assert document_language(pdf) == "en"
    tags = structure_tags(pdf)
    names = [t for t, _ in tags]
    assert "Figure" in names
    figure = next(attrs for t, attrs in tags if t == "Figure")
    assert figure.get("/Alt", "").startswith("Simplified map")
    headings = [t for t in names if re.fullmatch(r"H\d", t)]
    assert headings[0] == "H1" and "H2" in headings


def test_the_first_essay_prints_with_nothing_to_warn_of(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The seed essay is clean: any warning its PDF build prints is essaybook's own noise (WeasyPrint once
    passed on its remarks about its own user-agent sheet as the essay's print-layout warnings)."""
    from conftest import ESSAY

    assert build(["pdf", str(ESSAY), "-o", str(tmp_path / "essay.pdf")]) == 0
    said = capsys.readouterr()
    assert "warning" not in (said.out + said.err).lower(), said


def test_several_authors_run_in_the_head_by_their_surnames(tmp_path: Path) -> None:
    """Two authors' whole names did not fit the running head ("Thomas Whitcombe and Ana Ferreira-…"): the head
    carries their surnames, three or more as the first and others; the title block keeps the whole names."""
    from essaybook.labels import family_name, running_names

    assert running_names(("Thomas Whitcombe", "Ana Ferreira-Lindgren"), "en") == "Whitcombe and Ferreira-Lindgren"
    assert running_names(("Vincent van Gogh", "Juana de la Cruz", "Mira Okafor"), "en") == "van Gogh and 2 others"
    assert (family_name("张伟"), running_names(("Mira Okafor",), "en")) == ("张伟", "Mira Okafor")
    body = "\n\n".join(f"Paragraph {n}, with words enough to fill a line of the handout and go on." for n in range(80))
    (tmp_path / "essay.md").write_text("---\ntitle: Tide tables\nauthor: [Thomas Whitcombe, Ana Ferreira-Lindgren]\n"
                                       f"lang: en\n---\n\n{body}\n", encoding="utf-8")
    assert build(["pdf", str(tmp_path / "essay.md"), "-o", str(tmp_path / "t.pdf"), "-q"]) == 0
    pages = page_texts(tmp_path / "t.pdf")
    assert "Thomas Whitcombe and Ana Ferreira-Lindgren" in pages[0]
    assert "Whitcombe and Ferreira-Lindgren" in pages[1] and "Thomas" not in pages[1]  # page 2: only its head
