"""Directions and scripts inside a book: what a reader of a right-to-left book, or of a script without italics,
should see of the Latin-script words in it.

WeasyPrint hands each inline box's text to Pango with the paragraph's direction, so in an Arabic or Hebrew
paragraph a Latin citation broken by an element (``Khaled Fahmy, *All the Pasha's Men* (Cambridge, 1997)``)
came out in the wrong order, its brackets turned, and a web address lost its trailing slash to the far side.
An element's ``dir="ltr"`` is honoured, in WeasyPrint as in every reading system: each such run is wrapped in
one, the way a typesetter marks a left-to-right run by hand. And a book set in a script that has no italics
sets emphasis in bold (``base.css``), which Latin words inside it do not need: they keep their italics.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

from lxml import etree

from essaybook.model import AS_WRITTEN, x

_ADDRESS = re.compile(r"(?i)^(?:https?://|ftp://|mailto:|www\.)\S+$|^[\w.+-]+@[\w-]+\.[\w.-]+$")
# An address typed in running text, without the sentence's punctuation after it.
_TYPED_ADDRESS = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>]*[^\s<>.,;:!?)\]}'\"”’]")


def isolate_addresses(body: etree._Element, right_to_left: bool) -> None:
    """A web address (or an e-mail address) reads left to right inside right-to-left text too: isolated
    (``dir="ltr"``), so its trailing slash and its dots stay where they were typed. A link whose text is an
    address, in any book; in a right-to-left book, an address typed in the text as well."""
    for a in body.iter(x("a")):
        if a.get("dir") is None and _ADDRESS.match("".join(a.itertext()).strip()):
            a.set("dir", "ltr")
    if not right_to_left:
        return
    for el in list(body.iter()):
        if not isinstance(el.tag, str) or el.tag in AS_WRITTEN or any(p.tag in AS_WRITTEN for p in el.iterancestors()):
            continue
        if el.text and _TYPED_ADDRESS.search(el.text):
            el.text = _wrap_addresses(el.text, el, 0)
        for child in list(el):
            if child.tail and _TYPED_ADDRESS.search(child.tail):
                child.tail = _wrap_addresses(child.tail, el, el.index(child) + 1)


def _wrap_addresses(text: str, parent: etree._Element, at: int) -> str:
    """``text`` up to its first address; each address becomes a ``<span dir="ltr">`` inserted in ``parent``
    at ``at``, the text after each one its tail. Returns what stays before the first."""
    pieces = _TYPED_ADDRESS.split(text)
    found = _TYPED_ADDRESS.findall(text)
    for n, address in enumerate(found):
        span = etree.Element(x("span"), dir="ltr")
        span.text, span.tail = address, pieces[n + 1]
        parent.insert(at + n, span)
    return pieces[0]


# The elements whose inline content is read for left-to-right runs (one that holds blocks is skipped).
_CONTAINERS = {x(t) for t in ("p", "li", "dd", "dt", "td", "th", "figcaption", "caption", "h1", "h2", "h3", "h4",
                              "h5", "h6", "blockquote", "cite", "em", "i", "strong", "b", "span", "q")}
_INLINE = {x(t) for t in ("a", "abbr", "b", "bdi", "cite", "code", "dfn", "em", "i", "kbd", "mark", "q", "s", "samp",
                           "small", "span", "strong", "sub", "sup", "time", "u", "var", "img", "br", "del", "ins",
                           "ruby", "wbr")} | {"{http://www.w3.org/1998/Math/MathML}math", "{http://www.w3.org/2000/svg}svg"}
_OPENING, _CLOSING = "([{", ")]}"


def _kind(text: str) -> str:
    """"R" if it holds a right-to-left letter, else "L" if a left-to-right one, else "N" (digits, spaces…)."""
    kinds = {unicodedata.bidirectional(c) for c in text}
    return "R" if kinds & {"R", "AL"} else "L" if "L" in kinds else "N"


def isolate_latin_runs(body: etree._Element) -> None:
    """Each run of left-to-right text in a right-to-left book that an element breaks, or that holds brackets,
    wrapped in ``<span dir="ltr">``: from its first Latin letter to its last letter, digit or closing bracket
    (its own brackets balanced), across the elements inside it that hold no right-to-left letter."""
    for el in list(body.iter(*_CONTAINERS)):
        if el.get("dir") or any(p.tag in AS_WRITTEN or p.get("dir") == "ltr" for p in el.iterancestors()):
            continue
        if (el.text is None and not len(el)) or any(child.tag not in _INLINE for child in el):
            continue  # empty, or holding blocks, which are read on their own
        tokens: list = [el.text or ""]
        for child in el:
            tokens += [child, child.tail or ""]
        runs = _runs(tokens)
        if runs:
            _rebuild(el, tokens, runs)


def _runs(tokens: list) -> list[tuple[int, int, int, int]]:
    """The runs worth isolating, as (first token, offset in it, last token, end offset in it); an element
    token's offsets are 0 and 1."""
    found, start = [], None
    last_strong = None  # (token, end offset) of the last character that may end the run

    def close() -> None:
        nonlocal start, last_strong
        if start is not None and last_strong is not None:
            run = (*start, *last_strong)
            if _worth_it(tokens, run):
                found.append(_balanced(tokens, run))
        start = last_strong = None

    for t, token in enumerate(tokens):
        if not isinstance(token, str):
            kind = "L" if token.get("dir") == "ltr" else _kind("".join(token.itertext()))
            if kind == "R" or token.tag in (x("br"),):
                close()
            elif kind == "L":
                start = start or (t, 0)
                last_strong = (t, 1)
            continue  # a footnote call or a number between two Latin words is inside the run, not after it
        for i, c in enumerate(token):
            bidi = unicodedata.bidirectional(c)
            if bidi in ("R", "AL"):
                close()
            elif bidi == "L":
                start = start or (t, i)
                last_strong = (t, i + 1)
            elif start is not None and (bidi in ("EN", "AN") or c in _CLOSING):
                last_strong = (t, i + 1)
    close()
    return found


def _text_of(tokens: list, run: tuple[int, int, int, int]) -> str:
    t0, i0, t1, i1 = run
    parts = []
    for t in range(t0, t1 + 1):
        token = tokens[t]
        if isinstance(token, str):
            parts.append(token[i0 if t == t0 else 0:i1 if t == t1 else len(token)])
        else:
            parts.append("".join(token.itertext()))
    return "".join(parts)


def _worth_it(tokens: list, run: tuple[int, int, int, int]) -> bool:
    """A run inside one piece of text is left to Pango, which orders it right, unless it holds brackets (their
    pair is resolved by the paragraph's direction when a line breaks inside them)."""
    t0, _, t1, _ = run
    return any(not isinstance(tokens[t], str) for t in range(t0, t1 + 1)) or \
        any(c in _OPENING for c in _text_of(tokens, run))


def _balanced(tokens: list, run: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The run without a closing bracket at its end that it did not open (``طرابلس (Tripoli)``: the run is
    Tripoli's, the brackets the sentence's)."""
    t0, i0, t1, i1 = run
    text = _text_of(tokens, run)
    while text and text[-1] in _CLOSING and text.count(text[-1]) > text.count(_OPENING[_CLOSING.index(text[-1])]):
        if not isinstance(tokens[t1], str) or i1 == 0:
            break
        i1 -= 1
        text = text[:-1]
    return t0, i0, t1, i1


def _rebuild(el: etree._Element, tokens: list, runs: list[tuple[int, int, int, int]]) -> None:
    """``el``'s content again from ``tokens``, each run inside a ``<span dir="ltr">``."""
    def run_of(t: int, a: int, b: int) -> int | None:
        return next((n for n, (t0, i0, t1, i1) in enumerate(runs) if (t0, i0) <= (t, a) and (t, b) <= (t1, i1)),
                    None)

    pieces: list[tuple[int | None, object]] = []
    for t, token in enumerate(tokens):
        if not isinstance(token, str):
            pieces.append((run_of(t, 0, 1), token))
            continue
        ends = (i for t0, i0, t1, i1 in runs for tt, i in ((t0, i0), (t1, i1)) if tt == t)
        cuts = sorted({0, len(token), *ends})
        pieces += [(run_of(t, a, b), token[a:b]) for a, b in itertools.pairwise(cuts) if b > a]
    for child in list(el):
        el.remove(child)
    el.text = None
    span, current = None, None
    for run, item in pieces:
        if run is None:
            span = current = None
            _put(el, item)
            continue
        if run != current:
            span, current = etree.SubElement(el, x("span"), dir="ltr"), run
        _put(span, item)


def _put(parent: etree._Element, item: object) -> None:
    """Text after ``parent``'s last child (or as its text), or an element as its last child."""
    if isinstance(item, str):
        if len(parent):
            parent[-1].tail = (parent[-1].tail or "") + item
        else:
            parent.text = (parent.text or "") + item
    else:
        item.tail = None
        parent.append(item)


_NO_ITALICS = re.compile(r"^(?:ar|fa|ur|he|yi|hi|mr|ne|ko|zh|ja)\b", re.IGNORECASE)


def mark_latin_emphasis(body: etree._Element, lang: str) -> None:
    """In a book whose script sets emphasis in bold, emphasis all in Latin letters (a ship's name, a book's
    title) gets ``class="latin"``, which keeps it in italics (``base.css``)."""
    if not _NO_ITALICS.match(lang or ""):
        return
    for em in body.iter(x("em"), x("i"), x("cite")):
        letters = [c for c in "".join(em.itertext()) if c.isalpha()]
        if letters and all(_is_latin(c) for c in letters) and "latin" not in (em.get("class") or "").split():
            em.set("class", ((em.get("class") or "") + " latin").strip())


def _is_latin(c: str) -> bool:
    return "LATIN" in unicodedata.name(c, "")
