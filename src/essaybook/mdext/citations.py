"""pandoc citations, ``[@key]``, ``[see @key, pp. 4–7; @other]``, ``[-@key]``, and ``@key`` in running text,
formatted with citeproc-py from the essay's ``bibliography:`` (CSL JSON or BibTeX, a file in its folder) in the
``csl:`` style, by default the Chicago author-date style shipped with essaybook (CC BY-SA, in ``csl/``).

The citations are collected while the text is parsed and formatted together at the end, since author-date
styles disambiguate ("2019a") across the whole essay; the references follow the text, before the notes. A key
the bibliography lacks is a ``citation-missing`` warning at its line; citations without a bibliography are one
``bibliography-missing`` warning, and print as their keys in parentheses.
"""

from __future__ import annotations

import json
import re
import warnings
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from importlib import resources

from markdown import Extension, Markdown
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

from essaybook.mdext import attached, context

_KEY = r"[\w][\w:.#$%&+?<>~/-]*(?<![.:])"
_BRACKETED = rf"\[((?:[^\[\]\n]|\n(?!\s*\n))*?-?@{_KEY}(?:[^\[\]\n]|\n(?!\s*\n))*?)\](?![(\[{{])"
_BARE = rf"(?<![\w@\[])@({_KEY})(?:[ \t]+\[([^\[\]\n@]*)\])?"  # pandoc's "@key [p. 4]" too
_ITEM = re.compile(rf"^(?P<prefix>.*?)(?P<suppress>-?)@(?P<key>{_KEY})(?:\s*,?\s*(?P<suffix>.*))?$", re.DOTALL)
_LOCATOR = re.compile(r"^(?P<label>pp?|pages?|ch(?:ap)?|chapters?|sec(?:t)?|sections?|fig|figures?|vol|volumes?|"
                      r"para|paragraphs?|nn?|notes?|l|ll|lines?)\.?\s+(?P<value>[\w–—,\- ]+)$|^(?P<number>[\d–\-]+)$")
_LABELS = {"p": "page", "pp": "page", "page": "page", "pages": "page", "ch": "chapter", "chap": "chapter",
           "chapter": "chapter", "chapters": "chapter", "sec": "section", "sect": "section", "section": "section",
           "sections": "section", "fig": "figure", "figure": "figure", "figures": "figure", "vol": "volume",
           "volume": "volume", "volumes": "volume", "para": "paragraph", "paragraph": "paragraph",
           "paragraphs": "paragraph", "n": "note", "nn": "note", "note": "note", "notes": "note", "l": "line",
           "ll": "line", "line": "line", "lines": "line"}
CITE_ATTR = "data-eb-cite"
DEFAULT_STYLE = "chicago-author-date.csl"


@dataclass
class _Cite:
    items: list[dict]  # key, prefix, suffix, locator (label, value), suppress
    written: str
    in_text: bool = False


@dataclass
class _State:
    cites: list[_Cite] = field(default_factory=list)


def _state(md: Markdown) -> _State:
    return attached(md, "eb_citations", _State)


def _parse_items(text: str) -> list[dict] | None:
    items = []
    for part in text.split(";"):
        m = _ITEM.match(part.strip())
        if not m:
            return None
        suffix = (m.group("suffix") or "").strip()
        locator = None
        loc = _LOCATOR.match(suffix) if suffix else None
        if loc:
            locator = ("page", loc.group("number")) if loc.group("number") else \
                (_LABELS[loc.group("label").lower()], loc.group("value").strip())
            locator = (locator[0], re.sub(r"-{2,}", "-", locator[1]))  # "88--102": citeproc sets the dash itself
            suffix = ""
        items.append({"key": m.group("key"), "prefix": m.group("prefix").strip(), "suffix": suffix,
                      "locator": locator, "suppress": bool(m.group("suppress")),
                      "after_key": (m.group("suffix") or "").strip()})  # as written: "p. 3", for no bibliography
    return items


class CitationProcessor(InlineProcessor):
    def handleMatch(self, m, data):  # type: ignore[override]
        items = _parse_items(m.group(1))
        if items is None:
            return None, None, None
        return _placeholder(self.md, _Cite(items, m.group(0))), m.start(0), m.end(0)


class BareCitationProcessor(InlineProcessor):
    """``@key says …``: only for keys the bibliography has (so a handle like @example stays text)."""

    def handleMatch(self, m, data):  # type: ignore[override]
        if m.group(1) not in _keys(self.md):
            return None, None, None
        items = _parse_items(f"@{m.group(1)}, {m.group(2)}" if m.group(2) else f"@{m.group(1)}")
        if items is None:
            return None, None, None
        cite = _Cite(items, m.group(0), in_text=True)
        return _placeholder(self.md, cite), m.start(0), m.end(0)


def _placeholder(md: Markdown, cite: _Cite) -> etree.Element:
    state = _state(md)
    state.cites.append(cite)
    return etree.Element("span", {"class": "citation", CITE_ATTR: str(len(state.cites) - 1)})


def _keys(md: Markdown) -> set[str]:
    source = _source(md)
    return set(source) if source is not None else set()


def _source(md: Markdown):
    """The bibliography as a citeproc source (cached on the Markdown instance), or None."""
    if hasattr(md, "eb_bibliography"):
        return md.eb_bibliography
    md.eb_bibliography = None  # type: ignore[attr-defined]
    ctx = context(md)
    if not ctx.bibliography or ctx.folder is None:
        return None
    from essaybook.assets import inside_folder

    path = inside_folder(ctx.bibliography, ctx.folder)
    if path is None or not path.is_file():
        ctx.report("bibliography-missing", f"bibliography '{ctx.bibliography}' is not a file in the essay's "
                   "folder; citations print as their keys", line=ctx.bibliography_line)
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if path.suffix.lower() == ".bib":
                from citeproc.source.bibtex import BibTeX

                source = BibTeX(str(path), encoding="utf-8")
            else:
                from citeproc.source.json import CiteProcJSON

                source = CiteProcJSON(json.loads(path.read_text(encoding="utf-8")))
    except Exception as exc:  # a broken .bib or .json: say so, and go on without it
        ctx.report("bibliography-missing", f"bibliography '{ctx.bibliography}' cannot be read ({exc}); write CSL "
                   "JSON (.json) or BibTeX (.bib)", line=ctx.bibliography_line)
        return None
    md.eb_bibliography = source  # type: ignore[attr-defined]
    return source


def _style(md: Markdown):
    from citeproc import CitationStylesStyle

    ctx = context(md)
    path = None
    if ctx.csl and ctx.folder is not None:
        from essaybook.assets import inside_folder

        path = inside_folder(ctx.csl, ctx.folder)
        if path is None or not path.is_file():
            ctx.report("bibliography-missing", f"citation style '{ctx.csl}' is not a file in the essay's folder; "
                       "the Chicago author-date style is used", line=ctx.csl_line)
            path = None
    locale = {"en": "en-US", "de": "de-DE", "fr": "fr-FR", "es": "es-ES", "ko": "ko-KR"}.get(ctx.lang, ctx.lang)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with resources.as_file(resources.files("essaybook") / "csl" / DEFAULT_STYLE) as default:
            try:
                return CitationStylesStyle(str(path or default), locale=locale, validate=False)
            except Exception:
                return CitationStylesStyle(str(default), locale="en-US", validate=False)


def _fragment(tag: str, html: str, attrs: dict[str, str] | None = None) -> etree.Element:
    """citeproc's HTML (``<i>``, ``<b>``) as an element; as text if it does not parse."""
    try:
        el = etree.fromstring(f"<{tag}>{html}</{tag}>")
    except etree.ParseError:
        el = etree.Element(tag)
        el.text = re.sub(r"<[^>]+>", "", html)
    el.attrib.update(attrs or {})
    return el


class CitationRenderer(Treeprocessor):
    """After the notes are built (14): format every citation, and add the references before the notes."""

    def run(self, root: etree.Element) -> None:
        state = _state(self.md)
        spans = [el for el in root.iter("span") if CITE_ATTR in el.attrib]
        if not spans:
            return
        ctx = context(self.md)
        source = _source(self.md)
        if source is None:
            if not ctx.bibliography:
                ctx.report("bibliography-missing", "the essay cites sources ([@…]) but names no bibliography; add "
                           "'bibliography: references.json' (CSL JSON or BibTeX) to the front matter",
                           needle=state.cites[int(spans[0].get(CITE_ATTR))].written)
            for span in spans:
                cite = state.cites[int(span.attrib.pop(CITE_ATTR))]
                span.text = "(" + "; ".join(_as_written(i) for i in cite.items) + ")"
            return
        self._format(root, spans, source, state, ctx)

    def _format(self, root, spans, source, state, ctx) -> None:
        from citeproc import Citation, CitationItem, CitationStylesBibliography, Locator, formatter

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bibliography = CitationStylesBibliography(_style(self.md), source, formatter.html)
            citations = []
            for span in spans:
                cite = state.cites[int(span.get(CITE_ATTR))]
                items = []
                for i in cite.items:
                    kwargs = {}
                    if i["locator"]:
                        kwargs["locator"] = Locator(*i["locator"])
                    if i["prefix"]:
                        kwargs["prefix"] = i["prefix"] + " "
                    if i["suffix"]:
                        kwargs["suffix"] = ", " + i["suffix"]
                    items.append(CitationItem(i["key"], **kwargs))
                citation = Citation(items)
                bibliography.register(citation)
                citations.append((span, cite, citation))
            bibliography.sort()  # by the style's <sort> (Chicago: author, then year); citeproc-py leaves it to us
            for span, cite, citation in citations:
                missing = [i["key"] for i in cite.items if i["key"] not in source]
                for key in missing:
                    ctx.report("citation-missing", f"citation '@{key}' is not in the bibliography "
                               f"'{ctx.bibliography}'; add it there or correct the key", needle="@" + key)
                text = bibliography.cite(citation, lambda item: None)
                text = str(text)
                if cite.in_text:  # "(Okafor 2019)" -> "Okafor (2019)", "(Okafor 2019, 4)" -> "Okafor (2019, 4)"
                    year = _IN_TEXT.match(text)
                    text = f"{year['names']} ({year['rest']})" if year else re.sub(r"^\((.*) ([^ ]+)\)$", r"\1 (\2)",
                                                                                   text)
                if all(i["suppress"] for i in cite.items):
                    text = re.sub(r"^\((?:[^()\d]*?\s)?(\d{4}\w?.*)\)$", r"(\1)", text)
                el = _fragment("span", text)
                span.attrib.pop(CITE_ATTR)
                span.text = el.text
                for child in el:
                    span.append(child)
            entries = [str(e) for e in bibliography.bibliography()]
        if not entries:
            return
        section = etree.Element("section", {"class": "references", "id": "references",
                                            "role": "doc-bibliography", "epub:type": "bibliography"})
        level = "h1" if root.find(".//h1") is not None else "h2"
        heading = etree.SubElement(section, level, {"id": "references-title"})
        heading.text = ctx.references_title or "References"
        section.set("aria-labelledby", "references-title")
        for html in entries:
            section.append(_fragment("p", html, {"class": "csl-entry"}))
        _place(root, section, heading)


_IN_TEXT = re.compile(r"^\((?P<names>.*?) (?P<rest>(?:\d{4}\w?|n\.d\.)(?:\W.*)?)\)$")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _place(root: etree.Element, section: etree.Element, heading: etree.Element) -> None:
    """Where pandoc puts the references: in a ``::: {#refs}`` div; under the essay's last heading when nothing
    follows it ("# References" at the end: its words and level, not a second heading); else after the text,
    before the notes."""
    refs = next((el for el in root.iter("div") if el.get("id") == "refs"), None)
    if refs is not None:
        refs.attrib.update({k: v for k, v in section.attrib.items() if k not in ("id", "aria-labelledby")})
        refs.extend(entry for entry in section if entry is not heading)
        return
    notes = next((i for i, el in enumerate(root) if "footnote" in el.get("class", "")), len(root))
    last = root[notes - 1] if notes else None
    if last is not None and last.tag in _HEADINGS and not (last.tail or "").strip():
        heading.tag, heading.text = last.tag, "".join(last.itertext())
        root.remove(last)
        notes -= 1
    root.insert(notes, section)


def _as_written(item: dict) -> str:
    """A citation with no bibliography to format it: its prefix, key and what followed the key, every word the
    author wrote (pandoc prints ``see knuth84?, p. 3``)."""
    return " ".join(filter(None, (item["prefix"], item["key"]))) + (f", {item['after_key']}" if item["after_key"]
                                                                   else "")


class CitationExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        self.md = md
        md.registerExtension(self)
        md.inlinePatterns.register(CitationProcessor(_BRACKETED, md), "eb-citations", 176)
        md.inlinePatterns.register(BareCitationProcessor(_BARE, md), "eb-bare-citations", 105)  # after automail
        md.treeprocessors.register(CitationRenderer(md), "eb-citations", 13)

    def reset(self) -> None:
        self.md.eb_citations = _State()  # type: ignore[attr-defined]
