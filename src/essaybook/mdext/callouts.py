"""Callouts as titled asides: Obsidian's ``> [!note] Title``, Quarto/pandoc ``::: {.callout-note}`` divs,
MkDocs' ``!!! note "Title"`` admonitions and ``??? note`` details (a book cannot fold, so details are open).

Each becomes ``<aside class="callout callout-TYPE" role="note">`` whose first paragraph is the title, so the
EPUB and the handout show the same box, and a screen reader announces it as a note apart from the flow.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor

_OBSIDIAN = re.compile(r"^\s*\[!([\w-]+)\][+-]?[ \t]*")
_TYPES = ("note", "tip", "hint", "important", "warning", "caution", "danger", "info", "abstract", "summary",
          "todo", "success", "question", "failure", "bug", "example", "quote", "seealso", "attention", "error")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _callout(el: etree.Element, kind: str, title: str | None, title_el: etree.Element | None = None) -> None:
    """Turn ``el`` into the aside in place: its children stay, a title paragraph goes first."""
    kind = kind.lower()
    tail = el.tail
    attrs = {k: v for k, v in el.attrib.items() if k == "id"}
    el.attrib.clear()
    el.tag = "aside"
    el.tail = tail
    el.set("class", f"callout callout-{kind}")
    el.set("role", "doc-tip" if kind in ("tip", "hint") else "note")
    el.attrib.update(attrs)
    if title_el is None:
        title_el = etree.Element("p")
        title_el.text = title or kind.replace("-", " ").capitalize()
        el.insert(0, title_el)
    title_el.tag = "p"
    title_el.attrib.clear()
    title_el.set("class", "callout-title")


class CalloutProcessor(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        parents = {child: parent for parent in root.iter() for child in parent}
        for el in list(root.iter()):
            classes = el.get("class", "").split()
            if el.tag == "blockquote" and len(el) and el[0].tag == "p":
                self._obsidian(el, parents.get(el))
            elif el.tag == "div" and "admonition" in classes:
                kind = next((c for c in classes if c != "admonition"), "note")
                title = next((c for c in el if c.tag == "p" and "admonition-title" in c.get("class", "")), None)
                _callout(el, kind, None, title)
            elif el.tag == "details":
                summary = el.find("summary")
                kind = next(iter(classes), "note")
                _callout(el, kind, None, summary)
            elif el.tag == "div" and any(c.startswith("callout-") or c in _TYPES for c in classes):
                kind = next(c.removeprefix("callout-") for c in classes if c.startswith("callout-") or c in _TYPES)
                title_attr = el.get("title")
                first = el[0] if len(el) else None
                heading = first if first is not None and first.tag in _HEADINGS and not title_attr else None
                _callout(el, kind, title_attr, heading)

    def _obsidian(self, quote: etree.Element, parent: etree.Element | None = None) -> None:
        p = quote[0]
        m = _OBSIDIAN.match(p.text or "")
        if not m:
            return
        # Python-Markdown merges quotes separated by a blank line: each later "[!type]" starts a callout of its own.
        later = next((i for i, c in enumerate(quote) if i and c.tag == "p" and _OBSIDIAN.match(c.text or "")), None)
        if later is not None and parent is not None:
            rest = etree.Element("blockquote")
            for child in list(quote)[later:]:
                quote.remove(child)
                rest.append(child)
            rest.tail, quote.tail = quote.tail, None
            parent.insert(list(parent).index(quote) + 1, rest)
            self._obsidian(rest, parent)
        kind = m.group(1)
        rest = p.text[m.end():]
        # The title is the rest of the first line; the lines after it are the callout's first paragraph.
        first_line, _, more = rest.partition("\n")
        title = etree.Element("p")
        title.text = first_line.strip() or kind.replace("-", " ").capitalize()
        if more.strip() or len(p):
            p.text = more.lstrip()
        else:
            quote.remove(p)
        quote.insert(0, title)
        _callout(quote, kind, None, title)


class CalloutExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # Before inline (20): the callout marker is still plain text, and the title is then parsed as Markdown.
        md.treeprocessors.register(CalloutProcessor(md), "eb-callouts", 21)
