"""Hebrew's gershayim and geresh, typed as ``"`` and ``'`` between Hebrew letters (צה"ל, ג'ירפה), as Hebrew
keyboards type them.

Smart punctuation made them quotation marks, a closing ” inside an abbreviation (צה”ל), and ``check`` then
advised typing “. Between two Hebrew letters the mark is a letter of the word, never a quotation: it becomes
U+05F4 ״ or U+05F3 ׳, which Hebrew faces draw for it. A mark after the last letter (עמ') stays smart
punctuation's, as it may close a quotation.
"""

from __future__ import annotations

from markdown import Extension, Markdown
from markdown.inlinepatterns import InlineProcessor

_LETTER = "\u05d0-\u05ea"
_MARKS = {'"': "\u05f4", "'": "\u05f3"}


class HebrewMarkProcessor(InlineProcessor):
    def handleMatch(self, m, data):  # type: ignore[override]
        return _MARKS[m.group(1)], m.start(0), m.end(0)


class HebrewMarkExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # After code spans (190) and escapes: a mark in code stays as typed; before smart punctuation's pass.
        md.inlinePatterns.register(HebrewMarkProcessor(rf"(?<=[{_LETTER}])([\"'])(?=[{_LETTER}])", md),
                                   "eb-hebrew-marks", 60)
