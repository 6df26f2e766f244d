"""pandoc's line blocks (``| `` at the start of each line): verse and addresses, line breaks and leading
spaces kept, as ``<div class="line-block">`` with ``<br/>`` between the lines (pandoc's own HTML)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.blockprocessors import BlockProcessor

_LINE = re.compile(r"^\|(?: (.*)|)$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")


class LineBlockProcessor(BlockProcessor):
    def test(self, parent: etree.Element, block: str) -> bool:
        lines = block.split("\n")
        if not _LINE.match(lines[0]) or any(_TABLE_RULE.match(ln) for ln in lines):
            return False
        if any(ln.rstrip().endswith("|") and ln.strip() != "|" for ln in lines):
            return False  # a table row, not verse
        return all(_LINE.match(ln) or ln.startswith((" ", "\t")) for ln in lines)

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        lines: list[str] = []
        for ln in blocks.pop(0).split("\n"):
            m = _LINE.match(ln)
            if m:
                lines.append(m.group(1) or "")
            else:  # a continuation line joins the line before it
                lines[-1] += " " + ln.strip()
        div = etree.SubElement(parent, "div", {"class": "line-block"})
        for n, text in enumerate(lines):
            indent = len(text) - len(text.lstrip(" "))
            text = "\u00a0" * indent + text.lstrip(" ")
            if n == 0:
                div.text = text
            else:
                br = etree.SubElement(div, "br")
                br.tail = text


class LineBlockExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.parser.blockprocessors.register(LineBlockProcessor(md.parser), "eb-line-block", 76)  # before tables
