"""Fenced code wherever CommonMark, pandoc and GitHub read it: at the top level, and inside a list item or a
quotation (a tutorial's steps, an Obsidian callout), where Python-Markdown's ``fenced_code`` sees no fence and
runs the code into a paragraph as an inline code span, its language word shown as code.

pymdown-extensions' SuperFences reads the nested fences. Its default formatter highlights with Pygments; the
book wants what ``fenced_code`` wrote, ``<pre><code class="language-…">`` with the attributes the author gave,
so that the EPUB's sanitizer, the print moves and ``check`` see one shape of code block whatever its place.
"""

from __future__ import annotations

import re

from lxml import etree
from markdown import Markdown
from markdown.preprocessors import Preprocessor
from pymdownx.highlight import HighlightExtension
from pymdownx.superfences import SuperFencesCodeExtension


def _code_block(source: str, language: str, class_name: str, options: dict, md: Markdown,
                classes: list[str] | None = None, id_value: str = "", attrs: dict | None = None, **_: object) -> str:
    """The block as ``fenced_code`` made it: the id and the other classes on ``<pre>``, the language and any
    key=value attributes on ``<code>``."""
    pre = etree.Element("pre")
    if id_value:
        pre.set("id", id_value)
    if classes:
        pre.set("class", " ".join(classes))
    code = etree.SubElement(pre, "code")
    if language:
        code.set("class", f"language-{language}")
    for key, value in (attrs or {}).items():
        try:
            code.set(key, value)
        except ValueError:  # a key no XML attribute can have: the sanitizer would drop it anyway
            continue
    code.text = source + "\n"
    return etree.tostring(pre, encoding="unicode")


# A line SuperFences left for a fence: the quotation's markers and the indentation it stood at, the placeholder.
_PLACEHOLDER = re.compile(r"^(?P<lead>[> \t]*)\x02(?P<key>wzxhzdk:\d+)\x03[ \t]*$")
_ITEM = re.compile(r"^[> \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")


class FenceSpacing(Preprocessor):
    """A fence ends the paragraph above it and the one below starts afresh, as in CommonMark: ``fenced_code``
    put blank lines around its placeholder, SuperFences does not, and Python-Markdown made the code part of
    the paragraph (``<p>Run:<pre>…</pre></p>``, which no reader may nest). A blank line (a quotation's bare
    ``>``) goes in on either side, but next to a list item's own line, where it would loosen a tight list and
    the item holds the code as it is."""

    def __init__(self, md: Markdown, fences: SuperFencesCodeExtension) -> None:
        super().__init__(md)
        self.fences = fences

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        for index, line in enumerate(lines):
            fence = _PLACEHOLDER.match(line)
            if fence is None or self.fences.stash.get(fence["key"], (None, None))[0] is None:
                out.append(line)
                continue
            blank = fence["lead"].rstrip() if ">" in fence["lead"] else ""
            if out and out[-1].strip(" \t>") and not _ITEM.match(out[-1]):
                out.append(blank)
            out.append(line)
            after = lines[index + 1] if index + 1 < len(lines) else ""
            if after.strip(" \t>") and not _ITEM.match(after) and not _PLACEHOLDER.match(after):
                out.append(blank)
        return out


class FenceExtension(SuperFencesCodeExtension):
    def __init__(self) -> None:
        super().__init__(custom_fences=[{"name": "*", "class": "", "format": _code_block}])

    def extendMarkdown(self, md: Markdown) -> None:
        """SuperFences registers pymdown's highlight extension by name, which makes Python-Markdown read every
        installed package's entry points (~15 ms a build); it is given as an instance instead."""
        register = md.registerExtensions

        def by_instance(extensions: list, configs: dict) -> Markdown:
            return register([HighlightExtension(**configs.get(name, {})) if name == "pymdownx.highlight" else name
                             for name in extensions], {})

        md.registerExtensions = by_instance
        try:
            super().extendMarkdown(md)
        finally:
            del md.registerExtensions
        md.preprocessors.register(FenceSpacing(md, self), "eb-fence-spacing", 24.99)
