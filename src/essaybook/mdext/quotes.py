"""Quotations separated by a blank line are two quotations, as CommonMark, pandoc and GitHub read them.

Python-Markdown runs a quotation into the one before it whenever only blank lines part them, so two quoted
passages became one, losing the second's paragraph number, and an Obsidian callout that followed a quotation
(``> [!tip]``) was read as the quotation's text, its ``[!tip]`` printed. A quotation of several paragraphs is
written with ``>`` on the lines between them, and stays one.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.blockprocessors import BlockQuoteProcessor


class _SeparateQuotes(BlockQuoteProcessor):
    def lastChild(self, parent: etree.Element) -> etree.Element | None:  # Python-Markdown's name
        """The element a new quotation would join: none (this processor asks only to join quotations)."""
        return None


class QuoteExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.parser.blockprocessors.register(_SeparateQuotes(md.parser), "quote", 20)
