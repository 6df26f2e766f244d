"""The few words essaybook itself puts into a book, in the book's language, and the language's direction.

A Korean essay should not say "Contents" or "First published at", nor an Arabic one run left to right. Dates,
lists of names and the writing direction come from CLDR through Babel, for every language it knows; the
words essaybook adds are translated in ``data/labels.json`` (package data). A language with no translation
there gets English words, and ``language_warnings`` says so once.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from importlib import resources
from pathlib import Path

from essaybook.rules import Diagnostic

_TRADITIONAL = ("hant", "tw", "hk", "mo")


@functools.cache
def _tables() -> dict[str, dict[str, str]]:
    text = (resources.files("essaybook") / "data" / "labels.json").read_text(encoding="utf-8")
    return json.loads(text)


def _key(lang: str) -> str:
    """The translation table a BCP 47 tag uses: its primary subtag, but Chinese by script (zh-TW, zh-HK and
    zh-MO are written in Traditional characters, zh-CN and zh-SG in Simplified)."""
    parts = lang.lower().replace("_", "-").split("-")
    if parts[0] == "zh":
        return "zh-Hant" if any(p in _TRADITIONAL for p in parts[1:]) else "zh-Hans"
    return parts[0]


def translated(lang: str) -> bool:
    return _key(lang) in _tables()


def label(lang: str, key: str, **values: str) -> str:
    tables = _tables()
    table = tables.get(_key(lang), tables["en"])
    return table.get(key, tables["en"][key]).format(**values)


def language_warnings(lang: str, path: Path | None, line: int | None) -> list[Diagnostic]:
    """One warning when essaybook has no words of its own in ``lang`` (dates and name lists still follow it)."""
    if translated(lang):
        return []
    known = ", ".join(sorted(_tables()))
    return [Diagnostic("labels-fallback", f"essaybook has no translation of its labels (Contents, Notes, …) for "
                       f"'{lang}', so they are in English; translated: {known}", path, line)]


@functools.cache
def _locale(lang: str):
    """Babel's locale for a BCP 47 tag (``zh-TW`` -> ``zh_Hant_TW``), or English when CLDR does not know it."""
    from babel import Locale, UnknownLocaleError

    tag = lang.replace("-", "_")
    if _key(lang) == "zh-Hant" and "hant" not in lang.lower():
        tag = "zh_Hant_" + tag.split("_", 1)[1].upper()
    for candidate in (tag, tag.split("_")[0]):
        try:
            return Locale.parse(candidate)
        except (ValueError, UnknownLocaleError):
            continue
    return Locale.parse("en")


def direction(lang: str, explicit: str | None = None) -> str:
    """``rtl`` or ``ltr``: the front matter's ``dir`` if given, else CLDR's character order for the language."""
    if explicit in ("rtl", "ltr"):
        return explicit
    return _cldr_direction(lang)


@functools.cache
def _cldr_direction(lang: str) -> str:
    """Loading a CLDR locale costs ~20 ms; the languages essaybook has words for are known to run left to right
    but for Arabic and Hebrew (what CLDR says of them), so only other languages are asked."""
    primary = lang.split("-")[0].lower()
    if primary in ("ar", "he"):
        return "rtl"
    if primary in {k.split("-")[0] for k in _tables()} and not lang.lower().endswith(("-arab", "-hebr")):
        return "ltr"
    try:
        from babel import Locale, UnknownLocaleError

        order = Locale.parse(lang.replace("-", "_")).character_order
    except (ValueError, UnknownLocaleError):
        return "ltr"
    return "rtl" if order == "right-to-left" else "ltr"


def join_names(names: tuple[str, ...] | list[str], lang: str) -> str:
    """``A, B and C`` as the language writes a list (CLDR's list patterns)."""
    if len(names) <= 1:  # no list to write: Babel and its locale data (~10 ms) are not needed
        return names[0] if names else ""
    from babel.lists import format_list

    return format_list(list(names), locale=_locale(lang))


def short_names(names: tuple[str, ...] | list[str], lang: str, keep: int = 2) -> str:
    """Many names shortened for a cover: ``A, B and 10 others`` (all of them when there are few)."""
    if len(names) <= keep + 1:
        return join_names(names, lang)
    rest = label(lang, "others", n=str(len(names) - keep))
    return join_names([*names[:keep], rest], lang)


_PARTICLES = frozenset({"van", "von", "der", "den", "de", "da", "di", "del", "della", "des", "du", "le", "la",
                        "ten", "ter", "bin", "ibn", "al", "el", "dos", "das", "do", "y"})


def family_name(name: str) -> str:
    """The surname a running head or a citation uses: the last word, with the particles before it (``van
    Gogh``, ``de la Cruz``); a name written without spaces (``张伟``) is itself."""
    words = name.split()
    start = len(words) - 1
    while start > 0 and words[start - 1].lower() in _PARTICLES:
        start -= 1
    return " ".join(words[start:]) if words else name


def running_names(names: tuple[str, ...] | list[str], lang: str) -> str:
    """The authors as a running head carries them: one author's whole name; several authors' surnames
    (``Whitcombe and Ferreira-Lindgren``), three or more as the first and "others" (books' and CMOS's use)."""
    if len(names) <= 1:
        return names[0] if names else ""
    surnames = [family_name(n) for n in names]
    return join_names(surnames, lang) if len(surnames) == 2 else short_names(surnames, lang, keep=1)


def human_date(value: str, lang: str) -> str:
    """``2014-01-05`` as a reader of the book's language writes it (CLDR's long date; month and year, or the
    year alone, for partial dates)."""
    from babel.dates import format_date, format_skeleton

    parts = [int(p) for p in value.split("-")]
    locale = _locale(lang)
    if len(parts) == 3:
        return format_date(dt.date(*parts), format="long", locale=locale)
    if len(parts) == 2:
        return format_skeleton("yMMMM", dt.date(parts[0], parts[1], 1), locale=locale)
    return format_skeleton("y", dt.date(parts[0], 1, 1), locale=locale)
