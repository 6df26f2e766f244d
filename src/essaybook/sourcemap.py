"""Where in the source a thing the parser saw was written: the one way both the build and ``check`` find lines.

Python-Markdown keeps no source positions. So a fact the parser reports (a link's address, an image's path,
a chunk of raw HTML, a heading's text) is looked up in copies of the body in which code (``code``) and, for
prose, all markup (``prose``) is blanked out. The copies keep the body's length, so an offset in them is a
place in the file; each lookup claims its place, so the second link to the same address is found at its own
line, not at the first one's.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import unquote

from markdown.inlinepatterns import AUTOLINK_RE, AUTOMAIL_RE, HTML_RE

from essaybook.mdext import fenced_blocks
from essaybook.source import Source

_LINK = re.compile(r"(!?\[)[^\]\n]*(?:\n[^\]\n]*)*?(\]\((?:[^()\n]|\([^()\n]*\))*\))")
_REF_LINK = re.compile(r"(!?\[)[^\]\n]*(\]\[[^\]\n]*\])")
_DEFINITION = re.compile(r"^(?: {0,3}\[(?!\^)[^\]\n]+\]:|\*\[[^\]\n]+\]:).*$", re.MULTILINE)
FOOTNOTE_REF = re.compile(r"\[\^([^\]\n]*)\]")
_ATTR_LIST = re.compile(r"\{:?[ \t]*(?:[#.][\w-]|[\w-]+=)[^}\n]*\}")
_CREDIT_VALUE = re.compile(r"""\bcredit=(["'])(.*?)\1""")
_CODE_SPAN = re.compile(r"(?<![\\`])(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
_TAG = re.compile(f"{HTML_RE}|{AUTOLINK_RE}|{AUTOMAIL_RE}", re.DOTALL)
_LIST_OR_NOTE = re.compile(r"^ {0,3}(?:[-*+]|\d+[.)]|\[\^[^\]\n]*\]:)(?:[ \t]|$)")


class SourceMap:
    """One essay's body with its code and its markup blanked, and the places already claimed."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.body = source.body
        self.code = mask_code(self.body)
        self.prose = mask_markup(self.code)
        self._claimed: set[int] = set()

    def line_of(self, offset: int) -> int:
        return self.source.body_line + self.body.count("\n", 0, offset)

    def col_of(self, offset: int) -> int:
        return offset - self.body.rfind("\n", 0, offset)

    def find(self, needle: str, *, forms: tuple[str, ...] = ("{}",), claim: bool = True) -> int | None:
        """The first unclaimed place outside code where ``needle`` is written in one of ``forms`` (``{}`` is
        the needle), trying the needle as written, URL-decoded and entity-decoded; else the first place at all
        (a reference link shares its definition's address); else None."""
        if not needle:
            return None
        first = None
        for variant in dict.fromkeys((needle, unquote(needle), unescape(needle))):
            for form in forms:
                text = form.format(variant)
                skip = form.index("{}")
                start = self.code.find(text)
                while start >= 0:
                    if not claim or start + skip not in self._claimed:
                        if claim:
                            self._claimed.add(start + skip)
                        return start + skip
                    first = start + skip if first is None else first
                    start = self.code.find(text, start + 1)
        if first is not None:
            return first
        for number, line in enumerate(self.body.split("\n")):  # written with character references
            if "&" in line and needle in unescape(line):
                return sum(len(x) + 1 for x in self.body.split("\n")[:number])
        return None

    def place(self, needle: str, *, forms: tuple[str, ...] = ("{}",), claim: bool = True,
              back_to: tuple[str, ...] = ()) -> tuple[int | None, int]:
        """``(line, col)`` of ``needle`` (``(None, 0)`` when it cannot be found). ``back_to`` moves the place
        back to the nearest opening on the same line (``![``, ``<img``), where a reader's eye starts."""
        offset = self.find(needle, forms=forms, claim=claim)
        if offset is None:
            return None, 0
        if back_to:
            line_start = self.body.rfind("\n", 0, offset) + 1
            opening = max(self.body.rfind(b, line_start, offset) for b in back_to)
            offset = opening if opening >= 0 else offset
        return self.line_of(offset), self.col_of(offset)

    def front_matter_line(self, needle: str) -> int | None:
        text = self.source.front_matter
        index = text.find(needle) if needle else -1
        return self.source.front_matter_line + text.count("\n", 0, index) if index >= 0 else None


#: Where a link or image target is written, most specific first.
TARGET_FORMS = ("]({}", "]( {}", '"{}"', "'{}'", "<{}>", "]: {}", "{}")


_NOT_NEWLINE = re.compile(r"[^\n]")


def blank(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with every character in ``spans`` but its newlines made a space (the offsets and lines stay)."""
    out, last = [], 0
    for start, end in sorted(spans):
        start = max(start, last)
        if end <= start:
            continue
        out += (text[last:start], _NOT_NEWLINE.sub(" ", text[start:end]))
        last = end
    out.append(text[last:])
    return "".join(out)


def mask_code(body: str) -> str:
    """Blank fenced and indented code blocks and code spans (an indented block under a list item or a
    footnote is its continuation, not code), and HTML comments."""
    spans = fenced_blocks(body)
    offset, blank_before, in_code, container = 0, True, False, False
    for line in body.split("\n"):
        indented = line.startswith(("    ", "\t"))
        if line.strip():
            in_code = indented and (in_code or (blank_before and not container))
            if in_code:
                spans.append((offset, offset + len(line)))
            elif not indented:
                container = bool(_LIST_OR_NOTE.match(line))
        blank_before = not line.strip()
        offset += len(line) + 1
    masked = blank(body, spans)
    spans = [m.span() for m in _CODE_SPAN.finditer(masked) if "\n\n" not in m.group()]
    spans += [m.span() for m in re.finditer(r"<!--.*?-->", masked, re.DOTALL)]
    return blank(masked, spans)


def mask_markup(code: str) -> str:
    """Blank what a reader never sees as text: tags, addresses, link labels, attribute lists (but a credit's
    words, which print), reference and abbreviation definitions, footnote calls."""
    spans = [m.span() for m in _TAG.finditer(code)]
    spans += [s for m in _LINK.finditer(code) for s in (m.span(1), m.span(2))]
    spans += [s for m in _REF_LINK.finditer(code) for s in (m.span(1), m.span(2))]
    spans += [m.span() for m in _DEFINITION.finditer(code)]
    spans += [m.span() for m in FOOTNOTE_REF.finditer(code)]
    masked = blank(code, spans)
    for m in _ATTR_LIST.finditer(masked):
        credit = _CREDIT_VALUE.search(m.group())
        masked = blank(masked, [m.span()])
        if credit:
            a, b = m.start() + credit.start(2), m.start() + credit.end(2)
            masked = masked[:a] + code[a:b] + masked[b:]
    return masked


def blocks(body: str) -> list[tuple[int, int]]:
    """Blank-line-separated blocks, as (start, end)."""
    out, start = [], 0
    for m in re.finditer(r"\n[ \t]*\n", body):
        out.append((start, m.start()))
        start = m.end()
    return [*out, (start, len(body))]
