"""The one door to WeasyPrint: ``from essaybook.weasy import weasyprint`` instead of ``import weasyprint``.

Seven costs of WeasyPrint's own are paid here once, so that every module gets WeasyPrint without them: the
library lookup below, the pages WeasyPrint makes twice more for a page reference
(``resolve_page_references_once``) and the one more time left (``reference_pages``: a guessed number first,
the real digits put in place after), a second parse of the page (``html_document`` hands WeasyPrint its
tree), the layout's working state kept alive while the PDF is written (``drop_layout_context``), each page's
drawing held as thousands of small pieces until the end (``join_painted_pages``), and every page's boxes held
until the last page is tagged (``tag_pages_as_painted``, with ``write_pdf_once``). Four more are pydyf's, the
PDF writer under it (``pydyf_lean``). One is a fault, not a cost: text in scripts whose glyphs are drawn out of
order read back scrambled (``actual_text``).
One more, Python's own, is for the callers to avoid: ``at_work`` holds the cycle collector off while
WeasyPrint lays out or writes.

WeasyPrint opens Pango, HarfBuzz and fontconfig through cffi, trying several names per library (one per
platform). Each name that is not a file on this system goes to ``ctypes.util.find_library``, which on Linux
runs ``ldconfig -p`` and then the C compiler and the linker (``gcc -Wl,-t -l<name>``) to look for it: about
10 ms a name, and some 20 names fail on a Debian system, so about 0.15 s of every PDF went on compiler runs
(Kozea/WeasyPrint#1125). While WeasyPrint loads, essaybook answers those lookups from one reading of the
dynamic linker's cache, which is the list the linker would find anyway; a name not in it is not found,
instead of asking the compiler. Nothing is lost by that: every library's list in WeasyPrint also holds its
real file name (``libpango-1.0.so.0``), which cffi opens directly through the linker's own search path,
``LD_LIBRARY_PATH`` included. On other systems, or without ``ldconfig``, WeasyPrint loads as it always does.
"""

from __future__ import annotations

import contextlib
import copy
import ctypes.util
import functools
import gc
import inspect
import logging
import os
import re
import shutil
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from xml.etree import ElementTree

from essaybook import actual_text, pydyf_lean, reference_pages

# The same C-library ABI names as ctypes.util's own ldconfig lookup.
_ABI = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit",
        "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}


def linker_cache_lookup() -> Callable[[str], str | None] | None:
    """``find_library`` answered from one ``ldconfig -p``, or None where that cannot be read."""
    if not sys.platform.startswith("linux"):
        return None
    ldconfig = shutil.which("ldconfig") or next(
        (p for p in ("/sbin/ldconfig", "/usr/sbin/ldconfig") if os.access(p, os.X_OK)), None)
    if ldconfig is None:
        return None
    try:
        listing = subprocess.run([ldconfig, "-p"], capture_output=True, check=True, timeout=10,
                                 env={**os.environ, "LC_ALL": "C", "LANG": "C"}).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    abi = _ABI.get(f"{os.uname().machine}-{struct.calcsize('l') * 8}", "libc6")

    def find_library(name: str) -> str | None:
        found = re.search(rb"\s+(lib%s\.[^\s]+)\s+\(%s" % (re.escape(os.fsencode(name)), abi.encode()), listing)
        return os.fsdecode(found.group(1)) if found else None

    return find_library


@contextlib.contextmanager
def _quick_library_lookup() -> Iterator[None]:
    lookup = linker_cache_lookup()
    if lookup is None:
        yield
        return
    original = ctypes.util.find_library
    ctypes.util.find_library = lookup
    try:
        yield
    finally:
        ctypes.util.find_library = original


@contextlib.contextmanager
def at_work() -> Iterator[None]:
    """Hold Python's cycle collector off while WeasyPrint lays a handout out or writes it.

    A layout builds millions of small objects that all live until the PDF is written (boxes, styles, Pango
    layouts), and the collector, started by every few hundred new objects, walks the older ones again each
    time: on pandoc's manual, 2,674 collections took 3.3 s of an 18 s layout and write, and 1.4 s of 27 s on
    a 130,000-word essay, for nothing, since almost all of it is still alive. Without them the peak memory rose
    by 10 MB and 4 MB. The collector comes back on afterwards (unless it was off already), and takes the few
    cycles left over then."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


_contexts = threading.local()  # the layout contexts being rendered in this thread, innermost last


def drop_layout_context() -> None:
    """Let the layout's working state go as soon as the pages are made, instead of at the next full collection.

    WeasyPrint 70's ``LayoutContext`` holds every element's computed style (and those of the six pseudo-elements
    its own style sheet gives each one), the target collector (a pre-layout box per anchor) and the page
    maker, and it sits in a reference cycle of its own (``get_image_from_uri`` is a partial of the context), as
    does the target collector (its counter lookups hold closures over it).
    Nothing reads it once ``Document._render`` has made the pages, but only the cycle collector can free it,
    and the collector is held off while a handout is laid out and written (``at_work``), so the write built
    the PDF on top of it: on pandoc's manual 56 MB of a 409 MB peak. Its attributes are dropped when
    ``_render`` returns (the PDF's bytes are the same, ``tests/test_architecture.py``). Left as it is if
    WeasyPrint's ``Document`` no longer has these two class methods."""
    from weasyprint.document import Document

    build, render = (inspect.getattr_static(Document, name, None) for name in ("_build_layout_context", "_render"))
    if not (isinstance(build, classmethod) and isinstance(render, classmethod)) or getattr(render, "drops", False):
        return
    build, render = build.__func__, render.__func__

    def build_layout_context(cls: type, *args: object, **kwargs: object) -> object:
        context = build(cls, *args, **kwargs)
        _contexts.__dict__.setdefault("made", []).append(context)
        return context

    def render_and_drop(cls: type, *args: object, **kwargs: object) -> object:
        made = _contexts.__dict__.setdefault("made", [])
        depth = len(made)
        try:
            return render(cls, *args, **kwargs)
        finally:
            while len(made) > depth:
                context = vars(made.pop())
                collector = context.get("target_collector")
                if collector is not None:  # a cycle of its own too, holding a pre-layout box per anchor
                    vars(collector).clear()
                context.clear()

    dropping = classmethod(render_and_drop)
    dropping.drops = True
    dropping.weasyprints = (classmethod(build), classmethod(render))  # for the test that compares the two
    Document._build_layout_context = classmethod(build_layout_context)
    Document._render = dropping


def join_painted_pages() -> None:
    """Join each page's drawing operators into one piece as soon as the page is painted.

    WeasyPrint paints every page before it writes any, and pydyf keeps a page's content as the list of its
    operators, each a small bytes object, until it joins them with newlines at the write: on pandoc's manual
    131,000 pieces for 3.4 MB of content, 5 MB more at the peak than the joined text. The same join is done
    when the page is painted, so the write finds one piece and joins it to itself: the same bytes
    (``tests/test_architecture.py``). Left as it is if pydyf or WeasyPrint no longer have these names."""
    import pydyf
    from weasyprint.document import Page

    paint, to_bytes = Page.paint, getattr(pydyf, "_to_bytes", None)
    if getattr(paint, "joins", False) or to_bytes is None:
        return

    def paint_and_join(self: Page, stream: pydyf.Stream, *args: object, **kwargs: object) -> None:
        paint(self, stream, *args, **kwargs)
        if type(stream.stream) is list and len(stream.stream) > 1:
            stream.stream = [b"\n".join(to_bytes(item) for item in stream.stream)]

    paint_and_join.joins = True
    paint_and_join.weasyprints = paint  # WeasyPrint's own, for the test that compares the two
    Page.paint = paint_and_join


_painting = threading.local()  # the PDF this thread is painting, with its page's tags; whether it is the last use


class _PageTags:
    """The tag tree WeasyPrint's ``add_tags`` builds at the end, built page by page instead: its roots, the
    parent tree's numbers, the link annotations met so far."""

    def __init__(self, pdf: object) -> None:
        import pydyf

        self.mapping = pydyf.Dictionary({"Nums": pydyf.Array()})
        pdf.add_object(self.mapping)
        self.root = pydyf.Dictionary({"Type": "/StructTreeRoot", "ParentTree": self.mapping.reference})
        pdf.add_object(self.root)
        self.document = pydyf.Dictionary({"Type": "/StructElem", "S": "/Document", "K": pydyf.Array(),
                                          "P": self.root.reference})
        pdf.add_object(self.document)
        self.root["K"] = pydyf.Array([self.document.reference])
        pdf.catalog["StructTreeRoot"] = self.root.reference
        self.annotations: list = []
        self.pages = 0


def tag_pages_as_painted() -> None:
    """Build each page's tags as soon as the page is painted, instead of after the last page, and, for a
    document written once (``write_pdf_once``), let the page's boxes go then.

    A tagged PDF needs the laid-out boxes twice: to paint each page, and then for the tags, which WeasyPrint
    70 builds in one pass over every page's boxes once all are painted (``pdf/tags.py``). So all the boxes
    lived until the end of the write, under the tags and the PDF's objects: on pandoc's manual its largest
    share of memory. WeasyPrint's own ``_build_box_tree`` is called for each page right after it is painted
    (it reads nothing of the other pages), the rest of ``add_tags`` is done where WeasyPrint calls it, and the
    page's box tree is dropped. The tag tree is the same, element for element; the PDF's objects come in
    another order (``tests/test_architecture.py`` compares the two trees). Left as it is if WeasyPrint no
    longer has these names."""
    import pydyf
    from weasyprint import pdf as pdf_module
    from weasyprint.document import Page
    from weasyprint.pdf import tags as tags_module

    add_links, add_tags = getattr(pdf_module, "add_links", None), getattr(pdf_module, "add_tags", None)
    build_box_tree, paint = getattr(tags_module, "_build_box_tree", None), Page.paint
    if None in (add_links, add_tags, build_box_tree) or getattr(add_tags, "per_page", False):
        return

    def add_links_and_note_page(links: object, matrix: object, pdf: object, page: object, names: object,
                                tags: dict | None) -> None:
        _painting.current = (pdf, tags)
        add_links(links, matrix, pdf, page, names, tags)

    def paint_and_tag(self: Page, stream: object, *args: object, **kwargs: object) -> None:
        paint(self, stream, *args, **kwargs)
        pdf, tags = getattr(_painting, "current", (None, None))
        _painting.current = None
        if tags is not None and tags is getattr(stream, "_tags", None):
            made = vars(pdf).get("_essaybook_tags")
            if made is None:
                made = vars(pdf)["_essaybook_tags"] = _PageTags(pdf)
            nums: dict = {}
            for element in build_box_tree(self._page_box, made.document, pdf, made.pages, nums, made.annotations,
                                          tags):
                made.document["K"].append(element.reference)
            made.mapping["Nums"].extend((made.pages, pydyf.Array([ref for _, ref in sorted(nums.items())])))
            made.pages += 1
        if getattr(_painting, "once", False):
            box, self._page_box = self._page_box, None
            vars(box).clear()  # its footnote area points back at it (``page``): a cycle, else left to the collector

    def finish_tags(pdf: object, document: object, pdf_version: object, page_streams: list) -> None:
        made = vars(pdf).pop("_essaybook_tags", None)
        if made is None or made.pages != len(page_streams):  # not painted here: WeasyPrint's own pass
            return add_tags(pdf, document, pdf_version, page_streams)
        from weasyprint.logger import LOGGER

        if str(pdf_version) >= "2.0":  # as add_tags does, PDF 2's namespace
            namespace = pydyf.Dictionary({"Type": "/Namespace", "NS": pydyf.String("http://iso.org/pdf2/ssn")})
            pdf.add_object(namespace)
            made.root["Namespaces"] = pydyf.Array([namespace.reference])
            made.document["NS"] = namespace.reference
        for number, (reference, annotation) in enumerate(made.annotations, start=made.pages):
            made.mapping["Nums"].extend((number, reference))
            annotation["StructParent"] = number
        pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})
        pdf.catalog["MarkInfo"] = pydyf.Dictionary({"Marked": "true"})
        if "Lang" not in pdf.catalog:
            LOGGER.error('Missing required "lang" attribute at the root of the document')
            pdf.catalog["Lang"] = pydyf.String()
        return None

    finish_tags.per_page = True
    finish_tags.weasyprints = (add_links, add_tags, paint)  # WeasyPrint's own, for the test that compares them
    pdf_module.add_links, pdf_module.add_tags, Page.paint = add_links_and_note_page, finish_tags, paint_and_tag


def write_pdf_once(document: object, target: object, **options: object) -> object:
    """``document.write_pdf``, for the last use of the document: each page's boxes are let go as soon as the
    page is painted and tagged (``tag_pages_as_painted``), so the PDF's objects are built in the memory the
    layout gave back. The document's pages keep their size, anchors and bookmarks, but cannot be painted
    again: read the boxes (``pagination``) before."""
    _painting.once = True
    try:
        return document.write_pdf(target, **options)
    finally:
        _painting.once = False


def resolve_page_references_once() -> None:
    """Make WeasyPrint re-make a page that cites another page's number once, not twice.

    A link printed with its target's page (``target-counter(attr(href url), page)``, print.css) is laid out
    before any page is known, so its page has to be made again once the numbers are in: on pandoc's manual, 20
    of 127 pages. WeasyPrint 70 makes each of them twice more, because of slips in its bookkeeping:

    - ``build.compute_content_list`` files the reference under the anchor named by the *unresolved* token
      (``attr()`` names nothing, so under None), so the target's page cannot tell the citing page its number
      when it is laid out; and it rebinds its list of local counters to the target's, so the citing page
      believes it shows its own page counter.
    - That counter then looks changed on the next pass, because the total of pages (``pages``), which it
      does not show, went from 0 to 127; and so does a target's page when it is made again.

    Mended here: the anchor is the one ``lookup_target`` resolved (the one call in WeasyPrint that names an
    ``attr()`` token comes right after it, for the same token, in the same thread); and a change of ``pages``
    alone is no change for a reference that knows its target and whose ``content`` never mentions ``pages``,
    nor for a target when no ``content`` does. Anything else keeps WeasyPrint's own bookkeeping (a reference
    filed before its target was known learns its number only from that change). The pages and bytes are the
    same as WeasyPrint's where WeasyPrint's are right (``tests/test_architecture.py``); the manual's layout
    makes 147 pages instead of 167. Left alone if WeasyPrint's targets module no longer has the shape these
    were written against."""
    from weasyprint.css import targets

    collector, reference = targets.TargetCollector, targets.CounterLookupItem
    names = ("lookup_target", "cache_target_page_counters", "collect_missing_counters")
    if getattr(targets.anchor_name_from_token, "mended", False) or not all(
            callable(getattr(collector, name, None)) for name in names
    ) or "cached_page_counter_values" in vars(reference):
        return
    name_of, lookup, cache_target, collect = (targets.anchor_name_from_token, collector.lookup_target,
                                              collector.cache_target_page_counters, collector.collect_missing_counters)
    last = threading.local()  # the token last looked up in this thread, and the anchor its lookup named

    def anchor_name_from_token(token: tuple) -> str | None:
        if token[0] == "attr()" and token is getattr(last, "token", None):
            return last.name
        last.name = name_of(token)
        return last.name

    def lookup_target(self: targets.TargetCollector, token: tuple, *args: object) -> targets.TargetLookupItem:
        last.token, last.name = token, None
        return lookup(self, token, *args)

    def collect_missing_counters(self: targets.TargetCollector, box: object, css_token: str, *args: object
                                 ) -> None:
        collect(self, box, css_token, *args)
        item = self.counter_lookup_items.get((box, css_token))
        if item is not None and "_essaybook_pages_aside" not in item.__dict__:
            item.__dict__["_essaybook_pages_aside"] = (
                css_token == "content" and bool(item.missing_target_counters)
                and None not in item.missing_target_counters and not _mentions_pages(box, css_token))

    def cache_target_page_counters(self: targets.TargetCollector, anchor: str, values: dict, index: int,
                                   page_maker: list) -> None:
        item = self.target_lookup_items.get(anchor)
        if (not self.collecting and item is not None and item.state == "up-to-date"
                and _PagesAside(item.cached_page_counter_values) == values and not _contents_mention_pages(self)):
            item.page_maker_index = index
            item.cached_page_counter_values = copy.deepcopy(values)
            return
        cache_target(self, anchor, values, index, page_maker)

    def cached(self: targets.CounterLookupItem) -> dict:
        return self.__dict__["_essaybook_cached"]

    def keep(self: targets.CounterLookupItem, values: dict) -> None:
        aside = self.__dict__.get("_essaybook_pages_aside", False) and isinstance(values, dict)
        self.__dict__["_essaybook_cached"] = _PagesAside(values) if aside else values

    anchor_name_from_token.mended = True
    # WeasyPrint's own, for the test that lays out with both and compares the pages.
    anchor_name_from_token.weasyprints = name_of
    lookup_target.weasyprints, cache_target_page_counters.weasyprints = lookup, cache_target
    collect_missing_counters.weasyprints = collect
    targets.anchor_name_from_token = anchor_name_from_token
    collector.lookup_target = lookup_target
    collector.cache_target_page_counters = cache_target_page_counters
    collector.collect_missing_counters = collect_missing_counters
    reference.cached_page_counter_values = property(cached, keep)


def _mentions_pages(box: object, css_token: str) -> bool:
    """Whether the box's ``content`` (or other counter-reading property) names ``pages`` anywhere: read from
    the property itself, since WeasyPrint's lists of missing counters can lose it (see above)."""
    try:
        return "pages" in repr(box.style[css_token.replace("-", "_")])
    except (AttributeError, KeyError, TypeError):
        return True


def _contents_mention_pages(collector: object) -> bool:
    """Whether any reference's property names ``pages``, asked once the references are all known (they are
    collected before the first page is made)."""
    known = collector.__dict__.get("_essaybook_contents_mention_pages")
    if known is None:
        known = collector.__dict__["_essaybook_contents_mention_pages"] = any(
            _mentions_pages(box, css_token) for box, css_token in collector.counter_lookup_items)
    return known


class _PagesAside(dict):
    """Page counter values that compare equal to others that differ only in the total of pages."""

    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, dict):
            return NotImplemented
        return {k: v for k, v in self.items() if k != "pages"} == {k: v for k, v in other.items() if k != "pages"}

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal


# --- the page as WeasyPrint's HTML, without parsing it again ------------------------------------------------

_FOREIGN = frozenset({"http://www.w3.org/2000/svg", "http://www.w3.org/1998/Math/MathML"})
_PREFIXES = {"http://www.w3.org/XML/1998/namespace": "xml", "http://www.idpf.org/2007/ops": "epub"}
_XLINK, _XMLNS = "http://www.w3.org/1999/xlink", "http://www.w3.org/2000/xmlns/"


def html_document(root: object, base_url: str, url_fetcher: object,
                  pseudo_scopes: tuple[str, str] | None = None) -> object:
    """WeasyPrint's ``HTML`` for essaybook's page, made from its tree instead of from its text.

    ``HTML(string=…)`` parses the text with tinyhtml5, a pure-Python HTML5 parser: 1.5 s for pandoc's manual,
    a tenth of its layout, to rebuild a tree essaybook already holds. The tree is translated here into the one
    tinyhtml5 makes of the page (HTML elements without a namespace, SVG and MathML in theirs, ``xml:lang`` and
    ``epub:type`` as plain attribute names, the newline after ``<pre>`` dropped): ``tests/test_architecture.py``
    compares the two for every test book. It also keeps what the XHTML means where an HTML parser reads it
    otherwise: an empty ``<span id="…"/>`` stays empty instead of taking in the rest of its paragraph.
    Falls back to parsing the text if WeasyPrint's ``HTML`` no longer has the shape this was written against.
    ``pseudo_scopes``: the selectors of the only elements that can be list items and footnotes, for
    ``scoped_user_agent_sheet``."""
    from lxml import etree

    if not _html_has_known_shape():
        return weasyprint.HTML(string=etree.tostring(root, encoding="unicode"), base_url=base_url,
                               url_fetcher=url_fetcher)
    import cssselect2

    document = weasyprint.HTML.__new__(weasyprint.HTML)
    document.base_url, document.url_fetcher, document.media_type = base_url, url_fetcher, "print"
    document.wrapper_element = cssselect2.ElementWrapper.from_html_root(as_parsed(root), content_language=None)
    document.etree_element = document.wrapper_element.etree_element
    sheet = scoped_user_agent_sheet(*pseudo_scopes) if pseudo_scopes else None
    if sheet is not None:
        document._ua_stylesheets = lambda forms=False: [sheet]  # an essaybook page holds no form
    return document


# WeasyPrint's own sheet gives these pseudo-elements to every element (``::marker { … }``).
_UNIVERSAL_PSEUDO_RULE = re.compile(r"^::(marker|footnote-call|footnote-marker|note-call|note-marker|note-callback)"
                                    r"( \{[^}\n]*\})$", re.M)


@functools.cache
def scoped_user_agent_sheet(list_items: str, footnotes: str) -> object | None:
    """WeasyPrint's user-agent sheet with its pseudo-element rules given only to the elements that use them.

    Its ``::marker``, ``::footnote-call``, ``::footnote-marker`` and three ``::note-…`` rules match every
    element, so WeasyPrint 70 builds six more computed styles for each one, nearly all for elements that
    are neither a list item nor a footnote: on pandoc's manual 54,000 of its 63,000 styles, 15 MB of the peak
    and 0.5 s of the PDF. Here the first three apply to ``list_items`` and ``footnotes`` only and the note rules
    (for ``float: note``, which essaybook does not use) are left out; the PDF is the same
    (``tests/test_architecture.py``). Only for a page set with essaybook's own sheets, whose list items and
    footnotes are known. None (WeasyPrint's sheet stays) if its rules are no longer written this way."""
    from weasyprint import CSS, html

    text = getattr(html, "UA", None)
    if not isinstance(text, str):
        return None
    found = {m.group(1) for m in _UNIVERSAL_PSEUDO_RULE.finditer(text)}
    if len(found) != 6:
        return None
    scope = {"marker": list_items, "footnote-call": footnotes, "footnote-marker": footnotes}

    def scoped(m: re.Match) -> str:
        name = m.group(1)
        return f":is({scope[name]})::{name}{m.group(2)}" if name in scope else ""

    with _unheard_in_this_thread("weasyprint"):  # its complaints about its own sheet are not the essay's
        return CSS(string=_UNIVERSAL_PSEUDO_RULE.sub(scoped, text), counter_style=html.UA_COUNTER_STYLE)


@contextlib.contextmanager
def _unheard_in_this_thread(name: str) -> Iterator[None]:
    """Drop what this thread logs to ``name`` meanwhile; other threads' records pass (WeasyPrint 70 warns of
    its own sheet's ``@counter-style decimal``, which it reads once at import, where no one hears it)."""
    me = threading.get_ident()

    def others(record: logging.LogRecord) -> bool:
        return record.thread != me

    logger = logging.getLogger(name)
    logger.addFilter(others)
    try:
        yield
    finally:
        logger.removeFilter(others)


@functools.cache
def _html_has_known_shape() -> bool:
    fields = {"base_url", "etree_element", "media_type", "url_fetcher", "wrapper_element"}
    return set(vars(weasyprint.HTML(string="<p></p>"))) == fields


def as_parsed(root: object) -> ElementTree.Element:
    """The ``xml.etree`` tree tinyhtml5 makes of ``root`` serialized (empty elements written out in full)."""
    from lxml import etree

    def element(el: etree._Element, parent_nsmap: dict) -> ElementTree.Element:
        name = etree.QName(el)
        foreign = name.namespace in _FOREIGN
        tag = el.tag if foreign else name.localname
        attrib = {}
        for prefix, uri in el.nsmap.items():
            if parent_nsmap.get(prefix) != uri:
                declared = prefix or "xmlns"
                attrib[f"{{{_XMLNS}}}{declared}" if foreign else
                       ("xmlns" if prefix is None else f"xmlns:{prefix}")] = uri
        for key, value in el.attrib.items():
            if key[0] == "{":
                uri, local = key[1:].split("}")
                if not (foreign and uri == _XLINK):
                    key = f"{_PREFIXES.get(uri, uri)}:{local}"
            attrib[key] = value
        new = ElementTree.Element(tag, attrib)
        text = el.text
        if text and tag in ("pre", "textarea", "listing") and text.startswith("\n"):
            text = text[1:]  # the HTML parser drops the newline that opens these
        new.text, last = text, None
        for child in el:
            if not isinstance(child.tag, str):  # a comment or processing instruction: its tail stays
                if child.tail:
                    if last is None:
                        new.text = (new.text or "") + child.tail
                    else:
                        last.tail = (last.tail or "") + child.tail
                continue
            last = element(child, el.nsmap)
            last.tail = child.tail
            new.append(last)
        return new

    return element(root, {})


if "weasyprint" in sys.modules:
    import weasyprint
else:
    with _quick_library_lookup():
        import weasyprint
pydyf_lean.install()
tag_pages_as_painted()  # beneath join_painted_pages: the page is tagged, then its drawing joined
join_painted_pages()
resolve_page_references_once()
drop_layout_context()
reference_pages.install()
actual_text.install()

__all__ = ["as_parsed", "at_work", "drop_layout_context", "html_document", "join_painted_pages",
           "resolve_page_references_once", "scoped_user_agent_sheet", "tag_pages_as_painted", "weasyprint",
           "write_pdf_once"]
