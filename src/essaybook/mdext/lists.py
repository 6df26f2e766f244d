"""Indented code blocks stashed as code, and CommonMark list nesting (two spaces under ``- ``, three under
``1. ``, four still fine) for Python-Markdown, which nests only by its ``tab_length`` of four.

``tab_length`` itself stays 4, since it also decides what an indented code block is. Instead the lines of each
list are re-indented before parsing: an item or a continuation line belongs to the deepest open item whose
content column it reaches (CommonMark's rule), and is given four spaces per level, keeping any indentation
beyond that column (so code indented inside an item is still code there). Text outside lists is untouched,
but for the blank line CommonMark does not need and Python-Markdown does: a list may start right under a line of
paragraph text (or under a definition's or a footnote's first line, as pandoc reads it), and ``1)`` items are
written ``1.``, the only marker Python-Markdown knows.

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
        opener = False  # the lines since a footnote's or definition's first line are still its first paragraph
        for line in lines:
            expanded = line.expandtabs(4)
            if line.strip() and not expanded.startswith("    "):
                container = bool(_CONTAINER.match(expanded))
                opener = container
            if opener and not stack and expanded.startswith("    ") and (inner := _ITEM.match(expanded[4:])) and \
                    _interrupts(inner, _in_container(out[-1])):
                out.append("")  # ": Another." then "    - a list": pandoc reads a list inside the definition
                opener = False
            if not line.strip():
                opener = False
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
                interrupts = not stack and not blank and _interrupts(item, out[-1] if out else "")
                while stack and indent < stack[-1]:
                    stack.pop()
                spaces = len(item.group(3))
                width = len(item.group(2)) + (spaces if 0 < spaces <= 4 else 1)
                depth = len(stack)
                if depth >= MAX_LIST_DEPTH:
                    raise RecursionError("lists nested deeper than a book can show")
                stack.append(indent + width)
                if loose or interrupts:  # Python-Markdown would read the item as that paragraph's lazy continuation
                    out.append("")
                loose = False
                text = expanded.lstrip(" ")
                if item.group(2).endswith(")"):  # CommonMark's and pandoc's "1)": Python-Markdown knows "1." only
                    text = item.group(2)[:-1] + "." + text[len(item.group(2)):]
                out.append(" " * (4 * depth) + text)
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


def _interrupts(item: re.Match[str], before: str) -> bool:
    """CommonMark's rule, which GitHub, Hugo, Obsidian, Eleventy and Ghost follow: a list starts under a line of
    paragraph text without a blank line between ("Pack these:" then "- a tent"), if its first item has text and,
    when numbered, starts at 1. Python-Markdown, like pandoc, would print the items as that paragraph's text.
    Not under a heading, a table row, a line of a footnote or definition, or a placeholder for raw HTML."""
    if not item.group(4).strip() or (item.group(2)[0].isdigit() and item.group(2)[:-1] != "1"):
        return False
    text = before.strip()
    return bool(text) and not before.startswith("    ") and not _NOT_PARAGRAPH.match(text) and "|" not in text \
        and not _ITEM.match(before)


def _in_container(line: str) -> str:
    """A line of a footnote's or definition's first paragraph without what makes it one: its opener, or the
    four spaces of a continuation line."""
    opener = _CONTAINER.match(line)
    return line[opener.end():] if opener else line[4:] if line.startswith("    ") else line


# Lines that are not a paragraph's: headings, tables and line blocks, fences, raw HTML (and its stash), quotes'
# markers alone, footnote and definition openers, admonitions, horizontal rules.
_NOT_PARAGRAPH = re.compile(r"^(#|\||\+[-=:]|```|~~~|<|\x02|\[\^[^\]]+\]:|:[ \t]|[!?]{3}|///|[-*_=]{3,}$)")


class ListIndentExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # After fenced code is stashed (25), so code is never re-indented; before block parsing.
        md.preprocessors.register(ListIndentPreprocessor(md), "eb-list-indent", 24.9)
