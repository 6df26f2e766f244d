"""The print copy's moves on small pages, without a layout: list markers as written, inline pictures, table
classes and the landscape decision, code lines, link keys and the link list, notes as block spans."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from essaybook import pdf, print_moves
from essaybook.model import XHTML_NS, x
from essaybook.paper import PAPERS

A4 = PAPERS["a4"]


def page(body: str) -> etree._ElementTree:
    html = (f'<html xmlns="{XHTML_NS}" xmlns:epub="http://www.idpf.org/2007/ops" lang="en"><body>'
            f'<section id="essay" class="essay">{body}</section><section id="notes"/></body></html>')
    return etree.ElementTree(etree.fromstring(html))


def test_markers_as_written() -> None:
    tree = page('<ol start="7"><li>a</li><li>b</li></ol><ol reversed="reversed"><li>x</li><li>y</li><li>z</li>'
                '</ol><ol type="a" start="26"><li>p</li><li>q</li></ol><ol type="I" start="4"><li>r</li></ol>'
                '<ol><li value="10">s</li><li>t</li></ol><ol start="bad"><li>u</li></ol>')
    print_moves.print_moves(tree, "en", A4.text_width_em)
    markers = [li.get("data-marker") for li in tree.iter(x("li"))]
    assert markers == ["7.", "8.", "3.", "2.", "1.", "z.", "aa.", "IV.", "10.", "11.", "1."]


def test_inline_pictures_and_figures() -> None:
    tree = page('<p>A <img src="i.svg" alt="i"/> and <img src="j.svg" alt="j" width="40"/></p>'
                '<figure><img src="f.svg" alt="f"/></figure>')
    print_moves.print_moves(tree, "en", A4.text_width_em)
    classes = [img.get("class") for img in tree.iter(x("img"))]
    assert classes == ["inline-picture", None, None]


def test_table_steps_down_and_goes_landscape_when_too_wide() -> None:
    def table(columns: int, word: str) -> str:
        row = "".join(f"<td>{word}</td>" for _ in range(columns))
        return f"<table><tr>{row}</tr></table>"

    tree = page(table(3, "short") + table(6, "medium") + table(12, "Grenadines and Saint Vincent"))
    print_moves.print_moves(tree, "en", A4.text_width_em)
    tables = list(tree.iter(x("table")))
    assert [t.get("class") for t in tables] == [None, "table-small", "table-smaller"]
    assert [t.getparent().get("class") for t in tables] == ["essay", "essay", "landscape"]


def test_a_heading_right_before_a_turned_table_turns_with_it() -> None:
    row = "".join("<td>Grenadines and Saint Vincent</td>" for _ in range(12))
    tree = page(f"<h2>Data</h2><table><tr>{row}</tr></table><h3>After</h3><p>Text.</p>")
    print_moves.print_moves(tree, "en", A4.text_width_em)
    holder = next(el for el in tree.iter(x("div")) if el.get("class") == "landscape")
    assert [el.tag for el in holder] == [x("h2"), x("table")]
    assert holder.getnext().tag == x("h3")


def test_code_that_fits_stays_text_and_addresses_break_after_slashes() -> None:
    tree = page('<pre><code>one\n\ntwo\n</code></pre><table><tr><td><a href="https://e.org/a/b">'
                'https://e.org/a/b</a></td></tr></table>')
    print_moves.print_moves(tree, "en", A4.text_width_em)
    code = next(tree.iter(x("code")))
    assert code.text == "one\n\ntwo" and not len(code) and not code.getparent().get("class")
    a = next(tree.iter(x("a")))
    assert a.text == "https://\u200be\u200b.org/\u200ba/\u200bb" and not len(a)  # after "//", "/"; before "."


def test_only_code_lines_that_may_wrap_become_blocks_of_their_own() -> None:
    long, wide = "x = 1  # " + "a" * 80, "\t\t\t\t\t\t\t\t\t\t漢字"
    tree = page(f"<pre><code>\nshort\n\nshort\n{long}\n{wide}\n\nend</code></pre>"
                f"<table><tr><td><pre>short</pre></td></tr></table>")
    print_moves.print_moves(tree, "en", A4.text_width_em)
    spans = [(s.text, s.get("class")) for s in tree.iter(x("span"))]
    assert spans == [("\u200b\nshort\n\nshort", "code-run"), (long, "code-line"), (wide, "code-line"),
                     ("\u200b\nend", "code-run"),
                     ("short", "code-line")]  # a table cell's width is not known before layout


def test_every_code_line_that_wraps_on_paper_carries_the_mark(tmp_path: Path) -> None:
    """Laid out on the narrowest paper, at every length around the estimate and nested three deep, no line
    left as plain text wraps (so none needs the hanging indent and the mark it would lack), some of the lines
    set as blocks do, and most short ones are spared a block."""
    from essaybook import pdf
    from essaybook.build import load
    from essaybook.weasy import weasyprint
    from essaybook.xhtml import render_page

    lines = "\n".join("w" * n for n in range(30, 90, 2))
    code = f"```\n{lines}\n```"
    nested = "\n".join("    " + line for line in f"> {code}".replace("\n", "\n> ").splitlines())
    essay = tmp_path / "essay.md"
    essay.write_text("---\ntitle: Code\nlang: en\n---\n\n" + code + "\n\n- a list\n\n  - in a list\n\n"
                     + nested + "\n", encoding="utf-8")
    doc = load(essay)
    handout = pdf.render_handout(render_page(doc), doc, paper="a5")
    taken: dict[object, int] = {}
    for box in (b for page in handout.document.pages for b in page._page_box.descendants()):
        classes = (box.element.get("class") or "").split() if box.element is not None else []
        if {"code-line", "code-run"} & set(classes) and isinstance(box, weasyprint.formatting_structure.boxes.BlockBox):
            lines_here = sum(isinstance(c, weasyprint.formatting_structure.boxes.LineBox) for c in box.children)
            taken[box.element] = taken.get(box.element, 0) + lines_here
    runs = {el: n for el, n in taken.items() if "code-run" in el.get("class")}
    blocks = {el: n for el, n in taken.items() if "code-line" in el.get("class")}
    assert runs and all(n == el.text.count("\n") + 1 for el, n in runs.items()), runs
    assert any(n > 1 for n in blocks.values()), blocks
    assert sum(n for n in runs.values()) >= 12  # of the 60 lines, 16 surely fit


def test_a_many_column_table_keeps_its_numbers_whole(tmp_path: Path) -> None:
    """Eleven columns set in the smallest table type: a number or a short word is never broken inside a cell
    ("112" printed as "11" over "2" while cells could break anywhere); a long cell wraps at its spaces."""
    import re
    import subprocess

    from essaybook import run

    months = ["Station", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Notes"]
    rows = [f"| Hallow Bridge {'ABCD'[n]} | " + " | ".join(str(100 + 7 * n + m) for m in range(10))
            + " | gauge reset in June after the flood damaged the housing |" for n in range(4)]
    essay = tmp_path / "essay.md"
    essay.write_text("---\ntitle: Ledgers\nlang: en\n---\n\nText.\n\n| " + " | ".join(months) + " |\n|"
                     + "---|" * len(months) + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "t.pdf"
    assert run(["pdf", str(essay), "-o", str(out), "-q"]) == 0
    words = re.findall(r">([^<]+)</word>", subprocess.run(["pdftotext", "-bbox", str(out), "-"],
                                                         capture_output=True, text=True, check=True).stdout)
    cells = [str(100 + 7 * n + m) for n in range(4) for m in range(10)]
    assert not [c for c in cells if c not in words], words
    assert {"Jan", "Feb", "Station", "housing"} <= set(words)


def test_a_word_with_digits_is_never_hyphenated_from_six_letters() -> None:
    """Six characters is the shortest word print.css hyphenates; a word with digits that long is kept whole."""
    tree = page("<p>In 2020 COVID19 and xobs15 but not A4, MP3 or 2020.</p>")
    print_moves.print_moves(tree, "en", A4.text_width_em)
    kept = [s.text for s in tree.iter(x("span")) if "code-word" in (s.get("class") or "")]
    assert kept == ["COVID19", "xobs15"]


def test_links_get_keys_and_a_list_bare_addresses_do_not() -> None:
    tree = page('<p><a href="https://a.org/x">the report</a>, <a href="https://a.org/x">again</a>, '
                '<a href="https://www.b.org/">b.org</a> and <a href="#essay">above</a>.</p>')
    print_moves.print_moves(tree, "en", A4.text_width_em)
    keys = [s.text for s in tree.iter(x("sup")) if s.get("class") == "link-key"]
    assert keys == ["a", "a"]
    listed = [dd.xpath("string()") for dd in tree.iter(x("dd"))]
    assert listed == ["https://\u200ba\u200b.org/\u200bx"]  # may break after its slashes, before its dots
    assert "internal" in next(a for a in tree.iter(x("a")) if a.get("href") == "#essay").get("class")


def test_a_notes_blocks_become_block_spans_in_order() -> None:
    tree = page('<p>Claim.<sup><a epub:type="noteref" href="#fn-1">1</a></sup> Next.</p>'
                '<section epub:type="footnotes"><aside id="fn-1" epub:type="footnote"><p><a class="backlink" '
                'href="#r">1.</a> First.</p><blockquote><p>Quoted.</p></blockquote><ol start="7"><li>seven</li>'
                '</ol><pre>a = 1\nb = 2</pre></aside></section>')
    pdf._footnotes_to_calls(tree, A4)
    note = next(s for s in tree.iter(x("span")) if s.get("class") == "fn")
    assert [s.get("class").split()[1] for s in note.iter(x("span")) if "fnb" in (s.get("class") or "")] == \
        ["fnb-p", "fnb-blockquote", "fnb-p", "fnb-ol", "fnb-li", "fnb-pre"]
    assert " ".join(note.itertext()).split() == ["First.", "Quoted.", "seven", "a", "=", "1", "b", "=", "2"]
    assert "a = 1\nb = 2" in "".join(note.itertext()), "code keeps its lines"
    assert note.tail == " Next." and not list(tree.iter(x("blockquote"))), "nothing left in the running text"
