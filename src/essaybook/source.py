"""Read an essay's bytes and split off its YAML front matter, keeping line numbers for error messages.

Nothing here interprets the front matter's keys (that is ``metadata``); this module only answers "what did the
author write, and on which line".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from essaybook.errors import SourceError
from essaybook.rules import Diagnostic

#: The file that holds an essay inside its own folder (``content/<slug>/essay.md``).
ESSAY_FILE = "essay.md"
#: Hugo's page bundle (``content/post/<slug>/index.md``) and Eleventy's folder-per-post: named by the folder too.
BUNDLE_FILE = "index.md"
_FOLDER_FILES = (ESSAY_FILE, BUNDLE_FILE)
# Jekyll names posts ``2023-04-05-title.md``: the date is not part of the name.
_JEKYLL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}-(?=.)")

_FENCE = re.compile(r"^---[ \t]*$")
_TOML_FENCE = re.compile(r"^\+\+\+[ \t]*$")
_END_FENCE = re.compile(r"^(---|\.\.\.)[ \t]*$")
# Characters XML 1.0 forbids (C0 controls but tab/LF/CR, surrogates, U+FFFE/U+FFFF): lxml refuses them and no
# reader could show them, so they are dropped on reading, with a warning.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Source:
    """One essay as the author wrote it."""

    path: Path  # the Markdown file
    folder: Path  # the essay's folder: the only place its resources may come from
    slug: str  # the output's base name
    front_matter: str  # the YAML text, without its fences ("" when there is none)
    front_matter_line: int  # line in ``path`` where the YAML text starts
    body: str  # the Markdown after the front matter
    body_line: int  # line in ``path`` where ``body`` starts
    warnings: list[Diagnostic] = field(default_factory=list)
    front_matter_format: str = "yaml"  # "toml" between Hugo's '+++' fences


def find_essays(root: Path) -> list[Path]:
    """Every essay under ``root``: ``<slug>/essay.md`` folders and loose ``<slug>.md`` files, sorted by slug."""
    if not root.is_dir():
        raise SourceError("no such folder; pass an essay's .md file or its folder", path=root)
    found = [p for p in root.glob(f"*/{ESSAY_FILE}") if p.is_file()]
    found += [p for p in root.glob(f"*/{BUNDLE_FILE}") if p.is_file() and not (p.parent / ESSAY_FILE).is_file()]
    found += [p for p in root.glob("*.md") if p.is_file() and p.name.lower() not in ("readme.md", BUNDLE_FILE)]
    return sorted(found, key=slug_for)


def resolve_source(path: Path) -> Path:
    """The Markdown file a SOURCE argument names: the file itself, or ``essay.md`` (else a page bundle's
    ``index.md``, else the one Markdown file there is) inside a folder."""
    if path.is_dir():
        candidate = path / ESSAY_FILE
        if candidate.is_file():
            return candidate
        if (path / BUNDLE_FILE).is_file() and not candidate.exists():
            return path / BUNDLE_FILE
        if candidate.exists():
            raise SourceError(f"{ESSAY_FILE} here is a folder, not a file; the essay must be a Markdown file",
                              path=path)
        markdown = sorted(p for p in path.iterdir() if p.suffix.lower() in (".md", ".markdown") and p.is_file())
        if len(markdown) == 1:  # a Jekyll post (2021-08-09-kiln-notes.md) or any one post in its folder
            return markdown[0]
        listed = f", and {len(markdown)} Markdown files ({', '.join(p.name for p in markdown[:3])}" + \
            (", …)" if len(markdown) > 3 else ")") if markdown else ""
        raise SourceError(f"no {ESSAY_FILE} in this folder{listed}; put the essay in {ESSAY_FILE} or pass its file",
                          path=path)
    if not path.exists():
        raise SourceError("no such file or folder; check the path", path=path)
    if not path.is_file():
        raise SourceError("not a regular file; pass an essay's .md file or its folder", path=path)
    return path


def slug_for(path: Path) -> str:
    """``content/<slug>/essay.md`` (or a bundle's ``index.md``) is named by its folder; any other file by its
    stem, without a Jekyll date prefix."""
    if path.name in _FOLDER_FILES:
        return path.resolve().parent.name
    return _JEKYLL_DATE.sub("", path.stem)


def load_source(path: Path) -> Source:
    """Read and split one essay. Raises ``SourceError`` with file and line for anything a person must fix."""
    path = resolve_source(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read the file ({exc.strerror}); check its permissions", path=path) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise SourceError(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); save the file as UTF-8",
            path=path, line=line,
        ) from exc
    # Line and paragraph separators (U+2028, U+2029) are line ends to a Markdown author, and trip print layout.
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    warnings: list[Diagnostic] = []
    cleaned, dropped = NOT_XML.subn("", text)
    if dropped:
        first = text[: NOT_XML.search(text).start()].count("\n") + 1  # type: ignore[union-attr]
        warnings.append(Diagnostic(
            "control-characters", f"removed {dropped} control character(s) that no book can hold", path, first))
        text = cleaned

    front, front_line, body, body_line = _split_front_matter(text, path)
    kind = "toml" if text.startswith("+++") else "yaml"
    return Source(
        path=path,
        folder=path.parent.resolve(),
        slug=slug_for(path),
        front_matter=front,
        front_matter_line=front_line,
        body=body,
        body_line=body_line,
        warnings=warnings,
        front_matter_format=kind,
    )


def _split_front_matter(text: str, path: Path) -> tuple[str, int, str, int]:
    lines = text.split("\n")
    if lines and lines[0].startswith("%"):
        return _pandoc_title_block(lines)
    if lines and _TOML_FENCE.match(lines[0]):
        for i in range(1, len(lines)):
            if _TOML_FENCE.match(lines[i]):
                return "\n".join(lines[1:i]), 2, "\n".join(lines[i + 1 :]), i + 2
        raise SourceError("front matter opened with '+++' is never closed; end it with a line holding '+++'",
                          path=path, line=1)
    if not lines or not _FENCE.match(lines[0]):
        return "", 1, text, 1
    for i in range(1, len(lines)):
        if _END_FENCE.match(lines[i]):
            return "\n".join(lines[1:i]), 2, "\n".join(lines[i + 1 :]), i + 2
    raise SourceError("front matter opened with '---' is never closed; end it with a line holding '---'",
                      path=path, line=1)


def _pandoc_title_block(lines: list[str]) -> tuple[str, int, str, int]:
    """pandoc's ``% title`` / ``% authors; separated`` / ``% date`` block, read as the equivalent YAML, so an
    essay written for pandoc builds unchanged."""
    fields: list[str] = []
    i = 0
    while i < len(lines) and len(fields) < 3 and (lines[i].startswith("%") or
                                                   (fields and lines[i].startswith((" ", "\t")))):
        if lines[i].startswith("%"):
            fields.append(lines[i][1:].strip())
        else:
            fields[-1] += " " + lines[i].strip()
        i += 1
    data: dict[str, object] = {}
    if fields and fields[0]:
        data["title"] = fields[0]
    if len(fields) > 1 and fields[1]:
        data["author"] = [a.strip() for a in fields[1].split(";") if a.strip()]
    if len(fields) > 2 and fields[2]:
        data["date"] = fields[2]
    import yaml

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False), 1, "\n".join(lines[i:]), i + 1


PACK_SUFFIXES = (".yml", ".yaml")
PACKS_DIR = "packs"


def is_pack(path: Path) -> bool:
    """A course pack's file (a YAML list of essays), rather than an essay."""
    return path.suffix.lower() in PACK_SUFFIXES


def find_packs(root: Path = Path(PACKS_DIR)) -> list[Path]:
    """Every pack file in ``packs/`` (none when there is no such folder)."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_file() and is_pack(p))
