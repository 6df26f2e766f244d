"""The typefaces essaybook sets books in, found through fontconfig, and never substituted silently.

A handout must come out the same on every machine, so a missing face is an error that names the Debian
package to install, not a quiet fallback to whatever the system has.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from essaybook.errors import EnvironmentProblem


@dataclass(frozen=True)
class Face:
    family: str
    package: str  # the Debian package that installs it
    covers: str  # what it is for, for messages


TEXT = Face("Charis SIL", "fonts-sil-charis", "body text")
CJK = Face("Noto Serif CJK SC", "fonts-noto-cjk", "Chinese, Japanese and Korean text")
MONO = Face("DejaVu Sans Mono", "fonts-dejavu-core", "code")
BOOK_FACES = (TEXT, CJK, MONO)


def require_faces(faces: tuple[Face, ...] = BOOK_FACES) -> None:
    """Stop with the install command when a face the book is set in is missing."""
    missing = [f for f in faces if not _installed(f.family)]
    if missing:
        names = ", ".join(f"'{f.family}' ({f.covers})" for f in missing)
        packages = " ".join(sorted({f.package for f in missing}))
        raise EnvironmentProblem(f"font {names} not installed; run: sudo apt-get install -y {packages}")


def _installed(family: str) -> bool:
    return family in _families()


@functools.cache
def _families() -> frozenset[str]:
    """Every family fontconfig knows, from one ``fc-list`` (one process, not one per face)."""
    if shutil.which("fc-list") is None:
        raise EnvironmentProblem("fontconfig is not installed; run: sudo apt-get install -y fontconfig")
    out = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, check=False).stdout
    return frozenset(name.strip() for line in out.splitlines() for name in line.split(","))


@functools.cache
def font_file(face: Face, style: str = "Regular") -> tuple[Path, int]:
    """The file (and index, for collections) of ``face`` in ``style``, e.g. ``font_file(TEXT, "Bold")``."""
    require_faces((face,))
    out = subprocess.run(["fc-match", "-f", "%{file}\n%{index}\n%{family}", f"{face.family}:style={style}"],
                         capture_output=True, text=True, check=False).stdout.split("\n")
    if len(out) < 3 or face.family not in out[2]:
        raise EnvironmentProblem(f"font '{face.family} {style}' not found; run: sudo apt-get install -y "
                                 f"{face.package}")
    return Path(out[0]), int(out[1] or 0)


@functools.cache
def _cmap(face: Face, style: str = "Regular") -> frozenset[int]:
    from fontTools.ttLib import TTCollection, TTFont

    path, index = font_file(face, style)
    font = TTCollection(str(path), lazy=True).fonts[index] if path.suffix.lower() in (".ttc", ".otc") \
        else TTFont(str(path), lazy=True)
    return frozenset(font.getBestCmap())


def covers(face: Face, text: str, style: str = "Regular") -> bool:
    cmap = _cmap(face, style)
    return all(ord(c) in cmap for c in text if not c.isspace())


def missing_glyphs(text: str) -> set[str]:
    """Characters none of the book's faces can draw (they would print as empty boxes, "tofu")."""
    chars = {c for c in text if not c.isspace() and ord(c) >= 0x20}
    for face in BOOK_FACES:
        if not chars:
            break
        cmap = _cmap(face)
        chars = {c for c in chars if ord(c) not in cmap}
    # Invisible formatting characters (joiners, marks, variation selectors) need no glyph of their own.
    import unicodedata

    return {c for c in chars if unicodedata.category(c) not in ("Cf", "Mn", "Me", "Cc")}
