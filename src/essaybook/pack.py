"""A course pack file (YAML) -> ``Pack``: the pack's own metadata and the essays it lists, checked.

A pack is a list of essays, not a second kind of essay: each essay keeps its own front matter (title, authors,
date, rights, source), and the pack only adds what a reader of the whole needs (its title, editors, course, a
closing Notes section) and per essay a ``short_title`` for running heads and ``pages: false`` to leave it out of
print. Every mistake in the file is reported at once, one line each with the pack file's line, and nothing is
built until the file is sound.

Paths are relative to the pack file and must stay inside the pack's folder tree: the pack file's folder, or,
when it sits in a ``packs/`` folder, the project folder holding ``packs/`` and ``content/``.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from essaybook.errors import SourceError, SourceProblems
from essaybook.metadata import MIN_NOTE_LINES, NotesSection
from essaybook.rules import Diagnostic
from essaybook.source import PACK_SUFFIXES, PACKS_DIR, resolve_source

COVER_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
_KEYS = ("title", "subtitle", "editor", "editors", "course", "date", "lang", "rights", "cover", "notes", "essays",
         "paper", "paragraph_numbers")
_ENTRY_KEYS = ("path", "short_title", "pages")


@dataclass(frozen=True)
class Entry:
    """One essay of the pack, as the pack file lists it."""

    path: Path  # the essay's Markdown file, resolved
    line: int  # where the pack file names it
    short_title: str | None = None
    pages: bool = True  # False: in the EPUB, not in the printed handout


@dataclass(frozen=True)
class Pack:
    path: Path
    root: Path  # the folder tree everything the pack names must stay in
    title: str
    subtitle: str | None
    editors: tuple[str, ...]
    course: str | None
    date: str | None
    lang: str
    rights: str | None
    cover: Path | None
    notes: NotesSection
    entries: tuple[Entry, ...]
    paper: str | None = None
    paragraph_numbers: bool = True
    warnings: list[Diagnostic] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.path.stem


def pack_root(path: Path) -> Path:
    folder = path.resolve().parent
    return folder.parent if folder.name == PACKS_DIR else folder


def load_pack(path: Path) -> Pack:
    """Read and check a pack file; every problem found is raised together as ``SourceProblems``."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise SourceError(f"cannot read the pack file ({exc.strerror}); check the path", path=path) from exc
    except UnicodeDecodeError as exc:
        raise SourceError("the pack file is not UTF-8 text; save it as UTF-8", path=path) from exc
    problems: list[Diagnostic] = []

    def fail(message: str, line: int | None, rule: str = "pack-invalid") -> None:
        problems.append(Diagnostic(rule, message, path, line))

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SourceProblems([Diagnostic("pack-invalid", f"not valid YAML ({getattr(exc, 'problem', exc)}); fix "
                                         "the pack file's syntax", path, mark.line + 1 if mark else 1)]) from None
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise SourceProblems([Diagnostic("pack-invalid", "a pack file must be a YAML mapping (title: …, essays: "
                                         "[…]); see the README's course pack example", path, 1)])
    lines = {k.value: k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
    values = {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    warnings: list[Diagnostic] = []
    for key in data:
        if key not in _KEYS:
            close = difflib.get_close_matches(str(key), _KEYS, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(_KEYS)}"
            warnings.append(Diagnostic("front-matter-unknown-key", f"unknown pack key '{key}' ignored{hint}", path,
                                       lines.get(key)))

    def text_of(key: str, value: Any = None) -> str | None:
        value = data.get(key) if value is None else value
        if value is None:
            return None
        if isinstance(value, dt.date):
            return value.isoformat()[:10]
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return " ".join(str(value).split()) or None
        fail(f"'{key}' must be text", lines.get(key))
        return None

    title = text_of("title")
    if not title:
        fail("the pack has no title; add 'title: …' to the pack file", lines.get("title", 1))
    editors_value = data.get("editors", data.get("editor"))
    editors: tuple[str, ...] = ()
    if isinstance(editors_value, str):
        editors = (editors_value.strip(),)
    elif isinstance(editors_value, list) and all(isinstance(e, str) for e in editors_value):
        editors = tuple(e.strip() for e in editors_value if e.strip())
    elif editors_value is not None:
        fail("'editors' must be a name or a list of names", lines.get("editors", lines.get("editor")))
    root = pack_root(path)
    cover = None
    if data.get("cover") is not None:
        cover = _inside(path, root, str(data["cover"]))
        if cover is None or not cover.is_file() or cover.suffix.lower() not in COVER_SUFFIXES:
            fail(f"cover '{data['cover']}' is not an image (PNG, JPEG, GIF, SVG, WebP) inside {root.name}/; name "
                 "an image beside the pack", lines.get("cover"))
            cover = None
    paper = text_of("paper")
    if paper is not None and paper not in ("a4", "letter", "a5"):
        fail(f"paper '{paper}' is not one of a4, letter, a5", lines.get("paper"))
    numbers = data.get("paragraph_numbers", True)
    if not isinstance(numbers, bool):
        fail("'paragraph_numbers' must be true or false", lines.get("paragraph_numbers"))
    entries = _entries(path, root, data.get("essays"), values.get("essays"), lines.get("essays"), fail)
    if problems:
        raise SourceProblems(problems)
    return Pack(path=path, root=root, title=title or "", subtitle=text_of("subtitle"), editors=editors,
                course=text_of("course"), date=text_of("date"), lang=text_of("lang") or "en",
                rights=text_of("rights"), cover=cover, notes=_notes(data.get("notes"), lines.get("notes"), fail),
                entries=tuple(entries), paper=paper, paragraph_numbers=bool(numbers), warnings=warnings)


def _inside(pack_path: Path, root: Path, relative: str) -> Path | None:
    target = (pack_path.resolve().parent / relative).resolve()
    try:
        target.relative_to(root)
    except ValueError:
        return None
    return target


def _entries(path: Path, root: Path, value: Any, node: Any, line: int | None, fail) -> list[Entry]:
    if value is None:
        fail("the pack lists no essays; add 'essays:' with a list of essay folders or .md files", line or 1)
        return []
    if not isinstance(value, list) or not isinstance(node, yaml.SequenceNode):
        fail("'essays' must be a list of essay folders or .md files (one '- path' a line)", line)
        return []
    if not value:
        fail("'essays' is empty; list at least one essay folder or .md file", line)
        return []
    entries: list[Entry] = []
    seen: dict[Path, int] = {}
    for item, item_node in zip(value, node.value, strict=True):
        at = item_node.start_mark.line + 1
        short_title, pages = None, True
        if isinstance(item, dict):
            unknown = [k for k in item if k not in _ENTRY_KEYS]
            if unknown:
                fail(f"unknown key '{unknown[0]}' in an essay entry; use path, short_title or pages", at)
            short_title = item.get("short_title")
            pages = item.get("pages", True)
            if short_title is not None and not isinstance(short_title, str):
                fail("'short_title' must be text", at)
                short_title = None
            if not isinstance(pages, bool):
                fail("'pages' must be true or false", at)
                pages = True
            item = item.get("path")
        if not isinstance(item, str) or not item.strip():
            fail("an essay entry must be a path (text), or a mapping with 'path: …'", at)
            continue
        target = _inside(path, root, item.strip())
        if target is None:
            fail(f"essay '{item}' is outside the pack's folder tree ({root.name}/); keep essays inside it", at,
                 "pack-essay-outside")
            continue
        if target.is_dir():  # the essay there as `essaybook build FOLDER` finds it: essay.md, index.md, one .md
            try:
                target = resolve_source(target)
            except SourceError as exc:
                fail(f"essay '{item}': {exc.message}", at, "pack-essay-missing")
                continue
        if target.suffix.lower() in PACK_SUFFIXES:
            fail(f"'{item}' is a pack file; a pack lists essays, not other packs (list its essays here)", at,
                 "pack-nested")
            continue
        if not target.is_file():
            fail(f"essay '{item}' not found; check the path (relative to the pack file)", at, "pack-essay-missing")
            continue
        if target in seen:
            fail(f"essay '{item}' is listed twice (first on line {seen[target]}); list each essay once", at,
                 "pack-essay-duplicate")
            continue
        seen[target] = at
        entries.append(Entry(target, at, " ".join(short_title.split()) if short_title else None, pages))
    return entries


def _notes(value: Any, line: int | None, fail) -> NotesSection:
    if value is None:
        return NotesSection()
    if not isinstance(value, dict):
        fail("'notes' must be a mapping with title, lead, prompts and lines", line)
        return NotesSection()
    prompts = value.get("prompts") or []
    if not isinstance(prompts, list) or not all(isinstance(p, str) for p in prompts):
        fail("'notes.prompts' must be a list of questions (text)", line)
        prompts = []
    lines = value.get("lines", MIN_NOTE_LINES)
    if isinstance(lines, bool) or not isinstance(lines, int) or not 0 <= lines <= 500:
        fail("'notes.lines' must be a whole number of ruled lines, 0 to 500", line)
        lines = MIN_NOTE_LINES
    title = value.get("title")
    return NotesSection(title=" ".join(str(title).split()) if title else None,
                        lead=" ".join(str(value.get("lead") or "").split()),
                        prompts=tuple(" ".join(p.split()) for p in prompts if p.strip()),
                        lines=max(lines, MIN_NOTE_LINES) if lines else 0)
