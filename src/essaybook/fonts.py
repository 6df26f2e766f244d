"""The typefaces essaybook sets books in, found through fontconfig, and never substituted silently.

A handout must come out the same on every machine, so a missing face is an error that names the Debian
package to install, not a quiet fallback to whatever the system has. Charis SIL sets Latin and Cyrillic; each
other script has a face chosen to sit beside it (``SCRIPT_FACES``), and a face is required only when the
book has text in its script. What no installed font can draw is reported by ``glyph_diagnostics``, one
warning per script, at the line where its first such character is written.
"""

from __future__ import annotations

import contextlib
import functools
import shutil
import subprocess
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from essaybook.errors import EnvironmentProblem
from essaybook.rules import Diagnostic


@dataclass(frozen=True)
class Face:
    family: str
    package: str  # the Debian package that installs it
    covers: str  # what it is for, for messages


TEXT = Face("Charis SIL", "fonts-sil-charis", "body text")
CJK = Face("Noto Serif CJK SC", "fonts-noto-cjk", "Chinese, Japanese and Korean text")
MONO = Face("DejaVu Sans Mono", "fonts-dejavu-core", "code")
# Symbols and mathematical signs the text faces lack (∈, →, ◦): a serif drawn at text width, where the next face
# in line, Noto Serif CJK, draws many of them full-width and would be read in whole (26 MB) for one sign.
SYMBOLS = Face("DejaVu Serif", "fonts-dejavu-core", "symbols the text faces lack")
# Each script's face, chosen beside Charis on the page: Gentium is Charis's Greek-complete sibling (Book
# weight, to match Charis's colour); Noto Naskh Arabic is the size of Charis at the same point size (SIL's
# Scheherazade needs ~1.4 times the size, which CSS fallback cannot give one face only); Noto Serif
# Devanagari, as SIL's Annapurna (drawn to go with Charis) leaves a gap after every reph in Pango (चर्चा में).
GREEK = Face("Gentium Book Plus", "fonts-sil-gentiumplus", "Greek text")
ARABIC = Face("Noto Naskh Arabic", "fonts-noto-core", "Arabic text")
HEBREW = Face("Noto Serif Hebrew", "fonts-noto-core", "Hebrew text")
DEVANAGARI = Face("Noto Serif Devanagari", "fonts-noto-core", "Devanagari text")
EMOJI = Face("Noto Color Emoji", "fonts-noto-color-emoji", "emoji")
BOOK_FACES = (TEXT, CJK, MONO, SYMBOLS)

# (script, first code point, last code point, face): what each face is asked for.
_RANGES: tuple[tuple[str, int, int, Face], ...] = (
    ("Greek", 0x0370, 0x03FF, GREEK), ("Greek", 0x1F00, 0x1FFF, GREEK),
    ("Hebrew", 0x0590, 0x05FF, HEBREW), ("Hebrew", 0xFB1D, 0xFB4F, HEBREW),
    ("Arabic", 0x0600, 0x06FF, ARABIC), ("Arabic", 0x0750, 0x077F, ARABIC), ("Arabic", 0x08A0, 0x08FF, ARABIC),
    ("Arabic", 0xFB50, 0xFDFF, ARABIC), ("Arabic", 0xFE70, 0xFEFF, ARABIC),
    ("Devanagari", 0x0900, 0x097F, DEVANAGARI), ("Devanagari", 0xA8E0, 0xA8FF, DEVANAGARI),
    ("Hangul", 0x1100, 0x11FF, CJK), ("CJK", 0x2E80, 0x9FFF, CJK), ("Hangul", 0xAC00, 0xD7AF, CJK),
    ("CJK", 0xF900, 0xFAFF, CJK), ("CJK", 0xFF00, 0xFFEF, CJK), ("CJK", 0x20000, 0x2FFFF, CJK),
    ("emoji", 0x1F1E6, 0x1F1FF, EMOJI), ("emoji", 0x1F300, 0x1FAFF, EMOJI), ("emoji", 0x2600, 0x27BF, EMOJI),
)
SCRIPT_FACES = tuple(dict.fromkeys(face for *_, face in _RANGES))


def script_of(char: str) -> tuple[str, Face | None]:
    """The script a character belongs to, as a reader would name it, and the book's face for it (if any)."""
    cp = ord(char)
    if unicodedata.category(char) in ("Cn", "Co"):
        return ("private use" if unicodedata.category(char) == "Co" else "unassigned"), None
    for script, low, high, face in _RANGES:
        if low <= cp <= high:
            if face is EMOJI and not _is_emoji(char):
                break
            return script, face
    try:
        name = unicodedata.name(char)
    except ValueError:
        return "unnamed", None
    word = name.split()[0]
    return (word.title() if word.isalpha() else name.title()), None


def _is_emoji(char: str) -> bool:
    return ord(char) >= 0x1F000 or unicodedata.category(char) == "So"


def faces_for(text: str) -> tuple[Face, ...]:
    """The script faces a text needs beyond the book faces (Greek for Greek, Arabic for Arabic, ...)."""
    needed: dict[Face, None] = {}
    for char in set(text):
        if ord(char) < 0x0370:
            continue
        face = script_of(char)[1]
        if face is not None and face not in BOOK_FACES:
            needed[face] = None
    return tuple(sorted(needed, key=SCRIPT_FACES.index))


def require_faces(faces: tuple[Face, ...] = BOOK_FACES) -> None:
    """Stop with the install command when a face the book is set in is missing."""
    missing = [f for f in faces if not _installed(f.family)]
    if missing:
        names = ", ".join(f"'{f.family}' ({f.covers})" for f in missing)
        packages = " ".join(sorted({f.package for f in missing}))
        raise EnvironmentProblem(f"font {names} not installed; run: sudo apt-get install -y {packages}")


def _installed(family: str) -> bool:
    return family in _families()


# What fontconfig answered (each answer is a process, 5-30 ms), kept for the life of the process.
_ASKED: dict[object, object] = {}


def ask_ahead() -> None:
    """Ask fontconfig now what the layout will ask it (a layout process does, while it waits for the page). A
    face or fontconfig missing is left for the layout to report, with every face it lacks."""
    with contextlib.suppress(EnvironmentProblem):
        _families()
        _charsets()
        font_file(TEXT)


def _asked(question: object, ask: Callable[[], object]) -> Any:
    if question not in _ASKED:
        _ASKED[question] = ask()
    return _ASKED[question]


def _fc_list(*args: str) -> str:
    if shutil.which("fc-list") is None:
        raise EnvironmentProblem("fontconfig is not installed; run: sudo apt-get install -y fontconfig")
    return subprocess.run(["fc-list", *args], capture_output=True, text=True, check=False).stdout


def _families() -> frozenset[str]:
    """Every family fontconfig knows, from one ``fc-list`` (one process, not one per face)."""
    return _asked("families", lambda: frozenset(name.strip() for line in _fc_list(":", "family").splitlines()
                                                for name in line.split(",")))


def font_file(face: Face, style: str = "Regular") -> tuple[Path, int]:
    """The file (and index, for collections) of ``face`` in ``style``, e.g. ``font_file(TEXT, "Bold")``."""
    return _asked(("file", face.family, style), lambda: _match(face, style))


def _match(face: Face, style: str) -> tuple[Path, int]:
    require_faces((face,))
    out = subprocess.run(["fc-match", "-f", "%{file}\n%{index}\n%{family}", f"{face.family}:style={style}"],
                         capture_output=True, text=True, check=False).stdout.split("\n")
    if len(out) < 3 or face.family not in out[2]:
        raise EnvironmentProblem(f"font '{face.family} {style}' not found; run: sudo apt-get install -y "
                                 f"{face.package}")
    return Path(out[0]), int(out[1] or 0)


@functools.cache
def cmap_of(path: Path, index: int = 0) -> _Coverage:
    """The code points a font file maps to glyphs, as fontconfig read them (no font file is parsed here)."""
    return _Coverage(_merge(_ranges(_charsets().get((str(path), index), ""))))


def covers(face: Face, text: str, style: str = "Regular") -> bool:
    cmap = cmap_of(*font_file(face, style))
    return all(ord(c) in cmap for c in text if not c.isspace())


def fallback_file(char: str) -> tuple[Path, int] | None:
    """The installed font fontconfig falls back to for ``char`` (as Pango does), or None if none has it."""
    if ord(char) not in _installed_coverage():
        return None
    out = subprocess.run(["fc-match", "-s", "-f", "%{file}\t%{index}\n", f":charset={ord(char):x}"],
                         capture_output=True, text=True, check=False).stdout
    for line in out.splitlines():
        path, _, index = line.partition("\t")
        if path and ord(char) in cmap_of(Path(path), int(index or 0)):
            return Path(path), int(index or 0)
    return None


class _Coverage:
    """The union of every installed font's character set, as sorted ranges."""

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        import bisect

        self._starts = [r[0] for r in ranges]
        self.ranges = ranges
        self._bisect = bisect.bisect_right

    def __contains__(self, cp: int) -> bool:
        i = self._bisect(self._starts, cp) - 1
        return i >= 0 and self.ranges[i][0] <= cp <= self.ranges[i][1]


def _ranges(charset: str) -> list[tuple[int, int]]:
    ranges = []
    for token in charset.split():
        low, _, high = token.partition("-")
        ranges.append((int(low, 16), int(high or low, 16)))
    return ranges


def _charsets() -> dict[tuple[str, int], str]:
    """Every installed font file's character set (as fontconfig writes it, parsed when asked), from one
    ``fc-list`` (about 30 ms for 340 fonts)."""
    return _asked("charsets", _read_charsets)


def _read_charsets() -> dict[tuple[str, int], str]:
    found: dict[tuple[str, int], str] = {}
    for line in _fc_list("--format", "%{file}\t%{index}\t%{charset}\n").splitlines():
        path, _, rest = line.partition("\t")
        index, _, charset = rest.partition("\t")
        found[(path, int(index or 0))] = charset
    return found


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(high, merged[-1][1]))
        else:
            merged.append((low, high))
    return merged


@functools.cache
def _installed_coverage() -> _Coverage:
    """The union of every installed font's character set (a third of a second to read: asked only for
    characters the body face lacks)."""
    return _Coverage(_merge([r for charset in _charsets().values() for r in _ranges(charset)]))


def needs_glyph(char: str) -> bool:
    """Invisible characters (spaces, joiners, marks, variation selectors, controls) need no glyph of their
    own: a combining mark is drawn by its base's font or not at all, and is no box."""
    return not char.isspace() and unicodedata.category(char) not in ("Cf", "Mn", "Me", "Cc", "Zs", "Zl", "Zp")


def missing_characters(text: str) -> list[str]:
    """Characters no installed font can draw (they would print as empty boxes, "tofu"), in order of first
    appearance. Pango falls back through fontconfig to any installed font, so a character prints if and only
    if some installed font has it; the layout probe (``pagination.unknown_glyphs``) reads the same from the
    laid-out handout."""
    body = cmap_of(*font_file(TEXT))
    rest = [c for c in dict.fromkeys(text) if needs_glyph(c) and ord(c) not in body]
    if not rest:
        return []
    coverage = _installed_coverage()
    return [c for c in rest if ord(c) not in coverage]


_SHOWN = 20


def glyph_diagnostics(missing: Iterable[str], parts: Iterable[tuple[int, str]], path: Path | None, *,
                      where: str = "") -> list[Diagnostic]:
    """One ``glyph-missing`` warning per script for the characters in ``missing``, at the source line where
    the script's first missing character first appears. ``parts`` are ``(first line, text)`` pieces of the
    source (front matter, body); ``where`` says which output ("on the cover")."""
    parts = list(parts)
    groups: dict[str, list[str]] = {}
    for char in dict.fromkeys(missing):
        groups.setdefault(script_of(char)[0], []).append(char)
    out = []
    for script, chars in groups.items():
        line = min((ln for ln in (_line_of(c, parts) for c in chars) if ln is not None), default=None)
        shown = " ".join(f"{c} (U+{ord(c):04X})" for c in chars[:_SHOWN])
        more = f" and {len(chars) - _SHOWN} more" if len(chars) > _SHOWN else ""
        face = script_of(chars[0])[1]
        if script in ("private use", "unassigned", "unnamed"):
            advice = "no font is meant to draw these; replace them with the characters intended"
        elif face is not None:
            advice = f"run: sudo apt-get install -y {face.package}"
        else:
            advice = f"install a font for {script} (Debian's fonts-noto-core and fonts-noto-extra cover many scripts)"
        many = len(chars) != 1
        out.append(Diagnostic(
            "glyph-missing", f"{len(chars)} {script} character{'s' * many} print{'' if many else 's'} as empty "
            f"boxes{' ' + where if where else ''}, as no installed font has a glyph for {'them' if many else 'it'}: "
            f"{shown}{more}; {advice}", path, line))
    return out


def _line_of(char: str, parts: list[tuple[int, str]]) -> int | None:
    for first_line, text in parts:
        at = text.find(char)
        if at >= 0:
            return first_line + text.count("\n", 0, at)
    return None
