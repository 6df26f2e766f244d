"""pandoc's fenced divs (``::: {.callout-note #id}`` … ``:::``), nested by fence length as pandoc nests them.

Each div becomes a ``<div markdown="1">`` that Python-Markdown's md_in_html parses as Markdown, so the content
is ordinary Markdown; the callouts extension then turns callout classes into titled asides. A div inside a list
item or a definition, where raw HTML cannot open, is built by ``NestedDivProcessor`` as its container is parsed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from html import escape

from markdown import Extension, Markdown
from markdown.blockprocessors import BlockProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

_OPEN = re.compile(r"^(:{3,})[ \t]*(\{[^}\n]*\}|[\w-]+)[ \t]*:*[ \t]*$")
_CLOSE = re.compile(r"^:{3,}[ \t]*$")
_OPEN_MARK = "data-eb-open-div"  # a nested div whose closing fence is still to come, and how deep it stands
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


class NestedDivProcessor(BlockProcessor):
    """A fenced div inside a list item, a definition or a quotation (pandoc's manual wraps its lists of formats
    so): raw HTML cannot open there, so the div is made here, when the container's own parser reaches the fence,
    and its content parsed into it. A container hands its blocks over one at a time (a loose list item's second
    paragraph comes later), so a div the blocks at hand do not close stays open: the next block of the same
    container goes into it, up to the closing fence. At the top level the preprocessor has already turned every
    fence into HTML."""

    def test(self, parent: etree.Element, block: str) -> bool:
        return bool(_OPEN.match(block.split("\n", 1)[0])) or _open_div(parent) is not None

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        div = _open_div(parent)
        lines = blocks.pop(0).split("\n")
        if div is None:
            div = etree.SubElement(parent, "div", attributes(_OPEN.match(lines[0]).group(2)))
            div.set(_OPEN_MARK, "1")
            lines = lines[1:]
        depth = int(div.get(_OPEN_MARK, "1"))
        inner: list[str] = []
        for n, line in enumerate(lines):
            if _OPEN.match(line):
                depth += 1
            elif _CLOSE.match(line):
                depth -= 1
                if not depth:
                    rest = "\n".join(lines[n + 1:])
                    if rest.strip():
                        blocks.insert(0, rest)
                    break
            inner.append(line)
        if depth:
            div.set(_OPEN_MARK, str(depth))
        else:
            del div.attrib[_OPEN_MARK]
        if "\n".join(inner).strip():
            # Closed or not, what it holds so far is parsed into it now; the mark is off while it is, so that a
            # block inside does not take itself for the div's continuation.
            mark = div.attrib.pop(_OPEN_MARK, None)
            self.parser.parseChunk(div, "\n".join(inner).strip("\n"))
            if mark is not None:
                div.set(_OPEN_MARK, mark)


def _open_div(parent: etree.Element) -> etree.Element | None:
    last = parent[-1] if len(parent) else None
    return last if last is not None and last.tag == "div" and _OPEN_MARK in last.attrib else None


class _OpenDivsClosed(Treeprocessor):
    """A div left open ends with its container, as pandoc ends an unclosed div with the text."""

    def run(self, root: etree.Element) -> None:
        for el in root.iter("div"):
            el.attrib.pop(_OPEN_MARK, None)


class FencedDivExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # After fenced code is stashed (25), before raw HTML blocks are read (20).
        md.preprocessors.register(FencedDivPreprocessor(md), "eb-fenced-divs", 22)
        # Below indented code (80): a fence indented as code at the top level is code.
        md.parser.blockprocessors.register(NestedDivProcessor(md.parser), "eb-nested-divs", 79)
        md.treeprocessors.register(_OpenDivsClosed(md), "eb-open-divs-closed", 30)
