"""TeX math (``$…$``, ``\\(…\\)``, ``$$…$$``, ``\\[…\\]``: pandoc, Obsidian, Hugo, Jekyll with MathJax) as MathML.

latex2mathml converts the TeX at parse time, so the one page carries MathML, which EPUB 3 reading systems
render (the manifest item says ``mathml``), with the TeX kept in ``alttext`` for readers that do not. The print
handout draws the same MathML as SVG (``essaybook.mathprint``), since WeasyPrint has no MathML. pandoc's rules
for ``$`` apply: no space inside the dollars, and no digit right after the closing one, so "$5 and $10" is money.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from html import escape

from markdown import Extension, Markdown
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor

from essaybook.mdext import context

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
_INLINE = (r"(?<![\\$])\$\$(?P<d>[^$]+?)\$\$|\\\[(?P<b>.+?)\\\]|\\\((?P<p>.+?)\\\)"
           r"|(?<![\\$\w])\$(?![\s$])(?P<s>(?:[^$\\\n]|\\.|\n(?!\s*\n))+?)(?<![\s\\])\$(?!\d)")
_BLOCK = re.compile(r"^[ \t]*(\$\$|\\\[)[ \t]*\n?(.*?)\n?[ \t]*(\$\$|\\\])[ \t]*$", re.MULTILINE | re.DOTALL)
# What TeX between \[ \] or \( \) on one line has and an escaped bracket does not: a command or an operator,
# a lone variable, or digits in arithmetic. pandoc's own writer escapes brackets, so an essay converted by it says
# "\[sic\]" and "\[1\]": those are brackets, as pandoc reads them.
_TEX_SIGNS = re.compile(r"[\\^_={}+<>|]|^\s*[A-Za-z]\s*$|\d\s*[-*/]\s*\d")


def tex_to_mathml(tex: str, display: bool) -> str:
    """MathML for ``tex`` (ValueError-like exceptions from latex2mathml propagate)."""
    import latex2mathml.converter

    mathml = latex2mathml.converter.convert(tex.strip(), display="block" if display else "inline")
    etree.fromstring(mathml)  # well-formed, or the caller reports it
    return mathml.replace("<math ", f'<math alttext="{escape(" ".join(tex.split()))}" ', 1)


_LABEL = re.compile(r"\\label\s*\{[^{}]*\}")  # an equation's anchor for LaTeX's cross-references: no text
_UNKNOWN = re.compile(r"<m[io][^>]*>(\\[A-Za-z]+)</m[io]>")  # a command latex2mathml does not know, as text


def _render(md: Markdown, tex: str, display: bool, written: str) -> str | etree.Element:
    tex = _LABEL.sub("", tex)
    try:
        html = tex_to_mathml(tex, display)
    except Exception as exc:  # latex2mathml raises its own exception types and IndexError on odd input
        context(md).report("math-invalid", f"TeX '{' '.join(tex.split())[:40]}' could not be converted to "
                           f"MathML ({type(exc).__name__}); it is printed as TeX code", needle=written)
        code = etree.Element("code", {"class": "math-tex"})
        code.text = tex.strip()
        return code
    unknown = list(dict.fromkeys(_UNKNOWN.findall(html)))
    if unknown:
        context(md).report("math-invalid", f"TeX {', '.join(unknown)} is not a command essaybook knows (a typo?); "
                           "it is printed as written, in the formula", needle=written)
    return md.htmlStash.store(html)


class InlineMathProcessor(InlineProcessor):
    def handleMatch(self, m, data):  # type: ignore[override]
        display = m.group("d") is not None or m.group("b") is not None
        tex = next(g for g in m.group("d", "b", "p", "s") if g is not None)
        if (m.group("b") is not None or m.group("p") is not None) and not _TEX_SIGNS.search(tex):
            return None, None, None  # an escaped bracket or parenthesis: 'escape' prints it
        return _render(self.md, tex, display, m.group(0)), m.start(0), m.end(0)


class BlockMathPreprocessor(Preprocessor):
    """A ``$$ … $$`` or ``\\[ … \\]`` block on lines of its own is a display equation, a block of its own."""

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if "$$" not in text and "\\[" not in text:
            return lines

        def block(m: re.Match[str]) -> str:
            if (m.group(1) == "$$") != (m.group(3) == "$$"):
                return m.group(0)
            if m.group(1) != "$$" and "\n" not in m.group(0).strip() and not _TEX_SIGNS.search(m.group(2)):
                return m.group(0)  # "\[1\]" alone on its line: a bracketed number, as pandoc reads it
            rendered = _render(self.md, m.group(2), True, m.group(0).strip())
            indent = m.group(0)[:len(m.group(0)) - len(m.group(0).lstrip(" \t"))]
            if not isinstance(rendered, str):
                return "\n```tex\n" + m.group(2).strip() + "\n```\n"
            if indent:  # inside a list item or a note: raw HTML cannot open there, a placeholder can
                return "\n" + indent + self.md.htmlStash.store(f'<div class="math-display">{rendered}</div>') + "\n"
            return f'\n<div class="math-display">{rendered}</div>\n'

        return _BLOCK.sub(block, text).split("\n")


class MathExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.register(BlockMathPreprocessor(md), "eb-math-blocks", 23.8)  # after code is stashed
        md.inlinePatterns.register(InlineMathProcessor(_INLINE, md), "eb-math", 185)  # before 'escape' (180)
