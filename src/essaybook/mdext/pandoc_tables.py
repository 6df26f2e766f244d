"""pandoc's three table syntaxes beside the pipe tables Python-Markdown reads, and table captions.

- **Grid tables** (``+---+`` borders, ``+===+`` under the header, colons in it for alignment, a foot between two
  ``+===+`` lines, cells spanning rows and columns, any block content in a cell). docutils' grid-table parser
  reads the grid: it is reStructuredText's own, maintained, and handles the spans; pandoc's additions
  (alignment colons, the foot) are read here around it. (``markdown_grid_tables`` on PyPI is GPL, reads neither
  the colons nor a code block in a cell, and stopped after a table in the first page of pandoc's manual.)
- **Simple and multiline tables**: columns are the runs of a dashed line; a column's alignment is where its
  header sits against its dashes (pandoc's rule, ``alignType``); a multiline table's rows are separated by blank
  lines, so it spans several of Python-Markdown's blocks.
- **Captions**: a paragraph starting ``Table:`` (or ``:``) before or after any table becomes its ``<caption>``.

A grid that docutils cannot read stays text, with a ``table-malformed`` warning at its line.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown, util
from markdown.blockparser import BlockParser
from markdown.blockprocessors import BlockProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from essaybook.mdext import QUOTE_MARKERS, context

_GRID_RULE = re.compile(r"^\+(?:[-=:]+\+)+$")
_DASH_RUNS = re.compile(r"-+")
# A dashed line: runs of two or more dashes (so that "- - -", a rule, is not a table's columns).
_DASHED = re.compile(r"^ {0,3}-{2,}(?: +-{2,})* *$")
_CAPTION = re.compile(r"^ {0,3}(?:[Tt]able)?:[ \t]+(?=\S)")
_BLANK_BEFORE_FENCE = re.compile(r"\n(?:[ \t]*\n)+(?=[ \t]*(?:`{3,}|~{3,})[ \t]*(?:\n|$))")
_CAPTION_MARK = "data-eb-table-caption"
_CAPTION_ATTRS = re.compile(r"\s*\{#([^\s}]+)[^}]*\}\s*$")


def _align_attr(cell: etree.Element, align: str | None) -> None:
    if align:
        cell.set("style", f"text-align: {align};")  # as Python-Markdown's pipe tables write it


def _fill(parser: BlockParser, cell: etree.Element, text: str) -> None:
    """A cell's text parsed as Markdown blocks; a cell of one paragraph holds its text directly (pandoc's
    "Plain"), so that it is set like a pipe table's cell. Fenced code is found again here: the document's
    fenced-code pass saw these lines behind their ``|``."""
    md = parser.md
    fences = md.preprocessors["fenced_code_block"] if "fenced_code_block" in md.preprocessors else None  # noqa: SIM401
    if fences is not None and ("```" in text or "~~~" in text):
        text = _BLANK_BEFORE_FENCE.sub("\n", text)  # a short cell beside a tall one: pandoc drops them too
        text = "\n".join(fences.run(text.split("\n")))
    parser.parseChunk(cell, text)
    if len(cell) == 1 and cell[0].tag == "p" and not (cell[0].tail or "").strip():
        p = cell[0]
        cell.remove(p)
        cell.text = p.text
        for child in p:
            cell.append(child)


# --- grid tables ---------------------------------------------------------------------------------------------

def _grid_aligns(rule: str) -> list[str | None]:
    """The alignment of each column from the colons of a rule line: ``:==`` left, ``==:`` right, both center."""
    out = []
    for segment in rule.strip().strip("+").split("+"):
        left, right = segment.startswith(":"), segment.endswith(":")
        out.append("center" if left and right else "left" if left else "right" if right else None)
    return out


class GridTableProcessor(BlockProcessor):
    def test(self, parent: etree.Element, block: str) -> bool:
        lines = [ln.strip() for ln in block.split("\n")]
        return len(lines) >= 3 and bool(_GRID_RULE.match(lines[0]) and _GRID_RULE.match(lines[-1])) and \
            all(ln.startswith(("+", "|")) for ln in lines) and block.lstrip(" ").startswith("+") and \
            len(block) - len(block.lstrip(" ")) < 4

    def run(self, parent: etree.Element, blocks: list[str]) -> bool | None:
        from docutils.parsers.rst.tableparser import GridTableParser, TableMarkupError
        from docutils.statemachine import StringList

        block = blocks[0]
        lines = [ln.strip() for ln in block.split("\n")]
        rules = [i for i, ln in enumerate(lines) if _GRID_RULE.match(ln)]
        equals = [i for i in rules if "=" in lines[i] and i > 0]
        head = equals[0] if equals else None
        foot = equals[-2] if len(equals) >= 3 and equals[-1] == len(lines) - 1 else None
        aligns = _grid_aligns(lines[head if head is not None else 0])
        plain = []
        for i, ln in enumerate(lines):
            if i in rules:
                ln = ln.replace(":", "=" if i == head else "-")
                if i != head:
                    ln = ln.replace("=", "-")
            plain.append(ln)
        try:
            widths, head_rows, body_rows = GridTableParser().parse(StringList(plain))
        except (TableMarkupError, IndexError, ValueError) as exc:
            why = " ".join(str(exc).split()).rstrip(".")
            context(self.parser.md).report(
                "table-malformed", f"this grid table cannot be read (docutils: {why[:1].lower() + why[1:]}), so its "
                "lines are printed as text; line every row's '|' and '+' up with the borders above it",
                needle=block.strip().split("\n")[0])
            return False
        blocks.pop(0)
        table = etree.SubElement(parent, "table")
        # docutils places each cell at the column it starts in; the rule's colons name the columns only when
        # that rule has a segment for every column (no span crosses it).
        columns = len(widths)
        if head_rows:
            self._rows(etree.SubElement(table, "thead"), head_rows, "th", aligns, columns)
        body = [r for r in body_rows if foot is None or _row_line(r) < foot]
        tail = [r for r in body_rows if foot is not None and _row_line(r) >= foot]
        if body:
            self._rows(etree.SubElement(table, "tbody"), body, "td", aligns, columns)
        if tail:
            self._rows(etree.SubElement(table, "tfoot"), tail, "td", aligns, columns)
        return None

    def _rows(self, section: etree.Element, rows: list, tag: str, aligns: list[str | None],
              columns: int) -> None:
        for row in rows:
            tr = etree.SubElement(section, "tr")
            for index, cell in enumerate(row):
                if cell is None:
                    continue
                more_rows, more_cols, _offset, text = cell
                el = etree.SubElement(tr, tag)
                if more_cols:
                    el.set("colspan", str(more_cols + 1))
                if more_rows:
                    el.set("rowspan", str(more_rows + 1))
                _align_attr(el, aligns[index] if index < len(aligns) and columns == len(aligns) else None)
                _fill(self.parser, el, "\n".join(text).strip("\n"))


def _row_line(row: list) -> int:
    return next(cell[2] for cell in row if cell is not None)


# --- simple and multiline tables -----------------------------------------------------------------------------

def _runs(line: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _DASH_RUNS.finditer(line)]


def _slices(line: str, runs: list[tuple[int, int]]) -> list[str]:
    """A line cut at the columns' starts (pandoc's ``splitStringByIndices``): a column runs from the start of its
    dashes to the start of the next column's."""
    starts = [s for s, _e in runs]
    return [line[s:(starts[n + 1] if n + 1 < len(starts) else None)] for n, s in enumerate(starts)]


def _dash_aligns(lines: list[str], runs: list[tuple[int, int]]) -> list[str | None]:
    """pandoc's ``alignType``: a column's longest line against its dashes. Space before it and flush at the
    right: right; flush at the left and shorter: left; both: center; flush both sides: the default."""
    columns = list(zip(*(_slices(ln, runs) for ln in lines), strict=True)) if lines else [()] * len(runs)
    out = []
    for (start, end), texts in zip(runs, columns, strict=True):
        longest = max((t.rstrip() for t in texts if t.strip()), key=len, default="")
        left, right = longest.startswith(" "), len(longest) < end - start
        out.append("center" if left and right else "right" if left else "left" if right else None)
    return out


class DashTableProcessor(BlockProcessor):
    """Simple tables (one line a row) and multiline tables (rows apart by blank lines, between two full-width
    dashed lines)."""

    def test(self, parent: etree.Element, block: str) -> bool:
        lines = block.split("\n")
        if len(lines) < 2 or len(lines[0]) - len(lines[0].lstrip(" ")) >= 4:
            return False
        if _DASHED.match(lines[0]):  # a multiline table, or a headerless one
            return len(lines) >= 2
        return len(lines) >= 3 and bool(_DASHED.match(lines[1])) and len(_runs(lines[1])) >= 2

    def run(self, parent: etree.Element, blocks: list[str]) -> bool | None:
        table = self._simple(blocks[0]) if not _DASHED.match(blocks[0].split("\n")[0]) else None
        taken = 1
        if table is None and _DASHED.match(blocks[0].split("\n")[0]):
            table, taken = self._multiline(blocks)
            if table is None:
                table = self._headerless_simple(blocks[0])
                taken = 1
        if table is None:
            return False
        del blocks[:taken]
        head, rows, aligns = table
        el = etree.SubElement(parent, "table")
        if head is not None:
            tr = etree.SubElement(etree.SubElement(el, "thead"), "tr")
            for align, text in zip(aligns, head, strict=True):
                self._cell(tr, "th", align, text)
        tbody = etree.SubElement(el, "tbody")
        for row in rows:
            tr = etree.SubElement(tbody, "tr")
            for align, text in zip(aligns, row, strict=True):
                self._cell(tr, "td", align, text)
        return None

    def _cell(self, tr: etree.Element, tag: str, align: str | None, text: str) -> None:
        cell = etree.SubElement(tr, tag)
        _align_attr(cell, align)
        if text.strip():
            _fill(self.parser, cell, text)

    @staticmethod
    def _cells(lines: list[str], runs: list[tuple[int, int]]) -> list[str]:
        """One row's cells: each column's slices of the row's lines, stripped, a line each."""
        columns = zip(*(_slices(ln, runs) for ln in lines), strict=True)
        return ["\n".join(t.strip() for t in texts if t.strip()) for texts in columns]

    def _simple(self, block: str):
        lines = block.split("\n")
        header, rule, rest = lines[0], lines[1], lines[2:]
        if rest and _DASHED.match(rest[-1]):
            rest = rest[:-1]
        runs = _runs(rule)
        if not rest or any(_DASHED.match(ln) or not ln.strip() for ln in rest):
            return None
        return self._cells([header], runs), [self._cells([ln], runs) for ln in rest], _dash_aligns([header], runs)

    def _headerless_simple(self, block: str):
        lines = block.split("\n")
        if len(lines) < 3 or not _DASHED.match(lines[-1]) or len(_runs(lines[0])) < 2:
            return None
        runs, rows = _runs(lines[0]), lines[1:-1]
        if any(_DASHED.match(ln) for ln in rows):
            return None
        return None, [self._cells([ln], runs) for ln in rows], _dash_aligns(rows[:1], runs)

    def _multiline(self, blocks: list[str]):
        """The table and how many blocks it took, or (None, 0). With a header, the first line is one run of
        dashes as wide as the table and the header's lines run down to the columns' dashed line; without, the
        first line is the columns' dashed line. Either way the table ends on a dashed line, and its rows are
        the blocks (or parts of blocks) between."""
        first = blocks[0].split("\n")
        if len(_runs(first[0])) == 1:  # the top rule: a header follows, down to the columns' rule
            rule = next((i for i, ln in enumerate(first) if i and _DASHED.match(ln)), None)
            if rule is None or rule == 1 or len(_runs(first[rule])) < 2:
                return None, 0  # a rule, then text and a setext heading's underline: no table
            header, runs, rows_start = first[1:rule], _runs(first[rule]), first[rule + 1:]
        else:
            header, runs, rows_start = None, _runs(first[0]), first[1:]
        groups: list[list[str]] = [rows_start] if rows_start else []
        taken = 1
        while not (groups and groups[-1] and _DASHED.match(groups[-1][-1])):
            if taken >= len(blocks):
                return None, 0  # no dashed line closes it: not a table
            lines = blocks[taken].split("\n")
            if lines and _DASHED.match(lines[0]) and len(lines) == 1:
                groups.append(lines)
            elif any(_DASHED.match(ln) for ln in lines[:-1]) or (not lines[0].strip()):
                return None, 0
            else:
                groups.append(lines)
            taken += 1
        groups[-1] = groups[-1][:-1]
        groups = [g for g in groups if g]
        if header is None and taken == 1:
            return None, 0  # one block between dashed lines: a headerless simple table
        if not groups or any(_DASHED.match(ln) for g in groups for ln in g):
            return None, 0
        rows = [self._cells(g, runs) for g in groups]
        aligns = _dash_aligns(header if header is not None else groups[0], runs)
        return (None if header is None else self._cells(header, runs), rows, aligns), taken


# --- captions ------------------------------------------------------------------------------------------------

class TableCaptionProcessor(BlockProcessor):
    """``Table: …`` (or ``: …``, pandoc's short form) is held as a marked paragraph; ``TableCaptions`` then moves
    it into the table beside it, or leaves it the paragraph it was. ``: …`` after a paragraph is a definition
    (def_list's), so the short form is taken only where no term stands before it."""

    restoring = False  # set while a caption with no table beside it is parsed again as what it was

    def test(self, parent: etree.Element, block: str) -> bool:
        m = _CAPTION.match(block)
        if not m or self.restoring or parent.tag in ("td", "th"):  # a cell's "Table:" is its text
            return False
        if m.group(0).lstrip().startswith(":"):
            last = parent[-1] if len(parent) else None
            return last is None or last.tag not in ("p", "dl")
        return True

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        block = blocks.pop(0)
        p = etree.SubElement(parent, "p", {_CAPTION_MARK: block})
        p.text = block[_CAPTION.match(block).end():].strip()


class TableCaptions(Treeprocessor):
    """Before the inline patterns run (so the caption gets its emphasis, links and curly quotes): each marked
    paragraph becomes the ``<caption>`` of the table just before it or, failing that, just after it."""

    def run(self, root: etree.Element) -> None:
        for parent in list(root.iter()):
            for p in [c for c in parent if c.tag == "p" and _CAPTION_MARK in c.attrib]:
                children = list(parent)
                index = children.index(p)
                before = children[index - 1] if index else None
                after = children[index + 1] if index + 1 < len(children) else None
                table = next((t for t in (before, after) if t is not None and t.tag == "table"
                              and t.find("caption") is None), None)
                block = p.attrib.pop(_CAPTION_MARK)
                if table is None:
                    self._restore(parent, p, block)
                    continue
                caption = etree.Element("caption")
                caption.text = p.text
                attrs = _CAPTION_ATTRS.search(p.text or "")
                if attrs:  # pandoc-crossref's "Table: Prices {#tbl:prices}": the table's id
                    caption.text = p.text[:attrs.start()]
                    if len(p) == 0 and table.get("id") is None:
                        table.set("id", attrs.group(1))
                table.insert(0, caption)
                if p.tail and p.tail.strip():
                    prev = before if before is not None else parent
                    prev.tail = (prev.tail or "") + p.tail
                parent.remove(p)


    def _restore(self, parent: etree.Element, p: etree.Element, block: str) -> None:
        """No table beside it: the block is parsed again as any other (a paragraph, or a paragraph and the heading
        or list that follows it), in the caption's place."""
        captions = self.md.parser.blockprocessors["eb-table-caption"]
        holder = etree.Element("div")
        captions.restoring = True
        try:
            self.md.parser.parseChunk(holder, block)
        finally:
            captions.restoring = False
        index = list(parent).index(p)
        if len(holder):
            holder[-1].tail = p.tail
        parent.remove(p)
        for offset, child in enumerate(holder):
            parent.insert(index + offset, child)


class CellPipes(Treeprocessor):
    """GitHub's rule for a pipe in a cell's code: written ``\\|`` so that the row keeps its cells, it is read
    ``|``, in code too (Python-Markdown printed ``ls \\| wc -l``)."""

    def run(self, root: etree.Element) -> None:
        for cell in (el for el in root.iter() if el.tag in ("td", "th")):
            for code in cell.iter("code"):
                if code.text and "\\|" in code.text:
                    code.text = util.AtomicString(code.text.replace("\\|", "|"))


class TableUnderText(Preprocessor):
    """A pipe table may start right under a line of text, as GitHub, Obsidian and Hugo read it; Python-Markdown
    wants a blank line before it and printed the rows as text, their ``|---|`` as dashes."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        for index, line in enumerate(lines):
            quoted = QUOTE_MARKERS.match(line).group(0)  # inside a quotation, the same rule under its markers
            below = lines[index + 1] if index + 1 < len(lines) else ""
            before = out[-1] if out else ""
            row, below, before = line[len(quoted):], _unquoted(below, quoted), _unquoted(before, quoted)
            if "|" in row and below is not None and _DELIMITER_ROW.match(below) and before and before.strip() \
                    and "|" not in before and not row.startswith("    ") and not before.startswith("    "):
                out.append(quoted.rstrip())
            out.append(line)
        return out


def _unquoted(line: str, markers: str) -> str | None:
    """``line`` without its quotation markers, or None when they are not as many as ``markers``."""
    own = QUOTE_MARKERS.match(line).group(0)
    return line[len(own):] if own.count(">") == markers.count(">") else None


# A pipe table's delimiter row: dashes with optional colons between pipes, at least one pipe.
_DELIMITER_ROW = re.compile(r"^ {0,3}(?:\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?"
                            r"|\|[ \t]*:?-+:?[ \t]*\|?)[ \t]*$")


class PandocTableExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(CellPipes(md), "eb-cell-pipes", 19)  # after inline (20) has made the code
        md.preprocessors.register(TableUnderText(md), "eb-table-under-text", 24.85)  # after lists are re-indented
        # Above Python-Markdown's pipe tables (75), headings (60/70) and rules (50): a simple table's dashes
        # under a header would otherwise be a setext heading, a multiline table's top line a rule. Below
        # indented code (80): a table indented four spaces is code.
        md.parser.blockprocessors.register(GridTableProcessor(md.parser), "eb-grid-table", 77.5)
        md.parser.blockprocessors.register(DashTableProcessor(md.parser), "eb-dash-table", 77)
        md.parser.blockprocessors.register(TableCaptionProcessor(md.parser), "eb-table-caption", 78)
        md.treeprocessors.register(TableCaptions(md), "eb-table-captions", 25)
