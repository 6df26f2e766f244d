"""Validate an essay's front matter (YAML or TOML) into ``Metadata``, reporting every problem in one pass.

Keys follow pandoc's names where pandoc has one, and the names Jekyll, Hugo, Eleventy, WordPress exporters,
Ghost and Obsidian write are read as their essaybook equivalents (``tags`` are subjects, ``summary`` is the
description, ``feature_image`` the cover; the table is in the README), so a post builds as it was exported.
Keys that only steer a web site (``layout``, ``permalink``, ``weight``) are accepted and ignored quietly.

Validation is MkDocs-style: each key is checked on its own and every problem is a ``rules.Diagnostic`` at the
key's line and column, so an author fixes them all at once instead of one per build. The YAML is composed into
nodes, not loaded: a node keeps the text the author wrote, so ``lang: no`` (YAML 1.1's false) is read as the
Norwegian it meant, with a warning, and an impossible date fails its own key instead of the whole file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from essaybook.errors import SourceError, SourceProblems
from essaybook.labels import language_warnings
from essaybook.paper import PAPERS
from essaybook.rules import Diagnostic
from essaybook.source import Source

if TYPE_CHECKING:
    import yaml

PAPER_SIZES = tuple(PAPERS)

# essaybook's key <- the spellings other tools use for it (compared after _norm: case, '_' and '-' ignored).
ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "subtitle": ("subtitle",),
    "author": ("author", "authors"),
    "date": ("date", "published_at", "publishDate", "pubDate", "published", "created"),
    "modified": ("lastmod", "last_modified_at", "updated", "updated_at", "modified", "dateModified"),
    "lang": ("lang", "language", "locale"),
    "description": ("description", "summary", "excerpt", "custom_excerpt", "abstract", "subheadline"),
    "subject": ("subject", "tags", "categories", "category", "subjects"),
    "keywords": ("keywords",),
    "rights": ("rights", "copyright"),
    "identifier": ("identifier",),
    "cover": ("cover", "image", "cover_image", "feature_image", "featured_image", "images", "banner", "thumbnail"),
    "source_url": ("source_url", "canonical_url", "canonicalURL", "original_url"),
    "notes": ("notes",),
    "paper": ("paper",),
    "paragraph_numbers": ("paragraph_numbers",),
    "dir": ("dir", "direction"),
    "draft": ("draft", "status", "published_state"),
    "slug": ("slug",),
    "bibliography": ("bibliography",),
    "csl": ("csl",),
    "references_title": ("reference-section-title", "references_title"),
}
# Keys that steer a site generator or an editor, not a book: accepted and ignored without a word.
QUIET_KEYS = (
    "layout", "permalink", "weight", "aliases", "type", "comments", "toc", "toc_label", "menu", "url", "id",
    "uuid", "excerpt_separator", "sitemap", "share", "featured", "visibility", "template", "series", "sidebar",
    "eleventyNavigation", "eleventyExcludeFromCollections", "eleventyComputed", "cssclasses", "cssclass",
    "publish", "header", "classes", "redirect_from", "author_profile", "read_time", "related", "mathjax",
    "math", "katex", "link-citations", "nocite", "documentclass", "geometry", "fontsize", "header-includes",
    "toc-depth", "number-sections", "numbersections", "output", "format", "editor", "og_image", "twitter_image",
    "meta_title", "meta_description", "codeMirrorTheme", "disqus", "highlight", "wordpress_id", "guid",
    "post_type", "author_id", "primary_tag", "primary_author", "hidden", "expiryDate", "outputs", "resources",
    "keywords_meta", "linkcolor", "mainfont", "papersize", "lof", "lot", "colorlinks", "tableofcontents",
)
CHECK_ONLY = ("lang-missing",)
_NOTES_KEYS = ("title", "lead", "prompts", "lines")
_LANG = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$")
# The date as the author's clock had it: the calendar part of any timestamp, with or without time and offset.
_STAMP = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt ]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
                    r"\s*(?:Z|z|[+-]\d{2}(?::?\d{2})?)?)?$")
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
class Author:
    """A pandoc author object. The affiliation is printed in the title block; ORCID and email are kept for the
    package metadata only (a handout passed round a class should not carry a student's address)."""

    name: str
    affiliation: str | None = None
    orcid: str | None = None
    email: str | None = None


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
    dir: str | None = None  # "rtl" or "ltr"; None: the language's own direction (labels.direction)
    warnings: tuple[Diagnostic, ...] = ()
    author_details: tuple[Author, ...] = ()  # the same names as ``authors``, with affiliations
    modified: str | None = None
    draft: bool = False
    slug: str | None = None
    bibliography: str | None = None
    bibliography_line: int | None = None
    csl: str | None = None
    csl_line: int | None = None
    references_title: str | None = None

    @property
    def full_title(self) -> str:
        return f"{self.title}: {self.subtitle}" if self.subtitle else self.title


def parse_metadata(source: Source) -> Metadata:
    """The build's entry: the metadata, or ``SourceProblems`` holding every error found (warnings are kept in
    ``Metadata.warnings`` for the build to print)."""
    meta, diagnostics = read_metadata(source)
    errors = [d for d in diagnostics if d.severity == "error"]
    if meta is None or errors:
        raise SourceProblems(errors)
    return meta


def read_metadata(source: Source) -> tuple[Metadata | None, list[Diagnostic]]:
    """Every problem of the front matter in one pass; ``None`` for the metadata when any is an error."""
    reader = _Reader(source)
    diagnostics = list(source.warnings)
    try:
        fields = _load(source)
    except _Broken as exc:
        return None, [*diagnostics, exc.diagnostic]
    meta = reader.read(fields)
    diagnostics += sorted(reader.diagnostics, key=lambda d: (d.line or 0, d.col))
    if meta is None or any(d.severity == "error" for d in reader.diagnostics):
        return None, diagnostics
    # 'lang-missing' is an editor's advice (check reports it); the build does not repeat it on every essay.
    kept = tuple(d for d in diagnostics if d.rule not in CHECK_ONLY)
    return dataclasses.replace(meta, warnings=kept), diagnostics


# --- loading: YAML nodes or TOML tables into fields that know their place -----------------------------------


@dataclass
class _Field:
    key: str  # as the author wrote it
    value: Any
    line: int | None
    col: int = 1
    children: dict[str, tuple[int, int]] = field(default_factory=dict)  # nested key -> (line, col)


class _Broken(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class YamlBool(str):
    """A plain YAML 1.1 boolean (``no``, ``Yes``, ``off``): its text, and the truth value YAML reads in it."""

    truth: bool

    def __new__(cls, text: str, truth: bool) -> YamlBool:
        obj = super().__new__(cls, text)
        obj.truth = truth
        return obj


class YamlStamp(str):
    """A plain YAML timestamp, kept as written: the date is read from the text, in the author's timezone."""


def _load(source: Source) -> list[_Field]:
    if not source.front_matter.strip():
        return []
    if getattr(source, "front_matter_format", "yaml") == "toml":
        return _load_toml(source)
    return _load_yaml(source)


def _load_yaml(source: Source) -> list[_Field]:
    import yaml  # ~20 ms, needed only where front matter is read (a remembered parse is not read again)

    try:
        node = yaml.compose(source.front_matter, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise _Broken(_yaml_problem(source, exc)) from exc
    if node is None:
        return []
    if not isinstance(node, yaml.MappingNode):
        raise _Broken(Diagnostic("source-unreadable", "front matter must be a mapping of 'key: value' lines",
                                 source.path, source.front_matter_line, 1))
    fields = []
    for key_node, value_node in node.value:
        children = {}
        if isinstance(value_node, yaml.MappingNode):
            for k, _ in value_node.value:
                children[str(k.value)] = (source.front_matter_line + k.start_mark.line, k.start_mark.column + 1)
        try:
            value = _construct(value_node)
        except (ValueError, yaml.YAMLError) as exc:
            value = _Unreadable(str(exc))
        fields.append(_Field(str(key_node.value), value, source.front_matter_line + key_node.start_mark.line,
                             key_node.start_mark.column + 1, children))
    return fields


class _Unreadable:
    def __init__(self, reason: str) -> None:
        self.reason = reason


@functools.cache
def _constructor() -> Any:
    import yaml

    return yaml.constructor.SafeConstructor()


def _construct(node: yaml.Node) -> Any:
    """A node as Python values, except that plain booleans and timestamps keep the text the author wrote."""
    import yaml

    if isinstance(node, yaml.ScalarNode):
        if node.style is None and node.tag.endswith(":bool"):
            return YamlBool(node.value, node.value.lower() in ("yes", "true", "on", "y"))
        if node.tag.endswith(":timestamp"):
            return YamlStamp(node.value)
        return _constructor().construct_object(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return [_construct(n) for n in node.value]
    if isinstance(node, yaml.MappingNode):
        return {str(_construct(k)): _construct(v) for k, v in node.value}
    return None


def _yaml_problem(source: Source, exc: yaml.YAMLError) -> Diagnostic:
    """PyYAML's wording, translated into what to do for the mistakes authors make."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    row = mark.line if mark is not None else 0
    line = source.front_matter_line + row
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    text_lines = source.front_matter.split("\n")
    written = text_lines[row] if row < len(text_lines) else ""
    key = written.split(":", 1)[0].strip() if ":" in written else ""
    hint = "fix the YAML syntax"
    if "mapping values are not allowed" in problem and key:
        value = written.split(":", 1)[1].strip().replace('"', '\\"')
        what = "put the title in quotes" if key == "title" else "a value holding ': ' must be in quotes"
        hint = f'{what}: {key}: "{value}"'
    elif "found character '\\t'" in problem or "\t" in written[: len(written) - len(written.lstrip())]:
        hint = "indent with spaces, not tabs"
    elif "cannot start any token" in problem and key:
        hint = f"a value starting with that character must be quoted: {key}: \"…\""
    elif "found undefined alias" in problem or "found undefined tag" in problem:
        hint = f"a value starting with '*', '&' or '!' must be quoted: {key or 'key'}: \"…\""
    elif "expected ',' or ']'" in problem or "expected ',' or '}'" in problem:
        hint = ("close the list with ']' (or the mapping with '}'), or quote a value that holds ',', ':' or "
                "'?' (a question: \"What does it claim?\"), or write the list one '- item' per line")
    elif "expected <block end>" in problem or "could not find expected ':'" in problem:
        hint = "quote the whole value if it holds quotes or ':', and keep each key on its own line"
    return Diagnostic("source-unreadable", f"front matter is not valid YAML ({problem}); {hint}",
                      source.path, line, (mark.column + 1) if mark is not None else 1)


_TOML_PLACE = re.compile(r"\(at line (\d+), column (\d+)\)")


def _load_toml(source: Source) -> list[_Field]:
    import tomllib

    try:
        data = tomllib.loads(source.front_matter)
    except tomllib.TOMLDecodeError as exc:
        place = _TOML_PLACE.search(str(exc))
        row, col = (int(place.group(1)), int(place.group(2))) if place else (1, 1)
        message = _TOML_PLACE.sub("", str(exc)).strip()
        raise _Broken(Diagnostic("source-unreadable", f"front matter is not valid TOML ({message}); fix the "
                                 "TOML syntax (text in \"quotes\", one key = value a line)", source.path,
                                 source.front_matter_line + row - 1, col)) from exc
    text = source.front_matter.split("\n")
    fields = []
    for key, value in data.items():
        line, col = _toml_key_place(text, key)
        children = {}
        if isinstance(value, dict):
            for k in value:
                row, c = _toml_key_place(text, k)
                children[k] = (source.front_matter_line + row if row is not None else None, c)
        fields.append(_Field(key, value, source.front_matter_line + line if line is not None else None, col,
                             children))
    return fields


def _toml_key_place(text: list[str], key: str) -> tuple[int | None, int]:
    pattern = re.compile(rf"^(\s*)(?:\[\[?\s*)?[\"']?{re.escape(key)}[\"']?\s*(=|\]|\.)")
    for row, line in enumerate(text):
        m = pattern.match(line)
        if m:
            return row, len(m.group(1)) + 1
    return None, 1


# --- reading: each key checked on its own ------------------------------------------------------------------


def _norm(key: str) -> str:
    return re.sub(r"[-_\s]", "", key).lower()


_CANONICAL = {_norm(alias): name for name, aliases in ALIASES.items() for alias in aliases}
_QUIET = {_norm(k) for k in QUIET_KEYS}
_SUGGESTIONS = sorted({a for aliases in ALIASES.values() for a in aliases})


class _Reader:
    """Typed access to front-matter values; each problem is recorded at its key and reading goes on."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.diagnostics: list[Diagnostic] = []
        self.fields: dict[str, _Field] = {}
        self.more_subjects: list[_Field] = []

    def report(self, rule: str, message: str, f: _Field | None, child: str | None = None) -> None:
        line, col = (f.line, f.col) if f is not None else (self._top_line(), 1)
        if f is not None and child and child in f.children:
            line, col = f.children[child]
        self.diagnostics.append(Diagnostic(rule, message, self.source.path, line, col))

    def _top_line(self) -> int:
        return self.source.front_matter_line if self.source.front_matter else 1

    def read(self, fields: list[_Field]) -> Metadata | None:
        for f in fields:
            name = _CANONICAL.get(_norm(f.key))
            if name is None:
                if _norm(f.key) not in _QUIET:
                    hint = _suggestion(f.key)
                    self.report("front-matter-unknown-key", f"unknown front matter key '{f.key}' ignored"
                                + (f"; did you mean '{hint}'?" if hint else ""), f)
                continue
            if name == "subject" and name in self.fields:  # tags and categories both: subjects, in order
                self.more_subjects.append(f)
                continue
            if name in self.fields:
                continue  # the first spelling wins ("description" before "summary" when both are there)
            if isinstance(f.value, _Unreadable):
                rule = "front-matter-date" if name in ("date", "modified") else "front-matter-invalid"
                self.report(rule, f"'{f.key}' cannot be read ({f.value.reason}); write a real date as "
                            "YYYY-MM-DD" if rule == "front-matter-date" else f"'{f.key}' cannot be read", f)
                continue
            self.fields[name] = f
        return self._metadata()

    def _metadata(self) -> Metadata | None:
        title = self.text("title")
        if title == "" or (title is None and (self.fields.get("title") is None or self.fields["title"].value is None)):
            self.report("title-missing", "the essay has no title; add 'title: …' to the front matter", None)
        title = title or None
        lang = self.text("lang")
        if lang is None and "lang" not in self.fields:
            self.report("lang-missing", "no 'lang' in the front matter, so the book says it is English; add "
                        "'lang: en' (or the essay's language)", None)
        if lang is not None:
            if not _LANG.match(lang):
                self.report("front-matter-invalid", f"'{lang}' is not a BCP 47 language tag; write e.g. 'en', "
                            "'en-GB' or 'ko'", self.fields["lang"])
                lang = None
            else:
                lang = lang.replace("_", "-")
        source_url = self.text("source_url")
        if source_url and not re.match(r"^https?://[^\s/]+", source_url):
            self.report("front-matter-invalid", f"'{source_url}' is not an http(s) address; write the page's "
                        "full URL", self.fields["source_url"])
            source_url = None
        paper = (self.text("paper") or "a4").lower()
        if paper not in PAPER_SIZES:
            self.report("front-matter-invalid", f"paper '{paper}' is not one of {', '.join(PAPER_SIZES)}",
                        self.fields["paper"])
        direction = (self.text("dir") or "").lower() or None
        if direction not in (None, "ltr", "rtl"):
            self.report("front-matter-invalid", f"dir '{direction}' is not 'rtl' or 'ltr'; leave it out to follow "
                        "the language", self.fields["dir"])
            direction = None
        if lang is not None:
            self.diagnostics += language_warnings(lang, self.source.path, self._line("lang"))
        authors = self.authors()
        subjects = self.text_list("subject")
        for more in self.more_subjects:
            self.fields["subject"] = more
            subjects = tuple(dict.fromkeys(subjects + self.text_list("subject")))
        draft = self.draft()
        cover, cover_line = self.cover()
        bibliography = self.text("bibliography")
        csl = self.text("csl")
        meta_fields = dict(
            subtitle=self.text("subtitle"),
            date=self.date("date") or self.file_name_date(),
            modified=self.date("modified"),
            description=self.text("description"),
            keywords=self.text_list("keywords"),
            rights=self.text("rights"),
            notes=self.notes(),
            paragraph_numbers=self.boolean("paragraph_numbers", default=True),
            slug=self.text("slug"),
            references_title=self.text("references_title"),
        )
        identifier = self.text("identifier")
        if title is None:
            return None
        names = tuple(a.name for a in authors)
        return Metadata(
            title=title, authors=names, author_details=authors, lang=lang or "en", subjects=subjects,
            identifier=identifier or _derived_identifier(title, names, source_url), cover=cover,
            cover_line=cover_line, source_url=source_url, paper=paper, draft=draft, dir=direction,
            bibliography=bibliography, bibliography_line=self._line("bibliography"), csl=csl,
            csl_line=self._line("csl"), **meta_fields,
        )

    def _line(self, name: str) -> int | None:
        f = self.fields.get(name)
        return f.line if f else None

    # typed values

    def text(self, name: str) -> str | None:
        f = self.fields.get(name)
        return None if f is None else self.text_value(f.value, f)

    def text_value(self, value: Any, f: _Field, child: str | None = None) -> str | None:
        shown = f"{f.key}.{child}" if child else f.key
        if value is None:
            return None
        if isinstance(value, YamlBool):
            self.report("front-matter-coerced", f"'{shown}: {value}' is read as the text '{value}' (YAML 1.1 would "
                        f"read it as {str(value.truth).lower()}); quote it to say so: {child or f.key}: "
                        f"\"{value}\"", f, child)
            return str(value)
        if isinstance(value, int | float | dt.date | dt.time) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.report("front-matter-invalid", f"'{shown}' must be text, not {_kind(value)}", f, child)
            return None
        return " ".join(value.split())

    def text_list(self, name: str) -> tuple[str, ...]:
        f = self.fields.get(name)
        if f is None or f.value is None:
            return ()
        items = f.value if isinstance(f.value, list) else [f.value]
        out = []
        for item in items:
            if isinstance(item, YamlBool | YamlStamp):
                item = str(item)
            if not isinstance(item, str):
                self.report("front-matter-invalid", f"'{f.key}' must be text or a list of text, not {_kind(item)}",
                            f)
                return ()
            if item.strip():
                out.append(" ".join(item.split()))
        return tuple(dict.fromkeys(out))

    def authors(self) -> tuple[Author, ...]:
        """A name, a list of names, or pandoc/Hugo/Ghost author objects ``{name, affiliation, orcid, email}``."""
        f = self.fields.get("author")
        if f is None or f.value is None:
            return ()
        items = f.value if isinstance(f.value, list) else [f.value]
        out = []
        for item in items:
            if isinstance(item, YamlBool):
                item = str(item)
            if isinstance(item, str):
                if item.strip():
                    out.append(Author(" ".join(item.split())))
                continue
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                affiliation = item.get("affiliation") or item.get("institute")
                if isinstance(affiliation, list):
                    affiliation = "; ".join(str(a.get("name", a) if isinstance(a, dict) else a)
                                            for a in affiliation)
                elif isinstance(affiliation, dict):
                    affiliation = affiliation.get("name")
                out.append(Author(" ".join(item["name"].split()),
                                  " ".join(str(affiliation).split()) if affiliation else None,
                                  str(item["orcid"]) if item.get("orcid") else None,
                                  str(item["email"]) if item.get("email") else None))
                continue
            if isinstance(item, dict):
                self.report("front-matter-invalid", f"each author mapping in '{f.key}' needs a 'name: …'", f)
            else:
                self.report("front-matter-invalid", f"'{f.key}' must be text or a list of text, not {_kind(item)}",
                            f)
            return ()
        return tuple(out)

    def boolean(self, name: str, default: bool) -> bool:
        f = self.fields.get(name)
        if f is None:
            return default
        value = f.value.truth if isinstance(f.value, YamlBool) else f.value
        if not isinstance(value, bool):
            self.report("front-matter-invalid", f"'{f.key}' must be true or false, not {_kind(value)}", f)
            return default
        return value

    def draft(self) -> bool:
        """``draft: true`` (Hugo, Jekyll, Eleventy, Obsidian) or ``status: draft`` (WordPress, Ghost) builds, with
        a warning: a handout made from a draft is often what a teacher wants, and a silently skipped essay
        would look like a broken build."""
        f = self.fields.get("draft")
        if f is None:
            return False
        value = f.value.truth if isinstance(f.value, YamlBool) else f.value
        if isinstance(value, str):
            value = value.strip().lower() in ("draft", "private", "pending", "scheduled")
        if value is True:
            self.report("front-matter-draft", f"the essay is marked as a draft ('{f.key}'); it is built anyway: "
                        f"remove '{f.key}' when it is ready", f)
            return True
        return False

    def cover(self) -> tuple[str | None, int | None]:
        """``cover:`` must be a file in the essay's folder (the image checks say so if not); the other tools'
        image keys (``feature_image``, Hugo's ``images`` list) are often site paths or web addresses: those are
        used when they name a JPEG or PNG in the folder, and otherwise left out with a warning."""
        f = self.fields.get("cover")
        if f is None or f.value is None:
            return None, None
        value = f.value
        if isinstance(value, dict):  # Hugo themes: cover: {image: …, alt: …}
            value = value.get("image") or value.get("src")
        if isinstance(value, list):
            value = value[0] if value else None
        if value is None:
            return None, None
        if not isinstance(value, str):
            self.report("front-matter-invalid", f"'{f.key}' must be an image's path, not {_kind(value)}", f)
            return None, None
        value = value.strip()
        if _norm(f.key) == "cover":
            problem = self._cover_problem(value, f.line)
            if problem:
                self.report("image-unusable", problem, f)
                return None, None
            return value, f.line
        from essaybook.assets import in_folder_for_site_path

        candidate = value.lstrip("/") if not re.match(r"^[a-z][a-z0-9+.-]*:", value, re.I) else None
        site = in_folder_for_site_path(value if value.startswith(("/", "http:", "https:")) else f"/{value}",
                                       self.source.folder)
        for option in dict.fromkeys(o for o in (candidate, candidate and Path(candidate).name, site) if o):
            if not self._cover_problem(option, f.line):
                return option, f.line
        self.report("front-matter-cover", f"'{f.key}: {value}' is not a JPEG or PNG in the essay's folder, so the "
                    "book gets a typographic cover; copy the image beside the essay and write "
                    f"cover: {Path(value).name or 'cover.jpg'}", f)
        return None, None

    def _cover_problem(self, ref: str, line: int | None) -> str | None:
        """What the build would refuse about a cover (the same checks as every image), or None."""
        from essaybook.assets import check_asset, refuse_outside_references  # assets -> model -> metadata

        try:
            refuse_outside_references([(ref, line)], self.source)
            asset = check_asset(ref, self.source, line)
        except SourceError as exc:
            return exc.message
        if asset.media_type not in ("image/jpeg", "image/png"):
            return (f"cover '{ref}' is {asset.media_type}; e-reader libraries show only JPEG or PNG covers: "
                    "convert it")
        return None

    def file_name_date(self) -> str | None:
        """Jekyll's posts carry their date in their file name (``_posts/2021-08-09-kiln-notes.md``), not in
        their front matter: that date, when the front matter has none."""
        path = getattr(self.source, "path", None)
        m = re.match(r"^(\d{4})-(\d{2})-(\d{2})-", path.name) if path is not None else None
        try:
            return dt.date(*(int(g) for g in m.groups())).isoformat() if m else None
        except ValueError:
            return None

    def date(self, name: str) -> str | None:
        f = self.fields.get(name)
        if f is None or f.value is None:
            return None
        value = f.value
        if isinstance(value, dt.datetime):  # TOML: the offset is kept, so this is the author's own date
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
            return str(value)
        rule = "front-matter-date"
        if isinstance(value, str):
            text = value.strip()
            m = _STAMP.match(text)
            if m:
                try:
                    return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
                except ValueError as exc:
                    self.report(rule, f"'{f.key}' holds an impossible date ({exc}); write a real one as YYYY-MM-DD",
                                f)
                    return None
            if _PARTIAL_DATE.match(text):
                return text
            for layout in ("%B %d, %Y", "%d %B %Y", "%b %d, %Y", "%d %b %Y", "%B %Y", "%a, %d %b %Y %H:%M:%S %z"):
                try:  # "July 17, 2006", as pandoc's title blocks have it; RSS dates from WordPress
                    parsed = dt.datetime.strptime(text, layout).date()
                except ValueError:
                    continue
                return parsed.isoformat()[:7] if layout == "%B %Y" else parsed.isoformat()
        self.report(rule, f"date {str(value)!r} is not a date; write it as YYYY-MM-DD (or YYYY-MM, or YYYY)",
                    f)
        return None

    def notes(self) -> NotesSection:
        f = self.fields.get("notes")
        if f is None or f.value is None:
            return NotesSection()
        value = f.value
        if not isinstance(value, dict):
            self.report("front-matter-invalid", "'notes' must be a mapping with title, lead, prompts and lines", f)
            return NotesSection()
        for k in value:
            if k not in _NOTES_KEYS:
                hint = _suggestion(k, _NOTES_KEYS)
                self.report("front-matter-unknown-key", f"unknown key 'notes.{k}' ignored"
                            + (f"; did you mean '{hint}'?" if hint else ""), f, k)
        lines = value.get("lines", MIN_NOTE_LINES)
        if isinstance(lines, bool | YamlBool) or not isinstance(lines, int) or not 0 <= lines <= 500:
            self.report("front-matter-invalid", "'notes.lines' must be a whole number of ruled lines, 0 to 500",
                        f, "lines")
            lines = MIN_NOTE_LINES
        prompts = value.get("prompts") or []
        if not isinstance(prompts, list) or not all(isinstance(p, str) for p in prompts):
            self.report("front-matter-invalid", "'notes.prompts' must be a list of questions (text)", f, "prompts")
            prompts = []
        return NotesSection(
            title=self.text_value(value.get("title"), f, "title") or None,
            lead=self.text_value(value.get("lead"), f, "lead") or "",
            prompts=tuple(" ".join(p.split()) for p in prompts if p.strip()),
            lines=max(lines, MIN_NOTE_LINES) if lines else 0,
        )


def _suggestion(key: str, known: tuple[str, ...] | list[str] = _SUGGESTIONS) -> str | None:
    """A known key only when ``key`` is one slip away from it (a letter missing, extra, wrong or two swapped;
    two slips for long keys): 'autor' -> 'author', but never 'draft' -> 'date'."""
    lowered = key.lower()
    best = None
    for candidate in known:
        distance = _edits(lowered, candidate.lower())
        limit = 1 if len(candidate) <= 6 else 2
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, candidate)
    return best[1] if best else None


def _edits(a: str, b: str) -> int:
    """Optimal string alignment distance (Levenshtein with adjacent transpositions)."""
    if abs(len(a) - len(b)) > 2:
        return 3
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def _derived_identifier(title: str, authors: tuple[str, ...], source_url: str | None) -> str:
    """A stable ``urn:uuid``: the same essay gets the same identifier on every machine, so readers keep their
    place and highlights across rebuilds, while different essays never collide."""
    identity = "\n".join([title, *authors, source_url or ""])
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'essaybook:' + identity)}"


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
