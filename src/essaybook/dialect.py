"""The Markdown dialect essaybook reads: Python-Markdown configured for the Markdown authors actually write.

Posts come from Jekyll (kramdown), Hugo (Goldmark), Eleventy, WordPress exports, Ghost, Obsidian and pandoc.
One ``markdown.Markdown`` reads them all: the built-in extensions essaybook always had, pymdown-extensions for
details and admonition blocks, fences anywhere (SuperFences) and bare addresses as links (MagicLink, as GitHub,
Obsidian and Hugo link them: ``mdext.magic``), and the small extensions in ``essaybook.mdext`` for what no
package does right: CommonMark list nesting (``mdext.lists``: ``tab_length`` stays 4, so indented code is still
code, while ``mdx_truly_sane_lists`` nests two-space lists but then no longer four-space ones), strike, sub- and
superscript and highlight (``mdext.marks``: pymdown's nest on bare marker runs), and the constructs of each tool.
Every construct that is dropped or rewritten reports a ``rules.Diagnostic`` through the context.
"""

from __future__ import annotations

import re

import markdown
from markdown.extensions.toc import slugify_unicode

from essaybook.extensions import BookExtension
from essaybook.mdext import Context, context
from essaybook.rules import Diagnostic

# Curly quotes, dashes and ellipses as characters: smarty's default named entities are not XML.
_SMARTY = {
    "left-single-quote": "\u2018", "right-single-quote": "\u2019",
    "left-double-quote": "\u201c", "right-double-quote": "\u201d",
    "left-angle-quote": "\u00ab", "right-angle-quote": "\u00bb",
    "ndash": "\u2013", "mdash": "\u2014", "ellipsis": "\u2026",
}


def smart_quotes(lang: str | None) -> dict[str, str]:
    """smarty's marks as characters, a straight double quote becoming the book's language's quotation marks
    (``labels.json``, from CLDR): „…“ in German, «…» in French (with the narrow no-break spaces French sets
    inside them), 「…」 in Japanese, as a word processor sets them for the language. Single quotes stay ‘ ’:
    smarty cannot tell a closing one from an apostrophe, and the apostrophe is ’ in every one of these
    languages."""
    from essaybook import labels

    marks = dict(_SMARTY)
    if lang:
        marks["left-double-quote"] = labels.label(lang, "quote_open")
        marks["right-double-quote"] = labels.label(lang, "quote_close")
    return marks


_NAME_START = re.compile(r"^[^\W\d]", re.UNICODE)
_NOT_NAME = re.compile(r"[^\w.\-]", re.UNICODE)


def make_markdown(source=None, meta=None, lang: str | None = None) -> markdown.Markdown:
    """The Markdown dialect authors expect from pandoc-like tools, configured to emit XML-safe output.

    ``source`` and ``meta`` (an essay's ``Source`` and ``Metadata``) give the extensions the essay's folder,
    its title and its bibliography; without them (a Notes prompt, a check) those constructs have nothing to
    resolve against. ``lang`` (else ``meta``'s) decides the quotation marks.
    """
    # Instances, not names: a name makes Python-Markdown look it up among every installed package's entry
    # points (importlib.metadata), ~50 ms a build.
    from markdown.extensions import (
        abbr,
        admonition,
        attr_list,
        def_list,
        md_in_html,
        sane_lists,
        smarty,
        tables,
        toc,
    )

    from essaybook.mdext import inline_speed
    from essaybook.mdext.breaks import BackslashBreakExtension
    from essaybook.mdext.callouts import CalloutExtension
    from essaybook.mdext.citations import CitationExtension
    from essaybook.mdext.closing_quotes import ClosingQuoteExtension
    from essaybook.mdext.definitions import TildeDefinitionExtension
    from essaybook.mdext.divs import FencedDivExtension
    from essaybook.mdext.escapes import EscapeExtension
    from essaybook.mdext.fences import FenceExtension
    from essaybook.mdext.footnote_numbers import NumberedFootnotes
    from essaybook.mdext.headings import HeadingExtension
    from essaybook.mdext.hebrew_marks import HebrewMarkExtension
    from essaybook.mdext.html_blocks import HtmlBlockMarkdownExtension
    from essaybook.mdext.inline_notes import InlineNoteExtension
    from essaybook.mdext.line_blocks import LineBlockExtension
    from essaybook.mdext.lists import ListIndentExtension
    from essaybook.mdext.magic import ProseLinkExtension
    from essaybook.mdext.marks import MarksExtension
    from essaybook.mdext.math import MathExtension
    from essaybook.mdext.obsidian import ObsidianExtension
    from essaybook.mdext.pandoc_tables import PandocTableExtension
    from essaybook.mdext.quotes import QuoteExtension
    from essaybook.mdext.raw_formats import RawFormatExtension
    from essaybook.mdext.spans import SpanExtension
    from essaybook.mdext.tasks import TaskListExtension
    from essaybook.mdext.templates import TemplateTagExtension
    from essaybook.mdext.wordpress import WordPressShortcodeExtension

    quotes = smart_quotes(lang or (meta.lang if meta else None))
    md = markdown.Markdown(
        extensions=[NumberedFootnotes(SEPARATOR="-", BACKLINK_TEXT="\u21a9\ufe0e"), tables.TableExtension(),
                    attr_list.AttrListExtension(), def_list.DefListExtension(), abbr.AbbrExtension(),
                    FenceExtension(), md_in_html.MarkdownInHtmlExtension(),
                    smarty.SmartyExtension(substitutions=quotes), ClosingQuoteExtension(),
                    toc.TocExtension(slugify=_slugify, permalink=False),
                    sane_lists.SaneListExtension(), admonition.AdmonitionExtension(), *_block_extensions(source),
                    BookExtension(), TemplateTagExtension(), ObsidianExtension(), InlineNoteExtension(),
                    FencedDivExtension(), SpanExtension(), LineBlockExtension(), BackslashBreakExtension(),
                    EscapeExtension(), QuoteExtension(), TaskListExtension(), ListIndentExtension(), MarksExtension(),
                    CalloutExtension(), HeadingExtension(), MathExtension(), CitationExtension(),
                    PandocTableExtension(), TildeDefinitionExtension(), WordPressShortcodeExtension(),
                    RawFormatExtension(), ProseLinkExtension(), HtmlBlockMarkdownExtension(), HebrewMarkExtension(),
                    *_emoji_extension(source)],
        output_format="xhtml",
    )
    inline_speed.install(md)
    ctx = context(md)
    ctx.closing_double_quote = quotes["right-double-quote"]
    if source is not None:
        ctx.path, ctx.folder, ctx.body, ctx.body_line = source.path, source.folder, source.body, source.body_line
    if meta is not None:
        ctx.title, ctx.lang = meta.title, meta.lang
        ctx.bibliography, ctx.bibliography_line = meta.bibliography, meta.bibliography_line
        ctx.csl, ctx.csl_line = meta.csl, meta.csl_line
        ctx.references_title = meta.references_title
    return md


_BLOCK_SYNTAX = re.compile(r"^[ \t]*(\?\?\?|///)", re.MULTILINE)


# A name holds a letter or a digit: a table's centred column (``|:---:|``, ``+:===:+``) is no shortcode.
_SHORTCODE = re.compile(r":[a-z0-9_+-]*[a-z0-9][a-z0-9_+-]*:")


def _emoji_extension(source) -> list:
    """GitHub's and Slack's ``:tada:`` shortcodes as the emoji themselves (the gemoji index), only for an
    essay that has one: the index costs ~90 ms to import."""
    if source is not None and not _SHORTCODE.search(source.body):
        return []
    from essaybook.mdext.magic import ApartEmojiExtension

    return [ApartEmojiExtension()]


def _block_extensions(source) -> list:
    """pymdown's ``??? details`` and ``/// admonition`` blocks, only for an essay that uses them (or when there is
    no essay to look at): importing them costs ~65 ms, a sixth of an EPUB build."""
    if source is not None and not _BLOCK_SYNTAX.search(source.body):
        return []
    from pymdownx import details
    from pymdownx.blocks.admonition import AdmonitionExtension as BlockAdmonitionExtension

    return [details.DetailsExtension(), BlockAdmonitionExtension()]


def diagnostics(md: markdown.Markdown) -> list[Diagnostic]:
    """What the dialect's extensions dropped or rewrote in the last conversion."""
    ctx: Context = context(md)
    return list(ctx.diagnostics)


def _slugify(value: str, separator: str) -> str:
    return xml_name(slugify_unicode(value, separator) or "section")


def xml_name(value: str) -> str:
    """An id EPUBCheck and the NCX accept: an XML name without colons, starting with a letter."""
    value = _NOT_NAME.sub("-", value).strip("-") or "id"
    return value if _NAME_START.match(value) else f"x-{value}"
