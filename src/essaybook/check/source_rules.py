"""The editor's read of an essay: the build's own diagnostics, plus the editorial rules.

What the build refuses, drops, rewrites or repairs is decided once, in the parse (``parse.parse_document``
records it as ``rules.Diagnostic``s); this module turns those into findings and adds what only an editor
asks for: heading levels, print resolution and file sizes, smart quotes, spacing and doubled words. Places come
from the same ``SourceMap`` the parse uses.
"""

from __future__ import annotations

import copy
import math
import re
import textwrap
import unicodedata
from pathlib import Path

import lxml.html
from lxml import etree
from PIL import Image

from essaybook.check.findings import ERROR, RULES, Finding
from essaybook.dialect import smart_quotes
from essaybook.errors import SourceError, display_path
from essaybook.metadata import Metadata, read_metadata
from essaybook.model import Document, x
from essaybook.paper import PAPERS
from essaybook.parse import make_markdown, parse_document
from essaybook.rules import Diagnostic
from essaybook.source import Source, load_source
from essaybook.sourcemap import SourceMap, blocks

MIN_PRINT_DPI = 150
MAX_IMAGE_BYTES = 1024 * 1024
MAX_IMAGE_SIDE = 4000
# Below the figure's box a raster prints at CSS's 96 px per inch (WeasyPrint ignores the file's own dpi); the
# box is the text block's width and at most Paper.figure_max_height.
_CSS_DPI = 96
# "had had" and "that that" are English as she is written.
_DOUBLES_ALLOWED = {"had", "that"}
_SPACE_PUNCT = re.compile(r"(?<=[\w*’”\"')\]])([ \t]+)([,;:!?]|\.(?!\.| \.))(?=\s|$)")
_DOUBLED = re.compile(r"(?<![-'’])\b([^\W\d_]+)(?:[ \t]*\n[ \t]*|[ \t]+)(\1)\b", re.IGNORECASE)
_NOT_PROSE = ("code", "pre", "kbd", "samp", "script", "style", "template", "noscript", "textarea")


def check_essay(path: Path) -> list[Finding]:
    """A source that cannot be read at all is one finding, not an exception: the report stays the answer."""
    try:
        source = load_source(path)
        essay = _Essay(source)
        meta = essay.front_matter()
    except SourceError as exc:
        where = display_path(exc.path or path)
        return [Finding(where, exc.line or 1, 1 if exc.line else 0, ERROR, exc.message, "source-unreadable")]
    try:
        doc = parse_document(source, meta or Metadata(title="untitled"))
    except SourceError as exc:  # the tree itself is impossible (nesting too deep)
        essay.report("source-unreadable", exc.message, line=exc.line or source.body_line)
        return essay.findings
    essay.add(doc.warnings)
    if source.body.strip():
        essay.editorial(doc, meta)
    return essay.findings


class _Essay:
    """One essay's source, the shared map of its places, and its findings."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.file = display_path(source.path)
        self.map = SourceMap(source)
        self.body, self.code, self.prose = source.body, self.map.code, self.map.prose
        self.findings: list[Finding] = []
        self.keys: dict[str, tuple[int, int]] = {}  # front matter key -> (line, col)

    def report(self, rule: str, message: str, *, offset: int | None = None, line: int | None = None,
               col: int = 0) -> None:
        if offset is not None:
            line, col = self.map.line_of(offset), self.map.col_of(offset)
        self.findings.append(Finding(self.file, line or self.source.body_line, col, RULES[rule], message, rule))

    def add(self, diagnostics: list[Diagnostic]) -> None:
        for d in diagnostics:
            self.report(d.rule, d.message, line=d.line, col=d.col)

    # front matter

    def front_matter(self) -> Metadata | None:
        """The build's own front-matter diagnostics (every problem at once), as findings."""
        meta, diagnostics = read_metadata(self.source)
        for d in diagnostics:
            self.report(d.rule, d.message, line=d.line or self.source.front_matter_line, col=d.col or 1)
        return meta

    # editorial rules

    def editorial(self, doc: Document, meta: Metadata | None) -> None:
        self.headings(doc)
        self.images(doc, meta)
        self.quotes(meta.lang if meta else "en")
        self.typography(_prose_text(doc.body), meta.lang if meta else "en")
        self.glyphs(doc, meta)

    def glyphs(self, doc: Document, meta: Metadata | None) -> None:
        """What the handout would print as boxes: the build's own warning (fonts.glyph_diagnostics) on the text
        a reader sees, with fontconfig's coverage standing in for the layout."""
        from essaybook.fonts import glyph_diagnostics, missing_characters

        shown = [meta.title, meta.subtitle or "", *meta.authors] if meta else []
        text = "".join(shown) + "".join(doc.body.itertext())
        for d in glyph_diagnostics(missing_characters(text), doc.source_parts, self.source.path):
            self.report(d.rule, d.message, line=d.line)

    def headings(self, doc: Document) -> None:
        """The title is the book's h1 (the build moves every heading down a level when the essay uses ``#``):
        a heading more than one level below the one before it skips a level. Levels are the parse's; the
        message speaks of the levels the author wrote."""
        shift = 1 if doc.body.find(f".//{x('h2')}") is not None and _wrote_h1(self.code) else 0
        previous = 1
        for el in doc.body.iter(*(x(f"h{n}") for n in range(2, 7))):
            if any(etree.QName(a).localname in ("aside", "figure") for a in el.iterancestors()):
                continue
            level = int(etree.QName(el).localname[1])
            if level > previous + 1:
                text = " ".join("".join(el.itertext()).split())
                line, _ = self.map.place(text, forms=("# {}", "#{}", "{}"))
                after = "the title" if previous == 1 else f"a level-{previous - shift} heading"
                self.report("heading-skip", f"level-{level - shift} heading right after {after} skips a level; "
                            f"make it '{'#' * (previous + 1 - shift)}'", line=line, col=1 if line else 0)
            previous = level

    def images(self, doc: Document, meta: Metadata | None) -> None:
        paper = meta.paper if meta else "a4"
        in_figure = {img.get("src") for img in doc.body.iter(x("img"))
                     if img.getparent() is not None and img.getparent().tag == x("figure")}
        for asset in doc.assets:
            line, col = self.map.place(asset.href, forms=("]({}", '"{}"', "{}"), back_to=("![", "<img"),
                                       claim=False)
            self.image_size(asset.href, asset.path, asset.media_type, None, asset.href in in_figure, paper,
                            line=line, col=col)
        if doc.cover is not None:
            line, col = self.keys.get("cover", (meta.cover_line if meta else None, 1))
            self.image_size(doc.cover.href, doc.cover.path, doc.cover.media_type, None, False, paper, line=line,
                            col=col)

    def image_size(self, src: str, path: Path, media_type: str, offset: int | None, figure: bool, paper: str,
                   line: int | None = None, col: int = 0) -> None:
        size = path.stat().st_size
        width = height = 0
        if media_type != "image/svg+xml":
            with Image.open(path) as im:
                width, height = im.size
        if size > MAX_IMAGE_BYTES or max(width, height) > MAX_IMAGE_SIDE:
            what = f"{size / 1024 / 1024:.1f} MB" if size > MAX_IMAGE_BYTES else f"{width}×{height} px"
            self.report("image-too-large", f"image '{src}' is {what}, which bloats the EPUB; keep images under "
                        f"{MAX_IMAGE_SIDE} px a side and 1 MB", offset=offset, line=line, col=col)
        elif figure and width:
            page = PAPERS[paper]
            box_w, box_h = page.text_width, page.figure_max_height
            natural_w, natural_h = width * 25.4 / _CSS_DPI, height * 25.4 / _CSS_DPI
            fit = min(box_w / natural_w, box_h / natural_h)
            dpi = _CSS_DPI / min(1.0, fit)
            if dpi < MIN_PRINT_DPI:
                need = math.ceil(MIN_PRINT_DPI / _CSS_DPI * fit * width)
                self.report("image-low-resolution", f"image '{src}' ({width}×{height} px) prints "
                            f"{natural_w * min(1.0, fit):.0f} mm wide at {dpi:.0f} dpi, blurred on paper; use one "
                            f"at least {need} px wide for {MIN_PRINT_DPI} dpi", offset=offset, line=line, col=col)

    def quotes(self, lang: str) -> None:
        """Smarty guesses a quote's direction from its neighbours and is wrong next to punctuation (',"word"'
        gives ',”word”'), and never reaches raw HTML. Each paragraph is converted alone and its double quotes
        must alternate opening, closing, in the marks of the essay's language (dialect.smart_quotes: „…“ in
        German); a straight quote left in the output is reported as such."""
        md = make_markdown(lang=lang)
        smart = smart_quotes(lang)
        opening_mark, closing_mark = smart["left-double-quote"].strip(), smart["right-double-quote"].strip()
        marks = '"' + opening_mark + closing_mark
        for start, end in blocks(self.body):
            doubles = [i for i in range(start, end) if self.prose[i] in marks]
            singles = [i for i in range(start, end) if self.prose[i] in "'‘’"]
            if not doubles and not ("'" in self.prose[start:end] and "<" in self.code[start:end]):
                continue
            md.reset()
            root = lxml.html.fragment_fromstring(md.convert(textwrap.dedent(self.body[start:end])) or "",
                                                 create_parent="div")
            text = _prose_text(root)
            out_doubles = [c for c in text if c in marks]
            out_singles = [c for c in text if c in "'‘’"]
            if len(out_singles) == len(singles):
                for offset, c in zip(singles, out_singles, strict=True):
                    if c == "'":
                        self.report("smart-quotes", "straight quote \"'\" reaches the book as typed (smart "
                                    "punctuation does not reach raw HTML); type ’ or ‘", offset=offset)
            if len(out_doubles) != len(doubles):
                continue
            opening = True
            for offset, c in zip(doubles, out_doubles, strict=True):
                expected, where = (opening_mark, "begins") if opening else (closing_mark, "ends")
                opening = not opening
                if c == '"':
                    self.report("smart-quotes", "straight quote '\"' reaches the book as typed (smart "
                                f"punctuation does not reach raw HTML); type {expected}", offset=offset)
                elif c != expected:
                    made = f"'\"' turns into {c}" if self.body[offset] == '"' else f"{c} is typed"
                    self.report("smart-quotes", f"{made} where a quotation {where}; type {expected}",
                                offset=offset)

    def typography(self, text: str, lang: str) -> None:
        """Candidates come from the source, and count only if the rendered prose has them too (so nothing in
        code, addresses or markup is reported)."""
        prose = " ".join(text.split())
        french = lang.lower().startswith("fr")
        for m in _SPACE_PUNCT.finditer(self.prose):
            mark = m.group(2)
            if french and mark in ";:!?":
                continue
            word = re.search(r"(\w+)[^\w\s]{0,3}$", self.prose[:m.start()])
            if word and re.search(rf"{re.escape(word.group(1))}[^\w\s]{{0,3}}\s+{re.escape(mark)}", prose):
                self.report("space-before-punctuation", f"space before '{mark}'; remove it", offset=m.start(2))
        for m in _DOUBLED.finditer(self.prose):
            word = m.group(1)
            if word.lower() in _DOUBLES_ALLOWED or not re.search(rf"(?i)\b{word}\s+{word}\b", prose):
                continue
            if _marked(self.prose, m.start(1) - 1) or _marked(self.prose, m.end(1)) or _marked(self.prose, m.end(2)):
                continue  # a letter and the vowel sign or virama after it: part of a word (Devanagari द्वि)
            self.report("doubled-word", f"'{word}' is written twice ('{m.group(1)} {m.group(2)}')", offset=m.start(2))


def _marked(text: str, at: int) -> bool:
    """Whether ``text[at]`` is a combining mark (a vowel sign, a virama, an accent typed apart), which Python's
    ``\\w`` does not count as a letter: a word boundary there falls inside a word."""
    return 0 <= at < len(text) and unicodedata.category(text[at]).startswith("M")


def _wrote_h1(code: str) -> bool:
    return bool(re.search(r"(?m)^#(?!#)", code) or re.search(r"(?m)^[^\n]*\S[^\n]*\n=+[ \t]*$", code))


def _prose_text(root: etree._Element) -> str:
    """The text a reader reads, without attribute values; code, scripts and footnote numbers become one
    placeholder character each, so that "as `T`, counted" does not read as "as , counted"."""
    root = copy.deepcopy(root)
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.tag in _NOT_PROSE or \
                {"footnote-ref", "backlink"} & set((el.get("class") or "").split()):
            _replace(el, "\ufffc")
    return "".join(root.itertext())


def _replace(el: etree._Element, text: str) -> None:
    parent, previous = el.getparent(), el.getprevious()
    if parent is None:
        return
    if previous is not None:
        previous.tail = (previous.tail or "") + text + (el.tail or "")
    else:
        parent.text = (parent.text or "") + text + (el.tail or "")
    parent.remove(el)


