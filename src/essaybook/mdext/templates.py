"""Liquid, Nunjucks and Hugo template tags are not Markdown: essaybook does not run them, and never prints them.

Jekyll, Eleventy and Hugo posts carry ``{% include … %}``, ``{{ site.baseurl }}``, ``{# … #}`` and Hugo
shortcodes ``{{< … >}}``. The few whose meaning is plain are kept as what they mean (``{% highlight %}`` and
Hugo's ``highlight`` are code blocks, Hugo's ``figure`` is a figure, ``{% raw %}`` keeps its text literally);
every other tag is removed, and the file gets one ``template-tags`` warning naming them all.
"""

from __future__ import annotations

import re

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

from essaybook.mdext import CODE_SPAN, arguments, context, outside_fences

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
    caption = args.get("caption") or args.get("title") or ""
    if args.get("title") and args.get("caption") and args["title"] not in args["caption"]:
        caption = f"**{args['title']}** {args['caption']}"  # Hugo prints the title above the caption
    credit = args.get("attr")
    attrs = " ".join(f'{name}="{value}"' for name, value in (("alt", args.get("alt")), ("credit", credit))
                     if value and '"' not in value)
    return f"\n\n![{caption}]({args['src']})" + (f"{{{attrs}}}" if attrs else "") + "\n\n"


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
        return text.split("\n")


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

        text = _TAG_LINK.sub(unlink, text)
        out, last, raw = [], 0, False
        for m in _TOKENS.finditer(text):
            token = m.group(0)
            if token.startswith("`"):
                continue
            out.append(text[last:m.start()])
            last = m.end()
            name = _shown(token)
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
        out.append(text[last:])
        context(self.md).report_found(
            "template-tags", f"template tags are not run by essaybook and were left out: {', '.join(found)}; "
            "write the text, link or image they stood for", found)
        return "".join(out).split("\n")


class TemplateTagExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.register(TemplateCodePreprocessor(md), "eb-template-code", 28)
        md.preprocessors.register(TemplateTagPreprocessor(md), "eb-template-tags", 24)
