"""A course pack's handout laid out in parallel: each essay (and the pack's front and back matter) laid out in a
process of its own, then stitched into one PDF with pypdf.

WeasyPrint lays a document out in one thread, and its ``pages`` counter cannot be reset per part, so a single
layout of a twelve-essay pack cannot use a second core. Every essay starts on a new page, so its layout alone
is the same as its layout in the whole: the parts are laid out separately (same page, same CSS, folios left
out), their page counts give the offsets, and then

- the front matter is laid out again with the contents page's numbers written in (the single layout's
  ``target-counter`` values), and its length checked;
- the parts' pages are joined, and their tagged structure with them (each part's structure tree becomes a
  ``Part`` of one ``Document``; marked-content keys and parent-tree numbers are renumbered);
- the folios "n / N" are laid out by WeasyPrint on empty pages of the same size and stamped on as artifacts;
- the bookmarks and the EPUB's page breaks are moved by each part's offset.

The tests build the same pack both ways and compare every page's text (folios, running heads, contents
numbers) with the single layout's. ``--duplex`` and booklets use the single layout.
"""

from __future__ import annotations

import copy
import io
import time
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from essaybook import pdf
from essaybook.model import Asset, Collection, PageBreak, x
from essaybook.rules import Diagnostic
from essaybook.xhtml import serialize

_NO_FOLIO = "\n@page { @bottom-center { content: none; } }\n"


@dataclass
class Stitched:
    pdf: bytes
    pages: int
    breaks: list[PageBreak]
    warnings: list[Diagnostic]
    part_seconds: list[float]  # CPU time of each part's layout in its worker (benchmarks/pack_speed.py)


def split_parts(page: etree._ElementTree) -> list[tuple[str, etree._ElementTree]]:
    """The printed pack page as separate documents: the front matter (title page, contents), each essay (its
    sections), the back matter (Notes, its ruled pages, permissions). Each keeps the page's head."""
    root = page.getroot()
    body = root.find(x("body"))
    groups: list[tuple[str, list[etree._Element]]] = []
    for child in body:
        cid = child.get("id") or ""
        if cid in ("titlepage", "contents"):
            key = "front"
        elif cid.endswith("-essay"):
            key = cid
        elif cid.endswith("-notes") and cid != "notes":
            key = cid.removesuffix("-notes") + "-essay"
        else:
            key = "back"
        if groups and groups[-1][0] == key:
            groups[-1][1].append(child)
        else:
            groups.append((key, [child]))
    parts = []
    for key, children in groups:
        html = etree.Element(root.tag, nsmap=root.nsmap)
        for attr, value in root.attrib.items():
            html.set(attr, value)
        html.append(copy.deepcopy(root.find(x("head"))))
        new_body = etree.SubElement(html, x("body"))
        for child in children:
            new_body.append(copy.deepcopy(child))
        parts.append((key, etree.ElementTree(html)))
    return parts


def lay_out_part(xhtml: bytes, css: str, assets: tuple[Asset, ...], generated: dict[str, tuple[bytes, str]],
                 first: str, source_path: Path, content: Path) -> dict:
    """One part laid out (with pdf.py's repair of notes pushed off their page) and written: its PDF, page
    count, page breaks and warnings, as plain data for the parent process."""
    cpu = time.process_time()  # a fresh worker's first part includes importing WeasyPrint
    from essaybook.pagination import page_breaks
    from essaybook.weasy import at_work, write_pdf_once

    page = etree.ElementTree(etree.fromstring(xhtml))
    fetcher = pdf.confined_fetcher(pdf.BASE_URL, assets, generated)

    def with_breaks(forced: list[str]) -> etree._ElementTree:
        tree = copy.deepcopy(page)
        for el in tree.iter():
            if el.get("id") in forced:
                el.set("class", (el.get("class", "") + " page-break-before").strip())
        return tree

    with at_work():  # one stretch: the collector back on between layout and write would walk all of it once
        document, _, warnings = pdf.lay_out_keeping_notes(with_breaks, css, fetcher, pdf.pseudo_scopes(content),
                                                           content, source_path)
        breaks = [(b.number, b.block, b.probe, b.after) for b in page_breaks(pdf.Handout(document, []), first=first)]
        buffer = io.BytesIO()
        with pdf._weasyprint_warnings() as messages:
            write_pdf_once(document, buffer, pdf_variant="pdf/ua-1")
    warnings += pdf.layout_warnings(messages, source_path)
    return {"pdf": buffer.getvalue(), "pages": len(document.pages), "breaks": breaks, "warnings": warnings,
            "cpu": time.process_time() - cpu}


def stitched_handout(book: Collection, page: etree._ElementTree, *, css: str, paper: str,
                     assets: tuple[Asset, ...], generated: dict[str, tuple[bytes, str]], jobs: int) -> Stitched:
    from concurrent.futures import ProcessPoolExecutor

    parts = split_parts(page)
    part_css = css + _NO_FOLIO
    content = book.folder / "content"  # where the project's own print sheets would be
    firsts = [part.getroot().find(x("body"))[0].get("id") for _, part in parts]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        # The essays and the back matter are independent of the page numbers; the front matter's contents
        # page is laid out once with its numbers left blank, to learn its length.
        futures = [pool.submit(lay_out_part, serialize(_stamp_contents(part, None) if key == "front" else part),
                               part_css, assets, generated, first, book.source_path, content)
                   for (key, part), first in zip(parts, firsts, strict=True)]
        results = [f.result() for f in futures]
    part_seconds = [r["cpu"] for r in results]
    keys = [key for key, _ in parts]
    for _ in range(3):
        offsets, total = _offsets([r["pages"] for r in results])
        starts = {key: offsets[i] + 1 for i, key in enumerate(keys)}
        numbers = {"notes": starts["back"], "permissions": starts["back"] + _back_permissions_page(results[-1])}
        numbers |= {key.removesuffix("essay"): starts[key] for key in keys if key.endswith("-essay")}
        front = lay_out_part(serialize(_stamp_contents(parts[0][1], numbers)), part_css, assets, generated,
                             firsts[0], book.source_path, content)
        same_length = front["pages"] == results[0]["pages"]
        results[0] = front
        if same_length:
            break
    offsets, total = _offsets([r["pages"] for r in results])
    data = _join(book, [r["pdf"] for r in results], offsets, total, paper)
    breaks = [PageBreak(number + offsets[i], block, probe, after)
              for i, r in enumerate(results) for number, block, probe, after in r["breaks"]]
    warnings = [w for r in results for w in r["warnings"]]
    return Stitched(data, total, breaks, list(dict.fromkeys(warnings)), part_seconds)


def _offsets(counts: list[int]) -> tuple[list[int], int]:
    offsets, at = [], 0
    for count in counts:
        offsets.append(at)
        at += count
    return offsets, at


def _back_permissions_page(result: dict) -> int:
    """The permissions page is the back matter's last page (it is one page unless the list is long: then the
    page it starts on, found from the page breaks)."""
    starts = [number for number, block, _, _ in result["breaks"] if block.startswith(("permissions", "perm"))]
    return (starts[0] - 1) if starts else result["pages"] - 1


def _stamp_contents(part: etree._ElementTree, numbers: dict[str, int] | None) -> etree._ElementTree:
    """The contents page with its page numbers written in (what ``target-counter`` gives in one layout):
    the links' targets are in other parts, so they become plain numbered entries."""
    part = copy.deepcopy(part)
    for a in part.iter(x("a")):
        target = a.get("href", "").lstrip("#")
        key = target.removesuffix("essay") if target.endswith("-essay") else target
        del a.attrib["href"]
        a.set("class", "stamped")
        a.set("data-page", str(numbers.get(key, "")) if numbers else "")
    return part


def _join(book: Collection, parts: list[bytes], offsets: list[int], total: int, paper: str) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

    writer = PdfWriter()
    nums = ArrayObject()
    document = DictionaryObject({NameObject("/Type"): NameObject("/StructElem"),
                                 NameObject("/S"): NameObject("/Document")})
    document_ref = writer._add_object(document)
    tree_root = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
    tree_ref = writer._add_object(tree_root)
    document[NameObject("/P")] = tree_ref
    kids = ArrayObject()
    next_key = 0
    first_reader = None
    for data, offset in zip(parts, offsets, strict=True):
        reader = PdfReader(io.BytesIO(data))
        first_reader = first_reader or reader
        start = len(writer.pages)
        for page in reader.pages:
            writer.add_page(page)
        assert len(writer.pages) - start == len(reader.pages) and start == offset
        old_root = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
        pairs = _number_tree(old_root["/ParentTree"].get_object())
        for key, value in pairs:
            nums.append(NumberObject(key + next_key))
            nums.append(value.clone(writer))
        for kid in old_root["/K"] if isinstance(old_root["/K"], list) else [old_root["/K"]]:
            clone = kid.clone(writer, ignore_fields=("/P",)).get_object()
            clone[NameObject("/S")] = NameObject("/Part")
            kids.append(clone.indirect_reference)
            _set_parents(clone, document_ref)
        for page, original in zip(writer.pages[start:], reader.pages, strict=True):
            if "/StructParents" in original:  # pypdf's add_page leaves it out
                page[NameObject("/StructParents")] = NumberObject(original["/StructParents"] + next_key)
            for annot in page.get("/Annots", []):
                annot = annot.get_object()
                if "/StructParent" in annot:
                    annot[NameObject("/StructParent")] = NumberObject(annot["/StructParent"] + next_key)
        next_key += (max(k for k, _ in pairs) + 1) if pairs else 0
        _copy_outline(writer, reader, reader.outline, offset, None)
    document[NameObject("/K")] = kids
    tree_root[NameObject("/K")] = ArrayObject([document_ref])
    tree_root[NameObject("/ParentTree")] = writer._add_object(DictionaryObject({NameObject("/Nums"): nums}))
    tree_root[NameObject("/ParentTreeNextKey")] = NumberObject(next_key)
    catalog = writer._root_object
    first_root = first_reader.trailer["/Root"]
    catalog[NameObject("/StructTreeRoot")] = tree_ref
    catalog[NameObject("/MarkInfo")] = DictionaryObject({NameObject("/Marked"): pdf_true()})
    catalog[NameObject("/Lang")] = TextStringObject(book.lang)
    catalog[NameObject("/ViewerPreferences")] = DictionaryObject({NameObject("/DisplayDocTitle"): pdf_true()})
    if "/Metadata" in first_root:  # the front matter's XMP: the pack's title, PDF/UA identification
        catalog[NameObject("/Metadata")] = first_root.raw_get("/Metadata").clone(writer)
    writer.add_metadata({k: v for k, v in (first_reader.metadata or {}).items()})
    _stamp_folios(writer, total, paper, book)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_true():
    from pypdf.generic import BooleanObject

    return BooleanObject(True)


def _number_tree(node) -> list[tuple[int, object]]:
    """A PDF number tree's (key, value) pairs, leaves and kids alike."""
    pairs = []
    if "/Nums" in node:
        values = node["/Nums"]
        pairs += [(int(values[i]), values[i + 1]) for i in range(0, len(values), 2)]
    for kid in node.get("/Kids", []):
        pairs += _number_tree(kid.get_object())
    return pairs


def _set_parents(element, parent_ref) -> None:
    """Each structure element's /P points at its parent (cloning left the top ones pointing nowhere)."""
    from pypdf.generic import DictionaryObject, NameObject

    stack = [(element, parent_ref)]
    while stack:
        el, parent = stack.pop()
        el[NameObject("/P")] = parent
        kids = el.get("/K")
        kids = kids if isinstance(kids, list) else [kids] if kids is not None else []
        for kid in kids:
            obj = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(obj, DictionaryObject) and obj.get("/Type", "/StructElem") == "/StructElem" and "/S" in obj:
                stack.append((obj, el.indirect_reference))


def _copy_outline(writer, reader, items, offset: int, parent) -> None:
    last = None
    for item in items:
        if isinstance(item, list):
            if last is not None:
                _copy_outline(writer, reader, item, offset, last)
            continue
        page = reader.get_destination_page_number(item)
        last = writer.add_outline_item(title=item.title, page_number=page + offset, parent=parent)


def _stamp_folios(writer, total: int, paper: str, book: Collection) -> None:
    """'n / N' on every page, laid out by WeasyPrint with the handout's own @page rules on empty pages, and
    stamped on as artifacts (page furniture, not part of the text's structure). The folio's content stream is
    appended to the page's (its resources renamed apart), which is much quicker than pypdf's merge_page."""
    import re

    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    from essaybook.weasy import weasyprint

    css = pdf.read_css(("print.css",), book.folder / "content") + pdf.paper_css(pdf.PAPERS[paper])
    html = "<html><body>" + "<div style='break-before: page'></div>" * total + "</body></html>"
    buffer = io.BytesIO()
    weasyprint.HTML(string=html).write_pdf(buffer, stylesheets=[weasyprint.CSS(string=css)])
    folios = PdfReader(io.BytesIO(buffer.getvalue()))
    # An empty body still gives a first page before the first break when there is one: skip it.
    folio_pages = folios.pages[len(folios.pages) - total:]

    def stream(data: bytes):
        obj = DecodedStreamObject()
        obj.set_data(data)
        return writer._add_object(obj)

    push, pop = stream(b"q\n"), stream(b"\nQ\n")
    for page, folio in zip(writer.pages, folio_pages, strict=True):
        data = folio.get_contents().get_data()
        resources = page.setdefault(NameObject("/Resources"), DictionaryObject()).get_object()
        for kind, entries in folio["/Resources"].items():
            if not isinstance(entries.get_object(), DictionaryObject):
                continue  # /ProcSet
            target = resources.setdefault(NameObject(kind), DictionaryObject()).get_object()
            for name, value in entries.get_object().items():
                renamed = f"/folio{name[1:].replace('.', '_')}"
                data = re.sub(re.escape(name.encode()) + rb"(?=[\s/\[<(])", renamed.encode(), data)
                target[NameObject(renamed)] = value.clone(writer)
        contents = page.raw_get("/Contents")
        existing = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
        folio_stream = stream(b"/Artifact <</Type /Pagination>> BDC\n" + data + b"\nEMC\n")
        page[NameObject("/Contents")] = ArrayObject([push, *existing, pop, folio_stream])
