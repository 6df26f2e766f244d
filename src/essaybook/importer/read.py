"""Bytes to text, and a source (URL, saved page, MHTML) to a page plus the way to get its images.

Pages lie about their encoding, and extractors given bytes guess wrong on some of them, so the text is
decoded here once, in the order that is most often right: a byte-order mark, the HTTP header, the page's own
``<meta charset>``, then detection by charset-normalizer. A saved page may only lead to files inside its own
``<name>_files`` folder; an MHTML file only to its own parts.
"""

from __future__ import annotations

import codecs
import email
import email.policy
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from essaybook.importer.fetch import PAGE_TYPES, Fetcher, FetchError, Picture, open_picture

MAX_FILE = 50 * 1024 * 1024
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


class ReadError(Exception):
    """A source that cannot be read; the message is one line for the user."""


@dataclass
class Page:
    """A page's text and where it came from. ``images`` turns an ``src`` (absolute, or as the page wrote it)
    into a checked picture, or raises FetchError saying why it cannot be had."""

    html: str
    kind: str  # "html" or "text"
    base_url: str | None  # what relative links resolve against
    given_url: str | None  # the URL the user typed, for source_url when the page names no canonical URL
    images: Callable[[str], Picture]
    name: str  # file name or URL path stem, for a slug when the title gives none
    # A saved page's images are named as the page wrote them (relative to its file), never resolved against
    # the page's canonical URL, which would point them back to the web.
    resolve_images: bool = True


def decode(data: bytes, header_charset: str | None = None) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace")
    for candidate in (header_charset, _meta_charset(data)):
        if candidate and _known(candidate):
            name = codecs.lookup(candidate).name
            # Pages that say latin-1 mean windows-1252 (as browsers assume).
            if name in ("latin-1", "iso8859-1", "ascii"):
                name = "cp1252"
            try:
                return data.decode(name)
            except UnicodeDecodeError:
                break  # the page lies about its encoding: detect it
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return str(best) if best is not None else data.decode("cp1252", errors="replace")


def _meta_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:8192])
    return match.group(1).decode("ascii") if match else None


def _known(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def open_source(source: str) -> Page:
    """Read a URL, an .html/.htm (with its _files folder), an .mhtml/.mht or a .txt into a Page."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*://", source):
        return _from_url(source)
    path = Path(source)
    if not path.is_file():
        raise ReadError("not found (give a URL, an .html/.htm/.mhtml/.mht page or a .txt capture)")
    suffix = path.suffix.lower()
    if path.stat().st_size > MAX_FILE:
        raise ReadError(f"larger than {MAX_FILE // 1024 // 1024} MB; not a saved page")
    data = path.read_bytes()
    if suffix in (".mhtml", ".mht"):
        return _from_mhtml(path, data)
    if suffix in (".html", ".htm", ".xhtml"):
        return Page(decode(data), "html", None, None, _saved_page_images(path), path.stem, resolve_images=False)
    if suffix in (".txt", ".text", ""):
        return Page(decode(data), "text", None, None, _no_images, path.stem)
    raise ReadError(f"'{suffix}' is not a page essaybook imports (.html, .htm, .mhtml, .mht, .txt or a URL)")


def _from_url(url: str) -> Page:
    if urlsplit(url).scheme not in ("http", "https"):
        raise ReadError(f"scheme '{urlsplit(url).scheme}' refused (http and https only)")
    fetcher = Fetcher.for_url(url)
    try:
        response = fetcher.get(url, PAGE_TYPES)
    except FetchError as exc:
        raise ReadError(str(exc)) from exc
    text = decode(response.body, response.charset)
    kind = "text" if response.content_type == "text/plain" else "html"
    stem = Path(unquote(urlsplit(response.url).path)).stem or (urlsplit(url).hostname or "page")

    def images(src: str) -> Picture:
        if src.startswith("data:"):
            return _data_url(src)
        return fetcher.picture(urljoin(response.url, src))

    return Page(text, kind, response.url, url, images, stem)


def _saved_page_images(page: Path) -> Callable[[str], Picture]:
    """Images of a browser's "Save page as… complete": only files inside ``<name>_files/`` (browsers also write
    ``<name>-Dateien``, ``<name>_fichiers`` and the like, so any sibling folder starting with the page's name
    and ending in files' translation is accepted too)."""
    folder = page.parent.resolve()
    roots = [p.resolve() for p in page.parent.iterdir()
             if p.is_dir() and p.name.startswith(page.stem) and p.name != page.stem] if page.parent.is_dir() else []

    def images(src: str) -> Picture:
        parts = urlsplit(src)
        if parts.scheme or parts.netloc:
            if parts.scheme == "data":
                return _data_url(src)
            raise FetchError("a saved page's images are read from its _files folder only, and this one is not there")
        target = (folder / unquote(parts.path)).resolve()
        if not any(root in target.parents for root in roots):
            raise FetchError("outside the page's _files folder")
        if not target.is_file():
            raise FetchError("not in the page's _files folder")
        if target.stat().st_size > MAX_FILE:
            raise FetchError("image file too large")
        return open_picture(target.read_bytes())

    return images


def _from_mhtml(path: Path, data: bytes) -> Page:
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    parts = {}
    html_part = None
    for part in message.walk():
        if part.is_multipart():
            continue
        location = part.get("Content-Location", "").strip()
        ctype = part.get_content_type()
        if html_part is None and ctype in ("text/html", "application/xhtml+xml"):
            html_part = (part, location)
        if location:
            parts[location] = part
        cid = part.get("Content-ID", "").strip().strip("<>")
        if cid:
            parts[f"cid:{cid}"] = part
    if html_part is None:
        raise ReadError("this MHTML file holds no HTML page")
    part, location = html_part
    html = decode(part.get_payload(decode=True) or b"", part.get_content_charset())
    base = location or message.get("Snapshot-Content-Location") or None

    def images(src: str) -> Picture:
        if src.startswith("data:"):
            return _data_url(src)
        candidates = [src, urljoin(base, src)] if base else [src]
        for candidate in candidates:
            if candidate in parts:
                payload = parts[candidate].get_payload(decode=True) or b""
                return open_picture(payload)
        raise FetchError("not saved in the MHTML file")

    return Page(html, "html", base, None, images, path.stem)


def _data_url(src: str) -> Picture:
    import base64

    header, _, payload = src.partition(",")
    if ";base64" not in header:
        raise FetchError("data: image without base64")
    try:
        return open_picture(base64.b64decode(payload, validate=False))
    except ValueError as exc:
        raise FetchError("data: image is damaged") from exc


def _no_images(src: str) -> Picture:
    raise FetchError("a text capture holds no images")
