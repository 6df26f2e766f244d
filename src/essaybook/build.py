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
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from essaybook import cache
from essaybook.errors import EssaybookError, OutputError, display_path
from essaybook.model import Document, PageBreak
from essaybook.rules import Diagnostic
from essaybook.source import find_essays, load_source, resolve_source, slug_for

FORMATS = ("epub", "pdf")
_TMP_SUFFIX = ".essaybook-tmp"


@dataclass(frozen=True)
class Options:
    paper: str | None = None  # None: the essay's front matter decides (else A4)
    paragraph_numbers: bool | None = None  # None: the essay's front matter decides (else on)
    page_list: bool = True


@dataclass(frozen=True)
class Written:
    path: Path
    size: int
    reused: bool = False


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
                raise_errors: bool = False) -> Outcome:
    """Build one essay's ``targets`` (``{"epub": path, "pdf": path}``), reusing outputs whose inputs are
    unchanged since they were made (unless ``force``). Errors a person can fix come back as an ``Outcome``."""
    from essaybook.styles import STYLESHEETS, stylesheet_bytes

    folder = path.resolve().parent
    try:
        styles = [stylesheet_bytes(n, folder) for n in STYLESHEETS]
    except OSError:
        styles = []  # unreadable: the build itself will say so, in its own words
    inputs = cache.fingerprint(path, styles)
    prints = {fmt: cache.derive(inputs, fmt, options) for fmt in targets}
    if not force and all(cache.is_fresh(out, prints[fmt]) for fmt, out in targets.items()):
        return Outcome(path, tuple(Written(out, out.stat().st_size, reused=True) for out in targets.values()))
    try:
        doc = load(path)
        written = make_outputs(doc, targets, options,
                               layout_key=cache.derive(inputs, "layout", options.paper, options.paragraph_numbers))
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
              raise_errors: bool = False) -> Iterator[Outcome]:
    """Build every essay, in parallel processes when there are several (each is independent), yielding
    outcomes as they finish."""
    def targets(path: Path) -> dict[str, Path]:
        return {fmt: output or out_dir / f"{slug_for(path)}.{fmt}" for fmt in formats}

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


def essays_in(source: Path | None, content_dir: Path = Path("content")) -> list[Path]:
    """The essays a command works on: the one SOURCE names, or every essay under ``content/``."""
    if source is not None:
        return [resolve_source(source)]
    return find_essays(content_dir)


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


def make_outputs(doc: Document, targets: dict[str, Path], options: Options, layout_key: str | None = None
                 ) -> list[Written]:
    """Write the formats in ``targets`` (``{"epub": path, "pdf": path}``) from one parsed essay.

    The page is rendered once; the PDF renderer lays out a copy of it, the EPUB packager takes the page
    itself. The handout is laid out at most once: the PDF is written from that layout and the EPUB's page
    list (where each handout page begins) is read from the same one, or, for an EPUB alone, from the page
    breaks remembered (under ``layout_key``) when the same essay, styles and options were laid out before.
    """
    from essaybook.xhtml import render_page

    stamp = build_date(doc)
    paper = options.paper or doc.metadata.paper
    page = render_page(doc, paragraph_numbers=paragraph_numbers(doc, options), modified=_w3c(stamp))
    handout, breaks = None, None
    if "epub" in targets and options.page_list and "pdf" not in targets:
        remembered = cache.recall_layout(layout_key)
        breaks = [PageBreak(**b) for b in remembered] if remembered is not None else None
    if "pdf" in targets or ("epub" in targets and options.page_list and breaks is None):
        from essaybook import pdf
        from essaybook.pagination import page_breaks

        handout = pdf.render_handout(page, doc, paper=paper)
        doc.warnings.extend(w for w in handout.warnings if w not in doc.warnings)
        breaks = page_breaks(handout)
        if breaks is None:
            doc.warnings.append(Diagnostic("page-list-unavailable", "this WeasyPrint's layout could not be read, "
                                           "so the EPUB has no page list matching the handout", doc.source_path))
        else:
            cache.remember_layout(layout_key, [dataclasses.asdict(b) for b in breaks])
    written = []
    if "pdf" in targets:  # the slow write first: a build killed during it leaves the old EPUB too
        from essaybook import pdf

        written.append(atomic_write(targets["pdf"], lambda f: pdf.write_handout(handout, f)))
    if "epub" in targets:
        written.insert(0, _make_epub(doc, page, targets["epub"], stamp, breaks or [], handout_edition(paper)))
    return written


def _make_epub(doc: Document, page, out: Path, stamp: dt.datetime, breaks: list[PageBreak], edition: str
               ) -> Written:
    from essaybook.cover import make_cover
    from essaybook.epub import write_epub
    from essaybook.styles import read_css

    css = read_css(("base.css", "epub.css"), doc.folder)
    cover = None
    if doc.cover is None:  # drawing a cover costs a tenth of an EPUB build: the same texts give the same PNG
        m = doc.metadata
        key = cache.cover_key(m.title, m.subtitle, m.authors, m.lang)
        cover = cache.recall_bytes("covers", key)
        if cover is None:
            cover = make_cover(m)
            cache.remember_bytes("covers", key, cover)
    return atomic_write(out, lambda f: write_epub(doc, page, css=css, out=f, modified=stamp, cover_png=cover,
                                                   page_list=breaks, page_source=edition if breaks else None))


def handout_edition(paper: str) -> str:
    """How the EPUB names the print edition its page numbers come from."""
    return f"essaybook print handout, {paper.upper() if paper != 'letter' else 'US Letter'}"


def _w3c(stamp: dt.datetime) -> str:
    return stamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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
