"""Python-Markdown's footnotes, numbered in time that grows with the notes, not with their square.

``FootnoteInlineProcessor`` numbers each call by building the list of every definition's label and searching
it (``list(footnotes.keys()).index(label)``), and ``addFootnoteRef`` searches the list of labels called so
far: both grow with the number of notes, so the cost of an essay grew with the square of its notes (10,000
notes: 6.6 s of a 17 s EPUB). The positions are kept in dicts here; the numbers, ids and links are
Python-Markdown's own (``tests/test_robustness.py`` checks the ten thousand).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown.extensions.footnotes import FootnoteExtension, FootnoteInlineProcessor

FOOTNOTE_CALL = r"\[\^([^\]]*)\]"  # as Python-Markdown registers it


class NumberedFootnotes(FootnoteExtension):
    def extendMarkdown(self, md: Markdown) -> None:
        super().extendMarkdown(md)
        md.inlinePatterns.register(_Call(FOOTNOTE_CALL, self), "footnote", 175)

    def reset(self) -> None:
        super().reset()
        self.called: dict[str, int] = {}  # each label called, by its place in footnote_order
        self._defined: dict[str, int] = {}  # each label defined, by its place among the definitions

    def addFootnoteRef(self, id: str) -> None:  # Python-Markdown's name and signature
        if id not in self.called:
            self.called[id] = len(self.footnote_order)
            self.footnote_order.append(id)

    def number(self, label: str) -> int:
        if not self.getConfig("USE_DEFINITION_ORDER"):
            return self.called[label] + 1
        if len(self._defined) != len(self.footnotes):  # definitions are added, never reordered
            self._defined = {name: place for place, name in enumerate(self.footnotes)}
        return self._defined[label] + 1


class _Call(FootnoteInlineProcessor):
    footnotes: NumberedFootnotes

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[etree.Element | None, int | None, int | None]:
        label = m.group(1)
        if label not in self.footnotes.footnotes:
            return None, None, None
        self.footnotes.addFootnoteRef(label)
        sup = etree.Element("sup")
        a = etree.SubElement(sup, "a")
        sup.set("id", self.footnotes.makeFootnoteRefId(label, found=True))
        a.set("href", "#" + self.footnotes.makeFootnoteId(label))
        a.set("class", "footnote-ref")
        a.text = self.footnotes.getConfig("SUPERSCRIPT_TEXT").format(self.footnotes.number(label))
        return sup, m.start(0), m.end(0)
