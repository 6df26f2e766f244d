"""Footnotes in the forms the web uses, lifted out before extraction and written back as Markdown footnotes.

Extractors keep a page's notes as notes on very few pages: the calls become stray digits and the notes a list
at the end, or vanish with the "footer". What all the common forms share is a link from the call to the note
and, usually, a link back: kramdown/Jekyll (``fnref:1`` ↔ ``fn:1``), pandoc (``fnref1`` ↔ ``fn1``), WordPress
footnote blocks and plugins, Substack (``footnote-anchor-1`` ↔ ``footnote-1``), Word (``_ftnref1`` ↔
``_ftn1``), Google Docs (``ftnt_ref1`` ↔ ``ftnt1``), MediaWiki (``cite_ref`` ↔ ``cite_note``). Those are
found by the links themselves, not by class names. Also handled: ``<aside>`` and Tufte-style sidenotes (the
note stands where it is called), and a numbered "Notes" list at the end called by bare superscript numbers.

Each call is replaced by a text token, each note removed from the page and kept as an element; the Markdown
writer turns tokens into ``[^n]`` and writes the notes at the end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin

from lxml import html as lhtml

from essaybook.trees import remove_keeping_tail

TOKEN = "EBKFN{}Q"
TOKEN_RE = re.compile(r"EBKFN(\d+)Q")
_NOTE_ID = re.compile(r"fn|foot|note|ftn|endnote|sdendnote|cite|ref", re.I)
_NOTES_HEADING = re.compile(r"^\s*((foot|end)?notes?|references|citations)\s*:?\s*$|"
                            r"^\s*(anmerkungen|fußnoten|notas|références|notes de bas de page)\s*$", re.I)
# "1", "[1]", "(iv)", "*", "[a]", and MediaWiki's grouped "[n 1]", "[note 3]"
_CALL_TEXT = re.compile(r"^\s*[\[(]?\s*(?:[a-z]{1,5}\s?)?(\d{1,3}|[*†‡§¶]{1,3}|[a-z]|[ivxlc]{1,6})\s*[\])]?\s*$", re.I)
_BACK_TEXT = re.compile(r"^\s*(↩|↑|\^|⏎|back|return|[\[(]?\d{1,3}[\])]?\.?|[a-z])\s*[︎️]?\s*$", re.I)
_BACKLINK_CLASS = re.compile(r"backlink|backref|footnote-back|reversefootnote|footnote-return|fn-back", re.I)
_SIDENOTE_CLASS = re.compile(r"\b(sidenote|marginnote|margin-note|side-note|footnote|endnote)\b|footnote__note|"
                             r"inline-footnote|footnote-text\b", re.I)


@dataclass
class Note:
    number: int
    body: lhtml.HtmlElement  # a <div> holding the note's content, backlinks removed
    token: str


def lift(root: lhtml.HtmlElement, page_url: str | None = None) -> list[Note]:
    """Find notes and their calls; replace calls with tokens and remove the notes from the page. Links to
    ``page_url#x`` (pages saved from the web often have them absolute) count as links to ``#x``."""
    here = urldefrag(page_url).url if page_url else _own_url(root)
    if here:
        for a in root.iter("a"):
            href = a.get("href") or ""
            if "#" in href and not href.startswith("#") and urldefrag(urljoin(here, href)).url == here:
                a.set("href", "#" + href.split("#", 1)[1])
    notes: list[Note] = []
    by_target: dict[int, Note] = {}
    ids = {}
    for el in root.iter():
        for attr in ("id", "name"):
            value = el.get(attr)
            if value and value not in ids:
                ids[value] = el
    removed: list[lhtml.HtmlElement] = []
    for a in list(root.iter("a")):
        href = a.get("href") or ""
        if not href.startswith("#") or len(href) < 2 or a.getparent() is None:
            continue
        target = ids.get(href[1:])
        if target is None or not _is_call(a, target, ids):
            continue
        note_el = _note_element(target)
        if note_el is None or (note_el.getparent() is None and id(note_el) not in by_target):
            continue
        if _contains(note_el, a):
            continue  # a backlink inside the note itself
        note = by_target.get(id(note_el))
        if note is None:
            note = Note(len(notes) + 1, _note_body(note_el), TOKEN.format(len(notes) + 1))
            notes.append(note)
            by_target[id(note_el)] = note
            removed.append(note_el)
        _replace_call(a, note.token)
    for el in removed:
        container = el.getparent()
        remove_keeping_tail(el)
        _drop_empty_notes_container(container)
    notes += _sidenotes(root, len(notes))
    if not notes:
        notes += _numbered_list(root)
    return notes


def _own_url(root: lhtml.HtmlElement) -> str | None:
    """A saved page that names no URL of its own: the absolute URL its in-page links share (``url#x`` where
    this page has an element ``x``), when several links agree."""
    ids = {v for el in root.iter() if isinstance(el.tag, str) for v in (el.get("id"), el.get("name")) if v}
    counts: dict[str, int] = {}
    for a in root.iter("a"):
        url, _, fragment = (a.get("href") or "").partition("#")
        if url.startswith(("http://", "https://")) and fragment in ids:
            counts[url] = counts.get(url, 0) + 1
    best = max(counts.items(), key=lambda kv: kv[1], default=None)
    return best[0] if best and best[1] >= 2 else None


def _is_call(a: lhtml.HtmlElement, target: lhtml.HtmlElement, ids: dict) -> bool:
    text = a.text_content().strip()
    if not _CALL_TEXT.match(text):
        return False
    in_sup = (a.getparent() is not None and a.getparent().tag == "sup") or any(c.tag == "sup" for c in a)
    href = a.get("href", "")[1:]
    own_ids = {v for v in (a.get("id"), a.get("name")) if v}
    parent = a.getparent()
    if parent is not None and parent.tag == "sup":
        own_ids |= {v for v in (parent.get("id"),) if v}
    note_el = _note_element(target)
    backlinked = note_el is not None and any((b.get("href") or "")[1:] in own_ids for b in note_el.iter("a")
                                             if b.get("href", "").startswith("#"))
    if backlinked:
        return True
    return bool(in_sup and _NOTE_ID.search(href)) or bool(_NOTE_ID.search(href) and re.search(
        r"footnote|noteref|fn-ref|fnref", " ".join([a.get("class") or "", a.get("rel") or "", a.get("role") or ""]),
        re.I))


def _note_element(target: lhtml.HtmlElement) -> lhtml.HtmlElement | None:
    """The element that holds the note's text: the list item, paragraph or block the target stands in."""
    el = target
    if el.tag in ("a", "span", "sup"):
        for anc in el.iterancestors():
            if anc.tag in ("li", "p", "div", "aside", "dd", "section"):
                return anc
        return None
    if el.tag in ("li", "p", "div", "aside", "dd", "section", "td", "tr"):
        if el.tag in ("section", "div") and len(el.text_content()) > 4000:
            return None  # a whole section, not a note
        return el
    return None


def _note_body(note_el: lhtml.HtmlElement) -> lhtml.HtmlElement:
    """A copy of the note with its backlinks and leading number removed."""
    body = lhtml.Element("div")
    copy = lhtml.fromstring(lhtml.tostring(note_el, with_tail=False))
    body.text = copy.text
    for child in copy:
        body.append(child)
    for el in list(body.iter()):
        if isinstance(el.tag, str) and _BACKLINK_CLASS.search(el.get("class") or ""):
            remove_keeping_tail(el)
    for a in list(body.iter("a")):
        href = a.get("href") or ""
        text = a.text_content() or ""
        backlink = href.startswith("#") and (_BACK_TEXT.match(text) or not text.strip())
        if backlink or "backref" in (a.get("class") or ""):
            remove_keeping_tail(a)
    for sup in list(body.iter("sup")):
        if not sup.text_content().strip():
            remove_keeping_tail(sup)
    body.text = re.sub(r"^\s*[\[(]?\d{1,3}[\])]?\.?\s+", "", body.text or "") or None
    if len(body) and body.text is None and body[0].tag == "p":
        body[0].text = re.sub(r"^\s*[\[(]?\d{1,3}[\])]?\.?\s+", "", body[0].text or "") or None
    return body


def _replace_call(a: lhtml.HtmlElement, token: str) -> None:
    el = a
    parent = a.getparent()
    if parent is not None and parent.tag == "sup" and parent.text_content().strip() == a.text_content().strip():
        el = parent
    # "[1]" written around the link: the brackets go with the call
    prev_text_owner = el.getprevious()
    before = (prev_text_owner.tail if prev_text_owner is not None else el.getparent().text) or ""
    if before.endswith("[") and (el.tail or "").startswith("]"):
        if prev_text_owner is not None:
            prev_text_owner.tail = before[:-1]
        else:
            el.getparent().text = before[:-1]
        el.tail = el.tail[1:]
    span = lhtml.Element("span")
    span.text = token
    span.tail = el.tail
    el.getparent().replace(el, span)


def _drop_empty_notes_container(container: lhtml.HtmlElement | None) -> None:
    """Once its notes are gone, remove the list that held them and a "Notes" heading or rule before it."""
    while container is not None and container.tag not in ("body", "article", "main"):
        if container.text_content().strip() or next(container.iter("img"), None) is not None:
            break
        parent = container.getparent()
        prev = container.getprevious()
        remove_keeping_tail(container)
        while prev is not None and (prev.tag == "hr" or (prev.tag in ("h1", "h2", "h3", "h4", "h5", "h6", "p", "strong")
                                    and _NOTES_HEADING.match(prev.text_content() or ""))):
            before = prev.getprevious()
            remove_keeping_tail(prev)
            prev = before
        container = parent


def _sidenotes(root: lhtml.HtmlElement, start: int) -> list[Note]:
    """Sidenotes stand where they are called: ``<aside class="sidenote">``, Tufte CSS's ``span.sidenote``."""
    notes = []
    for el in list(root.iter("aside", "span", "small")):
        if el.getparent() is None or not _SIDENOTE_CLASS.search(el.get("class") or ""):
            continue
        if el.tag == "aside" and len(el.text_content()) > 1500:
            continue
        if not el.text_content().strip() or TOKEN_RE.search(el.text_content()) or any(
                (a.get("href") or "").startswith("#") for a in el.iter("a")):
            continue  # a call's wrapper, not a note
        number = start + len(notes) + 1
        body = lhtml.Element("div")
        copy = lhtml.fromstring(lhtml.tostring(el, with_tail=False))
        body.text = copy.text
        for child in copy:
            body.append(child)
        note = Note(number, body, TOKEN.format(number))
        notes.append(note)
        # the note's own number, printed before it as a superscript (Modern Footnotes and the like)
        prev = el.getprevious()
        if prev is not None and prev.tag == "sup" and _CALL_TEXT.match(prev.text_content() or "") and not (
                prev.tail or "").strip():
            remove_keeping_tail(prev)
        # Tufte: the label and checkbox before the note are its toggle, not text
        prev = el.getprevious()
        while prev is not None and prev.tag in ("label", "input") and "margin-toggle" in (prev.get("class") or ""):
            before = prev.getprevious()
            remove_keeping_tail(prev)
            prev = before
        if el.tag == "aside":
            # an aside is a block: its call goes at the end of the text before it
            host = el.getprevious()
            remove_keeping_tail(el)
            if host is not None and host.tag in ("p", "li", "blockquote"):
                span = lhtml.Element("span")
                span.text = note.token
                host.append(span)
            else:
                notes.pop()  # nowhere to call it from: leave the note to the extractor
                continue
        else:
            span = lhtml.Element("span")
            span.text = note.token
            span.tail = el.tail
            el.getparent().replace(el, span)
    return notes


def _numbered_list(root: lhtml.HtmlElement) -> list[Note]:
    """A "Notes" heading followed by an ordered list, its items called by bare ``<sup>n</sup>`` in the text."""
    for heading in root.iter("h2", "h3", "h4", "h5", "p", "strong"):
        if not _NOTES_HEADING.match(heading.text_content() or ""):
            continue
        block = heading if heading.tag != "strong" else heading.getparent()
        following = block.getnext() if block is not None else None
        if following is None or following.tag != "ol":
            continue
        items = [li for li in following if li.tag == "li"]
        sups = [s for s in root.iter("sup") if re.fullmatch(r"\s*\[?\d{1,3}\]?\s*", s.text_content() or "")
                and not _contains(following, s)]
        numbers = [int(re.sub(r"\D", "", s.text_content())) for s in sups]
        if not items or not sups or max(numbers) > len(items):
            continue
        notes = []
        for n, li in enumerate(items, start=1):
            notes.append(Note(n, _note_body(li), TOKEN.format(n)))
        for sup, n in zip(sups, numbers, strict=True):
            span = lhtml.Element("span")
            span.text = notes[n - 1].token
            span.tail = sup.tail
            sup.getparent().replace(sup, span)
        remove_keeping_tail(following)
        remove_keeping_tail(block)
        return notes
    return []


def _contains(outer: lhtml.HtmlElement, inner: lhtml.HtmlElement) -> bool:
    return outer is inner or any(a is outer for a in inner.iterancestors())
