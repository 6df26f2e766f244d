"""Figures lifted out of the page before extraction, and put back afterwards where they stood.

Extractors lose what makes a figure: they ignore ``srcset`` and lazy-loading attributes, strip ``<noscript>``
(where lazy sites keep the real ``<img>``), and drop the class names that tell a caption from a credit. So the
page's figures are read here, on the whole DOM, into ``Figure`` records: the image's candidate URLs (largest
useful first), its alt text, its caption and its credit apart. Each figure's place in the DOM is taken by a
placeholder token that survives extraction as plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import html as lhtml

from essaybook.trees import remove_keeping_tail

TOKEN = "EBKFIG{}Q"
TOKEN_RE = re.compile(r"EBKFIG(\d+)Q")
MAX_WIDTH = 2400  # print wants resolution; beyond this a candidate only costs bytes

_LAZY_SRC = ("data-src", "data-lazy-src", "data-original", "data-lazy", "data-url", "data-hi-res-src",
             "data-full-src", "data-orig-file", "data-large-file", "data-actualsrc")
_LAZY_SRCSET = ("data-srcset", "data-lazy-srcset", "data-original-set")
_PLACEHOLDER_SRC = re.compile(r"^data:|blank\.gif|spacer|placeholder|transparent\.(gif|png)|1x1|pixel\.gif|lazy",
                              re.I)
_NOT_CONTENT = re.compile(r"avatar|gravatar|logo|icon|emoji|badge|sprite|share|social|advert|\bads?\b|banner|"
                          r"author-image|profile|thumb-author|wp-smiley|tracking|pixel", re.I)
_CHROME_TAGS = {"nav", "header", "footer", "form", "button"}
_CREDIT_CLASS = re.compile(r"credit|copyright|attribution|photographer|image-source|photo-source|\bsource\b", re.I)
_CAPTION_CLASS = re.compile(r"caption", re.I)
# A credit at the end of a caption: "Source: Reuters", "Photo: AP", "© 2014 Jane Doe", "(Photo by Jane Doe)".
_CREDIT_LABEL = (r"(?:Sources?|Photos?|Photograph(?:y|s)?|Images?|Pictures?|Credits?|Illustrations?|Graphics?|"
                 r"Maps?|Video|Foto|Fotos|Bild|Quelle|Crédit|Crédits|Fuente)")
_TRAILING_CREDIT = re.compile(
    rf"(?:^|(?<=[\s.;,|–—-]))(?P<credit>\(?(?:{_CREDIT_LABEL}\s*:|©|\(c\)|(?:Photo|Image|Illustration|Picture)s?"
    rf"\s+(?:by|courtesy(?:\s+of)?)\b)[^\n]*?)\)?\s*$", re.I)


@dataclass
class Figure:
    """One figure: ``sources`` are absolute (or page-relative) URLs, best first; ``credit`` None means the
    page gave none, "" that it gave an empty one (a "Source:" with nothing after it), kept in ``credit_label``."""

    sources: list[str]
    alt: str
    caption: str
    credit: str | None = None
    credit_label: str = ""
    inline: bool = False  # stood inside a paragraph of text
    token: str = field(default="")


def lift(root: lhtml.HtmlElement, base: str | None) -> list[Figure]:
    """Replace every content image (with its caption) by a placeholder; return the figures in page order."""
    _resolve_noscript(root)
    figures: list[Figure] = []

    def add(fig: Figure, element: lhtml.HtmlElement, inline: bool) -> None:
        fig.token = TOKEN.format(len(figures))
        fig.inline = inline
        figures.append(fig)
        _replace(element, [fig.token], inline)

    containers = [el for el in root.iter("figure", "div", "p", "span", "table", "dl")
                  if _is_container(el)]
    for el in _innermost_first(containers):
        if el.getparent() is None or _in_chrome(el):
            continue
        imgs = [i for i in el.iter("img") if _useful(i)]
        if not imgs:
            continue
        caption_el = _caption_element(el)
        credit, label = _credit(el, caption_el)
        caption = _text(caption_el) if caption_el is not None else ""
        if credit is None and caption:
            caption, credit, label = split_credit(caption)
        tokens = []
        for n, img in enumerate(imgs):
            last = n == len(imgs) - 1  # a gallery: the caption and credit go with its last image
            fig = Figure(_candidates(img, base), _clean(img.get("alt", "")), caption if last else "",
                         credit if last else None, label)
            fig.token = TOKEN.format(len(figures))
            figures.append(fig)
            tokens.append(fig.token)
        _replace(el, tokens, inline=False)
    for img in list(root.iter("img")):
        if img.getparent() is None or not _useful(img) or _in_chrome(img):
            continue
        block = _block_alone(img)
        add(Figure(_candidates(img, base), _clean(img.get("alt", "")), ""),
            block if block is not None else img, inline=block is None)
    return figures


def split_credit(caption: str) -> tuple[str, str | None, str]:
    """Split a credit off the end of a caption: ("A soldier. Source:", ...) -> ("A soldier.", "", "Source:")."""
    match = _TRAILING_CREDIT.search(caption)
    if not match or (match.start("credit") == 0 and len(caption) > 0 and not _only_credit(caption)):
        return caption, None, ""
    credit = match.group("credit").strip().strip("()").strip()
    rest = caption[:match.start("credit")].rstrip(" |–—-;,(").strip()
    label_match = re.match(rf"^(?:{_CREDIT_LABEL}\s*:|©|\(c\))\s*", credit, re.I)
    label = label_match.group(0).strip() if label_match else ""
    if label and not credit[len(label_match.group(0)):].strip():
        return rest, "", label
    return rest, credit, label


def _only_credit(caption: str) -> bool:
    return len(caption.split()) <= 8


def srcset_best(srcset: str) -> str | None:
    """The largest candidate up to MAX_WIDTH (else the smallest beyond it) of a ``srcset``."""
    candidates = []
    for part in re.split(r",\s+(?=\S)", srcset.strip()):
        bits = part.strip().split()
        if not bits:
            continue
        url, descriptor = bits[0].rstrip(","), (bits[1] if len(bits) > 1 else "1x")
        try:
            if descriptor.endswith("w"):
                size = float(descriptor[:-1])
            elif descriptor.endswith("x"):
                size = float(descriptor[:-1]) * 800
            else:
                size = 800.0
        except ValueError:
            continue
        candidates.append((size, url))
    if not candidates:
        return None
    fitting = [c for c in candidates if c[0] <= MAX_WIDTH]
    return max(fitting)[1] if fitting else min(candidates)[1]


def _candidates(img: lhtml.HtmlElement, base: str | None) -> list[str]:
    found: list[str] = []
    sets = [img.get(a) for a in (*_LAZY_SRCSET, "srcset") if img.get(a)]
    parent = img.getparent()
    if parent is not None and parent.tag == "picture":
        sets = [s.get("srcset") or s.get("data-srcset") for s in parent.iter("source")
                if s.get("srcset") or s.get("data-srcset")] + sets
    for srcset in sets:
        best = srcset_best(srcset or "")
        if best:
            found.append(best)
    found += [img.get(a) for a in _LAZY_SRC if img.get(a)]
    src = img.get("src")
    if src and not (_PLACEHOLDER_SRC.search(src) and found):
        found.append(src)
    out = []
    for url in found:
        url = url.strip()
        if url.startswith("//"):
            url = "https:" + url
        if base and not url.startswith("data:"):
            url = urljoin(base, url)
        if url and url not in out:
            out.append(url)
    return out


def _useful(img: lhtml.HtmlElement) -> bool:
    """A content image, not an icon, avatar, tracking pixel or share button."""
    if not (img.get("src") or any(img.get(a) for a in (*_LAZY_SRC, *_LAZY_SRCSET, "srcset"))):
        return False
    for attr in ("width", "height"):
        value = (img.get(attr) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) < 48:
            return False
    marks = " ".join(filter(None, [img.get("class"), img.get("id"), img.get("src"), img.get("alt")]))
    for anc in img.iterancestors():
        if anc.tag in ("figure", "article", "main", "body"):
            break
        marks += " " + (anc.get("class") or "") + " " + (anc.get("id") or "")
    return not _NOT_CONTENT.search(marks)


def _is_container(el: lhtml.HtmlElement) -> bool:
    if el.tag == "figure":
        return True
    cls = el.get("class") or ""
    if re.search(r"\bwp-caption\b|\bwp-block-image\b|\bimage-with-caption\b|\bfigure\b", cls):
        return True
    # a block that holds one image and a caption-classed element: the common unnamed figure
    if el.tag in ("div", "table") and any(_CAPTION_CLASS.search(c.get("class") or "") for c in el.iter()
                                          if c is not el and c.tag != "img"):
        # ... and little else: a block of article text that happens to hold a captioned image is not a figure
        caption = _caption_element(el)
        rest = len(_text(el).split()) - (len(_text(caption).split()) if caption is not None else 0)
        return len(list(el.iter("img"))) == 1 and rest <= 25
    return False


def _innermost_first(elements: list) -> list:
    return sorted(elements, key=lambda el: -sum(1 for _ in el.iterancestors()))


def _caption_element(el: lhtml.HtmlElement) -> lhtml.HtmlElement | None:
    for c in el.iter():
        if c.tag == "figcaption":
            return c
    for c in el.iter():
        if c is not el and c.tag not in ("img", "a", "picture") and _CAPTION_CLASS.search(c.get("class") or ""):
            return c
    return None


def _credit(el: lhtml.HtmlElement, caption_el: lhtml.HtmlElement | None) -> tuple[str | None, str]:
    """A credit the page marks up as one (span.credit, .wp-caption-credit, …), removed from the caption."""
    for c in list(el.iter()):
        if c is el or c is caption_el or c.tag in ("img", "picture", "source"):
            continue
        if _CREDIT_CLASS.search(c.get("class") or "") and next(c.iter("img"), None) is None:
            text = _text(c)
            remove_keeping_tail(c)
            label = re.match(rf"^(?:{_CREDIT_LABEL}\s*:|©)\s*", text, re.I)
            if label and not text[label.end():].strip():
                return "", label.group(0).strip()
            return (text, "") if text else (None, "")
    return None, ""


def _resolve_noscript(root: lhtml.HtmlElement) -> None:
    """Lazy-loading sites put the real ``<img>`` in ``<noscript>`` after a placeholder image: use it there."""
    for ns in list(root.iter("noscript")):
        if ns.getparent() is None:
            continue
        inner = list(ns.iter("img"))
        if not inner and (ns.text or "").strip().startswith("<"):
            try:
                fragment = lhtml.fragment_fromstring(ns.text, create_parent="div")
                inner = list(fragment.iter("img"))
            except Exception:  # a noscript of unparsable junk is nothing to keep
                inner = []
        if not inner:
            remove_keeping_tail(ns)
            continue
        real = inner[0]
        prev = ns.getprevious()
        placeholder = None
        if prev is not None:
            placeholder = prev if prev.tag == "img" else next(iter(prev.iter("img")), None)
        if placeholder is None:
            parent = ns.getparent()
            siblings = [c for c in parent.iter("img") if c is not real and c not in inner]
            placeholder = siblings[0] if len(siblings) == 1 else None
        if placeholder is not None:
            # The lazy image's own data-srcset is usually richer than the fallback's single src: keep it, and
            # take from the fallback only what the placeholder lacks.
            has_source = any(placeholder.get(a) for a in (*_LAZY_SRC, *_LAZY_SRCSET, "srcset")) or (
                placeholder.get("src") and not _PLACEHOLDER_SRC.search(placeholder.get("src")))
            for attr, value in real.attrib.items():
                if not placeholder.get(attr) or (attr == "src" and not has_source):
                    placeholder.set(attr, value)
            remove_keeping_tail(ns)
        else:
            real.tail = ns.tail
            ns.getparent().replace(ns, real)


def _block_alone(img: lhtml.HtmlElement) -> lhtml.HtmlElement | None:
    """The nearest block that holds nothing but this image (and links or wrappers around it)."""
    block = None
    el = img
    while True:
        parent = el.getparent()
        if parent is None or parent.tag in ("body", "article", "main", "section", "li", "td", "blockquote"):
            return block
        if _text(parent).strip() or len([i for i in parent.iter("img")]) > 1:
            return block
        if parent.tag in ("p", "div", "a", "span", "picture"):
            block = parent
        el = parent


def _in_chrome(el: lhtml.HtmlElement) -> bool:
    """Inside the site's navigation, footer or a form; a <header> counts only outside the article (an article's
    own header holds its lead image)."""
    ancestors = list(el.iterancestors())
    in_article = any(a.tag in ("article", "main") for a in ancestors)
    return any(a.tag in _CHROME_TAGS and not (a.tag == "header" and in_article) for a in ancestors)


def _replace(el: lhtml.HtmlElement, tokens: list[str], inline: bool) -> None:
    """Put the figures' tokens where the element stood: one paragraph each, or inline inside a paragraph (the
    writer then moves the figure out of the paragraph)."""
    parent = el.getparent()
    if parent is None:
        return
    in_text = inline or parent.tag in ("p", "a", "span", "em", "strong", "b", "i")
    holder = lhtml.Element("span" if in_text else "div")
    for token in tokens:
        piece = lhtml.Element("span" if in_text else "p")
        piece.text = token
        holder.append(piece)
    holder.tail = el.tail
    parent.replace(el, holder)


def _text(el: lhtml.HtmlElement | None) -> str:
    if el is None:
        return ""
    return _clean(el.text_content())


def _clean(text: str) -> str:
    return " ".join(text.split())
