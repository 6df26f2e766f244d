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
_TAGS = re.compile(rf"<(/?)({_BLOCKS})\b", re.IGNORECASE)
_SUMMARY = re.compile(r"<summary\b(?![^>]*\bmarkdown=)", re.IGNORECASE)


class HtmlBlockMarkdown(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        out = list(lines)
        for index, end in _closing_lines(lines).items():
            if not any(not lines[i].strip() for i in range(index + 1, end)):
                continue
            opening = _OPENING.match(lines[index])
            out[index] = f'{lines[index][:opening.end() - 1]} markdown="1"{lines[index][opening.end() - 1:]}'
            for i in range(index, end + 1):
                out[i] = _SUMMARY.sub('<summary markdown="span"', out[i])
        return out


def _closing_lines(lines: list[str]) -> dict[int, int]:
    """For each line that opens a block at the margin, the line whose closing tag ends it (same-named blocks
    nested inside it counted); a block never closed is left out. One pass with a stack of open tags per name:
    a file of unclosed ``<div>`` costs one reading, not one per ``<div>``."""
    open_at: dict[str, list[int | None]] = {}  # per tag, the line of each open one (None: not a block opening)
    closing: dict[int, int] = {}
    for index, line in enumerate(lines):
        opening = _OPENING.match(line)
        candidate = opening is not None and not opening.group(2).rstrip().endswith("/")
        for tag in _TAGS.finditer(line):
            name = tag.group(2).lower()
            stack = open_at.setdefault(name, [])
            if not tag.group(1):
                stack.append(index if candidate and tag.start() == 0 else None)
            elif stack and (start := stack.pop()) is not None:
                closing[start] = index
    return dict(sorted(closing.items()))


class HtmlBlockMarkdownExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # After fenced code and fenced divs are made (25, 22), before raw HTML blocks are stashed (20).
        md.preprocessors.register(HtmlBlockMarkdown(md), "eb-html-block-markdown", 21)
