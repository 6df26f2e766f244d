"""Nothing lost on paper: the print fixtures (wide and long tables, long code, forty notes with block content,
lists numbered as written, inline and block SVGs, links) built on A4, Letter and A5, and every word of each
EPUB found in its PDF inside the page, in order, each note on its call's page or the next
(check.print_fidelity, the same check `essaybook check --outputs` runs)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from essaybook.check import print_fidelity
from essaybook.check.print_fidelity import compare, epub_text, pdf_words
from essaybook.paper import text_block_points

from conftest import TEST_ESSAYS, build, cross_reference_essay
from pdf_reading import page_size_mm, page_texts

FIXTURES = ["print-tables", "print-code-lists", "print-notes"]
PAPERS = ["a4", "letter", "a5"]


@pytest.fixture(scope="session")
def print_books(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], dict[str, Path]]:
    """Each fixture built once per paper by `essaybook build` (EPUB and PDF from one layout)."""
    out = tmp_path_factory.mktemp("print-books")
    books = {}
    for name in FIXTURES:
        for paper in PAPERS:
            folder = out / f"{name}-{paper}"
            assert build(["build", str(TEST_ESSAYS / name), "--out-dir", str(folder), "--paper", paper, "-q"]) == 0
            books[name, paper] = {"epub": next(folder.glob("*.epub")), "pdf": next(folder.glob("*.pdf"))}
    return books


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("name", FIXTURES)
def test_every_word_inside_the_page_in_order_and_notes_beside_their_calls(
        print_books: dict, name: str, paper: str) -> None:
    book = print_books[name, paper]
    problems = compare(book["pdf"], book["epub"], text_block_points)
    assert not problems, "\n".join(f"{p.rule}: {p.message}" for p in problems)
    assert len(epub_text(book["epub"]).body) > 250  # the comparison had something to compare


def test_the_fixtures_hold_what_the_issue_lists() -> None:
    tables = (TEST_ESSAYS / "print-tables" / "essay.md").read_text(encoding="utf-8")
    assert any(line.count("|") == 13 for line in tables.splitlines()), "a 12-column table"
    assert len(re.findall(r"^\| Day \d+ ", tables, flags=re.M)) == 60, "a 60-row table"
    notes = (TEST_ESSAYS / "print-notes" / "essay.md").read_text(encoding="utf-8")
    assert len(re.findall(r"^\[\^n\d+\]:", notes, flags=re.M)) == 40
    assert notes.count("[^n5]") == 3, "a note cited twice (and defined once)"
    code = (TEST_ESSAYS / "print-code-lists" / "essay.md").read_text(encoding="utf-8")
    assert max(len(line) for line in code.splitlines()) >= 200
    # A word longer than an A5 line with nowhere to break, in a paragraph and in a list: it must break inside
    # the text block (print.css's overflow-wrap), not run off the sheet.
    assert "+:" + "=" * 90 + "+" in code and "- " + "ACGT" * 30 in code


def test_wide_table_gets_a_landscape_page_and_keeps_every_column(print_books: dict) -> None:
    for paper in PAPERS:
        pdf = print_books["print-tables", paper]["pdf"]
        words = pdf_words(pdf)
        landscape = {w.page for w in words if w.width > w.height}
        assert len(landscape) == 1, paper
        page = landscape.pop()
        text = " ".join(w.text for w in words if w.page == page)
        for heading in ("CO₂", "Urban", "Median", "Notes", "Grenadines", "languages"):
            assert heading in re.sub("[\u2010-] ", "", text), (paper, heading)


def test_long_table_starts_where_it_falls_and_repeats_its_header(print_books: dict) -> None:
    pdf = print_books["print-tables", "a4"]["pdf"]
    pages = [" ".join(t.split()) for t in page_texts(pdf)]
    first = next(i for i, t in enumerate(pages) if "Day 1 " in t)
    assert "The table above is wide" in pages[first], "the 60-row table starts on the page of its lead-in"
    with_rows = [t for t in pages if re.search(r"Day \d+ ", t)]
    assert len(with_rows) >= 2 and all("Reading (mm)" in t for t in with_rows), "the header row repeats"


def test_lists_keep_their_numbering_and_links_their_addresses(print_books: dict) -> None:
    pdf = print_books["print-code-lists", "a4"]["pdf"]
    text = " ".join(" ".join(page_texts(pdf)).split())
    assert "7. Seventh" in text and "8. Eighth" in text and "9. Ninth" in text
    assert "3. Third from last" in text and "1. Last" in text
    assert "a. Rain gauge at the school" in text and "b. Rain gauge" in text
    assert "Links" in text and "https://handbook.example.org/gauges/reading-the-tube" in text.replace("/ ", "/")
    assert text.count("example.org/short") == 1, "an address that is its own text is not repeated"
    assert re.search(r"listed above \(p\. \d+\)", text), "an internal link prints its target's page"
    notes = " ".join(" ".join(page_texts(print_books["print-notes", "a4"]["pdf"])).split())
    assert "7. in the parish newsletter, 8. in the county almanac." in notes, "a list in a note, as written"


SHIPPED_REFERENCE = "content: attr(data-page-before) target-counter(attr(href url), page) attr(data-page-after);"


@pytest.mark.parametrize("reference", [None, 'content: " (here " counter(page) ", p.\\00a0" '
                                             'target-counter(attr(href url), page) ")";'])
def test_a_link_prints_the_page_its_target_is_on_ahead_or_behind(tmp_path: Path, reference: str | None) -> None:
    """Each "(p. N)" is the page the cited heading starts on, for a section ahead (known only after the
    pages are made) as for one behind; also from a project's print.css whose reference shows its own page
    first (WeasyPrint files that one before it knows the target)."""
    essay = cross_reference_essay(tmp_path / "content" / "refs")
    if reference is not None:
        sheet = (Path(print_fidelity.__file__).parents[1] / "styles" / "print.css").read_text(encoding="utf-8")
        assert SHIPPED_REFERENCE in sheet
        (tmp_path / "styles").mkdir()
        (tmp_path / "styles" / "print.css").write_text(sheet.replace(SHIPPED_REFERENCE, reference), encoding="utf-8")
    assert build(["pdf", str(essay), "-o", str(tmp_path / "refs.pdf"), "--paper", "a5", "-q"]) == 0
    pages = [" ".join(t.split()) for t in page_texts(tmp_path / "refs.pdf")]

    def page_of(heading: str) -> int:
        return next(n for n, text in enumerate(pages, 1) if re.search(rf"\b{heading}\b", text))

    cited = {}
    for text in pages:
        for words, number in re.findall(r"(the last section|given first|summary|the third part|the start)"
                                        r" \((?:here \d+, )?p\. (\d+)\)", text):
            cited[words] = int(number)
    assert cited == {"the last section": page_of("Last things"), "summary": page_of("Last things"),
                     "given first": page_of("Part 1"), "the third part": page_of("Part 3"),
                     "the start": page_of("Part 1")}
    assert page_of("Last things") > page_of("Part 3") > page_of("Part 1") >= 1


def test_inline_svg_is_a_line_high(print_books: dict) -> None:
    """The drop icon (an SVG with only a viewBox) sits inside its line: the words either side of it share the
    line (drawn page-wide, it took a line of its own and split the sentence across two pages)."""
    for paper in PAPERS:
        words = pdf_words(print_books["print-code-lists", paper]["pdf"])
        i = next(i for i, w in enumerate(words) if w.text == "drop" and words[i + 1].text == "marks")
        drop, marks = words[i], words[i + 1]
        assert drop.page == marks.page and abs(drop.y0 - marks.y0) < 2, paper
        assert marks.x0 - drop.x1 < 30, "a gap of about a line's height, not more"


def test_display_math_inside_a_sentence_is_set_apart_and_centred(tmp_path: Path) -> None:
    """``$$…$$`` mid-sentence is display math (pandoc's reading): printed on its own centred line between the
    sentence's two halves, as pandoc's HTML and e-readers show it, not as a tall inline box resting on the
    baseline."""
    folder = tmp_path / "math"
    folder.mkdir()
    (folder / "essay.md").write_text("---\ntitle: Sums\nlang: en\nparagraph_numbers: false\n---\n\n"
                                     "The sum $$\\sum_{i=1}^n i = \\frac{n(n+1)}{2}$$ is famous, said Gauss.\n",
                                     encoding="utf-8")
    assert build(["pdf", str(folder), "-o", str(tmp_path / "math.pdf"), "-q"]) == 0
    words = {w.text: w for w in pdf_words(tmp_path / "math.pdf")}
    left = words["The"].x0
    assert words["is"].y0 - words["sum"].y0 > 30, "the formula's own lines between the two halves"
    assert abs(words["is"].x0 - left) < 1, "the sentence goes on at the start of the line after the formula"


def test_the_authors_own_footnotes_section_in_html_prints(tmp_path: Path) -> None:
    """A post exported with its notes as HTML (markdown-it, Ghost: ``<section class="footnotes">``) prints them:
    only essaybook's own notes section, whose notes go to the foot of their pages, is left out of the page."""
    folder = tmp_path / "raw-notes"
    folder.mkdir()
    (folder / "essay.md").write_text(
        "---\ntitle: Raw notes\nlang: en\n---\n\n<p>Written with the crew.<sup><a href=\"#fn1\">1</a></sup></p>\n"
        "<section class=\"footnotes\"><ol><li id=\"fn1\"><p>The Morven retired in 2019.</p></li></ol></section>\n\n"
        "A Markdown note.[^a]\n\n[^a]: Its own text.\n", encoding="utf-8")
    assert build(["pdf", str(folder), "-o", str(tmp_path / "notes.pdf"), "-q"]) == 0
    text = " ".join(page_texts(tmp_path / "notes.pdf")[0].split())
    assert "The Morven retired in 2019." in text and "Its own text." in text


def test_code_wraps_inside_the_text_block(print_books: dict) -> None:
    pdf = print_books["print-code-lists", "a5"]["pdf"]
    words = pdf_words(pdf)
    token = [w for w in words if w.text.startswith("b64:") or "ZZtail" in w.text]
    assert token and all(w.x1 <= text_block_points(w.width, w.height)[1] + 1 for w in token)
    assert page_size_mm(pdf) == pytest.approx((148.0, 210.0), abs=0.2)


# --- the check catches loss ----------------------------------------------------------------------------------

def test_check_reports_words_missing_from_another_books_pdf(print_books: dict) -> None:
    """The check can fail: the tables essay's EPUB against the notes essay's PDF misses nearly everything."""
    problems = compare(print_books["print-notes", "a4"]["pdf"], print_books["print-tables", "a4"]["epub"],
                       text_block_points)
    assert any(p.rule == "pdf-words-missing" for p in problems)


def test_check_reports_text_drawn_past_the_edge(tmp_path: Path) -> None:
    import weasyprint

    pdf = tmp_path / "wide.pdf"
    weasyprint.HTML(string="<html lang='en'><body><p>Inside words.</p><pre style='white-space: pre'>"
                           + "overflowing" * 30 + "</pre></body></html>").write_pdf(
        pdf, stylesheets=[weasyprint.CSS(string="@page { size: A4; margin: 24mm 26mm 26mm 36mm }")])
    words = pdf_words(pdf)
    assert any(w.x1 > w.width for w in words)
    problems = print_fidelity._outside(words, text_block_points)
    assert [p.rule for p in problems] == ["pdf-content-outside", "pdf-content-outside"] or \
        {p.rule for p in problems} == {"pdf-content-outside"}


def test_note_far_from_its_call_is_reported(print_books: dict) -> None:
    """Notes matched against the wrong pages: the check says where they are."""
    book = print_books["print-notes", "a4"]
    stream = print_fidelity._Stream([w for w in pdf_words(book["pdf"]) if print_fidelity._on_page(w)])
    text = epub_text(book["epub"])
    last = list(text.notes)[-1]
    problems = print_fidelity._check_note(stream, stream.words, last, text.notes[last], 1)
    assert [p.rule for p in problems] == ["pdf-note-displaced"]


def test_a_long_note_starts_on_its_calls_page_and_continues_on_the_next(print_books: dict) -> None:
    """A note of about a page: its first part at the foot of the call's page, the rest "(continued)" on the
    next page, instead of the call's line and the whole note moving on together."""
    for paper in PAPERS:
        texts = page_texts(print_books["print-notes", paper]["pdf"])
        pages = [" ".join(re.sub(r"[\u2010-]\n", "", t).split()) for t in texts]
        call = next(i for i, t in enumerate(pages) if "A claim that needs a long note" in t)
        assert "The long note." in pages[call], paper
        end = next(i for i, t in enumerate(pages) if "End of the long note" in t)
        assert end in (call, call + 1), paper
        if end == call + 1:
            assert "(continued)" in pages[end], paper


def test_a_right_to_left_page_is_read_in_logical_order_and_a_lost_word_is_found() -> None:
    """pdftotext gives an Arabic line left to right, each word spelt backwards, a Latin name in its own order;
    the comparison must accept that and still catch a word the page lost."""
    from essaybook.check.print_fidelity import EpubText, PdfWord, _letters_missing, logical_order

    def word(text: str, x: float) -> PdfWord:
        return PdfWord(text, 1, x, 100, x + 30, 110, 595, 842)

    # "مكتبة كتب John Smith" as drawn, from the left: the Latin run first, then the Arabic words reversed.
    drawn = [word("John", 10), word("Smith", 50), word("كتب"[::-1], 90), word("مكتبة"[::-1], 130)]
    assert [w.text for w in logical_order(drawn)] == ["مكتبة", "كتب", "John", "Smith"]
    text = EpubText(body=["مكتبة", "كتب", "John", "Smith", "والغرب"], rtl=True)
    [problem] = _letters_missing(drawn, text)
    assert problem.rule == "pdf-words-missing" and "غ" in problem.message
    assert _letters_missing([*drawn, word("والغرب"[::-1], 170)], text) == []


def test_a_line_drawn_with_its_text_as_written_is_read_word_by_word() -> None:
    """poppler gives a line drawn inside an ActualText span (a Devanagari line, actual_text.py) as one word,
    spaces and all: the check reads its words apart, each within the line's box and in order."""
    assert print_fidelity._words_of("एक दो", 0.0, 50.0) == [("एक", 0.0, 20.0), ("दो", 30.0, 50.0)]
    assert print_fidelity._words_of("word", 3.0, 9.0) == [("word", 3.0, 9.0)]


def _laid_out(lines: list[tuple[int, float, str]]) -> list[print_fidelity.PdfWord]:
    """PDF words from (page, line's top, text) lines: 5 pt a character, 4 pt between words; a word written
    "^ab" is raised and stuck to the word before it (a link's letter)."""
    words = []
    for page, top, line in lines:
        x = 100.0
        for token in line.split():
            raised = token.startswith("^")
            token = token.removeprefix("^")
            if raised:
                x -= 4
            width = 5.0 * len(token)
            y0, y1 = (top - 3, top + 9) if raised else (top, top + 18)
            words.append(print_fidelity.PdfWord(token, page, x, y0, x + width, y1, 595, 842))
            x += width + 4
    return words


def test_a_word_hyphenated_at_a_pages_foot_is_found_past_the_running_head() -> None:
    """WeasyPrint draws the running head after the page's text: "con‐" ends page 5, then come the paragraph
    numbers and the running head, and "sequence of its" opens page 6. The alignment took the head's "Of"
    for the text's "of", which left "sequence" outside the stretch, and "consequence" was reported missing."""
    pdf = _laid_out([
        (5, 700, "immortal as a con\u2010"),
        (5, 100, "36"),
        (5, 45, "The Spectacular Story Of Metroid, One Of Gaming's Richest Universes"),
        (6, 66, "sequence of its mutations, Metroid Prime plotted its revenge"),
    ])
    body = ["immortal", "as", "a", "consequence", "of", "its", "mutations,", "Metroid", "Prime", "plotted", "its",
            "revenge"]
    stream = print_fidelity._Stream(pdf)
    missing, pages = stream.match(body)
    assert missing == [] and pages[3] == 6
    # The stretch as the alignment left it on lazy-image-2 (a 40-page import): from "con‐" to the head's "Of".
    head, of = next(i for i, w in enumerate(pdf) if w.text == "con\u2010"), next(i for i, w in enumerate(pdf)
                                                                                 if w.text == "Of")
    after = stream._across_pages("consequence", stream._offset(head), stream._offset(of))
    assert after > 0 and stream.page_at(after - 1) == 6


def test_a_hyphenated_word_or_a_repeated_word_does_not_carry_the_reading_ahead() -> None:
    """What lost 34,000 words of pandoc's manual to a greedy reading: "Con-" at a page's foot and "ConTeXt"
    a line further on; "level-" + "one" at a line's end and "level-one" again in code below; a link's letter
    inside "(Jira/Confluence". All of it is on the page: nothing is missing, every word is on its page."""
    pdf = _laid_out([
        (2, 700, "so pandoc can use Con\u2010"),
        (2, 780, "Guide 2 / 3"),
        (3, 66, "TeXt, roff ms, or HTML as an intermediate format. See the"),
        (3, 84, "[variables for ConTeXt], for a row of = signs (for a level\u2010"),
        (3, 102, "one heading) or - signs (for a level\u2010two heading):"),
        (3, 120, "A level-one heading"),
        (3, 138, "A level-two heading"),
        (3, 156, "jira (Jira ^ab /Confluence wiki markup)"),
        (3, 780, "Guide 3 / 3"),
    ])
    text = ("so pandoc can use ConTeXt, roff ms, or HTML as an intermediate format. See the [variables for "
            "ConTeXt], for a row of = signs (for a level-one heading) or - signs (for a level-two heading): "
            "A level-one heading A level-two heading jira (Jira/Confluence wiki markup)")
    body = [w for w in text.split() if print_fidelity.norm(w)]  # as epub_text gives them: "=" is no word
    missing, pages = print_fidelity._Stream(pdf).match(body)
    assert missing == []
    assert pages[:5] == [2, 2, 2, 2, 3] and set(pages[5:]) == {3}
    # "roff" taken out of the PDF is reported, on its page
    missing, _ = print_fidelity._Stream([w for w in pdf if w.text != "roff"]).match(body)
    assert missing == [("roff", 3)]
