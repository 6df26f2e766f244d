"""A typographic cover (title, subtitle, authors) for essays that bring no cover image of their own.

Library grids on Kobo, Apple Books and Kindle show a book by its cover image; without one an essay is a blank
tile. The cover is drawn with Pillow at 1600×2560 (the 1:1.6 shape e-reader stores recommend) in the book's
own faces, shaped by libraqm (HarfBuzz and FriBiDi: Arabic joins, Devanagari conjuncts, right-to-left lines).
Pillow rather than WeasyPrint-then-rasterise: no PDF rasteriser is needed at build time, and 16 colours of one
ink keep the PNG small. Each text is split into runs by the face that has its characters (the book's chain,
then fontconfig's fallback), and sized and wrapped to fit its frame: a title is never cut, however long, and
many authors are shortened ("A, B and 10 others"). The same inputs give the same PNG bytes.
"""

from __future__ import annotations

import functools
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from essaybook.fonts import (
    ARABIC,
    CJK,
    DEVANAGARI,
    EMOJI,
    GREEK,
    HEBREW,
    TEXT,
    Face,
    cmap_of,
    fallback_file,
    font_file,
    needs_glyph,
)
from essaybook.labels import direction, short_names
from essaybook.metadata import Metadata

WIDTH, HEIGHT = 1600, 2560
FRAME = 70  # the rule's inset
MARGIN = 170  # the text's inset
_PAPER = (244, 239, 227)
_INK = (28, 28, 30)
_ACCENT = (140, 32, 32)
_EMOJI_SIZE = 109  # Noto Color Emoji is a bitmap font drawn at 109 px only

# Where each text may go (top, bottom), and its largest and smallest size.
TITLE_BOX = (520, 1600)
SUBTITLE_GAP = 60
AUTHOR_BOX = (1860, HEIGHT - MARGIN)
_CJK_FACES = {"ko": "Noto Serif CJK KR", "ja": "Noto Serif CJK JP", "zh-Hant": "Noto Serif CJK TC"}


@dataclass(frozen=True)
class Run:
    text: str
    font: tuple[Path, int]  # file and index
    rtl: bool
    emoji: bool = False


@dataclass(frozen=True)
class DrawnLine:
    """A line as drawn: its runs and its box on the cover (left, top, right, bottom), for tests and checks."""

    text: str
    box: tuple[int, int, int, int]


@dataclass
class Cover:
    png: bytes
    lines: list[DrawnLine]
    missing: list[str]  # characters no installed font has


def make_cover(meta: Metadata) -> bytes:
    """PNG bytes of the generated cover."""
    return draw_cover(meta).png


def drawn_text(meta: Metadata) -> str:
    """Every character the cover shows (for the glyph check when the cover's bytes come from the cache)."""
    authors = short_names(meta.authors, meta.lang, keep=2) if len(meta.authors) > 6 else "".join(meta.authors)
    return meta.title + (meta.subtitle or "") + authors


def draw_cover(meta: Metadata) -> Cover:
    return _draw(meta.title, meta.subtitle, meta.authors, meta.lang, meta.dir)


@functools.lru_cache(maxsize=4)
def _draw(title: str, subtitle: str | None, authors: tuple[str, ...], lang: str, text_dir: str | None) -> Cover:
    """The cover shows only these, so a warm process (``essaybook preview``) draws it once per title, not on
    every save (it is most of the e-book's build time)."""
    meta = Metadata(title=title, subtitle=subtitle, authors=authors, lang=lang, dir=text_dir)
    image = Image.new("RGB", (WIDTH, HEIGHT), _PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((FRAME, FRAME, WIDTH - FRAME, HEIGHT - FRAME), outline=_ACCENT, width=6)
    chain = _chain(meta.lang)
    base_rtl = direction(meta.lang, meta.dir) == "rtl"
    lines: list[DrawnLine] = []
    missing: list[str] = []
    measure = WIDTH - 2 * MARGIN

    top, bottom = TITLE_BOX
    title_share = bottom - top if not meta.subtitle else int((bottom - top) * 0.68)
    y = _fit(image, draw, meta.title, chain, "Bold", (top, top + title_share), measure, 150, 56, base_rtl,
             lines, missing, meta.lang)
    if meta.subtitle:
        y = _fit(image, draw, meta.subtitle, chain, "Italic", (y + SUBTITLE_GAP, bottom), measure, 86, 40,
                 base_rtl, lines, missing, meta.lang)
    draw.line((WIDTH / 2 - 180, y + 90, WIDTH / 2 + 180, y + 90), fill=_ACCENT, width=5)
    if meta.authors:
        names = short_names(meta.authors, meta.lang, keep=2) if len(meta.authors) > 6 else None
        text = names if names is not None else "\n".join(meta.authors)
        _fit(image, draw, text, chain, "Regular", AUTHOR_BOX, measure, 90, 44, base_rtl, lines, missing,
             meta.lang)
    buffer = io.BytesIO()
    # Paper, ink and one accent: sixteen colours keep the type's anti-aliasing and make a small PNG, fast.
    image.quantize(colors=16, method=Image.Quantize.FASTOCTREE).save(buffer, format="PNG", compress_level=6)
    return Cover(buffer.getvalue(), lines, list(dict.fromkeys(missing)))


def _chain(lang: str) -> list[Face]:
    """The book's faces in the order the print stylesheet tries them for this language."""
    primary = lang.split("-")[0].lower()
    cjk = CJK
    from essaybook.labels import _key

    key = _key(lang)
    if key in _CJK_FACES or primary in _CJK_FACES:
        cjk = Face(_CJK_FACES.get(key, _CJK_FACES.get(primary, CJK.family)), CJK.package, CJK.covers)
    first = [GREEK] if primary in ("el", "grc") else []
    return [*first, TEXT, GREEK, ARABIC, HEBREW, DEVANAGARI, cjk, EMOJI]


@functools.cache
def _face_file(face: Face, style: str) -> tuple[Path, int] | None:
    """The face's file in ``style`` (falling back to its regular style: CJK and emoji faces have no italic)."""
    from essaybook.errors import EnvironmentProblem

    for candidate in (style, "Bold" if style == "Bold" else "Regular", "Regular"):
        try:
            return font_file(face, candidate)
        except EnvironmentProblem:
            continue
    return None


def _runs(text: str, chain: list[Face], style: str, missing: list[str]) -> list[Run]:
    """Split ``text`` into runs of one font each: the first face of the chain that has the character, the
    face of the run it is in for spaces, marks and joiners; fontconfig's fallback for the rest."""
    runs: list[Run] = []
    emoji_file = _face_file(EMOJI, "Regular")

    def first_with(char: str) -> tuple[Path, int] | None:
        for face in chain:  # resolved lazily: an English title never asks fontconfig for the Arabic face
            found = _face_file(face, style)
            if found is not None and ord(char) in cmap_of(*found):
                return found
        return None

    for char in text:
        current = runs[-1].font if runs else None
        joins = runs and (not runs[-1].emoji or unicodedata.category(char) in ("Cf", "Mn", "Me", "Sk") or
                          0x1F3FB <= ord(char) <= 0x1F3FF or 0x1F1E6 <= ord(char) <= 0x1F1FF)
        if joins and (not needs_glyph(char) or unicodedata.category(char) in ("Mn", "Mc") or
                      (ord(char) in cmap_of(*current) and _neutral(char))):
            font = current
        else:
            font = first_with(char) or fallback_file(char)
        if font is None:
            if needs_glyph(char):
                missing.append(char)
            font = current or _face_file(chain[0], style) or _face_file(TEXT, "Regular")
        rtl = unicodedata.bidirectional(char) in ("R", "AL")
        if runs and runs[-1].font == font and (runs[-1].rtl == rtl or _neutral(char)):
            runs[-1] = Run(runs[-1].text + char, font, runs[-1].rtl, runs[-1].emoji)
        else:
            runs.append(Run(char, font, rtl, font == emoji_file))
    return runs


def _neutral(char: str) -> bool:
    return unicodedata.bidirectional(char) in ("WS", "ON", "CS", "ES", "ET", "EN", "BN", "NSM", "S", "B")


@functools.cache
def _pil_font(font: tuple[Path, int], size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font[0]), size=size, index=font[1], layout_engine=ImageFont.Layout.RAQM)


def _run_width(run: Run, size: int, lang: str) -> float:
    if run.emoji:
        font = _pil_font(run.font, _EMOJI_SIZE)
        return font.getlength(run.text) * size / _EMOJI_SIZE
    return _pil_font(run.font, size).getlength(run.text, direction="rtl" if run.rtl else "ltr",
                                               language=_lang_tag(lang))


def _lang_tag(lang: str) -> str:
    return lang.split("-")[0].lower()


def _visual(runs: list[Run], base_rtl: bool) -> list[Run]:
    """Runs in the order they are drawn, left to right: in a right-to-left line the runs are reversed, but a
    sequence of left-to-right runs (a Latin name, a number) keeps its own order, and the converse."""
    groups: list[list[Run]] = []
    for run in runs:
        strong_rtl = run.rtl
        if groups and groups[-1][0].rtl == strong_rtl:
            groups[-1].append(run)
        else:
            groups.append([run])
    out: list[Run] = []
    ordered = list(reversed(groups)) if base_rtl else groups
    for group in ordered:
        out += list(reversed(group)) if group[0].rtl else group
    return out


def _words(text: str) -> list[tuple[str, str]]:
    """(word, separator after it): words at spaces; every character alone where a script writes no spaces."""
    out: list[tuple[str, str]] = []
    for i, token in enumerate(text.split(" ")):
        if i and out:
            out[-1] = (out[-1][0], " ")
        if not token:
            continue
        if any(_unspaced(c) for c in token):
            chunk = ""
            for c in token:
                if _unspaced(c) and chunk and unicodedata.category(c)[0] not in "PM":
                    out.append((chunk, ""))
                    chunk = ""
                chunk += c
            out.append((chunk, ""))
        else:
            out.append((token, ""))
    return out


def _unspaced(char: str) -> bool:
    cp = ord(char)
    return 0x2E80 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0xFF00 <= cp <= 0xFFEF or 0x20000 <= cp <= 0x2FFFF


def _wrap(paragraph: str, chain: list[Face], style: str, size: int, measure: int, lang: str,
          missing: list[str]) -> list[str] | None:
    """Lines of ``paragraph`` within ``measure`` at ``size``; None if a single word is wider than the measure."""
    lines: list[str] = []
    current = ""
    for word, sep in _words(paragraph):
        trial = current + word
        if current and _width(trial.rstrip(), chain, style, size, lang, missing) > measure:
            lines.append(current.rstrip())
            trial = word
        if _width(word, chain, style, size, lang, missing) > measure:
            return None
        current = trial + sep
    if current.strip():
        lines.append(current.rstrip())
    return lines


def _width(text: str, chain: list[Face], style: str, size: int, lang: str, missing: list[str]) -> float:
    return sum(_run_width(r, size, lang) for r in _runs(text, chain, style, missing))


def _fit(image: Image.Image, draw: ImageDraw.ImageDraw, text: str, chain: list[Face], style: str,
         box: tuple[int, int], measure: int, largest: int, smallest: int, base_rtl: bool,
         drawn: list[DrawnLine], missing: list[str], lang: str) -> int:
    """Draw ``text`` centred in the band ``box`` (top, bottom) at the largest size from ``largest`` down
    whose wrapped lines fit; below ``smallest``, keep shrinking rather than overflow. Return the y below."""
    top, bottom = box
    scratch: list[str] = []
    size = largest
    while True:
        gap = 1.25 if style != "Bold" else 1.18
        lines: list[str] = []
        ok = True
        for paragraph in text.split("\n"):
            wrapped = _wrap(paragraph, chain, style, size, measure, lang, scratch)
            if wrapped is None:
                ok = False
                break
            lines += wrapped
        height = len(lines) * size * gap
        if ok and height <= bottom - top:
            break
        if size <= 12:
            break
        size = max(12, int(size * 0.92)) if size > smallest else size - 2
    y = top
    for line in lines:
        runs = _visual(_runs(line, chain, style, missing), base_rtl)
        widths = [_run_width(r, size, lang) for r in runs]
        x = (WIDTH - sum(widths)) / 2
        left, line_top, right, line_bottom = WIDTH, HEIGHT, 0, 0
        for run, w in zip(runs, widths, strict=True):
            bbox = _draw_run(image, draw, run, x, y, size, lang)
            if bbox is not None:
                left, line_top = min(left, bbox[0]), min(line_top, bbox[1])
                right, line_bottom = max(right, bbox[2]), max(line_bottom, bbox[3])
            x += w
        drawn.append(DrawnLine(line, (int(left), int(line_top), int(right), int(line_bottom))))
        y += size * gap
    return int(y)


def _draw_run(image: Image.Image, draw: ImageDraw.ImageDraw, run: Run, x: float, y: float, size: int,
              lang: str) -> tuple[float, float, float, float] | None:
    if run.emoji:
        # A bitmap font at its one size, drawn in ink tones: the cover is one ink on paper.
        font = _pil_font(run.font, _EMOJI_SIZE)
        bbox = font.getbbox(run.text, mode="RGBA")
        if bbox[2] <= bbox[0]:
            return None
        tile = Image.new("RGBA", (bbox[2], bbox[3]), (0, 0, 0, 0))
        ImageDraw.Draw(tile).text((0, 0), run.text, font=font, embedded_color=True)
        scale = size / _EMOJI_SIZE
        tile = tile.resize((max(1, round(tile.width * scale)), max(1, round(tile.height * scale))),
                           Image.Resampling.LANCZOS)
        lightness = tile.convert("L").point(lambda v: int(v * 0.85))
        toned = Image.composite(Image.new("RGB", tile.size, _PAPER), Image.new("RGB", tile.size, _INK), lightness)
        toned.putalpha(tile.getchannel("A"))
        top = y + size * 0.1
        image.paste(toned, (round(x), round(top)), toned)
        return (x, top, x + tile.width, top + tile.height)
    font = _pil_font(run.font, size)
    options = {"direction": "rtl" if run.rtl else "ltr", "language": _lang_tag(lang)}
    draw.text((x, y), run.text, font=font, fill=_INK, **options)
    return draw.textbbox((x, y), run.text, font=font, **options)
