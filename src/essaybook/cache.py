"""Skip work that has not changed: an output is reused when everything it was made from is as it was.

"Everything" is hashed without parsing the essay: every file in the essay's folder (the only place its
images may come from), the stylesheets that apply, the options, SOURCE_DATE_EPOCH, and the versions of
essaybook and of the libraries that shape the output. A stamp per output, kept in the user's cache folder
(``$XDG_CACHE_HOME/essaybook``, never beside the outputs), records that fingerprint and the output's own hash,
so an output edited or replaced by hand is rebuilt.
"""

from __future__ import annotations

import contextlib
import copyreg
import functools
import hashlib
import io
import json
import os
import pickle
import stat
from pathlib import Path
from typing import Any

_MODULES = {"pillow": "PIL", "fonttools": "fontTools", "pymdown-extensions": "pymdownx", "citeproc-py": "citeproc",
            "pyyaml": "yaml", "pyphen": "pyphen"}
_LIBRARIES = ("ebooklib", "weasyprint", "markdown", "nh3", "lxml", "pillow", "pydyf", "fonttools",
              "pymdown-extensions", "latex2mathml", "ziamath", "ziafont", "citeproc-py", "pyyaml", "babel", "pyphen",
              "docutils")
_MAX_FILES = 2000  # a folder bigger than this is not an essay's: don't try to be clever, just build
_MAX_BYTES = 256 * 1024 * 1024


def fingerprint(source: Path, styles: list[bytes]) -> str | None:
    """A hash of all the files the outputs of ``source`` depend on, or None when it cannot be cheap (then the
    essay is simply built). Computed once per essay; each use adds what else decides it (``derive``)."""
    digest = hashlib.sha256()
    digest.update(repr((os.environ.get("SOURCE_DATE_EPOCH", ""), _versions())).encode())
    try:
        folder = source.resolve().parent
        files = _inputs(folder)
        if files is None:
            return None
        for path in files:
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(_file_hash(path))
        for sheet in styles:
            digest.update(hashlib.sha256(sheet).digest())
    except OSError:  # unreadable: the build itself will say so, in its own words
        return None
    return digest.hexdigest()


def derive(base: str | None, *parts: object) -> str | None:
    """A fingerprint for one use of the inputs: ``base`` plus the options and format that use decides by."""
    return None if base is None else hashlib.sha256(f"{base}:{parts!r}".encode()).hexdigest()


def recall_layout(key: str | None) -> list[dict] | None:
    """The page breaks of a handout laid out before from the same inputs, styles and options, if known."""
    return recall_json("layouts", key)


def remember_layout(key: str | None, breaks: list[dict]) -> None:
    """Keep what the EPUB's page list needs of a layout (a few bytes a page), so an ``epub`` after a ``pdf``
    of the same essay reads it instead of laying the handout out again."""
    remember_json("layouts", key, breaks)


def recall_json(kind: str, key: str | None) -> Any:
    data = _read(kind, key, ".json")
    try:
        return None if data is None else json.loads(data)
    except ValueError:
        return None


def remember_json(kind: str, key: str | None, value: Any) -> None:
    _write(kind, key, ".json", json.dumps(value).encode())


def recall_document(key: str | None) -> Any:
    """The essay as parsed before from the same inputs (its warnings included), or None.

    An ``epub`` right after a ``pdf`` of the same essay then needs neither Python-Markdown nor the parse: a
    tenth of a second of a command that takes three. The pickle is essaybook's own, in the person's own
    cache folder, as the stamps are; one that cannot be read is simply parsed again."""
    data = recall_bytes("documents", key)
    if data is None:
        return None
    try:
        return pickle.loads(data)
    except Exception:  # written by another version, or truncated: parse again
        return None


def remember_document(key: str | None, doc: object) -> None:
    if key is None:
        return
    from lxml import etree

    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, etree._Element: _reduce_element}
    try:
        pickler.dump(doc)
    except (pickle.PicklingError, TypeError, AttributeError):
        return  # something in it cannot be kept: it is parsed again next time
    remember_bytes("documents", key, buffer.getvalue())


def _reduce_element(element) -> tuple:
    from lxml import etree

    return _element, (etree.tostring(element, with_tail=False), element.tail)


def _element(xml: bytes, tail: str | None):
    from lxml import etree

    element = etree.fromstring(xml)
    element.tail = tail
    return element


def cover_key(*text: object) -> str:
    """The generated cover depends on its texts, the fonts installed, the fonts' code and the library
    versions, not on the body: an edit to the essay keeps its cover."""
    return derive("cover", *text, _versions(), fonts_stamp())


def fonts_stamp() -> tuple[tuple[str, int], ...]:
    """What changes when fonts are installed or removed, without asking fontconfig (a process, ~30 ms):
    fontconfig rewrites its cache folders then, and its configuration lives in two more."""
    home = Path.home()
    folders = ["/var/cache/fontconfig", "/etc/fonts", "/etc/fonts/conf.d",
               Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache") / "fontconfig",
               Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config") / "fontconfig", home / ".fonts",
               Path(os.environ.get("XDG_DATA_HOME") or home / ".local/share") / "fonts"]
    stamp = []
    for folder in folders:
        with contextlib.suppress(OSError):
            stamp.append((str(folder), os.stat(folder).st_mtime_ns))
    return tuple(stamp)


def recall_bytes(kind: str, key: str | None) -> bytes | None:
    return _read(kind, key, ".bin")


def remember_bytes(kind: str, key: str | None, data: bytes) -> None:
    _write(kind, key, ".bin", data)


def _read(kind: str, key: str | None, suffix: str) -> bytes | None:
    if key is None:
        return None
    try:
        return _cache_file(kind, key, suffix).read_bytes()
    except OSError:
        return None


def _write(kind: str, key: str | None, suffix: str, data: bytes) -> None:
    """Through a temporary file, so a reader never sees half an entry; an entry not kept costs a rebuild."""
    if key is None:
        return
    with contextlib.suppress(OSError):
        tmp = _cache_file(kind, key, f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, _cache_file(kind, key, suffix))


def _cache_file(kind: str, key: str, suffix: str = ".json") -> Path:
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "essaybook" / kind
    root.mkdir(parents=True, exist_ok=True)
    return root / f"{key[:40]}{suffix}"


def _inputs(folder: Path) -> list[Path] | None:
    """The regular files in the essay's folder, as the build may read them: symlinks count only when they
    lead to a regular file inside the folder (anything else the build refuses); never follows one out."""
    found: list[Path] = []
    total = 0
    for root, dirs, names in os.walk(folder):  # os.walk does not descend into symlinked folders
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            path = Path(root) / name
            target = path.resolve() if path.is_symlink() else path
            if not target.is_relative_to(folder) or not stat.S_ISREG(target.lstat().st_mode):
                continue
            found.append(path)
            total += target.lstat().st_size
            if len(found) > _MAX_FILES or total > _MAX_BYTES:
                return None
    return found


def is_fresh(output: Path, print_: str | None) -> bool:
    if print_ is None or not output.is_file():
        return False
    try:
        stamp = json.loads(_stamp(output).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return stamp.get("fingerprint") == print_ and stamp.get("output") == _file_hash(output).hex()


def record(output: Path, print_: str | None) -> None:
    if print_ is None:
        return
    with contextlib.suppress(OSError):  # a missing stamp only costs a rebuild next time
        _stamp(output).write_text(json.dumps({"fingerprint": print_, "output": _file_hash(output).hex()}),
                                  encoding="utf-8")


def _stamp(output: Path) -> Path:
    return _cache_file("stamps", hashlib.sha256(str(output.resolve()).encode()).hexdigest()[:32])


def _file_hash(path: Path) -> bytes:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").digest()


@functools.cache
def _versions() -> tuple[str, ...]:
    """The installed versions of what decides the outputs, read from the ``.dist-info`` folders' names beside
    each package (``importlib.metadata`` scans all of ``sys.path`` and costs ~50 ms a command)."""
    import importlib.util
    import re

    found = []
    listings: dict[Path, list[str]] = {}  # site-packages is listed once, not once per library
    for name in _LIBRARIES:
        spec = importlib.util.find_spec(_MODULES.get(name, name))
        origin = Path(spec.origin).parent.parent if spec and spec.origin else None
        if origin is not None and origin not in listings:
            listings[origin] = [e for e in os.listdir(origin) if e.endswith(".dist-info")] if origin.is_dir() else []
        dist = re.compile(rf"^{re.escape(name)}-([^-]+)\.dist-info$", re.IGNORECASE)
        versions = sorted(m.group(1) for entry in listings.get(origin, ())
                          if (m := dist.match(entry.replace("_", "-"))))
        found.append(f"{name}=={versions[-1] if versions else spec.origin if spec else 'absent'}")
    # essaybook's own code and data change between commits without a new version: their bytes count.
    code = hashlib.sha256()
    package = os.path.dirname(__file__)
    for root, dirs, names in sorted(os.walk(package)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            path = os.path.join(root, name)
            code.update(os.path.relpath(path, package).encode())
            with open(path, "rb") as f:
                code.update(f.read())
    return (*found, f"essaybook-code=={code.hexdigest()[:16]}")
