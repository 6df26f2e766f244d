"""The data flows one way: the packagers consume the rendered page and never reach back into the parser, nor
into each other. This test keeps that direction visible when someone adds an import."""

from __future__ import annotations

import ast
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "essaybook"
PARSING = {"parse", "extensions", "sanitize", "source", "metadata", "dialect", "mdext"}
FORBIDDEN = {
    "xhtml": PARSING | {"epub", "pdf", "build", "cli"},
    "epub": PARSING | {"pdf", "pagination", "build", "cli"},
    "pdf": PARSING | {"epub", "build", "cli"},
    "model": PARSING - {"metadata"} | {"xhtml", "epub", "pdf", "build", "cli"},
    "parse": {"xhtml", "epub", "pdf", "build", "cli"},
}


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "essaybook":
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("essaybook."):
            names.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            names |= {a.name.split(".")[1] for a in node.names if a.name.startswith("essaybook.")}
    return names


@pytest.mark.parametrize("module", sorted(FORBIDDEN))
def test_imports_flow_one_way(module: str) -> None:
    wrong = imported_modules(SRC / f"{module}.py") & FORBIDDEN[module]
    assert not wrong, f"essaybook.{module} must not import {sorted(wrong)}"


def test_the_print_renderer_receives_the_page_and_never_renders_it() -> None:
    """build.py renders the page once; pdf.py lays out copies of it and must not call the page stage itself."""
    tree = ast.parse((SRC / "pdf.py").read_text(encoding="utf-8"))
    names = {a.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for a in node.names}
    assert "render_page" not in names


def test_weasyprint_internals_are_read_in_one_module() -> None:
    """pagination.py reads the box tree; weasy.py, the door to WeasyPrint, only hands it to WeasyPrint's own
    tagging and lets it go (``tag_pages_as_painted``)."""
    readers = sorted(p.name for p in SRC.rglob("*.py") if "_page_box" in p.read_text(encoding="utf-8"))
    assert readers == ["pagination.py", "weasy.py"]


def test_ebooklib_is_used_through_its_public_api() -> None:
    """No subclass of ebooklib's writer and no call of its underscored methods."""
    text = (SRC / "epub.py").read_text(encoding="utf-8")
    tree = ast.parse(text)
    private = [n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr.startswith("_")
               and not n.attr.startswith("__") and isinstance(n.value, ast.Name) and n.value.id in ("epub", "self")]
    bases = [ast.unparse(b) for n in ast.walk(tree) if isinstance(n, ast.ClassDef) for b in n.bases]
    assert not private and not any(b.startswith("epub.") for b in bases), (private, bases)


def _runtime_imports(tree: ast.Module) -> list[str]:
    """The modules a file imports when it runs (not those under ``if TYPE_CHECKING:``)."""
    typing_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and ast.unparse(node.test)
                   == "TYPE_CHECKING" for n in ast.walk(node)}
    names = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_weasyprint_is_first_imported_through_one_door() -> None:
    """Only weasy.py imports the ``weasyprint`` package itself (with the quick library lookup); pagination.py,
    and reference_pages.py and actual_text.py (which weasy.py installs), may then take submodules of the already
    loaded package."""
    importers = sorted(p.name for p in SRC.rglob("*.py")
                       if any(m == "weasyprint" or m.startswith("weasyprint.")
                              for m in _runtime_imports(ast.parse(p.read_text(encoding="utf-8")))))
    assert importers == ["actual_text.py", "pagination.py", "reference_pages.py", "weasy.py"]


def test_the_quick_library_lookup_finds_what_ctypes_finds() -> None:
    import ctypes.util

    from essaybook.weasy import linker_cache_lookup

    lookup = linker_cache_lookup()
    assert lookup is not None  # the test machine is a Debian one
    for name in ("pango-1.0", "harfbuzz", "fontconfig", "c", "no-such-library-anywhere"):
        assert lookup(name) == ctypes.util.find_library(name), name
    assert lookup("pango-1.0") is not None


def test_kept_page_references_write_the_same_bytes() -> None:
    """weasy.keep_page_references changes how long a tagged PDF takes to write, never what is written."""
    import pydyf

    from essaybook import pdf
    from essaybook.build import load
    from essaybook.weasy import weasyprint  # noqa: F401 - installs the kept page references
    from essaybook.xhtml import render_page

    from conftest import ESSAY

    doc = load(ESSAY)
    handout = pdf.render_handout(render_page(doc), doc, paper="a5")
    kept = pydyf.PDF.page_references
    assert getattr(kept.fget, "kept", False)
    ours = handout.document.write_pdf(pdf_variant="pdf/ua-1")
    pydyf.PDF.page_references = property(kept.fget.built_by)
    try:
        theirs = handout.document.write_pdf(pdf_variant="pdf/ua-1")
    finally:
        pydyf.PDF.page_references = kept
    assert len(handout.document.pages) > 3 and ours == theirs


def test_slim_pdf_objects_write_the_same_bytes() -> None:
    """weasy.slim_pdf_objects spares most of pydyf's objects a dictionary of their own, and writes the same
    PDF as pydyf's own objects."""
    import pydyf

    from essaybook import pdf
    from essaybook.build import load
    from essaybook.weasy import weasyprint  # noqa: F401 - installs the slim objects
    from essaybook.xhtml import render_page

    from conftest import ESSAY

    doc = load(ESSAY)
    handout = pdf.render_handout(render_page(doc), doc, paper="a5")
    slim = pydyf.Object.__init__
    assert getattr(slim, "slim", False) and not vars(pydyf.Array())
    ours = handout.document.write_pdf(pdf_variant="pdf/ua-1")
    pydyf.Object.__init__ = slim.pydyfs
    try:
        assert vars(pydyf.Array()) == {"number": None, "offset": 0, "generation": 0, "free": "n"}
        theirs = handout.document.write_pdf(pdf_variant="pdf/ua-1")
    finally:
        pydyf.Object.__init__ = slim
    assert len(handout.document.pages) > 3 and ours == theirs


def test_the_object_stream_deflated_as_it_is_made_writes_pydyfs_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """pydyf_lean.stream_the_object_stream hands the small objects to the compressor a batch at a time and writes
    the cross-reference entries into one buffer: pydyf's own write, byte for byte, however the batches fall."""
    import pydyf

    from essaybook import pdf, pydyf_lean
    from essaybook.build import load
    from essaybook.weasy import weasyprint  # noqa: F401 - installs pydyf_lean
    from essaybook.xhtml import render_page

    from conftest import TEST_ESSAYS

    doc = load(TEST_ESSAYS / "footnotes-and-tables" / "essay.md")
    handout = pdf.render_handout(render_page(doc), doc, paper="a5")
    streamed = pydyf.PDF.write
    assert getattr(streamed, "streams", False)
    whole = handout.document.write_pdf(pdf_variant="pdf/ua-1")
    monkeypatch.setattr(pydyf_lean, "_BATCH", 200)  # many batches, each ending mid-object
    batched = handout.document.write_pdf(pdf_variant="pdf/ua-1")
    monkeypatch.setattr(pydyf.PDF, "write", streamed.pydyfs)
    theirs = handout.document.write_pdf(pdf_variant="pdf/ua-1")
    assert whole == batched == theirs and whole.count(b"/ObjStm") == 1 and len(whole) > 30_000


def test_pages_joined_when_painted_write_the_same_bytes() -> None:
    """weasy.join_painted_pages holds each painted page's drawing as one piece, and writes the same PDF as
    WeasyPrint's own painting, which leaves the pieces for pydyf to join at the write."""
    from weasyprint.document import Page

    from essaybook import pdf
    from essaybook.build import load
    from essaybook.weasy import weasyprint  # noqa: F401 - installs the joining
    from essaybook.xhtml import render_page

    from conftest import ESSAY

    doc = load(ESSAY)
    handout = pdf.render_handout(render_page(doc), doc, paper="a5")
    installed = Page.paint
    assert getattr(installed, "joins", False)

    def write(paint: object) -> tuple[list[int], bytes]:
        pieces: list[int] = []

        def counting(self: Page, stream: object, *args: object) -> None:
            paint(self, stream, *args)
            pieces.append(len(stream.stream))

        Page.paint = counting
        return pieces, handout.document.write_pdf(pdf_variant="pdf/ua-1")

    try:
        ours, theirs = write(installed), write(installed.weasyprints)
    finally:
        Page.paint = installed
    assert set(ours[0]) == {1} and min(theirs[0]) > 100 and ours[1] == theirs[1]


def test_the_layout_context_is_let_go_once_the_pages_are_made() -> None:
    """weasy.drop_layout_context frees the layout's working state (every computed style, the page maker) when
    the pages are made, with the cycle collector off as it is while essaybook lays out and writes; the PDF
    written afterwards is the same as with WeasyPrint's own rendering, which leaves it to the collector."""
    import gc

    from weasyprint.document import Document
    from weasyprint.layout import LayoutContext

    from essaybook import pdf
    from essaybook.build import load
    from essaybook.weasy import weasyprint  # noqa: F401 - installs the dropping
    from essaybook.xhtml import render_page

    from conftest import ESSAY

    def lay_out() -> tuple[int, bytes]:
        handout = pdf.render_handout(page, doc, paper="a5")
        held = sum(1 for o in gc.get_objects() if isinstance(o, LayoutContext) and vars(o))
        return held, handout.document.write_pdf(pdf_variant="pdf/ua-1")

    doc = load(ESSAY)
    page = render_page(doc)
    building, dropping = vars(Document)["_build_layout_context"], vars(Document)["_render"]
    assert getattr(dropping, "drops", False)
    was_on = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        ours = lay_out()
        Document._build_layout_context, Document._render = dropping.weasyprints
        theirs = lay_out()
    finally:
        Document._build_layout_context, Document._render = building, dropping
        if was_on:
            gc.enable()
    assert (ours[0], theirs[0]) == (0, 1) and ours[1] == theirs[1]


def test_weasyprints_pseudo_element_rules_scoped_to_essaybooks_list_items_and_notes_print_the_same() -> None:
    """weasy.scoped_user_agent_sheet gives WeasyPrint's ::marker and ::footnote-… rules only to the elements
    essaybook's print sheets make list items and footnotes (pdf.PSEUDO_SCOPES): every such rule of the sheets is
    among them, fewer styles are computed, and the PDFs of essays with lists, notes holding lists and long
    notes are the same as with WeasyPrint's own sheet."""
    import tinycss2
    from weasyprint.document import Document

    from essaybook import pdf
    from essaybook.build import load
    from essaybook.styles import read_css
    from essaybook.weasy import scoped_user_agent_sheet
    from essaybook.xhtml import render_page

    from conftest import TEST_ESSAYS

    list_items, footnotes = (set(map(str.strip, scope.split(","))) for scope in pdf.PSEUDO_SCOPES)
    made = {"list-item": set(), "footnote": set()}
    for rule in tinycss2.parse_stylesheet(read_css(pdf.PRINT_SHEETS, TEST_ESSAYS), skip_comments=True):
        if rule.type != "qualified-rule":
            continue
        for decl in tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True, skip_comments=True):
            value = tinycss2.serialize(decl.value).strip() if decl.type == "declaration" else ""
            for kind in made:
                if decl.type == "declaration" and decl.name in ("display", "float") and value.startswith(kind):
                    made[kind].update(sel.strip() for sel in tinycss2.serialize(rule.prelude).split(","))
    assert made["list-item"] and made["footnote"]
    assert {sel.split()[-1].split(">")[-1].strip() for sel in made["list-item"]} <= list_items
    assert {sel.split()[-1] for sel in made["footnote"]} <= footnotes
    with pdf._weasyprint_warnings() as heard:
        scoped_user_agent_sheet.cache_clear()
        assert scoped_user_agent_sheet(*pdf.PSEUDO_SCOPES) is not None
    assert heard == []  # WeasyPrint's remarks on its own sheet are no warning of the essay's

    styles = []
    build = vars(Document)["_build_layout_context"]

    def counting(cls: type, *args: object, **kwargs: object) -> object:
        context = build.__func__(cls, *args, **kwargs)
        styles.append(len(context.style_for._computed_styles))
        return context

    scopes = pdf.pseudo_scopes
    Document._build_layout_context = classmethod(counting)
    try:
        for name in ("print-notes", "print-code-lists"):
            doc = load(TEST_ESSAYS / name / "essay.md")
            page = render_page(doc)
            styles.clear()
            ours = pdf.render_handout(page, doc, paper="a5").document.write_pdf(pdf_variant="pdf/ua-1")
            pdf.pseudo_scopes = lambda folder: None
            try:
                theirs = pdf.render_handout(page, doc, paper="a5").document.write_pdf(pdf_variant="pdf/ua-1")
            finally:
                pdf.pseudo_scopes = scopes
            assert ours == theirs, name
            assert styles[0] * 2 < styles[-1], (name, styles)
    finally:
        Document._build_layout_context = build


def test_mended_page_references_make_fewer_pages_and_the_same_bytes(tmp_path: Path) -> None:
    """weasy.resolve_page_references_once and reference_pages spare the pages that cite another page's number
    their second and third making, and change nothing on the page: the same PDF as WeasyPrint's own
    bookkeeping, which makes each citing page three times."""
    from weasyprint import layout
    from weasyprint.css import targets
    from weasyprint.layout import page as pages

    from essaybook import pdf
    from essaybook.build import load
    from essaybook.weasy import weasyprint  # noqa: F401 - installs the mended bookkeeping
    from essaybook.xhtml import render_page

    from conftest import cross_reference_essay

    doc = load(cross_reference_essay(tmp_path / "refs"))
    page = render_page(doc)
    made = []
    remake = pages.remake_page

    def lay_out() -> tuple[int, bytes]:
        made.clear()
        handout = pdf.render_handout(page, doc, paper="a5")
        return len(made), handout.document.write_pdf(pdf_variant="pdf/ua-1")

    collector = targets.TargetCollector
    mended = (targets.anchor_name_from_token, collector.lookup_target, collector.cache_target_page_counters,
              collector.collect_missing_counters, layout.make_all_pages)
    cached = targets.CounterLookupItem.cached_page_counter_values
    assert getattr(mended[0], "mended", False) and getattr(mended[-1], "essaybook", False)
    pages.remake_page = lambda *args, **kwargs: (made.append(1), remake(*args, **kwargs))[1]
    try:
        ours = lay_out()
        (targets.anchor_name_from_token, collector.lookup_target, collector.cache_target_page_counters,
         collector.collect_missing_counters, layout.make_all_pages) = (f.weasyprints for f in mended)
        del targets.CounterLookupItem.cached_page_counter_values
        theirs = lay_out()
    finally:
        pages.remake_page = remake
        (targets.anchor_name_from_token, collector.lookup_target, collector.cache_target_page_counters,
         collector.collect_missing_counters, layout.make_all_pages) = mended
        targets.CounterLookupItem.cached_page_counter_values = cached
    page_count = len(pdf.render_handout(page, doc, paper="a5").document.pages)
    assert page_count >= 5 and ours[1] == theirs[1]
    citing = 3  # the first page, the page of Part 3, the last page
    assert (ours[0], theirs[0]) == (page_count, page_count + 2 * citing)


def test_a_wrong_guess_of_a_page_number_costs_a_page_make_never_a_wrong_number(tmp_path: Path) -> None:
    """reference_pages shows a guess while a target is still to be laid out, and keeps a citing page only if
    the real number fits where the guess was: a guess with the wrong number of digits makes the page again."""
    from weasyprint.layout import page as pages

    from essaybook import pdf, reference_pages
    from essaybook.build import load
    from essaybook.xhtml import render_page

    from conftest import cross_reference_essay

    doc = load(cross_reference_essay(tmp_path / "refs"))
    page = render_page(doc)
    made: list[int] = []

    def lay_out() -> tuple[int, int, bytes]:
        made.clear()
        document = pdf.render_handout(page, doc, paper="a5").document
        return len(made), len(document.pages), document.write_pdf(pdf_variant="pdf/ua-1")

    remake, estimate = pages.remake_page, reference_pages.estimate
    pages.remake_page = lambda *args, **kwargs: (made.append(1), remake(*args, **kwargs))[1]
    try:
        right = lay_out()
        reference_pages.estimate = lambda made, ahead, per_page: 100 + made
        wrong = lay_out()
    finally:
        pages.remake_page, reference_pages.estimate = remake, estimate
    assert wrong[2] == right[2]
    assert right[0] == right[1] and wrong[0] > wrong[1]


def test_streams_deflated_at_the_default_level_inflate_to_the_same_bytes() -> None:
    """weasy.compress_at_zlib_default changes how long a PDF takes to write and its size, never its content."""
    import io
    import re
    import zlib

    import pikepdf
    import pydyf

    from essaybook import pdf
    from essaybook.build import load
    from essaybook.weasy import weasyprint  # noqa: F401 - installs the default level
    from essaybook.xhtml import render_page

    from conftest import ESSAY

    doc = load(ESSAY)
    handout = pdf.render_handout(render_page(doc), doc, paper="a5")
    assert pydyf.zlib is not zlib
    ours = handout.document.write_pdf(pdf_variant="pdf/ua-1")
    shim, pydyf.zlib = pydyf.zlib, zlib
    try:
        theirs = handout.document.write_pdf(pdf_variant="pdf/ua-1")
    finally:
        pydyf.zlib = shim
    assert ours != theirs
    with pikepdf.open(io.BytesIO(ours)) as a, pikepdf.open(io.BytesIO(theirs)) as b:
        assert len(a.objects) == len(b.objects) > 100
        streams = 0
        for x, y in zip(a.objects, b.objects, strict=True):
            if isinstance(x, pikepdf.Stream) and x.get("/Type") != "/XRef":  # file offsets move
                assert x.read_bytes() == y.read_bytes()
                streams += 1
            else:  # a dictionary may show a stream's compressed length
                assert re.sub(r'"/Length": \d+', "", repr(x)) == re.sub(r'"/Length": \d+', "", repr(y))
        assert streams > 10


def _first_difference(a, b, path: str = "") -> str | None:
    here = f"{path}/{a.tag}"
    if (a.tag, a.attrib, a.text or "", a.tail or "") != (b.tag, b.attrib, b.text or "", b.tail or ""):
        return f"{here}: {(a.tag, a.attrib, a.text, a.tail)!r} != {(b.tag, b.attrib, b.text, b.tail)!r}"
    if len(a) != len(b):
        return f"{here}: {[c.tag for c in a]} != {[c.tag for c in b]}"
    return next((d for x, y in zip(a, b, strict=True) if (d := _first_difference(x, y, here))), None)


def test_weasyprint_gets_the_tree_its_parser_would_make_of_the_page() -> None:
    """weasy.as_parsed hands WeasyPrint the page's tree instead of text to parse again (1.5 s of pandoc's
    manual): for every test book, the tree tinyhtml5 makes of the printed page, its empty elements written out
    in full (which an HTML parser would otherwise leave open: an empty span took in the rest of its paragraph)."""
    import copy

    import tinyhtml5
    from lxml import etree

    from essaybook import pdf
    from essaybook.build import load
    from essaybook.paper import PAPERS
    from essaybook.weasy import as_parsed
    from essaybook.xhtml import render_page, serialize

    from conftest import CORPUS, ESSAY, TEST_ESSAYS

    void = {"area", "br", "col", "embed", "hr", "img", "input", "meta", "source", "track", "wbr"}
    sources = [ESSAY, *sorted(TEST_ESSAYS.glob("*/essay.md"))] + [p for p in [CORPUS / "pandoc-manual.md"]
                                                                    if p.exists()]
    compared = 0
    for source in sources:
        try:
            doc = load(source)
        except Exception:  # a test essay meant to be refused
            continue
        printed = copy.deepcopy(render_page(doc))
        pdf.prepare_print(printed, doc, PAPERS["a4"])
        written = copy.deepcopy(printed)
        for el in written.iter():
            if isinstance(el.tag, str) and el.text is None and not len(el) and etree.QName(el).localname not in void:
                el.text = ""
        expected = tinyhtml5.parse(serialize(written), namespace_html_elements=False)
        assert _first_difference(expected, as_parsed(printed.getroot())) is None, source
        compared += 1
    assert compared >= 25
    one = etree.fromstring('<p xmlns="http://www.w3.org/1999/xhtml"><span id="a"/>then <b>bold</b></p>')
    assert _first_difference(tinyhtml5.parse(etree.tostring(one), namespace_html_elements=False)
                             .find("body/p"), as_parsed(one)) is not None
    assert [(c.tag, c.tail) for c in as_parsed(one)] == [("span", "then "), ("b", None)]


def _tag_tree(data: bytes) -> tuple:
    """A tagged PDF's structure tree as plain data: each element's type, attributes, alternate text and kids
    (marked-content ids with their page, links with their address), and the parent tree read back through it;
    table headers' ids by their order, since they are named after object numbers."""
    import io

    from pypdf import PdfReader
    from pypdf.generic import DictionaryObject, IndirectObject

    reader = PdfReader(io.BytesIO(data))
    pages = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages)}
    ids: dict[str, int] = {}
    paths: dict[int, str] = {}

    def plain(value: object) -> object:
        value = value.get_object() if isinstance(value, IndirectObject) else value
        if isinstance(value, list):
            return [plain(v) for v in value]
        if isinstance(value, DictionaryObject):
            return {k: plain(v) for k, v in value.items()}
        text = str(value)
        return ids.setdefault(text, len(ids)) if "-" in text and text.split("-")[0].isdigit() else text

    def walk(ref: object, path: str) -> object:
        element = ref.get_object()
        if not isinstance(element, DictionaryObject):
            return ("mcid", int(element))
        if element.get("/Type") == "/OBJR":
            return ("link", str(element["/Obj"].get_object().get("/Contents")))
        paths[ref.idnum] = path
        kids = element.get("/K", [])
        kids = kids if isinstance(kids, list) else [kids]
        page = pages.get(element.raw_get("/Pg").idnum) if "/Pg" in element else None
        return (str(element["/S"]), page, plain(element.get("/A")), str(element.get("/Alt")), plain(element.get("/ID")),
                [walk(kid, f"{path}/{n}") for n, kid in enumerate(kids)])

    root = reader.trailer["/Root"]["/StructTreeRoot"]
    tree = walk(root.raw_get("/K")[0] if isinstance(root["/K"], list) else root.raw_get("/K"), "")
    nums = root["/ParentTree"].get_object()["/Nums"]
    parents = []
    for key, value in zip(nums[::2], nums[1::2], strict=True):
        listed = value.get_object()
        found = [paths.get(v.idnum) for v in listed] if isinstance(listed, list) else paths.get(value.idnum)
        parents.append((int(key), found))
    return tree, parents, str(reader.trailer["/Root"].get("/MarkInfo")), str(reader.trailer["/Root"].get("/Lang"))


def test_tags_built_page_by_page_are_weasyprints_tags_and_let_the_boxes_go() -> None:
    """weasy.tag_pages_as_painted builds each page's tags when it is painted: the tag tree (every element, its
    kids, its page, the parent tree) is the one WeasyPrint builds after the last page, for an essay with notes,
    tables, lists, figures and links; written once, no page keeps its boxes and little else holds one."""
    import gc

    from weasyprint import pdf as pdf_module
    from weasyprint.document import Page
    from weasyprint.formatting_structure.boxes import TextBox

    from essaybook import pdf
    from essaybook.build import load
    from essaybook.weasy import weasyprint, write_pdf_once  # noqa: F401 - installs the tagging
    from essaybook.xhtml import render_page

    from conftest import ESSAY, TEST_ESSAYS

    installed = (pdf_module.add_links, pdf_module.add_tags, Page.paint)
    assert getattr(installed[1], "per_page", False)
    for source in (ESSAY, *(TEST_ESSAYS / name / "essay.md" for name in ("footnotes-and-tables", "print-code-lists"))):
        doc = load(source)
        handout = pdf.render_handout(render_page(doc), doc, paper="a5")
        ours = handout.document.write_pdf(pdf_variant="pdf/ua-1")
        (pdf_module.add_links, pdf_module.add_tags, Page.paint) = installed[1].weasyprints
        try:
            theirs = handout.document.write_pdf(pdf_variant="pdf/ua-1")
        finally:
            (pdf_module.add_links, pdf_module.add_tags, Page.paint) = installed
        tree = _tag_tree(ours)
        assert ours != theirs and tree == _tag_tree(theirs), source
        assert len(handout.document.pages) > 1 and sum(len(p) for _, p in tree[1] if isinstance(p, list)) > 100
    del handout
    was_on = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        handout = pdf.render_handout(render_page(doc), doc, paper="a5")
        laid_out = [weakref.ref(box) for page in handout.document.pages for box in _descendants(page._page_box)
                    if isinstance(box, TextBox)]
        once = write_pdf_once(handout.document, None, pdf_variant="pdf/ua-1")
        left = sum(1 for box in laid_out if box() is not None)  # with the collector off, as at work
    finally:
        if was_on:
            gc.enable()
    assert _tag_tree(once) == tree
    assert all(page._page_box is None for page in handout.document.pages)
    assert len(laid_out) > 100 and left < len(laid_out) / 5, (left, len(laid_out))  # links' boxes: page.links


def _descendants(box: object) -> Iterator[object]:
    yield box
    for child in getattr(box, "children", ()):
        yield from _descendants(child)
