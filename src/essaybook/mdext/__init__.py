"""Small Python-Markdown extensions, one construct each, for the Markdown that other tools' authors write.

Each extension reads and reports through the ``Context`` that ``dialect.make_markdown`` hangs on the Markdown
instance: the essay's source (its folder, for embeds and bibliographies), its metadata (the title, for the
repeated heading), and a list of ``rules.Diagnostic`` the build prints and ``check`` reports.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from markdown import Markdown

from essaybook.rules import Diagnostic

T = TypeVar("T")


@dataclass
class Context:
    path: Path | None = None  # the essay's file (None: a fragment, e.g. a Notes prompt)
    folder: Path | None = None
    body: str = ""  # the Markdown as written, to find a construct's line
    body_line: int = 1
    title: str | None = None
    bibliography: str | None = None
    bibliography_line: int | None = None
    csl: str | None = None
    csl_line: int | None = None
    lang: str = "en"
    closing_double_quote: str = "\u201d"  # the book's language's (dialect.smart_quotes)
    references_title: str | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def line_of(self, needle: str) -> int | None:
        index = self.body.find(needle) if needle else -1
        return self.body_line + self.body.count("\n", 0, index) if index >= 0 else None

    def report(self, rule: str, message: str, needle: str = "", line: int | None = None) -> None:
        diagnostic = Diagnostic(rule, message, self.path, line or self.line_of(needle))
        if diagnostic not in self.diagnostics:
            self.diagnostics.append(diagnostic)

    def report_found(self, rule: str, message: str, found: dict[str, str]) -> None:
        """One report for constructs of one kind (``found``: each name, and the text it was first met as), at
        the line of the first: what a preprocessor that rewrites them all says once."""
        if found:  # at the first written: the rewriters may meet a later one first (a tag in a link's address)
            places = [(i if (i := self.body.find(text)) >= 0 else len(self.body), text) for text in found.values()]
            self.report(rule, message, needle=min(places)[1])


def attached(md: Markdown, name: str, make: Callable[[], T]) -> T:
    """State an extension keeps for one conversion, on the Markdown instance that runs it (made on first use)."""
    state = getattr(md, name, None)
    if state is None:
        state = make()
        setattr(md, name, state)
    return state


def context(md: Markdown) -> Context:
    return attached(md, "eb_context", Context)


_ARGUMENT = re.compile(r"""([\w-]+)=(?:"([^"]*)"|'([^']*)'|(\S+))""")


def arguments(text: str) -> dict[str, str]:
    """A shortcode's ``name="value"``, ``name='value'`` and ``name=value`` arguments (Hugo's, WordPress's)."""
    return {m.group(1): next(g for g in m.group(2, 3, 4) if g is not None) for m in _ARGUMENT.finditer(text)}


# Inline code spans, kept as they are by the preprocessors that rewrite text (fenced code is stashed by then).
CODE_SPAN = re.compile(r"(?<!\\)(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)


def outside_code(pattern: re.Pattern[str], text: str, replace) -> str:
    """``pattern.sub(replace, text)`` everywhere but inside inline code spans."""
    return _rewrite_outside_spans(text, lambda chunk: pattern.sub(replace, chunk))


_LINE_LEAD = re.compile(r"((?:[ \t]*>)*[ \t]*)((?:[-*+]|\d{1,9}[.)])[ \t]+)?")


def as_block(text: str, start: int, end: int, block: str) -> str:
    """What replaces ``text[start:end]`` (a shortcode that stands for a figure) so that ``block`` is a block of
    its own where it stood: inside the list item or quotation its line belongs to, not after it. Alone on its
    line, the line is the block; mid-line, the block gets blank lines around it, each under the line's
    quotation markers and the item's indentation."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    lead = _LINE_LEAD.match(text, line_start)
    before, after = text[lead.end():start], text[end:line_end if line_end >= 0 else len(text)]
    if not before.strip() and not after.strip():
        return block
    under = lead.group(1) + (" " * max(4, len(lead.group(2))) if lead.group(2) else "")
    gap = under.rstrip()  # a blank line of the quotation (">"), or of the item and the top level ("")
    return f"\n{gap}\n{under}{block}\n{gap}" + (f"\n{under}" if after.strip() else "")


# A line's quotation markers, every level of them ("> > "): under them, the rules of the top level apply again.
QUOTE_MARKERS = re.compile(r"^(?: {0,3}> ?)*")

# A fence's opening line, under any quotation markers, indentation and list markers (mdext.fences reads fences
# there too); the closing line is the same character, at least as many times, alone on its line.
_FENCE_OPEN = re.compile(r"^(?:[ \t]*>)*[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)*(?P<fence>`{3,}(?=[^`\n]*$)|~{3,})")
_FENCE_LEAD = re.compile(r"^(?:[ \t]*>)*[ \t]*")


def fenced_blocks(body: str) -> list[tuple[int, int]]:
    """``_fenced_blocks``, read once per text: a dozen preprocessors and the source map each ask it of the same
    text (30 ms a time on pandoc's manual), and most leave the text as it was."""
    return list(_fenced_blocks(body))


@functools.lru_cache(maxsize=8)
def _fenced_blocks(body: str) -> tuple[tuple[int, int], ...]:
    """Where each closed fence runs, opening line to closing line, at the top level, in a list item or in a
    quotation, as ``mdext.fences`` reads them (an unclosed fence is text). The lines that could close a fence
    are listed first, and each kind of fence (its character and length) reads that list only forwards: a file
    of unclosed fences costs one pass, not one per fence."""
    lines = body.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    closers: dict[str, list[tuple[int, int]]] = {"`": [], "~": []}
    for index, line in enumerate(lines):
        rest = line[_FENCE_LEAD.match(line).end():].rstrip()
        if len(rest) >= 3 and rest[0] in closers and not rest.strip(rest[0]):
            closers[rest[0]].append((index, len(rest)))
    read: dict[tuple[str, int], int] = {}  # how far down its closers each kind of fence has looked
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(lines):
        opener = _FENCE_OPEN.match(lines[index])
        if opener:
            kind = (opener["fence"][0], len(opener["fence"]))
            candidates, at = closers[kind[0]], read.get(kind, 0)
            while at < len(candidates) and (candidates[at][0] <= index or candidates[at][1] < kind[1]):
                at += 1
            read[kind] = at
            if at < len(candidates):
                end = candidates[at][0]
                spans.append((starts[index], starts[end] + len(lines[end])))
                index = end
        index += 1
    return tuple(spans)


def outside_fences(text: str, rewrite: Callable[[str], str], *, inline_code: bool = False) -> str:
    """``rewrite`` applied to the text between fenced code blocks (and, with ``inline_code``, inline code
    spans), which stay as written: for the rewriters that run before fences are stashed, so that a post showing
    a shortcode or a template tag in code shows it, as the author wrote it."""
    out, last = [], 0
    for start, end in fenced_blocks(text):
        out.append(_rewrite_outside_spans(text[last:start], rewrite) if inline_code else rewrite(text[last:start]))
        out.append(text[start:end])
        last = end
    out.append(_rewrite_outside_spans(text[last:], rewrite) if inline_code else rewrite(text[last:]))
    return "".join(out)


def inside_fences(text: str, rewrite: Callable[[str], str]) -> str:
    """``rewrite`` applied to each fenced code block, the text between them as written (``outside_fences``'s
    other half)."""
    out, last = [], 0
    for start, end in fenced_blocks(text):
        out += (text[last:start], rewrite(text[start:end]))
        last = end
    return "".join(out) + text[last:]


def _rewrite_outside_spans(text: str, rewrite: Callable[[str], str]) -> str:
    out, last = [], 0
    for m in CODE_SPAN.finditer(text):
        out.append(rewrite(text[last:m.start()]))
        out.append(m.group(0))
        last = m.end()
    out.append(rewrite(text[last:]))
    return "".join(out)
