"""Imposition for the copy shop: the handout's pages placed two to a landscape sheet, with pypdf (BSD).

A saddle-stitched booklet is printed duplex, folded once and stapled on the fold, so its sheets carry the
pages out of order: with N pages (a multiple of four), sheet 1's front holds N and 1, its back 2 and N-1, sheet
2's front N-2 and 3, and so on. ``--two-up`` is the plain 1-2, 3-4 order for cutting or for reading flat.
A right-to-left book opens the other way, its fold on the right of its cover: each side is mirrored (sheet 1's
front holds 1 and N, the first spread 3 and 2), and two-up reads from the right.

The pages come from the same WeasyPrint layout as the handout (A5 on A4, half-letter on Letter), unscaled; a
booklet's page count is made a multiple of four by laying out more ruled Notes pages, never blank ones, so the
padding sits before the last page and the first page is always the essay's first. pypdf copies the page
contents but not the tagged structure: an imposed sheet is a print master, not an accessible document.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.generic import NameObject, TextStringObject

from essaybook.labels import direction

_PT_PER_MM = 72 / 25.4


@dataclass(frozen=True)
class Sheet:
    name: str  # how the printing instructions name it
    page: str  # the key in pdf.PAPERS of the pages laid out for it
    width: float  # pt, landscape
    height: float


SHEETS = {
    "a4": Sheet("A4", "a5", 297 * _PT_PER_MM, 210 * _PT_PER_MM),
    "letter": Sheet("US Letter", "half-letter", 11 * 72, 8.5 * 72),
}


def padding(pages: int) -> int:
    """Pages to add so that a booklet's page count is a multiple of four."""
    return -pages % 4


def booklet_order(pages: int) -> list[tuple[int, int]]:
    """(left, right) page numbers, from 1, for each side of each sheet in printing order (front, back, ...)."""
    if pages % 4:
        raise ValueError(f"a booklet needs a multiple of four pages, not {pages}")
    sides = []
    for i in range(pages // 4):
        sides.append((pages - 2 * i, 1 + 2 * i))
        sides.append((2 + 2 * i, pages - 1 - 2 * i))
    return sides


def two_up_order(pages: int) -> list[tuple[int, int | None]]:
    """1-2, 3-4, ...; an odd last page sits alone on the left."""
    return [(n, n + 1 if n + 1 <= pages else None) for n in range(1, pages + 1, 2)]


def impose(pdf: bytes, sides: list[tuple[int, int | None]], sheet: Sheet, *, title: str, author: str,
           lang: str) -> bytes:
    """Place the pages of ``pdf`` on ``sheet``-sized pages, two per side, centred in each half."""
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter()
    for left, right in sides:
        out = writer.add_blank_page(sheet.width, sheet.height)
        for slot, number in enumerate((left, right)):
            if number is None:
                continue
            page = reader.pages[number - 1]
            box = page.mediabox
            width, height = float(box.width), float(box.height)
            dx = slot * sheet.width / 2 + (sheet.width / 2 - width) / 2 - float(box.left)
            dy = (sheet.height - height) / 2 - float(box.bottom)
            out.merge_transformed_page(page, Transformation().translate(dx, dy))
        if "/Annots" in out:  # links would sit where the unimposed page had them: a print master needs none
            del out[NameObject("/Annots")]
    writer.add_metadata({"/Title": title, **({"/Author": author} if author else {}),
                         "/Creator": "essaybook (imposed with pypdf)",
                         **{k: v for k, v in (reader.metadata or {}).items()
                            if k in ("/CreationDate", "/ModDate", "/Producer")}})
    writer._root_object[NameObject("/Lang")] = TextStringObject(lang)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def instructions(mode: str, sheet: Sheet, pages: int, padded: int) -> str:
    """What to tell the copy shop, on stderr: sides, flip edge, how many sheets and how they nest."""
    if mode == "two-up":
        sides = (pages + 1) // 2
        return (f"two-up: {pages} pages on {sides} side(s) of {sheet.name} landscape; print single-sided, or "
                f"duplex flipping on the short edge, and cut down the middle")
    sheets = pages // 4
    extra = f" (with {padded} extra ruled Notes page(s) to make a multiple of four)" if padded else ""
    return (f"booklet: {pages} pages{extra} on {sheets} sheet(s) of {sheet.name}; print duplex, flip on the "
            f"short edge, at 100% (no fit-to-page); keep the sheets in order, nest them (sheet 1 outside), fold "
            f"in half and staple on the fold")


def imposed_handout(render, mode: str, sheet_key: str, *, title: str, author: str, lang: str
                    ) -> tuple[bytes, str, list]:
    """Lay the handout out on the sheet's half-page (``render(extra_ruled_pages, paper) -> pdf.Handout``),
    padded for a booklet, and impose it. Returns the PDF, the printing instructions and the layout warnings."""
    from essaybook.weasy import at_work, write_pdf_once

    sheet = SHEETS[sheet_key]
    paper = sheet.page + "-booklet" if mode == "booklet" else sheet.page  # a booklet's margins mirror
    handout = render(0, paper)
    pages = len(handout.document.pages)
    padded = 0
    if mode == "booklet":
        # Each ruled page is exactly one page tall, so one more layout normally lands on the multiple of four;
        # a second corrects the rare layout in which the extra pages moved something else.
        for _ in range(3):
            if not padding(pages):
                break
            padded += padding(pages)
            handout = render(padded, paper)
            pages = len(handout.document.pages)
        if padding(pages):
            raise RuntimeError(f"could not pad the booklet to a multiple of four pages ({pages})")
    buffer = io.BytesIO()
    with at_work():
        write_pdf_once(handout.document, buffer)
    sides = booklet_order(pages) if mode == "booklet" else two_up_order(pages)
    if direction(lang) == "rtl":  # bound on the right: every side read from the right
        sides = [(right, left) for left, right in sides]
    data = impose(buffer.getvalue(), sides, sheet, title=title, author=author, lang=lang)
    return data, instructions(mode, sheet, pages, padded), handout.warnings
