"""The hyphenation patterns the handout's layout will read, loaded where there is time for it.

WeasyPrint hyphenates with Pyphen, which parses a language's ``hyph_*.dic`` the first time a word of that
language is hyphenated: about 70 ms for English, in the middle of the layout. When a layout process lays the
handout out (``layout_process``), the parsing process is idle while the other one still loads WeasyPrint, so
it parses the patterns and sends them along (a pickle of the parsed patterns loads in 5 ms), and the layout
process puts them where Pyphen keeps what it has parsed (``pyphen.hdcache``, by file). Pyphen then finds
them parsed already; nothing else changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def patterns(langs: Iterable[str]) -> dict[Any, Any]:
    """The parsed patterns Pyphen would load for ``langs`` (BCP 47 tags), by dictionary file."""
    import pyphen

    found = {}
    for lang in dict.fromkeys(lang.replace("-", "_") for lang in langs if lang):
        name = pyphen.language_fallback(lang)
        if name is None:
            continue
        path = pyphen.LANGUAGES[name]
        if path not in pyphen.hdcache:
            pyphen.hdcache[path] = pyphen.HyphDict(path)
        found[path] = pyphen.hdcache[path]
    return found


def adopt(parsed: dict[Any, Any]) -> None:
    """Make the patterns parsed elsewhere Pyphen's own (those it already has stay)."""
    import pyphen

    for path, hyph in parsed.items():
        pyphen.hdcache.setdefault(path, hyph)
