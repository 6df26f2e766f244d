"""Headings and in-page links as other generators write them.

- A first heading that repeats the front-matter title (most blog exports begin so) is not printed twice.
- Duplicate headings get GitHub's ids (``history``, ``history-1``), so links written for GitHub, Hugo, Obsidian
  and VS Code previews resolve; Python-Markdown's own would be ``history_1``.
- kramdown's footnote anchors (``#fn:dues``, ``#fnref:dues``) point at essaybook's notes.
- pandoc's implicit heading references (``[Creating a PDF]`` links to that heading), and reference labels
  that hold code (``[`amsfonts`]``), which Python-Markdown misses.
- kramdown's attribute lines left on their own (``{: .note}`` after a blank line, or on the line before the
  block they dress, or under a table), its ``{:toc}`` marker and its ``{::comment}`` are instructions, not text:
  they are removed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown, blockprocessors, inlinepatterns
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from essaybook.mdext import context, outside_code

_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_TOC_DUPLICATE = re.compile(r"^(.+)_(\d+)$")
_IAL = re.compile(r"^\s*\{:[^}]*\}\s*$")
_ATTRIBUTES = re.compile(r"\s*\{[^}]*\}\s*$")  # a heading's {#id .class}, not part of its text
_MARK = "data-eb-heading-reference"


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


def label_key(label: str) -> str:
    """A reference label as compared: case, runs of spaces and the backticks of code aside."""
    return " ".join(label.replace("`", "").split()).casefold()


class HeadingReferences(Treeprocessor):
    """pandoc's implicit heading references: ``[Creating a PDF]`` and ``[the options][General options]`` link to
    the heading of that text where no reference of that name is defined (pandoc's manual links its own sections
    so). Before the inline patterns (20), each heading's text as written becomes a reference to a mark on the
    heading; ``HeadingReferenceResolver`` puts the heading's id in its place once the ids are final."""

    def run(self, root: etree.Element) -> None:
        known = {label_key(k) for k in self.md.references}
        for n, el in enumerate(e for e in root.iter() if e.tag in _HEADINGS):
            label = label_key(_ATTRIBUTES.sub("", el.text or "")) if not len(el) else ""
            if label and label not in known:
                known.add(label)
                el.set(_MARK, str(n))
                self.md.references[label] = (f"#{_MARK}-{n}", None)


class HeadingReferenceResolver(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        if not any(href.startswith(f"#{_MARK}-") for href, _title in self.md.references.values()):
            return  # HeadingReferences added none: no mark, no link to one
        ids = {el.attrib.pop(_MARK): el.get("id") for el in root.iter() if _MARK in el.attrib}
        for parent in list(root.iter()):
            for a in [c for c in parent if c.tag == "a" and c.get("href", "").startswith(f"#{_MARK}-")]:
                target = ids.get(a.get("href")[len(_MARK) + 2:])
                if target:
                    a.set("href", f"#{target}")
                else:  # no id (or the heading was the repeated title, now gone): the words stay, the link goes
                    _unwrap(parent, a)


def _unwrap(parent: etree.Element, a: etree.Element) -> None:
    """``a`` replaced by what it holds: its text, its children, its tail, in place."""
    index = list(parent).index(a)
    children = list(a)
    for offset, child in enumerate(children, start=1):
        parent.insert(index + offset, child)
    parent.remove(a)

    def append(text: str, after: etree.Element | None) -> None:
        if after is not None:
            after.tail = (after.tail or "") + text
        else:
            parent.text = (parent.text or "") + text

    before = parent[index - 1] if index else None
    append(a.text or "", before)
    append(a.tail or "", children[-1] if children else before)


class _CodeLabels:
    """A reference whose label holds code (``[`amsfonts`]`` with ``[`amsfonts`]: https://…`` below, as GitHub,
    Hugo and pandoc read it): Python-Markdown has turned the code into a placeholder by the time it looks the
    label up, and misses. The label is looked up again by its words."""

    def evalId(self, data: str, index: int, text: str):
        ref, end, handled = super().evalId(data, index, text)
        if handled and ref is not None:
            ref = " ".join(ref.split())
            if ref not in self.md.references:
                ref = self._labels().get(label_key(self.unescape(ref)), ref)
        return ref, end, handled

    def _labels(self) -> dict[str, str]:
        """Each reference's label by its words, made again only when the references are others (pandoc's manual
        misses a hundred times against 450 references: 30 ms when made each time)."""
        names = tuple(self.md.references)
        made = getattr(self, "_made", None)
        if made is None or made[0] != names:
            made = self._made = (names, {label_key(k): k for k in names})
        return made[1]


class _Reference(_CodeLabels, inlinepatterns.ReferenceInlineProcessor):
    pass


class _ShortReference(_CodeLabels, inlinepatterns.ShortReferenceInlineProcessor):
    pass


class _ImageReference(_CodeLabels, inlinepatterns.ImageReferenceInlineProcessor):
    pass


class _ShortImageReference(_CodeLabels, inlinepatterns.ShortImageReferenceInlineProcessor):
    pass


class _AtxHeadings(blockprocessors.HashHeaderProcessor):
    """A heading's ``#`` run is followed by a space or ends the line, as CommonMark, pandoc and GitHub read
    it: Python-Markdown's own reads ``#1 priority`` and an Obsidian line of tags (``#inbox #todo``) as
    headings, which then stand in the contents and push every heading after them down a level."""

    RE = re.compile(r"(?:^|\n)(?P<level>#{1,6})(?=[ \t]|\n|$)(?P<header>(?:\\.|[^\\#]|#+(?=[^#\n]))*?)#*(?:\n|$)")


class KramdownLines(Preprocessor):
    """kramdown's attribute line before the block it dresses, or under a table's last row, and its comments:
    Python-Markdown read the first as the paragraph's first words and the second as one more row of the table.
    Both lines are set apart, where the attribute-line rule below removes them; a comment goes."""

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if "{:" not in text:
            return lines
        text = outside_code(_KRAMDOWN_COMMENT, text, "")
        out: list[str] = []
        for index, line in enumerate(lines := text.split("\n")):
            if _IAL.match(line) and not _TOC_MARK.match(line):
                before = out[-1] if out else ""
                after = lines[index + 1] if index + 1 < len(lines) else ""
                if before.lstrip().startswith("|") or (not before.strip() and after.strip()):
                    out += ["", line, ""]
                    continue
            out.append(line)
        return out


_KRAMDOWN_COMMENT = re.compile(r"\{::comment\}.*?\{:/comment\}|\{::comment\s*/\}", re.DOTALL)
_TOC_MARK = re.compile(r"^\s*\{:\s*toc\s*\}\s*$")


class HeadingExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.parser.blockprocessors.register(_AtxHeadings(md.parser), "hashheader", 70)
        md.preprocessors.register(KramdownLines(md), "eb-kramdown-lines", 24.8)  # after fences are stashed (25)
        md.treeprocessors.register(HeadingReferences(md), "eb-heading-references", 20.5)  # before inline (20)
        md.treeprocessors.register(TitleHeadingProcessor(md), "eb-title-heading", 5.5)
        md.treeprocessors.register(GithubIdsProcessor(md), "eb-github-ids", 4.9)
        md.treeprocessors.register(HeadingReferenceResolver(md), "eb-heading-reference-ids", 4.85)
        # Python-Markdown's own reference patterns, at their own priorities, with the code-label lookup.
        patterns = inlinepatterns
        md.inlinePatterns.register(_Reference(patterns.REFERENCE_RE, md), "reference", 170)
        md.inlinePatterns.register(_ImageReference(patterns.IMAGE_REFERENCE_RE, md), "image_reference", 140)
        md.inlinePatterns.register(_ShortReference(patterns.REFERENCE_RE, md), "short_reference", 130)
        md.inlinePatterns.register(_ShortImageReference(patterns.IMAGE_REFERENCE_RE, md), "short_image_ref", 125)
