"""Golden files: the essay's package documents, pretty-printed, to review in a diff when markup changes.

Refresh them with ``pytest tests/test_golden.py --update-golden`` and read the diff before committing.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import ESSAY, build

GOLDEN = Path(__file__).parent / "golden" / "chinas-costly-inaction"
DOCUMENTS = ["content.opf", "nav.xhtml", "toc.ncx", "cover.xhtml", "essay.xhtml", "notes.xhtml"]


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("golden") / "essay.epub"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1700000000")
        assert build(["epub", str(ESSAY), "-o", str(out), "-q"]) == 0
    with zipfile.ZipFile(out) as z:
        return {name: _pretty(z.read(f"EPUB/{name}")) for name in DOCUMENTS}


def _pretty(data: bytes) -> str:
    parser = etree.XMLParser(remove_blank_text=True)
    return etree.tostring(etree.fromstring(data, parser), pretty_print=True, encoding="unicode")


@pytest.mark.parametrize("name", DOCUMENTS)
def test_matches_golden(package: dict[str, str], name: str, request: pytest.FixtureRequest) -> None:
    golden = GOLDEN / name
    if request.config.getoption("--update-golden"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(package[name], encoding="utf-8")
    assert golden.exists(), f"no golden file {golden}: run pytest --update-golden"
    assert package[name] == golden.read_text(encoding="utf-8"), f"{name} changed: review, then --update-golden"
