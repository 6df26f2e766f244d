"""A backslash at the end of a line is a hard line break (CommonMark, pandoc, Obsidian), not a printed ``\\``."""

from __future__ import annotations

from markdown import Extension, Markdown
from markdown.inlinepatterns import SubstituteTagInlineProcessor


class BackslashBreakExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # Before 'escape' (180), which would otherwise keep the backslash as text.
        md.inlinePatterns.register(SubstituteTagInlineProcessor(r"\\\n", "br"), "eb-backslash-break", 185)
