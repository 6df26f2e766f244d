"""The pipeline's spine, read top to bottom as the data flows (MkDocs' ``build()`` in spirit):

    source -> metadata -> document -> page -> EPUB and/or PDF, each written atomically.

This module decides nothing about markup or packaging; it orders the steps, chooses the build date, and
makes sure a failed build leaves the previous output exactly as it was.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import errno
import functools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from essaybook import cache
from essaybook.errors import EssaybookError, OutputError, display_path
from essaybook.source import find_essays, load_source, resolve_source, slug_for

# What each output is stamped with, the key its handout's layout is remembered under, the parsed essay's key.
Stamps = tuple[dict[str, str | None], str | None, str | None]

if TYPE_CHECKING:  # the parse side is imported only once a process is forked to lay out meanwhile
    from essaybook.layout_process import WarmProcess
    from essaybook.model import Document, PageBreak, PrintInputs
    from essaybook.rules import Diagnostic

FORMATS = ("epub", "pdf")
_TMP_SUFFIX = ".essaybook-tmp"


@dataclass(frozen=True)
class Options:
    paper: str | None = None  # None: the essay's front matter decides (else A4)
    paragraph_numbers: bool | None = None  # None: the essay's front matter decides (else on)
    page_list: bool = True
    booklet: str | None = None  # a sheet in impose.SHEETS: the PDF is imposed for saddle stitching
    two_up: str | None = None  # a sheet in impose.SHEETS: the PDF is imposed two pages to a side, in order
    duplex: bool = False  # a course pack's essays start on right-hand pages

    @property
    def imposition(self) -> tuple[str, str] | None:
        """(mode, sheet) when the PDF is to be imposed, else None."""
        if self.booklet:
            return "booklet", self.booklet
        if self.two_up:
            return "two-up", self.two_up
        return None


@dataclass(frozen=True)
class Written:
    path: Path
    size: int
    reused: bool = False
    note: str | None = None  # what to tell the person (a booklet's printing instructions), on stderr


@dataclass(frozen=True)
class Outcome:
    """What building one essay gave: files written (or reused), warnings, or the error that stopped it.

    Plain data (strings and paths), so it crosses from a worker process unchanged."""

    source: Path
    written: tuple[Written, ...] = ()
    warnings: tuple[str, ...] = ()
    error: str | None = None
    exit_code: int = 0


def build_essay(path: Path, targets: dict[str, Path], options: Options, force: bool = False,
                raise_errors: bool = False, layout_process: WarmProcess | None = None,
                stamps: Stamps | None = None) -> Outcome:
    """Build one essay's ``targets`` (``{"epub": path, "pdf": path}``), reusing outputs whose inputs are
    unchanged since they were made (unless ``force``). Errors a person can fix come back as an ``Outcome``.
    ``stamps``: the essay's ``_stamps``, when this command has just read them (``start_layout_process``)."""
    prints, layout_key, document_key = stamps or _stamps(path, targets, options)
    if not force and _unchanged(targets, prints):
        return Outcome(path, tuple(Written(out, out.stat().st_size, reused=True) for out in targets.values()))
    try:
        doc = cache.recall_document(document_key)
        if doc is None:
            doc = load(path)
            cache.remember_document(document_key, doc)
        written = make_outputs(doc, targets, options, layout_key=layout_key, layout_process=layout_process)
    except EssaybookError as exc:
        if raise_errors:
            raise
        return Outcome(path, warnings=tuple(str(w) for w in getattr(exc, "warnings", ())), error=str(exc),
                       exit_code=exc.exit_code)
    for fmt, out in targets.items():
        cache.record(out, prints[fmt])
    return Outcome(path, tuple(written), tuple(str(w) for w in doc.warnings))


def build_all(paths: list[Path], formats: tuple[str, ...], *, out_dir: Path, output: Path | None,
              options: Options, force: bool = False, jobs: int | None = None,
              raise_errors: bool = False, layout_process: WarmProcess | None = None,
              stamps: Stamps | None = None) -> Iterator[Outcome]:
    """Build every essay, in parallel processes when there are several (each is independent), yielding
    outcomes as they finish. ``layout_process`` and ``stamps`` (from ``start_layout_process``) are a lone
    essay's."""
    from essaybook.source import is_pack

    targets = _targets_for(formats, out_dir, output, options)

    packs = [p for p in paths if is_pack(p)]
    paths = [p for p in paths if not is_pack(p)]
    yield from _build_essays(paths, targets, options, force, jobs, raise_errors, layout_process, stamps)
    if packs:  # each pack parses its essays in parallel itself
        from essaybook.pack_build import build_pack

        for path in packs:
            yield build_pack(path, targets(path), options, jobs, raise_errors)


def _targets_for(formats: tuple[str, ...], out_dir: Path, output: Path | None, options: Options
                 ) -> Callable[[Path], dict[str, Path]]:
    suffix = {"booklet": "-booklet", "two-up": "-2up"}[options.imposition[0]] if options.imposition else ""

    def targets(path: Path) -> dict[str, Path]:
        return {fmt: output or out_dir / f"{slug_for(path)}{suffix if fmt == 'pdf' else ''}.{fmt}"
                for fmt in formats}

    return targets


def _build_essays(paths: list[Path], targets, options: Options, force: bool, jobs: int | None,
                  raise_errors: bool, layout_process: WarmProcess | None, stamps: Stamps | None
                  ) -> Iterator[Outcome]:
    if not paths:
        return
    if len(paths) == 1:
        yield build_essay(paths[0], targets(paths[0]), options, force, raise_errors, layout_process, stamps)
        return
    jobs = min(jobs or os.cpu_count() or 1, len(paths))
    if jobs <= 1:
        for path in paths:
            yield build_essay(path, targets(path), options, force, raise_errors)
        return
    from concurrent.futures import ProcessPoolExecutor, as_completed

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(build_essay, p, targets(p), options, force) for p in paths]
        for future in as_completed(futures):
            yield future.result()


def start_layout_process(paths: list[Path], formats: tuple[str, ...], *, out_dir: Path, output: Path | None,
                         options: Options, force: bool = False, jobs: int | None = None
                         ) -> tuple[WarmProcess | None, Stamps | None]:
    """A process that loads WeasyPrint while this one parses, for a lone essay whose handout will be laid
    out; None where it cannot help: nothing to lay out (outputs unchanged, an EPUB whose layout is
    remembered), several essays (they already run in parallel), one job asked for, a booklet (laid out
    several times), one core. Start it before any thread does (the CLI's spinner). With it, the lone essay's
    stamps, read to decide (for ``build_all``: hashing the essay's folder again would cost as much)."""
    from essaybook.source import is_pack

    if len(paths) != 1 or is_pack(paths[0]) or jobs == 1 or options.imposition:
        return None, None
    targets = _targets_for(formats, out_dir, output, options)(paths[0])
    stamps = _stamps(paths[0], targets, options)
    prints, layout_key, _ = stamps
    if not force and _unchanged(targets, prints):
        return None, stamps
    if "pdf" not in targets and (not options.page_list or cache.recall_layout(layout_key) is not None):
        return None, stamps
    from essaybook import layout_process

    if not layout_process.available():  # not Linux, or one core
        return None, stamps
    try:
        return layout_process.WarmProcess(functools.partial(_warm_up, paths[0])), stamps
    except OSError:  # no process to be had (a limit on processes, no memory): lay out here, as with --jobs 1
        return None, stamps


def _warm_up(path: Path) -> None:
    """What the layout process loads before the page arrives: WeasyPrint, essaybook's print side, the scoped
    user-agent sheet (40 ms of parsing, kept for the layout if the project has no print sheets), fontconfig's
    answers and the hyphenation patterns of the essay's language (read from its front matter). The page comes
    when this process's parse is done, and the parse is the longer: what is asked here costs the build nothing
    (80 ms it used to spend before sending the page, on pandoc's manual)."""
    from essaybook import fonts, hyphenation, pagination, pdf  # noqa: F401
    from essaybook.metadata import parse_metadata
    from essaybook.weasy import scoped_user_agent_sheet, weasyprint  # noqa: F401

    scoped_user_agent_sheet(*pdf.PSEUDO_SCOPES)
    fonts.ask_ahead()
    hyphenation.load([parse_metadata(load_source(path)).lang])


def essays_in(source: Path | None, content_dir: Path = Path("content")) -> list[Path]:
    """The essays a command works on: the one SOURCE names (an essay or a pack file), or every essay under
    ``content/`` and every pack under ``packs/``."""
    from essaybook.source import find_packs, is_pack

    if source is not None:
        return [source] if is_pack(source) and source.is_file() else [resolve_source(source)]
    return find_essays(content_dir) + find_packs(content_dir.parent / "packs")


def load(path: Path) -> Document:
    """Read, validate and parse one essay: the work both formats share, done once. Every error the parse
    found is refused together, one line each; its warnings travel with the document."""
    from essaybook.errors import SourceProblems
    from essaybook.metadata import parse_metadata
    from essaybook.parse import parse_document
    from essaybook.rules import CHECK_ONLY, ERROR

    source = load_source(path)
    meta = parse_metadata(source)
    doc = parse_document(source, meta)
    found = [d for d in [*meta.warnings, *doc.warnings] if d.rule not in CHECK_ONLY]
    errors = [d for d in found if d.severity == ERROR]
    if errors:
        raise SourceProblems(errors, [d for d in found if d.severity != ERROR])
    doc.warnings[:] = found
    return doc


def build_date(doc: Document) -> dt.datetime:
    """The date stamped into the outputs: never the clock, so an unchanged essay rebuilds to the same bytes.

    ``SOURCE_DATE_EPOCH`` wins (the reproducible-builds convention); else the essay's own ``date``; else the
    newest modification time among its inputs.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    if doc.metadata.date:
        parts = [int(p) for p in doc.metadata.date.split("-")] + [1, 1]
        return dt.datetime(parts[0], parts[1], parts[2], tzinfo=dt.UTC)
    inputs = [doc.source_path, *(a.path for a in doc.assets)] + ([doc.cover.path] if doc.cover else [])
    newest = max(int(p.stat().st_mtime) for p in inputs)
    return dt.datetime.fromtimestamp(newest, tz=dt.UTC)


def paragraph_numbers(doc: Document, options: Options) -> bool:
    return doc.metadata.paragraph_numbers if options.paragraph_numbers is None else options.paragraph_numbers


def make_outputs(doc: Document, targets: dict[str, Path], options: Options, layout_key: str | None = None,
                 layout_process: WarmProcess | None = None) -> list[Written]:
    """Write the formats in ``targets`` (``{"epub": path, "pdf": path}``) from one parsed essay.

    The page is rendered once; the PDF renderer lays out a copy of it, the EPUB packager takes the page
    itself. The handout is laid out at most once: the PDF is written from that layout and the EPUB's page
    list (where each handout page begins) is read from the same one, or, for an EPUB alone, from the page
    breaks remembered (under ``layout_key``) when the same essay, styles and options were laid out before.
    """
    from essaybook.model import PageBreak
    from essaybook.rules import Diagnostic
    from essaybook.xhtml import render_page

    stamp = build_date(doc)
    paper = options.paper or doc.metadata.paper
    page = render_page(doc, paragraph_numbers=paragraph_numbers(doc, options), modified=_w3c(stamp))
    imposed: list[Written] = []
    if options.imposition:
        layout_process = None  # laid out here, several times
    if "pdf" in targets and options.imposition:  # a booklet or 2-up sheets instead of the handout
        from essaybook import pdf
        from essaybook.impose import imposed_handout

        def render(extra: int, paper: str) -> pdf.Handout:
            return pdf.render_handout(page, doc, paper=paper, extra_ruled_pages=extra)

        data, note, warnings = imposed_handout(render, *options.imposition, title=doc.metadata.full_title,
                                               author=", ".join(doc.metadata.authors), lang=doc.metadata.lang)
        doc.warnings.extend(w for w in warnings if w not in doc.warnings)
        imposed.append(replace(atomic_write(targets["pdf"], lambda f: f.write(data)), note=note))
        targets = {k: v for k, v in targets.items() if k != "pdf"}
    breaks = None
    if "epub" in targets and options.page_list and "pdf" not in targets:
        remembered = cache.recall_layout(layout_key)
        breaks = [PageBreak(**b) for b in remembered] if remembered is not None else None
    written: list[Written] = []
    cover = None
    if "pdf" in targets or ("epub" in targets and options.page_list and breaks is None):
        # The slow PDF is written first: a build killed during it leaves the old EPUB too.
        args = (page, doc.print_inputs, paper, targets.get("pdf"))
        if layout_process is not None:
            from essaybook.xhtml import serialize

            layout_process.send(lay_out_handout, serialize(page), *args[1:])
            try:
                if "epub" in targets:  # drawn (and the packager loaded) while the other process lays out
                    cover = _cover(doc)
                    import essaybook.epub  # noqa: F401
            except Exception:  # as in one process, the PDF (or its own error) comes first
                layout_process.receive()
                raise
            laid_out = layout_process.receive()
        else:
            laid_out = lay_out_handout(*args)
        doc.warnings.extend(w for w in laid_out.warnings if w not in doc.warnings)
        written += laid_out.written
        breaks = laid_out.breaks
        if breaks is None:
            doc.warnings.append(Diagnostic("page-list-unavailable", "this WeasyPrint's layout could not be read, "
                                           "so the EPUB has no page list matching the handout", doc.source_path))
        else:
            cache.remember_layout(layout_key, [dataclasses.asdict(b) for b in breaks])
    if "epub" in targets:
        written.insert(0, _make_epub(doc, page, targets["epub"], stamp, breaks or [], handout_edition(paper),
                                     cover if cover is not None else _cover(doc)))
    return imposed + written


@dataclass(frozen=True)
class LaidOut:
    """A handout laid out (and its PDF written, if one was asked for), as plain data."""

    breaks: list[PageBreak] | None
    warnings: list[Diagnostic]
    written: tuple[Written, ...] = ()


def lay_out_handout(page, inputs: PrintInputs, paper: str, pdf_target: Path | None) -> LaidOut:
    """One layout of the handout: the PDF written from it when ``pdf_target`` is given, and the page breaks
    the EPUB's page list needs. ``page`` is the rendered page, or its serialized bytes (in a layout process)."""
    from essaybook import pdf
    from essaybook.pagination import page_breaks

    if isinstance(page, bytes):
        from lxml import etree

        page = etree.ElementTree(etree.fromstring(page))
    from essaybook.weasy import at_work

    with at_work():  # one stretch: the collector back on between layout and write would walk all of it once
        handout = pdf.render_handout(page, inputs, paper=paper)
        breaks = page_breaks(handout)
        written = (atomic_write(pdf_target, lambda f: pdf.write_handout(handout, f)),) if pdf_target else ()
        return LaidOut(breaks, handout.warnings, written)


def _cover(doc: Document) -> tuple[bytes | None, list[Diagnostic]]:
    """The generated cover (None when the essay brings its own) and what it cannot draw."""
    if doc.cover is not None:
        return None, []
    from essaybook.fonts import glyph_diagnostics

    m = doc.metadata
    # Drawing a cover, and asking fontconfig what it cannot draw, cost a tenth of an EPUB build or more: the
    # same texts with the same fonts give the same PNG and the same missing characters.
    key = cache.cover_key(m.title, m.subtitle, m.authors, m.lang, m.dir)
    png, missing = cache.recall_bytes("covers", key), cache.recall_json("cover-glyphs", key)
    if png is None or not isinstance(missing, list):
        from essaybook.cover import drawn_text, make_cover
        from essaybook.fonts import missing_characters

        png = make_cover(m)
        # The cover falls back through fontconfig as the handout does: what no installed font has is a box.
        missing = missing_characters(drawn_text(m))
        cache.remember_bytes("covers", key, png)
        cache.remember_json("cover-glyphs", key, missing)
    return png, glyph_diagnostics(missing, doc.source_parts, doc.source_path, where="on the cover")


def _make_epub(doc: Document, page, out: Path, stamp: dt.datetime, breaks: list[PageBreak], edition: str,
               cover: tuple[bytes | None, list[Diagnostic]]) -> Written:
    from essaybook.epub import write_epub
    from essaybook.styles import read_css

    css = read_css(("base.css", "epub.css"), doc.folder)
    png, warnings = cover
    doc.warnings.extend(w for w in warnings if w not in doc.warnings)
    return atomic_write(out, lambda f: write_epub(doc, page, css=css, out=f, modified=stamp, cover_png=png,
                                                   page_list=breaks, page_source=edition if breaks else None))


def handout_edition(paper: str) -> str:
    """How the EPUB names the print edition its page numbers come from."""
    return f"essaybook print handout, {paper.upper() if paper != 'letter' else 'US Letter'}"


def _w3c(stamp: dt.datetime) -> str:
    return stamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _unchanged(targets: dict[str, Path], prints: dict[str, str | None]) -> bool:
    """Whether every output is still what its inputs make (``_stamps``)."""
    return all(cache.is_fresh(out, prints[fmt]) for fmt, out in targets.items())


def _stamps(path: Path, targets: dict[str, Path], options: Options) -> Stamps:
    """The fingerprint each output is stamped with, the key its handout's layout is remembered under, and
    the key of the parsed essay (which holds the path as given, and so belongs to it and to the working
    folder it was given in)."""
    from essaybook.styles import STYLESHEETS, stylesheet_bytes

    folder = path.resolve().parent
    try:
        styles = [stylesheet_bytes(n, folder) for n in STYLESHEETS]
    except OSError:
        styles = []  # unreadable: the build itself will say so, in its own words
    inputs = cache.fingerprint(path, styles)
    return ({fmt: cache.derive(inputs, fmt, options) for fmt in targets},
            cache.derive(inputs, "layout", options.paper, options.paragraph_numbers),
            cache.derive(inputs, "document", str(path), os.getcwd()))


def atomic_write(path: Path, write: Callable[[BinaryIO], None]) -> Written:
    """Write through a temporary file in the same folder and move it into place only when complete.

    A failed, interrupted or killed build therefore leaves the previous output untouched; temporary files a
    killed build left behind are removed by the next build of the same output.
    """
    folder = path.parent
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{display_path(folder)} is not a folder; choose an output path in a folder with -o",
                          path=path)
    if not folder.is_dir():
        raise OutputError(f"output folder {display_path(folder)}/ does not exist; create it or choose another "
                          "with -o", path=path)
    if path.is_dir():
        raise OutputError(f"is a folder; name the output file, e.g. -o {display_path(path / path.name)}",
                          path=path)
    if path.is_symlink() or (path.exists() and not path.is_file()):
        # os.replace would put a regular file in place of a device, a pipe or a link: /dev/null stays itself.
        raise OutputError("is not a regular file, and essaybook only replaces files it wrote; choose another "
                          "output with -o", path=path)
    for stale in folder.glob(f".{path.name}.*{_TMP_SUFFIX}"):
        with contextlib.suppress(OSError):
            stale.unlink()
    tmp = folder / f".{path.name}.{os.getpid()}{_TMP_SUFFIX}"
    try:
        with _translate_os_errors(path), open(tmp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        with _translate_os_errors(path):
            os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return Written(path, path.stat().st_size)


@contextlib.contextmanager
def _translate_os_errors(path: Path) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        where = display_path(path.parent)
        if exc.errno == errno.ENOSPC:
            message = f"the disk is full while writing {path.name}; free some space and build again"
        elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            message = f"cannot write into {where}/ ({exc.strerror}); choose a writable folder with -o"
        elif exc.errno == errno.ENOENT and not path.parent.is_dir():
            message = f"output folder {where}/ does not exist; create it or choose another with -o"
        elif exc.errno == errno.ENOENT:
            message = f"cannot create files in {where}/ ({exc.strerror}); choose another folder with -o"
        else:
            message = f"cannot write {path.name} ({exc.strerror})"
        raise OutputError(message, path=path) from exc
