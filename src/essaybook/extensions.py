"""Python-Markdown extensions that give the tree the semantics a book needs.

Each job is a small Treeprocessor, registered at a priority chosen relative to the built-in processors
(inline 20, footnote-duplicate 15, attr_list 8, smarty 6, toc 5), so the order of work is explicit:

- ``CaptionKeeper`` (8.5) saves an image's bracket text before attr_list's ``{alt="…"}`` overwrites it;
- ``FigureMaker`` (7.5) turns an image alone in its paragraph into ``<figure>`` with caption and credit,
  before smarty runs so captions get curly quotes too;
- ``NoteSemantics`` (14) rewrites the footnote extension's list into EPUB 3 pop-up notes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown, util
from markdown.extensions.footnotes import NBSP_PLACEHOLDER
from markdown.treeprocessors import Treeprocessor

CAPTION_ATTR = "data-eb-caption"
# Marks a figure whose author wrote credit="" (the sanitiser removes it; the parse reports it first).
EMPTY_CREDIT_ATTR = "data-eb-empty-credit"
_STASHED = re.compile(f"{util.STX}[^{util.ETX}]*{util.ETX}")  # Python-Markdown's placeholders for raw HTML
EPUB_TYPE = "epub:type"  # Python-Markdown's ElementTree writes the prefixed name as it stands


class CaptionKeeper(Treeprocessor):
    """Remember each image's bracket text: it is the caption, while ``{alt="…"}`` is the alt text."""

    def run(self, root: etree.Element) -> None:
        for img in root.iter("img"):
            img.set(CAPTION_ATTR, img.get("alt", ""))


class CaptionNotes(Treeprocessor):
    """A note called in an image's bracket text is called where the image stands in the text.

    Python-Markdown keeps the bracket text as plain alt text, with the note's number run into it, and the note
    itself left out; FigureMaker parses a figure's caption after the inline pass, too late for the notes. So,
    before that pass, the calls leave the bracket text: a figure's caption moves beside its image, in a span
    the pass parses in its place in the text, for FigureMaker to make the caption of; an image inside a line of
    text is followed by its calls."""

    def run(self, root: etree.Element) -> None:
        image = self.md.inlinePatterns["image_link"]
        for parent in list(root.iter()):
            for index, el in reversed(list(enumerate(parent))):
                text = el.text or ""
                if "![" not in text or "[^" not in text or isinstance(text, util.AtomicString):
                    continue
                lone = text.strip()
                if el.tag == "p" and not len(el) and lone.startswith("!["):
                    label, end, found = image.getText(lone, 2)
                    if found and _NOTE_CALL.search(label) and _ADDRESS_AND_ATTRIBUTES.fullmatch(lone, end):
                        el.text = f"![{_NOTE_CALL.sub('', label)}]{lone[end:]}"
                        source = etree.Element("span", {CAPTION_SOURCE: ""})
                        source.text = label
                        parent.insert(index + 1, source)
                        continue
                el.text = _calls_after_images(text, image)


def _calls_after_images(text: str, image) -> str:
    out, last = [], 0
    for start in (m.start() for m in re.finditer(r"!\[", text)):
        if start < last:
            continue
        label, end, found = image.getText(text, start + 2)
        rest = _ADDRESS_AND_ATTRIBUTES.match(text, end) if found else None
        if rest is None or not _NOTE_CALL.search(label):
            continue
        calls = "".join(m.group(0) for m in _NOTE_CALL.finditer(label))
        address = text[end:rest.end()].rstrip()
        spaces = text[end + len(address):rest.end()]
        out.append(f"{text[last:start]}![{_NOTE_CALL.sub('', label)}]{address}{calls}{spaces}")
        last = rest.end()
    return "".join(out) + text[last:]


_NOTE_CALL = re.compile(r"\[\^[^\]\n]+\]")
# The rest of a lone image: its address and title in parentheses, and an attribute list.
_ADDRESS_AND_ATTRIBUTES = re.compile(r"""\(\s*(?:<[^>\n]*>|[^\s()]*)(?:\s+(?:"[^"\n]*"|'[^'\n]*'))?\s*\)"""
                                     r"[ \t]*(?:\{[^}\n]*\})?[ \t]*")
CAPTION_SOURCE = "data-eb-caption-source"


class FigureMaker(Treeprocessor):
    """An image alone in its paragraph is a figure: ``<figure><img/><figcaption>…</figcaption></figure>``.

    Alt text, caption and credit stay three fields: a screen reader announces the alt text and then reads the
    caption, so alt text that merely repeats the caption is heard twice.
    """

    def run(self, root: etree.Element) -> None:
        # Collect first: the tree must not change under the iterator.
        lone = [(parent, p, img) for parent in root.iter() for p in parent
                if p.tag == "p" and (img := _lone_image(p)) is not None]
        for parent, p, img in lone:
            index = list(parent).index(p)
            after = parent[index + 1] if index + 1 < len(parent) else None
            parsed = after if after is not None and after.get(CAPTION_SOURCE) is not None else None
            if parsed is not None:
                parent.remove(parsed)
            parent.remove(p)
            parent.insert(index, self._figure(img, p.tail, parsed))

    def _figure(self, img: etree.Element, tail: str | None, parsed: etree.Element | None) -> etree.Element:
        """``parsed``: the caption, already parsed in its place by CaptionNotes."""
        figure = etree.Element("figure")
        figure.tail = tail
        caption = img.attrib.pop(CAPTION_ATTR, "").strip()
        if "credit" in img.attrib and not img.get("credit", "").strip():
            figure.set(EMPTY_CREDIT_ATTR, "")
        credit = img.attrib.pop("credit", "").strip()
        img.tail = None
        figure.append(img)
        if caption or credit:
            figcaption = etree.SubElement(figure, "figcaption")
            if caption and parsed is None:
                text = etree.SubElement(figcaption, "span", {"class": "caption"})
                text.text = caption
            if credit:
                span = etree.SubElement(figcaption, "span", {"class": "credit"})
                span.text = credit
            # The caption and credit are Markdown too (*italic* titles, links): run the inline parser on them.
            self.md.treeprocessors["inline"].run(figcaption)
            if caption and parsed is not None:
                parsed.attrib.clear()
                parsed.set("class", "caption")
                parsed.tail = None
                figcaption.insert(0, parsed)
            if caption and img.get("alt", "") in ("", caption):
                # No {alt="…"} of its own: the caption's plain text serves, without its Markdown, its note
                # calls, or the placeholders of any raw HTML in it (pasted back later, they would break the
                # attribute).
                text = _STASHED.sub("", _plain_text(figcaption[0]))
                img.set("alt", " ".join(text.split()))
        img.set("alt", img.get("alt", ""))
        return figure


def _plain_text(el: etree.Element) -> str:
    """The text of ``el`` without its note calls."""
    if el.tag == "sup" and el.find("a[@class='footnote-ref']") is not None:
        return el.tail or ""
    return (el.text or "") + "".join(_plain_text(child) for child in el) + (el.tail or "")


def _lone_image(p: etree.Element) -> etree.Element | None:
    if len(p) != 1 or (p.text or "").strip():
        return None
    child = p[0]
    if child.tag == "img" and not (child.tail or "").strip():
        return child
    return None


class NoteSemantics(Treeprocessor):
    """Turn the footnote extension's ``<div class="footnote"><ol><li>`` into EPUB 3 notes.

    Apple Books and Kobo pop a note up only when the call is ``<a epub:type="noteref">`` and the note an
    ``<aside epub:type="footnote">``; the back link goes at the start of the note, where readers look for it.
    """

    def run(self, root: etree.Element) -> None:
        for sup in root.iter("sup"):
            a = sup.find("a")
            if a is not None and "footnote-ref" in a.get("class", ""):
                a.set(EPUB_TYPE, "noteref")
                a.set("role", "doc-noteref")
        lists = [(parent, div) for parent in root.iter() for div in parent
                 if div.tag == "div" and div.get("class") == "footnote"]
        for parent, div in lists:
            index = list(parent).index(div)
            parent.remove(div)
            parent.insert(index, self._notes(div))

    def _notes(self, div: etree.Element) -> etree.Element:
        section = etree.Element("section", {"class": "footnotes", EPUB_TYPE: "footnotes",
                                            "aria-label": "Footnotes"})
        section.tail = div.tail
        ol = div.find("ol")
        for number, li in enumerate(ol if ol is not None else [], start=1):
            note_id = li.get("id", f"fn-{number}")
            aside = etree.SubElement(section, "aside", {"id": note_id, "class": "footnote",
                                                        EPUB_TYPE: "footnote", "role": "doc-footnote"})
            first_ref = None
            for el in list(li.iter("a")):
                if "footnote-backref" in el.get("class", ""):
                    first_ref = first_ref or el.get("href")
                    _remove_keeping_tail(li, el)
            for child in list(li):  # the paragraph the extension added for its back link after a list or code
                if child.tag == "p" and not len(child) and not (child.text or "").strip() and child is not li[0]:
                    li.remove(child)
            children = list(li)
            if not children or children[0].tag != "p":
                holder = etree.Element("p")
                holder.text, li.text = li.text, None
                children.insert(0, holder)
            first = children[0]
            back = etree.Element("a", {"class": "backlink", "role": "doc-backlink",
                                       "href": first_ref or f"#fnref-{number}"})
            back.text = f"{number}."
            back.tail = " " + (first.text or "").lstrip()
            first.text = None
            first.insert(0, back)
            for child in children:
                aside.append(child)
            _strip_trailing_space(aside)
        return section


def _strip_trailing_space(el: etree.Element) -> None:
    """Removing the extension's back link leaves the space that preceded it at the end of the note."""
    last = el
    while len(last):
        last = last[-1]
        if (last.tail or "").strip():
            last.tail = last.tail.replace(NBSP_PLACEHOLDER, "").rstrip()
            return
    last.text = (last.text or "").replace(NBSP_PLACEHOLDER, "").rstrip() or None


def _remove_keeping_tail(root: etree.Element, el: etree.Element) -> None:
    for parent in root.iter():
        for index, child in enumerate(parent):
            if child is el:
                tail = (el.tail or "").rstrip()
                if index:
                    prev = parent[index - 1]
                    prev.tail = ((prev.tail or "") + tail).rstrip() or None
                else:
                    parent.text = ((parent.text or "") + tail).rstrip() or None
                parent.remove(el)
                return


class BookExtension(Extension):
    """Register the book's Treeprocessors on a Markdown instance."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(CaptionNotes(md), "eb-caption-notes", 20.6)  # before inline (20)
        md.treeprocessors.register(CaptionKeeper(md), "eb-caption-keeper", 8.5)
        md.treeprocessors.register(FigureMaker(md), "eb-figures", 7.5)
        md.treeprocessors.register(NoteSemantics(md), "eb-notes", 14)
