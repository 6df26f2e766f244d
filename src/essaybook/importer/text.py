"""A plain-text capture of a page (what "select all, copy" or a text-mode browser gives): blocks of lines.

There is no markup to tell the article from the page around it, so the chrome is recognised by what it says:
the lines every blog theme and news site prints around an article ("Skip to content", "Leave a Reply",
"Share this:", "Your email address will not be published", …). The first short line that is not chrome is
the headline; a short line right after it that ends in a credit ("… Source:", "Photo: …") is a photograph's
caption whose image the capture could not hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from essaybook.importer.figures import split_credit

# Whole lines that are a theme's furniture, never an essay's sentences.
_CHROME = re.compile(
    r"^(?:press\s+[\"“”']?enter[\"“”']?\s+to\s+skip\s+to\s+content|skip\s+to\s+(?:main\s+)?content|"
    r"skip\s+to\s+navigation|menu|search|search\s+for:|home|toggle\s+navigation|main\s+menu|"
    r"(?:be\s+(?:the\s+)?first\s+to\s+comment|no\s+comments(?:\s+yet)?|\d+\s+comments?|leave\s+a\s+(?:reply|comment)|"
    r"post\s+a\s+comment|add\s+a\s+comment|comments?|responses?|join\s+the\s+discussion)\.?|"
    r"cancel\s+reply|your\s+email\s+address\s+will\s+not\s+be\s+published\.?.*|required\s+fields\s+are\s+marked.*|"
    r"(?:name|email|website|comment)\s*\*?|save\s+my\s+name,\s+email.*|post\s+comment|submit|"
    r"share\s+this:?|share\s+on\s+\w+|share|tweet|like\s+this:?|like|loading\.\.\.|related(?:\s+posts)?:?|"
    r"you\s+may\s+also\s+like:?|(?:previous|next)\s+(?:post|article)\s*:?.*|posted\s+in\s+.*|tagged\s+.*|"
    r"filed\s+under\s*:?.*|categories\s*:?.*|tags\s*:.*|subscribe.*newsletter.*|sign\s+up.*newsletter.*|"
    r"this\s+site\s+uses\s+(?:cookies|akismet).*|we\s+use\s+cookies.*|accept(?:\s+(?:all|cookies))?|"
    r"(?:proudly\s+)?powered\s+by\s+.*|copyright\s+©.*|©\s*\d{4}.*all\s+rights\s+reserved\.?|"
    r"back\s+to\s+top|scroll\s+to\s+top|print|email|facebook|twitter|linkedin|reddit|whatsapp|pinterest|"
    r"continue\s+reading(?:\s+the\s+main\s+story)?|advertisement|advertisements|read\s+more|recommended(?:\s+for\s+you)?|"
    r"related\s+(?:articles?|stories|content)|more\s+from\s+\w+(?:\s+\w+)?|follow\s+us(?:\s+on\s+\w+)?)$",
    re.I)
_CAPTION_WORDS = 40


def is_chrome(line: str) -> bool:
    """A whole line or paragraph that is a theme's furniture, not the article's."""
    return bool(_CHROME.match(" ".join(line.split())))


@dataclass
class TextCapture:
    title: str | None
    paragraphs: list[str]
    orphan_captions: list[tuple[int, str, str | None, str]] = field(default_factory=list)  # (index, caption,
    # credit, label): a caption with no image, and where it stood
    dropped: list[str] = field(default_factory=list)


def read(text: str) -> TextCapture:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = [" ".join(b.split()) for b in re.split(r"\n\s*\n", text)]
    blocks = [b for block in blocks for b in ([block] if block else [])]
    # a capture with no blank lines: one block per line
    if len(blocks) <= 2 and text.count("\n") > 4:
        blocks = [" ".join(line.split()) for line in text.split("\n") if line.strip()]
    capture = TextCapture(None, [])
    for block in blocks:
        if _CHROME.match(block):
            capture.dropped.append(block)
            continue
        if capture.title is None and _headline(block):
            capture.title = block
            continue
        caption, credit, label = split_credit(block)
        if credit is not None and len(block.split()) <= _CAPTION_WORDS:
            capture.orphan_captions.append((len(capture.paragraphs), caption, credit, label))
            continue
        capture.paragraphs.append(block)
    # the tail of a page (comment form, footer) ends the capture: trailing short lines that are chrome are gone
    return capture


def _headline(block: str) -> bool:
    words = block.split()
    return (0 < len(words) <= 20 and not block.endswith((".", ",", ";", ":"))) or (0 < len(words) <= 14
                                                                                   and block.endswith("?"))
