"""The allow-list for HTML in an essay: what a book needs survives, nothing that runs or fetches does.

Essays come from students and web captures, so the whole HTML that Markdown produces (its own markup and the
author's raw HTML, which Python-Markdown pastes back after every tree processor has run) goes through nh3
(Ammonia) once. Anything not listed here is dropped: scripts, frames, forms, styles, event handlers,
``javascript:`` and ``data:`` URLs, CSS other than ``text-align``.
"""

from __future__ import annotations

import re

import nh3

_BLOCKS = {
    "p", "div", "section", "article", "aside", "header", "footer", "nav", "main", "figure", "figcaption",
    "blockquote", "pre", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "colgroup", "col", "details", "summary",
    "address",
}
_INLINES = {
    "a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "dfn", "del", "em", "i", "img", "ins", "kbd",
    "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr", "ruby",
    "rt", "rp",
}
ALLOWED_TAGS = _BLOCKS | _INLINES

_GLOBAL = {"id", "class", "lang", "dir", "title", "role", "epub:type", "aria-label", "aria-labelledby",
           "aria-describedby", "aria-hidden", "style"}
ALLOWED_ATTRIBUTES = {
    "*": _GLOBAL,
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "time": {"datetime"},
    "q": {"cite"},
    "blockquote": {"cite"},
    "del": {"datetime"},
    "ins": {"datetime"},
    "abbr": {"title"},
}
URL_SCHEMES = {"http", "https", "mailto"}
STYLE_PROPERTIES = {"text-align"}
# The one declaration a style attribute may keep, with a plain keyword value: no url(), no escapes.
_ALLOWED_DECLARATION = re.compile(r"^\s*text-align\s*:\s*(left|right|center|justify|start|end)\s*$", re.I)
CLEAN_CONTENT_TAGS = {"script", "style", "template", "noscript", "iframe", "object", "textarea", "select", "title"}


def sanitize_html(html: str) -> str:
    """Return ``html`` with everything outside the allow-list removed (text around an attack survives)."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=CLEAN_CONTENT_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
        filter_style_properties=STYLE_PROPERTIES,
    )


def _keep_attribute(tag: str, name: str, value: str) -> str | None:
    if name == "style":
        kept = [d.strip() for d in value.split(";") if _ALLOWED_DECLARATION.match(d)]
        return "; ".join(kept) or None
    return value



def removals(chunk: str) -> list[tuple[int, str]]:
    """What ``sanitize_html`` will drop from one chunk of the author's raw HTML, as ``(offset in chunk,
    message)``: the elements not allowed (and whether their text goes with them), attributes not allowed,
    style declarations other than ``text-align``, and addresses with schemes a book may not hold. Judged by
    the same allow-list the sanitiser applies, so the build's warning and the book always agree."""
    import lxml.html
    from lxml import etree

    text = chunk.strip()
    lead = len(chunk) - len(chunk.lstrip())
    try:
        fragment = lxml.html.fragment_fromstring(text, create_parent="div")
    except (etree.ParserError, ValueError):  # a doctype or processing instruction: nothing to keep
        return []
    out: list[tuple[int, str]] = []
    cursor = 0
    skip: set = set()
    for el in fragment.iterdescendants():
        if not isinstance(el.tag, str) or el in skip:
            continue
        at = text.lower().find(f"<{el.tag}", cursor)
        cursor = at + 1 if at >= 0 else cursor
        place = lead + max(at, 0)
        if el.tag not in ALLOWED_TAGS:
            skip.update(el.iterdescendants())
            words = " ".join(el.text_content().split())
            kept = lxml.html.fragment_fromstring(sanitize_html(etree.tostring(el, encoding="unicode")),
                                                 create_parent="div").text_content()
            what = " and its text" if words and not kept.strip() else ""
            out.append((place, f"<{el.tag}>{what} removed: books do not allow it"))
            continue
        allowed = ALLOWED_ATTRIBUTES["*"] | ALLOWED_ATTRIBUTES.get(el.tag, set())
        tag_text = text[max(at, 0):]
        for name, value in el.attrib.items():
            spot = tag_text.lower().find(name.lower())
            where = place + spot if spot >= 0 else place
            if name not in allowed:
                out.append((where, f"attribute '{name}' on <{el.tag}> removed: books do not allow it"))
            elif name == "style":
                for prop in _removed_styles(value):
                    out.append((where, f"style '{prop}' on <{el.tag}> removed; only text-align is kept"))
            elif name in ("href", "src", "cite") and (el.tag, name) not in (("a", "href"), ("img", "src")):
                scheme = _scheme(value)
                if scheme and scheme not in URL_SCHEMES:
                    out.append((where, f"{name} '{value[:40]}' on <{el.tag}> removed ('{scheme}:' addresses "
                                       "are not allowed)"))
    return out


def _scheme(href: str) -> str | None:
    m = re.match(r"^\s*([A-Za-z][A-Za-z0-9+.\-]*):", href)
    return m.group(1).lower() if m else None


def _removed_styles(style: str) -> list[str]:
    out = []
    for declaration in style.split(";"):
        prop = declaration.split(":", 1)[0].strip().lower()
        if prop and not _ALLOWED_DECLARATION.match(declaration):
            out.append(prop)
    return out
