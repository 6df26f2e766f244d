"""pandoc's raw attribute: ```` ```{=html} ```` blocks and `` `…`{=html} `` spans hold markup for one output
format. HTML's is the book's own (it goes on to the raw-HTML sanitiser, as any HTML in the essay does); any other
format's (``{=latex}``, ``{=typst}``, ``{=openxml}`` …) is for a pandoc writer that is not running, so it is left
out, as pandoc leaves it out of an EPUB, and named in one ``raw-format-dropped`` warning per file."""

from __future__ import annotations

import re

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

from essaybook.mdext import context

_HTML = ("html", "html4", "html5", "xhtml", "epub", "epub3")
_BLOCK = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*\{=(?P<format>[\w-]+)\}[ \t]*\n"
                    r"(?P<body>.*?)\n(?P=indent)(?P=fence)[ \t]*$", re.MULTILINE | re.DOTALL)
_SPAN = re.compile(r"(?<!`)(?P<ticks>`+)(?!`)(?P<body>.+?)(?<!`)(?P=ticks)(?!`)\{=(?P<format>[\w-]+)\}")


class RawFormatPreprocessor(Preprocessor):
    """Before fenced code (25) reads the block as code."""

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if "{=" not in text:
            return lines
        dropped: dict[str, str] = {}

        def block(m: re.Match[str]) -> str:
            if m.group("format").lower() in _HTML:
                return f"\n{m.group('body')}\n"
            dropped.setdefault(m.group("format"), m.group(0).split("\n", 1)[0].strip())
            return ""

        def span(m: re.Match[str]) -> str:
            if m.group("format").lower() in _HTML:
                return m.group("body").strip()
            dropped.setdefault(m.group("format"), m.group(0))
            return ""

        text = _SPAN.sub(span, _BLOCK.sub(block, text))
        context(self.md).report_found(
            "raw-format-dropped", f"markup for other formats ({', '.join(f'{{={f}}}' for f in dropped)}) is for "
            "pandoc's writers of those formats and is left out of the book; write text, or {=html}, for it", dropped)
        return text.split("\n")


class RawFormatExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.register(RawFormatPreprocessor(md), "eb-raw-formats", 29)
