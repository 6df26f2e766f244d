"""Markdown inside an HTML block, after a blank line, is Markdown, as pandoc and CommonMark read it.

GitHub READMEs fold text into ``<details><summary>…</summary>``, and pandoc and Quarto authors wrap Markdown in
``<div class="note">``; Python-Markdown keeps a block of HTML raw to its closing tag, so the ``**bold**`` and the
``- items`` inside printed as written. Such a block whose content holds a blank line gets ``markdown="1"``
(Python-Markdown's md_in_html then parses it), and its ``<summary>`` ``markdown="span"`` (a summary holds a line
of text, not paragraphs). A block without a blank line inside (a Ghost card, a WordPress block) stays HTML.
"""

from __future__ import annotations

import re

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

_BLOCKS = "div|details|section|aside|article|header|footer|main|nav|figure|blockquote"
_OPENING = re.compile(rf"^<({_BLOCKS})\b(?![^>]*\bmarkdown=)([^>]*)>", re.IGNORECASE)
_SUMMARY = re.compile(r"<summary\b(?![^>]*\bmarkdown=)", re.IGNORECASE)


class HtmlBlockMarkdown(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        out = list(lines)
        for index, line in enumerate(lines):
            opening = _OPENING.match(line)
            if opening is None or opening.group(2).rstrip().endswith("/"):
                continue
            end = _closing_line(lines, index, opening.group(1).lower())
            if end is None or not any(not lines[i].strip() for i in range(index + 1, end)):
                continue
            out[index] = f'{line[:opening.end() - 1]} markdown="1"{line[opening.end() - 1:]}'
            for i in range(index, end + 1):
                out[i] = _SUMMARY.sub('<summary markdown="span"', out[i])
        return out


def _closing_line(lines: list[str], start: int, tag: str) -> int | None:
    """The line whose closing tag ends the block opened on ``start`` (same-named blocks nested inside it
    counted), or None."""
    opens, closes = re.compile(rf"<{tag}\b", re.IGNORECASE), re.compile(rf"</{tag}\s*>", re.IGNORECASE)
    depth = 0
    for index in range(start, len(lines)):
        depth += len(opens.findall(lines[index])) - len(closes.findall(lines[index]))
        if depth <= 0:
            return index
    return None


class HtmlBlockMarkdownExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # After fenced code and fenced divs are made (25, 22), before raw HTML blocks are stashed (20).
        md.preprocessors.register(HtmlBlockMarkdown(md), "eb-html-block-markdown", 21)
