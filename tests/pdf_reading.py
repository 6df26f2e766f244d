"""Reading a PDF back the way a reader (or a screen reader) would: poppler's text, pikepdf's structure."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pikepdf


def page_texts(pdf: Path, *, crop: tuple[int, int] | None = None) -> list[str]:
    """One string per page, from poppler's pdftotext (pypdf garbles some CID fonts). ``crop`` keeps only the
    band from ``crop[0]`` to ``crop[1]`` points from the top: the text block without running heads and folios."""
    box = ["-x", "0", "-y", str(crop[0]), "-W", "1000", "-H", str(crop[1] - crop[0])] if crop else []
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", *box, str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    return out.split("\f")[:-1]


def flowing_words(text: str) -> list[str]:
    """The words of running text, with words hyphenated at line ends joined again."""
    text = re.sub(r"[\u2010-](\n)(?=[a-z])", "", text)
    return text.split()


def fonts(pdf: Path) -> list[tuple[str, bool]]:
    """(font name, embedded) for every font the pages use."""
    found = {}
    with pikepdf.open(pdf) as doc:
        for page in doc.pages:
            for _, font in page.resources.get("/Font", {}).items():
                descendant = font.get("/DescendantFonts")
                desc = descendant[0].get("/FontDescriptor") if descendant else font.get("/FontDescriptor")
                name = str(font.get("/BaseFont"))
                embedded = desc is not None and any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                found[name] = embedded
    return sorted(found.items())


def structure_tags(pdf: Path) -> list[tuple[str, dict]]:
    """The tagged PDF's structure elements in document order: (tag, attributes such as /Alt)."""
    out: list[tuple[str, dict]] = []
    with pikepdf.open(pdf) as doc:
        root = doc.Root.get("/StructTreeRoot")
        if root is None:
            return out

        def walk(node) -> None:
            if isinstance(node, pikepdf.Dictionary) and "/S" in node:
                attrs = {k: str(node[k]) for k in ("/Alt", "/Lang") if k in node}
                out.append((str(node["/S"]).lstrip("/"), attrs))
            kids = node.get("/K") if isinstance(node, pikepdf.Dictionary) else None
            if isinstance(kids, pikepdf.Array):
                for kid in kids:
                    walk(kid)
            elif isinstance(kids, pikepdf.Dictionary):
                walk(kids)

        walk(root)
    return out


def document_language(pdf: Path) -> str | None:
    with pikepdf.open(pdf) as doc:
        lang = doc.Root.get("/Lang")
        return str(lang) if lang is not None else None


def page_size_mm(pdf: Path) -> tuple[float, float]:
    with pikepdf.open(pdf) as doc:
        box = [float(v) for v in doc.pages[0].mediabox]
    return round((box[2] - box[0]) * 25.4 / 72, 1), round((box[3] - box[1]) * 25.4 / 72, 1)
