"""The page -> a print handout PDF, laid out in-process by WeasyPrint from the same XHTML as the EPUB.

What differs from the e-book is CSS (``print.css`` and a small sheet for the paper size) plus the few structural
moves print needs, made on a copy of the page: each footnote moved to its call (``float: footnote`` lays a note
out where its body sits), a QR code to the web original, and ruled lines in the Notes section.

WeasyPrint reads resources only through ``fetcher.confined_fetcher`` (the essay's checked assets and the QR
code, nothing else), and the page is rendered from a fixed base URL so that the folder a book is built in never
reaches the PDF's bytes.
"""

from __future__ import annotations

import copy
import io
import logging
import math
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

import segno
from lxml import etree

from essaybook.errors import SourceError
from essaybook.fetcher import confined_fetcher
from essaybook.fonts import require_faces
from essaybook.labels import label
from essaybook.model import EPUB_TYPE, Document, x
from essaybook.paper import ALL_PAPERS as PAPERS
from essaybook.paper import LINE_PITCH_MM, Paper
from essaybook.rules import Diagnostic
from essaybook.styles import read_css
from essaybook.xhtml import serialize

if TYPE_CHECKING:
    import weasyprint

BASE_URL = "file:///essaybook/essay/"
QR_URL = "file:///essaybook/generated/qr.svg"
STYLE_BASE_URL = "file:///essaybook/styles/"


# WeasyPrint 70, to fit one more line of a paragraph at the foot of a page (for orphans), moves that page's
# last footnotes to the next page and leaves their calls behind. When that happens the paragraph holding the
# squeezed line is pushed to the next page and the handout laid out again (rarely more than once or twice).
_MAX_REPAIRS = 6
_REPAIR_SECONDS = 20  # a long document is not laid out again and again: past this, it warns instead
_CALL_PREFIX = "call-"  # the id of an empty span just before each note's call
_TOP_BLOCK = re.compile(r"^(e\d+-)?(b|p|n)\d+$")  # a course pack's essays prefix their ids (e2-p7)


@dataclass
class Handout:
    """A laid-out handout: render once, then write it and/or read its pages (for the EPUB's page list)."""

    document: weasyprint.document.Document
    warnings: list[Diagnostic]


def render_handout(page: etree._ElementTree, doc: Document, *, paper: str, extra_ruled_pages: int = 0) -> Handout:
    """Lay the handout out in memory (no file is written) from the one rendered ``page``; ``doc`` supplies
    only the metadata and the checked assets. Each attempt works on a copy, so ``page`` is left as it came.
    ``extra_ruled_pages`` more ruled Notes pages follow the Notes section (a booklet pads its page count)."""
    require_faces()
    import weasyprint  # ~0.6 s of Pango and HarfBuzz: only when a PDF is wanted

    size = PAPERS[paper]
    generated = {QR_URL: (_qr_svg(doc.metadata.source_url), "image/svg+xml")} if doc.metadata.source_url else {}
    fetcher = confined_fetcher(BASE_URL, doc.assets, generated)
    css = read_css(("base.css", "print.css"), doc.folder) + paper_css(size)
    forced: list[str] = []
    started = time.monotonic()
    with _weasyprint_warnings() as messages:
        for _attempt in range(_MAX_REPAIRS + 1):
            printed = copy.deepcopy(page)
            prepare_print(printed, doc, size, forced_breaks=forced, extra_ruled_pages=extra_ruled_pages)
            try:
                stylesheet = weasyprint.CSS(string=css, base_url=STYLE_BASE_URL, url_fetcher=fetcher)
                html = weasyprint.HTML(string=serialize(printed).decode("utf-8"), base_url=BASE_URL,
                                       url_fetcher=fetcher)
                document = html.render(stylesheets=[stylesheet], pdf_variant="pdf/ua-1")
            except weasyprint.urls.FatalURLFetchingError as exc:  # a BaseException: `except Exception` misses it
                raise SourceError(f"refused to read {exc} (from the essay or a stylesheet); keep every resource "
                                  "inside the essay's folder", path=doc.source_path) from None
            except RecursionError:
                raise SourceError("the essay nests too deeply for print layout; flatten its lists and quotes",
                                  path=doc.source_path) from None
            block = _block_to_push(document)
            if block is None or block in forced or time.monotonic() - started > _REPAIR_SECONDS:
                break
            forced.append(block)
    warnings = [Diagnostic("print-layout", f"print layout: {m}", doc.source_path) for m in dict.fromkeys(messages)]
    if block is not None:
        warnings.append(Diagnostic(
            "footnote-moved", "a footnote could not be kept on the page of its call", doc.source_path))
    warnings += _missing_glyph_warnings(doc, printed)
    return Handout(document, warnings)


def _block_to_push(document: weasyprint.document.Document) -> str | None:
    """The top-level block to start on a new page so that no note is separated from its call, or None."""
    page_of: dict[str, int] = {}
    for number, page in enumerate(document.pages):
        for anchor in page.anchors:
            page_of.setdefault(anchor, number)
    for anchor, call_page in sorted(page_of.items(), key=lambda kv: kv[1]):
        if not anchor.startswith(_CALL_PREFIX):
            continue
        note_page = page_of.get(anchor.removeprefix(_CALL_PREFIX))
        if note_page is not None and note_page != call_page:
            blocks = [a for a, p in page_of.items() if p == call_page and _TOP_BLOCK.match(a)]
            return blocks[-1] if blocks else None
    return None


def write_handout(handout: Handout, out: BinaryIO) -> None:
    handout.document.write_pdf(out, pdf_variant="pdf/ua-1")


def paper_css(paper: Paper) -> str:
    top, right, bottom, left = paper.margins
    # The Notes page is exactly one text block tall, so its ruled lines run to the foot of the page.
    mirror = f"@page :left {{ margin-left: {right}mm; margin-right: {left}mm; }}\n" if paper.mirrored else ""
    return (f"\n@page {{ size: {paper.name}; margin: {top}mm {right}mm {bottom}mm {left}mm; }}\n{mirror}"
            f"html {{ font-size: {paper.font_size}pt; }}\n"
            f".reader-notes {{ height: {paper.text_height - 1:.1f}mm; }}\n"
            f"figure img {{ max-height: {paper.figure_max_height:.0f}mm; }}\n"
            f".ruled-page {{ height: {paper.text_height - 1:.1f}mm; }}\n")


def prepare_print(page: etree._ElementTree, doc: Document, paper: Paper, forced_breaks: list[str] = (),
                  extra_ruled_pages: int = 0) -> None:
    """The structural moves print needs, made in place on a freshly rendered page."""
    _footnotes_to_calls(page)
    _keep_korean_words_whole(page)
    for el in page.iter():
        if el.get("id") in forced_breaks:
            el.set("class", (el.get("class", "") + " page-break-before").strip())
    if doc.metadata.source_url:
        _add_qr_code(page, doc.metadata.source_url, doc.metadata.lang)
    _add_ruled_lines(page, doc.metadata.notes.lines, paper, len(doc.metadata.notes.prompts), extra_ruled_pages)


_HANGUL_PAIR = re.compile(r"(?<=[\uac00-\ud7a3])(?=[\uac00-\ud7a3])")
_WORD_JOINER = "\u2060"


def _keep_korean_words_whole(page: etree._ElementTree) -> None:
    """Korean breaks lines at spaces, not between syllables; WeasyPrint has no ``word-break: keep-all``, so
    a word joiner goes between the syllables of text in Korean (a tail belongs to its parent's language)."""
    def walk(el: etree._Element, lang: str) -> None:
        lang = (el.get("lang") or lang).lower()
        korean = lang.split("-")[0] == "ko"
        if korean and el.text:
            el.text = _HANGUL_PAIR.sub(_WORD_JOINER, el.text)
        for child in el:
            if isinstance(child.tag, str):
                walk(child, lang)
            if korean and child.tail:
                child.tail = _HANGUL_PAIR.sub(_WORD_JOINER, child.tail)

    walk(page.getroot(), "")


def _footnotes_to_calls(page: etree._ElementTree) -> None:
    """Move each note's body to its first call, as ``<span class="fn">``: WeasyPrint floats it to the foot of
    the page where the call falls. Later calls of the same note keep a plain superscript number."""
    notes = {el.get("id"): el for el in page.iter(x("aside")) if el.get(EPUB_TYPE) == "footnote"}
    moved: dict[str, str] = {}
    for n, a in enumerate(list(page.iter(x("a")))):
        if a.get(EPUB_TYPE) != "noteref":
            continue
        note_id = a.get("href", "").lstrip("#")
        sup = a.getparent()
        holder = sup if sup.tag == x("sup") else a
        if note_id in moved or note_id not in notes:
            repeat = etree.Element(x("sup"), {"class": "fn-repeat"})
            repeat.text = moved.get(note_id, a.text)
            repeat.tail = holder.tail
            holder.getparent().replace(holder, repeat)
            continue
        call = etree.Element(x("span"), {"class": "fn-call", "id": _CALL_PREFIX + note_id})
        holder.addprevious(call)
        span = etree.Element(x("span"), {"class": "fn", "id": note_id})
        for block in notes[note_id]:
            part = etree.SubElement(span, x("span"), {"class": "fn-p"})
            part.text = block.text
            for child in block:
                if child.get("class") == "backlink":
                    part.text = (child.tail or "").lstrip()
                    continue
                part.append(child)
        _collapse_whitespace(span)
        span.tail = holder.tail
        holder.getparent().replace(holder, span)
        moved[note_id] = a.text or str(n)
    for section in list(page.iter(x("section"))):
        if section.get(EPUB_TYPE) == "footnotes":
            section.getparent().remove(section)


def _collapse_whitespace(el: etree._Element) -> None:
    """A note's line breaks become spaces (a note is set inline at its call; a space before a newline there
    trips WeasyPrint's line breaking)."""
    for node in el.iter():
        if node.text:
            node.text = re.sub(r"\s+", " ", node.text)
        if node is not el and node.tail:
            node.tail = re.sub(r"\s+", " ", node.tail)


def _add_qr_code(page: etree._ElementTree, url: str, lang: str) -> None:
    """A QR code to the web original (where the comment thread lives), under the title block's URL. It is an
    ``<img>`` with alt text (served by the fetcher from memory), so the tagged PDF's figure has /Alt."""
    header = next(page.iter(x("header")))
    etree.SubElement(header, x("img"), {"class": "qr", "src": QR_URL, "alt": label(lang, "qr_alt", url=url)})
    etree.SubElement(header, x("p"), {"class": "qr-note"}).text = label(lang, "qr_note")


def _qr_svg(url: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=4, border=2, dark="#000", xmldecl=False)
    return buffer.getvalue()


def _add_ruled_lines(page: etree._ElementTree, lines: int, paper: Paper, prompts: int = 4, extra: int = 0,
                     notes_id: str = "notes") -> None:
    section = next(s for s in page.iter(x("section")) if s.get("id") == notes_id)
    head = etree.Element(x("div"), {"class": "notes-head"})
    for child in list(section):
        head.append(child)
    section.append(head)
    if lines <= 0:
        section.set("class", section.get("class", "") + " unruled")
    if lines <= 0 and not extra:
        return
    # The first page holds the prompts and at least a dozen lines; ask for more and whole pages follow.
    per_page = int(paper.text_height // LINE_PITCH_MM)
    # The heading, lead and prompts take roughly 30 mm plus 11 mm a prompt (two lines each, on average).
    first_page = max(per_page - math.ceil((30 + 11 * prompts) / LINE_PITCH_MM), 12)
    extra_pages = math.ceil(max(lines - first_page, 0) / per_page) if lines > 0 else 0
    # Right after the Notes section (a course pack's permissions page still follows them).
    for _ in range(extra_pages + extra):
        ruled = etree.Element(x("div"), {"class": "ruled-page", "aria-hidden": "true"})
        ruled.text = ""  # serialised as <div></div>: WeasyPrint parses the page as HTML, where <div/> stays open
        section.addnext(ruled)


class _LogCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _weasyprint_warnings() -> Iterator[list[str]]:
    """WeasyPrint reports problems (a missing image, CSS it ignores) only in its log: collect them."""
    logger = logging.getLogger("weasyprint")
    handler = _LogCollector()
    logger.addHandler(handler)
    previous, logger.propagate = logger.propagate, False
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous


def _missing_glyph_warnings(doc: Document, page: etree._ElementTree) -> list[Diagnostic]:
    from essaybook.fonts import missing_glyphs

    missing = missing_glyphs("".join(page.getroot().itertext()))
    if not missing:
        return []
    shown = " ".join(f"{c} (U+{ord(c):04X})" for c in sorted(missing)[:8])
    return [Diagnostic("glyph-missing", f"no font has a glyph for {shown}; those characters print as empty boxes",
                     doc.source_path)]
