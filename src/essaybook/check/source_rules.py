"""The editor's read of the source: front matter, figures, notes, links, typography, raw HTML.

Python-Markdown keeps no source positions, so what to report comes from its output and where from the source:
each fact is looked up in copies of the body in which code (and, for prose checks, tags, addresses, attribute
lists and labels) is blanked out. The copies keep the body's length, so an offset in them is a place in the file.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import re
import textwrap
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
import markdown
import yaml
from lxml import etree
from markdown.extensions.fenced_code import FencedBlockPreprocessor
from markdown.extensions.footnotes import FootnoteBlockProcessor, FootnoteExtension
from markdown.inlinepatterns import AUTOLINK_RE, AUTOMAIL_RE, HTML_RE
from markdown.treeprocessors import Treeprocessor
from PIL import Image

from essaybook.assets import check_asset, refuse_outside_references
from essaybook.check.findings import ERROR, RULES, Finding
from essaybook.errors import SourceError, display_path
from essaybook.metadata import Metadata, parse_metadata
from essaybook.model import Asset
from essaybook.paper import PAPERS
from essaybook.parse import cover_asset, fix_ids, is_plain_url, make_markdown, to_xhtml
from essaybook.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES, sanitize_html
from essaybook.source import Source, load_source

MIN_PRINT_DPI = 150
MAX_IMAGE_BYTES = 1024 * 1024
MAX_IMAGE_SIDE = 4000
# Below the figure's box a raster prints at CSS's 96 px per inch (WeasyPrint ignores the file's own dpi); the
# box is the text block's width and at most Paper.figure_max_height.
_CSS_DPI = 96
# "had had" and "that that" are English as she is written.
_DOUBLES_ALLOWED = {"had", "that"}


# --- the essay ----------------------------------------------------------------------------------------------


def check_essay(path: Path) -> list[Finding]:
    """A source that cannot be read at all is one finding, not an exception: the report stays the answer."""
    try:
        source = load_source(path)
        essay = _Essay(source)
        meta = essay.front_matter()
    except SourceError as exc:
        where = display_path(exc.path or path)
        return [Finding(where, exc.line or 1, 1 if exc.line else 0, ERROR, exc.message, "source-unreadable")]
    if not source.body.strip():
        essay.report("body-empty", "the essay has no text after its front matter; write the essay below the '---'",
                     line=source.body_line)
        return essay.findings
    essay.body_checks(meta)
    return essay.findings


class _CreditSpy(Treeprocessor):
    """FigureMaker drops an empty ``credit=""`` without a trace; keep a copy so it can be reported."""

    def run(self, root: etree.Element) -> None:
        for img in root.iter("img"):
            if "credit" in img.attrib:
                img.set(_CREDIT, img.get("credit"))


_CREDIT = "data-check-credit"
_LINK = re.compile(r"(!?\[)[^\]\n]*(?:\n[^\]\n]*)*?(\]\((?:[^()\n]|\([^()\n]*\))*\))")
_REF_LINK = re.compile(r"(!?\[)[^\]\n]*(\]\[[^\]\n]*\])")
_DEFINITION = re.compile(r"^(?: {0,3}\[(?!\^)[^\]\n]+\]:|\*\[[^\]\n]+\]:).*$", re.MULTILINE)
_FOOTNOTE_REF = re.compile(r"\[\^([^\]\n]*)\]")
_ATTR_LIST = re.compile(r"\{:?[ \t]*(?:[#.][\w-]|[\w-]+=)[^}\n]*\}")
_CREDIT_VALUE = re.compile(r"""\bcredit=(["'])(.*?)\1""")
_CODE_SPAN = re.compile(r"(?<![\\`])(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
_TAG = re.compile(f"{HTML_RE}|{AUTOLINK_RE}|{AUTOMAIL_RE}", re.DOTALL)
_LIST_OR_NOTE = re.compile(r"^ {0,3}(?:[-*+]|\d+[.)]|\[\^[^\]\n]*\]:)(?:[ \t]|$)")
_ATX = re.compile(r"^(#{1,6})(?!#)", re.MULTILINE)
_SETEXT = re.compile(r"^[^\n]*\S[^\n]*\n(=+|-+)[ \t]*$", re.MULTILINE)
_SPACE_PUNCT = re.compile(r"(?<=[\w*’”\"')\]])([ \t]+)([,;:!?]|\.(?!\.| \.))(?=\s|$)")
_DOUBLED = re.compile(r"(?<![-'’])\b([^\W\d_]+)(?:[ \t]*\n[ \t]*|[ \t]+)(\1)\b", re.IGNORECASE)
_NOT_PROSE = ("code", "pre", "kbd", "samp", "script", "style", "template", "noscript", "textarea")
_URL_ATTRS = ("href", "src", "cite")


class _Essay:
    """One essay's source, its body with code (``code``) and all markup (``prose``) blanked, and its findings."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.file = display_path(source.path)
        self.body = source.body
        self.code = _mask_code(self.body)
        self.prose = _mask_markup(self.code)
        self.findings: list[Finding] = []
        self.keys: dict[str, tuple[int, int]] = {}  # front matter key -> (line, col)
        self._used: set[int] = set()

    def line_of(self, offset: int) -> int:
        return self.source.body_line + self.body.count("\n", 0, offset)

    def report(self, rule: str, message: str, *, offset: int | None = None, line: int | None = None,
               col: int = 0) -> None:
        if offset is not None:
            line, col = self.line_of(offset), offset - self.body.rfind("\n", 0, offset)
        self.findings.append(Finding(self.file, line or self.source.body_line, col, RULES[rule], message, rule))

    def locate(self, needle: str) -> int | None:
        """The first place outside code where ``needle`` is written that no earlier lookup has claimed (else
        the first place at all: reference links share their definition's address)."""
        for variant in dict.fromkeys((needle, unquote(needle))):
            first = start = self.code.find(variant) if variant else -1
            while start >= 0:
                if start not in self._used:
                    self._used.add(start)
                    return start
                start = self.code.find(variant, start + 1)
            if first >= 0:
                return first
        return None

    # front matter

    def front_matter(self) -> Metadata | None:
        """parse_metadata stops at the first bad key: report it, blank its lines out (so line numbers stay) and
        validate the rest again, until the front matter passes."""
        source = self.source
        try:
            node = yaml.compose(source.front_matter, Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            parse_metadata(source)  # raises the build's own message, with its line
            raise
        if node is not None and not isinstance(node, yaml.MappingNode):
            parse_metadata(source)  # "front matter must be a mapping"
        spans: dict[str, tuple[int, int]] = {}
        for key, value in node.value if node is not None else ():
            end = value.end_mark.line - (value.end_mark.column == 0 and value.end_mark.line > key.start_mark.line)
            spans[str(key.value)] = (key.start_mark.line, end)
            self.keys[str(key.value)] = (source.front_matter_line + key.start_mark.line, key.start_mark.column + 1)
        lines = source.front_matter.split("\n")
        meta, reported = None, set()
        for _ in range(len(spans) + 2):
            try:
                meta = parse_metadata(dataclasses.replace(source, front_matter="\n".join(lines)))
                break
            except SourceError as exc:
                row = (exc.line or 0) - source.front_matter_line
                key = next((k for k, (first, last) in spans.items() if first <= row <= last), None)
                # A title check can only fail once the YAML loads (an impossible date fails before it).
                if _loads("\n".join(lines)) and _blank_value(lines, "title"):
                    if "title" not in reported:  # a title of the wrong type is reported already
                        self.report("title-missing", exc.message, line=exc.line, col=1)
                    lines.append("title: untitled")
                    continue
                message = exc.message
            if key is None:
                self.report("front-matter-invalid", message, line=source.front_matter_line, col=1)
                break
            self.report("front-matter-date" if key == "date" else "front-matter-invalid", message,
                        line=self.keys[key][0], col=self.keys[key][1])
            reported.add(key)
            first, last = spans.pop(key)
            lines[first:last + 1] = [""] * (last + 1 - first)
        if "lang" not in reported and _blank_value(lines, "lang"):
            self.report("lang-missing", "no 'lang' in the front matter, so the book says it is English; add "
                        "'lang: en' (or the essay's language)",
                        line=source.front_matter_line if source.front_matter else 1, col=1)
        for warning in source.warnings:
            self.report("control-characters", warning.message, line=warning.line, col=1)
        for warning in meta.warnings if meta else ():
            if warning not in source.warnings:
                key = next((k for k, (line, _) in self.keys.items() if line == warning.line), None)
                self.report(warning.rule, warning.message, line=warning.line,
                            col=self.keys[key][1] if key else 1)
        return meta

    # body

    def body_checks(self, meta: Metadata | None) -> None:
        md = make_markdown()
        md.treeprocessors.register(_CreditSpy(md), "check-credit", 7.6)  # after attr_list, before FigureMaker
        html = md.convert(self.body)
        root = lxml.html.fragment_fromstring(html or "", create_parent="div")
        notes = next(e for e in md.registeredExtensions if isinstance(e, FootnoteExtension))
        lang = meta.lang if meta else "en"
        self.headings()
        self.footnotes(set(notes.footnotes), set(notes.footnote_order))
        self.raw_html([chunk for chunk in md.htmlStash.rawHtmlBlocks if isinstance(chunk, str)])
        self.links(root, html)
        self.images(root, meta)
        self.quotes(md)
        self.typography(_prose_text(root), lang)
        self.glyphs(root, meta)

    def glyphs(self, root: etree._Element, meta: Metadata | None) -> None:
        """What the handout would print as boxes: the build's own check (fonts.glyph_diagnostics) on the text
        a reader sees, with fontconfig's coverage standing in for the layout."""
        from essaybook.fonts import glyph_diagnostics, missing_characters

        shown = [meta.title, meta.subtitle or "", *meta.authors] if meta else []
        text = "".join(shown) + "".join(root.itertext())
        parts = ((self.source.front_matter_line, self.source.front_matter), (self.source.body_line, self.body))
        for d in glyph_diagnostics(missing_characters(text), parts, self.source.path):
            self.report(d.rule, d.message, line=d.line)

    def headings(self) -> None:
        """The title is the book's h1; the build moves every heading down a level when the essay uses ``#``."""
        found = [(m.start(), len(m.group(1))) for m in _ATX.finditer(self.code)]
        found += [(m.start(), 1 if m.group(1)[0] == "=" else 2) for m in _SETEXT.finditer(self.code)
                  if not self.code[m.start():m.end()].lstrip().startswith(("-", "*", "+", "|", "#", ">"))]
        shift = 1 if any(level == 1 for _, level in found) else 0
        previous = 1
        for offset, written in sorted(found):
            level = written + shift
            if level > previous + 1:
                after = "the title" if previous == 1 else f"a level-{previous - shift} heading"
                self.report("heading-skip", f"level-{written} heading right after {after} skips a level; make "
                            f"it '{'#' * (previous + 1 - shift)}'", offset=offset)
            previous = level

    def footnotes(self, defined: set[str], cited: set[str]) -> None:
        definitions = {m.group(1): m.start() for m in FootnoteBlockProcessor.RE.finditer(self.code)}
        for m in _FOOTNOTE_REF.finditer(self.code):
            label = m.group(1)
            if label not in defined and self.code[m.end():m.end() + 1] != ":":
                self.report("footnote-undefined", f"footnote [^{label}] has no definition, so the book prints "
                            f"'[^{label}]'; add a line '[^{label}]: …'", offset=m.start())
        for label in defined - cited:
            self.report("footnote-unused", f"footnote [^{label}] is never cited in the text; cite it or remove it",
                        offset=definitions.get(label))

    def raw_html(self, chunks: list[str]) -> None:
        """What the sanitiser will drop from the author's own HTML, judged by its allow-list."""
        for chunk in chunks:
            text = chunk.strip()
            start = self.locate(text)
            if start is None:
                start = self.locate(text.split("\n", 1)[0])
            try:
                fragment = lxml.html.fragment_fromstring(text, create_parent="div")
            except (etree.ParserError, ValueError):  # a doctype or processing instruction: nothing to keep
                continue
            cursor = 0
            skip: set[etree._Element] = set()
            for el in fragment.iterdescendants():
                if not isinstance(el.tag, str) or el in skip:
                    continue
                at = text.lower().find(f"<{el.tag}", cursor)
                cursor = at + 1 if at >= 0 else cursor
                place = start + max(at, 0) if start is not None else None
                if el.tag not in ALLOWED_TAGS:
                    skip.update(el.iterdescendants())
                    words = " ".join(el.text_content().split())
                    kept = lxml.html.fragment_fromstring(sanitize_html(etree.tostring(el, encoding="unicode")),
                                                         create_parent="div").text_content()
                    what = " and its text" if words and not kept.strip() else ""
                    self.report("html-removed", f"<{el.tag}>{what} will be removed: books do not allow it",
                                offset=place)
                    continue
                allowed = ALLOWED_ATTRIBUTES["*"] | ALLOWED_ATTRIBUTES.get(el.tag, set())
                for name, value in el.attrib.items():
                    tag_text = text[max(at, 0):]
                    spot = tag_text.lower().find(name.lower())
                    where = place + spot if place is not None and spot >= 0 else place
                    if name not in allowed:
                        self.report("html-removed", f"attribute '{name}' on <{el.tag}> will be removed: books "
                                    "do not allow it", offset=where)
                    elif name == "style":
                        for prop in _removed_styles(value):
                            self.report("html-removed", f"style '{prop}' on <{el.tag}> will be removed; only "
                                        "text-align is kept", offset=where)
                    elif name in _URL_ATTRS and (el.tag, name) not in (("a", "href"), ("img", "src")):
                        scheme = _scheme(value)
                        if scheme and scheme not in URL_SCHEMES:
                            self.report("html-removed", f"{name} '{value[:40]}' on <{el.tag}> will be removed "
                                        f"('{scheme}:' addresses are not allowed)", offset=where)

    def links(self, root: etree._Element, html: str) -> None:
        ids = {el.get("id") for el in root.iter() if el.get("id")}
        ids |= fix_ids(to_xhtml(sanitize_html(html)))  # and the ids the book adds (title, notes, ...)
        for a in root.iter("a"):
            href = a.get("href")
            if href is None or {"footnote-ref", "backlink"} & set((a.get("class") or "").split()):
                continue
            href = href.strip()
            scheme = _scheme(href)
            if scheme in ("http", "https"):
                if is_plain_url(href) and urlsplit(href).netloc:
                    continue
                problem, rule = f"link '{href}' has no host; write the full address (https://…)", "link-broken"
            elif scheme == "mailto":
                continue
            elif scheme:
                problem, rule = (f"link '{href[:60]}' uses '{scheme}:', which a book cannot follow (only http, "
                                 "https and mailto); the build keeps its text and drops the link", "link-scheme")
            elif not href:
                problem, rule = "link has no address; the build keeps its text and drops the link", "link-broken"
            elif href.startswith("#"):
                if unquote(href[1:]) in ids:
                    continue
                problem, rule = (f"link '{href}' points to no heading or note in the essay; the build drops it",
                                 "link-broken")
            else:
                problem, rule = (f"link '{href}' is relative and leads nowhere in the book; link the full "
                                 "address (https://…) or a #heading", "link-broken")
            self.report(rule, problem, offset=self.locate(href) if href else None)

    def images(self, root: etree._Element, meta: Metadata | None) -> None:
        seen: set[str] = set()
        for img in root.iter("img"):
            src = img.get("src") or ""
            offset = self.locate(src) if src else None
            if offset is not None:
                line_start = self.body.rfind("\n", 0, offset) + 1
                opening = max(self.body.rfind("![", line_start, offset), self.body.rfind("<img", line_start, offset))
                offset = opening if opening >= 0 else offset
            figure = img.getparent() is not None and img.getparent().tag == "figure"
            alt = " ".join((img.get("alt") or "").split())
            if not alt:
                self.report("alt-missing", "image has no alt text, so screen readers skip it; add {alt=\"what the "
                            "image shows\"}", offset=offset)
            if figure:
                self.figure(img, alt, offset)
            if src in seen:
                continue
            seen.add(src)
            asset = self.asset(src, None if offset is None else self.line_of(offset), offset)
            if asset is not None:
                self.image_size(src, asset.path, asset.media_type, offset, figure, meta.paper if meta else "a4")
        if meta and meta.cover:
            line, col = self.keys.get("cover", (meta.cover_line, 1))
            try:
                cover = cover_asset(meta, self.source)
            except SourceError as exc:
                self.report("image-unusable", exc.message, line=line, col=col)
            else:
                self.image_size(meta.cover, cover.path, cover.media_type, None, False, meta.paper, line=line, col=col)

    def figure(self, img: etree._Element, alt: str, offset: int | None) -> None:
        figcaption = img.getnext()
        caption = credit = ""
        if figcaption is not None:
            for span in figcaption.iterchildren("span"):
                text = " ".join(span.text_content().split())
                caption, credit = (text, credit) if span.get("class") == "caption" else (caption, text)
        if alt and caption and f" {_words(alt)} " in f" {_words(caption)} ":
            self.report("alt-repeats-caption", "alt text only repeats the caption, and screen readers read "
                        "both; describe what the image shows in {alt=\"…\"}", offset=offset)
        if not caption:
            self.report("caption-incomplete", "figure has no caption; write one between the brackets: "
                        "![caption](…)", offset=offset)
        elif caption.endswith(":"):
            self.report("caption-incomplete", f"caption ends in '{caption.split()[-1]}' with nothing after it",
                        offset=offset)
        if img.get(_CREDIT) is not None and not credit:
            self.report("caption-incomplete", "credit is empty; name the source or remove credit=\"\"",
                        offset=offset)
        elif credit.endswith(":"):
            self.report("caption-incomplete", f"credit ends in '{credit.split()[-1]}' with nothing after it",
                        offset=offset)

    def asset(self, src: str, line: int | None, offset: int | None) -> Asset | None:
        try:
            if not src:
                raise SourceError("an image has no source path; write ![caption](images/file.png)")
            refuse_outside_references([(src, line)], self.source)
            return check_asset(src, self.source, line)
        except SourceError as exc:
            self.report("image-unusable", exc.message, offset=offset)
            return None

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
                            f"at least {need} px wide for {MIN_PRINT_DPI} dpi", offset=offset)

    def quotes(self, md: markdown.Markdown) -> None:
        """Smarty guesses a quote's direction from its neighbours and is wrong next to punctuation (',"word"'
        gives ',”word”'), and never reaches raw HTML. Each paragraph is converted alone and its double quotes
        must alternate opening, closing; a straight quote left in the output is reported as such."""
        for start, end in _blocks(self.body):
            doubles = [i for i in range(start, end) if self.prose[i] in "\"“”"]
            singles = [i for i in range(start, end) if self.prose[i] in "'‘’"]
            if not doubles and not ("'" in self.prose[start:end] and "<" in self.code[start:end]):
                continue
            md.reset()
            root = lxml.html.fragment_fromstring(md.convert(textwrap.dedent(self.body[start:end])) or "",
                                                 create_parent="div")
            text = _prose_text(root)
            out_doubles = [c for c in text if c in "\"“”"]
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
                expected, where = ("“", "begins") if opening else ("”", "ends")
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
            self.report("doubled-word", f"'{word}' is written twice ('{m.group(1)} {m.group(2)}')", offset=m.start(2))


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


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


def _mask_code(body: str) -> str:
    """Blank fenced and indented code blocks and code spans (an indented block under a list item or a
    footnote is its continuation, not code), and HTML comments."""
    spans = [m.span() for m in FencedBlockPreprocessor.FENCED_BLOCK_RE.finditer(body)]
    offset, blank_before, in_code, container = 0, True, False, False
    for line in body.split("\n"):
        indented = line.startswith(("    ", "\t"))
        if line.strip():
            in_code = indented and (in_code or (blank_before and not container))
            if in_code:
                spans.append((offset, offset + len(line)))
            elif not indented:
                container = bool(_LIST_OR_NOTE.match(line))
        blank_before = not line.strip()
        offset += len(line) + 1
    masked = _blank(body, spans)
    spans = [m.span() for m in _CODE_SPAN.finditer(masked) if "\n\n" not in m.group()]
    spans += [m.span() for m in re.finditer(r"<!--.*?-->", masked, re.DOTALL)]
    return _blank(masked, spans)


def _mask_markup(code: str) -> str:
    """Blank what a reader never sees as text: tags, addresses, link labels, attribute lists (but a credit's
    words, which print), reference and abbreviation definitions, footnote calls."""
    spans = [m.span() for m in _TAG.finditer(code)]
    spans += [s for m in _LINK.finditer(code) for s in (m.span(1), m.span(2))]
    spans += [s for m in _REF_LINK.finditer(code) for s in (m.span(1), m.span(2))]
    spans += [m.span() for m in _DEFINITION.finditer(code)]
    spans += [m.span() for m in _FOOTNOTE_REF.finditer(code)]
    masked = _blank(code, spans)
    for m in _ATTR_LIST.finditer(masked):
        credit = _CREDIT_VALUE.search(m.group())
        masked = _blank(masked, [m.span()])
        if credit:
            a, b = m.start() + credit.start(2), m.start() + credit.end(2)
            masked = masked[:a] + code[a:b] + masked[b:]
    return masked


def _blocks(body: str) -> list[tuple[int, int]]:
    """Blank-line-separated blocks, as (start, end): smarty decides within a paragraph, so a paragraph converted
    alone gets the quotes it gets in the book."""
    out, start = [], 0
    for m in re.finditer(r"\n[ \t]*\n", body):
        out.append((start, m.start()))
        start = m.end()
    return [*out, (start, len(body))]


def _loads(text: str) -> bool:
    try:
        yaml.safe_load(text)
    except (yaml.YAMLError, ValueError):
        return False
    return True


def _blank_value(lines: list[str], key: str) -> bool:
    text = "\n".join(lines)
    data = yaml.safe_load(text) if _loads(text) else None
    value = data.get(key) if isinstance(data, dict) else None
    return value is None or (isinstance(value, str) and not value.strip())


def _words(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text).casefold().split())


def _scheme(href: str) -> str | None:
    m = re.match(r"^\s*([A-Za-z][A-Za-z0-9+.\-]*):", href)
    return m.group(1).lower() if m else None


def _removed_styles(style: str) -> list[str]:
    """Ask the sanitiser itself which declarations survive: its property filter is not exported."""
    out = []
    for declaration in style.split(";"):
        prop = declaration.split(":", 1)[0].strip().lower()
        if prop and prop not in sanitize_html(f'<span style="{declaration.strip()}">x</span>'):
            out.append(prop)
    return out
