"""Backslash escapes as CommonMark and pandoc read them: any ASCII punctuation after a backslash is that
character, and pandoc's backslash-space is a space no line breaks at.

Python-Markdown escapes only ``\\`*_{}[]()>#+-.!``, so ``\\$5``, ``\\<``, ``\\&``, ``\\~``, ``\\^``, ``\\=`` and
``\\%`` printed their backslash; pandoc's own writer and editors that save Markdown write them all the time.
"""

from __future__ import annotations

import string

from markdown import Extension, Markdown
from markdown.inlinepatterns import ESCAPE_RE, EscapeInlineProcessor


class _Escape(EscapeInlineProcessor):
    def handleMatch(self, m, data):  # type: ignore[override]
        if m.group(1) == " ":
            return "\u00a0", m.start(0), m.end(0)
        return super().handleMatch(m, data)


class EscapeExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.ESCAPED_CHARS.extend(c for c in string.punctuation if c not in md.ESCAPED_CHARS)
        md.inlinePatterns.register(_Escape(ESCAPE_RE, md), "escape", 180)
