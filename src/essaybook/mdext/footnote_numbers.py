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
from markdown.treeprocessors import Treeprocessor

FOOTNOTE_CALL = r"\[\^([^\]]*)\]"  # as Python-Markdown registers it


class NumberedFootnotes(FootnoteExtension):
    def extendMarkdown(self, md: Markdown) -> None:
        super().extendMarkdown(md)
        md.inlinePatterns.register(_Call(FOOTNOTE_CALL, self), "footnote", 175)
        # After the duplicate calls are linked (15), before the notes become EPUB notes (14).
        md.treeprocessors.register(CallOrder(self), "eb-note-call-order", 14.6)

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


class CallOrder(Treeprocessor):
    """Notes numbered in the order of their first calls in the text, as pandoc, kramdown and GitHub number them
    and as the handout's footnote counter counts them. Python-Markdown numbers by definition, so an inline note
    (defined at the end) came after every other, and the EPUB and the PDF disagreed; numbering by call in its
    own inline pass would not do either, since that pass reads a list item's text after every later paragraph.
    So the finished tree is read in document order: each call gets its note's number, and the notes their
    places."""

    def __init__(self, footnotes: NumberedFootnotes) -> None:
        super().__init__()
        self.footnotes = footnotes

    def run(self, root: etree.Element) -> None:
        div = next((d for d in root.iter("div") if d.get("class") == "footnote"), None)
        ol = div.find("ol") if div is not None else None
        if ol is None:
            return
        notes = {li.get("id"): li for li in ol.findall("li")}
        inside = set(div.iter())
        calls = [a for a in root.iter("a") if a not in inside and "footnote-ref" in (a.get("class") or "")]
        calls += [a for a in div.iter("a") if "footnote-ref" in (a.get("class") or "")]  # a note's own calls
        order: dict[str, int] = {}
        for a in calls:
            note = (a.get("href") or "").lstrip("#")
            if note in notes and note not in order:
                order[note] = len(order) + 1
        shown = self.footnotes.getConfig("SUPERSCRIPT_TEXT")
        for a in calls:
            note = (a.get("href") or "").lstrip("#")
            if note in order:
                a.text = shown.format(order[note])
        items = list(ol)
        for li in items:
            ol.remove(li)
        ol.extend(sorted(items, key=lambda li: order.get(li.get("id"), len(order) + 1)))
