"""Find the stylesheets: the user's ``styles/`` beside their ``content/`` first, then the ones essaybook ships.

The shipped sheets are package data (``essaybook/styles``), read with ``importlib.resources`` only, so an
installed wheel and a source checkout behave the same. A user's sheet is parsed with tinycss2 (the tokenizer
WeasyPrint itself uses) and refused only for what would load something; escapes in strings are plain text.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from essaybook.errors import EnvironmentProblem, SourceError

STYLESHEETS = ("base.css", "epub.css", "print.css")


def shipped_sheet(name: str) -> Traversable:
    sheet = resources.files("essaybook") / "styles" / name
    if not sheet.is_file():
        raise EnvironmentProblem(f"essaybook's stylesheet {name} is missing from its installation; reinstall it")
    return sheet


def user_styles_dir(essay_folder: Path) -> Path | None:
    """``styles/`` in the folder that holds ``content/`` (or beside the essay's own folder)."""
    for folder in (essay_folder, *essay_folder.parents):
        if folder.name == "content" and (folder.parent / "styles").is_dir():
            return folder.parent / "styles"
        if (folder / "styles").is_dir() and (folder / "content").is_dir():
            return folder / "styles"
    return None


def user_stylesheet(name: str, essay_folder: Path) -> Path | None:
    """The user's own sheet called ``name`` for this essay, if they have one."""
    user = user_styles_dir(essay_folder)
    return user / name if user is not None and (user / name).is_file() else None


def stylesheet_bytes(name: str, essay_folder: Path) -> bytes:
    """The bytes of the sheet that applies (for the build's fingerprint)."""
    user = user_stylesheet(name, essay_folder)
    return user.read_bytes() if user is not None else shipped_sheet(name).read_bytes()


def read_css(names: tuple[str, ...], essay_folder: Path) -> str:
    """The stylesheets' text, concatenated. A user's own sheet may not load anything: it is copied into the
    EPUB and handed to WeasyPrint, so what fetches is refused up front, at its line."""
    texts = []
    for name in names:
        user = user_stylesheet(name, essay_folder)
        if user is None:
            texts.append(shipped_sheet(name).read_text(encoding="utf-8"))
            continue
        try:
            text = user.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SourceError(f"cannot read this stylesheet ({exc}); save it as UTF-8 text", path=user) from exc
        refuse_loads(user, text)
        texts.append(text)
    return "\n".join(texts)


def refuse_loads(path: Path, text: str) -> None:
    """Refuse a sheet that would fetch: an ``@import`` or ``@font-face`` rule, or a ``url()`` (as a token or a
    function, after the tokenizer has decoded escapes) other than a same-document ``#fragment``."""
    import tinycss2  # only for a sheet of the person's own

    found = _first_load(tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True))
    if found is not None:
        line, what = found
        raise SourceError(f"a stylesheet may not load other files or fonts ({what}); remove it",
                          path=path, line=line)


_FETCHING_FUNCTIONS = ("url", "src", "image", "image-set", "-webkit-image-set", "cross-fade", "element")


def _first_load(nodes) -> tuple[int, str] | None:
    """Depth-first through rules, declarations, blocks and functions: the first thing that would fetch."""
    import tinycss2

    for node in nodes:
        kind = node.type
        children: list = []
        if kind == "at-rule":
            if node.lower_at_keyword in ("import", "font-face"):
                return node.source_line, f"@{node.lower_at_keyword}"
            children = [*node.prelude, *(tinycss2.parse_blocks_contents(node.content) if node.content else ())]
        elif kind == "qualified-rule":
            children = [*node.prelude, *tinycss2.parse_blocks_contents(node.content)]
        elif kind == "declaration":
            children = node.value
        elif kind == "url":
            if not node.value.startswith("#"):
                return node.source_line, f"url({node.value})"
        elif kind == "function":
            args = [a for a in node.arguments if a.type not in ("whitespace", "comment")]
            fragment = node.lower_name == "url" and len(args) == 1 and args[0].type == "string" and \
                args[0].value.startswith("#")
            if node.lower_name in _FETCHING_FUNCTIONS and not fragment:
                return node.source_line, f"{node.lower_name}()"
            children = node.arguments
        elif kind in ("() block", "[] block", "{} block"):
            children = node.content
        found = _first_load(children)
        if found is not None:
            return found
    return None
