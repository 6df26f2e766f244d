"""Liquid, Nunjucks and Hugo template tags are not Markdown: essaybook does not run them, and never prints them.

Jekyll, Eleventy and Hugo posts carry ``{% include … %}``, ``{{ site.baseurl }}``, ``{# … #}`` and Hugo
shortcodes ``{{< … >}}``. The few whose meaning is plain are kept as what they mean (``{% highlight %}`` and
Hugo's ``highlight`` are code blocks, Hugo's ``figure`` is a figure, ``{% raw %}`` keeps its text literally,
in code too, ``{% comment %}`` hides its text as Jekyll does, an address written as ``{{ "/img/a.png" |
relative_url }}`` is that path); every other tag is removed, the words its arguments carry for the reader
(a notice's title, a summary, a caption) are kept in its place, and the file gets one ``template-tags``
warning naming them all.
"""

from __future__ import annotations

import re

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

from essaybook.mdext import CODE_SPAN, arguments, as_block, context, inside_fences, outside_fences

_HIGHLIGHT = re.compile(r"^([ \t]*)(?:\{%-?\s*highlight\s+([\w+-]+)[^%]*-?%\}|\{\{<\s*highlight\s+([\w+-]+)[^>]*>\}\})"
                        r"[ \t]*\n(.*?)\n[ \t]*(?:\{%-?\s*endhighlight\s*-?%\}|\{\{<\s*/highlight\s*>\}\})[ \t]*$",
                        re.MULTILINE | re.DOTALL)
_FIGURE = re.compile(r"\{\{<\s*figure\s+([^>]*?)/?\s*>\}\}")
_TAG = re.compile(r"\{%-?.*?-?%\}|\{\{-?.*?-?\}\}|\{#[\s-][^\n]*?#\}", re.DOTALL)
_TOKENS = re.compile(f"{CODE_SPAN.pattern}|{_TAG.pattern}", re.DOTALL)
# A link whose whole address is a tag (Hugo's ``[map]({{< ref "maps.md" >}})``): its text stays, the link goes.
_TAG_LINK = re.compile(r"(?<!!)\[([^\]\n]*)\]\(\s*(\{\{.*?\}\}|\{%.*?%\})\s*\)")
# Hugo's way to print a shortcode, ``{{</* figure src="x" */>}}``: it shows ``{{< figure src="x" >}}``.
_SHOWN_SHORTCODE = re.compile(r"\{\{([<%])/\*(.*?)\*/([>%])\}\}", re.DOTALL)
_NAME = re.compile(r"^\{([%{#])[-<%]?\s*/?\s*([^\s%}>\"'(|]*)")
# Jekyll runs Liquid before Markdown, so ``{% raw %}`` never shows, in code neither: its text is what shows.
_RAW_MARK = re.compile(r"\{%-?\s*(?:end)?raw\s*-?%\}")
# An address that is a Liquid string with filters, ``({{ "/assets/a.png" | relative_url }})``: the path itself.
_STRING_ADDRESS = re.compile(r"\]\(\s*\{\{-?\s*([\"'])([^\"'\s{}]+)\1\s*(?:\|[^}]*)?-?\}\}")
_COMMENT_OPEN = re.compile(r"^\{%-?\s*comment\b")
_COMMENT_CLOSE = re.compile(r"^\{%-?\s*endcomment\b")
# The arguments a tag carries for the reader: named ones, and quoted phrases (``"Mind the ice"``, ``"°C"``),
# not a single lower-case word (``"warning"``, a language) nor a path or address.
_TEXT_ARGUMENTS = ("title", "summary", "caption", "header", "heading", "label", "text", "quote", "author",
                   "cite", "source", "description")
_LIQUID_LOGIC = re.compile(r"^(?:assign|capture|if|elsif|else|unless|case|when|for|cycle|increment|decrement|liquid|"
                           r"echo|tablerow|break|continue)\b")
_QUOTED = re.compile(r"(?<![=\w])([\"“])(.+?)[\"”]")
_NOT_TEXT = re.compile(r"^[a-z][\w-]*$|^[\w.-]*[/.][\w./#?=&%-]*$|=")


def _shown_shortcode(m: re.Match[str]) -> str:
    return f"{{{{{m.group(1)}{m.group(2)}{m.group(3)}}}}}"


def _fence(m: re.Match[str]) -> str:
    """The highlighted code as a fence where the tag stood, a list item's indentation kept, so the code stays
    in the item (mdext.fences reads fences there)."""
    indent = m.group(1)
    return f"{indent}```{m.group(2) or m.group(3)}\n{m.group(4)}\n{indent}```"


def _figure(m: re.Match[str]) -> str:
    args = arguments(m.group(1))
    if "src" not in args:
        return m.group(0)
    return as_block(m.string, m.start(), m.end(), _image(args))


def _image(args: dict[str, str]) -> str:
    caption = args.get("caption") or args.get("title") or ""
    if args.get("title") and args.get("caption") and args["title"] not in args["caption"]:
        caption = f"**{args['title']}** {args['caption']}"  # Hugo prints the title above the caption
    credit = args.get("attr")
    attrs = " ".join(f'{name}="{value}"' for name, value in (("alt", args.get("alt")), ("credit", credit))
                     if value and '"' not in value)
    return f"![{caption}]({args['src']})" + (f"{{{attrs}}}" if attrs else "")


def _shown(tag: str) -> str:
    m = _NAME.match(tag)
    kind, name = (m.group(1), m.group(2)) if m else ("%", "")
    if tag.startswith("{{<") or tag.startswith("{{%"):
        return f"{{{{< {name} >}}}}"
    if kind == "{":
        return f"{{{{ {name} }}}}"
    if kind == "#":
        return "{# … #}"
    return f"{{% {name} %}}"


class TemplateCodePreprocessor(Preprocessor):
    """Before fenced code (25): highlight tags become fences, figure shortcodes become images; both stay as
    written inside code, where a post about Jekyll or Hugo shows them."""

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if "{%" not in text and "{{" not in text:
            return lines
        if "{{</*" in text or "{{%/*" in text:  # shown as code outside code, as written inside it
            text = outside_fences(text, lambda chunk: _SHOWN_SHORTCODE.sub(lambda m: f"`{_shown_shortcode(m)}`", chunk),
                                  inline_code=True)
            text = _SHOWN_SHORTCODE.sub(_shown_shortcode, text)
        text = outside_fences(text, lambda chunk: _HIGHLIGHT.sub(_fence, chunk))
        text = outside_fences(text, lambda chunk: _FIGURE.sub(_figure, chunk), inline_code=True)
        if "raw" in text:
            text = inside_fences(text, lambda code: _RAW_MARK.sub("", code))
        return text.split("\n")


def _words_of(tag: str) -> str:
    """What a removed tag says to the reader: a Hugo shortcode's or a Liquid ``include``'s text arguments (its
    title, caption, summary), in the order written; nothing of a variable (``{{ page.title }}``), a comment, a
    closing tag or Liquid's own logic (``{% assign %}``, ``{% if %}``)."""
    shortcode = tag.startswith(("{{<", "{{%"))
    if not shortcode and not tag.startswith("{%"):
        return ""
    inner = re.sub(r"^\{[{%][<%]?-?|-?[>%]?[}%]\}$", "", tag).strip()
    if inner.startswith("/") or (not shortcode and _LIQUID_LOGIC.match(inner)):
        return ""
    named = arguments(inner)
    words = [named[name] for name in _TEXT_ARGUMENTS if named.get(name)]
    if shortcode:  # Hugo's positional arguments: ``{{< notice warning "Mind the ice" >}}``
        bare = re.sub(r"""[\w-]+=(?:"[^"]*"|'[^']*'|\S+)""", " ", inner)
        words += [m.group(2) for m in _QUOTED.finditer(bare) if not _NOT_TEXT.match(m.group(2))]
    return " — ".join(dict.fromkeys(w.strip() for w in words if w.strip()))


class TemplateTagPreprocessor(Preprocessor):
    """After fenced code is stashed: remove the remaining tags outside code, keep ``{% raw %}`` text."""

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if not any(mark in text for mark in ("{%", "{{", "{#")):
            return lines
        found: dict[str, str] = {}

        def unlink(m: re.Match[str]) -> str:
            found.setdefault(_shown(m.group(2)), m.group(2))
            return m.group(1)

        text = _STRING_ADDRESS.sub(lambda m: f"]({m.group(2)}", text)
        text = _TAG_LINK.sub(unlink, text)
        out, last, raw, comment = [], 0, False, False
        for m in _TOKENS.finditer(text):
            token = m.group(0)
            if token.startswith("`"):
                if "raw" in token and not comment:
                    out += (text[last:m.start()], _RAW_MARK.sub("", token))
                    last = m.end()
                continue
            out.append("" if comment else text[last:m.start()])
            last = m.end()
            name = _shown(token)
            if comment:
                comment = not _COMMENT_CLOSE.match(token)
                continue
            if re.match(r"^\{%-?\s*endraw\b", token):
                raw = False
                continue
            if raw:
                out.append(token)
                continue
            if re.match(r"^\{%-?\s*raw\b", token):
                raw = True
                continue
            found.setdefault(name, token)
            if _COMMENT_OPEN.match(token):  # Jekyll's private note: its text goes with it
                comment = True
                continue
            words = _words_of(token)
            if words:
                alone = (m.start() == 0 or text[m.start() - 1] == "\n") and text.startswith("\n", m.end())
                # On a line of its own (a notice's title, a summary): a paragraph of its own, in bold.
                out.append(f"**{words}**\n" if alone else words)
        out.append("" if comment else text[last:])
        context(self.md).report_found(
            "template-tags", f"template tags are not run by essaybook and were left out: {', '.join(found)}; "
            "the words of their titles and captions are kept; write the text, link or image they stood for", found)
        return "".join(out).split("\n")


class TemplateTagExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.register(TemplateCodePreprocessor(md), "eb-template-code", 28)
        md.preprocessors.register(TemplateTagPreprocessor(md), "eb-template-tags", 24)
