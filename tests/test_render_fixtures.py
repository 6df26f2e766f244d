"""Markdown in, XHTML fragment out: files of cases (mdformat's fixture style), easy to read and extend.

Each case in ``fixtures/render.md`` (essaybook's own Markdown) and ``fixtures/dialects.md`` (what Jekyll, Hugo,
Eleventy, Obsidian and pandoc authors write) is a title line, then ``.``-separated Markdown and expected XHTML.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from essaybook.metadata import parse_metadata
from essaybook.parse import parse_document
from essaybook.source import Source

FIXTURES = Path(__file__).parent / "fixtures" / "render.md"
DIALECTS = Path(__file__).parent / "fixtures" / "dialects.md"
_NS = re.compile(r' xmlns(:\w+)?="[^"]+"')


def read_cases(path: Path) -> list[tuple[str, str, str]]:
    lines = path.read_text(encoding="utf-8").split("\n")
    cases, i = [], 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        title = lines[i]
        assert lines[i + 1] == ".", f"{path}:{i + 2}: expected '.' after the case title"
        j = lines.index(".", i + 2)
        k = lines.index(".", j + 1)
        cases.append((title, "\n".join(lines[i + 2 : j]), "\n".join(lines[j + 1 : k])))
        i = k + 1
    return cases


def render_fragment(markdown: str, folder: Path) -> str:
    source = Source(path=folder / "essay.md", folder=folder, slug="t", front_matter="title: T",
                    front_matter_line=2, body=markdown, body_line=4)
    doc = parse_document(source, parse_metadata(source))
    parts = [etree.tostring(child, encoding="unicode", with_tail=False) for child in doc.body]
    return "\n".join(_NS.sub("", p) for p in parts)


CASES = read_cases(FIXTURES) + read_cases(DIALECTS)


@pytest.mark.parametrize(("title", "markdown", "expected"), CASES, ids=[c[0] for c in CASES])
def test_render(title: str, markdown: str, expected: str, tmp_path: Path) -> None:
    Image.new("RGB", (40, 30), "navy").save(tmp_path / "img.png")
    assert render_fragment(markdown, tmp_path) == expected
