"""``~~strike~~``, ``H~2~O``, ``2^10^``, ``==highlight==``, ``^^inserted^^`` (pandoc, Obsidian, GitHub, Hugo).

pymdown-extensions has tilde, caret and mark, but they nest on runs of the marker alone: pandoc's grid-table
rule ``+:====+====+`` became sixteen nested ``<mark>``, and WeasyPrint's inline layout is exponential in such
nesting (minutes for one page). Here, as in pandoc, what is marked must hold a letter or digit, must not start
or end with a space, and a sub- or superscript holds no space at all.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.inlinepatterns import InlineProcessor

_WORDY = re.compile(r"[^\W_]")


class MarkProcessor(InlineProcessor):
    def __init__(self, pattern: str, md: Markdown, tag: str) -> None:
        super().__init__(pattern, md)
        self.tag = tag

    def handleMatch(self, m, data):  # type: ignore[override]
        if not _WORDY.search(m.group(1)):
            return None, None, None
        el = etree.Element(self.tag)
        el.text = m.group(1)
        return el, m.start(0), m.end(0)


_PATTERNS = (
    # (name, pattern, tag, priority): the doubled markers before the single ones
    ("eb-strike", r"(?<![~\\])~~(?![~\s])(.+?)(?<![~\s\\])~~(?!~)", "del", 68),
    ("eb-insert", r"(?<![\^\\])\^\^(?![\^\s])(.+?)(?<![\^\s\\])\^\^(?!\^)", "ins", 67),
    ("eb-mark", r"(?<![=\\])==(?![=\s])(.+?)(?<![=\s\\])==(?!=)", "mark", 66),
    ("eb-sub", r"(?<![~\\])~((?:\\.|[^~\s\\])+)~(?!~)", "sub", 65),
    ("eb-sup", r"(?<![\^\\])\^((?:\\.|[^\^\s\\\[])(?:\\.|[^\^\s\\])*)\^(?!\^)", "sup", 64),
)


class MarksExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        for name, pattern, tag, priority in _PATTERNS:  # before emphasis (60)
            md.inlinePatterns.register(MarkProcessor(pattern, md, tag), name, priority)
