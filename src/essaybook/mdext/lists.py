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
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import code_escape

from essaybook.mdext import QUOTE_MARKERS, outside_code

# A list item's marker: bullets, "1." and "1)", and pandoc's fancy markers: "(1)", "#.", "a.", "(b)", "iv.", "IV)".
_ITEM = re.compile(r"^( *)([-*+]|\d{1,9}[.)]|\(\d{1,9}\)|#[.)]|\(#\)|[a-zA-Z][.)]|\([a-zA-Z]\)"
                   r"|[ivxlcdm]{2,8}[.)]|\([ivxlcdm]{2,8}\)|[IVXLCDM]{2,8}[.)]|\([IVXLCDM]{2,8}\))( +|$)(.*)$")
_ROMAN = re.compile(r"^(m{0,3})(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
# Before an ordered item's text, its list's type, its number and the marker as written: "\ue000a.3\ue001c.\ue002".
# FancyListTypes reads it off an item; where Python-Markdown made the line text after all, the marker comes back.
_MARK_OPEN, _MARK_MID, _MARK_END = "\ue000", "\ue001", "\ue002"
_RULE = re.compile(r"^ {0,3}([-*_])( *\1){2,} *$")
# Each level is a <ul> and an <li>: past this the page is deeper than parse.MAX_DEPTH lets a book be, and the
# block processors' regular expressions grow quadratic on the indentation. Refused at once, as the parser would.
MAX_LIST_DEPTH = 24
# A quotation's marker, and a footnote's opener: the lines under them are nested by the same rule.
_QUOTED = re.compile(r"^ {0,3}> ?")
_RAW_PRE = re.compile(r"^ {0,3}<pre\b", re.IGNORECASE)
_NOTE_OPENER = re.compile(r"^ {0,3}\[\^[^\]\n]+\]:[ \t]?")
# Blocks whose indented lines continue them (a footnote's, a definition's or an admonition's second paragraph).
_CONTAINER = re.compile(r"^ {0,3}(\[\^[^\]\n]+\]:|:[ \t]|[!?]{3}\+?[ \t]|///)")


class ListIndentPreprocessor(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        return self._lists(self._inside_quotes(self._inside_notes(lines)))

    def _inside_notes(self, lines: list[str]) -> list[str]:
        """A footnote's text, its continuation lines without their four spaces, is nested by the same rule
        (the footnotes extension parses it again apart from the page): a list in a note, nested by two."""
        out: list[str] = []
        index = 0
        while index < len(lines):
            opener = _NOTE_OPENER.match(lines[index])
            if not opener:
                out.append(lines[index])
                index += 1
                continue
            end = index + 1
            while end < len(lines) and (not lines[end].strip() or lines[end].expandtabs(4).startswith("    ")):
                end += 1
            while end > index + 1 and not lines[end - 1].strip():
                end -= 1  # the blank lines after the note are the page's
            body = [lines[index][opener.end():]] + [line.expandtabs(4)[4:] for line in lines[index + 1:end]]
            if any(_is_item(line) for line in body[1:]):
                body = self.run(body)
                out += [opener.group(0) + body[0]] + ["    " + line if line.strip() else "" for line in body[1:]]
            else:
                out += lines[index:end]
            index = end
        return out

    def _inside_quotes(self, lines: list[str]) -> list[str]:
        """A quotation's lines, without their ``>``, are nested by the same rule (Python-Markdown parses a
        quotation's text again with its block parser, which no preprocessor sees): an Obsidian callout's list,
        ``> - one`` then ``>   - two``, or a list right under a quoted line of text."""
        out: list[str] = []
        index = 0
        while index < len(lines):
            if not _QUOTED.match(lines[index]):
                out.append(lines[index])
                index += 1
                continue
            end = index
            while end < len(lines) and _QUOTED.match(lines[end]):
                end += 1
            inner = [_QUOTED.sub("", line, count=1) for line in lines[index:end]]
            if any(_is_item(line) for line in inner):
                out += ["> " + line if line.strip() else ">" for line in self.run(inner)]
            else:
                out += lines[index:end]
            index = end
        return out

    def _lists(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        stack: list[int] = []  # the content column of each open item, outermost first
        kinds: list[tuple[int, str]] = []  # each open item's own column and its list's type
        blank = True
        loose = False  # the last line was a paragraph of an item, after a blank line
        code: list[str] = []  # the lines of an indented code block being read
        container = False
        opener = False  # the lines since a footnote's or definition's first line are still its first paragraph
        raw_pre = False  # inside an author's <pre> (a WordPress code block): its indented lines are its own
        loose_below = 0  # the depth of the deepest open list a blank line has loosened
        for index, line in enumerate(lines):
            if raw_pre or (not code and _RAW_PRE.match(line) and (not stack or (blank and line[:1] == "<"))):
                if not raw_pre:  # a block of HTML at the margin after a blank line ends any list
                    stack.clear()
                    kinds.clear()
                out.append(line)
                raw_pre = "</pre>" not in line.lower()
                blank = False
                continue
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
                if len(stack) > 1:
                    loose_below = max(loose_below, len(stack))
                continue
            indent = len(expanded) - len(expanded.lstrip(" "))
            item = _ITEM.match(expanded)
            if item and _fancy(item.group(2)) and not _fancy_item(lines, index, indent, item, kinds):
                item = None  # "(c) 2024 The Author" or "B. Russell won" alone is a paragraph
            if item and not stack and not blank and out and _is_text(out[-1]) and not _can_interrupt(item):
                item = None  # a paragraph's next line that only looks like an item
            if item and not _RULE.match(expanded) and (stack or indent < 4):
                interrupts = not stack and not blank and _interrupts(item, out[-1] if out else "")
                roman = _roman_at(kinds, indent)
                while stack and indent < stack[-1]:
                    stack.pop()
                    kinds.pop()
                spaces = len(item.group(3))
                width = len(item.group(2)) + (spaces if 0 < spaces <= 4 else 1)
                depth = len(stack)
                if depth >= MAX_LIST_DEPTH:
                    raise RecursionError("lists nested deeper than a book can show")
                stack.append(indent + width)
                kinds.append((indent, _kind(item.group(2), roman)))
                after_quote = bool(out) and out[-1].lstrip(" ").startswith(">")
                # Else Python-Markdown reads the item as the lazy continuation of that paragraph or quotation, or,
                # right after a loosened list nested deeper, as one more item of that list.
                if loose or interrupts or after_quote or loose_below > depth + 1:
                    out.append("")
                    loose_below = len(stack) if len(stack) > 1 else 0
                loose = False
                out.append(" " * (4 * depth) + _plain_marker(item, roman))
            elif stack:
                deepest = len(stack)
                while deepest and indent < stack[deepest - 1]:
                    deepest -= 1
                if deepest == 0:
                    if blank:
                        stack.clear()  # the list has ended
                        kinds.clear()
                        loose_below = 0
                        loose = False
                    out.append(line)  # a lazy continuation line, or text after the list
                else:
                    del stack[deepest:]
                    del kinds[deepest:]
                    loose = loose or blank
                    extra = indent - stack[-1]
                    if not blank and extra < 4 and expanded.lstrip(" ").startswith(">") and out \
                            and not out[-1].lstrip(" ").startswith(">"):
                        out.append("")  # a quotation right under the item's text starts there (CommonMark)
                        loose_below = max(loose_below, len(stack) if len(stack) > 1 else 0)
                    out.append(" " * (4 * deepest + extra) + expanded.lstrip(" "))
            else:
                out.append(line)
            blank = False
        if code:
            out += self._stash(code)
        return out

    def _stash(self, code: list[str]) -> list[str]:
        fences = self.md.parser.blockprocessors["code"] if "code" in self.md.parser.blockprocessors else None  # noqa: SIM401
        if hasattr(fences, "revert_greedy_fences"):  # a fence shown inside indented code was read as one: undone
            code = fences.revert_greedy_fences("\n".join(code)).split("\n")
        trailing = 0
        while code and not code[-1].strip():
            code.pop()
            trailing += 1
        html = f"<pre><code>{code_escape(chr(10).join(code))}\n</code></pre>"
        return [self.md.htmlStash.store(html), ""] + [""] * trailing


_BULLETS = ("-", "*", "+")
_ROMAN_VALUES = {"m": 1000, "d": 500, "c": 100, "l": 50, "x": 10, "v": 5, "i": 1}


def _is_item(line: str) -> bool:
    """A list item's line, not code indented four spaces that starts like one; under any quotation markers,
    so that a quotation's own quotation is nested by the rule too."""
    item = _ITEM.match(line[QUOTE_MARKERS.match(line).end():].expandtabs(4))
    return item is not None and len(item.group(1)) < 4


def _fancy(marker: str) -> bool:
    """pandoc's markers beyond CommonMark's bullets and "1." / "1)"."""
    return not (marker in _BULLETS or marker[:-1].isdigit())


def _value(marker: str, roman: bool = False) -> tuple[str, int] | None:
    """A marker's list type (HTML's ``type``: 1, a, A, i, I) and number, or None for letters that are no
    numeral ("ll."). A lone "i" is roman one (pandoc's rule), as is "v" or "x" in a roman list (``roman``); any
    other single letter is a letter of the alphabet."""
    core = marker.strip("().")
    if core.isdigit():
        return "1", int(core)
    if core == "#":
        return "1", 1
    if len(core) == 1 and core not in "iI" and not (roman and core.lower() in _ROMAN_VALUES):
        return ("a" if core.islower() else "A"), ord(core.lower()) - ord("a") + 1
    low = core.lower()
    if not _ROMAN.match(low):
        return None
    total = sum(-_ROMAN_VALUES[c] if n + 1 < len(low) and _ROMAN_VALUES[low[n + 1]] > _ROMAN_VALUES[c]
                else _ROMAN_VALUES[c] for n, c in enumerate(low))
    return ("i" if core.islower() else "I"), total


def _kind(marker: str, roman: bool = False) -> str:
    """The list a marker belongs to: its type and its delimiter ("a." and "(a)" are two lists, as in pandoc)."""
    if marker in _BULLETS:
        return "-"
    delimiter = "(" if marker.startswith("(") else marker[-1]
    return (_value(marker, roman) or ("1", 0))[0] + delimiter


def _roman_at(kinds: list[tuple[int, str]], indent: int) -> bool:
    return any(at == indent and kind[0] in "iI" for at, kind in kinds)


def _fancy_item(lines: list[str], index: int, indent: int, item: re.Match[str],
                kinds: list[tuple[int, str]]) -> bool:
    """Whether a fancy marker starts or continues a list, as pandoc would have it, but only where it plainly does:
    it is a numeral ("ll." is not); a capital letter with a period has two spaces after it (pandoc's rule, so
    that "B. Russell won" is a sentence); and it continues a list of its type at its column, or sits inside a
    list, or another item follows it at its column or inside it. One "(c) 2024 The Author" is a paragraph."""
    marker = item.group(2)
    roman = _roman_at(kinds, indent)
    if _value(marker, roman) is None or (marker[0].isupper() and marker.endswith(".") and len(item.group(3)) < 2):
        return False
    if any(at == indent and kind == _kind(marker, roman) for at, kind in kinds) or any(at < indent for at, _ in kinds):
        return True
    blank = False
    for line in lines[index + 1:]:
        expanded = line.expandtabs(4)
        if not line.strip():
            blank = True
            continue
        at = len(expanded) - len(expanded.lstrip(" "))
        after = _ITEM.match(expanded)
        if after is None:
            if at > indent or not blank:
                continue  # the item's own text, or a lazy continuation of its first line
            return False
        return at > indent or (at == indent and after.group(2) not in _BULLETS)
    return False


def _plain_marker(item: re.Match[str], roman: bool) -> str:
    """The item's line as Python-Markdown reads it: "1." for any ordered marker (sane_lists takes the first
    number as the list's start), with its type marked before its text when it is not 1, 2, 3."""
    text = item.group(0).lstrip(" ")
    marker = item.group(2)
    if marker in _BULLETS:
        return text
    _type, number = _value(marker, roman) or ("1", 1)
    rest = text[len(marker):]
    spaces = len(item.group(3))
    mark = f"{_MARK_OPEN}{_kind(marker, roman)}{number}{_MARK_MID}{marker}{_MARK_END}"
    return f"{number}." + rest[:spaces] + mark + rest[spaces:]


class FancyListTypes(Treeprocessor):
    """After the inline patterns: each ordered item's type and number, marked before its text, is taken off; the
    first item's type goes onto its ``<ol>``, and where the type changes a new list starts at that item (pandoc's
    rule: Python-Markdown would run "a." items on from "i." ones as one list)."""

    def run(self, root: etree.Element) -> None:
        parents: dict[etree.Element, etree.Element] = {}  # made on the first split: most essays have none
        for ol in list(root.iter("ol")):
            runs: list[tuple[str | None, int, list[etree.Element]]] = []
            for li in list(ol):
                holder = li[0] if len(li) and li[0].tag == "p" and not (li.text or "").strip() else li
                m = _TYPE.match(holder.text or "")
                kind, number = (m.group(1), int(m.group(2))) if m else (None, 0)
                if m:
                    holder.text = holder.text[m.end():]
                if runs and (kind is None or kind == runs[-1][0]):
                    runs[-1][2].append(li)
                else:
                    runs.append((kind, number, [li]))
            if not runs:
                continue
            if runs[0][0] is not None and runs[0][0][0] != "1":
                ol.set("type", runs[0][0][0])
            if len(runs) == 1:
                continue
            parents = parents or {child: parent for parent in root.iter() for child in parent}
            parent = parents[ol]  # root is the document's <div>, so every list has one
            at, last = list(parent).index(ol), ol
            for offset, (kind, number, items) in enumerate(runs[1:], start=1):
                split = etree.Element("ol", {"type": kind[0]} if kind is not None and kind[0] != "1" else {})
                if number != 1:
                    split.set("start", str(number))
                for li in items:
                    ol.remove(li)
                    split.append(li)
                split.tail, last.tail = last.tail, "\n"  # what followed the list follows its last part
                parent.insert(at + offset, split)
                parents[split], last = parent, split
        for el in root.iter():
            for name in ("text", "tail"):
                value = getattr(el, name)
                if value and _MARK_OPEN in value:
                    value = _LEFT_AS_TEXT.sub(lambda m: m.group(2) + m.group(1), value)
                    setattr(el, name, type(value)(_WHOLE_MARK.sub("", value)))


_TYPE = re.compile(f"^{_MARK_OPEN}([1aAiI][.)(])(\\d+){_MARK_MID}[^{_MARK_END}]*{_MARK_END}")
_WHOLE_MARK = re.compile(f"{_MARK_OPEN}[^{_MARK_END}]*{_MARK_END}")
_LEFT_AS_TEXT = re.compile(f"\\d+\\.([ \\t]*){_MARK_OPEN}[^{_MARK_MID}]*{_MARK_MID}([^{_MARK_END}]*){_MARK_END}")


def _can_interrupt(item: re.Match[str]) -> bool:
    """CommonMark's rule, which GitHub, Hugo, Obsidian, Eleventy and Ghost follow: a list may start under a line
    of paragraph text without a blank line between ("Pack these:" then "- a tent") if its first item has text
    and, when numbered, starts at 1 ("In the year" then "1984. The…" is one paragraph). Python-Markdown, like
    pandoc, would print the items as that paragraph's text."""
    return bool(item.group(4).strip()) and item.group(2) in (*_BULLETS, "1.", "1)")


def _is_text(before: str) -> bool:
    """A line of a paragraph's text: not a heading, a table row, a footnote's or definition's opener, a list item,
    code or a placeholder for raw HTML."""
    text = before.strip()
    return bool(text) and not before.startswith("    ") and not _NOT_PARAGRAPH.match(text) and "|" not in text \
        and not _ITEM.match(before)


def _interrupts(item: re.Match[str], before: str) -> bool:
    return _can_interrupt(item) and _is_text(before)


def _in_container(line: str) -> str:
    """A line of a footnote's or definition's first paragraph without what makes it one: its opener, or the
    four spaces of a continuation line."""
    opener = _CONTAINER.match(line)
    return line[opener.end():] if opener else line[4:] if line.startswith("    ") else line


# Lines that are not a paragraph's: headings, tables and line blocks, fences, raw HTML (and its stash), quotes'
# markers alone, footnote and definition openers, admonitions, horizontal rules.
_NOT_PARAGRAPH = re.compile(r"^(#{1,6}(?:[ \t]|$)|\||\+[-=:]|```|~~~|<|\x02|\[\^[^\]]+\]:|:[ \t]|[!?]{3}|///"
                            r"|[-*_=]{3,}$)")


_EXAMPLE = re.compile(r"^( {0,3})\(@([\w-]*)\)( +\S)")
_EXAMPLE_REFERENCE = re.compile(r"\(@([\w-]+)\)")


class ExampleListPreprocessor(Preprocessor):
    """pandoc's example lists: ``(@)`` and ``(@good)`` items are numbered on through the whole essay, and
    ``(@good)`` in the text is that item's number, "(2)". Each item is written with its number, ``2.``, as pandoc's
    HTML numbers it; a later example list starts where the last one stopped."""

    def run(self, lines: list[str]) -> list[str]:
        if not any("(@" in line for line in lines):
            return lines
        labels: dict[str, int] = {}
        out, count = [], 0
        for line in lines:
            m = _EXAMPLE.match(line)
            if m:
                count += 1
                if m.group(2):
                    labels.setdefault(m.group(2), count)
                line = f"{m.group(1)}{count}.{line[m.end(2) + 1:]}"
            out.append(line)
        if not labels:
            return out

        def reference(m: re.Match[str]) -> str:
            return f"({labels[m.group(1)]})" if m.group(1) in labels else m.group(0)

        return [outside_code(_EXAMPLE_REFERENCE, line, reference) for line in out]


class ListIndentExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # After fenced code is stashed (25), so code is never re-indented; before block parsing.
        md.preprocessors.register(ExampleListPreprocessor(md), "eb-example-lists", 24.92)
        md.preprocessors.register(ListIndentPreprocessor(md), "eb-list-indent", 24.9)
        md.treeprocessors.register(FancyListTypes(md), "eb-fancy-lists", 19)  # after inline (20)
