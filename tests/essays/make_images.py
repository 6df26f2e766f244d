"""Draw the images the test essays use, deterministically (no clock, seeded randomness).

Run from anywhere:  .venv/bin/python tests/essays/make_images.py

Every image is drawn with Pillow primitives only (shapes, gradients, no fonts), so the same Pillow version
gives the same bytes. PNGs are palette images with few colours and JPEGs are saved at quality 80, so each
file stays well under 150 KB.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

HERE = Path(__file__).resolve().parent
FIGURES = HERE / "figures-and-names"


def _save_png(image: Image.Image, path: Path, colours: int = 16) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.convert("RGB").quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE) \
        .save(path, format="PNG", optimize=True)


def _save_jpeg(image: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.convert("RGB").save(path, format="JPEG", quality=80, optimize=True, progressive=False,
                              subsampling="4:2:0")


def _vertical_gradient(size: tuple[int, int], top: tuple[int, int, int],
                       bottom: tuple[int, int, int]) -> Image.Image:
    w, h = size
    column = Image.new("RGB", (1, h))
    for y in range(h):
        t = y / max(h - 1, 1)
        column.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    return column.resize((w, h), Image.Resampling.NEAREST)


def river_map(path: Path) -> None:
    """A schematic map: a river winding west to east across a plain, hills to the north, a city on the bank."""
    w, h = 1400, 900
    img = Image.new("RGB", (w, h), (236, 232, 218))
    d = ImageDraw.Draw(img)
    # Hills: nested contour rings.
    for cx, cy, r in ((300, 170, 150), (760, 120, 190), (1150, 200, 140)):
        for k in range(6):
            rr = r - k * 24
            shade = 200 - k * 14
            d.ellipse((cx - rr * 1.4, cy - rr, cx + rr * 1.4, cy + rr), fill=(shade, shade + 18, shade - 30),
                      outline=(120, 110, 90), width=2)
    # River: a sine-like polyline, drawn thick then thin for the banks.
    pts = [(x, 560 + 110 * math.sin(x / 190) + 40 * math.sin(x / 57)) for x in range(-20, w + 21, 10)]
    d.line(pts, fill=(70, 110, 160), width=58, joint="curve")
    d.line(pts, fill=(120, 165, 210), width=34, joint="curve")
    # Bridges.
    for bx in (330, 640, 980):
        by = 560 + 110 * math.sin(bx / 190) + 40 * math.sin(bx / 57)
        d.rectangle((bx - 9, by - 52, bx + 9, by + 52), fill=(90, 80, 70))
    # The city: a grid of blocks on the north bank.
    for i in range(7):
        for j in range(4):
            x0, y0 = 520 + i * 34, 330 + j * 34
            d.rectangle((x0, y0, x0 + 26, y0 + 26), fill=(170, 70, 60) if (i + j) % 3 else (120, 50, 45))
    # Roads.
    d.line([(0, 420), (520, 400), (760, 395), (w, 430)], fill=(150, 140, 120), width=8)
    d.line([(640, 0), (650, 330)], fill=(150, 140, 120), width=8)
    # Compass rose.
    cx, cy = 1270, 780
    d.polygon([(cx, cy - 70), (cx + 16, cy), (cx, cy + 70), (cx - 16, cy)], fill=(40, 40, 40))
    d.polygon([(cx - 70, cy), (cx, cy - 16), (cx + 70, cy), (cx, cy + 16)], fill=(110, 110, 110))
    d.ellipse((cx - 8, cy - 8, cx + 8, cy + 8), fill=(236, 232, 218))
    # Frame.
    d.rectangle((6, 6, w - 7, h - 7), outline=(60, 55, 50), width=6)
    _save_png(img, path, colours=24)


def seal_impression(path: Path) -> None:
    """A square red seal, as stamped under a signature: a frame and a grid of abstract strokes."""
    w = h = 1000
    img = Image.new("RGB", (w, h), (246, 241, 230))
    d = ImageDraw.Draw(img)
    red = (178, 34, 34)
    d.rounded_rectangle((120, 120, 880, 880), radius=40, outline=red, width=34)
    rng = random.Random(20140105)
    # Four cells, each with a few bold strokes (not real characters).
    for cx, cy in ((320, 320), (680, 320), (320, 680), (680, 680)):
        for _ in range(4):
            horizontal = rng.random() < 0.5
            off = rng.randrange(-110, 111, 20)
            length = rng.randrange(120, 260, 20)
            if horizontal:
                d.rectangle((cx - length // 2, cy + off - 14, cx + length // 2, cy + off + 14), fill=red)
            else:
                d.rectangle((cx + off - 14, cy - length // 2, cx + off + 14, cy + length // 2), fill=red)
    d.line((500, 170, 500, 830), fill=red, width=10)
    d.line((170, 500, 830, 500), fill=red, width=10)
    # Worn ink: paper-coloured specks over the red.
    for _ in range(900):
        x, y = rng.randrange(120, 880), rng.randrange(120, 880)
        r = rng.choice((2, 3, 4, 6))
        d.ellipse((x - r, y - r, x + r, y + r), fill=(246, 241, 230))
    _save_png(img, path, colours=8)


def mountain_dusk(path: Path) -> None:
    """A photograph-like JPEG: a dusk sky gradient, a pale sun, three ridgelines fading into haze."""
    w, h = 1600, 1000
    img = _vertical_gradient((w, h), (38, 52, 96), (236, 170, 120))
    d = ImageDraw.Draw(img)
    d.ellipse((1050, 330, 1230, 510), fill=(255, 228, 180))
    ridges = (((92, 86, 120), 520, 90, 260), ((62, 58, 88), 640, 70, 170), ((34, 32, 50), 760, 55, 110))
    for colour, base, amp, period in ridges:
        pts = [(0, h)]
        for x in range(0, w + 1, 8):
            y = base - amp * abs(math.sin(x / period)) - 0.4 * amp * math.sin(x / (period / 3.7))
            pts.append((x, y))
        pts.append((w, h))
        d.polygon(pts, fill=colour)
    img = img.filter(ImageFilter.GaussianBlur(1.2))
    _save_jpeg(img, path)


def cover(path: Path) -> None:
    """A 1600×2560 cover: an ink-wash gradient, concentric discs (a rising moon), a band, a red seal square."""
    w, h = 1600, 2560
    img = _vertical_gradient((w, h), (242, 236, 222), (196, 186, 164))
    d = ImageDraw.Draw(img)
    for k in range(7):  # filled discs, dark to light inwards: few edges keep the JPEG small
        r = 620 - k * 80
        tone = 70 + k * 24
        d.ellipse((w / 2 - r, 1180 - r, w / 2 + r, 1180 + r), fill=(tone, tone + 4, tone + 14))
    d.rectangle((0, 2080, w, 2200), fill=(40, 44, 60))
    d.rectangle((1180, 2260, 1380, 2460), fill=(178, 34, 34))
    d.rectangle((1210, 2290, 1350, 2430), outline=(242, 236, 222), width=12)
    d.rectangle((60, 60, w - 61, h - 61), outline=(40, 44, 60), width=10)
    _save_jpeg(img, path)


def main() -> None:
    river_map(FIGURES / "images" / "river-map.png")
    seal_impression(FIGURES / "images" / "seal.png")
    mountain_dusk(FIGURES / "images" / "mountains-at-dusk.jpg")
    cover(FIGURES / "cover.jpg")
    for p in sorted(FIGURES.rglob("*")):
        if p.suffix in (".png", ".jpg"):
            with Image.open(p) as im:
                print(f"{p.relative_to(HERE)}  {im.size[0]}x{im.size[1]}  {p.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
