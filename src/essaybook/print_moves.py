"""The print copy's structural moves for content that paper cannot scroll: wide tables, long code, lists numbered
as written, inline pictures, and links a reader cannot click. Each works on the copy of the page that the PDF is
laid out from; the EPUB's page is never touched.

Why each move exists:

- Tables: a spreadsheet pasted as Markdown can be wider than the text block. Its type steps down by column count,
  and a table still too wide for the portrait text block (estimated from its longest words, see ``_table_width``)
  goes on a landscape page of its own, rather than off the edge of the sheet.
- Code: a source line that may be too long for the text block becomes its own block with a hanging indent, so
  if it wraps it continues indented under itself, with a hairline in the indent (``print.css``), and never
  leaves the text block; the lines that surely fit stay plain text.
- Lists: WeasyPrint 70 ignores ``start``, ``reversed`` and ``type`` on ``<ol>`` (it numbers 1, 2, 3): the
  numbers are written out as the EPUB's reader would show them.
- Inline pictures: an SVG with only a ``viewBox`` has no size, and WeasyPrint draws it as wide as the text block;
  a picture inside a line is set about a line high unless the author gave it a size.
- Links: an address a reader cannot follow on paper is listed under "Links" at the end of the essay, keyed by a
  superscript letter at the link; a link to a place in the essay prints that place's page.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

from lxml import etree

from essaybook.labels import label
from essaybook.model import AS_WRITTEN, EPUB_TYPE, HEADINGS, x

_BLOCK_TAGS = {x(t) for t in ("p", "div", "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "pre", "table",
                              "figure", "section", "aside", "header", "footer", "h1", "h2", "h3", "h4", "h5",
                              "h6", "hr", "address", "details", "summary")}

# The text block's width in ems of the body type, for each paper (pdf.PAPERS: width minus side margins, over the
# base size), and on the landscape page. Kept here beside the estimate that uses them; pdf.py passes its own.
CHAR_EM = 0.5  # a character of Charis SIL, on average, in ems
CELL_PADDING_EM = 1.2
COMFORT_CHARS = 14  # a column is comfortable when its longest cell wraps at about this many characters
SMALL_COLUMNS, SMALLER_COLUMNS = 5, 8  # the type steps down once at 5 columns, twice at 8
SMALL_SCALE, SMALLER_SCALE = 0.8, 0.72


def print_moves(page: etree._ElementTree, lang: str, text_width_em: float,
                essay: etree._Element | None = None) -> None:
    """All the moves, in an order where each sees what the previous one left: on the handout's essay, or on
    ``essay``, one essay's section of a course pack, in that essay's language."""
    root = essay if essay is not None else page.getroot()
    if essay is None:
        essay = next(s for s in root.iter(x("section")) if s.get("id") == "essay")
    _number_lists(root)
    _size_inline_images(root)
    _fit_tables(essay, text_width_em)
    _code_lines(root, text_width_em)
    _codes_unhyphenated(essay)
    _print_link_addresses(essay, lang)


# --- lists ---------------------------------------------------------------------------------------------------

def _number_lists(root: etree._Element) -> None:
    """Each ``<li>`` of an ordered list gets its marker as written (``data-marker``), which print.css draws."""
    def is_ol(el: etree._Element) -> bool:  # a note's list is a span by now (pdf._footnotes_to_calls)
        return el.tag == x("ol") or "fnb-ol" in (el.get("class") or "").split()

    def is_li(el: etree._Element) -> bool:
        return el.tag == x("li") or "fnb-li" in (el.get("class") or "").split()

    for ol in [el for el in root.iter() if isinstance(el.tag, str) and is_ol(el)]:
        if "prompts" in (ol.get("class") or "").split():
            continue
        items = [li for li in ol if is_li(li)]
        reversed_ = ol.get("reversed") is not None
        try:
            number = int(ol.get("start")) if ol.get("start") else (len(items) if reversed_ else 1)
        except ValueError:
            number = len(items) if reversed_ else 1
        kind = ol.get("type") or "1"
        for li in items:
            if (li.get("value") or "").lstrip("-").isdigit():
                number = int(li.get("value"))
            li.set("data-marker", f"{_marker(number, kind)}.")
            number += -1 if reversed_ else 1
        ol.set("class", ((ol.get("class") or "") + " as-written").strip())


def _marker(n: int, kind: str) -> str:
    if kind in ("a", "A") and n > 0:
        letters = ""
        while n:
            n, r = divmod(n - 1, 26)
            letters = chr(ord("a") + r) + letters
        return letters.upper() if kind == "A" else letters
    if kind in ("i", "I") and 0 < n < 4000:
        numerals = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
                    (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
        out = ""
        for value, letters in numerals:
            while n >= value:
                out, n = out + letters, n - value
        return out.upper() if kind == "I" else out
    return str(n)


# --- inline pictures -----------------------------------------------------------------------------------------

def _size_inline_images(root: etree._Element) -> None:
    """An image inside a line of text (not a figure) without a size of its own is set about a line high."""
    for img in root.iter(x("img")):
        parent = img.getparent()
        if parent is None or parent.tag == x("figure") or img.get("class") == "qr":
            continue
        if img.get("width") or img.get("height"):
            continue
        img.set("class", ((img.get("class") or "") + " inline-picture").strip())


# --- tables --------------------------------------------------------------------------------------------------

def _fit_tables(essay: etree._Element, text_width_em: float) -> None:
    """Step a table's type down by column count; a table still too wide goes on a landscape page."""
    for table in list(essay.iter(x("table"))):
        columns = _column_count(table)
        classes = (table.get("class") or "").split()
        scale = 1.0
        if columns >= SMALLER_COLUMNS:
            classes.append("table-smaller")
            scale = SMALLER_SCALE
        elif columns >= SMALL_COLUMNS:
            classes.append("table-small")
            scale = SMALL_SCALE
        if classes:
            table.set("class", " ".join(classes))
        if _table_width(table) * scale > text_width_em and _is_top_level(table, essay):
            holder = etree.Element(x("div"), {"class": "landscape"})
            heading = table.getprevious()
            table.addprevious(holder)
            holder.tail, table.tail = table.tail, None
            if heading is not None and heading.tag in HEADINGS and not (heading.tail or "").strip():
                holder.insert(0, heading)  # the table's heading turns with it, never left alone on the page before
            holder.append(table)
        for a in table.iter(x("a")):
            _break_address(a)


def _is_top_level(table: etree._Element, essay: etree._Element) -> bool:
    return table.getparent() is essay


def _column_count(table: etree._Element) -> int:
    widest = 0
    for tr in table.iter(x("tr")):
        widest = max(widest, sum(int(c.get("colspan") or 1) if (c.get("colspan") or "1").isdigit() else 1
                                 for c in tr if c.tag in (x("td"), x("th"))))
    return widest


def _table_width(table: etree._Element) -> float:
    """The table's comfortable width in ems of its own type: per column, the longest word that cannot break
    (codes and addresses can: they count as short) or the longest cell up to ``COMFORT_CHARS`` characters,
    whichever is more, plus the cells' padding."""
    widths: dict[int, float] = {}
    for tr in table.iter(x("tr")):
        column = 0
        for cell in tr:
            if cell.tag not in (x("td"), x("th")):
                continue
            text = " ".join("".join(_flow_text(cell)).split())
            breakable = " ".join("".join(t.itertext()) for t in cell.iter(x("code"), x("a")))
            words = [w for w in text.split() if w not in breakable.split()]
            longest_word = max((len(w) for w in words), default=0)
            chars = max(longest_word, min(len(text), COMFORT_CHARS))
            widths[column] = max(widths.get(column, 0), chars * CHAR_EM + CELL_PADDING_EM)
            column += int(cell.get("colspan") or 1) if (cell.get("colspan") or "1").isdigit() else 1
    return sum(widths.values())


def _flow_text(el: etree._Element):
    """The text of ``el`` a reader sees in the cell (a note's body floats away to the foot of the page)."""
    if el.text:
        yield el.text
    for child in el:
        if "fn" not in (child.get("class") or "").split():
            yield from _flow_text(child)
        if child.tail:
            yield child.tail


# After a slash; before a dot, a hyphen and the other punctuation inside a name (the Chicago Manual's places,
# so that a line never ends on a hyphen the reader would take for a word's): a host name of fifty letters no
# longer leaves the line before it gaping.
_ADDRESS_BREAK = re.compile(r"(?<=/)(?=[^/])|(?<=[^\W_])(?=[.\-_?#&=~][^\W_])")


def _break_address(a: etree._Element) -> None:
    """A link whose text is an address may break after each slash and before each dot or hyphen, where a reader
    expects it: a zero-width space, the character WeasyPrint's own sheet puts in a ``<wbr>`` (as ``::before``),
    without the element's three boxes and its tag in the PDF's structure (pandoc's manual had 643)."""
    if len(a) or not a.text or not re.match(r"(?i)^(https?://|www\.)", a.text):
        return
    a.text = "\u200b".join(_ADDRESS_BREAK.split(a.text))


# --- words with digits --------------------------------------------------------------------------------------

# A word of letters and digits: a hash, a serial number, a DOI's suffix, an identifier; from six characters, the
# shortest word print.css lets be hyphenated (hyphenate-limit-chars: 6 3 3): "xobs15" was set "xob-s15".
_CODE_WORD = re.compile(r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[^\W\d_])[\w-]{6,}(?![\w-])")
_LONG_CODE_WORD = 20  # longer than most lines hold at their end: it fills the line and goes on on the next


def _codes_unhyphenated(essay: etree._Element) -> None:
    """A word with digits in it is never hyphenated: a hyphen added inside a digest or a serial number is
    copied with it, and the reader's copy is wrong. A long one (a digest) breaks at any character, filling the
    line it starts on, rather than leaving that line's spaces gaping (``.code-word`` in print.css); code and
    links are set so already."""
    for el in list(essay.iter()):
        if not isinstance(el.tag, str) or el.tag in AS_WRITTEN or _inside(el, AS_WRITTEN):
            continue
        if el.text and _CODE_WORD.search(el.text):
            el.text = _wrap_code_words(el.text, el, 0)
        for index, child in reversed(list(enumerate(el))):
            if child.tail and _CODE_WORD.search(child.tail):
                child.tail = _wrap_code_words(child.tail, el, index + 1)


def _inside(el: etree._Element, tags: set[str]) -> bool:
    return any(ancestor.tag in tags for ancestor in el.iterancestors())


def _wrap_code_words(text: str, parent: etree._Element, at: int) -> str:
    """What stays before the first such word; each word becomes a span inserted at ``at``, the text after it
    its tail."""
    pieces = _CODE_WORD.split(text)
    words = _CODE_WORD.findall(text)
    for offset, (word, after) in enumerate(zip(words, pieces[1:], strict=True)):
        span = etree.Element(x("span"), {"class": "code-word long" if len(word) >= _LONG_CODE_WORD else "code-word"})
        span.text, span.tail = word, after or None
        parent.insert(at + offset, span)
    return pieces[0]


# --- code ----------------------------------------------------------------------------------------------------

# print.css sets a code block at 0.8em in DejaVu Sans Mono, whose characters are 0.602 of its em wide; the
# estimate below is kept on the safe side of both (a line wrongly thought long only costs time).
CODE_COLUMN_EM = 0.8 * 0.602 * 1.1
# A code line's hanging indent and how far down its mark starts, in the code's own ems (print.css,
# pre.code-lines .code-line), and the width of a character of the code face.
GLYPH_EM, HANG_EM, MARK_DROP_EM = 0.602, 1.6, 1.55
NESTING_EM = 3.0  # what a quotation (1.5em each side) or a list level (1.8em) takes from the measure, rounded up


def _code_lines(root: etree._Element, text_width_em: float) -> None:
    """A plain code block's lines that may be too long for the narrowest place the block can be each become
    ``<span class="code-line">``, which print.css sets with a hanging indent and the continuation mark; the
    lines between them that surely fit stay plain text, one ``<span class="code-run">`` per run, and a block
    whose every line fits stays as it is. A block for every line cost pandoc's manual 1,441 boxes and their
    styles (32 MB at the peak and their layout) for 253 lines that may wrap; each mark is a background, a PDF
    object each, so a line that fits carries none."""
    for pre in root.iter(x("pre")):
        holder = pre[0] if len(pre) == 1 and pre[0].tag == x("code") and not (pre.text or "").strip() else pre
        if len(holder) or not holder.text:
            continue  # markup inside the code (an author's own spans): it wraps, unmarked
        columns = _code_columns(pre, text_width_em)
        lines = holder.text.rstrip("\n").split("\n")
        wraps = [columns is None or _columns_of(line) > columns for line in lines]
        if not any(wraps):
            holder.text = "\n".join(lines)
            continue
        holder.text = None
        for may_wrap, group in itertools.groupby(zip(lines, wraps, strict=True), key=lambda pair: pair[1]):
            if may_wrap:
                for line, _ in group:
                    span = etree.SubElement(holder, x("span"), {"class": "code-line"})
                    span.text = line or "\u200b"
                    indent = len(line.expandtabs(8)) - len(line.expandtabs(8).lstrip(" "))
                    if indent:  # its continuation hangs under its own text, not left of where it starts
                        hang = indent * GLYPH_EM + HANG_EM
                        span.set("style", f"padding-left: {hang:.3f}em; text-indent: -{hang:.3f}em; "
                                          f"background-position: {indent * GLYPH_EM:.3f}em {MARK_DROP_EM}em")
            else:  # an empty line at a run's edge would take no height: it keeps a zero-width space
                run = [line for line, _ in group]
                run[0], run[-1] = run[0] or "\u200b", run[-1] or "\u200b"
                etree.SubElement(holder, x("span"), {"class": "code-run"}).text = "\n".join(run)
        pre.set("class", ((pre.get("class") or "") + " code-lines").strip())


def _code_columns(pre: etree._Element, text_width_em: float) -> int | None:
    """How many monospace columns surely fit on a line of this code block: the text block less what each
    enclosing block may take, or None in a table cell, whose width is not known before layout."""
    width = text_width_em
    for ancestor in pre.iterancestors():
        if ancestor.tag in (x("td"), x("th")) or "fnb-td" in (ancestor.get("class") or ""):
            return None
        if ancestor.tag in (x("body"), x("html")) or ancestor.get("id") == "essay":
            break
        width -= NESTING_EM
    return max(0, int(width / CODE_COLUMN_EM))


def _columns_of(line: str) -> int:
    """The monospace columns a line may take: a tab runs to the next multiple of 8, a combining mark takes
    none, Latin, Greek and Cyrillic one (the monospace face has them), a wide (East Asian) character two, and
    any other, drawn by a fallback face that is no monospace one (Tamil, Myanmar, symbols), three."""
    return sum(0 if unicodedata.combining(c) else 1 if ord(c) < 0x530 and unicodedata.east_asian_width(c) != "A"
               else 2 if unicodedata.east_asian_width(c) in "WFA" else 3 for c in line.expandtabs(8))


# --- links ---------------------------------------------------------------------------------------------------

def _print_link_addresses(essay: etree._Element, lang: str) -> None:
    """External links get a superscript letter and an entry in a "Links" list at the end of the essay; a link
    whose text is already its address is left alone. Links to places in the essay print the place's page, in
    the essay's words ("(p. 14)", "(S. 14)", "（第14页）"): print.css reads them from the link."""
    ids = {el.get("id") for el in essay.iter() if el.get("id")}
    entries: list[tuple[str, etree._Element]] = []
    seen: dict[str, str] = {}
    page_words = {"data-page-before": label(lang, "page_before"), "data-page-after": label(lang, "page_after")}
    for a in list(essay.iter(x("a"))):
        href = a.get("href") or ""
        if a.get(EPUB_TYPE) == "noteref" or "backlink" in (a.get("class") or ""):
            continue
        if href.startswith("#"):
            if href[1:] in ids:
                a.set("class", ((a.get("class") or "") + " internal").strip())
                for name, words in page_words.items():
                    a.set(name, words)
            continue
        if not re.match(r"(?i)^(https?|mailto):", href) or _in_title_block(a):
            continue
        text = " ".join("".join(a.itertext()).split())
        if _same_address(text, href):  # the address is the text: it breaks where an address may
            _break_address(a)
            continue
        key = seen.get(href)
        if key is None:
            key = _marker(len(seen) + 1, "a")
            seen[href] = key
            entries.append((key, a))
        sup = etree.Element(x("sup"), {"class": "link-key", "aria-hidden": "true"})
        sup.text = key
        sup.tail, a.tail = a.tail, None
        a.addnext(sup)
    if not entries:
        return
    short = " short" if len(entries) <= _SHORT_LIST else ""  # kept on one page, as a list this short reads
    section = etree.Element(x("section"), {"class": "link-list" + short, "id": "essaybook-links",
                                           "aria-label": label(lang, "links")})
    etree.SubElement(section, x("h2")).text = label(lang, "links")
    dl = etree.SubElement(section, x("dl"))
    for key, a in entries:
        etree.SubElement(dl, x("dt")).text = key
        dd = etree.SubElement(dl, x("dd"))
        link = etree.SubElement(dd, x("a"), {"href": a.get("href"), "dir": "ltr"})  # an address, in any book
        link.text = re.sub(r"(?i)^mailto:", "", a.get("href"))
        _break_address(link)
    notes = [s for s in essay if s.tag == x("section") and s.get(EPUB_TYPE) == "footnotes"]
    if notes:
        notes[0].addprevious(section)
    else:
        essay.append(section)


_SHORT_LIST = 8


def _in_title_block(a: etree._Element) -> bool:
    return any(p.tag == x("header") for p in a.iterancestors())


def _same_address(text: str, href: str) -> bool:
    def bare(s: str) -> str:
        return re.sub(r"(?i)^(https?://|mailto:)(www\.)?", "", s).rstrip("/")

    return bare(text) == bare(href)
