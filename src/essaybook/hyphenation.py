"""The hyphenation patterns the handout's layout will read, loaded where there is time for it.

WeasyPrint hyphenates with Pyphen, which parses a language's ``hyph_*.dic`` the first time a word of that
language is hyphenated: about 55 ms for English, in the middle of the layout. When a layout process lays the
handout out (``layout_process``), it is idle while the other process still parses the essay, so it parses the
patterns of the essay's language then, into the place Pyphen keeps what it has parsed (``pyphen.hdcache``, by
file). Pyphen then finds them parsed already; nothing else changes.
"""

from __future__ import annotations

from collections.abc import Iterable


def load(langs: Iterable[str]) -> None:
    """Parse the patterns Pyphen would load for ``langs`` (BCP 47 tags), those it has not parsed yet."""
    import pyphen

    for lang in dict.fromkeys(lang.replace("-", "_") for lang in langs if lang):
        name = pyphen.language_fallback(lang)
        if name is not None and pyphen.LANGUAGES[name] not in pyphen.hdcache:
            pyphen.hdcache[pyphen.LANGUAGES[name]] = pyphen.HyphDict(pyphen.LANGUAGES[name])
