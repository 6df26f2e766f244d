"""Bare addresses as links and ``:shortcode:`` emoji, as a reader of prose expects them.

pymdown's MagicLink links every address it sees, also the value of an attribute list (kramdown's
``{: cite="https://…"}``, a figure's ``{credit="…"}``), which Python-Markdown reads only after the links are
made: the list then printed as text, its address a link ending in ``"}``. An address inside ``{… = …`` is an
attribute's. pymdown's emoji turns ``:id:`` into 🆔 inside ``user:id:name``; a shortcode is read only where it
stands apart from the letters around it, as GitHub reads it.
"""

from __future__ import annotations

from markdown import Markdown
from pymdownx.emoji import RE_EMOJI, EmojiExtension, EmojiPattern, gemoji, to_alt
from pymdownx.magiclink import RE_LINK, MagiclinkExtension, MagiclinkPattern


class _ProseLink(MagiclinkPattern):
    def handleMatch(self, m, data):  # type: ignore[override]
        opened, closed = data.rfind("{", 0, m.start(0)), data.rfind("}", 0, m.start(0))
        if opened > closed and "=" in data[opened:m.start(0)]:  # an attribute list's value: {: cite="https://…"}
            return None, None, None
        return super().handleMatch(m, data)


class ProseLinkExtension(MagiclinkExtension):
    def extendMarkdown(self, md: Markdown) -> None:
        super().extendMarkdown(md)
        link = _ProseLink(RE_LINK, md)
        link.config = md.inlinePatterns["magic-link"].config
        md.inlinePatterns.register(link, "magic-link", 85)


class _ApartEmoji(EmojiPattern):
    def handleMatch(self, m, data):  # type: ignore[override]
        before = data[m.start(0) - 1] if m.start(0) else " "
        after = data[m.end(0)] if m.end(0) < len(data) else " "
        if before.isalnum() or after.isalnum():
            return None, None, None
        return super().handleMatch(m, data)


class ApartEmojiExtension(EmojiExtension):
    def __init__(self) -> None:
        super().__init__(emoji_index=gemoji, emoji_generator=to_alt)

    def extendMarkdown(self, md: Markdown) -> None:
        super().extendMarkdown(md)
        md.inlinePatterns.register(_ApartEmoji(RE_EMOJI, self.getConfigs(), self.strict_cache, md), "emoji", 75)
