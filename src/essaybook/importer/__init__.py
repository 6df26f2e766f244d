"""`essaybook import`: web pages, as people save or link them, become essay folders (essay.md + images/).

    fetch.py     the one confined fetcher (http/https, checked addresses, caps, Pillow-checked images)
    read.py      a source (URL, .html + _files/, .mhtml, .txt) -> decoded text and a way to get its images
    extract.py   main content (trafilatura) and metadata (JSON-LD, Open Graph, <meta>, htmldate)
    figures.py   figures, captions and credits, lifted out before extraction
    footnotes.py footnotes in the web's forms, lifted out before extraction
    markdown.py  the extracted tree -> clean Markdown
    text.py      a plain-text capture (the seed's form)
    essay.py     all of it -> front matter + body + images, with a warning per thing not kept
This module writes the folders: each atomically (a temporary folder, then a rename), never over an existing
essay.md without ``force``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from essaybook.errors import display_path
from essaybook.rules import Diagnostic


@dataclass
class Imported:
    """The outcome for one source: the folder written, or the one-line reason it was not."""

    source: str
    folder: Path | None = None
    words: int = 0
    images: int = 0
    warnings: list[Diagnostic] = field(default_factory=list)
    error: str | None = None


def import_sources(sources: list[str], output: Path | None, force: bool = False,
                   content_dir: Path = Path("content"), raise_errors: bool = False) -> Iterator[Imported]:
    """Import each source in turn; one ``Imported`` per source, failures included (the others still go on).

    One source: ``output`` is the essay folder (default content/<slug>). Several: ``output`` is the parent
    folder (default content/), one folder per essay, slugs made unique within the run.
    """
    from essaybook.importer.essay import ImportFailed, make_essay
    from essaybook.importer.read import ReadError, open_source

    taken: set[str] = set()
    for source in sources:
        try:
            page = open_source(source)
            essay = make_essay(page, source)
            if output is not None and len(sources) == 1:
                folder = output
            else:
                parent = output if output is not None else content_dir
                slug = essay.slug
                n = 2
                while slug in taken:
                    slug = f"{essay.slug}-{n}"
                    n += 1
                taken.add(slug)
                folder = parent / slug
            write_folder(folder, essay.markdown(), essay.images, force)
            yield Imported(source, folder, essay.words, len(essay.images), essay.warnings)
        except (ReadError, ImportFailed, FolderExists, OSError) as exc:
            message = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            yield Imported(source, error=f"{source}: {message}")
        except Exception as exc:  # one page's surprise must not cost the others their essays
            if raise_errors:
                raise
            yield Imported(source, error=f"{source}: internal error ({type(exc).__name__}: {exc}); rerun with "
                                         "--debug and report it")


class FolderExists(Exception):
    pass


def write_folder(folder: Path, markdown: str, images: dict[str, bytes], force: bool) -> None:
    """Write essay.md and images/ into ``folder`` all at once: a temporary folder beside it, then renames.

    An existing essay.md is replaced only with ``force``; other files in the folder are left as they are.
    """
    if (folder / "essay.md").exists() and not force:
        raise FolderExists(f"{display_path(folder / 'essay.md')} exists; pass --force to replace it")
    if folder.exists() and not folder.is_dir():
        raise FolderExists(f"{display_path(folder)} is not a folder; choose another with -o")
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".import-tmp", dir=folder.parent))
    try:
        (tmp / "essay.md").write_text(markdown, encoding="utf-8")
        if images:
            (tmp / "images").mkdir()
            for name, data in images.items():
                (tmp / "images" / name).write_bytes(data)
        if not folder.exists():
            os.rename(tmp, folder)
            return
        # The folder is there (a re-import with --force, or an empty folder): swap in what was made.
        old_images = folder / "images"
        if images:
            aside = folder / ".images.old-import"
            if old_images.exists():
                shutil.rmtree(aside, ignore_errors=True)
                os.rename(old_images, aside)
            os.rename(tmp / "images", old_images)
            shutil.rmtree(aside, ignore_errors=True)
        os.replace(tmp / "essay.md", folder / "essay.md")
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(tmp)
