"""Markdown -> ``Document``: parse once, sanitise once, and leave a tree both packagers can trust.

The steps, in order: Python-Markdown with the book's Treeprocessors (figures, notes); nh3 over the whole HTML
(Markdown's own and the author's raw HTML alike); lxml turns it into XHTML elements; then passes over the
tree that must also see raw HTML: heading levels, ids that are XML names, links that resolve, and images that
come only from the essay's own folder.
"""

from __future__ import annotations

import dataclasses
import re
from html import unescape
from urllib.parse import unquote, urlsplit

import lxml.html
import markdown
from lxml import etree
from markdown.extensions.toc import slugify_unicode

from essaybook.assets import check_asset, refuse_outside_references
from essaybook.errors import SourceError
from essaybook.extensions import BookExtension
from essaybook.labels import label
from essaybook.metadata import Metadata
from essaybook.model import EPUB_NS, EPUB_TYPE, XHTML_NS, Asset, Document, Heading, x
from essaybook.rules import Diagnostic
from essaybook.sanitize import sanitize_html
from essaybook.source import NOT_XML, Source

# Curly quotes, dashes and ellipses as characters: smarty's default named entities are not XML.
_SMARTY = {
    "left-single-quote": "\u2018", "right-single-quote": "\u2019",
    "left-double-quote": "\u201c", "right-double-quote": "\u201d",
    "left-angle-quote": "\u00ab", "right-angle-quote": "\u00bb",
    "ndash": "\u2013", "mdash": "\u2014", "ellipsis": "\u2026",
}
_NAME_START = re.compile(r"^[^\W\d]", re.UNICODE)
_NOT_NAME = re.compile(r"[^\w.\-]", re.UNICODE)
_HEADINGS = tuple(f"h{n}" for n in range(1, 7))


def make_markdown() -> markdown.Markdown:
    """The Markdown dialect authors expect from pandoc-like tools, configured to emit XML-safe output."""
    return markdown.Markdown(
        extensions=["footnotes", "tables", "attr_list", "def_list", "abbr", "fenced_code", "md_in_html",
                    "smarty", "toc", "sane_lists", BookExtension()],
        extension_configs={
            "footnotes": {"SEPARATOR": "-", "BACKLINK_TEXT": "\u21a9\ufe0e"},
            "smarty": {"substitutions": _SMARTY},
            "toc": {"slugify": _slugify, "permalink": False},
        },
        output_format="xhtml",
    )


def _slugify(value: str, separator: str) -> str:
    return xml_name(slugify_unicode(value, separator) or "section")


def xml_name(value: str) -> str:
    """An id EPUBCheck and the NCX accept: an XML name without colons, starting with a letter."""
    value = _NOT_NAME.sub("-", value).strip("-") or "id"
    return value if _NAME_START.match(value) else f"x-{value}"


def parse_document(source: Source, meta: Metadata) -> Document:
    """Parse the essay's Markdown into a ``Document``. Raises ``SourceError`` for what the author must fix."""
    if not source.body.strip():
        raise SourceError("the essay has no text after its front matter; write the essay below the '---'",
                          path=source.path, line=source.body_line)
    md = make_markdown()
    try:
        html = md.convert(source.body)
    except RecursionError as exc:
        raise SourceError("the Markdown nests lists or quotes too deeply to be a book; flatten it",
                          path=source.path) from exc
    # References are judged on the author's HTML before the sanitiser has had a chance to drop them, so a
    # ``file:`` or ``data:`` image is reported by name instead of vanishing silently.
    raw = parse_html(html)
    if depth(raw) > MAX_DEPTH:
        raise SourceError(f"the essay nests lists, quotes or HTML more than {MAX_DEPTH} levels deep, deeper than a "
                          "book can show; flatten it", path=source.path)
    refuse_outside_references([(img.get("src", ""), _line_of(source, img.get("src", "")))
                               for img in raw.iter("img") if img.get("src")], source)
    body = to_xhtml(sanitize_html(html))
    warnings: list[Diagnostic] = list(meta.warnings)
    for a in raw.iter("a"):
        href = (a.get("href") or "").strip()
        if re.match(r"(?i)^(javascript|data|vbscript|file):", href):
            warnings.append(Diagnostic(
                "link-scheme", f"link '{href[:40]}' removed (a book may not run or embed it); its text "
                                     "is kept", source.path, _line_of(source, href)))
    _shift_headings(body)
    ids = fix_ids(body)
    _drop_uncited_notes(body, ids, source, warnings)
    _check_links(body, ids, source, warnings)
    assets = _collect_images(body, source)
    headings = _headings(body)
    cover = cover_asset(meta, source)
    lead = _inline(md, meta.notes.lead) if meta.notes.lead else None
    prompts = tuple(_inline(md, prompt) for prompt in meta.notes.prompts)
    notes_texts = [p for p in (lead, *prompts) if p is not None]
    refuse_outside_references([(img.get("src", ""), _front_matter_line_of(source, img.get("src", "")))
                               for p in notes_texts for img in p.iter(x("img"))], source)
    for p in notes_texts:  # the Notes section's texts: no images, and links only where a reader can go
        _images_to_text(p)
        _check_links(p, ids, source, warnings)
    meta = _typeset_metadata(md, meta)
    for section in body.iter(x("section")):
        if section.get(EPUB_TYPE) == "footnotes":
            section.set("aria-label", label(meta.lang, "footnotes"))
    return Document(
        metadata=meta, source_path=source.path, folder=source.folder, slug=source.slug, body=body,
        notes_lead=lead, notes_prompts=prompts, headings=headings, assets=assets, cover=cover,
        warnings=warnings,
        source_parts=((source.front_matter_line, source.front_matter), (source.body_line, source.body)),
    )


def _typeset_metadata(md: markdown.Markdown, meta: Metadata) -> Metadata:
    """Curly quotes and dashes in the title, subtitle and names too, as in the body ("O'Neill" -> O’Neill);
    and the Notes section's title in the book's language unless the author chose one."""
    def smart(text: str | None) -> str | None:
        return " ".join("".join(_inline(md, text).itertext()).split()) if text else text

    notes = dataclasses.replace(meta.notes, title=smart(meta.notes.title) or label(meta.lang, "notes"))
    return dataclasses.replace(meta, title=smart(meta.title), subtitle=smart(meta.subtitle),
                               authors=tuple(smart(a) for a in meta.authors), notes=notes)


# libxml2 silently cuts HTML deeper than 255 levels; huge_tree lifts that, and MAX_DEPTH refuses what no
# reader (nor WeasyPrint's recursive layout, which fails near a hundred levels) could show.
_HTML_PARSER = lxml.html.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True)
MAX_DEPTH = 48
_VOID = {"area", "br", "col", "hr", "img", "wbr", "input", "meta", "link", "source", "track", "embed", "param"}
_BLOCK = {"address", "article", "aside", "blockquote", "details", "dd", "div", "dl", "dt", "figcaption", "figure",
          "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
          "section", "table", "ul", "caption", "thead", "tbody", "tfoot", "tr", "td", "th", "summary"}
_PHRASING = {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "dfn", "del", "em", "i", "ins", "kbd", "mark", "q",
             "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "ruby"}


def parse_html(html: str) -> etree._Element:
    """HTML (Markdown's output, with the author's raw HTML) -> an lxml tree in a ``<div>``, made sound:
    void elements hold nothing, and phrasing elements left open around blocks (an unclosed ``<b>``) are
    unwrapped rather than allowed to swallow paragraphs."""
    try:
        root = lxml.html.fragment_fromstring(html or "", create_parent="div", parser=_HTML_PARSER)
    except etree.ParserError:  # nothing but a doctype or comments
        return lxml.html.fragment_fromstring("", create_parent="div")
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        if el.tag in _VOID and (len(el) or el.text):
            _hoist_content(el)
        elif el.tag in _PHRASING and any(isinstance(c.tag, str) and c.tag in _BLOCK for c in el.iter()):
            el.drop_tag()
    return root


def _hoist_content(el: etree._Element) -> None:
    """Move what a void element wrongly holds to just after it."""
    text, el.text = el.text, None
    for child in reversed(list(el)):
        el.addnext(child)
    if text:
        el.tail = text + (el.tail or "")


def depth(root: etree._Element) -> int:
    deepest, stack = 0, [(root, 1)]
    while stack:
        el, d = stack.pop()
        deepest = max(deepest, d)
        stack.extend((c, d + 1) for c in el)
    return deepest


def to_xhtml(html: str) -> etree._Element:
    """Sanitised HTML -> a ``<div>`` of XHTML-namespaced elements (``epub:type`` in the OPS namespace)."""
    return _copy_into_xhtml(parse_html(html), None)


def _copy_into_xhtml(src: etree._Element, parent: etree._Element | None) -> etree._Element:
    tag = x(src.tag) if isinstance(src.tag, str) else x("span")
    el = etree.Element(tag, nsmap={None: XHTML_NS, "epub": EPUB_NS}) if parent is None \
        else etree.SubElement(parent, tag)
    for name, value in src.attrib.items():
        if not value.strip() and name in ("style", "class"):  # emptied by the sanitiser
            continue
        value = NOT_XML.sub("", value)
        if name == "epub:type":
            el.set(EPUB_TYPE, value)
        elif ":" not in name:
            el.set(name, value)
    el.text = _xml_text(src.text)
    for child in src:
        if isinstance(child.tag, str):
            _copy_into_xhtml(child, el).tail = _xml_text(child.tail)
        elif child.tail:  # a comment or PI the sanitiser let through: keep the text that follows it
            _append_text(el, _xml_text(child.tail))
    return el


def _xml_text(text: str | None) -> str | None:
    """Character references can smuggle in what XML forbids (``&#1;``): drop those characters."""
    return NOT_XML.sub("", text) if text else text


def _append_text(el: etree._Element, text: str) -> None:
    if len(el):
        el[-1].tail = (el[-1].tail or "") + text
    else:
        el.text = (el.text or "") + text


def _inline(md: markdown.Markdown, text: str) -> etree._Element:
    """A short front-matter text (a prompt, the lead) rendered as Markdown into one ``<p>``."""
    md.reset()
    div = to_xhtml(sanitize_html(md.convert(text)))
    p = div.find(x("p"))
    if p is None or len(div) != 1:
        p = etree.Element(x("p"))
        p.text = " ".join("".join(div.itertext()).split())
    return p


def _images_to_text(el: etree._Element) -> None:
    for img in list(el.iter(x("img"))):
        span = etree.Element(x("span"))
        span.text, span.tail = img.get("alt") or None, img.tail
        img.getparent().replace(img, span)


def _shift_headings(body: etree._Element) -> None:
    """The essay's title is the book's only ``h1``: an essay that uses ``#`` headings is shifted one level."""
    if body.find(f".//{x('h1')}") is None:
        return
    for el in body.iter(*(x(h) for h in _HEADINGS)):
        level = int(etree.QName(el).localname[1])
        el.tag = x(f"h{min(level + 1, 6)}")


def fix_ids(body: etree._Element) -> set[str]:
    """Make every id a unique XML name and point same-document links at the renamed ids."""
    seen: set[str] = {"title", "essay", "notes", "notes-title", "footnotes"}
    renamed: dict[str, str] = {}
    for el in body.iter():
        old = el.get("id")
        if old is None:
            continue
        new = base = xml_name(old)
        n = 2
        while new in seen:
            new, n = f"{base}-{n}", n + 1
        seen.add(new)
        renamed.setdefault(old, new)
        el.set("id", new)
    for a in body.iter(x("a")):
        href = a.get("href", "")
        if href.startswith("#") and unquote(href[1:]) in renamed:
            a.set("href", "#" + renamed[unquote(href[1:])])
    return seen


def _drop_uncited_notes(body: etree._Element, ids: set[str], source: Source, warnings: list[Diagnostic]) -> None:
    """A footnote no sentence cites has nowhere to pop up from: leave it out, and say so. A cited note whose
    back link lost its target (a call inside an image's caption) goes back to its first call instead."""
    calls: dict[str, etree._Element] = {}
    for a in body.iter(x("a")):
        if a.get(EPUB_TYPE) == "noteref":
            calls.setdefault(a.get("href", "").lstrip("#"), a)
    for aside in list(body.iter(x("aside"))):
        back = aside.find(f".//{x('a')}[@class='backlink']")
        if back is None:
            continue
        call = calls.get(aside.get("id", ""))
        if call is not None:
            if back.get("href", "").lstrip("#") not in ids:
                holder = call.getparent() if call.getparent().get("id") else call
                if not holder.get("id"):
                    holder.set("id", f"ref-{aside.get('id')}")
                    ids.add(holder.get("id"))
                back.set("href", "#" + holder.get("id"))
            continue
        label = aside.get("id", "").removeprefix("fn-")
        warnings.append(Diagnostic("footnote-unused", f"footnote '[^{label}]' is never cited; left out", source.path,
                                 _line_of(source, f"[^{label}]:")))
        section = aside.getparent()
        section.remove(aside)
        if not len(section):
            section.getparent().remove(section)


def _check_links(body: etree._Element, ids: set[str], source: Source, warnings: list[Diagnostic]) -> None:
    """Links stay links only if a reader can follow them: web and mail addresses, and places in the book."""
    dropped: dict[str, int] = {}
    for a in list(body.iter(x("a"))):
        href = a.get("href")
        if href is None:  # a link the sanitiser disarmed (javascript:): its text stays, as plain text
            _unwrap(a)
            continue
        scheme = urlsplit(href).scheme.lower() if is_plain_url(href) else "?"
        if href.startswith("#") and href[1:] in ids:
            continue
        if scheme in ("http", "https") and is_plain_url(href) and urlsplit(href).netloc:
            continue
        if scheme == "mailto":
            continue
        dropped[href] = dropped.get(href, 0) + 1
        _unwrap(a)
    for href, count in dropped.items():
        times = f" ({count} times)" if count > 1 else ""
        warnings.append(Diagnostic("link-broken", f"link '{href}' points nowhere in the book{times}; kept its "
                                   "text, dropped the link",
                                 source.path, _line_of(source, href)))


def is_plain_url(href: str) -> bool:
    try:
        urlsplit(href)
    except ValueError:
        return False
    return not any(c.isspace() for c in href)


def _unwrap(el: etree._Element) -> None:
    """Replace an element by its content (text and children), keeping the text that follows it."""
    parent = el.getparent()
    index = parent.index(el)
    span = etree.Element(x("span"))
    span.text, span.tail = el.text, el.tail
    for child in el:
        span.append(child)
    for name in ("id", "lang", "class"):
        if el.get(name):
            span.set(name, el.get(name))
    parent.remove(el)
    parent.insert(index, span)


def _collect_images(body: etree._Element, source: Source) -> tuple[Asset, ...]:
    refs = [(img, img.get("src", ""), _line_of(source, img.get("src", ""))) for img in body.iter(x("img"))]
    for _img, src, line in refs:
        if not src:
            raise SourceError("an image has no source path; write ![caption](images/file.png)",
                              path=source.path, line=line)
    refuse_outside_references([(src, line) for _, src, line in refs], source)
    assets = {}
    for img, src, line in refs:
        asset = assets.get(src) or check_asset(src, source, line)
        assets[src] = asset
        img.set("src", asset.href)
        if img.get("alt") is None:
            img.set("alt", "")
    return tuple({a.href: a for a in assets.values()}.values())


def cover_asset(meta: Metadata, source: Source) -> Asset | None:
    if not meta.cover:
        return None
    refuse_outside_references([(meta.cover, meta.cover_line)], source)
    asset = check_asset(meta.cover, source, meta.cover_line)
    if asset.media_type not in ("image/jpeg", "image/png"):
        raise SourceError(f"cover '{meta.cover}' is {asset.media_type}; e-reader libraries show only JPEG or PNG "
                          "covers: convert it", path=source.path, line=meta.cover_line)
    return asset


def _headings(body: etree._Element) -> tuple[Heading, ...]:
    out = []
    for el in body.iter(*(x(h) for h in _HEADINGS[1:])):
        if any(etree.QName(anc).localname in ("aside", "figure") for anc in el.iterancestors()):
            continue
        text = " ".join("".join(el.itertext()).split())
        if not text:
            continue
        if not el.get("id"):
            el.set("id", xml_name(slugify_unicode(text, "-")) + f"-{len(out) + 1}")
        out.append(Heading(level=int(etree.QName(el).localname[1]), id=el.get("id"), text=text))
    return tuple(out)


def _front_matter_line_of(source: Source, needle: str) -> int | None:
    index = source.front_matter.find(needle) if needle else -1
    return source.front_matter_line + source.front_matter.count("\n", 0, index) if index >= 0 else None


def _line_of(source: Source, needle: str) -> int | None:
    """The source line where ``needle`` is referred to: as a Markdown target ``](needle``, a quoted attribute,
    or ``<needle>`` first, then anywhere (close enough for a person to find it)."""
    if not needle:
        return None
    for variant in dict.fromkeys((needle, unquote(needle), unescape(needle))):
        for form in (f"]({variant}", f'"{variant}"', f"'{variant}'", f"<{variant}>", f"]: {variant}", variant):
            index = source.body.find(form)
            if index >= 0:
                return source.body_line + source.body.count("\n", 0, index)
    for number, line in enumerate(source.body.split("\n")):  # written with character references
        if "&" in line and needle in unescape(line):
            return source.body_line + number
    return None
