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
    def text_width_em(self) -> float:
        """The text block's width in ems of the body type (a point is 25.4/72 mm)."""
        return self.text_width / (self.font_size * 25.4 / 72)

    @property
    def landscape_size(self) -> str:
        """The CSS ``size`` of the sheet turned: ``landscape`` goes only with a size keyword (``A5 landscape``);
        a size given as lengths (half-letter) is turned by swapping them."""
        return f"{self.height}mm {self.width}mm" if self.name[:1].isdigit() else f"{self.name} landscape"

    @property
    def landscape_margins(self) -> tuple[float, float, float, float]:
        """A wide table's page: the sheet turned, with even side margins (the binding edge is now at the top
        or the bottom, which the larger top and bottom margins leave free)."""
        side = min(self.margins[1], self.margins[3])
        return (self.margins[0], side, self.margins[2], side)

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


def text_block_points(width: float, height: float) -> tuple[float, float] | None:
    """The left and right edges of the text block (points) on a handout page of this size, portrait or
    landscape, or None for a paper essaybook does not make (the checks then judge only the page's edges)."""
    mm = 72 / 25.4
    for paper in PAPERS.values():
        for w, h, margins in ((paper.width, paper.height, paper.margins),
                              (paper.height, paper.width, paper.landscape_margins)):
            if abs(w * mm - width) < 1 and abs(h * mm - height) < 1:
                return margins[3] * mm, (w - margins[1]) * mm
    return None

# Pages laid out only to be imposed (impose.py): half of a US Letter sheet (5.5 x 8.5 in), and the booklet
# variants whose margins mirror. Not choices for --paper or the front matter's paper.
IMPOSITION_PAPERS = {
    "half-letter": Paper("139.7mm 215.9mm", 139.7, 215.9, (17, 15, 20, 24), 9.5),
    "a5-booklet": Paper("A5", 148, 210, (17, 16, 20, 25), 9.5, mirrored=True),
    "half-letter-booklet": Paper("139.7mm 215.9mm", 139.7, 215.9, (17, 15, 20, 24), 9.5, mirrored=True),
}
ALL_PAPERS = PAPERS | IMPOSITION_PAPERS
