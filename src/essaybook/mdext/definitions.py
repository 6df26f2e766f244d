"""pandoc's other definition marker: a definition may start with ``~`` as well as ``:`` (pandoc's manual writes
all of its own with ``  ~ ``). Python-Markdown's def_list knows ``:`` only, so a ``~`` marker under a term (or
under the definition before it) is written as ``:``; anywhere else a line starting "~ " is text."""

from __future__ import annotations

import re

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

_TILDE = re.compile(r"^( {0,3})~([ \t]+\S)")
_COLON = re.compile(r"^ {0,3}:[ \t]+\S")


class TildeDefinitionPreprocessor(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        before: str | None = None  # the last line that was not blank
        blanks = 0  # blank lines since it
        definition = False  # that line belongs to a definition (its marker line or an indented continuation)
        for line in lines:
            if not line.strip():
                blanks += 1
                out.append(line)
                continue
            marker = _TILDE.match(line)
            if marker and before is not None and blanks <= 1 and (definition or not before.startswith((" ", "\t"))):
                line = marker.group(1) + ":" + line[marker.end(1) + 1:]
            if _COLON.match(line):
                definition = True
            elif not line.startswith((" ", "\t")):
                definition = False
            before, blanks = line, 0
            out.append(line)
        return out


class TildeDefinitionExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # After fenced code is stashed (25), before the list re-indenting (24.9) reads ':' as a definition's opener.
        md.preprocessors.register(TildeDefinitionPreprocessor(md), "eb-tilde-definitions", 24.95)
