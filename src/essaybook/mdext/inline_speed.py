"""Python-Markdown's two inline passes (its own and smarty's), made cheaper without changing what they produce.

Why: the parse is on a PDF's critical path (the layout process waits for the page), and on pandoc's manual
(50,000 words, 11,700 runs of text) the two inline passes were 0.37 s of a 0.73 s parse. Two of their costs were
not the patterns' own work:

- ``InlineProcessor`` looks each pattern up in its ``Registry`` by position, once per pattern per run of text
  (245,000 lookups on the manual, each checking the sort order first). Here it reads a tuple made when the pass
  starts, so a pattern registered by then (some extensions register while parsing) still takes part.
- smarty's pass tries its eighteen patterns on every run of text, though every one of them needs a quote, ``--``,
  ``...``, ``<<`` or ``>>`` to match: a run with none of those is passed by after one search (0.17 s → 0.04 s on
  the manual). Only while smarty's patterns are the ones it is known to register: an unknown one (a later
  smarty, another extension's) turns the shortcut off.

The shortcut overrides ``InlineProcessor``'s private ``__handleInline`` (its per-run loop; Python-Markdown has no
public hook there). Where a Python-Markdown has no such method, the pass runs as it comes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown.extensions import smarty
from markdown.treeprocessors import InlineProcessor

# The patterns smarty registers (markdown/extensions/smarty.py), each needing one of _SMARTY_NEEDS to match.
_SMARTY_PATTERNS = frozenset({
    smarty.singleQuoteStartRe, smarty.doubleQuoteStartRe, smarty.doubleQuoteSetsRe, smarty.singleQuoteSetsRe,
    smarty.doubleQuoteSetsRe2, smarty.singleQuoteSetsRe2, smarty.decadeAbbrRe, smarty.openingSingleQuotesRegex,
    smarty.closingSingleQuotesRegex, smarty.closingSingleQuotesRegex2, smarty.remainingSingleQuotesRegex,
    smarty.openingDoubleQuotesRegex, smarty.closingDoubleQuotesRegex, smarty.closingDoubleQuotesRegex2,
    smarty.remainingDoubleQuotesRegex,
    r"(?<!-)---(?!-)", r"(?<!-)--(?!-)", r"(?<!\.)\.{3}(?!\.)", r"\<\<", r"\>\>",
})
_SMARTY_NEEDS = re.compile(r"""['"]|--|\.\.\.|<<|>>""")
_PER_RUN = "_InlineProcessor__handleInline"  # InlineProcessor.__handleInline, as Python names it


class QuickInline(InlineProcessor):
    """An ``InlineProcessor`` that reads its patterns from a tuple, and passes by a run of text in which
    ``needs`` (when given) finds nothing any of its patterns could match."""

    def __init__(self, md: Markdown, patterns: object = None, needs: re.Pattern[str] | None = None) -> None:
        super().__init__(md)
        if patterns is not None:
            self.inlinePatterns = patterns
        self.needs = needs if hasattr(InlineProcessor, _PER_RUN) else None

    def run(self, tree: etree.Element, ancestors: list[str] | None = None) -> etree.Element:
        registry = self.inlinePatterns
        self.inlinePatterns = tuple(registry)  # in priority order, as the Registry hands them out
        try:
            return super().run(tree, ancestors)
        finally:
            self.inlinePatterns = registry

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if self.needs is not None and self.needs.search(data) is None:
            return data
        return getattr(super(), _PER_RUN)(data, patternIndex)


def install(md: Markdown) -> None:
    """Put the quick passes in place of Python-Markdown's ``inline`` (priority 20) and smarty's ``smarty`` (6),
    at their documented priorities; call once every extension is registered. A pass some extension has put
    its own class in place of is left to it."""
    if type(md.treeprocessors["inline"]) in _STOCK:
        md.treeprocessors.register(QuickInline(md), "inline", 20)
    if "smarty" in md.treeprocessors and type(md.treeprocessors["smarty"]) in _STOCK:
        patterns = md.treeprocessors["smarty"].inlinePatterns
        known = all(getattr(p, "pattern", None) in _SMARTY_PATTERNS for p in patterns)
        md.treeprocessors.register(QuickInline(md, patterns, _SMARTY_NEEDS if known else None), "smarty", 6)


_STOCK = (InlineProcessor, QuickInline)  # what ``install`` replaces (again, once more patterns are known)
