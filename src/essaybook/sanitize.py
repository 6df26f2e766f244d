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
# Presentation MathML (EPUB 3 reading systems render it; latex2mathml writes it): elements and attributes that
# draw, none that link, load or run (no href, no maction, no annotation-xml that could carry HTML or SVG).
MATHML_TAGS = {
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "mfrac", "msqrt", "mroot", "msub", "msup",
    "msubsup", "munder", "mover", "munderover", "mtable", "mtr", "mtd", "mlabeledtr", "mstyle", "mpadded",
    "mphantom", "menclose", "merror", "mmultiscripts", "mprescripts", "none", "semantics", "annotation",
    "mfenced",
}
_MATHML_ATTRIBUTES = {
    "display", "alttext", "mathvariant", "mathsize", "mathcolor", "displaystyle", "scriptlevel", "fence",
    "separator", "stretchy", "symmetric", "largeop", "movablelimits", "accent", "accentunder", "lspace", "rspace",
    "minsize", "maxsize", "linethickness", "numalign", "denomalign", "bevelled", "notation", "columnalign",
    "rowalign", "columnspacing", "rowspacing", "columnlines", "rowlines", "frame", "width", "height", "depth",
    "voffset", "open", "close", "separators", "encoding", "form", "rowspan", "columnspan", "xmlns",
}
ALLOWED_TAGS = _BLOCKS | _INLINES | MATHML_TAGS

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
    **{tag: _MATHML_ATTRIBUTES for tag in MATHML_TAGS},
}
URL_SCHEMES = {"http", "https", "mailto"}
STYLE_PROPERTIES = {"text-align"}
# The one declaration a style attribute may keep, with a plain keyword value: no url(), no escapes.
_ALLOWED_DECLARATION = re.compile(r"^\s*text-align\s*:\s*(left|right|center|justify|start|end)\s*$", re.I)
CLEAN_CONTENT_TAGS = {"script", "style", "template", "noscript", "iframe", "object", "textarea", "select", "title",
                      "maction"}


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

