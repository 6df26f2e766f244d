"""An essay's own files (images, the cover): read only from inside its folder, and only if readers can show them.

Every reference is judged before anything is rendered: URLs with a scheme, absolute paths, and paths that leave
the folder (through ``..`` or a symlink) are refused together in one error that names each of them.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from lxml import etree

from essaybook.errors import SourceError, display_path
from essaybook.model import Asset
from essaybook.source import Source

# What EPUB 3 reading systems must show (core media types); the PDF accepts the same.
_RASTER_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_MAX_PIXELS = 80_000_000  # ~ a 9000×9000 photograph; beyond that it is a decompression bomb, not a figure


def inside_folder(ref: str, folder: Path) -> Path | None:
    """The file ``ref`` names if it is a plain relative path that stays inside ``folder``, else None."""
    if not ref or re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", ref) or ref.startswith(("/", "\\")):
        return None
    try:
        parts = urlsplit(ref)
    except ValueError:
        return None
    if parts.netloc or parts.query:
        return None
    root = folder.resolve()
    target = (root / unquote(parts.path)).resolve()
    return target if target == root or root in target.parents else None


def find_in_folder(folder: Path | None, name: str, suffixes: tuple[str, ...] = ()) -> Path | None:
    """``name`` as a path inside ``folder``, else the first file of that name anywhere inside it."""
    if folder is None or not name.strip():
        return None
    root = folder.resolve()
    candidates = [name] + [name + s for s in suffixes if not name.lower().endswith(s)]
    for c in candidates:
        path = (root / c).resolve()
        if path.is_file() and path.is_relative_to(root):
            return path
    for c in candidates:
        base = Path(c).name
        for path in sorted(root.rglob(base)):
            if path.is_file() and path.resolve().is_relative_to(root):
                return path.resolve()
    return None


_GHOST = "__GHOST_URL__"


def in_folder_for_site_path(ref: str, folder: Path) -> str | None:
    """The file a web site's own address names, inside the essay's folder, as a relative path, or None.

    Posts from Jekyll, Hugo, WordPress and Ghost name their images by where the site serves them
    (``/assets/img/log.png``, ``/wp-content/uploads/2018/06/stall.jpg``, a full address on the site): the path
    under the folder (``assets/img/log.png``), else the file of that name anywhere inside it, as the author most
    likely copied it beside the essay."""
    if ref.startswith(_GHOST):  # Ghost's exports write the site's own address so
        ref = "/" + ref[len(_GHOST):].lstrip("/")
    if not ref or ref.startswith("//"):
        return None
    parts = urlsplit(ref)
    if parts.scheme and parts.scheme not in ("http", "https"):
        return None
    path = unquote(parts.path)
    if not path.startswith("/") or path.endswith("/"):
        return None
    found = find_in_folder(folder, path.lstrip("/"))
    return found.relative_to(folder.resolve()).as_posix() if found is not None else None


def refuse_outside_references(refs: list[tuple[str, int | None]], source: Source) -> None:
    """Raise one error naming every reference that is not a file inside the essay's folder."""
    bad = [(ref, line) for ref, line in refs if inside_folder(ref, source.folder) is None]
    if not bad:
        return
    listed = ", ".join(f"'{_short(ref)}'" + (f" (line {line})" if line else "") for ref, line in bad)
    noun = "reference" if len(bad) == 1 else f"{len(bad)} references"
    raise SourceError(
        f"refused {noun} outside the essay's folder: {listed}; copy the file into "
        f"{display_path(source.folder)}/ and refer to it by a relative path",
        path=source.path, line=bad[0][1],
    )


def check_asset(ref: str, source: Source, line: int | None) -> Asset:
    """Resolve ``ref`` to a readable image of a format e-readers show, or raise a one-line ``SourceError``."""
    path = inside_folder(ref, source.folder)
    assert path is not None, "refuse_outside_references runs first"
    where = display_path(path.parent)
    if not path.exists():
        raise SourceError(f"image '{ref}' not found (looked in {where}/)", path=source.path, line=line)
    if not path.is_file():
        raise SourceError(f"image '{ref}' is not a file", path=source.path, line=line)
    try:
        head = path.open("rb").read(512)
    except OSError as exc:
        raise SourceError(f"image '{ref}' cannot be read ({exc.strerror}); check its permissions",
                          path=source.path, line=line) from exc
    media_type = _svg_type(path, ref, source, line) if _looks_like_xml(head) else _raster_type(path, ref,
                                                                                                 source, line)
    # The name inside the book: no spaces (EPUBCheck PKG-010/RSC-020; Obsidian names pastes "Pasted image …").
    href = quote(path.relative_to(source.folder.resolve()).as_posix().replace(" ", "-"))
    return Asset(href=href, path=path, media_type=media_type, line=line)


def _looks_like_xml(head: bytes) -> bool:
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def _raster_type(path: Path, ref: str, source: Source, line: int | None) -> str:
    from PIL import Image, UnidentifiedImageError  # ~16 ms: only for an essay with a raster image

    Image.MAX_IMAGE_PIXELS = _MAX_PIXELS
    try:
        with Image.open(path) as im:
            kind = im.format
            try:
                im.verify()
                _decode_fully(path)
            except (OSError, SyntaxError, ValueError) as exc:
                raise SourceError(f"image '{ref}' is damaged ({exc}); export it again",
                                  path=source.path, line=line) from exc
    except Image.DecompressionBombError as exc:
        raise SourceError(f"image '{ref}' is too large to be a figure (over {_MAX_PIXELS:,} pixels); "
                          "scale it down", path=source.path, line=line) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        if _looks_like_raster(path):
            raise SourceError(f"image '{ref}' is damaged ({exc}); export it again", path=source.path,
                              line=line) from exc
        raise SourceError(f"'{ref}' is not an image e-readers can show (not JPEG, PNG, GIF, WebP or SVG)",
                          path=source.path, line=line) from exc
    if kind not in _RASTER_TYPES:
        raise SourceError(f"image '{ref}' is {kind}, which e-readers do not show; convert it to PNG or JPEG",
                          path=source.path, line=line)
    return _RASTER_TYPES[kind]


def _decode_fully(path: Path) -> None:
    """verify() checks little of a JPEG or GIF: decode the whole image, refusing truncated data even when a
    library loaded earlier (WeasyPrint does) told Pillow to accept it."""
    from PIL import Image, ImageFile

    previous, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        with Image.open(path) as im:
            im.load()
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _looks_like_raster(path: Path) -> bool:
    """The file starts as a JPEG, PNG, GIF or WebP does: it is one, only broken."""
    head = path.open("rb").read(12)
    return head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")) or \
        (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


def _svg_type(path: Path, ref: str, source: Source, line: int | None) -> str:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.parse(str(path), parser).getroot()
    except (etree.XMLSyntaxError, OSError) as exc:
        raise SourceError(f"image '{ref}' is not an image e-readers can show (broken SVG: {exc})",
                          path=source.path, line=line) from exc
    doctype = root.getroottree().docinfo
    if doctype.internalDTD is not None or doctype.system_url or doctype.public_id:
        raise SourceError(f"SVG '{ref}' declares a DOCTYPE or entities, which readers refuse; remove the "
                          "<!DOCTYPE …> line", path=source.path, line=line)
    if root.tag != f"{{{_SVG_NS}}}svg":
        raise SourceError(f"'{ref}' is not an image e-readers can show (XML, but not SVG)",
                          path=source.path, line=line)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        name = etree.QName(el).localname
        if name == "style" and re.search(r"@import|url\(\s*['\"]?(?!#)", el.text or "", re.I):
            raise SourceError(f"SVG '{ref}' has a <style> that loads another file (@import or url()); "
                              "embed or remove it", path=source.path, line=line)
        if name in ("script", "foreignObject", "iframe"):
            raise SourceError(f"SVG '{ref}' contains <{name}>, which a book must not carry; remove it",
                              path=source.path, line=line)
        for attr, value in el.attrib.items():
            if etree.QName(attr).localname.lower().startswith("on"):
                raise SourceError(f"SVG '{ref}' has an event handler ({etree.QName(attr).localname}); remove it",
                                  path=source.path, line=line)
            if (attr in (_XLINK_HREF, "href") and not value.startswith("#")) or ("url(" in value and \
                    re.search(r"url\(\s*['\"]?(?!#)", value)):
                raise SourceError(f"SVG '{ref}' refers to another file ({value[:60]}); embed or remove it",
                                  path=source.path, line=line)
    return "image/svg+xml"


def _short(ref: str) -> str:
    return ref if len(ref) <= 80 else ref[:77] + "…"
