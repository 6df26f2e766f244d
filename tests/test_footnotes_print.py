"""Each footnote lands at the foot of the page of its call, on every paper size (WeasyPrint issue 2502 pushed
notes to later pages, one per page, on A4 with a bordered footnote area)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from essaybook.build import Options, load, make_outputs

from pdf_reading import page_texts

FILLER = ("The committee met again in the spring, and the discussion turned, as it always did, to the question "
          "of money and who would pay for the bridge that everyone wanted and nobody would fund. ")


def essay_with_notes(folder: Path, notes: int = 14) -> Path:
    parts = ["---", "title: Notes on every page", "author: A. Tester", "---", ""]
    defs = []
    for k in range(1, 41):
        if k % 3 == 0 and len(defs) < notes:
            n = len(defs) + 1
            parts.append(FILLER + f"Claimword{n} is made here.[^n{n}] " + FILLER)
            body = f"Notebody{n} explains the claim." + (" It runs on a little longer. " * (n % 4))
            defs.append(f"[^n{n}]: {body}")
        else:
            parts.append(FILLER * 2)
        parts.append("")
    path = folder / "essay.md"
    path.write_text("\n".join(parts + defs) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("paper", ["a4", "letter", "a5"])
def test_each_note_on_its_calls_page(tmp_path: Path, paper: str) -> None:
    doc = load(essay_with_notes(tmp_path))
    out = tmp_path / f"notes-{paper}.pdf"
    make_outputs(doc, {"pdf": out}, Options(paper=paper))
    assert not doc.warnings, [str(w) for w in doc.warnings]
    pages = [" ".join(t.split()) for t in page_texts(out)]
    assert len(pages) >= 3
    for n in range(1, 14):
        call = [i for i, t in enumerate(pages) if f"Claimword{n} " in t]
        body = [i for i, t in enumerate(pages) if f"Notebody{n} " in t]
        assert call and body, f"note {n} missing on {paper}"
        assert call[0] == body[0], f"note {n}: call on page {call[0] + 1}, note on page {body[0] + 1} ({paper})"
        assert pages[call[0]].count(f"Notebody{n} ") == 1


def test_notes_are_numbered_by_first_call_the_same_in_both_books(tmp_path: Path) -> None:
    """pandoc's order, in the EPUB as on paper: an inline note defined (by essaybook) after the others, a note
    defined before the one called first, a note called twice and one called in a list item."""
    essay = tmp_path / "essay.md"
    essay.write_text("---\ntitle: Order\nlang: en\n---\n\nFirst.^[Inline note.] Second.[^z]\n\n- Listed.[^l]\n\n"
                     "Third.[^a] Again.[^z]\n\n[^a]: Note A.\n[^l]: Note L.\n[^z]: Note Z.\n", encoding="utf-8")
    doc = load(essay)
    epub, pdf = tmp_path / "o.epub", tmp_path / "o.pdf"
    make_outputs(doc, {"epub": epub, "pdf": pdf}, Options())
    with zipfile.ZipFile(epub) as book:
        page = book.read("EPUB/essay.xhtml").decode("utf-8")
    assert re.findall(r'role="doc-noteref">(\d+)<', page) == ["1", "2", "3", "4", "2"]
    assert re.findall(r'doc-backlink">(\d+)\.</a> ([^<]+)<', page) == [
        ("1", "Inline note."), ("2", "Note Z."), ("3", "Note L."), ("4", "Note A.")]
    text = " ".join(" ".join(page_texts(pdf)).split())
    assert "First.1 Second.2" in text and "Listed.3" in text and "Third.4 Again.2" in text
    assert text.index("Inline note.") < text.index("Note Z.") < text.index("Note L.") < text.index("Note A.")


def test_a_block_pushed_to_the_next_page_takes_its_heading_with_it(tmp_path: Path) -> None:
    """The footnote repair starts a block on a new page (pdf.lay_out_keeping_notes); the headings right above
    it go with it, never left alone at the foot of the page before."""
    from essaybook import pdf
    from essaybook.build import load
    from essaybook.model import x
    from essaybook.paper import PAPERS
    from essaybook.xhtml import render_page

    essay = tmp_path / "essay.md"
    essay.write_text("---\ntitle: T\nlang: en\n---\n\nFirst.\n\n## Part\n\n### Detail\n\nSecond.\n", encoding="utf-8")
    doc = load(essay)
    page = render_page(doc)
    second = next(p for p in page.iter(x("p")) if "".join(p.itertext()).endswith("Second."))
    pdf.prepare_print(page, doc, PAPERS["a4"], forced_breaks=[second.get("id")])
    pushed = [el.tag.split("}")[1] for el in page.iter() if "page-break-before" in (el.get("class") or "")]
    assert pushed == ["h2"]
