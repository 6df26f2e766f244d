"""``Document`` -> one XHTML page, built with lxml: the single rendering both the EPUB and the PDF start from.

The page carries meaning (``epub:type``, ARIA roles, classes), never presentation: how a title block or a
paragraph number looks is the stylesheets' business (``base.css`` plus ``epub.css`` or ``print.css``).
"""

from __future__ import annotations

import copy

from lxml import etree

from essaybook.bidi_runs import isolate_addresses, isolate_latin_runs, mark_latin_emphasis
from essaybook.labels import direction, human_date, join_names, label, running_names
from essaybook.model import EPUB_NS, EPUB_TYPE, XHTML_NS, XML_NS, Document, x

# Blocks a class can point at ("see ¶12"): the essay's own paragraphs and quotations, not captions or notes.
_NUMBERED = (x("p"), x("blockquote"))


def render_page(doc: Document, *, paragraph_numbers: bool = True, modified: str | None = None
                ) -> etree._ElementTree:
    """The whole essay as one XHTML page: title block, body, footnotes, and the Notes section."""
    meta = doc.metadata
    html = etree.Element(x("html"), nsmap={None: XHTML_NS, "epub": EPUB_NS})
    html.set("lang", meta.lang)
    html.set(f"{{{XML_NS}}}lang", meta.lang)
    html.set("dir", direction(meta.lang, meta.dir))
    html.append(_head(doc, modified))
    body = etree.SubElement(html, x("body"))
    body.append(_essay(doc, paragraph_numbers))
    body.append(_notes(doc))
    return etree.ElementTree(html)


def serialize(tree: etree._ElementTree | etree._Element) -> bytes:
    """XHTML bytes as e-readers like them: UTF-8, XML declaration, HTML5 doctype."""
    return etree.tostring(tree, xml_declaration=True, encoding="utf-8", doctype="<!DOCTYPE html>")


def _head(doc: Document, modified: str | None) -> etree._Element:
    meta = doc.metadata
    head = etree.Element(x("head"))
    etree.SubElement(head, x("meta"), charset="utf-8")
    etree.SubElement(head, x("title")).text = meta.full_title
    # WeasyPrint reads the PDF's metadata from these; e-readers ignore them.
    named = {
        "author": ", ".join(meta.authors),
        "description": meta.description or "",
        "keywords": ", ".join(meta.subjects + meta.keywords),
        "dcterms.created": modified or "",
        "dcterms.modified": modified or "",
    }
    for name, content in named.items():
        if content:
            etree.SubElement(head, x("meta"), name=name, content=content)
    return head


def _essay(doc: Document, paragraph_numbers: bool) -> etree._Element:
    section = etree.Element(x("section"), {"id": "essay", "class": "essay", EPUB_TYPE: "bodymatter",
                                           "aria-labelledby": "title"})
    section.append(title_block(doc))
    body = copy.deepcopy(doc.body)
    if paragraph_numbers:
        number_paragraphs(body)
    right_to_left = direction(doc.metadata.lang, doc.metadata.dir) == "rtl"
    isolate_addresses(body, right_to_left)
    if right_to_left:
        isolate_latin_runs(body)
    mark_latin_emphasis(body, doc.metadata.lang)
    section.text = body.text
    for child in body:
        section.append(child)
    _identify_blocks(section, "b")
    return section


def _identify_blocks(section: etree._Element, prefix: str) -> None:
    """Every top-level block gets an id, so a place in the handout can be found again in the EPUB."""
    for n, child in enumerate(section, start=1):
        if not child.get("id"):
            child.set("id", f"{prefix}{n}")


def title_block(doc: Document) -> etree._Element:
    meta = doc.metadata
    header = etree.Element(x("header"), {"class": "title-block"})
    _inline_into(etree.SubElement(header, x("h1"), id="title"), doc.title, meta.title)
    if meta.subtitle:
        _inline_into(etree.SubElement(header, x("p"), {"class": "subtitle"}), doc.subtitle, meta.subtitle)
    if meta.authors:
        etree.SubElement(header, x("p"), {"class": "authors", "data-running-author": running_names(
            meta.authors, meta.lang)}).text = join_names(meta.authors, meta.lang)
        affiliations = _affiliations(meta)
        if affiliations:
            etree.SubElement(header, x("p"), {"class": "affiliations"}).text = affiliations
    if meta.date:
        p = etree.SubElement(header, x("p"), {"class": "date"})
        etree.SubElement(p, x("time"), datetime=meta.date).text = human_date(meta.date, meta.lang)
    if meta.source_url:
        p = etree.SubElement(header, x("p"), {"class": "source"})
        p.text = label(meta.lang, "published_before")
        # An address reads left to right inside right-to-left text too: isolated, its slashes stay in place.
        a = etree.SubElement(p, x("a"), href=meta.source_url, dir="ltr")
        a.text = meta.source_url.split("://", 1)[1].rstrip("/")
        a.tail = label(meta.lang, "published_after") or None
    return header


def _inline_into(el: etree._Element, markup: etree._Element | None, text: str) -> None:
    """The author's inline markup (emphasis, code) where there is some, else the plain text."""
    if markup is None:
        el.text = text
        return
    markup = copy.deepcopy(markup)
    el.text = markup.text
    for child in markup:
        el.append(child)


def _affiliations(meta) -> str | None:
    """One line under the names: the affiliation alone when all the authors who have one share it, else each
    name with its own. ORCID iDs and email addresses stay out of print (they are in the package metadata)."""
    pairs = [(a.name, a.affiliation) for a in meta.author_details if a.affiliation]
    if not pairs:
        return None
    places = list(dict.fromkeys(place for _, place in pairs))
    if len(places) == 1:
        return places[0]
    return "; ".join(f"{name}, {place}" for name, place in pairs)


def text_segments(block: etree._Element, skip: tuple[str, ...] = ("pnum", "fn", "footnotes", "qr-note")):
    """``(element, "text"|"tail", string)`` for each piece of text in ``block``, in reading order, leaving out
    paragraph numbers and notes (text a reader does not read in the flow of the page)."""
    def walk(el: etree._Element):
        if el.get("class") in skip or el.get(EPUB_TYPE) in ("footnotes", "footnote") or \
                not isinstance(el.tag, str) or el.tag.endswith("}svg"):
            return
        if el.text:
            yield el, "text", el.text
        for child in el:
            yield from walk(child)
            if child.tail:
                yield child, "tail", child.tail

    yield from walk(block)


def number_paragraphs(body: etree._Element) -> None:
    """Number the essay's top-level paragraphs and quotations, as ``<span class="pnum">`` with a stable id.

    The number is a real element, not a CSS counter, so the EPUB and the PDF show the same numbers in every
    reader, and ``#p12`` can be linked to.
    """
    n = 0
    for block in body:
        if block.tag not in _NUMBERED or not "".join(block.itertext()).strip():
            continue
        n += 1
        target = block
        if block.tag == x("blockquote") and len(block) and block[0].tag == x("p"):
            target = block[0]
        if not block.get("id"):
            block.set("id", f"p{n}")
        span = etree.Element(x("span"), {"class": "pnum", "aria-hidden": "true"})
        span.text = str(n)
        span.tail = target.text
        target.text = None
        target.insert(0, span)
        block.set("class", (block.get("class", "") + " numbered").strip())


def _notes(doc: Document) -> etree._Element:
    notes = doc.metadata.notes
    section = etree.Element(x("section"), {"id": "notes", "class": "reader-notes", EPUB_TYPE: "backmatter",
                                           "aria-labelledby": "notes-title"})
    etree.SubElement(section, x("h2"), id="notes-title").text = notes.title
    if doc.notes_lead is not None:
        lead = copy.deepcopy(doc.notes_lead)
        lead.set("class", "lead")
        section.append(lead)
    if doc.notes_prompts:
        ol = etree.SubElement(section, x("ol"), {"class": "prompts"})
        for prompt in doc.notes_prompts:
            li = etree.SubElement(ol, x("li"))
            p = copy.deepcopy(prompt)
            li.text = p.text
            for child in p:
                li.append(child)
    _identify_blocks(section, "n")
    return section
