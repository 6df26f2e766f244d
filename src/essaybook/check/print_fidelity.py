"""Is every word of the e-book on the printed page, inside the page, in its place?

The EPUB is the reference: its text, read in spine order, is split into the running text and each note's text.
The PDF's words come from poppler's ``pdftotext -bbox`` (pypdf garbles some CID fonts), read from a copy of the
PDF whose pages are enlarged on every side, so that text drawn past the edge of the sheet is seen too, with its
place. Three findings come of comparing them:

- ``pdf-content-outside``: a word drawn outside the page, or past the text block's right edge (or its left edge,
  where only paragraph numbers belong);
- ``pdf-words-missing``: words of the running text or of a note that are not in the PDF's text inside the page,
  in reading order;
- ``pdf-note-displaced``: a note whose words are not on the page of its call or the next.

Words are compared as letters and digits only (case folded, NFKC), and matched against the PDF's text run
together, each starting where a PDF word starts: so a word hyphenated at a line end ("Vin-" + "cent"), an
address broken after a slash, or a word with a note number stuck to it are all found. The PDF has more than the
EPUB (running heads, folios, the link list, footnote numbers): extra words are never a finding.
"""

from __future__ import annotations

import bisect
import re
import shutil
import subprocess
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
_ENLARGE = 400.0  # points added on every side of each page, so that text past the edge is read too
OUTSIDE_TOLERANCE = 3.0  # points: hairline overshoots (italic overhang, a hanging full stop) are not findings
_WINDOW = 40000  # characters: how far ahead of the last matched word the next one may be
_NEAR = 800  # characters: a match further ahead than this must be confirmed by the words after it
_CONFIRM = 3
_BLOCKS = {"p", "div", "section", "aside", "header", "footer", "nav", "figure", "figcaption", "blockquote", "pre",
           "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "table", "caption",
           "thead", "tbody", "tfoot", "tr", "th", "td", "br", "address", "details", "summary", "body"}


@dataclass(frozen=True)
class PdfWord:
    text: str
    page: int  # from 1
    x0: float  # points from the page's top left corner
    y0: float
    x1: float
    y1: float
    width: float  # the page's size
    height: float


@dataclass
class EpubText:
    """The e-book's words: the running text (with, for each note, the index of the word its call follows) and
    each note's words."""

    body: list[str] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    rule: str
    message: str


def norm(word: str) -> str:
    """A word as compared: letters, marks and digits only, case folded."""
    word = unicodedata.normalize("NFKC", word).casefold()
    return "".join(c for c in word if unicodedata.category(c)[0] in "LNM")


# --- reading the two outputs ---------------------------------------------------------------------------------

def pdf_words(pdf: Path) -> list[PdfWord]:
    """Every word poppler finds, in the order the PDF draws them, with boxes relative to the real page."""
    import pikepdf

    with tempfile.TemporaryDirectory(prefix="essaybook-bbox-") as tmp:
        copy = Path(tmp) / "enlarged.pdf"
        sizes = []
        with pikepdf.open(pdf) as doc:
            for page in doc.pages:
                x0, y0, x1, y1 = (float(v) for v in page.mediabox)
                sizes.append((x1 - x0, y1 - y0))
                page.obj["/MediaBox"] = pikepdf.Array([x0 - _ENLARGE, y0 - _ENLARGE, x1 + _ENLARGE, y1 + _ENLARGE])
                for box in ("/CropBox", "/TrimBox", "/BleedBox", "/ArtBox"):
                    if box in page.obj:
                        del page.obj[box]
            doc.save(copy)
        out = subprocess.run(["pdftotext", "-raw", "-bbox", "-enc", "UTF-8", str(copy), "-"], capture_output=True,
                             check=True).stdout
    root = etree.fromstring(out, etree.XMLParser(recover=True, resolve_entities=False, no_network=True))
    words = []
    for number, page in enumerate(root.iter(f"{XHTML}page"), start=1):
        width, height = sizes[number - 1] if number <= len(sizes) else (0.0, 0.0)
        for w in page.iter(f"{XHTML}word"):
            words.append(PdfWord(w.text or "", number, float(w.get("xMin")) - _ENLARGE,
                                 float(w.get("yMin")) - _ENLARGE, float(w.get("xMax")) - _ENLARGE,
                                 float(w.get("yMax")) - _ENLARGE, width, height))
    return words


def epub_text(epub: Path) -> EpubText:
    """The words of the EPUB's content documents in spine order (not the cover or the navigation)."""
    with zipfile.ZipFile(epub) as z:
        container = etree.fromstring(z.read("META-INF/container.xml"))
        opf_path = container.find(".//{*}rootfile").get("full-path")
        opf = etree.fromstring(z.read(opf_path))
        base = opf_path.rsplit("/", 1)[0] + "/" if "/" in opf_path else ""
        items = {i.get("id"): i for i in opf.iter("{*}item")}
        docs = []
        for ref in opf.iter("{*}itemref"):
            item = items.get(ref.get("idref"))
            if item is None or "nav" in (item.get("properties") or "") or ref.get("linear") == "no":
                continue
            if item.get("media-type") == "application/xhtml+xml":
                docs.append(z.read(base + item.get("href")))
    text = EpubText()
    for data in docs:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
        body = root.find(f"{XHTML}body")
        if body is not None:
            _read(body, text, None)
    text.body = [w for w in "".join(text.body).split() if norm(w)]
    text.notes = {k: [w for w in "".join(v).split() if norm(w)] for k, v in text.notes.items()}
    return text


def _read(el: etree._Element, text: EpubText, note: str | None) -> None:
    """Collect text as strings (split into words later); the notes' text apart, a call's place remembered."""
    tag = el.tag.removeprefix(XHTML) if isinstance(el.tag, str) else ""
    classes = (el.get("class") or "").split()
    kind = el.get(EPUB_TYPE) or ""
    if not tag or "pnum" in classes or "backlink" in classes or kind == "pagebreak" or tag in ("img", "svg"):
        return
    if kind == "noteref":
        target = (el.get("href") or "").split("#")[-1]
        if target and target not in text.calls:
            text.calls[target] = sum(1 for w in "".join(text.body).split() if norm(w))
        return
    if kind == "footnote" and el.get("id"):
        note = el.get("id")
        text.notes.setdefault(note, [])
    sink = text.notes[note] if note else text.body
    gap = " " if tag in _BLOCKS else ""
    sink.append(gap + (el.text or ""))
    for child in el:
        _read(child, text, note)
        sink.append(child.tail or "")
    sink.append(gap)


# --- comparing -----------------------------------------------------------------------------------------------

class _Stream:
    """The PDF's words inside the page in the order the PDF draws them (reading order: print.css positions no
    text box, so only floats such as paragraph numbers come first on a page), run together as compared, with
    where each word starts."""

    def __init__(self, words: list[PdfWord]) -> None:
        self.words = [w for w in words if norm(w.text)]
        parts, self.starts, offset = [], [], 0
        for w in self.words:
            n = norm(w.text)
            self.starts.append(offset)
            parts.append(n)
            offset += len(n)
        self.text = "".join(parts)
        self.start_set = set(self.starts)

    def find(self, word: str, pos: int, limit: int = _WINDOW) -> int:
        """The first place at or after ``pos`` (and at most ``limit`` characters on) where a PDF word starts
        with ``word``, possibly running on over the next PDF words (a word broken at a line end)."""
        idx = self.text.find(word, pos)
        while idx >= 0 and idx not in self.start_set and idx - pos <= limit:
            idx = self.text.find(word, idx + 1)
        return idx if idx >= 0 and idx - pos <= limit else -1

    def _followed(self, words: list[str], pos: int) -> bool:
        for word in words:
            idx = self.find(word, pos, _NEAR)
            if idx < 0:
                return False
            pos = idx + len(word)
        return True

    def _across_pages(self, word: str, pos: int) -> int:
        """A word hyphenated at the foot of a page: its head ends a PDF word with a hyphen near ``pos``, its
        tail starts a PDF word on the next page (after the notes, the running head and the folio). Returns the
        position after the tail, or -1."""
        first = bisect.bisect_left(self.starts, pos)
        for i in range(first, len(self.words)):
            if self.starts[i] - pos > _NEAR:
                break
            w = self.words[i]
            head = norm(w.text)
            if not w.text.endswith(("-", "\u2010", "\u00ad")) or not word.startswith(head) or head == word:
                continue
            tail = word[len(head):]
            after = self.starts[i] + len(head)
            idx = self.find(tail, after)
            if idx >= 0 and self.page_at(idx) == w.page + 1:
                return idx + len(tail)
        return -1

    def page_at(self, offset: int) -> int:
        if not self.words:
            return 1
        i = max(bisect.bisect_right(self.starts, offset) - 1, 0)
        return self.words[min(i, len(self.words) - 1)].page

    def match(self, words: list[str]) -> tuple[list[tuple[str, int]], list[int]]:
        """Greedy in-order match: the words not found (with the page near where each was expected) and the
        page each word was found on (0: not found). A match far ahead counts only when the next words follow
        it, so one lost word does not carry the reading past everything after it."""
        missing, pages, pos = [], [], 0
        normed = [norm(w) for w in words]
        for i, n in enumerate(normed):
            idx = self.find(n, pos)
            far = idx < 0 or idx - pos > _NEAR
            if far and (end := self._across_pages(n, pos)) >= 0:  # before a far match: the text may repeat
                pages.append(self.page_at(end - 1))
                pos = end
                continue
            if idx - pos > _NEAR and not self._followed(normed[i + 1:i + 1 + _CONFIRM], idx + len(n)):
                idx = -1
            if idx < 0:
                missing.append((words[i], self.page_at(pos)))
                pages.append(0)
                continue
            pages.append(self.page_at(idx))
            pos = idx + len(n)
        return missing, pages


def compare(pdf: Path, epub: Path, text_block: Callable[[float, float], tuple[float, float] | None]
            ) -> list[Problem]:
    """The three checks over one handout and its e-book. ``text_block(width, height)`` gives the text block's
    left and right edges (points) on a page of that size, or None when the paper is not a known one."""
    words = pdf_words(pdf)
    problems = _outside(words, text_block)
    inside = [w for w in words if _on_page(w)]
    stream = _Stream(inside)
    text = epub_text(epub)
    missing, found = stream.match(text.body)
    problems += _missing_runs(missing, "of the text")
    for note, note_words in text.notes.items():
        at = text.calls.get(note)
        call_page = next((p for p in reversed(found[:at]) if p), 1) if at is not None else None
        problems += _check_note(stream, inside, note, note_words, call_page)
    return problems


def _check_note(stream: _Stream, inside: list[PdfWord], note: str, words: list[str], call_page: int | None
                ) -> list[Problem]:
    """A note's words, in order, on its call's page or the next; else anywhere (displaced); else missing."""
    if call_page is not None:
        missing, _ = _Stream([w for w in inside if call_page <= w.page <= call_page + 1]).match(words)
        if not missing:
            return []
    missing, pages = stream.match(words)
    out = _missing_runs(missing, f"of note {note}")
    found = sorted({p for p in pages if p})
    if call_page is not None and any(p not in (call_page, call_page + 1) for p in found):
        out.append(Problem("pdf-note-displaced", f"note {note} is called on page {call_page} but printed on page "
                                                 f"{', '.join(str(p) for p in found)}"))
    return out


def _missing_runs(missing: list[tuple[str, int]], what: str) -> list[Problem]:
    """Missing words grouped by page, so a lost column is one finding, not forty."""
    by_page: dict[int, list[str]] = {}
    for word, page in missing:
        by_page.setdefault(page, []).append(word)
    return [Problem("pdf-words-missing", f"page {page}: {len(ws)} word{'s' * (len(ws) != 1)} {what} missing from "
                                         f"the PDF: {_quote(ws)}") for page, ws in sorted(by_page.items())]


def _quote(words: list[str], limit: int = 12) -> str:
    shown = " ".join(words[:limit])
    return f"'{shown}'" + (f" and {len(words) - limit} more" if len(words) > limit else "")


def _on_page(w: PdfWord) -> bool:
    t = OUTSIDE_TOLERANCE
    return w.x0 >= -t and w.y0 >= -t and w.x1 <= w.width + t and w.y1 <= w.height + t


def _outside(words: list[PdfWord], text_block: Callable[[float, float], tuple[float, float] | None]
             ) -> list[Problem]:
    off_page: dict[int, list[str]] = {}
    off_block: dict[int, list[str]] = {}
    for w in words:
        if not _on_page(w):
            off_page.setdefault(w.page, []).append(w.text)
            continue
        block = text_block(w.width, w.height)
        if block is None:
            continue
        left, right = block
        t = OUTSIDE_TOLERANCE
        if w.x1 > right + t or (w.x0 < left - t and not re.fullmatch(r"\d+", w.text)):
            off_block.setdefault(w.page, []).append(w.text)
    out = [Problem("pdf-content-outside", f"page {p}: {len(ws)} word{'s' * (len(ws) != 1)} drawn outside the "
                                          f"page: {_quote(ws)}") for p, ws in sorted(off_page.items())]
    out += [Problem("pdf-content-outside", f"page {p}: {len(ws)} word{'s' * (len(ws) != 1)} past the edge of "
                                           f"the text block: {_quote(ws)}") for p, ws in sorted(off_block.items())]
    return out


def available() -> bool:
    return shutil.which("pdftotext") is not None
