"""Obsidian's own Markdown: ``%%comments%%``, ``[[wikilinks]]``, ``![[embeds]]``.

- A comment is the author's private note: it is removed, never printed (a book is not the vault).
- A wikilink to a heading of this essay (``[[#History]]``, ``[[This note#History]]``, or ``[[History]]`` when a
  heading is so named) becomes a link to it; a link to another note keeps its text, and the build says that
  the link points nowhere in the book (``link-broken``), as for any Markdown link to another file.
- ``![[picture.png|alt text]]`` is the image, found in the essay's folder (by path, else by name anywhere inside
  it, as Obsidian finds attachments); a line that is only ``![[Other note]]`` is that note's text, when the note
  is a Markdown file inside the essay's folder (one level deep: an embedded note's own embeds are not followed).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from urllib.parse import quote

from markdown import Extension, Markdown, util
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from essaybook.assets import find_in_folder
from essaybook.mdext import context, outside_code, outside_fences
from essaybook.mdext.headings import words

# A comment is ``%%`` on a line of its own down to the next such line (it may hold blank lines), or ``%%…%%``
# inside one paragraph: a stray ``%%`` (a percent sign doubled, Mermaid's own comments) never hides a paragraph.
_COMMENT = re.compile(r"^[ \t]*%%[ \t]*\n.*?\n[ \t]*%%[ \t]*$|%%(?:[^\n]|\n(?![ \t]*\n))*?%%", re.DOTALL | re.MULTILINE)
_NOTE_EMBED = re.compile(r"^[ \t]*!\[\[([^\]|#\n]+?)(?:#([^\]|\n]*))?(?:\|[^\]\n]*)?\]\][ \t]*$", re.MULTILINE)
_IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg")
WIKILINK_ATTR = "data-eb-wikilink"
WIKILINK_WRITTEN = "data-eb-wikilink-written"  # an unresolved wikilink's target, for its warning
_FRONT = re.compile(r"\A(?:---\n.*?\n(?:---|\.\.\.)[ \t]*\n|\+\+\+\n.*?\n\+\+\+[ \t]*\n)", re.DOTALL)


class CommentPreprocessor(Preprocessor):
    """``%%comments%%`` go (their lines kept as blank lines), and so do block ids (``text ^quote-1``, or ``^id``
    on a line of its own), which Obsidian hides and a link ``[[Note#^quote-1]]`` targets."""

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if "%%" in text:
            text = outside_code(_COMMENT, text, lambda c: "\n" * c.group(0).count("\n"))
            left: list[str] = []
            outside_code(_UNCLOSED, text, lambda m: left.append(m.group(0)) or m.group(0))
            if left:  # Obsidian would hide the rest of the note: a stray "%%" in any other post must not
                context(self.md).report(
                    "comment-unclosed", "a '%%' comment is not closed, so it and the text after it are printed "
                    "as written; end the comment with another '%%' (Obsidian hides everything after it)",
                    needle=left[0])
        if "^" in text:
            text = outside_code(_BLOCK_ID, text, "")
        return text.split("\n")


_UNCLOSED = re.compile(r"%%.{0,30}")  # what is left of a comment's opening once the closed ones are gone
_BLOCK_ID = re.compile(r"(?:(?<=\S)[ \t]+|^[ \t]*)\^[A-Za-z0-9][A-Za-z0-9-]*[ \t]*$", re.MULTILINE)


def _section(note: str, heading: str) -> str | None:
    """The part of ``note`` under ``heading``, down to the next heading of its level or higher."""
    lines = note.split("\n")
    for start, line in enumerate(lines):
        found = _HEADING_LINE.match(line)
        if found and words(found.group(2)) == words(heading):
            level = len(found.group(1))
            end = next((i for i in range(start + 1, len(lines))
                        if (h := _HEADING_LINE.match(lines[i])) and len(h.group(1)) <= level), len(lines))
            return "\n".join(lines[start:end])
    return None


def _block(note: str, block_id: str) -> str | None:
    """The block of ``note`` that Obsidian's ``^block_id`` names: the paragraph whose last line ends with it, or
    the block (a list, a quotation, a table) just before a line that is only the id."""
    blocks = re.split(r"\n[ \t]*\n", note.strip("\n"))
    mark = re.compile(rf"(?:^|[ \t]+)\^{re.escape(block_id)}[ \t]*$")
    for n, block in enumerate(blocks):
        if mark.fullmatch(block.strip()):
            return blocks[n - 1] if n else None
        last = block.rstrip().rsplit("\n", 1)[-1]
        if mark.search(last) and last.strip() != f"^{block_id}":
            return mark.sub("", block.rstrip())
        if block.rstrip().endswith(f"\n^{block_id}"):
            return block.rstrip()[: -len(block_id) - 2]
    return None


_HEADING_LINE = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")


class NoteEmbedPreprocessor(Preprocessor):
    """Before fenced code (25), so the embedded note's code blocks are code."""

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if "![[" not in text:
            return lines
        ctx = context(self.md)

        def embed(m: re.Match[str]) -> str:
            name = m.group(1).strip()
            if name.lower().endswith(_IMAGE_TYPES):
                return m.group(0)
            path = find_in_folder(ctx.folder, name, (".md",))
            if path is None or path.suffix.lower() != ".md":
                ctx.report("embed-unresolved", f"embedded note '{name}' is not a Markdown file in the essay's "
                           "folder; its name is printed instead", needle=m.group(0).strip())
                return f"\n*{name}*\n"
            try:
                note = path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                ctx.report("embed-unresolved", f"embedded note '{name}' cannot be read as UTF-8 text",
                           needle=m.group(0).strip())
                return f"\n*{name}*\n"
            note = _FRONT.sub("", note.replace("\r\n", "\n"))
            heading = (m.group(2) or "").strip()
            if heading.startswith("^"):
                part = _block(note, heading[1:])
                if part is None:
                    ctx.report("embed-unresolved", f"embedded note '{name}' has no block '{heading}'; the whole "
                               "note is printed", needle=m.group(0).strip())
                else:
                    note = part
            elif heading:
                part = _section(note, heading)
                if part is None:
                    ctx.report("embed-unresolved", f"embedded note '{name}' has no heading '{heading}'; the whole "
                               "note is printed", needle=m.group(0).strip())
                else:
                    note = part
            note = _NOTE_EMBED.sub(lambda n: f"*{n.group(1).strip()}*", note)  # one level only
            return "\n" + note.strip("\n") + "\n"

        return outside_fences(text, lambda chunk: _NOTE_EMBED.sub(embed, chunk), inline_code=True).split("\n")


_ESCAPED = re.compile(f"{util.STX}(\\d+){util.ETX}")


def _unescaped(text: str) -> str:
    """The link's text (``InlineProcessor.unescape`` has put back what the escape pattern stashed) with its
    escaped characters read: in a table a wikilink's alias is written ``[[Note\\|alias]]``, so that the table
    keeps the cell whole."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1))), text)


class EmbedProcessor(InlineProcessor):
    """``![[picture.png|alt]]``: the image in the essay's folder."""

    def handleMatch(self, m, data):  # type: ignore[override]
        ctx = context(self.md)
        target, *options = _unescaped(self.unescape(m.group(1))).split("|")
        target = target.split("#", 1)[0].strip()
        alt = next((o.strip() for o in options if o.strip() and not re.fullmatch(r"\d+(x\d+)?", o.strip())), "")
        path = find_in_folder(ctx.folder, target) if target.lower().endswith(_IMAGE_TYPES) else None
        if path is None or ctx.folder is None:
            ctx.report("embed-unresolved", f"embedded file '{target}' is not an image in the essay's folder; its "
                       "name is printed instead", needle=m.group(0))
            el = etree.Element("em")
            el.text = alt or target
            return el, m.start(0), m.end(0)
        rel = path.relative_to(ctx.folder.resolve()).as_posix()
        el = etree.Element("img", {"src": quote(rel), "alt": alt})
        return el, m.start(0), m.end(0)


class WikilinkProcessor(InlineProcessor):
    def handleMatch(self, m, data):  # type: ignore[override]
        target, _, alias = _unescaped(self.unescape(m.group(1))).partition("|")
        note, _, heading = target.partition("#")
        heading = heading.lstrip("^")
        el = etree.Element("a", {WIKILINK_ATTR: target.strip(), "href": quote(note.strip() or "#")})
        el.text = (alias or heading or note).strip()
        return el, m.start(0), m.end(0)


class WikilinkResolver(Treeprocessor):
    """After toc (5) has given headings their ids: a wikilink to a heading of this essay links to it."""

    def run(self, root: etree.Element) -> None:
        ctx = context(self.md)
        ids: dict[str, str] = {}
        for h in root.iter():
            if h.tag in ("h1", "h2", "h3", "h4", "h5", "h6") and h.get("id"):
                ids.setdefault(words("".join(h.itertext())), h.get("id"))
        title = words(ctx.title or "")
        for a in root.iter("a"):
            target = a.attrib.pop(WIKILINK_ATTR, None)
            if target is None:
                continue
            note, _, heading = target.partition("#")
            here = not note.strip() or (title and words(note) == title)
            wanted = words(heading) if heading else (words(note) if not here else "")
            if here and not heading:
                a.set("href", "#title")
            elif wanted in ids and (here or not heading):
                a.set("href", "#" + ids[wanted])
            else:  # another note, or a block: the build keeps the text and says so, quoting it as written
                a.set(WIKILINK_WRITTEN, target.strip())


class ObsidianExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.register(NoteEmbedPreprocessor(md), "eb-note-embeds", 27)
        md.preprocessors.register(CommentPreprocessor(md), "eb-obsidian-comments", 24.5)
        md.inlinePatterns.register(EmbedProcessor(r"!\[\[([^\]\n]+)\]\]", md), "eb-embeds", 178)
        md.inlinePatterns.register(WikilinkProcessor(r"\[\[([^\]\n]+)\]\]", md), "eb-wikilinks", 177)
        md.treeprocessors.register(WikilinkResolver(md), "eb-wikilinks", 4.8)
