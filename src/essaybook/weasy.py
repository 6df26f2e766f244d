"""The one door to WeasyPrint: ``from essaybook.weasy import weasyprint`` instead of ``import weasyprint``.

Two costs of WeasyPrint's own are paid here once, so that every module gets WeasyPrint without them: the
library lookup below, and pydyf's page references (``keep_page_references``).

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
import ctypes.util
import os
import re
import shutil
import struct
import subprocess
import sys
from collections.abc import Callable, Iterator

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


def keep_page_references() -> None:
    """Make pydyf keep the list of its pages' references instead of building it at every reading.

    pydyf 0.13's ``PDF.page_references`` builds a tuple of every page's reference each time it is read, and
    WeasyPrint reads it once per tagged element and per link when it writes a tagged PDF (``pdf/tags.py``,
    ``pdf/anchors.py``): pages times elements. On pandoc's manual (127 pages) that was 1.3 s of a 7.3 s write;
    on a 130,000-word essay (301 pages) 6 s of 19 s, so that a PDF's cost grew faster than its length. The
    tuple is kept until a page is added (pages are only ever appended, by ``add_page``); the bytes written are
    the same (``tests/test_architecture.py``). Left as it is if pydyf's attribute is no longer a property."""
    import pydyf

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


if "weasyprint" in sys.modules:
    import weasyprint
else:
    with _quick_library_lookup():
        import weasyprint
keep_page_references()

__all__ = ["keep_page_references", "weasyprint"]
