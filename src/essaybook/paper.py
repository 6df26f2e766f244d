"""The handout's paper: sizes, margins, type size, and the share of the text block a figure may take.

One place, because the print stylesheet (``pdf.paper_css``), the front matter's ``paper:`` values, the CLI's
``--paper`` choices and ``check``'s print-resolution rule must all agree on the same geometry.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Paper:
    name: str  # CSS page size keyword
    width: float  # mm
    height: float
    margins: tuple[float, float, float, float]  # top, right, bottom, left (mm): the left takes holes or staples
    font_size: float  # pt
    mirrored: bool = False  # a booklet's pages: the wide margin is on the inside, the fold's side

    @property
    def text_height(self) -> float:
        return self.height - self.margins[0] - self.margins[2]

    @property
    def text_width(self) -> float:
        return self.width - self.margins[1] - self.margins[3]

    @property
    def figure_max_height(self) -> float:
        """A figure never takes more than about two-fifths of the text block, so it fits where it falls."""
        return self.text_height * FIGURE_HEIGHT_SHARE


FIGURE_HEIGHT_SHARE = 0.42
LINE_PITCH_MM = 8.7  # ruled lines for handwriting: a generous college-ruled 8.7 mm

PAPERS = {
    "a4": Paper("A4", 210, 297, (24, 26, 26, 36), 11),
    "letter": Paper("letter", 215.9, 279.4, (22, 26, 25, 36), 11),
    "a5": Paper("A5", 148, 210, (17, 16, 20, 25), 9.5),
}

# Pages laid out only to be imposed (impose.py): half of a US Letter sheet (5.5 x 8.5 in), and the booklet
# variants whose margins mirror. Not choices for --paper or the front matter's paper.
IMPOSITION_PAPERS = {
    "half-letter": Paper("139.7mm 215.9mm", 139.7, 215.9, (17, 15, 20, 24), 9.5),
    "a5-booklet": Paper("A5", 148, 210, (17, 16, 20, 25), 9.5, mirrored=True),
    "half-letter-booklet": Paper("139.7mm 215.9mm", 139.7, 215.9, (17, 15, 20, 24), 9.5, mirrored=True),
}
ALL_PAPERS = PAPERS | IMPOSITION_PAPERS
