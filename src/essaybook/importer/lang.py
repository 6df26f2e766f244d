"""A page's language when it does not say: from its script, else from its commonest words.

Only a fallback (``<html lang>`` and the metadata come first), and deliberately small: a few scripts and the
languages whose function words are unmistakable. A book that says the wrong language is hyphenated and read
aloud wrongly, so when nothing is clear the answer is None and the importer says so.
"""

from __future__ import annotations

import re

_STOPWORDS = {
    "en": "the of and to in is that for it was with as on be by this are at from have not but which",
    "fr": "le la les de des du et est une un dans que qui pour pas sur au avec sont ce il elle",
    "de": "der die das und ist nicht ein eine zu den mit von auf sich dem des im für auch",
    "es": "el la los las de del que y en un una es por con para no se su al lo",
    "it": "il lo la gli le di del della che e un una è per non con sono si nel alla",
    "pt": "o a os as de do da que e um uma é em para com não no na se por",
    "nl": "de het een en van is dat op te in niet zijn met voor er aan ook",
}
_SETS = {lang: set(words.split()) for lang, words in _STOPWORDS.items()}


def guess(text: str) -> str | None:
    sample = text[:20000]
    letters = [c for c in sample if c.isalpha()]
    if not letters:
        return None
    counts = {
        "ja": sum(1 for c in letters if "\u3040" <= c <= "\u30ff"),
        "ko": sum(1 for c in letters if "\uac00" <= c <= "\ud7af"),
        "zh": sum(1 for c in letters if "\u4e00" <= c <= "\u9fff"),
        "ru": sum(1 for c in letters if "\u0400" <= c <= "\u04ff"),
        "el": sum(1 for c in letters if "\u0370" <= c <= "\u03ff"),
        "ar": sum(1 for c in letters if "\u0600" <= c <= "\u06ff"),
        "he": sum(1 for c in letters if "\u0590" <= c <= "\u05ff"),
    }
    if counts["ja"] > 0.05 * len(letters):
        return "ja"
    script, n = max(counts.items(), key=lambda kv: kv[1])
    if n > 0.3 * len(letters):
        return script
    words = re.findall(r"[^\W\d_]+", sample.lower())
    if len(words) < 20:
        return None
    scores = {lang: sum(1 for w in words if w in stop) / len(words) for lang, stop in _SETS.items()}
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    (best, top), (_, second) = ranked[0], ranked[1]
    return best if top >= 0.12 and top >= 1.5 * second else None
