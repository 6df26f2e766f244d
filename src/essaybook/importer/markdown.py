"""Clean Markdown from an extracted HTML tree: the body of the essay, in the dialect essaybook reads.

Only what an essay needs is written: paragraphs, headings (below the title's level), emphasis, links made
absolute, lists, block quotes, code, simple tables as pipe tables, figures and footnotes (from their
placeholder tokens). Everything else is reduced to its text. Text is escaped so that nothing in the page can
become Markdown or HTML it did not mean: the page's own markup never reaches the essay as markup.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

from lxml import html as lhtml

from essaybook.importer.figures import TOKEN_RE as FIG_RE
from essaybook.importer.footnotes import TOKEN_RE as FN_RE

_BLOCKS = {"p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li",
           "blockquote", "pre", "table", "figure", "hr", "dl", "dt", "dd", "header", "footer", "aside", "body",
           "html", "details", "summary", "center", "address", "form", "fieldset", "nav"}
_EMPHASIS = {"em": "*", "i": "*", "cite": "*", "dfn": "*", "var": "*", "strong": "**", "b": "**"}
_ESCAPE = re.compile(r"([\\`*_\[\]{}])")
_LINE_START = re.compile(r"^(\s*)([#+\->]|\d+[.)])")
_SAFE_SCHEMES = ("http", "https", "mailto")


class Writer:
    """Write one extracted tree. ``figure`` renders the figure behind a token as one Markdown block (or a
    comment); ``note_ref`` turns a note's token into its call; both are the caller's, so this stays pure."""

    def __init__(self, base: str | None, figure: Callable[[int], str], note_ref: Callable[[int], str],
                 top_level: int = 2) -> None:
        self.base = base
        self.figure = figure
        self.note_ref = note_ref
        self.shift = 0
        self.top_level = top_level

    def document(self, root: lhtml.HtmlElement) -> str:
        levels = sorted({int(h.tag[1]) for h in root.iter("h1", "h2", "h3", "h4", "h5", "h6")})
        # The headline is the title: the body's headings start at ##, keeping their relative depth.
        self.shift = (self.top_level - levels[0]) if levels else 0
        blocks = self.blocks(root)
        return "\n\n".join(b for b in blocks if b.strip()) + "\n"

    # blocks -------------------------------------------------------------------------------------------------

    def blocks(self, el: lhtml.HtmlElement) -> list[str]:
        out: list[str] = []
        inline: list[str] = []

        def flush() -> None:
            if inline:
                out.extend(self._paragraphs("".join(inline)))
                inline.clear()

        if el.text:
            inline.append(self.text(el.text))
        for child in el:
            if not isinstance(child.tag, str):
                if child.tail:
                    inline.append(self.text(child.tail))
                continue
            if child.tag in _BLOCKS:
                flush()
                out.extend(self.block(child))
            else:
                inline.append(self.inline(child))
            if child.tail:
                inline.append(self.text(child.tail))
        flush()
        return out

    def block(self, el: lhtml.HtmlElement) -> list[str]:
        tag = el.tag
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            text = self.inline_content(el).strip()
            if not text:
                return []
            level = max(self.top_level, min(6, int(tag[1]) + self.shift))
            text = re.sub(r"#+$", lambda m: "\\#" * len(m.group()), " ".join(text.split()))  # "C#" stays C#
            return ["#" * level + " " + text]
        if tag == "p":
            return self._paragraphs(self.inline_content(el))
        if tag in ("ul", "ol"):
            return [self.list_(el)]
        if tag == "blockquote":
            inner = "\n\n".join(self.blocks(el))
            return ["\n".join(("> " + line) if line else ">" for line in inner.splitlines())] if inner.strip() else []
        if tag == "pre":
            code = el.text_content().strip("\n")
            fence = "```"
            while fence in code:
                fence += "`"
            return [f"{fence}\n{code}\n{fence}"] if code.strip() else []
        if tag == "table":
            return [self.table(el)]
        if tag == "hr":
            return ["* * *"]
        if tag == "dl":
            return [b for child in el for b in self.block(child)] if len(el) else []
        if tag in ("dt", "dd"):
            return self._paragraphs(self.inline_content(el))
        return self.blocks(el)

    def _paragraphs(self, text: str) -> list[str]:
        """A paragraph's text, with any figure token in it moved out into a block of its own."""
        out = []
        pieces = FIG_RE.split(text)
        for i, piece in enumerate(pieces):
            if i % 2:
                out.append(self.figure(int(piece)))
                continue
            lines = [line.strip() for line in piece.split("\n")]
            para = _join_lines(lines)
            if para.strip():
                out.append(_protect_line_start(para))
        return out

    def list_(self, el: lhtml.HtmlElement, depth: int = 0) -> str:
        items = []
        start = int(el.get("start")) if (el.get("start") or "").isdigit() else 1
        for n, li in enumerate((c for c in el if c.tag == "li"), start=start):
            marker = f"{n}." if el.tag == "ol" else "-"
            pad = " " * 4  # Python-Markdown nests at four spaces
            nested = [c for c in li if c.tag in ("ul", "ol")]
            for c in nested:
                li.remove(c)
            body = "\n\n".join(self.blocks(li)).strip()
            lines = body.splitlines() or [""]
            text = f"{marker} {lines[0]}" + "".join(f"\n{pad}{line}" if line else "\n" for line in lines[1:])
            for c in nested:
                sub = self.list_(c, depth + 1)
                text += "\n" + "\n".join(pad + line if line else "" for line in sub.splitlines())
            items.append(text)
        return "\n".join(items)

    def table(self, el: lhtml.HtmlElement) -> str:
        rows = [r for r in el.iter("tr")]
        grid = [[self._cell(c) for c in r if c.tag in ("td", "th")] for r in rows]
        grid = [r for r in grid if any(c for c in r)]
        nested = next((t for t in el.iter("table") if t is not el), None)
        if not grid or nested is not None or any(c.get("rowspan") or c.get("colspan") for r in rows for c in r
                                                 if c.get("rowspan", "1") != "1" or c.get("colspan", "1") != "1"):
            # Not a simple grid: its text, one paragraph per row, keeps the words.
            return "\n\n".join(" ".join(c for c in r if c) for r in grid)
        width = max(len(r) for r in grid)
        if width == 1:
            return "\n\n".join(r[0] for r in grid)
        grid = [r + [""] * (width - len(r)) for r in grid]
        lines = ["| " + " | ".join(grid[0]) + " |", "|" + "|".join(["---"] * width) + "|"]
        lines += ["| " + " | ".join(r) + " |" for r in grid[1:]]
        return "\n".join(lines)

    def _cell(self, cell: lhtml.HtmlElement) -> str:
        return " ".join(" ".join(self.blocks(cell)).split()).replace("|", "\\|")

    # inlines ------------------------------------------------------------------------------------------------

    def inline_content(self, el: lhtml.HtmlElement) -> str:
        parts = [self.text(el.text)] if el.text else []
        for child in el:
            if isinstance(child.tag, str):
                parts.append(self.inline(child) if child.tag not in _BLOCKS else
                             "\n" + "\n\n".join(self.block(child)) + "\n")
            if child.tail:
                parts.append(self.text(child.tail))
        return "".join(parts)

    def inline(self, el: lhtml.HtmlElement) -> str:
        tag = el.tag
        if tag == "br":
            return "\n"
        if tag == "img":
            return ""
        content = self.inline_content(el)
        if tag in _EMPHASIS:
            return _wrap(content, _EMPHASIS[tag])
        if tag == "code" or tag == "kbd" or tag == "samp":
            code = el.text_content()
            if not code.strip():
                return code
            fence = "`"
            while fence in code:
                fence += "`"
            pad = " " if code.startswith("`") or code.endswith("`") else ""
            return f"{fence}{pad}{code}{pad}{fence}"
        if tag == "a":
            href = self.link(el.get("href"))
            if not href or not content.strip() or FN_RE.search(content) or FIG_RE.search(content):
                return content
            title = content.strip()
            if title.startswith("^"):
                title = "&#94;" + title[1:]  # "[^" would start a footnote call
            lead = content[: len(content) - len(content.lstrip())]
            trail = content[len(content.rstrip()):]
            return f"{lead}[{title}]({href}){trail}"
        if tag in ("sub", "sup") and content.strip():  # 10³ is not 103, H₂O not H2O
            mark = "~" if tag == "sub" else "^"
            inner = content.strip().replace(mark, "\\" + mark).replace(" ", "\\ ")
            return f"{mark}{inner}{mark}"
        return content

    def link(self, href: str | None) -> str | None:
        if not href:
            return None
        href = href.strip()
        if href.startswith("#"):
            return None  # a link within the page: the page is gone
        url = urljoin(self.base, href) if self.base else href
        parts = urlsplit(url)
        if parts.scheme not in _SAFE_SCHEMES:
            return None
        return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")

    def text(self, text: str) -> str:
        text = re.sub(r"[ \t\r\n\f\v\u00a0]+", lambda m: " " if "\u00a0" not in m.group() else "\u00a0", text)
        text = _escape(text)
        text = FN_RE.sub(lambda m: self.note_ref(int(m.group(1))), text)
        return text


def _wrap(content: str, mark: str) -> str:
    stripped = content.strip()
    if not stripped:
        return content
    lead = content[: len(content) - len(content.lstrip())]
    trail = content[len(content.rstrip()):]
    return f"{lead}{mark}{stripped}{mark}{trail}"


def _join_lines(lines: list[str]) -> str:
    """Lines from <br>: kept as hard breaks (two trailing spaces would be invisible; a backslash is not Python-
    Markdown), so as separate lines joined by a space unless the break is the paragraph's shape (verse)."""
    kept = [line for line in lines if line]
    if len(kept) <= 1:
        return kept[0] if kept else ""
    return "  \n".join(kept)


def _protect_line_start(text: str) -> str:
    """What would start a heading, list, quote or definition at the start of a line is shown as text."""
    def one(line: str) -> str:
        if line.lstrip().startswith(":"):
            return line.replace(":", "&#58;", 1)
        if re.match(r"^\s*=+\s*$", line):
            return line.replace("=", "&#61;")
        return _LINE_START.sub(lambda m: m.group(1) + ("\\" + m.group(2) if not m.group(2)[0].isdigit()
                                                       else m.group(2)[:-1] + "\\" + m.group(2)[-1]), line)
    return "\n".join(one(line) for line in text.split("\n"))


def escape_text(text: str) -> str:
    """Plain text as Markdown that shows exactly these characters."""
    return _protect_line_start(_escape(" ".join(text.split())))


def _escape(text: str) -> str:
    text = _ESCAPE.sub(r"\\\1", re.sub(r"&(?=#?\w+;)", "&amp;", text))
    # Brackets and dollars as character references, not backslash escapes: essaybook's Markdown reads
    # \[…\] and \(…\) as TeX math (pandoc's and MathJax's delimiters), and $…$ too.
    for char, ref in (("\\[", "&#91;"), ("\\]", "&#93;"), ("\\(", "&#40;"), ("\\)", "&#41;"), ("$", "&#36;")):
        text = text.replace(char, ref)
    return text.replace("<", "&lt;")


def attribute(value: str) -> str:
    """A value for ``{alt="…"}``: one line, no straight double quotes (attr_list has no escape for them)."""
    value = " ".join(value.split())
    value = re.sub(r'(^|[\s(\[{])"', "\\1“", value).replace('"', "”")
    return value.replace("&", "and") if re.search(r"&#?\w+;", value) else value
