"""Indented code blocks stashed as code, and CommonMark list nesting (two spaces under ``- ``, three under
``1. ``, four still fine) for Python-Markdown,which nests only by its ``tab_length`` of four.

``tab_length`` itself stays 4, since it also decides what an indented code block is. Instead the lines of each
list are re-indented before parsing: an item or a continuation line belongs to the deepest open item whose
content column it reaches (CommonMark's rule), and is given four spaces per level, keeping any indentation
beyond that column (so code indented inside an item is still code there). Text outside lists is untouched.

An indented code block outside a list is stashed here as ``<pre><code>`` (what Python-Markdown would make of
it), like fenced code before it: the dialect's text rewriters that follow (comments, template tags, inline
notes, math) then never see code.
"""

from __future__ import annotations

import re

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor
from markdown.util import code_escape

_ITEM = re.compile(r"^( *)([-*+]|\d{1,9}[.)])( +|$)(.*)$")
_RULE = re.compile(r"^ {0,3}([-*_])( *\1){2,} *$")
# Each level is a <ul> and an <li>: past this the page is deeper than parse.MAX_DEPTH lets a book be, and the
# block processors' regular expressions grow quadratic on the indentation. Refused at once, as the parser would.
MAX_LIST_DEPTH = 24
# Blocks whose indented lines continue them (a footnote's, a definition's or an admonition's second paragraph).
_CONTAINER = re.compile(r"^ {0,3}(\[\^[^\]\n]+\]:|:[ \t]|[!?]{3}\+?[ \t]|///)")


class ListIndentPreprocessor(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        stack: list[int] = []  # the content column of each open item, outermost first
        blank = True
        loose = False  # the last line was a paragraph of an item, after a blank line
        code: list[str] = []  # the lines of an indented code block being read
        container = False
        for line in lines:
            expanded = line.expandtabs(4)
            if line.strip() and not expanded.startswith("    "):
                container = bool(_CONTAINER.match(expanded))
            if code or (not stack and not container and blank and expanded.startswith("    ") and line.strip()):
                if not line.strip() or expanded.startswith("    "):
                    code.append(expanded[4:] if line.strip() else "")
                    continue
                out += self._stash(code)
                code = []
            if not line.strip():
                out.append(line)
                blank = True
                continue
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
        if code:
            out += self._stash(code)
        return out

    def _stash(self, code: list[str]) -> list[str]:
        trailing = 0
        while code and not code[-1].strip():
            code.pop()
            trailing += 1
        html = f"<pre><code>{code_escape(chr(10).join(code))}\n</code></pre>"
        return [self.md.htmlStash.store(html), ""] + [""] * trailing


class ListIndentExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # After fenced code is stashed (25), so code is never re-indented; before block parsing.
        md.preprocessors.register(ListIndentPreprocessor(md), "eb-list-indent", 24.9)
