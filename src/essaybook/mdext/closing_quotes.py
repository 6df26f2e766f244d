"""A straight quote between an element and the next one closes the quotation: ``"[Godzilla](…)"[^5]``.

smarty reads each run of text alone. A quote that is the whole text between two elements (a link and the
footnote call after it, emphasis and a link) has nothing on either side to read, and smarty's last rule makes
every such quote an opening one, so "…Godzilla“¹" was printed. After an element that ends with a letter or a
mark, with the next element right after it, such a quote can only close what was opened before. This runs
after the inline patterns (20) and before smarty (6), and writes the book's closing mark (``dialect``'s
``smart_quotes``, in the context).
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor

from essaybook.mdext import context


class ClosingQuotes(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        marks = {'"': context(self.md).closing_double_quote, "'": "\u2019"}
        for parent in root.iter():
            children = list(parent)
            for el, after in itertools.pairwise(children):
                if el.tail not in marks or not after.tag or el.tag in ("br", "img"):
                    continue
                text = "".join(el.itertext())
                if text and not text[-1].isspace():
                    el.tail = marks[el.tail]


class ClosingQuoteExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(ClosingQuotes(md), "eb-closing-quotes", 6.5)
