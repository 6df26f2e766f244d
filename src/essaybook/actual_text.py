"""Lines in scripts whose glyphs are not drawn in reading order carry their words as written (PDF ActualText).

Why: a PDF tells text back from its glyphs through the font's ToUnicode map, one text per glyph, and WeasyPrint
writes each glyph's entry the first time the glyph is drawn. In Devanagari and the other scripts of India and
Sri Lanka, and in Thai, Lao, Tibetan, Myanmar and Khmer, shaping does not keep the characters in order: the
vowel sign ि is drawn before the consonant it follows, a conjunct is one glyph for several characters, and the
same glyph stands for different text in different words. Text copied out of a Hindi handout, searched in it or
read aloud by a screen reader came out scrambled ("किताब" as "िकताब", conjuncts missing letters). PDF's own
answer is a marked-content span around what is drawn, carrying the text it stands for (``/ActualText``, ISO
32000-1 §14.9.4), which poppler, pdf.js, Acrobat and screen readers read instead of the glyphs. Each line of
text in one of those scripts is drawn inside such a span; every other line is left as WeasyPrint draws it (its
glyphs tell their text back correctly, and the span would double the bytes of its text).

Installed by ``essaybook.weasy`` around ``weasyprint.draw.text.draw_first_line``, which draws one line of one
text box; left alone where WeasyPrint has no such function.
"""

from __future__ import annotations

import functools
import re
from typing import Any

# Devanagari to Sinhala, Thai and Lao, Tibetan, Myanmar, Khmer, Vedic signs and Devanagari Extended.
_REORDERING = re.compile("[\u0900-\u0dff\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u1cd0-\u1cff"
                         "\ua8e0-\ua8ff]")


def install() -> None:
    import pydyf
    from weasyprint.draw import text

    original = getattr(text, "draw_first_line", None)
    if original is None or getattr(original, "essaybook", False):
        return

    @functools.wraps(original)
    def draw_first_line(stream: Any, textbox: Any, *args: Any, **kwargs: Any) -> Any:
        words = textbox.text.replace("\u00ad", "")  # a soft hyphen where the line did not break is not text
        if not _REORDERING.search(words):
            return original(stream, textbox, *args, **kwargs)
        stream.begin_marked_content("Span", pydyf.Dictionary({"ActualText": pydyf.String(words)}))
        try:
            return original(stream, textbox, *args, **kwargs)
        finally:
            stream.end_marked_content()

    draw_first_line.essaybook = True  # type: ignore[attr-defined]
    text.draw_first_line = draw_first_line
