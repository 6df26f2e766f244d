"""pandoc's bracketed spans, ``[small caps]{.smallcaps}``, ``[le mot]{lang=fr}``: a ``<span>`` with the
attributes (``.underline`` and ``.mark`` as pandoc reads them)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.inlinepatterns import InlineProcessor

from essaybook.mdext.divs import attributes

_SPAN = r"\[(?![\^@!])((?:[^\[\]\\]|\\.|\[[^\[\]]*\])+)\]\{([^{}\n]+)\}"


# pandoc's attributes, every word of them: #id, .class, key=value (quoted or not), or "-" (unnumbered). Anything
# else in the braces means the brackets were the author's text: "\cite[22-23]{smith.1899}" keeps every word.
_ATTRIBUTES = re.compile(r"""\s*(?:(?:[#.][\w:-]+|[\w-]+=(?:"[^"]*"|'[^']*'|[^\s"']+)|-)\s*)+""")


class SpanProcessor(InlineProcessor):
    def handleMatch(self, m, data):  # type: ignore[override]
        if not _ATTRIBUTES.fullmatch(m.group(2)):
            return None, None, None
        attrs = attributes("{" + m.group(2) + "}")
        classes = attrs.get("class", "").split()
        tag = "span"
        if "underline" in classes:
            tag = "u"
        elif "mark" in classes:
            tag = "mark"
        el = etree.Element(tag, attrs)
        el.text = m.group(1)
        return el, m.start(0), m.end(0)


class SpanExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # Before reference links (170), which would read the bracket as a link to nowhere.
        md.inlinePatterns.register(SpanProcessor(_SPAN, md), "eb-spans", 174)
