"""Find the stylesheets: the user's ``styles/`` beside their ``content/`` first, then the ones essaybook ships.

The shipped ones live once, in the repository's ``styles/``; a wheel carries them as package data
(``essaybook/styles``), and a source checkout (an editable install) reads the folder itself.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from essaybook.errors import EnvironmentProblem

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
    return "\n".join(stylesheet(n, essay_folder).read_text(encoding="utf-8") for n in names)
