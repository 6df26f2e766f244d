"""pydyf, the PDF writer under WeasyPrint, made to write the same PDF in less time and memory.

Four costs of pydyf 0.13's, each measured on pandoc's manual (127 pages, 28,000 objects): its pages'
references built again at every reading (``keep_page_references``), a dictionary of bookkeeping in each
object (``slim_pdf_objects``), the highest compression level where the default does nearly as well
(``compress_at_zlib_default``), and the object stream and cross-reference stream built whole in memory at
the end of the write, when memory is fullest (``stream_the_object_stream``). Each is checked against pydyf's
own by a test that compares what is written (``tests/test_architecture.py``), and each leaves pydyf alone if
it no longer has the shape it was measured on.
"""

from __future__ import annotations

import zlib
from math import ceil, log
from typing import BinaryIO

import pydyf


def keep_page_references() -> None:
    """Make pydyf keep the list of its pages' references instead of building it at every reading.

    pydyf 0.13's ``PDF.page_references`` builds a tuple of every page's reference each time it is read, and
    WeasyPrint reads it once per tagged element and per link when it writes a tagged PDF (``pdf/tags.py``,
    ``pdf/anchors.py``): pages times elements. On pandoc's manual (127 pages) that was 1.3 s of a 7.3 s write;
    on a 130,000-word essay (301 pages) 6 s of 19 s, so that a PDF's cost grew faster than its length. The
    tuple is kept until a page is added (pages are only ever appended, by ``add_page``); the bytes written are
    the same (``tests/test_architecture.py``). Left as it is if pydyf's attribute is no longer a property."""
    current = getattr(pydyf.PDF, "page_references", None)
    if not isinstance(current, property) or getattr(current.fget, "kept", False):
        return
    build = current.fget

    def page_references(self: pydyf.PDF) -> tuple[bytes, ...]:
        kids = len(self.pages["Kids"])
        kept = self.__dict__.get("_essaybook_page_references")
        if kept is None or kept[0] != kids:
            kept = self.__dict__["_essaybook_page_references"] = (kids, build(self))
        return kept[1]

    page_references.kept = True
    page_references.built_by = build  # pydyf's own, for the test that compares the two
    pydyf.PDF.page_references = property(page_references, doc=current.__doc__)


_OBJECT_DEFAULTS = {"number": None, "offset": 0, "generation": 0, "free": "n"}


def slim_pdf_objects() -> None:
    """Give pydyf's objects their bookkeeping (number, offset, generation, free) as class defaults.

    pydyf 0.13's ``Object.__init__`` sets those four attributes on every object, so each one, down to the
    empty array of kids of each tag of a tagged PDF, carries a dictionary of its own: on pandoc's manual
    26,000 structure elements and their arrays, 20 MB of the 318 MB peak, most of the writing's share. With the
    same four values as class attributes, an object gets a dictionary only when the PDF numbers it; the bytes
    are the same (``tests/test_architecture.py``). Left as it is if pydyf's objects start otherwise."""
    init = pydyf.Object.__init__
    if getattr(init, "slim", False):
        return
    try:
        fresh = vars(pydyf.Object())
    except Exception:  # a pydyf that builds objects otherwise: leave it alone
        return
    if fresh != _OBJECT_DEFAULTS:
        return

    def slim(self: pydyf.Object) -> None:
        """The attributes are the class's until the PDF sets them."""

    slim.slim = True
    slim.pydyfs = init  # pydyf's own, for the test that compares the two
    for name, value in _OBJECT_DEFAULTS.items():
        setattr(pydyf.Object, name, value)
    pydyf.Object.__init__ = slim


def compress_at_zlib_default() -> None:
    """Make pydyf deflate a PDF's streams at zlib's default level (6) instead of its highest (9).

    A handout's streams are the most repetitive of data (the same operators page after page, a tagged PDF's
    structure), where level 9 searches longest for little: on pandoc's manual 0.85 s of a 4 s write went on
    compressing 6 MB at level 9, and 0.17 s at level 6, for a file 3.8 % larger (1.10 MB instead of 1.06 MB).
    Level 6 is what most PDF writers use. The streams inflate to the same bytes (``tests/test_architecture.py``).
    Only pydyf's own name for zlib is changed; nothing else in the process sees it."""
    if getattr(pydyf, "zlib", None) is not zlib:  # done already, or pydyf no longer deflates through it
        return
    pydyf.zlib = _DefaultLevelZlib()


class _DefaultLevelZlib:
    """zlib as pydyf sees it, with every compressor at zlib's default level."""

    def __getattr__(self, name: str) -> object:
        return getattr(zlib, name)

    @staticmethod
    def compressobj(level: int = zlib.Z_DEFAULT_COMPRESSION, *args: object, **kwargs: object) -> object:
        return zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, *args, **kwargs)

    @staticmethod
    def compress(data: bytes, level: int = zlib.Z_DEFAULT_COMPRESSION, **kwargs: object) -> bytes:
        return zlib.compress(data, zlib.Z_DEFAULT_COMPRESSION, **kwargs)


def stream_the_object_stream() -> None:
    """Deflate pydyf's object stream piece by piece, and build its cross-reference stream as bytes.

    At the end of a compressed write, pydyf 0.13 holds every small object's serialization in a list, joins the
    list into one string, deflates the string, and copies the result twice more into the object's text; then
    it lists a tuple of three numbers per object for the cross-reference stream and joins three small bytes
    per tuple. On pandoc's manual (28,000 objects, 2.6 MB of them) that was 11 MB on top of all the PDF's
    objects, the highest point of the whole command. Here each serialization goes to the compressor and is let
    go; the cross-reference entries are written into one ``bytearray``. The bytes are pydyf's
    (``tests/test_architecture.py``). A write with an identifier, uncompressed or before PDF 1.5 is pydyf's own."""
    write = pydyf.PDF.write
    if getattr(write, "streams", False) or getattr(pydyf, "__version__", None) != "0.13.0":
        return  # done already, or a pydyf whose write may differ from the one this copies

    def streamed_write(self: pydyf.PDF, output: BinaryIO, version: bytes | str = b"1.7",
                       identifier: object = False, compress: bool = False) -> None:
        level = pydyf._to_bytes(version or b"1.7")
        if identifier not in (False, None) or not compress or level < b"1.5":
            return write(self, output, version, identifier, compress)
        if self.info:
            self.add_object(self.info)
        self.write_line(b"%PDF-" + level, output)
        self.write_line(b"%\xf0\x9f\x96\xa4", output)
        small = []
        for object_ in self.objects:
            if object_.free == "f":
                continue
            if object_.compressible:
                small.append(object_)
            else:
                object_.offset = self.current_position
                self.write_line(object_.indirect, output)
        object_stream = _object_stream(small)
        object_stream.offset = self.current_position
        self.add_object(object_stream)
        self.write_line(object_stream.indirect, output)

        field2 = ceil(log(self.current_position + 1, 256))
        field3 = ceil(log(max(max(o.generation for o in self.objects), len(small)) + 1, 256))
        entries, index = bytearray(), 0
        for object_ in self.objects:
            if object_.compressible:
                entry = (2, object_stream.number, index)
                index += 1
            else:
                entry = (bool(object_.number), object_.offset, object_.generation)
            for length, value in zip((1, field2, field3), entry, strict=True):
                entries += value.to_bytes(length, "big")
        for length, value in zip((1, field2, field3), (1, self.current_position, 0), strict=True):
            entries += value.to_bytes(length, "big")
        extra = {"Type": "/XRef", "Index": pydyf.Array((0, len(self.objects) + 1)),
                 "W": pydyf.Array((1, field2, field3)), "Size": len(self.objects) + 1,
                 "Root": self.catalog.reference}
        if self.info:
            extra["Info"] = self.info.reference
        xref = pydyf.Stream([bytes(entries)], extra, compress)
        self.xref_position = xref.offset = self.current_position
        self.add_object(xref)
        self.write_line(xref.indirect, output)
        self.write_line(b"startxref", output)
        self.write_line(f"{self.xref_position}".encode(), output)
        self.write_line(b"%%EOF", output)
        return None

    streamed_write.streams = True
    streamed_write.pydyfs = write  # pydyf's own, for the test that compares the two
    pydyf.PDF.write = streamed_write


_BATCH = 1 << 16  # bytes of serialized objects handed to the compressor at a time


def _object_stream(objects: list) -> object:
    """The object stream pydyf would write for ``objects``, its text deflated as it is made: an already
    deflated stream, which pydyf writes as it is."""
    texts = [o.data for o in objects]
    numbers, position = [], 0
    for object_, text in zip(objects, texts, strict=True):
        numbers += (object_.number, position)
        position += len(text) + 1
    header = " ".join(str(n) for n in numbers).encode()
    deflate = pydyf.zlib.compressobj(level=9)  # as pydyf's Stream asks (at the default level here)
    pieces, batch, size = [deflate.compress(header)], [], 0
    for i, text in enumerate(texts):
        texts[i] = None  # let each serialization go once it is in the batch
        batch += (b"\n", text)
        size += len(text) + 1
        if size > _BATCH:
            pieces.append(deflate.compress(b"".join(batch)))
            batch, size = [], 0
    pieces += (deflate.compress(b"".join(batch)), deflate.flush())
    extra = {"Type": "/ObjStm", "N": len(objects), "First": len(header) + 1, "Filter": "/FlateDecode"}
    return pydyf.Stream([b"".join(pieces)], extra)


def install() -> None:
    """Called once, by ``essaybook.weasy``, after WeasyPrint (and so pydyf) is imported."""
    keep_page_references()
    slim_pdf_objects()
    compress_at_zlib_default()
    stream_the_object_stream()
