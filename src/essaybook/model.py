"""The one document both packagers consume: the essay parsed once, as XHTML elements plus what they need.

Kept free of behaviour so that ``xhtml``, ``epub`` and ``pdf`` depend on this module and nothing else of the
parsing side (a test walks the imports to keep it that way).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from essaybook.metadata import Metadata, NotesSection
from essaybook.rules import Diagnostic

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
XML_NS = "http://www.w3.org/XML/1998/namespace"
EPUB_TYPE = f"{{{EPUB_NS}}}type"


def x(tag: str) -> str:
    """The Clark name of an XHTML element: ``x("p") == "{http://www.w3.org/1999/xhtml}p"``."""
    return f"{{{XHTML_NS}}}{tag}"


# Elements whose text is kept as the author typed it, or is not text: print moves and direction runs leave them
# whole (never hyphenated, split or wrapped).
AS_WRITTEN = frozenset(x(t) for t in ("code", "pre", "kbd", "samp", "a", "math", "svg"))
HEADINGS = frozenset(x(f"h{n}") for n in range(1, 7))  # the rendered page's headings


@dataclass(frozen=True)
class Heading:
    level: int  # 2..6: the essay's title is the only level 1
    id: str
    text: str


@dataclass(frozen=True)
class PageBreak:
    """Where a page of the print handout begins, as the EPUB can find the same place.

    ``block`` is the id of the top-level block the page starts in; ``probe`` the first words of the page's
    first line (None: the page starts at the block's beginning, or has no text of its own). ``after`` says
    the page begins after ``block`` has ended (a page of ruled lines only).
    """

    number: int
    block: str
    probe: str | None = None
    after: bool = False


@dataclass(frozen=True)
class Asset:
    """A file of the essay's own (an image or the cover), already checked to be inside its folder."""

    href: str  # as the page refers to it: a path relative to the essay's folder, with '/' separators
    path: Path  # the resolved file on disk
    media_type: str
    line: int | None = None


@dataclass
class Document:
    """An essay parsed once: metadata, its body as XHTML elements, and the facts the packagers need."""

    metadata: Metadata
    source_path: Path
    folder: Path
    slug: str
    body: etree._Element  # an XHTML <div> holding the essay's blocks, its footnotes section last
    notes_lead: etree._Element | None  # a <p> holding the Notes section's lead, already parsed
    notes_prompts: tuple[etree._Element, ...]  # a <p> per discussion prompt
    headings: tuple[Heading, ...]
    assets: tuple[Asset, ...]
    cover: Asset | None
    #: What the parse refused, dropped, rewrote or repaired (errors too, until ``build.load`` refuses them).
    warnings: list[Diagnostic] = field(default_factory=list)
    #: The title and subtitle as inline XHTML (a ``<p>`` holding emphasis, code...); ``metadata`` has the text.
    title: etree._Element | None = None
    subtitle: etree._Element | None = None
    # ``(first line, text)`` of the front matter and the body, to find where a character was written
    source_parts: tuple[tuple[int, str], ...] = ()

    @property
    def images(self) -> list[etree._Element]:
        return list(self.body.iter(x("img")))

    @property
    def print_inputs(self) -> PrintInputs:
        return PrintInputs(self.metadata, self.assets, self.folder, self.source_path, self.source_parts)


@dataclass(frozen=True)
class PrintInputs:
    """What the print renderer needs of a Document besides its rendered page: plain data (no elements), so
    it crosses to a layout process (``layout_process``) unchanged."""

    metadata: Metadata
    assets: tuple[Asset, ...]
    folder: Path
    source_path: Path
    source_parts: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class Part:
    """One essay of a book that holds several (a course pack): the essay as parsed alone, and how the book
    places it."""

    doc: Document
    prefix: str  # put before every id of the essay's page ("e2-"), so ids are unique across the book
    short_title: str | None = None  # for running heads
    printed: bool = True  # False: in the e-book only


@dataclass
class Collection:
    """Several essays as one book (a course pack): its own metadata, then its parts in reading order. Each
    essay's front matter stays its own; nothing here is taken from, or written into, an essay."""

    title: str
    subtitle: str | None
    editors: tuple[str, ...]
    course: str | None
    date: str | None
    lang: str
    rights: str | None
    identifier: str
    cover: Asset | None
    notes: NotesSection
    parts: tuple[Part, ...]
    source_path: Path  # the pack file
    folder: Path  # the pack's folder tree (a user's styles/ beside content/ is looked for here)
    paper: str | None = None
    paragraph_numbers: bool = True
    warnings: list[Diagnostic] = field(default_factory=list)

    @property
    def full_title(self) -> str:
        return f"{self.title}: {self.subtitle}" if self.subtitle else self.title
