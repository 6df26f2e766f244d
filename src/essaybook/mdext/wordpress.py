"""WordPress shortcodes, as exports of WordPress posts to Markdown leave them: ``[caption]…[/caption]`` around an
image, ``[code]`` and ``[sourcecode]`` around code, ``[embed]``, ``[video]``, ``[youtube]`` and their kin around
a media address, ``[gallery ids="…"]``. They are WordPress's to run, not Markdown, and never reach a reader:

- a captioned image becomes a figure with that caption (the image's ``alt`` stays its alternative text);
- code becomes a fenced code block in its language;
- a media shortcode becomes its address, a link where it stood (a book cannot play a video, but its reader
  can find it);
- a gallery, which names images by WordPress's own numbers, is left out;
- a footnote plugin's ``[footnote]…[/footnote]`` (also ``[ref]``, ``[efn_note]``, ``[fn]``) is a footnote;
- any other shortcode written as a pair, ``[su_note color="…"]…[/su_note]``, ``[pullquote]``, ``[toggle
  title="…"]``, is a plugin's box around the author's words: the words stay (and a ``title``'s), the tags go.

What is left out, unwrapped or turned into its address is named in one ``template-tags`` warning per file.
Square brackets are read as a shortcode only under WordPress's and Jetpack's own names or as an opening and
closing pair: any other text in square brackets is the author's.
"""

from __future__ import annotations

import re

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

from essaybook.mdext import arguments, as_block, context, outside_code, outside_fences

_CODE = re.compile(r"^[ \t]*\[(code|sourcecode)\b([^\]]*)\][ \t]*\n?(.*?)\n?[ \t]*\[/\1\][ \t]*$",
                   re.MULTILINE | re.DOTALL)
_CAPTION = re.compile(r"\[(caption|wp_caption)\b([^\]]*)\](.*?)\[/\1\]", re.DOTALL)
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_LINKED = re.compile(r"</?a\b[^>]*>", re.IGNORECASE)
_MEDIA_NAMES = ("embed", "video", "audio", "youtube", "vimeo", "soundcloud", "spotify", "tweet", "instagram",
                "wpvideo", "googlemaps", "playlist", "dailymotion", "ted")
_DROPPED_NAMES = ("gallery", "contact-form", "contact-field", "wpforms", "jetpack_subscription_form", "wp_ad")
# Not a Markdown link's text that begins with such a name: "[video creation tool](…)", "[gallery of maps][1]".
_MEDIA = re.compile(rf"\[({'|'.join(_MEDIA_NAMES)})\b([^\]]*)\](?![(\[:])(?:(.*?)\[/\1\])?", re.DOTALL)
_DROPPED = re.compile(rf"\[({'|'.join(_DROPPED_NAMES)})\b[^\]]*\](?![(\[:])(?:.*?\[/\1\])?", re.DOTALL)
_ADDRESS = re.compile(r"https?://[^\s\"'<>\]]+")
_NOTE = re.compile(r"\[(footnote|ref|efn_note|fn)\](.*?)\[/\1\]", re.DOTALL | re.IGNORECASE)
# A plugin's pair: its name, its arguments, what it wraps, its closing tag (same name); nothing of a link.
_PAIRED = re.compile(r"\[([a-z][a-z0-9_-]*)((?:\s[^\]\n]*)?)\](?![(\[:])(.*?)\[/\1\]", re.DOTALL | re.IGNORECASE)
_TITLES = ("title", "heading", "header", "label", "caption")


def _args(text: str) -> dict[str, str]:
    """A shortcode's arguments, by lower-case name (WordPress reads ``LANG=`` as ``lang=``). The text never holds
    the closing ``]``: each pattern stops before it."""
    return {name.lower(): value for name, value in arguments(text).items()}


def _code(m: re.Match[str]) -> str:
    args = _args(m.group(2))
    language = args.get("lang") or args.get("language") or ""
    body = m.group(3)
    fence = "```" if "```" not in body else "~~~~"
    language = re.sub(r"[^\w+-]", "", language)
    return f"{fence}{language}\n{body}\n{fence}"


def _figure(m: re.Match[str]) -> str:
    """The image and its caption: the text beside the image, or the older ``caption="…"`` argument."""
    args, inner = _args(m.group(2)), m.group(3)
    img = _IMG.search(inner)
    image = _MD_IMAGE.search(inner)
    if img is None and image is None:
        return inner  # no image inside: the words stay
    rest = _LINKED.sub("", (_IMG if img is not None else _MD_IMAGE).sub("", inner, count=1))
    caption = " ".join((args.get("caption") or rest).split())
    if img is not None:
        figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""  # HTML as WordPress wrote it
        return f"\n\n<figure>{img.group(0)}{figcaption}</figure>\n\n"
    alt = image.group(1)
    attrs = f'{{alt="{alt}"}}' if alt and alt != caption else ""
    return as_block(m.string, m.start(), m.end(), f"![{caption}]({image.group(2)}){attrs}")


class ShortcodeCodePreprocessor(Preprocessor):
    """Before fenced code (25): ``[code lang="python"]…[/code]`` is a fence, so that its text is code; inside a
    fence it is the code's own text."""

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if "[code" not in text and "[sourcecode" not in text:
            return lines
        return outside_fences(text, lambda chunk: _CODE.sub(_code, chunk)).split("\n")


class ShortcodePreprocessor(Preprocessor):
    """After fenced code is stashed: captions, media and galleries, outside inline code."""

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if "[" not in text or "]" not in text:
            return lines
        found: dict[str, str] = {}

        def media(m: re.Match[str]) -> str:
            found.setdefault(f"[{m.group(1)}]", m.group(0))
            address = _ADDRESS.search(m.group(3) or "") or _ADDRESS.search(m.group(2))
            return f"<{address.group(0)}>" if address else ""  # a link where it stood, in its sentence too

        def dropped(m: re.Match[str]) -> str:
            found.setdefault(f"[{m.group(1)}]", m.group(0))
            return ""

        def note(m: re.Match[str]) -> str:
            found.setdefault(f"[{m.group(1).lower()}]", m.group(0))
            return "^[" + " ".join(m.group(2).split()) + "]"

        def unwrapped(m: re.Match[str]) -> str:
            found.setdefault(f"[{m.group(1).lower()}]", m.group(0))
            args = _args(m.group(2))
            title = next((args[name] for name in _TITLES if args.get(name)), "")
            inner = _PAIRED.sub(unwrapped, m.group(3))  # a box inside a box
            if not title:
                return inner
            return f"**{title}**\n\n{inner}" if inner.startswith("\n") else f"**{title}** {inner}"

        def all_shortcodes(chunk: str) -> str:
            chunk = _CAPTION.sub(_figure, chunk)
            chunk = _MEDIA.sub(media, chunk)
            chunk = _DROPPED.sub(dropped, chunk)
            chunk = _NOTE.sub(note, chunk)
            return _PAIRED.sub(unwrapped, chunk)

        text = outside_code(re.compile(r"[\s\S]+"), text, lambda m: all_shortcodes(m.group(0)))
        context(self.md).report_found(
            "template-tags", f"WordPress shortcodes are not run by essaybook: {', '.join(found)} "
            "(a media address is kept as a link, a gallery left out, a footnote is a footnote, a plugin's box keeps "
            "its words); write the text or image they stood for", found)
        return text.split("\n")


class WordPressShortcodeExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.register(ShortcodeCodePreprocessor(md), "eb-wordpress-code", 28.5)
        md.preprocessors.register(ShortcodePreprocessor(md), "eb-wordpress-shortcodes", 24.6)
