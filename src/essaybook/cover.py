"""A typographic cover (title, subtitle, authors) for essays that bring no cover image of their own.

Library grids on Kobo, Apple Books and Kindle show a book by its cover image; without one an essay is a blank
tile. The cover is drawn with Pillow at 1600×2560 (the 1:1.6 shape e-reader stores recommend) in the book's
own typeface; the same inputs give the same PNG bytes.
"""

from __future__ import annotations

import functools
import io

from PIL import Image, ImageDraw, ImageFont

from essaybook.fonts import CJK, TEXT, Face, covers, font_file
from essaybook.metadata import Metadata

WIDTH, HEIGHT = 1600, 2560
_PAPER = (244, 239, 227)
_INK = (28, 28, 30)
_ACCENT = (140, 32, 32)
_MARGIN = 170


def make_cover(meta: Metadata) -> bytes:
    """PNG bytes of the generated cover."""
    return _draw(meta.title, meta.subtitle, meta.authors)


@functools.lru_cache(maxsize=4)
def _draw(title: str, subtitle: str | None, authors: tuple[str, ...]) -> bytes:
    """The cover shows only these three, so a warm process (``essaybook preview``) draws it once per title,
    not on every save (it is most of the e-book's build time)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), _PAPER)
    draw = ImageDraw.Draw(image)
    frame = 70
    draw.rectangle((frame, frame, WIDTH - frame, HEIGHT - frame), outline=_ACCENT, width=6)
    y = 640
    y = _block(draw, title, _font(title, "Bold", 150), y, line_gap=1.18)
    if subtitle:
        y = _block(draw, subtitle, _font(subtitle, "Italic", 86), y + 70, line_gap=1.25)
    draw.line((WIDTH / 2 - 180, y + 110, WIDTH / 2 + 180, y + 110), fill=_ACCENT, width=5)
    if authors:
        names = "\n".join(authors)
        _block(draw, names, _font(names, "Regular", 90), HEIGHT - 700, line_gap=1.3)
    buffer = io.BytesIO()
    # Paper, ink and one accent: sixteen colours keep the type's anti-aliasing and make a small PNG, fast.
    image.quantize(colors=16, method=Image.Quantize.FASTOCTREE).save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()


def _font(text: str, style: str, size: int) -> ImageFont.FreeTypeFont:
    """The book face if it has every character, else the CJK face (which also covers Latin)."""
    # Latin, Greek, Cyrillic and common punctuation are Charis's own: skip reading its character map then.
    simple = all(ord(c) < 0x0530 or 0x2000 <= ord(c) < 0x2070 for c in text)
    face: Face = TEXT if simple or covers(TEXT, text, style) else CJK
    path, index = font_file(face, style if face is TEXT else ("Bold" if style == "Bold" else "Regular"))
    return ImageFont.truetype(str(path), size=size, index=index)


def _block(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, y: float,
           line_gap: float) -> float:
    """Draw ``text`` centred, wrapped to the cover's measure; return the y below it."""
    size = font.size
    for paragraph in text.split("\n"):
        for line in _wrap(draw, paragraph, font, WIDTH - 2 * _MARGIN):
            width = draw.textlength(line, font=font)
            draw.text(((WIDTH - width) / 2, y), line, font=font, fill=_INK)
            y += size * line_gap
    return y


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, measure: float) -> list[str]:
    # Words where there are spaces; characters where there are none (Chinese, Japanese).
    words = text.split() if " " in text.strip() else list(text.strip())
    joiner = " " if " " in text.strip() else ""
    lines: list[str] = []
    current = ""
    for word in words:
        trial = f"{current}{joiner}{word}" if current else word
        if current and draw.textlength(trial, font=font) > measure:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines
