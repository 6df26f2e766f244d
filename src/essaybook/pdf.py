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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from lxml import etree

from essaybook.errors import EssaybookError, SourceError
from essaybook.fetcher import confined_fetcher
from essaybook.fonts import BOOK_FACES, faces_for, glyph_diagnostics, missing_characters, require_faces
from essaybook.labels import label
from essaybook.mathprint import math_to_svg
from essaybook.model import EPUB_TYPE, HEADINGS, XML_NS, Document, PrintInputs, x
from essaybook.paper import ALL_PAPERS as PAPERS
from essaybook.paper import LINE_PITCH_MM, Paper
from essaybook.print_moves import print_moves
from essaybook.rules import Diagnostic
from essaybook.styles import read_css, user_stylesheet
from essaybook.trees import remove_keeping_tail

if TYPE_CHECKING:
    from pathlib import Path

    import weasyprint

PRINT_SHEETS = ("base.css", "print.css")  # the sheets a handout is set with, essaybook's or the project's
# The elements essaybook's own print sheets make list items and footnotes: WeasyPrint's own sheet gives its
# ::marker and ::footnote-… rules to these only (weasy.scoped_user_agent_sheet; a test reads the sheets).
PSEUDO_SCOPES = ("li, .fnb-li", ".fn")
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
    source_path: Path | None = None  # the essay or pack file, for what WeasyPrint says while it writes


def render_handout(page: etree._ElementTree, doc: Document | PrintInputs, *, paper: str,
                   extra_ruled_pages: int = 0) -> Handout:
    """Lay the handout out in memory (no file is written) from the one rendered ``page``; ``doc`` supplies
    only the metadata and the checked assets. Each attempt works on a copy, so ``page`` is left as it came.
    ``extra_ruled_pages`` more ruled Notes pages follow the Notes section (a booklet pads its page count)."""
    require_faces(BOOK_FACES + faces_for("".join(page.getroot().itertext())))
    size = PAPERS[paper]
    generated = {QR_URL: (_qr_svg(doc.metadata.source_url), "image/svg+xml")} if doc.metadata.source_url else {}
    fetcher = confined_fetcher(BASE_URL, doc.assets, generated)
    css = read_css(PRINT_SHEETS, doc.folder) + paper_css(size, page.getroot().get("dir", "ltr"))
    scopes = pseudo_scopes(doc.folder)

    def printed_page(forced: list[str]) -> etree._ElementTree:
        printed = copy.deepcopy(page)
        prepare_print(printed, doc, size, forced_breaks=forced, extra_ruled_pages=extra_ruled_pages)
        return printed

    document, printed, warnings = lay_out_keeping_notes(printed_page, css, fetcher, scopes, doc.folder,
                                                        doc.source_path)
    warnings += _missing_glyph_warnings(doc, printed, document)
    return Handout(document, warnings, doc.source_path)


def lay_out_keeping_notes(make_page: Callable[[list[str]], etree._ElementTree], css: str, fetcher: object,
                          scopes: tuple[str, str] | None, folder: Path, source_path: Path
                          ) -> tuple[weasyprint.document.Document, etree._ElementTree, list[Diagnostic]]:
    """WeasyPrint's layout of ``make_page(forced)``, made again with one more top-level block pushed to a new
    page (its id added to ``forced``) while a note lands off its call's page: at most ``_MAX_REPAIRS`` times,
    and not past ``_REPAIR_SECONDS``. The one loop every handout is laid out by (an essay, a pack, a pack's
    part); returns the document, the page it was laid out from, and WeasyPrint's complaints and the notes left
    off their page as warnings. ``folder`` is the essay's, where the project's own print sheets would be."""
    from essaybook.weasy import at_work, html_document, weasyprint  # ~0.6 s of Pango and HarfBuzz: only for a PDF

    forced: list[str] = []
    started = time.monotonic()
    with _weasyprint_warnings() as messages, at_work():
        for _attempt in range(_MAX_REPAIRS + 1):
            printed = make_page(forced)
            try:
                stylesheet = weasyprint.CSS(string=css, base_url=STYLE_BASE_URL, url_fetcher=fetcher)
                html = html_document(printed.getroot(), BASE_URL, fetcher, scopes)
                document = html.render(stylesheets=[stylesheet], pdf_variant="pdf/ua-1")
            except weasyprint.urls.FatalURLFetchingError as exc:  # a BaseException: `except Exception` misses it
                raise SourceError(f"refused to read {exc} (from the essay or a stylesheet); keep every resource "
                                  "inside the essay's folder", path=source_path) from None
            except RecursionError:
                raise SourceError("the essay nests too deeply for print layout; flatten its lists and quotes",
                                  path=source_path) from None
            except Exception as exc:
                problem = stylesheet_failure(exc, folder, source_path)
                if problem is None:
                    raise
                raise problem from exc
            block = _block_to_push(document)
            if block is None or block in forced or time.monotonic() - started > _REPAIR_SECONDS:
                break
            forced.append(block)
    warnings = layout_warnings(messages, source_path)
    if block is not None:
        warnings.append(Diagnostic("footnote-moved", "a footnote could not be kept on the page of its call",
                                   source_path))
    return document, printed, warnings


def project_print_sheets(folder: Path) -> list[str]:
    """Which of ``PRINT_SHEETS`` the project brings its own of, for the essay in ``folder``."""
    return [name for name in PRINT_SHEETS if user_stylesheet(name, folder) is not None]


def pseudo_scopes(folder: Path) -> tuple[str, str] | None:
    """``PSEUDO_SCOPES`` where the handout is set with essaybook's own sheets; None where the project brings
    its own, which may make any element a list item or a footnote."""
    return None if project_print_sheets(folder) else PSEUDO_SCOPES


def stylesheet_failure(exc: Exception, folder: Path, source_path: Path) -> SourceError | None:
    """WeasyPrint failing while the project brings its own print sheets is most likely about what they
    added: the person's error, said as such (WeasyPrint 70 cannot lay out, for one, ``counter(pages)`` after a
    ``target-counter`` in a content). None when essaybook's own sheets are in use: then the failure is ours."""
    if isinstance(exc, EssaybookError):
        return None
    sheets = project_print_sheets(folder)
    if not sheets:
        return None
    return SourceError(f"print layout failed inside WeasyPrint ({type(exc).__name__}: {exc}) with the project's "
                       f"own {' and '.join('styles/' + name for name in sheets)}; undo what it changed (WeasyPrint "
                       "70 cannot lay out, for one, counter(pages) after a target-counter in a content), or remove "
                       "it to use essaybook's", path=source_path)


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
    """The handout's PDF, its last use: its pages cannot be painted or read box by box afterwards."""
    from essaybook.weasy import at_work, write_pdf_once

    with _weasyprint_warnings() as messages, at_work():
        write_pdf_once(handout.document, out, pdf_variant="pdf/ua-1")
    handout.warnings.extend(layout_warnings(messages, handout.source_path))


# What WeasyPrint's tagging says of an image with empty alt text: the ``alt-missing`` rule says it in the
# author's terms, at the image's line.
_ALT_MESSAGE = re.compile(r"^Image .* has no required alt description$")


def layout_warnings(messages: list[str], source_path: Path | None) -> list[Diagnostic]:
    """What WeasyPrint said while it laid the handout out or wrote it (the tagging speaks then), as warnings."""
    return [Diagnostic("print-layout", f"print layout: {m}", source_path) for m in dict.fromkeys(messages)
            if not _ALT_MESSAGE.match(m)]


def paper_css(paper: Paper, text_dir: str = "ltr") -> str:
    """The sheet for the chosen paper; a right-to-left book has its binding margin (holes, staples) on the
    right, where its pages are held."""
    top, right, bottom, left = paper.margins
    lt, lr, lb, ll = paper.landscape_margins
    if text_dir == "rtl":
        right, left = left, right
    # A booklet's pages mirror their margins across the fold. WeasyPrint makes a right-to-left book's first page
    # a left-hand one (its first spread opens to the left): there the right-hand pages are the mirrored ones.
    verso = "right" if text_dir == "rtl" else "left"
    mirror = f"@page :{verso} {{ margin-left: {right}mm; margin-right: {left}mm; }}\n" if paper.mirrored else ""
    # The Notes page is exactly one text block tall, so its ruled lines run to the foot of the page.
    return (f"\n@page {{ size: {paper.name}; margin: {top}mm {right}mm {bottom}mm {left}mm; }}\n{mirror}"
            f"html {{ font-size: {paper.font_size}pt; }}\n"
            f".reader-notes {{ height: {paper.text_height - 1:.1f}mm; }}\n"
            f"figure img {{ max-height: {paper.figure_max_height:.0f}mm; }}\n"
            f".ruled-page {{ height: {paper.text_height - 1:.1f}mm; }}\n"
            # A table too wide for the text block gets a page of its own, turned to landscape.
            f"@page landscape {{ size: {paper.landscape_size}; margin: {lt}mm {lr}mm {lb}mm {ll}mm; }}\n")


def prepare_print(page: etree._ElementTree, doc: Document | PrintInputs, paper: Paper, forced_breaks: list[str] = (),
                  extra_ruled_pages: int = 0) -> None:
    """The structural moves print needs, made in place on a freshly rendered page."""
    prepare_text(page, paper, [(None, doc.metadata.lang)], forced_breaks)
    if doc.metadata.source_url:
        _add_qr_code(page, doc.metadata.source_url, doc.metadata.lang)
    _add_ruled_lines(page, doc.metadata.notes.lines, paper, len(doc.metadata.notes.prompts), extra_ruled_pages)


def prepare_text(page: etree._ElementTree, paper: Paper, essays: list[tuple[etree._Element | None, str]],
                 forced_breaks: list[str] = ()) -> None:
    """The moves print makes on the text, the same for a handout and a course pack: notes to their calls,
    math drawn, ``print_moves`` on each of ``essays`` (its section, None for the handout's one, and its
    language), Korean words kept whole, Greek set in the Greek face, and the pages the footnote repair
    breaks before."""
    _footnotes_to_calls(page, paper)
    math_to_svg(page)  # WeasyPrint has no MathML
    for section, lang in essays:
        print_moves(page, lang, paper.text_width_em, essay=section)
    _keep_korean_words_whole(page)
    _mark_greek(page)
    for el in [el for el in page.iter() if el.get("id") in forced_breaks]:
        while (before := el.getprevious()) is not None and before.tag in HEADINGS:
            el = before  # the headings over a block go with it: never left at the foot of the page before
        el.set("class", (el.get("class", "") + " page-break-before").strip())


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


# A run of Greek: Greek letters (basic and extended), with the marks, spaces and punctuation between them.
_GREEK_RUN = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff](?:[\u0300-\u036f\u0370-\u03ff\u1f00-\u1fff\s.,;·’'-]*"
                        r"[\u0370-\u03ff\u1f00-\u1fff\u0300-\u036f])?")


def _mark_greek(page: etree._ElementTree) -> None:
    """Greek outside a Greek book becomes ``<span class="grek">`` so that it is set in the Greek face whole
    (Charis has a third of the Greek letters: fallback would mix faces inside a word)."""
    def wrap(parent: etree._Element, text: str, before: etree._Element | None) -> str | None:
        """Split ``text`` (parent.text if ``before`` is None, else before.tail) into text and Greek spans."""
        pieces = _GREEK_RUN.split(text)
        runs = _GREEK_RUN.findall(text)
        if not runs:
            return text
        anchor = before
        for run, after in zip(runs, pieces[1:], strict=True):
            span = etree.Element(x("span"), {"class": "grek"})
            span.text, span.tail = run, after or None
            if anchor is None:
                parent.insert(0, span)
            else:
                anchor.addnext(span)
            anchor = span
        return pieces[0] or None

    def walk(el: etree._Element, greek: bool) -> None:
        lang = el.get("lang") or el.get(f"{{{XML_NS}}}lang")
        if lang:
            greek = lang.split("-")[0].lower() in ("el", "grc")
        if el.tag in (x("style"), x("script"), x("pre"), x("code")) or \
                not isinstance(el.tag, str) or el.tag.endswith("}svg"):
            return
        for child in list(el):
            walk(child, greek)
            if not greek and child.tail:
                child.tail = wrap(el, child.tail, child)
        if not greek and el.text and el.get("class") != "grek":
            el.text = wrap(el, el.text, None)

    walk(page.getroot(), False)


def _footnotes_to_calls(page: etree._ElementTree, paper: Paper | None = None) -> None:
    """Move each note's body to its first call, as ``<span class="fn">``: WeasyPrint floats it to the foot of
    the page where the call falls. Later calls of the same note keep a plain superscript number.

    The float sits inline at the call, so it may hold only inline markup: each block of the note (paragraphs,
    quotations, lists, code, tables) becomes a ``<span class="fnb fnb-TAG">`` that print.css displays as the
    block it was, so the whole note prints in order at the foot of the page and nothing spills into the text.
    """
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
        span.text = notes[note_id].text
        for block in list(notes[note_id]):
            span.append(block)
        for back in [el for el in span.iter(x("a")) if el.get("class") == "backlink"]:
            remove_keeping_tail(back, strip=True)
        _blocks_to_spans(span)
        _collapse_whitespace(span)
        span.tail = holder.tail
        holder.getparent().replace(holder, span)
        moved[note_id] = a.text or str(n)
        if paper is not None:
            _continue_long_note(span, len(moved), paper)
    for section in list(page.iter(x("section"))):
        if section.get(EPUB_TYPE) == "footnotes":
            section.getparent().remove(section)


# A note is set at 0.82 of the body size, 1.3 lines high (print.css .fn); a character is about half an em.
_NOTE_SIZE, _NOTE_LEADING = 0.82, 1.3
_LONG_NOTE = 0.5  # a note estimated longer than this share of the text block is continued on the next page
_FIRST_PART = 0.45  # and its first part takes about this share (what is left of the call's page is unknown here)


def _continue_long_note(span: etree._Element, number: int, paper: Paper) -> None:
    """WeasyPrint 70 never splits a footnote: a note taller than the room left moves, with the line of its
    call, to the next page (or further), leaving a page mostly empty. So a long note is split here: its first
    part stays at the call; the rest becomes a second, unnumbered note ("7 (continued)") anchored at the start
    of the next paragraph, with ``footnote-policy: auto``, so it goes to the foot of the next page when the
    call's page is full, as books continue long notes."""
    per_line = paper.text_width_em / (_NOTE_SIZE * 0.5)
    page_lines = paper.text_height / (paper.font_size * 25.4 / 72 * _NOTE_SIZE * _NOTE_LEADING)

    def lines(el: etree._Element) -> int:
        text = "".join(el.itertext())
        if "fnb-pre" in (el.get("class") or ""):
            return sum(math.ceil(max(len(t), 1) / per_line) for t in text.split("\n"))
        return math.ceil(len(" ".join(text.split())) / per_line)

    parts = [c for c in span if isinstance(c.tag, str)]
    total = sum(lines(c) for c in parts) or math.ceil(len("".join(span.itertext())) / per_line)
    if total <= _LONG_NOTE * page_lines:
        return
    target = _FIRST_PART * page_lines
    rest: list[etree._Element] = []
    used = 0
    for i, part in enumerate(parts):
        used += lines(part)
        if used >= target:
            if i == 0 and not _split_paragraph(part, int(target * per_line)):
                return  # one paragraph with markup in it: left whole
            rest = parts[i + 1:] if i else [part.getnext(), *parts[1:]]
            break
    rest = [r for r in rest if r is not None]
    anchor = _next_paragraph(span)
    if not rest or anchor is None:
        return
    cont = etree.Element(x("span"), {"class": "fn fn-cont", "data-note": str(number), "aria-hidden": "true"})
    for part in rest:
        cont.append(part)
    lead = anchor[0] if len(anchor) and anchor[0].get("class") == "pnum" else None
    if lead is not None:
        cont.tail, lead.tail = lead.tail, None
        lead.addnext(cont)
    else:
        cont.tail, anchor.text = anchor.text, None
        anchor.insert(0, cont)


def _split_paragraph(part: etree._Element, chars: int) -> bool:
    """Split a note's plain paragraph after the sentence that ends nearest ``chars`` characters in."""
    if len(part) or not part.text:
        return False
    ends = [m.end() for m in re.finditer(r"[.!?;][\u201d\u2019)]?\s+", part.text)]
    if not ends:
        return False
    cut = min(ends, key=lambda e: abs(e - chars))
    if cut >= len(part.text.rstrip()):
        return False
    tail = etree.Element(x("span"), {"class": part.get("class")})
    tail.text, part.text = part.text[cut:], part.text[:cut].rstrip()
    part.addnext(tail)
    return True


def _inside_note(el: etree._Element) -> bool:
    return any("fn" in (a.get("class") or "").split() for a in el.iterancestors())


def _next_paragraph(el: etree._Element) -> etree._Element | None:
    """The first ``<p>`` after ``el`` in document order, outside any note."""
    after = False
    for node in el.getroottree().getroot().iter():
        if node is el:
            after = True
        elif after and node.tag == x("p") and not _inside_note(node):
            return node
    return None


_NOTE_BLOCKS = {x(t): t for t in ("p", "div", "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "pre", "table",
                                  "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "figure", "figcaption",
                                  "h1", "h2", "h3", "h4", "h5", "h6", "hr", "address", "section", "aside")}


def _blocks_to_spans(span: etree._Element) -> None:
    """Every block inside a note becomes a span carrying its tag as a class (``fnb fnb-blockquote``); the
    attributes a list needs to number itself as written stay."""
    for el in list(span.iter()):
        tag = _NOTE_BLOCKS.get(el.tag)
        if tag is None or el is span:
            continue
        classes = " ".join(["fnb", f"fnb-{tag}", *(el.get("class") or "").split()])
        keep = {k: v for k, v in el.attrib.items() if k in ("start", "reversed", "type", "value", "lang", "dir")}
        el.tag = x("span")
        el.attrib.clear()
        el.attrib.update({"class": classes, **keep})


def _collapse_whitespace(el: etree._Element) -> None:
    """A note's line breaks become spaces (a note is set inline at its call; a space before a newline there
    trips WeasyPrint's line breaking), except in its code, whose lines are kept."""
    def inside_code(node: etree._Element) -> bool:
        return any("fnb-pre" in (p.get("class") or "").split() for p in (node, *node.iterancestors()))

    for node in el.iter():
        if node.text and not inside_code(node):
            node.text = re.sub(r"\s+", " ", node.text)
        if node is not el and node.tail and not inside_code(node.getparent()):
            node.tail = re.sub(r"\s+", " ", node.tail)


def _add_qr_code(page: etree._ElementTree, url: str, lang: str) -> None:
    """A QR code to the web original (where the comment thread lives), under the title block's URL. It is an
    ``<img>`` with alt text (served by the fetcher from memory), so the tagged PDF's figure has /Alt."""
    header = next(page.iter(x("header")))
    etree.SubElement(header, x("img"), {"class": "qr", "src": QR_URL, "alt": label(lang, "qr_alt", url=url)})
    etree.SubElement(header, x("p"), {"class": "qr-note"}).text = label(lang, "qr_note")


def _qr_svg(url: str) -> bytes:
    import segno  # ~30 ms: only for an essay with a source address

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


def _missing_glyph_warnings(doc: Document | PrintInputs, page: etree._ElementTree, document) -> list[Diagnostic]:
    """What the laid-out handout draws as boxes: read from Pango's glyphs (``pagination.text_runs``), or,
    should this WeasyPrint's layout be unreadable, from fontconfig's coverage of the page's text."""
    from essaybook.pagination import text_runs

    runs = text_runs(document)
    if runs is None:
        missing = missing_characters("".join(page.getroot().itertext()))
    else:
        missing = [c for run in runs for c in run.unknown]
    return glyph_diagnostics(missing, doc.source_parts, doc.source_path)
