"""Validate an essay's YAML front matter into ``Metadata``.

Keys follow pandoc's names where pandoc has one, so an essay written for pandoc builds here unchanged. Every
mistake names the key and its line; unknown keys are warnings that suggest the closest known key, because a
typo (``autor``) should not silently drop an author.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import yaml

from essaybook.errors import SourceError
from essaybook.paper import PAPERS
from essaybook.rules import Diagnostic
from essaybook.source import Source

PAPER_SIZES = tuple(PAPERS)

_KNOWN_KEYS = (
    "title", "subtitle", "author", "date", "lang", "description", "subject", "keywords", "rights",
    "identifier", "cover", "source_url", "notes", "paper", "paragraph_numbers",
)
_NOTES_KEYS = ("title", "lead", "prompts", "lines")
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
# Two-thirds of a page of ruled lines is the least that is worth printing; more pages are the author's call.
MIN_NOTE_LINES = 12


@dataclass(frozen=True)
class NotesSection:
    """The section that replaces the web page's comment form: prompts on screen, ruled lines on paper."""

    title: str | None = None  # None: "Notes" in the book's language
    lead: str = ""
    prompts: tuple[str, ...] = ()
    lines: int = MIN_NOTE_LINES


@dataclass(frozen=True)
class Metadata:
    title: str
    subtitle: str | None = None
    authors: tuple[str, ...] = ()
    date: str | None = None  # W3CDTF: YYYY, YYYY-MM or YYYY-MM-DD
    lang: str = "en"
    description: str | None = None
    subjects: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    rights: str | None = None
    identifier: str = ""
    cover: str | None = None
    cover_line: int | None = None
    source_url: str | None = None
    notes: NotesSection = field(default_factory=NotesSection)
    paper: str = "a4"
    paragraph_numbers: bool = True
    warnings: tuple[Diagnostic, ...] = ()

    @property
    def full_title(self) -> str:
        return f"{self.title}: {self.subtitle}" if self.subtitle else self.title


def parse_metadata(source: Source) -> Metadata:
    """Check every key's type and turn the YAML mapping into ``Metadata``."""
    data, lines = _load_yaml(source)
    reader = _Reader(source, lines)
    warnings: list[Diagnostic] = []
    for key in data:
        if key not in _KNOWN_KEYS:
            close = difflib.get_close_matches(str(key), _KNOWN_KEYS, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(_KNOWN_KEYS)}"
            warnings.append(Diagnostic(
                "front-matter-unknown-key", f"unknown front matter key '{key}' ignored{hint}", source.path,
                                     lines.get(key)))

    title = reader.text(data, "title")
    if not title:
        raise SourceError("the essay has no title; add 'title: …' to the front matter", path=source.path,
                          line=source.front_matter_line if source.front_matter else 1)
    authors = reader.text_list(data, "author")
    subtitle = reader.text(data, "subtitle")
    lang = reader.text(data, "lang") or "en"
    if not _LANG.match(lang):
        raise reader.fail("lang", f"'{lang}' is not a BCP 47 language tag; write e.g. 'en', 'en-GB' or 'ko'")
    source_url = reader.text(data, "source_url")
    if source_url and not re.match(r"^https?://[^\s/]+", source_url):
        raise reader.fail("source_url", f"'{source_url}' is not an http(s) address; write the page's full URL")
    paper = (reader.text(data, "paper") or "a4").lower()
    if paper not in PAPER_SIZES:
        raise reader.fail("paper", f"paper '{paper}' is not one of {', '.join(PAPER_SIZES)}")
    identifier = reader.text(data, "identifier") or _derived_identifier(title, authors, source_url)
    return Metadata(
        title=title,
        subtitle=subtitle,
        authors=authors,
        date=reader.date(data, "date"),
        lang=lang,
        description=reader.text(data, "description"),
        subjects=reader.text_list(data, "subject"),
        keywords=reader.text_list(data, "keywords"),
        rights=reader.text(data, "rights"),
        identifier=identifier,
        cover=reader.text(data, "cover"),
        cover_line=lines.get("cover"),
        source_url=source_url,
        notes=reader.notes(data),
        paper=paper,
        paragraph_numbers=reader.boolean(data, "paragraph_numbers", default=True),
        warnings=tuple(source.warnings + warnings),
    )


def _derived_identifier(title: str, authors: tuple[str, ...], source_url: str | None) -> str:
    """A stable ``urn:uuid``: the same essay gets the same identifier on every machine, so readers keep their
    place and highlights across rebuilds, while different essays never collide."""
    identity = "\n".join([title, *authors, source_url or ""])
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'essaybook:' + identity)}"


def _load_yaml(source: Source) -> tuple[dict[str, Any], dict[str, int]]:
    if not source.front_matter.strip():
        return {}, {}
    try:
        node = yaml.compose(source.front_matter, Loader=yaml.SafeLoader)
        data = yaml.safe_load(source.front_matter)
    except ValueError as exc:  # PyYAML builds dates itself and raises ValueError for 2020-13-01
        key, line = _impossible_date(source)
        raise SourceError(f"'{key}' holds an impossible date ({exc}); write a real one as YYYY-MM-DD",
                          path=source.path, line=line) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = source.front_matter_line + mark.line if mark is not None else source.front_matter_line
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SourceError(f"front matter is not valid YAML ({problem}); fix the YAML syntax",
                          path=source.path, line=line) from exc
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise SourceError("front matter must be a mapping of 'key: value' lines", path=source.path,
                          line=source.front_matter_line)
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            lines[str(key_node.value)] = source.front_matter_line + key_node.start_mark.line
    return {str(k): v for k, v in data.items()}, lines


def _impossible_date(source: Source) -> tuple[str, int]:
    """The key (and its line) whose value PyYAML read as a timestamp and could not make into a date."""
    node = yaml.compose(source.front_matter, Loader=yaml.SafeLoader)
    for key, value in node.value if isinstance(node, yaml.MappingNode) else ():
        if isinstance(value, yaml.ScalarNode) and value.tag.endswith(":timestamp"):
            try:
                yaml.safe_load(value.value)
            except ValueError:
                return str(key.value), source.front_matter_line + key.start_mark.line
    return "date", source.front_matter_line


class _Reader:
    """Typed access to front-matter values; every failure names the key and its line."""

    def __init__(self, source: Source, lines: dict[str, int]) -> None:
        self.source = source
        self.lines = lines

    def fail(self, key: str, message: str) -> SourceError:
        return SourceError(message, path=self.source.path, line=self.lines.get(key.split(".")[0]))

    def text(self, data: dict[str, Any], key: str, name: str | None = None) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float | dt.date):
            raise self.fail(name or key, f"'{name or key}' must be text, not {_kind(value)}")
        if not isinstance(value, str):
            raise self.fail(name or key, f"'{name or key}' must be text, not {_kind(value)}; quote it")
        value = " ".join(value.split())
        return value or None

    def text_list(self, data: dict[str, Any], key: str) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return ()
        items = value if isinstance(value, list) else [value]
        out = []
        for item in items:
            if not isinstance(item, str):
                raise self.fail(key, f"'{key}' must be text or a list of text, not {_kind(item)}")
            if item.strip():
                out.append(" ".join(item.split()))
        return tuple(out)

    def boolean(self, data: dict[str, Any], key: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, f"'{key}' must be true or false, not {_kind(value)}")
        return value

    def date(self, data: dict[str, Any], key: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, int) and 1000 <= value <= 9999:
            return str(value)
        if isinstance(value, str):
            value = value.strip()
            if _PARTIAL_DATE.match(value):
                return value
            try:
                return dt.date.fromisoformat(value).isoformat()
            except ValueError:
                pass
            for layout in ("%B %d, %Y", "%d %B %Y", "%b %d, %Y", "%d %b %Y", "%B %Y"):
                try:  # "July 17, 2006", as pandoc's title blocks have it
                    parsed = dt.datetime.strptime(value, layout).date()
                except ValueError:
                    continue
                return parsed.isoformat()[:7] if layout == "%B %Y" else parsed.isoformat()
        raise self.fail(key, f"date {value!r} is not a date; write it as YYYY-MM-DD (or YYYY-MM, or YYYY)")

    def notes(self, data: dict[str, Any]) -> NotesSection:
        value = data.get("notes")
        if value is None:
            return NotesSection()
        if not isinstance(value, dict):
            raise self.fail("notes", "'notes' must be a mapping with title, lead, prompts and lines")
        for k in value:
            if k not in _NOTES_KEYS:
                close = difflib.get_close_matches(str(k), _NOTES_KEYS, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                raise self.fail("notes", f"unknown key 'notes.{k}'{hint}")
        lines = value.get("lines", MIN_NOTE_LINES)
        if isinstance(lines, bool) or not isinstance(lines, int) or not 0 <= lines <= 500:
            raise self.fail("notes", "'notes.lines' must be a whole number of ruled lines, 0 to 500")
        prompts = value.get("prompts") or []
        if not isinstance(prompts, list) or not all(isinstance(p, str) for p in prompts):
            raise self.fail("notes", "'notes.prompts' must be a list of questions (text)")
        return NotesSection(
            title=self.text(value, "title", "notes.title"),
            lead=self.text(value, "lead", "notes.lead") or "",
            prompts=tuple(" ".join(p.split()) for p in prompts if p.strip()),
            lines=max(lines, MIN_NOTE_LINES) if lines else 0,
        )


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, str):
        return f"text ('{value}')"
    return type(value).__name__
