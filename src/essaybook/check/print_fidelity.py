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

Words are compared as letters and digits only (case folded, NFKC). The two word lists are aligned first
(difflib), a word hyphenated at a line's end counted as one; what the alignment leaves over is looked for in its
own stretch of the PDF's text run together, each word starting where a PDF word starts: so a word hyphenated
at a page's foot ("Con-" … "TeXt"), an address broken after a slash, a word with a note number or a link's
letter stuck to it are all found. The PDF has more than the EPUB (running heads, folios, the link list,
footnote numbers): extra words are never a finding.
"""

from __future__ import annotations

import bisect
import re
import shutil
import subprocess
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from essaybook.labels import label
from essaybook.model import XML_NS

XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
_ENLARGE = 400.0  # points added on every side of each page, so that text past the edge is read too
OUTSIDE_TOLERANCE = 3.0  # points: hairline overshoots (italic overhang, a hanging full stop) are not findings
_HYPHENS = ("-", "\u2010", "\u00ad")  # a word's head at a line's end
_BESIDE = 3  # PDF words on each side of a stretch the alignment left over, searched for its words too
_NEAR = 800  # characters: how far from where a word was expected its hyphenated head may end a page
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
    rtl: bool = False  # the book reads right to left (dir="rtl" on its documents)
    ids: set[str] = field(default_factory=set)  # every id in the book's documents
    lang: str = "en"  # the language of the document being read


@dataclass(frozen=True)
class Problem:
    rule: str
    message: str


def norm(word: str) -> str:
    """A word as compared: letters, marks and digits only, case folded, every digit as 0 (the handout prints
    the page of each link to a place in the essay, which the e-book reads as "(p. 0)"; a word is lost or not,
    whatever its digits). A word of a script whose glyphs are reordered when drawn (right-to-left letters,
    Indic vowel signs) is compared as the sorted bag of its letters without marks: read back from a PDF, its
    characters come in the drawing's order, not the spelling's."""
    word = _DIGITS.sub("0", unicodedata.normalize("NFKC", word).casefold())
    if _REORDERED.search(word):
        return "".join(sorted(c for c in word if unicodedata.category(c)[0] in "LN"))
    return "".join(c for c in word if unicodedata.category(c)[0] in "LNM")


_DIGITS = re.compile(r"\d")
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
# Right-to-left scripts and the Indic ones (Devanagari to Sinhala, Thai to Myanmar), whose drawing order differs.
_REORDERED = re.compile("[\u0590-\u08ff\u0900-\u0dff\u0e00-\u109f\ufb1d-\ufdff\ufe70-\ufeff]")


def logical_order(words: list[PdfWord]) -> list[PdfWord]:
    """pdftotext's raw words of a right-to-left page are in drawing order, left to right, each right-to-left
    word spelt backwards: per line, reverse the words, turn each right-to-left word the right way round, and
    keep the runs of left-to-right words (a Latin name, a number) in their own order, as the bidi algorithm
    would for a right-to-left paragraph."""
    out: list[PdfWord] = []
    line: list[PdfWord] = []

    def flush() -> None:
        if not any(_RTL.search(w.text) for w in line):
            out.extend(line)
            return
        visual = list(reversed(line))
        i = 0
        while i < len(visual):
            if _RTL.search(visual[i].text):
                w = visual[i]
                out.append(PdfWord(w.text[::-1], w.page, w.x0, w.y0, w.x1, w.y1, w.width, w.height))
                i += 1
                continue
            j = i
            while j < len(visual) and not _RTL.search(visual[j].text):
                j += 1
            out.extend(reversed(visual[i:j]))
            i = j
        line.clear()

    for w in words:
        if line and (w.page != line[-1].page or abs(w.y0 - line[-1].y0) > 0.5 * (line[-1].y1 - line[-1].y0)):
            flush()
            line.clear()
        line.append(w)
    flush()
    return out


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
            x0, x1 = float(w.get("xMin")) - _ENLARGE, float(w.get("xMax")) - _ENLARGE
            for text, left, right in _words_of(w.text or "", x0, x1):
                words.append(PdfWord(text, number, left, float(w.get("yMin")) - _ENLARGE, right,
                                     float(w.get("yMax")) - _ENLARGE, width, height))
    return words


def _words_of(text: str, x0: float, x1: float) -> list[tuple[str, float, float]]:
    """A line drawn with its text as written (``actual_text``: Devanagari, Thai…) is one word to poppler,
    spaces and all: its words, each with its share of the line's width."""
    if len(text.split()) <= 1:
        return [(text, x0, x1)]
    share = (x1 - x0) / len(text)
    return [(m.group(), x0 + share * m.start(), x0 + share * m.end()) for m in re.finditer(r"\S+", text)]


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
    roots = [etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True)) for data in docs]
    text.ids = {el.get("id") for root in roots for el in root.iter() if el.get("id")}
    for root in roots:
        body = root.find(f"{XHTML}body")
        text.rtl = text.rtl or root.get("dir") == "rtl"
        text.lang = root.get(f"{{{XML_NS}}}lang") or root.get("lang") or "en"
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
    # Pictures, and MathML (the handout draws each formula as vector paths, which carry no text to compare).
    if not tag or "pnum" in classes or "backlink" in classes or kind == "pagebreak" or tag in ("img", "svg") or \
            (isinstance(el.tag, str) and el.tag.endswith("}math")):
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
    if tag == "a" and "backlink" not in classes and _internal(el.get("href") or "", text.ids):
        # The handout prints the target's page after the link, as print_moves words it.
        sink.append(label(text.lang, "page_before") + "0" + label(text.lang, "page_after"))
    sink.append(gap)


def _internal(href: str, ids: set[str]) -> bool:
    """A link to a place in the book (in this document or another of its documents)."""
    document, _, fragment = href.partition("#")
    return bool(fragment) and ":" not in document and fragment in ids


# --- comparing -----------------------------------------------------------------------------------------------

class _Stream:
    """The PDF's words inside the page in the order the PDF draws them (reading order: print.css positions no
    text box, so only floats such as paragraph numbers come first on a page), run together as compared, with
    where each word starts."""

    def __init__(self, words: list[PdfWord]) -> None:
        normed = [(w, norm(w.text)) for w in words]
        self.words = [w for w, n in normed if n]
        self.parts = [n for _w, n in normed if n]  # each word as compared
        self.starts, offset = [], 0
        for n in self.parts:
            self.starts.append(offset)
            offset += len(n)
        self.text = "".join(self.parts)
        self.start_set = set(self.starts)
        self._tokens = _aligned(self.words, self.parts)

    def find(self, word: str, pos: int, limit: int) -> int:
        """The first place at or after ``pos`` (and at most ``limit`` characters on) where a PDF word starts
        with ``word``, possibly running on over the next PDF words (a word broken at a line end)."""
        idx = self.text.find(word, pos)
        while idx >= 0 and idx not in self.start_set and idx - pos <= limit:
            idx = self.text.find(word, idx + 1)
        return idx if idx >= 0 and idx - pos <= limit else -1

    def _across_pages(self, word: str, pos: int, end: int) -> int:
        """A word hyphenated at the foot of a page: its head ends a PDF word with a hyphen near ``pos``, its
        tail starts a PDF word on the next page (after the notes, the running head and the folio), before
        ``end`` or within ``2 * _NEAR`` characters: the alignment may have matched the word after it in the
        running head, which is drawn before the next page. Returns the position after the tail, or -1."""
        first = bisect.bisect_left(self.starts, pos)
        for i in range(first, len(self.words)):
            if self.starts[i] - pos > _NEAR:
                break
            w, head = self.words[i], self.parts[i]
            if not w.text.endswith(_HYPHENS) or not word.startswith(head) or head == word:
                continue
            tail = word[len(head):]
            after = self.starts[i] + len(head)
            idx = self.find(tail, after, max(end - after - len(tail), 2 * _NEAR))
            if idx >= 0 and self.page_at(idx) == w.page + 1:
                return idx + len(tail)
        return -1

    def page_at(self, offset: int) -> int:
        if not self.words:
            return 1
        i = max(bisect.bisect_right(self.starts, offset) - 1, 0)
        return self.words[min(i, len(self.words) - 1)].page

    def match(self, words: list[str]) -> tuple[list[tuple[str, int]], list[int]]:
        """The words not found in the PDF (with the page near where each was expected) and the page each word
        was found on (0: not found).

        The two texts are first aligned word for word (their longest common subsequence), so that a common
        word found further on never carries the reading past everything between: a greedy reading, once a
        hyphenated word at a page's foot had sent it a line ahead, lost half of pandoc's manual that way. Each
        stretch between two aligned runs (a word broken over a page, an address broken after a slash, a note
        number or a link's letter stuck to a word) is then looked for inside its own span of the PDF's text."""
        normed = [norm(w) for w in words]
        missing: list[tuple[str, int]] = []
        pages: list[int] = []
        for (i1, i2, j1, j2), equal in _alignment(normed, self._tokens):
            if equal:
                pages.extend(self.words[j].page for j in range(j1, j2))
                continue
            pos, end = self._offset(j1), self._offset(j2)
            for i in range(i1, i2):
                n = normed[i]
                idx = self.find(n, pos, end - pos - len(n))
                if idx >= 0:
                    pages.append(self.page_at(idx))
                    pos = idx + len(n)
                elif (after := self._across_pages(n, pos, end)) >= 0:
                    pages.append(self.page_at(after - 1))
                    pos = after
                elif (idx := self._near(n, j1, j2)) >= 0:
                    pages.append(self.page_at(idx))
                else:
                    missing.append((words[i], self.page_at(pos)))
                    pages.append(0)
        return missing, pages

    def _near(self, word: str, j1: int, j2: int) -> int:
        """Where ``word`` starts in or beside the PDF's words ``j1`` to ``j2``, reading past the raised pieces
        stuck to a word (a link's letter inside "Jira" + "ab" + "/Confluence"): the alignment may have given a
        neighbouring equal run the PDF word that the e-book's word runs on over. -1 if it is not there."""
        lo, hi = max(j1 - _BESIDE, 0), min(j2 + _BESIDE, len(self.words))
        text, begins = "", {}
        for k in range(lo, hi):
            if not (k and _raised_after(self.words[k - 1], self.words[k])):
                begins[len(text)] = k
                text += self.parts[k]
        at = text.find(word)
        while at >= 0 and at not in begins:
            at = text.find(word, at + 1)
        return self.starts[begins[at]] if at >= 0 else -1

    def _offset(self, j: int) -> int:
        """Where the PDF's ``j``-th word starts in the run-together text (its end, past the last word)."""
        return self.starts[j] if j < len(self.starts) else len(self.text)

def _aligned(words: list[PdfWord], normed: list[str]) -> list[str]:
    """The words the alignment compares: a word hyphenated at a line's end is its head and the next line's
    first word run together ("level-" + "one" is "levelone", as the e-book has it), its tail a placeholder that
    matches nothing. A word hyphenated at a page's foot is left to the stretch's own search."""
    out = list(normed)
    for i in range(len(words) - 1):
        w, after = words[i], words[i + 1]
        if out[i] != "\0" and w.text.endswith(_HYPHENS) and after.page == w.page and \
                after.y0 - w.y0 > 0.5 * (w.y1 - w.y0):
            out[i], out[i + 1] = out[i] + out[i + 1], "\0"
    return out


_CHUNK = 3000  # the e-book's words aligned at a time: the alignment's table is their number × the PDF's / 8 bytes


def _alignment(a: list[str], b: list[str]) -> Iterator[tuple[tuple[int, int, int, int], bool]]:
    """``a`` against ``b`` as stretches ``(i1, i2, j1, j2)``, each either equal (True) or what lies between two
    equal ones (False; stretches of ``b`` alone are left out). A long text is aligned a chunk at a time against
    the part of the PDF it can be on (three times its words: notes, folios and link lists come between), and only
    what the chunk's first half aligned is kept before the next chunk starts where that ended: memory stays
    flat and time linear."""
    from rapidfuzz.distance import Indel

    i = j = 0
    while i < len(a):
        last = i + _CHUNK >= len(a)
        ia, jb = (len(a), len(b)) if last else (i + _CHUNK, min(len(b), j + 3 * _CHUNK))
        keep = ia if last else i + _CHUNK // 2
        gap_i, gap_j = i, j  # where the stretch after the last equal one starts
        for op in Indel.opcodes(a[i:ia], b[j:jb]):
            s1, e1, s2, e2 = op.src_start + i, op.src_end + i, op.dest_start + j, op.dest_end + j
            if op.tag != "equal":
                continue
            if s1 >= keep:
                break
            e1, e2 = min(e1, keep), e2 - max(0, e1 - keep)
            if s1 > gap_i:
                yield (gap_i, s1, gap_j, s2), False
            yield (s1, e1, s2, e2), True
            gap_i, gap_j = e1, e2
        if last:
            if gap_i < len(a):
                yield (gap_i, len(a), gap_j, len(b)), False
            return
        if gap_i == i:  # nothing of the chunk's first half is in this part of the PDF
            yield (i, keep, j, j), False
            gap_i = keep
        i, j = gap_i, gap_j


def _raised_after(before: PdfWord, w: PdfWord) -> bool:
    """``w`` touches the end of ``before`` on its line and sits higher, smaller: a superscript."""
    return w.page == before.page and abs(w.x0 - before.x1) < 0.5 and w.y1 < before.y1 - 0.15 * (before.y1 - before.y0)


def compare(pdf: Path, epub: Path, text_block: Callable[[float, float], tuple[float, float] | None]
            ) -> list[Problem]:
    """The three checks over one handout and its e-book. ``text_block(width, height)`` gives the text block's
    left and right edges (points) on a page of that size, or None when the paper is not a known one."""
    text = epub_text(epub)
    words = pdf_words(pdf)
    if text.rtl:  # the binding margin is on the right: the text block is mirrored
        def mirrored(width: float, height: float, block=text_block) -> tuple[float, float] | None:
            edges = block(width, height)
            return None if edges is None else (width - edges[1], width - edges[0])

        text_block = mirrored
        words = logical_order(words)
    problems = _outside(words, text_block)
    inside = [w for w in words if _on_page(w)]
    if text.rtl or any(_REORDERED.search(w) for w in text.body):
        return problems + _letters_missing(inside, text)
    stream = _Stream(inside)
    missing, found = stream.match(text.body)
    problems += _missing_runs(missing, "of the text")
    for note, note_words in text.notes.items():
        at = text.calls.get(note)
        call_page = next((p for p in reversed(found[:at]) if p), 1) if at is not None else None
        problems += _check_note(stream, inside, note, note_words, call_page)
    return problems


def _letters_missing(inside: list[PdfWord], text: EpubText) -> list[Problem]:
    """For a book in a script whose words a PDF gives back in drawing order (and split where directions meet),
    the order cannot be read back: every letter of the e-book must still be in the PDF, as many times."""
    from collections import Counter

    def letters(words) -> Counter:
        return Counter(c for w in words for c in norm(w) if not c.isdigit())

    want = letters([*text.body, *(w for ws in text.notes.values() for w in ws)])
    have = letters(w.text for w in inside)
    missing = want - have
    if not missing:
        return []
    shown = " ".join(f"{c}×{n}" for c, n in missing.most_common(12))
    return [Problem("pdf-words-missing", f"{sum(missing.values())} letters of the text missing from the PDF: "
                                         f"{shown}")]


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
        number = re.fullmatch(r"\d+", w.text)  # a paragraph number, in the margin where lines begin
        if (w.x1 > right + t and not number) or (w.x0 < left - t and not number):
            off_block.setdefault(w.page, []).append(w.text)
    out = [Problem("pdf-content-outside", f"page {p}: {len(ws)} word{'s' * (len(ws) != 1)} drawn outside the "
                                          f"page: {_quote(ws)}") for p, ws in sorted(off_page.items())]
    out += [Problem("pdf-content-outside", f"page {p}: {len(ws)} word{'s' * (len(ws) != 1)} past the edge of "
                                           f"the text block: {_quote(ws)}") for p, ws in sorted(off_block.items())]
    return out


def available() -> bool:
    return shutil.which("pdftotext") is not None
