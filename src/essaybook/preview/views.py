"""What the preview serves, read back from the files the build wrote: the EPUB's documents and the PDF's pages.

``EbookView`` keeps the EPUB's entries in memory, looked up by exact name (so no request can name a file on
disk), and joins the spine's reading documents into one page to scroll, as a reader scrolls through a book.
``HandoutView`` renders the PDF's pages to PNG with PDFium (pypdfium2), on demand: a long handout costs only
the pages someone looks at, and the browser needs no PDF viewer of its own.
"""

from __future__ import annotations

import io
import posixpath
import threading
import zipfile
from collections import OrderedDict
from urllib.parse import urldefrag

from lxml import etree

from essaybook.model import EPUB_TYPE, x

READING_VIEW = "view.xhtml"
PREVIEW_SHEET = "/assets/book.css"  # the preview's own marks (where each handout page begins), never in the EPUB
_OPF_NS = {"opf": "http://www.idpf.org/2007/opf"}
_CONTAINER_NS = {"c": "urn:oasis:names:tc:opendocument:xmlns:container"}


class EbookView:
    """An EPUB as a web server sees it: its package documents by name, plus one reading view."""

    def __init__(self, data: bytes, generation: int) -> None:
        self.generation = generation
        self.size = len(data)
        self.data = data
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            container = etree.fromstring(z.read("META-INF/container.xml"))
            opf_path = container.find(".//c:rootfile", _CONTAINER_NS).get("full-path")
            root = posixpath.dirname(opf_path)
            opf = etree.fromstring(z.read(opf_path))
            manifest = {item.get("id"): item for item in opf.iterfind(".//opf:manifest/opf:item", _OPF_NS)}
            #: name (relative to the package folder) -> (media type, bytes)
            self.files: dict[str, tuple[str, bytes]] = {}
            for item in manifest.values():
                name = posixpath.normpath(item.get("href"))
                self.files[name] = (item.get("media-type"), z.read(posixpath.join(root, name)))
            spine = [manifest[ref.get("idref")] for ref in opf.iterfind(".//opf:spine/opf:itemref", _OPF_NS)
                     if ref.get("linear") != "no"]
        reading = [posixpath.normpath(item.get("href")) for item in spine
                   if "nav" not in (item.get("properties") or "").split()]
        self.title, self.page_markers, view = _reading_view([(n, self.files[n][1]) for n in reading])
        self.files[READING_VIEW] = ("application/xhtml+xml", view)

    def get(self, name: str) -> tuple[str, bytes] | None:
        return self.files.get(name)


def _reading_view(documents: list[tuple[str, bytes]]) -> tuple[str, list[int], bytes]:
    """The spine's documents (the cover left out) in one XHTML page, links between them made local."""
    trees = []
    for name, data in documents:
        tree = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
        if any(el.get(EPUB_TYPE) == "cover" for el in tree.iter()):
            continue
        trees.append((name, tree))
    if not trees:
        raise ValueError("the EPUB has no reading documents")
    first = trees[0][1]
    body = first.find(x("body"))
    for _, tree in trees[1:]:
        for child in tree.find(x("body")):
            body.append(child)
    joined = {name for name, _ in trees}
    for a in first.iter(x("a")):
        url, fragment = urldefrag(a.get("href", ""))
        if url in joined and fragment:
            a.set("href", f"#{fragment}")
    head = first.find(x("head"))
    etree.SubElement(head, x("link"), rel="stylesheet", type="text/css", href=PREVIEW_SHEET)
    title = head.findtext(x("title")) or ""
    markers = [int(el.get("id").removeprefix("page-")) for el in first.iter()
               if el.get(EPUB_TYPE) == "pagebreak" and (el.get("id") or "").removeprefix("page-").isdigit()]
    data = etree.tostring(etree.ElementTree(first), xml_declaration=True, encoding="utf-8",
                          doctype="<!DOCTYPE html>")
    return title, markers, data


# PDFium is not thread-safe: every call into it, from any view, holds this lock.
_PDFIUM = threading.Lock()
SCALE = 2.0  # pixels per PDF point: 144 dpi, sharp on a high-density screen at the pane's usual width
_CACHED_PAGES = 48


class HandoutView:
    """A laid-out handout: its PDF bytes, its page sizes, and each page as a PNG when asked for."""

    def __init__(self, data: bytes, generation: int, paper: str) -> None:
        import pypdfium2

        self.generation = generation
        self.paper = paper
        self.data = data
        self._pngs: OrderedDict[int, bytes] = OrderedDict()
        with _PDFIUM:
            self._pdf = pypdfium2.PdfDocument(data)
            self.sizes = [tuple(round(v, 2) for v in self._pdf.get_page_size(i)) for i in range(len(self._pdf))]

    def png(self, number: int) -> bytes | None:
        """Page ``number`` (from 1) as PNG, or None if there is no such page."""
        if not 1 <= number <= len(self.sizes):
            return None
        with _PDFIUM:
            if number in self._pngs:
                self._pngs.move_to_end(number)
                return self._pngs[number]
            if self._pdf is None:
                return None
            page = self._pdf[number - 1]
            try:
                image = page.render(scale=SCALE).to_pil()
            finally:
                page.close()
        out = io.BytesIO()
        image.save(out, "PNG", compress_level=1)
        png = out.getvalue()
        with _PDFIUM:
            self._pngs[number] = png
            while len(self._pngs) > _CACHED_PAGES:
                self._pngs.popitem(last=False)
        return png

    def close(self) -> None:
        with _PDFIUM:
            if self._pdf is not None:
                self._pdf.close()
                self._pdf = None

