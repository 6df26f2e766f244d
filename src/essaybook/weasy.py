"""The one door to WeasyPrint: ``from essaybook.weasy import weasyprint`` instead of ``import weasyprint``.

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


if "weasyprint" in sys.modules:
    import weasyprint
else:
    with _quick_library_lookup():
        import weasyprint

__all__ = ["weasyprint"]
