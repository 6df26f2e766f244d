"""A course pack built: its essays parsed (in parallel), their pages joined into one, then one EPUB and one
handout PDF, written atomically.

A pack is a list of ``Document`` objects, not a second pipeline: each essay is loaded by ``build.load`` and
rendered by ``xhtml.render_page`` exactly as alone; its ids (and its images' paths) get a prefix (``e2-``,
``e2/``) so they are unique across the book, and its sections go into one page between the pack's own title
page, contents, Notes section and permissions page. The PDF is ONE WeasyPrint layout of that page, so folios
("n / N" over the whole pack) and the contents' page numbers (``target-counter``) are right by construction;
running heads follow each essay through a named page and ``string-set`` on its title block, and footnote
numbers restart per essay (``counter-reset``). The EPUB splits the same page into one document per section.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import uuid
from pathlib import Path

from lxml import etree

from essaybook import build, pdf
from essaybook.errors import EssaybookError, SourceProblems, display_path
from essaybook.labels import direction, human_date, join_names, label, running_names
from essaybook.metadata import Metadata
from essaybook.model import EPUB_NS, EPUB_TYPE, XHTML_NS, XML_NS, Asset, Collection, Document, Part, x
from essaybook.pack import Pack, load_pack
from essaybook.rules import Diagnostic
from essaybook.xhtml import render_page

QR_URL = "file:///essaybook/generated/qr-{prefix}svg"
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_ID_ATTRS = ("id", "aria-labelledby", "aria-describedby")
# The e-book's few rules for a pack's own pages (a single essay's book has none of these pages).
_EPUB_CSS = """
.pack-title-page { text-align: center; margin-top: 3em; }
.pack-title-page h1 { font-weight: normal; font-size: 1.9em; text-align: center; }
.pack-title-page p { text-indent: 0; }
.pack-title-page .subtitle { font-style: italic; }
.permissions p { text-indent: 0; margin: 0 0 0.8em; }
"""
_COVER_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
                ".svg": "image/svg+xml", ".webp": "image/webp"}


# --- loading ------------------------------------------------------------------------------------------------


def load_collection(path: Path, jobs: int | None = None) -> Collection:
    """The pack file and every essay it lists, parsed once each (in ``jobs`` processes). Any problem with the
    pack or with one of its essays stops it here, all of them reported together, before anything is written."""
    pack = load_pack(path)
    results = _load_all([e.path for e in pack.entries], jobs)
    problems, parts = [], []
    for n, (entry, result) in enumerate(zip(pack.entries, results, strict=True), start=1):
        if isinstance(result, str):
            problems.append(Diagnostic("pack-essay-failed", f"essay {display_path(entry.path)} does not build: "
                                       f"{result}; fix the essay or leave it out of the pack", path, entry.line))
            continue
        parts.append(Part(doc=result, prefix=f"e{n}-", short_title=entry.short_title, printed=entry.pages))
    if problems:
        raise SourceProblems(problems)
    warnings = list(pack.warnings)
    for part in parts:
        warnings += part.doc.warnings  # each names its own essay's file
        if not part.doc.metadata.rights:
            warnings.append(Diagnostic(
                "pack-rights-missing", f"essay {display_path(part.doc.source_path)} has no 'rights' line; the "
                "permissions page says so; add 'rights: …' to its front matter", path,
                next(e.line for e in pack.entries if e.path == part.doc.source_path)))
    return _collection(pack, parts, warnings)


def _collection(pack: Pack, parts: list[Part], warnings: list[Diagnostic]) -> Collection:
    cover = None
    if pack.cover is not None:
        cover = Asset(f"cover{pack.cover.suffix.lower()}", pack.cover, _COVER_TYPES[pack.cover.suffix.lower()])
    identifier = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "essaybook-pack:" + "|".join(
        [pack.title, *pack.editors, *(p.doc.metadata.identifier for p in parts)])))
    notes_title = pack.notes.title or label(pack.lang, "notes")
    return Collection(title=pack.title, subtitle=pack.subtitle, editors=pack.editors, course=pack.course,
                      date=pack.date, lang=pack.lang, rights=pack.rights, identifier=identifier, cover=cover,
                      notes=dataclasses.replace(pack.notes, title=notes_title), parts=tuple(parts),
                      source_path=pack.path, folder=pack.root, paper=pack.paper,
                      paragraph_numbers=pack.paragraph_numbers, warnings=warnings)


def _load_all(paths: list[Path], jobs: int | None) -> list[Document | str]:
    jobs = min(jobs or os.cpu_count() or 1, len(paths))
    if jobs <= 1:
        return [_load_one(p, portable=False) for p in paths]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return [_restore(r) for r in pool.map(_load_one, paths, [True] * len(paths))]


def _load_one(path: Path, portable: bool) -> Document | str | dict:
    """One essay parsed, or the one-line reason it cannot be. lxml elements do not pickle, so a document
    leaving a worker process travels with its elements as XML bytes."""
    try:
        doc = build.load(path)
    except EssaybookError as exc:
        return str(exc).replace("\n", "; ")
    if not portable:
        return doc
    fields = {}
    for f in dataclasses.fields(doc):
        value = getattr(doc, f.name)
        if isinstance(value, etree._Element):
            fields[f.name] = etree.tostring(value)
        elif isinstance(value, tuple) and value and all(isinstance(v, etree._Element) for v in value):
            fields[f.name] = tuple(etree.tostring(v) for v in value)
    return {"doc": dataclasses.replace(doc, **dict.fromkeys(fields)), "elements": fields}


def _restore(result: Document | str | dict) -> Document | str:
    if not isinstance(result, dict):
        return result
    elements = {name: tuple(etree.fromstring(v) for v in value) if isinstance(value, tuple)
                else etree.fromstring(value) for name, value in result["elements"].items()}
    return dataclasses.replace(result["doc"], **elements)


# --- the one page ---------------------------------------------------------------------------------------------


def pack_page(book: Collection, *, paragraph_numbers: bool, modified: str | None, for_print: bool
              ) -> etree._ElementTree:
    """Title page, (printed) contents, each essay's sections, the pack's Notes section and the permissions
    page, as one XHTML page."""
    lang = book.lang
    html = etree.Element(x("html"), nsmap={None: XHTML_NS, "epub": EPUB_NS})
    html.set("lang", lang)
    html.set(f"{{{XML_NS}}}lang", lang)
    head = etree.SubElement(html, x("head"))
    etree.SubElement(head, x("meta"), charset="utf-8")
    etree.SubElement(head, x("title")).text = book.full_title
    for name, content in {"author": ", ".join(book.editors), "dcterms.created": modified or "",
                          "dcterms.modified": modified or ""}.items():
        if content:
            etree.SubElement(head, x("meta"), name=name, content=content)
    body = etree.SubElement(html, x("body"))
    body.append(_title_page(book))
    parts = [p for p in book.parts if p.printed or not for_print]
    if for_print:
        body.append(_printed_contents(book, parts))
    for part in parts:
        for section in essay_sections(part, paragraph_numbers=paragraph_numbers, modified=modified):
            body.append(section)
    body.append(_pack_notes(book))
    body.append(_permissions(book))
    return etree.ElementTree(html)


def essay_sections(part: Part, *, paragraph_numbers: bool, modified: str | None) -> list[etree._Element]:
    """The essay's own page, as alone, with every id and in-page link prefixed and its images under
    ``e<n>/``; its Notes section only when it has a lead or prompts of its own."""
    doc, prefix = part.doc, part.prefix
    page = render_page(doc, paragraph_numbers=paragraph_numbers, modified=modified)
    folder = prefix.rstrip("-") + "/"
    assets = {a.href for a in doc.assets}
    for el in page.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in _ID_ATTRS:
            if el.get(attr):
                el.set(attr, " ".join(prefix + v for v in el.get(attr).split()))
        href = el.get("href")
        if href and href.startswith("#") and len(href) > 1:
            el.set("href", "#" + prefix + href[1:])
        if el.tag == x("img") and el.get("src") in assets:
            el.set("src", folder + el.get("src"))
    sections = list(page.getroot().find(x("body")))
    essay, notes = sections[0], sections[1]
    meta = doc.metadata
    for section in sections:  # an essay in its own language and direction, as alone (a right-to-left one in a
        section.set("lang", meta.lang)  # left-to-right pack keeps the pack's pages and binding, its text its own)
        section.set(f"{{{XML_NS}}}lang", meta.lang)
        section.set("dir", direction(meta.lang, meta.dir))
    essay.set("class", "essay pack-essay")
    header = essay.find(x("header"))
    header.set("data-running-title", part.short_title or meta.title)
    header.set("data-running-author", running_names(meta.authors, meta.lang))
    if doc.notes_lead is None and not doc.notes_prompts:
        return [essay]
    notes.set("class", "reader-notes essay-prompts")
    return [essay, notes]


def part_assets(part: Part) -> tuple[Asset, ...]:
    """The essay's images as the pack's page names them (``e2/images/map.svg``)."""
    folder = part.prefix.rstrip("-") + "/"
    return tuple(dataclasses.replace(a, href=folder + a.href) for a in part.doc.assets)


def _title_page(book: Collection) -> etree._Element:
    section = etree.Element(x("section"), {"id": "titlepage", "class": "pack-title-page",
                                           EPUB_TYPE: "frontmatter titlepage", "aria-labelledby": "pack-title"})
    etree.SubElement(section, x("h1"), id="pack-title").text = book.title
    lines = [("subtitle", book.subtitle),
             ("editors", label(book.lang, "edited_by", names=join_names(book.editors, book.lang))
              if book.editors else None),
             ("course", book.course), ("date", human_date(book.date, book.lang) if book.date else None)]
    for n, (cls, text) in enumerate(((c, t) for c, t in lines if t), start=1):
        etree.SubElement(section, x("p"), {"class": cls, "id": f"tp{n}"}).text = _typeset(text)
    return section


def _printed_contents(book: Collection, parts: list[Part]) -> etree._Element:
    """The handout's contents page; its numbers are ``target-counter`` values of the links (print.css)."""
    section = etree.Element(x("section"), {"id": "contents", "class": "pack-contents", "role": "doc-toc",
                                           "aria-labelledby": "contents-title"})
    etree.SubElement(section, x("h2"), id="contents-title").text = label(book.lang, "contents")
    ol = etree.SubElement(section, x("ol"), id="contents-list")
    for part in parts:
        meta = part.doc.metadata
        li = etree.SubElement(ol, x("li"), lang=meta.lang)
        a = etree.SubElement(li, x("a"), href=f"#{part.prefix}essay")
        a.text = meta.title
        if meta.authors:
            etree.SubElement(li, x("span"), {"class": "toc-authors"}).text = join_names(meta.authors, meta.lang)
    for target, text in (("#notes", book.notes.title), ("#permissions", label(book.lang, "permissions"))):
        a = etree.SubElement(etree.SubElement(ol, x("li"), {"class": "toc-back"}), x("a"), href=target)
        a.text = text
    return section


def _pack_notes(book: Collection) -> etree._Element:
    notes = book.notes
    section = etree.Element(x("section"), {"id": "notes", "class": "reader-notes pack-back",
                                           EPUB_TYPE: "backmatter", "aria-labelledby": "notes-title"})
    etree.SubElement(section, x("h2"), id="notes-title").text = notes.title
    if notes.lead:
        etree.SubElement(section, x("p"), {"class": "lead", "id": "n2"}).text = _typeset(notes.lead)
    if notes.prompts:
        ol = etree.SubElement(section, x("ol"), {"class": "prompts", "id": "n3"})
        for prompt in notes.prompts:
            etree.SubElement(ol, x("li")).text = _typeset(prompt)
    return section


def _permissions(book: Collection) -> etree._Element:
    """Every essay with its authors, source and rights line, as a class's copy permissions need them."""
    lang = book.lang
    section = etree.Element(x("section"), {"id": "permissions", "class": "permissions pack-back",
                                           EPUB_TYPE: "backmatter", "aria-labelledby": "permissions-title"})
    etree.SubElement(section, x("h2"), id="permissions-title").text = label(lang, "permissions")
    for n, part in enumerate(book.parts, start=1):
        meta = part.doc.metadata
        p = etree.SubElement(section, x("p"), {"class": "permission", "id": f"perm{n}"})
        cite = etree.SubElement(p, x("cite"), lang=meta.lang)
        cite.text = meta.title
        said = [join_names(meta.authors, meta.lang)] if meta.authors else []
        if meta.date:
            said.append(human_date(meta.date, meta.lang))
        cite.tail = (", " + ", ".join(said) if said else "") + ". "
        if meta.source_url:
            source = etree.SubElement(p, x("span"), {"class": "permission-source"})
            source.text = label(lang, "published_before")
            a = etree.SubElement(source, x("a"), href=meta.source_url)
            a.text = meta.source_url.split("://", 1)[1].rstrip("/")
            a.tail = (label(lang, "published_after") or ".") + " "
        rights = etree.SubElement(p, x("span"), {"class": "rights" if meta.rights else "rights missing"})
        rights.text = _typeset(meta.rights) if meta.rights else label(lang, "no_rights")
    if book.rights:
        etree.SubElement(section, x("p"), {"class": "pack-rights", "id": "perm-pack"}).text = _typeset(book.rights)
    return section


def _typeset(text: str) -> str:
    """Plain text from a pack file or a rights line, with the typewriter apostrophes in words made typographic
    (the essay's own text goes through its Markdown's smart quotes)."""
    return _APOSTROPHE.sub("\u2019", text)


# --- the handout ----------------------------------------------------------------------------------------------


def render_pack_handout(book: Collection, *, paper: str, paragraph_numbers: bool, modified: str | None,
                        extra_ruled_pages: int = 0, duplex: bool = False) -> pdf.Handout:
    """ONE layout of the whole pack, with pdf.py's print moves and its repair of notes pushed off their page."""
    pdf.require_faces()
    size = pdf.PAPERS[paper]
    parts, css, assets, generated = print_setup(book, paper, duplex)
    fetcher = pdf.confined_fetcher(pdf.BASE_URL, assets, generated)
    content = book.folder / "content"

    def printed_pack(forced: list[str]) -> etree._ElementTree:
        page = pack_page(book, paragraph_numbers=paragraph_numbers, modified=modified, for_print=True)
        _prepare_pack_print(page, book, parts, size, forced, extra_ruled_pages)
        return page

    document, _, warnings = pdf.lay_out_keeping_notes(printed_pack, css, fetcher, pdf.pseudo_scopes(content),
                                                       content, book.source_path)
    return pdf.Handout(document, warnings, book.source_path)


def print_setup(book: Collection, paper: str, duplex: bool):
    """What every layout of the pack's handout uses: the printed parts, the CSS, the images and QR codes."""
    parts = [p for p in book.parts if p.printed]
    assets = tuple(a for p in parts for a in part_assets(p))
    generated = {QR_URL.format(prefix=p.prefix): (pdf._qr_svg(p.doc.metadata.source_url), "image/svg+xml")
                 for p in parts if p.doc.metadata.source_url}
    css = pdf.read_css(pdf.PRINT_SHEETS, book.folder / "content") + pdf.paper_css(pdf.PAPERS[paper])
    if duplex:
        css += "\n.pack-essay { break-before: right; }\n"
    return parts, css, assets, generated


def stitched_pack_handout(book: Collection, *, paper: str, paragraph_numbers: bool, modified: str | None,
                          jobs: int):
    """The handout laid out part by part in ``jobs`` processes and stitched (pack_stitch.py)."""
    from essaybook.pack_stitch import stitched_handout

    pdf.require_faces()
    parts, css, assets, generated = print_setup(book, paper, False)
    page = pack_page(book, paragraph_numbers=paragraph_numbers, modified=modified, for_print=True)
    _prepare_pack_print(page, book, parts, pdf.PAPERS[paper], [], 0)
    try:
        return stitched_handout(book, page, css=css, paper=paper, assets=assets, generated=generated, jobs=jobs)
    except Exception as exc:  # from a worker's layout, as it was raised there
        problem = pdf.stylesheet_failure(exc, book.folder / "content", book.source_path)
        if problem is None:
            raise
        raise problem from exc


def _prepare_pack_print(page: etree._ElementTree, book: Collection, parts: list[Part], size: pdf.Paper,
                        forced: list[str], extra_ruled_pages: int) -> None:
    by_id = {el.get("id"): el for el in page.iter() if el.get("id")}
    pdf.prepare_text(page, size, [(by_id[f"{p.prefix}essay"], p.doc.metadata.lang) for p in parts], forced)
    for part in parts:
        meta = part.doc.metadata
        if meta.source_url:
            header = by_id[f"{part.prefix}essay"].find(x("header"))
            etree.SubElement(header, x("img"), {"class": "qr", "src": QR_URL.format(prefix=part.prefix),
                                                "alt": label(meta.lang, "qr_alt", url=meta.source_url)})
            etree.SubElement(header, x("p"), {"class": "qr-note"}).text = label(meta.lang, "qr_note")
    pdf._add_ruled_lines(page, book.notes.lines, size, len(book.notes.prompts), extra_ruled_pages)


# --- building -------------------------------------------------------------------------------------------------


def build_pack(path: Path, targets: dict[str, Path], options: build.Options, jobs: int | None = None,
               raise_errors: bool = False) -> build.Outcome:
    """Build a pack's ``targets`` (``{"epub": path, "pdf": path}``). A pack is always rebuilt (its inputs are
    many files); nothing is written unless every essay loads."""
    try:
        book = load_collection(path, jobs)
        written = make_pack_outputs(book, targets, options, jobs)
    except EssaybookError as exc:
        if raise_errors:
            raise
        return build.Outcome(path, error=str(exc), exit_code=exc.exit_code)
    return build.Outcome(path, tuple(written), tuple(str(w) for w in book.warnings))


def make_pack_outputs(book: Collection, targets: dict[str, Path], options: build.Options, jobs: int | None = None
                      ) -> list[build.Written]:
    """Lay out, package and write. With two or more jobs (and neither --duplex nor a booklet) the handout is laid
    out essay by essay in parallel and stitched; else in one layout. Both give the same pages."""
    stamp = _build_date(book)
    modified = stamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    paper = options.paper or book.paper or "a4"
    numbers = book.paragraph_numbers if options.paragraph_numbers is None else options.paragraph_numbers
    written: list[build.Written] = []

    def render(extra: int = 0, page_paper: str = paper) -> pdf.Handout:
        return render_pack_handout(book, paper=page_paper, paragraph_numbers=numbers, modified=modified,
                                   extra_ruled_pages=extra, duplex=options.duplex)

    handout = None
    breaks: list | None = None
    outputs: list[tuple[Path, bytes | pdf.Handout, str | None]] = []
    jobs = min(jobs or os.cpu_count() or 1, sum(p.printed for p in book.parts) + 2)
    wants_layout = "pdf" in targets or ("epub" in targets and options.page_list)
    if wants_layout and jobs >= 2 and not options.imposition and not options.duplex:
        stitched = stitched_pack_handout(book, paper=paper, paragraph_numbers=numbers, modified=modified,
                                         jobs=jobs)
        book.warnings.extend(w for w in stitched.warnings if w not in book.warnings)
        breaks = stitched.breaks
        if "pdf" in targets:
            outputs.append((targets["pdf"], stitched.pdf, None))
    elif "pdf" in targets and options.imposition:
        from essaybook.impose import imposed_handout

        data, note, warnings = imposed_handout(render, *options.imposition, title=book.full_title,
                                               author=", ".join(book.editors), lang=book.lang)
        book.warnings.extend(warnings)
        outputs.append((targets["pdf"], data, note))
    elif "pdf" in targets:
        handout = render()
        outputs.append((targets["pdf"], handout, None))
    epub_bytes = None
    if "epub" in targets:
        if handout is None and breaks is None and options.page_list:
            handout = render()
        if handout is not None:
            from essaybook.pagination import page_breaks

            breaks = page_breaks(handout, first="titlepage")
        epub_bytes = _epub_bytes(book, stamp, modified, numbers, breaks or [],
                                 build.handout_edition(paper) if breaks else None)
    # Everything is laid out and packaged in memory first: a failure above leaves every output untouched.
    if epub_bytes is not None:
        written.append(build.atomic_write(targets["epub"], lambda f: f.write(epub_bytes)))
    for out, data, note in outputs:
        if isinstance(data, bytes):
            w = build.atomic_write(out, lambda f, data=data: f.write(data))
        else:
            w = build.atomic_write(out, lambda f, data=data: pdf.write_handout(data, f))
        written.append(dataclasses.replace(w, note=note))
    if handout is not None:  # the layout's warnings and the write's (the tagging speaks while it writes)
        book.warnings.extend(w for w in handout.warnings if w not in book.warnings)
    return written


def _epub_bytes(book: Collection, stamp: dt.datetime, modified: str, numbers: bool, breaks: list,
                source: str | None) -> bytes:
    import io

    from essaybook.cover import make_cover
    from essaybook.epub import write_collection_epub
    from essaybook.styles import read_css

    page = pack_page(book, paragraph_numbers=numbers, modified=modified, for_print=False)
    css = read_css(("base.css", "epub.css"), book.folder / "content") + _EPUB_CSS
    cover = None if book.cover else make_cover(Metadata(title=book.title, subtitle=book.subtitle,
                                                        authors=book.editors))
    breaks = epub_page_breaks(breaks, page)
    buffer = io.BytesIO()
    write_collection_epub(book, page, css=css, out=buffer, modified=stamp, cover_png=cover, page_list=breaks,
                          page_source=source)
    return buffer.getvalue()


def epub_page_breaks(breaks: list, page: etree._ElementTree) -> list:
    """The handout's page breaks as the e-book can place them: the printed contents page is the EPUB's nav,
    so its page begins after the title page's last line."""
    from essaybook.model import PageBreak

    in_epub = {el.get("id") for el in page.iter() if el.get("id")}
    title_page = page.getroot().find(x("body"))[0]
    last = title_page[-1].get("id")
    fixed = []
    for br in breaks:
        if br.block not in in_epub:
            br = PageBreak(br.number, last, after=True)
        fixed.append(br)
    return fixed


def _build_date(book: Collection) -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    if book.date:
        parts = [int(p) for p in book.date.split("-")] + [1, 1]
        return dt.datetime(parts[0], parts[1], parts[2], tzinfo=dt.UTC)
    return max(build.build_date(p.doc) for p in book.parts)
