"""Draw the images the ecosystem posts (post-*) use, deterministically, with Pillow primitives only.

Run from anywhere:  .venv/bin/python tests/essays/make_post_images.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent


def harbour(size: tuple[int, int]) -> Image.Image:
    """A harbour at dawn: sky bands, a sea, a quay and three masts."""
    w, h = size
    image = Image.new("RGB", size, (214, 196, 170))
    draw = ImageDraw.Draw(image)
    for i in range(8):
        draw.rectangle([0, i * h // 16, w, (i + 1) * h // 16], fill=(230 - i * 6, 200 - i * 4, 160 + i * 8))
    draw.rectangle([0, h // 2, w, h], fill=(52, 86, 120))
    draw.rectangle([0, int(h * 0.72), int(w * 0.45), h], fill=(120, 110, 96))
    for x in (0.55, 0.68, 0.8):
        draw.line([int(w * x), int(h * 0.2), int(w * x), int(h * 0.62)], fill=(40, 30, 20), width=max(2, w // 200))
        draw.polygon([(int(w * x) - w // 20, int(h * 0.62)), (int(w * x) + w // 20, int(h * 0.62)),
                      (int(w * x) + w // 28, int(h * 0.68)), (int(w * x) - w // 28, int(h * 0.68))], fill=(90, 50, 30))
    return image


def _png(image: Image.Image, path: Path) -> None:
    image.quantize(colors=16, dither=Image.Dither.NONE).save(path, format="PNG", optimize=True)


def _jpeg(image: Image.Image, path: Path) -> None:
    image.save(path, format="JPEG", quality=80, optimize=True)


def main() -> None:
    _png(harbour((1200, 800)), HERE / "post-hugo" / "harbour.png")
    _jpeg(harbour((1400, 2100)), HERE / "post-hugo" / "feature.jpg")
    _jpeg(harbour((1200, 800)), HERE / "post-wordpress" / "harbour-at-dawn.jpg")
    _jpeg(harbour((1400, 2100)), HERE / "post-ghost" / "cover.jpg")
    _png(harbour((1200, 800)), HERE / "post-obsidian" / "Pasted image 20230412101530.png")


if __name__ == "__main__":
    main()
