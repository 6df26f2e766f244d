"""The page + its assets -> an EPUB 3 package, with ebooklib writing the OPF, NCX and zip.

pandoc's shape: the EPUB is the HTML page plus packaging. The page's top-level sections become the book's
documents (the essay, the Notes section), a cover page leads the spine, and ``nav.xhtml`` (contents,
landmarks, page list) is built here with lxml because ebooklib's own nav can do neither titles in the book's
language nor a page list for non-``EpubHtml`` documents.

Reproducibility: ebooklib stamps zip entries with the current time, so the zip it writes is copied with the
book's own date on every entry, ``mimetype`` first and stored (``_write_reproducibly``).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import BinaryIO
from urllib.parse import unquote

from ebooklib import epub
from lxml import etree

from essaybook.a11y import CERTIFIER, CONFORMS_TO, accessibility_properties
from essaybook.labels import direction, join_names, label
from essaybook.model import EPUB_NS, EPUB_TYPE, XHTML_NS, XML_NS, Collection, Document, PageBreak, x
from essaybook.xhtml import serialize, text_segments

XHTML_TYPE = "application/xhtml+xml"
STYLESHEET = "style.css"
# Names the packager itself uses inside EPUB/; an essay's own file with one of these names is moved aside.
_RESERVED = {"nav.xhtml", "toc.ncx", "cover.xhtml", "essay.xhtml", "notes.xhtml", "cover.png", STYLESHEET,
             "content.opf"}


def write_epub(doc: Document, page: etree._ElementTree, *, css: str, out: BinaryIO, modified: dt.datetime,
               cover_png: bytes | None = None, page_list: Sequence[PageBreak] = (),
               page_source: str | None = None) -> None:
    """Package ``page`` as an EPUB into ``out``. ``cover_png`` is used when the essay brings no cover."""
    meta = doc.metadata
    book = epub.EpubBook()
    book.FOLDER_NAME = "EPUB"
    book.set_identifier(meta.identifier)
    book.set_language(meta.lang)
    text_dir = direction(meta.lang, meta.dir)
    if text_dir == "rtl":
        book.set_direction("rtl")  # the spine's page-progression-direction: pages turn from right to left
    book.title = meta.title
    _add_descriptive_metadata(book, doc)
    for prop, value in accessibility_properties(doc, page_list_source=page_source if page_list else None):
        book.add_metadata(None, "meta", value, {"property": prop})
    book.add_metadata(None, "meta", CONFORMS_TO, {"property": "dcterms:conformsTo", "id": "conformance"})
    book.add_metadata(None, "meta", CERTIFIER, {"property": "a11y:certifiedBy", "refines": "#conformance"})
    if page_list and page_source:
        book.add_metadata(None, "meta", page_source, {"property": "pageBreakSource"})

    book.add_item(epub.EpubItem(uid="style", file_name=STYLESHEET, media_type="text/css",
                                content=css.encode("utf-8")))
    asset_names = _asset_names(doc)
    for n, asset in enumerate(doc.assets, start=1):
        book.add_item(epub.EpubItem(uid=f"asset-{n}", file_name=asset_names[asset.href],
                                    media_type=asset.media_type, content=asset.path.read_bytes()))

    page = copy.deepcopy(page)
    _point_at_packaged_assets(page, asset_names)
    _insert_page_breaks(page, page_list)
    documents = _split(page)
    cover_name = _cover(book, doc, cover_png, asset_names)
    cover_doc = _cover_page(cover_name, _cover_alt(doc), meta.lang, text_dir)
    spine_items = [_document_item("cover", "cover.xhtml", cover_doc)]
    for name, tree in documents:
        spine_items.append(_document_item(name.removesuffix(".xhtml"), name, tree))
    for item in spine_items:
        book.add_item(item)

    toc_tree = _toc(doc)
    nav = _nav(doc, toc_tree, documents, page_list)
    nav_item = epub.EpubItem(uid="nav", file_name="nav.xhtml", media_type=XHTML_TYPE, content=serialize(nav))
    nav_item.properties = ["nav"]
    book.add_item(nav_item)
    book.add_item(epub.EpubNcx())
    book.toc = _ncx_toc(toc_tree)
    # The contents page follows the cover in reading order: the landmarks point at it, and Kindle's converter
    # wants an HTML table of contents it can reach.
    book.spine = [spine_items[0], nav_item, *spine_items[1:]]
    _write_reproducibly(book, out, lang=meta.lang, stamp=modified)


def _add_descriptive_metadata(book: epub.EpubBook, doc: Document) -> None:
    meta = doc.metadata
    book.add_metadata("DC", "title", meta.title, {"id": "title"})
    book.add_metadata(None, "meta", "main", {"refines": "#title", "property": "title-type"})
    if meta.subtitle:
        book.add_metadata("DC", "title", meta.subtitle, {"id": "subtitle"})
        book.add_metadata(None, "meta", "subtitle", {"refines": "#subtitle", "property": "title-type"})
    for n, author in enumerate(meta.authors, start=1):
        book.add_metadata("DC", "creator", author, {"id": f"creator-{n}"})
        book.add_metadata(None, "meta", "aut", {"refines": f"#creator-{n}", "property": "role",
                                                "scheme": "marc:relators"})
        book.add_metadata(None, "meta", str(n), {"refines": f"#creator-{n}", "property": "display-seq"})
    if meta.date:
        book.add_metadata("DC", "date", meta.date)
    if meta.description:
        book.add_metadata("DC", "description", meta.description)
    for subject in dict.fromkeys(meta.subjects + meta.keywords):
        book.add_metadata("DC", "subject", subject)
    if meta.rights:
        book.add_metadata("DC", "rights", meta.rights)
    if meta.source_url:
        book.add_metadata("DC", "source", meta.source_url)


def _asset_names(doc: Document) -> dict[str, str]:
    """Each asset's path inside EPUB/: its path in the essay's folder, unless that clashes with ours."""
    names = {}
    for n, asset in enumerate(doc.assets, start=1):
        name = unquote(asset.href)
        if name.lower() in _RESERVED:
            name = f"media/{n}-{name.rsplit('/', 1)[-1]}"
        names[asset.href] = name
    if doc.cover is not None and doc.cover.href not in names:
        names[doc.cover.href] = f"media/cover-{unquote(doc.cover.href).rsplit('/', 1)[-1]}"
    return names


def _point_at_packaged_assets(page: etree._ElementTree, names: dict[str, str]) -> None:
    for img in page.iter(x("img")):
        src = img.get("src", "")
        if src in names and names[src] != unquote(src):
            img.set("src", names[src])


def _insert_page_breaks(page: etree._ElementTree, breaks: Sequence[PageBreak]) -> None:
    """A ``pagebreak`` marker where each handout page begins: before the word that starts the page's first
    line, or at the block's start when the page starts with one."""
    by_id = {el.get("id"): el for el in page.iter() if el.get("id")}
    for br in breaks:
        block = by_id.get(br.block)
        if block is None:
            continue
        marker = etree.Element(x("span"), {"id": f"page-{br.number}", EPUB_TYPE: "pagebreak",
                                           "role": "doc-pagebreak", "aria-label": str(br.number)})
        if br.after:
            block.addnext(marker)
        elif br.probe is None or not _insert_at_words(block, br.probe, marker):
            if block.tag in (x("section"), x("p"), x("li"), x("h2"), x("h3"), x("h4"), x("h5"), x("h6"),
                             x("div"), x("header"), x("blockquote"), x("figcaption"), x("dd"), x("dt")):
                marker.tail, block.text = block.text, None
                block.insert(0, marker)
            else:  # a list, table or figure cannot hold a span directly: the marker goes just before it
                block.addprevious(marker)


_NO_PHRASING = {x(t) for t in ("dl", "ul", "ol", "table", "thead", "tbody", "tfoot", "tr", "colgroup")}


def _insert_at_words(block: etree._Element, probe: str, marker: etree._Element) -> bool:
    segments = list(text_segments(block))
    text = "".join(s for _, _, s in segments)
    pattern = r"\s+".join(re.escape(w) for w in probe.split())
    found = re.search(pattern, text)
    if found is None:
        return False
    at = found.start()
    while at > 0 and text[at - 1].isalnum():  # the page began inside a hyphenated word: mark the word
        at -= 1
    if not text[:at].strip():  # the page begins with the block: the marker goes before it, not in it
        block.addprevious(marker)
        return True
    for el, kind, string in segments:
        container = el if kind == "text" else el.getparent()
        if at < len(string) and container.tag in _NO_PHRASING:
            at = 0  # whitespace between list items or cells: the marker goes into the next item's text
            continue
        if at < len(string):  # ``at`` is where a word starts; at a segment's end it starts the next one
            before, after = string[:at], string[at:]
            if kind == "text":
                el.text = before or None
                el.insert(0, marker)
            else:
                el.tail = before or None
                el.addnext(marker)
            marker.tail = after or None
            return True
        at -= len(string)
    return False


def _split(page: etree._ElementTree) -> list[tuple[str, etree._ElementTree]]:
    """One XHTML document per top-level section of the page, with links across documents rewritten."""
    root = page.getroot()
    head = root.find(x("head"))
    body = root.find(x("body"))
    parts = []
    for section in body:
        name = f"{section.get('id')}.xhtml"
        html = etree.Element(x("html"), nsmap={None: XHTML_NS, "epub": EPUB_NS})
        for attr, value in root.attrib.items():
            html.set(attr, value)
        new_head = copy.deepcopy(head)
        for link in new_head.findall(x("link")):
            new_head.remove(link)
        etree.SubElement(new_head, x("link"), rel="stylesheet", type="text/css", href=STYLESHEET)
        html.append(new_head)
        etree.SubElement(html, x("body")).append(copy.deepcopy(section))
        parts.append((name, etree.ElementTree(html)))
    home = {el.get("id"): name for name, tree in parts for el in tree.iter() if el.get("id")}
    for name, tree in parts:
        if name == "notes.xhtml":
            title = tree.find(f".//{x('title')}")
            title.text = f"{tree.find('.//' + x('h2')).text} — {title.text}"
        for a in tree.iter(x("a")):
            href = a.get("href", "")
            if href.startswith("#") and home.get(href[1:], name) != name:
                a.set("href", home[href[1:]] + href)
    return parts


def _cover(book: epub.EpubBook, doc: Document, cover_png: bytes | None,
           names: dict[str, str]) -> str:
    if doc.cover is not None:
        name, media_type, content = names[doc.cover.href], doc.cover.media_type, doc.cover.path.read_bytes()
    else:
        assert cover_png is not None, "a generated cover is needed when the essay brings none"
        name, media_type, content = "cover.png", "image/png", cover_png
    existing = next((i for i in book.items if i.file_name == name), None)
    if existing is not None:
        existing.properties = ["cover-image"]
        item = existing
    else:
        item = epub.EpubItem(uid="cover-image", file_name=name, media_type=media_type, content=content)
        item.properties = ["cover-image"]
        book.add_item(item)
    # EPUB 2 readers (and Kindle's converter) find the cover through this.
    book.add_metadata(None, "meta", "", {"name": "cover", "content": item.id})
    return name


def _cover_alt(doc: Document) -> str:
    """The generated cover shows the title and names, so its alt text is them; an author's own cover image
    is only named, since what it shows is unknown."""
    meta = doc.metadata
    if doc.cover is not None:
        return label(meta.lang, "cover_of", title=meta.title)
    lines = [meta.title, meta.subtitle or "", join_names(meta.authors, meta.lang)]
    return ". ".join(line for line in lines if line)


def _shell(lang: str, title: str, text_dir: str | None = None) -> tuple[etree._Element, etree._Element]:
    """An empty XHTML document of the book's (``html``, ``body``): language, title and stylesheet set."""
    html = etree.Element(x("html"), nsmap={None: XHTML_NS, "epub": EPUB_NS})
    html.set("lang", lang)
    html.set(f"{{{XML_NS}}}lang", lang)
    html.set("dir", text_dir or direction(lang))
    head = etree.SubElement(html, x("head"))
    etree.SubElement(head, x("meta"), charset="utf-8")
    etree.SubElement(head, x("title")).text = title
    etree.SubElement(head, x("link"), rel="stylesheet", type="text/css", href=STYLESHEET)
    return html, etree.SubElement(html, x("body"))


def _cover_page(image: str, alt: str, lang: str, text_dir: str) -> etree._ElementTree:
    html, body = _shell(lang, label(lang, "cover"), text_dir)
    section = etree.SubElement(body, x("section"), {"class": "cover", EPUB_TYPE: "cover", "id": "cover",
                                                    "aria-label": label(lang, "cover")})
    etree.SubElement(section, x("img"), {"src": image, "alt": alt, "role": "doc-cover"})
    return etree.ElementTree(html)


def _document_item(uid: str, name: str, tree: etree._ElementTree) -> epub.EpubItem:
    item = epub.EpubItem(uid=uid, file_name=name, media_type=XHTML_TYPE, content=serialize(tree))
    # EPUB 3 wants a page holding MathML declared so (EPUBCheck OPF-014); ebooklib does not detect it.
    item.properties = ["mathml"] if tree.find(".//{http://www.w3.org/1998/Math/MathML}math") is not None else []
    return item


@dataclass
class _Entry:
    title: str
    href: str
    uid: str
    children: list[_Entry]


def _toc(doc: Document) -> list[_Entry]:
    """Contents: the essay (its headings nested by level), then the Notes section."""
    essay = _Entry(doc.metadata.title, "essay.xhtml", "nav-essay", [])
    stack: list[tuple[int, _Entry]] = [(1, essay)]
    for n, heading in enumerate(doc.headings, start=1):
        # NCX ids are plain numbered names: a heading's own id may hold characters the NCX schema refuses.
        entry = _Entry(heading.text, f"essay.xhtml#{heading.id}", f"nav-{n}", [])
        while stack[-1][0] >= heading.level:
            stack.pop()
        stack[-1][1].children.append(entry)
        stack.append((heading.level, entry))
    notes = _Entry(doc.metadata.notes.title, "notes.xhtml", "nav-notes", [])
    return [essay, notes]


def _ncx_toc(entries: list[_Entry]) -> list:
    out: list = []
    for e in entries:
        link = epub.Link(e.href, e.title, e.uid)
        out.append((link, _ncx_toc(e.children)) if e.children else link)
    return out


def _nav(doc: Document, toc: list[_Entry],
         documents: list[tuple[str, etree._ElementTree]], page_list: Sequence[PageBreak]) -> etree._ElementTree:
    lang = doc.metadata.lang
    landmarks = [("cover", "cover.xhtml", label(lang, "cover")),
                 ("toc", "nav.xhtml#toc", label(lang, "contents")),
                 ("bodymatter", "essay.xhtml", doc.metadata.title),
                 ("backmatter", "notes.xhtml", doc.metadata.notes.title)]
    return _nav_document(lang, direction(lang, doc.metadata.dir), toc, landmarks, documents, page_list)


def _nav_document(lang: str, text_dir: str, toc: list[_Entry], landmarks: list[tuple[str, str, str]],
                  documents: list[tuple[str, etree._ElementTree]], page_list: Sequence[PageBreak]
                  ) -> etree._ElementTree:
    """``nav.xhtml`` of an essay or a pack: contents, landmarks and (with a handout) the page list."""
    html, body = _shell(lang, label(lang, "contents"), text_dir)

    nav = etree.SubElement(body, x("nav"), {EPUB_TYPE: "toc", "id": "toc", "role": "doc-toc",
                                            "aria-labelledby": "toc-title"})
    etree.SubElement(nav, x("h1"), id="toc-title").text = label(lang, "contents")
    nav.append(_nav_list(toc))

    marks = etree.SubElement(body, x("nav"), {EPUB_TYPE: "landmarks", "id": "landmarks", "hidden": "hidden",
                                              "aria-labelledby": "landmarks-title"})
    etree.SubElement(marks, x("h2"), id="landmarks-title").text = label(lang, "landmarks")
    ol = etree.SubElement(marks, x("ol"))
    for kind, href, text in landmarks:
        a = etree.SubElement(etree.SubElement(ol, x("li")), x("a"), {EPUB_TYPE: kind, "href": href})
        a.text = text

    if page_list:
        home = {el.get("id"): name for name, tree in documents for el in tree.iter() if el.get("id")}
        pages = etree.SubElement(body, x("nav"), {EPUB_TYPE: "page-list", "id": "page-list", "hidden": "hidden",
                                                  "aria-labelledby": "page-list-title"})
        etree.SubElement(pages, x("h2"), id="page-list-title").text = label(lang, "pages")
        ol = etree.SubElement(pages, x("ol"))
        for br in page_list:
            anchor = f"page-{br.number}"
            if anchor in home:
                a = etree.SubElement(etree.SubElement(ol, x("li")), x("a"), href=f"{home[anchor]}#{anchor}")
                a.text = str(br.number)
    return etree.ElementTree(html)


def _nav_list(entries: list[_Entry]) -> etree._Element:
    ol = etree.Element(x("ol"))
    for e in entries:
        li = etree.SubElement(ol, x("li"))
        etree.SubElement(li, x("a"), href=e.href).text = e.title
        if e.children:
            li.append(_nav_list(e.children))
    return ol


def _write_reproducibly(book: epub.EpubBook, out: BinaryIO, *, lang: str, stamp: dt.datetime) -> None:
    """Write through ebooklib's public ``write_epub`` into memory, then copy the zip entry by entry with one
    fixed timestamp, ``mimetype`` first and stored, and ``xml:lang`` on the OPF's ``<package>``: the same book
    gives the same bytes, and no private ebooklib method is overridden."""
    buffer = io.BytesIO()
    epub.write_epub(buffer, book, {"mtime": stamp.astimezone(dt.UTC), "raise_exceptions": True,
                                   "epub3_landmark": False, "epub2_guide": False})
    date_time = max(stamp, dt.datetime(1980, 1, 1, tzinfo=dt.UTC)).timetuple()[:6]
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        names = sorted(src.namelist(), key=lambda n: n != "mimetype")
        for name in names:
            data = src.read(name)
            if name.endswith(".opf"):
                root = etree.fromstring(data)
                root.set(f"{{{XML_NS}}}lang", lang)
                data = etree.tostring(root, pretty_print=True, encoding="utf-8", xml_declaration=True)
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            dst.writestr(info, data)


# --- several essays as one book (a course pack) -------------------------------------------------------------


def write_collection_epub(book: Collection, page: etree._ElementTree, *, css: str, out: BinaryIO,
                          modified: dt.datetime, cover_png: bytes | None = None,
                          page_list: Sequence[PageBreak] = (), page_source: str | None = None) -> None:
    """Package a course pack's page (title page, each essay's sections, Notes, permissions) as one EPUB: the
    same documents, nav and writer as one essay's book, with the pack as the book and each essay a part."""
    lang = book.lang
    epub_book = epub.EpubBook()
    epub_book.FOLDER_NAME = "EPUB"
    epub_book.set_identifier(book.identifier)
    epub_book.set_language(lang)
    epub_book.title = book.title
    _add_collection_metadata(epub_book, book)
    combined = _combined_document(book)
    for prop, value in accessibility_properties(combined, page_list_source=page_source if page_list else None):
        epub_book.add_metadata(None, "meta", value, {"property": prop})
    epub_book.add_metadata(None, "meta", CONFORMS_TO, {"property": "dcterms:conformsTo", "id": "conformance"})
    epub_book.add_metadata(None, "meta", CERTIFIER, {"property": "a11y:certifiedBy", "refines": "#conformance"})
    if page_list and page_source:
        epub_book.add_metadata(None, "meta", page_source, {"property": "pageBreakSource"})
    epub_book.add_item(epub.EpubItem(uid="style", file_name=STYLESHEET, media_type="text/css",
                                     content=css.encode("utf-8")))
    n = 0
    for part in book.parts:
        folder = part.prefix.rstrip("-")
        for asset in part.doc.assets:
            n += 1
            epub_book.add_item(epub.EpubItem(uid=f"asset-{n}", file_name=f"{folder}/{unquote(asset.href)}",
                                             media_type=asset.media_type, content=asset.path.read_bytes()))

    page = copy.deepcopy(page)
    _insert_page_breaks(page, page_list)
    documents = _split(page)
    titles = {f"{p.prefix}essay.xhtml": p.doc.metadata for p in book.parts}
    titles |= {f"{p.prefix}notes.xhtml": p.doc.metadata for p in book.parts}
    for name, tree in documents:
        section = tree.getroot().find(x("body"))[0]
        if section.get("lang"):  # an essay in its own language and direction: its document says so too
            tree.getroot().set("lang", section.get("lang"))
            tree.getroot().set(f"{{{XML_NS}}}lang", section.get("lang"))
        if section.get("dir"):
            tree.getroot().set("dir", section.get("dir"))
        title = tree.find(f".//{x('title')}")
        if name in titles:
            heading = section.find(f".//{x('h2')}") if name.endswith("notes.xhtml") else None
            title.text = (f"{heading.text} — " if heading is not None else "") + titles[name].title
        elif name == "permissions.xhtml":
            title.text = f"{label(lang, 'permissions')} — {book.title}"
        elif name == "titlepage.xhtml":
            title.text = book.title
    # The cover helpers read a document's title, names and cover: the pack's stand in for them.
    cover_doc = SimpleNamespace(metadata=SimpleNamespace(title=book.title, subtitle=book.subtitle,
                                                         authors=book.editors, lang=lang), cover=book.cover)
    names = {book.cover.href: f"media/{book.cover.href}"} if book.cover else {}
    cover_name = _cover(epub_book, cover_doc, cover_png, names)
    spine_items = [_document_item("cover", "cover.xhtml", _cover_page(cover_name, _cover_alt(cover_doc), lang,
                                                                           direction(lang)))]
    for name, tree in documents:
        spine_items.append(_document_item(name.removesuffix(".xhtml"), name, tree))
    for item in spine_items:
        epub_book.add_item(item)

    toc_tree = _collection_toc(book, {name for name, _ in documents})
    nav = _collection_nav(book, toc_tree, documents, page_list)
    nav_item = epub.EpubItem(uid="nav", file_name="nav.xhtml", media_type=XHTML_TYPE, content=serialize(nav))
    nav_item.properties = ["nav"]
    epub_book.add_item(nav_item)
    epub_book.add_item(epub.EpubNcx())
    epub_book.toc = _ncx_toc(toc_tree)
    epub_book.spine = [spine_items[0], nav_item, *spine_items[1:]]
    _write_reproducibly(epub_book, out, lang=lang, stamp=modified)


def _add_collection_metadata(epub_book: epub.EpubBook, book: Collection) -> None:
    """The pack is the book: its title, its editors (never an essay's authors), its date and rights; each
    essay is recorded as a part (``dcterms:hasPart``: title, authors, source)."""
    epub_book.add_metadata("DC", "title", book.title, {"id": "title"})
    epub_book.add_metadata(None, "meta", "main", {"refines": "#title", "property": "title-type"})
    if book.subtitle:
        epub_book.add_metadata("DC", "title", book.subtitle, {"id": "subtitle"})
        epub_book.add_metadata(None, "meta", "subtitle", {"refines": "#subtitle", "property": "title-type"})
    for n, editor in enumerate(book.editors, start=1):
        epub_book.add_metadata("DC", "creator", editor, {"id": f"editor-{n}"})
        epub_book.add_metadata(None, "meta", "edt", {"refines": f"#editor-{n}", "property": "role",
                                                     "scheme": "marc:relators"})
    for other in dict.fromkeys(p.doc.metadata.lang for p in book.parts):
        if other != book.lang:
            epub_book.add_metadata("DC", "language", other)
    if book.date:
        epub_book.add_metadata("DC", "date", book.date)
    if book.course:
        epub_book.add_metadata("DC", "description", book.course)
    if book.rights:
        epub_book.add_metadata("DC", "rights", book.rights)
    for n, part in enumerate(book.parts, start=1):
        meta = part.doc.metadata
        said = ", ".join(x for x in (join_names(meta.authors, meta.lang) if meta.authors else "",
                                     meta.source_url or "") if x)
        epub_book.add_metadata(None, "meta", f"{meta.title}{' — ' + said if said else ''}",
                               {"property": "dcterms:hasPart", "id": f"part-{n}"})


def _combined_document(book: Collection) -> Document:
    """The essays' bodies under one element, for the accessibility metadata of the whole book."""
    body = etree.Element(x("div"))
    for part in book.parts:
        body.append(copy.deepcopy(part.doc.body))
    first = book.parts[0].doc
    return Document(metadata=first.metadata, source_path=book.source_path, folder=book.folder, slug="",
                    body=body, notes_lead=None, notes_prompts=(), headings=(), assets=(), cover=None)


def _collection_toc(book: Collection, documents: set[str]) -> list[_Entry]:
    """Contents: the title page, each essay (its headings nested by level, then its own Notes), the pack's
    Notes section and the permissions page."""
    entries = [_Entry(label(book.lang, "title_page"), "titlepage.xhtml", "nav-titlepage", [])]
    for n, part in enumerate(book.parts, start=1):
        meta = part.doc.metadata
        title = meta.title + (f" — {join_names(meta.authors, meta.lang)}" if meta.authors else "")
        name = f"{part.prefix}essay.xhtml"
        essay = _Entry(title, name, f"nav-e{n}", [])
        stack: list[tuple[int, _Entry]] = [(1, essay)]
        for m, heading in enumerate(part.doc.headings, start=1):
            entry = _Entry(heading.text, f"{name}#{part.prefix}{heading.id}", f"nav-e{n}-{m}", [])
            while stack[-1][0] >= heading.level:
                stack.pop()
            stack[-1][1].children.append(entry)
            stack.append((heading.level, entry))
        if f"{part.prefix}notes.xhtml" in documents:
            essay.children.append(_Entry(meta.notes.title, f"{part.prefix}notes.xhtml", f"nav-e{n}-notes", []))
        entries.append(essay)
    entries.append(_Entry(book.notes.title, "notes.xhtml", "nav-notes", []))
    entries.append(_Entry(label(book.lang, "permissions"), "permissions.xhtml", "nav-permissions", []))
    return entries


def _collection_nav(book: Collection, toc: list[_Entry], documents: list[tuple[str, etree._ElementTree]],
                    page_list: Sequence[PageBreak]) -> etree._ElementTree:
    lang = book.lang
    landmarks = [("cover", "cover.xhtml", label(lang, "cover")),
                 ("toc", "nav.xhtml#toc", label(lang, "contents")),
                 ("titlepage", "titlepage.xhtml", label(lang, "title_page")),
                 ("bodymatter", f"{book.parts[0].prefix}essay.xhtml", book.parts[0].doc.metadata.title),
                 ("backmatter", "notes.xhtml", book.notes.title)]
    return _nav_document(lang, direction(lang), toc, landmarks, documents, page_list)
