"""pandoc's inline notes, ``text^[the note itself]``, become ordinary footnotes.

The note is rewritten into a ``[^label]`` call and a definition appended to the text, so the footnotes
extension numbers it with the others and the book's note semantics apply unchanged.
"""

from __future__ import annotations

import bisect

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

from essaybook.mdext import CODE_SPAN


def _closing(text: str, start: int, code: dict[int, int]) -> int:
    """The index of the ``]`` that closes the bracket opened just before ``start``, or -1; a bracket inside
    the note's code (``code`` maps each code span's start to its end) is the code's."""
    depth, i = 1, start
    while i < len(text):
        if i in code:
            i = code[i]
            continue
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


class InlineNotePreprocessor(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if "^[" not in text:
            return lines
        code = {m.start(): m.end() for m in CODE_SPAN.finditer(text)}
        starts = sorted(code)
        out, notes, i = [], [], 0
        while True:
            j = text.find("^[", i)
            if j < 0:
                break
            before = bisect.bisect_right(starts, j) - 1
            if (before >= 0 and j < code[starts[before]]) or (j and text[j - 1] == "\\"):
                out.append(text[i:j + 2])
                i = j + 2
                continue
            end = _closing(text, j + 2, code)
            if end < 0:
                break
            notes.append(" ".join(text[j + 2:end].split()))
            out.append(text[i:j] + f"[^eb-inline-{len(notes)}]")
            i = end + 1
        out.append(text[i:])
        body = "".join(out)
        for n, note in enumerate(notes, start=1):
            body += f"\n\n[^eb-inline-{n}]: {note}"
        return body.split("\n")


class InlineNoteExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # After fenced code is stashed (25), so a ``^[`` in code stays code.
        md.preprocessors.register(InlineNotePreprocessor(md), "eb-inline-notes", 23)
