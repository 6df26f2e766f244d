"""Where each page of the print handout begins, read from WeasyPrint's layout, for the EPUB's page list.

A class where some read the EPUB and others the handout needs "page 3" to mean the same place in both. The
handout is laid out (in memory, or the same layout that writes the PDF), and for each page the first thing
in its main flow is found: the top-level block it belongs to (every one has an id) and the first words of the
page's first line. The EPUB packager puts a page-break marker exactly there.

This module is the only one that reads WeasyPrint's box tree (``page._page_box``), which is not public API:
WeasyPrint is pinned, a test checks every marker against the PDF's text, and if an upgrade changes the tree
``page_breaks`` returns None, so the EPUB is built without a page list (and the build says so).

``text_runs`` reads the same layout for the glyph check: for each run of laid-out text, the font Pango chose
and the characters it found no glyph for (Pango's "unknown glyph", printed as a box).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from essaybook.model import PageBreak

if TYPE_CHECKING:
    import weasyprint

    from essaybook.pdf import Handout

_PROBE_WORDS = 6


def page_breaks(handout: Handout, first: str = "essay") -> list[PageBreak] | None:
    """One break per handout page, or None when WeasyPrint's layout cannot be read. ``first``: the page's
    first section (a course pack begins with its title page)."""
    try:
        from weasyprint.formatting_structure import boxes

        return _page_breaks(handout, boxes, first)
    except (ImportError, AttributeError, TypeError):
        return None


def _page_breaks(handout: Handout, boxes, first: str) -> list[PageBreak]:
    breaks: list[PageBreak] = []
    last_block = first
    for number, page in enumerate(handout.document.pages, start=1):
        if number == 1:
            breaks.append(PageBreak(1, first))
            continue
        found = _first_content(page._page_box, boxes, [])
        if found is None:  # a page of ruled lines only: it starts after the last block
            breaks.append(PageBreak(number, last_block, after=True))
            continue
        block, probe = found
        last_block = block
        breaks.append(PageBreak(number, block, probe))
    return breaks


def _first_content(box, boxes, ids: list[str]) -> tuple[str, str | None] | None:
    """Depth-first: the first text or image in the page's flow, with the id of its top-level block."""
    if isinstance(box, boxes.MarginBox | boxes.FootnoteAreaBox):
        return None
    element = getattr(box, "element", None)
    classes = (element.get("class") or "").split() if element is not None else []
    if "pnum" in classes or "fn" in classes:
        return None
    pushed = False
    if element is not None and element.get("id") and (not ids or ids[-1] != element.get("id")):
        ids.append(element.get("id"))
        pushed = True
    try:
        if isinstance(box, boxes.TextBox) and box.text.strip() and _top_block(ids):
            return _top_block(ids), " ".join(box.text.split()[:_PROBE_WORDS])
        if isinstance(box, boxes.ReplacedBox) and _top_block(ids):
            return _top_block(ids), None
        for child in getattr(box, "children", ()):
            found = _first_content(child, boxes, ids)
            if found is not None:
                return found
        return None
    finally:
        if pushed:
            ids.pop()


def _top_block(ids: list[str]) -> str | None:
    """The outermost id below the essay/notes sections: the top-level block the text belongs to."""
    for i, value in enumerate(ids):
        if value in ("essay", "notes"):
            return ids[i + 1] if i + 1 < len(ids) else value
    # A course pack's sections have ids of their own (titlepage, e2-essay, permissions): the outermost is one.
    return (ids[1] if len(ids) > 1 else ids[0]) if ids else None


@dataclass(frozen=True)
class TextRun:
    """A run of laid-out text in one font: what Pango chose for it and what that font could not draw."""

    text: str
    family: str
    unknown: tuple[str, ...]  # characters drawn as Pango's unknown glyph (a box)


def text_runs(document: weasyprint.document.Document) -> list[TextRun] | None:
    """The runs of text on every page (margin boxes and footnotes included) that could hold a box: lines with a
    character the body face lacks (Pango draws the rest in Charis). None when this WeasyPrint's layout cannot
    be read."""
    try:
        from weasyprint.formatting_structure import boxes
        from weasyprint.text.ffi import ffi, pango

        from essaybook.fonts import TEXT, cmap_of, font_file

        body = _Drawn(cmap_of(*font_file(TEXT)))
        return [run for page in document.pages for run in _runs(page._page_box, boxes, ffi, pango, body)]
    except (ImportError, AttributeError, TypeError):
        return None


class _Drawn:
    """The body face's characters, asked about a line at a time: each character is looked up in the face's
    map once (a book has a hundred or so different ones, and a long one 300,000 characters of lines)."""

    def __init__(self, cmap) -> None:
        self._cmap = cmap
        self._known: set[str] = set()

    def draws(self, text: str) -> bool:
        new = set(text) - self._known
        if all(ord(c) in self._cmap for c in new):
            self._known |= new
            return True
        return False


def _runs(box, boxes, ffi, pango, body: _Drawn) -> Iterator[TextRun]:
    if isinstance(box, boxes.TextBox) and box.text.strip() and not body.draws(box.text):
        layout = box.pango_layout
        layout.reactivate(box.style)  # WeasyPrint frees each line's Pango layout after layout; draw does this too
        try:
            utf8 = layout.text.encode()
            line = pango.pango_layout_get_line_readonly(layout.layout, 0)
            run = line.runs
            while run != ffi.NULL:
                item = run.data
                run = run.next
                glyphs = item.glyphs
                text = utf8[item.item.offset:item.item.offset + item.item.length].decode(errors="replace")
                unknown = tuple(chr(g.glyph - pango.PANGO_GLYPH_UNKNOWN_FLAG)
                                for g in glyphs.glyphs[0:glyphs.num_glyphs]
                                if g.glyph != pango.PANGO_GLYPH_EMPTY and g.glyph & pango.PANGO_GLYPH_UNKNOWN_FLAG)
                description = pango.pango_font_describe_with_absolute_size(item.item.analysis.font)
                try:
                    family = ffi.string(pango.pango_font_description_get_family(description)).decode()
                finally:
                    pango.pango_font_description_free(description)
                yield TextRun(text, family, unknown)
        finally:
            layout.deactivate()
    for child in getattr(box, "children", ()):
        yield from _runs(child, boxes, ffi, pango, body)
