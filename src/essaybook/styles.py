"""Find the stylesheets: the user's ``styles/`` beside their ``content/`` first, then the ones essaybook ships.

The shipped ones live once, in the repository's ``styles/``; a wheel carries them as package data
(``essaybook/styles``), and a source checkout (an editable install) reads the folder itself.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from essaybook.errors import EnvironmentProblem, SourceError

STYLESHEETS = ("base.css", "epub.css", "print.css")


def shipped_styles_dir() -> Path:
    packaged = resources.files("essaybook") / "styles"
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[2] / "styles"
    if checkout.is_dir():
        return checkout
    raise EnvironmentProblem("essaybook's stylesheets are missing from its installation; reinstall essaybook")


def user_styles_dir(essay_folder: Path) -> Path | None:
    """``styles/`` in the folder that holds ``content/`` (or beside the essay's own folder)."""
    for folder in (essay_folder, *essay_folder.parents):
        if folder.name == "content" and (folder.parent / "styles").is_dir():
            return folder.parent / "styles"
        if (folder / "styles").is_dir() and (folder / "content").is_dir():
            return folder / "styles"
    return None


def stylesheet(name: str, essay_folder: Path) -> Path:
    """The stylesheet called ``name`` that applies to this essay."""
    user = user_styles_dir(essay_folder)
    if user is not None and (user / name).is_file():
        return user / name
    return shipped_styles_dir() / name


def read_css(names: tuple[str, ...], essay_folder: Path) -> str:
    """The stylesheets' text, concatenated. A user's own sheet may not load anything: it is copied into the
    EPUB and handed to WeasyPrint, so ``@import`` and ``url()`` (other than fragments) are refused up front."""
    texts = []
    for name in names:
        path = stylesheet(name, essay_folder)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SourceError(f"cannot read this stylesheet ({exc}); save it as UTF-8 text", path=path) from exc
        if path.parent != shipped_styles_dir():
            _refuse_loads(path, text)
        texts.append(text)
    return "\n".join(texts)


_LOADS = re.compile(r"@import|url\(\s*(?!['\"]?#)", re.IGNORECASE)


def _refuse_loads(path: Path, text: str) -> None:
    # Escapes could spell either word in other ways; a sheet that uses CSS escapes at all is refused too.
    found = _LOADS.search(text) or re.search(r"\\[0-9a-fA-F]", text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        raise SourceError("a stylesheet may not load other files or fonts (@import, url(), escapes); remove it",
                          path=path, line=line)
