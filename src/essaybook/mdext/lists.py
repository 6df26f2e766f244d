"""CommonMark list nesting (two spaces under ``- ``, three under ``1. ``, four still fine) for Python-Markdown,
which nests only by its ``tab_length`` of four.

``tab_length`` itself stays 4, since it also decides what an indented code block is. Instead the lines of each
list are re-indented before parsing: an item or a continuation line belongs to the deepest open item whose
content column it reaches (CommonMark's rule), and is given four spaces per level, keeping any indentation
beyond that column (so code indented inside an item is still code there). Text outside lists is untouched.
"""

from __future__ import annotations

import re

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

_ITEM = re.compile(r"^( *)([-*+]|\d{1,9}[.)])( +|$)(.*)$")
_RULE = re.compile(r"^ {0,3}([-*_])( *\1){2,} *$")
# Each level is a <ul> and an <li>: past this the page is deeper than parse.MAX_DEPTH lets a book be, and the
# block processors' regular expressions grow quadratic on the indentation. Refused at once, as the parser would.
MAX_LIST_DEPTH = 24


class ListIndentPreprocessor(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        stack: list[int] = []  # the content column of each open item, outermost first
        blank = False
        loose = False  # the last line was a paragraph of an item, after a blank line
        for line in lines:
            if not line.strip():
                out.append(line)
                blank = True
                continue
            expanded = line.expandtabs(4)
            indent = len(expanded) - len(expanded.lstrip(" "))
            item = _ITEM.match(expanded)
            if item and not _RULE.match(expanded) and (stack or indent < 4):
                while stack and indent < stack[-1]:
                    stack.pop()
                spaces = len(item.group(3))
                width = len(item.group(2)) + (spaces if 0 < spaces <= 4 else 1)
                depth = len(stack)
                if depth >= MAX_LIST_DEPTH:
                    raise RecursionError("lists nested deeper than a book can show")
                stack.append(indent + width)
                if loose:  # Python-Markdown would read the item as that paragraph's lazy continuation
                    out.append("")
                loose = False
                out.append(" " * (4 * depth) + expanded.lstrip(" "))
            elif stack:
                deepest = len(stack)
                while deepest and indent < stack[deepest - 1]:
                    deepest -= 1
                if deepest == 0:
                    if blank:
                        stack.clear()  # the list has ended
                        loose = False
                    out.append(line)  # a lazy continuation line, or text after the list
                else:
                    del stack[deepest:]
                    loose = loose or blank
                    extra = indent - stack[-1]
                    out.append(" " * (4 * deepest + extra) + expanded.lstrip(" "))
            else:
                out.append(line)
            blank = False
        return out


class ListIndentExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # After fenced code is stashed (25), so code is never re-indented; before block parsing.
        md.preprocessors.register(ListIndentPreprocessor(md), "eb-list-indent", 24.9)
