"""pandoc's fenced divs (``::: {.callout-note #id}`` … ``:::``), nested by fence length as pandoc nests them.

Each div becomes a ``<div markdown="1">`` that Python-Markdown's md_in_html parses as Markdown, so the content
is ordinary Markdown; the callouts extension then turns callout classes into titled asides.
"""

from __future__ import annotations

import re
from html import escape

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

_OPEN = re.compile(r"^(:{3,})[ \t]*(\{[^}\n]*\}|[\w-]+)[ \t]*:*[ \t]*$")
_CLOSE = re.compile(r"^:{3,}[ \t]*$")
_ATTR = re.compile(r"""([#.])([\w:-]+)|([\w-]+)=(?:"([^"]*)"|'([^']*)'|(\S+))""")


def attributes(spec: str) -> dict[str, str]:
    """``{#id .a .b key="v"}`` (or a bare class word) as HTML attributes; unknown keys are left out."""
    spec = spec.strip()
    if not spec.startswith("{"):
        return {"class": spec}
    attrs: dict[str, str] = {}
    classes = []
    for m in _ATTR.finditer(spec[1:-1]):
        if m.group(1) == "#":
            attrs["id"] = m.group(2)
        elif m.group(1) == ".":
            classes.append(m.group(2))
        elif m.group(3) in ("title", "lang", "dir", "role"):
            attrs[m.group(3)] = next(g for g in m.group(4, 5, 6) if g is not None)
    if classes:
        attrs["class"] = " ".join(classes)
    return attrs


class FencedDivPreprocessor(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        depth = 0
        for line in lines:
            opened = _OPEN.match(line)
            if opened:
                attrs = attributes(opened.group(2))
                html = " ".join(f'{k}="{escape(v)}"' for k, v in attrs.items())
                out += ["", f'<div {html} markdown="1">'.replace("<div  ", "<div "), ""]
                depth += 1
            elif depth and _CLOSE.match(line):
                out += ["", "</div>", ""]
                depth -= 1
            else:
                out.append(line)
        out += ["", "</div>", ""] * depth  # an unclosed div ends with the text, as in pandoc
        return out


class FencedDivExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # After fenced code is stashed (25), before raw HTML blocks are read (20).
        md.preprocessors.register(FencedDivPreprocessor(md), "eb-fenced-divs", 22)
