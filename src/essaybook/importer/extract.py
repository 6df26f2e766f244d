"""A page's main content and its metadata, by trafilatura and htmldate, with figures and notes kept apart.

trafilatura finds the article among the page's chrome better than anything we would write; what it loses
(figures with their credits, footnotes, lazy images) is lifted out of the DOM first (``figures``,
``footnotes``) and put back from placeholder tokens. Metadata comes from the page's own statements: JSON-LD,
Open Graph and ``<meta>`` (through trafilatura), ``<time>`` and the text (htmldate), ``<html lang>``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import warnings
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lhtml

from essaybook.importer import figures as figs
from essaybook.importer import footnotes as fns

_SEPARATORS = (" | ", " – ", " — ", " - ", " · ", " :: ", " » ", " « ", " / ", " : ")
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_DROP_TAGS = ("script", "style", "template", "iframe", "object", "embed", "button", "input", "select",
              "textarea", "svg", "canvas")
_MEDIA_FRAME = re.compile(r"youtube|youtu\.be|vimeo|dailymotion|soundcloud|spotify|podcast|/player|/video|"
                          r"brightcove|jwplayer|wistia|ted\.com|twitch", re.I)
_ARTICLE_TYPES = {"article", "newsarticle", "blogposting", "report", "scholarlyarticle", "techarticle",
                  "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle", "socialmediaposting",
                  "liveblogposting", "webpage", "creativework", "review"}


@dataclass
class Extracted:
    title: str | None
    authors: list[str]
    date: str | None
    lang: str | None
    description: str | None
    source_url: str | None
    rights: str | None
    site_name: str | None
    body: etree._Element | None  # the main content, as HTML elements
    base: str | None
    figures: list[figs.Figure]
    notes: list[fns.Note]
    dropped: list[str] = field(default_factory=list)  # what the page had and the essay will not


def parse_html(text: str) -> lhtml.HtmlElement:
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)  # lxml refuses an encoding declaration in a str
    try:
        root = lhtml.document_fromstring(text or "<html></html>")
    except (etree.ParserError, ValueError):
        root = lhtml.document_fromstring("<html><body></body></html>")
    return root


def extract(text: str, base_url: str | None, given_url: str | None, resolve_images: bool = True) -> Extracted:
    import trafilatura  # ~0.3 s to import: only when a page is imported

    root = parse_html(text)
    meta = _metadata(root, text, base_url)
    base = _base(root, base_url, meta["source_url"])
    for comment in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        remove_keep_tail(comment)
    dropped = _embeds(root)
    for form in list(root.iter("form")):
        # comment and subscribe forms; not the form an ASP.NET page wraps around everything
        if len(form.text_content()) < 3000 and next(form.iter("textarea", "input"), None) is not None:
            remove_keep_tail(form)
    for el in list(root.iter(*_DROP_TAGS)):
        remove_keep_tail(el)
    _math_as_text(root)
    _unhide(root)
    figures = figs.lift(root, base if resolve_images else None)
    notes = fns.lift(root, meta["source_url"] or base)
    as_written = _lists_and_code(root)  # read before trafilatura, which rewrites the tree it is given
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # no url=: trafilatura would resolve "#note" against the host alone; markdown.Writer resolves links
        result = trafilatura.extract(root, output_format="html", include_comments=False,
                                     include_tables=True, include_images=False, include_formatting=True,
                                     include_links=True, deduplicate=False,
                                     favor_recall=True)
    body = None
    if result:
        body = parse_html(_inline_code_kept_inline(result)).find("body")
        if body is not None:
            _restore_what_trafilatura_recast(body, *as_written)
    source_url = meta["source_url"] or given_url
    return Extracted(meta["title"], meta["authors"], meta["date"], meta["lang"], meta["description"],
                     source_url, meta["rights"], meta["site_name"], body, base, figures, notes, dropped)


def _inline_code_kept_inline(result: str) -> str:
    """trafilatura writes inline ``<code>`` as a ``<pre>`` inside its paragraph, which an HTML parser takes as
    the paragraph's end: read as XML (trafilatura's output is lxml's), a one-line ``<pre>`` inside running
    text becomes ``<code>`` again."""
    tree = etree.fromstring(result.encode(), etree.XMLParser(recover=True, resolve_entities=False, no_network=True))
    if tree is None:
        return result
    changed = False
    for pre in tree.iter("pre"):
        parent = pre.getparent()
        if parent is not None and parent.tag in _RUNNING_TEXT and "\n" not in "".join(pre.itertext()):
            pre.tag, changed = "code", True
    return etree.tostring(tree, encoding="unicode") if changed else result


_RUNNING_TEXT = {"p", "li", "td", "th", "a", "em", "strong", "b", "i", "dd", "dt", "h1", "h2", "h3", "h4", "h5",
                 "h6", "figcaption", "blockquote"}


def _words(el: lhtml.HtmlElement) -> str:
    return " ".join(el.text_content().split())


def _lists_and_code(page: lhtml.HtmlElement) -> tuple[dict[tuple[str, ...], str | None], dict[str, str]]:
    """The page's numbered lists (their items' words, and their ``start``) and its code blocks (by their
    words: their text with its line breaks), for ``_restore_what_trafilatura_recast``."""
    numbered: dict[tuple[str, ...], str | None] = {}
    for ol in page.iter("ol"):
        items = tuple(_words(li) for li in ol if li.tag == "li")
        if items:
            numbered.setdefault(items, ol.get("start"))
    return numbered, {_words(pre): _pre_text(pre) for pre in page.iter("pre") if pre.text_content().strip()}


def _restore_what_trafilatura_recast(body: lhtml.HtmlElement, numbered: dict[tuple[str, ...], str | None],
                                     code_blocks: dict[str, str]) -> None:
    """trafilatura's HTML output (2.x) writes every list as ``<ul>`` and a ``<pre>`` as a ``<blockquote>``,
    its line breaks lost to the Markdown: numbered steps lost their numbers and their start, and code ran
    together on one line. Each is put back by the page's own element of the same text: an ``<ol>`` (and its
    ``start``) whose items read the same, a ``<pre>`` whose text is the quotation's."""
    for ul in list(body.iter("ul")):
        items = tuple(_words(li) for li in ul if li.tag == "li")
        if items in numbered:
            ul.tag = "ol"
            if (numbered[items] or "").isdigit():
                ul.set("start", numbered[items])
    for pre in body.iter("pre"):  # code as the page has it: trafilatura drops <br> and indents what it wraps
        text = code_blocks.get(_words(pre))
        if text is not None and text != pre.text_content() and \
                all(child.tag in _INLINE_IN_CODE for child in pre.iterdescendants()):
            for child in list(pre):
                pre.remove(child)
            pre.text = text
    for quote in list(body.iter("blockquote")):
        text = code_blocks.get(_words(quote))
        if text is not None and all(child.tag in _INLINE_IN_CODE for child in quote.iterdescendants()):
            for child in list(quote):
                quote.remove(child)
            quote.tag, quote.text = "pre", text


_INLINE_IN_CODE = {"a", "span", "b", "strong", "i", "em", "code", "pre", "br", "hi", "u", "font"}  # pre: its code


def _pre_text(pre: lhtml.HtmlElement) -> str:
    """A ``<pre>``'s text with its ``<br>`` as line breaks (some sites write code so)."""
    parts = [pre.text or ""]
    for el in pre.iterdescendants():
        if el.tag == "br":
            parts.append("\n")
        elif isinstance(el.tag, str) and el.text:
            parts.append(el.text)
        if el.tail:
            parts.append(el.tail)
    return "".join(parts)


def _metadata(root: lhtml.HtmlElement, text: str, base_url: str | None) -> dict:
    from trafilatura.metadata import extract_metadata

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        doc = extract_metadata(lhtml.fromstring(lhtml.tostring(root)), default_url=base_url)
    ld = _json_ld(root)
    publisher = ld.get("publisher")
    site = (_meta(root, "og:site_name") or (_str(publisher.get("name")) if isinstance(publisher, dict) else "")
            or doc.sitename)
    title = _title(root, ld, doc.title, site)
    authors = _authors(root, doc.author, ld)
    date = _date(root, ld, doc.date)
    canonical = _canonical(root, base_url)
    rights = doc.license or _meta(root, "copyright", "dc.rights", "dcterms.rights") or _ld_rights(ld)
    rights = _clean(rights)
    if rights and not re.search(r"©|\(c\)|copyright|creative\s*commons|\bcc[\s-]|licen[cs]|public\s+domain|rights",
                                rights, re.I):
        rights = f"© {rights}"  # a bare name in <meta name="copyright"> is the holder
    description = doc.description or _meta(root, "description", "og:description")
    return {"title": title, "authors": authors, "date": date, "lang": _lang(root, ld),
            "description": _clean(description) or None, "source_url": canonical, "rights": _clean(rights) or None,
            "site_name": site}


def _title(root: lhtml.HtmlElement, ld: dict, found: str | None, site: str | None) -> str | None:
    """The headline, in the order Readability looks for it (JSON-LD, then the title metadata, then the <title>
    tag read with its heuristics), without " – Site name" when the site's name is known."""
    tag = root.find(".//title")
    page_title = _clean(tag.text_content()) if tag is not None else ""
    h1s = [_clean(h.text_content()) for h in root.iter("h1") if _clean(h.text_content())]
    headline, name = _clean(_str(ld.get("headline"))), _clean(_str(ld.get("name")))
    if headline and name and headline != name:
        headline = max((headline, name), key=lambda t: _overlap(t, page_title))
    candidates = [headline or name, _meta(root, "dc.title", "dcterm.title", "og:title", "weibo:article:title",
                                          "weibo:webpage:title", "title", "twitter:title", "parsely-title")]
    for candidate in candidates:
        if candidate:
            return _strip_site(candidate, site, h1s)
    title = _title_tag(page_title, root)
    if title:
        return _strip_site(title, site, h1s)
    return h1s[0] if h1s else _clean(found) or None


def _title_tag(original: str, root: lhtml.HtmlElement) -> str:
    """Readability's reading of a <title>: the part that is not the site's name."""
    title = original
    hierarchical = False
    words = lambda t: len(t.split())  # noqa: E731
    if re.search(r" [|\-–—\\/>»] ", title):
        hierarchical = bool(re.search(r" [\\/>»] ", title))
        title = re.sub(r"(.*)[|\-–—\\/>»] .*", r"\1", original)
        if words(title) < 3:
            title = re.sub(r"^[^|\-–—\\/>»]*[|\-–—\\/>»]", "", original)
    elif ": " in title:
        headings = {_clean(h.text_content()) for h in root.iter("h1", "h2")}
        if title.strip() not in headings:
            title = original[original.rfind(":") + 1:]
            if words(title) < 3:
                title = original[original.find(":") + 1:]
            elif words(original[:original.find(":")]) > 5:
                title = original
    elif len(title) > 150 or len(title) < 15:
        h1s = list(root.iter("h1"))
        if len(h1s) == 1:
            title = h1s[0].text_content()
    title = _clean(title)
    if words(title) <= 4 and (not hierarchical or words(title) != words(re.sub(r"[|\-–—\\/>»]+", "", original)) - 1):
        title = original
    return title


def _overlap(a: str, b: str) -> float:
    ta, tb = set(a.casefold().split()), set(b.casefold().split())
    return len(ta & tb) / max(1, len(ta | tb))


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _strip_site(title: str, site: str | None, h1s: list[str]) -> str:
    if title in h1s:
        return title
    for h1 in h1s:  # the page's <h1> is the headline when the title merely adds the site's name to it
        if len(h1) > 10 and title.startswith(h1) and title[len(h1):].lstrip()[:1] in "|–—-·:»/[(":
            return h1
    if not site:
        return title
    for sep in _SEPARATORS:
        if sep not in title:
            continue
        head, _, tail = title.rpartition(sep)
        if _similar(tail, site) and len(head.split()) >= 2:
            return head.strip()
        first, _, rest = title.partition(sep)
        if _similar(first, site) and len(rest.split()) >= 2:
            return rest.strip()
    return title


def _similar(a: str, b: str) -> bool:
    norm = lambda s: re.sub(r"[\W_]+", "", s.casefold())  # noqa: E731
    a, b = norm(a), norm(b)
    short, long = sorted((a, b), key=len)
    return bool(short) and short in long and len(short) >= 0.6 * len(long)


def _looks_like_site(text: str) -> bool:
    return bool(re.search(r"\.(com|org|net|de|fr|co|io|uk)\b|^[A-Z][\w&.' ]*$", text.strip()))


def _authors(root: lhtml.HtmlElement, found: str | None, ld: dict) -> list[str]:
    """The byline: JSON-LD's authors, else the author metadata, else trafilatura's reading of the page."""
    names: list[str] = []
    author = ld.get("author") or ld.get("creator")
    for a in author if isinstance(author, list) else [author]:
        name = a.get("name") if isinstance(a, dict) else a
        _add_name(names, _str(name))
    if not names:
        meta = _meta(root, "dc.creator", "dcterm.creator", "author", "parsely-author", "article:author",
                     "sailthru.author", "byl")
        if meta:
            for part in re.split(r"\s*(?:;|,| and | & | und | et )\s*", meta) if meta.count(",") < 4 else [meta]:
                _add_name(names, part)
    if not names:
        _add_name(names, _dom_byline(root))
    if not names:
        for value in (found or "").split(";"):
            _add_name(names, value)
    return names


def _dom_byline(root: lhtml.HtmlElement) -> str:
    """A byline the page marks as one (rel=author, itemprop=author, class "byline"/"author"), outside comments."""
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("meta", "link", "script", "style", "body", "html"):
            continue
        rel, prop = (el.get("rel") or "").lower().split(), (el.get("itemprop") or "").lower().split()
        marks = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
        if not ("author" in rel or "author" in prop or re.search(r"\bbyline\b|\bauthor\b|\bauthor-name\b", marks)):
            continue
        if any(re.search(r"comment", f"{a.get('class') or ''} {a.get('id') or ''}", re.I) for a in el.iterancestors()):
            continue
        name_el = next((c for c in el.iter() if "name" in (c.get("itemprop") or "").split()), el)
        text = _clean(name_el.text_content())
        if 2 < len(text) < 100:
            return text
    return ""


def _add_name(names: list[str], value: str) -> None:
    value = re.sub(r"^\s*(by|von|par|por|door|di|de)\s+", "", _clean(value), flags=re.I).strip(" ,;|")
    if not value or len(value) > 100 or re.match(r"^(https?:|www\.|@)", value) or value.casefold() in _NOT_NAMES:
        return
    if value.casefold() not in (n.casefold() for n in names):
        names.append(value)


_NOT_NAMES = {"username", "admin", "administrator", "author", "staff", "editor", "作者", "authority control", "guest",
              "unknown", "anonymous", "none", "null"}


def _date(root: lhtml.HtmlElement, ld: dict, found: str | None) -> str | None:
    """The publication date the page states (JSON-LD, then the date metadata), else htmldate's finding."""
    stated = [_str(ld.get("datePublished")), _meta(root, "article:published_time", "og:published_time",
                                                   "parsely-pub-date", "sailthru.date", "dc.date.issued",
                                                   "dcterms.issued", "dc.date", "dcterms.date", "pubdate",
                                                   "publishdate", "date")]
    stated += [t.get("datetime") or "" for t in root.iter("time") if t.get("pubdate") is not None]
    for value in [*stated, found or ""]:
        match = re.match(r"^\s*(\d{4}-\d{2}-\d{2})", value or "")
        try:
            if match and dt.date.fromisoformat(match.group(1)).year >= 1000:
                return match.group(1)
        except ValueError:
            continue  # "2020-13-01": not a date the build would accept
    return None


def _lang(root: lhtml.HtmlElement, ld: dict) -> str | None:
    candidates = [root.get("lang"), root.get("{http://www.w3.org/XML/1998/namespace}lang"),
                  _meta(root, "content-language", "dc.language", "language"), ld.get("inLanguage"),
                  _meta(root, "og:locale")]
    for value in candidates:
        if isinstance(value, str):
            value = value.strip().replace("_", "-").split(",")[0].strip()
            if _LANG.match(value) and value.lower() not in ("und", "xx", "mul", "zxx"):
                parts = value.split("-")
                parts = [parts[0].lower()] + [p.upper() if len(p) == 2 else p.title() if len(p) == 4 else p
                                              for p in parts[1:]]
                return "-".join(parts)
    return None


def _canonical(root: lhtml.HtmlElement, base_url: str | None) -> str | None:
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            url = urljoin(base_url or "", link.get("href").strip())
            if urlsplit(url).scheme in ("http", "https"):
                return url
    url = _meta(root, "og:url")
    if url and urlsplit(url).scheme in ("http", "https"):
        return url
    return None


def _base(root: lhtml.HtmlElement, base_url: str | None, canonical: str | None) -> str | None:
    base_el = root.find(".//base[@href]")
    start = base_url or canonical
    if base_el is not None:
        href = base_el.get("href").strip()
        joined = urljoin(start or "", href)
        if urlsplit(joined).scheme in ("http", "https"):
            return joined
    return start


def _meta(root: lhtml.HtmlElement, *names: str) -> str | None:
    """The first of ``names`` that a <meta> gives, as Readability reads them: ``property`` (which may hold
    several space-separated names) before ``name``; names case-folded, with "DC.title" the same as "dc:title"."""
    by_property: dict[str, str] = {}
    by_name: dict[str, str] = {}
    for m in root.iter("meta"):
        content = _clean(m.get("content"))
        if not content:
            continue
        for prop in (m.get("property") or "").lower().split():
            by_property.setdefault(prop.replace(".", ":"), content)
        key = (m.get("name") or m.get("itemprop") or m.get("http-equiv") or "").lower()
        key = re.sub(r"\s", "", key).replace(".", ":")
        if key:
            by_name.setdefault(key, content)
    for n in names:
        key = n.lower().replace(".", ":")
        if key in by_property:
            return by_property[key]
        if key in by_name:
            return by_name[key]
    return None


def _json_ld(root: lhtml.HtmlElement) -> dict:
    """The page's article object in JSON-LD (the first of an article type, through @graph and lists)."""
    best: dict = {}
    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json":
            continue
        raw = re.sub(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$", "", (script.text or "").strip())
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                kind = item.get("@type")
                kinds = {k.lower() for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)}
                if kinds & _ARTICLE_TYPES and (not best or ("webpage" in best.get("_kinds", ()) and
                                                           "webpage" not in kinds)):
                    best = dict(item, _kinds=kinds)
                if "@graph" in item:
                    stack.extend(item["@graph"] if isinstance(item["@graph"], list) else [item["@graph"]])
    return best


def _ld_rights(ld: dict) -> str | None:
    value = ld.get("license")
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _embeds(root: lhtml.HtmlElement) -> list[str]:
    """Videos, audio and embedded frames inside the article: an essay cannot hold them, so say so."""
    out = []
    article = root.find(".//article")
    scope = article if article is not None else root
    for el in scope.iter("video", "audio", "iframe"):
        src = el.get("src") or el.get("data-src") or next((s.get("src") for s in el.iter("source")
                                                           if s.get("src")), None) or ""
        if el.tag == "iframe" and not _MEDIA_FRAME.search(src):
            continue
        if src:
            kind = "video" if el.tag == "iframe" else el.tag
            out.append(f"{kind} not kept ({src[:100]}): an essay holds text and images; link to it if it matters")
    return out


def _math_as_text(root: lhtml.HtmlElement) -> None:
    """Extractors drop MathML; an essay cannot show it either. Its TeX annotation or alt text keeps the formula
    readable in the text, escaped like any text."""
    for math in list(root.iter("math", "{http://www.w3.org/1998/Math/MathML}math")):
        tex = next((a.text for a in math.iter("annotation") if "tex" in (a.get("encoding") or "").lower()
                    and (a.text or "").strip()), None)
        text = _clean(math.get("alttext") or tex or " ".join(t.strip() for t in math.itertext() if t.strip()))
        code = lhtml.Element("span")
        code.text = text
        # MathJax wraps the MathML in custom elements (mjx-container) that extractors drop whole
        outer = math
        for anc in math.iterancestors():
            if isinstance(anc.tag, str) and "-" in anc.tag:
                outer = anc
        code.tail = outer.tail
        if outer.getparent() is not None:
            outer.getparent().replace(outer, code)


def _unhide(root: lhtml.HtmlElement) -> None:
    """Hidden elements are not the article (Readability drops them too): menus, modals, cookie banners."""
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        style = (el.get("style") or "").replace(" ", "").lower()
        hidden = el.get("hidden") is not None or (el.get("aria-hidden") == "true" and el.tag not in ("img", "span"))
        if hidden or "display:none" in style or "visibility:hidden" in style or "mw-editsection" in (el.get("class")
                                                                                                   or ""):
            if next(el.iter("img"), None) is not None and el.tag in ("figure", "picture"):
                continue
            remove_keep_tail(el)


def remove_keep_tail(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    prev = el.getprevious()
    parent.remove(el)
    if tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())
