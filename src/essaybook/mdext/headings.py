"""Headings and in-page links as other generators write them.

- A first heading that repeats the front-matter title (most blog exports begin so) is not printed twice.
- Duplicate headings get GitHub's ids (``history``, ``history-1``), so links written for GitHub, Hugo, Obsidian
  and VS Code previews resolve; Python-Markdown's own would be ``history_1``.
- kramdown's footnote anchors (``#fn:dues``, ``#fnref:dues``) point at essaybook's notes.
- kramdown's attribute lines left on their own (``{: .note}`` after a blank line) and its ``{:toc}`` marker are
  instructions, not text: they are removed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor

from essaybook.mdext import context

_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_TOC_DUPLICATE = re.compile(r"^(.+)_(\d+)$")
_IAL = re.compile(r"^\s*\{:[^}]*\}\s*$")


def words(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text).casefold().split())


class TitleHeadingProcessor(Treeprocessor):
    """Drop a first heading equal to the essay's title (words compared, not punctuation or quotes)."""

    def run(self, root: etree.Element) -> None:
        title = context(self.md).title
        if not title:
            return
        first = next((el for el in root if isinstance(el.tag, str)), None)
        if first is not None and first.tag in _HEADINGS and words("".join(first.itertext())) == words(title):
            tail = first.tail
            root.remove(first)
            if tail and tail.strip():
                root.text = (root.text or "") + tail


class GithubIdsProcessor(Treeprocessor):
    """After toc (5): ``name_1`` -> ``name-1`` when ``name`` is an earlier heading's id; kramdown note links."""

    def run(self, root: etree.Element) -> None:
        seen: set[str] = set()
        for el in (e for e in root.iter() if e.tag in _HEADINGS):
            hid = el.get("id")
            if not hid:
                continue
            m = _TOC_DUPLICATE.match(hid)
            if m and m.group(1) in seen:
                hid = f"{m.group(1)}-{m.group(2)}"
                el.set("id", hid)
            seen.add(hid)
        for a in root.iter("a"):
            href = a.get("href", "")
            if href.startswith(("#fn:", "#fnref:")):
                a.set("href", href.replace(":", "-", 1))
        for parent in list(root.iter()):
            for child in list(parent):
                if _instruction(child):
                    _remove(parent, child)


def _instruction(el: etree.Element) -> bool:
    """A kramdown attribute line left alone, or its ``* TOC`` / ``{:toc}`` marker list."""
    if el.tag == "p":
        return not len(el) and bool(_IAL.match(el.text or ""))
    if el.tag in ("ul", "ol") and len(el) == 1:
        marked = "toc" in el.attrib or "toc" in el[0].attrib
        return marked and words("".join(el[0].itertext())) in ("toc", "table of contents")
    return False


def _remove(parent: etree.Element, child: etree.Element) -> None:
    tail = child.tail
    index = list(parent).index(child)
    parent.remove(child)
    if tail and tail.strip():
        if index:
            parent[index - 1].tail = (parent[index - 1].tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


class HeadingExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(TitleHeadingProcessor(md), "eb-title-heading", 5.5)
        md.treeprocessors.register(GithubIdsProcessor(md), "eb-github-ids", 4.9)
