"""A read page becomes an essay: front matter, Markdown body, images, and a warning for each thing not kept.

Every warning is a ``rules.Diagnostic`` (rule ids ``import-…``), so the CLI prints them the way it prints a
build's. The front matter is written by PyYAML (every value quoted as YAML needs), never by formatting
strings; the body by ``markdown.Writer``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from essaybook import labels
from essaybook.importer import extract as ex
from essaybook.importer import text as tx
from essaybook.importer.fetch import FetchError
from essaybook.importer.lang import guess as guess_lang
from essaybook.importer.markdown import Writer, attribute, escape_text
from essaybook.importer.read import Page
from essaybook.rules import Diagnostic

MIN_SIDE = 40  # px: smaller images are spacers and icons, not figures


class ImportFailed(Exception):
    """This source cannot become an essay; the message is one line for the user."""


@dataclass
class Essay:
    front: dict
    body: str
    images: dict[str, bytes]  # file name in images/ -> bytes
    slug: str
    warnings: list[Diagnostic] = field(default_factory=list)

    def markdown(self) -> str:
        front = yaml.safe_dump(self.front, allow_unicode=True, sort_keys=False, width=100_000,
                               default_flow_style=False)
        return f"---\n{front}---\n\n{self.body.rstrip()}\n"

    @property
    def words(self) -> int:
        return count_words(self.body)


def count_words(markdown: str) -> int:
    text = re.sub(r"<!--.*?-->", " ", markdown, flags=re.S)
    text = re.sub(r"\]\([^)]*\)(\{[^}]*\})?", "] ", text)
    return len(re.findall(r"\w+(?:[’'\-]\w+)*", text))


def make_essay(page: Page, source: str) -> Essay:
    if page.kind == "text":
        return _from_text(page, source)
    return _from_html(page, source)


def _from_html(page: Page, source: str) -> Essay:
    got = ex.extract(page.html, page.base_url, page.given_url, page.resolve_images)
    where = Path(source) if "://" not in source else None
    warnings: list[Diagnostic] = []

    def warn(rule: str, message: str) -> None:
        warnings.append(Diagnostic(rule, message, where) if where else Diagnostic(rule, f"{source}: {message}"))

    if got.body is None or not "".join(got.body.itertext()).strip():
        raise ImportFailed("no article text found in the page")
    _drop_headline(got.body, got.title)
    for el in list(got.body.iter("p", "div", "li", "h2", "h3", "h4", "h5", "h6")):
        # what the extractor let through of the page's furniture: "Continue reading the main story", "Share this:"
        if el.getparent() is not None and tx.is_chrome(el.text_content()):
            ex.remove_keep_tail(el)
    images: dict[str, bytes] = {}
    used_figures: set[int] = set()
    used_notes: list[int] = []

    def figure(n: int) -> str:
        used_figures.add(n)
        return _figure_markdown(got.figures[n], page, images, warn)

    def note_ref(n: int) -> str:
        if n not in used_notes:
            used_notes.append(n)
        return f"[^{used_notes.index(n) + 1}]"

    writer = Writer(got.base, figure, note_ref)
    body = writer.document(got.body)
    notes_md = []
    for index, n in enumerate(used_notes, start=1):
        note = next((x for x in got.notes if x.number == n), None)
        if note is None:
            continue
        text = "\n\n".join(writer.blocks(note.body)).strip()
        # the brackets a backlink stood in (written as character references by markdown._escape)
        text = re.sub(r"\s*(?:\\?[\[(]|&#91;|&#40;)\s*(?:\\?[\])]|&#93;|&#41;)\s*$", "", text) or "(empty note)"
        lines = text.splitlines()
        notes_md.append(f"[^{index}]: " + lines[0] + "".join(f"\n    {line}" if line else "\n" for line in lines[1:]))
    lost = [x for x in got.notes if x.number not in used_notes]
    for x in lost:
        warn("import-footnote", f"footnote {x.number} dropped: its call was not in the article's text")
    for fig in got.figures:
        if fig.caption and int(fig.token[6:-1]) not in used_figures:
            warn("import-image", f"figure '{_short(fig.caption)}' dropped: it was outside the article's text")
    for what in got.dropped:
        warn("import-content", what)
    if notes_md:
        body = body.rstrip() + "\n\n" + "\n".join(notes_md) + "\n"
    title = got.title or _first_heading(got.body) or _first_words(got.body) or page.name
    if not got.title:
        warn("import-metadata", "the page names no headline; the title is a guess: check it")
    lang = got.lang or guess_lang(" ".join(got.body.itertext()))
    front = _front(title, got.authors, got.date, lang, got.description, got.source_url, got.rights)
    if not lang:
        warn("import-metadata", "the page does not say its language and its words do not tell; add lang: to the "
                                "front matter")
    return Essay(front, body, images, slugify(title, page.name), warnings)


def _from_text(page: Page, source: str) -> Essay:
    capture = tx.read(page.html)
    where = Path(source) if "://" not in source else None
    warnings: list[Diagnostic] = []
    if not capture.paragraphs:
        raise ImportFailed("no article text found in the capture")
    blocks = [escape_text(p) for p in capture.paragraphs]
    for index, caption, credit, label in reversed(capture.orphan_captions):
        text = caption + (f" ({label})" if credit == "" and label else f" ({credit})" if credit else "")
        blocks.insert(index, f"<!-- figure not in the capture: {_comment(text)} -->")
        warnings.append(Diagnostic("import-caption", f"caption '{_short(caption)}' kept as a comment: the capture "
                                   "holds no image" + (f", and its credit is empty ('{label}')" if credit == ""
                                                       else ""), where))
    title = capture.title or page.name
    if not capture.title:
        warnings.append(Diagnostic("import-metadata", "no headline found; the title is the file name", where))
    lang = guess_lang(" ".join(capture.paragraphs))
    front = _front(title, [], None, lang, None, page.given_url, None)
    if not lang:
        warnings.append(Diagnostic("import-metadata", "the capture does not say its language and its words do not "
                                   "tell; add lang: to the front matter", where))
    return Essay(front, "\n\n".join(blocks) + "\n", {}, slugify(title, page.name), warnings)


def _front(title: str, authors: list[str], date: str | None, lang: str | None, description: str | None,
           source_url: str | None, rights: str | None) -> dict:
    front: dict = {"title": title}
    if authors:
        front["author"] = authors[0] if len(authors) == 1 else authors
    if date:
        front["date"] = date
    if lang:
        front["lang"] = lang
    if description and description != title:
        front["description"] = description
    if source_url:
        front["source_url"] = source_url
    if rights:
        front["rights"] = rights
    front["notes"] = {"lead": labels.label(lang or "en", "notes_lead")}  # in the essay's language (labels.json)
    return front


def _figure_markdown(fig, page: Page, images: dict[str, bytes], warn) -> str:
    credit = fig.credit if fig.credit else (fig.credit_label if fig.credit == "" else None)
    if fig.credit == "" and fig.caption:
        warn("import-caption", f"the credit of '{_short(fig.caption)}' is empty ('{fig.credit_label}'); "
                               "find who to credit")
    errors = []
    for url in fig.sources:
        try:
            picture = page.images(url)
        except FetchError as exc:
            errors.append(str(exc))
            continue
        if min(picture.width, picture.height) < MIN_SIDE:
            return ""  # a spacer or an icon
        name = _image_name(url, picture.extension, images)
        images[name] = picture.data
        attrs = []
        if fig.alt and fig.alt != fig.caption:
            attrs.append(f'alt="{attribute(fig.alt)}"')
        if credit:
            attrs.append(f'credit="{attribute(credit)}"')
        if not fig.alt and not fig.caption:
            warn("import-image", f"image images/{name} has no alt text; describe it with {{alt=\"…\"}}")
        caption = escape_text(fig.caption) if fig.caption else ""
        return f"![{caption}](images/{name})" + ("{" + " ".join(attrs) + "}" if attrs else "")
    if not fig.sources:
        return ""
    shown = fig.sources[0] if not fig.sources[0].startswith("data:") else "data: URL"
    what = f"{shown}" + (f" — {fig.caption}" if fig.caption else f" — alt: {fig.alt}" if fig.alt else "") + (
        f" ({credit})" if credit else "")
    warn("import-image", f"image {_short(shown, 100)} not kept: {errors[0] if errors else 'no source'}")
    return f"<!-- image not kept: {_comment(what)} -->"


def _image_name(url: str, extension: str, taken: dict[str, bytes]) -> str:
    stem = Path(unquote(urlsplit(url).path)).stem if not url.startswith("data:") else "image"
    stem = slugify(stem, "image")[:40] or "image"
    name = f"{stem}{extension}"
    n = 2
    while name in taken:
        name = f"{stem}-{n}{extension}"
        n += 1
    return name


def _drop_headline(body, title: str | None) -> None:
    """The headline is the title; the extractor sometimes keeps it as the body's first heading."""
    if not title:
        return
    for el in body.iter("h1", "h2", "h3"):
        if " ".join(el.text_content().split()).casefold() == title.casefold():
            el.getparent().remove(el)
        break


def _first_heading(body) -> str | None:
    for el in body.iter("h1", "h2"):
        text = " ".join(el.text_content().split())
        if text:
            return text
    return None


def _first_words(body, n: int = 8) -> str | None:
    words = " ".join(body.itertext()).split()
    if not words:
        return None
    return " ".join(words[:n]) + ("…" if len(words) > n else "")


def slugify(text: str, fallback: str = "essay") -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    slug = "-".join(slug.split("-")[:8])[:60].strip("-")
    if len(slug) < 3 and fallback != text:
        return slugify(fallback, "essay")
    return slug or "essay"


def _comment(text: str) -> str:
    return " ".join(text.split()).replace("--", "- -").replace(">", "&gt;")


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
