"""Skip work that has not changed: an output is reused when everything it was made from is as it was.

"Everything" is hashed without parsing the essay: every file in the essay's folder (the only place its
images may come from), the stylesheets that apply, the options, SOURCE_DATE_EPOCH, and the versions of
essaybook and of the libraries that shape the output. A stamp per output, kept in the user's cache folder
(``$XDG_CACHE_HOME/essaybook``, never beside the outputs), records that fingerprint and the output's own hash,
so an output edited or replaced by hand is rebuilt.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import stat
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

_LIBRARIES = ("essaybook", "ebooklib", "weasyprint", "markdown", "nh3", "lxml", "pillow", "pydyf", "fonttools",
              "pymdown-extensions", "latex2mathml", "ziamath", "ziafont", "citeproc-py")
_MAX_FILES = 2000  # a folder bigger than this is not an essay's: don't try to be clever, just build
_MAX_BYTES = 256 * 1024 * 1024


def fingerprint(source: Path, options: object, styles: list[bytes]) -> str | None:
    """A hash of all that the outputs of ``source`` depend on, or None when it cannot be cheap (then the essay
    is simply built). Computed once per essay; each output's stamp adds its format to it."""
    digest = hashlib.sha256()
    digest.update(repr((options, os.environ.get("SOURCE_DATE_EPOCH", ""), _versions())).encode())
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
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "essaybook" / "stamps"
    root.mkdir(parents=True, exist_ok=True)
    return root / (hashlib.sha256(str(output.resolve()).encode()).hexdigest()[:32] + ".json")


def _file_hash(path: Path) -> bytes:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").digest()


@functools.cache
def _versions() -> tuple[str, ...]:
    found = []
    for name in _LIBRARIES:
        try:
            found.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            found.append(f"{name}==?")
    return tuple(found)
