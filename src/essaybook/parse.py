"""Markdown -> ``Document``: parse once, sanitise once, and leave a tree both packagers can trust.

The steps, in order: Python-Markdown with the book's Treeprocessors (figures, notes); nh3 over the whole HTML
(Markdown's own and the author's raw HTML alike); lxml turns it into XHTML elements; then passes over the
tree that must also see raw HTML: heading levels, ids that are XML names, links that resolve, and images that
come only from the essay's own folder.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from urllib.parse import unquote, urlsplit

import lxml.html
import markdown
from lxml import etree
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.toc import slugify_unicode

from essaybook.assets import check_asset, in_folder_for_site_path, inside_folder, refuse_outside_references
from essaybook.dialect import diagnostics, make_markdown, xml_name
from essaybook.errors import SourceError
from essaybook.extensions import EMPTY_CREDIT_ATTR
from essaybook.htmlnames import escape_unknown_tags
from essaybook.labels import label
from essaybook.mdext.math import MATHML_NS
from essaybook.mdext.obsidian import WIKILINK_WRITTEN
from essaybook.metadata import Metadata
from essaybook.model import EPUB_NS, EPUB_TYPE, XHTML_NS, Asset, Document, Heading, x
from essaybook.rules import Diagnostic
from essaybook.sanitize import removals, sanitize_html
from essaybook.source import NOT_XML, Source
from essaybook.sourcemap import FOOTNOTE_REF, TARGET_FORMS, SourceMap
from essaybook.trees import remove_keeping_tail

_HEADINGS = tuple(f"h{n}" for n in range(1, 7))


class _Report:
    """The diagnostics of one parse, each placed in the source through the shared ``SourceMap``."""

    def __init__(self, source: Source, smap: SourceMap) -> None:
        self.source, self.smap = source, smap
        self.items: list[Diagnostic] = []

    def at(self, rule: str, message: str, needle: str | None = None, *, forms: tuple[str, ...] = TARGET_FORMS,
           back_to: tuple[str, ...] = (), line: int | None = None, col: int = 0, claim: bool = True) -> None:
        if needle is not None and line is None:
            line, col = self.smap.place(needle, forms=forms, back_to=back_to, claim=claim)
        self.items.append(Diagnostic(rule, message, self.source.path, line, col))

    def offset(self, rule: str, message: str, offset: int) -> None:
        self.items.append(Diagnostic(rule, message, self.source.path, self.smap.line_of(offset),
                                     self.smap.col_of(offset)))

    def error(self, exc: SourceError, rule: str) -> None:
        self.items.append(Diagnostic(rule, exc.message, exc.path or self.source.path, exc.line, 1 if exc.line else 0))


def parse_document(source: Source, meta: Metadata) -> Document:
    """Parse the essay's Markdown into a ``Document``.

    Everything the parse refuses, drops, rewrites or repairs is recorded in ``Document.warnings`` as a
    ``Diagnostic`` (errors included); ``build.load`` refuses a document with errors, and ``check`` lists them
    all. Only what makes the tree itself impossible (nesting too deep) raises ``SourceError``.
    """
    smap = SourceMap(source)
    report = _Report(source, smap)
    if not source.body.strip():
        report.at("body-empty", "the essay has no text after its front matter; write the essay below the '---'",
                  line=source.body_line)
    md = make_markdown(source, meta)
    try:
        html = md.convert(escape_unknown_tags(source.body, smap.code))
    except RecursionError as exc:
        raise SourceError("the Markdown nests lists or quotes too deeply to be a book; flatten it",
                          path=source.path) from exc
    raw = parse_html(html)
    if depth(raw) > MAX_DEPTH:
        raise SourceError(f"the essay nests lists, quotes or HTML more than {MAX_DEPTH} levels deep, deeper than a "
                          "book can show; flatten it", path=source.path)
    _report_removed_html(md, smap, report)
    _report_undefined_notes(md, smap, report)
    _judge_raw_links(raw, report)
    _judge_raw_figures(raw, report)
    # References are judged on the author's HTML before the sanitiser has had a chance to drop them, so a
    # ``file:`` or ``data:`` image is reported by name instead of vanishing silently.
    site_paths = _site_paths_in_folder(raw, source, report)
    outside = [(img.get("src", ""), smap.place(img.get("src", ""), forms=TARGET_FORMS, claim=False)[0])
               for img in raw.iter("img") if img.get("src") and not _REMOTE.match(img.get("src"))
               and img.get("src") not in site_paths]
    body = to_xhtml(sanitize_html(html))
    for img in body.iter(x("img")):
        if img.get("src") in site_paths:
            img.set("src", site_paths[img.get("src")])
    report.items.extend(diagnostics(md))
    _shift_headings(body)
    ids = fix_ids(body)
    _drop_uncited_notes(body, ids, smap, report)
    _check_links(body, ids, report)
    lead = _inline(md, meta.notes.lead) if meta.notes.lead else None
    prompts = tuple(_inline(md, prompt) for prompt in meta.notes.prompts)
    notes_texts = [p for p in (lead, *prompts) if p is not None]
    outside += [(img.get("src", ""), smap.front_matter_line(img.get("src", "")))
                for p in notes_texts for img in p.iter(x("img"))]
    if meta.cover:
        outside.append((meta.cover, meta.cover_line))
    try:
        refuse_outside_references(outside, source)
    except SourceError as exc:  # one error names them all; the images inside the folder are judged still
        report.error(exc, "image-unusable")
    srcless = sum(1 for img in raw.iter("img") if not (img.get("src") or "").strip())
    assets = _collect_images(body, source, smap, report, srcless)
    cover = _cover(meta, source, report) if inside_folder(meta.cover or "", source.folder) else None
    for p in notes_texts:  # the Notes section's texts: no images, and links only where a reader can go
        _images_to_text(p)
        _check_links(p, ids, report)
    title, subtitle = _inline(md, meta.title), _inline(md, meta.subtitle) if meta.subtitle else None
    meta = _typeset_metadata(md, meta, title, subtitle)
    for section in body.iter(x("section")):
        if section.get(EPUB_TYPE) == "footnotes":
            section.set("aria-label", label(meta.lang, "footnotes"))
    return Document(
        metadata=meta, source_path=source.path, folder=source.folder, slug=source.slug, body=body,
        notes_lead=lead, notes_prompts=prompts, headings=_headings(body), assets=assets, cover=cover,
        warnings=report.items, title=title, subtitle=subtitle,
        source_parts=((source.front_matter_line, source.front_matter), (source.body_line, source.body)),
    )


def _typeset_metadata(md: markdown.Markdown, meta: Metadata, title: etree._Element,
                      subtitle: etree._Element | None) -> Metadata:
    """The title's and names' plain text, as the OPF, the nav, ``<title>``, the cover and the PDF's /Title
    carry them: curly quotes and dashes as in the body ("O'Neill" -> O’Neill), emphasis as plain text; and
    the Notes section's title in the book's language unless the author chose one."""
    def plain(el: etree._Element | None) -> str | None:
        return " ".join("".join(el.itertext()).split()) if el is not None else None

    def smart(text: str | None) -> str | None:
        return plain(_inline(md, text)) if text else text

    notes = dataclasses.replace(meta.notes, title=smart(meta.notes.title) or label(meta.lang, "notes"))
    return dataclasses.replace(meta, title=plain(title), subtitle=plain(subtitle),
                               authors=tuple(smart(a) for a in meta.authors), notes=notes)


def _report_removed_html(md: markdown.Markdown, smap: SourceMap, report: _Report) -> None:
    """The author's raw HTML, chunk by chunk as Python-Markdown stashed it, judged by the sanitiser's list."""
    for chunk in md.htmlStash.rawHtmlBlocks:
        if not isinstance(chunk, str) or not chunk.strip():
            continue
        found = removals(chunk)
        if not found:
            continue
        start = smap.find(chunk.strip()) if "\n" not in chunk.strip() else smap.find(chunk.strip().split("\n")[0])
        lead = len(chunk) - len(chunk.lstrip())
        for at, message in found:
            if start is None:
                report.at("html-removed", message)
            else:
                report.offset("html-removed", message, start + at - lead)


def _report_undefined_notes(md: markdown.Markdown, smap: SourceMap, report: _Report) -> None:
    """A call with no definition stays in the text as typed: ``[^ledger]`` would print."""
    notes = next(e for e in md.registeredExtensions if isinstance(e, FootnoteExtension))
    defined = set(notes.footnotes)
    for m in FOOTNOTE_REF.finditer(smap.code):
        label_ = m.group(1)
        if label_ not in defined and smap.code[m.end():m.end() + 1] != ":":
            report.offset("footnote-undefined", f"footnote [^{label_}] has no definition, so the book would print "
                          f"'[^{label_}]'; add a line '[^{label_}]: …'", m.start())


def link_problem(href: str) -> tuple[str, str] | None:
    """Why a book cannot keep this link (rule, message), or None if a reader can follow it from any page.
    Same-document ``#fragments`` are judged once the ids are known (``_check_links``)."""
    scheme = _scheme(href)
    if scheme in ("http", "https"):
        if is_plain_url(href) and urlsplit(href).netloc:
            return None
        return "link-broken", f"link '{href}' has no host; write the full address (https://…)"
    if scheme == "mailto":
        return None
    if scheme:
        what = "may not run or embed" if scheme in ("javascript", "data", "vbscript", "file") else "cannot follow"
        return "link-scheme", (f"link '{href[:60]}' uses '{scheme}:', which a book {what} (only http, https and "
                               "mailto); its text is kept, the link dropped")
    if not href:
        return "link-broken", "link has no address; its text is kept, the link dropped"
    if href.startswith("#"):
        return None
    return "link-broken", (f"link '{href}' is relative and leads nowhere in the book; its text is kept, the "
                           "link dropped (link the full address, https://…, or a #heading)")


def _words(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text).casefold().split())


def _scheme(href: str) -> str | None:
    m = re.match(r"^\s*([A-Za-z][A-Za-z0-9+.\-]*):", href)
    return m.group(1).lower() if m else None


_NOTE_LINKS = {"footnote-ref", "footnote-backref", "backlink"}


def _judge_raw_links(raw: etree._Element, report: _Report) -> None:
    """Links judged as the author wrote them, before the sanitiser disarms a ``javascript:`` address."""
    for a in raw.iter("a"):
        href = a.get("href")
        if href is None or _NOTE_LINKS & set((a.get("class") or "").split()):
            continue
        written = a.get(WIKILINK_WRITTEN)
        if written is not None:  # said as the author wrote it, at its line (its href is a quoted note name)
            what = "a block (^…), which the book does not link" if "#^" in written else \
                "another note, which is not in the book"
            report.at("link-broken", f"[[{written}]] links to {what}; its text is kept, the link dropped (embed "
                      "the note with ![[…]] on a line of its own, or link a heading of this essay)",
                      needle=written, forms=("[[{}",))
            continue
        problem = link_problem(href.strip())
        if problem is not None:
            report.at(*problem, needle=href.strip() or "]()", forms=TARGET_FORMS if href.strip() else ("{}",))


def _written_target(report: _Report, src: str) -> str | None:
    """The image's address as the author wrote it: the path, or for an image found by its name in the folder
    (Obsidian's ``![[fig1.png]]``, found in ``attachments/``) the name, so a finding is placed at its line."""
    if not src:
        return None
    name = unquote(src).rsplit("/", 1)[-1]
    return src if report.smap.find(src, forms=TARGET_FORMS, claim=False) is not None or not name else name


def _judge_raw_figures(raw: etree._Element, report: _Report) -> None:
    """A figure's three texts: alt that only repeats the caption is heard twice; an empty caption or credit
    (the web capture's bare "Source:") leaves the reader wondering."""
    for figure in raw.iter("figure"):
        img = figure.find("img")
        if img is None:
            continue
        src = img.get("src", "")
        where = {"needle": _written_target(report, src), "back_to": ("![", "<img")}
        caption = credit = ""
        figcaption = figure.find("figcaption")
        spans = [span for span in figcaption.iterchildren("span") if span.get("class") in ("caption", "credit")] \
            if figcaption is not None else []
        for span in spans:
            text = " ".join(span.text_content().split())
            caption, credit = (text, credit) if span.get("class") == "caption" else (caption, text)
        if figcaption is not None and not spans:  # the author's own <figcaption> (raw HTML, a WordPress caption)
            caption = " ".join(figcaption.text_content().split())
        alt = " ".join((img.get("alt") or "").split())
        if alt and caption and f" {_words(alt)} " in f" {_words(caption)} ":
            report.at("alt-repeats-caption", "alt text only repeats the caption, and screen readers read both; "
                      "describe what the image shows in {alt=\"…\"}", **where)
        if not caption:
            report.at("caption-incomplete", "figure has no caption; write one between the brackets: ![caption](…)",
                      **where)
        elif caption.endswith(":"):
            report.at("caption-incomplete", f"caption ends in '{caption.split()[-1]}' with nothing after it", **where)
        if figure.get(EMPTY_CREDIT_ATTR) is not None:
            report.at("caption-incomplete", "credit is empty; name the source or remove credit=\"\"", **where)
        elif credit.endswith(":"):
            report.at("caption-incomplete", f"credit ends in '{credit.split()[-1]}' with nothing after it", **where)


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
            if el.tag == "a" and el.get("href"):
                _link_inside_blocks(el)
            el.drop_tag()
        elif el.tag == "a" and el.get("href") and not el.get("id") and not el.get("name") and not len(el) \
                and not (el.text or "").strip() and el.getparent() is not None:
            el.drop_tag()  # what the parser left of a link it closed before a block (the block holds a copy)
    for p in [p for p in root.iter("p") if not len(p) and not (p.text or "").strip() and not p.attrib]:
        p.drop_tree()  # a paragraph the parser emptied so (or an author's spacer), which no reader shows
    return root


def _link_inside_blocks(a: etree._Element) -> None:
    r"""A link around blocks (a Ghost bookmark card: the title and description as ``<div>``\ s in one ``<a>``) is
    made a link inside each innermost block instead, so that its address survives the unwrapping."""
    innermost = [b for b in a.iter() if isinstance(b.tag, str) and b.tag in _BLOCK
                 and not any(isinstance(c.tag, str) and c.tag in _BLOCK for c in b.iterdescendants())]
    for block in innermost:
        if not (block.text or "").strip() and not len(block):
            continue
        link = block.makeelement("a", dict(a.attrib))
        link.text, block.text = block.text, None
        for child in list(block):
            link.append(child)
        block.append(link)


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


def _copy_into_xhtml(src: etree._Element, parent: etree._Element | None, math: bool = False) -> etree._Element:
    # MathML keeps its own namespace (the HTML parser knows none): <math> and what it holds.
    math = math or src.tag == "math"
    tag = (f"{{{MATHML_NS}}}{src.tag}" if math else x(src.tag)) if isinstance(src.tag, str) else x("span")
    el = etree.Element(tag, nsmap={None: XHTML_NS, "epub": EPUB_NS}) if parent is None \
        else etree.SubElement(parent, tag, nsmap={None: MATHML_NS} if src.tag == "math" else None)
    for name, value in src.attrib.items():
        if not value.strip() and name in ("style", "class"):  # emptied by the sanitiser
            continue
        value = NOT_XML.sub("", value)
        if name == "epub:type":
            el.set(EPUB_TYPE, value)
        elif ":" not in name and name != "xmlns":
            el.set(name, value)
    el.text = _xml_text(src.text)
    for child in src:
        if isinstance(child.tag, str):
            _copy_into_xhtml(child, el, math).tail = _xml_text(child.tail)
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


_BLOCK_START = re.compile(r"^(\s*)(\d*)([#>+\-*=.)])")


def _inline(md: markdown.Markdown, text: str) -> etree._Element:
    """A front-matter text (the title, a prompt, the lead) as inline Markdown in one ``<p>``.

    The rule, pandoc's: metadata is Markdown, so ``*emphasis*`` and ``code`` are what they say; but it holds
    no raw HTML, so every ``<`` and ``&`` is text (``Why a <b> c`` keeps its ``<b>``), and a leading ``1.`` or
    ``#`` does not turn a title into a list or a heading."""
    md.reset()
    escaped = text.replace("&", "&amp;").replace("<", "&lt;")
    escaped = _BLOCK_START.sub(lambda m: m.group(1) + m.group(2) + "\\" + m.group(3), escaped, count=1)
    div = to_xhtml(sanitize_html(md.convert(escaped)))
    p = div.find(x("p"))
    if p is None or len(div) != 1:
        p = etree.Element(x("p"))
        p.text = " ".join(text.split())
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


def _drop_uncited_notes(body: etree._Element, ids: set[str], smap: SourceMap, report: _Report) -> None:
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
        name = aside.get("id", "").removeprefix("fn-")
        report.at("footnote-unused", f"footnote [^{name}] is never cited in the text; left out (cite it or remove "
                  "it)", f"[^{name}]:")
        section = aside.getparent()
        section.remove(aside)
        if not len(section):
            section.getparent().remove(section)


def _check_links(body: etree._Element, ids: set[str], report: _Report) -> None:
    """Links stay links only if a reader can follow them: web and mail addresses, and places in the book.
    The others keep their text; why each was dropped was said when the raw links were judged, except for
    ``#fragments``, which only now can be looked up among the book's ids."""
    missing: dict[str, int] = {}
    for a in list(body.iter(x("a"))):
        href = a.get("href")
        if href is None:  # a link the sanitiser disarmed (javascript:): its text stays, as plain text
            _unwrap(a)
            continue
        href = href.strip()
        a.set("href", href)
        if href.startswith("#"):
            if unquote(href[1:]) in ids:
                a.set("href", "#" + unquote(href[1:]))
                continue
            if a.get(EPUB_TYPE) != "noteref" and a.get("class") != "backlink":
                missing[href] = missing.get(href, 0) + 1
            _unwrap(a)
        elif link_problem(href) is not None:
            _unwrap(a)
    for href, count in missing.items():
        times = f" ({count} times)" if count > 1 else ""
        close = difflib.get_close_matches(unquote(href[1:]), sorted(ids), n=1, cutoff=0.6)
        hint = f"; did you mean '#{close[0]}'?" if close else "; link a heading's id or a note"
        report.at("link-broken", f"link '{href}' points to no heading or note in the essay{times}; its text is "
                  f"kept, the link dropped{hint}", href)


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


def _collect_images(body: etree._Element, source: Source, smap: SourceMap, report: _Report,
                    srcless: int) -> tuple[Asset, ...]:
    """Every image a file of the essay's own, of a format readers show; each problem said at its line.
    ``srcless`` counts the images the author wrote without a path (the others that lack one lost it to the
    sanitiser, and were refused by name already)."""
    assets: dict[str, Asset | None] = {}
    for img in list(body.iter(x("img"))):
        src = img.get("src", "")
        line = smap.place(src, forms=TARGET_FORMS)[0] if src else None
        if img.get("alt") is None:
            img.set("alt", "")
        captioned = img.getparent() is not None and img.getparent().tag == x("figure") and any(
            "".join(c.itertext()).strip() for c in img.getparent().iter(x("figcaption")))
        if not img.get("alt").strip() and not captioned:  # a caption names the figure; nothing else does
            report.at("alt-missing", "image has no alt text, so screen readers skip it as decoration; add "
                      "{alt=\"what the image shows\"}", src or None, back_to=("![", "<img"), claim=False)
        if not src:
            if srcless > 0:
                srcless -= 1
                report.at("image-unusable", "an image has no source path; write ![caption](images/file.png)",
                          "]()", forms=("{}",))
            remove_keeping_tail(img)
            continue
        if _REMOTE.match(src):
            report.at("image-remote", f"image '{src[:80]}' is on the web, and a build fetches nothing: it is left "
                      "out" + (", its alt text printed instead" if (img.get("alt") or "").strip() else "")
                      + "; download it beside the essay and refer to the file", src, forms=TARGET_FORMS)
            _image_to_alt_text(img)
            continue
        if inside_folder(src, source.folder) is None:  # refused above, with every other outside reference
            continue
        if src not in assets:
            try:
                assets[src] = check_asset(src, source, line)
            except SourceError as exc:
                report.error(exc, "image-unusable")
                assets[src] = None
        if assets[src] is not None:
            img.set("src", assets[src].href)
    found = [a for a in assets.values() if a is not None]
    return tuple({a.href: a for a in found}.values())


def _site_paths_in_folder(raw: etree._Element, source: Source, report: _Report) -> dict[str, str]:
    """The images written as the web site's paths or addresses (``/assets/img/log.png``, ``{{ site.baseurl
    }}/images/x.png`` once its tag is gone, a full address on the site) that name a file inside the essay's
    folder: each with that file's relative path, and one warning naming them, at the first."""
    found: dict[str, str] = {}
    for img in raw.iter("img"):
        src = (img.get("src") or "").strip()
        if src and src not in found and (src.startswith(("/", "__GHOST_URL__")) or _REMOTE.match(src)):
            local = in_folder_for_site_path(src, source.folder)
            if local is not None:
                found[src] = local
    if found:
        first = next(iter(found))
        shown = ", ".join(f"{src} → {local}" for src, local in list(found.items())[:3])
        report.at("image-site-path", f"{len(found)} image{'s are' if len(found) > 1 else ' is'} named as the web "
                  f"site serves {'them' if len(found) > 1 else 'it'}; the file of that name in the essay's folder is "
                  f"used ({shown}{', …' if len(found) > 3 else ''}); write the path relative to the essay",
                  first, forms=TARGET_FORMS, claim=False)
    return found


_REMOTE = re.compile(r"(?i)^(?:https?:)?//")


def _image_to_alt_text(img: etree._Element) -> None:
    """The image goes; its alt text stays as text where it stood, unless a figure's caption says it already."""
    alt = " ".join((img.get("alt") or "").split())
    figure = img.getparent()
    caption = "".join(figure.itertext()) if figure is not None and figure.tag == x("figure") else ""
    if alt and " ".join(caption.split()) != alt:
        img.tail = f"[{alt}]" + (img.tail or "")
    remove_keeping_tail(img)


def _cover(meta: Metadata, source: Source, report: _Report) -> Asset | None:
    try:
        return cover_asset(meta, source)
    except SourceError as exc:
        report.error(exc, "image-unusable")
        return None


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
